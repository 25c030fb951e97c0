"""Budget tables in text from a PDF, columns separated by single spaces (Kent's key
service statement, November 2024-25): a hand-cut excerpt, values as printed."""

import pytest

from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.clean.budget import clean_budget_table
from kassanalysis.formats import TableLines, detect_layout
from kassanalysis.reconcile import reconcile_budget_totals, reconcile_identities
from kassanalysis.schemas import BudgetLines

# The statement's page 2 as printed: unit and first header word on lines of their own.
PAGE = [
    "===== PAGE 2 =====",
    "£m",
    "Working",
    "Directorate, Division & Key Service Budget Forecast Variance",
    "Strategic Commissioning (Integrated and Adults)",
    "Community Based Preventative Services 7.5 9.1 1.5",
    "Housing Related Support 1.5 1.5 0.0",
    "Partnership Support Services 0.0 -0.0 -0.0",
    "Social Support for Carers 3.0 2.4 -0.6",
    "Strategic Commissioning (Integrated and Adults) 2.4 2.7 0.3",
    "Transformation Delivery and support 7.7 7.5 -0.1",
    "Strategic Commissioning (Integrated and Adults) Total 22.1 23.2 1.0",
]


def entry():
    return CatalogueEntry(
        id="kss",
        file="kss.txt",
        kind="budget_table",
        authority="E10000016",
        source={},
        licence="OGL",
        financial_year="2024-25",
        unit="Adult Social Care & Health",
        units_of_measure="GBP millions",
    )


def read(lines, reference):
    return clean_budget_table(TableLines(lines, layout=detect_layout(lines)), entry(), reference)


def test_pdf_text_with_figures_after_labels_is_the_spaced_layout():
    assert detect_layout(PAGE) == "spaced"
    assert detect_layout(["Quarter 3 saw 20,087 people contact adult social care.", "Text"]) == (
        "prose"
    )


def test_lines_and_the_division_total_in_gbp_thousands(reference):
    frame, problems = read(PAGE, reference)
    assert problems == []
    BudgetLines.validate(frame)
    total = frame[frame.row_type == "subtotal"].set_index("measure")
    # printed 22.1, 23.2 and 1.0 GBP m
    assert total.value.to_dict() == pytest.approx(
        {"budget": 22100.0, "forecast_outturn": 23200.0, "variance": 1000.0}
    )
    assert set(total.source_line) == {12}
    assert total.loc["budget", "source_text"].startswith("22.1")  # the cell as printed
    lines = frame[frame.row_type == "line"]
    assert lines.line_name.nunique() == 6
    assert set(lines.service_group) == {"Strategic Commissioning (Integrated and Adults)"}
    carers = lines[(lines.line_name == "Social Support for Carers")].set_index("measure").value
    assert carers.to_dict() == pytest.approx(
        {"budget": 3000.0, "forecast_outturn": 2400.0, "variance": -600.0}
    )


def test_rounding_to_the_printed_tenth_is_not_a_finding(reference):
    # variance lines add up to 1.1 against the printed 1.0; forecast - budget is 1.6 against
    # a printed variance of 1.5 on the first line: both within the printed precision
    frame, _ = read(PAGE, reference)
    assert reconcile_budget_totals(frame) == []
    assert reconcile_identities(frame, reference.identities) == []


def test_a_total_off_by_more_than_rounding_is_a_finding(reference):
    wrong = [*PAGE[:-1], "Strategic Commissioning (Integrated and Adults) Total 22.1 23.2 2.0"]
    frame, _ = read(wrong, reference)
    found = reconcile_budget_totals(frame) + reconcile_identities(frame, reference.identities)
    assert {(p.severity, p.source_line) for p in found} == {("finding", 12)}
    assert any("variance" in p.message for p in found)


def test_the_header_repeated_after_a_page_break_is_not_data(reference):
    first = [
        "£m",
        "Working",
        "Directorate, Division & Key Service Budget Forecast Variance",
        "Public Health",
        "Public Health - Sexual Health 0.0 0.0 0.0",
    ]
    frame, problems = read([*first, *PAGE], reference)
    assert problems == []
    assert "Directorate, Division & Key Service" not in set(frame.line_name)
    assert len(frame) == 3 * (1 + 7)  # three measures for one line + seven rows
