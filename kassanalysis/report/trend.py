"""The trend report's sections (notebooks/trend.ipynb): each indicator over time, its
direction of travel and SPC status, one function per notebook cell."""

from __future__ import annotations

import pandas as pd

from kassanalysis.analysis import trend
from kassanalysis.report.common import (
    caveat,
    chart_spc_limits,
    division_indicators,
    spc_chart,
    trend_series,
)
from kassanalysis.report.context import ReportContext
from kassanalysis.report.display import Figures, KeyFigures, Table


def trend_overview(ctx: ReportContext) -> Table:
    """Each indicator's latest actual, change on the previous one, direction of travel,
    target and statistical process control status."""
    rows = []
    for indicator_id in division_indicators(ctx):
        series = trend_series(ctx, indicator_id)
        info = ctx.indicators.loc[indicator_id]
        polarity = str(info["polarity"])
        if series.empty:
            continue
        latest = series.iloc[-1]
        spc = spc_chart(ctx, indicator_id)
        points = int(series["actual"].notna().sum())
        if spc is None:
            spc_status = f"too few points for SPC ({points}; {trend.SPC_MINIMUM_POINTS} needed)"
        else:
            last = spc.iloc[-1]
            spc_status = (
                "special cause: " + str(last["variation"])
                if bool(last["special_cause"])
                else "common cause variation"
            )
        rows.append(
            {
                "indicator_id": indicator_id,
                "indicator_name": str(info["name"]),
                "latest_period": latest["period"],
                "latest": latest["actual"],
                "change": latest["change"],
                "pct_change": latest["pct_change"],
                "direction": latest["direction"],
                "target": latest["target"],
                "met_target": latest["met_target"],
                "points": points,
                "spc": spc_status,
                "summary": trend.describe_direction(series, polarity, str(info["unit"])),
                "source_file": latest["source_file"],
                "source_line": latest["source_line"],
            }
        )
    frame = pd.DataFrame(rows)
    frame = ctx.save("trend_summary", frame)
    shown = frame.drop(columns=["source_file"], errors="ignore")
    if not shown.empty:
        units = ctx.indicators.loc[shown["indicator_id"], "unit"].to_numpy()
        shown.insert(shown.columns.get_loc("latest") + 1, "unit", units)
    return Table(
        shown,
        f"Trends up to {ctx.period.label}",
        row_units=("latest", "target"),
        units={"pct_change": "%"},
        note=caveat(ctx, frame),
        source="indicator_observations; SPC per NHS England Making Data Count",
    )


def trend_charts(ctx: ReportContext) -> Figures:
    """Actuals against targets over time, with SPC limits where there are 12+ points."""
    from kassanalysis import charts

    figures = []
    for indicator_id in division_indicators(ctx):
        series = trend_series(ctx, indicator_id)
        if series.empty or series["actual"].notna().sum() == 0:
            continue
        info = ctx.indicators.loc[indicator_id]
        polarity = str(info["polarity"])
        targets = trend.list_targets(
            ctx.own_observations,
            indicator_id=indicator_id,
            authority_code=ctx.division.authority,
        )
        figures.append(
            charts.plot_trend(
                series,
                indicator_name=str(info["name"]),
                unit=str(info["unit"]),
                polarity=polarity,
                targets=targets if not targets.empty else None,
                spc=chart_spc_limits(ctx, indicator_id),
            )
        )
    return Figures(figures, empty="No time series for this division's indicators.")


def trend_key_figures(ctx: ReportContext) -> KeyFigures:
    """Headline trend figures: each indicator's latest actual and change."""
    lines = []
    for indicator_id in division_indicators(ctx):
        series = trend_series(ctx, indicator_id)
        if series.empty:
            continue
        last = series.iloc[-1]
        change = "" if pd.isna(last["change"]) else f", change {last['change']:+g}"
        value = "[x]" if pd.isna(last["actual"]) else f"{last['actual']:g}"
        lines.append(f"{indicator_id} {last['period']}: {value}{change} ({last['direction']})")
    return KeyFigures(lines)
