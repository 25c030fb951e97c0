"""The finance benchmarks (report/finance.py's ``finance_spend_per_head`` and
``finance_unit_costs``) in a division's workbook: their own sheet names, a contents line
naming their units, and each figure in its unit (hand-built rows, read back with
openpyxl)."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from kassanalysis.publish.disclosure import SuppressionRule
from kassanalysis.publish.spreadsheet import write_division_workbook
from kassanalysis.report.publishing import publish_table

pytestmark = pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning:gptables")

ASC_FR = "public/asc-fr-2014-15/unit-costs.csv"


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> openpyxl.Workbook:
    folder = tmp_path_factory.mktemp("pack") / "asch"
    tables = folder / "variance" / "tables"
    publish_table(
        pd.DataFrame(
            {
                "measure": ["Net total expenditure"],
                "value": [366409.0],
                "unit": ["GBP thousands"],
                "population": [1509301.0],
                "denominator": ["all ages, mid-2014"],
                "per_head": [242.77],
                "group_median": [264.4],
                "mads_from_group_median": [-0.984],
                "source_file": [ASC_FR],
            }
        ),
        tables,
        "finance_spend_per_head",
    )
    publish_table(
        pd.DataFrame(
            {
                "support_setting": ["Nursing", "Home care"],
                "value": [1206.73, 16.04],
                "unit": ["GBP per week", "GBP per hour"],
                "group_median": [1089.46, 15.96],
                "source_file": [ASC_FR, ASC_FR],
            }
        ),
        tables,
        "finance_unit_costs",
    )
    path = write_division_workbook(
        str(folder),
        "Adult Social Care and Health",
        ("variance",),
        "2024-25 Q3",
        SuppressionRule(),
        frozenset({"budget"}),
        publication={"contact": "Performance team", "published": "1 December 2026"},
    )
    return openpyxl.load_workbook(path)


def table_rows(sheet) -> list[list]:
    ((_, ref),) = sheet.tables.items()
    return [list(row) for row in sheet[ref]]


def test_finance_sheets_have_their_own_names(book):
    assert book.sheetnames[3:] == ["Finance spend per head", "Finance unit costs"]


def test_contents_names_the_units(book):
    rows = table_rows(book["Contents"])
    described = {row[0].value: row[1].value for row in rows[1:]}
    assert "GBP per head of the ONS population" in described["Finance spend per head"]
    assert "GBP per week or GBP per hour" in described["Finance unit costs"]


def test_spend_per_head_is_in_pounds_and_the_line_in_thousands(book):
    rows = table_rows(book["Finance spend per head"])
    headers = [c.value for c in rows[0]]
    assert headers[:8] == [
        "Measure",
        "Value",
        "Unit",
        "Population\n(people)",
        "Population divided by",
        "Spend per head\n(£)",
        "Group median\n(£)",
        "Distance from group median (median absolute deviations)",
    ]
    line = [(c.value, c.number_format) for c in rows[1]]
    # 366,409 GBP thousands to one decimal; 242.77 and 264.4 pounds to whole pounds
    assert line[1] == (366409, "£#,##0.0")
    assert line[3] == (1509301, "#,##0")
    assert line[5:8] == [(243, "£#,##0"), (264, "£#,##0"), (-1.0, "0.0")]


def test_unit_costs_follow_each_rows_unit(book):
    rows = table_rows(book["Finance unit costs"])
    assert [c.value for c in rows[0]][:4] == ["Support setting", "Value", "Unit", "Group median"]
    week, hour = ([(c.value, c.number_format) for c in row] for row in rows[1:])
    # GBP per week and per hour to one decimal, as the HTML shows them
    assert (week[1], week[3]) == ((1206.7, "#,##0.0"), (1089.5, "#,##0.0"))
    assert (hour[1], hour[3]) == ((16.0, "#,##0.0"), (16.0, "#,##0.0"))


@pytest.mark.parametrize(
    ("analysis", "name", "sheet"),
    [
        ("comparator", "comparator_sensitivity", "Comparator sensitivity"),
        ("trend", "recent_trend", "Recent trend"),
        ("trend", "spc_latest", "SPC latest point"),
    ],
)
def test_other_key_tables_have_whole_names(tmp_path, analysis, name, sheet):
    # before, these fell back to "<analysis> <name>", cut at 31 characters
    # ("Comparator comparator sensitivi")
    publish_table(
        pd.DataFrame({"indicator_id": ["X1"], "value": [1.0]}), tmp_path / analysis / "tables", name
    )
    path = write_division_workbook(
        str(tmp_path), "Division", (analysis,), "2024-25 Q3", SuppressionRule(), frozenset()
    )
    assert openpyxl.load_workbook(path).sheetnames[3:] == [sheet]
