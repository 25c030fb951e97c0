"""The sections of the comparator, trend and variance reports.

Each function takes a :class:`~kassanalysis.report.context.ReportContext`, runs the tested
analysis functions, saves its key table (when the context has an output folder) and returns
something a notebook cell displays. Notebooks call these one per cell and hold no logic.
"""

from __future__ import annotations

import math

import pandas as pd

from kassanalysis.analysis import comparator, performance, trend, variance
from kassanalysis.periods import format_financial_year, parse_financial_year
from kassanalysis.report.context import ReportContext
from kassanalysis.report.display import Figures, KeyFigures, Note, Table
from kassanalysis.report.publishing import build_suppression_mask

#: Columns of a comparator table from which a suppressed numerator could be worked back.
DERIVED_FROM_NUMERATOR = (
    "value",
    "lower_95",
    "upper_95",
    "lower_998",
    "upper_998",
    "mads_from_england_median",
    "compared_with_england",
    "suspect_reason",
    "rank",
    "quartile",
)
EXCEPTION_COLUMNS = ["category", "item", "detail", "period", "source_file", "source_line"]


def _caveat(ctx: ReportContext, frame: pd.DataFrame) -> str:
    if ctx.uses_illustrative(frame):
        return (
            "Contains ILLUSTRATIVE figures from the example quarterly return "
            "(data/raw/quarterly): not published data."
        )
    return ""


def _compared(ctx: ReportContext) -> list[str]:
    """Division indicators published for more than one council (so they can be compared)."""
    return ctx.remember(("compared",), lambda: _compute_compared(ctx))


def _compute_compared(ctx: ReportContext) -> list[str]:
    obs = ctx.observations
    actual = obs[(obs["value_type"] == "actual") & obs["indicator_id"].isin(_indicators(ctx))]
    councils = actual.groupby("indicator_id")["authority_code"].nunique()
    return [i for i in _indicators(ctx) if councils.get(i, 0) > 1]


def _local_only(ctx: ReportContext) -> list[str]:
    return [i for i in _indicators(ctx) if i not in _compared(ctx)]


def _targeted(ctx: ReportContext) -> list[str]:
    """Rated indicators with a target or floor for the division's council."""
    obs = ctx.own_observations
    mine = obs[obs["value_type"].isin(["target", "floor"])]
    return [i for i in _indicators(ctx, rated=True) if i in set(mine["indicator_id"])]


def _indicators(ctx: ReportContext, *, rated: bool | None = None) -> list[str]:
    ids = [i for i in ctx.division.indicators if i in ctx.indicators.index]
    if rated is None:
        return ids
    activity = ctx.indicators.loc[ids, "polarity"] == "no_polarity"
    return [i for i, is_activity in zip(ids, activity, strict=True) if is_activity != rated]


# ---------------------------------------------------------------------------- comparator


def comparator_overview(ctx: ReportContext, benchmark_period: str = "latest") -> Table:
    """One row per indicator: the council's value, rank in the group, quartile, the group and
    England medians, distance from the England median (MADs) and comparison with England."""
    summary = _comparator_summary(ctx, benchmark_period)
    summary = ctx.save(
        "comparator_summary",
        summary,
        counts=("numerator",) if "numerator" in summary.columns else (),
        dependent={c: "numerator" for c in DERIVED_FROM_NUMERATOR if c in summary.columns}
        if "numerator" in summary.columns
        else None,
    )
    local = _local_only(ctx)
    note = _benchmark_note(benchmark_period)
    if local:
        note += (
            " Local indicators with no published figures for other councils are not "
            f"compared: {', '.join(local)}."
        )
    shown = summary.reindex(
        columns=[
            "indicator_name",
            "period",
            "value",
            "unit",
            "rank",
            "group_size",
            "quartile",
            "group_median",
            "england_median",
            "england_n",
            "mads_from_england_median",
            "compared_with_england",
            "note",
        ]
    )
    return Table(
        shown,
        f"How {ctx.reference.authority_name(ctx.division.authority)} compares: {ctx.group_name}",
        source="indicator_observations (Oflog, NHS Digital ASCOF, plan tables); "
        "rank 1 = best for the indicator's polarity",
        note=note,
    )


def _comparator_table(ctx: ReportContext, indicator_id: str, benchmark_period: str):
    return ctx.remember(
        ("comparator", indicator_id, benchmark_period),
        lambda: comparator.compare_with_group(
            ctx.observations,
            ctx.members,
            ctx.indicators,
            indicator_id=indicator_id,
            period=_benchmark(benchmark_period),
            group_id=ctx.group_id,
            focus_code=ctx.division.authority,
            population=ctx.population,
        ),
    )


def _comparator_summary(ctx: ReportContext, benchmark_period: str):
    return ctx.remember(
        ("summary", benchmark_period),
        lambda: comparator.summarise_tables(
            {i: _comparator_table(ctx, i, benchmark_period) for i in _compared(ctx)},
            ctx.indicators,
        ),
    )


def _benchmark(benchmark_period: str) -> str:
    return "latest" if benchmark_period in ("", "latest") else benchmark_period


def _benchmark_note(benchmark_period: str) -> str:
    if benchmark_period in ("", "latest"):
        return (
            "Benchmarks are the latest published for each indicator, so their year can "
            "differ from the reporting period; each row states its year."
        )
    return f"Benchmarks published for periods up to {benchmark_period}."


def comparator_tables(ctx: ReportContext, benchmark_period: str = "latest") -> list[Table]:
    """The full group table for each indicator with data (saved as CSV each)."""
    tables = []
    for indicator_id in _compared(ctx):
        table = _comparator_table(ctx, indicator_id, benchmark_period)
        if table.empty or table["value"].notna().sum() == 0:
            continue
        derived = DERIVED_FROM_NUMERATOR
        table = ctx.save(
            f"comparator-{indicator_id.lower()}",
            table,
            counts=("numerator",),
            dependent={column: "numerator" for column in derived},
        )
        shown = table[
            [
                "authority_name",
                "value",
                "rank",
                "quartile",
                "lower_95",
                "upper_95",
                "compared_with_england",
                "mads_from_england_median",
                "suspect_reason",
                "source_line",
            ]
        ]
        name = ctx.indicators.loc[indicator_id, "name"]
        tables.append(
            Table(
                shown,
                f"{name} ({indicator_id}), {table['period'].iloc[0]}",
                source=f"{table['source_file'].dropna().iloc[0]}",
            )
        )
    return tables


def comparator_details(ctx: ReportContext, benchmark_period: str = "latest") -> Sections:
    """All comparator tables of the division, for display in one cell."""
    return Sections(comparator_tables(ctx, benchmark_period))


def comparator_charts(ctx: ReportContext, benchmark_period: str = "latest") -> Figures:
    """A comparator chart per indicator, the council highlighted, medians marked."""
    from kassanalysis import charts

    figures = []
    for indicator_id in _compared(ctx):
        table = _comparator_table(ctx, indicator_id, benchmark_period)
        focus = table[table["is_focus"]]
        if table.empty or focus.empty or focus["value"].isna().all():
            continue
        table = _hide_suppressed(ctx, table)
        info = ctx.indicators.loc[indicator_id]
        figures.append(
            charts.plot_comparator(
                table,
                indicator_name=str(info["name"]),
                unit=str(info["unit"]),
                period=str(table["period"].iloc[0]),
                polarity=str(info["polarity"]),
                focus_code=ctx.division.authority,
            )
        )
    return Figures(figures, empty="No comparator data for this division's indicators.")


def comparator_key_figures(ctx: ReportContext, benchmark_period: str = "latest") -> KeyFigures:
    """Headline comparator figures, one line per indicator with data."""
    summary = _comparator_summary(ctx, benchmark_period)
    lines = []
    for _, row in summary.iterrows():
        if pd.isna(row.get("value")):
            continue
        lines.append(
            f"{row['indicator_id']} {row['period']}: {row['value']:g} "
            f"(rank {row['rank']:.0f} of {row['group_size']:.0f}; England median "
            f"{row['england_median']:.4g} of {row['england_n']:.0f} councils)"
        )
    return KeyFigures(lines)


def _hide_suppressed(ctx: ReportContext, table: pd.DataFrame) -> pd.DataFrame:
    """Blank the values a chart must not show: those built on a suppressed count."""
    derived = ["value", "lower_95", "upper_95", "lower_998", "upper_998"]
    mask = build_suppression_mask(
        table, counts=("numerator",), dependent=dict.fromkeys(derived, "numerator"), rule=ctx.rule
    )
    table = table.copy()
    for column in derived:
        table.loc[mask[column].to_numpy(), column] = float("nan")
    return table


class Sections:
    """Several tables displayed in one cell."""

    def __init__(self, parts: list[Table]):
        self.parts = parts

    def _repr_html_(self) -> str:
        if not self.parts:
            return Note(["Nothing to show for this selection."])._repr_html_()
        return "\n".join(part._repr_html_() for part in self.parts)

    def __repr__(self) -> str:
        return "\n\n".join(repr(p) for p in self.parts) or "Nothing to show for this selection."


# ---------------------------------------------------------------------------- trend


def _spc(ctx: ReportContext, indicator_id: str) -> pd.DataFrame | None:
    """The XmR chart of the indicator's trend, over its most common period type (SPC needs
    like periods); computed once for the sections that show it."""
    return ctx.remember(("spc", indicator_id), lambda: _compute_spc(ctx, indicator_id))


def _compute_spc(ctx: ReportContext, indicator_id: str) -> pd.DataFrame | None:
    series = _trend(ctx, indicator_id)
    if series.empty:
        return None
    kind = series["period_type"].mode().iloc[0]
    polarity = str(ctx.indicators.loc[indicator_id, "polarity"])
    return trend.chart_spc(series[series["period_type"] == kind], polarity)


def _chart_spc(ctx: ReportContext, indicator_id: str) -> pd.DataFrame | None:
    """SPC limits for the chart only when they cover every plotted point."""
    spc = _spc(ctx, indicator_id)
    return spc if spc is not None and len(spc) == len(_trend(ctx, indicator_id)) else None


def _trend(ctx: ReportContext, indicator_id: str) -> pd.DataFrame:
    return ctx.remember(("trend", indicator_id), lambda: _compute_trend(ctx, indicator_id))


def _compute_trend(ctx: ReportContext, indicator_id: str) -> pd.DataFrame:
    return trend.summarise_trend(
        ctx.own_observations,
        indicator_id=indicator_id,
        polarity=str(ctx.indicators.loc[indicator_id, "polarity"]),
        authority_code=ctx.division.authority,
        up_to=ctx.period,
    )


def trend_overview(ctx: ReportContext) -> Table:
    """Each indicator's latest actual, change on the previous one, direction of travel,
    target and statistical process control status."""
    rows = []
    for indicator_id in _indicators(ctx):
        series = _trend(ctx, indicator_id)
        info = ctx.indicators.loc[indicator_id]
        polarity = str(info["polarity"])
        if series.empty:
            continue
        latest = series.iloc[-1]
        spc = _spc(ctx, indicator_id)
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
    return Table(
        shown,
        f"Trends up to {ctx.period.label}",
        note=_caveat(ctx, frame),
        source="indicator_observations; SPC per NHS England Making Data Count",
    )


def trend_charts(ctx: ReportContext) -> Figures:
    """Actuals against targets over time, with SPC limits where there are 12+ points."""
    from kassanalysis import charts

    figures = []
    for indicator_id in _indicators(ctx):
        series = _trend(ctx, indicator_id)
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
                spc=_chart_spc(ctx, indicator_id),
            )
        )
    return Figures(figures, empty="No time series for this division's indicators.")


def trend_key_figures(ctx: ReportContext) -> KeyFigures:
    """Headline trend figures: each indicator's latest actual and change."""
    lines = []
    for indicator_id in _indicators(ctx):
        series = _trend(ctx, indicator_id)
        if series.empty:
            continue
        last = series.iloc[-1]
        change = "" if pd.isna(last["change"]) else f", change {last['change']:+g}"
        value = "[x]" if pd.isna(last["actual"]) else f"{last['actual']:g}"
        lines.append(f"{indicator_id} {last['period']}: {value}{change} ({last['direction']})")
    return KeyFigures(lines)


# ---------------------------------------------------------------------------- variance


def _rag(ctx: ReportContext) -> pd.DataFrame:
    return ctx.remember(("rag",), lambda: _compute_rag(ctx))


def _compute_rag(ctx: ReportContext) -> pd.DataFrame:
    return performance.rate_against_target(
        ctx.own_observations,
        ctx.indicators,
        period=ctx.period,
        authority_code=ctx.division.authority,
        indicator_ids=_targeted(ctx),
    )


def _activity(ctx: ReportContext) -> pd.DataFrame:
    return ctx.remember(("activity",), lambda: _compute_activity(ctx))


def _compute_activity(ctx: ReportContext) -> pd.DataFrame:
    ids = _indicators(ctx, rated=False)
    if not ids:
        return pd.DataFrame()
    return performance.check_activity_range(
        ctx.own_observations,
        ctx.indicators,
        period=ctx.period,
        authority_code=ctx.division.authority,
        indicator_ids=ids,
    )


def performance_against_target(ctx: ReportContext) -> Table:
    """The RAG dashboard: latest actual against the (phased) target and the floor."""
    rag = _rag(ctx)
    rag = ctx.save("rag", rag)
    shown = rag.reindex(
        columns=[
            "indicator_name",
            "actual_period",
            "actual",
            "unit",
            "target_period",
            "target",
            "floor",
            "rag",
            "gap_to_target",
            "note",
            "source_line",
        ]
    )
    return Table(
        shown,
        f"Performance against target at {ctx.period.label}",
        note=_caveat(ctx, rag)
        or "Green: target met. Amber: below target, at or "
        "above the floor. Red: below the floor. Judged by each indicator's polarity "
        "against the phased target of the actual's own period.",
        source="indicator_observations",
    )


def activity_against_range(ctx: ReportContext) -> Table | Note:
    """Activity indicators against their expected range, flagged on the threshold side."""
    activity = _activity(ctx)
    if activity.empty:
        return Note(["This division has no activity indicators."])
    activity = ctx.save("activity", activity)  # small counts were withheld on loading
    shown = activity.reindex(
        columns=[
            "indicator_name",
            "latest_period",
            "latest",
            "expected_low",
            "expected_high",
            "threshold",
            "status",
            "flagged",
            "source_line",
        ]
    )
    return Table(
        shown,
        f"Activity against expected range at {ctx.period.label}",
        note=_caveat(ctx, activity),
        source="indicator_observations",
    )


def _budget_year(ctx: ReportContext) -> str | None:
    lines = ctx.annual_budget[ctx.annual_budget["unit"].isin(ctx.division.budget_units)]
    years = sorted(
        y
        for y in lines["financial_year"].unique()
        if int(y[:4]) <= ctx.period.end.year - (ctx.period.end.month < 4)
    )
    return years[-1] if years else None


def _year_on_year(ctx: ReportContext) -> tuple[str, str, pd.DataFrame] | None:
    """Controllable expenditure of the latest budget year against the year before it."""

    def compute():
        year = _budget_year(ctx)
        if year is None:
            return None
        previous = format_financial_year(parse_financial_year(year) - 1)
        changes = variance.compare_budget_years(
            ctx.annual_budget,
            units=list(ctx.division.budget_units),
            from_year=previous,
            to_year=year,
        )
        return previous, year, changes

    return ctx.remember(("year_on_year",), compute)


def _monitoring(ctx: ReportContext) -> pd.DataFrame:
    """The period's budget monitoring lines, one row each (shared by three sections)."""
    return ctx.remember(("monitoring",), lambda: _compute_monitoring(ctx))


def _compute_monitoring(ctx: ReportContext) -> pd.DataFrame:
    lines = ctx.budget[
        ctx.budget["unit"].isin(ctx.division.budget_units)
        & (ctx.budget["period"] == ctx.period.label)
    ]
    if lines.empty:
        return pd.DataFrame()
    wide = lines.pivot_table(
        index=["source_line", "line_code", "line_name", "row_type"],
        columns="measure",
        values="value",
        aggfunc="first",
        dropna=False,
    ).reset_index()
    wide = wide.dropna(subset=["budget"], how="all")
    wide["forecast_variance"] = wide["forecast_outturn"] - wide["budget"]
    wide["forecast_variance_pct"] = wide["forecast_variance"] / wide["budget"].abs() * 100
    wide["spent_to_date_pct"] = wide["actual_to_date"] / wide["budget"] * 100
    wide["source_file"] = lines["source_file"].iloc[0]
    wide.columns.name = None
    return wide.sort_values("source_line").reset_index(drop=True)


def budget_variance(ctx: ReportContext) -> Table | Note:
    """Budget monitoring for the period (forecast against budget) where a quarterly return
    exists, else the year-on-year change in controllable expenditure by line."""
    monitoring = _monitoring(ctx)
    if not monitoring.empty:
        monitoring = ctx.save("budget_monitoring", monitoring)
        shown = monitoring.reindex(
            columns=[
                "line_name",
                "budget",
                "actual_to_date",
                "spent_to_date_pct",
                "forecast_outturn",
                "forecast_variance",
                "forecast_variance_pct",
                "source_line",
            ]
        )
        return Table(
            shown,
            f"Budget monitoring at {ctx.period.label} (GBP thousands)",
            note=_caveat(ctx, monitoring) or "Forecast outturn against budget.",
            source=str(monitoring["source_file"].iloc[0]),
        )
    year_on_year = _year_on_year(ctx)
    if year_on_year is None:
        return Note([f"No budget for this division at or before {ctx.period.label}."])
    previous, year, changes = year_on_year
    if changes["from_value"].notna().sum() == 0:
        changes = changes.assign(note=f"no {previous} figures printed")
    changes = ctx.save("budget_variance", changes)
    shown = changes.reindex(
        columns=[
            "unit",
            "service_group",
            "line_code",
            "line_name",
            "row_type",
            "from_value",
            "to_value",
            "change",
            "pct_change",
            "source_line",
        ]
    )
    return Table(
        shown,
        f"Controllable expenditure {previous} to {year} (GBP thousands)",
        note=_coverage(ctx),
        source=", ".join(sorted(changes["source_file"].unique())),
    )


def _gross_components(ctx: ReportContext) -> list[tuple[str, ...]]:
    return [rule.parts for rule in ctx.reference.identities if rule.result == "gross_expenditure"]


def _coverage(ctx: ReportContext) -> str:
    notes = {
        e.coverage
        for e in ctx.catalogue
        if e.kind == "budget_table" and e.unit in ctx.division.budget_units and e.coverage
    }
    return " ".join(sorted(notes))


def _components(ctx: ReportContext, year: str) -> pd.DataFrame:
    """Gross and net make-up per budget unit for ``year`` (shared by two sections)."""
    return ctx.remember(
        ("components", year),
        lambda: variance.summarise_budget_components(
            ctx.annual_budget,
            units=list(ctx.division.budget_units),
            year=year,
            components=_gross_components(ctx),
        ),
    )


def budget_make_up(ctx: ReportContext) -> Table | Note:
    """Gross expenditure by component and net of income, per budget unit (published totals)."""
    year = _budget_year(ctx)
    if year is None:
        return Note(["No budget for this division."])
    parts = _components(ctx, year)
    if (
        parts.empty
        or parts.drop(columns=["unit", "year", "source_file", "source_line"]).isna().all().all()
    ):
        return Note(
            [
                f"The {year} budget tables of this division do not print the components "
                "of gross expenditure."
            ]
        )
    parts = ctx.save("budget_make_up", parts)
    return Table(
        parts,
        f"Make-up of the {year} budget (GBP thousands; shares of gross, %)",
        note=_coverage(ctx),
        source=", ".join(sorted(parts["source_file"].unique())),
    )


def _localities(ctx: ReportContext) -> pd.DataFrame | None:
    """The division's budget by locality (the first unit that prints net cost), if any."""

    def compute():
        year = _budget_year(ctx)
        budget = ctx.annual_budget
        units = [
            u
            for u in ctx.division.budget_units
            if not budget[(budget["unit"] == u) & (budget["measure"] == "net_cost")].empty
        ]
        if year is None or not units:
            return None
        return variance.compare_localities(budget, unit=units[0], year=year)

    return ctx.remember(("localities",), compute)


def locality_comparison(ctx: ReportContext) -> Table | Note:
    """Net cost per locality, share of gross and income recovery rate."""
    table = _localities(ctx)
    if table is None:
        return Note(["This division's budget is not set out by locality."])
    year = _budget_year(ctx)
    table = ctx.save("localities", table)
    shown = table.reindex(
        columns=[
            "line_name",
            "gross_expenditure",
            "service_income",
            "net_cost",
            "share_of_gross",
            "income_recovery_rate",
            "source_line",
        ]
    )
    return Table(
        shown,
        f"Localities {year}: net cost, share of gross, income recovery (%)",
        source=str(table["source_file"].iloc[0]),
    )


def staffing_variance(ctx: ReportContext) -> Table | Note:
    """FTE by team, year on year."""
    if not ctx.division.staffing_units:
        return Note(["No staffing table belongs to this division."])
    unit = ctx.division.staffing_units[0]
    years = sorted(ctx.budget.loc[ctx.budget["unit"] == unit, "financial_year"].unique())
    if len(years) < 2:
        return Note(["Only one year of staffing figures is published."])
    table = variance.compare_staffing(
        ctx.annual_budget, unit=unit, from_year=years[-2], to_year=years[-1]
    )
    table = ctx.save("staffing", table)
    return Table(
        table.drop(columns=["source_file"]),
        f"Staffing (FTE) {years[-2]} to {years[-1]}",
        source=str(table["source_file"].iloc[0]),
    )


def _division_files(ctx: ReportContext) -> set[str]:
    budget = ctx.budget[
        ctx.budget["unit"].isin([*ctx.division.budget_units, *ctx.division.staffing_units])
    ]
    return set(budget["source_file"])


def reconciliation_findings(ctx: ReportContext) -> Table:
    """Published figures in this division's tables that do not reconcile (kept as printed)."""
    quality = ctx.data_quality
    mine = quality[quality["source_file"].isin(_division_files(ctx))]
    mine = ctx.save("reconciliation", mine)
    return Table(
        mine.reindex(
            columns=["check", "source_file", "source_line", "expected", "found", "message"]
        ),
        "Reconciliation findings (published figures are kept, not corrected)",
        source="data_quality.csv",
    )


def variance_charts(ctx: ReportContext) -> Figures:
    """RAG table, budget variance and locality charts."""
    from kassanalysis import charts

    figures = []
    rag = _rag(ctx)
    if not rag.empty:
        figures.append(charts.plot_rag_table(rag))
    monitoring = _monitoring(ctx)
    if not monitoring.empty:
        lines = monitoring[monitoring["row_type"] == "line"]
        figures.append(
            charts.plot_budget_variance(
                pd.DataFrame(
                    {
                        "label": lines["line_name"],
                        "from_value": lines["budget"],
                        "to_value": lines["forecast_outturn"],
                        "change": lines["forecast_variance"],
                    }
                ),
                title_context=f"forecast outturn against budget, {ctx.period.label}",
            )
        )
    else:
        year_on_year = _year_on_year(ctx)
        if year_on_year is not None:
            previous, year, changes = year_on_year
            lines = changes[
                (changes["row_type"] == "line")
                & changes["change"].notna()
                & (changes["change"] != 0)
            ]
            if not lines.empty:
                figures.append(
                    charts.plot_budget_variance(
                        pd.DataFrame(
                            {
                                "label": lines["line_name"],
                                "from_value": lines["from_value"],
                                "to_value": lines["to_value"],
                                "change": lines["change"],
                            }
                        ),
                        title_context=f"controllable expenditure {previous} to {year}",
                    )
                )
    table = _localities(ctx)
    if table is not None:
        table = table[table["line_name"].str.lower() != "total"]
        figures.append(
            charts.plot_locality_share(
                table,
                value_column="net_cost",
                label_column="line_name",
                title_context=f"net cost by locality {_budget_year(ctx)}",
                unit="GBP thousands",
            )
        )
    return Figures(figures, empty="No charts for this division.")


def exception_summary(ctx: ReportContext) -> Table:
    """What needs attention: Red/Amber, outside expected range, special cause, does not
    reconcile, forecast overspend. Saved as ``exceptions.csv`` for the pack's index."""
    rows = []
    rag = _rag(ctx)
    for _, row in rag.iterrows():
        if row["rag"] in (performance.RED, performance.AMBER, performance.NO_FLOOR):
            rows.append(
                {
                    "category": row["rag"],
                    "item": row["indicator_name"],
                    "detail": f"{_fmt(row['actual'])} against target "
                    f"{_fmt(row['target'])} (floor {_fmt(row['floor'])})",
                    "period": row["actual_period"],
                    "source_file": row["source_file"],
                    "source_line": row["source_line"],
                }
            )
    activity = _activity(ctx)
    for _, row in activity.iterrows() if not activity.empty else []:
        if bool(row["flagged"]):
            rows.append(
                {
                    "category": "Outside expected range",
                    "item": row["indicator_name"],
                    "detail": f"{row['status']}: {_fmt(row['latest'])} (expected "
                    f"{_fmt(row['expected_low'])} to {_fmt(row['expected_high'])})",
                    "period": row["latest_period"],
                    "source_file": row["source_file"],
                    "source_line": row["source_line"],
                }
            )
    for indicator_id in _indicators(ctx):
        spc = _spc(ctx, indicator_id)
        if spc is not None and bool(spc.iloc[-1]["special_cause"]):
            rows.append(
                {
                    "category": "Special cause",
                    "item": indicator_id,
                    "detail": str(spc.iloc[-1]["variation"]),
                    "period": str(spc.index[-1]),
                    "source_file": None,
                    "source_line": None,
                }
            )
    quality = ctx.data_quality
    for _, row in quality[quality["source_file"].isin(_division_files(ctx))].iterrows():
        rows.append(
            {
                "category": "Does not reconcile",
                "item": row["check"],
                "detail": row["message"],
                "period": None,
                "source_file": row["source_file"],
                "source_line": row["source_line"],
            }
        )
    monitoring = _monitoring(ctx)
    if not monitoring.empty:
        total = monitoring[monitoring["row_type"] == "total"]
        for _, row in total.iterrows():
            if row["forecast_variance"] > 0:
                rows.append(
                    {
                        "category": "Forecast overspend",
                        "item": row["line_name"],
                        "detail": f"forecast {_fmt(row['forecast_outturn'])} against "
                        f"budget {_fmt(row['budget'])} ({row['forecast_variance']:+,.1f})",
                        "period": ctx.period.label,
                        "source_file": row["source_file"],
                        "source_line": row["source_line"],
                    }
                )
    frame = pd.DataFrame(rows, columns=EXCEPTION_COLUMNS)
    frame = ctx.save("exceptions", frame)
    return Table(
        frame, f"Exceptions for {ctx.division.name}, {ctx.period.label}", note=_caveat(ctx, frame)
    )


def variance_key_figures(ctx: ReportContext) -> KeyFigures:
    """Headline variance figures: RAG counts and the budget total."""
    rag = _rag(ctx)
    counts = rag["rag"].value_counts() if not rag.empty else pd.Series(dtype=int)
    lines = [
        "RAG: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        if not counts.empty
        else "RAG: no rated indicators"
    ]
    year = _budget_year(ctx)
    if year is not None:
        parts = _components(ctx, year)
        for _, row in parts.iterrows():
            net = next(
                (
                    m
                    for m in ("controllable_expenditure", "net_cost")
                    if m in row and pd.notna(row[m])
                ),
                None,
            )
            net_text = f"; {net.replace('_', ' ')} {_fmt(row[net])}" if net else ""
            lines.append(
                f"{row['unit']} {year}: gross expenditure "
                f"{_fmt(row['gross_expenditure'])}{net_text}"
            )
    return KeyFigures(lines)


def _fmt(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "[x]"
    return f"{value:,.1f}" if isinstance(value, float) else str(value)
