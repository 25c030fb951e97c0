"""ONS mid-year population estimates (MYE2 persons workbooks) as the population table.

The cleaner is pure: it is handed every sheet of the workbook as a raw frame (no header)
and returns the population by single year of age and problems; lines are Excel rows.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.clean.cells import as_text as _as_text
from kassanalysis.clean.ons_cells import CODE_HEADER as _CODE_HEADER
from kassanalysis.clean.ons_cells import GEOGRAPHY_HEADER as _GEOGRAPHY_HEADER
from kassanalysis.clean.ons_cells import NAME_HEADER as _NAME_HEADER
from kassanalysis.clean.ons_cells import TOP_AGE as _TOP_AGE
from kassanalysis.clean.ons_cells import duplicated_area_errors, parse_age_label, text_cells
from kassanalysis.clean.ons_cells import first_match as _first_match
from kassanalysis.clean.ons_cells import label_text as _label_text
from kassanalysis.clean.ons_cells import to_number as _to_number
from kassanalysis.clean.ons_long import clean_ons_population_long, find_long_population
from kassanalysis.clean.records import ONS_UK
from kassanalysis.problems import Problem, error
from kassanalysis.reference import Reference
from kassanalysis.schemas import Population, columns_of, empty_frame

POP = Population

#: Re-exported: the age parser and the long-layout reader lived here before the split.
__all__ = [
    "clean_ons_mye2",
    "clean_ons_population_long",
    "find_long_population",
    "find_mye2_table",
    "parse_age_label",
]

_HEADER_SEARCH_ROWS = 60
_ALL_AGES_HEADER = re.compile(r"all ages")
_MID_YEAR = re.compile(r"mid[- ]?(\d{4})", re.IGNORECASE)
_SEX_ONLY = re.compile(r"\b(?:fe)?males?\b", re.IGNORECASE)


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
    for sheet_name, sheet in workbook.items():
        long_layout = find_long_population(sheet)
        if long_layout is not None:
            return clean_ons_population_long(sheet, long_layout, str(sheet_name), entry)
    name, layout, why = find_mye2_table(workbook)
    if layout is None:
        return empty_frame(POP), [
            error(
                "table not found",
                entry.file,
                None,
                "no MYE2 persons table (a header row with Code, All ages and ages 0 to 90+) "
                "and no long layout (code, sex, age, population_YYYY) "
                f"in sheets {', '.join(repr(s) for s in workbook)}: {why}",
            )
        ]
    problems: list[Problem] = []
    sheet = workbook[name]
    year = _mye2_year(entry, layout, name)
    if isinstance(year, Problem):
        return empty_frame(POP), [year]

    body = sheet.iloc[layout["row"] + 1 :]
    excel_rows = np.arange(layout["row"] + 1, len(sheet)) + 1
    codes = _as_text(body.iloc[:, layout["code"]]).str.upper()
    is_area = codes.str.fullmatch(ONS_UK.pattern).to_numpy()
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
    labels = _MYE2_AGE_LABELS
    invalid = np.isnan(values) | (values < 0)
    problems += _mye2_row_problems(values, invalid, raw_cells, codes, excel_rows, name, entry)

    names = text_cells(body, layout["name"], is_area)
    names = np.where(pd.isna(names), codes, names)
    n_ages = _TOP_AGE + 1
    population = pd.DataFrame(
        {
            POP.area_code: np.repeat(codes, n_ages),
            POP.area_name: np.repeat(names, n_ages),
            POP.geography: np.repeat(text_cells(body, layout["geography"], is_area), n_ages),
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


#: Single years of age in an MYE2 table, in column order (0 to 89, then 90+).
_MYE2_AGE_LABELS = [str(a) for a in range(_TOP_AGE)] + [f"{_TOP_AGE}+"]


def _mye2_year(entry: CatalogueEntry, layout: dict, name: str) -> int | Problem:
    """The mid-year of an MYE2 table: the catalogue's, else 'mid-YYYY' in the title or
    the sheet name; an error when neither gives one."""
    if entry.year is not None:
        return entry.year
    match = _MID_YEAR.search(layout["title"]) or _MID_YEAR.search(str(name))
    if not match:
        return error(
            "unknown year",
            entry.file,
            layout["row"] + 1,
            f"sheet {name!r}: no year in the catalogue entry and no 'mid-YYYY' in the "
            "title above the table",
        )
    return int(match[1])


def _mye2_row_problems(
    values: np.ndarray,
    invalid: np.ndarray,
    raw_cells: np.ndarray,
    codes: np.ndarray,
    excel_rows: np.ndarray,
    name: str,
    entry: CatalogueEntry,
) -> list[Problem]:
    """Errors for MYE2 area rows: a cell that is not a count, single years of age that do
    not add up to All ages, an area listed twice."""
    problems: list[Problem] = []
    for r, c in zip(*np.nonzero(invalid), strict=True):
        column = _MYE2_AGE_LABELS[c] if c <= _TOP_AGE else "All ages"
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
    problems += duplicated_area_errors(codes, excel_rows, name, entry.file)
    return problems
