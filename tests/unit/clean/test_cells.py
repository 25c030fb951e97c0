"""Reading single published cells: numbers, currency, markers. Expected values are the
figures as printed in the seed documents."""

import math

import pytest

from kassanalysis.clean.cells import parse_cell


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("£ 9,979.9", 9979.9),  # 002 financial resources, Ashford & Shepway staffing
        ("-£ 10,719.7", -10719.7),  # 002 service income, printed with the sign before £
        ("£ -1,922.2", -1922.2),
        ("£ -", 0.0),  # accounting nil
        ("-1722.3", -1722.3),
        ("78.0%", 78.0),
        ("<i>5.7</i>", 5.7),  # italic markup from the PDF conversion
        ("Draft. 36.0%", 36.0),
        ("2,736", 2736.0),
        ("(12.5)", -12.5),  # bracketed negative
        ("\u2212 3.0", -3.0),  # a real minus sign
    ],
)
def test_numbers_as_printed(text, value):
    parsed = parse_cell(text)
    assert parsed == (value, "reported")


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("", "missing"),
        ("[x]", "missing"),
        ("N/A", "not_applicable"),
        ("TBC", "to_be_confirmed"),
        ("ТВС", "to_be_confirmed"),  # Cyrillic look-alikes, as printed in the 2013-14 plan
        ("[c]", "suppressed"),
    ],
)
def test_markers_are_missing_not_zero(text, status):
    value, got = parse_cell(text)
    assert math.isnan(value)
    assert got == status


def test_a_blank_marker_is_only_blank_when_the_file_says_so():
    assert parse_cell("•") is None
    value, status = parse_cell("•", blank_markers=frozenset({"•"}))
    assert math.isnan(value) and status == "missing"


@pytest.mark.parametrize("text", ["12O.5", "abc", "1.2.3", "£"])
def test_text_is_not_a_number(text):
    assert parse_cell(text) is None
