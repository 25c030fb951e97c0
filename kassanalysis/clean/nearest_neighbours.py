"""Nearest-neighbour comparator lists as comparator-group membership.

Two layouts: Oflog's ``NN.json`` (every council's list, keyed by ONS code) and the CSV a
user downloads from LG Inform for one council's CIPFA (or other) nearest neighbours, one
council a row in rank order. Cleaners are pure: they are handed the parsed JSON or the CSV
as a frame and return new frames and problems.
"""

from __future__ import annotations

import pandas as pd

from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.clean.records import ONS_ENGLAND
from kassanalysis.problems import Problem, error, finding
from kassanalysis.reference import Reference
from kassanalysis.schemas import ComparatorMembers, columns_of, empty_frame

MEMBERS = ComparatorMembers

#: Size of an Oflog nearest-neighbour group: 15 similar councils and the council itself.
NEAREST_NEIGHBOURS_GROUP_SIZE = 16


def clean_nearest_neighbours(
    raw: dict,
    entry: CatalogueEntry,
    ref: Reference,
    *,
    group_size: int | None = NEAREST_NEIGHBOURS_GROUP_SIZE,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Turn Oflog's ``NN.json`` into comparator-group membership for every council in it.

    Parameters
    ----------
    raw : dict
        The parsed JSON: ONS code -> list of the ONS codes of its nearest neighbours,
        including itself.
    entry : CatalogueEntry
        The catalogue entry; ``entry.file`` is recorded as each row's ``source``.
    ref : Reference
        Unused; taken so that every cleaner has the same signature.
    group_size : int or None, keyword-only
        Expected number of members (15 neighbours and the council itself); a group of
        another size is reported as a finding. ``None`` turns the check off.

    Returns
    -------
    members : pd.DataFrame
        :class:`~kassanalysis.schemas.ComparatorMembers`: ``group_id`` is
        ``"nearest-neighbours:" + council code``, one row per member, in published order.
        A member listed twice is kept once.
    problems : list of Problem
        Errors for codes that are not ONS-code shaped (those codes are left out); findings
        for a list that does not contain its own council, a member listed twice and a group
        of unexpected size.

    Examples
    --------
    >>> entry = CatalogueEntry(id="nn", file="NN.json", kind="nearest_neighbours",
    ...                        authority="", source={}, licence="OGL")
    >>> raw = {"E10000016": ["E10000016", "E10000030"], "E10000030": ["E10000016", "X1"]}
    >>> members, problems = clean_nearest_neighbours(raw, entry, None, group_size=2)
    >>> members
                           group_id authority_code   source
    0  nearest-neighbours:E10000016      E10000016  NN.json
    1  nearest-neighbours:E10000016      E10000030  NN.json
    2  nearest-neighbours:E10000030      E10000016  NN.json
    >>> [p.check for p in problems]
    ['malformed area code', 'own council missing', 'unexpected group size']
    """
    if not isinstance(raw, dict):
        return empty_frame(MEMBERS), [
            error(
                "unexpected structure",
                entry.file,
                None,
                f"expected an object mapping ONS codes to lists of codes, got {type(raw).__name__}",
            )
        ]
    problems: list[Problem] = []
    groups: list[str] = []
    codes: list[str] = []
    for council, listed in raw.items():
        if not isinstance(council, str) or not ONS_ENGLAND.match(council):
            problems.append(
                error(
                    "malformed area code",
                    entry.file,
                    None,
                    f"group key {council!r} is not an ONS code like E10000016; group left out",
                    subject=str(council),
                )
            )
            continue
        if not isinstance(listed, list):
            problems.append(
                error(
                    "unexpected structure",
                    entry.file,
                    None,
                    f"{council}: expected a list of codes, got {type(listed).__name__}",
                    subject=council,
                )
            )
            continue
        seen: list[str] = []
        for member in listed:
            if not isinstance(member, str) or not ONS_ENGLAND.match(member):
                problems.append(
                    error(
                        "malformed area code",
                        entry.file,
                        None,
                        f"{council}: member {member!r} is not an ONS code like E10000016; left out",
                        subject=council,
                    )
                )
            elif member in seen:
                problems.append(
                    finding(
                        "duplicated member",
                        entry.file,
                        None,
                        f"{council}: {member} is listed more than once; kept once",
                        subject=council,
                    )
                )
            else:
                seen.append(member)
        if council not in seen:
            problems.append(
                finding(
                    "own council missing",
                    entry.file,
                    None,
                    f"{council}: its nearest-neighbour list does not include the council itself",
                    subject=council,
                )
            )
        if group_size is not None and len(seen) != group_size:
            problems.append(
                finding(
                    "unexpected group size",
                    entry.file,
                    None,
                    f"{council}: {len(seen)} distinct councils in its nearest-neighbour group, "
                    f"expected {group_size}",
                    subject=council,
                    expected=float(group_size),
                    found=float(len(seen)),
                )
            )
        groups += ["nearest-neighbours:" + council] * len(seen)
        codes += seen
    members = pd.DataFrame(
        {
            MEMBERS.group_id: pd.Series(groups, dtype=object),
            MEMBERS.authority_code: pd.Series(codes, dtype=object),
            MEMBERS.source: entry.file,
        }
    )
    return members[columns_of(MEMBERS)], problems
