"""IoD 2019 upper-tier summaries (kind ``deprivation``): rank and score per council.

The fixture has the real sheet names and column headers of MHCLG's "File 11: local
authority district summaries (upper-tier)" (headers end with a space, as published); its
figures are made up for the test, so each expected value is the fixture's own cell.
"""

from __future__ import annotations

from pathlib import Path

from kassanalysis import io as kio
from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.clean.deprivation import clean_deprivation
from kassanalysis.schemas import IndicatorObservations

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "deprivation"


def entry(name: str) -> CatalogueEntry:
    return CatalogueEntry(
        id="iod", file=name, kind="deprivation", authority="", source={}, licence=""
    )


def test_workbook_every_domain_sheet():
    name = "iod2019-upper-tier-fixture.xlsx"
    obs, problems = clean_deprivation(kio.read_raw(entry(name), FIXTURES), entry(name), None)
    IndicatorObservations.validate(obs)
    assert problems == []
    kent = obs[obs.authority_code == "E10000016"].set_index("indicator_id")
    assert kent.loc["IOD2019-IMD-RANK-OF-AVERAGE-SCORE", "value"] == 101
    assert kent.loc["IOD2019-IMD-AVERAGE-SCORE", "value"] == 20.1
    assert kent.loc["IOD2019-IMD-EXTENT", "unit"] == "proportion"
    assert kent.loc["IOD2019-INCOME-RANK-OF-AVERAGE-SCORE", "value"] == 110
    assert kent.loc["IOD2019-INCOME-AVERAGE-SCORE", "source_sheet"] == "Income"
    assert set(obs.period) == {"2019"}  # from '(2019)' in the code header
    assert len(kent) == 10 + 2
    # England has no summary figures: missing, never zero
    england = obs[obs.authority_code == "E92000001"]
    assert england.value.isna().all() and set(england.status) == {"missing"}


def test_csv_of_one_sheet():
    name = "iod2019-upper-tier-imd-fixture.csv"
    obs, problems = clean_deprivation(kio.read_raw(entry(name), FIXTURES), entry(name), None)
    assert problems == []
    medway = obs[obs.authority_code == "E06000035"].set_index("indicator_id").value
    assert medway["IOD2019-IMD-RANK-OF-AVERAGE-SCORE"] == 81
    assert medway["IOD2019-IMD-LOCAL-CONCENTRATION"] == 26000.0


def test_no_summary_sheet_is_one_error():
    import pandas as pd

    obs, problems = clean_deprivation({"Notes": pd.DataFrame([["a"]])}, entry("x.xlsx"), None)
    assert obs.empty and [p.check for p in problems] == ["table not found"]
    assert "Notes" in problems[0].message
