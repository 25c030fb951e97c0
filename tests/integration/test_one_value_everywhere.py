"""One value of each unit through every output the pack has, formatted the same way.

Issue 10 and issue 15: "a test takes one value of each unit through table, chart label,
sentence, CSV and workbook and finds them formatted the same way". Each value below is
taken through the real writers: a report table cell (``report.display.Table``), a chart's
value label (``charts.plot_comparator``), a sentence (``formatting.format_value`` and, for
indicator units, ``analysis.trend.describe_direction``), the published CSV
(``report.publishing.publish_table``) and the division workbook
(``publish.spreadsheet.write_division_workbook``, read back with openpyxl).

The expected texts are worked by hand from the Analysis Function rules the project follows
(counts 0 decimals, percentages and rates 1, money 1 in £000 or £m with ``£``, FTE 2 as the
staffing tables print it, a 0-1 score 3), rounding half away from zero on the number as
written (35.35 -> 35.4, where binary round-half-even gives 35.3).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import openpyxl
import pandas as pd
import pytest

from kassanalysis import charts
from kassanalysis.analysis.trend import describe_direction
from kassanalysis.formatting import format_value
from kassanalysis.publish.disclosure import SuppressionRule
from kassanalysis.publish.spreadsheet import write_division_workbook
from kassanalysis.report.display import Table
from kassanalysis.report.publishing import mark_for_publication, publish_table


@dataclass(frozen=True)
class Case:
    unit: str
    value: float
    cell: str  # table cell and chart label: % and £ with the number, the rest in the heading
    header: str  # the unit as a column heading shows it
    sentence: str  # with the unit in words
    csv: str  # the same decimals, no separators, no £ or %


CASES = [
    Case("count of people", 1452.0, "1,452", "people", "1,452 people", "1452"),
    Case("%", 75.44, "75.4%", "%", "75.4%", "75.4"),
    Case(
        "rate per 100000 population aged 65+",
        459.16,
        "459.2",
        "per 100,000 aged 65+",
        "459.2 per 100,000 aged 65+",
        "459.2",
    ),
    # float noise from a subtraction, as issue 15 found in a CSV
    Case("GBP thousands", -118.20000000000073, "-£118.2", "£000", "-£118.2 thousand", "-118.2"),
    Case("GBP millions", 35.35, "£35.4", "£m", "£35.4 million", "35.4"),
    Case("FTE", 9.406, "9.41", "FTE", "9.41 FTE", "9.41"),
    Case("score (0-1)", 0.4191, "0.419", "score 0-1", "0.419 (score 0-1)", "0.419"),
]
IDS = [c.unit for c in CASES]
INDICATOR_UNITS = ("count of people", "%", "rate per 100000 population aged 65+", "score (0-1)")


def excel_shows(value: float, number_format: str) -> str:
    """What Excel displays for ``value`` under the (simple) ``number_format``: worked from
    Excel's format codes (``£`` and quoted ``"%"`` literals, ``#,##0`` separators, one 0
    per decimal place), independently of the package's own rules."""
    decimals = re.search(r"\.(0+)", number_format)
    places = len(decimals[1]) if decimals else 0
    text = f"{abs(value):{',' if '#,##0' in number_format else ''}.{places}f}"
    if number_format.startswith("£"):
        text = "£" + text
    if number_format.endswith('"%"'):
        text += "%"
    return ("-" if value < 0 else "") + text


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_table_cell(case):
    table = Table(pd.DataFrame({"figure": [case.value]}), "One figure", units={"figure": case.unit})
    html = table._repr_html_()
    assert f'<td class="kass-number">{case.cell}</td>' in html
    assert f">Figure ({case.header})</th>" in html


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_chart_label(case):
    table = pd.DataFrame(
        {
            "authority_code": ["E10000016", "E10000002"],
            "authority_name": ["Kent", "Buckinghamshire"],
            "value": [case.value, case.value * 2],
        }
    )
    chart = charts.plot_comparator(
        table,
        indicator_name="A figure",
        unit=case.unit,
        period="2024-25",
        polarity="higher_is_better",
    )
    (axes,) = chart.figure.axes
    labels = [t.get_text() for t in axes.texts]
    assert case.cell in labels, labels
    assert case.header in axes.get_xlabel() + axes.get_ylabel()
    assert case.sentence in chart.alt_text


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_sentence(case):
    assert format_value(case.value, case.unit) == case.sentence


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.unit in INDICATOR_UNITS], ids=list(INDICATOR_UNITS)
)
def test_a_trend_sentence(case):
    trend = pd.DataFrame(
        {"period": ["2023-24", "2024-25"], "actual": [case.value / 2, case.value]}
    ).assign(status="reported")
    sentence = describe_direction(trend, "no_polarity", case.unit)
    assert sentence.startswith(f"{case.sentence} in 2024-25, up ")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_published_csv(case, tmp_path):
    frame = pd.DataFrame({"line_name": ["Day care"], "figure": [case.value]})
    marked = mark_for_publication(frame, rule=SuppressionRule())
    path = publish_table(marked, tmp_path, "one", units={"figure": case.unit})
    assert path.read_text(encoding="utf-8").splitlines() == [
        "line_name,figure",
        f"Day care,{case.csv}",
    ]


def _workbook_cell(case: Case, folder) -> tuple[object, str, str]:
    """The figure's cell (value, number format) and its column header in the division
    workbook, through the table the reports would publish for that unit."""
    if case.unit in INDICATOR_UNITS:
        frame = pd.DataFrame({"indicator_id": ["X1"], "latest": [case.value], "unit": [case.unit]})
        name = "trend_summary"
    elif case.unit == "FTE":
        frame = pd.DataFrame({"line_name": ["Day care"], "to_fte": [case.value]})
        name = "staffing"
    else:
        frame = pd.DataFrame(
            {"line_name": ["Day care"], "budget": [case.value], "unit_of_measure": [case.unit]}
        )
        name = "budget_monitoring"
    analysis = "trend" if name == "trend_summary" else "variance"
    marked = mark_for_publication(frame, rule=SuppressionRule())
    publish_table(marked, folder / analysis / "tables", name)
    path = write_division_workbook(
        str(folder),
        "Test division",
        (analysis,),
        "2024-25 Q3",
        SuppressionRule(),
        frozenset({"budget"}),
        publication={"contact": "Test team", "published": "1 January 2025"},
        indicator_units={"X1": case.unit},
    )
    book = openpyxl.load_workbook(path)
    sheet = book[book.sheetnames[-1]]
    rows = [list(row) for row in sheet.iter_rows() if any(c.value is not None for c in row)]
    first = next(i for i, row in enumerate(rows) if row[0].value in ("Day care", "X1"))
    headers = [c.value for c in rows[first - 1]]
    position = 1  # the figure is each frame's second column
    cell = rows[first][position]
    return cell.value, cell.number_format, str(headers[position])


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_workbook(case, tmp_path):
    value, number_format, header = _workbook_cell(case, tmp_path / "division")
    assert value == float(case.csv)  # the rounded figure, no float noise behind the cell
    assert excel_shows(value, number_format) == case.cell
    if case.unit not in INDICATOR_UNITS:  # indicator tables name each row's unit instead
        assert header.endswith(f"({case.header})")
