"""The recent trend marker, as OHID Fingertips calculates it.

A chi-squared test for trend over the five most recent points, with the gradient, a marker
(increasing / decreasing / no significant change / cannot be calculated, with the reason)
and, read by polarity, getting better or worse. Re-exported from
:mod:`kassanalysis.analysis.stats`.

References
----------
.. [1] PHEindicatormethods R package, dhsc-govuk/PHEindicatormethods on GitHub, branch
   ``add_trend_markers`` (commit be274439): ``R/TrendMarkers.R`` (``assign_trend_markers``),
   ``R/utils.R`` (``calculate_trend_logistic_regression``,
   ``calculate_trend_weighted_regression``), tested by ``tests/testthat/testTrendMarkers.R``
   on ``tests/testthat/testdata_trend_markers.xlsx``.
.. [2] dhsc-govuk/FingertipsNext, ``trend-analysis/TrendAnalysisApp/Calculator/`` (the
   same test; critical value ``9.54953570608324``; polarity reading).
.. [3] Armitage, P. (1955), "Tests for linear trends in proportions and frequencies",
   Biometrics 11(3), 375-386.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kassanalysis.analysis._arrays import (
    ArrayLike,
    Polarity,
    _chi2_quantile,
    _to_float_array,
    _z_score,
    check_polarity,
)

__all__ = ["RECENT_TREND_POINTS", "calculate_recent_trend", "describe_recent_trend"]

#: Fingertips tests the trend over the five most recent points.
RECENT_TREND_POINTS = 5

#: Two-sided test at the 99.8% level: the chi-squared (1 df) quantile at 0.998.
_SIGNIFICANCE = 0.998


def _cannot(reason: str, years: np.ndarray | None = None) -> dict[str, Any]:
    return {
        "marker": "cannot be calculated",
        "reason": reason,
        "statistic": float("nan"),
        "gradient": float("nan"),
        "years": [] if years is None else years.tolist(),
    }


def _slope(t: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    """Weighted least-squares slope of ``y`` on ``t`` (w = 1 gives ordinary least squares)."""
    s1, st, sy = w.sum(), (w * t).sum(), (w * y).sum()
    return float((s1 * (w * y * t).sum() - st * sy) / (s1 * (w * t * t).sum() - st**2))


def _proportion_statistic(t: np.ndarray, c: np.ndarray, d: np.ndarray) -> float:
    """Armitage's chi-squared for trend in proportions (PHE / legacy Fingertips)."""
    big_d, big_c = d.sum(), c.sum()
    top = big_d * (big_d * (c * t).sum() - big_c * (d * t).sum()) ** 2
    bottom = big_c * (big_d - big_c) * (big_d * (d * t * t).sum() - (d * t).sum() ** 2)
    return float(top / bottom)


def _weighted_statistic(t: np.ndarray, w: np.ndarray) -> float:
    """Variance of the weighted slope: S1 / (S1 St2 - St^2)."""
    s1, st = w.sum(), (w * t).sum()
    return float(s1 / (s1 * (w * t * t).sum() - st**2))


def _choose_inputs(
    proportion_inputs: dict[str, Any], other_inputs: dict[str, Any]
) -> tuple[bool, dict[str, Any]]:
    """Which of the two input sets was given (a proportion or other values), checked whole."""
    given_proportion = [name for name, v in proportion_inputs.items() if v is not None]
    given_other = [name for name, v in other_inputs.items() if v is not None]
    if given_proportion and given_other:
        raise ValueError(
            "give either numerator and denominator (a proportion) or values, lower_95 and "
            f"upper_95 (other values), not both; got {', '.join(given_proportion + given_other)}"
        )
    if given_proportion:
        chosen = proportion_inputs
    elif given_other:
        chosen = other_inputs
    else:
        raise ValueError(
            "give numerator and denominator (a proportion) or values, lower_95 and upper_95"
        )
    absent = [name for name, v in chosen.items() if v is None]
    if absent:
        raise ValueError(f"missing argument(s) {', '.join(absent)}")
    return bool(given_proportion), chosen


def _to_checked_arrays(
    years: ArrayLike, chosen: dict[str, Any]
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The years and the chosen inputs as float arrays: one-dimensional, same length, finite."""
    time = _to_float_array(years, "years")
    arrays = {name: _to_float_array(v, name) for name, v in chosen.items()}
    for name, array in {"years": time, **arrays}.items():
        if array.ndim != 1:
            raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
        if array.size != time.size:
            raise ValueError(f"{name} has {array.size} values but years has {time.size}")
        if np.isinf(array).any():
            first = int(np.flatnonzero(np.isinf(array))[0])
            raise ValueError(f"{name} is infinite at position {first}")
    return time, arrays


def calculate_recent_trend(
    years: ArrayLike,
    *,
    numerator: ArrayLike | None = None,
    denominator: ArrayLike | None = None,
    values: ArrayLike | None = None,
    lower_95: ArrayLike | None = None,
    upper_95: ArrayLike | None = None,
) -> dict[str, Any]:
    """Test for a recent trend over the five most recent points, Fingertips style.

    The points are put in order of ``years`` (the time values: financial years as their
    first calendar year, e.g. 2019 for 2019-20) and the last five are tested.

    * **Proportions**, from ``numerator`` and ``denominator``: Armitage's chi-squared for
      trend ``X2 = D (D Sum(c t) - C Sum(d t))^2 / (C (D - C) (D Sum(d t^2) - (Sum d t)^2))``
      (c numerators, d denominators, C and D their sums, t the years); the gradient is the
      ordinary least-squares slope of ``logit(c / d)`` on t.
    * **Other values** (rates, means...), from ``values`` and their ``lower_95`` /
      ``upper_95`` limits: standard errors ``(upper - lower) / (2 x 1.959964)``, weights
      ``w = 1 / SE^2``, the weighted least-squares slope ``beta`` as the gradient and
      ``X2 = beta^2 / Var(beta)`` with ``Var(beta) = Sum w / (Sum w Sum w t^2 - (Sum w t)^2)``.

    The trend is significant when ``X2 > 9.5495`` (the chi-squared 1-df quantile at 0.998,
    a two-sided test at the 99.8% level; strictly greater). A significant trend is then
    checked for outliers: the gradient is recalculated without each of the five points in
    turn, and if any of those gradients has the other sign the marker is
    ``"no significant change"`` with the reason ``"outlier found"``. Otherwise the marker
    is ``"increasing"`` or ``"decreasing"`` by the sign of the gradient.

    The checks that come first, in PHEindicatormethods' order, each give
    ``"cannot be calculated"`` with the reason: ``"missing years"``, ``"duplicate years"``,
    ``"not enough data points"`` (fewer than five), ``"missing values"`` (a missing
    numerator, denominator or value among the last five), ``"missing at least one
    confidence interval value"``; then impossible inputs the statistic cannot use (a
    denominator of 0 or less, a numerator outside 0 to the denominator, a proportion of 0
    or 1 whose logit is infinite, a confidence interval of zero or negative width).

    Parameters
    ----------
    years : array-like or pandas.Series
        The time value of each point (numbers; the gaps between them count).
    numerator, denominator : array-like or pandas.Series, optional
        Counts and denominators, for a proportion. Give both, and none of the others.
    values, lower_95, upper_95 : array-like or pandas.Series, optional
        Values and their 95% confidence limits, for any other value type. Give all three.

    Returns
    -------
    dict
        ``marker`` (``"increasing"``, ``"decreasing"``, ``"no significant change"`` or
        ``"cannot be calculated"``), ``reason`` (``"no outliers and significant trend"``,
        ``"outlier found"``, ``"no significant trend"`` or why it cannot be calculated),
        ``statistic`` (X2; NaN if not calculated), ``gradient`` (logit per year for
        proportions, value units per year otherwise; NaN if not calculated) and ``years``
        (the five years tested, or [] when not calculated). Read the marker by polarity
        with :func:`describe_recent_trend`.

    Raises
    ------
    ValueError
        If the inputs are not one of the two sets above, their lengths differ, or a value
        is infinite.

    References
    ----------
    PHEindicatormethods (dhsc-govuk, branch add_trend_markers) ``R/TrendMarkers.R`` and
    ``R/utils.R``; Armitage (1955).

    Examples
    --------
    >>> trend = calculate_recent_trend(
    ...     [2019, 2020, 2021, 2022, 2023],
    ...     values=[30.6, 30.2, 28.0, 24.6, 24.67],
    ...     lower_95=[28.98, 28.63, 26.44, 23.15, 23.16],
    ...     upper_95=[32.25, 31.9, 29.64, 26.19, 26.25])
    >>> trend["marker"], trend["reason"], round(trend["gradient"], 4)
    ('decreasing', 'no outliers and significant trend', -1.7516)
    >>> calculate_recent_trend([2021, 2022, 2023], values=[1, 2, 3],
    ...                        lower_95=[0, 1, 2], upper_95=[2, 3, 4])["reason"]
    'not enough data points'
    """
    given_proportion, chosen = _choose_inputs(
        {"numerator": numerator, "denominator": denominator},
        {"values": values, "lower_95": lower_95, "upper_95": upper_95},
    )
    time, arrays = _to_checked_arrays(years, chosen)

    if np.isnan(time).any():
        return _cannot("missing years")
    if np.unique(time).size != time.size:
        return _cannot("duplicate years")
    if time.size < RECENT_TREND_POINTS:
        return _cannot("not enough data points")
    last = np.argsort(time, kind="stable")[-RECENT_TREND_POINTS:]
    t = time[last]
    picked = {name: array[last] for name, array in arrays.items()}

    if given_proportion:
        c, d = picked["numerator"], picked["denominator"]
        if np.isnan(c).any() or np.isnan(d).any():
            return _cannot("missing values", t)
        if (d <= 0).any():
            return _cannot("a denominator is 0 or less", t)
        if (c < 0).any() or (c > d).any():
            return _cannot("a numerator is outside 0 to its denominator", t)
        if ((c == 0) | (c == d)).any():
            return _cannot("a proportion of 0 or 1 (its logit is infinite)", t)
        response = np.log(c / (d - c))
        weights = np.ones(t.size)
        statistic = _proportion_statistic(t, c, d)
    else:
        v, low, high = picked["values"], picked["lower_95"], picked["upper_95"]
        if np.isnan(v).any():
            return _cannot("missing values", t)
        if np.isnan(low).any() or np.isnan(high).any():
            return _cannot("missing at least one confidence interval value", t)
        if (high <= low).any():
            return _cannot("a confidence interval of zero or negative width", t)
        standard_error = (high - low) / (2 * _z_score(0.95))
        response = v
        weights = 1 / standard_error**2
        statistic = None

    gradient = _slope(t, response, weights)
    if statistic is None:
        statistic = gradient**2 / _weighted_statistic(t, weights)
    critical = float(_chi2_quantile(_SIGNIFICANCE, np.array(1.0)))
    result = {"statistic": float(statistic), "gradient": gradient, "years": t.tolist()}
    if not statistic > critical:
        return {"marker": "no significant change", "reason": "no significant trend", **result}
    keep = ~np.eye(t.size, dtype=bool)
    without_one = [_slope(t[k], response[k], weights[k]) for k in keep]
    if any(np.sign(g) != np.sign(gradient) for g in without_one):
        return {"marker": "no significant change", "reason": "outlier found", **result}
    marker = "increasing" if gradient > 0 else "decreasing"
    return {"marker": marker, "reason": "no outliers and significant trend", **result}


def describe_recent_trend(marker: str, polarity: Polarity) -> str:
    """Read a recent trend marker by polarity, as FingertipsNext words it.

    Parameters
    ----------
    marker : str
        ``marker`` from :func:`calculate_recent_trend`.
    polarity : {"higher_is_better", "lower_is_better", "no_polarity"}
        Which direction is good.

    Returns
    -------
    str
        ``"increasing and getting better"``, ``"increasing and getting worse"``,
        ``"decreasing and getting better"``, ``"decreasing and getting worse"``; the marker
        itself for ``"no_polarity"``, ``"no significant change"`` and ``"cannot be
        calculated"``.

    Raises
    ------
    ValueError
        If the marker or the polarity is not recognised.

    Examples
    --------
    >>> describe_recent_trend("decreasing", "lower_is_better")
    'decreasing and getting better'
    >>> describe_recent_trend("increasing", "no_polarity")
    'increasing'
    """
    check_polarity(polarity)
    markers = ("increasing", "decreasing", "no significant change", "cannot be calculated")
    if marker not in markers:
        raise ValueError(f"marker must be one of {', '.join(markers)}; got {marker!r}")
    if marker not in ("increasing", "decreasing") or polarity == "no_polarity":
        return marker
    good = (marker == "increasing") == (polarity == "higher_is_better")
    return f"{marker} and getting {'better' if good else 'worse'}"
