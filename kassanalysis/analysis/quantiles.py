"""Quantiles (quartiles, quintiles, deciles...) as PHE and OHID Fingertips assign them.

Re-exported from :mod:`kassanalysis.analysis.stats`.

References
----------
.. [1] PHEindicatormethods R package, ukhsa-collaboration/PHEindicatormethods on GitHub
   (commit 093fd288): ``R/Quantiles.R`` (``phe_quantile``) and its test data
   ``tests/testthat/testdata_Quantiles.xlsx``.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import pandas as pd

from kassanalysis.analysis._arrays import ArrayLike, Polarity, _prepare, _wrap, check_polarity

__all__ = ["assign_quantile", "assign_quantile_by_polarity"]


def assign_quantile(values: ArrayLike, n_quantiles: int, invert: bool = True) -> Any:
    """Assign each value its quantile (1 to ``n_quantiles``) by PHE's method.

    As ``phe_quantile`` in PHEindicatormethods: with n non-missing values and
    ``rank`` their rank with ties sharing the lowest rank (of ``-value`` when ``invert``),

    ``quantile = floor((n_quantiles + 1) - ceil(((n + 1) - rank) / (n / n_quantiles)))``,

    and a quantile of 0 becomes 1. So tied values share a quantile, and the quantiles are
    as equal in size as n allows.

    Parameters
    ----------
    values : array-like or pandas.Series
        One-dimensional values of one group (e.g. every council's value for one
        indicator and period). Use ``groupby(...).transform`` for several groups.
    n_quantiles : int
        Number of quantiles: 4 quartiles, 5 quintiles, 10 deciles. At least 2.
    invert : bool, default True
        True puts the **highest** values in quantile 1 (PHE's default, "lowest quantile
        represents highest values"); False puts the lowest values in quantile 1.

    Returns
    -------
    numpy.ndarray or pandas.Series of float
        Quantiles 1.0 to ``n_quantiles`` (float so that missing can be NaN). NaN for a
        missing value, and for every value when fewer than ``n_quantiles`` values are
        present (PHE assigns none then).

    Raises
    ------
    ValueError
        If ``n_quantiles`` is not a whole number of at least 2, ``invert`` is not a bool,
        ``values`` is not one-dimensional or a value is infinite.

    References
    ----------
    PHEindicatormethods ``R/Quantiles.R`` (``phe_quantile``).

    Examples
    --------
    Quintiles of ten values, highest first; the two 8s share quintile 2:

    >>> assign_quantile([10, 9, 8, 8, 6, 5, 4, 3, 2, 1], 5).tolist()
    [1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0, 5.0, 5.0]
    >>> assign_quantile([10, 9, None, 1], 5).tolist()
    [nan, nan, nan, nan]
    """
    if (
        isinstance(n_quantiles, bool)
        or not isinstance(n_quantiles, numbers.Integral)
        or n_quantiles < 2
    ):
        raise ValueError(f"n_quantiles must be a whole number of at least 2, got {n_quantiles!r}")
    if not isinstance(invert, (bool, np.bool_)):
        raise ValueError(f"invert must be True or False, got {invert!r}")
    (array,), index, scalar = _prepare((values,), ("values",))
    if array.ndim != 1:
        raise ValueError(f"values must be one-dimensional, got shape {array.shape}")
    present = ~np.isnan(array)
    n = int(present.sum())
    quantile = np.full(array.shape, np.nan)
    if n >= n_quantiles:
        key = -array[present] if invert else array[present]
        rank = pd.Series(key).rank(method="min").to_numpy()
        raw = np.floor((n_quantiles + 1) - np.ceil(((n + 1) - rank) / (n / n_quantiles)))
        quantile[present] = np.where(raw == 0, 1.0, raw)
    return _wrap(quantile, index, scalar, "quantile")


def assign_quantile_by_polarity(values: ArrayLike, n_quantiles: int, polarity: Polarity) -> Any:
    """Quantiles ordered by polarity: quantile 1 holds the **best** values.

    As :func:`assign_quantile` with ``invert`` chosen from the polarity, so quantile 1 is
    the best fifth (or tenth...) as rank 1 and quartile 1 are elsewhere in kassanalysis:
    ``"higher_is_better"`` puts the highest values in quantile 1, ``"lower_is_better"``
    the lowest, and ``"no_polarity"`` the highest (no judgement implied).

    PHE's own test data read polarity the other way round (quantile 1 = the worst end:
    "RAG - Low is good" gives ``invert=True``); for that reading call
    ``assign_quantile(values, n, invert=(polarity == "lower_is_better"))``.

    Parameters
    ----------
    values : array-like or pandas.Series
        One-dimensional values of one group.
    n_quantiles : int
        Number of quantiles, at least 2.
    polarity : {"higher_is_better", "lower_is_better", "no_polarity"}
        Which direction is good.

    Returns
    -------
    numpy.ndarray or pandas.Series of float
        As :func:`assign_quantile`.

    Raises
    ------
    ValueError
        As :func:`assign_quantile`, or if ``polarity`` is not recognised.

    Examples
    --------
    >>> assign_quantile_by_polarity([1, 2, 3, 4, 5], 5, "lower_is_better").tolist()
    [1.0, 2.0, 3.0, 4.0, 5.0]
    """
    check_polarity(polarity)
    return assign_quantile(values, n_quantiles, invert=polarity != "lower_is_better")
