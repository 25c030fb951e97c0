"""Reading one council's indicator series out of the tidy observations, shared by the
trend and performance analyses.

Pure functions on the :class:`~kassanalysis.schemas.IndicatorObservations` frame: the rows
for one council, indicator and breakdown (with contradictions refused, not resolved); the
row that applies to a period (with the quarter and year fall-backs that phased targets
need); whether an actual meets a target; and the output tables' construction from their
schemas.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pandera.pandas as pa

from kassanalysis.periods import Period, parse_period
from kassanalysis.schemas import IndicatorObservations as Obs
from kassanalysis.schemas import columns_of

__all__ = [
    "EQUAL_TOLERANCE",
    "describe_status",
    "find_for_period",
    "is_missing",
    "make_frame",
    "meets_target",
    "resolve_period",
    "select_observations",
]

# Two numbers closer than this (relative to the target) count as equal, so that a figure
# computed as 76.99999999 from a numerator and denominator still meets a target of 77.
EQUAL_TOLERANCE = 1e-9

_STATUS_WORDS = {
    "missing": "missing",
    "suppressed": "suppressed [c]",
    "to_be_confirmed": "to be confirmed (TBC)",
    "not_applicable": "not applicable (N/A)",
    "reported": "missing",
}


def resolve_period(period: Period | str) -> Period:
    """``period`` as a :class:`Period` (labels such as ``"2013-14 Q1"`` are parsed)."""
    return period if isinstance(period, Period) else parse_period(str(period))


def is_missing(value: Any) -> bool:
    """Whether a scalar is missing (``None``, NaN, ``pd.NA``, ``NaT``).

    Examples
    --------
    >>> is_missing(None), is_missing(float("nan")), is_missing(0.0)
    (True, True, False)
    """
    return value is None or bool(pd.isna(value))


def select_observations(
    observations: pd.DataFrame,
    *,
    indicator_id: str,
    authority_code: str,
    breakdown: str,
    value_types: tuple[str, ...],
) -> pd.DataFrame:
    """Rows for one council, indicator and breakdown, one per value type and period.

    The same value published twice (say in two documents) is kept once, preferring a row
    with a number and then the first by file and line. Two different numbers for the same
    value and period are a contradiction that this module will not resolve by picking one:
    it raises ``ValueError`` naming both sources.
    """
    missing = {
        Obs.authority_code,
        Obs.indicator_id,
        Obs.breakdown,
        Obs.period,
        Obs.period_type,
        Obs.period_start,
        Obs.period_end,
        Obs.value_type,
        Obs.value,
        Obs.unit,
        Obs.status,
        Obs.source_file,
        Obs.source_line,
    } - set(observations.columns)
    if missing:
        raise ValueError(f"observations lack column(s) {sorted(missing)}")
    mask = (
        (observations[Obs.authority_code] == authority_code)
        & (observations[Obs.indicator_id] == indicator_id)
        & (observations[Obs.breakdown] == breakdown)
        & observations[Obs.value_type].isin(value_types)
    )
    frame = observations.loc[mask].copy()
    for column in (Obs.period_start, Obs.period_end):
        frame[column] = pd.to_datetime(frame[column]).dt.normalize().astype("datetime64[ns]")
    frame["_unvalued"] = frame[Obs.value].isna()
    frame = frame.sort_values(["_unvalued", Obs.source_file, Obs.source_line], kind="stable")
    key = [Obs.value_type, Obs.period_type, Obs.period_start, Obs.period_end]
    valued_rows = frame.loc[~frame["_unvalued"]]
    numbers = valued_rows.groupby(key, sort=False)[Obs.value].transform("nunique")
    if (numbers > 1).any():  # the first contradiction, in file and line order
        first = valued_rows.loc[numbers > 1].iloc[0]
        same = (valued_rows[key] == first[key]).all(axis=1)
        valued = valued_rows.loc[same]
        second = valued.loc[valued[Obs.value] != first[Obs.value]].iloc[0]
        raise ValueError(
            f"{indicator_id} {first[Obs.value_type]} for {first[Obs.period]} "
            f"({authority_code}, {breakdown}) is published as {first[Obs.value]:g} "
            f"({first[Obs.source_file]} line {first[Obs.source_line]}) and as "
            f"{second[Obs.value]:g} ({second[Obs.source_file]} line "
            f"{second[Obs.source_line]}); filter the observations to one source first"
        )
    frame = frame.drop_duplicates(key, keep="first").drop(columns="_unvalued")
    return frame.sort_values(
        [Obs.period_end, Obs.period_start, Obs.source_file, Obs.source_line], kind="stable"
    )


def find_for_period(
    rows: pd.DataFrame,
    start: pd.Timestamp,
    end: pd.Timestamp,
    kind: str,
    *,
    fall_back_to_year: bool = False,
) -> tuple[pd.Series | None, pd.Series | None]:
    """The row of ``rows`` (one value type) that applies to the period ``start``-``end``.

    Tries, in order: the same period; for a month, the quarter containing it; for a year,
    the quarter ending on the year's last day (Q4); and, when ``fall_back_to_year``, for a
    month or quarter, the financial year containing it. Returns ``(row with a number, first
    row found without one)``; either may be ``None``. The second lets a caller say "the
    target for 2013-14 Q2 is TBC" rather than "there is no target".
    """
    p_type, p_start, p_end = rows[Obs.period_type], rows[Obs.period_start], rows[Obs.period_end]
    steps = [(p_type == kind) & (p_start == start) & (p_end == end)]
    if kind == "month":
        steps.append((p_type == "quarter") & (p_start <= start) & (p_end >= end))
    if kind == "year":
        steps.append((p_type == "quarter") & (p_end == end) & (p_start >= start))
    if fall_back_to_year and kind in ("month", "quarter"):
        steps.append((p_type == "year") & (p_start <= start) & (p_end >= end))
    unvalued = None
    for step in steps:
        found = rows.loc[step]
        valued = found.loc[found[Obs.value].notna()]
        if not valued.empty:
            return valued.iloc[0], unvalued
        if unvalued is None and not found.empty:
            unvalued = found.iloc[0]
    return None, unvalued


def meets_target(actual: float, target: float, polarity: str) -> bool | None:
    """Whether ``actual`` meets ``target`` (equal counts as met); ``None`` if undecidable."""
    if polarity == "no_polarity" or is_missing(actual) or is_missing(target):
        return None
    if math.isclose(actual, target, rel_tol=EQUAL_TOLERANCE, abs_tol=EQUAL_TOLERANCE):
        return True
    return bool(actual > target) if polarity == "higher_is_better" else bool(actual < target)


def describe_status(status: Any) -> str:
    """Words for why a value is not a number (a status of
    :data:`kassanalysis.schemas.STATUSES`).

    Examples
    --------
    >>> describe_status("suppressed"), describe_status("to_be_confirmed")
    ('suppressed [c]', 'to be confirmed (TBC)')
    """
    return _STATUS_WORDS.get(str(status), "missing")


def make_frame(records: list[dict[str, Any]], model: type[pa.DataFrameModel]) -> pd.DataFrame:
    """An analysis output table: ``records`` with exactly the columns of ``model`` (one of
    the output schemas in :mod:`kassanalysis.schemas`), in order, validated and coerced
    to its dtypes.

    Raises
    ------
    pandera.errors.SchemaError
        When a record breaks the table's contract (e.g. a missing id).
    """
    frame = pd.DataFrame.from_records(records, columns=columns_of(model))
    return model.validate(frame).reset_index(drop=True)
