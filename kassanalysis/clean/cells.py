"""Reading one published cell: numbers as PDF conversions and spreadsheets print them.

A cell becomes a ``(value, status)`` pair. Blank, ``N/A``, ``TBC``, ``[x]`` are missing
(value NaN, with a status saying why); ``[c]`` is suppressed. Nothing missing becomes zero.
The one exception is the accounting nil ``£ -`` (and a bare ``-``), which the publisher
prints to mean zero.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from kassanalysis.vocabulary import normalise_text

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
