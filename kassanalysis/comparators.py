"""Comparator groups: turning ``data/reference/comparator_groups.yml`` into member lists."""

from __future__ import annotations

import pandas as pd

from kassanalysis import problems as pb
from kassanalysis.config import GROUP_METHODS as METHODS
from kassanalysis.config import ComparatorGroups

__all__ = ["GROUPS_FILE", "METHODS", "describe_groups", "resolve_comparator_groups"]

GROUPS_FILE = "data/reference/comparator_groups.yml"


def resolve_comparator_groups(
    groups: ComparatorGroups, authorities: pd.DataFrame, nearest: pd.DataFrame | None
) -> tuple[pd.DataFrame, list[pb.Problem]]:
    """List the member councils of every configured comparator group.

    Parameters
    ----------
    groups : kassanalysis.config.ComparatorGroups
        The checked ``comparator_groups.yml`` (see :func:`kassanalysis.config.read_config`).
    authorities : pandas.DataFrame
        Councils indexed by ONS code with ``council_type`` and ``region``.
    nearest : pandas.DataFrame or None
        Nearest-neighbour memberships (group ``nearest-neighbours:<code>``), kept as well.

    Returns
    -------
    (pandas.DataFrame, list of Problem)
        One row per (group_id, authority_code) with the ``source`` of the membership, and
        an error for each group whose council is unknown or that has no members.

    Examples
    --------
    >>> auth = pd.DataFrame({"council_type": ["Counties", "Counties", "London Boroughs"],
    ...                      "region": ["South East", "East", "London"]},
    ...                     index=["E10000016", "E10000012", "E09000001"])
    >>> groups = ComparatorGroups(groups=[{"id": "c", "method": "council_type",
    ...                                    "of": "E10000016"}])
    >>> frame, problems = resolve_comparator_groups(groups, auth, None)
    >>> sorted(frame.authority_code), problems
    (['E10000012', 'E10000016'], [])
    """
    problems: list[pb.Problem] = []
    rows: list[dict] = []
    if nearest is not None:
        rows.extend(nearest.to_dict("records"))
    for group in groups.groups:
        gid, method, focus = group.id, group.method, group.of
        if method not in ("all", "named") and focus not in authorities.index:
            problems.append(
                pb.error(
                    "comparator group",
                    GROUPS_FILE,
                    None,
                    f"group {gid!r}: 'of' must be a known council code",
                )
            )
            continue
        if method == "nearest_neighbours":
            source = (
                nearest[nearest.group_id == f"nearest-neighbours:{focus}"]
                if nearest is not None
                else pd.DataFrame(columns=["authority_code"])
            )
            members = list(source.authority_code)
            where = "public/oflog-asc/NN.json"
        elif method == "all":
            members, where = list(authorities.index), "data/reference/authorities.csv"
        elif method in ("council_type", "region"):
            value = authorities.loc[focus, method]
            members = list(authorities.index[authorities[method] == value])
            where = f"data/reference/authorities.csv ({method} = {value})"
        else:
            members, where = list(group.members), GROUPS_FILE
            unknown = [m for m in members if m not in authorities.index]
            if unknown:
                problems.append(
                    pb.error(
                        "comparator group",
                        GROUPS_FILE,
                        None,
                        f"group {gid!r}: unknown council code(s) {unknown}",
                    )
                )
                continue
        if not members:
            problems.append(
                pb.error("comparator group", GROUPS_FILE, None, f"group {gid!r} has no members")
            )
            continue
        rows.extend(
            {"group_id": gid, "authority_code": m, "source": where} for m in sorted(members)
        )
    frame = pd.DataFrame(rows, columns=["group_id", "authority_code", "source"])
    return frame, problems


def describe_groups(groups: ComparatorGroups) -> pd.DataFrame:
    """One row per configured group: id, name (the id when unnamed), method (for listing
    valid choices)."""
    return pd.DataFrame(
        [{"id": g.id, "name": g.name or g.id, "method": g.method} for g in groups.groups],
        columns=["id", "name", "method"],
    )
