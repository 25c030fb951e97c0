"""Reading one published cell: numbers as PDF conversions and spreadsheets print them.

A cell becomes a ``(value, status)`` pair. Blank, ``N/A``, ``TBC``, ``[x]`` are missing
(value NaN, with a status saying why); ``[c]`` is suppressed. Nothing missing becomes zero.
The one exception is the accounting nil ``£ -`` (and a bare ``-``), which the publisher
prints to mean zero.
"""

from __future__ import annotations

import math
import re
import unicodedata

import numpy as np
import pandas as pd

MISSING_MARKERS = {
    "": "missing",
    "[x]": "missing",
    "..": "missing",
    "n/a": "not_applicable",
    "na": "not_applicable",
    "tbc": "to_be_confirmed",
    "[c]": "suppressed",
    "*": "suppressed",
}

_HOMOGLYPHS = str.maketrans(
    {
        # Cyrillic letters that PDF converters emit for Latin look-alikes ("ТВС" for "TBC").
        "А": "A",
        "В": "B",
        "С": "C",
        "Е": "E",
        "Н": "H",
        "К": "K",
        "М": "M",
        "О": "O",
        "Р": "P",
        "Т": "T",
        "Х": "X",
        "а": "a",
        "с": "c",
        "е": "e",
        "о": "o",
        "р": "p",
        "х": "x",
        "\u2212": "-",
        "\u2013": "-",
        "\u2014": "-",  # minus sign, en and em dash
        "\u00a0": " ",
    }
)

_NUMBER = re.compile(
    r"""^\(?                 # optional opening bracket (accounting negative)
    (?P<sign1>[-+])?\s*
    (?P<cur>£)?\s*
    (?P<sign2>[-+])?\s*
    (?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)
    \s*(?P<pct>%)?
    \)?$""",
    re.VERBOSE,
)
_NIL = re.compile(r"^£?\s*-$")


def normalise_text(text: str) -> str:
    """Fold look-alike characters and spacing so that markers are recognised.

    Examples
    --------
    >>> normalise_text("ТВС")  # Cyrillic letters
    'TBC'
    >>> normalise_text("−£\u00a010")
    '-£ 10'
    """
    return unicodedata.normalize("NFKC", text).translate(_HOMOGLYPHS).strip()


def parse_cell(
    text: str | float | int | None,
    *,
    blank_markers: frozenset[str] = frozenset(),
    nil_is_zero: bool = True,
) -> tuple[float, str] | None:
    """Parse one published cell into ``(value, status)``; ``None`` if it is not a number.

    ``None`` means the cell holds text that is neither a number nor a known marker: the
    caller reports it (file, line, column) instead of guessing.

    Parameters
    ----------
    text : str, number or None
        The cell as published.
    blank_markers : frozenset of str
        Extra glyphs that a particular file uses for an empty cell (e.g. a stray bullet).
    nil_is_zero : bool
        Read the accounting nil (``£ -`` or a bare ``-``) as zero: true for money in
        budget tables; false for indicator values, where a dash is not a number.

    Examples
    --------
    >>> parse_cell("£ 9,979.9")
    (9979.9, 'reported')
    >>> parse_cell("-£ 10,719.7")
    (-10719.7, 'reported')
    >>> parse_cell("£ -")
    (0.0, 'reported')
    >>> parse_cell("78.0%")
    (78.0, 'reported')
    >>> parse_cell("N/A")
    (nan, 'not_applicable')
    >>> parse_cell("Draft. 36.0%")
    (36.0, 'reported')
    >>> parse_cell("abc") is None
    True
    >>> parse_cell("-", nil_is_zero=False) is None  # an indicator value is not a nil
    True
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return (math.nan, "missing")
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return (float(text), "reported")
    raw = normalise_text(str(text))
    # Draft figures are still the published figure; the word is kept in source_text.
    raw = re.sub(r"^(draft|provisional|est(imate)?)\.?\s*", "", raw, flags=re.IGNORECASE)
    raw = re.sub(r"</?i>", "", raw)  # italic markup from the PDF conversion
    key = raw.lower()
    if key in MISSING_MARKERS:
        return (math.nan, MISSING_MARKERS[key])
    if raw in blank_markers:
        return (math.nan, "missing")
    if _NIL.match(raw):
        return (0.0, "reported") if nil_is_zero else None
    match = _NUMBER.match(raw)
    if not match:
        return None
    value = float(match["num"].replace(",", ""))
    negative = (match["sign1"] == "-") != (match["sign2"] == "-")
    if raw.startswith("(") and raw.endswith(")"):
        negative = not negative
    return (-value if negative else value, "reported")


#: Money units as printed, to the factor that turns them into GBP thousands.
MONEY_UNITS = {
    "bn": 1_000_000.0,
    "billion": 1_000_000.0,
    "m": 1000.0,
    "mn": 1000.0,
    "million": 1000.0,
    "k": 1.0,
    "000": 1.0,
    "'000": 1.0,
    "000s": 1.0,
    "000's": 1.0,
    "thousand": 1.0,
    "": 0.001,  # a bare £
}
_CELL_UNIT = re.compile(
    r"^(?P<body>.*?\d)\s*(?P<unit>bn|billion|mn|million|m|k)\.?(?P<close>\)?)$", re.IGNORECASE
)
_HEADER_UNIT = re.compile(
    r"£\s*(?P<unit>bn|billion|mn|million|m|k|thousands?|'?000'?s?)?(?![a-z0-9])", re.IGNORECASE
)
_BARE_THOUSANDS = re.compile(r"\(?\b000'?s\b\)?|\(000\)", re.IGNORECASE)


def split_cell_unit(text: str) -> tuple[str, float | None, str]:
    """Take a money unit printed in a cell off its number.

    Returns the cell without the unit, the factor to GBP thousands (None when the cell
    names no unit) and the unit as printed.

    Examples
    --------
    >>> split_cell_unit("296.6 million")
    ('296.6', 1000.0, 'million')
    >>> split_cell_unit("£1,566.7m")
    ('£1,566.7', 1000.0, 'm')
    >>> split_cell_unit("(12.3m)")
    ('(12.3)', 1000.0, 'm')
    >>> split_cell_unit("12.3")
    ('12.3', None, '')
    """
    match = _CELL_UNIT.match(normalise_text(str(text)))
    if not match:
        return text, None, ""
    unit = match["unit"].lower()
    return match["body"] + match["close"], MONEY_UNITS[unit], match["unit"]


def unit_in_header(text: str) -> tuple[float, str] | None:
    """The money unit a column header prints, as (factor to GBP thousands, unit as printed).

    Examples
    --------
    >>> unit_in_header("Gross £m")
    (1000.0, '£m')
    >>> unit_in_header("£ million")
    (1000.0, '£ million')
    >>> unit_in_header("Net Expenditure £'000")
    (1.0, "£'000")
    >>> unit_in_header("FINANCIAL RESOURCES (000's)")
    (1.0, "(000's)")
    >>> unit_in_header("Cost per Resident £")
    (0.001, '£')
    >>> unit_in_header("Gross Expenditure") is None
    True
    """
    text = normalise_text(text)
    match = _HEADER_UNIT.search(text)
    if match:
        unit = (match["unit"] or "").lower().replace("thousands", "thousand")
        return MONEY_UNITS.get(unit, 1.0), match[0].strip()
    match = _BARE_THOUSANDS.search(text)
    if match:
        return 1.0, match[0]
    return None


_DIGITS = re.compile(r"\d[\d,]*(?:\.(\d+))?")
_KEPT_UNIT = re.compile(r"\[([^\]]+)\]\s*$")


def printed_half_unit(text: object, value: float) -> float:
    """Half the last printed digit of a figure, in the unit it is stored in.

    A figure printed ``97.4`` in a GBP millions table may be off by 0.05 GBP m (50 in
    GBP thousands) through rounding alone. The scale is the stored value over the printed
    number (or, for a printed zero, the unit kept in brackets after it).

    Examples
    --------
    >>> printed_half_unit("97.4 [£m]", 97400.0)
    50.0
    >>> printed_half_unit("1,234", 1234.0)
    0.5
    >>> printed_half_unit("0.0 [£m]", 0.0)
    50.0
    >>> printed_half_unit(None, 3.0)
    0.0
    """
    if text is None or not isinstance(text, str) or value is None or math.isnan(value):
        return 0.0
    match = _DIGITS.search(text)
    if not match:
        return 0.0
    printed = float(match[0].replace(",", ""))
    half = 0.5 * 10.0 ** -len(match[1] or "")
    if printed:
        return half * abs(value) / printed
    kept = _KEPT_UNIT.search(text)
    unit = unit_in_header(kept[1]) if kept else None
    if unit is None and kept:
        unit = (UNITS_GIVEN.get(kept[1], 1.0), kept[1])
    return half * (unit[0] if unit else split_cell_unit(text)[1] or 1.0)


#: Units of measure an analyst gives (catalogue or --units), to GBP thousands.
UNITS_GIVEN = {"GBP thousands": 1.0, "GBP millions": 1000.0, "GBP": 0.001}


def is_number_like(text: str) -> bool:
    """True when ``text`` parses as a number (not as a marker or blank).

    Examples
    --------
    >>> is_number_like("1,278"), is_number_like("TBC"), is_number_like("")
    (True, False, False)
    """
    parsed = parse_cell(text)
    return parsed is not None and parsed[1] == "reported"


PLAIN_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


def as_text(column: pd.Series) -> pd.Series:
    """Cells as stripped text; blank and NaN become ``""``.

    Each distinct cell is converted once (published columns repeat a few values many times).
    """
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    texts = np.array([str(u).strip() for u in uniques] + [""], dtype=object)
    return pd.Series(texts[codes], index=column.index, dtype=object)  # code -1 (NaN) -> ""


def parse_value_column(text: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Parse a column of published cells at once into values, statuses and a bad-cell mask.

    Plain numbers and the markers of :data:`kassanalysis.clean.cells.MISSING_MARKERS` are
    handled vectorised; anything else goes through :func:`~kassanalysis.clean.cells.parse_cell`
    one cell at a time (rare), so the rules are the same as everywhere else in the package.
    Blank and NaN cells are ``missing``, never zero.

    Parameters
    ----------
    text : pd.Series
        Cells as read (strings, NaN or numbers).

    Returns
    -------
    values : pd.Series of float
        NaN unless a number was published.
    statuses : pd.Series of str
        One of :data:`kassanalysis.schemas.STATUSES`; NaN where the cell is bad.
    bad : pd.Series of bool
        True where the cell is neither a number nor a known marker.

    Examples
    --------
    >>> v, s, bad = parse_value_column(pd.Series(["1.5", "", "[c]", "1,234", "abc"]))
    >>> v.tolist()[::3]
    [1.5, 1234.0]
    >>> s.tolist()
    ['reported', 'missing', 'suppressed', 'reported', nan]
    >>> bad.tolist()
    [False, False, False, False, True]
    """
    codes, uniques = pd.factorize(as_text(text))
    cells = pd.Series(uniques, dtype=object)  # each distinct cell is parsed once
    plain = cells.str.fullmatch(PLAIN_NUMBER).astype(bool)
    values = pd.Series(np.nan, index=cells.index, dtype=float)
    values[plain] = cells[plain].astype(float)
    statuses = pd.Series(np.nan, index=cells.index, dtype=object)
    statuses[plain] = "reported"
    marker = cells.str.lower().map(MISSING_MARKERS)
    has_marker = marker.notna() & ~plain
    statuses[has_marker] = marker[has_marker]
    bad = pd.Series(False, index=cells.index)
    for i in cells.index[~plain & ~has_marker]:
        parsed = parse_cell(cells[i])
        if parsed is None:
            bad[i] = True
        else:
            values[i], statuses[i] = parsed
    return (
        pd.Series(values.to_numpy()[codes], index=text.index, dtype=float),
        pd.Series(statuses.to_numpy()[codes], index=text.index, dtype=object),
        pd.Series(bad.to_numpy()[codes], index=text.index, dtype=bool),
    )
