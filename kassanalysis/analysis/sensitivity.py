"""Comparator-group sensitivity: does a council's position depend on the choice of peers?

The same indicator and period ranked under each comparator group a council has (CIPFA or
Oflog nearest neighbours, same council type, same region, all England...), side by side.

Disclosure control is the report's (:mod:`kassanalysis.publish.disclosure`: a figure built
on a withheld count is withheld too), but only the analysis knows which figures are built
on the council's count, so each row carries it: ``numerator``, the council's own count
behind its value in that row's period, and ``numerator_in_group_median``, the smallest
count of any member of the group behind a middle value of the group median (the median of
one value is that value; of two, their mean, so a member's value is the median times two
less the other's published value), as the group table withholds its median on every row:
:func:`~kassanalysis.analysis.comparator.compare_with_group` works out each member's,
with :func:`~kassanalysis.analysis.stats.flag_median_values`, and
:func:`~kassanalysis.analysis.stats.find_smallest_count` the one that decides.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from kassanalysis.analysis import stats
from kassanalysis.analysis.comparator import compare_with_group

__all__ = ["rank_under_each_group"]

_COLUMNS = [
    "group_id",
    "focus_in_group",
    "group_size",
    "value",
    "numerator",
    "rank",
    "quartile",
    "quintile",
    "group_median",
    "numerator_in_group_median",
    "mads_from_group_median",
    "position_depends_on_group",
    "indicator_id",
    "period",
    "polarity",
    "note",
    "source_file",
    "source_line",
]


def rank_under_each_group(
    observations: pd.DataFrame,
    members: pd.DataFrame,
    indicators: pd.DataFrame,
    *,
    indicator_id: str,
    period: str | None,
    group_ids: Sequence[str],
    focus_code: str,
    breakdown: str = "Total",
    population: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One indicator ranked under each comparator group, one row per group.

    Each group's table is :func:`~kassanalysis.analysis.comparator.compare_with_group`
    (rank 1 = best for the polarity, ties share a rank, quartiles by
    :func:`~kassanalysis.analysis.stats.assign_quartile`); this adds the quintile
    (:func:`~kassanalysis.analysis.stats.assign_quantile_by_polarity`, quintile 1 = best;
    missing in a group of fewer than 5 values, as PHE) and the distance from the **group**
    median in MADs, and keeps the focus council's row.

    Parameters
    ----------
    observations, members, indicators : pandas.DataFrame
        As :func:`~kassanalysis.analysis.comparator.compare_with_group`.
    indicator_id : str
        The indicator.
    period : str or None
        A period label, ``"latest"`` or None (the latest period published).
    group_ids : sequence of str
        The comparator groups, in the order to show them.
    focus_code : str
        The council whose position is compared.
    breakdown : str, default "Total"
        The breakdown of the observations to use.
    population : pandas.DataFrame, optional
        ONS population for rate denominators (as ``compare_with_group``).

    Returns
    -------
    pandas.DataFrame
        One row per group id in the order given: ``group_id``, ``focus_in_group``,
        ``group_size`` (councils with a value), ``value``, ``rank``, ``quartile``,
        ``quintile``, ``group_median``, ``mads_from_group_median``,
        ``position_depends_on_group`` (True on every row when the focus council's quartile
        differs between the groups where it has one), ``indicator_id``, ``period``,
        ``polarity``, ``note`` (why a row has no rank) and the value's ``source_file`` and
        ``source_line``. ``numerator`` is the focus council's published count behind its
        value (from the row's own period; NaN when none is published) and
        ``numerator_in_group_median`` the smallest count of any member of the group
        behind a middle value of the group median (NaN where none is published): a
        report withholding a small count withholds ``group_median`` (and the distance
        from it) with it there, as it withholds the group table's median.

    Raises
    ------
    ValueError
        If ``group_ids`` is empty or names the same group twice, or a group has no members.
    KeyError
        If ``indicator_id`` is not in ``indicators``.
    """
    if not group_ids:
        raise ValueError("group_ids is empty: name at least one comparator group")
    if len(set(group_ids)) != len(group_ids):
        raise ValueError(f"group_ids names a group more than once: {list(group_ids)}")
    if indicator_id not in indicators.index:
        raise KeyError(f"unknown indicator {indicator_id!r}")
    polarity = str(indicators.loc[indicator_id, "polarity"])
    rows = []
    for group_id in group_ids:
        table = compare_with_group(
            observations,
            members,
            indicators,
            indicator_id=indicator_id,
            period=period,
            group_id=group_id,
            focus_code=focus_code,
            breakdown=breakdown,
            population=population,
        )
        row = {"group_id": group_id, "indicator_id": indicator_id, "polarity": polarity}
        focus = table[table["is_focus"]] if not table.empty else table
        row["focus_in_group"] = not focus.empty
        if table.empty:
            rows.append({**row, "note": "no data for this indicator in the period"})
            continue
        row["period"] = table["period"].iloc[0]
        row["group_size"] = int(table["group_size"].iloc[0])
        row["group_median"] = table["group_median"].iloc[0]
        # any member's count behind a middle value, as the group table withholds it
        row["numerator_in_group_median"] = stats.find_smallest_count(
            table["numerator_in_group_median"]
        )
        if focus.empty:
            rows.append({**row, "note": "the council is not a member of this group"})
            continue
        values = table["value"].astype(float)
        quintiles = stats.assign_quantile_by_polarity(values, 5, polarity)
        distances = (
            stats.calculate_mad_distance(values)
            if values.notna().sum() > 1
            else pd.Series(np.nan, index=table.index)
        )
        at = focus.index[0]
        f = focus.iloc[0]
        row.update(
            value=f["value"],
            numerator=f["numerator"],
            rank=f["rank"],
            quartile=f["quartile"],
            quintile=quintiles[at],
            mads_from_group_median=distances[at],
            source_file=f["source_file"],
            source_line=f["source_line"],
        )
        if pd.isna(f["value"]) and f["status"] == "suppressed":
            row["note"] = "the council's value is withheld (a small count)"
        elif pd.isna(f["value"]):
            row["note"] = "no value for the council in this period"
        rows.append(row)
    result = pd.DataFrame(rows).reindex(columns=_COLUMNS)
    seen = result["quartile"].dropna().unique()
    result["position_depends_on_group"] = len(seen) > 1
    return result
