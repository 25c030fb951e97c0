"""ASCOF open data in every year's layout: CSV or workbook, each year's column names,
measure codes with brackets or year suffixes, and the 2023-24 renumbering crosswalk."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kassanalysis import io as kio
from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.clean.ascof import clean_ascof_open_data, normalise_measure_code

ROOT = Path(__file__).resolve().parents[3]
CASE = ROOT / "tests" / "fixtures" / "cases" / "ascof-csv"


def entry(period: str) -> CatalogueEntry:
    return CatalogueEntry(
        id="a",
        file="ascof.csv",
        kind="ascof_open_data",
        authority="",
        source={},
        licence="",
        period=period,
    )


def test_ascof_csv_case(reference):
    # ../shared/cases/ascof-csv: a traceback before (the CSV went to the spreadsheet
    # reader). Kent 2A2 = 1,348 / 322,775 x 100,000 = 417.63, published 417.6; England
    # 52,133 / 10,464,019 x 100,000 = 498.2.
    raw = kio.read_raw(
        CatalogueEntry(
            id="a",
            file="ascof-2A-kent-england.csv",
            kind="ascof_open_data",
            authority="",
            source={},
            licence="",
            period="2020-21",
        ),
        CASE,
    )
    obs, problems = clean_ascof_open_data(raw, entry("2020-21"), reference)
    assert [p.severity for p in problems] == []
    got = obs.set_index(["authority_code", "indicator_id"])
    kent = got.loc[("E10000016", "ASCOF-2A2")]
    assert (kent.value, kent.numerator, kent.denominator) == (417.6, 1348.0, 322775.0)
    assert round(1348 / 322775 * 100_000, 1) == 417.6
    assert got.loc[("E92000001", "ASCOF-2A2")].value == 498.2
    assert round(52133 / 10464019 * 100_000, 1) == 498.2
    assert got.loc[("E10000016", "ASCOF-2A1")].value == 17.5  # 161 / 919,711 x 100,000


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("2A(1)", "2A1"),
        ("2A(2)", "2A2"),
        ("1C(2A)", "1C2A"),
        ("2A2 2014-15", "2A2"),
        ("2A2_2016/17", "2A2"),
        ("3D part", "3DPART"),
        ("2c", "2C"),
    ],
)
def test_measure_codes(code, expected):
    assert normalise_measure_code(code) == expected


def later_layout(code: str) -> pd.DataFrame:
    """A later year's file: ONS Area Code, a Value column, no level or group column."""
    return pd.DataFrame(
        {
            "ONS Area Code": ["E10000016"] * 3 + ["E92000001"],
            "Area Name": ["Kent"] * 3 + ["England"],
            "Measure Code": [code] * 4,
            "Measure Type": ["Numerator", "Denominator", "Outcome", "Outcome"],
            "Value": ["1348", "322775", "417.6", "498.2"],
        }
    )


def test_older_bracketed_codes_and_other_column_names(reference):
    obs, problems = clean_ascof_open_data(later_layout("2A(2)"), entry("2016-17"), reference)
    assert problems == []
    assert obs.indicator_id.tolist() == ["ASCOF-2A2", "ASCOF-2A2"]
    assert obs.numerator.iloc[0] == 1348.0 and obs.value.tolist() == [417.6, 498.2]


def test_renumbered_2c_joins_the_2a2_series(reference):
    # 2023-24 on, NHS Digital prints the old 2A(2) as 2C (crosswalk in data/reference).
    obs, problems = clean_ascof_open_data(later_layout("2C"), entry("2023-24"), reference)
    assert problems == []
    assert set(obs.indicator_id) == {"ASCOF-2A2"} and set(obs.period) == {"2023-24"}


def test_source_break_marked_from_client_level_data(reference):
    obs, problems = clean_ascof_open_data(later_layout("2C"), entry("2024-25"), reference)
    assert set(obs.indicator_id) == {"ASCOF-2A2"}
    assert [(p.severity, p.check, p.subject) for p in problems] == [
        ("finding", "series break", "ASCOF-2A2")
    ]
    assert "Client Level Data" in problems[0].message


def test_old_2c_before_renumbering_is_not_the_new_2c(reference):
    # Before 2023-24, 2C was a different measure (delayed transfers of care): not 2A2.
    obs, problems = clean_ascof_open_data(later_layout("2C"), entry("2019-20"), reference)
    assert obs.empty
    assert [p.check for p in problems] == ["unknown indicator"]
