"""The Adult Social Care Finance Return (kind ``asc_fr``, table ``finance_lines``).

Unit tests use small grids shaped like the published layouts; back tests read the 2014-15
council-level files in ``data/raw/public/asc-fr-2014-15`` and check figures worked by hand
from the file (the arithmetic is in the comments).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kassanalysis import io as kio
from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.clean.asc_fr import clean_asc_fr, finance_unit, find_layout
from kassanalysis.schemas import FinanceLines

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "asc-fr"
RAW = ROOT / "data" / "raw" / "public" / "asc-fr-2014-15"


def entry(file: str, year: str | None = "2014-15") -> CatalogueEntry:
    return CatalogueEntry(
        id="fr",
        file=file,
        kind="asc_fr",
        authority="",
        source={},
        licence="",
        financial_year=year,
    )


WIDE = [
    ["", "", "", "SE", "SE", "Eng"],
    [
        "Support type",
        "Service delivery mechanism",
        "Accounting category",
        "820 - Kent",
        "821 - Medway",
        "ENGLAND",
    ],
    ["Long term", "Nursing", "Gross total cost: provision by others", "100.25", ":", "900"],
    ["Long term", "Nursing", "Gross total cost: own provision", "10", ":", "50"],
    ["Long term", "Nursing", "Gross total cost: grants to voluntary org", "0", ":", "0"],
    ["Long term", "Nursing", "Gross total cost: total expenditure", "110.25", ":", "960"],
    ["", "", "", "", "", ""],
    ["Notes:", "", "", "", "", ""],
    ["Data are presented in £'000s", "", "", "", "", ""],
]


def test_wide_layout_found_by_content():
    layout, why = find_layout(pd.DataFrame(WIDE))
    assert why == ""
    assert layout["layout"] == "wide" and layout["row"] == 1
    assert layout["areas"][3] == ("820", "Kent", None)
    assert layout["areas"][5] == (None, "ENGLAND", "E92000001")


def test_wide_layout_cells_statuses_and_provenance(reference):
    lines, problems = clean_asc_fr(pd.DataFrame(WIDE), entry("w.csv"), reference)
    FinanceLines.validate(lines)
    kent = lines[lines.authority_code == "E10000016"]
    assert kent.value.tolist() == [100.25, 10.0, 0.0, 110.25]
    assert kent.source_line.tolist() == [3, 4, 5, 6]  # line 1 is the region row
    assert kent.cassr_code.unique().tolist() == ["820"]
    assert kent.row_type.tolist() == ["line", "line", "line", "total"]
    assert set(kent.unit) == {"GBP thousands"}
    medway = lines[lines.authority_code == "E06000035"]
    assert medway.status.unique().tolist() == ["missing"] and medway.value.isna().all()
    england = lines[lines.authority_code == "E92000001"]
    assert england.cassr_code.isna().all() and len(england) == 4
    # England: 900 + 50 + 0 = 950, published 960: a finding, not a fix
    assert [(p.check, p.source_line) for p in problems] == [("finance total does not add up", 6)]
    assert problems[0].expected == 950.0 and problems[0].found == 960.0
    assert england.value.tolist()[-1] == 960.0


def test_unit_cost_check_and_markers(reference):
    grid = pd.DataFrame(
        [
            [
                "Support type",
                "Unit cost category",
                "Unit cost provision",
                "820 - Kent",
                "821 - Medway",
            ],
            ["Long term", "Numerator", "All", "193397", "100"],
            ["Long term", "Denominator", "All", "305791", "0"],
            ["Long term", "Unit costs", "All", "632.45", "."],
            ["Short term", "Numerator", "All", "50", "10"],
            ["Short term", "Denominator", "All", "100", "20"],
            ["Short term", "Unit costs", "All", "600", "500"],
        ]
    )
    lines, problems = clean_asc_fr(grid, entry("uc.csv"), reference)
    units = lines.set_index(["authority_code", "support_type", "measure"]).unit
    assert units["E10000016", "Long term", "Numerator"] == "GBP thousands"
    assert units["E10000016", "Long term", "Denominator"] == "weeks"
    assert units["E10000016", "Long term", "Unit costs"] == "GBP per week"
    medway = lines[(lines.authority_code == "E06000035") & (lines.measure == "Unit costs")]
    assert medway.status.tolist() == ["not_applicable", "reported"]
    # Kent long term: 193,397 x 1000 / 305,791 = 632.45 (as published): no finding.
    # Kent short term: 50 x 1000 / 100 = 500, published 600: a finding. Medway short term:
    # 10 x 1000 / 20 = 500 = published; Medway long term has no unit cost ('.').
    assert [(p.subject, p.expected, p.found) for p in problems] == [
        ("E10000016 Short term / All", 500.0, 600.0)
    ]


def test_long_layout_from_its_column_names(reference):
    raw = kio.read_csv_text(FIXTURES / "asc-fr-long-2022-23.csv", header=None)
    lines, problems = clean_asc_fr(raw, entry("long.csv", "2022-23"), reference)
    FinanceLines.validate(lines)
    assert set(lines.financial_year) == {"2022-23"}
    kent = lines[lines.authority_code == "E10000016"].set_index("measure")
    assert kent.loc["Gross Total Cost: Total Expenditure", "value"] == 60620.75
    assert kent.loc["Gross Total Cost: Total Expenditure", "source_line"] == 5
    assert kent.loc["Income: Other income", "status"] == "missing"
    assert kent.support_setting.unique().tolist() == ["Nursing"]
    assert kent.age_band.unique().tolist() == ["65 and over"]
    # Kent: 60,500.25 + 0 + 120.5 = 60,620.75 and 60,620.75 - 21,500 = 39,120.75, as
    # published; its income total is not checked (other income ':'). Medway:
    # 100 + 20 + 0 = 120, published 130 (out by 10; rounding allows 4 x 0.5 = 2).
    assert [(p.source_line, p.expected, p.found) for p in problems] == [(15, 120.0, 130.0)]


def test_long_additional_data_layout(reference):
    raw = kio.read_csv_text(FIXTURES / "asc-fr-additional-2022-23.csv", header=None)
    lines, problems = clean_asc_fr(raw, entry("add.csv", "2022-23"), reference)
    assert problems == []
    assert lines.measure.tolist() == [
        "Gross Current Expenditure",
        "Income: Total",
        "Gross Current Expenditure",
    ]
    assert lines.support_type.tolist() == ["Total"] * 3
    assert lines.value.tolist() == [512345.6, 120000.1, 90000.0]


def test_bad_cells_unknown_councils_and_no_year_are_errors(reference):
    grid = pd.DataFrame(
        [
            ["Support type", "Accounting category", "820 - Kent", "999 - Nowhere"],
            ["Long term", "Income: total", "12x", "1"],
        ]
    )
    lines, problems = clean_asc_fr(grid, entry("bad.csv"), reference)
    assert [(p.severity, p.check, p.source_line) for p in problems] == [
        ("error", "unknown council", 2),
        ("error", "non-numeric value", 2),
    ]
    assert "999 - Nowhere" in problems[0].message and "'12x'" in problems[1].message
    assert lines.empty
    _, problems = clean_asc_fr(grid.iloc[:, :3], entry("bad.csv", None), reference)
    assert "no financial year" in problems[0].message


def test_no_header_is_one_clear_error(reference):
    _, problems = clean_asc_fr(pd.DataFrame([["a", "b"], ["1", "2"]]), entry("x.csv"), reference)
    assert [p.check for p in problems] == ["table not found"]
    assert "820 - Kent" in problems[0].message


@pytest.mark.parametrize(
    ("measure", "provision", "setting", "unit"),
    [
        ("activity", "Hourly rate", "External home care provision", "GBP per hour"),
        ("activity", "", "Number of SALT Clients", "clients"),
        ("activity", "", "Capital charges", "yes/no"),
        ("Total provision", "", "To maximise independence", "weeks"),
    ],
)
def test_units_from_labels(measure, provision, setting, unit):
    assert finance_unit(measure, provision, setting) == unit


def _read(name: str, reference) -> tuple[pd.DataFrame, list]:
    file = f"pss-exp-eng-14-15-fin-coun-lev-{name}.csv"
    raw = kio.first_sheet(RAW / file, header=None)
    return clean_asc_fr(raw, entry(f"public/asc-fr-2014-15/{file}"), reference)


@pytest.mark.backtest
def test_kent_bridging_totals_worked_by_hand(reference):
    lines, problems = _read("bri-data", reference)
    assert not [p for p in problems if p.severity == "error"]
    kent = (
        lines[
            (lines.authority_code == "E10000016")
            & (lines.financial_year == "2014-15")
            & (lines.age_band == "Adults aged 65 and over")
        ]
        .set_index(["support_type", "measure"])
        .value
    )
    gross = "Gross total cost: total expenditure"
    # Kent (820), adults 65+, 2014-15, file lines 3-39, column '820 - Kent':
    # gross 23,668 (assessment) + 134,843 (residential and nursing) + 39,780 (home care)
    #   + 7,962 (community-based) + 14,094 (direct payments) + 25,494 (other) = 245,841
    services = [
        "Total expenditure on assessment and care management",
        "Total expenditure on residential and nursing care",
        "Total expenditure on home care services",
        "Total expenditure on community-based services",
        "Total expenditure on Direct Payments",
        "Other gross and net expenditure",
    ]
    assert [kent[s, gross] for s in services] == [23668, 134843, 39780, 7962, 14094, 25494]
    assert kent["Total expenditure", gross] == 245841
    # income 3,335 + 45,921 + 2,866 + 2,257 + 9,532 (fairer charging) + 43 + 19,231 = 83,185
    assert kent["Total expenditure", "Income: total"] == 83185
    # net = 245,841 - 83,185 = 162,656
    assert kent["Total expenditure", "Net total expenditure"] == 162656
    # the 2013-14 bridging year comes from the same file's 'Bridging Year' column
    assert set(lines.financial_year) == {"2014-15", "2013-14"}


@pytest.mark.backtest
def test_kent_unit_cost_worked_by_hand(reference):
    lines, problems = _read("unit-cost", reference)
    assert problems == []  # every printed unit cost agrees with its numerator/denominator
    kent = lines[
        (lines.authority_code == "E10000016")
        & (lines.support_setting == "Residential and nursing care")
        & (lines.age_band == "Age 18 and over")
        & (lines.provision == "All")
    ].set_index("measure")
    # file lines 3-5, column '820 - Kent': 193,397 (GBP thousands) x 1000 / 305,791 weeks
    # = 632.4516 GBP per week, printed 632.45
    assert kent.loc["Numerator", "value"] == 193397
    assert kent.loc["Denominator", "value"] == 305791
    assert kent.loc["Unit costs", "value"] == 632.45
    assert round(193397 * 1000 / 305791, 2) == 632.45
    assert kent.loc["Unit costs", "unit"] == "GBP per week"
    assert kent.loc["Unit costs", "source_line"] == 5


@pytest.mark.backtest
def test_reorganised_councils_keep_their_2014_15_codes(reference):
    lines, _ = _read("act-data", reference)
    names = lines.drop_duplicates("cassr_code").set_index("cassr_code").authority_code
    # 2014-15 councils later reorganised: Dorset County (809), Buckinghamshire County (612),
    # Bournemouth (810), Poole (811); Kent 820.
    assert names["809"] == "E10000009" and names["612"] == "E10000002"
    assert names["810"] == "E06000028" and names["811"] == "E06000029"
    assert names["820"] == "E10000016"
    assert lines.authority_code.nunique() == 152 + 9 + 1  # councils, regions, England
    capital = lines[(lines.unit == "yes/no") & (lines.authority_code == "E10000016")]
    # line 85, 'Capital charges', column '820 - Kent': Yes (stored as 1, the text kept)
    assert capital.source_text.tolist() == ["Yes"] and capital.value.tolist() == [1.0]
    assert capital.source_line.tolist() == [85]
