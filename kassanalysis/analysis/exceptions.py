"""The exception rules: what goes in a division's exception summary for a period.

An exception report lists only what needs a manager's attention (the "management by
exception" of council performance packs). Five rules, each a pure function of an analysis
table, in the order the summary lists them:

1. an indicator rated Red, Amber, or below target with no floor set
   (:func:`~kassanalysis.analysis.performance.rate_against_target`);
2. an activity indicator outside its expected range on its threshold side
   (:func:`~kassanalysis.analysis.performance.check_activity_range`, ``flagged``);
3. special cause variation at an indicator's latest point (XmR chart, NHS England
   "Making Data Count");
4. a published table that does not reconcile (``data_quality``);
5. a forecast overspend on a monitoring total row (forecast outturn above budget,
   :func:`~kassanalysis.analysis.variance.monitor_budget`).

Every row keeps the source file and line of the figure behind it. Figures in the
``detail`` text are written by :mod:`kassanalysis.formatting`, by the indicator's unit.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from kassanalysis.analysis.performance import AMBER, NO_FLOOR, RED
from kassanalysis.formatting import format_number, format_value

__all__ = [
    "EXCEPTION_COLUMNS",
    "MONEY_UNIT",
    "activity_exceptions",
    "list_exceptions",
    "overspend_exceptions",
    "rag_exceptions",
    "reconciliation_exceptions",
    "special_cause_exceptions",
]

EXCEPTION_COLUMNS = ["category", "item", "detail", "period", "source_file", "source_line"]
"""Columns of every exception table."""

MONEY_UNIT = "GBP thousands"
"""Unit of the budget monitoring figures (the councils' tables print £000)."""

RAISED_RATINGS = (RED, AMBER, NO_FLOOR)
"""Ratings that are exceptions: Red, Amber, and below target where no floor is set."""


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=EXCEPTION_COLUMNS)


def _unit(row: pd.Series) -> str | None:
    unit = row.get("unit")
    return None if unit is None or pd.isna(unit) else str(unit)


def rag_exceptions(rag: pd.DataFrame) -> pd.DataFrame:
    """Indicators rated Red, Amber or below target with no floor.

    Parameters
    ----------
    rag : pandas.DataFrame
        Output of :func:`~kassanalysis.analysis.performance.rate_against_target`
        (``rag``, ``indicator_name``, ``actual``, ``target``, ``floor``, ``unit``,
        ``actual_period``, ``source_file``, ``source_line``).

    Returns
    -------
    pandas.DataFrame
        :data:`EXCEPTION_COLUMNS`, one row per raised rating, in the table's order.

    Examples
    --------
    >>> rag = pd.DataFrame({"rag": ["Red", "Green"], "indicator_name": ["A", "B"],
    ...     "actual": [84.1, 90.0], "target": [87.0, 85.0], "floor": [85.0, 80.0],
    ...     "unit": "%", "actual_period": "2013-14 Q1", "source_file": "q.txt",
    ...     "source_line": [4, 5]})
    >>> rag_exceptions(rag)["detail"].tolist()
    ['84.1% against target 87.0% (floor 85.0%)']
    """
    rows = []
    for _, row in rag.iterrows():
        if row["rag"] not in RAISED_RATINGS:
            continue
        unit = _unit(row)
        rows.append(
            {
                "category": row["rag"],
                "item": row["indicator_name"],
                "detail": f"{format_number(row['actual'], unit)} against target "
                f"{format_number(row['target'], unit)} "
                f"(floor {format_number(row['floor'], unit)})",
                "period": row["actual_period"],
                "source_file": row["source_file"],
                "source_line": row["source_line"],
            }
        )
    return _frame(rows)


def activity_exceptions(activity: pd.DataFrame) -> pd.DataFrame:
    """Activity indicators outside their expected range on the threshold side.

    Parameters
    ----------
    activity : pandas.DataFrame
        Output of :func:`~kassanalysis.analysis.performance.check_activity_range`.

    Returns
    -------
    pandas.DataFrame
        :data:`EXCEPTION_COLUMNS`, one row per ``flagged`` indicator.

    Examples
    --------
    >>> activity = pd.DataFrame({"flagged": [True, False], "indicator_name": ["A", "B"],
    ...     "status": ["Above expected range", "Within expected range"],
    ...     "latest": [2736.0, 10.0], "expected_low": [2500.0, 5.0],
    ...     "expected_high": [2700.0, 20.0], "unit": "count of people",
    ...     "latest_period": "2013-14 Q1", "source_file": "p.txt", "source_line": [8, 9]})
    >>> activity_exceptions(activity)["detail"].tolist()
    ['Above expected range: 2,736 people (expected 2,500 to 2,700)']
    """
    rows = []
    for _, row in activity.iterrows():
        if not bool(row["flagged"]):
            continue
        unit = _unit(row)
        rows.append(
            {
                "category": "Outside expected range",
                "item": row["indicator_name"],
                "detail": f"{row['status']}: {format_value(row['latest'], unit)} (expected "
                f"{format_number(row['expected_low'], unit)} to "
                f"{format_number(row['expected_high'], unit)})",
                "period": row["latest_period"],
                "source_file": row["source_file"],
                "source_line": row["source_line"],
            }
        )
    return _frame(rows)


def special_cause_exceptions(
    spc_by_indicator: Mapping[str, pd.DataFrame | None],
    names: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Indicators whose latest point on the XmR chart is special cause variation.

    Parameters
    ----------
    spc_by_indicator : mapping of str to pandas.DataFrame or None
        Indicator id -> output of :func:`~kassanalysis.analysis.stats.calculate_xmr_chart`
        (indexed by period, with ``special_cause`` and ``variation``); None when the series
        is too short for SPC.
    names : mapping of str to str, optional
        Indicator id -> name in words (``indicators.csv``), so the exception names the
        indicator as the other rules do, with its code in the detail; without it (or for
        an id it lacks) the item is the code.

    Returns
    -------
    pandas.DataFrame
        :data:`EXCEPTION_COLUMNS`, in the mapping's order; no source (the chart is derived).

    Examples
    --------
    >>> spc = pd.DataFrame({"special_cause": [False, True], "variation": [None, "concern"]},
    ...     index=["2012-13 Q4", "2013-14 Q1"])
    >>> special_cause_exceptions({"A": spc, "B": None})[["item", "detail", "period"]].values
    array([['A', 'concern', '2013-14 Q1']], dtype=object)
    >>> special_cause_exceptions({"A": spc}, {"A": "Delayed transfers"})[["item", "detail"]].values
    array([['Delayed transfers', 'concern (A)']], dtype=object)
    """
    rows = []
    names = names or {}
    for indicator_id, spc in spc_by_indicator.items():
        if spc is None or spc.empty or not bool(spc.iloc[-1]["special_cause"]):
            continue
        variation = str(spc.iloc[-1]["variation"])
        rows.append(
            {
                "category": "Special cause",
                "item": names.get(indicator_id, indicator_id),
                "detail": f"{variation} ({indicator_id})" if indicator_id in names else variation,
                "period": str(spc.index[-1]),
                "source_file": None,
                "source_line": None,
            }
        )
    return _frame(rows)


def reconciliation_exceptions(quality: pd.DataFrame) -> pd.DataFrame:
    """Every finding of a table that does not reconcile (already filtered to the division).

    Parameters
    ----------
    quality : pandas.DataFrame
        Rows of the ``data_quality`` table (``check``, ``message``, ``source_file``,
        ``source_line``).

    Returns
    -------
    pandas.DataFrame
        :data:`EXCEPTION_COLUMNS`, one row per finding, no period.

    Examples
    --------
    >>> quality = pd.DataFrame({"check": ["column_total"], "message": ["18 != 19"],
    ...     "source_file": ["b.txt"], "source_line": [12]})
    >>> reconciliation_exceptions(quality)["category"].tolist()
    ['Does not reconcile']
    """
    rows = [
        {
            "category": "Does not reconcile",
            "item": row["check"],
            "detail": row["message"],
            "period": None,
            "source_file": row["source_file"],
            "source_line": row["source_line"],
        }
        for _, row in quality.iterrows()
    ]
    return _frame(rows)


def overspend_exceptions(monitoring: pd.DataFrame, *, period: str) -> pd.DataFrame:
    """Monitoring total rows whose forecast outturn is above budget (a forecast overspend).

    Parameters
    ----------
    monitoring : pandas.DataFrame
        Output of :func:`~kassanalysis.analysis.variance.monitor_budget` (may be empty).
    period : str
        The monitoring period, for the ``period`` column.

    Returns
    -------
    pandas.DataFrame
        :data:`EXCEPTION_COLUMNS`, one row per total row forecast over budget; lines are
        not listed (the total carries them) and an underspend is not an exception.

    Examples
    --------
    >>> monitoring = pd.DataFrame({"row_type": ["line", "total"], "line_name": ["A", "Total"],
    ...     "budget": [100.0, 1000.0], "forecast_outturn": [150.0, 1035.4],
    ...     "forecast_variance": [50.0, 35.4], "source_file": "q.txt", "source_line": [5, 9]})
    >>> overspend_exceptions(monitoring, period="2013-14 Q1")["detail"].tolist()
    ['forecast £1,035.4 against budget £1,000.0 (+£35.4)']
    """
    if monitoring.empty:
        return _frame([])
    totals = monitoring[(monitoring["row_type"] == "total") & (monitoring["forecast_variance"] > 0)]
    rows = [
        {
            "category": "Forecast overspend",
            "item": row["line_name"],
            "detail": f"forecast {format_number(row['forecast_outturn'], MONEY_UNIT)} against "
            f"budget {format_number(row['budget'], MONEY_UNIT)} "
            f"({format_number(row['forecast_variance'], MONEY_UNIT, sign=True)})",
            "period": period,
            "source_file": row["source_file"],
            "source_line": row["source_line"],
        }
        for _, row in totals.iterrows()
    ]
    return _frame(rows)


def list_exceptions(
    *,
    rag: pd.DataFrame,
    activity: pd.DataFrame,
    spc_by_indicator: Mapping[str, pd.DataFrame | None],
    quality: pd.DataFrame,
    monitoring: pd.DataFrame,
    period: str,
    names: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """All five rules, in the summary's order (ratings, activity, special cause, does not
    reconcile, forecast overspend).

    Parameters
    ----------
    rag, activity, spc_by_indicator, quality, monitoring
        As for :func:`rag_exceptions`, :func:`activity_exceptions`,
        :func:`special_cause_exceptions`, :func:`reconciliation_exceptions` and
        :func:`overspend_exceptions`; ``activity`` and ``monitoring`` may be empty frames
        without columns.
    period : str
        The pack's period (for forecast overspends).
    names : mapping of str to str, optional
        Indicator id -> name in words, for the special-cause rule.

    Returns
    -------
    pandas.DataFrame
        :data:`EXCEPTION_COLUMNS`, index 0..n-1; empty when nothing needs attention.
    """
    parts = [
        rag_exceptions(rag) if not rag.empty else _frame([]),
        activity_exceptions(activity) if not activity.empty else _frame([]),
        special_cause_exceptions(spc_by_indicator, names),
        reconciliation_exceptions(quality),
        overspend_exceptions(monitoring, period=period),
    ]
    parts = [part for part in parts if not part.empty]
    if not parts:
        return _frame([])
    return pd.concat(parts, ignore_index=True)
