"""The one formatting module, and its use by charts, tables and sentences.

Every expected string is written out by hand from the rules (counts 0 decimals,
percentages 1, rates 1 with the basis in words, money 1 with ``£`` and the unit in the
header), with the arithmetic in the comments.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Annotation

from kassanalysis import charts, formatting
from kassanalysis.analysis.trend import describe_direction
from kassanalysis.report.display import Table

COUNT = "count of people"
RATE = "rate per 1000 population aged 65+"
PERCENT = "%"
MONEY = "GBP thousands"


# ------------------------------------------------------------------ the rules, one by one


@pytest.mark.parametrize(
    ("value", "unit", "number", "words"),
    [
        (2736.0, COUNT, "2,736", "2,736 people"),
        (1452.0, COUNT, "1,452", "1,452 people"),  # never "1,452.0"
        (5.25, RATE, "5.3", "5.3 per 1,000 aged 65+"),  # half up, as published tables
        (417.64, "rate per 100000 population aged 18-64", "417.6", "417.6 per 100,000 aged 18-64"),
        (75.44, PERCENT, "75.4%", "75.4%"),
        (66, PERCENT, "66.0%", "66.0%"),  # one decimal, always
        # £31,871,040 in a sentence: a million or more is written in millions, one decimal
        (31871.04, MONEY, "£31,871.0", "£31.9 million"),
        (999.94, MONEY, "£999.9", "£999.9 thousand"),  # under a million: thousands
        (-118.20000000000073, MONEY, "-£118.2", "-£118.2 thousand"),  # no float noise
        (35.44, "GBP millions", "£35.4", "£35.4 million"),
        (0.41912, "score (0-1)", "0.419", "0.419 (score 0-1)"),
        (16.42, "score (0-24)", "16.4", "16.4 (score 0-24)"),
        (
            3.21,
            "rate (basis not stated in source)",
            "3.2",
            "3.2 (rate, basis not stated in source)",
        ),
    ],
)
def test_each_unit_has_one_rule(value, unit, number, words):
    assert formatting.format_number(value, unit) == number
    assert formatting.format_value(value, unit) == words


@pytest.mark.parametrize(
    ("unit", "header"),
    [
        (COUNT, "people"),
        (PERCENT, "%"),
        ("rate per 10000 population aged 65+", "per 10,000 aged 65+"),
        ("rate per 1000 population", "per 1,000 population"),
        (MONEY, "£000"),
        ("GBP millions", "£m"),
    ],
)
def test_headers_carry_the_unit_in_words(unit, header):
    assert formatting.unit_header(unit) == header
    assert "rate per" not in formatting.unit_header(unit)


def test_signs_and_zero():
    assert formatting.format_number(2.0, MONEY, sign=True) == "+£2.0"
    assert formatting.format_number(-0.04, MONEY, sign=True) == "£0.0"  # no "-0.0", no "+0.0"
    assert formatting.format_number(-3.0, COUNT, sign=True) == "-3"
    assert formatting.format_change(6, PERCENT) == "6.0 percentage points"
    assert formatting.format_change(-1, PERCENT, sign=True) == "-1.0 percentage point"


def test_missing_is_never_zero():
    for value in (None, float("nan"), pd.NA, np.inf):
        assert formatting.format_number(value, COUNT) == "no data"
        assert formatting.format_value(value, MONEY) == "no data"
    assert formatting.format_number(None, COUNT, missing="[x]") == "[x]"


def test_percent_change_is_na_on_a_zero_or_tiny_base():
    # (2736 - 2707) / 2707 = 29 / 2707 = 0.010713 -> 1.1%
    assert formatting.format_percent_change(2707, 2736) == "1.1%"
    # issue 15: 59,600 against a base of 5.1 is over 1,000,000%: the base is tiny (5.1 is
    # less than a tenth of 59,600), so n/a
    assert formatting.format_percent_change(5.1, 59600) == "n/a"
    assert formatting.format_percent_change(0, 12) == "n/a"
    assert formatting.format_percent_change(None, 12) == "n/a"
    # a fall to zero from a real base is -100%, which is honest
    assert formatting.format_percent_change(40, 0, sign=True) == "-100.0%"
    assert math.isnan(formatting.percent_change(5.1, 59600))


def test_round_to_unit_takes_the_noise_out_for_csvs():
    series = pd.Series([-118.20000000000073, 29968.25, np.nan])
    rounded = formatting.round_to_unit(series, MONEY)
    # 29968.25 -> 29,968.3 (half up); missing stays missing
    assert rounded.iloc[:2].tolist() == [-118.2, 29968.3]
    assert math.isnan(rounded.iloc[2])
    assert formatting.round_to_unit(1452.4, COUNT) == 1452.0


# ------------------------------------------------- the same value in chart, table, sentence


def _comparator_label(value: float, unit: str) -> tuple[str, str]:
    """The bar label and the axis title a comparator chart gives ``value``."""
    table = pd.DataFrame(
        {
            "authority_code": ["E1", "E2"],
            "authority_name": ["Kent", "Essex"],
            "value": [value, value / 2],
            "is_focus": [True, False],
        }
    )
    chart = charts.plot_comparator(
        table, indicator_name="Measure", unit=unit, period="2023-24", polarity="no_polarity"
    )
    axes = chart.figure.axes[0]
    labels = [t for t in axes.texts if isinstance(t, Annotation)]
    focus = min(labels, key=lambda t: t.xy[1])  # Kent, the larger value, is on top
    xlabel = axes.get_xlabel()
    chart.figure.clear()
    return focus.get_text(), xlabel


def _table_cell(value: float, unit: str) -> tuple[str, str]:
    """The cell and the unit column a mixed-indicator table shows for ``value``."""
    table = Table(
        pd.DataFrame({"indicator_name": ["Measure"], "value": [value], "unit": [unit]}),
        "caption",
        row_units=("value",),
    )
    shown = table._formatted()
    return shown.loc[0, "Value"], shown.loc[0, "Unit"]


def _sentence(value: float, unit: str) -> str:
    trend = pd.DataFrame(
        {"period": ["2023-24"], "actual": [value], "status": "reported", "target": np.nan}
    )
    return describe_direction(trend, "no_polarity", unit)


@pytest.mark.parametrize(
    ("value", "unit", "number", "words", "header"),
    [
        # issue 10: the chart said "2,736 count of people" and "5.25 rate per 1000" where the
        # sentence said "2,736 people" and "5.25 per 1,000"; now all three agree.
        (2736.0, COUNT, "2,736", "2,736 people", "people"),
        (5.25, RATE, "5.3", "5.3 per 1,000 aged 65+", "per 1,000 aged 65+"),
        (75.44, PERCENT, "75.4%", "75.4%", "%"),
        (0.41912, "score (0-1)", "0.419", "0.419 (score 0-1)", "score 0-1"),
    ],
)
def test_chart_label_table_cell_and_sentence_agree(value, unit, number, words, header):
    label, axis_title = _comparator_label(value, unit)
    cell, unit_cell = _table_cell(value, unit)
    sentence = _sentence(value, unit)
    assert label == number
    assert axis_title == f"Measure ({header})"
    assert cell == number
    assert unit_cell == header
    assert sentence == f"{words} in 2023-24; there is no earlier figure to compare with."


def test_money_agrees_in_chart_label_table_cell_and_title():
    # 750 + 250 = 1,000 (GBP thousands); Dover's share 750 / 1000 = 75.0%
    localities = pd.DataFrame({"line_name": ["Ashford", "Dover"], "net_cost": [250.0, 750.0]})
    chart = charts.plot_locality_share(
        localities,
        value_column="net_cost",
        label_column="line_name",
        title_context="2013-14",
        unit=MONEY,
    )
    axes = chart.figure.axes[0]
    labels = sorted((t for t in axes.texts if isinstance(t, Annotation)), key=lambda t: t.xy[1])
    assert labels[0].get_text() == "£750.0 (75.0%)"
    assert axes.get_xlabel() == "Net cost (£000)"
    assert "(£750.0 thousand, 75.0% of the total)" in chart.title
    chart.figure.clear()
    table = Table(localities, "caption", units={"net_cost": MONEY})
    shown = table._formatted()
    assert list(shown.columns) == ["Line name", "Net cost (£000)"]
    assert shown["Net cost (£000)"].tolist() == ["£250.0", "£750.0"]


def test_fte_keeps_the_staffing_tables_two_decimals():
    # 25.27 -> 25.0 is a change of -0.27 FTE, which one decimal would show as -0.3
    assert formatting.format_number(25.27, "FTE") == "25.27"
    assert formatting.format_number(25.0 - 25.27, "FTE", sign=True) == "-0.27"
    assert formatting.format_value(2.05, "FTE") == "2.05 FTE"
