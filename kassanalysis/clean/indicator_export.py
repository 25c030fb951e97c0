"""Long indicator exports (LG Inform, Fingertips, local data portals) as indicator observations.

The CSVs analysts download from LG Inform, OHID Fingertips and local data portals are long:
one row per area, period and indicator, with the value and whatever else the export has.
The column names differ by site; each role below is found by any of its names (case,
spacing and underscores ignored):

===============  ==========================================================================
role             header names recognised
===============  ==========================================================================
area code        ``area_code``, ``Area Code``, ``ons_code``, ``code``
area name        ``area_name``, ``Area Name``, ``area``, ``name``
period           ``period``, ``Time period``, ``year``
indicator        ``indicator``, ``Indicator Name``
indicator id     ``Indicator ID`` (Fingertips)
value            ``value``, ``Value``
measure / unit   ``measure``, ``unit`` (LG Inform: measure is the unit text)
sex, category    ``Sex``, ``Category`` (Fingertips breakdowns)
count, denom.    ``Count``, ``Denominator`` (numerator and denominator)
===============  ==========================================================================

Everything else the export publishes (95% and 99.8% limits, compared with England, value
note, recent trend) is returned in a second frame beside the observations. ``NA``, ``NaN``,
blank, ``-``, ``:`` and ``..`` are missing, never zero. Periods: ``2021/22`` and ``2021-22``
(financial years), ``Nov 2023`` (a month), ``2021`` (a calendar year).

The cleaner is pure: it is handed the CSV as a frame of text (``dtype=str``,
``keep_default_na=False``) and returns new frames and problems; lines are CSV lines.
"""

from __future__ import annotations

import functools
import re
from datetime import date

import numpy as np
import pandas as pd

from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.clean.cells import as_text, parse_value_column
from kassanalysis.clean.records import (
    ONS_ENGLAND,
    csv_lines,
    duplicate_problems,
    parse_periods,
    row_problems,
)
from kassanalysis.periods import Period, parse_period
from kassanalysis.problems import Problem, error
from kassanalysis.reference import Reference
from kassanalysis.schemas import IndicatorObservations, columns_of, empty_frame

OBS = IndicatorObservations

#: Role -> header names (normalised: lower case, letters and digits only).
EXPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "area_code": ("areacode", "onscode", "code", "geographycode"),
    "area_name": ("areaname", "area", "name", "geographyname"),
    "period": ("period", "timeperiod", "year"),
    "indicator": ("indicator", "indicatorname"),
    "indicator_id": ("indicatorid",),
    "value": ("value",),
    "measure": ("measure",),
    "unit": ("unit",),
    "sex": ("sex",),
    "category": ("category",),
    "count": ("count", "numerator"),
    "denominator": ("denominator",),
}
#: Roles an export must have.
REQUIRED_ROLES = ("area_code", "period", "value")
#: Published cells that mean "no value" in these exports (case ignored).
EXPORT_MISSING = frozenset({"", "na", "nan", "-", ":", "..", "[x]", "x", "n/a"})
#: Sex labels meaning "both sexes" (the headline series).
_ALL_SEXES = frozenset({"", "persons", "all", "people", "total"})
_CALENDAR_YEAR = re.compile(r"^(\d{4})$")


def _key(header: object) -> str:
    return re.sub(r"[^a-z0-9]", "", str(header).lower())


def find_export_columns(columns: list[str]) -> dict[str, str]:
    """Map each role to the export's column, by the names in :data:`EXPORT_COLUMNS`.

    Examples
    --------
    >>> find_export_columns(["area_code", "area_name", "period", "indicator", "value"])["period"]
    'period'
    >>> find_export_columns(["Area Code", "Time period", "Value"])["period"]
    'Time period'
    """
    by_key = {_key(c): c for c in reversed(columns)}
    found = {}
    for role, names in EXPORT_COLUMNS.items():
        for name in names:
            if name in by_key:
                found[role] = by_key[name]
                break
    return found


def parse_export_period(label: str) -> Period:
    """A period as exports print it: ``2021/22``, ``2021-22``, ``Nov 2023`` or ``2021``.

    A four-digit year alone is a calendar year (1 January to 31 December), labelled as
    printed.

    Raises
    ------
    PeriodError
        For anything else (e.g. a three-year ``2019 - 21`` pooled period).

    Examples
    --------
    >>> parse_export_period("2021/22").label, parse_export_period("2021").end
    ('2021-22', datetime.date(2021, 12, 31))
    """
    match = _CALENDAR_YEAR.match(label.strip())
    if match:
        year = int(match[1])
        return Period(end=date(year, 12, 31), start=date(year, 1, 1), kind="year", label=label)
    return parse_period(label)


def _indicator_ids(names: pd.Series, given: pd.Series, ref: Reference) -> pd.Series:
    """Indicator id for each row: a reference id (``X`` or ``FINGERTIPS-X``), else the
    indicator whose name or alias is the published name; None when nothing matches."""
    names_of = ref.indicators["name"] if "name" in ref.indicators else pd.Series(dtype=str)
    by_name = {str(n).strip().lower(): iid for iid, n in names_of.items()}

    def lookup(name: str, code: str) -> str | None:
        for candidate in (code, f"FINGERTIPS-{code}") if code else ():
            if candidate in ref.indicators.index:
                return candidate
        if not name:
            return None
        if name in ref.indicators.index:
            return name
        return by_name.get(name.lower()) or ref.indicator_for_label(name)

    pairs = list(zip(names, given, strict=True))
    found = {pair: lookup(*pair) for pair in set(pairs)}
    return pd.Series([found[pair] for pair in pairs], index=names.index, dtype=object)


def clean_indicator_export(
    raw: pd.DataFrame, entry: CatalogueEntry, ref: Reference
) -> tuple[pd.DataFrame, list[Problem]]:
    """Turn a long indicator export into indicator observations.

    Parameters
    ----------
    raw : pd.DataFrame
        The CSV as read with ``dtype=str, keep_default_na=False`` (row ``i`` is line
        ``i + 2``).
    entry : CatalogueEntry
        ``entry.file`` names the source. When the export has no indicator column,
        ``entry.default_measure`` names the indicator id.
    ref : Reference
        The indicator is matched to ``ref.indicators`` by id, name or alias (an export's
        long name is added as an alias in ``data/reference/indicators.csv``); its unit is
        the reference's, else the export's measure text.

    Returns
    -------
    observations : pd.DataFrame
        :class:`~kassanalysis.schemas.IndicatorObservations`, one row per area, indicator,
        breakdown and period; value type ``actual``; ``numerator``/``denominator`` from
        ``Count``/``Denominator`` when present. Missing values are NaN with status
        ``missing`` (``NA`` is not zero and not "not applicable": the survey did not run).
    problems : list of Problem
        An error when a required column (area code, period, value) is missing or the file
        has no data rows; per row: unknown indicator, malformed area code, unreadable
        period, non-numeric value, duplicated observation.

    Examples
    --------
    >>> from kassanalysis.reference import make_reference_from_frames
    >>> ref = make_reference_from_frames(
    ...     pd.DataFrame(columns=["id", "name", "unit_of_measure", "aliases"]),
    ...     pd.DataFrame({"id": ["ASCOF-3A"], "name": ["Overall satisfaction"], "unit": ["%"],
    ...                   "polarity": ["higher_is_better"], "aliases": ["Satisfied users"]}))
    >>> entry = CatalogueEntry(id="x", file="x.csv", kind="indicator_export",
    ...                        authority="", source={}, licence="OGL")
    >>> raw = pd.DataFrame({"area_code": ["E08000009", "E08000009"],
    ...     "area_name": ["Trafford"] * 2, "period": ["2019/20", "2020/21"],
    ...     "indicator": ["Satisfied users"] * 2, "value": ["63.1", "NA"]})
    >>> obs, problems = clean_indicator_export(raw, entry, ref)
    >>> obs[["indicator_id", "period", "value", "status", "source_line"]]
      indicator_id   period  value    status  source_line
    0     ASCOF-3A  2019-20   63.1  reported            2
    1     ASCOF-3A  2020-21    NaN   missing            3
    """
    observations, _extras, problems = clean_indicator_export_with_extras(raw, entry, ref)
    return observations, problems


def clean_indicator_export_with_extras(
    raw: pd.DataFrame, entry: CatalogueEntry, ref: Reference
) -> tuple[pd.DataFrame, pd.DataFrame, list[Problem]]:
    """As :func:`clean_indicator_export`, also returning the export's other columns.

    Returns
    -------
    observations : pd.DataFrame
        As :func:`clean_indicator_export`.
    extras : pd.DataFrame
        Same rows (``source_line`` to join on), with every column of the export not used
        for the observations (confidence limits, compared with England, value note...),
        as published text.
    problems : list of Problem
    """
    roles = find_export_columns(list(raw.columns))
    layout_problems = _layout_problems(raw, roles, entry)
    if layout_problems:
        return empty_frame(OBS), pd.DataFrame(), layout_problems
    problems: list[Problem] = []
    lines = pd.Series(csv_lines(raw), index=raw.index)

    text = functools.partial(_role_text, raw, roles)
    code = text("area_code").str.upper()
    name = text("area_name")
    name = name.where(name != "", code)
    label = text("period")
    ind_name = text("indicator")
    ind_given = text("indicator_id")
    if "indicator" not in roles and "indicator_id" not in roles:
        ind_given = pd.Series(entry.default_measure, index=raw.index, dtype=object)
    indicator = _indicator_ids(ind_name, ind_given, ref)

    unknown = indicator.isna()
    problems += _unknown_indicator_problems(unknown, ind_name, ind_given, lines, entry)
    code_ok = code.str.fullmatch(ONS_ENGLAND.pattern).astype(bool)
    problems += _area_code_problems(~code_ok, code, lines, entry)
    periods, _unreadable = parse_periods(label, parse=parse_export_period)
    period_ok = label.isin(periods)
    problems += row_problems(
        ~period_ok,
        lines,
        entry,
        "unreadable period",
        lambda i: (
            f"period {label[i]!r} cannot be read (expected e.g. 2021/22, 2021-22, Nov 2023 or 2021)"
        ),
        subject=lambda i: label[i],
    )

    published = text("value")
    values, statuses, bad = _values(published)
    problems += row_problems(
        bad,
        lines,
        entry,
        "non-numeric value",
        lambda i: f"value {published[i]!r} for {code[i]} {label[i]} is not a number",
        subject=lambda i: f"{code[i]} {label[i]}",
    )
    counts = {role: _numbers(text(role)) for role in ("count", "denominator")}
    breakdown = _breakdowns(text("sex"), text("category"))
    unit = _units(indicator, text("measure"), text("unit"), ref)

    kept = raw.index[~unknown & code_ok & period_ok & ~bad]
    rows = pd.DataFrame(
        {
            "code": code,
            "name": name,
            "indicator": indicator,
            "breakdown": breakdown,
            "label": label,
            "value": values,
            "unit": unit,
            "numerator": counts["count"],
            "denominator": counts["denominator"],
            "status": statuses,
            "line": lines,
            "text": published.astype(object),
        }
    )
    observations = _observations(rows.loc[kept], periods, entry)
    problems += duplicate_problems(
        observations,
        [OBS.authority_code, OBS.indicator_id, OBS.breakdown, OBS.period],
        entry,
        "observation",
    )
    used = set(roles.values())
    extras = raw.loc[kept, [c for c in raw.columns if c not in used]].copy()
    extras.insert(0, "source_line", lines[kept])
    return observations.reset_index(drop=True), extras.reset_index(drop=True), problems


def _role_text(raw: pd.DataFrame, roles: dict[str, str], role: str) -> pd.Series:
    """The column playing ``role`` as text; blanks when the export has no such column."""
    if role in roles:
        return as_text(raw[roles[role]])
    return pd.Series("", index=raw.index, dtype=object)


def _layout_problems(
    raw: pd.DataFrame, roles: dict[str, str], entry: CatalogueEntry
) -> list[Problem]:
    """An error when the export lacks a required column or has no data rows; else none."""
    missing = [r for r in REQUIRED_ROLES if r not in roles]
    if "indicator" not in roles and "indicator_id" not in roles and not entry.default_measure:
        missing.append("indicator")
    if missing:
        return [
            error(
                "missing column",
                entry.file,
                1,
                f"an indicator export needs columns for {', '.join(missing)} (e.g. area_code, "
                f"area_name, period, indicator, value); the file has "
                f"{', '.join(repr(str(c)) for c in raw.columns)}",
            )
        ]
    if raw.empty:
        return [error("no data rows", entry.file, None, "the export has a header but no data rows")]
    return []


def _unknown_indicator_problems(
    unknown: pd.Series,
    ind_name: pd.Series,
    ind_given: pd.Series,
    lines: pd.Series,
    entry: CatalogueEntry,
) -> list[Problem]:
    """One error per unknown indicator (name and id pair), at its first row, with its count."""
    return row_problems(
        unknown & ~(ind_name + ind_given).duplicated(),
        lines,
        entry,
        "unknown indicator",
        lambda i: (
            f"indicator {(ind_name[i] or ind_given[i])!r} is not a known indicator: add "
            "it as an alias of an indicator in data/reference/indicators.csv "
            f"({int(((ind_name == ind_name[i]) & (ind_given == ind_given[i])).sum())} rows)"
        ),
        subject=lambda i: ind_name[i] or ind_given[i],
    )


def _area_code_problems(
    malformed: pd.Series, code: pd.Series, lines: pd.Series, entry: CatalogueEntry
) -> list[Problem]:
    """An error for each row whose area code is not an English ONS code."""
    return row_problems(
        malformed,
        lines,
        entry,
        "malformed area code",
        lambda i: f"area code {code[i]!r} is not an English ONS code like E08000009",
        subject=lambda i: code[i],
    )


def _values(published: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Published values as numbers, statuses and a flag for unreadable cells; the export's
    missing markers are NaN with status ``missing``, never zero."""
    is_missing = published.str.lower().isin(EXPORT_MISSING)
    values, statuses, bad = parse_value_column(published.where(~is_missing, ""))
    return values, statuses.where(~is_missing, "missing"), bad


def _units(indicator: pd.Series, measure: pd.Series, unit: pd.Series, ref: Reference) -> pd.Series:
    """The reference's unit for each indicator, else the export's measure (or unit) text."""
    unit_text = measure.where(measure != "", unit)
    ref_unit = indicator.map(ref.indicators["unit"]) if "unit" in ref.indicators else None
    return unit_text if ref_unit is None else ref_unit.where(ref_unit.notna(), unit_text)


def _numbers(cells: pd.Series) -> pd.Series:
    """Counts or denominators as numbers; missing markers and unreadable cells are NaN."""
    cells = cells.where(~cells.str.lower().isin(EXPORT_MISSING), "")
    parsed, _, bad = parse_value_column(cells)
    return parsed.where(~bad)


def _breakdowns(sex: pd.Series, category: pd.Series) -> pd.Series:
    """Sex and category joined as the breakdown; "Total" for persons with no category."""
    breakdown = np.where(sex.str.lower().isin(_ALL_SEXES), "", sex)
    breakdown = pd.Series(breakdown, index=sex.index).str.cat(category, sep=" ").str.strip()
    return breakdown.where(breakdown != "", "Total")


def _observations(
    rows: pd.DataFrame, periods: dict[str, Period], entry: CatalogueEntry
) -> pd.DataFrame:
    """Indicator observations from the kept rows, indexed like the raw frame."""
    label = rows["label"]
    return pd.DataFrame(
        {
            OBS.authority_code: rows["code"],
            OBS.authority_name: rows["name"],
            OBS.indicator_id: rows["indicator"],
            OBS.breakdown: rows["breakdown"],
            OBS.period: label.map(lambda p: periods[p].label),
            OBS.period_type: label.map(lambda p: periods[p].kind),
            OBS.period_start: pd.to_datetime(label.map(lambda p: periods[p].start)),
            OBS.period_end: pd.to_datetime(label.map(lambda p: periods[p].end)),
            OBS.value_type: "actual",
            OBS.value: rows["value"],
            OBS.unit: rows["unit"],
            OBS.numerator: rows["numerator"],
            OBS.denominator: rows["denominator"],
            OBS.status: rows["status"],
            OBS.source_file: entry.file,
            OBS.source_sheet: None,
            OBS.source_line: rows["line"],
            OBS.source_text: rows["text"],
        },
        index=rows.index,
    )[columns_of(OBS)]
