"""Long indicator exports (LG Inform, Fingertips, local portals): kind ``indicator_export``.

Expected values are read off the published files by hand (quoted beside each test).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pandas as pd
import pytest

from kassanalysis import io as kio
from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.clean.indicator_export import (
    clean_indicator_export,
    clean_indicator_export_with_extras,
    parse_export_period,
)
from kassanalysis.periods import PeriodError

ROOT = Path(__file__).resolve().parents[3]
CASES = ROOT / "tests" / "fixtures" / "cases"
SATISFACTION = (
    ROOT / "data" / "raw" / "public" / "indicator-exports" / "social_care_satisfaction.csv"
)


def entry(file: str) -> CatalogueEntry:
    return CatalogueEntry(
        id="x", file=file, kind="indicator_export", authority="E08000009", source={}, licence=""
    )


def test_lginform_case_reads_as_indicator_export(reference):
    # ../shared/cases/lginform-kpi-silent: as kpi_table it loaded 0 rows and said "no
    # problems". Read as an indicator export: 4 rows, 2021/22 and 2022/23, Trafford and
    # England, indicator "Permanent admissions ... aged 65+" (ASCOF 2A2 / new 2C).
    raw = kio.read_csv_text(CASES / "lginform-kpi-silent" / "lginform-2a2.csv")
    obs, problems = clean_indicator_export(raw, entry("lginform-2a2.csv"), reference)
    assert problems == []
    got = obs.set_index(["authority_code", "period"]).value.to_dict()
    assert got == {
        ("E92000001", "2021-22"): 538.5,
        ("E08000009", "2021-22"): 815.6,
        ("E92000001", "2022-23"): 560.8,
        ("E08000009", "2022-23"): 545.0,
    }
    assert set(obs.indicator_id) == {"ASCOF-2A2"}
    assert obs.source_line.tolist() == [2, 3, 4, 5]


FINGERTIPS_HEADER = (
    "Indicator ID,Indicator Name,Parent Code,Parent Name,Area Code,Area Name,Area Type,Sex,"
    "Age,Category Type,Category,Time period,Value,Lower CI 95.0 limit,Upper CI 95.0 limit,"
    "Lower CI 99.8 limit,Upper CI 99.8 limit,Count,Denominator,Value note,Recent Trend,"
    "Compared to England value or percentiles,Compared to Region value or percentiles,"
    "Time period Sortable,New data,Compared to goal"
)


def test_fingertips_api_csv(reference):
    # A Fingertips API export in its published column order (see the issue): blank and NA
    # values are missing, never zero; Count and Denominator are kept as numerator and
    # denominator; the confidence limits come back beside the observations.
    rows = [
        "90690,Permanent admissions to residential and nursing care homes aged 65+,"
        "E12000008,South East region,E10000016,Kent,Counties & UAs (from Apr 2023),Persons,"
        "65+ yrs,,,2021/22,417.6,395.6,440.4,382.2,454.2,1348,322775,,,Similar,Better,"
        "20210000,,",
        "90690,Permanent admissions to residential and nursing care homes aged 65+,"
        "E12000008,South East region,E10000030,Surrey,Counties & UAs (from Apr 2023),Persons,"
        "65+ yrs,,,2021/22,NA,,,,,,,Value not published,,,,20210000,,",
        "90690,Permanent admissions to residential and nursing care homes aged 65+,"
        "E12000008,South East region,E10000014,Hampshire,Counties & UAs (from Apr 2023),"
        "Persons,65+ yrs,,,2021/22,,,,,,,,,,,,20210000,,",
    ]
    raw = pd.read_csv(
        pd.io.common.StringIO("\n".join([FINGERTIPS_HEADER, *rows])),
        dtype=str,
        keep_default_na=False,
    )
    obs, extras, problems = clean_indicator_export_with_extras(raw, entry("ft.csv"), reference)
    assert problems == []
    kent = obs.iloc[0]
    assert (kent.value, kent.numerator, kent.denominator) == (417.6, 1348.0, 322775.0)
    # 1,348 / 322,775 x 100,000 = 417.63, published rounded to 417.6
    assert round(kent.numerator / kent.denominator * 100_000, 1) == kent.value
    assert obs.status.tolist() == ["reported", "missing", "missing"]
    assert obs.value.iloc[1:].isna().all()
    assert obs.breakdown.tolist() == ["Total"] * 3
    assert extras.loc[0, "Lower CI 95.0 limit"] == "395.6"
    assert extras.loc[1, "Value note"] == "Value not published"


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("2021/22", ("2021-22", "2021-04-01", "2022-03-31")),
        ("2021-22", ("2021-22", "2021-04-01", "2022-03-31")),
        ("Nov 2023", ("Nov 2023", "2023-11-01", "2023-11-30")),
        ("2021", ("2021", "2021-01-01", "2021-12-31")),
    ],
)
def test_export_periods(label, expected):
    period = parse_export_period(label)
    assert (period.label, str(period.start), str(period.end)) == expected


def test_pooled_period_is_not_guessed():
    with pytest.raises(PeriodError):
        parse_export_period("2019 - 21")


def test_unknown_indicator_and_bad_rows_are_named(reference):
    raw = pd.DataFrame(
        {
            "area_code": ["E08000009", "X1", "E08000009"],
            "area_name": ["Trafford"] * 3,
            "period": ["2021/22", "2021/22", "Q5 2021"],
            "indicator": ["Something else"]
            + ["Permanent admissions to residential and nursing care homes aged 65+"] * 2,
            "value": ["1", "2", "3"],
        }
    )
    obs, problems = clean_indicator_export(raw, entry("x.csv"), reference)
    assert obs.empty
    assert [(p.check, p.source_line) for p in problems] == [
        ("unknown indicator", 2),
        ("malformed area code", 3),
        ("unreadable period", 4),
    ]


def test_missing_columns_and_empty_file_are_errors(reference):
    _, problems = clean_indicator_export(pd.DataFrame({"foo": ["1"]}), entry("x.csv"), reference)
    assert [p.check for p in problems] == ["missing column"]
    assert "area_code" in problems[0].message
    empty = pd.DataFrame(columns=["area_code", "area_name", "period", "indicator", "value"])
    _, problems = clean_indicator_export(empty, entry("x.csv"), reference)
    assert [p.check for p in problems] == ["no data rows"]


@pytest.mark.backtest
def test_satisfaction_export_every_area_series(reference):
    # Every area's series in Trafford Data Lab's export, read from the file with the csv
    # module (not the cleaner): each published number kept, each NA kept missing, never 0.
    obs, problems = clean_indicator_export(
        kio.read_csv_text(SATISFACTION),
        entry("public/indicator-exports/social_care_satisfaction.csv"),
        reference,
    )
    assert problems == []
    with open(SATISFACTION, newline="") as handle:
        published = list(csv.DictReader(handle))
    assert len(obs) == len(published) == 187  # 17 areas x 11 years
    got = obs.set_index(["authority_code", "period"])
    for row in published:
        key = (row["area_code"], row["period"].replace("/", "-"))
        if row["value"] == "NA":
            assert math.isnan(got.value[key]) and got.status[key] == "missing", key
        else:
            assert got.value[key] == float(row["value"]), key
    # Trafford, as printed (lines 7, 24, ... of the file): 2020/21 NA, the survey not run.
    trafford = got.loc["E08000009"].value
    assert trafford.drop("2020-21").tolist() == [
        63.8,
        56.7,
        61.0,
        62.9,
        66.6,
        84.8,
        62.3,
        62.5,
        52.3,
        58.1,
    ]
    assert math.isnan(trafford["2020-21"])
    # 14 of the 17 areas have NA for 2020/21; Bexley 67.2, Hillingdon 62.4 and Windsor
    # and Maidenhead 66.3 published a value that year.
    year = got.xs("2020-21", level="period")
    assert int(year.value.isna().sum()) == 14
    assert year.value.dropna().sort_values().tolist() == [62.4, 66.3, 67.2]
    assert set(obs.indicator_id) == {"ASCOF-3A"}
