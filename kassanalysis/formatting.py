"""One way to write numbers, units and changes, for tables, charts, sentences and CSVs.

Every figure a reader sees goes through this module so that the same value reads the same
in a chart label, a table cell and the sentence beside them. The rules follow the
Government Analysis Function guidance on presenting numbers ("Releasing statistics in
spreadsheets" and "Data visualisation: charts") and the GOV.UK style guide:

* thousands separators always (``2,736``);
* a fixed number of decimal places per kind of unit, never a number that depends on the
  value: counts 0, percentages 1, rates 1, money 1 (the councils' tables print to 0.1 of
  ``£000``), full-time equivalent posts 2 (as the staffing tables print them), scores 3
  on a 0 to 1 scale and 1 otherwise, anything else 1;
* the unit written in words beside a figure in a sentence (``2,736 people``, ``75.4%``,
  ``5.3 per 1,000 aged 65+``, ``£234.5 thousand``, ``£35.4 million``) and in the column
  heading or axis title of a table or chart (``people``, ``%``, ``per 1,000 aged 65+``, ``£000``);
* rates with their basis in words ("per 100,000 aged 18-64"), never "rate per 10000";
* a percentage change is "n/a" when its base is zero or tiny, where it would mislead.

Units are the strings of ``data/reference/indicators.csv`` (``"%"``, ``"count of
people"``, ``"rate per 10000 population aged 65+"``, ``"score (0-1)"``...) and the money
units of the budget tables (``"GBP thousands"``, ``"GBP millions"``).

Examples
--------
>>> format_value(2736, "count of people"), format_value(5.25, "rate per 1000 population aged 65+")
('2,736 people', '5.3 per 1,000 aged 65+')
>>> format_number(-118.20000000000073, "GBP thousands"), unit_header("GBP thousands")
('-£118.2', '£000')
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

__all__ = [
    "MISSING_TEXT",
    "TINY_BASE_SHARE",
    "Unit",
    "decimals_for",
    "excel_number_format",
    "format_change",
    "format_csv_figures",
    "format_csv_number",
    "format_number",
    "format_percent",
    "format_percent_change",
    "format_plain",
    "format_value",
    "is_missing",
    "parse_unit",
    "percent_change",
    "round_columns",
    "round_to_unit",
    "unit_header",
]

MISSING_TEXT = "no data"
"""What a sentence or a chart label says for a missing figure."""

TINY_BASE_SHARE = 0.1
"""A percentage change is shown as "n/a" when the base is smaller (in size) than this share
of the new figure: a change of more than 900% says more about a small base than about
the change (issue 15: "% change" of 59,600 against a base of 5.1)."""

_PERCENT_UNITS = {"%", "percent", "per cent", "percentage", "percentage points", "pct"}
_MONEY = {
    "gbp": ("", "£"),
    "gbp thousands": ("thousand", "£000"),
    "£000": ("thousand", "£000"),
    "gbp millions": ("million", "£m"),
    "gbp m": ("million", "£m"),
    "£m": ("million", "£m"),
}


@dataclass(frozen=True)
class Unit:
    """How figures of one unit are written.

    Attributes
    ----------
    kind : {"count", "percent", "rate", "score", "money", "fte", "number"}
    decimals : int
        Decimal places every figure of this unit is shown (and rounded) to.
    words : str
        What follows the number in a sentence (``"people"``, ``"per 1,000 aged 65+"``);
        empty for percentages (the ``%`` is part of the number) and bare numbers.
    header : str
        The unit in a column heading or axis title (``"%"``, ``"£000"``, ``"people"``).
    """

    kind: str
    decimals: int
    words: str = ""
    header: str = ""


def is_missing(value: object) -> bool:
    """True for None, NaN, ``pd.NA`` and ``NaT``; False for anything else (text included).

    Examples
    --------
    >>> is_missing(float("nan")), is_missing(pd.NA), is_missing(0), is_missing("x")
    (True, True, False, False)
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _basis(number: str) -> str:
    return f"{int(number):,}"


def parse_unit(unit: str | None) -> Unit:
    """The :class:`Unit` of an indicator or budget unit string.

    Parameters
    ----------
    unit : str or None
        As written in ``indicators.csv`` or a budget table's caption.

    Returns
    -------
    Unit

    Examples
    --------
    >>> parse_unit("rate per 100000 population aged 18-64").words
    'per 100,000 aged 18-64'
    >>> parse_unit("score (0-1)").decimals, parse_unit("count of households").words
    (3, 'households')
    """
    text = " ".join(str(unit or "").split())
    lower = text.lower()
    if not text or lower in ("number", "count"):
        return Unit("count" if lower == "count" else "number", 0 if lower == "count" else 1)
    if lower in _PERCENT_UNITS:
        return Unit("percent", 1, "", "%")
    if lower in ("fte", "full-time equivalent"):
        return Unit("fte", 2, "FTE", "FTE")  # staffing tables print FTE to 0.01
    if lower in _MONEY:
        words, header = _MONEY[lower]
        return Unit("money", 1 if words else 0, words, header)
    count = re.fullmatch(r"count of (.+)", text, flags=re.I)
    if count:
        return Unit("count", 0, count[1], count[1])
    rate = re.fullmatch(r"rate per ([\d,]+)\s*(?:population\s*)?(.*)", text, flags=re.I)
    if rate:
        basis = _basis(rate[1].replace(",", ""))
        rest = rate[2].strip() or ("population" if "population" in lower else "")
        words = f"per {basis} {rest}".strip()
        return Unit("rate", 1, words, words)
    if lower.startswith("per "):
        return Unit("rate", 1, text, text)
    if lower.startswith("rate"):
        detail = text[4:].strip(" ()")
        words = f"(rate, {detail})" if detail else "(rate)"
        return Unit("rate", 1, words, "rate" + (f", {detail}" if detail else ""))
    score = re.fullmatch(r"score \((.+?)-(.+)\)", text, flags=re.I)
    if score:
        top = float(score[2]) if re.fullmatch(r"[\d.]+", score[2]) else math.inf
        return Unit(
            "score",
            3 if top <= 1 else 1,
            f"(score {score[1]}-{score[2]})",
            f"score {score[1]}-{score[2]}",
        )
    return Unit("number", 1, f"({text})", text)


def decimals_for(unit: str | None) -> int:
    """Decimal places for figures of ``unit`` (counts 0, percentages 1, ...).

    Examples
    --------
    >>> decimals_for("count of people"), decimals_for("%"), decimals_for("GBP thousands")
    (0, 1, 1)
    """
    return parse_unit(unit).decimals


def unit_header(unit: str | None) -> str:
    """The unit as a column heading or axis title shows it (``"£000"``, ``"%"``).

    Examples
    --------
    >>> unit_header("rate per 10000 population aged 65+"), unit_header("GBP millions")
    ('per 10,000 aged 65+', '£m')
    """
    return parse_unit(unit).header


def round_to_unit(value: Any, unit: str | None) -> Any:
    """A figure (or a Series of them) rounded to its unit's decimals, for CSVs and workbooks,
    so no float noise (``-118.20000000000073``) is written. Missing stays missing.

    Examples
    --------
    >>> round_to_unit(-118.20000000000073, "GBP thousands"), round_to_unit(1452.0, "count")
    (-118.2, 1452.0)
    """
    places = decimals_for(unit)
    if isinstance(value, pd.Series):
        numbers = pd.to_numeric(value, errors="coerce")
        return numbers.map(lambda v: v if is_missing(v) else float(_round_half_up(v, places)))
    if is_missing(value):
        return value
    return float(_round_half_up(float(value), places))


def _round_half_up(value: float, decimals: int) -> Decimal:
    """Round as published tables do (half away from zero, on the number as written:
    ``5.25 -> 5.3``), not binary round-half-even (which gives ``5.2``)."""
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _plain(value: float, decimals: int, sign: bool) -> str:
    rounded = _round_half_up(value, decimals)
    if rounded == 0:
        rounded, sign = abs(rounded), False  # no "-0.0", no "+0.0"
    return f"{rounded:{'+' if sign else ''},.{decimals}f}"


def format_number(
    value: Any,
    unit: str | None = None,
    *,
    sign: bool = False,
    decimals: int | None = None,
    missing: str = MISSING_TEXT,
) -> str:
    """A figure as a table cell or chart label shows it: the unit goes in the heading, so
    only ``%`` and ``£`` stay with the number.

    Parameters
    ----------
    value : number or None
    unit : str, optional
        Decides the decimals and whether ``%`` or ``£`` is written.
    sign : bool
        Write ``+`` before a positive figure (changes).
    decimals : int, optional
        Override the unit's decimal places (used only for statistics such as limits).
    missing : str
        Text for a missing figure.

    Returns
    -------
    str

    Examples
    --------
    >>> format_number(1452.0, "count of people"), format_number(75.44, "%")
    ('1,452', '75.4%')
    >>> format_number(35.4, "GBP millions", sign=True), format_number(None)
    ('+£35.4', 'no data')
    """
    if is_missing(value):
        return missing
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(number):
        return missing
    parsed = parse_unit(unit)
    places = parsed.decimals if decimals is None else decimals
    text = _plain(number, places, sign)
    if parsed.kind == "percent":
        return text + "%"
    if parsed.kind == "money":
        body = text.lstrip("+-")
        prefix = text[: len(text) - len(body)]
        return f"{prefix}£{body}"
    return text


def format_plain(value: Any, *, missing: str = MISSING_TEXT) -> str:
    """A figure with no known unit: whole numbers with separators and no decimals, other
    numbers to at most three decimals without trailing zeros.

    Examples
    --------
    >>> format_plain(1452.0), format_plain(0.41912), format_plain(29968.25), format_plain(None)
    ('1,452', '0.419', '29,968.25', 'no data')
    """
    if is_missing(value):
        return missing
    number = float(value)
    if number.is_integer():
        return _plain(number, 0, False)
    text = _plain(number, 3, False)
    return text.rstrip("0").rstrip(".")


def format_value(
    value: Any, unit: str | None = None, *, sign: bool = False, decimals: int | None = None
) -> str:
    """A figure with its unit in words, as a sentence or alt text writes it.

    Examples
    --------
    >>> format_value(2736, "count of people"), format_value(0.4191, "score (0-1)")
    ('2,736 people', '0.419 (score 0-1)')
    >>> format_value(123.46, "GBP thousands"), format_value(float("nan"), "%")
    ('£123.5 thousand', 'no data')

    Money in thousands of a million or more is written in millions, as council papers
    and GOV.UK style write it in a sentence (the tables keep their £000 column):

    >>> format_value(35_400.0, "GBP thousands"), format_value(-1234.56, "GBP thousands")
    ('£35.4 million', '-£1.2 million')
    """
    if (
        decimals is None
        and parse_unit(unit).words == "thousand"
        and not is_missing(value)
        and abs(float(value)) >= 999.95  # what shows as £1,000.0 thousand
    ):
        return format_value(float(value) / 1000, "GBP millions", sign=sign)
    text = format_number(value, unit, sign=sign, decimals=decimals)
    words = parse_unit(unit).words
    if text == MISSING_TEXT or not words:
        return text
    return f"{text} {words}"


def format_change(change: Any, unit: str | None = None, *, sign: bool = False) -> str:
    """The size of a change: percentage points for percentages, otherwise the figure with
    its unit's decimals (and ``£`` for money).

    Examples
    --------
    >>> format_change(6, "%"), format_change(1, "%"), format_change(29.0, "count of people")
    ('6.0 percentage points', '1.0 percentage point', '29')
    """
    parsed = parse_unit(unit)
    if parsed.kind != "percent":
        return format_number(change, unit, sign=sign)
    text = format_number(change, unit, sign=sign)[:-1]
    if text == MISSING_TEXT[:-1]:
        return MISSING_TEXT
    single = text.lstrip("+-") in ("1", "1.0")
    return f"{text} percentage point{'' if single else 's'}"


def format_percent(value: Any, *, sign: bool = False) -> str:
    """A percentage (already multiplied by 100) to one decimal place with ``%``.

    Examples
    --------
    >>> format_percent(1.0712), format_percent(-3.25, sign=True)
    ('1.1%', '-3.3%')
    """
    return format_number(value, "%", sign=sign)


def percent_change(base: Any, new: Any) -> float:
    """``(new - base) / |base| * 100``, or NaN when the base is missing, zero or tiny (see
    :data:`TINY_BASE_SHARE`).

    Examples
    --------
    >>> percent_change(2707, 2736)   # 29 / 2707 = 1.0713...%
    1.0712966383450313
    >>> import math; math.isnan(percent_change(5.1, 59600)), math.isnan(percent_change(0, 3))
    (True, True)
    """
    try:
        base, new = float(base), float(new)
    except (TypeError, ValueError):  # missing, or a marker such as "[c]"
        return math.nan
    if base == 0 or abs(base) < TINY_BASE_SHARE * abs(new):
        return math.nan
    return (new - base) / abs(base) * 100


def format_percent_change(base: Any, new: Any, *, sign: bool = False) -> str:
    """A percentage change as text: ``"1.1%"``, or ``"n/a"`` when the base is zero or tiny.

    Examples
    --------
    >>> format_percent_change(2707, 2736), format_percent_change(0, 5)
    ('1.1%', 'n/a')
    """
    change = percent_change(base, new)
    return "n/a" if math.isnan(change) else format_percent(change, sign=sign)


def round_columns(
    frame: pd.DataFrame,
    units: Mapping[str, str] | None = None,
    row_units: Sequence[str] = (),
    unit_column: str = "unit",
) -> pd.DataFrame:
    """A copy of ``frame`` with figures rounded to their unit's decimals, for CSVs and
    workbooks: no float noise (``-118.20000000000073``) and the same figure as the HTML.

    Parameters
    ----------
    frame : pandas.DataFrame
    units : mapping of str to str, optional
        Column -> unit for columns of one unit (``{"budget": "GBP thousands"}``).
    row_units : sequence of str
        Columns whose unit is each row's own ``unit_column`` (mixed indicators).
    unit_column : str
        The column naming each row's unit.

    Returns
    -------
    pandas.DataFrame
        The same shape and columns; columns not named are left as they are, and missing
        values stay missing.

    Examples
    --------
    >>> table = pd.DataFrame({"unit": ["%", "count of people"], "value": [25.479, 1452.0],
    ...     "variance": [-118.20000000000073, 0.04]})
    >>> out = round_columns(table, {"variance": "GBP thousands"}, ("value",))
    >>> out["value"].tolist(), out["variance"].tolist()
    ([25.5, 1452.0], [-118.2, 0.0])
    """
    out = frame.copy()
    for column, unit in (units or {}).items():
        if column in out.columns and pd.api.types.is_float_dtype(out[column]):
            out[column] = round_to_unit(out[column], unit)
    if unit_column in out.columns:
        for column in row_units:
            if column not in out.columns or not pd.api.types.is_float_dtype(out[column]):
                continue
            out[column] = [
                value if is_missing(value) or is_missing(u) else round_to_unit(value, str(u))
                for value, u in zip(out[column], out[unit_column], strict=True)
            ]
    return out


def format_csv_number(value: Any, unit: str | None) -> Any:
    """A figure as a CSV writes it: the unit's decimals (the same as every other output),
    no thousands separator, no ``£`` or ``%`` (the unit is in the table's README and
    workbook header); anything that is not a finite number (a ``[c]`` or ``[x]`` marker,
    text, missing) is returned as it is.

    Examples
    --------
    >>> format_csv_number(1452.0, "count of people"), format_csv_number(-118.20000000000073,
    ...     "GBP thousands"), format_csv_number(9.406, "FTE"), format_csv_number("[c]", "%")
    ('1452', '-118.2', '9.41', '[c]')
    """
    if isinstance(value, bool) or not isinstance(value, int | float) or is_missing(value):
        return value
    if not math.isfinite(float(value)):
        return value
    return _plain(float(value), decimals_for(unit), False).replace(",", "")


def format_csv_figures(
    frame: pd.DataFrame,
    units: Mapping[str, str] | None = None,
    row_units: Sequence[str] = (),
    unit_column: str = "unit",
) -> pd.DataFrame:
    """A copy of ``frame`` with the figures of ``units`` columns (and of ``row_units``
    columns, by each row's ``unit_column``) written as :func:`format_csv_number` text, so
    a CSV shows ``1452`` and ``31871.0`` as the HTML shows ``1,452`` and ``£31,871.0``.

    Examples
    --------
    >>> table = pd.DataFrame({"unit": ["%", "count of people"], "value": [25.0, 1452.0],
    ...     "budget": [31871.0, "[c]"]})
    >>> out = format_csv_figures(table, {"budget": "GBP thousands"}, ("value",))
    >>> out["value"].tolist(), out["budget"].tolist()
    (['25.0', '1452'], ['31871.0', '[c]'])
    """
    out = frame.copy()
    for column, unit in (units or {}).items():
        if column in out.columns:
            out[column] = [format_csv_number(v, unit) for v in out[column].astype(object)]
    if unit_column in out.columns:
        for column in row_units:
            if column in out.columns:
                out[column] = [
                    v if is_missing(u) else format_csv_number(v, str(u))
                    for v, u in zip(out[column].astype(object), out[unit_column], strict=True)
                ]
    return out


def excel_number_format(unit: str | None) -> str:
    """The Excel number format for figures of ``unit``: the same decimals, ``£`` and ``%``
    as :func:`format_number` writes (a workbook cell of 75.44 shows ``75.4%``, of -118.2
    in ``£000`` shows ``-£118.2``); the rest of the unit is in the column header.

    Examples
    --------
    >>> excel_number_format("count of people"), excel_number_format("%")
    ('#,##0', '0.0"%"')
    >>> excel_number_format("GBP thousands"), excel_number_format("FTE")
    ('£#,##0.0', '#,##0.00')
    >>> excel_number_format("rate per 100000 aged 65+"), excel_number_format("score (0-1)")
    ('#,##0.0', '#,##0.000')
    """
    parsed = parse_unit(unit)
    decimals = f".{'0' * parsed.decimals}" if parsed.decimals else ""
    if parsed.kind == "percent":
        return f'0{decimals}"%"'
    return f"{'£' if parsed.kind == 'money' else ''}#,##0{decimals}"
