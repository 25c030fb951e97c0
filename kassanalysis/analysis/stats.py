"""Statistical methods used to benchmark adult social care performance.

Pure, vectorised functions: no file I/O, no plotting and no mutation of inputs. Each method
family lives in its own module (as PHEindicatormethods keeps one method per file) and is
re-exported here, so ``from kassanalysis.analysis.stats import ...`` is the one public API.

Conventions shared by every function
------------------------------------
* Inputs may be scalars, sequences, numpy arrays or pandas Series. A Series in gives a
  Series out with the same index; several Series given together must share one index.
  Otherwise arrays in give numpy arrays out and all-scalar input gives Python scalars.
* Missing is missing, never zero: NaN (or ``None`` / ``pd.NA``) in gives NaN out, and a
  missing value is never counted, ranked or compared.
* Infinite values are rejected with ``ValueError``, as are impossible values (negative
  counts, a numerator above its denominator); the message names the offending position
  (the index label for a Series).
* ``polarity`` is one of ``"higher_is_better"``, ``"lower_is_better"`` or
  ``"no_polarity"`` (activity measures, where neither direction is good or bad).

Contents
--------
Confidence intervals, as used by OHID Fingertips (formerly PHE), see [1]_ and [2]_
(:mod:`~kassanalysis.analysis.intervals`): :func:`calculate_wilson_interval`,
:func:`calculate_byar_interval`, :func:`calculate_rate_interval`,
:func:`classify_against_benchmark`.

Two-level significance against a named benchmark, Fingertips style
(:mod:`~kassanalysis.analysis.significance`): :func:`classify_against_benchmark_two_levels`.

Funnel plot limits for proportions and rates (:mod:`~kassanalysis.analysis.funnel`):
:func:`calculate_funnel_axis`, :func:`calculate_proportion_funnel_limits`,
:func:`calculate_rate_funnel_limits`, :func:`flag_funnel_outliers`.

Recent trend, the Fingertips chi-squared test for trend over the last five points
(:mod:`~kassanalysis.analysis.recent_trend`): :func:`calculate_recent_trend`,
:func:`describe_recent_trend`.

Distance from the median (Oflog Local Authority Data Explorer style):
:func:`calculate_median_absolute_deviation`, :func:`calculate_mad_distance`.

Ranking: :func:`rank_by_polarity`, :func:`assign_quartile`; PHE quantiles (quintiles,
deciles...) in :mod:`~kassanalysis.analysis.quantiles`: :func:`assign_quantile`,
:func:`assign_quantile_by_polarity`.

Statistical process control (NHS England "Making Data Count" XmR chart, following the
NHSRplotthedots R package [3]_; :mod:`~kassanalysis.analysis.spc`):
:func:`calculate_xmr_chart`, :func:`calculate_assurance`, :func:`describe_latest_point`.

References
----------
.. [1] Public Health England, "Technical Guide: Confidence Intervals", Public Health Data
   Science, version 25 May 2018 (Appendix 1 Byar's method, Appendix 2 exact method,
   Appendix 3 Wilson score method).
.. [2] PHEindicatormethods R package, ukhsa-collaboration/PHEindicatormethods on GitHub:
   ``R/Wilson.R``, ``R/Byars.R`` and ``R/Rates.R`` (``phe_rate``).
.. [3] NHSRplotthedots R package, nhs-r-community/NHSRplotthedots on GitHub:
   ``R/ptd_spc_standard.R`` and ``R/ptd_calculate_point_type.R``.
"""

from __future__ import annotations

import numbers
from typing import Any

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
from kassanalysis.analysis.funnel import (
    calculate_funnel_axis,
    calculate_proportion_funnel_limits,
    calculate_rate_funnel_limits,
    flag_funnel_outliers,
)
from kassanalysis.analysis.intervals import (
    calculate_byar_interval,
    calculate_rate_interval,
    calculate_wilson_interval,
    classify_against_benchmark,
)
from kassanalysis.analysis.quantiles import assign_quantile, assign_quantile_by_polarity
from kassanalysis.analysis.recent_trend import calculate_recent_trend, describe_recent_trend
from kassanalysis.analysis.significance import classify_against_benchmark_two_levels
from kassanalysis.analysis.spc import (
    calculate_assurance,
    calculate_xmr_chart,
    describe_latest_point,
)

__all__ = [
    "ArrayLike",
    "Polarity",
    "assign_quantile",
    "assign_quantile_by_polarity",
    "assign_quartile",
    "calculate_assurance",
    "calculate_byar_interval",
    "calculate_funnel_axis",
    "calculate_mad_distance",
    "calculate_median_absolute_deviation",
    "calculate_proportion_funnel_limits",
    "calculate_rate_funnel_limits",
    "calculate_rate_interval",
    "calculate_recent_trend",
    "calculate_wilson_interval",
    "calculate_xmr_chart",
    "check_polarity",
    "classify_against_benchmark",
    "classify_against_benchmark_two_levels",
    "describe_latest_point",
    "describe_recent_trend",
    "flag_funnel_outliers",
    "find_smallest_count",
    "flag_median_values",
    "rank_by_polarity",
]


# --------------------------------------------------------------------------------------
# Distance from the median
# --------------------------------------------------------------------------------------


def calculate_median_absolute_deviation(values: ArrayLike) -> float:
    """Calculate the (unscaled) median absolute deviation of the non-missing values.

    ``MAD = median(|x - median(x)|)``, with no 1.4826 normal-consistency factor.

    Parameters
    ----------
    values : array-like or pandas.Series
        The values, e.g. one indicator for a set of comparator councils. Missing values
        are ignored.

    Returns
    -------
    float
        The MAD, or NaN if there are no non-missing values.

    Raises
    ------
    ValueError
        If any value is infinite.

    Examples
    --------
    >>> calculate_median_absolute_deviation([1, 2, 4, 7, 11, None])
    3.0
    """
    (array,), _, _ = _prepare((values,), ("values",))
    present = array[~np.isnan(array)]
    if present.size == 0:
        return float("nan")
    return float(np.median(np.abs(present - np.median(present))))


def calculate_mad_distance(values: ArrayLike) -> Any:
    """Calculate each value's distance from the median in median absolute deviations.

    ``distance = (value - median) / MAD`` where the median and the unscaled MAD (see
    :func:`calculate_median_absolute_deviation`) are taken over the non-missing values
    given, as in Oflog's "distance from the median" comparisons. So a distance of 2
    means the value is two typical deviations above the median of the group.

    Parameters
    ----------
    values : array-like or pandas.Series
        The values to compare, e.g. one indicator for a council and its comparators.

    Returns
    -------
    numpy.ndarray or pandas.Series
        Distances, NaN where the value is missing. **If the MAD is 0** (more than half of
        the values are identical) the distance is undefined: values equal to the median
        get 0 and every other value gets NaN, rather than an infinite distance.

    Raises
    ------
    ValueError
        If any value is infinite.

    Examples
    --------
    >>> calculate_mad_distance([1, 2, 4, 7, 11, None]).round(3).tolist()
    [-1.0, -0.667, 0.0, 1.0, 2.333, nan]
    >>> calculate_mad_distance([5, 5, 5, 6]).tolist()
    [0.0, 0.0, 0.0, nan]
    """
    (array,), index, scalar = _prepare((values,), ("values",))
    present = array[~np.isnan(array)]
    if present.size == 0:
        return _wrap(np.full(array.shape, np.nan), index, scalar, "mad_distance")
    median = np.median(present)
    mad = calculate_median_absolute_deviation(present)
    distance = np.where(array == median, 0.0, np.nan) if mad == 0 else (array - median) / mad
    return _wrap(distance, index, scalar, "mad_distance")


def flag_median_values(values: ArrayLike) -> Any:
    """Flag the values a median is taken from, so a withheld value it would show is known.

    The median of the non-missing values is the middle one (an odd count) or the mean of
    the middle two (an even count). Publishing it therefore shows a middle value: the
    median itself for an odd count or a group of one, and, for an even count, the median
    times two less the other middle value. A value tied with a middle value is flagged
    too, since the median shows it as well. Used by disclosure control: a median whose
    middle values include one withheld for a small count is withheld with it.

    Parameters
    ----------
    values : array-like or pandas.Series
        The values the median is taken over (e.g. every council of a comparator group).

    Returns
    -------
    numpy.ndarray or pandas.Series of bool
        True where the value is one of the middle values; False elsewhere, and where the
        value is missing (the median leaves it out).

    Raises
    ------
    ValueError
        If any value is infinite.

    Examples
    --------
    >>> flag_median_values([50.0, 60.0, 65.0, 70.0, None]).tolist()
    [False, True, True, False, False]
    >>> flag_median_values([40.0, 60.0, 60.0, 90.0, 30.0]).tolist()
    [False, True, True, False, False]
    >>> flag_median_values([7.0]).tolist()
    [True]
    """
    (array,), index, scalar = _prepare((values,), ("values",))
    present = np.sort(array[~np.isnan(array)])
    if present.size == 0:
        flags = np.zeros(array.shape, dtype=bool)
    else:
        n = present.size
        low, high = present[(n - 1) // 2], present[n // 2]
        flags = (array >= low) & (array <= high)
    return _wrap(flags, index, scalar, "median_value")


def find_smallest_count(counts: pd.Series) -> float:
    """The count of a set most at risk under a small-number rule: the smallest above zero.

    A figure built on several councils' counts (a group median taken from two middle
    values) is withheld when any of them is; the disclosure rule withholds counts from 1
    (zero, "nobody", identifies nobody), so the smallest count above zero decides, and a
    zero decides only when every count is zero. (A rule configured to withhold zero too,
    ``min_count=0``, would not see a zero beside larger counts.)

    Parameters
    ----------
    counts : pandas.Series
        Counts (people), NaN where a council has none behind the figure.

    Returns
    -------
    float
        The smallest count above zero; 0.0 when every count is zero; NaN when none.

    Examples
    --------
    >>> find_smallest_count(pd.Series([float("nan"), 30.0, 0.0, 4.0]))
    4.0
    >>> find_smallest_count(pd.Series([0.0, float("nan")]))
    0.0
    """
    present = counts.dropna().astype(float)
    if present.empty:
        return float("nan")
    above_zero = present[present > 0]
    return float(above_zero.min()) if not above_zero.empty else 0.0


# --------------------------------------------------------------------------------------
# Ranking
# --------------------------------------------------------------------------------------


def rank_by_polarity(values: ArrayLike, polarity: Polarity) -> Any:
    """Rank values so that rank 1 is the best performer for the polarity.

    * ``"higher_is_better"``: the largest value is rank 1.
    * ``"lower_is_better"``: the smallest value is rank 1.
    * ``"no_polarity"``: ranked descending, so rank 1 is simply the **highest** value
      (no judgement of good or bad is implied).

    Ties share the lowest (best) rank and the next rank is skipped ("1, 2, 2, 4", the
    ``method="min"`` of :func:`scipy.stats.rankdata`). Missing values get a NaN rank and
    are not counted.

    Parameters
    ----------
    values : array-like or pandas.Series
        One-dimensional values to rank.
    polarity : {"higher_is_better", "lower_is_better", "no_polarity"}
        Which direction is good.

    Returns
    -------
    numpy.ndarray or pandas.Series of float
        Ranks (float so that missing can be NaN).

    Raises
    ------
    ValueError
        If ``polarity`` is not recognised, ``values`` is not one-dimensional or a value
        is infinite.

    Examples
    --------
    >>> rank_by_polarity([10, 20, 20, None, 5], "higher_is_better").tolist()
    [3.0, 1.0, 1.0, nan, 4.0]
    >>> rank_by_polarity([10, 20, 20, None, 5], "lower_is_better").tolist()
    [2.0, 3.0, 3.0, nan, 1.0]
    """
    check_polarity(polarity)
    (array,), index, scalar = _prepare((values,), ("values",))
    if array.ndim > 1:
        raise ValueError(f"values must be one-dimensional, got shape {array.shape}")
    flat = np.atleast_1d(array)
    present = ~np.isnan(flat)
    key = flat[present] if polarity == "lower_is_better" else -flat[present]
    ranks = np.full(flat.shape, np.nan)
    ranks[present] = pd.Series(key).rank(method="min").to_numpy()
    return _wrap(ranks.reshape(array.shape), index, scalar, "rank")


def assign_quartile(ranks: ArrayLike, n: int | None = None) -> Any:
    """Assign quartiles 1 (best quarter) to 4 (worst quarter) from ranks.

    ``quartile = ceil(4 * rank / n)``. With n = 7, ranks 1..7 give quartiles
    1, 2, 2, 3, 3, 4, 4. Tied ranks therefore share a quartile.

    Parameters
    ----------
    ranks : array-like or pandas.Series
        Ranks where 1 is best, e.g. from :func:`rank_by_polarity`. Missing ranks give a
        missing quartile.
    n : int, optional
        Number of ranked units. Defaults to the number of non-missing ranks given.

    Returns
    -------
    numpy.ndarray or pandas.Series of float
        Quartiles 1.0 to 4.0 (float so that missing can be NaN).

    Raises
    ------
    ValueError
        If ``n`` is not a positive whole number, or a rank is below 1, above ``n`` or
        infinite.

    Examples
    --------
    >>> assign_quartile([1, 2, 3, 4, 5, 6, 7], n=7).tolist()
    [1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0]
    """
    (array,), index, scalar = _prepare((ranks,), ("ranks",))
    present = ~np.isnan(array)
    if n is None:
        count = int(present.sum())
        if count == 0:
            return _wrap(np.full(array.shape, np.nan), index, scalar, "quartile")
    else:
        if (
            isinstance(n, bool)
            or not isinstance(n, numbers.Real)
            or not np.isfinite(n)
            or n < 1
            or int(n) != n
        ):
            raise ValueError(f"n must be a positive whole number, got {n!r}")
        count = int(n)
    _raise_where(present & (array < 1), "rank is below 1", index)
    _raise_where(present & (array > count), f"rank is greater than n ({count})", index)
    quartile = np.full(array.shape, np.nan)
    quartile[present] = np.ceil(4 * array[present] / count)
    return _wrap(quartile, index, scalar, "quartile")
