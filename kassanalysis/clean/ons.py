"""ONS mid-year population estimates (MYE2 persons workbooks) as the population table.

The cleaner is pure: it is handed every sheet of the workbook as a raw frame (no header)
and returns the population by single year of age and problems; lines are Excel rows.
"""

from __future__ import annotations

import math
import re
from pathlib import PurePosixPath

import numpy as np
import pandas as pd

from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.clean.cells import PLAIN_NUMBER
from kassanalysis.clean.cells import as_text as _as_text
from kassanalysis.clean.records import ONS_UK
from kassanalysis.problems import Problem, error
from kassanalysis.reference import Reference
from kassanalysis.schemas import Population, columns_of, empty_frame

POP = Population

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


_LONG_HEADER_ROWS = 10
_POPULATION_YEAR = re.compile(r"^population[ _]?(\d{4})$")
_LONG_SEXES = {
    "m": "M",
    "male": "M",
    "males": "M",
    "1": "M",
    "f": "F",
    "female": "F",
    "females": "F",
    "2": "F",
    "p": "P",
    "persons": "P",
    "all": "P",
    "0": "P",
}


def find_long_population(sheet: pd.DataFrame) -> dict | None:
    """Find the long-layout header (code, sex, age and ``population_YYYY`` columns).

    The long layout of ONS estimates (MYEB1, and the CSVs ONS publishes beside the
    workbooks): one row per area, sex and single year of age, a column per mid-year.

    Returns
    -------
    dict or None
        0-based header ``row`` and column positions ``code``, ``name``, ``geography``,
        ``sex``, ``age`` and ``years`` (mid-year -> column).
    """
    for r in range(min(_LONG_HEADER_ROWS, len(sheet))):
        cells = sheet.iloc[r].tolist()
        if not any(isinstance(c, str) and c.strip().lower() == "sex" for c in cells):
            continue
        labels = [_label_text(c).replace(" ", "_") for c in cells]
        years = {int(m[1]): j for j, t in enumerate(labels) if (m := _POPULATION_YEAR.match(t))}
        spaced = [t.replace("_", " ") for t in labels]
        code = _first_match(spaced, _CODE_HEADER)
        if years and code is not None and "sex" in labels and "age" in labels:
            return {
                "row": r,
                "code": code,
                "name": _first_match(spaced, _NAME_HEADER),
                "geography": _first_match(spaced, _GEOGRAPHY_HEADER),
                "sex": labels.index("sex"),
                "age": labels.index("age"),
                "years": years,
            }
    return None


def clean_ons_population_long(
    sheet: pd.DataFrame, layout: dict, name: str, entry: CatalogueEntry
) -> tuple[pd.DataFrame, list[Problem]]:
    """Tidy the long layout: persons by area, year and single year of age (0 to 90+).

    Males and females are added to give persons (rows for persons, when present, are used
    as they are). Age ``90`` is the open-ended top band, as ONS publishes it (``90+``).
    ``entry.year``, when set, keeps that mid-year only.

    Returns
    -------
    population : pd.DataFrame
        :class:`~kassanalysis.schemas.Population`; ``source_line`` is the first line of
        the area's rows for that age (the male row).
    problems : list of Problem
        Errors for a requested year without a column, malformed area codes, unreadable
        ages or counts, a sex other than male, female or persons, duplicated rows, and an
        area-year without every age 0 to 90.
    """
    problems: list[Problem] = []
    body = sheet.iloc[layout["row"] + 1 :]
    lines = pd.Series(np.arange(layout["row"] + 1, len(sheet)) + 1, index=body.index)
    years = layout["years"]
    if entry.year is not None:
        if int(entry.year) not in years:
            return empty_frame(POP), [
                error(
                    "missing column",
                    entry.file,
                    layout["row"] + 1,
                    f"no population_{entry.year} column; the file has "
                    f"{', '.join(f'population_{y}' for y in sorted(years))}",
                )
            ]
        years = {int(entry.year): years[int(entry.year)]}
    code = _as_text(body.iloc[:, layout["code"]]).str.upper()
    blank = code == ""
    body, lines, code = body[~blank], lines[~blank], code[~blank]
    ok_code = code.str.fullmatch(ONS_UK.pattern).astype(bool)
    sex_text = _as_text(body.iloc[:, layout["sex"]])
    sex = sex_text.str.lower().map(_LONG_SEXES)
    age_text = _as_text(body.iloc[:, layout["age"]])
    age = age_text.map(parse_age_label)
    for mask, check, what in (
        (~ok_code, "malformed area code", lambda i: f"code {code[i]!r} is not an ONS code"),
        (sex.isna(), "unreadable sex", lambda i: f"sex {sex_text[i]!r} is not M, F or persons"),
        (age.isna(), "unreadable age", lambda i: f"age {age_text[i]!r} is not 0 to 90+"),
    ):
        for i in mask.index[mask]:
            problems.append(error(check, entry.file, int(lines[i]), what(i), subject=code[i]))
    good = ok_code & sex.notna() & age.notna()
    use_persons = (sex[good] == "P").any()
    good &= (sex == "P") if use_persons else sex.isin(["M", "F"])
    frames = []
    for year, column in years.items():
        counts = _to_number(body.iloc[:, column])
        bad = good & (counts.isna() | (counts < 0))
        for i in bad.index[bad]:
            problems.append(
                error(
                    "non-numeric value",
                    entry.file,
                    int(lines[i]),
                    f"{code[i]} {sex_text[i]} age {age_text[i]}, population_{year}: "
                    f"{body.at[i, body.columns[column]]!r} is not a count of people",
                    subject=code[i],
                )
            )
        rows = pd.DataFrame(
            {
                "code": code,
                "sex": sex,
                "age": age,
                "persons": counts,
                "line": lines,
            }
        )[good & ~bad]
        dupes = rows.duplicated(["code", "sex", "age"])
        for i in rows.index[dupes]:
            problems.append(
                error(
                    "duplicated row",
                    entry.file,
                    int(lines[i]),
                    f"{code[i]} {sex_text[i]} age {age_text[i]} appears more than once",
                    subject=code[i],
                )
            )
        rows = rows[~dupes]
        persons = rows.groupby(["code", "age"]).agg(
            persons=("persons", "sum"), line=("line", "min"), sexes=("sex", "nunique")
        )
        expected_sexes = 1 if use_persons else 2
        for (area, a), row in persons[persons.sexes != expected_sexes].iterrows():
            problems.append(
                error(
                    "incomplete area",
                    entry.file,
                    int(row.line),
                    f"{area} age {a}: only one sex published, persons cannot be added up",
                    subject=area,
                )
            )
        persons = persons[persons.sexes == expected_sexes].reset_index()
        ages_per_area = persons.groupby("code").age.nunique()
        for area in ages_per_area.index[ages_per_area != _TOP_AGE + 1]:
            problems.append(
                error(
                    "incomplete area",
                    entry.file,
                    int(persons[persons.code == area].line.min()),
                    f"{area} population_{year}: {ages_per_area[area]} single years of age, "
                    f"expected 0 to 90+ ({_TOP_AGE + 1})",
                    subject=area,
                )
            )
        names = _as_text(body.iloc[:, layout["name"]]) if layout["name"] is not None else code
        geos = (
            _as_text(body.iloc[:, layout["geography"]])
            if layout["geography"] is not None
            else pd.Series(None, index=body.index, dtype=object)
        )
        name_of = dict(zip(code[good], names[good], strict=True))
        geography_of = dict(zip(code[good], geos[good], strict=True))
        frames.append(
            pd.DataFrame(
                {
                    POP.area_code: persons.code,
                    POP.area_name: persons.code.map(name_of),
                    POP.geography: persons.code.map(geography_of),
                    POP.year: year,
                    POP.age: persons.age.astype(int),
                    POP.age_label: persons.age.map(
                        lambda a: f"{_TOP_AGE}+" if a == _TOP_AGE else str(int(a))
                    ),
                    POP.persons: persons.persons,
                    POP.source_file: entry.file,
                    POP.source_sheet: name if name != PurePosixPath(entry.file).name else None,
                    POP.source_line: persons.line.astype(int),
                    POP.source_text: None,
                }
            )
        )
    population = pd.concat(frames, ignore_index=True) if frames else empty_frame(POP)
    return population[columns_of(POP)], problems
