"""How one council's indicator has moved over time, against its (phased) targets.

Pure functions on the tidy :class:`~kassanalysis.schemas.IndicatorObservations` frame: a
frame goes in, a new frame (or a sentence) comes out; nothing is read, written or mutated.

* :func:`summarise_trend` - the series of actuals for one indicator, each with its change
  from the previous figure, direction of travel (by polarity) and the target for its period.
* :func:`list_targets` - targets and floors by period, so a chart can draw phased targets
  ahead of the actuals.
* :func:`chart_spc` - the XmR (statistical process control) chart of a trend, once there
  are enough points for stable limits.
* :func:`describe_direction` - one plain-English sentence about the latest change.

Missing stays missing: a blank, ``[x]``, ``[c]`` or ``TBC`` actual is a row with a missing
``actual`` (its ``status`` says which), never zero, and the changes either side of it are
"not comparable". Every row carries the ``source_file`` and ``source_line`` of the value it
reports.

Which target applies to an actual (shared with :mod:`kassanalysis.analysis.performance`):
the target for the actual's own period; for a month, failing that, the phased target of the
quarter containing the month; for a financial year, failing that, the Q4 (year-end) target
of that year. A quarter is never judged against the full-year target: with phased targets
that is the Q4 figure, which is exactly the mistake phasing exists to prevent.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from kassanalysis import formatting
from kassanalysis.analysis.observations import (
    EQUAL_TOLERANCE,
    describe_status,
    find_for_period,
    is_missing,
    make_frame,
    meets_target,
    resolve_period,
    select_observations,
)
from kassanalysis.analysis.stats import calculate_xmr_chart, check_polarity
from kassanalysis.periods import Period
from kassanalysis.schemas import IndicatorObservations as Obs
from kassanalysis.schemas import TargetsByPeriod, TrendSeries

__all__ = ["chart_spc", "describe_direction", "list_targets", "summarise_trend"]


#: Fewest non-missing points for which :func:`chart_spc` draws control limits.
SPC_MINIMUM_POINTS = 12

# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _describe_step(change: float, polarity: str) -> str:
    """Direction of travel for a change, by polarity."""
    if is_missing(change):
        return "not comparable"
    if math.isclose(change, 0, abs_tol=EQUAL_TOLERANCE):
        return "no change"
    if polarity == "no_polarity":
        return "up" if change > 0 else "down"
    better = change > 0 if polarity == "higher_is_better" else change < 0
    return "improving" if better else "worsening"


def _format_value(value: float, unit: str | None, decimals: int | None = None) -> str:
    """A figure with its unit as a reader would write it (``75.4%``, ``2,736 people``), by
    the pack's one formatting module."""
    return formatting.format_value(value, unit, decimals=decimals)


def _format_change(change: float, unit: str | None, decimals: int | None = None) -> str:
    """Size of a change: percentage points for percentages, otherwise a bare number."""
    if decimals is not None and formatting.parse_unit(unit).kind != "percent":
        return formatting.format_number(change, unit, decimals=decimals)
    return formatting.format_change(change, unit)


def _format_short(value: float, unit: str | None, decimals: int | None = None) -> str:
    """A figure whose unit the sentence has already given: ``70.0%`` or ``2,707``."""
    return formatting.format_number(value, unit, decimals=decimals)


# ---------------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------------


def summarise_trend(
    observations: pd.DataFrame,
    *,
    indicator_id: str,
    polarity: str,
    authority_code: str,
    breakdown: str = "Total",
    up_to: Period | str | None = None,
    period_type: str | None = None,
) -> pd.DataFrame:
    """The series of actuals for one council and indicator, with change and target.

    Parameters
    ----------
    observations : pandas.DataFrame
        An :class:`~kassanalysis.schemas.IndicatorObservations` frame.
    indicator_id : str
        Indicator id from ``data/reference/indicators.csv``.
    polarity : {"higher_is_better", "lower_is_better", "no_polarity"}
        Decides which direction is "improving" and whether a target is met.
    authority_code : str
        ONS code of the council (the division's ``authority``, from
        ``data/reference/divisions.yml``).
    breakdown : str, default ``"Total"``
    up_to : Period or str, optional
        Keep only actuals for periods ending on or before the end of this period (a
        :class:`~kassanalysis.periods.Period` or a label such as ``"2013-14 Q2"``).
    period_type : {"year", "quarter", "month"}, optional
        Keep only actuals of this kind. By default years, quarters and months are all kept,
        in order of their last day; restrict them before comparing flows (admissions in a
        year are not comparable with admissions in a quarter).

    Returns
    -------
    pandas.DataFrame
        One row per actual (including actuals published as missing), ordered by
        ``period_end`` (then ``period_start``), with columns:

        ``period``, ``period_type``, ``period_end``; ``actual`` (NaN when not published)
        and ``status`` (why: ``reported``, ``missing``, ``suppressed``...); ``target`` and
        ``target_period``, the target that applies to the actual (its own period's, or for
        a month the phased target of the quarter containing it, or for a year its Q4
        target; NaN/missing when there is none); ``change`` (actual minus the previous
        actual) and ``pct_change`` (change / previous x 100, NaN when the previous is 0 or
        missing); ``direction`` ("improving", "worsening", "no change" or, for
        ``no_polarity``, "up", "down", "no change"; "not comparable" for the first point and
        next to a missing one); ``met_target`` (nullable boolean: equal to the target counts
        as met; missing when there is no target or no actual, and for ``no_polarity``);
        ``source_file`` and ``source_line`` of the actual.

    Raises
    ------
    ValueError
        If ``polarity`` or ``period_type`` is not recognised, or the same actual or target
        is published with two different values.

    Examples
    --------
    >>> obs = pd.DataFrame({
    ...     "authority_code": "E10000016", "indicator_id": "PB", "breakdown": "Total",
    ...     "period": ["2012-13", "2013-14", "2013-14"], "period_type": "year",
    ...     "period_start": pd.to_datetime(["2012-04-01", "2013-04-01", "2013-04-01"]),
    ...     "period_end": pd.to_datetime(["2013-03-31", "2014-03-31", "2014-03-31"]),
    ...     "value_type": ["actual", "actual", "target"], "value": [70.0, 75.4, 75.0],
    ...     "unit": "%", "status": "reported", "source_file": "plan.txt",
    ...     "source_line": [10, 11, 12]})
    >>> trend = summarise_trend(obs, indicator_id="PB", polarity="higher_is_better",
    ...                         authority_code="E10000016")
    >>> trend[["period", "actual", "change", "direction", "target", "met_target"]]
        period  actual  change       direction  target  met_target
    0  2012-13    70.0     NaN  not comparable     NaN        <NA>
    1  2013-14    75.4     5.4       improving    75.0        True
    """
    check_polarity(polarity)
    if period_type is not None and period_type not in ("year", "quarter", "month"):
        raise ValueError(f"period_type must be year, quarter or month, not {period_type!r}")
    frame = select_observations(
        observations,
        indicator_id=indicator_id,
        authority_code=authority_code,
        breakdown=breakdown,
        value_types=("actual", "target"),
    )
    targets = frame.loc[frame[Obs.value_type] == "target"]
    actuals = frame.loc[frame[Obs.value_type] == "actual"]
    if up_to is not None:
        actuals = actuals.loc[actuals[Obs.period_end] <= pd.Timestamp(resolve_period(up_to).end)]
    if period_type is not None:
        actuals = actuals.loc[actuals[Obs.period_type] == period_type]

    records = []
    previous = np.nan
    for row in actuals.itertuples(index=False):
        actual = getattr(row, Obs.value)
        target_row, _ = find_for_period(targets, row.period_start, row.period_end, row.period_type)
        target = np.nan if target_row is None else target_row[Obs.value]
        change = actual - previous
        pct_change = np.nan if is_missing(previous) or previous == 0 else change / previous * 100
        records.append(
            {
                "period": row.period,
                "period_type": row.period_type,
                "period_end": row.period_end,
                "actual": actual,
                "status": row.status,
                "target": target,
                "target_period": None if target_row is None else target_row[Obs.period],
                "change": change,
                "pct_change": pct_change,
                "direction": _describe_step(change, polarity),
                "met_target": meets_target(actual, target, polarity),
                "source_file": row.source_file,
                "source_line": row.source_line,
            }
        )
        previous = actual
    trend = make_frame(records, TrendSeries)
    trend["met_target"] = trend["met_target"].astype("boolean")
    return trend


def list_targets(
    observations: pd.DataFrame,
    *,
    indicator_id: str,
    authority_code: str,
    breakdown: str = "Total",
) -> pd.DataFrame:
    """Targets and floors by period, for drawing phased targets alongside the actuals.

    Parameters
    ----------
    observations : pandas.DataFrame
        An :class:`~kassanalysis.schemas.IndicatorObservations` frame.
    indicator_id, authority_code, breakdown : str
        Which series: the council's ONS code, the breakdown (default ``"Total"``).

    Returns
    -------
    pandas.DataFrame
        One row per period that has a target or a floor row, ordered by ``period_end`` then
        ``period_start``; columns ``period``, ``period_type``, ``period_end``, ``target``,
        ``target_status``, ``floor``, ``floor_status`` (a ``TBC`` target is a missing
        ``target`` with ``target_status`` ``to_be_confirmed``; a status is missing when no
        row was published), then ``target_source_file``, ``target_source_line``,
        ``floor_source_file``, ``floor_source_line``.

    Examples
    --------
    >>> obs = pd.DataFrame({
    ...     "authority_code": "E10000016", "indicator_id": "PB", "breakdown": "Total",
    ...     "period": ["2013-14 Q1", "2013-14 Q2", "2013-14"],
    ...     "period_type": ["quarter", "quarter", "year"],
    ...     "period_start": pd.to_datetime(["2013-04-01", "2013-07-01", "2013-04-01"]),
    ...     "period_end": pd.to_datetime(["2013-06-30", "2013-09-30", "2014-03-31"]),
    ...     "value_type": ["target", "target", "floor"], "value": [70.0, 77.0, 64.0],
    ...     "unit": "%", "status": "reported", "source_file": "plan.txt",
    ...     "source_line": [550, 550, 550]})
    >>> targets = list_targets(obs, indicator_id="PB", authority_code="E10000016")
    >>> targets[["period", "target", "floor"]]
           period  target  floor
    0  2013-14 Q1    70.0    NaN
    1  2013-14 Q2    77.0    NaN
    2     2013-14     NaN   64.0
    """
    frame = select_observations(
        observations,
        indicator_id=indicator_id,
        authority_code=authority_code,
        breakdown=breakdown,
        value_types=("target", "floor"),
    )
    records: dict[tuple, dict[str, Any]] = {}
    for row in frame.itertuples(index=False):
        key = (row.period_end, row.period_start, row.period_type)
        record = records.setdefault(
            key,
            {
                "period": row.period,
                "period_type": row.period_type,
                "period_end": row.period_end,
            },
        )
        kind = row.value_type
        record[kind] = getattr(row, Obs.value)
        record[f"{kind}_status"] = row.status
        record[f"{kind}_source_file"] = row.source_file
        record[f"{kind}_source_line"] = row.source_line
    ordered = [records[key] for key in sorted(records)]
    return make_frame(ordered, TargetsByPeriod)


def chart_spc(
    trend_frame: pd.DataFrame,
    polarity: str,
    min_points: int = SPC_MINIMUM_POINTS,
    *,
    baseline_points: int | None = None,
    rebase_at: list[str] | None = None,
) -> pd.DataFrame | None:
    """The XmR (statistical process control) chart of a trend, or ``None`` if too short.

    Control limits from few points are unstable: each new point moves them, so a "special
    cause" flagged on them means little. NHS England's Making Data Count approach, as
    implemented in the NHSRplotthedots R package that
    :func:`~kassanalysis.analysis.stats.calculate_xmr_chart` follows, calculates limits from
    12 points and treats limits from fewer as provisional "trial limits" (vignette "Number
    of points required"). A performance pack shows the plain trend instead until 12
    non-missing points exist (three years of quarters, or a year of months).

    Parameters
    ----------
    trend_frame : pandas.DataFrame
        Output of :func:`summarise_trend` (columns ``period``, ``period_type``, ``actual``).
    polarity : {"higher_is_better", "lower_is_better", "no_polarity"}
    min_points : int, default 12
        Fewest non-missing actuals for which to draw a chart (at least 2).
    baseline_points : int, optional
        Fix the limits on the first ``baseline_points`` points of each segment (at least
        12; Making Data Count's fixed baseline). Default: limits from every point.
    rebase_at : list of str, optional
        Periods (labels in ``period``) where the analyst rebased the chart
        (``data/reference/spc_rebase.csv``); see
        :func:`~kassanalysis.analysis.stats.calculate_xmr_chart`.

    Returns
    -------
    pandas.DataFrame or None
        :func:`~kassanalysis.analysis.stats.calculate_xmr_chart`'s frame indexed by
        ``period`` (missing actuals stay as rows with missing limits and flags), or ``None``
        when there are fewer than ``min_points`` non-missing actuals.

    Raises
    ------
    ValueError
        If ``min_points`` is below 2, or the non-missing actuals mix years, quarters and
        months (filter with ``summarise_trend(..., period_type=...)``).

    Examples
    --------
    >>> trend = pd.DataFrame({"period": [f"M{i}" for i in range(1, 13)],
    ...                       "period_type": "month",
    ...                       "actual": [5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5]})
    >>> chart = chart_spc(trend, "higher_is_better")
    >>> float(chart.loc["M1", "mean"]), bool(chart["special_cause"].any())
    (5.75, False)
    >>> chart_spc(trend.head(11), "higher_is_better") is None
    True
    """
    check_polarity(polarity)
    if min_points < 2:
        raise ValueError(f"an XmR chart needs min_points of at least 2, not {min_points}")
    actual = pd.to_numeric(trend_frame["actual"], errors="raise").astype(float)
    present = actual.notna()
    if int(present.sum()) < min_points:
        return None
    kinds = pd.unique(trend_frame.loc[present, "period_type"])
    if len(kinds) > 1:
        raise ValueError(
            f"the trend mixes period types {sorted(kinds)}; chart one kind at a time "
            "(summarise_trend(..., period_type=...))"
        )
    values = pd.Series(actual.to_numpy(), index=pd.Index(trend_frame["period"], name="period"))
    return calculate_xmr_chart(
        values, polarity, baseline_points=baseline_points, rebase_at=rebase_at or None
    )


def describe_direction(
    trend_frame: pd.DataFrame,
    polarity: str,
    unit: str | None = None,
    *,
    decimals: int | None = None,
) -> str:
    """One plain-English sentence about the latest change in a trend.

    Parameters
    ----------
    trend_frame : pandas.DataFrame
        Output of :func:`summarise_trend` (uses ``period``, ``actual`` and, when present,
        ``status``, ``target`` and ``target_period``).
    polarity : {"higher_is_better", "lower_is_better", "no_polarity"}
    unit : str, optional
        The indicator's unit from ``indicators.csv`` (``"%"``, ``"rate per 10000
        population aged 65+"``, ``"count of people"``...), written out once on the latest
        figure. Percentages change by percentage points; other changes are given as a
        number and as a percentage of the previous figure.
    decimals : int, optional
        Decimal places for figures; by default the unit's own (:mod:`kassanalysis.formatting`:
        counts 0, percentages and rates 1).

    Returns
    -------
    str
        ``"<Direction>: <latest> in <period> (<target>, met|not met), up|down <change>
        from <previous> in <previous period>."``; the direction label is left out for
        ``no_polarity`` indicators and the target clause when there is no target. When the
        latest or previous figure is missing the sentence says so instead of comparing.

    Examples
    --------
    >>> trend = pd.DataFrame({
    ...     "period": ["2012-13", "2013-14"], "actual": [70.0, 75.4],
    ...     "status": "reported", "target": [float("nan"), 77.0],
    ...     "target_period": [None, "2013-14"]})
    >>> print(describe_direction(trend, "higher_is_better", "%"))  # doctest: +NORMALIZE_WHITESPACE
    Improving: 75.4% in 2013-14 (target 77.0%, not met), up 5.4 percentage points from 70.0%
    in 2012-13.
    >>> describe_direction(trend.assign(actual=[2707.0, 2736.0]), "no_polarity", "count of people")
    '2,736 people in 2013-14, up 29 (1.1%) from 2,707 in 2012-13.'
    """
    check_polarity(polarity)
    if trend_frame.empty:
        return "No figures have been published."
    latest = trend_frame.iloc[-1]
    actual = latest["actual"]
    if is_missing(actual):
        status = describe_status(latest.get("status"))
        reported = trend_frame.loc[trend_frame["actual"].notna()]
        if reported.empty:
            return f"No data: the figure for {latest['period']} is {status}."
        last = reported.iloc[-1]
        return (
            f"No data for {latest['period']} (the figure is {status}); the latest "
            f"published figure is {_format_value(last['actual'], unit, decimals)} in "
            f"{last['period']}."
        )

    sentence = f"{_format_value(actual, unit, decimals)} in {latest['period']}"
    target = latest.get("target", np.nan)
    if polarity != "no_polarity" and not is_missing(target):
        target_period = latest.get("target_period")
        which = (
            "target"
            if is_missing(target_period) or target_period == latest["period"]
            else f"{target_period} target"
        )
        met = "met" if meets_target(actual, target, polarity) else "not met"
        sentence += f" ({which} {_format_short(target, unit, decimals)}, {met})"

    if len(trend_frame) == 1:
        return sentence + "; there is no earlier figure to compare with."
    before = trend_frame.iloc[-2]
    previous = before["actual"]
    if is_missing(previous):
        return (
            f"{sentence}; not comparable with {before['period']}, for which the figure is "
            f"{describe_status(before.get('status'))}."
        )
    change = actual - previous
    direction = _describe_step(change, polarity)
    if direction == "no change":
        return f"No change: {sentence}, the same as in {before['period']}."
    size = _format_change(abs(change), unit, decimals)
    relative = formatting.percent_change(abs(previous), abs(previous) + abs(change))
    if formatting.parse_unit(unit).kind != "percent" and not math.isnan(relative):
        size += f" ({formatting.format_percent(relative)})"  # none on a zero or tiny base
    sentence += (
        f", {'up' if change > 0 else 'down'} {size} from "
        f"{_format_short(previous, unit, decimals)} in {before['period']}."
    )
    return sentence if polarity == "no_polarity" else f"{direction.capitalize()}: {sentence}"
