"""Trend charts: actuals over time against targets and floors, with SPC (XmR) limits."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kassanalysis.analysis.stats import check_polarity
from kassanalysis.charts.base import (
    Chart,
    across_gaps,
    add_legend,
    axis_label,
    finish_chart,
    first_value,
    join_names,
    new_figure,
    note_lines,
    number_axis,
    plain_text,
    polarity_words,
    require_columns,
    set_notes,
    set_title,
    short_label,
    to_float,
    unit_title,
    with_unit,
    wrap_text,
)
from kassanalysis.charts.style import (
    DARK_BLUE,
    DARK_GREY,
    DARK_PINK,
    MID_GREY,
    VARIATION_STYLE,
)

if TYPE_CHECKING:  # pragma: no cover - typing only; keeps matplotlib out of import time
    from matplotlib.axes import Axes

# size-note: the public plot function runs past 80 lines only because of its NumPy
# docstring (every column, parameter and a doctest); its body is under 45 lines, with the
# title, drawing and alt text in the small functions below it.
__all__ = ["plot_trend"]


def _combined_targets(trend: pd.DataFrame, targets: pd.DataFrame | None) -> pd.DataFrame:
    """One row per period_end with the target (trend's own first) and floor."""
    parts = [
        pd.DataFrame(
            {
                "period": trend["period"].to_numpy(),
                "period_end": trend["period_end"].to_numpy(),
                "target": to_float(trend["target"]) if "target" in trend else np.nan,
                "floor": np.nan,
            }
        )
    ]
    if targets is not None:
        require_columns(targets, ["period", "period_end", "target"], "targets")
        parts.append(
            pd.DataFrame(
                {
                    "period": targets["period"].to_numpy(),
                    "period_end": pd.to_datetime(targets["period_end"]).to_numpy(),
                    "target": to_float(targets["target"]),
                    "floor": to_float(targets["floor"]) if "floor" in targets else np.nan,
                }
            )
        )
    combined = pd.concat(parts, ignore_index=True)
    combined["period_end"] = pd.to_datetime(combined["period_end"])
    grouped = combined.groupby("period_end", sort=True).agg(
        period=("period", "first"), target=("target", "first"), floor=("floor", "first")
    )
    return grouped.reset_index()


def plot_trend(
    trend: pd.DataFrame,
    *,
    indicator_name: str,
    unit: str,
    polarity: str,
    targets: pd.DataFrame | None = None,
    spc: pd.DataFrame | None = None,
    source: str | None = None,
) -> Chart:
    """Line chart of an indicator over time with targets and, optionally, SPC limits.

    Actuals are a line with markers (dark blue; grey when an SPC chart is
    overlaid, as in Making Data Count); a missing actual leaves a gap. Targets,
    from ``trend`` and any phased future ``targets``, are a dashed step line and
    floors a dash-dot one. With ``spc``, the mean is a thin solid line, the
    process limits thin dotted lines, and special-cause points are marked blue
    squares (improvement), orange diamonds (concern) or purple triangles
    (neither), each named in the legend.

    Parameters
    ----------
    trend : pandas.DataFrame
        ``period`` (label such as ``"2024-25 Q1"``), ``period_end`` (datetime),
        ``actual`` and optionally ``target``; one row per period.
    indicator_name : str
        Indicator name for the title and axis label.
    unit : str
        Unit of the values, e.g. ``"%"``.
    polarity : {"higher_is_better", "lower_is_better", "no_polarity"}
        Which direction is better; decides whether a target is met.
    targets : pandas.DataFrame, optional
        Phased targets: ``period``, ``period_end``, ``target`` and optionally
        ``floor``. Where a period has a target in both frames, ``trend``'s is used.
    spc : pandas.DataFrame, optional
        Output of :func:`kassanalysis.analysis.stats.calculate_xmr_chart`: index of
        periods matching ``trend["period"]``, columns ``mean``, ``lower_limit``,
        ``upper_limit``, ``special_cause`` and ``variation``.
    source : str, optional
        Source note printed at the bottom.

    Returns
    -------
    Chart

    Examples
    --------
    >>> trend = pd.DataFrame({"period": ["Q1", "Q2", "Q3"],
    ...     "period_end": pd.to_datetime(["2024-06-30", "2024-09-30", "2024-12-31"]),
    ...     "actual": [70.0, float("nan"), 74.5], "target": 72.0})
    >>> chart = plot_trend(trend, indicator_name="Reablement", unit="%",
    ...     polarity="higher_is_better")
    >>> chart.title
    'Reablement was 74.5% in Q3, meeting its target of 72.0%'
    """
    require_columns(trend, ["period", "period_end", "actual"], "trend")
    polarity = check_polarity(polarity)
    data = (
        pd.DataFrame(
            {
                "period": trend["period"].map(plain_text).to_numpy(),
                "period_end": pd.to_datetime(trend["period_end"]).to_numpy(),
                "actual": to_float(trend["actual"]),
                "target": to_float(trend["target"]) if "target" in trend else np.nan,
            }
        )
        .sort_values("period_end", kind="mergesort")
        .reset_index(drop=True)
    )
    plan = _combined_targets(data, targets)
    plan["period"] = plan["period"].map(plain_text)
    series = _Series(
        data=data,
        plan=plan,
        spc=_align_spc(spc, data),
        indicator=plain_text(indicator_name),
        unit=plain_text(unit),
        polarity=polarity,
    )
    notes: list[str] = []
    figure, axes = new_figure(5.5 + 0.18 * note_lines(notes, source))
    handles, labels = _draw_lines(axes, series)
    special_text = _draw_special_causes(axes, series, handles, labels)
    _draw_axes(axes, series)
    title = _title(series)
    subtitle = polarity_words(polarity).capitalize() + "."
    if series.spc is not None:
        subtitle += " SPC (XmR) chart: mean and process limits."
    add_legend(axes, handles, labels, subtitle)
    set_title(figure, title)
    set_notes(figure, notes, source)
    return finish_chart(figure, title, _alt_text(series, title, special_text), source)


@dataclass(frozen=True)
class _Series:
    """What every part of a trend chart needs: actuals by period, targets and floors
    (``plan``), SPC rows aligned to the periods (or None) and the indicator's words."""

    data: pd.DataFrame
    plan: pd.DataFrame
    spc: pd.DataFrame | None
    indicator: str
    unit: str
    polarity: str

    @property
    def known(self) -> pd.DataFrame:
        return self.data[np.isfinite(self.data["actual"])]


def _align_spc(spc: pd.DataFrame | None, data: pd.DataFrame) -> pd.DataFrame | None:
    """SPC rows reindexed to the trend's periods; an error when none of them match."""
    if spc is None:
        return None
    require_columns(
        spc, ["mean", "lower_limit", "upper_limit", "special_cause", "variation"], "spc"
    )
    spc_index = pd.Index(spc.index.map(plain_text))
    if not spc_index.isin(data["period"]).any():
        raise ValueError(
            "spc must be indexed by the trend's periods "
            f"(e.g. {data['period'].iloc[0]!r}); none matched"
        )
    return spc.set_axis(spc_index).reindex(data["period"])


def _draw_lines(axes: Axes, series: _Series) -> tuple[list, list[str]]:
    """Actuals, target and floor steps, SPC mean and limits; their legend entries."""
    from matplotlib.dates import date2num

    data, plan, spc = series.data, series.plan, series.spc
    x = date2num(data["period_end"].to_numpy())
    x_plan = date2num(plan["period_end"].to_numpy())
    line_colour = MID_GREY if spc is not None else DARK_BLUE
    (actual_line,) = axes.plot(
        x, data["actual"], color=line_colour, linewidth=2, marker="o", markersize=5, label="Actual"
    )
    handles: list = [actual_line]
    labels: list[str] = ["Actual"]
    for column, style, label in (
        ("target", "--", "Target"),
        ("floor", "-.", "Floor (minimum standard)"),
    ):
        if np.isfinite(plan[column]).any():
            (line,) = axes.plot(
                x_plan,
                plan[column],
                color=DARK_PINK,
                linewidth=1.5,
                linestyle=style,
                drawstyle="steps-mid",
                label=column.capitalize(),
            )
            handles.append(line)
            labels.append(label)
    if spc is not None:
        (line,) = axes.plot(x, across_gaps(spc["mean"]), color=DARK_GREY, linewidth=1, label="Mean")
        handles.append(line)
        labels.append("Mean")
        for column in ("lower_limit", "upper_limit"):
            (line,) = axes.plot(
                x,
                across_gaps(spc[column]),
                color=DARK_GREY,
                linewidth=1,
                linestyle=":",
                label="Process limits",
            )
        handles.append(line)
        labels.append("Process limits")
    return handles, labels


def _draw_special_causes(axes: Axes, series: _Series, handles: list, labels: list[str]) -> list:
    """Special-cause points in their own colour and shape; returns them in words."""
    if series.spc is None:
        return []
    from matplotlib.dates import date2num
    from matplotlib.lines import Line2D

    data = series.data
    x = date2num(data["period_end"].to_numpy())
    actual = data["actual"].to_numpy()
    special = series.spc["special_cause"].fillna(False).astype(bool).to_numpy()
    variation = series.spc["variation"].astype(object).to_numpy()
    special_text = []
    for kind, (colour, marker, label) in VARIATION_STYLE.items():
        chosen = special & (variation == kind) & np.isfinite(actual)
        if chosen.any():
            axes.plot(
                x[chosen],
                actual[chosen],
                linestyle="none",
                marker=marker,
                markersize=9,
                color=colour,
                label=label,
            )
            handles.append(
                Line2D([], [], linestyle="none", marker=marker, markersize=9, color=colour)
            )
            labels.append(label)
            periods = join_names(data.loc[chosen, "period"].tolist())
            special_text.append(f"{kind} at {periods}")
    return special_text


def _draw_axes(axes: Axes, series: _Series) -> None:
    """One x label per period (thinned to at most 12), literal text; the y axis titled
    with the indicator and its unit."""
    from matplotlib.dates import date2num

    ticks = series.plan.drop_duplicates("period_end")
    step = max(1, math.ceil(len(ticks) / 12))
    shown = ticks.iloc[::step]
    axes.set_xticks(
        date2num(shown["period_end"].to_numpy()),
        labels=[short_label(p, 20) for p in shown["period"]],
    )
    for tick in axes.xaxis.get_major_ticks():
        for text in (tick.label1, tick.label2):
            text.set_parse_math(False)
            text.set_usetex(False)
    if len(shown) > 5:
        axes.tick_params(axis="x", labelrotation=30)
        for text in axes.get_xticklabels():
            text.set_horizontalalignment("right")
            text.set_rotation_mode("anchor")
    number_axis(axes.yaxis)
    axes.set_ylabel(
        wrap_text(short_label(unit_title(series.indicator, series.unit), 90), 45), **axis_label()
    )
    axes.set_xlabel("Period", **axis_label())


def _title(series: _Series) -> str:
    """The finding: the latest value against its target, or against the previous value."""
    known, unit, polarity = series.known, series.unit, series.polarity
    if known.empty:
        return f"No data yet for {series.indicator}"
    last = known.iloc[-1]
    latest = f"{series.indicator} was {with_unit(last['actual'], unit)} in {last['period']}"
    target = last["target"]
    if math.isfinite(target) and polarity != "no_polarity":
        better = (
            last["actual"] >= target if polarity == "higher_is_better" else last["actual"] <= target
        )
        return (
            f"{latest}, {'meeting' if better else 'missing'} its target of "
            f"{with_unit(target, unit)}"
        )
    if math.isfinite(target):
        return f"{latest}, against a target of {with_unit(target, unit)}"
    if len(known) > 1:
        previous = known.iloc[-2]
        change = last["actual"] - previous["actual"]
        direction = "up from" if change > 0 else "down from" if change < 0 else "unchanged from"
        return (
            f"{latest}, {direction} {with_unit(previous['actual'], unit)} in {previous['period']}"
        )
    return latest


def _alt_text(series: _Series, title: str, special_text: list[str]) -> list[str]:
    """The chart in sentences: range, latest, lowest and highest, every value, gaps,
    future targets and the SPC findings."""
    data, plan, known, unit = series.data, series.plan, series.known, series.unit
    sentences = [
        f"Line chart of {unit_title(series.indicator, unit)} from {data['period'].iloc[0]} "
        f"to {data['period'].iloc[-1]}; {polarity_words(series.polarity)}."
    ]
    if not known.empty:
        sentences.append(title + ".")
        low = known.loc[known["actual"].idxmin()]
        high = known.loc[known["actual"].idxmax()]
        sentences.append(
            f"Lowest {with_unit(low['actual'], unit)} ({low['period']}); highest "
            f"{with_unit(high['actual'], unit)} ({high['period']})."
        )
        listing = "; ".join(
            f"{row.period} {with_unit(row.actual, unit)}"
            + (f" (target {with_unit(row.target, unit)})" if math.isfinite(row.target) else "")
            for row in data.itertuples()
        )
        sentences.append(f"Values: {listing}.")
    gaps = data.loc[~np.isfinite(data["actual"]), "period"].tolist()
    if gaps:
        sentences.append(f"No data for {join_names(gaps)} (shown as a gap).")
    future = plan[plan["period_end"] > data["period_end"].max()]
    if not future.empty:
        listing = "; ".join(
            f"{row.period} target {with_unit(row.target, unit)}"
            + (f", floor {with_unit(row.floor, unit)}" if math.isfinite(row.floor) else "")
            for row in future.itertuples()
        )
        sentences.append(f"Future targets: {listing}.")
    if series.spc is not None:
        mean = first_value(series.spc["mean"])
        low, high = first_value(series.spc["lower_limit"]), first_value(series.spc["upper_limit"])
        sentences.append(
            f"Process mean {with_unit(mean, unit)}, process limits "
            f"{with_unit(low, unit)} to {with_unit(high, unit)}."
        )
        sentences.append(
            ("Special cause variation (SPC rules): " + "; ".join(special_text) + ".")
            if special_text
            else "All points show common cause variation."
        )
    return sentences
