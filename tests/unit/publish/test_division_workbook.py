"""A division's workbook as the pack writes it, from tables published by hand, read back with
openpyxl: the Analysis Function spreadsheet checklist (cover, contents, sheet names, headers
in words with units, number formats per unit, no silently missing tables, illustrative
figures marked)."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from kassanalysis.publish.disclosure import SuppressionRule
from kassanalysis.publish.spreadsheet import write_division_workbook
from kassanalysis.report.publishing import publish_table

pytestmark = pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning:gptables")

QUARTERLY = "quarterly/kent-oppd-2013-14-Q1.indicators.csv"  # an illustrative source
DIVISION = "Older People $$ Physical Disability"  # '$$' is gptables' note syntax


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> openpyxl.Workbook:
    folder = tmp_path_factory.mktemp("pack") / "oppd"
    publish_table(
        pd.DataFrame(
            {
                "indicator_id": ["PB", "DELAYS"],
                "latest": [71.2, 1452.0],
                "change": [-6.799999999999997, 29.0],
                "pct_change": [-8.717948717948715, 2.0380],
                "met_target": [True, pd.NA],
                "source_file": [QUARTERLY, QUARTERLY],
                "source_line": [2, 9],
            }
        ),
        folder / "trend" / "tables",
        "trend_summary",
    )
    publish_table(
        pd.DataFrame(
            {
                "line_name": ["Canterbury & Swale Locality"],
                "row_type": ["line"],
                "budget": [29968.2],
                "forecast_variance": [-118.20000000000073],
                "forecast_variance_pct": [-0.394418],
                "source_file": ["kent-oppd-2013-14/financial-resources.txt"],
            }
        ),
        folder / "variance" / "tables",
        "budget_monitoring",
    )
    publish_table(
        pd.DataFrame(columns=["category", "item", "detail", "source_file"]),
        folder / "variance" / "tables",
        "exceptions",
    )
    path = write_division_workbook(
        str(folder),
        DIVISION,
        ("trend", "variance"),
        "2013-14 Q1",
        SuppressionRule(),
        frozenset({"budget", "forecast_variance", "change"}),
        publication={
            "contact": "Performance team, Kent County Council",
            "published": "29 November 2026",
            "next_update": "March 2027",
        },
        indicator_units={"PB": "%", "DELAYS": "count of people"},
        illustrative_files=frozenset({QUARTERLY}),
    )
    return openpyxl.load_workbook(path)


def table_rows(sheet) -> list[list]:
    """The Excel table on a sheet: header row then data rows, as cells."""
    ((_, ref),) = sheet.tables.items()
    return [list(row) for row in sheet[ref]]


def texts(sheet) -> list[str]:
    return [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]


def test_readable_sheet_names_in_order_after_cover_contents_notes(book):
    assert book.sheetnames == [
        "Cover",
        "Contents",
        "Notes",
        "Trend summary",
        "Budget monitoring",
        "Exceptions",
    ]


def test_cover_has_publication_date_next_update_contact_and_the_illustrative_warning(book):
    cover = texts(book["Cover"])
    assert cover[0] == f"{DIVISION}: key tables"
    assert "Published: 29 November 2026" in cover
    assert "Next update: March 2027" in cover
    assert "Performance team, Kent County Council" in cover
    assert not any("placeholder" in t for t in cover)
    assert any(t.startswith("ILLUSTRATIVE") and "Trend summary" in t for t in cover)


def test_contents_describes_each_table_in_words(book):
    rows = table_rows(book["Contents"])
    described = {row[0].value: row[1].value for row in rows[1:]}
    assert described["Budget monitoring"].startswith("Budget monitoring: spend to date")
    assert described["Exceptions"].endswith("no data for this period")
    assert described["Trend summary"].startswith("Trends: each indicator's latest value")


def test_headers_are_words_with_units_and_a_kpi_change_is_not_money(book):
    trend = [c.value for c in table_rows(book["Trend summary"])[0]]
    assert trend == [
        "Indicator code",
        "Latest value",
        "Change",  # in each indicator's own unit, not "(GBP thousands)"
        "Percentage change\n(%)",
        "Target met",
        "Source file",
        "Source line",
    ]
    budget = [c.value for c in table_rows(book["Budget monitoring"])[0]]
    assert budget[:5] == [
        "Budget line",
        "Row type",
        "Budget\n(£000)",
        "Forecast variance\n(£000)",
        "Forecast variance, share of budget\n(%)",
    ]
    assert not [h for h in trend + budget if "_" in h]  # no snake_case


def test_number_formats_follow_each_unit_row_by_row(book):
    rows = table_rows(book["Trend summary"])
    pb, delays = ([(c.value, c.number_format) for c in row] for row in rows[1:])
    # PB is a percentage (one decimal), DELAYS a count of people (no decimals)
    # and a percentage shows its % in the cell, as the HTML report shows 71.2%
    pct = '0.0"%"'
    assert pb[1:4] == [(71.2, pct), (-6.8, pct), (-8.7, pct)]
    assert delays[1:4] == [(1452, "#,##0"), (29, "#,##0"), (2.0, pct)]
    assert pb[4][0] == "Yes" and delays[4][0] == "[x]"  # words, and missing is marked


def test_money_is_pounds_thousands_to_one_decimal_without_float_noise(book):
    line = [(c.value, c.number_format) for c in table_rows(book["Budget monitoring"])[1]]
    assert line[1][0] == "Line"  # codes in words
    assert line[2:5] == [(29968.2, "£#,##0.0"), (-118.2, "£#,##0.0"), (-0.4, '0.0"%"')]


def test_an_empty_table_gets_a_no_data_sheet(book):
    sheet = book["Exceptions"]
    rows = table_rows(sheet)
    assert [c.value for c in rows[0]] == ["Note"]
    assert rows[1][0].value.startswith("No data for this period")


def test_illustrative_figures_are_marked_on_their_sheet_only(book):
    assert any(t.startswith("ILLUSTRATIVE") for t in texts(book["Trend summary"]))
    assert not any(t.startswith("ILLUSTRATIVE") for t in texts(book["Budget monitoring"]))
    assert f"{DIVISION}, 2013-14 Q1" in texts(book["Budget monitoring"])  # '$$' kept
