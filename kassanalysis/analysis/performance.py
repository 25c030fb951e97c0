"""The performance dashboard rules: RAG ratings against (phased) targets and activity ranges.

The cabinet committee dashboard rates each performance indicator:

* **Green** - the current target is achieved or exceeded (exactly on target is Green);
* **Amber** - below target but at or above the floor, the minimum standard (exactly on the
  floor is Amber);
* **Red** - below the floor.

"Below" depends on polarity: for ``lower_is_better`` indicators (admissions to permanent
residential care) a figure above the target number misses it. Targets may be phased through
the year, so a quarter is judged against its own quarter's target, a month against the
target of the quarter containing it, and a year against the year's target (or, failing
that, its Q4 target); the floor is the floor for the same period or, failing that, for the
financial year containing it.

Activity indicators (``no_polarity``) are neither good nor bad; they are watched against an
expected range, and the indicator's ``threshold`` says which side matters.

Pure functions on the tidy :class:`~kassanalysis.schemas.IndicatorObservations` frame and
the indicator reference (``data/reference/indicators.csv`` indexed by ``id``); missing stays
missing, and every row says which file and line each figure came from.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kassanalysis.analysis.stats import check_polarity
from kassanalysis.analysis.trend import (
    _describe_status,
    _find_for_period,
    _format_value,
    _is_missing,
    _make_frame,
    _meets_target,
    _resolve_period,
    _select_observations,
)
from kassanalysis.periods import Period
from kassanalysis.schemas import IndicatorObservations as Obs

__all__ = ["assess_rag", "check_activity_range", "rate_against_target"]

GREEN, AMBER, RED = "Green", "Amber", "Red"
NO_TARGET = "No target"
NO_FLOOR = "Below target (no floor set)"
NO_DATA = "No data"
NOT_RATED = "Not rated"

WITHIN, ABOVE, BELOW = "Within expected range", "Above expected range", "Below expected range"
NO_RANGE = "No expected range published"

_KIND_LENGTH = {"year": 0, "quarter": 1, "month": 2}  # longest period first

_RAG_COLUMNS = {
    "indicator_id": "str",
    "indicator_name": "str",
    "polarity": "str",
    "unit": "str",
    "actual_period": "str",
    "actual": "float64",
    "target_period": "str",
    "target": "float64",
    "floor_period": "str",
    "floor": "float64",
    "rag": "str",
    "gap_to_target": "float64",
    "note": "str",
    "source_file": "str",
    "source_line": "Int64",
    "target_source_file": "str",
    "target_source_line": "Int64",
    "floor_source_file": "str",
    "floor_source_line": "Int64",
}

_ACTIVITY_COLUMNS = {
    "indicator_id": "str",
    "indicator_name": "str",
    "unit": "str",
    "latest_period": "str",
    "latest": "float64",
    "range_period": "str",
    "expected_low": "float64",
    "expected_high": "float64",
    "threshold": "str",
    "status": "str",
    "flagged": "bool",
    "note": "str",
    "source_file": "str",
    "source_line": "Int64",
    "expected_low_source_file": "str",
    "expected_low_source_line": "Int64",
    "expected_high_source_file": "str",
    "expected_high_source_line": "Int64",
}


def assess_rag(actual: Any, target: Any, floor: Any, polarity: str) -> str:
    """Red, Amber or Green for one figure, by the dashboard rules.

    Parameters
    ----------
    actual, target, floor : float or None
        The figure, its target and its floor (minimum standard) for the same period.
        ``None``, NaN and ``pd.NA`` mean not published.
    polarity : {"higher_is_better", "lower_is_better", "no_polarity"}

    Returns
    -------
    str
        ``"Green"`` when the target is met or beaten (exactly on target is Green);
        ``"Amber"`` when it is missed but the floor is met (exactly on the floor is Amber);
        ``"Red"`` when the floor is missed. Otherwise, in this order of precedence:
        ``"Not rated"`` for ``no_polarity`` (activity) indicators, ``"No data"`` when there
        is no actual, ``"No target"`` when there is no target, and ``"Below target (no
        floor set)"`` when the target is missed and there is no floor to tell Amber from
        Red.

    Examples
    --------
    >>> assess_rag(77.0, 77.0, 70.0, "higher_is_better")
    'Green'
    >>> assess_rag(70.0, 77.0, 70.0, "higher_is_better")
    'Amber'
    >>> assess_rag(6.0, 5.7, 5.8, "lower_is_better")  # above the floor of 5.8: worse
    'Red'
    >>> assess_rag(None, 77.0, 70.0, "higher_is_better")
    'No data'
    """
    check_polarity(polarity)
    if polarity == "no_polarity":
        return NOT_RATED
    if _is_missing(actual):
        return NO_DATA
    if _is_missing(target):
        return NO_TARGET
    if _meets_target(float(actual), float(target), polarity):
        return GREEN
    if _is_missing(floor):
        return NO_FLOOR
    return AMBER if _meets_target(float(actual), float(floor), polarity) else RED


def _index_indicators(indicators: pd.DataFrame) -> pd.DataFrame:
    """The indicator reference indexed by id, checked for the columns used here."""
    if indicators.index.name != "id" and "id" in indicators.columns:
        indicators = indicators.set_index("id")
    if "polarity" not in indicators.columns:
        raise ValueError("indicators needs a 'polarity' column (data/reference/indicators.csv)")
    if not indicators.index.is_unique:
        duplicated = sorted(indicators.index[indicators.index.duplicated()].unique())
        raise ValueError(f"indicators lists id(s) {duplicated} more than once")
    for polarity in indicators["polarity"].unique():
        check_polarity(polarity)
    return indicators


def _choose_indicators(
    observations: pd.DataFrame,
    indicators: pd.DataFrame,
    indicator_ids: list[str] | None,
    *,
    period: Period,
    authority_code: str,
    breakdown: str,
    activity: bool,
) -> list[str]:
    """Indicator ids to report, in the reference's order unless ``indicator_ids`` is given.

    By default an indicator is reported when it has an actual for a period ending by the end
    of ``period``, or a target, floor or expected range for a period overlapping ``period``
    (so an indicator that was due but has no figure shows as "No data", while one whose
    figures all lie in other years does not clutter the dashboard).
    """
    is_activity = indicators["polarity"] == "no_polarity"
    wanted = indicators.index[is_activity if activity else ~is_activity]
    if indicator_ids is not None:
        unknown = [i for i in indicator_ids if i not in indicators.index]
        if unknown:
            raise ValueError(f"indicator id(s) {unknown} are not in the indicator reference")
        wrong = [i for i in indicator_ids if i not in wanted]
        if wrong:
            raise ValueError(
                f"{wrong} are performance indicators; rate them with rate_against_target"
                if activity
                else f"{wrong} are activity (no_polarity) indicators; check them with "
                "check_activity_range"
            )
        return list(dict.fromkeys(indicator_ids))
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    period_start = pd.to_datetime(observations[Obs.period_start])
    period_end = pd.to_datetime(observations[Obs.period_end])
    is_actual = observations[Obs.value_type] == "actual"
    relevant = (
        (observations[Obs.authority_code] == authority_code)
        & (observations[Obs.breakdown] == breakdown)
        & (
            (is_actual & (period_end <= end))
            | (~is_actual & (period_start <= end) & (period_end >= start))
        )
    )
    present = set(observations.loc[relevant, Obs.indicator_id])
    return [i for i in wanted if i in present]


def _pick_latest(actuals: pd.DataFrame, period: Period) -> tuple[pd.Series | None, list[str]]:
    """The latest actual ending by ``period``'s end, preferring one with a number.

    Among actuals ending on the same day (a year, its Q4 and March), prefer the kind of
    ``period`` itself, then the longest period. If the very latest is published without a
    number ([x], [c], TBC), the latest that has one is used and a note says so.
    """
    end = pd.Timestamp(period.end)
    candidates = actuals.loc[actuals[Obs.period_end] <= end].copy()
    if candidates.empty:
        return None, [f"no actual published for a period ending by the end of {period.label}"]
    candidates["_other_kind"] = candidates[Obs.period_type] != period.kind
    candidates["_length"] = candidates[Obs.period_type].map(_KIND_LENGTH)
    candidates = candidates.sort_values(
        [Obs.period_end, "_other_kind", "_length"], ascending=[False, True, True], kind="stable"
    )
    latest = candidates.iloc[0]
    valued = candidates.loc[candidates[Obs.value].notna()]
    notes = []
    if valued.empty:
        notes.append(f"the {latest[Obs.period]} actual is {_describe_status(latest[Obs.status])}")
        chosen = latest
    else:
        chosen = valued.iloc[0]
        if chosen[Obs.period_end] < latest[Obs.period_end]:
            notes.append(
                f"the {latest[Obs.period]} actual is {_describe_status(latest[Obs.status])}; "
                f"showing the latest published, {chosen[Obs.period]}"
            )
    if not notes and chosen[Obs.period_end] < pd.Timestamp(period.start):
        notes.append(f"latest actual is for {chosen[Obs.period]}, before {period.label}")
    return chosen, notes


def _latest_actuals(
    observations: pd.DataFrame,
    indicators: pd.DataFrame,
    indicator_ids: list[str] | None,
    *,
    period: Period,
    authority_code: str,
    breakdown: str,
    activity: bool,
    value_types: tuple[str, ...],
):
    """For each indicator to report (see :func:`_choose_indicators`): its id, reference
    row, its observations of ``value_types``, the actual chosen for ``period`` with notes
    (see :func:`_pick_latest`), and its unit (the reference's, else the actual's)."""
    indicators = _index_indicators(indicators)
    for indicator_id in _choose_indicators(
        observations,
        indicators,
        indicator_ids,
        period=period,
        authority_code=authority_code,
        breakdown=breakdown,
        activity=activity,
    ):
        info = indicators.loc[indicator_id]
        frame = _select_observations(
            observations,
            indicator_id=indicator_id,
            authority_code=authority_code,
            breakdown=breakdown,
            value_types=value_types,
        )
        chosen, notes = _pick_latest(frame.loc[frame[Obs.value_type] == "actual"], period)
        unit = info.get("unit")
        if _is_missing(unit) and chosen is not None:
            unit = chosen[Obs.unit]
        yield indicator_id, info, frame, chosen, notes, None if _is_missing(unit) else str(unit)


def _span(row: pd.Series | None, period: Period) -> tuple[pd.Timestamp, pd.Timestamp, str]:
    """Start, end and kind of the actual's period, or of ``period`` when there is none."""
    if row is None:
        return pd.Timestamp(period.start), pd.Timestamp(period.end), period.kind
    return row[Obs.period_start], row[Obs.period_end], row[Obs.period_type]


def _get(row: pd.Series | None, column: str) -> Any:
    return None if row is None else row[column]


def rate_against_target(
    observations: pd.DataFrame,
    indicators: pd.DataFrame,
    *,
    period: Period | str,
    authority_code: str,
    indicator_ids: list[str] | None = None,
    breakdown: str = "Total",
) -> pd.DataFrame:
    """The dashboard: each performance indicator's latest actual rated against its target.

    Parameters
    ----------
    observations : pandas.DataFrame
        An :class:`~kassanalysis.schemas.IndicatorObservations` frame.
    indicators : pandas.DataFrame
        The indicator reference indexed by ``id`` (an ``id`` column is also accepted), with
        ``polarity`` and, if available, ``name`` and ``unit``.
    period : Period or str
        The reporting period, e.g. ``"2013-14 Q3"``: each indicator's latest actual for a
        period ending on or before its last day is rated; later actuals are ignored.
    authority_code : str
        ONS code of the council (the division's ``authority``, from
        ``data/reference/divisions.yml``).
    indicator_ids : list of str, optional
        Indicators to rate, in this order (one row each, "No data" if nothing is
        published). By default every indicator in the reference, in its order, that is not
        ``no_polarity`` and, for this council, has an actual ending by the end of
        ``period`` or a target or floor for a period overlapping it.
    breakdown : str, default ``"Total"``

    Returns
    -------
    pandas.DataFrame
        One row per indicator with columns ``indicator_id``, ``indicator_name``,
        ``polarity``, ``unit``; ``actual_period`` and ``actual``; ``target_period`` and
        ``target`` (the target for the actual's own period: the same quarter, the quarter
        containing a month, or the year's or else Q4's target for a year; for an indicator
        with no actual, the target for ``period``); ``floor_period`` and ``floor`` (the
        same period's floor or else that of the financial year containing it); ``rag``
        (see :func:`assess_rag`); ``gap_to_target`` (positive = better than target, by
        polarity); ``note`` (why a figure is missing or stale and, when the actual has no
        target, the next published one; empty when there is nothing to say); and
        provenance: ``source_file``, ``source_line`` (of the actual),
        ``target_source_file``, ``target_source_line``, ``floor_source_file``,
        ``floor_source_line``.

    Raises
    ------
    ValueError
        If ``indicator_ids`` names an unknown or ``no_polarity`` indicator, a polarity is
        not recognised, or one value is published twice with different numbers.

    Examples
    --------
    >>> indicators = pd.DataFrame({"name": ["Personal budgets"], "polarity": ["higher_is_better"],
    ...                            "unit": ["%"]}, index=pd.Index(["PB"], name="id"))
    >>> obs = pd.DataFrame({
    ...     "authority_code": "E10000016", "indicator_id": "PB", "breakdown": "Total",
    ...     "period": ["2013-14 Q1", "2013-14 Q1", "2013-14"],
    ...     "period_type": ["quarter", "quarter", "year"],
    ...     "period_start": pd.to_datetime(["2013-04-01", "2013-04-01", "2013-04-01"]),
    ...     "period_end": pd.to_datetime(["2013-06-30", "2013-06-30", "2014-03-31"]),
    ...     "value_type": ["actual", "target", "floor"], "value": [68.0, 70.0, 64.0],
    ...     "unit": "%", "status": "reported", "source_file": "plan.txt",
    ...     "source_line": [12, 550, 550]})
    >>> dash = rate_against_target(obs, indicators, period="2013-14 Q1",
    ...                            authority_code="E10000016")
    >>> dash[["actual", "target", "floor_period", "floor", "rag", "gap_to_target"]]
       actual  target floor_period  floor    rag  gap_to_target
    0    68.0    70.0      2013-14   64.0  Amber           -2.0
    """
    period = _resolve_period(period)
    records = []
    for indicator_id, info, frame, chosen, notes, unit in _latest_actuals(
        observations,
        indicators,
        indicator_ids,
        period=period,
        authority_code=authority_code,
        breakdown=breakdown,
        activity=False,
        value_types=("actual", "target", "floor"),
    ):
        polarity = info["polarity"]
        by_type = {kind: frame.loc[frame[Obs.value_type] == kind] for kind in ("target", "floor")}
        start, end, kind = _span(chosen, period)
        target_row, unvalued_target = _find_for_period(by_type["target"], start, end, kind)
        floor_row, unvalued_floor = _find_for_period(
            by_type["floor"], start, end, kind, fall_back_to_year=True
        )
        actual = np.nan if chosen is None else chosen[Obs.value]
        target = np.nan if target_row is None else target_row[Obs.value]
        floor = np.nan if floor_row is None else floor_row[Obs.value]
        rag = assess_rag(actual, target, floor, polarity)

        if target_row is None:
            own = chosen[Obs.period] if chosen is not None else period.label
            if unvalued_target is not None:
                notes.append(
                    f"the target for {unvalued_target[Obs.period]} is "
                    f"{_describe_status(unvalued_target[Obs.status])}"
                )
            else:
                notes.append(f"no target for {own}")
            later = (
                by_type["target"]
                .loc[
                    (by_type["target"][Obs.period_end] > end) & by_type["target"][Obs.value].notna()
                ]
                .sort_values(
                    [Obs.period_end, Obs.period_start], ascending=[True, False], kind="stable"
                )
            )
            if not later.empty:
                upcoming = later.iloc[0]
                notes.append(
                    f"next published target is {upcoming[Obs.period]}: "
                    f"{_format_value(upcoming[Obs.value], unit)}"
                )
        if rag == NO_FLOOR and unvalued_floor is not None:
            notes.append(
                f"the floor for {unvalued_floor[Obs.period]} is "
                f"{_describe_status(unvalued_floor[Obs.status])}"
            )

        gap = actual - target
        if polarity == "lower_is_better":
            gap = -gap
        records.append(
            {
                "indicator_id": indicator_id,
                "indicator_name": info.get("name", indicator_id),
                "polarity": polarity,
                "unit": unit,
                "actual_period": _get(chosen, Obs.period),
                "actual": actual,
                "target_period": _get(target_row, Obs.period),
                "target": target,
                "floor_period": _get(floor_row, Obs.period),
                "floor": floor,
                "rag": rag,
                "gap_to_target": gap,
                "note": "; ".join(notes),
                "source_file": _get(chosen, Obs.source_file),
                "source_line": _get(chosen, Obs.source_line),
                "target_source_file": _get(target_row, Obs.source_file),
                "target_source_line": _get(target_row, Obs.source_line),
                "floor_source_file": _get(floor_row, Obs.source_file),
                "floor_source_line": _get(floor_row, Obs.source_line),
            }
        )
    return _make_frame(records, _RAG_COLUMNS)


def _threshold_side(value: Any, indicator_id: str) -> str:
    """``upper``, ``lower`` or ``either`` (blank: both sides matter)."""
    if _is_missing(value) or str(value).strip() == "":
        return "either"
    side = str(value).strip().lower()
    if side not in ("upper", "lower"):
        raise ValueError(f"{indicator_id}: threshold must be upper, lower or blank, not {value!r}")
    return side


def check_activity_range(
    observations: pd.DataFrame,
    indicators: pd.DataFrame,
    *,
    period: Period | str,
    authority_code: str,
    indicator_ids: list[str] | None = None,
    breakdown: str = "Total",
) -> pd.DataFrame:
    """Each activity indicator's latest figure against its expected range.

    Parameters
    ----------
    observations : pandas.DataFrame
        An :class:`~kassanalysis.schemas.IndicatorObservations` frame; ranges are the
        ``expected_low`` and ``expected_high`` value types.
    indicators : pandas.DataFrame
        The indicator reference indexed by ``id``, with ``polarity``, ``threshold``
        (``upper``, ``lower`` or blank) and, if available, ``name`` and ``unit``.
    period : Period or str
        The reporting period: the latest figure for a period ending on or before its last
        day is checked.
    authority_code : str
        ONS code of the council (the division's ``authority``, from
        ``data/reference/divisions.yml``).
    indicator_ids : list of str, optional
        ``no_polarity`` indicators to check, in this order. By default every ``no_polarity``
        indicator in the reference that, for this council, has an actual ending by the end
        of ``period`` or an expected range for a period overlapping it.
    breakdown : str, default ``"Total"``

    Returns
    -------
    pandas.DataFrame
        One row per indicator: ``indicator_id``, ``indicator_name``, ``unit``,
        ``latest_period``, ``latest``; ``range_period``, ``expected_low``,
        ``expected_high`` (the range for the figure's own period or, for a month, the
        quarter containing it; for a year, failing that, its Q4); ``threshold`` (``upper``:
        flag when above the range; ``lower``: flag when below; ``either``: the reference
        leaves it blank, flag when outside either bound); ``status`` ("Within expected
        range", "Above expected range", "Below expected range", "No expected range
        published" or "No data"; a figure equal to a bound is within); ``flagged`` (bool);
        ``note``; and provenance: ``source_file``, ``source_line`` (of the figure) and
        ``expected_low_source_file``, ``expected_low_source_line``,
        ``expected_high_source_file``, ``expected_high_source_line``.

    Examples
    --------
    >>> indicators = pd.DataFrame({"name": ["Older people in residential care"],
    ...                            "polarity": ["no_polarity"], "threshold": ["upper"]},
    ...                           index=pd.Index(["RES"], name="id"))
    >>> obs = pd.DataFrame({
    ...     "authority_code": "E10000016", "indicator_id": "RES", "breakdown": "Total",
    ...     "period": "2013-14 Q1", "period_type": "quarter",
    ...     "period_start": pd.Timestamp("2013-04-01"), "period_end": pd.Timestamp("2013-06-30"),
    ...     "value_type": ["actual", "expected_low", "expected_high"],
    ...     "value": [2800.0, 2600.0, 2750.0], "unit": "count of people",
    ...     "status": "reported", "source_file": "plan.txt", "source_line": [20, 30, 30]})
    >>> checked = check_activity_range(obs, indicators, period="2013-14 Q1",
    ...                                authority_code="E10000016")
    >>> checked[["status", "flagged"]]
                     status  flagged
    0  Above expected range     True
    """
    period = _resolve_period(period)
    records = []
    for indicator_id, info, frame, chosen, notes, unit in _latest_actuals(
        observations,
        indicators,
        indicator_ids,
        period=period,
        authority_code=authority_code,
        breakdown=breakdown,
        activity=True,
        value_types=("actual", "expected_low", "expected_high"),
    ):
        threshold = _threshold_side(info.get("threshold"), indicator_id)
        bounds = frame.loc[frame[Obs.value_type] != "actual"]
        latest = np.nan if chosen is None else chosen[Obs.value]
        start, end, kind = _span(chosen, period)
        # Find the period whose range applies, then take both bounds from that period.
        range_row, unvalued = _find_for_period(bounds, start, end, kind)
        low_row = high_row = None
        if range_row is not None:
            in_range_period = bounds.loc[
                (bounds[Obs.period_start] == range_row[Obs.period_start])
                & (bounds[Obs.period_end] == range_row[Obs.period_end])
                & (bounds[Obs.period_type] == range_row[Obs.period_type])
                & bounds[Obs.value].notna()
            ]
            for row in (in_range_period.iloc[i] for i in range(len(in_range_period))):
                if row[Obs.value_type] == "expected_low":
                    low_row = row
                else:
                    high_row = row
        elif unvalued is not None:
            notes.append(
                f"the expected range for {unvalued[Obs.period]} is "
                f"{_describe_status(unvalued[Obs.status])}"
            )
        low = np.nan if low_row is None else low_row[Obs.value]
        high = np.nan if high_row is None else high_row[Obs.value]

        if _is_missing(latest):
            status = NO_DATA
        elif range_row is None:
            status = NO_RANGE
        elif high_row is not None and latest > high:
            status = ABOVE
        elif low_row is not None and latest < low:
            status = BELOW
        else:
            status = WITHIN
        flagged = (status == ABOVE and threshold in ("upper", "either")) or (
            status == BELOW and threshold in ("lower", "either")
        )
        if range_row is not None:
            watched = {
                "upper": [("upper", high_row)],
                "lower": [("lower", low_row)],
                "either": [("lower", low_row), ("upper", high_row)],
            }[threshold]
            for side, row in watched:
                if row is None:
                    notes.append(
                        f"no {side} bound published for {range_row[Obs.period]}, so "
                        f"the {side} side cannot be checked"
                    )

        records.append(
            {
                "indicator_id": indicator_id,
                "indicator_name": info.get("name", indicator_id),
                "unit": unit,
                "latest_period": _get(chosen, Obs.period),
                "latest": latest,
                "range_period": _get(range_row, Obs.period),
                "expected_low": low,
                "expected_high": high,
                "threshold": threshold,
                "status": status,
                "flagged": bool(flagged),
                "note": "; ".join(notes),
                "source_file": _get(chosen, Obs.source_file),
                "source_line": _get(chosen, Obs.source_line),
                "expected_low_source_file": _get(low_row, Obs.source_file),
                "expected_low_source_line": _get(low_row, Obs.source_line),
                "expected_high_source_file": _get(high_row, Obs.source_file),
                "expected_high_source_line": _get(high_row, Obs.source_line),
            }
        )
    return _make_frame(records, _ACTIVITY_COLUMNS)
