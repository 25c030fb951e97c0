"""Two-level significance against a named benchmark, as OHID Fingertips shows it.

A value is compared with a benchmark (the England value, the comparator group's value, or
a goal) at the 95% and the 99.8% confidence levels; the reader is told which benchmark every
flag uses. Re-exported from :mod:`kassanalysis.analysis.stats`.

References
----------
.. [1] Public Health England, "Technical Guide: Confidence Intervals" (2018): 95% and 99.8%
   levels, significance when the interval excludes the benchmark.
.. [2] OHID Fingertips, "Compared with benchmark" legend: better / similar / worse at 95%
   and at 99.8% ("Better 99.8%", "Better 95%", "Similar", "Worse 95%", "Worse 99.8%",
   "Not compared").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kassanalysis.analysis._arrays import ArrayLike, Polarity, _prepare, check_polarity
from kassanalysis.analysis.intervals import classify_against_benchmark

__all__ = ["classify_against_benchmark_two_levels"]

_DIFFERENT = ("better", "worse", "higher", "lower")


def classify_against_benchmark_two_levels(
    lower_95: ArrayLike,
    upper_95: ArrayLike,
    lower_998: ArrayLike,
    upper_998: ArrayLike,
    benchmark: ArrayLike,
    polarity: Polarity,
    benchmark_name: str,
) -> pd.DataFrame:
    """Compare intervals with a named benchmark at 95% and 99.8%, Fingertips style.

    At each level the comparison is :func:`~kassanalysis.analysis.stats.classify_against_benchmark`:
    different only when the interval excludes the benchmark (``lower > benchmark`` or
    ``upper < benchmark``), read by polarity. The combined ``significance`` is the 99.8%
    result when that is significant, else the 95% result, so it takes the five Fingertips
    values (e.g. ``"better (99.8%)"``, ``"better (95%)"``, ``"similar"``, ``"worse (95%)"``,
    ``"worse (99.8%)"``; ``"higher"``/``"lower"`` for ``"no_polarity"``) or
    ``"not compared"`` where there is no interval or no benchmark.

    Parameters
    ----------
    lower_95, upper_95, lower_998, upper_998 : scalar, array-like or pandas.Series
        The 95% and 99.8% confidence limits, e.g. from
        :func:`~kassanalysis.analysis.stats.calculate_wilson_interval`. A missing 99.8%
        interval leaves the 95% comparison standing.
    benchmark : scalar, array-like or pandas.Series
        Benchmark value(s) in the same units as the limits.
    polarity : {"higher_is_better", "lower_is_better", "no_polarity"}
        Which direction is good.
    benchmark_name : str
        What the benchmark is, in words a reader sees, e.g. ``"England value"``,
        ``"group value"``, ``"goal"``, ``"England median"``.

    Returns
    -------
    pandas.DataFrame
        One row per position (the Series index, else a RangeIndex; one row for scalars)
        with columns ``benchmark`` (the name), ``benchmark_value``, ``compared_95``,
        ``compared_998`` (each ``"better"``, ``"similar"``, ``"worse"``, ``"higher"``,
        ``"lower"`` or ``"not compared"``), ``significance`` (combined, as above) and
        ``significance_text`` (e.g. ``"better than the England value at the 99.8% level"``).

    Raises
    ------
    ValueError
        If ``polarity`` is not recognised, ``benchmark_name`` is empty, an input is
        infinite or a lower limit is above its upper limit.

    Examples
    --------
    >>> table = classify_against_benchmark_two_levels(
    ...     [0.55, 0.52, 0.40, None], [0.74, 0.62, 0.49, None],
    ...     [0.51, 0.48, 0.37, None], [0.77, 0.66, 0.52, None],
    ...     0.50, "higher_is_better", "England value")
    >>> table["significance"].tolist()
    ['better (99.8%)', 'better (95%)', 'worse (95%)', 'not compared']
    >>> table["significance_text"].iloc[1]
    'better than the England value at the 95% level'
    """
    check_polarity(polarity)
    if not isinstance(benchmark_name, str) or not benchmark_name.strip():
        raise ValueError("benchmark_name must name the benchmark, e.g. 'England value'")
    names = ("lower_95", "upper_95", "lower_998", "upper_998", "benchmark")
    arrays, index, _ = _prepare((lower_95, upper_95, lower_998, upper_998, benchmark), names)
    low95, high95, low998, high998, target = (np.atleast_1d(a) for a in arrays)
    at_95 = np.asarray(classify_against_benchmark(low95, high95, target, polarity), dtype=object)
    at_998 = np.asarray(classify_against_benchmark(low998, high998, target, polarity), dtype=object)
    combined = np.where(
        np.isin(at_998, _DIFFERENT),
        at_998 + " (99.8%)",
        np.where(np.isin(at_95, _DIFFERENT), at_95 + " (95%)", at_95),
    )
    # a missing 95% interval with a present 99.8% one still gives the 99.8% reading
    combined = np.where((combined == "not compared") & (at_998 == "similar"), "similar", combined)
    name = benchmark_name.strip()
    text = np.array([_describe(label, name) for label in combined], dtype=object)
    return pd.DataFrame(
        {
            "benchmark": name,
            "benchmark_value": target,
            "compared_95": at_95,
            "compared_998": at_998,
            "significance": combined.astype(object),
            "significance_text": text,
        },
        index=index if index is not None else pd.RangeIndex(target.size),
    )


def _describe(label: str, benchmark_name: str) -> str:
    if label == "not compared":
        return f"not compared with the {benchmark_name} (no interval or no benchmark)"
    if label == "similar":
        return f"similar to the {benchmark_name}"
    word, _, level = label.partition(" (")
    return f"{word} than the {benchmark_name} at the {level.rstrip(')')} level"
