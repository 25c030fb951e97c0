"""Tests for kassanalysis.clean.ons_series: the ONS all-ages population series (MYE4, MYE5).

Small sheets are built by hand in the two layouts ONS publishes; the real workbooks are
read once to pin Kent's mid-2014 population, read by hand from the cells (see below).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.clean.ons_series import (
    clean_ons_mye_series,
    combine_population_totals,
    find_population_series,
)
from kassanalysis.schemas import PopulationTotals

ROOT = Path(__file__).resolve().parents[3]
ONS = ROOT / "data" / "raw" / "public" / "ons-mye"
CODES_2020 = "ukmidyearestimates20192020ladcodes.xls"
GEOGRAPHY_2021 = "ukpopestimatesmid2020on2021geography.xls"


def entry(file: str = "mye.xls") -> CatalogueEntry:
    return CatalogueEntry(id="series", file=file, kind="ons_mye_series")


def mye4_sheet(*rows) -> pd.DataFrame:
    """The 2021-geography MYE4 layout: a title, then Code, Name, Geography, Mid-YYYY..."""
    return pd.DataFrame(
        [
            ["MYE4: Population estimates: Summary for the UK, mid-2013 to mid-2015"] + [None] * 5,
            [None] * 6,
            ["Code", "Name", "Geography", "Mid-2015", "Mid-2014", "Mid-2013"],
            *rows,
        ]
    )


def mye5_sheet(*rows) -> pd.DataFrame:
    """The April 2020 codes MYE5 layout: area and density columns between the years."""
    return pd.DataFrame(
        [
            ["MYE5: Population estimates: Population density"] + [None] * 7,
            [
                "Code",
                "Name",
                "Geography1",
                "Area (sq km)",
                "Estimated Population mid-2015",
                "2015 people per sq. km",
                "Estimated Population mid-2014",
                "2014 people per sq. km",
            ],
            *rows,
        ]
    )


def test_mye4_layout_gives_one_row_per_area_and_year():
    sheet = mye4_sheet(
        ["E10000016", "Kent", "County", 1523100, 1509301, 1493114],
        [None] * 6,
        ["Note: figures are rounded", None, None, None, None, None],
    )
    totals, problems = clean_ons_mye_series(
        {"Contents": sheet.iloc[:1], "MYE4": sheet}, entry(), None
    )
    assert problems == []
    assert totals[["area_code", "area_name", "geography", "year", "persons"]].values.tolist() == [
        ["E10000016", "Kent", "County", 2015, 1523100.0],
        ["E10000016", "Kent", "County", 2014, 1509301.0],
        ["E10000016", "Kent", "County", 2013, 1493114.0],
    ]
    # Excel row 4 (the fourth row of the sheet), the column header as published
    assert set(totals["source_line"]) == {4}
    assert totals["source_text"].tolist() == ["Mid-2015", "Mid-2014", "Mid-2013"]
    assert set(totals["source_sheet"]) == {"MYE4"}
    PopulationTotals.validate(totals)


def test_mye5_layout_ignores_the_area_and_density_columns():
    sheet = mye5_sheet(["E10000016", "Kent", "County", 3544, 1523100, 430, 1509301, 426])
    totals, problems = clean_ons_mye_series({"MYE 5": sheet}, entry(), None)
    assert problems == []
    assert totals.set_index("year")["persons"].to_dict() == {2015: 1523100.0, 2014: 1509301.0}
    assert totals["source_text"].tolist() == [
        "Estimated Population mid-2015",
        "Estimated Population mid-2014",
    ]


def test_a_median_age_or_components_table_is_not_taken_for_a_population():
    median = mye4_sheet(["E10000016", "Kent", "County", 41.2, 41.0, 40.9])
    median.iat[0, 0] = "MYE6: Median age of population for local authorities in the UK"
    components = pd.DataFrame(
        [
            [
                "Code",
                "Name",
                "Estimated Population mid-2014",
                "Births",
                "Deaths",
                "Estimated Population mid-2015",
            ],
            ["E10000016", "Kent", 1509301, 18000, 15000, 1523100],
        ]
    )
    series = mye4_sheet(["E10000016", "Kent", "County", 1523100, 1509301, 1493114])
    name, layout, _ = find_population_series({"MYE3": components, "MYE6": median, "MYE4": series})
    assert name == "MYE4" and layout["years"] == {2015: 3, 2014: 4, 2013: 5}
    _, problems = clean_ons_mye_series({"MYE3": components, "MYE6": median}, entry(), None)
    assert [p.check for p in problems] == ["table not found"]
    assert "'MYE3': header at row 1 has columns other than years" in problems[0].message
    assert "'MYE6': its title says it is not a population (median age)" in problems[0].message


def test_a_bad_cell_is_one_line_naming_file_row_area_and_year_and_blank_stays_missing():
    sheet = mye4_sheet(
        ["E10000016", "Kent", "County", 1523100, "1,509,3O1", None],
        ["E10000030", "Surrey", "County", 1180956, -5, "[x]"],
    )
    totals, problems = clean_ons_mye_series({"MYE4": sheet}, entry("ons/mye.xls"), None)
    assert [str(p) for p in problems] == [
        "ons/mye.xls, line 4: sheet 'MYE4' row 4, E10000016, mid-2014: '1,509,3O1' is not a "
        "count of people",
        "ons/mye.xls, line 5: sheet 'MYE4' row 5, E10000030, mid-2014: -5 is not a count of people",
    ]
    # the good cells are kept; the blank and the [x] are missing, not zero
    kent = totals[totals["area_code"] == "E10000016"].set_index("year")
    assert kent.loc[2015, "persons"] == 1523100.0
    assert np.isnan(kent.loc[2013, "persons"]) and kent.loc[2013, "status"] == "missing"
    surrey = totals[totals["area_code"] == "E10000030"].set_index("year")
    assert np.isnan(surrey.loc[2013, "persons"]) and surrey.loc[2013, "status"] == "missing"
    assert 2014 not in surrey.index


def test_a_missing_header_or_a_row_without_a_code_is_reported():
    headless = mye4_sheet(["E10000016", "Kent", "County", 1, 2, 3]).drop(index=2)
    totals, problems = clean_ons_mye_series({"MYE4": headless}, entry(), None)
    assert totals.empty
    assert [p.check for p in problems] == ["table not found"]
    assert "no row with a 'Code' cell and two or more 'Mid-YYYY' columns" in problems[0].message
    orphan = mye4_sheet(
        ["E10000016", "Kent", "County", 1, 2, 3],
        ["Kent", "Kent", "County", 1, 2, 3],
        ["E10000016", "Kent again", "County", 1, 2, 3],
    )
    _, problems = clean_ons_mye_series({"MYE4": orphan}, entry(), None)
    assert [(p.check, p.source_line) for p in problems] == [
        ("malformed area code", 5),
        ("duplicated area", 6),
    ]


def frame(file, line, **persons_by_year):
    return pd.DataFrame(
        {
            "area_code": "E10000016",
            "year": [int(y[1:]) for y in persons_by_year],
            "persons": list(persons_by_year.values()),
            "status": "reported",
            "source_file": file,
            "source_line": line,
        }
    )


def test_two_releases_keep_the_later_one_and_report_a_difference():
    # the mid-2019 release (series to 2019) and the mid-2020 release (to 2020) both give
    # 2014 and 2019; the later release wins where the two differ (2014), and a missing
    # figure there gives way to the earlier release's (2019)
    earlier = frame("mid2019.xls", 291, y2014=1509301.0, y2019=1581555.0)
    later = frame("mid2020.xls", 288, y2014=1509999.0, y2019=np.nan, y2020=1589057.0)
    kept, problems = combine_population_totals(pd.concat([earlier, later], ignore_index=True))
    assert kept[["year", "persons", "source_file"]].values.tolist() == [
        [2014, 1509999.0, "mid2020.xls"],
        [2019, 1581555.0, "mid2019.xls"],
        [2020, 1589057.0, "mid2020.xls"],
    ]
    assert [(p.severity, p.subject, p.expected, p.found) for p in problems] == [
        ("finding", "E10000016", 1509999.0, 1509301.0)
    ]
    same, problems = combine_population_totals(
        pd.concat([earlier, frame("mid2020.xls", 288, y2014=1509301.0, y2020=1.0)])
    )
    assert problems == [] and len(same) == 3


@pytest.fixture(scope="module")
def real_series():
    read = {
        name: pd.read_excel(ONS / name, sheet_name=None, header=None, engine="calamine")
        for name in (CODES_2020, GEOGRAPHY_2021)
    }
    return {
        name: clean_ons_mye_series(book, entry(f"public/ons-mye/{name}"), None)
        for name, book in read.items()
    }


def test_kent_mid_2014_as_read_by_hand_from_both_workbooks(real_series):
    # Read by hand: ukpopestimatesmid2020on2021geography.xls, sheet MYE4, row 288
    # (E10000016 Kent County), column J headed "Mid-2014": 1509301. And
    # ukmidyearestimates20192020ladcodes.xls, sheet "MYE 5", row 291, column O headed
    # "Estimated Population mid-2014": 1509301. The two releases agree.
    for name, sheet, row in ((GEOGRAPHY_2021, "MYE4", 288), (CODES_2020, "MYE 5", 291)):
        totals, problems = real_series[name]
        assert problems == []
        kent = totals[(totals["area_code"] == "E10000016") & (totals["year"] == 2014)]
        assert kent[["persons", "source_sheet", "source_line"]].values.tolist() == [
            [1509301.0, sheet, row]
        ]
    kept, problems = combine_population_totals(
        pd.concat([real_series[CODES_2020][0], real_series[GEOGRAPHY_2021][0]], ignore_index=True)
    )
    kent = kept[(kept["area_code"] == "E10000016") & (kept["year"] == 2014)]
    assert kent["source_file"].tolist() == [f"public/ons-mye/{GEOGRAPHY_2021}"]
    assert not [p for p in problems if p.subject == "E10000016"]
    # Northamptonshire (E10000021) is only on the April 2020 codes: kept from that file,
    # mid-2001 to mid-2019
    northants = kept[kept["area_code"] == "E10000021"]
    assert (northants["year"].min(), northants["year"].max()) == (2001, 2019)
