"""What the comparator, trend and variance reports share: the division's indicators and
the analysis tables several sections show, each computed once per report through
:meth:`~kassanalysis.report.context.ReportContext.remember`. Nothing here computes a figure:
every table comes from a tested function in :mod:`kassanalysis.analysis`.
"""

from __future__ import annotations

import pandas as pd

from kassanalysis import io as kio
from kassanalysis.analysis import indicator_trend, performance, trend, variance
from kassanalysis.periods import format_financial_year, parse_financial_year
from kassanalysis.report.context import ReportContext
from kassanalysis.report.display import Note, Table

DERIVED_FROM_NUMERATOR = (
    "value",
    "lower_95",
    "upper_95",
    "lower_998",
    "upper_998",
    "mads_from_england_median",
    "compared_with_england",
    "compared_998",
    "significance",
    "significance_text",
    "suspect_reason",
    "rank",
    "quartile",
    "quintile",
)


def caveat(ctx: ReportContext, frame: pd.DataFrame) -> str:
    if ctx.uses_illustrative(frame):
        return (
            "Contains ILLUSTRATIVE figures from the example quarterly return "
            "(data/raw/quarterly): not published data."
        )
    return ""


def compared_indicators(ctx: ReportContext) -> list[str]:
    """Division indicators published for more than one council (so they can be compared)."""
    return ctx.remember(("compared",), lambda: _compute_compared(ctx))


def _compute_compared(ctx: ReportContext) -> list[str]:
    obs, ids = ctx.observations, division_indicators(ctx)
    actual = obs[(obs["value_type"] == "actual") & obs["indicator_id"].isin(ids)]
    councils = actual.groupby("indicator_id")["authority_code"].nunique()
    return [i for i in ids if councils.get(i, 0) > 1]


def local_indicators(ctx: ReportContext) -> list[str]:
    return [i for i in division_indicators(ctx) if i not in compared_indicators(ctx)]


def targeted_indicators(ctx: ReportContext) -> list[str]:
    """Rated indicators with a target or floor for the division's council."""
    obs = ctx.own_observations
    mine = obs[obs["value_type"].isin(["target", "floor"])]
    return [i for i in division_indicators(ctx, rated=True) if i in set(mine["indicator_id"])]


def division_indicators(ctx: ReportContext, *, rated: bool | None = None) -> list[str]:
    ids = [i for i in ctx.division.indicators if i in ctx.indicators.index]
    if rated is None:
        return ids
    activity = ctx.indicators.loc[ids, "polarity"] == "no_polarity"
    return [i for i, is_activity in zip(ids, activity, strict=True) if is_activity != rated]


def spc_chart(ctx: ReportContext, indicator_id: str) -> pd.DataFrame | None:
    """The XmR chart of the indicator's trend, over its most common period type (SPC needs
    like periods); computed once for the sections that show it."""
    return ctx.remember(("spc", indicator_id), lambda: _compute_spc(ctx, indicator_id))


def _compute_spc(ctx: ReportContext, indicator_id: str) -> pd.DataFrame | None:
    return spc_reading(ctx, indicator_id)[0]


def rebase_points(ctx: ReportContext) -> pd.DataFrame:
    """The analyst's SPC rebase points (``data/reference/spc_rebase.csv``), read once."""
    return ctx.remember(("spc_rebase",), lambda: kio.read_spc_rebase(ctx.paths.reference))


def spc_reading(ctx: ReportContext, indicator_id: str) -> tuple[pd.DataFrame | None, dict]:
    """The XmR chart (limits fixed on the first 12 points, rebased where the analyst says)
    over the series' most common period type, and its latest point in words."""

    def compute():
        series = trend_series(ctx, indicator_id)
        if series.empty:
            return None, {"points": 0, "variation_text": "no series", "assurance_text": ""}
        kind = series["period_type"].mode().iloc[0]
        rebase = rebase_points(ctx)
        return indicator_trend.describe_indicator_spc(
            series[series["period_type"] == kind].reset_index(drop=True),
            str(ctx.indicators.loc[indicator_id, "polarity"]),
            rebase=rebase[rebase["indicator_id"] == indicator_id],
        )

    return ctx.remember(("spc reading", indicator_id), compute)


def chart_spc_limits(ctx: ReportContext, indicator_id: str) -> pd.DataFrame | None:
    """SPC limits for the chart only when they cover every plotted point."""
    spc = spc_chart(ctx, indicator_id)
    return spc if spc is not None and len(spc) == len(trend_series(ctx, indicator_id)) else None


def trend_series(ctx: ReportContext, indicator_id: str) -> pd.DataFrame:
    return ctx.remember(("trend", indicator_id), lambda: _compute_trend(ctx, indicator_id))


def _compute_trend(ctx: ReportContext, indicator_id: str) -> pd.DataFrame:
    return trend.summarise_trend(
        ctx.own_observations,
        indicator_id=indicator_id,
        polarity=str(ctx.indicators.loc[indicator_id, "polarity"]),
        authority_code=ctx.division.authority,
        up_to=ctx.period,
    )


def rag_table(ctx: ReportContext) -> pd.DataFrame:
    return ctx.remember(("rag",), lambda: _compute_rag(ctx))


def _compute_rag(ctx: ReportContext) -> pd.DataFrame:
    return performance.rate_against_target(
        ctx.own_observations,
        ctx.indicators,
        period=ctx.period,
        authority_code=ctx.division.authority,
        indicator_ids=targeted_indicators(ctx),
    )


def activity_table(ctx: ReportContext) -> pd.DataFrame:
    return ctx.remember(("activity",), lambda: _compute_activity(ctx))


def _compute_activity(ctx: ReportContext) -> pd.DataFrame:
    ids = division_indicators(ctx, rated=False)
    if not ids:
        return pd.DataFrame()
    return performance.check_activity_range(
        ctx.own_observations,
        ctx.indicators,
        period=ctx.period,
        authority_code=ctx.division.authority,
        indicator_ids=ids,
    )


def budget_year(ctx: ReportContext) -> str | None:
    lines = ctx.annual_budget[ctx.annual_budget["unit"].isin(ctx.division.budget_units)]
    years = sorted(
        y
        for y in lines["financial_year"].unique()
        if int(y[:4]) <= ctx.period.end.year - (ctx.period.end.month < 4)
    )
    return years[-1] if years else None


def year_on_year(ctx: ReportContext) -> tuple[str, str, pd.DataFrame] | None:
    """Controllable expenditure of the latest budget year against the year before it."""

    def compute():
        year = budget_year(ctx)
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


def monitoring_table(ctx: ReportContext) -> pd.DataFrame:
    """The period's budget monitoring lines, one row each (shared by three sections)."""
    return ctx.remember(("monitoring",), lambda: _compute_monitoring(ctx))


def _compute_monitoring(ctx: ReportContext) -> pd.DataFrame:
    return variance.monitor_budget(
        ctx.budget,
        units=list(ctx.division.budget_units),
        period=ctx.period.label,
        financial_year=ctx.period.financial_year,
    )


def gross_components(ctx: ReportContext) -> list[tuple[str, ...]]:
    return [rule.parts for rule in ctx.reference.identities if rule.result == "gross_expenditure"]


def coverage_note(ctx: ReportContext) -> str:
    notes = {
        e.coverage
        for e in ctx.catalogue
        if e.kind == "budget_table" and e.unit in ctx.division.budget_units and e.coverage
    }
    return " ".join(sorted(notes))


def budget_components(ctx: ReportContext, year: str) -> pd.DataFrame:
    """Gross and net make-up per budget unit for ``year`` (shared by two sections)."""
    return ctx.remember(
        ("components", year),
        lambda: variance.summarise_budget_components(
            ctx.annual_budget,
            units=list(ctx.division.budget_units),
            year=year,
            components=gross_components(ctx),
        ),
    )


def locality_table(ctx: ReportContext) -> pd.DataFrame | None:
    """The division's budget by locality (the first unit that prints net cost), if any."""

    def compute():
        year = budget_year(ctx)
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


def division_files(ctx: ReportContext) -> set[str]:
    budget = ctx.budget[
        ctx.budget["unit"].isin([*ctx.division.budget_units, *ctx.division.staffing_units])
    ]
    return set(budget["source_file"])


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
