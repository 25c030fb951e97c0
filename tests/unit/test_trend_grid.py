"""Small multiples of short trends (kassanalysis.charts.plot_trend_grid), and charts whose
labels fit (issue 15: "labels cut off", "repeated y-axis tick labels")."""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from kassanalysis.charts import plot_trend, plot_trend_grid

PB = "Service users and carers with a personal budget or direct payment (ADASS definition)"
NURSING = "Older people in permanent nursing care"


def short_trends() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator": [PB, PB, NURSING, NURSING, NURSING],
            "period": ["Dec 2012", "2013-14 Q1", "2011-12", "2012-13", "2013-14 Q1"],
            "period_end": pd.to_datetime(
                ["2012-12-31", "2013-06-30", "2012-03-31", "2013-03-31", "2013-06-30"]
            ),
            "actual": [78.0, 71.2, 1479.0, 1479.0, 1452.0],
            "target": [float("nan"), 70.0, float("nan"), float("nan"), float("nan")],
        }
    )


def drawn(figure):
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return canvas.get_renderer()


@pytest.fixture(scope="module")
def grid():
    return plot_trend_grid(
        short_trends(), units={PB: "%", NURSING: "count of people"}, title_context="OPPD"
    )


def test_one_panel_per_indicator_in_the_callers_order_with_its_unit(grid):
    titles = [" ".join(a.get_title().split()) for a in grid.figure.axes]
    assert titles == [f"{PB} (%)", f"{NURSING} (people)"]
    assert grid.figure.get_figheight() < 5  # one row of panels, not two tall charts


def test_each_panel_shows_its_own_periods(grid):
    labels = [[t.get_text() for t in a.get_xticklabels()] for a in grid.figure.axes]
    assert labels == [["Dec 2012", "2013-14 Q1"], ["2011-12", "2012-13", "2013-14 Q1"]]


def test_no_panel_repeats_a_y_tick_label(grid):
    drawn(grid.figure)
    for axes in grid.figure.axes:
        ticks = [t.get_text() for t in axes.get_yticklabels() if t.get_text()]
        assert ticks and len(ticks) == len(set(ticks)), ticks


def test_the_alt_text_gives_every_value_with_its_unit(grid):
    assert f"{PB}: Dec 2012 78.0%; 2013-14 Q1 71.2% (target 70.0%)." in grid.alt_text
    assert f"{NURSING}: 2011-12 1,479 people; 2012-13 1,479 people; 2013-14 Q1 1,452 people." in (
        grid.alt_text
    )


def test_the_last_period_label_is_clear_of_the_figure_edge():
    """A browser draws SVG text in its own font, a little wider than matplotlib measured:
    the last label keeps at least 10 pixels (0.1 inch) from the edge."""
    trend = pd.DataFrame(
        {
            "period": ["Dec 2012", "2013-14 Q1"],
            "period_end": pd.to_datetime(["2012-12-31", "2013-06-30"]),
            "actual": [78.0, 71.2],
        }
    )
    targets = pd.DataFrame(
        {
            "period": ["2013-14 Q1", "2013-14 Q2", "2013-14 Q3", "2013-14 Q4"],
            "period_end": pd.to_datetime(["2013-06-30", "2013-09-30", "2013-12-31", "2014-03-31"]),
            "target": [70.0, 77.0, 84.0, 90.0],
        }
    )
    chart = plot_trend(
        trend, indicator_name=PB, unit="%", polarity="higher_is_better", targets=targets
    )
    renderer = drawn(chart.figure)
    (axes,) = chart.figure.axes
    last = axes.get_xticklabels()[-1]
    assert last.get_text() == "2013-14 Q4"
    assert last.get_window_extent(renderer).x1 <= chart.figure.bbox.width - 10


def test_an_empty_frame_is_refused():
    with pytest.raises(ValueError, match="no rows"):
        plot_trend_grid(short_trends().iloc[:0], units={}, title_context="OPPD")
