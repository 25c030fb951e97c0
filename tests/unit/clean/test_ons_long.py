"""ONS population in the long layout (MYEB1-style: area, sex, single year of age, a column
per mid-year), as CSV and as a workbook, read by kind ``ons_mye2``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kassanalysis import io as kio
from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.clean.ons import clean_ons_mye2

CASE = Path(__file__).resolve().parents[2] / "fixtures" / "cases" / "ons-myeb1-long"


def entry(file: str, year: int | None) -> CatalogueEntry:
    return CatalogueEntry(
        id="p", file=file, kind="ons_mye2", authority="", source={}, licence="", year=year
    )


@pytest.mark.parametrize("name", ["myeb1-kent-2022.csv", "myeb1-kent-2022.xlsx"])
def test_myeb1_case_kent_2022(name):
    # ../shared/cases/ons-myeb1-long: the CSV gave a traceback and the workbook "no MYE2
    # persons table". Expected: Kent all ages 1,593,191 in mid-2022 (ONS MYEB1).
    raw = kio.read_raw(entry(name, 2022), CASE)
    population, problems = clean_ons_mye2(raw, entry(name, 2022), None)
    assert problems == []
    assert population.persons.sum() == 1_593_191
    assert population.age.tolist() == list(range(91))
    assert set(population.year) == {2022}
    assert population.age_label.iloc[-1] == "90+"
    # 90+ persons: file line 92 (males 90+, 5,214) + line 183 (females 90+, 10,998) = 16,212
    top = population.iloc[-1]
    assert top.source_line == 92 and top.persons == 5_214 + 10_998


def test_every_year_column_without_a_year():
    raw = kio.read_raw(entry("myeb1-kent-2022.csv", None), CASE)
    population, problems = clean_ons_mye2(raw, entry("myeb1-kent-2022.csv", None), None)
    assert problems == []
    assert population.groupby("year").persons.sum().to_dict() == {2011: 1_466_466, 2022: 1_593_191}


def test_hand_built_long_layout_and_its_errors():
    rows = [["code", "name", "geography", "sex", "age", "population_2022"]]
    for sex in ("M", "F"):
        rows += [["E10000016", "Kent", "County", sex, str(a), "1"] for a in range(91)]
    grid = pd.DataFrame(rows)
    population, problems = clean_ons_mye2({"s": grid}, entry("p.csv", 2022), None)
    assert problems == [] and population.persons.tolist() == [2.0] * 91
    # a year the file does not have; a count that is not a number
    _, problems = clean_ons_mye2({"s": grid}, entry("p.csv", 2021), None)
    assert [p.check for p in problems] == ["missing column"]
    assert "population_2022" in problems[0].message
    grid.iloc[5, 5] = "n/k"
    _, problems = clean_ons_mye2({"s": grid}, entry("p.csv", 2022), None)
    assert [(p.check, p.source_line) for p in problems][0] == ("non-numeric value", 6)
