"""Charts: highlight, order, medians, missing values, hostile labels, alt text. Expected
values are worked out from the tiny tables below."""

import subprocess
import sys

import pandas as pd
import pytest

from kassanalysis import charts


@pytest.fixture
def group():
    return pd.DataFrame(
        {
            "authority_code": ["E10000016", "E1", "E2", "E3"],
            "authority_name": ["Kent", "<script>alert(1)</script>", '=HYPERLINK("x")', "$x^2$"],
            "value": [20.0, 10.0, 30.0, float("nan")],
            "rank": [2.0, 3.0, 1.0, float("nan")],
            "group_median": 20.0,
            "england_median": 25.0,
            "lower_95": [18.0, 8.0, 27.0, float("nan")],
            "upper_95": [22.0, 12.0, 33.0, float("nan")],
            "is_focus": [True, False, False, False],
            "suspect": [False, False, True, False],
        }
    )


def close(chart):
    chart.figure.clear()


def test_comparator_highlights_the_focus_council_and_orders_best_first(group):
    chart = charts.plot_comparator(
        group,
        indicator_name="Users with direct payments",
        unit="%",
        period="2020-21",
        polarity="higher_is_better",
    )
    axes = chart.figure.axes[0]
    labels = [t.get_text() for t in axes.get_yticklabels()]
    # higher is better: 30 (E2) best, first and at the top, then Kent 20, then 10
    assert labels == ['=HYPERLINK("x")', "Kent", "<script>alert(1)</script>"]
    dots = axes.collections[0]
    colours = [tuple(round(c, 3) for c in rgba[:3]) for rgba in dots.get_facecolors()]
    kent_blue = (round(0x12 / 255, 3), round(0x43 / 255, 3), round(0x6D / 255, 3))
    assert colours.count(kent_blue) == 1
    assert colours[1] == kent_blue  # Kent is the second point drawn
    medians = sorted(
        line.get_xdata()[0]
        for line in axes.get_lines()
        if len(set(line.get_xdata())) == 1 and line.get_linestyle() in ("-", "--")
    )
    assert 20.0 in medians and 25.0 in medians
    assert chart.title == "Kent ranks 2 of 3 for Users with direct payments, 2020-21 (1 = best)"
    for text in (
        "Kent: 20%",
        "rank 2 of 3",
        "Group median 20%",
        "England median 25%",
        "No data for $x^2$",
    ):
        assert text in chart.alt_text
    close(chart)


def test_lower_is_better_puts_the_smallest_first(group):
    chart = charts.plot_comparator(
        group,
        indicator_name="Admissions",
        unit="rate",
        period="2020-21",
        polarity="lower_is_better",
    )
    labels = [t.get_text() for t in chart.figure.axes[0].get_yticklabels()]
    assert labels[0] == "<script>alert(1)</script>"  # 10, the best, first (at the top)
    close(chart)


def test_hostile_and_odd_labels_are_plain_text(group):
    chart = charts.plot_comparator(
        group, indicator_name="X", unit="%", period="2020-21", polarity="higher_is_better"
    )
    from matplotlib.text import Text

    chart.figure.canvas.draw()  # tick labels are final only once drawn
    texts = [t for t in chart.figure.findobj(Text) if t.get_text()]
    assert all(
        not t.get_parse_math()
        for t in texts
        if "$" in t.get_text() or "<" in t.get_text() or "=" in t.get_text()
    )
    footer = [t.get_text() for t in chart.figure.texts]
    assert any("No data: $x^2$" in t for t in footer)  # missing is named, not drawn as 0
    close(chart)


def test_long_labels_are_shortened_for_display_only():
    assert charts.shorten("x" * 100, 45) == "x" * 44 + "…"


def test_rag_table_shows_the_words():
    rag = pd.DataFrame(
        {
            "indicator_name": ["A", "B", "C"],
            "actual_period": "2013-14 Q1",
            "actual": [71.2, 37.5, 84.1],
            "target": [70.0, 40.0, 87.0],
            "floor": [65.0, 35.0, 85.0],
            "rag": ["Green", "Amber", "Red"],
            "unit": "%",
        }
    )
    chart = charts.plot_rag_table(rag)
    cells = chart.figure.axes[0].tables[0].get_celld()
    words = [cell.get_text().get_text() for cell in cells.values()]
    assert {"Green", "Amber", "Red"} <= set(words)
    assert chart.title == "Performance against target: 1 Green, 1 Amber, 1 Red"
    assert "C: Red (84.1% against target 87%, floor 85%, 2013-14 Q1)." in chart.alt_text
    close(chart)


def test_budget_variance_bars_sorted_with_signed_labels():
    variance = pd.DataFrame(
        {
            "label": ["a", "b", "c"],
            "from_value": [1.0, 1.0, 1.0],
            "to_value": [3.0, 0.5, 1.0],
            "change": [2.0, -0.5, 0.0],
        }
    )
    chart = charts.plot_budget_variance(variance, title_context="test")
    axes = chart.figure.axes[0]
    assert [t.get_text() for t in axes.get_yticklabels()] == ["b", "c", "a"]
    labels = [t.get_text().strip() for t in axes.texts]
    assert labels == ["-0.5", "+0.0", "+2.0"]
    assert chart.title == "test: net change +1.5 (GBP thousands)"
    close(chart)


def test_waterfall_bottoms_and_total():
    # components 10, -3, 5: bars from 0 to 10, from 7 to 10, from 7 to 12; total 12
    parts = pd.DataFrame({"label": ["a", "b", "c"], "value": [10.0, -3.0, 5.0]})
    chart = charts.plot_budget_variance(parts, title_context="t", kind="waterfall")
    patches = chart.figure.axes[0].patches
    assert [(p.get_y(), p.get_height()) for p in patches] == [
        (0.0, 10.0),
        (7.0, 3.0),
        (7.0, 5.0),
        (0.0, 12.0),
    ]
    assert "total 12.0" in chart.alt_text
    close(chart)


def test_trend_keeps_gaps():
    trend = pd.DataFrame(
        {
            "period": ["2019-20", "2020-21", "2021-22"],
            "period_end": pd.to_datetime(["2020-03-31", "2021-03-31", "2022-03-31"]),
            "actual": [60.0, float("nan"), 65.0],
            "target": float("nan"),
            "direction": ["not comparable", "not comparable", "improving"],
        }
    )
    chart = charts.plot_trend(trend, indicator_name="X", unit="%", polarity="higher_is_better")
    line = chart.figure.axes[0].get_lines()[0]
    assert pd.isna(line.get_ydata()[1])
    assert "2020-21 no data" in chart.alt_text
    close(chart)


def test_importing_charts_does_not_import_matplotlib():
    code = "import kassanalysis.charts, sys; print('matplotlib' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "False"
