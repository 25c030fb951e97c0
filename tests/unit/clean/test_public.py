"""Tests for the public-statistics cleaners: Oflog, nearest neighbours, ASCOF and ONS MYE2.

Unit tests feed tiny hand-built inputs whose expected outputs are written out by hand. Back
tests (``@pytest.mark.backtest``) run the cleaners on the real files in ``data/raw/public``
and pin figures published by ONS, NHS Digital and Oflog; where each figure is printed is
quoted beside it. No expected value is pasted from the cleaners' own output.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from pandas.testing import assert_frame_equal

from kassanalysis.catalogue import CatalogueEntry, parse_catalogue
from kassanalysis.clean.ascof import clean_ascof_open_data
from kassanalysis.clean.cells import parse_value_column
from kassanalysis.clean.nearest_neighbours import clean_nearest_neighbours
from kassanalysis.clean.oflog import clean_oflog_outcomes
from kassanalysis.clean.ons import clean_ons_mye2, find_mye2_table, parse_age_label
from kassanalysis.reference import make_reference_from_frames
from kassanalysis.schemas import ComparatorMembers, IndicatorObservations, Population

ROOT = Path(__file__).resolve().parents[3]
RAW = ROOT / "data" / "raw"


def make_entry(kind: str, file: str, **kw) -> CatalogueEntry:
    return CatalogueEntry(
        id=kind, file=file, kind=kind, authority="E10000016", source={}, licence="OGL", **kw
    )


@pytest.fixture
def tiny_ref():
    indicators = pd.DataFrame(
        {
            "id": ["OFLOG-ASC5", "OFLOG-ASC2", "ASCOF-2A2", "ASCOF-1C2A"],
            "unit": ["%", "score (0-1)", "rate per 100000 population aged 65+", "%"],
            "polarity": [
                "higher_is_better",
                "higher_is_better",
                "lower_is_better",
                "higher_is_better",
            ],
        }
    )
    measures = pd.DataFrame(columns=["id", "name", "unit_of_measure", "aliases"])
    return make_reference_from_frames(measures, indicators)


# --------------------------------------------------------------------------- cells


def test_parse_value_column_keeps_markers_apart_from_numbers():
    values, statuses, bad = parse_value_column(
        pd.Series(["12.5", " 3 ", "", "[x]", "[c]", "1,234", "n.a.", np.nan], index=range(10, 18))
    )
    assert values.index.tolist() == list(range(10, 18))
    assert values.tolist()[:2] == [12.5, 3.0]
    assert np.isnan(values.tolist()[2:5]).all()
    assert values[15] == 1234.0
    assert statuses.tolist()[:6] == [
        "reported",
        "reported",
        "missing",
        "missing",
        "suppressed",
        "reported",
    ]
    assert statuses[17] == "missing"  # NaN from the reader is a blank cell
    assert bad.tolist() == [False] * 6 + [True, False]


# --------------------------------------------------------------------------- Oflog


def make_oflog_raw() -> pd.DataFrame:
    """Three councils as ASC_data.csv prints them; all cells are strings, as read."""
    return pd.DataFrame(
        {
            "Financial year": ["2022-23", "2022-23", "2022-23", "2019-20"],
            "Local authority code": ["E10000016", "E10000030", "E06000035", "E10000016"],
            "Local authority name": ["Kent", "Surrey", "Medway", "Kent"],
            "Grouping": ["LA_Raw"] * 4,
            "Entity_Name": ["Counties", "Counties", "Unitary Authorities", "Counties"],
            "Region": ["South East"] * 4,
            "Measure": ["Outcome, x"] * 4,
            "Code": ["ASC5", "ASC5", "ASC99", "ASC2"],
            "Value": ["65.8", "", "70.1", "0.000"],
            "MEDIAN": ["78.2", "78.2", "78.2", "0.405"],
            "MADs_from_median": ["-1.409090909", "", "-1.2", "-23.8"],
            "rank_order": ["DESC", "", "desc", "None"],
        }
    )


def test_clean_oflog_outcomes_gives_tidy_observations(tiny_ref):
    raw = make_oflog_raw()
    before = raw.copy()
    entry = make_entry("oflog_outcomes", "public/oflog-asc/ASC_data.csv")

    obs, stats, problems = clean_oflog_outcomes(raw, entry, tiny_ref)

    expected = pd.DataFrame(
        {
            "source_file": ["public/oflog-asc/ASC_data.csv"] * 3,
            "source_sheet": [None] * 3,
            "source_line": [2, 3, 5],  # CSV line = index + 2 (the header is line 1)
            "source_text": ["65.8", "", "0.000"],
            "authority_code": ["E10000016", "E10000030", "E10000016"],
            "authority_name": ["Kent", "Surrey", "Kent"],
            "indicator_id": ["OFLOG-ASC5", "OFLOG-ASC5", "OFLOG-ASC2"],
            "breakdown": ["Total"] * 3,
            "period": ["2022-23", "2022-23", "2019-20"],
            "period_type": ["year"] * 3,
            "period_start": pd.to_datetime(["2022-04-01", "2022-04-01", "2019-04-01"]),
            "period_end": pd.to_datetime(["2023-03-31", "2023-03-31", "2020-03-31"]),
            "value_type": ["actual"] * 3,
            "value": [65.8, np.nan, 0.0],  # blank is missing, never 0; a published 0.000 is 0
            "unit": ["%", "%", "score (0-1)"],
            "numerator": [np.nan] * 3,
            "denominator": [np.nan] * 3,
            "status": ["reported", "missing", "reported"],
        }
    )
    assert_frame_equal(obs, expected[obs.columns], check_dtype=False)
    IndicatorObservations.validate(obs, lazy=True)
    assert_frame_equal(raw, before)  # input not mutated

    assert [(p.severity, p.check, p.source_line) for p in problems] == [
        ("error", "unknown indicator", 4)
    ]
    assert "ASC99" in problems[0].message and problems[0].source_file == entry.file


def test_clean_oflog_outcomes_returns_published_statistics(tiny_ref):
    entry = make_entry("oflog_outcomes", "ASC_data.csv")
    _, stats, _ = clean_oflog_outcomes(make_oflog_raw(), entry, tiny_ref)
    expected = pd.DataFrame(
        {
            "indicator_id": ["OFLOG-ASC5", "OFLOG-ASC5", "OFLOG-ASC2"],
            "period": ["2022-23", "2022-23", "2019-20"],
            "authority_code": ["E10000016", "E10000030", "E10000016"],
            "median": [78.2, 78.2, 0.405],
            "mads_from_median": [-1.409090909, np.nan, -23.8],
            # DESC -> desc; blank and "None" -> None
            "rank_order": pd.Series(["desc", None, None], dtype=object),
        }
    )
    assert_frame_equal(stats, expected, check_dtype=False)


def test_clean_oflog_outcomes_reports_text_in_the_value_column(tiny_ref):
    raw = make_oflog_raw()
    raw.loc[1, "Value"] = "not known"
    obs, _, problems = clean_oflog_outcomes(raw, make_entry("oflog_outcomes", "a.csv"), tiny_ref)
    assert "E10000030" not in obs["authority_code"].tolist()
    bad = [p for p in problems if p.check == "non-numeric value"]
    assert [(p.severity, p.source_line) for p in bad] == [("error", 3)]
    assert "'not known'" in bad[0].message


def test_clean_oflog_outcomes_reports_a_missing_column_without_raising(tiny_ref):
    raw = make_oflog_raw().drop(columns=["MEDIAN"])
    obs, stats, problems = clean_oflog_outcomes(
        raw, make_entry("oflog_outcomes", "a.csv"), tiny_ref
    )
    assert obs.empty and stats.empty
    assert [(p.severity, p.check) for p in problems] == [("error", "missing column")]
    assert "'MEDIAN'" in problems[0].message


# --------------------------------------------------------------------------- nearest neighbours


def test_clean_nearest_neighbours_lists_members_and_reports_odd_lists():
    raw = {
        "E10000016": ["E10000016", "E10000030", "E10000030"],  # member listed twice
        "E10000030": ["E10000016", "E10000012", "E10000030"],
        "E10000012": ["E10000016", "E10000030", "E10000015"],  # its own council missing
        "E06000035": ["E06000035", "Kent", "E10000016"],  # not an ONS code
    }
    before = json.loads(json.dumps(raw))
    members, problems = clean_nearest_neighbours(
        raw, make_entry("nearest_neighbours", "public/oflog-asc/NN.json"), None, group_size=3
    )
    expected = pd.DataFrame(
        {
            "group_id": ["nearest-neighbours:E10000016"] * 2
            + ["nearest-neighbours:E10000030"] * 3
            + ["nearest-neighbours:E10000012"] * 3
            + ["nearest-neighbours:E06000035"] * 2,
            "authority_code": [
                "E10000016",
                "E10000030",
                "E10000016",
                "E10000012",
                "E10000030",
                "E10000016",
                "E10000030",
                "E10000015",
                "E06000035",
                "E10000016",
            ],
            "source": ["public/oflog-asc/NN.json"] * 10,
        }
    )
    assert_frame_equal(members, expected, check_dtype=False)
    ComparatorMembers.validate(members)
    assert raw == before
    assert [(p.severity, p.check, p.subject) for p in problems] == [
        ("finding", "duplicated member", "E10000016"),
        ("finding", "unexpected group size", "E10000016"),
        ("finding", "own council missing", "E10000012"),
        ("error", "malformed area code", "E06000035"),
        ("finding", "unexpected group size", "E06000035"),
    ]


def test_clean_nearest_neighbours_checks_group_size_sixteen_by_default():
    raw = {"E10000016": ["E10000016"]}
    _, problems = clean_nearest_neighbours(raw, make_entry("nearest_neighbours", "NN.json"), None)
    assert [(p.check, p.expected, p.found) for p in problems] == [
        ("unexpected group size", 16.0, 1.0)
    ]
    _, problems = clean_nearest_neighbours(
        raw, make_entry("nearest_neighbours", "NN.json"), None, group_size=None
    )
    assert problems == []


# --------------------------------------------------------------------------- ASCOF


def make_ascof_raw() -> pd.DataFrame:
    """Six rows in the layout of the NHS Digital open-data sheet (all text, as read)."""
    rows = [
        # geo code, name, level, ONS, measure code, disaggregation, type, value, group
        ("820", "Kent", "Council", "E10000016", "2A2", "Total", "Numerator", "1348", "2A2"),
        ("820", "Kent", "Council", "E10000016", "2A2", "Total", "Denominator", "322775", "2A2"),
        ("820", "Kent", "Council", "E10000016", "2A2", "Total", "Outcome", "417.6", "2A2"),
        (
            "820",
            "Kent",
            "Council",
            "E10000016",
            "1C2A65OV",
            "65 and over",
            "Outcome",
            "[c]",
            "1C2A",
        ),
        ("England", "England", "England", "E92000001", "1C2A", "Total", "Outcome", "[x]", "1C2A"),
        ("S", "Shire Counties", "Council Type", np.nan, "2A2", "Total", "Outcome", "500.1", "2A2"),
    ]
    columns = [
        "Geographical Code",
        "Geographical Description",
        "Geographical Level",
        "ONS Code",
        "ASCOF Measure Code",
        "Disaggregation Level",
        "Measure Type",
        "Measure Value",
        "Measure Group",
    ]
    return pd.DataFrame(rows, columns=columns).assign(**{"Measure Group Description": "d"})


def test_clean_ascof_open_data_pivots_outcome_numerator_denominator(tiny_ref):
    raw = make_ascof_raw()
    before = raw.copy()
    entry = make_entry("ascof_open_data", "public/ascof.xlsx", period="2020-21")

    obs, problems = clean_ascof_open_data(raw, entry, tiny_ref, sheet="in")

    expected = pd.DataFrame(
        {
            "source_file": ["public/ascof.xlsx"] * 3,
            "source_sheet": ["in"] * 3,
            "source_line": [4, 5, 6],  # Excel row of the Outcome row = index + 2
            "source_text": ["417.6", "[c]", "[x]"],
            "authority_code": ["E10000016", "E10000016", "E92000001"],
            "authority_name": ["Kent", "Kent", "England"],
            "indicator_id": ["ASCOF-2A2", "ASCOF-1C2A", "ASCOF-1C2A"],
            "breakdown": ["Total", "65 and over", "Total"],
            "period": ["2020-21"] * 3,
            "period_type": ["year"] * 3,
            "period_start": pd.to_datetime(["2020-04-01"] * 3),
            "period_end": pd.to_datetime(["2021-03-31"] * 3),
            "value_type": ["actual"] * 3,
            "value": [417.6, np.nan, np.nan],
            "unit": ["rate per 100000 population aged 65+", "%", "%"],
            "numerator": [1348.0, np.nan, np.nan],
            "denominator": [322775.0, np.nan, np.nan],
            "status": ["reported", "suppressed", "missing"],
        }
    )
    assert_frame_equal(obs, expected[obs.columns], check_dtype=False)
    IndicatorObservations.validate(obs, lazy=True)
    assert_frame_equal(raw, before)
    assert [(p.severity, p.check, p.source_line) for p in problems] == [
        ("finding", "level not kept", 7)
    ]
    assert "Council Type" in problems[0].message


def test_clean_ascof_open_data_reports_unknown_groups_and_bad_codes(tiny_ref):
    raw = make_ascof_raw()
    raw.loc[[0, 1, 2], "Measure Group"] = "9Z"
    raw.loc[4, "ONS Code"] = "England"
    obs, problems = clean_ascof_open_data(
        raw, make_entry("ascof_open_data", "a.xlsx", period="2020-21"), tiny_ref, sheet="in"
    )
    assert obs["indicator_id"].tolist() == ["ASCOF-1C2A"]
    errors = [(p.check, p.source_line, p.subject) for p in problems if p.severity == "error"]
    assert errors == [
        ("malformed area code", 6, "England"),
        ("unknown indicator", 2, "ASCOF-9Z"),
    ]  # one problem per group


def test_clean_ascof_open_data_needs_a_period(tiny_ref):
    obs, problems = clean_ascof_open_data(
        make_ascof_raw(), make_entry("ascof_open_data", "a"), tiny_ref
    )
    assert obs.empty
    assert [(p.severity, p.check) for p in problems] == [("error", "unreadable period")]


# --------------------------------------------------------------------------- ONS MYE2

AGES = range(91)


def make_mye2_sheet(
    header_row: int,
    age_labels: list,
    areas: list[tuple],
    title: str,
    geography_header: str = "Geography1",
) -> pd.DataFrame:
    """A raw sheet (header=None) with the title in row 0 and the header at ``header_row``."""
    width = 4 + len(age_labels)
    rows = [[None] * width for _ in range(header_row)]
    rows[0][0] = title
    rows.append(["Code", "Name", geography_header, "All ages", *age_labels])
    for code, name, geography, total, counts in areas:
        rows.append([code, name, geography, total, *counts])
    rows.append([None] * width)
    rows.append(["1. A footnote about geography."] + [None] * (width - 1))
    return pd.DataFrame(rows, dtype=object)


# Hand arithmetic: 91 ages of 10 people = 910; ages 0..90 of (age) people = 90 x 91 / 2 = 4095.
TENS = [10.0] * 91
RAMP = [float(a) for a in AGES]
FLOAT_AGES = [float(a) for a in range(90)] + ["90+"]  # the mid-2019 layout
WORD_AGES = [f"Age {a}" for a in range(90)] + ["90 and over"]


def test_clean_ons_mye2_reads_the_mid_2019_layout():
    persons = make_mye2_sheet(
        4,
        FLOAT_AGES,
        [
            ("E10000016", "Kent", "County", 910, TENS),
            ("E12000008", "SOUTH EAST", "Region", 4095.0, RAMP),
        ],
        "MYE2: Population estimates: Persons by single year of age and sex, mid-2019",
    )
    males = make_mye2_sheet(
        4,
        FLOAT_AGES,
        [("E10000016", "Kent", "County", 0, [0.0] * 91)],
        "MYE2: Males by single year of age and sex, mid-2019",
    )
    workbook = {
        "Contents ": pd.DataFrame([["Contents"]]),
        "MYE2 - Males": males,
        "MYE2 - Persons": persons,
    }
    entry = make_entry("ons_mye2", "public/ons-mye/mid2019.xls", year=2019)
    before = {name: sheet.copy() for name, sheet in workbook.items()}

    population, problems = clean_ons_mye2(workbook, entry, None)

    assert problems == []
    for name, sheet in workbook.items():
        assert_frame_equal(sheet, before[name])
    Population.validate(population, lazy=True)
    assert len(population) == 2 * 91
    kent = population[population["area_code"] == "E10000016"]
    assert kent["persons"].sum() == 910
    assert kent["age"].tolist() == list(AGES)
    assert kent["age_label"].tolist()[:2] + kent["age_label"].tolist()[-1:] == ["0", "1", "90+"]
    # Header at 0-based row 4 (Excel row 5); Kent is the next row: Excel row 6.
    assert set(kent["source_line"]) == {6}
    assert set(kent["source_sheet"]) == {"MYE2 - Persons"}
    assert set(kent["year"]) == {2019}
    region = population[population["area_code"] == "E12000008"]
    assert region.set_index("age")["persons"][37] == 37.0
    assert set(region["geography"]) == {"Region"} and set(region["source_line"]) == {7}


def test_clean_ons_mye2_reads_the_mid_2020_layout_and_takes_the_year_from_the_title():
    sheet = make_mye2_sheet(
        7,
        WORD_AGES,
        [("E10000016", "Kent", "County", 4095, RAMP)],
        "MYE2: Persons by single year of age and sex for local authorities in the UK, mid-2020",
        geography_header="Geography",
    )
    population, problems = clean_ons_mye2(
        {"MYE2 - All": sheet}, make_entry("ons_mye2", "mid2020.xls"), None
    )
    assert problems == []
    assert set(population["year"]) == {2020}
    assert set(population["source_line"]) == {9}  # header Excel row 8, Kent Excel row 9
    top = population[population["age"] == 90].iloc[0]
    assert (top["age_label"], top["persons"]) == ("90+", 90.0)
    Population.validate(population, lazy=True)


def test_clean_ons_mye2_finds_an_unnamed_table_by_its_content():
    sheet = make_mye2_sheet(
        2,
        [str(a) for a in range(90)] + ["90+"],
        [("W06000001", "Isle of Anglesey", None, 910, TENS)],
        "Table 2",
    )
    sheet.iloc[2, 0] = "Area code"
    name, layout, _ = find_mye2_table({"Notes": pd.DataFrame([["x"]]), "Table 2": sheet})
    assert (name, layout["row"], layout["geography"]) == ("Table 2", 2, 2)
    population, problems = clean_ons_mye2(
        {"Table 2": sheet}, make_entry("ons_mye2", "x.xls", year=2021), None
    )
    assert problems == [] and len(population) == 91


def test_clean_ons_mye2_reports_ages_that_do_not_sum_to_all_ages():
    counts = TENS.copy()
    counts[65] = 12.0  # 2 more than the total allows
    sheet = make_mye2_sheet(
        4, FLOAT_AGES, [("E10000016", "Kent", "County", 910, counts)], "MYE2 Persons mid-2019"
    )
    population, problems = clean_ons_mye2(
        {"MYE2 - Persons": sheet}, make_entry("ons_mye2", "m.xls", year=2019), None
    )
    assert [
        (p.severity, p.check, p.source_line, p.subject, p.expected, p.found) for p in problems
    ] == [("error", "total does not add up", 6, "E10000016", 910.0, 912.0)]
    assert "'MYE2 - Persons'" in problems[0].message and "row 6" in problems[0].message
    assert len(population) == 91  # the published figures are kept; the error stops the build


def test_clean_ons_mye2_reports_text_in_a_count_cell():
    counts: list = TENS.copy()
    counts[3] = "n/a"
    sheet = make_mye2_sheet(
        4, FLOAT_AGES, [("E10000016", "Kent", "County", 910, counts)], "MYE2 Persons mid-2019"
    )
    population, problems = clean_ons_mye2(
        {"MYE2 - Persons": sheet}, make_entry("ons_mye2", "m.xls", year=2019), None
    )
    assert [(p.check, p.source_line) for p in problems] == [("non-numeric value", 6)]
    assert 3 not in population["age"].tolist() and len(population) == 90


def test_clean_ons_mye2_reports_a_missing_table_without_raising():
    sheet = make_mye2_sheet(
        4, FLOAT_AGES[:-1], [("E10000016", "Kent", "County", 900, TENS[:-1])], "MYE2 Persons"
    )
    population, problems = clean_ons_mye2(
        {"MYE2 - Persons": sheet}, make_entry("ons_mye2", "m.xls", year=2019), None
    )
    assert population.empty
    assert [(p.severity, p.check) for p in problems] == [("error", "table not found")]
    assert "missing [90]" in problems[0].message


def test_parse_age_label_reads_every_spelling():
    assert [
        parse_age_label(c)
        for c in (
            0.0,
            5,
            "17",
            "Age 42",
            "aged 90+",
            "90 and over",
            "90 +",
            "All ages",
            "80+",
            "Code",
        )
    ] == [0, 5, 17, 42, 90, 90, 90, None, None, None]


# --------------------------------------------------------------------------- back tests


@pytest.fixture(scope="module")
def real_ref():
    ref_dir = ROOT / "data" / "reference"
    return make_reference_from_frames(
        pd.read_csv(ref_dir / "measures.csv"),
        pd.read_csv(ref_dir / "indicators.csv"),
        pd.read_csv(ref_dir / "authorities.csv"),
    )


@pytest.fixture(scope="module")
def catalogue():
    document = yaml.safe_load((RAW / "catalogue.yml").read_text(encoding="utf-8"))
    return {entry.id: entry for entry in parse_catalogue(document)}


@pytest.fixture(scope="module")
def mye2(catalogue):
    out = {}
    for year in (2019, 2020):
        entry = catalogue[f"ons-mye-{year}"]
        workbook = pd.read_excel(RAW / entry.file, sheet_name=None, header=None, engine="calamine")
        out[year] = clean_ons_mye2(workbook, entry, None)
    return out


@pytest.fixture(scope="module")
def ascof(catalogue, real_ref):
    entry = catalogue["ascof-2020-21"]
    raw = pd.read_excel(RAW / entry.file, engine="calamine", dtype=str)
    return clean_ascof_open_data(raw, entry, real_ref, sheet="in")


def kent_ascof(obs: pd.DataFrame, indicator: str) -> pd.Series:
    rows = obs[
        (obs["authority_code"] == "E10000016")
        & (obs["indicator_id"] == indicator)
        & (obs["breakdown"] == "Total")
    ]
    assert len(rows) == 1
    return rows.iloc[0]


@pytest.mark.backtest
@pytest.mark.parametrize(
    ("year", "published"),
    [
        # ONS MYE2 - Persons, Kent (E10000016), column "All ages": mid-2019 workbook
        # ukmidyearestimates20192020ladcodes.xls row 291; mid-2020 workbook
        # ukpopestimatesmid2020on2021geography.xls row 288.
        (2019, 1_581_555),
        (2020, 1_589_057),
    ],
)
def test_backtest_kent_all_ages_population(mye2, year, published):
    population, problems = mye2[year]
    assert problems == []  # every area's single ages sum to its All ages total
    Population.validate(population, lazy=True)
    kent = population[population["area_code"] == "E10000016"]
    assert len(kent) == 91
    assert np.isclose(kent["persons"].sum(), published)


@pytest.mark.backtest
def test_backtest_kent_age_bands_equal_nhs_digital_ascof_denominators(mye2, ascof):
    # NHS Digital, ASCOF 2020-21 open data, Kent (820) Total Denominator rows:
    # 2A1 = 919711 (Excel row 24317), 2A2 = 322775 (Excel row 24816). NHS Digital uses the
    # ONS mid-2020 estimates, so our age bands must match them exactly.
    population, _ = mye2[2020]
    kent = population[population["area_code"] == "E10000016"]
    aged_18_64 = kent[kent["age"].between(18, 64)]["persons"].sum()
    aged_65_over = kent[kent["age"] >= 65]["persons"].sum()
    assert np.isclose(aged_18_64, 919_711)
    assert np.isclose(aged_65_over, 322_775)
    obs, _ = ascof
    assert np.isclose(kent_ascof(obs, "ASCOF-2A1")["denominator"], aged_18_64)
    assert np.isclose(kent_ascof(obs, "ASCOF-2A2")["denominator"], aged_65_over)


@pytest.mark.backtest
def test_backtest_kent_ascof_2a2_2020_21(ascof):
    # NHS Digital ASCOF 2020-21 open data, Kent 2A2 Total: Numerator 1348, Outcome 417.6
    # (Excel rows 24815 and 24817); England 2A2 Outcome 498.2.
    obs, problems = ascof
    IndicatorObservations.validate(obs, lazy=True)
    kent = kent_ascof(obs, "ASCOF-2A2")
    assert np.isclose(kent["value"], 417.6)
    assert np.isclose(kent["numerator"], 1348)
    assert kent["source_line"] == 24817 and kent["source_text"] == "417.6"
    england = obs[(obs["authority_code"] == "E92000001") & (obs["indicator_id"] == "ASCOF-2A2")]
    assert np.isclose(england["value"].item(), 498.2)
    # Outcome = numerator / denominator x 100,000, to the published 1 d.p.
    assert np.isclose(kent["numerator"] / kent["denominator"] * 1e5, 417.6, atol=0.05)
    # The care-user survey was not run nationally in 2020-21: Kent's and England's 1A Total
    # Outcome cells are [x] (Excel rows 3427 and 3827), so missing, never 0.
    survey = obs[
        (obs["indicator_id"] == "ASCOF-1A")
        & (obs["breakdown"] == "Total")
        & obs["authority_code"].isin(["E10000016", "E92000001"])
    ]
    assert survey["source_line"].tolist() == [3427, 3827]
    assert (survey["status"] == "missing").all() and survey["value"].isna().all()
    assert {p.check for p in problems if p.severity == "finding"} == {"level not kept"}


@pytest.mark.backtest
def test_backtest_oflog_kent_asc5_and_published_medians(catalogue, real_ref):
    entry = catalogue["oflog-asc"]
    raw = pd.read_csv(RAW / entry.file, dtype=str, keep_default_na=False)
    obs, stats, problems = clean_oflog_outcomes(raw, entry, real_ref)
    assert problems == []
    IndicatorObservations.validate(obs, lazy=True)
    # ASC_data.csv line 4035: 2022-23, E10000016, Kent, ..., ASC5, 65.8, 78.2, ...
    kent = obs[
        (obs["authority_code"] == "E10000016")
        & (obs["indicator_id"] == "OFLOG-ASC5")
        & (obs["period"] == "2022-23")
    ]
    assert np.isclose(kent["value"].item(), 65.8)
    assert kent["source_line"].item() == 4035
    # Oflog's published England MEDIAN equals the median of the cleaned values for every
    # measure and year: blanks were kept as missing, not turned into zeros.
    ours = obs.groupby(["indicator_id", "period"])["value"].median()
    published = stats.groupby(["indicator_id", "period"])["median"].agg(["min", "max"])
    assert np.allclose(published["min"], published["max"])
    assert np.allclose(ours[published.index], published["min"])


@pytest.mark.backtest
def test_backtest_kent_nearest_neighbour_group(catalogue):
    entry = catalogue["oflog-nearest-neighbours"]
    raw = json.loads((RAW / entry.file).read_text(encoding="utf-8"))
    members, problems = clean_nearest_neighbours(raw, entry, None)
    ComparatorMembers.validate(members)
    kent = members[members["group_id"] == "nearest-neighbours:E10000016"]
    # NN.json "E10000016": 16 codes, the 15 nearest neighbours and Kent itself.
    assert len(kent) == 16 and "E10000016" in kent["authority_code"].tolist()
    assert not [p for p in problems if p.severity == "error"]
    assert not [p for p in problems if p.check == "own council missing"]
