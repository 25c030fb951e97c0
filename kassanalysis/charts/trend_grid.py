"""Small multiples of short trends: one small panel per indicator, drawn with seaborn.

A trend of two or three points drawn as its own full-size chart fills a screen with
little to read (issue 15: "one trend report is 14 charts of two or three points each").
Drawn as small multiples (the Analysis Function's advice for many series of different
units), the whole set fits on one screen and each panel keeps its own y axis and unit.
seaborn's objects interface lays out the facets (``Plot.facet(wrap=...)``) on a
:class:`matplotlib.figure.Figure` of our own (no pyplot, as every chart here).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from kassanalysis.charts.base import (
    Chart,
    finish_chart,
    keep_text_inside,
    number_axis,
    plain_text,
    require_columns,
    set_notes,
    set_title,
    short_label,
    to_float,
    with_unit,
    wrap_text,
)
from kassanalysis.charts.style import (
    DARK_BLUE,
    DARK_GREY,
    DARK_PINK,
    DPI,
    FONT,
    PLAIN_TEXT,
    WIDTH,
)
from kassanalysis.formatting import unit_header

__all__ = ["plot_trend_grid"]

COLUMNS = 3
"""Panels per row."""
PANEL_HEIGHT = 2.5
"""Inches per row of panels: room for a two-line title, the line and the period labels."""


def plot_trend_grid(
    trends: pd.DataFrame,
    *,
    units: Mapping[str, str],
    title_context: str,
    source: str | None = None,
) -> Chart:
    """Short trends of several indicators as small multiples, one panel each.

    Each panel is titled with the indicator's name and unit and has its own y axis (the
    indicators have different units); actuals are a dark blue line with markers, the
    target (where there is one) a dashed dark pink line. Periods share one x axis in time
    order. A missing actual is a gap, never zero.

    Parameters
    ----------
    trends : pandas.DataFrame
        Long format: ``indicator`` (name in words), ``period`` (label), ``period_end``
        (datetime) and ``actual``, optionally ``target``; one row per indicator and period.
    units : mapping of str to str
        Indicator name -> unit (``indicators.csv``'s ``"%"``, ``"count of people"``...).
    title_context : str
        What the panels are, for the title (``"Older People and Physical Disability"``).
    source : str, optional
        Source note printed at the bottom.

    Returns
    -------
    Chart
        Height grows with the number of rows of panels (2.5 inches each).

    Raises
    ------
    ValueError
        If a required column is missing or there are no rows.

    Examples
    --------
    >>> trends = pd.DataFrame({"indicator": ["Reablement"] * 2 + ["Home care"] * 2,
    ...     "period": ["2012-13", "2013-14"] * 2,
    ...     "period_end": pd.to_datetime(["2013-03-31", "2014-03-31"] * 2),
    ...     "actual": [84.5, 84.1, 5386.0, 5603.0]})
    >>> chart = plot_trend_grid(trends, units={"Reablement": "%",
    ...     "Home care": "count of people"}, title_context="Older people")
    >>> chart.title
    'Older people: the latest values of 2 indicators with short series'
    >>> len(chart.figure.axes)
    2
    """
    import seaborn.objects as so
    from matplotlib.figure import Figure

    require_columns(trends, ["indicator", "period", "period_end", "actual"], "trends")
    if trends.empty:
        raise ValueError("trends has no rows")
    data = pd.DataFrame(
        {
            "indicator": trends["indicator"].map(plain_text).to_numpy(),
            "period": trends["period"].map(plain_text).to_numpy(),
            "period_end": pd.to_datetime(trends["period_end"]).to_numpy(),
            "actual": to_float(trends["actual"]),
            "target": to_float(trends["target"]) if "target" in trends else np.nan,
        }
    )
    names = list(dict.fromkeys(data["indicator"]))  # the caller's order (the division's)
    data = data.sort_values(["period_end"], kind="mergesort")
    unit_of = {plain_text(k): str(v) for k, v in units.items()}
    rows = math.ceil(len(names) / COLUMNS)
    title = (
        f"{plain_text(title_context)}: the latest values of {len(names)} indicators "
        "with short series"
    )
    figure = Figure(
        figsize=(WIDTH, 1.1 + PANEL_HEIGHT * rows), dpi=DPI, layout="constrained", facecolor="white"
    )
    plot = (
        so.Plot(data, x="period", y="actual")
        .facet(col="indicator", order=names, wrap=min(COLUMNS, len(names)))
        .share(x=False, y=False)
        .add(so.Line(color=DARK_BLUE, linewidth=2, marker="o", pointsize=5))
        .label(x="", y="", title=lambda name: _panel_title(name, unit_of.get(name)))
        .theme(
            {
                "axes.facecolor": "white",
                "axes.edgecolor": DARK_GREY,
                "axes.grid": False,
                "axes.spines.top": False,
                "axes.spines.right": False,
                "font.size": FONT,
            }
        )
    )
    if np.isfinite(data["target"]).any():
        # a dash per period, so a target set for one period only still shows
        plot = plot.add(so.Dash(color=DARK_PINK, linewidth=2, width=0.5), y="target")
    keep_text_inside(figure)
    plot.on(figure).plot()
    for axes in figure.axes:
        number_axis(axes.yaxis)
        axes.tick_params(labelsize=FONT)
        axes.title.set(fontsize=FONT, **PLAIN_TEXT)
        for text in axes.get_xticklabels():  # each panel's own periods, turned to fit
            text.set(rotation=30, horizontalalignment="right", rotation_mode="anchor", **PLAIN_TEXT)
    set_title(figure, title)
    notes = (
        ["Blue line: actual. Pink dash: the period's target."]
        if np.isfinite(data["target"]).any()
        else ["Blue line: actual."]
    )
    set_notes(figure, notes, source)
    return finish_chart(figure, title, _alt_text(data, names, unit_of), source)


def _panel_title(name: str, unit: str | None) -> str:
    header = unit_header(unit)
    return wrap_text(short_label(name, 90) + (f" ({header})" if header else ""), 28)


def _alt_text(data: pd.DataFrame, names: list[str], unit_of: Mapping[str, str]) -> list[str]:
    """Every panel in words: the indicator, each period's value and its target."""
    sentences = [f"Small multiples: one line chart for each of {len(names)} indicators."]
    for name in names:
        unit = unit_of.get(name, "")
        rows = data[data["indicator"] == name]
        values = "; ".join(
            f"{row.period} {with_unit(row.actual, unit)}"
            + (f" (target {with_unit(row.target, unit)})" if math.isfinite(row.target) else "")
            for row in rows.itertuples()
        )
        sentences.append(f"{name}: {values}.")
    return sentences
