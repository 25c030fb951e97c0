"""Input handling shared by the statistical methods in :mod:`kassanalysis.analysis`.

Private: the public functions live in the method modules and are re-exported from
:mod:`kassanalysis.analysis.stats`. The conventions they follow (Series in, Series out;
missing is NaN; infinite values rejected with the position named) are described there.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from kassanalysis.vocabulary import Polarity as Polarity  # re-exported for the method modules
from kassanalysis.vocabulary import check_polarity as check_polarity


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


ArrayLike = float | int | Sequence[float] | np.ndarray | pd.Series


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
