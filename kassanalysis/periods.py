"""Financial years, quarters and months as UK councils write them, parsed into sortable form.

A council's financial year runs 1 April to 31 March. Labels are normalised to
``2012-13`` (year), ``2012-13 Q3`` (quarter, Q1 = April to June) and ``Dec 2012`` (month);
each period also carries its first and last day so that periods of different kinds sort and
compare ("the latest actual at or before the end of 2012-13 Q3").
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9

_FY = re.compile(r"(?<!\d)(?:FY\s*)?(\d{4})\s*[-/]\s*(\d{1,4})(?!\d)")
_QUARTER = re.compile(r"\bQ([1-4])\b", re.IGNORECASE)
# Anything that looks like a quarter: Q5, Q0, Quarter 1, qtr 2, 2013-14Q1 (no space).
_QUARTERISH = re.compile(r"(?<![A-Za-z])(?:q|qtr|quarter)\s*\d+", re.IGNORECASE)
VALID_FORMS = "'2013-14' (year), '2013-14 Q1' to '2013-14 Q4' (quarter), 'Dec 2013' (month)"
_MONTH = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{4})\b")


class PeriodError(ValueError):
    """A period label that cannot be read."""


@dataclass(frozen=True, order=True)
class Period:
    """A financial year, quarter or month."""

    end: date
    start: date
    kind: str  # "year", "quarter" or "month"
    label: str

    def __str__(self) -> str:
        return self.label

    @property
    def financial_year(self) -> str:
        """The financial year the period falls in, e.g. ``2012-13``."""
        return format_financial_year(
            self.start.year if self.start.month >= 4 else self.start.year - 1
        )


def format_financial_year(start_year: int) -> str:
    """Label for the financial year starting in April of ``start_year``.

    Examples
    --------
    >>> format_financial_year(1999)
    '1999-00'
    """
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def parse_financial_year(text: str) -> int:
    """Start year of a financial year written as 2008-09, 2008/9, 2005/06 or 2008-2009.

    Examples
    --------
    >>> parse_financial_year("2008/9"), parse_financial_year("2005/06")
    (2008, 2005)
    >>> parse_financial_year("Target 2009/10")
    2009
    """
    match = _FY.search(str(text))
    if not match:
        raise PeriodError(f"no financial year (like 2012-13) in {text!r}")
    start, end = int(match[1]), match[2]
    expected = start + 1
    ok = int(end) == (expected if len(end) == 4 else expected % 10 ** len(end))
    if not ok:
        raise PeriodError(f"{text!r}: {match[0]!r} is not two consecutive years")
    return start


def make_year(start_year: int) -> Period:
    """The financial year starting 1 April ``start_year``."""
    return Period(
        date(start_year + 1, 3, 31),
        date(start_year, 4, 1),
        "year",
        format_financial_year(start_year),
    )


def make_quarter(start_year: int, quarter: int) -> Period:
    """Quarter 1-4 of the financial year starting in ``start_year`` (Q1 = Apr-Jun).

    Examples
    --------
    >>> q = make_quarter(2012, 3)
    >>> q.label, q.start, q.end
    ('2012-13 Q3', datetime.date(2012, 10, 1), datetime.date(2012, 12, 31))
    """
    if quarter not in (1, 2, 3, 4):
        raise PeriodError(f"quarter must be 1 to 4, not {quarter}")
    first_month = 4 + 3 * (quarter - 1)
    year = start_year + (first_month - 1) // 12
    first_month = (first_month - 1) % 12 + 1
    last_month = first_month + 2
    last_day = calendar.monthrange(year, last_month)[1]
    return Period(
        date(year, last_month, last_day),
        date(year, first_month, 1),
        "quarter",
        f"{format_financial_year(start_year)} Q{quarter}",
    )


def make_month(year: int, month: int) -> Period:
    """A calendar month, labelled like ``Dec 2012``."""
    last_day = calendar.monthrange(year, month)[1]
    return Period(
        date(year, month, last_day),
        date(year, month, 1),
        "month",
        f"{calendar.month_abbr[month]} {year}",
    )


def parse_period(text: str, *, financial_year: int | None = None) -> Period:
    """Read a period label.

    Parameters
    ----------
    text : str
        ``2012-13``, ``2012/13``, ``2013-14 Q2``, ``Q2 2013-14``, ``Q2`` (with
        ``financial_year``), ``December 2012``, ``Dec 2012``.
    financial_year : int, optional
        Start year to use when the label gives only a quarter.

    Examples
    --------
    >>> parse_period("2013-14 Q2").label
    '2013-14 Q2'
    >>> parse_period("Q4", financial_year=2013).end
    datetime.date(2014, 3, 31)
    >>> parse_period("December 2012").label
    'Dec 2012'
    >>> parse_period("2005/06").kind
    'year'

    A quarter written any other way is refused rather than read as the whole year:

    >>> parse_period("2013-14 Q5")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kassanalysis.periods.PeriodError: cannot read period '2013-14 Q5': 'Q5' is not a quarter...
    """
    raw = str(text).strip()
    odd = [
        m[0]
        for m in _QUARTERISH.finditer(raw)
        if not _QUARTER.fullmatch(m[0]) or (m.start() > 0 and raw[m.start() - 1].isalnum())
    ]
    if odd or len(_QUARTER.findall(raw)) > 1:
        shown = odd[0] if odd else raw
        raise PeriodError(
            f"cannot read period {text!r}: {shown!r} is not a quarter; valid forms: {VALID_FORMS}"
        )
    month = _MONTH.search(raw)
    if month and month[1].lower() in _MONTHS:
        return make_month(int(month[2]), _MONTHS[month[1].lower()])
    quarter = _QUARTER.search(raw)
    fy_match = _FY.search(raw)
    start = parse_financial_year(raw) if fy_match else financial_year
    if quarter:
        if start is None:
            raise PeriodError(f"{text!r} gives a quarter but no financial year")
        return make_quarter(start, int(quarter[1]))
    if fy_match:
        return make_year(start)
    raise PeriodError(f"cannot read period {text!r}: valid forms: {VALID_FORMS}")
