"""Statistical methods used to benchmark adult social care performance.

Pure, vectorised functions: no file I/O, no plotting and no mutation of inputs.

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
Confidence intervals, as used by OHID Fingertips (formerly PHE), see [1]_ and [2]_:
:func:`calculate_wilson_interval`, :func:`calculate_byar_interval`,
:func:`calculate_rate_interval`, :func:`classify_against_benchmark`.

Distance from the median (Oflog Local Authority Data Explorer style):
:func:`calculate_median_absolute_deviation`, :func:`calculate_mad_distance`.

Ranking: :func:`rank_by_polarity`, :func:`assign_quartile`.

Statistical process control (NHS England "Making Data Count" XmR chart, following the
NHSRplotthedots R package [3]_): :func:`calculate_xmr_chart`.

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
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from kassanalysis.vocabulary import Polarity, check_polarity


def _special():
    """scipy.special, imported on first use. (scipy.stats would take a second to import;
    the quantiles needed here are one call each in scipy.special.)"""
    from scipy import special

    return special


def _normal_quantile(p: float) -> float:
    """Standard normal quantile (scipy.stats.norm.ppf)."""
    return float(_special().ndtri(p))


def _chi2_quantile(q: float, df: np.ndarray) -> np.ndarray:
    """Chi-squared quantile (scipy.stats.chi2.ppf): 2 x the inverse regularised gamma."""
    return 2.0 * _special().gammaincinv(np.asarray(df, dtype=float) / 2.0, q)


__all__ = [
    "assign_quartile",
    "check_polarity",
    "calculate_byar_interval",
    "calculate_mad_distance",
    "calculate_median_absolute_deviation",
    "calculate_rate_interval",
    "calculate_wilson_interval",
    "calculate_xmr_chart",
    "classify_against_benchmark",
    "rank_by_polarity",
]

# Counts below this use the exact (chi-squared) Poisson interval rather than Byar's
# approximation: PHEindicatormethods ``phe_rate`` uses ``if_else(x < 10, exact, byars)``.
_BYAR_MINIMUM_COUNT = 10

# XmR constants, as in NHSRplotthedots R/ptd_spc_standard.R.
_XMR_LIMIT = 2.66  # 3 sigma = 3 / 1.128 (d2 for n = 2) ~= 2.66 mean moving ranges
_XMR_TWO_SIGMA = 2 * _XMR_LIMIT / 3  # 2 sigma line, ~= 1.773 mean moving ranges
_XMR_OUTLIER_SCREEN = 3.267  # D4 for n = 2: upper limit of the moving-range chart
_XMR_RUN_LENGTH = 7  # points in a shift (one side of the mean) or a trend

ArrayLike = float | int | Sequence[float] | np.ndarray | pd.Series


# --------------------------------------------------------------------------------------
# Input handling helpers
# --------------------------------------------------------------------------------------


def _to_float_array(value: Any, name: str) -> np.ndarray:
    """Return ``value`` as a new float array, with missing values as NaN."""
    if isinstance(value, pd.DataFrame):
        raise TypeError(f"`{name}` must be a scalar, array or Series, not a DataFrame")
    try:
        if isinstance(value, (pd.Series, pd.Index)):
            return value.to_numpy(dtype=float, na_value=np.nan, copy=True)
        return np.array(value, dtype=float, copy=True)
    except (TypeError, ValueError) as error:
        raise TypeError(f"`{name}` must contain numbers or missing values") from error


def _prepare(
    values: Sequence[Any], names: Sequence[str]
) -> tuple[list[np.ndarray], pd.Index | None, bool]:
    """Convert inputs to broadcast float arrays and note how to shape the output.

    Returns the arrays, the shared Series index (or None) and whether every input was a
    scalar.
    """
    index: pd.Index | None = None
    index_owner = ""
    arrays = []
    for value, name in zip(values, names, strict=True):
        if isinstance(value, pd.Series):
            if index is None:
                index, index_owner = value.index, name
            elif not value.index.equals(index):
                raise ValueError(
                    f"`{name}` and `{index_owner}` are Series with different indexes; "
                    "align them first"
                )
        arrays.append(_to_float_array(value, name))
    try:
        broadcast = np.broadcast_arrays(*arrays)
    except ValueError as error:
        shapes = ", ".join(f"{n}{a.shape}" for n, a in zip(names, arrays, strict=True))
        raise ValueError(f"inputs have incompatible shapes: {shapes}") from error
    arrays = [np.array(a, dtype=float, copy=True) for a in broadcast]
    if index is not None and arrays[0].shape != (len(index),):
        raise ValueError(f"inputs do not match the length of the `{index_owner}` Series")
    for array, name in zip(arrays, names, strict=True):
        _raise_where(np.isinf(array), f"`{name}` is infinite", index)
    return arrays, index, all(a.ndim == 0 for a in arrays)


def _describe_position(mask: np.ndarray, index: pd.Index | None) -> str:
    """Describe the first True position of ``mask`` and how many others there are."""
    hits = np.flatnonzero(mask)
    first = int(hits[0])
    if index is not None:
        where = f"index label {index[first]!r} (position {first})"
    elif mask.ndim == 0:
        where = "the scalar input"
    elif mask.ndim == 1:
        where = f"position {first}"
    else:
        where = f"position {tuple(int(i) for i in np.unravel_index(first, mask.shape))}"
    if hits.size > 1:
        where += f" and {hits.size - 1} other position(s)"
    return where


def _raise_where(mask: np.ndarray, problem: str, index: pd.Index | None) -> None:
    """Raise ValueError naming the first position where ``mask`` is True."""
    if np.any(mask):
        raise ValueError(f"{problem} at {_describe_position(mask, index)}")


def _wrap(result: np.ndarray, index: pd.Index | None, scalar: bool, name: str | None = None):
    """Return ``result`` in the same kind of container as the inputs."""
    if index is not None:
        # Labels (object arrays) take pandas' default string dtype ("str" from pandas 3).
        dtype = None if result.dtype == object else result.dtype
        return pd.Series(result, index=index, name=name, dtype=dtype)
    if scalar:
        return result.item()
    return result


def _validate_confidence(confidence: Any) -> float:
    if (
        isinstance(confidence, bool)
        or not isinstance(confidence, numbers.Real)
        or not 0 < confidence < 1
    ):
        raise ValueError(
            f"confidence must be a number strictly between 0 and 1 (e.g. 0.95 or 0.998), "
            f"got {confidence!r}"
        )
    return float(confidence)


def _z_score(confidence: float) -> float:
    """Two-sided standard normal quantile, e.g. 1.959964 for 95%, 3.090232 for 99.8%."""
    return _normal_quantile(0.5 + confidence / 2)


# --------------------------------------------------------------------------------------
# Confidence intervals (PHE / OHID Fingertips methods)
# --------------------------------------------------------------------------------------


def calculate_wilson_interval(
    numerator: ArrayLike, denominator: ArrayLike, confidence: float = 0.95
) -> tuple[Any, Any]:
    """Calculate the Wilson score confidence interval for a proportion.

    This is the method OHID (formerly PHE) use for proportions on Fingertips [1]_, as
    implemented by ``wilson_lower`` / ``wilson_upper`` in PHEindicatormethods [2]_::

        lower = (2O + z^2 - z * sqrt(z^2 + 4 O q)) / (2 (n + z^2))
        upper = (2O + z^2 + z * sqrt(z^2 + 4 O q)) / (2 (n + z^2))

    where O is the numerator, n the denominator, q = 1 - O/n and z the two-sided normal
    quantile for ``confidence`` (1.96 for 95%, 3.09 for 99.8%).

    Parameters
    ----------
    numerator : scalar, array-like or pandas.Series
        Number of people with the characteristic (O). Need not be a whole number.
    denominator : scalar, array-like or pandas.Series
        Number of people in the sample or population (n).
    confidence : float, default 0.95
        Confidence level strictly between 0 and 1; Fingertips uses 0.95 and 0.998.

    Returns
    -------
    lower, upper
        Confidence limits as proportions (0 to 1): floats for scalar input, numpy arrays
        for array input, Series (named ``"lower"`` and ``"upper"``) for Series input.
        NaN where the numerator or denominator is missing or the denominator is 0.
        With 0 events the lower limit is exactly 0; with O = n the upper limit is exactly 1.

    Raises
    ------
    ValueError
        If a numerator or denominator is negative or infinite, a numerator exceeds its
        denominator, or ``confidence`` is not in (0, 1). The message names the position.

    References
    ----------
    .. [1] PHE, "Technical Guide: Confidence Intervals" (2018), Appendix 3.
    .. [2] PHEindicatormethods, ``R/Wilson.R``.

    Examples
    --------
    >>> lower, upper = calculate_wilson_interval(65, 100)
    >>> round(lower, 4), round(upper, 4)
    (0.5525, 0.7364)
    >>> lower, upper = calculate_wilson_interval([0, 0, 3], [20, 0, 10], confidence=0.998)
    >>> lower.round(3).tolist(), upper.round(3).tolist()
    ([0.0, nan, 0.063], [0.323, nan, 0.733])
    """
    level = _validate_confidence(confidence)
    (events, sample), index, scalar = _prepare(
        (numerator, denominator), ("numerator", "denominator")
    )
    _raise_where(events < 0, "numerator is negative", index)
    _raise_where(sample < 0, "denominator is negative", index)
    _raise_where(events > sample, "numerator is greater than denominator", index)

    valid = ~np.isnan(events) & ~np.isnan(sample) & (sample > 0)
    lower = np.full(events.shape, np.nan)
    upper = np.full(events.shape, np.nan)
    o, n = events[valid], sample[valid]
    z = _z_score(level)
    root = z * np.sqrt(z**2 + 4 * o * (1 - o / n))
    denominator_term = 2 * (n + z**2)
    # Analytically the limits are exactly 0 when O = 0 and exactly 1 when O = n; set them
    # so rounding error cannot leave e.g. -1e-17.
    lower[valid] = np.where(o == 0, 0.0, np.clip((2 * o + z**2 - root) / denominator_term, 0, 1))
    upper[valid] = np.where(o == n, 1.0, np.clip((2 * o + z**2 + root) / denominator_term, 0, 1))
    return _wrap(lower, index, scalar, "lower"), _wrap(upper, index, scalar, "upper")


def _calculate_count_limits(count: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Byar's / exact Poisson limits for a validated float array of counts."""
    alpha = 1 - confidence
    lower = np.full(count.shape, np.nan)
    upper = np.full(count.shape, np.nan)
    present = ~np.isnan(count)
    exact = present & (count < _BYAR_MINIMUM_COUNT)
    byar = present & (count >= _BYAR_MINIMUM_COUNT)

    # Exact method (PHE guide Appendix 2; phe_rate): chi-squared quantiles / 2.
    x = count[exact]
    positive = x > 0
    exact_lower = np.zeros(x.shape)
    exact_lower[positive] = _chi2_quantile(alpha / 2, 2 * x[positive]) / 2
    lower[exact] = exact_lower
    upper[exact] = _chi2_quantile(1 - alpha / 2, 2 * x + 2) / 2

    # Byar's approximation (PHE guide Appendix 1; byars_lower / byars_upper).
    z = _z_score(confidence)
    x = count[byar]
    lower[byar] = np.maximum(x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3, 0.0)
    upper[byar] = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * np.sqrt(x + 1))) ** 3
    return lower, upper


def calculate_byar_interval(count: ArrayLike, confidence: float = 0.95) -> tuple[Any, Any]:
    """Calculate a confidence interval for a Poisson count (Byar's / exact method).

    Follows PHE [1]_ and PHEindicatormethods ``phe_rate`` [2]_: counts of 10 or more use
    Byar's approximation::

        lower = O (1 - 1/(9 O) - z / (3 sqrt(O)))^3
        upper = (O + 1) (1 - 1/(9 (O + 1)) + z / (3 sqrt(O + 1)))^3

    and counts below 10 use the exact Poisson interval from chi-squared quantiles::

        lower = chi2.ppf(alpha / 2, 2 O) / 2        (0 when O = 0)
        upper = chi2.ppf(1 - alpha / 2, 2 O + 2) / 2

    with alpha = 1 - confidence and z the two-sided normal quantile.

    Parameters
    ----------
    count : scalar, array-like or pandas.Series
        Observed number of events (O), 0 or more.
    confidence : float, default 0.95
        Confidence level strictly between 0 and 1; Fingertips uses 0.95 and 0.998.

    Returns
    -------
    lower, upper
        Limits for the count, in the same container kind as ``count`` (Series named
        ``"lower"`` / ``"upper"``). NaN where the count is missing. For a count of 0 the
        lower limit is 0. Byar's lower limit is floored at 0 (it could only go negative
        at confidence levels far beyond 99.99...%).

    Raises
    ------
    ValueError
        If a count is negative or infinite, or ``confidence`` is not in (0, 1).

    References
    ----------
    .. [1] PHE, "Technical Guide: Confidence Intervals" (2018), Appendices 1 and 2.
    .. [2] PHEindicatormethods, ``R/Byars.R`` and ``R/Rates.R``.

    Examples
    --------
    >>> lower, upper = calculate_byar_interval(100)
    >>> round(lower, 2), round(upper, 2)
    (81.36, 121.63)
    >>> lower, upper = calculate_byar_interval([0, 1])
    >>> lower.round(4).tolist(), upper.round(4).tolist()
    ([0.0, 0.0253], [3.6889, 5.5716])
    """
    level = _validate_confidence(confidence)
    (events,), index, scalar = _prepare((count,), ("count",))
    _raise_where(events < 0, "count is negative", index)
    lower, upper = _calculate_count_limits(events, level)
    return _wrap(lower, index, scalar, "lower"), _wrap(upper, index, scalar, "upper")


def calculate_rate_interval(
    count: ArrayLike,
    population: ArrayLike,
    per: float = 1000,
    confidence: float = 0.95,
) -> tuple[Any, Any, Any]:
    """Calculate a crude rate with its Byar's / exact Poisson confidence interval.

    ``rate = count / population * per``; the limits are the count limits from
    :func:`calculate_byar_interval` divided by the population and multiplied by ``per``,
    as PHEindicatormethods ``phe_rate`` does.

    Parameters
    ----------
    count : scalar, array-like or pandas.Series
        Observed number of events, 0 or more.
    population : scalar, array-like or pandas.Series
        Population (or person-time) at risk. 0 or missing gives NaN.
    per : float, default 1000
        Rate multiplier, e.g. 1000 for "per 1,000 population" or 100000.
    confidence : float, default 0.95
        Confidence level strictly between 0 and 1.

    Returns
    -------
    rate, lower, upper
        In the same container kind as the inputs (Series named ``"rate"``, ``"lower"``,
        ``"upper"``). NaN where the count or population is missing or the population is 0.

    Raises
    ------
    ValueError
        If a count or population is negative or infinite, ``per`` is not a positive
        finite number, or ``confidence`` is not in (0, 1).

    Examples
    --------
    >>> rate, lower, upper = calculate_rate_interval(100, 50_000, per=1000)
    >>> round(rate, 3), round(lower, 3), round(upper, 3)
    (2.0, 1.627, 2.433)
    """
    level = _validate_confidence(confidence)
    if (
        isinstance(per, bool)
        or not isinstance(per, numbers.Real)
        or not np.isfinite(per)
        or per <= 0
    ):
        raise ValueError(f"per must be a positive finite number, got {per!r}")
    (events, people), index, scalar = _prepare((count, population), ("count", "population"))
    _raise_where(events < 0, "count is negative", index)
    _raise_where(people < 0, "population is negative", index)

    count_lower, count_upper = _calculate_count_limits(events, level)
    usable = ~np.isnan(people) & (people > 0)
    scale = np.full(people.shape, np.nan)
    scale[usable] = per / people[usable]
    rate = events * scale
    return (
        _wrap(rate, index, scalar, "rate"),
        _wrap(count_lower * scale, index, scalar, "lower"),
        _wrap(count_upper * scale, index, scalar, "upper"),
    )


def classify_against_benchmark(
    lower: ArrayLike, upper: ArrayLike, benchmark: ArrayLike, polarity: Polarity
) -> Any:
    """Compare confidence intervals with a benchmark, Fingertips style.

    A value is significantly different from the benchmark only when its confidence
    interval excludes the benchmark: ``lower > benchmark`` (wholly above) or
    ``upper < benchmark`` (wholly below). An interval that touches or contains the
    benchmark is ``"similar"``.

    ====================  ==============  ==============  =============
    polarity              wholly above    wholly below    overlapping
    ====================  ==============  ==============  =============
    ``higher_is_better``  ``"better"``    ``"worse"``     ``"similar"``
    ``lower_is_better``   ``"worse"``     ``"better"``    ``"similar"``
    ``no_polarity``       ``"higher"``    ``"lower"``     ``"similar"``
    ====================  ==============  ==============  =============

    Any missing input gives ``"not compared"``.

    Parameters
    ----------
    lower, upper : scalar, array-like or pandas.Series
        Confidence limits, e.g. from :func:`calculate_wilson_interval`.
    benchmark : scalar, array-like or pandas.Series
        Benchmark value(s), e.g. the England value, in the same units as the limits.
    polarity : {"higher_is_better", "lower_is_better", "no_polarity"}
        Which direction is good. Use ``"no_polarity"`` for activity measures.

    Returns
    -------
    str, numpy.ndarray of object or pandas.Series of strings
        One label per position: ``"better"``, ``"similar"``, ``"worse"``, ``"higher"``,
        ``"lower"`` or ``"not compared"``. A Series has pandas' default string dtype
        (``str`` from pandas 3, ``object`` before).

    Raises
    ------
    ValueError
        If ``polarity`` is not recognised, an input is infinite or a lower limit is above
        its upper limit.

    Examples
    --------
    >>> classify_against_benchmark(0.55, 0.74, 0.50, "higher_is_better")
    'better'
    >>> classify_against_benchmark([0.55, 0.40, None], [0.74, 0.52, 0.6], 0.5,
    ...                            "lower_is_better").tolist()
    ['worse', 'similar', 'not compared']
    """
    check_polarity(polarity)
    (low, high, target), index, scalar = _prepare(
        (lower, upper, benchmark), ("lower", "upper", "benchmark")
    )
    _raise_where(low > high, "lower limit is greater than upper limit", index)
    missing = np.isnan(low) | np.isnan(high) | np.isnan(target)
    above = ~missing & (low > target)
    below = ~missing & (high < target)
    above_label, below_label = {
        "higher_is_better": ("better", "worse"),
        "lower_is_better": ("worse", "better"),
        "no_polarity": ("higher", "lower"),
    }[polarity]
    labels = np.full(low.shape, "similar", dtype=object)
    labels[above] = above_label
    labels[below] = below_label
    labels[missing] = "not compared"
    return _wrap(labels, index, scalar)


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


# --------------------------------------------------------------------------------------
# Statistical process control: XmR chart
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


def calculate_xmr_chart(
    values: ArrayLike, polarity: Polarity, screen_outliers: bool = True
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

    Special-cause rules, each flagging every point that is part of the pattern:

    * ``outside_limits``: value strictly above the upper or below the lower limit.
    * ``shift``: part of a run of 7 or more consecutive points all strictly above, or all
      strictly below, the mean. A point exactly on the mean breaks the run.
    * ``trend``: part of a run of 7 or more consecutive points each strictly higher than
      the previous (or each strictly lower). A repeated value breaks the run.
    * ``two_of_three``: part of 2 out of 3 consecutive points beyond a 2-sigma line (the
      outer third, or beyond the limit) on the same side. As in Making Data Count's
      revised rule (NHSRplotthedots issue #194, Nov 2023), all three points must be on
      the same side of the mean and only the points beyond 2 sigma are flagged.

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

    Returns
    -------
    pandas.DataFrame
        One row per input point (same index, or a RangeIndex for arrays) with float
        columns ``value``, ``mean``, ``moving_range``, ``mean_moving_range``,
        ``lower_limit``, ``upper_limit``, ``lower_two_sigma``, ``upper_two_sigma``; bool
        columns ``outside_limits``, ``shift``, ``trend``, ``two_of_three``,
        ``special_cause``; and string column ``variation`` (pandas' default string dtype).
        Read the shift rule as ``chart["shift"]``: ``chart.shift`` is the DataFrame method.

    Raises
    ------
    ValueError
        If there are fewer than 2 non-missing values, ``values`` is not one-dimensional,
        a value is infinite or ``polarity`` is not recognised.

    References
    ----------
    NHS England, "Making Data Count"; NHSRplotthedots ``R/ptd_spc_standard.R`` (limits and
    outlier screening) and ``R/ptd_calculate_point_type.R`` (rules); Nelson, L.S. (1982),
    "Control Charts for Individual Measurements", J. Quality Technology 14(3).

    Examples
    --------
    >>> chart = calculate_xmr_chart([2, 4, 3, 5, 6], "higher_is_better")
    >>> chart.loc[0, ["mean", "mean_moving_range", "lower_limit", "upper_limit"]].round(2).tolist()
    [4.0, 1.5, 0.01, 7.99]
    >>> chart["variation"].tolist()
    ['common cause', 'common cause', 'common cause', 'common cause', 'common cause']
    """
    check_polarity(polarity)
    (array,), series_index, _ = _prepare((values,), ("values",))
    if array.ndim != 1:
        raise ValueError(f"values must be one-dimensional, got shape {array.shape}")
    index = pd.RangeIndex(array.size) if series_index is None else series_index
    present = ~np.isnan(array)
    x = array[present]
    if x.size < 2:
        raise ValueError(f"an XmR chart needs at least 2 non-missing values, got {x.size}")

    mean = x.mean()
    moving_range = np.abs(np.diff(x))
    mean_moving_range = moving_range.mean()
    if screen_outliers and mean_moving_range > 0:
        kept = moving_range < _XMR_OUTLIER_SCREEN * mean_moving_range
        mean_moving_range = moving_range[kept].mean()
    upper_limit = mean + _XMR_LIMIT * mean_moving_range
    lower_limit = mean - _XMR_LIMIT * mean_moving_range
    upper_two_sigma = mean + _XMR_TWO_SIGMA * mean_moving_range
    lower_two_sigma = mean - _XMR_TWO_SIGMA * mean_moving_range

    side = np.sign(x - mean)
    above, below = side > 0, side < 0
    step = np.sign(np.diff(x))

    outside_high = x > upper_limit
    outside_low = x < lower_limit
    shift_high = _flag_runs(above, _XMR_RUN_LENGTH)
    shift_low = _flag_runs(below, _XMR_RUN_LENGTH)
    trend_up = _flag_trend(step > 0, x.size, _XMR_RUN_LENGTH)
    trend_down = _flag_trend(step < 0, x.size, _XMR_RUN_LENGTH)
    two_high = _flag_two_of_three(x > upper_two_sigma, above)
    two_low = _flag_two_of_three(x < lower_two_sigma, below)

    outside = outside_high | outside_low
    shift = shift_high | shift_low
    trend = trend_up | trend_down
    two_of_three = two_high | two_low
    special = outside | shift | trend | two_of_three
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

    def spread(points: np.ndarray, fill: Any, dtype: Any) -> np.ndarray:
        full = np.full(array.size, fill, dtype=dtype)
        full[present] = points
        return full

    def constant(value: float) -> np.ndarray:
        return spread(np.full(x.size, value), np.nan, float)

    moving_range_full = np.full(array.size, np.nan)
    moving_range_full[np.flatnonzero(present)[1:]] = moving_range
    return pd.DataFrame(
        {
            "value": array,
            "mean": constant(mean),
            "moving_range": moving_range_full,
            "mean_moving_range": constant(mean_moving_range),
            "lower_limit": constant(lower_limit),
            "upper_limit": constant(upper_limit),
            "lower_two_sigma": constant(lower_two_sigma),
            "upper_two_sigma": constant(upper_two_sigma),
            "outside_limits": spread(outside, False, bool),
            "shift": spread(shift, False, bool),
            "trend": spread(trend, False, bool),
            "two_of_three": spread(two_of_three, False, bool),
            "special_cause": spread(special, False, bool),
            "variation": spread(variation, np.nan, object),
        },
        index=index,
    )
