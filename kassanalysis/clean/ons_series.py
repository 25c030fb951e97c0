"""ONS all-ages population time series (MYE4, MYE5) as the population_totals table.

The ONS mid-year estimates workbooks hold, beside the single-year-of-age MYE2 tables, a
time series of the all-ages population of every local authority: MYE4 in the 2021-geography
release (``Code, Name, Geography, Mid-2020, Mid-2019, ..., Mid-2001``) and MYE5, the
population density table (``Code, Name, Geography1, Area (sq km), Estimated Population
mid-2019, 2019 people per sq. km, ...``), in the April 2020 LA codes release. Both give the
all-ages persons of each council for years that MYE2 in the same workbook does not
(mid-2014 for the ASC-FR 2014-15, say).

The cleaner is pure: it is handed every sheet of the workbook as a raw frame (no header) and
returns the tidy table and problems; lines are Excel rows. :func:`combine_population_totals`
keeps one figure per area and year when two releases both give it, and reports a finding
where they differ.

References
----------
.. [1] Office for National Statistics, "Population estimates for the UK, England and Wales,
   Scotland and Northern Ireland": mid-2019 (April 2020 local authority codes) and mid-2020
   (2021 geography) releases, tables MYE4 and MYE5.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.clean.cells import as_text as _as_text
from kassanalysis.clean.cells import parse_cell
from kassanalysis.clean.ons_cells import (
    CODE_HEADER,
    GEOGRAPHY_HEADER,
    NAME_HEADER,
    duplicated_area_errors,
    first_match,
    label_text,
    text_cells,
)
from kassanalysis.clean.records import ONS_UK
from kassanalysis.problems import Problem, error, finding
from kassanalysis.reference import Reference
from kassanalysis.schemas import PopulationTotals, columns_of, empty_frame

TOTALS = PopulationTotals

__all__ = ["clean_ons_mye_series", "combine_population_totals", "find_population_series"]

_HEADER_SEARCH_ROWS = 60
#: A year column of a population series: ``Mid-2014`` (MYE4) or ``Estimated Population
#: mid-2014`` (MYE5). Density (``2014 people per sq. km``) and area columns do not match.
_YEAR_HEADER = re.compile(r"^(?:estimated population\s+)?mid[- ]?(\d{4})$")
#: Other columns a population series may carry (MYE5's area and density), ignored.
_IGNORED_HEADER = re.compile(r"^(?:area\b.*|(?:\d{4} )?people per .*|(?:\d{4} )?density.*)$")
#: Tables with the same header shape that are not populations (MYE6 is median age).
_NOT_POPULATION = re.compile(r"median age|people per|density only", re.IGNORECASE)


def _find_series_header(sheet: pd.DataFrame) -> tuple[dict | None, str]:
    """The header row of an all-ages series (Code, Name and two or more year columns)."""
    why = "no row with a 'Code' cell and two or more 'Mid-YYYY' columns"
    for r in range(min(_HEADER_SEARCH_ROWS, len(sheet))):
        labels = [label_text(c) for c in sheet.iloc[r].tolist()]
        code = first_match(labels, CODE_HEADER)
        if code is None:
            continue
        years: dict[int, int] = {}
        repeated = []
        for j, text in enumerate(labels):
            match = _YEAR_HEADER.match(text)
            if not match:
                continue
            if int(match[1]) in years:
                repeated.append(int(match[1]))
            years.setdefault(int(match[1]), j)
        if len(years) < 2:
            continue
        named = {code, first_match(labels, NAME_HEADER), first_match(labels, GEOGRAPHY_HEADER)}
        others = [
            t
            for j, t in enumerate(labels)
            if t and j not in named and j not in years.values() and not _IGNORED_HEADER.match(t)
        ]
        if others:
            why = (
                f"header at row {r + 1} has columns other than years, area and density "
                f"({', '.join(repr(t) for t in others[:3])}): not a population series"
            )
            continue
        if repeated:
            why = f"header at row {r + 1} repeats year(s) {sorted(set(repeated))}"
            continue
        return {
            "row": r,
            "code": code,
            "name": first_match(labels, NAME_HEADER),
            "geography": first_match(labels, GEOGRAPHY_HEADER),
            "years": years,
            "title": " ".join(label_text(c) for c in sheet.iloc[:r].to_numpy().ravel()),
        }, ""
    return None, why


def find_population_series(
    workbook: dict[str, pd.DataFrame],
) -> tuple[str | None, dict | None, str]:
    """Find the all-ages population time series in a workbook of raw sheets.

    Sheets are tried in workbook order; the first whose header row (among the first 60)
    has a ``Code`` cell and two or more year columns (``Mid-2014`` or ``Estimated
    Population mid-2014``) and no other columns than name, geography, area and density
    (which are ignored) is taken, unless the title above it says it is not a population
    (MYE6, the median age, has the same header). MYE3 (components of change: a start and an
    end population beside births and deaths) is not a series.

    Returns
    -------
    sheet : str or None
        The sheet holding the table (None if none does).
    layout : dict or None
        0-based ``row`` of the header, column positions ``code``, ``name``, ``geography``,
        ``years`` (mid-year -> column) and the ``title`` text above the header.
    why : str
        When nothing was found, what was looked at and why it did not fit.

    Examples
    --------
    >>> sheet = pd.DataFrame([["MYE4: Population estimates, mid-2019 to mid-2020", None, None],
    ...                       ["Code", "Mid-2020", "Mid-2019"]])
    >>> median = pd.DataFrame([["MYE6: Median age of population", None, None],
    ...                        ["Code", "Mid-2020", "Mid-2019"]])
    >>> name, layout, why = find_population_series({"MYE6": median, "MYE4": sheet})
    >>> name, layout["row"], layout["years"]
    ('MYE4', 1, {2020: 1, 2019: 2})
    >>> find_population_series({"MYE6": median})[2]
    "'MYE6': its title says it is not a population (median age)"
    """
    reasons = []
    for name, sheet in workbook.items():
        layout, why = _find_series_header(sheet)
        if layout is None:
            reasons.append(f"{name!r}: {why}")
            continue
        not_population = _NOT_POPULATION.search(layout["title"])
        if not_population:
            reasons.append(
                f"{name!r}: its title says it is not a population ({not_population[0].lower()})"
            )
            continue
        return str(name), layout, ""
    if not workbook:
        return None, None, "the workbook has no sheets"
    return None, None, "; ".join(reasons)


def clean_ons_mye_series(
    workbook: dict[str, pd.DataFrame], entry: CatalogueEntry, ref: Reference | None
) -> tuple[pd.DataFrame, list[Problem]]:
    """Tidy the all-ages population time series of an ONS mid-year estimates workbook.

    The table is found by content (:func:`find_population_series`). An area row is any row
    below the header whose code cell is ONS-code shaped (``E10000016``, ``K02000001``);
    notes and blank rows are skipped, but a row with figures and no code is an error.

    Parameters
    ----------
    workbook : dict of str to pd.DataFrame
        Every sheet, read with ``pd.read_excel(path, sheet_name=None, header=None,
        engine="calamine")`` (row ``i`` is Excel row ``i + 1``).
    entry : CatalogueEntry
        The catalogue entry (its ``file`` names the source in problems and provenance).
    ref : Reference
        Unused; taken so that every cleaner has the same signature.

    Returns
    -------
    population_totals : pd.DataFrame
        :class:`~kassanalysis.schemas.PopulationTotals`, one row per area and mid-year:
        ``persons`` (all ages, people) with ``status`` ``"reported"``, or NaN with the
        status of a blank or marked cell (``[x]``, ``..``: ``"missing"``); ``source_line``
        is the Excel row of the area, ``source_text`` the year's column header.
    problems : list of Problem
        An error when no table is found (with what was tried), for a cell that is neither a
        count nor a missing marker (or is negative), an area listed twice, and a row with
        figures but no ONS code; each names the file, sheet, row, area and year.

    Examples
    --------
    >>> sheet = pd.DataFrame([["MYE4: Population estimates", None, None, None],
    ...                       ["Code", "Name", "Mid-2015", "Mid-2014"],
    ...                       ["E10000016", "Kent", 1523100, 1509301]])
    >>> entry = CatalogueEntry(id="mye4", file="mye.xls", kind="ons_mye_series")
    >>> totals, problems = clean_ons_mye_series({"MYE4": sheet}, entry, None)
    >>> totals[["area_code", "year", "persons", "source_line"]].values.tolist()
    [['E10000016', 2015, 1523100.0, 3], ['E10000016', 2014, 1509301.0, 3]]
    >>> problems
    []
    """
    name, layout, why = find_population_series(workbook)
    if layout is None:
        return empty_frame(TOTALS), [
            error(
                "table not found",
                entry.file,
                None,
                "no all-ages population series (a header row with Code and two or more "
                f"'Mid-YYYY' or 'Estimated Population mid-YYYY' columns) in sheets "
                f"{', '.join(repr(s) for s in workbook)}: {why}",
            )
        ]
    sheet = workbook[name]
    body = sheet.iloc[layout["row"] + 1 :]
    excel_rows = np.arange(layout["row"] + 1, len(sheet)) + 1
    codes = _as_text(body.iloc[:, layout["code"]]).str.upper().to_numpy(dtype=object)
    is_area = pd.Series(codes).str.fullmatch(ONS_UK.pattern).to_numpy()
    years = sorted(layout["years"], reverse=True)
    cells = body.iloc[:, [layout["years"][y] for y in years]].to_numpy(dtype=object)
    records, problems = _read_cells(name, codes, is_area, excel_rows, years, cells, entry)
    if not records:
        return empty_frame(TOTALS), problems
    rows, record_years, persons, status = (
        np.array(v, dtype=object) for v in zip(*records, strict=True)
    )
    rows = rows.astype(int)

    names = text_cells(body, layout["name"], rows)
    headers = {y: str(sheet.iat[layout["row"], j]).strip() for y, j in layout["years"].items()}
    totals = pd.DataFrame(
        {
            TOTALS.area_code: codes[rows],
            TOTALS.area_name: np.where(pd.isna(names), codes[rows], names),
            TOTALS.geography: text_cells(body, layout["geography"], rows),
            TOTALS.year: record_years.astype(int),
            TOTALS.persons: persons.astype(float),
            TOTALS.status: status,
            TOTALS.source_file: entry.file,
            TOTALS.source_sheet: name,
            TOTALS.source_line: excel_rows[rows],
            TOTALS.source_text: [headers[y] for y in record_years],
        }
    )
    return totals[columns_of(TOTALS)].reset_index(drop=True), problems


def _read_cells(
    name: str,
    codes: np.ndarray,
    is_area: np.ndarray,
    excel_rows: np.ndarray,
    years: list[int],
    cells: np.ndarray,
    entry: CatalogueEntry,
) -> tuple[list[tuple], list[Problem]]:
    """(row, year, persons, status) for every readable cell of an area row, and an error
    for each cell that is not a count, a row with figures but no code, an area twice."""
    parsed = [[parse_cell(c, nil_is_zero=False) for c in row] for row in cells]
    problems: list[Problem] = []
    for r in np.flatnonzero(~is_area):
        if any(p is not None and p[1] == "reported" for p in parsed[r]):
            problems.append(
                error(
                    "malformed area code",
                    entry.file,
                    int(excel_rows[r]),
                    f"sheet {name!r} row {excel_rows[r]}: figures but code {codes[r]!r} is "
                    "not an ONS code",
                    subject=codes[r],
                )
            )
    records = []
    for r in np.flatnonzero(is_area):
        for y, cell, value in zip(years, cells[r], parsed[r], strict=True):
            if value is None or value[0] < 0:
                problems.append(
                    error(
                        "non-numeric value",
                        entry.file,
                        int(excel_rows[r]),
                        f"sheet {name!r} row {excel_rows[r]}, {codes[r]}, mid-{y}: {cell!r} "
                        "is not a count of people",
                        subject=codes[r],
                    )
                )
                continue
            records.append((r, y, value[0], value[1]))
    area_codes = np.where(is_area, codes, None)
    problems += duplicated_area_errors(area_codes, excel_rows, name, entry.file)
    return records, problems


def combine_population_totals(totals: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """One figure per area and mid-year when several releases give it.

    Two ONS releases (say the mid-2019 release on April 2020 codes and the mid-2020 release
    on 2021 geography) both publish the earlier years. The figure of the later release (the
    file whose series reaches the latest mid-year) is kept, unless it is missing there; a
    finding names both files and rows when the two figures differ by more than half a
    person (a revision, or a boundary change under the same code).

    Parameters
    ----------
    totals : pd.DataFrame
        :class:`~kassanalysis.schemas.PopulationTotals` rows of one or more files.

    Returns
    -------
    population_totals : pd.DataFrame
        The same columns, one row per ``area_code`` and ``year``.
    problems : list of Problem
        A finding per area and year whose figures differ between files (``expected`` the
        kept figure, ``found`` the other).

    Examples
    --------
    >>> a = pd.DataFrame({"area_code": "E10000016", "year": [2014, 2019],
    ...     "persons": [1509301.0, 1581555.0], "status": "reported",
    ...     "source_file": "mid2019.xls", "source_line": 291})
    >>> b = a.assign(year=[2014, 2020], persons=[1509300.0, 1589057.0],
    ...     source_file="mid2020.xls", source_line=288)
    >>> kept, problems = combine_population_totals(pd.concat([a, b], ignore_index=True))
    >>> kept[["year", "persons", "source_file"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [[2014, 1509300.0, 'mid2020.xls'], [2019, 1581555.0, 'mid2019.xls'],
     [2020, 1589057.0, 'mid2020.xls']]
    >>> print(problems[0].message)  # doctest: +NORMALIZE_WHITESPACE
    E10000016 mid-2014: mid2020.xls row 288 gives 1,509,300 but mid2019.xls row 291 gives
    1,509,301; the later release's figure is kept
    """
    if totals.empty:
        return totals, []
    latest = totals.groupby("source_file")["year"].transform("max")
    ordered = totals.assign(
        _missing=totals["persons"].isna(), _latest=latest, _order=np.arange(len(totals))
    ).sort_values(
        ["area_code", "year", "_missing", "_latest", "_order"],
        ascending=[True, True, True, False, True],
        kind="stable",
    )
    first = ~ordered.duplicated(["area_code", "year"])
    kept = ordered[first]
    others = ordered[~first].merge(
        kept[["area_code", "year", "persons", "source_file", "source_line"]],
        on=["area_code", "year"],
        suffixes=("", "_kept"),
    )
    problems = [
        finding(
            "population differs between releases",
            row.source_file_kept,
            int(row.source_line_kept),
            f"{row.area_code} mid-{row.year}: {row.source_file_kept} row {row.source_line_kept} "
            f"gives {row.persons_kept:,.0f} but {row.source_file} row {row.source_line} gives "
            f"{row.persons:,.0f}; the later release's figure is kept",
            subject=row.area_code,
            expected=float(row.persons_kept),
            found=float(row.persons),
        )
        for row in others.itertuples()
        if not (pd.isna(row.persons) or pd.isna(row.persons_kept))
        and abs(row.persons - row.persons_kept) > 0.5
    ]
    combined = kept.drop(columns=["_missing", "_latest", "_order"])
    return combined.sort_values(["area_code", "year"]).reset_index(drop=True), problems
