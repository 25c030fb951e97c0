"""The tidy tables' contract: one pandera schema per table.

Cleaning produces frames that must pass these schemas; analyses may rely on them. Refer to
columns through the model (``BudgetLines.value``), not string literals scattered in code.
Every schema is strict (no unknown columns) and coercing, and every table carries its
provenance: the raw file and the line (or spreadsheet row) each value came from.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

#: Why a value is, or is not, a number. Missing is missing, never zero.
STATUSES = (
    "reported",  # a number was published
    "missing",  # blank cell or "[x]": not available
    "not_applicable",  # "N/A"
    "to_be_confirmed",  # "TBC"
    "suppressed",  # "[c]": withheld by the publisher for disclosure control
)

BUDGET_ROW_TYPES = (
    "line",
    "subtotal",
    "total",
    "unit_total",
    "memorandum",
    "memo_of_which",
    "external_total",
    "stated",
)
VALUE_TYPES = ("actual", "target", "floor", "benchmark", "expected_low", "expected_high")
PERIOD_TYPES = ("year", "quarter", "month")
RAG_RATINGS = ("Green", "Amber", "Red")
UNITS_OF_MEASURE = ("GBP thousands", "FTE", "GBP per resident", "percent")
SEVERITIES = ("error", "finding")

_FY = r"^\d{4}-\d{2}$"
#: Text stored once per distinct value (a pandas categorical), for the long tables.
Text = pd.CategoricalDtype


class _Table(pa.DataFrameModel):
    """Every table's contract is strict (no unknown columns) and coercing: set once here."""

    class Config:
        strict = True
        coerce = True


class _Provenance(_Table):
    """Columns every tidy table carries so that any figure can be traced to its source."""

    source_file: Series[str] = pa.Field(description="raw file, relative to data/raw")
    source_sheet: Series[str] = pa.Field(nullable=True, description="sheet, for workbooks")
    source_line: Series[int] = pa.Field(ge=1, description="line in the file, or sheet row")
    source_text: Series[str] = pa.Field(nullable=True, description="the cell as published")


class BudgetLines(_Provenance):
    """Budget and staffing tables, long: one row per published cell."""

    authority_code: Series[str] = pa.Field(str_matches=r"^E\d{8}$")
    authority_name: Series[str]
    financial_year: Series[str] = pa.Field(str_matches=_FY)
    period: Series[str] = pa.Field(
        nullable=True, description="monitoring period (e.g. 2013-14 Q1); null for budgets"
    )
    unit: Series[str] = pa.Field(description="budget unit, division or locality table")
    service_group: Series[str] = pa.Field(nullable=True)
    line_code: Series[str] = pa.Field(nullable=True, description="e.g. 41A; null when TBC")
    line_name: Series[str]
    row_type: Series[str] = pa.Field(isin=BUDGET_ROW_TYPES)
    measure: Series[str] = pa.Field(description="id from data/reference/measures.csv")
    value: Series[float] = pa.Field(nullable=True)
    unit_of_measure: Series[str] = pa.Field(isin=UNITS_OF_MEASURE)
    status: Series[str] = pa.Field(isin=STATUSES)


class IndicatorObservations(_Provenance):
    """KPI, benchmark and public outcome data, long: one row per value."""

    authority_code: Series[str] = pa.Field(str_matches=r"^E\d{8}$")
    authority_name: Series[str]
    indicator_id: Series[str] = pa.Field(description="id from data/reference/indicators.csv")
    breakdown: Series[str] = pa.Field(description="'Total' or an age/sex split")
    period: Series[str] = pa.Field(description="e.g. 2012-13, 2013-14 Q2, 2012-13 Dec")
    period_type: Series[str] = pa.Field(isin=PERIOD_TYPES)
    period_start: Series[pa.DateTime]
    period_end: Series[pa.DateTime]
    value_type: Series[str] = pa.Field(isin=VALUE_TYPES)
    value: Series[float] = pa.Field(nullable=True)
    unit: Series[str]
    numerator: Series[float] = pa.Field(nullable=True)
    denominator: Series[float] = pa.Field(nullable=True)
    status: Series[str] = pa.Field(isin=STATUSES)


class PublishedRatings(_Provenance):
    """RAG ratings as the council published them beside its KPIs, one row per indicator and
    period. They join :class:`IndicatorObservations` on authority, indicator, breakdown and
    period; the build checks each against the project's own RAG rule."""

    authority_code: Series[str] = pa.Field(str_matches=r"^E\d{8}$")
    indicator_id: Series[str] = pa.Field(description="id from data/reference/indicators.csv")
    breakdown: Series[str] = pa.Field(description="'Total' or an age/sex split")
    period: Series[str] = pa.Field(description="period of the rated figure, e.g. 2024-25 Q3")
    period_type: Series[str] = pa.Field(isin=PERIOD_TYPES)
    period_start: Series[pa.DateTime]
    period_end: Series[pa.DateTime]
    rag: Series[str] = pa.Field(isin=RAG_RATINGS, description="the published rating")

    class Config:
        strict = True
        coerce = True


class Population(_Provenance):
    """ONS mid-year estimates, persons by single year of age (90 means 90 and over)."""

    area_code: Series[str] = pa.Field(str_matches=r"^[EWSNK]\d{8}$")
    area_name: Series[str]
    geography: Series[str] = pa.Field(nullable=True)
    year: Series[int] = pa.Field(ge=1971, le=2100, description="mid-year, e.g. 2020")
    age: Series[int] = pa.Field(ge=0, le=90)
    age_label: Series[str]
    persons: Series[float] = pa.Field(ge=0)


class PopulationTotals(_Provenance):
    """ONS mid-year estimates, all-ages persons per area and year: the time series of MYE4
    (``Mid-2001`` to ``Mid-2020``) and MYE5 (``Estimated Population mid-YYYY``). One row
    per area and mid-year; ``source_text`` is the year's column header as published."""

    area_code: Series[str] = pa.Field(str_matches=r"^[EWSNK]\d{8}$")
    area_name: Series[str]
    geography: Series[str] = pa.Field(nullable=True)
    year: Series[int] = pa.Field(ge=1971, le=2100, description="mid-year, e.g. 2014")
    persons: Series[float] = pa.Field(ge=0, nullable=True, description="all ages, people")
    status: Series[str] = pa.Field(isin=STATUSES)

    class Config:
        strict = True
        coerce = True
        unique = ["area_code", "year"]


class PafBanding(_Provenance):
    """Counts of PAF indicators in each performance band, as published."""

    authority_code: Series[str] = pa.Field(str_matches=r"^E\d{8}$")
    financial_year: Series[str] = pa.Field(str_matches=_FY)
    band: Series[str]
    row_type: Series[str] = pa.Field(isin=("line", "total"))
    count: Series[float] = pa.Field(nullable=True, ge=0)


FINANCE_ROW_TYPES = ("line", "total")
#: Units of the Adult Social Care Finance Return's figures.
FINANCE_UNITS = ("GBP thousands", "GBP per week", "GBP per hour", "weeks", "clients", "yes/no")


class FinanceLines(_Provenance):
    """The Adult Social Care Finance Return (ASC-FR, and PSS-EX1 before it), long: one row
    per council (or region, England) and published cell.

    The descriptive columns are the return's own: support type (long term, short term,
    or a PSS-EX1 service heading), age band, primary support reason, support setting
    (service delivery mechanism), provision (own / by others / total) and the measure
    (accounting category such as ``Gross total cost: provision by others``, an activity
    count, or a unit-cost numerator, denominator or unit cost). Missing is NaN with a
    status: ``:`` (mandatory data unavailable) is ``missing``, ``.`` (unit cost not
    calculated) is ``not_applicable``.

    Every text column is categorical (each label stored once): the 2014-15 return alone is
    608,484 rows that repeat a few hundred labels, and as plain text it would take ten
    times the memory to load. Filter and compare as with text (``lines["measure"] == ...``).
    """

    source_file: Series[Text] = pa.Field(description="raw file, relative to data/raw")
    source_sheet: Series[Text] = pa.Field(nullable=True, description="sheet, for workbooks")
    source_text: Series[Text] = pa.Field(nullable=True, description="the cell as published")

    authority_code: Series[Text] = pa.Field(
        str_matches=r"^E\d{8}$", description="ONS code of the council, region or England"
    )
    cassr_code: Series[Text] = pa.Field(
        nullable=True, description="council's CASSR code as printed (820); null for regions"
    )
    authority_name: Series[Text]
    financial_year: Series[Text] = pa.Field(str_matches=_FY)
    support_type: Series[Text] = pa.Field(nullable=True)
    age_band: Series[Text] = pa.Field(nullable=True)
    primary_support_reason: Series[Text] = pa.Field(nullable=True)
    support_setting: Series[Text] = pa.Field(
        nullable=True, description="service delivery mechanism / long-term support setting"
    )
    provision: Series[Text] = pa.Field(nullable=True)
    measure: Series[Text] = pa.Field(
        description="accounting category, activity, or unit-cost numerator/denominator/cost"
    )
    value: Series[float] = pa.Field(nullable=True)
    unit: Series[Text] = pa.Field(isin=FINANCE_UNITS)
    row_type: Series[Text] = pa.Field(isin=FINANCE_ROW_TYPES)
    status: Series[Text] = pa.Field(isin=STATUSES)


class ComparatorMembers(_Table):
    """Membership of comparator groups: which councils each group holds."""

    group_id: Series[str]
    authority_code: Series[str] = pa.Field(str_matches=r"^E\d{8}$")
    source: Series[str]


class DataQuality(_Table):
    """Problems found while building: errors stop the build, findings are reported."""

    severity: Series[str] = pa.Field(isin=SEVERITIES)
    check: Series[str]
    source_file: Series[str]
    source_line: Series[float] = pa.Field(nullable=True)
    subject: Series[str] = pa.Field(nullable=True, description="row or measure concerned")
    expected: Series[float] = pa.Field(nullable=True)
    found: Series[float] = pa.Field(nullable=True)
    message: Series[str]


# ---------------------------------------------------------------------------------------------
# Analysis output tables (made by kassanalysis.analysis.observations.make_frame)
# ---------------------------------------------------------------------------------------------

_Text = Series[str]
_Count = Series[pd.Int64Dtype]


def _optional(description: str = "") -> pa.Field:
    return pa.Field(nullable=True, description=description or None)


class TrendSeries(_Table):
    """:func:`~kassanalysis.analysis.trend.summarise_trend`: one row per actual, oldest first."""

    period: _Text
    period_type: _Text = pa.Field(isin=PERIOD_TYPES)
    period_end: Series[pa.DateTime]
    actual: Series[float] = _optional()
    status: _Text = pa.Field(isin=STATUSES)
    target: Series[float] = _optional("target for the same period, or the one covering it")
    target_period: _Text = _optional()
    change: Series[float] = _optional("from the previous actual")
    pct_change: Series[float] = _optional("change as a % of the previous actual")
    direction: _Text
    met_target: Series[pd.BooleanDtype] = _optional("NA when it cannot be decided")
    source_file: _Text
    source_line: Series[int] = pa.Field(ge=1)


class TargetsByPeriod(_Table):
    """:func:`~kassanalysis.analysis.trend.list_targets`: targets and floors by period."""

    period: _Text
    period_type: _Text = pa.Field(isin=PERIOD_TYPES)
    period_end: Series[pa.DateTime]
    target: Series[float] = _optional()
    target_status: _Text = _optional()
    floor: Series[float] = _optional()
    floor_status: _Text = _optional()
    target_source_file: _Text = _optional()
    target_source_line: _Count = _optional()
    floor_source_file: _Text = _optional()
    floor_source_line: _Count = _optional()


class RagRatings(_Table):
    """:func:`~kassanalysis.analysis.performance.rate_against_target`: one row per
    indicator, its latest actual rated against its target and floor."""

    indicator_id: _Text
    indicator_name: _Text = _optional()
    polarity: _Text = _optional()
    unit: _Text = _optional()
    actual_period: _Text = _optional()
    actual: Series[float] = _optional()
    target_period: _Text = _optional()
    target: Series[float] = _optional()
    floor_period: _Text = _optional()
    floor: Series[float] = _optional()
    rag: _Text
    gap_to_target: Series[float] = _optional("actual minus target, signed by polarity")
    note: _Text = _optional()
    source_file: _Text = _optional()
    source_line: _Count = _optional()
    target_source_file: _Text = _optional()
    target_source_line: _Count = _optional()
    floor_source_file: _Text = _optional()
    floor_source_line: _Count = _optional()


class ActivityChecks(_Table):
    """:func:`~kassanalysis.analysis.performance.check_activity_range`: one row per
    activity indicator, its latest figure against the published expected range."""

    indicator_id: _Text
    indicator_name: _Text = _optional()
    unit: _Text = _optional()
    latest_period: _Text = _optional()
    latest: Series[float] = _optional()
    range_period: _Text = _optional()
    expected_low: Series[float] = _optional()
    expected_high: Series[float] = _optional()
    threshold: _Text = _optional()
    status: _Text
    flagged: Series[bool]
    note: _Text = _optional()
    source_file: _Text = _optional()
    source_line: _Count = _optional()
    expected_low_source_file: _Text = _optional()
    expected_low_source_line: _Count = _optional()
    expected_high_source_file: _Text = _optional()
    expected_high_source_line: _Count = _optional()


SUMMARY_TONES = ("good", "concern", "warning", "neutral", "not_available")


class DashboardIndicators(_Table):
    """:func:`~kassanalysis.analysis.summary.summarise_indicators_for_dashboard`: the
    one-page summary's matrix, one row per indicator; every answer as a code, in words and
    as a tone (how it is coloured)."""

    indicator_id: _Text
    anchor: _Text = pa.Field(str_matches=r"^indicator-[a-z0-9-]+$")
    indicator_name: _Text
    unit: _Text
    polarity: _Text
    latest_period: _Text = _optional()
    latest_value: Series[float] = _optional()
    latest_text: _Text
    rag: _Text
    rag_text: _Text
    rag_tone: _Text = pa.Field(isin=SUMMARY_TONES)
    direction: _Text
    direction_text: _Text
    direction_tone: _Text = pa.Field(isin=SUMMARY_TONES)
    recent_trend: _Text
    recent_trend_text: _Text
    recent_trend_tone: _Text = pa.Field(isin=SUMMARY_TONES)
    england_benchmark: _Text = _optional("what the comparison is with, named, with its period")
    england_95: _Text
    england_998: _Text
    england_text: _Text
    england_tone: _Text = pa.Field(isin=SUMMARY_TONES)
    comparison_period: _Text = _optional()
    comparison_numerator: Series[float] = _optional(
        "the council's published count behind its compared value (the comparator "
        "summary's numerator), for disclosure control"
    )
    group_name: _Text
    rank: Series[float] = _optional("1 = best by polarity")
    group_size: Series[float] = _optional("councils in the group with a figure")
    quartile: Series[float] = _optional("1 = best")
    rank_text: _Text
    rank_tone: _Text = pa.Field(isin=SUMMARY_TONES)
    spc_variation: _Text = _optional()
    spc_variation_text: _Text
    spc_assurance: _Text = _optional()
    spc_assurance_text: _Text
    spc_tone: _Text = pa.Field(isin=SUMMARY_TONES)


class BudgetSummary(_Table):
    """:func:`~kassanalysis.analysis.summary.summarise_budget_monitoring`: the budget
    position (totals, then the largest line variances), money in GBP thousands."""

    kind: _Text = pa.Field(isin=("total", "largest variance"))
    line_name: _Text
    budget: Series[float] = _optional()
    forecast_outturn: Series[float] = _optional()
    forecast_variance: Series[float] = _optional("positive = forecast overspend")
    forecast_variance_pct: Series[float] = _optional()
    position: _Text
    tone: _Text = pa.Field(isin=SUMMARY_TONES)
    text: _Text
    source_file: _Text
    source_line: Series[int] = pa.Field(ge=1)


class DataQualitySummary(_Table):
    """:func:`~kassanalysis.analysis.summary.summarise_data_quality`: one line per table
    that does not reconcile."""

    source_file: _Text
    findings: Series[int] = pa.Field(ge=1)
    truncated: Series[bool]
    text: _Text


class SummaryHeadline(_Table):
    """:func:`~kassanalysis.analysis.summary.summarise_headline`: a division's line in the
    pack summary."""

    red: Series[int] = pa.Field(ge=0)
    amber: Series[int] = pa.Field(ge=0)
    green: Series[int] = pa.Field(ge=0)
    other: Series[int] = pa.Field(ge=0, description="indicators with no RAG rating")
    budget_text: _Text
    budget_tone: _Text = pa.Field(isin=SUMMARY_TONES)


class _FinanceBenchmark(_Table):
    """Columns shared by the finance benchmarks (:mod:`kassanalysis.analysis.finance`): a
    council of the comparator group and one line of the ASC-FR."""

    authority_code: _Text
    authority_name: _Text
    is_focus: Series[bool] = pa.Field(description="the council the report is for")
    financial_year: _Text = pa.Field(str_matches=_FY)
    support_type: _Text = _optional()
    support_setting: _Text = _optional()
    provision: _Text = _optional()
    age_band: _Text = _optional("as the return prints it")
    primary_support_reason: _Text = _optional()
    row_type: _Text = _optional()
    measure: _Text
    value: Series[float] = _optional("as published, in unit")
    unit: _Text = _optional()


class _FinanceRanks(_FinanceBenchmark):
    """The rank of a figure in the comparator group, after the figure's own columns."""

    rank: Series[float] = _optional("1 = the highest for no polarity; missing is not ranked")
    group_size: Series[int] = pa.Field(ge=0, description="members with a figure")
    quartile: Series[float] = _optional("1 = the highest quarter for no polarity")
    group_median: Series[float] = _optional()
    mads_from_group_median: Series[float] = _optional("Oflog's distance from the median")
    status: _Text = pa.Field(isin=STATUSES)
    source_file: _Text = _optional("the ASC-FR file; missing for a member without the line")
    source_line: _Count = _optional()
    group_id: _Text
    polarity: _Text


class _PerHead(_FinanceBenchmark):
    """The population that divides a line and the figure per head."""

    population: Series[float] = _optional("people in the denominator")
    denominator: _Text = _optional(
        "which ONS population divided the value: '18-64, mid-2014' (the age band's own) or "
        "'all ages, mid-2014' (total population, for all-adult lines only); missing when "
        "no population of the year was available"
    )
    per_head: Series[float] = _optional("GBP per head of the denominator")


class FinanceSpendPerHead(_FinanceRanks, _PerHead):
    """:func:`~kassanalysis.analysis.finance.benchmark_spend_per_head`: one row per line
    of the return and council of the group, expenditure per head of a population named in
    ``denominator``, then its rank in the group (columns in that order)."""


class FinanceUnitCosts(_FinanceRanks):
    """:func:`~kassanalysis.analysis.finance.benchmark_unit_costs`: one row per unit-cost
    line and council of the group, the published unit cost ranked as it stands."""


#: Name of each tidy table in data/processed and its schema.
TABLES: dict[str, type[pa.DataFrameModel]] = {
    "budget_lines": BudgetLines,
    "indicator_observations": IndicatorObservations,
    "published_ratings": PublishedRatings,
    "population": Population,
    "population_totals": PopulationTotals,
    "paf_banding": PafBanding,
    "comparator_members": ComparatorMembers,
    "finance_lines": FinanceLines,
    "data_quality": DataQuality,
}


def columns_of(model: type[pa.DataFrameModel]) -> list[str]:
    """The columns of a schema, in order."""
    return list(model.to_schema().columns)


def empty_frame(model: type[pa.DataFrameModel]) -> pd.DataFrame:
    """A frame with a schema's columns and no rows (what a cleaner returns for a table it
    could not read)."""
    return pd.DataFrame(columns=columns_of(model))
