"""Statistical process control: the XmR chart as NHS England's "Making Data Count" uses it.

The chart (mean, process limits, the four special-cause rules), a fixed baseline and
rebasing at points the analyst names, assurance against a target, and the latest point's
variation and assurance in words a summary can use. Re-exported from
:mod:`kassanalysis.analysis.stats`.

Rebasing is never automatic: the analyst names the points (with the reason) in
``data/reference/spc_rebase.csv`` (columns ``indicator_id``, ``period``, ``reason``) and the
caller passes those periods as ``rebase_at``.

References
----------
.. [1] NHS England, "Making Data Count" (2019, revised 2023) and its "Plot the dots" SPC tool.
.. [2] NHSRplotthedots R package, nhs-r-community/NHSRplotthedots on GitHub, tag 0.2.2
   (commit 050b07d7): ``R/ptd_spc_standard.R`` (limits, screening, ``fix_after_n_points``,
   ``rebase``), ``R/ptd_calculate_point_type.R`` (rules) and
   ``R/ptd_calculate_assurance_type.R`` (assurance).
.. [3] Nelson, L.S. (1982), "Control Charts for Individual Measurements", Journal of Quality
   Technology 14(3).
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from kassanalysis.analysis._arrays import (
    ArrayLike,
    Polarity,
    _prepare,
    _raise_where,
    _wrap,
    check_polarity,
)

__all__ = [
    "ASSURANCE_WORDS",
    "MINIMUM_BASELINE_POINTS",
    "TWO_OF_THREE_VARIANTS",
    "VARIATION_WORDS",
    "calculate_assurance",
    "calculate_xmr_chart",
    "describe_latest_point",
]

# XmR constants, as in NHSRplotthedots R/ptd_spc_standard.R.
_XMR_LIMIT = 2.66  # 3 sigma = 3 / 1.128 (d2 for n = 2) ~= 2.66 mean moving ranges
_XMR_TWO_SIGMA = 2 * _XMR_LIMIT / 3  # 2 sigma line, ~= 1.773 mean moving ranges
_XMR_OUTLIER_SCREEN = 3.267  # D4 for n = 2: upper limit of the moving-range chart
_XMR_RUN_LENGTH = 7  # points in a shift (one side of the mean) or a trend

#: Making Data Count asks for at least 12 points before limits are fixed or recalculated.
MINIMUM_BASELINE_POINTS = 12

#: The two readings of the 2-of-3 rule (see :func:`calculate_xmr_chart`).
TWO_OF_THREE_VARIANTS = ("beyond_two_sigma", "between_two_sigma_and_limits")

TwoOfThree = Literal["beyond_two_sigma", "between_two_sigma_and_limits"]

#: Summary words for the ``variation`` codes of :func:`describe_latest_point`.
VARIATION_WORDS = {
    "special_cause_improvement": "special cause improvement",
    "special_cause_concern": "special cause concern",
    "special_cause_neither": "special cause, neither improvement nor concern",
    "common_cause": "common cause",
}

#: Summary words for the codes of :func:`calculate_assurance`.
ASSURANCE_WORDS = {
    "consistent_pass": "consistently passes the target",
    "consistent_fail": "consistently fails the target",
    "inconsistent": "inconsistently passes and fails the target",
}


# --------------------------------------------------------------------------------------
# Rules (one small function each, as NHSRplotthedots keeps them)
# --------------------------------------------------------------------------------------


def _flag_runs(condition: np.ndarray, min_length: int) -> np.ndarray:
    """Flag every element of a run of at least ``min_length`` consecutive True values."""
    flags = np.zeros(condition.size, dtype=bool)
    edges = np.diff(np.concatenate(([0], condition.astype(np.int8), [0])))
    for start, stop in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
        if stop - start >= min_length:
            flags[start:stop] = True
    return flags


def _flag_trend(steps: np.ndarray, n_points: int, min_points: int) -> np.ndarray:
    """Flag points in runs where ``steps`` (point i to i + 1) hold ``min_points - 1`` times."""
    flags = np.zeros(n_points, dtype=bool)
    step_runs = _flag_runs(steps, min_points - 1)
    flags[:-1] |= step_runs  # the point each qualifying step starts from...
    flags[1:] |= step_runs  # ...and the point it ends on
    return flags


def _flag_two_of_three(beyond: np.ndarray, same_side: np.ndarray) -> np.ndarray:
    """Flag points beyond 2 sigma that form 2-of-3 with all three on one side."""
    flags = np.zeros(beyond.size, dtype=bool)
    if beyond.size < 3:
        return flags
    windows_beyond = np.lib.stride_tricks.sliding_window_view(beyond, 3)
    windows_side = np.lib.stride_tricks.sliding_window_view(same_side, 3)
    hit = (windows_beyond.sum(axis=1) >= 2) & windows_side.all(axis=1)
    in_hit_window = np.zeros(beyond.size, dtype=bool)
    for offset in range(3):
        in_hit_window[offset : offset + hit.size] |= hit
    return in_hit_window & beyond


def _calculate_limits(x: np.ndarray, screen_outliers: bool) -> tuple[float, float]:
    """Mean and (screened) mean moving range of the baseline points ``x``."""
    mean = float(x.mean())
    moving_range = np.abs(np.diff(x))
    mean_moving_range = float(moving_range.mean())
    if screen_outliers and mean_moving_range > 0:
        kept = moving_range < _XMR_OUTLIER_SCREEN * mean_moving_range
        mean_moving_range = float(moving_range[kept].mean())
    return mean, mean_moving_range


def _chart_segment(
    x: np.ndarray,
    polarity: str,
    screen_outliers: bool,
    baseline_points: int | None,
    two_of_three: str,
) -> dict[str, np.ndarray]:
    """Limits from the segment's baseline, rules over the whole segment."""
    baseline = x if baseline_points is None else x[:baseline_points]
    mean, mean_moving_range = _calculate_limits(baseline, screen_outliers)
    upper_limit = mean + _XMR_LIMIT * mean_moving_range
    lower_limit = mean - _XMR_LIMIT * mean_moving_range
    upper_two_sigma = mean + _XMR_TWO_SIGMA * mean_moving_range
    lower_two_sigma = mean - _XMR_TWO_SIGMA * mean_moving_range

    side = np.sign(x - mean)
    above, below = side > 0, side < 0
    step = np.sign(np.diff(x))

    outside_high = x > upper_limit
    outside_low = x < lower_limit
    beyond_high = x > upper_two_sigma
    beyond_low = x < lower_two_sigma
    if two_of_three == "between_two_sigma_and_limits":
        beyond_high &= ~outside_high
        beyond_low &= ~outside_low
    shift_high = _flag_runs(above, _XMR_RUN_LENGTH)
    shift_low = _flag_runs(below, _XMR_RUN_LENGTH)
    trend_up = _flag_trend(step > 0, x.size, _XMR_RUN_LENGTH)
    trend_down = _flag_trend(step < 0, x.size, _XMR_RUN_LENGTH)
    two_high = _flag_two_of_three(beyond_high, above)
    two_low = _flag_two_of_three(beyond_low, below)

    outside = outside_high | outside_low
    shift = shift_high | shift_low
    trend = trend_up | trend_down
    two = two_high | two_low
    special = outside | shift | trend | two
    high = outside_high | shift_high | trend_up | two_high
    low = outside_low | shift_low | trend_down | two_low

    variation = np.full(x.size, "common cause", dtype=object)
    if polarity == "no_polarity":
        variation[special] = "neither"
    else:
        good, bad = (high, low) if polarity == "higher_is_better" else (low, high)
        variation[special & good & ~bad] = "improvement"
        variation[special & bad & ~good] = "concern"
        variation[special & good & bad] = "neither"

    constant = np.ones(x.size)
    return {
        "mean": constant * mean,
        "mean_moving_range": constant * mean_moving_range,
        "lower_limit": constant * lower_limit,
        "upper_limit": constant * upper_limit,
        "lower_two_sigma": constant * lower_two_sigma,
        "upper_two_sigma": constant * upper_two_sigma,
        "outside_limits": outside,
        "shift": shift,
        "trend": trend,
        "two_of_three": two,
        "special_cause": special,
        "variation": variation,
    }


def _validate_baseline_points(baseline_points: Any) -> int | None:
    if baseline_points is None:
        return None
    if (
        isinstance(baseline_points, bool)
        or not isinstance(baseline_points, numbers.Integral)
        or baseline_points < MINIMUM_BASELINE_POINTS
    ):
        raise ValueError(
            f"baseline_points must be a whole number of at least {MINIMUM_BASELINE_POINTS} "
            f"(Making Data Count fixes limits on 12 or more points), got {baseline_points!r}"
        )
    return int(baseline_points)


def _segment_starts(index: pd.Index, rebase_at: Sequence[Any] | None) -> list[int]:
    """Positions where segments start: 0 and every rebase point."""
    starts = {0}
    for label in rebase_at or ():
        if label not in index:
            raise ValueError(
                f"rebase point {label!r} is not in the series (index runs "
                f"{index[0]!r} to {index[-1]!r})"
            )
        position = index.get_loc(label)
        if not isinstance(position, int):
            raise ValueError(f"rebase point {label!r} appears more than once in the index")
        starts.add(position)
    return sorted(starts)


# --------------------------------------------------------------------------------------
# The chart
# --------------------------------------------------------------------------------------


def calculate_xmr_chart(
    values: ArrayLike,
    polarity: Polarity,
    screen_outliers: bool = True,
    *,
    baseline_points: int | None = None,
    rebase_at: Sequence[Any] | None = None,
    two_of_three: TwoOfThree = "beyond_two_sigma",
) -> pd.DataFrame:
    """Calculate an XmR (individuals) SPC chart with NHS "Making Data Count" rules.

    Limits follow NHS England's Making Data Count and the NHSRplotthedots R package
    (``R/ptd_spc_standard.R``):

    * ``mean`` is the mean of the values; ``moving_range`` is ``|x_t - x_(t-1)|``.
    * ``upper_limit`` / ``lower_limit`` = mean +/- 2.66 x mean moving range (3 sigma, with
      sigma = mean moving range / 1.128).
    * ``upper_two_sigma`` / ``lower_two_sigma`` = mean +/- (2/3 x 2.66) x mean moving range.
    * ``screen_outliers=True`` (the NHSRplotthedots default) screens large moving ranges
      once, as NHSRplotthedots does: moving ranges are kept only when
      ``moving_range < 3.267 x mean moving range`` (so those at or above it are dropped)
      and the mean moving range is recalculated from the rest. The ``moving_range``
      column still shows every moving range. ``screen_outliers=False`` matches the Making
      Data Count Excel tool. If every moving range is 0 nothing is screened.

    **Fixed baseline and rebasing** (NHSRplotthedots ``fix_after_n_points`` and
    ``rebase``). ``rebase_at`` names the points where the process changed (a new service
    model, a change of definition); the chart is cut there into segments, each with its
    own mean and limits, and no rule runs across a cut (the moving range into the first
    point of a segment is NaN). Rebase points come from the analyst, with a reason, never
    from the data. ``baseline_points=n`` fixes each segment's mean and limits on its first
    n non-missing points (all of them if the segment is shorter); later points are judged
    against those limits.

    Special-cause rules, each flagging every point that is part of the pattern:

    * ``outside_limits``: value strictly above the upper or below the lower limit.
    * ``shift``: part of a run of 7 or more consecutive points all strictly above, or all
      strictly below, the mean. A point exactly on the mean breaks the run.
    * ``trend``: part of a run of 7 or more consecutive points each strictly higher than
      the previous (or each strictly lower). A repeated value breaks the run.
    * ``two_of_three``: part of 2 out of 3 consecutive points beyond a 2-sigma line on the
      same side, all three points on the same side of the mean; only the points beyond
      2 sigma are flagged. Which points count as "beyond 2 sigma" is ``two_of_three``:

      - ``"beyond_two_sigma"`` (default; Making Data Count's revised rule, NHSRplotthedots
        issue #194, Nov 2023): any point beyond the 2-sigma line, including one beyond the
        process limit.
      - ``"between_two_sigma_and_limits"`` (NHSRplotthedots 0.2.2 ``close_to_limits``):
        only points between the 2-sigma line and the limit; a point outside the limits
        does not count towards 2-of-3 (it is a special cause by the first rule anyway).

    ``variation`` is ``"common cause"`` unless a rule fires. A special cause is *high*
    (above the upper limit, in a run above the mean, in a rising trend, or in a high
    2-of-3) or *low* (the mirror images). For ``"higher_is_better"`` high is
    ``"improvement"`` and low ``"concern"``; reversed for ``"lower_is_better"``. It is
    ``"neither"`` for ``"no_polarity"``, or when one point is both high and low (e.g. a
    falling trend that is also a run above the mean).

    Missing values are dropped before calculating: moving ranges and runs join the
    points either side of a gap. Their rows are kept, with NaN in every numeric column,
    False in every rule column and NaN ``variation``.

    Parameters
    ----------
    values : array-like or pandas.Series
        One-dimensional series in time order; a Series index (e.g. the period) is kept.
    polarity : {"higher_is_better", "lower_is_better", "no_polarity"}
        Which direction is an improvement.
    screen_outliers : bool, default True
        Screen large moving ranges out of the mean moving range (see above).
    baseline_points : int, optional
        Fix each segment's limits on its first ``baseline_points`` points (at least 12).
        Default: limits from every point of the segment.
    rebase_at : sequence, optional
        Index labels (positions for array input) where a new segment starts.
    two_of_three : {"beyond_two_sigma", "between_two_sigma_and_limits"}
        Reading of the 2-of-3 rule (see above).

    Returns
    -------
    pandas.DataFrame
        One row per input point (same index, or a RangeIndex for arrays) with float
        columns ``value``, ``mean``, ``moving_range``, ``mean_moving_range``,
        ``lower_limit``, ``upper_limit``, ``lower_two_sigma``, ``upper_two_sigma`` (the
        limit columns are constant within a segment); bool columns ``outside_limits``,
        ``shift``, ``trend``, ``two_of_three``, ``special_cause``; and string column
        ``variation`` (pandas' default string dtype). Read the shift rule as
        ``chart["shift"]``: ``chart.shift`` is the DataFrame method.

    Raises
    ------
    ValueError
        If there are fewer than 2 non-missing values (in the series or in any segment),
        ``values`` is not one-dimensional, a value is infinite, ``polarity`` or
        ``two_of_three`` is not recognised, ``baseline_points`` is below 12, or a rebase
        point is not in the index.

    References
    ----------
    NHS England, "Making Data Count"; NHSRplotthedots ``R/ptd_spc_standard.R`` (limits,
    outlier screening, fixed baseline, rebase) and ``R/ptd_calculate_point_type.R``
    (rules); Nelson, L.S. (1982), "Control Charts for Individual Measurements", J. Quality
    Technology 14(3).

    Examples
    --------
    >>> chart = calculate_xmr_chart([2, 4, 3, 5, 6], "higher_is_better")
    >>> chart.loc[0, ["mean", "mean_moving_range", "lower_limit", "upper_limit"]].round(2).tolist()
    [4.0, 1.5, 0.01, 7.99]
    >>> chart["variation"].tolist()
    ['common cause', 'common cause', 'common cause', 'common cause', 'common cause']

    Rebased after the third point, each segment has its own mean:

    >>> chart = calculate_xmr_chart([1, 2, 3, 10, 11, 12], "higher_is_better", rebase_at=[3])
    >>> chart["mean"].tolist()
    [2.0, 2.0, 2.0, 11.0, 11.0, 11.0]
    """
    check_polarity(polarity)
    if two_of_three not in TWO_OF_THREE_VARIANTS:
        raise ValueError(
            f"two_of_three must be one of {', '.join(TWO_OF_THREE_VARIANTS)}; got {two_of_three!r}"
        )
    fixed = _validate_baseline_points(baseline_points)
    (array,), series_index, _ = _prepare((values,), ("values",))
    if array.ndim != 1:
        raise ValueError(f"values must be one-dimensional, got shape {array.shape}")
    index = pd.RangeIndex(array.size) if series_index is None else series_index
    present = ~np.isnan(array)
    if present.sum() < 2:
        raise ValueError(
            f"an XmR chart needs at least 2 non-missing values, got {int(present.sum())}"
        )
    starts = _segment_starts(index, rebase_at)

    numeric = (
        "mean",
        "mean_moving_range",
        "lower_limit",
        "upper_limit",
        "lower_two_sigma",
        "upper_two_sigma",
    )
    rules = ("outside_limits", "shift", "trend", "two_of_three", "special_cause")
    columns: dict[str, np.ndarray] = {"value": array, "moving_range": np.full(array.size, np.nan)}
    columns.update({name: np.full(array.size, np.nan) for name in numeric})
    columns.update({name: np.zeros(array.size, dtype=bool) for name in rules})
    columns["variation"] = np.full(array.size, np.nan, dtype=object)

    for start, stop in zip(starts, [*starts[1:], array.size], strict=True):
        positions = np.flatnonzero(present[start:stop]) + start
        if positions.size < 2:
            raise ValueError(
                f"the XmR segment starting at {index[start]!r} has {positions.size} "
                "non-missing value(s); each segment needs at least 2"
            )
        x = array[positions]
        columns["moving_range"][positions[1:]] = np.abs(np.diff(x))
        segment = _chart_segment(x, polarity, screen_outliers, fixed, two_of_three)
        for name, points in segment.items():
            columns[name][positions] = points

    order = ("value", "mean", "moving_range", *numeric[1:], *rules, "variation")
    return pd.DataFrame({name: columns[name] for name in order}, index=index)


# --------------------------------------------------------------------------------------
# Assurance and words for a summary
# --------------------------------------------------------------------------------------


def calculate_assurance(
    lower_limit: ArrayLike, upper_limit: ArrayLike, target: ArrayLike, polarity: Polarity
) -> Any:
    """Decide whether a process will reliably meet its target (Making Data Count assurance).

    Compares the target with the process limits (NHSRplotthedots
    ``ptd_calculate_assurance_type``):

    ====================  =========================  =========================  ==============
    polarity              target above upper limit   target below lower limit   otherwise
    ====================  =========================  =========================  ==============
    ``higher_is_better``  ``"consistent_fail"``      ``"consistent_pass"``      ``"inconsistent"``
    ``lower_is_better``   ``"consistent_pass"``      ``"consistent_fail"``      ``"inconsistent"``
    ====================  =========================  =========================  ==============

    A target exactly on a limit is ``"inconsistent"`` (the comparisons are strict). There is
    no assurance (None) where the target or a limit is missing, or for ``"no_polarity"``.

    Parameters
    ----------
    lower_limit, upper_limit : scalar, array-like or pandas.Series
        Process limits, e.g. the latest row of :func:`calculate_xmr_chart`.
    target : scalar, array-like or pandas.Series
        The target, in the same units. Missing (NaN or None) means no target.
    polarity : {"higher_is_better", "lower_is_better", "no_polarity"}
        Which direction is an improvement.

    Returns
    -------
    str or None, numpy.ndarray of object, or pandas.Series
        ``"consistent_pass"``, ``"consistent_fail"``, ``"inconsistent"`` or None per
        position. Words for a summary: :data:`ASSURANCE_WORDS`.

    Raises
    ------
    ValueError
        If ``polarity`` is not recognised, an input is infinite or a lower limit is above
        its upper limit.

    Examples
    --------
    >>> calculate_assurance(1, 3, 4, "higher_is_better")
    'consistent_fail'
    >>> calculate_assurance(1, 3, 4, "lower_is_better")
    'consistent_pass'
    >>> calculate_assurance(1, 5, 4, "higher_is_better")
    'inconsistent'
    >>> print(calculate_assurance(1, 5, None, "higher_is_better"))
    None
    """
    check_polarity(polarity)
    (low, high, goal), index, scalar = _prepare(
        (lower_limit, upper_limit, target), ("lower_limit", "upper_limit", "target")
    )
    _raise_where(low > high, "lower limit is greater than upper limit", index)
    result = np.full(low.shape, None, dtype=object)
    if polarity != "no_polarity":
        known = ~(np.isnan(low) | np.isnan(high) | np.isnan(goal))
        above, below = (
            ("consistent_fail", "consistent_pass")
            if polarity == "higher_is_better"
            else ("consistent_pass", "consistent_fail")
        )
        result[known] = "inconsistent"
        result[known & (goal > high)] = above
        result[known & (goal < low)] = below
    if index is not None:
        return pd.Series(result, index=index, name="assurance", dtype=object)
    return _wrap(result, index, scalar)


def describe_latest_point(
    chart: pd.DataFrame, polarity: Polarity, target: float | None = None
) -> dict[str, Any]:
    """The latest point's SPC variation and assurance, as codes and as words.

    Parameters
    ----------
    chart : pandas.DataFrame
        Output of :func:`calculate_xmr_chart` (its ``value``, ``variation`` and limit
        columns are used; the latest row with a value is described).
    polarity : {"higher_is_better", "lower_is_better", "no_polarity"}
        The polarity the chart was made with.
    target : float, optional
        The target for the latest point; None or NaN for no target.

    Returns
    -------
    dict
        ``period`` (the row's index label), ``value``, ``variation`` (one of
        ``"special_cause_improvement"``, ``"special_cause_concern"``,
        ``"special_cause_neither"``, ``"common_cause"``), ``variation_text`` (from
        :data:`VARIATION_WORDS`), ``assurance`` (as :func:`calculate_assurance`, or None)
        and ``assurance_text`` (from :data:`ASSURANCE_WORDS`, or a sentence saying why
        there is no assurance).

    Raises
    ------
    ValueError
        If ``chart`` lacks the columns of :func:`calculate_xmr_chart` or has no value, or
        ``polarity`` is not recognised.

    Examples
    --------
    >>> chart = calculate_xmr_chart([1, 2, 1, 2, 10], "higher_is_better")
    >>> summary = describe_latest_point(chart, "higher_is_better", target=5)
    >>> summary["variation_text"], summary["assurance_text"]
    ('common cause', 'inconsistently passes and fails the target')
    """
    check_polarity(polarity)
    needed = {"value", "variation", "lower_limit", "upper_limit"}
    missing = needed - set(chart.columns)
    if missing:
        raise ValueError(
            f"chart is missing column(s) {', '.join(sorted(missing))}; "
            "pass the frame calculate_xmr_chart returns"
        )
    rows = chart[chart["value"].notna()]
    if rows.empty:
        raise ValueError("chart has no value to describe")
    latest = rows.iloc[-1]
    variation = {
        "improvement": "special_cause_improvement",
        "concern": "special_cause_concern",
        "neither": "special_cause_neither",
        "common cause": "common_cause",
    }[str(latest["variation"])]
    no_target = target is None or bool(pd.isna(target))
    assurance = (
        None
        if no_target
        else calculate_assurance(
            float(latest["lower_limit"]), float(latest["upper_limit"]), float(target), polarity
        )
    )
    if assurance is not None:
        assurance_text = ASSURANCE_WORDS[assurance]
    elif polarity == "no_polarity":
        assurance_text = "no assurance: the measure has no polarity"
    else:
        assurance_text = "no assurance: no target"
    return {
        "period": rows.index[-1],
        "value": float(latest["value"]),
        "variation": variation,
        "variation_text": VARIATION_WORDS[variation],
        "assurance": assurance,
        "assurance_text": assurance_text,
    }
