"""Cleaners for the public statistics: Oflog outcomes, nearest neighbours, ASCOF, ONS MYE2.

Each cleaner is pure: it receives what :mod:`kassanalysis.io` read from the raw file (a
frame, a parsed JSON document or a dict of sheets), never touches a file itself and never
changes its input. It returns new tidy frames that follow :mod:`kassanalysis.schemas` and a
list of :class:`~kassanalysis.problems.Problem` (errors stop the build; findings are
reported). Rows that cannot be cleaned are left out of the frame *and* named in a problem,
so nothing is dropped silently.

What each reader expects to be handed:

========================  ================================================================
cleaner                   input
========================  ================================================================
clean_oflog_outcomes      ``pd.read_csv(path, dtype=str, keep_default_na=False)``
clean_nearest_neighbours  ``json.load(f)`` of ``NN.json``
clean_ascof_open_data     ``pd.read_excel(path, engine="calamine", dtype=str)`` plus the
                          sheet name (``sheet=``) for provenance
clean_ons_mye2            ``pd.read_excel(path, sheet_name=None, header=None,
                          engine="calamine")``
========================  ================================================================

Line numbers in provenance and problems are 1-based lines of the CSV file (header = line 1)
or 1-based Excel rows.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.clean.cells import PLAIN_NUMBER, parse_value_column
from kassanalysis.clean.cells import as_text as _as_text
from kassanalysis.periods import Period, PeriodError, parse_period
from kassanalysis.problems import Problem, error, finding
from kassanalysis.reference import Reference
from kassanalysis.schemas import (
    ComparatorMembers,
    IndicatorObservations,
    Population,
    columns_of,
    empty_frame,
)

OBS = IndicatorObservations
POP = Population
MEMBERS = ComparatorMembers

#: Columns of the published Oflog statistics returned beside the observations.
PUBLISHED_STATS_COLUMNS = (
    "indicator_id",
    "period",
    "authority_code",
    "median",
    "mads_from_median",
    "rank_order",
)
#: ASCOF geographical levels kept; "Council Type" aggregates have no ONS code.
ASCOF_KEPT_LEVELS = ("Council", "Region", "England")
ASCOF_LEVELS = (*ASCOF_KEPT_LEVELS, "Council Type")
#: Size of an Oflog nearest-neighbour group: 15 similar councils and the council itself.
NEAREST_NEIGHBOURS_GROUP_SIZE = 16

_ONS_ENGLAND = re.compile(r"^E\d{8}$")
_ONS_UK = re.compile(r"^[EWSNK]\d{8}$")
_OFLOG_COLUMNS = (
    "Financial year",
    "Local authority code",
    "Local authority name",
    "Code",
    "Value",
    "MEDIAN",
    "MADs_from_median",
    "rank_order",
)
_ASCOF_COLUMNS = (
    "Geographical Code",
    "Geographical Description",
    "Geographical Level",
    "ONS Code",
    "ASCOF Measure Code",
    "Disaggregation Level",
    "Measure Type",
    "Measure Value",
    "Measure Group",
)
_ASCOF_TYPES = ("Outcome", "Numerator", "Denominator")
_RANK_ORDERS = {"desc": "desc", "asc": "asc", "": None, "none": None}

_HEADER_SEARCH_ROWS = 60
_CODE_HEADER = re.compile(r"^(?:area |geography |geog |la |lad |ons )?code$")
_NAME_HEADER = re.compile(r"^(?:area |geography |la |lad )?name$")
_GEOGRAPHY_HEADER = re.compile(r"^geography ?\d*$")
_ALL_AGES_HEADER = re.compile(r"all ages")
_AGE_LABEL = re.compile(
    r"^(?:aged? ?)?(\d{1,3})(?:\.0+)?"
    r" ?(\+|plus|and over|& over|or over|years and over|and older)?$"
)
_MID_YEAR = re.compile(r"mid[- ]?(\d{4})", re.IGNORECASE)
_SEX_ONLY = re.compile(r"\b(?:fe)?males?\b", re.IGNORECASE)
_TOP_AGE = 90


# --------------------------------------------------------------------------- helpers


def _empty_published_stats() -> pd.DataFrame:
    return pd.DataFrame({col: pd.Series(dtype=object) for col in PUBLISHED_STATS_COLUMNS})


def _csv_lines(raw: pd.DataFrame) -> np.ndarray:
    """CSV line (or Excel row under a one-row header) of each row: index + 2."""
    if pd.api.types.is_integer_dtype(raw.index.dtype):
        return raw.index.to_numpy(dtype=np.int64) + 2
    return np.arange(len(raw), dtype=np.int64) + 2


def _missing_columns_problem(
    raw: pd.DataFrame, required: tuple[str, ...], entry: CatalogueEntry, line: int | None
) -> Problem | None:
    missing = [c for c in required if c not in raw.columns]
    if not missing:
        return None
    return error(
        "missing column",
        entry.file,
        line,
        f"column(s) {', '.join(repr(c) for c in missing)} not found; "
        f"the file has {', '.join(repr(str(c)) for c in raw.columns)}",
    )


def _parse_periods(labels: pd.Series) -> tuple[dict[str, Period], set[str]]:
    """Parse each distinct period label once; return the parsed and the unreadable ones."""
    parsed: dict[str, Period] = {}
    unreadable: set[str] = set()
    for label in labels.unique():
        try:
            parsed[label] = parse_period(label)
        except PeriodError:
            unreadable.add(label)
    return parsed, unreadable


# --------------------------------------------------------------------------- Oflog


def clean_oflog_outcomes(
    raw: pd.DataFrame, entry: CatalogueEntry, ref: Reference
) -> tuple[pd.DataFrame, pd.DataFrame, list[Problem]]:
    """Turn Oflog's ``ASC_data.csv`` into indicator observations and its published statistics.

    Parameters
    ----------
    raw : pd.DataFrame
        The file as read with ``pd.read_csv(path, dtype=str, keep_default_na=False)``, index
        unchanged (row ``i`` is CSV line ``i + 2``).
    entry : CatalogueEntry
        The catalogue entry (``entry.file`` names the source in provenance and problems).
    ref : Reference
        Reference data; ``"OFLOG-" + Code`` must be an indicator id in ``ref.indicators``,
        whose ``unit`` is copied to each observation.

    Returns
    -------
    observations : pd.DataFrame
        :class:`~kassanalysis.schemas.IndicatorObservations`, one row per council, measure
        and financial year; breakdown ``"Total"``, value type ``"actual"``. A blank Value is
        NaN with status ``missing``. Numerator and denominator are not published (NaN).
    published_stats : pd.DataFrame
        What Oflog published beside each value, for back tests of our own statistics:
        ``indicator_id``, ``period``, ``authority_code``, ``median`` (the England median),
        ``mads_from_median`` (NaN when blank) and ``rank_order`` (``"desc"`` or ``"asc"``,
        however spelled; ``None`` when blank or ``None``).
    problems : list of Problem
        Errors for unknown codes, malformed council codes, unreadable years, non-numeric
        values and duplicated observations (file and line named).

    Examples
    --------
    >>> from kassanalysis.reference import make_reference_from_frames
    >>> ref = make_reference_from_frames(
    ...     pd.DataFrame(columns=["id", "name", "unit_of_measure", "aliases"]),
    ...     pd.DataFrame({"id": ["OFLOG-ASC5"], "unit": ["%"], "polarity": ["higher_is_better"]}))
    >>> entry = CatalogueEntry(id="oflog", file="ASC_data.csv", kind="oflog_outcomes",
    ...                        authority="", source={}, licence="OGL")
    >>> raw = pd.DataFrame({"Financial year": ["2022-23", "2022-23"],
    ...     "Local authority code": ["E10000016", "E10000030"],
    ...     "Local authority name": ["Kent", "Surrey"], "Code": ["ASC5", "ASC5"],
    ...     "Value": ["65.8", ""], "MEDIAN": ["78.2", "78.2"],
    ...     "MADs_from_median": ["-1.4", ""], "rank_order": ["DESC", "DESC"]})
    >>> obs, stats, problems = clean_oflog_outcomes(raw, entry, ref)
    >>> obs[["authority_code", "indicator_id", "value", "status", "source_line"]]
      authority_code indicator_id  value    status  source_line
    0      E10000016   OFLOG-ASC5   65.8  reported            2
    1      E10000030   OFLOG-ASC5    NaN   missing            3
    >>> stats[["authority_code", "median", "mads_from_median", "rank_order"]]
      authority_code  median  mads_from_median rank_order
    0      E10000016    78.2              -1.4       desc
    1      E10000030    78.2               NaN       desc
    >>> problems
    []
    """
    problem = _missing_columns_problem(raw, _OFLOG_COLUMNS, entry, 1)
    if problem:
        return empty_frame(OBS), _empty_published_stats(), [problem]
    problems: list[Problem] = []
    lines = pd.Series(_csv_lines(raw), index=raw.index)
    code = _as_text(raw["Code"])
    indicator = "OFLOG-" + code
    authority = _as_text(raw["Local authority code"])
    year = _as_text(raw["Financial year"])

    known = indicator.isin(ref.indicators.index)
    for i in raw.index[~known]:
        problems.append(
            error(
                "unknown indicator",
                entry.file,
                int(lines[i]),
                f"measure code {code[i]!r} is not a known indicator: add {indicator[i]!r} to "
                "data/reference/indicators.csv",
                subject=code[i],
            )
        )
    code_ok = authority.str.fullmatch(_ONS_ENGLAND.pattern)
    for i in raw.index[~code_ok]:
        problems.append(
            error(
                "malformed area code",
                entry.file,
                int(lines[i]),
                f"local authority code {authority[i]!r} is not an ONS code like E10000016",
                subject=authority[i],
            )
        )
    periods, unreadable = _parse_periods(year)
    period_ok = ~year.isin(unreadable)
    for i in raw.index[~period_ok]:
        problems.append(
            error(
                "unreadable period",
                entry.file,
                int(lines[i]),
                f"financial year {year[i]!r} cannot be read (expected e.g. 2016-17)",
                subject=year[i],
            )
        )

    values, statuses, bad = parse_value_column(raw["Value"])
    for i in raw.index[bad]:
        problems.append(
            error(
                "non-numeric value",
                entry.file,
                int(lines[i]),
                f"Value {raw['Value'][i]!r} for {authority[i]} {code[i]} {year[i]} is not a number",
                subject=f"{authority[i]} {code[i]} {year[i]}",
            )
        )
    keep = known & code_ok & period_ok
    kept = raw.index[keep & ~bad]

    label = year[kept]
    units = ref.indicators["unit"] if "unit" in ref.indicators else pd.Series(dtype=str)
    observations = pd.DataFrame(
        {
            OBS.authority_code: authority[kept],
            OBS.authority_name: _as_text(raw["Local authority name"])[kept],
            OBS.indicator_id: indicator[kept],
            OBS.breakdown: "Total",
            OBS.period: label.map(lambda p: periods[p].label),
            OBS.period_type: label.map(lambda p: periods[p].kind),
            OBS.period_start: pd.to_datetime(label.map(lambda p: periods[p].start)),
            OBS.period_end: pd.to_datetime(label.map(lambda p: periods[p].end)),
            OBS.value_type: "actual",
            OBS.value: values[kept],
            OBS.unit: indicator[kept].map(units),
            OBS.numerator: np.nan,
            OBS.denominator: np.nan,
            OBS.status: statuses[kept],
            OBS.source_file: entry.file,
            OBS.source_sheet: None,
            OBS.source_line: lines[kept],
            OBS.source_text: raw["Value"][kept].astype(object),
        },
        index=kept,
    )[columns_of(OBS)].reset_index(drop=True)
    problems += _duplicate_problems(
        observations,
        [OBS.authority_code, OBS.indicator_id, OBS.breakdown, OBS.period],
        entry,
        "observation",
    )

    stats_rows = raw.index[keep]
    median, _, median_bad = parse_value_column(raw["MEDIAN"][stats_rows])
    mads, _, mads_bad = parse_value_column(raw["MADs_from_median"][stats_rows])
    for column, flags in (("MEDIAN", median_bad), ("MADs_from_median", mads_bad)):
        for i in flags.index[flags]:
            problems.append(
                error(
                    "non-numeric value",
                    entry.file,
                    int(lines[i]),
                    f"{column} {raw[column][i]!r} is not a number",
                    subject=column,
                )
            )
    order_text = _as_text(raw["rank_order"][stats_rows]).str.lower()
    for i in order_text.index[~order_text.isin(_RANK_ORDERS)]:
        problems.append(
            finding(
                "unknown rank order",
                entry.file,
                int(lines[i]),
                f"rank_order {raw['rank_order'][i]!r} is not desc, asc or blank; kept as None",
                subject=str(raw["rank_order"][i]),
            )
        )
    published_stats = pd.DataFrame(
        {
            "indicator_id": indicator[stats_rows],
            "period": year[stats_rows].map(lambda p: periods[p].label),
            "authority_code": authority[stats_rows],
            "median": median,
            "mads_from_median": mads,
            "rank_order": order_text.map(_RANK_ORDERS).astype(object),
        }
    )
    published_stats["rank_order"] = published_stats["rank_order"].where(
        published_stats["rank_order"].notna(), None
    )
    return observations, published_stats.reset_index(drop=True), problems


def _duplicate_problems(
    frame: pd.DataFrame, keys: list[str], entry: CatalogueEntry, what: str
) -> list[Problem]:
    dupes = frame[frame.duplicated(keys, keep="first")]
    return [
        error(
            f"duplicated {what}",
            entry.file,
            int(row[OBS.source_line]),
            f"{what} {' '.join(str(row[k]) for k in keys)} appears more than once",
            subject=" ".join(str(row[k]) for k in keys),
        )
        for _, row in dupes.iterrows()
    ]


# --------------------------------------------------------------------------- nearest neighbours


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
        if not isinstance(council, str) or not _ONS_ENGLAND.match(council):
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
            if not isinstance(member, str) or not _ONS_ENGLAND.match(member):
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


# --------------------------------------------------------------------------- ASCOF


def clean_ascof_open_data(
    raw: pd.DataFrame,
    entry: CatalogueEntry,
    ref: Reference,
    *,
    sheet: str | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Turn NHS Digital's ASCOF open-data sheet into indicator observations (vectorised).

    Kept: geographical levels Council, Region (ONS ``E12...``) and England (``E92000001``,
    the benchmark). Not kept: the five "Council Type" aggregates, which have no ONS code and
    so no place in :class:`~kassanalysis.schemas.IndicatorObservations`; they are reported
    once as a finding (they can be recomputed from the council rows). "Base" and "Margin Of
    Error" rows (survey measures) are not used.

    Parameters
    ----------
    raw : pd.DataFrame
        The sheet as read with ``pd.read_excel(path, engine="calamine", dtype=str)``, index
        unchanged (row ``i`` is Excel row ``i + 2``).
    entry : CatalogueEntry
        ``entry.period`` (e.g. ``"2020-21"``) is the period of every value.
    ref : Reference
        ``"ASCOF-" + Measure Group`` must be in ``ref.indicators``; its ``unit`` is copied.
    sheet : str, optional, keyword-only
        Name of the sheet, for provenance; defaults to ``raw.attrs["sheet_name"]`` if set.

    Returns
    -------
    observations : pd.DataFrame
        One row per geography, measure group and disaggregation: ``value`` from the
        "Outcome" row, ``numerator`` and ``denominator`` from the rows of the same measure
        code; ``breakdown`` is the Disaggregation Level; ``[x]`` is status ``missing`` and
        ``[c]`` status ``suppressed`` (value NaN). Provenance is the Outcome row.
    problems : list of Problem
        Errors for unknown measure groups (one per group), kept geographies without an ONS
        code, unknown levels, non-numeric values, duplicated rows, numerator or denominator
        rows without an Outcome row and a missing or unreadable ``entry.period``.

    Examples
    --------
    >>> from kassanalysis.reference import make_reference_from_frames
    >>> ref = make_reference_from_frames(
    ...     pd.DataFrame(columns=["id", "name", "unit_of_measure", "aliases"]),
    ...     pd.DataFrame({"id": ["ASCOF-2A2"], "unit": ["rate"], "polarity": ["lower_is_better"]}))
    >>> entry = CatalogueEntry(id="ascof", file="ascof.xlsx", kind="ascof_open_data",
    ...                        authority="", source={}, licence="OGL", period="2020-21")
    >>> raw = pd.DataFrame({"Geographical Code": ["820"] * 3,
    ...     "Geographical Description": ["Kent"] * 3, "Geographical Level": ["Council"] * 3,
    ...     "ONS Code": ["E10000016"] * 3, "ASCOF Measure Code": ["2A2"] * 3,
    ...     "Disaggregation Level": ["Total"] * 3,
    ...     "Measure Type": ["Numerator", "Denominator", "Outcome"],
    ...     "Measure Value": ["1348", "322775", "417.6"], "Measure Group": ["2A2"] * 3})
    >>> obs, problems = clean_ascof_open_data(raw, entry, ref, sheet="in")
    >>> obs[["indicator_id", "value", "numerator", "denominator", "source_line"]]
      indicator_id  value  numerator  denominator  source_line
    0    ASCOF-2A2  417.6     1348.0     322775.0            4
    """
    problem = _missing_columns_problem(raw, _ASCOF_COLUMNS, entry, 1)
    if problem:
        return empty_frame(OBS), [problem]
    if sheet is None:
        sheet = raw.attrs.get("sheet_name")
    problems: list[Problem] = []
    try:
        period = parse_period(entry.period or "")
    except PeriodError:
        return empty_frame(OBS), [
            error(
                "unreadable period",
                entry.file,
                None,
                f"catalogue entry {entry.id!r} needs a period such as 2020-21 "
                f"(got {entry.period!r})",
            )
        ]

    lines = pd.Series(_csv_lines(raw), index=raw.index)
    level = _as_text(raw["Geographical Level"])
    geo = _as_text(raw["Geographical Code"])
    ons = _as_text(raw["ONS Code"])
    problems += _ascof_level_problems(level, geo, lines, entry)

    kept_level = level.isin(ASCOF_KEPT_LEVELS)
    bad_code = kept_level & ~ons.str.fullmatch(_ONS_ENGLAND.pattern)
    bad_geos = pd.DataFrame({"geo": geo, "ons": ons, "line": lines})[bad_code]
    for _, first in bad_geos.groupby("geo").head(1).iterrows():
        problems.append(
            error(
                "malformed area code",
                entry.file,
                int(first["line"]),
                f"{first['geo']}: ONS Code {first['ons']!r} is not like E10000016; "
                "its rows are left out",
                subject=first["geo"],
            )
        )
    mtype = _as_text(raw["Measure Type"])
    use = kept_level & ~bad_code & mtype.isin(_ASCOF_TYPES)

    group = _as_text(raw["Measure Group"])[use]
    indicator = "ASCOF-" + group
    known = indicator.isin(ref.indicators.index)
    unknown_lines = lines[use][~known]
    for ind, first in unknown_lines.groupby(indicator[~known]).min().items():
        count = int((indicator[~known] == ind).sum())
        problems.append(
            error(
                "unknown indicator",
                entry.file,
                int(first),
                f"measure group {ind.removeprefix('ASCOF-')!r} ({count} Outcome, Numerator and "
                f"Denominator rows from this row on) is not a known indicator and is left out: "
                f"add {ind!r} to data/reference/indicators.csv",
                subject=ind,
            )
        )
    rows = indicator.index[known]
    values, statuses, bad = parse_value_column(raw["Measure Value"][rows])
    for i in bad.index[bad]:
        problems.append(
            error(
                "non-numeric value",
                entry.file,
                int(lines[i]),
                f"Measure Value {raw['Measure Value'][i]!r} ({geo[i]} "
                f"{raw['ASCOF Measure Code'][i]} {mtype[i]}) is not a number",
                subject=geo[i],
            )
        )

    long = pd.DataFrame(
        {
            "ons": ons[rows],
            "name": _as_text(raw["Geographical Description"])[rows],
            "indicator": indicator[rows],
            "measure": _as_text(raw["ASCOF Measure Code"])[rows],
            "breakdown": _as_text(raw["Disaggregation Level"])[rows],
            "type": mtype[rows],
            "value": values,
            "status": statuses,
            "line": lines[rows],
            "text": raw["Measure Value"][rows].astype(object),
        }
    )
    keys = ["ons", "measure", "breakdown"]
    dupes = long.duplicated([*keys, "type"], keep="first")
    for i in long.index[dupes]:
        problems.append(
            error(
                "duplicated observation",
                entry.file,
                int(lines[i]),
                f"{geo[i]} {long['measure'][i]} {long['breakdown'][i]} {mtype[i]} appears more "
                "than once; the first is kept",
                subject=geo[i],
            )
        )
    long = long[~dupes]
    outcome = long[(long["type"] == "Outcome") & ~bad[long.index]]
    parts = {
        kind: long[long["type"] == kind].set_index(keys)["value"]
        for kind in ("Numerator", "Denominator")
    }
    outcome_keys = pd.MultiIndex.from_frame(outcome[keys])
    published_outcomes = pd.MultiIndex.from_frame(long[long["type"] == "Outcome"][keys])
    for kind, series in parts.items():
        orphans = ~series.index.isin(published_outcomes)
        for key in series.index[orphans]:
            problems.append(
                error(
                    "missing outcome",
                    entry.file,
                    None,
                    f"{' '.join(key)}: a {kind} row has no Outcome row; no observation made",
                    subject=" ".join(key),
                )
            )

    observations = pd.DataFrame(
        {
            OBS.authority_code: outcome["ons"],
            OBS.authority_name: outcome["name"],
            OBS.indicator_id: outcome["indicator"],
            OBS.breakdown: outcome["breakdown"],
            OBS.period: period.label,
            OBS.period_type: period.kind,
            OBS.period_start: pd.Timestamp(period.start),
            OBS.period_end: pd.Timestamp(period.end),
            OBS.value_type: "actual",
            OBS.value: outcome["value"],
            OBS.unit: outcome["indicator"].map(ref.indicators["unit"])
            if "unit" in ref.indicators
            else None,
            OBS.numerator: parts["Numerator"].reindex(outcome_keys).to_numpy(),
            OBS.denominator: parts["Denominator"].reindex(outcome_keys).to_numpy(),
            OBS.status: outcome["status"],
            OBS.source_file: entry.file,
            OBS.source_sheet: sheet,
            OBS.source_line: outcome["line"],
            OBS.source_text: outcome["text"],
        }
    )
    return observations[columns_of(OBS)].reset_index(drop=True), problems


def _ascof_level_problems(
    level: pd.Series, geo: pd.Series, lines: pd.Series, entry: CatalogueEntry
) -> list[Problem]:
    problems = []
    unknown = ~level.isin(ASCOF_LEVELS)
    for name, first in lines[unknown].groupby(level[unknown]).min().items():
        problems.append(
            error(
                "unknown level",
                entry.file,
                int(first),
                f"Geographical Level {name!r} is not one of {', '.join(ASCOF_LEVELS)}; "
                "its rows are left out",
                subject=name,
            )
        )
    council_type = level == "Council Type"
    if council_type.any():
        names = ", ".join(sorted(geo[council_type].unique()))
        problems.append(
            finding(
                "level not kept",
                entry.file,
                int(lines[council_type].min()),
                f"{int(council_type.sum())} rows at Geographical Level 'Council Type' ({names}) "
                "are not kept: they have no ONS code; recompute them from council rows if needed",
                subject="Council Type",
            )
        )
    return problems


# --------------------------------------------------------------------------- ONS MYE2


def _label_text(cell) -> str:
    """A header cell as normalised text: ``0.0`` -> ``'0'``, ``' All Ages '`` -> ``'all ages'``."""
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return ""
    if isinstance(cell, (int, float, np.integer, np.floating)) and not isinstance(cell, bool):
        number = float(cell)
        return str(int(number)) if number.is_integer() else str(number)
    return " ".join(str(cell).replace("\u00a0", " ").split()).lower()


def parse_age_label(cell) -> int | None:
    """Single year of age in an MYE2 header cell, or None if the cell is not an age.

    ``90+``, ``90 and over`` and ``Aged 90+`` are 90 (the open-ended top band).

    Examples
    --------
    >>> [parse_age_label(c) for c in (0.0, "0", "Age 0", "89", "90+", "90 and over", "All ages")]
    [0, 0, 0, 89, 90, 90, None]
    """
    match = _AGE_LABEL.match(_label_text(cell))
    if not match:
        return None
    age = int(match[1])
    if match[2] and age != _TOP_AGE:
        return None
    return age


def _find_mye2_header(sheet: pd.DataFrame) -> tuple[dict | None, str]:
    """Find the header row of an MYE2 table by content; return its layout or why not."""
    why = "no row with a 'Code' cell and an 'All ages' cell"
    for r in range(min(_HEADER_SEARCH_ROWS, len(sheet))):
        labels = [_label_text(c) for c in sheet.iloc[r].tolist()]
        code_cols = [j for j, t in enumerate(labels) if _CODE_HEADER.match(t)]
        all_cols = [j for j, t in enumerate(labels) if _ALL_AGES_HEADER.search(t)]
        if not code_cols or not all_cols:
            continue
        ages: dict[int, int] = {}
        duplicated: set[int] = set()
        for j, t in enumerate(labels):
            age = parse_age_label(t) if j not in code_cols + all_cols else None
            if age is None:
                continue
            if age in ages:
                duplicated.add(age)
            ages.setdefault(age, j)
        missing = sorted(set(range(_TOP_AGE + 1)) - set(ages))
        if missing or duplicated:
            why = (
                f"header at row {r + 1} has Code and All ages but its age columns are not "
                f"0 to 90+ once each (missing {missing}, repeated {sorted(duplicated)})"
            )
            continue
        return {
            "row": r,
            "code": code_cols[0],
            "all": all_cols[0],
            "name": _first_match(labels, _NAME_HEADER),
            "geography": _first_match(labels, _GEOGRAPHY_HEADER),
            "ages": [ages[a] for a in range(_TOP_AGE + 1)],
            "title": " ".join(_label_text(c) for c in sheet.iloc[:r].to_numpy().ravel()),
        }, ""
    return None, why


def _first_match(labels: list[str], pattern: re.Pattern) -> int | None:
    return next((j for j, t in enumerate(labels) if pattern.match(t)), None)


def _rank_sheets(workbook: dict[str, pd.DataFrame]) -> list[str]:
    """Sheet names to try: named MYE2 persons/all sheets first, then the rest in order."""
    named, others = [], []
    for name in workbook:
        tokens = re.findall(r"[a-z0-9]+", str(name).lower())
        if _SEX_ONLY.search(str(name)):
            continue
        if "mye2" in "".join(tokens) and any(t.startswith("person") or t == "all" for t in tokens):
            named.append(name)
        else:
            others.append(name)
    return named + others


def find_mye2_table(workbook: dict[str, pd.DataFrame]) -> tuple[str | None, dict | None, str]:
    """Find the MYE2 persons table in a workbook of raw sheets.

    Sheets whose name mentions MYE2 and persons or all (``MYE2 - Persons``, ``MYE2 - All``,
    ``MYE2_persons``) are tried first, then every other sheet except those named or titled
    for males or females only. In each, the header row is found by content among the first
    60 rows: a ``Code`` cell, an ``All ages`` cell and single years of age 0 to 90+ (``0.0``,
    ``"0"``, ``"Age 0"``, ``"90+"``, ``"90 and over"``), each once.

    Returns
    -------
    sheet : str or None
        The sheet holding the table (None if none does).
    layout : dict or None
        0-based ``row`` of the header and column positions ``code``, ``all``, ``name``,
        ``geography`` and ``ages`` (ages 0..90 in order), and the ``title`` text above it.
    why : str
        When nothing was found, what was looked at and why it did not fit.

    Examples
    --------
    >>> ages = [float(a) for a in range(90)] + ["90+"]
    >>> sheet = pd.DataFrame([["MYE2: Persons, mid-2020"] + [None] * 93,
    ...                       ["Code", "Name", "All ages"] + ages])
    >>> name, layout, why = find_mye2_table({"Contents": sheet.iloc[:1], "MYE2 - All": sheet})
    >>> name, layout["row"], layout["code"], layout["all"], layout["ages"][:2]
    ('MYE2 - All', 1, 0, 2, [3, 4])
    >>> find_mye2_table({"Contents": sheet.iloc[:1]})[0] is None
    True
    """
    reasons = []
    for name in _rank_sheets(workbook):
        sheet = workbook[name]
        layout, why = (
            _find_mye2_header(sheet)
            if sheet.shape[1] > _TOP_AGE
            else (None, f"only {sheet.shape[1]} columns")
        )
        if layout is None:
            reasons.append(f"{name!r}: {why}")
            continue
        if _SEX_ONLY.search(layout["title"]) and "person" not in layout["title"]:
            reasons.append(f"{name!r}: titled for one sex only")
            continue
        return name, layout, ""
    if not workbook:
        return None, None, "the workbook has no sheets"
    return None, None, "; ".join(reasons)


def clean_ons_mye2(
    workbook: dict[str, pd.DataFrame], entry: CatalogueEntry, ref: Reference
) -> tuple[pd.DataFrame, list[Problem]]:
    """Find the MYE2 persons table in an ONS mid-year estimates workbook and tidy it.

    The table is found, not assumed (see :func:`find_mye2_table`): sheet names, the header
    row and the age labels all change between releases. An area row is any row below the
    header whose code cell is ONS-code shaped (``E10000016``, ``K02000001``...); notes and
    blank rows are skipped, but a row with figures and no code is an error.

    Parameters
    ----------
    workbook : dict of str to pd.DataFrame
        Every sheet, read with ``pd.read_excel(path, sheet_name=None, header=None,
        engine="calamine")`` (row ``i`` is Excel row ``i + 1``).
    entry : CatalogueEntry
        ``entry.year`` is the mid-year; when None it is read from the sheet title
        ("mid-2020").
    ref : Reference
        Unused; taken so that every cleaner has the same signature.

    Returns
    -------
    population : pd.DataFrame
        :class:`~kassanalysis.schemas.Population`, one row per area and single year of age
        0 to 90 (90 means 90 and over; ``age_label`` ``"90+"``), with the Excel row of the
        area as ``source_line``.
    problems : list of Problem
        An error when no table is found (with what was tried), when the year is unknown,
        for a non-numeric or negative count, a duplicated area, a row with figures but no
        code, and for every area whose single years of age do not sum to its All ages total
        (sheet, row, area, expected and found).

    Examples
    --------
    >>> ages = list(range(90)) + ["90+"]
    >>> sheet = pd.DataFrame([["MYE2: Persons, mid-2020"] + [None] * 94,
    ...                       ["Code", "Name", "Geography", "All ages"] + ages,
    ...                       ["E10000016", "Kent", "County", 91.0] + [1.0] * 91])
    >>> entry = CatalogueEntry(id="mye", file="mye.xls", kind="ons_mye2", authority="",
    ...                        source={}, licence="OGL")
    >>> population, problems = clean_ons_mye2({"MYE2 - Persons": sheet}, entry, None)
    >>> population.iloc[[0, -1]][["area_code", "year", "age", "age_label", "source_line"]]
        area_code  year  age age_label  source_line
    0   E10000016  2020    0         0            3
    90  E10000016  2020   90       90+            3
    >>> problems
    []
    """
    name, layout, why = find_mye2_table(workbook)
    if layout is None:
        return empty_frame(POP), [
            error(
                "table not found",
                entry.file,
                None,
                "no MYE2 persons table (a header row with Code, All ages and ages 0 to 90+) "
                f"in sheets {', '.join(repr(s) for s in workbook)}: {why}",
            )
        ]
    problems: list[Problem] = []
    sheet = workbook[name]
    year = entry.year
    if year is None:
        match = _MID_YEAR.search(layout["title"]) or _MID_YEAR.search(str(name))
        if not match:
            return empty_frame(POP), [
                error(
                    "unknown year",
                    entry.file,
                    layout["row"] + 1,
                    f"sheet {name!r}: no year in the catalogue entry and no 'mid-YYYY' in the "
                    "title above the table",
                )
            ]
        year = int(match[1])

    body = sheet.iloc[layout["row"] + 1 :]
    excel_rows = np.arange(layout["row"] + 1, len(sheet)) + 1
    codes = _as_text(body.iloc[:, layout["code"]]).str.upper()
    is_area = codes.str.fullmatch(_ONS_UK.pattern).to_numpy()
    counts = body.iloc[:, [*layout["ages"], layout["all"]]].apply(_to_number)
    has_figures = counts.notna().any(axis=1).to_numpy()
    for r in np.flatnonzero(~is_area & has_figures):
        problems.append(
            error(
                "malformed area code",
                entry.file,
                int(excel_rows[r]),
                f"sheet {name!r} row {excel_rows[r]}: figures but code {codes.iloc[r]!r} is not an "
                "ONS code",
                subject=codes.iloc[r],
            )
        )

    codes = codes[is_area].to_numpy()
    excel_rows = excel_rows[is_area]
    values = counts.to_numpy(dtype=float)[is_area]
    raw_cells = body.iloc[:, [*layout["ages"], layout["all"]]].to_numpy()[is_area]
    labels = [str(a) for a in range(_TOP_AGE)] + [f"{_TOP_AGE}+"]
    invalid = np.isnan(values) | (values < 0)
    for r, c in zip(*np.nonzero(invalid), strict=True):
        column = labels[c] if c <= _TOP_AGE else "All ages"
        problems.append(
            error(
                "non-numeric value",
                entry.file,
                int(excel_rows[r]),
                f"sheet {name!r} row {excel_rows[r]}, {codes[r]}, {column}: "
                f"{raw_cells[r, c]!r} is not a count of people",
                subject=codes[r],
            )
        )
    ages_sum = values[:, :-1].sum(axis=1)
    total = values[:, -1]
    checked = ~invalid.any(axis=1)
    for r in np.flatnonzero(checked & (np.abs(ages_sum - total) > 0.5)):
        problems.append(
            error(
                "total does not add up",
                entry.file,
                int(excel_rows[r]),
                f"sheet {name!r} row {excel_rows[r]}, {codes[r]}: single years of age sum to "
                f"{ages_sum[r]:,.0f} but All ages is {total[r]:,.0f}",
                subject=codes[r],
                expected=float(total[r]),
                found=float(ages_sum[r]),
            )
        )
    duplicated = pd.Series(codes).duplicated().to_numpy()
    for r in np.flatnonzero(duplicated):
        problems.append(
            error(
                "duplicated area",
                entry.file,
                int(excel_rows[r]),
                f"sheet {name!r} row {excel_rows[r]}: {codes[r]} appears more than once",
                subject=codes[r],
            )
        )

    def column(position: int | None) -> np.ndarray:
        if position is None:
            return np.full(len(codes), None, dtype=object)
        text = _as_text(body.iloc[:, position]).to_numpy(dtype=object)[is_area]
        return np.where(text == "", None, text)

    names = column(layout["name"])
    names = np.where(pd.isna(names), codes, names)
    n_ages = _TOP_AGE + 1
    population = pd.DataFrame(
        {
            POP.area_code: np.repeat(codes, n_ages),
            POP.area_name: np.repeat(names, n_ages),
            POP.geography: np.repeat(column(layout["geography"]), n_ages),
            POP.year: int(year),
            POP.age: np.tile(np.arange(n_ages), len(codes)),
            POP.age_label: np.tile(np.array(labels, dtype=object), len(codes)),
            POP.persons: values[:, :-1].ravel(),
            POP.source_file: entry.file,
            POP.source_sheet: name,
            POP.source_line: np.repeat(excel_rows, n_ages),
            POP.source_text: None,
        }
    )
    population = population[~invalid[:, :-1].ravel()]
    return population[columns_of(POP)].reset_index(drop=True), problems


def _to_number(column: pd.Series) -> pd.Series:
    """Numbers as published: numeric cells as they are, text with thousands commas parsed."""
    if pd.api.types.is_numeric_dtype(column):
        return column.astype(float)
    text = column.astype(object).where(column.notna(), "").astype(str)
    text = text.str.replace(",", "", regex=False).str.strip()
    return pd.to_numeric(text.where(text.str.fullmatch(PLAIN_NUMBER)), errors="coerce")
