"""Comparator groups: turning ``data/reference/comparator_groups.yml`` into member lists."""

from __future__ import annotations

import re

import pandas as pd

from kassanalysis import problems as pb

METHODS = ("nearest_neighbours", "all", "council_type", "region", "named")
GROUPS_FILE = "data/reference/comparator_groups.yml"
_ONS = re.compile(r"^E\d{8}$")


def resolve_comparator_groups(
    document: dict, authorities: pd.DataFrame, nearest: pd.DataFrame | None
) -> tuple[pd.DataFrame, list[pb.Problem]]:
    """List the member councils of every configured comparator group.

    Parameters
    ----------
    document : dict
        The parsed ``comparator_groups.yml``.
    authorities : pandas.DataFrame
        Councils indexed by ONS code with ``council_type`` and ``region``.
    nearest : pandas.DataFrame or None
        Nearest-neighbour memberships (group ``nearest-neighbours:<code>``), kept as well.

    Examples
    --------
    >>> auth = pd.DataFrame({"council_type": ["Counties", "Counties", "London Boroughs"],
    ...                      "region": ["South East", "East", "London"]},
    ...                     index=["E10000016", "E10000012", "E09000001"])
    >>> doc = {"groups": [{"id": "c", "method": "council_type", "of": "E10000016"}]}
    >>> frame, problems = resolve_comparator_groups(doc, auth, None)
    >>> sorted(frame.authority_code), problems
    (['E10000012', 'E10000016'], [])
    """
    problems: list[pb.Problem] = []
    rows: list[dict] = []
    if nearest is not None:
        rows.extend(nearest.to_dict("records"))
    for group in (document or {}).get("groups", []):
        gid, method = group.get("id"), group.get("method")
        if not gid or method not in METHODS:
            problems.append(
                pb.error(
                    "comparator group",
                    GROUPS_FILE,
                    None,
                    f"group {gid!r}: method must be one of {METHODS}",
                )
            )
            continue
        focus = group.get("of")
        if method != "all" and method != "named" and focus not in authorities.index:
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
            members, where = list(group.get("members") or []), GROUPS_FILE
            unknown = [m for m in members if not _ONS.match(str(m)) or m not in authorities.index]
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


def describe_groups(document: dict) -> pd.DataFrame:
    """One row per configured group: id, name, method (for listing valid choices)."""
    groups = (document or {}).get("groups", [])
    return pd.DataFrame(
        [
            {"id": g.get("id"), "name": g.get("name", g.get("id")), "method": g.get("method")}
            for g in groups
        ]
    )
