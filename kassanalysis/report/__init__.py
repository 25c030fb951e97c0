"""Report sections for the comparator, trend and variance notebooks.

One thin module per notebook (:mod:`~kassanalysis.report.comparator`,
:mod:`~kassanalysis.report.trend`, :mod:`~kassanalysis.report.variance`) over the shared
:mod:`~kassanalysis.report.common`. Notebooks import this package and call one function
per cell::

    import kassanalysis.report as kr
    ctx = kr.open_context(division="oppd-2013-14", period="2013-14 Q1")
    kr.performance_against_target(ctx)
"""

from kassanalysis.report.comparator import (
    comparator_charts,
    comparator_details,
    comparator_funnels,
    comparator_key_figures,
    comparator_overview,
    comparator_sensitivity,
)
from kassanalysis.report.context import (
    ParameterError,
    ReportContext,
    list_report_periods,
    open_context,
)
from kassanalysis.report.finance import finance_year_note, spend_per_head, unit_costs
from kassanalysis.report.trend import (
    recent_trends,
    spc_latest_points,
    trend_charts,
    trend_key_figures,
    trend_overview,
)
from kassanalysis.report.variance import (
    activity_against_range,
    budget_make_up,
    budget_variance,
    exception_summary,
    locality_comparison,
    performance_against_target,
    reconciliation_findings,
    staffing_variance,
    variance_charts,
    variance_key_figures,
)

__all__ = [
    "ParameterError",
    "ReportContext",
    "activity_against_range",
    "budget_make_up",
    "budget_variance",
    "comparator_charts",
    "comparator_details",
    "comparator_funnels",
    "comparator_key_figures",
    "comparator_overview",
    "comparator_sensitivity",
    "exception_summary",
    "finance_year_note",
    "list_report_periods",
    "locality_comparison",
    "open_context",
    "performance_against_target",
    "reconciliation_findings",
    "recent_trends",
    "spc_latest_points",
    "spend_per_head",
    "staffing_variance",
    "trend_charts",
    "trend_key_figures",
    "trend_overview",
    "unit_costs",
    "variance_charts",
    "variance_key_figures",
]
