"""Nearest-neighbour comparator lists as comparator-group membership.

Two layouts: Oflog's ``NN.json`` (every council's list, keyed by ONS code) and the CSV a
user downloads from LG Inform for one council's CIPFA (or other) nearest neighbours, one
council a row in rank order. Cleaners are pure: they are handed the parsed JSON or the CSV
as a frame and return new frames and problems.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import pandas as pd

from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.clean.cells import as_text
from kassanalysis.clean.records import ONS_ENGLAND, csv_lines, row_problems
from kassanalysis.problems import Problem, error, finding
from kassanalysis.reference import Reference
from kassanalysis.schemas import ComparatorMembers, columns_of, empty_frame

MEMBERS = ComparatorMembers

#: Size of an Oflog nearest-neighbour group: 15 similar councils and the council itself.
NEAREST_NEIGHBOURS_GROUP_SIZE = 16
_CODE_HEADERS = frozenset({"areacode", "code", "onscode", "lacode", "geographycode"})


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
        seen, found = _distinct_members(council, listed, entry)
        problems += found
        problems += _group_findings(council, seen, group_size, entry)
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


def _distinct_members(
    council: str, listed: list, entry: CatalogueEntry
) -> tuple[list[str], list[Problem]]:
    """The distinct well-formed member codes of one group, in listed order, and problems
    for malformed codes (left out) and repeats (kept once)."""
    problems: list[Problem] = []
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
    return seen, problems


def _group_findings(
    council: str, seen: list[str], group_size: int | None, entry: CatalogueEntry
) -> list[Problem]:
    """Findings for a group that leaves out its own council or has an unexpected size."""
    problems: list[Problem] = []
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
    return problems


_LIST_NAME = re.compile(r"^([A-Za-z][A-Za-z_-]*?)[-_ ]?((?:19|20)\d{2})")


def list_name(entry: CatalogueEntry) -> str:
    """The name of a nearest-neighbour list: its source and year, e.g. ``cipfa-2019``.

    From ``entry.source["list"]`` (e.g. ``"CIPFA"``) and ``entry.year`` when the catalogue
    gives them, else from the file name (``cipfa2019.csv`` -> ``cipfa-2019``).

    Examples
    --------
    >>> e = CatalogueEntry(id="x", file="public/exports/cipfa2021.csv",
    ...                    kind="nearest_neighbours", authority="E08000009", source={},
    ...                    licence="OGL")
    >>> list_name(e)
    'cipfa-2021'
    """
    stem = PurePosixPath(entry.file).stem
    match = _LIST_NAME.match(stem)
    source = entry.source.get("list") or (match[1] if match else stem)
    given = re.search(r"\d{4}", str(entry.year or entry.period or ""))
    year = given[0] if given else (match[2] if match else None)
    name = re.sub(r"[^a-z0-9]+", "-", str(source).lower()).strip("-")
    return f"{name}-{year}" if year else name


def clean_nearest_neighbours_csv(
    raw: pd.DataFrame, entry: CatalogueEntry, ref: Reference
) -> tuple[pd.DataFrame, list[Problem]]:
    """Turn one council's nearest-neighbour list exported as CSV into group membership.

    LG Inform exports a council's CIPFA nearest neighbours (and other lists) as one council
    a row, in rank order (nearest first), with ``area_code`` and ``area_name``. The file
    does not name the council whose list it is: that is ``entry.authority`` (``--authority``
    with ``kass check``).

    Parameters
    ----------
    raw : pd.DataFrame
        The CSV as text cells with its header (row ``i`` is line ``i + 2``).
    entry : CatalogueEntry
        ``entry.authority`` is the council; the list is named by :func:`list_name`.
    ref : Reference
        Unused; taken so that every cleaner has the same signature.

    Returns
    -------
    members : pd.DataFrame
        :class:`~kassanalysis.schemas.ComparatorMembers`, group
        ``"nearest-neighbours:<list>:<council>"`` (e.g.
        ``nearest-neighbours:cipfa-2019:E08000009``), one row per listed council in the
        published rank order; the council itself is not added when the list leaves it out.
    problems : list of Problem
        An error when there is no area-code column or no data row; per row, a code that is
        not an English ONS code (left out) or a council listed twice (kept once).

    Examples
    --------
    >>> e = CatalogueEntry(id="x", file="cipfa2019.csv", kind="nearest_neighbours",
    ...                    authority="E08000009", source={}, licence="OGL")
    >>> raw = pd.DataFrame({"area_code": ["E06000030", "E06000007"],
    ...                     "area_name": ["Swindon", "Warrington"]})
    >>> members, problems = clean_nearest_neighbours_csv(raw, e, None)
    >>> members.group_id.iloc[0], members.authority_code.tolist(), problems
    ('nearest-neighbours:cipfa-2019:E08000009', ['E06000030', 'E06000007'], [])
    """
    codes_column = next(
        (c for c in raw.columns if re.sub(r"[^a-z]", "", str(c).lower()) in _CODE_HEADERS), None
    )
    if codes_column is None:
        return empty_frame(MEMBERS), [
            error(
                "missing column",
                entry.file,
                1,
                "a nearest-neighbour list as CSV needs an area code column (area_code, "
                f"Area Code, code); the file has {', '.join(repr(str(c)) for c in raw.columns)}",
            )
        ]
    if raw.empty:
        return empty_frame(MEMBERS), [
            error("no data rows", entry.file, None, "the list has a header but no councils")
        ]
    if not ONS_ENGLAND.match(entry.authority or ""):
        return empty_frame(MEMBERS), [
            error(
                "unknown council",
                entry.file,
                None,
                "a nearest-neighbour list as CSV does not name the council it is for: give "
                "--authority (or authority in the catalogue), e.g. E08000009",
            )
        ]
    lines = pd.Series(csv_lines(raw), index=raw.index)
    codes = as_text(raw[codes_column]).str.upper()
    shaped = codes.str.fullmatch(ONS_ENGLAND.pattern).astype(bool)
    problems = row_problems(
        ~shaped,
        lines,
        entry,
        "malformed area code",
        lambda i: f"area code {codes[i]!r} is not an English ONS code like E08000009; left out",
        subject=lambda i: codes[i],
    )
    repeated = shaped & codes.duplicated()
    problems += row_problems(
        repeated,
        lines,
        entry,
        "duplicated member",
        lambda i: f"{codes[i]} is listed more than once; kept once, at its first rank",
        subject=lambda i: codes[i],
        make=finding,
    )
    kept = codes[shaped & ~repeated]
    group = f"nearest-neighbours:{list_name(entry)}:{entry.authority}"
    members = pd.DataFrame(
        {
            MEMBERS.group_id: group,
            MEMBERS.authority_code: kept.to_numpy(dtype=object),
            MEMBERS.source: entry.file,
        }
    )
    return members[columns_of(MEMBERS)], problems
