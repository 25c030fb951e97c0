"""ONS population estimates in long layout (code, sex, age, population_YYYY) as the
population table.

Some ONS downloads (and the files councils derive from them) are long: one row per area,
sex and single year of age, one ``population_YYYY`` column per year. Persons are the
persons rows when published, else males plus females. Read by
:func:`kassanalysis.clean.ons.clean_ons_mye2` when a sheet has this layout; lines are
Excel rows (or CSV lines).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import numpy as np
import pandas as pd

from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.clean.cells import as_text as _as_text
from kassanalysis.clean.ons_cells import CODE_HEADER as _CODE_HEADER
from kassanalysis.clean.ons_cells import GEOGRAPHY_HEADER as _GEOGRAPHY_HEADER
from kassanalysis.clean.ons_cells import NAME_HEADER as _NAME_HEADER
from kassanalysis.clean.ons_cells import TOP_AGE as _TOP_AGE
from kassanalysis.clean.ons_cells import first_match as _first_match
from kassanalysis.clean.ons_cells import label_text as _label_text
from kassanalysis.clean.ons_cells import parse_age_label
from kassanalysis.clean.ons_cells import to_number as _to_number
from kassanalysis.clean.records import ONS_UK
from kassanalysis.problems import Problem, error
from kassanalysis.schemas import Population, columns_of, empty_frame

POP = Population

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
    years = _long_years(layout, entry)
    if isinstance(years, Problem):
        return empty_frame(POP), [years]
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
    names = _as_text(body.iloc[:, layout["name"]]) if layout["name"] is not None else code
    geos = (
        _as_text(body.iloc[:, layout["geography"]])
        if layout["geography"] is not None
        else pd.Series(None, index=body.index, dtype=object)
    )
    name_of = dict(zip(code[good], names[good], strict=True))
    geography_of = dict(zip(code[good], geos[good], strict=True))
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
        persons, found = _add_up_persons(rows, use_persons, year, entry)
        problems += found
        frames.append(_long_population(persons, name_of, geography_of, year, name, entry))
    population = pd.concat(frames, ignore_index=True) if frames else empty_frame(POP)
    return population[columns_of(POP)], problems


def _long_years(layout: dict, entry: CatalogueEntry) -> dict[int, int] | Problem:
    """The population_YYYY columns to read: the catalogue's year only, when it gives one."""
    years = layout["years"]
    if entry.year is None:
        return years
    if int(entry.year) not in years:
        return error(
            "missing column",
            entry.file,
            layout["row"] + 1,
            f"no population_{entry.year} column; the file has "
            f"{', '.join(f'population_{y}' for y in sorted(years))}",
        )
    return {int(entry.year): years[int(entry.year)]}


def _add_up_persons(
    rows: pd.DataFrame, use_persons: bool, year: int, entry: CatalogueEntry
) -> tuple[pd.DataFrame, list[Problem]]:
    """Persons by area and single year of age (the persons rows, or males plus females),
    with errors for an age with one sex only and an area without every age 0 to 90+."""
    problems: list[Problem] = []
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
    return persons, problems


def _long_population(
    persons: pd.DataFrame,
    name_of: dict,
    geography_of: dict,
    year: int,
    name: str,
    entry: CatalogueEntry,
) -> pd.DataFrame:
    """Population rows for one year of a long population file."""
    return pd.DataFrame(
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
