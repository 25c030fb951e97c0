"""NHS Digital's ASCOF open data (Measures from the Adult Social Care Outcomes Framework).

The cleaner is pure: it is handed the sheet (or CSV) as a frame of text and returns new
indicator observations and problems; line numbers are CSV lines or Excel rows (header = 1).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.clean.cells import as_text as _as_text
from kassanalysis.clean.cells import parse_value_column
from kassanalysis.clean.records import (
    ONS_ENGLAND,
    csv_lines,
    missing_columns_problem,
    row_problems,
)
from kassanalysis.periods import Period, PeriodError, parse_period
from kassanalysis.problems import Problem, error, finding
from kassanalysis.reference import Reference
from kassanalysis.schemas import IndicatorObservations, columns_of, empty_frame

OBS = IndicatorObservations

#: ASCOF geographical levels kept; "Council Type" aggregates have no ONS code.
ASCOF_KEPT_LEVELS = ("Council", "Region", "England")
ASCOF_LEVELS = (*ASCOF_KEPT_LEVELS, "Council Type")
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
#: Header names of each year's open-data files (normalised: letters only) -> column used.
ASCOF_COLUMN_NAMES = {
    "geographicalcode": "Geographical Code",
    "cassrcode": "Geographical Code",
    "lacode": "Geographical Code",
    "councilcode": "Geographical Code",
    "geographicaldescription": "Geographical Description",
    "geographicalname": "Geographical Description",
    "areaname": "Geographical Description",
    "laname": "Geographical Description",
    "councilname": "Geographical Description",
    "geographicallevel": "Geographical Level",
    "geographylevel": "Geographical Level",
    "onscode": "ONS Code",
    "onsareacode": "ONS Code",
    "ascofmeasurecode": "ASCOF Measure Code",
    "measurecode": "ASCOF Measure Code",
    "ascofmeasure": "ASCOF Measure Code",
    "disaggregationlevel": "Disaggregation Level",
    "disaggregation": "Disaggregation Level",
    "measuretype": "Measure Type",
    "measurevalue": "Measure Value",
    "value": "Measure Value",
    "measuregroup": "Measure Group",
    "ascofmeasuregroup": "Measure Group",
}
_YEAR_SUFFIX = re.compile(r"[\s_-]*\(?(?:19|20)\d{2}(?:\s*[-/]\s*\d{2,4})?\)?$")


def normalise_measure_code(code: str) -> str:
    """An ASCOF measure code as one token: brackets, spaces and a year suffix removed.

    Examples
    --------
    >>> [normalise_measure_code(c) for c in ("2A(1)", "1C(2A)", "2A2 2014-15", "ASCOF 2C", "1a")]
    ['2A1', '1C2A', '2A2', '2C', '1A']
    """
    text = _YEAR_SUFFIX.sub("", str(code).strip())
    text = re.sub(r"(?i)^ascof\s*", "", text)
    return re.sub(r"[\s()\[\]_.-]", "", text).upper()


def normalise_ascof_columns(raw: pd.DataFrame) -> pd.DataFrame:
    """The open-data frame with each year's column names mapped to one set.

    ``ONS Area Code`` becomes ``ONS Code``, ``Value`` ``Measure Value`` and so on (see
    :data:`ASCOF_COLUMN_NAMES`). Columns a year leaves out are derived: the level from the
    ONS code (``E92`` England, ``E12`` region, else council), the disaggregation
    ``Total``, the measure group from the measure code. Returns a new frame.

    Examples
    --------
    >>> raw = pd.DataFrame({"ONS Area Code": ["E10000016"], "Measure Code": ["2A(2)"],
    ...                     "Measure Type": ["Outcome"], "Value": ["417.6"]})
    >>> list(normalise_ascof_columns(raw).columns)[:4]
    ['ONS Code', 'ASCOF Measure Code', 'Measure Type', 'Measure Value']
    """
    renamed = {}
    for column in raw.columns:
        target = ASCOF_COLUMN_NAMES.get(re.sub(r"[^a-z]", "", str(column).lower()))
        if target and target not in renamed.values() and target not in raw.columns:
            renamed[column] = target
    frame = raw.rename(columns=renamed)
    if "ONS Code" in frame and "Geographical Level" not in frame:
        ons = _as_text(frame["ONS Code"])
        frame["Geographical Level"] = np.select(
            [ons.str.startswith("E92"), ons.str.startswith("E12")],
            ["England", "Region"],
            "Council",
        )
    if "ONS Code" in frame and "Geographical Code" not in frame:
        frame["Geographical Code"] = frame["ONS Code"]
    if "Geographical Description" not in frame and "Geographical Code" in frame:
        frame["Geographical Description"] = frame["Geographical Code"]
    if "Disaggregation Level" not in frame:
        frame["Disaggregation Level"] = "Total"
    if "Measure Group" not in frame and "ASCOF Measure Code" in frame:
        frame["Measure Group"] = frame["ASCOF Measure Code"]
    frame.attrs = dict(raw.attrs)
    return frame


def series_ids(crosswalk: pd.DataFrame, period: str) -> dict[str, str]:
    """Measure code printed in ``period`` -> the code of its series (the pre-2023-24 id).

    From ``new_from`` on, the new id (2C) stands for the old series (2A2); before it, codes
    are the old ids (an old 2C is another measure and is left alone).
    """
    if crosswalk.empty:
        return {}
    new = crosswalk[crosswalk["new_from"] <= period]
    return {
        normalise_measure_code(n): normalise_measure_code(o)
        for n, o in zip(new["new_id"], new["old_id"], strict=True)
    }


def _break_findings(
    group: pd.Series, lines: pd.Series, crosswalk: pd.DataFrame, period: str, entry
) -> list[Problem]:
    """A finding for each measure whose source changed (SALT to Client Level Data)."""
    if crosswalk.empty or "source_break_from" not in crosswalk:
        return []
    found = []
    for _, row in crosswalk.iterrows():
        start = str(row["source_break_from"]).strip()
        old = normalise_measure_code(row["old_id"])
        if not start or period < start or not (group == old).any():
            continue
        first = int(lines[group.index[group == old]].min())
        found.append(
            finding(
                "series break",
                entry.file,
                first,
                f"ASCOF {row['new_id']} (formerly {row['old_id']}) for {period} is derived from "
                f"Client Level Data, not SALT, from {start}: a break in the series "
                "(data/reference/ascof_crosswalk.csv)",
                subject=f"ASCOF-{old}",
            )
        )
    return found


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
    sheet = raw.attrs.get("sheet_name") if sheet is None else sheet
    raw = normalise_ascof_columns(raw)
    problem = missing_columns_problem(raw, _ASCOF_COLUMNS, entry, 1)
    if problem:
        return empty_frame(OBS), [problem]
    if sheet is None:
        sheet = raw.attrs.get("sheet_name")
    problems: list[Problem] = []
    period = _catalogue_period(entry)
    if isinstance(period, Problem):
        return empty_frame(OBS), [period]

    lines = pd.Series(csv_lines(raw), index=raw.index)
    level = _as_text(raw["Geographical Level"])
    geo = _as_text(raw["Geographical Code"])
    ons = _as_text(raw["ONS Code"])
    problems += _ascof_level_problems(level, geo, lines, entry)

    kept_level = level.isin(ASCOF_KEPT_LEVELS)
    bad_code = kept_level & ~ons.str.fullmatch(ONS_ENGLAND.pattern)
    problems += _area_code_problems(bad_code, geo, ons, lines, entry)
    mtype = _as_text(raw["Measure Type"])
    use = kept_level & ~bad_code & mtype.isin(_ASCOF_TYPES)

    group = _as_text(raw["Measure Group"])[use].map(normalise_measure_code)
    renumbered = series_ids(ref.ascof_crosswalk, period.label)
    group = group.map(lambda code: renumbered.get(code, code))
    indicator = "ASCOF-" + group
    problems += _break_findings(group, lines, ref.ascof_crosswalk, period.label, entry)
    known = indicator.isin(ref.indicators.index)
    problems += _unknown_indicator_problems(indicator, known, lines[use], entry)
    rows = indicator.index[known]
    values, statuses, bad = parse_value_column(raw["Measure Value"][rows])
    problems += row_problems(
        bad,
        lines,
        entry,
        "non-numeric value",
        lambda i: (
            f"Measure Value {raw['Measure Value'][i]!r} ({geo[i]} "
            f"{raw['ASCOF Measure Code'][i]} {mtype[i]}) is not a number"
        ),
        subject=lambda i: geo[i],
    )

    long = _measure_rows(raw, rows, ons, indicator, mtype, values, statuses, lines)
    keys = ["ons", "measure", "breakdown"]
    dupes = long.duplicated([*keys, "type"], keep="first")
    problems += row_problems(
        dupes,
        lines,
        entry,
        "duplicated observation",
        lambda i: (
            f"{geo[i]} {long['measure'][i]} {long['breakdown'][i]} {mtype[i]} appears "
            "more than once; the first is kept"
        ),
        subject=lambda i: geo[i],
    )
    long = long[~dupes]
    outcome = long[(long["type"] == "Outcome") & ~bad[long.index]]
    parts = {
        kind: long[long["type"] == kind].set_index(keys)["value"]
        for kind in ("Numerator", "Denominator")
    }
    problems += _missing_outcome_problems(long, parts, keys, entry)
    outcome_keys = pd.MultiIndex.from_frame(outcome[keys])
    observations = _observations(outcome, parts, outcome_keys, period, ref, entry, sheet)
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


def _area_code_problems(
    bad_code: pd.Series, geo: pd.Series, ons: pd.Series, lines: pd.Series, entry: CatalogueEntry
) -> list[Problem]:
    """One error per kept geography whose ONS code is malformed, at its first row."""
    bad_geos = pd.DataFrame({"geo": geo, "ons": ons, "line": lines})[bad_code]
    return [
        error(
            "malformed area code",
            entry.file,
            int(first["line"]),
            f"{first['geo']}: ONS Code {first['ons']!r} is not like E10000016; "
            "its rows are left out",
            subject=first["geo"],
        )
        for _, first in bad_geos.groupby("geo").head(1).iterrows()
    ]


def _unknown_indicator_problems(
    indicator: pd.Series, known: pd.Series, lines: pd.Series, entry: CatalogueEntry
) -> list[Problem]:
    """One error per measure group not in the indicator reference, at its first row."""
    unknown_lines = lines[~known]
    problems = []
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
    return problems


def _missing_outcome_problems(
    long: pd.DataFrame, parts: dict[str, pd.Series], keys: list[str], entry: CatalogueEntry
) -> list[Problem]:
    """An error for each Numerator or Denominator row with no Outcome row to join."""
    published_outcomes = pd.MultiIndex.from_frame(long[long["type"] == "Outcome"][keys])
    problems = []
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
    return problems


def _observations(
    outcome: pd.DataFrame,
    parts: dict[str, pd.Series],
    outcome_keys: pd.MultiIndex,
    period: Period,
    ref: Reference,
    entry: CatalogueEntry,
    sheet: str | None,
) -> pd.DataFrame:
    """Indicator observations from the Outcome rows, with their numerators and denominators."""
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
    return observations


def _catalogue_period(entry: CatalogueEntry) -> Period | Problem:
    """The period the catalogue entry gives every value, or an error saying it is unreadable."""
    try:
        return parse_period(entry.period or "")
    except PeriodError:
        return error(
            "unreadable period",
            entry.file,
            None,
            f"catalogue entry {entry.id!r} needs a period such as 2020-21 (got {entry.period!r})",
        )


def _measure_rows(
    raw: pd.DataFrame,
    rows: pd.Index,
    ons: pd.Series,
    indicator: pd.Series,
    mtype: pd.Series,
    values: pd.Series,
    statuses: pd.Series,
    lines: pd.Series,
) -> pd.DataFrame:
    """The kept rows in long form: one per geography, measure, breakdown and measure type."""
    return pd.DataFrame(
        {
            "ons": ons[rows],
            "name": _as_text(raw["Geographical Description"])[rows],
            "indicator": indicator[rows],
            "measure": _as_text(raw["ASCOF Measure Code"])[rows].map(normalise_measure_code),
            "breakdown": _as_text(raw["Disaggregation Level"])[rows],
            "type": mtype[rows],
            "value": values,
            "status": statuses,
            "line": lines[rows],
            "text": raw["Measure Value"][rows].astype(object),
        }
    )
