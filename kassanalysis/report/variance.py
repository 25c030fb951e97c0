"""The variance report's sections (notebooks/variance.ipynb): performance against target,
activity against range, budget monitoring and the exception summary, one function per
notebook cell. Figures come from :mod:`kassanalysis.analysis`; this module only selects,
saves and displays them."""

from __future__ import annotations

import pandas as pd

from kassanalysis.analysis import exceptions, variance
from kassanalysis.analysis.exceptions import MONEY_UNIT as MONEY
from kassanalysis.formatting import format_number
from kassanalysis.report.common import (
    activity_table,
    budget_components,
    budget_year,
    caveat,
    coverage_note,
    division_files,
    division_indicators,
    locality_table,
    monitoring_table,
    rag_table,
    spc_chart,
    year_on_year,
)
from kassanalysis.report.context import ReportContext
from kassanalysis.report.display import TEXT_UNIT, Figures, KeyFigures, Note, Table

RAG_FIGURES = ("actual", "target", "floor", "gap_to_target")
"""Columns of the RAG table in each indicator's own unit."""


def performance_against_target(ctx: ReportContext) -> Table:
    """The RAG dashboard: latest actual against the (phased) target and the floor."""
    rag = rag_table(ctx)
    rag = ctx.save("rag", rag, row_units=RAG_FIGURES)
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
        f"Performance against target: latest actual by {ctx.period.label} (each row's own "
        "period; a figure in arrears says so in its note)",
        row_units=RAG_FIGURES,
        units=dict.fromkeys(("rag", "note"), TEXT_UNIT),
        note=caveat(ctx, rag)
        or "Green: target met. Amber: below target, at or "
        "above the floor. Red: below the floor. Judged by each indicator's polarity "
        "against the phased target of the actual's own period.",
        source="indicator_observations",
    )


def activity_against_range(ctx: ReportContext) -> Table | Note:
    """Activity indicators against their expected range, flagged on the threshold side."""
    activity = activity_table(ctx)
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
            "unit",
            "threshold",
            "status",
            "flagged",
            "source_line",
        ]
    )
    return Table(
        shown,
        f"Activity against expected range: latest figure by {ctx.period.label} (each row's "
        "own period)",
        row_units=("latest", "expected_low", "expected_high"),
        units=dict.fromkeys(("threshold", "status"), TEXT_UNIT),
        note=caveat(ctx, activity),
        source="indicator_observations",
    )


def budget_variance(ctx: ReportContext) -> Table | Note:
    """Budget monitoring for the period (forecast against budget, line by line and by the
    statement's divisions) where a monitoring return or the year's key service statement
    exists, else the year-on-year change in controllable expenditure by line."""
    monitoring = monitoring_table(ctx)
    if not monitoring.empty:
        units = {
            **dict.fromkeys(
                ["budget", "actual_to_date", "forecast_outturn", "forecast_variance"], MONEY
            ),
            **dict.fromkeys(["spent_to_date_pct", "forecast_variance_pct"], "%"),
        }
        note = " ".join(
            part for part in (caveat(ctx, monitoring), _monitoring_note(monitoring)) if part
        )
        caption = (
            f"Budget monitoring, {_monitoring_period(ctx, monitoring)}: forecast outturn "
            "against budget (£000)"
        )
        # a statement without spend to date or divisions: those columns are left out
        printed = [c for c in monitoring.columns if monitoring[c].notna().any()]
        monitoring = ctx.save("budget_monitoring", monitoring, units=units)
        columns = [
            "service_group",
            "line_name",
            "budget",
            "actual_to_date",
            "spent_to_date_pct",
            "forecast_outturn",
            "forecast_variance",
            "direction",
            "forecast_variance_pct",
            "source_line",
        ]
        shown = monitoring.reindex(columns=[c for c in columns if c in printed])
        source = str(monitoring["source_file"].iloc[0])
        return Table(
            shown, caption, units={**units, "direction": TEXT_UNIT}, note=note, source=source
        )
    yoy = year_on_year(ctx)
    if yoy is None:
        return Note([f"No budget for this division at or before {ctx.period.label}."])
    previous, year, changes = yoy
    if changes["from_value"].notna().sum() == 0:
        changes = changes.assign(note=f"no {previous} figures printed")
    units = {**dict.fromkeys(["from_value", "to_value", "change"], MONEY), "pct_change": "%"}
    changes = ctx.save("budget_variance", changes, units=units)
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
        f"Controllable expenditure {previous} to {year} (£000)",
        units=units,
        changes={"pct_change": ("from_value", "to_value")},
        note=coverage_note(ctx),
        source=", ".join(sorted(changes["source_file"].unique())),
    )


def _monitoring_period(ctx: ReportContext, monitoring: pd.DataFrame) -> str:
    """The period the monitoring figures are for, in words: the pack's quarter for a
    quarterly return, else the statement's own title (e.g. "November 2024-25")."""
    source = str(monitoring["source_file"].iloc[0])
    entry = next((e for e in ctx.catalogue if e.file == source), None)
    title = str((entry.source or {}).get("title", "")).split(" (")[0] if entry else ""
    if ctx.period.label in set(ctx.budget.loc[ctx.budget["source_file"] == source, "period"]):
        return ctx.period.label
    return (
        f"{ctx.period.financial_year} as published in {title}"
        if title
        else (f"{ctx.period.financial_year} (the year's latest monitoring statement)")
    )


def _monitoring_note(monitoring: pd.DataFrame) -> str:
    """The position in words: the total's overspend or underspend named as such, the
    largest line variances, and whether the printed variances add up."""
    sentences = []
    for _, row in monitoring[monitoring["row_type"] == "total"].iterrows():
        if pd.notna(row["direction"]) and row["direction"] != "on budget":
            sentences.append(
                f"{row['line_name']}: forecast {row['direction']} of "
                f"{format_number(abs(row['forecast_variance']), MONEY)} (forecast "
                f"{format_number(row['forecast_outturn'], MONEY)} against budget "
                f"{format_number(row['budget'], MONEY)})."
            )
    largest = variance.largest_variances(monitoring, 3)
    if not largest.empty:
        sentences.append(
            "Largest variances: "
            + "; ".join(
                f"{r['line_name']} {format_number(r['forecast_variance'], MONEY, sign=True)} "
                f"({r['direction']})"
                for _, r in largest.iterrows()
            )
            + "."
        )
    findings = variance.variance_findings(monitoring)
    if monitoring["printed_variance"].notna().any():
        sentences.append(
            "Printed variances that are not forecast minus budget: "
            + "; ".join(findings["finding"])
            + "."
            if not findings.empty
            else "Every printed variance is forecast minus budget to within the rounding of "
            "the printed figures (a difference of one printed step is rounding, not a finding)."
        )
    sentences.append("Positive variance: forecast overspend; negative: underspend.")
    return " ".join(sentences)


def budget_make_up(ctx: ReportContext) -> Table | Note:
    """Gross expenditure by component and net of income, per budget unit (published totals)."""
    year = budget_year(ctx)
    if year is None:
        return Note(["No budget for this division."])
    parts = budget_components(ctx, year)
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
    units = {
        column: "%" if column.endswith("_share") else MONEY
        for column in parts.columns
        if column not in ("unit", "year", "source_file", "source_line")
    }
    parts = ctx.save("budget_make_up", parts, units=units)
    return Table(
        parts,
        f"Make-up of the {year} budget (£000; shares of gross, %)",
        units=units,
        note=coverage_note(ctx),
        source=", ".join(sorted(parts["source_file"].unique())),
    )


def locality_comparison(ctx: ReportContext) -> Table | Note:
    """Net cost per locality, share of gross and income recovery rate."""
    table = locality_table(ctx)
    if table is None:
        return Note(["This division's budget is not set out by locality."])
    year = budget_year(ctx)
    units = {
        **dict.fromkeys(["gross_expenditure", "service_income", "net_cost"], MONEY),
        **dict.fromkeys(["share_of_gross", "income_recovery_rate"], "%"),
    }
    table = ctx.save("localities", table, units=units)
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
        units=units,
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
    units = {**dict.fromkeys(["from_fte", "to_fte", "change"], "FTE"), "pct_change": "%"}
    table = ctx.save("staffing", table, units=units)
    return Table(
        table.drop(columns=["source_file"]),
        f"Staffing (FTE) {years[-2]} to {years[-1]}",
        units=units,
        changes={"pct_change": ("from_fte", "to_fte")},
        source=str(table["source_file"].iloc[0]),
    )


def reconciliation_findings(ctx: ReportContext) -> Table:
    """Published figures in this division's tables that do not reconcile (kept as printed)."""
    quality = ctx.data_quality
    mine = quality[quality["source_file"].isin(division_files(ctx))]
    mine = ctx.save("reconciliation", mine)
    return Table(
        mine.reindex(
            columns=["check", "source_file", "source_line", "expected", "found", "message"]
        ),
        "Reconciliation findings (published figures are kept, not corrected)",
        units=dict.fromkeys(("check", "message"), TEXT_UNIT),
        source="data_quality.csv",
    )


def variance_charts(ctx: ReportContext) -> Figures:
    """RAG table, budget variance and locality charts."""
    from kassanalysis import charts

    figures = []
    rag = rag_table(ctx)
    if not rag.empty:
        figures.append(charts.plot_rag_table(rag))
    monitoring = monitoring_table(ctx)
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
                framing="forecast",
            )
        )
    else:
        yoy = year_on_year(ctx)
        if yoy is not None:
            previous, year, changes = yoy
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
    table = locality_table(ctx)
    if table is not None:
        table = table[table["line_name"].str.lower() != "total"]
        figures.append(
            charts.plot_locality_share(
                table,
                value_column="net_cost",
                label_column="line_name",
                title_context=f"net cost by locality {budget_year(ctx)}",
                unit="GBP thousands",
            )
        )
    return Figures(figures, empty="No charts for this division.")


def exception_summary(ctx: ReportContext) -> Table:
    """What needs attention, by the rules of :mod:`kassanalysis.analysis.exceptions`: Red and
    Amber ratings, activity outside its expected range, special cause variation, tables that
    do not reconcile, forecast overspends. Saved as ``exceptions.csv`` for the pack's index."""
    quality = ctx.data_quality
    frame = exceptions.list_exceptions(
        rag=rag_table(ctx),
        activity=activity_table(ctx),
        spc_by_indicator={i: spc_chart(ctx, i) for i in division_indicators(ctx)},
        quality=quality[quality["source_file"].isin(division_files(ctx))],
        monitoring=monitoring_table(ctx),
        period=ctx.period.label,
        names=ctx.indicators["name"].astype(str).to_dict(),
    )
    frame = ctx.save("exceptions", frame)
    return Table(
        frame,
        f"Exceptions for {ctx.division.name}, {ctx.period.label}",
        units=dict.fromkeys(("category", "item", "detail"), TEXT_UNIT),
        note=caveat(ctx, frame),
    )


def variance_key_figures(ctx: ReportContext) -> KeyFigures:
    """Headline variance figures: RAG counts and the budget position (the monitoring
    total's forecast against budget where there is monitoring, else the plan's make-up)."""
    rag = rag_table(ctx)
    counts = rag["rag"].value_counts() if not rag.empty else pd.Series(dtype=int)
    lines = [
        "RAG: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        if not counts.empty
        else "RAG: no rated indicators"
    ]
    monitoring = monitoring_table(ctx)
    year = budget_year(ctx)
    if not monitoring.empty:  # the forecast position, not the plan's make-up
        for _, row in monitoring[monitoring["row_type"] == "total"].iterrows():
            lines.append(
                f"{row['line_name']} {ctx.period.financial_year} (£000): forecast "
                f"{_fmt(row['forecast_outturn'])} against budget {_fmt(row['budget'])}, "
                f"{row['direction']} {_fmt(abs(row['forecast_variance']))}"
            )
    elif year is not None:
        parts = budget_components(ctx, year)
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
    """A key-figure amount: one decimal place (the budget tables' 0.1 of £000), no ``£``,
    so the stored key-figure lines stay comparable across versions."""
    if isinstance(value, float):
        return format_number(value, decimals=1, missing="[x]")
    return "[x]" if value is None else str(value)
