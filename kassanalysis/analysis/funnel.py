"""Funnel plot control limits for proportions and rates, as PHE / OHID calculate them.

95% (2 sigma, 0.025 / 0.975) and 99.8% (3 sigma, 0.001 / 0.999) limits around a benchmark
(usually the England value), as a function of the denominator, and which councils fall
outside them. Re-exported from :mod:`kassanalysis.analysis.stats`.

References
----------
.. [1] PHEindicatormethods R package, ukhsa-collaboration/PHEindicatormethods on GitHub
   (commit 093fd288): ``R/Funnels.R`` (``calculate_funnel_limits``,
   ``assign_funnel_significance``) and ``R/utils.R`` (``sigma_adjustment``,
   ``poisson_funnel``), tested by ``tests/testthat/testFunnels.R``.
.. [2] Spiegelhalter, D.J. (2005), "Funnel plots for comparing institutional performance",
   Statistics in Medicine 24(8), 1185-1202.
.. [3] Public Health England, "Technical Guide: Confidence Intervals" (2018), Appendix 2
   (exact Poisson limits from the chi-squared distribution).
"""

from __future__ import annotations

import numbers
from typing import Any, Literal

import numpy as np
import pandas as pd

from kassanalysis.analysis._arrays import (
    ArrayLike,
    _normal_quantile,
    _prepare,
    _raise_where,
    _special,
    _wrap,
)

__all__ = [
    "FUNNEL_LEVELS",
    "calculate_funnel_axis",
    "calculate_proportion_funnel_limits",
    "calculate_rate_funnel_limits",
    "flag_funnel_outliers",
]

#: Funnel levels: column suffix -> one-sided probability of the upper limit.
FUNNEL_LEVELS = {"95": 0.975, "998": 0.999}


def _r_nchar(number: int) -> int:
    """Characters R prints for a whole number: scientific when strictly shorter (1e+05)."""
    fixed = str(number)
    mantissa = fixed.rstrip("0") or "0"
    scientific = mantissa[0] + ("." + mantissa[1:] if len(mantissa) > 1 else "")
    scientific += f"e+{len(fixed) - 1:02d}"
    return len(scientific) if len(scientific) < len(fixed) else len(fixed)


def calculate_funnel_axis(denominator: ArrayLike, n_points: int = 100) -> np.ndarray:
    """The denominators at which PHE draws a funnel: ``n_points`` steps, geometric-ish.

    As PHEindicatormethods ``phe_funnels``: the axis runs from 0 (or, when the largest
    denominator is at most twice the smallest, from 95% of the smallest rounded down to its
    leading digit) to 105% of the largest rounded up to two significant digits. The first
    point is ``max(1, axis minimum)``; each next point is
    ``max(round((axis maximum / previous) ^ (1 / (n_points + 1 - j)) x previous), previous + 1)``
    (rounding half to even, as R does), so the last point is the axis maximum.

    Parameters
    ----------
    denominator : array-like or pandas.Series
        The councils' denominators (missing values ignored); positive.
    n_points : int, default 100
        Number of points (PHE uses 100).

    Returns
    -------
    numpy.ndarray of float
        The ``n_points`` denominators, increasing; pass them to
        :func:`calculate_proportion_funnel_limits` or :func:`calculate_rate_funnel_limits`
        to draw the funnel.

    Raises
    ------
    ValueError
        If no denominator is present, one is not positive or infinite, or ``n_points`` is
        below 2.

    Examples
    --------
    From 40 (47.5 down to its leading digit) to 84 (84 up to two digits): 40, then
    round(2.1 ^ (1/4) x 40) = 48, round(1.75 ^ (1/3) x 48) = 58, round(1.448 ^ (1/2) x 58)
    = 70, and 84:

    >>> calculate_funnel_axis([50, 80], n_points=5).tolist()
    [40.0, 48.0, 58.0, 70.0, 84.0]
    """
    if isinstance(n_points, bool) or not isinstance(n_points, numbers.Integral) or n_points < 2:
        raise ValueError(f"n_points must be a whole number of at least 2, got {n_points!r}")
    (den,), index, _ = _prepare((denominator,), ("denominator",))
    den = np.atleast_1d(den)
    _raise_where(den <= 0, "denominator is not positive", index)
    present = den[~np.isnan(den)]
    if present.size == 0:
        raise ValueError("a funnel axis needs at least one denominator")
    smallest, largest = float(present.min()), float(present.max())
    if largest > 2 * smallest:
        axis_minimum = 0.0
    else:
        scaled = smallest * 0.95
        digits = _r_nchar(int(np.floor(scaled))) - 1
        axis_minimum = float(np.floor(scaled / 10**digits) * 10**digits)
    scaled = largest * 1.05
    digits = _r_nchar(int(np.ceil(scaled))) - 2
    axis_maximum = float(np.ceil(scaled / 10**digits) * 10**digits)
    points = [max(1.0, axis_minimum)]
    for j in range(2, n_points + 1):
        previous = points[-1]
        step = (axis_maximum / previous) ** (1 / (n_points + 1 - j)) * previous
        points.append(max(float(np.round(step)), previous + 1))
    return np.array(points)


def _funnel_frame(denominator: np.ndarray, benchmark: np.ndarray, index: pd.Index | None):
    return pd.DataFrame(
        {"denominator": denominator, "benchmark": benchmark},
        index=index if index is not None else pd.RangeIndex(denominator.size),
    )


def _proportion_limits(
    population: np.ndarray, average: np.ndarray, p: float
) -> tuple[np.ndarray, np.ndarray]:
    """PHEindicatormethods ``sigma_adjustment`` (Wilson score inversion), as proportions."""
    z2 = _normal_quantile(p) ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        first = average * (population / z2 + 1)
        adjust = np.sqrt(
            (-8 * average * (population / z2 + 1)) ** 2
            - 64
            * (1 / z2 + 1 / population)
            * average
            * (population * (average * (population / z2 + 2) - 1) + z2 * (average - 1))
        )
        last = 1 / z2 + 1 / population
        low = (first - adjust / 8) / last / population
        high = (first + adjust / 8) / last / population
    return np.maximum(low, 0.0), np.minimum(high, 1.0)


def calculate_proportion_funnel_limits(
    denominator: ArrayLike, benchmark: ArrayLike
) -> pd.DataFrame:
    """Funnel limits for a proportion at each denominator (PHE's Wilson-score funnel).

    For a benchmark proportion ``av`` and a denominator ``P``, each limit is the
    proportion whose Wilson score interval at ``P`` just reaches ``av``
    (PHEindicatormethods ``sigma_adjustment``): with ``z2 = qnorm(p)^2``,

    ``first = av (P/z2 + 1)``, ``last = 1/z2 + 1/P``,
    ``adj = sqrt((-8 av (P/z2 + 1))^2 - 64 (1/z2 + 1/P) av (P (av (P/z2 + 2) - 1) + z2 (av - 1)))``,
    ``limit = (first -/+ adj / 8) / last / P``, floored at 0 and capped at 1.

    Parameters
    ----------
    denominator : scalar, array-like or pandas.Series
        Denominators (e.g. people in the cohort) at which to give the limits: the
        councils' own denominators, or a grid for drawing the funnel. Must be positive.
    benchmark : scalar, array-like or pandas.Series
        The benchmark proportion, 0 to 1 (e.g. England numerator / England denominator;
        PHE uses the sum of the areas' numerators over the sum of their denominators).

    Returns
    -------
    pandas.DataFrame
        One row per denominator (Series index kept) with columns ``denominator``,
        ``benchmark``, ``lower_95``, ``upper_95``, ``lower_998``, ``upper_998``, all
        proportions (multiply by 100 for per cent). NaN where an input is missing.

    Raises
    ------
    ValueError
        If a denominator is 0 or negative, the benchmark is outside 0 to 1, or an input is
        infinite.

    Examples
    --------
    At 100 people around 80%, the upper 95% limit is the proportion whose Wilson lower
    limit at n = 100 is 0.8 (87.84 of 100: (175.68 + 3.8415 - 1.96 x 6.824) / 207.683 = 0.800):

    >>> limits = calculate_proportion_funnel_limits([100, 10_000], 0.8)
    >>> limits[["lower_95", "upper_95"]].round(4).values.tolist()
    [[0.7216, 0.8784], [0.7922, 0.8078]]
    """
    (den, av), index, _ = _prepare((denominator, benchmark), ("denominator", "benchmark"))
    den, av = np.atleast_1d(den), np.atleast_1d(av)
    _raise_where(den <= 0, "denominator is not positive", index)
    _raise_where((av < 0) | (av > 1), "benchmark proportion is outside 0 to 1", index)
    frame = _funnel_frame(den, av, index)
    for suffix, p in FUNNEL_LEVELS.items():
        frame[f"lower_{suffix}"], frame[f"upper_{suffix}"] = _proportion_limits(den, av, p)
    return frame[["denominator", "benchmark", "lower_95", "upper_95", "lower_998", "upper_998"]]


def _solve_shape(expected: np.ndarray, probability: float) -> np.ndarray:
    """The shape ``a`` with ``gammainc(a, expected) == probability`` (decreasing in ``a``).

    Bisection on a log scale to a relative width of 1e-12: the continuous count whose
    exact Poisson limit (chi-squared quantile / 2) equals ``expected``.
    """
    gammainc = _special().gammainc
    low = np.full(expected.shape, 1e-12)
    high = np.maximum(expected, 1.0) * 4 + 50
    while np.any(gammainc(high, expected) > probability):
        high = np.where(gammainc(high, expected) > probability, high * 2, high)
    for _ in range(200):
        middle = np.sqrt(low * high)
        too_low = gammainc(middle, expected) > probability
        low = np.where(too_low, middle, low)
        high = np.where(too_low, high, middle)
        if np.all(high / low - 1 < 1e-12):
            break
    return np.sqrt(low * high)


def _rate_count_limits(expected: np.ndarray, p: float) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper funnel limits as (continuous) counts around ``expected`` events."""
    lower = np.full(expected.shape, np.nan)
    upper = np.full(expected.shape, np.nan)
    usable = ~np.isnan(expected) & (expected > 0)
    e = expected[usable]
    # upper: the count whose exact lower limit (chi2(1 - p, 2O) / 2) is the expected count
    upper[usable] = _solve_shape(e, 1 - p)
    # lower: the count whose exact upper limit (chi2(p, 2O + 2) / 2) is the expected count
    lower[usable] = np.maximum(_solve_shape(e, p) - 1, 0.0)
    zero = ~np.isnan(expected) & (expected == 0)
    lower[zero], upper[zero] = 0.0, 0.0
    return lower, upper


def calculate_rate_funnel_limits(
    denominator: ArrayLike, benchmark: ArrayLike, per: float = 1000
) -> pd.DataFrame:
    """Funnel limits for a crude rate at each denominator (exact Poisson).

    The expected count at a denominator ``n`` is ``E = benchmark x n / per``. The upper
    limit is the count whose exact Poisson lower confidence limit (PHE guide Appendix 2,
    ``chi2.ppf(1 - p, 2 O) / 2``) equals E, and the lower limit the count whose exact upper
    limit (``chi2.ppf(p, 2 O + 2) / 2``) equals E, found by bisection as
    PHEindicatormethods ``poisson_funnel`` does; both are turned back into rates. So a
    council is outside a limit exactly when its own exact interval excludes the benchmark.

    Parameters
    ----------
    denominator : scalar, array-like or pandas.Series
        Population (or person-time) at which to give the limits. Must be positive.
    benchmark : scalar, array-like or pandas.Series
        The benchmark rate per ``per`` (e.g. the England rate per 100,000 aged 65+).
    per : float, default 1000
        Rate multiplier, as in :func:`~kassanalysis.analysis.stats.calculate_rate_interval`.

    Returns
    -------
    pandas.DataFrame
        Columns ``denominator``, ``benchmark``, ``lower_95``, ``upper_95``, ``lower_998``,
        ``upper_998`` (rates per ``per``).

    Raises
    ------
    ValueError
        If a denominator is 0 or negative, a benchmark is negative, ``per`` is not a
        positive finite number, or an input is infinite.

    Examples
    --------
    One event in 100 has the exact 95% interval 0.025318 to 5.571643 per 100 (PHE), so
    with a benchmark of 5.571643 per 100 the lower 95% limit at 100 is 1 per 100:

    >>> limits = calculate_rate_funnel_limits(100, 5.571643, per=100)
    >>> round(float(limits["lower_95"].iloc[0]), 4)
    1.0
    """
    if isinstance(per, bool) or not isinstance(per, numbers.Real) or not 0 < per < np.inf:
        raise ValueError(f"per must be a positive finite number, got {per!r}")
    (den, rate), index, _ = _prepare((denominator, benchmark), ("denominator", "benchmark"))
    den, rate = np.atleast_1d(den), np.atleast_1d(rate)
    _raise_where(den <= 0, "denominator is not positive", index)
    _raise_where(rate < 0, "benchmark rate is negative", index)
    frame = _funnel_frame(den, rate, index)
    expected = rate * den / per
    for suffix, p in FUNNEL_LEVELS.items():
        low, high = _rate_count_limits(expected, p)
        frame[f"lower_{suffix}"] = low * per / den
        frame[f"upper_{suffix}"] = high * per / den
    return frame[["denominator", "benchmark", "lower_95", "upper_95", "lower_998", "upper_998"]]


def flag_funnel_outliers(
    numerator: ArrayLike,
    denominator: ArrayLike,
    benchmark: ArrayLike,
    kind: Literal["proportion", "rate"],
    per: float = 1000,
) -> Any:
    """Where each council falls on the funnel: outside the 99.8% or 95% limits, or within.

    The council's value (``numerator / denominator``, times ``per`` for a rate) is compared
    with the limits at its own denominator, strictly, in PHE's order (low 99.8%, low 95%,
    high 99.8%, high 95%; PHEindicatormethods ``assign_funnel_significance``).

    ========================  ==============================
    label                     PHEindicatormethods label
    ========================  ==============================
    ``"above 99.8% limit"``   ``"High (0.001)"``
    ``"above 95% limit"``     ``"High (0.025)"``
    ``"within limits"``       ``"Not significant"``
    ``"below 95% limit"``     ``"Low (0.025)"``
    ``"below 99.8% limit"``   ``"Low (0.001)"``
    ``"not compared"``        (missing numerator, denominator or benchmark)
    ========================  ==============================

    Parameters
    ----------
    numerator : scalar, array-like or pandas.Series
        Events (people with the characteristic, admissions...), 0 or more.
    denominator : scalar, array-like or pandas.Series
        Denominator (cohort or population), positive.
    benchmark : scalar, array-like or pandas.Series
        Benchmark proportion (0 to 1) or rate per ``per``.
    kind : {"proportion", "rate"}
        Which funnel: :func:`calculate_proportion_funnel_limits` or
        :func:`calculate_rate_funnel_limits`.
    per : float, default 1000
        Rate multiplier (rates only).

    Returns
    -------
    str, numpy.ndarray of object or pandas.Series
        One label per council, as above.

    Raises
    ------
    ValueError
        If ``kind`` is not recognised, a numerator is negative (or above its denominator
        for a proportion), or as the limit functions.

    Examples
    --------
    >>> flag_funnel_outliers([90, 800, 50], [100, 1000, 100], 0.8, "proportion").tolist()
    ['above 95% limit', 'within limits', 'below 99.8% limit']
    """
    if kind not in ("proportion", "rate"):
        raise ValueError(f"kind must be 'proportion' or 'rate', got {kind!r}")
    (num, den, target), index, scalar = _prepare(
        (numerator, denominator, benchmark), ("numerator", "denominator", "benchmark")
    )
    shape = num.shape
    num, den, target = np.atleast_1d(num), np.atleast_1d(den), np.atleast_1d(target)
    _raise_where(num < 0, "numerator is negative", index)
    if kind == "proportion":
        _raise_where(num > den, "numerator is greater than denominator", index)
    known = ~(np.isnan(num) | np.isnan(den) | np.isnan(target))
    _raise_where(known & (den <= 0), "denominator is not positive", index)
    labels = np.full(num.shape, "not compared", dtype=object)
    if known.any():
        if kind == "proportion":
            limits = calculate_proportion_funnel_limits(den[known], target[known])
            value = num[known] / den[known]
        else:
            limits = calculate_rate_funnel_limits(den[known], target[known], per=per)
            value = num[known] / den[known] * per
        chosen = np.select(
            [
                value < limits["lower_998"].to_numpy(),
                value < limits["lower_95"].to_numpy(),
                value > limits["upper_998"].to_numpy(),
                value > limits["upper_95"].to_numpy(),
            ],
            ["below 99.8% limit", "below 95% limit", "above 99.8% limit", "above 95% limit"],
            default="within limits",
        )
        labels[known] = chosen
    return _wrap(labels.reshape(shape), index, scalar)
