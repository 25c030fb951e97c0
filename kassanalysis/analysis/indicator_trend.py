"""One council's indicator series put to the field's trend tests: Fingertips' recent trend
and Making Data Count's SPC reading of the latest point.

The methods are :func:`~kassanalysis.analysis.stats.calculate_recent_trend` and
:func:`~kassanalysis.analysis.stats.calculate_xmr_chart` /
:func:`~kassanalysis.analysis.stats.describe_latest_point`; this module chooses their
inputs from the tidy observations (counts and denominators for a proportion, Byar 95%
limits for a rate, the published value otherwise) and says in words what they found, so
the trend report and the pack's summary read every series the same way.

References
----------
.. [1] OHID Fingertips, recent trend (PHEindicatormethods ``R/TrendMarkers.R``).
.. [2] NHS England, "Making Data Count": fixed baselines, rebasing only for a recorded
   reason, variation and assurance icons (NHSRplotthedots ``R/ptd_spc_standard.R``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kassanalysis.analysis import stats
from kassanalysis.analysis.observations import is_missing, resolve_period, select_observations
from kassanalysis.analysis.spc import MINIMUM_BASELINE_POINTS
from kassanalysis.analysis.trend import SPC_MINIMUM_POINTS, chart_spc
from kassanalysis.periods import Period
from kassanalysis.schemas import IndicatorObservations as Obs

__all__ = [
    "calculate_indicator_recent_trend",
    "describe_indicator_spc",
    "read_recent_trend",
    "summarise_recent_trend",
]


def _decimal_years(starts: pd.Series) -> np.ndarray:
    """Time values for the trend test, as Fingertips uses the year values: each period's
    first month as a year and twelfths (2019-20 is 2019.25, its Q2 2019.5), so that
    years, quarters and months are evenly spaced (the statistic depends only on the
    spacing)."""
    starts = pd.to_datetime(starts)
    return (starts.dt.year + (starts.dt.month - 1) / 12).to_numpy(dtype=float)


def calculate_indicator_recent_trend(actuals: pd.DataFrame, info: pd.Series) -> dict[str, Any]:
    """Fingertips' recent trend of one council's series of actuals (one period type).

    Parameters
    ----------
    actuals : pandas.DataFrame
        :class:`~kassanalysis.schemas.IndicatorObservations` rows of one council,
        indicator, breakdown and period type, value type ``actual`` (any order).
    info : pandas.Series
        The indicator's reference row (``unit``; ``per`` for a rate).

    Returns
    -------
    dict
        As :func:`~kassanalysis.analysis.stats.calculate_recent_trend` (``marker``,
        ``reason``, ``statistic``, ``gradient``, ``years``), plus ``method``: ``"proportion
        from counts"`` (a ``%`` indicator with every numerator and denominator),
        ``"rate with Byar 95% limits"`` (an indicator with ``per`` and every numerator and
        denominator) or ``"value with 95% limits"`` (anything else: no limits are
        published, so the marker cannot be calculated, with the reason).

    Examples
    --------
    Five years of 10, 20, 30, 40, 50 people in 100 (a proportion rising by a clear
    margin):

    >>> actuals = pd.DataFrame({"period_start": pd.to_datetime(
    ...     ["2019-04-01", "2020-04-01", "2021-04-01", "2022-04-01", "2023-04-01"]),
    ...     "numerator": [10.0, 20, 30, 40, 50], "denominator": 100.0,
    ...     "value": [10.0, 20, 30, 40, 50]})
    >>> result = calculate_indicator_recent_trend(actuals, pd.Series({"unit": "%"}))
    >>> result["marker"], result["method"]
    ('increasing', 'proportion from counts')
    """
    years = _decimal_years(actuals[Obs.period_start])
    numerator = actuals[Obs.numerator].astype(float).to_numpy()
    denominator = actuals[Obs.denominator].astype(float).to_numpy()
    values = actuals[Obs.value].astype(float).to_numpy()
    counted = len(actuals) > 0 and not np.isnan(numerator).any()
    if str(info.get("unit", "")).strip() == "%" and counted:
        result = stats.calculate_recent_trend(years, numerator=numerator, denominator=denominator)
        return result | {"method": "proportion from counts"}
    per = info.get("per")
    if not is_missing(per) and str(per) != "" and counted and not np.isnan(denominator).any():
        rate, lower, upper = stats.calculate_rate_interval(
            numerator, denominator, per=float(per), confidence=0.95
        )
        result = stats.calculate_recent_trend(years, values=rate, lower_95=lower, upper_95=upper)
        return result | {"method": "rate with Byar 95% limits"}
    missing = np.full(len(actuals), np.nan)
    result = stats.calculate_recent_trend(years, values=values, lower_95=missing, upper_95=missing)
    return result | {"method": "value with 95% limits"}


def read_recent_trend(result: dict[str, Any], polarity: str) -> str:
    """A recent trend result in words, read by polarity: ``"decreasing and getting
    better"``, ``"no significant change"``, or ``"cannot be calculated: <reason>"``.

    Examples
    --------
    >>> read_recent_trend({"marker": "increasing", "reason": "x"}, "lower_is_better")
    'increasing and getting worse'
    >>> read_recent_trend({"marker": "cannot be calculated", "reason": "not enough data points"},
    ...                   "higher_is_better")
    'cannot be calculated: not enough data points'
    """
    if result["marker"] == "cannot be calculated":
        return f"cannot be calculated: {result['reason']}"
    return stats.describe_recent_trend(result["marker"], polarity)


def summarise_recent_trend(
    observations: pd.DataFrame,
    info: pd.Series,
    *,
    indicator_id: str,
    authority_code: str,
    up_to: Period | str,
    breakdown: str = "Total",
) -> dict[str, Any]:
    """The recent trend of a council's indicator up to a period, as a report row.

    The series is the council's actuals of the same period type as its latest actual
    ending on or before ``up_to`` (years with years, quarters with quarters), as the pack
    summary reads it.

    Parameters
    ----------
    observations : pandas.DataFrame
        :class:`~kassanalysis.schemas.IndicatorObservations`.
    info : pandas.Series
        The indicator's reference row (``unit``, ``per``, ``polarity``).
    indicator_id, authority_code : str
        The indicator and the council (ONS code).
    up_to : Period or str
        The reporting period.
    breakdown : str, default "Total"

    Returns
    -------
    dict
        ``period_type``, ``points`` (actuals in the series), ``periods_tested`` (``"2018-19
        to 2022-23"``: the five points tested, or empty), ``method``, ``marker``,
        ``reason``, ``statistic``, ``gradient`` (see
        :func:`calculate_indicator_recent_trend`), ``recent_trend`` (read by polarity,
        :func:`read_recent_trend`) and the latest point's ``source_file`` and
        ``source_line``. With no actuals, ``recent_trend`` says so.
    """
    period = resolve_period(up_to)
    actuals = select_observations(
        observations,
        indicator_id=indicator_id,
        authority_code=authority_code,
        breakdown=breakdown,
        value_types=("actual",),
    )
    actuals = actuals[actuals[Obs.period_end] <= pd.Timestamp(period.end)]
    if actuals.empty:
        return {
            "points": 0,
            "marker": "cannot be calculated",
            "reason": "no actuals by this period",
            "recent_trend": "cannot be calculated: no actuals by this period",
        }
    actuals = actuals.sort_values([Obs.period_end, Obs.period_start], kind="stable")
    kind = actuals[Obs.period_type].iloc[-1]
    actuals = actuals[actuals[Obs.period_type] == kind]
    result = calculate_indicator_recent_trend(actuals, info)
    tested = actuals[Obs.period].iloc[-5:] if result["years"] else pd.Series(dtype=object)
    latest = actuals.iloc[-1]
    return {
        "period_type": kind,
        "points": len(actuals),
        "periods_tested": f"{tested.iloc[0]} to {tested.iloc[-1]}" if len(tested) else "",
        "method": result["method"],
        "marker": result["marker"],
        "reason": result["reason"],
        "statistic": result["statistic"],
        "gradient": result["gradient"],
        "recent_trend": read_recent_trend(result, str(info["polarity"])),
        "source_file": latest[Obs.source_file],
        "source_line": latest[Obs.source_line],
    }


def describe_indicator_spc(
    trend_frame: pd.DataFrame,
    polarity: str,
    *,
    rebase: pd.DataFrame | None = None,
    baseline_points: int = MINIMUM_BASELINE_POINTS,
    min_points: int = SPC_MINIMUM_POINTS,
) -> tuple[pd.DataFrame | None, dict[str, Any]]:
    """The XmR chart of a series with a fixed baseline and the analyst's rebase points,
    and its latest point's variation and assurance in words.

    Parameters
    ----------
    trend_frame : pandas.DataFrame
        :func:`~kassanalysis.analysis.trend.summarise_trend` output of one period type
        (``period``, ``period_type``, ``actual``, ``target``).
    polarity : {"higher_is_better", "lower_is_better", "no_polarity"}
    rebase : pandas.DataFrame, optional
        The indicator's rows of ``data/reference/spc_rebase.csv`` (``period``,
        ``reason``; from :func:`kassanalysis.io.read_spc_rebase`). Points not in the series
        are named in ``note`` and not used.
    baseline_points : int, default 12
        Limits fixed on the first ``baseline_points`` points of each segment.
    min_points : int, default 12
        Fewest non-missing points for a chart.

    Returns
    -------
    (pandas.DataFrame or None, dict)
        The chart (:func:`~kassanalysis.analysis.trend.chart_spc`, or None when too short)
        and a record: ``points``, ``latest_period``, ``value``, ``mean``, ``lower_limit``,
        ``upper_limit``, ``target`` (the latest point's), ``variation``,
        ``variation_text``, ``assurance``, ``assurance_text`` (as
        :func:`~kassanalysis.analysis.stats.describe_latest_point`), ``baseline`` (e.g.
        ``"limits fixed on the first 12 points"``), ``rebased_at`` (``"2023-24 Q1: new
        definition"``, or ``"none"``) and ``note`` (why there is no chart, or rebase
        points not in the series).

    Examples
    --------
    >>> trend = pd.DataFrame({"period": [f"M{i}" for i in range(1, 13)],
    ...     "period_type": "month", "actual": [5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5],
    ...     "target": 9.0})
    >>> _, record = describe_indicator_spc(trend, "higher_is_better")
    >>> record["variation_text"], record["assurance_text"]
    ('common cause', 'consistently fails the target')
    """
    points = int(pd.to_numeric(trend_frame["actual"]).notna().sum())
    record: dict[str, Any] = {"points": points, "rebased_at": "none", "note": ""}
    periods = set(trend_frame["period"])
    named = rebase if rebase is not None else pd.DataFrame(columns=["period", "reason"])
    used = named[named["period"].isin(periods)]
    outside = named[~named["period"].isin(periods)]
    if not outside.empty:
        record["note"] = "rebase point(s) not in this series: " + ", ".join(outside["period"])
    if not used.empty:
        record["rebased_at"] = "; ".join(f"{r.period}: {r.reason}" for r in used.itertuples())
    if points < min_points:
        text = f"not shown: {points} point{'' if points == 1 else 's'} ({min_points} needed)"
        return None, record | {
            "variation_text": text,
            "assurance_text": text,
            "baseline": "none",
        }
    try:
        chart = chart_spc(
            trend_frame,
            polarity,
            min_points,
            baseline_points=baseline_points,
            rebase_at=list(used["period"]),
        )
    except ValueError as exc:  # a rebase leaving a segment of one point
        text = f"not shown: {exc}"
        return None, record | {"variation_text": text, "assurance_text": text, "baseline": "none"}
    target = trend_frame["target"].iloc[-1] if "target" in trend_frame.columns else np.nan
    latest = stats.describe_latest_point(
        chart, polarity, target=None if is_missing(target) else float(target)
    )
    row = chart.loc[latest["period"]]
    return chart, record | {
        "latest_period": latest["period"],
        "value": latest["value"],
        "mean": float(row["mean"]),
        "lower_limit": float(row["lower_limit"]),
        "upper_limit": float(row["upper_limit"]),
        "target": np.nan if is_missing(target) else float(target),
        "variation": latest["variation"],
        "variation_text": latest["variation_text"],
        "assurance": latest["assurance"],
        "assurance_text": latest["assurance_text"],
        "baseline": f"limits fixed on the first {baseline_points} points",
    }
