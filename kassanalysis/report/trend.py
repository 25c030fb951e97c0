"""The trend report's sections (notebooks/trend.ipynb): each indicator over time, its
direction of travel and SPC status, one function per notebook cell."""

from __future__ import annotations

import pandas as pd

from kassanalysis.analysis import indicator_trend, trend
from kassanalysis.analysis.summary import anchor_for
from kassanalysis.report.common import (
    activity_table,
    caveat,
    chart_spc_limits,
    division_indicators,
    spc_chart,
    spc_reading,
    trend_series,
)
from kassanalysis.report.context import ReportContext
from kassanalysis.report.display import TEXT_UNIT, Figures, KeyFigures, Table


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
        # the indicator in words first; its code last, for reference (issue 15)
        shown = shown[[c for c in shown.columns if c != "indicator_id"] + ["indicator_id"]]
        shown = shown.rename(columns={"indicator_id": "code"})
    return Table(
        shown,
        f"Trends up to {ctx.period.label}",
        row_units=("latest", "target"),
        units={"pct_change": "%", **dict.fromkeys(("direction", "spc", "summary"), TEXT_UNIT)},
        note=caveat(ctx, frame),
        source="indicator_observations; SPC per NHS England Making Data Count",
    )


def trend_charts(ctx: ReportContext) -> Figures:
    """Actuals against targets over time, with SPC limits where there are 12+ points."""
    from kassanalysis import charts

    drawn = []
    for indicator_id in division_indicators(ctx):
        series = trend_series(ctx, indicator_id)
        if not series.empty and series["actual"].notna().sum() > 0:
            drawn.append((indicator_id, series, ctx.indicators.loc[indicator_id]))
    short = [
        (i, series, info)
        for i, series, info in drawn
        if is_short_series(series, chart_spc_limits(ctx, i))
    ]
    if len(short) < 2:
        short = []
    figures = []
    if short:  # many short series: one set of small multiples, not a screen each (issue 15)
        panels = pd.concat(
            [s.assign(indicator=str(info["name"])) for _, s, info in short], ignore_index=True
        )
        figures.append(
            charts.plot_trend_grid(
                panels,
                units={str(info["name"]): str(info["unit"]) for _, _, info in short},
                title_context=ctx.division.name,
            )
        )
    for indicator_id, series, info in drawn:
        if any(indicator_id == i for i, _, _ in short):
            continue
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
                polarity=str(info["polarity"]),
                targets=targets if not targets.empty else None,
                spc=chart_spc_limits(ctx, indicator_id),
                expected_range=_expected_range(ctx, indicator_id),
            )
        )
    return Figures(figures, empty="No time series for this division's indicators.")


SHORT_SERIES = 4
"""A trend of at most this many periods (and no SPC limits) is drawn as a small multiple."""


def is_short_series(series: pd.DataFrame, spc: pd.DataFrame | None) -> bool:
    """Whether a trend is short enough for a small multiple rather than a chart of its own."""
    return spc is None and len(series) <= SHORT_SERIES


def _expected_range(ctx: ReportContext, indicator_id: str) -> tuple[float, float] | None:
    """An activity indicator's expected range at the period (from the activity table)."""
    activity = activity_table(ctx)
    if activity.empty:
        return None
    row = activity[activity["indicator_id"] == indicator_id]
    if row.empty:
        return None
    return float(row["expected_low"].iloc[0]), float(row["expected_high"].iloc[0])


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


def recent_trends(ctx: ReportContext) -> Table:
    """Fingertips' recent trend of each indicator: the chi-squared test for trend over the
    last five points of one period type, its marker read by polarity as getting better or
    worse, or why it cannot be calculated. Each row is the indicator's link target
    (``#indicator-<id>``) for the pack's index."""
    rows = []
    for indicator_id in division_indicators(ctx):
        info = ctx.indicators.loc[indicator_id]
        result = indicator_trend.summarise_recent_trend(
            ctx.own_observations,
            info,
            indicator_id=indicator_id,
            authority_code=ctx.division.authority,
            up_to=ctx.period,
        )
        rows.append(
            {"anchor": anchor_for(indicator_id), "indicator_name": str(info["name"]), **result}
            | {"code": indicator_id}
        )
    columns = [
        "anchor",
        "indicator_name",
        "recent_trend",
        "periods_tested",
        "points",
        "method",
        "statistic",
        "gradient",
        "code",
        "source_file",
        "source_line",
    ]
    frame = ctx.save("recent_trend", pd.DataFrame(rows).reindex(columns=columns))
    return Table(
        frame.drop(columns=["source_file"]),
        f"Recent trend up to {ctx.period.label} (OHID Fingertips method)",
        row_anchors="anchor",
        units=dict.fromkeys(("recent_trend", "periods_tested", "method"), TEXT_UNIT),
        note="Chi-squared test for trend over the five most recent points of one period type "
        "(counts and denominators for proportions; Byar 95% limits for rates), significant "
        "when the statistic exceeds 9.5495 (99.8% level) and no single point reverses the "
        "slope. Without published counts or confidence limits the trend cannot be calculated.",
        source="indicator_observations; PHEindicatormethods / OHID Fingertips recent trend",
    )


def spc_latest_points(ctx: ReportContext) -> Table:
    """Making Data Count's reading of each series of 12 or more points: the latest point's
    variation and assurance against its target, with limits fixed on the first 12 points
    and rebased only where ``data/reference/spc_rebase.csv`` says (with its reason)."""
    rows = []
    for indicator_id in division_indicators(ctx):
        _, record = spc_reading(ctx, indicator_id)
        rows.append(
            {"indicator_name": str(ctx.indicators.loc[indicator_id, "name"]), **record}
            | {"unit": str(ctx.indicators.loc[indicator_id, "unit"]), "code": indicator_id}
        )
    columns = [
        "indicator_name",
        "points",
        "latest_period",
        "value",
        "unit",
        "mean",
        "lower_limit",
        "upper_limit",
        "target",
        "variation_text",
        "assurance_text",
        "baseline",
        "rebased_at",
        "note",
        "code",
    ]
    frame = ctx.save("spc_latest", pd.DataFrame(rows).reindex(columns=columns))
    return Table(
        frame.rename(columns={"variation_text": "variation", "assurance_text": "assurance"}),
        f"SPC: the latest point of each series up to {ctx.period.label} (Making Data Count)",
        row_units=("value", "mean", "lower_limit", "upper_limit", "target"),
        units=dict.fromkeys(
            ("variation", "assurance", "baseline", "rebased_at", "note"), TEXT_UNIT
        ),
        note="XmR chart with limits fixed on the first 12 points; rebased only at points "
        "named with a reason in data/reference/spc_rebase.csv. Series of fewer than 12 "
        "points are not charted.",
        source="indicator_observations; NHS England Making Data Count (NHSRplotthedots)",
    )
