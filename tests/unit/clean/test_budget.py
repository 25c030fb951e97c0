"""Budget tables as PDF conversions print them. Tables are tiny hand-made copies of the
layouts in the 2008-09 HQ plan and the 2013-14 divisional plan; expected values are the
printed figures."""

import math

import pandas as pd
import pytest

from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.clean.budget import clean_budget_table, clean_stated_figures
from kassanalysis.schemas import BudgetLines

HEADER = [
    "| 2007-08 | | 2008-09 | | | | | | | | | | |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    "| Controllable Expenditure | FTE | Activity/Budget Line | FTE | Empl oyee costs | "
    "Runn ing Costs | Contr acts & Proje cts | Transfer Payments & Recharge s | "
    "Gross Expenditure | External Income | Internal Income | Controllable Expenditure | "
    "Cabinet Member |",
    "| £'000 | | | | £'000 | £'000 | £'000 | £'000 | £'000 | £'000 | £'000 | £'000 | |",
]


def entry(**kw) -> CatalogueEntry:
    base = dict(
        id="t",
        file="t.txt",
        kind="budget_table",
        authority="E10000016",
        source={},
        licence="OGL",
        format="pipe",
        financial_year="2008-09",
        unit="Test unit",
        units_of_measure="GBP thousands",
    )
    base.update(kw)
    return CatalogueEntry(**base)


def value(frame, line, measure, year="2008-09"):
    rows = frame[
        (frame.source_line == line) & (frame.measure == measure) & (frame.financial_year == year)
    ]
    assert len(rows) == 1, (line, measure, year)
    return rows.value.iloc[0]


def test_header_maps_garbled_names_to_measures_and_years(reference):
    lines = [
        *HEADER,
        "| | | Other Services | | | | | | | | | | |",
        "| 0.0 | | 47J OT Bureau - PD | | -39.2 | - | 322.0 | 0.0 | 161.0 | 5.1 | | 166.1 | KL |",
        "| | | | | | 121.8 | | | | | | | |",
        "| 0.0 | | TOTAL OTHER SERVICES | | -39.2 | -121.8 | 322.0 | 0.0 | 161.0 | 5.1 | 0.0 "
        "| 166.1 | |",
    ]
    frame, problems = clean_budget_table(lines, entry(), reference)
    assert problems == []
    BudgetLines.validate(frame)
    # the split negative: "-" on line 6 and "121.8" on line 7 are one cell, -121.8
    assert value(frame, 6, "running_costs") == -121.8
    assert value(frame, 6, "employee_costs") == -39.2
    assert value(frame, 6, "controllable_expenditure", "2007-08") == 0.0
    line = frame[frame.source_line == 6].iloc[0]
    assert (line.line_code, line.line_name, line.service_group, line.row_type) == (
        "47J",
        "OT Bureau - PD",
        "Other Services",
        "line",
    )
    split = frame[(frame.source_line == 6) & (frame.measure == "running_costs")]
    assert "split over lines 6-7" in split.source_text.iloc[0]
    # blank internal income stays missing, never zero
    assert math.isnan(value(frame, 6, "internal_income"))
    assert (
        frame[(frame.source_line == 6) & (frame.measure == "internal_income")].status.iloc[0]
        == "missing"
    )
    assert frame[frame.source_line == 8].row_type.iloc[0] == "subtotal"
    # FTE 2007-08, FTE 2008-09 and the nine money columns are read; the cabinet member is not
    assert set(frame.measure) == {
        "fte",
        "employee_costs",
        "running_costs",
        "contracts_and_projects",
        "transfer_payments_and_recharges",
        "gross_expenditure",
        "external_income",
        "internal_income",
        "controllable_expenditure",
    }


def test_fused_code_tbc_and_row_types(reference):
    layout = (
        "controllable_expenditure@2007-08",
        "label",
        "employee_costs",
        "running_costs",
        "contracts_and_projects",
        "transfer_payments_and_recharges",
        "gross_expenditure",
        "external_income",
        "internal_income",
        "controllable_expenditure",
        "skip",
    )
    lines = [
        "| | | | | | | | | | | |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        "| 0.0 | Strategic 56A Management | 905.1 | 62.6 | 0.0 | 0.0 | 967.7 | 0.0 | "
        "| 967.7 | KL |",
        "| | TBC Social Care Reform | 10.0 | 0.0 | 0.0 | 0.0 | 10.0 | 0.0 | | 10.0 | KL |",
        "| 0.0 | Total Strategic & Area Management | 915.1 | 62.6 | 0.0 | 0.0 | 977.7 | 0.0 | 0.0 "
        "| 977.7 | |",
        "| 0.0 | Total Strategic & Area Management | 915.1 | 62.6 | 0.0 | 0.0 | 977.7 | 0.0 | 0.0 "
        "| 977.7 | |",
        "| | <u>Memorandum Items:</u> | | | | | | | | | |",
        "| 0.0 | Central Overheads | | | | | | | | | |",
        "| 0.0 | Total Cost of Unit | 915.1 | 62.6 | 0.0 | 0.0 | 977.7 | 0.0 | 0.0 | 977.7 | |",
    ]
    frame, problems = clean_budget_table(lines, entry(columns=layout), reference)
    rows = frame.drop_duplicates("source_line").set_index("source_line")
    assert rows.loc[3, "line_code"] == "56A"
    assert rows.loc[3, "line_name"] == "Strategic Management"
    assert pd.isna(rows.loc[4, "line_code"])  # TBC is not a code
    assert rows.loc[4, "line_name"] == "Social Care Reform"
    # the lines had no group heading: the subtotal names it and the lines take that name
    assert rows.loc[3, "service_group"] == "Strategic & Area Management"
    assert rows.loc[5, "row_type"] == "subtotal"
    assert 6 not in rows.index  # the repeated total is not used ...
    assert [p.check for p in problems] == ["duplicated row"]  # ... and is reported
    assert problems[0].source_line == 6
    assert rows.loc[8, "row_type"] == "memorandum"
    assert rows.loc[9, "row_type"] == "unit_total"
    assert math.isnan(value(frame, 8, "gross_expenditure"))


def test_tab_table_with_wrapped_locality_names(reference):
    lines = [
        "FINANCIAL RE\tFINANCIAL RESOURCES (000's)\t\t\t\t\t\t\t",
        "Divisional\tResponsible\tStaffing\tNon Staffing\tGross\tService\tNet\tGovt.\tNet Cost",
        "Unit\tManager\t\t\tExpenditure\tIncome\tExpenditure\tGrants\t",
        "Ashford &\tMary Silverton\t£ 9,979.9\t£ 32,610.8\t£ 42,590.7\t-£ 10,719.7\t£ 31,871.0"
        "\t£ -\t£ 31,871.0",
        "Shepway\t\t\t\t\t\t\t\t",
        "Locality\t\t\t\t\t\t\t\t",
        "Total\tAnne Tidmarsh\t£ 9,979.9\t£ 32,610.8\t£ 42,590.7\t-£ 10,719.7\t£ 31,871.0"
        "\t£ -\t£ 31,871.0",
    ]
    frame, problems = clean_budget_table(
        lines, entry(format="tab", financial_year="2013-14", wrapped_labels="after"), reference
    )
    assert problems == []
    names = frame.drop_duplicates("source_line").set_index("source_line").line_name
    assert names.to_dict() == {4: "Ashford & Shepway Locality", 7: "Total"}
    assert value(frame, 4, "service_income", "2013-14") == -10719.7
    assert value(frame, 4, "government_grants", "2013-14") == 0.0  # "£ -" is printed nil
    assert value(frame, 4, "staffing_costs", "2013-14") == 9979.9
    assert frame[frame.source_line == 7].row_type.iloc[0] == "total"


def test_text_in_a_number_column_is_an_error_with_its_line(reference):
    lines = [
        *HEADER,
        "| 0.0 | | 55A Performance Unit | | 2670.2 | 336.1 | 55.4 | 26.8 | 3O88.5 | -141.4 | "
        "| 2947.1 | KL |",
        "| 0.0 | | TOTAL X | | 2670.2 | 336.1 | 55.4 | 26.8 | 3088.5 | -141.4 | 0.0 | 2947.1 | |",
    ]
    _, problems = clean_budget_table(lines, entry(), reference)
    assert [(p.severity, p.check, p.source_line) for p in problems] == [
        ("error", "non-numeric value", 5)
    ]
    assert "'3O88.5'" in problems[0].message and "gross_expenditure" in problems[0].message


def test_unknown_measure_in_header_is_an_error(reference):
    lines = [
        "| Activity/Budget Line | Widget Costs £'000 | Gross Expenditure £'000 |",
        "|---|---|---|",
        "| 41A KCC Residential | 1.0 | 1.0 |",
        "| TOTAL | 1.0 | 1.0 |",
    ]
    _, problems = clean_budget_table(lines, entry(), reference)
    assert any(p.check == "unknown measure" and "Widget Costs" in p.message for p in problems)


def test_a_table_without_totals_is_reported_as_truncated(reference):
    lines = [
        *HEADER,
        "| 0.0 | | 55A Performance Unit | | 1.0 | 1.0 | 0.0 | 0.0 | 2.0 | 0.0 | | 2.0 | KL |",
    ]
    _, problems = clean_budget_table(lines, entry(), reference)
    assert [p.check for p in problems] == ["truncated table"]


def test_continuation_without_header_needs_a_layout(reference):
    lines = [
        *HEADER,
        "| 0.0 | | 55A X | | 1.0 | 1.0 | 0.0 | 0.0 | 2.0 | 0.0 | | 2.0 | KL |",
        "",
        "| | | |",
        "|---|---|---|",
        "| 1.0 | TOTAL | 2.0 |",
    ]
    _, problems = clean_budget_table(lines, entry(), reference)
    assert problems[0].check == "missing header" and problems[0].source_line == 7


def test_stated_figure_with_misplaced_separator(reference):
    frame, problems = clean_stated_figures(
        ["Gross Expenditure: £265,982700", "FTE: 1,278"],
        entry(
            kind="stated_figures",
            units_of_measure="GBP",
            financial_year="2013-14",
            figures={"Gross Expenditure": "gross_expenditure"},
        ),
        reference,
    )
    # £265,982,700 in pounds is 265,982.7 thousand, the Total row of the locality table
    assert frame.value.tolist() == [265982.7]
    assert frame.row_type.tolist() == ["stated"]
    assert [(p.severity, p.check, p.source_line) for p in problems] == [
        ("finding", "malformed number", 1)
    ]


@pytest.mark.parametrize("units, expected", [("GBP millions", 1500.0), ("GBP thousands", 1.5)])
def test_units_from_the_catalogue_become_thousands(reference, units, expected):
    lines = [
        "| Activity/Budget Line | Gross Expenditure |",
        "|---|---|",
        "| 41A Home care | 1.5 |",
        "| TOTAL | 1.5 |",
    ]
    frame, problems = clean_budget_table(lines, entry(units_of_measure=units), reference)
    assert problems == []
    assert value(frame, 3, "gross_expenditure") == expected


def test_header_unit_overrides_catalogue(reference):
    lines = [
        "| Activity/Budget Line | Gross Expenditure £m |",
        "|---|---|",
        "| 41A Home care | 1.5 |",
        "| TOTAL | 1.5 |",
    ]
    frame, _ = clean_budget_table(lines, entry(), reference)
    assert value(frame, 3, "gross_expenditure") == 1500.0
