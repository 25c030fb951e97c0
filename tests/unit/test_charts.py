"""Charts: highlight, order, medians, missing values, hostile labels, alt text.

Tiny hand-built frames; expected positions, orders and labels are worked out by hand
in the comments. Figures are built with ``matplotlib.figure.Figure`` (no pyplot), so
there is no registry to close; each test clears its figures to free memory early.
"""

from __future__ import annotations

import dataclasses
import io
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.text import Annotation, Text

from kassanalysis import charts

KENT = "E10000016"
DARK_BLUE = "#12436d"
GREY = "#bfbfbf"
ORANGE = "#f46a25"
HOSTILE = ["<script>alert(1)</script>", '=HYPERLINK("x")', "$\\undefinedcommand^2$"]
LONG = "Cyngor Sir Ynys M\u00f4n \u2013 Isle of Anglesey, Somewhere Else Entirely"  # 63 chars

SHORT = "Cyngor Sir Ynys M\u00f4n \u2013 Isle of Anglesey,\u2026"  # 39 characters + ellipsis


@pytest.fixture
def group() -> pd.DataFrame:
    """Five councils; E4 has no value. Kent ranks 2nd of 4 when higher is better."""
    return pd.DataFrame(
        {
            "authority_code": [KENT, "E1", "E2", "E3", "E4"],
            "authority_name": ["Kent", HOSTILE[0], HOSTILE[1], LONG, HOSTILE[2]],
            "value": [20.0, 10.0, 30.0, 15.0, np.nan],
            "rank": [2.0, 4.0, 1.0, 3.0, np.nan],
            "group_median": 17.5,  # median of 10, 15, 20, 30
            "england_median": 25.0,
            "lower_95": [18.0, 8.0, 27.0, np.nan, np.nan],
            "upper_95": [22.0, 12.0, 33.0, np.nan, np.nan],
            "is_focus": [True, False, False, False, False],
            "suspect": [False, False, True, False, False],
        }
    )


@pytest.fixture
def figures():
    made: list[charts.Chart] = []
    yield made
    for chart in made:
        chart.figure.clear()


def comparator(table, figures, polarity="higher_is_better", **kwargs) -> charts.Chart:
    chart = charts.plot_comparator(
        table,
        indicator_name="Direct payments",
        unit="%",
        period="2023-24",
        polarity=polarity,
        **kwargs,
    )
    figures.append(chart)
    return chart


def row_labels(axes) -> list[Text]:
    """Category labels, top row first (rows are drawn at y = 0, 1, ... from the top)."""
    labels = [t for t in axes.texts if not isinstance(t, Annotation)]
    return sorted(labels, key=lambda t: t.get_position()[1])


def value_labels(axes) -> list[str]:
    labels = [t for t in axes.texts if isinstance(t, Annotation)]
    return [t.get_text() for t in sorted(labels, key=lambda t: t.xy[1])]


def bars_by_row(axes) -> list:
    return sorted(axes.patches, key=lambda p: p.get_y() + p.get_height() / 2)


def footer(chart: charts.Chart) -> str:
    return "\n".join(t.get_text() for t in chart.figure.texts)


# ------------------------------------------------------------------ Chart and imports


def test_importing_charts_does_not_import_matplotlib():
    code = "import sys, kassanalysis.charts; print('matplotlib' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "False"  # matplotlib is imported lazily, inside the functions


def test_charts_are_built_without_pyplot(group, figures, monkeypatch):
    # None in sys.modules makes any "import matplotlib.pyplot" raise ImportError.
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    assert isinstance(comparator(group, figures).figure, Figure)


def test_chart_is_a_frozen_record_with_a_figure(group, figures):
    chart = comparator(group, figures)
    assert isinstance(chart.figure, Figure)
    assert isinstance(chart.alt_text, str) and isinstance(chart.title, str)
    with pytest.raises(dataclasses.FrozenInstanceError):
        chart.title = "changed"


def test_svg_output_is_deterministic_and_undated(figures):
    tiny = pd.DataFrame({"name": ["A"], "cost": [1.5]})

    def svg() -> str:
        chart = charts.plot_locality_share(
            tiny, value_column="cost", label_column="name", title_context="t", unit="GBP thousands"
        )
        figures.append(chart)
        return chart.to_svg()

    first = svg()
    assert first == svg()
    assert "<dc:date>" not in first


# ------------------------------------------------------------------ comparator


def test_comparator_highlights_only_the_focus_council(group, figures):
    axes = comparator(group, figures).figure.axes[0]
    labels = row_labels(axes)
    colours = [to_hex(bar.get_facecolor()) for bar in bars_by_row(axes)]
    kent = [t.get_text() for t in labels].index("Kent")
    assert colours[kent] == DARK_BLUE
    assert [c for i, c in enumerate(colours) if i != kent] == [GREY] * 3
    assert labels[kent].get_fontweight() == "bold"
    assert all(t.get_fontweight() == "normal" for i, t in enumerate(labels) if i != kent)


def test_comparator_sorts_best_first_by_polarity(group, figures):
    higher = row_labels(comparator(group, figures).figure.axes[0])
    # higher is better: 30 (E2), 20 (Kent), 15 (E3), 10 (E1)
    assert [t.get_text() for t in higher][:3] == [HOSTILE[1], "Kent", SHORT]
    lower = comparator(group, figures, polarity="lower_is_better")
    axes = lower.figure.axes[0]
    assert row_labels(axes)[0].get_text() == HOSTILE[0]  # 10, the smallest, at the top
    assert [bar.get_width() for bar in bars_by_row(axes)] == [10.0, 15.0, 20.0, 30.0]


def test_comparator_draws_medians_where_they_are(group, figures):
    axes = comparator(group, figures).figure.axes[0]
    lines = {line.get_label(): line for line in axes.get_lines()}
    group_line = lines["Group median (17.5%)"]
    england_line = lines["England median (25.0%)"]
    assert list(group_line.get_xdata()) == [17.5, 17.5]
    assert list(england_line.get_xdata()) == [25.0, 25.0]
    assert england_line.get_linestyle() == "--" and group_line.get_linestyle() == "-"


def test_comparator_leaves_missing_values_out_and_names_them(group, figures):
    chart = comparator(group, figures)
    axes = chart.figure.axes[0]
    assert len(axes.patches) == 4  # E4 is not drawn, not even as a zero-length bar
    assert HOSTILE[2] not in [t.get_text() for t in row_labels(axes)]
    assert f"No data: {HOSTILE[2]}." in footer(chart)
    assert f"No data: {HOSTILE[2]}." in chart.alt_text


def test_comparator_marks_suspect_values_and_draws_intervals(group, figures):
    chart = comparator(group, figures)
    axes = chart.figure.axes[0]
    hatches = [bar.get_hatch() for bar in bars_by_row(axes)]
    assert hatches == ["//", None, None, None]  # E2 (row 0) is suspect
    assert value_labels(axes)[0] == "30.0% (suspect)"
    assert f"check before quoting): {HOSTILE[1]}." in footer(chart)
    # error bars only where both limits exist: E2, Kent, E1 (not E3)
    segments = axes.collections[0].get_segments()
    assert sorted((s[0][0], s[1][0]) for s in segments) == [(8, 12), (18, 22), (27, 33)]


def test_comparator_title_and_alt_text_carry_the_key_numbers(group, figures):
    chart = comparator(group, figures, source="Source: Oflog ASC_data.csv; ONS")
    assert chart.title == (
        "Kent is 2nd of 4 comparator councils for Direct payments (rank 1 = best)"
    )
    for text in (
        "Kent (highlighted): 20.0%",
        "ranked 2 of 4 (rank 1 = best)",
        "95% confidence interval 18.0% to 22.0%",  # percentages: 1 decimal, with %
        "Group median 17.5%.",
        "England median 25.0%.",
        f"; {LONG} 15.0%;",
        "Source: Oflog",
    ):
        assert text in chart.alt_text
    assert "Source: Oflog ASC_data.csv; ONS" in footer(chart)


def test_comparator_says_joint_rank_and_handles_a_focus_without_data(group, figures):
    tied = group.assign(value=[20.0, 20.0, 30.0, 15.0, np.nan], rank=[2.0, 2.0, 1.0, 4.0, np.nan])
    assert comparator(tied, figures).title.startswith("Kent is joint 2nd of 4")
    no_kent = group.assign(value=[np.nan, 10.0, 30.0, 15.0, np.nan])
    chart = comparator(no_kent, figures)
    assert chart.title == "No 2023-24 data for Kent on Direct payments"
    assert "No data: Kent" in footer(chart)


def test_comparator_ranks_for_itself_when_no_ranks_are_given(group, figures):
    # Values 20 (Kent), 20, 30, 15 without ranks: higher is better gives 30 -> 1, the two
    # 20s share 2, 15 -> 4; so Kent is joint 2nd of 4.
    unranked = group.drop(columns="rank").assign(value=[20.0, 20.0, 30.0, 15.0, np.nan])
    assert comparator(unranked, figures).title.startswith("Kent is joint 2nd of 4")


def test_comparator_rejects_bad_input_and_leaves_it_unchanged(group, figures):
    before = group.copy()
    comparator(group, figures)
    pd.testing.assert_frame_equal(group, before)
    with pytest.raises(ValueError, match="polarity"):
        comparator(group, figures, polarity="up")
    with pytest.raises(ValueError, match="value"):
        comparator(group.drop(columns="value"), figures)
    with pytest.raises(ValueError, match="more than one council"):
        comparator(group.assign(is_focus=True), figures)


# ------------------------------------------------------------------ hostile text


def test_hostile_labels_are_literal_text_never_mathtext(group, figures):
    chart = comparator(group.assign(value=[20.0, 10.0, 30.0, 15.0, 5.0]), figures)
    shown = {t.get_text(): t for t in chart.figure.findobj(Text)}
    for label in HOSTILE:
        text = shown[label]  # exactly as in the data: not escaped, not parsed
        assert text.get_parse_math() is False and text.get_usetex() is False
    chart.to_png()  # draws; "\undefinedcommand" would raise if parsed as mathtext


def test_the_hostile_label_would_fail_as_mathtext():
    # Guards the test above: the same string with mathtext on cannot be drawn.
    figure = Figure()
    figure.text(0, 0, HOSTILE[2])
    with pytest.raises(ValueError, match="undefinedcommand"):
        figure.savefig(io.BytesIO(), format="png")


def test_long_labels_are_shortened_for_display_only(group, figures):
    chart = comparator(group, figures)
    shown = [t.get_text() for t in row_labels(chart.figure.axes[0])]
    assert SHORT in shown and LONG not in shown
    assert LONG in chart.alt_text


# ------------------------------------------------------------------ trend


@pytest.fixture
def trend() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": ["2023-24 Q1", "2023-24 Q2", "2023-24 Q3", "2023-24 Q4"],
            "period_end": pd.to_datetime(["2023-06-30", "2023-09-30", "2023-12-31", "2024-03-31"]),
            "actual": [60.0, np.nan, 64.0, 66.5],
            "target": [62.0, 62.0, 65.0, 65.0],
        }
    )


def test_trend_keeps_gaps_and_draws_targets(trend, figures):
    targets = pd.DataFrame(
        {
            "period": ["2024-25 Q1"],
            "period_end": pd.to_datetime(["2024-06-30"]),
            "target": [67.0],
            "floor": [60.0],
        }
    )
    chart = charts.plot_trend(
        trend, indicator_name="Reablement", unit="%", polarity="higher_is_better", targets=targets
    )
    figures.append(chart)
    lines = {line.get_label(): line for line in chart.figure.axes[0].get_lines()}
    actual = lines["Actual"].get_ydata()
    assert np.isnan(actual[1]) and list(actual[[0, 2, 3]]) == [60.0, 64.0, 66.5]
    target = lines["Target"]
    assert list(target.get_ydata()) == [62.0, 62.0, 65.0, 65.0, 67.0]  # future target added
    assert target.get_linestyle() == "--" and target.get_drawstyle() == "steps-mid"
    floor = lines["Floor"]  # only 2024-25 Q1 has a floor: four gaps, then 60
    assert np.isnan(floor.get_ydata()[:4]).all() and floor.get_ydata()[4] == 60.0
    assert floor.get_linestyle() == "-." and floor.get_color() == target.get_color()
    assert chart.title == "Reablement was 66.5% in 2023-24 Q4, meeting its target of 65.0%"
    assert "No data for 2023-24 Q2 (shown as a gap)." in chart.alt_text
    assert "Future targets: 2024-25 Q1 target 67.0%, floor 60.0%." in chart.alt_text
    ticks = [t.get_text() for t in chart.figure.axes[0].get_xticklabels()]
    assert ticks[0] == "2023-24 Q1" and ticks[-1] == "2024-25 Q1"


def test_trend_polarity_decides_whether_the_target_is_met(trend, figures):
    chart = charts.plot_trend(
        trend, indicator_name="Admissions", unit="per 100,000", polarity="lower_is_better"
    )
    figures.append(chart)
    assert chart.title == (
        "Admissions was 66.5 per 100,000 in 2023-24 Q4, missing its target of 65.0 per 100,000"
    )


def test_trend_marks_special_causes_by_shape_colour_and_words(trend, figures):
    spc = pd.DataFrame(
        {
            "mean": [63.5, np.nan, 63.5, 63.5],
            "lower_limit": 58.0,
            "upper_limit": 69.0,
            "special_cause": [True, False, False, True],
            "variation": ["concern", np.nan, "common cause", "improvement"],
        },
        index=trend["period"].tolist(),
    )
    chart = charts.plot_trend(
        trend, indicator_name="Reablement", unit="%", polarity="higher_is_better", spc=spc
    )
    figures.append(chart)
    axes = chart.figure.axes[0]
    lines = {line.get_label(): line for line in axes.get_lines()}
    improvement = lines["Special cause: improvement"]
    concern = lines["Special cause: concern"]
    assert list(improvement.get_ydata()) == [66.5] and to_hex(improvement.get_color()) == DARK_BLUE
    assert list(concern.get_ydata()) == [60.0] and to_hex(concern.get_color()) == ORANGE
    assert improvement.get_marker() != concern.get_marker()
    assert list(lines["Mean"].get_ydata()) == [63.5] * 4  # carried across the gap
    legend = [t.get_text() for t in axes.get_legend().get_texts()]
    assert "Special cause: improvement" in legend and "Special cause: concern" in legend
    assert "improvement at 2023-24 Q4; concern at 2023-24 Q1" in chart.alt_text
    with pytest.raises(ValueError, match="periods"):
        charts.plot_trend(
            trend,
            indicator_name="R",
            unit="%",
            polarity="higher_is_better",
            spc=spc.set_axis(["a", "b", "c", "d"]),
        )


# ------------------------------------------------------------------ RAG table


def test_rag_table_shows_words_on_coloured_patches(figures):
    rag = pd.DataFrame(
        {
            "indicator_name": ["A", "B", "C", "D"],
            "actual_period": "2013-14 Q3",
            "actual": [71.2, 37.5, 84.1, np.nan],
            "target": [70.0, 40.0, 87.0, np.nan],
            "floor": [65.0, 35.0, 85.0, np.nan],
            "rag": ["Green", "Amber", "Red", "No data"],
            "unit": "%",
        }
    )
    chart = charts.plot_rag_table(rag)
    figures.append(chart)
    axes = chart.figure.axes[0]
    words = {t.get_text(): t for t in axes.texts}
    assert {"Green", "Amber", "Red", "No data", "RAG status"} <= set(words)
    patches = [to_hex(p.get_facecolor()) for p in sorted(axes.patches, key=lambda p: p.get_y())]
    assert patches == ["#00703c", "#ffdd00", "#d4351c", GREY]
    assert to_hex(words["Amber"].get_color()) == "#000000"  # black on amber
    assert chart.title == (
        "1 of 4 indicators met target (Green); 1 Amber, 1 Red, 1 with no target, floor or data"
    )
    assert "C: actual 84.1% in 2013-14 Q3; target 87.0%; floor 85.0%; status Red." in (
        chart.alt_text
    )


# ------------------------------------------------------------------ budget


def test_budget_variance_sorts_and_signs_the_changes(figures):
    variance = pd.DataFrame(
        {
            "label": ["a", "b", "c", "Total"],
            "from_value": [1.0, 1.0, 1.0, 3.0],
            "to_value": [3.0, 0.5, 1.0, 4.5],
            "change": [2.0, -0.5, 0.0, 1.5],
            "row_type": ["line", "line", "line", "total"],
        }
    )
    chart = charts.plot_budget_variance(variance, title_context="test")
    figures.append(chart)
    axes = chart.figure.axes[0]
    assert [t.get_text() for t in row_labels(axes)] == ["a", "c", "b"]  # +2.0, 0.0, -0.5
    assert value_labels(axes) == ["+£2.0", "£0.0", "-£0.5"]  # money: £, 1 decimal
    assert [to_hex(bar.get_facecolor()) for bar in bars_by_row(axes)][::2] == [DARK_BLUE, ORANGE]
    assert [0.0, 0.0] in [list(line.get_xdata()) for line in axes.get_lines()]  # zero line
    assert chart.title == (
        "Test: net change +£1.5; biggest increase a +£2.0; biggest decrease b -£0.5 (£000)"
    )
    assert "1 subtotal/total rows not shown." in footer(chart)


def test_waterfall_bars_start_where_the_previous_ended(figures):
    # components 10, -3, 5: bars 0..10, 7..10, 7..12, then the total 0..12
    parts = pd.DataFrame({"label": ["a", "b", "c"], "value": [10.0, -3.0, 5.0]})
    chart = charts.plot_budget_variance(parts, title_context="t", kind="waterfall")
    figures.append(chart)
    axes = chart.figure.axes[0]
    assert [(bar.get_x(), bar.get_width()) for bar in bars_by_row(axes)] == [
        (0.0, 10.0),
        (7.0, 3.0),
        (7.0, 5.0),
        (0.0, 12.0),
    ]
    assert value_labels(axes) == ["+£10.0", "-£3.0", "+£5.0", "£12.0"]  # money: £, 1 decimal
    assert "add up to Total £12.0" in chart.alt_text
    with pytest.raises(ValueError, match="kind"):
        charts.plot_budget_variance(parts, title_context="t", kind="pie")


# ------------------------------------------------------------------ localities


def test_locality_share_sorts_and_labels_shares(figures):
    localities = pd.DataFrame(
        {
            "line_name": ["Ashford", "Dover", "Thanet", "Total"],
            # the printed Total differs from 250 + 750 (Thanet has no figure): shares are of
            # the bars shown, so 75% and 25% whatever the Total says
            "net_cost": [250.0, 750.0, np.nan, 1250.0],
            "row_type": ["line", "line", "line", "total"],
        }
    )
    chart = charts.plot_locality_share(
        localities,
        value_column="net_cost",
        label_column="line_name",
        title_context="2013-14",
        unit="GBP thousands",
    )
    figures.append(chart)
    axes = chart.figure.axes[0]
    assert [t.get_text() for t in row_labels(axes)] == ["Dover", "Ashford"]
    assert value_labels(axes) == ["£750.0 (75.0%)", "£250.0 (25.0%)"]
    assert "No data: Thanet." in footer(chart) and "Total rows not shown: Total." in footer(chart)
    assert chart.title == (
        "2013-14: Dover has the highest net cost (£750.0 thousand, 75.0% of the total)"
    )
    assert chart.figure.get_size_inches()[1] == pytest.approx(0.45 * 2 + 2 + 0.18 * 2)


# ------------------------------------------------------------------ axes and framing


def _tick_labels(axis) -> list[str]:
    return [label.get_text() for label in axis.get_ticklabels() if label.get_text()]


def test_no_two_ticks_read_the_same(figures):
    # values 10.0 to 10.4: ticks every 0.1 (or 0.05); with whole numbers for "large"
    # values, as before, they all read "10"; one decimal per axis tells them apart
    trend = pd.DataFrame(
        {
            "period": ["Q1", "Q2", "Q3"],
            "period_end": pd.to_datetime(["2024-06-30", "2024-09-30", "2024-12-31"]),
            "actual": [10.0, 10.2, 10.4],
        }
    )
    chart = charts.plot_trend(trend, indicator_name="Rate", unit="%", polarity="no_polarity")
    figures.append(chart)
    chart.to_png()  # lay out, so the tick labels exist
    labels = _tick_labels(chart.figure.axes[0].yaxis)
    assert len(labels) == len(set(labels)) > 2
    # one number of decimals on the whole axis, enough for its step (0.1 -> 1, 0.05 -> 2)
    decimals = {len(label.split(".")[1]) for label in labels}
    assert len(decimals) == 1 and decimals <= {1, 2}


def test_tick_decimals_follow_the_step():
    from kassanalysis.charts.base import tick_decimals

    assert tick_decimals([0.0, 2500.0, 5000.0]) == 0
    assert tick_decimals([0.0, 0.25, 0.5]) == 2
    assert tick_decimals([10.0, 10.2, 10.4]) == 1


def test_forecast_overspend_is_drawn_in_the_concern_colour(figures):
    monitoring = pd.DataFrame(
        {
            "label": ["Residential", "Day care"],
            "from_value": [1000.0, 200.0],  # budget
            "to_value": [1100.0, 180.0],  # forecast outturn
            "change": [100.0, -20.0],  # +100 overspend, -20 underspend
        }
    )
    chart = charts.plot_budget_variance(monitoring, title_context="Q1", framing="forecast")
    figures.append(chart)
    axes = chart.figure.axes[0]
    # overspend orange (concern), underspend dark blue; words say which is which
    assert [to_hex(bar.get_facecolor()) for bar in bars_by_row(axes)] == [ORANGE, DARK_BLUE]
    assert chart.title == (
        "Q1: biggest overspend Residential +£100.0; biggest underspend Day care -£20.0 (£000)"
    )
    legend = [t.get_text() for t in axes.get_legend().get_texts()]
    assert legend == ["Overspend", "Underspend"]
    with pytest.raises(ValueError, match="framing"):
        charts.plot_budget_variance(monitoring, title_context="Q1", framing="spin")
