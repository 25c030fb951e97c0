"""The budget position in a division's one-page summary: forecast outturn against budget for
the monitoring total(s), then the largest line variances, in words and tones.

Re-exported from :mod:`kassanalysis.analysis.summary`.
"""

from __future__ import annotations

import pandas as pd

from kassanalysis import formatting
from kassanalysis.analysis.observations import is_missing, make_frame
from kassanalysis.analysis.tones import CONCERN, GOOD, NEUTRAL, NOT_AVAILABLE
from kassanalysis.analysis.variance import monitor_budget
from kassanalysis.schemas import BudgetSummary

__all__ = ["summarise_budget_monitoring"]


def summarise_budget_monitoring(
    budget_lines: pd.DataFrame, *, units: list[str], period: str, n_largest: int = 3
) -> pd.DataFrame:
    """The budget position for the summary: forecast outturn against budget for the
    monitoring total(s), then the ``n_largest`` line variances by size.

    Parameters
    ----------
    budget_lines : pandas.DataFrame
        A :class:`~kassanalysis.schemas.BudgetLines` frame with the monitoring return
        (measures ``budget``, ``forecast_outturn``, ``actual_to_date``; see
        :func:`~kassanalysis.analysis.variance.monitor_budget`).
    units : list of str
        The division's budget units.
    period : str
        Monitoring period label, e.g. ``"2013-14 Q1"``.
    n_largest : int, default 3
        How many line variances to list, largest absolute variance first (ties in printed
        order).

    Returns
    -------
    pandas.DataFrame
        :class:`~kassanalysis.schemas.BudgetSummary`: ``kind`` (``"total"`` or
        ``"largest variance"``), ``line_name``, ``budget``, ``forecast_outturn``,
        ``forecast_variance`` (positive = forecast overspend), ``forecast_variance_pct``,
        ``position`` (``"forecast overspend"``, ``"forecast underspend"``, ``"on
        budget"`` or ``"not available"``), ``tone`` (overspend ``concern``, underspend
        ``good``), ``text`` (e.g. ``"forecast overspend of £250.0 thousand (1.2% of
        budget)"``) and the source file and line. Money in GBP thousands, as the
        monitoring returns print it. No rows when there is no return for ``period``.
    """
    if n_largest < 0:
        raise ValueError(f"n_largest must be 0 or more, not {n_largest}")
    monitoring = monitor_budget(budget_lines, units=units, period=period)
    if monitoring.empty:
        return make_frame([], BudgetSummary)
    totals = monitoring[monitoring["row_type"] == "total"]
    lines = monitoring[monitoring["row_type"] == "line"]
    lines = lines.assign(_size=lines["forecast_variance"].abs()).dropna(subset=["_size"])
    largest = lines.sort_values("_size", ascending=False, kind="stable").head(n_largest)
    records = []
    for kind, rows in (("total", totals), ("largest variance", largest)):
        for _, row in rows.iterrows():
            variance = row["forecast_variance"]
            if is_missing(variance):
                position, tone = "not available", NOT_AVAILABLE
                text = "not available: no forecast outturn or budget"
            else:
                position, tone = (
                    ("forecast overspend", CONCERN)
                    if variance > 0
                    else ("forecast underspend", GOOD)
                    if variance < 0
                    else ("on budget", NEUTRAL)
                )
                size = formatting.format_value(abs(variance), "GBP thousands")
                share = (
                    f" ({formatting.format_percent(abs(row['forecast_variance_pct']))} of budget)"
                    if not is_missing(row["forecast_variance_pct"])
                    else ""
                )
                text = position if variance == 0 else f"{position} of {size}{share}"
            records.append(
                {
                    "kind": kind,
                    "line_name": row["line_name"],
                    "budget": row["budget"],
                    "forecast_outturn": row["forecast_outturn"],
                    "forecast_variance": variance,
                    "forecast_variance_pct": row["forecast_variance_pct"],
                    "position": position,
                    "tone": tone,
                    "text": text,
                    "source_file": row["source_file"],
                    "source_line": row["source_line"],
                }
            )
    return make_frame(records, BudgetSummary)
