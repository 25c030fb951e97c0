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


STACKED = [
    ["", "", "", "SE", "SE"],
    [
        "Support type",
        "Service delivery mechanism",
        "Accounting category",
        "820 - Kent",
        "821 - Medway",
    ],
    ["Long term", "Nursing", "Gross total cost: own provision", ":", "10"],  # line 3
    ["Long term", "Residential", "In house provision", "5", "1"],  # line 4
    ["Long term", "Residential", "External provision", "7", "2"],
    ["Long term", "Residential", "Total provision", "12", "3"],  # line 6
    ["Long term", "Residential", "Numerator", "6", "0"],  # line 7: first triple (All)
    ["Long term", "Residential", "Denominator", "12", "0"],
    ["Long term", "Residential", "Unit costs", "500", "."],  # line 9
    ["Long term", "Residential", "Numerator", "1", "0"],  # line 10: second (Own provision)
    ["Long term", "Residential", "Denominator", "4", "0"],
    ["Long term", "Residential", "Unit costs", "250", "."],  # line 12
    ["Long term", "Residential", "All", "500", "."],  # line 13: the unit costs again
    ["Long term", "Residential", "Own provision", "250", "."],  # line 14
]


def test_stacked_sections_put_provision_back(reference):
    lines, problems = clean_asc_fr(pd.DataFrame(STACKED), entry("vol.csv"), reference)
    assert problems == []  # 12 = 5 + 7, 3 = 1 + 2; 6 x 1000 / 12 = 500; 1 x 1000 / 4 = 250
    kent = lines[lines.cassr_code == "820"].set_index("source_line")
    # activity by provision: the provision is in the accounting-category column
    assert kent.loc[4, ["measure", "provision", "unit", "value"]].tolist() == [
        "activity",
        "In house provision",
        "weeks",
        5.0,
    ]
    assert kent.loc[6, "provision"] == "Total provision" and kent.loc[6, "row_type"] == "total"
    # the two unit-cost triples take the provision of lines 13 and 14, in order
    assert kent.loc[[7, 8, 9], "provision"].tolist() == ["All"] * 3
    assert kent.loc[[10, 11, 12], "provision"].tolist() == ["Own provision"] * 3
    assert kent.loc[12, ["measure", "value", "unit"]].tolist() == [
        "Unit costs",
        250.0,
        "GBP per week",
    ]
    # lines 13 and 14 print the same unit costs again: each figure is kept once
    assert sorted(kent.index) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    assert kent.loc[3, "status"] == "missing" and pd.isna(kent.loc[3, "value"])
    medway = lines[lines.cassr_code == "821"].set_index("source_line")
    assert medway.loc[12, "status"] == "not_applicable" and pd.isna(medway.loc[12, "value"])


def test_stacked_sections_that_do_not_match_are_left_as_published(reference):
    grid = [row[:] for row in STACKED]
    grid[13][3] = "260"  # line 14 no longer prints the second triple's unit cost (250)
    lines, problems = clean_asc_fr(pd.DataFrame(grid), entry("vol.csv"), reference)
    kent = lines[lines.cassr_code == "820"].set_index("source_line")
    assert kent.loc[[7, 9, 10, 12], "provision"].isna().all()  # not guessed
    assert kent.loc[14, ["measure", "provision", "value"]].tolist() == [
        "Unit costs",
        "Own provision",
        260.0,
    ]
    assert 13 in kent.index and 14 in kent.index  # nothing dropped
    assert [p.check for p in problems] == ["repeated labels"]
    assert problems[0].source_line == 7


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


VOL = "public/asc-fr-2014-15/pss-exp-eng-14-15-fin-coun-lev-vol-exp.csv"


@pytest.mark.backtest
def test_voluntary_age_bands_kent_is_unavailable_not_misread(reference):
    lines, problems = _read("vol-exp", reference)
    assert not [p for p in problems if p.severity == "error"]
    assert "repeated labels" not in {p.check for p in problems}
    at = lines.set_index(["cassr_code", "source_line"])
    # line 3 (Long term, Age 65 to 74, Physical support, Nursing, Gross total cost:
    # provision by others): column '104 - Northumberland' (7th) prints 507, column
    # '820 - Kent' (145th) prints ':' (mandatory data unavailable): missing, never zero
    assert at.loc[("104", 3), "value"] == 507
    kent3 = at.loc[("820", 3)]
    assert pd.isna(kent3.value) and kent3.status == "missing" and kent3.source_text == ":"
    # lines 3-3146 (expenditure and income, 3,144 lines) are ':' in Kent's column: Kent
    # (like 118 other councils) did not give the voluntary age bands
    kent_money = lines[(lines.cassr_code == "820") & lines.source_line.between(3, 3146)]
    assert len(kent_money) == 3144
    assert kent_money.value.isna().all() and set(kent_money.status) == {"missing"}
    # line 3149 (Short term, Age 65 to 74, Physical support, To maximise independence,
    # Total provision): activity by provision; Kent's column prints 0, a published number
    kent_weeks = at.loc[("820", 3149)]
    assert [kent_weeks.measure, kent_weeks.provision, kent_weeks.unit] == [
        "activity",
        "Total provision",
        "weeks",
    ]
    assert kent_weeks.value == 0 and kent_weeks.status == "reported"


@pytest.mark.backtest
def test_voluntary_age_bands_unit_costs_keep_their_provision(reference):
    lines, _ = _read("vol-exp", reference)
    rows = lines[lines.cassr_code == "104"].set_index("source_line")
    # Northumberland, Long term, Age 65 to 74, Learning disability support, Residential:
    # lines 3330-3338 are three numerator/denominator/unit-cost triples with no provision;
    # lines 3603-3605 print the unit costs by provision: All 1090.98, Own provision
    # 2750.76, Provision by others 857.81, the unit costs of lines 3332, 3335 and 3338.
    assert rows.loc[[3330, 3331, 3332], "provision"].tolist() == ["All"] * 3
    assert rows.loc[[3333, 3334, 3335], "provision"].tolist() == ["Own provision"] * 3
    assert rows.loc[[3336, 3337, 3338], "provision"].tolist() == ["Provision by others"] * 3
    # line 3333 numerator 905 (GBP thousands), 3334 denominator 329 weeks:
    # 905 x 1000 / 329 = 2750.76 GBP per week, printed on line 3335
    assert rows.loc[3333, "value"] == 905 and rows.loc[3334, "value"] == 329
    assert rows.loc[3335, ["measure", "value", "unit"]].tolist() == [
        "Unit costs",
        2750.76,
        "GBP per week",
    ]
    assert round(905 * 1000 / 329, 2) == 2750.76
    # the by-provision lines repeat figures kept on the triples' lines
    assert not rows.index.isin([3603, 3604, 3605]).any()
    # line 3582 (Residential and nursing care, All) repeats line 3269: 1643 x 1000 / 2976
    assert rows.loc[3269, ["provision", "value"]].tolist() == ["All", 552.08]
    assert round(1643 * 1000 / 2976, 2) == 552.08
    kent = lines[lines.cassr_code == "820"].set_index("source_line")
    # Kent's column: numerator 0, denominator 0, unit cost '.' (not calculated)
    assert kent.loc[3335, "status"] == "not_applicable" and pd.isna(kent.loc[3335, "value"])
    assert kent.loc[3333, "value"] == 0 and kent.loc[3333, "provision"] == "Own provision"
