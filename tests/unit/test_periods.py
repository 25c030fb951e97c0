"""Financial years, quarters and months: hand-checked dates (UK council year, 1 April)."""

from datetime import date

import pytest

from kassanalysis.periods import PeriodError, parse_financial_year, parse_period


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("2008-09", 2008),
        ("2008/9", 2008),
        ("2005/06", 2005),
        ("2008-2009", 2008),
        ("Actual 2006/07", 2006),
        ("1999-00", 1999),
    ],
)
def test_financial_years_as_written(text, start):
    assert parse_financial_year(text) == start


@pytest.mark.parametrize("text", ["2005/07", "2008-2010", "2008"])
def test_impossible_years_are_refused(text):
    with pytest.raises(PeriodError):
        parse_financial_year(text)


@pytest.mark.parametrize(
    ("text", "label", "start", "end"),
    [
        ("2013-14 Q1", "2013-14 Q1", date(2013, 4, 1), date(2013, 6, 30)),
        ("Q4 2013-14", "2013-14 Q4", date(2014, 1, 1), date(2014, 3, 31)),
        ("2012/13 Q3", "2012-13 Q3", date(2012, 10, 1), date(2012, 12, 31)),
        ("December 2012", "Dec 2012", date(2012, 12, 1), date(2012, 12, 31)),
        ("2012-13", "2012-13", date(2012, 4, 1), date(2013, 3, 31)),
    ],
)
def test_periods_have_sortable_bounds(text, label, start, end):
    period = parse_period(text)
    assert (period.label, period.start, period.end) == (label, start, end)


def test_a_quarter_alone_needs_its_year():
    with pytest.raises(PeriodError):
        parse_period("Q2")
    assert parse_period("Q2", financial_year=2013).label == "2013-14 Q2"


def test_periods_sort_by_their_end():
    labels = ["2013-14", "Dec 2012", "2013-14 Q1", "2012-13"]
    ordered = sorted(parse_period(x) for x in labels)
    assert [p.label for p in ordered] == ["Dec 2012", "2012-13", "2013-14 Q1", "2013-14"]


def test_month_knows_its_financial_year():
    assert parse_period("Feb 2013").financial_year == "2012-13"
