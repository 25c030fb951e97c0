"""Confidence intervals as OHID Fingertips (formerly PHE) calculates them.

Wilson score intervals for proportions, Byar's method (exact Poisson below 10 events) for
counts and rates, and the comparison of an interval with a benchmark. Re-exported from
:mod:`kassanalysis.analysis.stats`, where the shared conventions are described.

References
----------
.. [1] Public Health England, "Technical Guide: Confidence Intervals", Public Health Data
   Science, version 25 May 2018 (Appendix 1 Byar's method, Appendix 2 exact method,
   Appendix 3 Wilson score method).
.. [2] PHEindicatormethods R package, ukhsa-collaboration/PHEindicatormethods on GitHub:
   ``R/Wilson.R``, ``R/Byars.R`` and ``R/Rates.R`` (``phe_rate``).
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from kassanalysis.analysis._arrays import (
    ArrayLike,
    Polarity,
    _chi2_quantile,
    _prepare,
    _raise_where,
    _validate_confidence,
    _wrap,
    _z_score,
    check_polarity,
)

__all__ = [
    "calculate_byar_interval",
    "calculate_rate_interval",
    "calculate_wilson_interval",
    "classify_against_benchmark",
]

# Counts below this use the exact (chi-squared) Poisson interval rather than Byar's
# approximation: PHEindicatormethods ``phe_rate`` uses ``if_else(x < 10, exact, byars)``.
_BYAR_MINIMUM_COUNT = 10


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
