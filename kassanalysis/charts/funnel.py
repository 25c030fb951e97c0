"""Funnel plots: each council's proportion or rate against its denominator, with the
benchmark and its 95% and 99.8% control limits (PHE's funnel plots)."""

from __future__ import annotations

import pandas as pd

from kassanalysis.charts.base import (
    Chart,
    add_legend,
    axis_label,
    finish_chart,
    join_names,
    new_figure,
    note_lines,
    number_axis,
    number_text,
    plain_text,
    require_columns,
    set_notes,
    set_title,
    unit_title,
    with_unit,
)
from kassanalysis.charts.style import CONTEXT_GREY, DARK_GREY, HIGHLIGHT_COLOUR, TURQUOISE

__all__ = ["plot_funnel"]

_OUTSIDE = ("above 99.8% limit", "above 95% limit", "below 95% limit", "below 99.8% limit")


def plot_funnel(
    funnel: dict,
    *,
    indicator_name: str,
    unit: str,
    period: str,
    source: str | None = None,
) -> Chart:
    """Funnel plot of one indicator across a group of councils.

    Each council is a grey point (the focus council a larger dark-blue diamond, named);
    the benchmark is a solid line, the 95% limits dashed and the 99.8% limits dotted, all
    named in the legend, so no line is told apart by colour alone. The alt text names the
    benchmark and every council outside the limits.

    Parameters
    ----------
    funnel : dict
        From :func:`~kassanalysis.analysis.comparator.calculate_group_funnel`:
        ``points`` (``authority_name``, ``is_focus``, ``denominator``, ``value``,
        ``position``), ``limits`` (``denominator``, ``lower_95``, ``upper_95``,
        ``lower_998``, ``upper_998``), ``benchmark`` and ``benchmark_name``.
    indicator_name, unit, period : str
        For the title, axis and legend.
    source : str, optional
        Source note printed at the bottom and ending the alt text.

    Returns
    -------
    Chart

    Raises
    ------
    ValueError
        If ``points`` or ``limits`` lack a column.

    Examples
    --------
    >>> points = pd.DataFrame({"authority_name": ["Kent", "Surrey"], "is_focus": [True, False],
    ...     "denominator": [100.0, 1000.0], "value": [90.0, 80.0],
    ...     "position": ["above 95% limit", "within limits"]})
    >>> limits = pd.DataFrame({"denominator": [100.0, 1000.0], "lower_95": [72.2, 77.4],
    ...     "upper_95": [87.8, 82.4], "lower_998": [68.0, 76.0], "upper_998": [90.9, 83.7]})
    >>> chart = plot_funnel({"points": points, "limits": limits, "benchmark": 80.0,
    ...     "benchmark_name": "England value 2020-21"}, indicator_name="Reviews", unit="%",
    ...     period="2020-21")
    >>> chart.title
    'Reviews, 2020-21: 1 of 2 councils outside the 95% limits around the England value 2020-21'
    >>> "Outside the limits: Kent (above 95% limit)." in chart.alt_text
    True
    """
    points, limits = funnel["points"], funnel["limits"]
    require_columns(
        points, ["authority_name", "is_focus", "denominator", "value", "position"], "points"
    )
    require_columns(
        limits, ["denominator", "lower_95", "upper_95", "lower_998", "upper_998"], "limits"
    )
    indicator, unit, period = plain_text(indicator_name), plain_text(unit), plain_text(period)
    name = plain_text(funnel["benchmark_name"])
    outside = points[points["position"].isin(_OUTSIDE)]
    title = (
        f"{indicator}, {period}: {len(outside)} of {len(points)} councils outside the 95% "
        f"limits around the {name}"
    )
    notes = ["Funnel limits by the council's denominator (PHE method)."]
    figure, axes = new_figure(4.5 + 0.18 * note_lines(notes, source))
    handles = _draw(axes, points, limits, float(funnel["benchmark"]))
    labels = [
        f"{name}: {with_unit(float(funnel['benchmark']), unit)}",
        "95% limits",
        "99.8% limits",
        "Councils",
        "Focus council",
    ]
    add_legend(axes, handles, labels, period)
    axes.set_xlabel("Denominator", **axis_label())
    axes.set_ylabel(unit_title(indicator, unit), **axis_label())
    number_axis(axes.xaxis)
    number_axis(axes.yaxis)
    set_title(figure, title)
    set_notes(figure, notes, source)
    return finish_chart(figure, title, _sentences(points, outside, funnel, unit), source)


def _draw(axes, points: pd.DataFrame, limits: pd.DataFrame, benchmark: float) -> list:
    x = limits["denominator"]
    (line,) = axes.plot(x, [benchmark] * len(x), color=DARK_GREY, linewidth=1.5)
    (l95,) = axes.plot(x, limits["upper_95"], color=TURQUOISE, linestyle="--")
    axes.plot(x, limits["lower_95"], color=TURQUOISE, linestyle="--")
    (l998,) = axes.plot(x, limits["upper_998"], color=DARK_GREY, linestyle=":")
    axes.plot(x, limits["lower_998"], color=DARK_GREY, linestyle=":")
    others = points[~points["is_focus"].astype(bool)]
    focus = points[points["is_focus"].astype(bool)]
    dots = axes.scatter(others["denominator"], others["value"], color=CONTEXT_GREY, s=25)
    star = axes.scatter(
        focus["denominator"], focus["value"], color=HIGHLIGHT_COLOUR, marker="D", s=60
    )
    for row in focus.itertuples():
        axes.annotate(
            plain_text(row.authority_name),
            (row.denominator, row.value),
            xytext=(6, 4),
            textcoords="offset points",
            fontweight="bold",
            parse_math=False,
        )
    return [line, l95, l998, dots, star]


def _sentences(points, outside, funnel, unit) -> list[str]:
    name = plain_text(funnel["benchmark_name"])
    sentences = [
        f"Funnel plot of {len(points)} councils against the {name} of "
        f"{with_unit(float(funnel['benchmark']), unit)}, with 95% and 99.8% limits by "
        "denominator."
    ]
    for row in points[points["is_focus"].astype(bool)].itertuples():
        sentences.append(
            f"{plain_text(row.authority_name)}: {number_text(row.value, unit)} from a "
            f"denominator of {number_text(row.denominator, 'count of people')}, {row.position}."
        )
    if outside.empty:
        sentences.append("Every council is within the 95% limits.")
    else:
        listed = [f"{plain_text(r.authority_name)} ({r.position})" for r in outside.itertuples()]
        sentences.append(f"Outside the limits: {join_names(listed)}.")
    return sentences
