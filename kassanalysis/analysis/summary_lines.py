"""The budget, data-quality and headline lines of the one-page summary.

Companions of :func:`kassanalysis.analysis.summary.summarise_indicators_for_dashboard`
(and re-exported from :mod:`kassanalysis.analysis.summary`): the budget position
(forecast outturn against budget and the largest variances), one line per table that does
not reconcile, and each division's line in the pack summary. Pure functions, frames in,
new frames out, each validated against its schema.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from kassanalysis import formatting
from kassanalysis.analysis import performance
from kassanalysis.analysis.observations import is_missing, make_frame
from kassanalysis.analysis.variance import monitor_budget
from kassanalysis.schemas import BudgetSummary, DataQualitySummary, SummaryHeadline

__all__ = [
    "CONCERN",
    "GOOD",
    "NEUTRAL",
    "NOT_AVAILABLE",
    "WARNING",
    "summarise_budget_monitoring",
    "summarise_data_quality",
    "summarise_headline",
]

#: Tones: how a summary cell is coloured. Every cell also says its answer in words.
GOOD, CONCERN, WARNING, NEUTRAL, NOT_AVAILABLE = (
    "good",
    "concern",
    "warning",
    "neutral",
    "not_available",
)


def summarise_budget_monitoring(
    budget_lines: pd.DataFrame,
    *,
    units: list[str],
    period: str,
    n_largest: int = 3,
    financial_year: str | None = None,
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
    financial_year : str, optional
        The period's financial year: when no return is for ``period``, the year's monitoring
        statement is used (see :func:`~kassanalysis.analysis.variance.monitor_budget`).

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
    monitoring = monitor_budget(
        budget_lines, units=units, period=period, financial_year=financial_year
    )
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


def summarise_data_quality(
    data_quality: pd.DataFrame,
    catalogue_truncated: Mapping[str, str],
    *,
    files: set[str] | None = None,
) -> pd.DataFrame:
    """One line per table that does not reconcile.

    Parameters
    ----------
    data_quality : pandas.DataFrame
        The build's :class:`~kassanalysis.schemas.DataQuality` findings.
    catalogue_truncated : mapping of str to str
        Raw file -> the catalogue's ``truncated`` note, for tables the catalogue already
        marks as truncated: such a table is one line saying so, however many findings it
        has (its totals cannot reconcile with the lines that survive).
    files : set of str, optional
        Only these raw files (a division's); by default every file with a finding.

    Returns
    -------
    pandas.DataFrame
        :class:`~kassanalysis.schemas.DataQualitySummary`, one row per source file in file
        order: ``source_file``, ``findings`` (how many), ``truncated`` (whether the
        catalogue marks it) and ``text``: for a truncated table ``"marked truncated in the
        catalogue: <note> (<n> findings)"``, otherwise ``"<n> finding(s): <first
        message>"``.

    Examples
    --------
    >>> quality = pd.DataFrame({"source_file": ["a.txt", "a.txt", "b.txt"],
    ...     "source_line": [3.0, 9.0, 4.0], "message": ["x", "y", "z"]})
    >>> summarise_data_quality(quality, {"b.txt": "page lost"})["text"].tolist()
    ['2 findings: x (line 3)', 'marked truncated in the catalogue: page lost (1 finding)']
    """
    quality = data_quality
    if files is not None:
        quality = quality[quality["source_file"].isin(files)]
    records = []
    for source, rows in quality.groupby("source_file", sort=True):
        rows = rows.sort_values("source_line", na_position="last", kind="stable")
        n = len(rows)
        count = f"{n} finding{'s' if n != 1 else ''}"
        truncated = source in catalogue_truncated
        if truncated:
            note = " ".join(str(catalogue_truncated[source]).split())
            text = f"marked truncated in the catalogue: {note} ({count})"
        else:
            first = rows.iloc[0]
            line = (
                f" (line {int(first['source_line'])})"
                if not is_missing(first["source_line"])
                else ""
            )
            text = f"{count}: {first['message']}{line}"
        records.append({"source_file": source, "findings": n, "truncated": truncated, "text": text})
    return make_frame(records, DataQualitySummary)


def summarise_headline(
    indicators_summary: pd.DataFrame, budget_summary: pd.DataFrame, *, period: str
) -> pd.DataFrame:
    """A division's line in the pack summary: how many indicators are Red, Amber and
    Green, how many are not rated, and the budget position.

    Parameters
    ----------
    indicators_summary : pandas.DataFrame
        From :func:`summarise_indicators_for_dashboard`.
    budget_summary : pandas.DataFrame
        From :func:`summarise_budget_monitoring`.
    period : str
        The pack's period, for the budget sentence when there is no monitoring return.

    Returns
    -------
    pandas.DataFrame
        :class:`~kassanalysis.schemas.SummaryHeadline`, one row: ``red``, ``amber``,
        ``green`` (counts), ``other`` (indicators with no rating: no data, no target,
        activity indicators...), ``budget_text`` (the first total's position, or that there
        is no monitoring return for ``period``) and ``budget_tone``.

    Examples
    --------
    >>> dashboard = pd.DataFrame({"rag": ["Red", "Green", "Green", "No data"]})
    >>> budget = pd.DataFrame({"kind": ["total"], "text": ["on budget"], "tone": ["neutral"]})
    >>> headline = summarise_headline(dashboard, budget, period="2013-14 Q1")
    >>> headline[["red", "amber", "green", "other", "budget_text"]].to_dict("records")
    [{'red': 1, 'amber': 0, 'green': 2, 'other': 1, 'budget_text': 'on budget'}]
    """
    ratings = indicators_summary["rag"].value_counts()
    counted = {
        word: int(ratings.get(rag, 0))
        for word, rag in (
            ("red", performance.RED),
            ("amber", performance.AMBER),
            ("green", performance.GREEN),
        )
    }
    totals = budget_summary[budget_summary["kind"] == "total"]
    if totals.empty:
        budget_text = f"not available: no budget monitoring return for {period}"
        budget_tone = NOT_AVAILABLE
    else:
        budget_text, budget_tone = str(totals["text"].iloc[0]), str(totals["tone"].iloc[0])
    record = {
        **counted,
        "other": int(len(indicators_summary) - sum(counted.values())),
        "budget_text": budget_text,
        "budget_tone": budget_tone,
    }
    return make_frame([record], SummaryHeadline)
