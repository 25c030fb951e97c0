"""Hostile and odd text, markers and small-number suppression, from a raw file to every
output of the pack (tidy table, CSV, HTML, workbook)."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from kassanalysis import cli
from kassanalysis import io as kio
from kassanalysis.build import run_build

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
SCRIPT = "<script>alert('x')</script> Ashford"
FORMULA = '=HYPERLINK("http://evil.example","click")'
ODD = "Dover \x1b[31m & Тест 🙂 +1"
LONG = "Maidstone " + "very long locality name " * 20
AT = "@SUM(A1:A9) Dartford"
MINUS = "-2+3 South West"
PLUS = "+cmd Older People"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> kio.ProjectPaths:
    root = tmp_path_factory.mktemp("hostile")
    for folder in ("data/raw", "data/reference", "notebooks"):
        shutil.copytree(ROOT / folder, root / folder)
    (root / "pack.yml").write_text(
        (ROOT / "pack.yml")
        .read_text()
        .replace("notebooks: [comparator, trend, variance]", "notebooks: [variance]")
    )
    table = root / "data/raw/kent-oppd-2013-14/financial-resources.txt"
    text = table.read_text(encoding="utf-8")
    for printed, hostile_name in (
        ("Ashford &", SCRIPT),
        ("Canterbury &", FORMULA),
        ("Dover &", ODD),
        ("Maidstone &", LONG),
        ("Dartford,", AT),
        ("South West", MINUS),
        ("Older People", PLUS),
    ):
        text = text.replace(printed + "\t", hostile_name + "\t", 1)
    table.write_text(text, encoding="utf-8")
    # a count of 3 people in the quarterly return: to be suppressed in every output
    quarterly = root / "data/raw/quarterly/kent-oppd-2013-14-Q1.indicators.csv"
    quarterly.write_text(
        quarterly.read_text().replace(
            "KCC-ACT-PDRES,2013-14 Q1,actual,238", "KCC-ACT-PDRES,2013-14 Q1,actual,3"
        )
    )
    paths = kio.ProjectPaths(root)
    run_build(paths)
    assert (
        cli.main(
            [
                "--root",
                str(root),
                "report",
                "--no-progress",
                "--period",
                "2013-14 Q1",
                "--division",
                "oppd-2013-14",
            ]
        )
        == 0
    )
    return paths


def _number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def html_row(html: str, name: str) -> list[str]:
    """The cells of the one table row of ``html`` that names ``name``."""
    rows = [r for r in re.findall(r"<tr>.*?</tr>", html, flags=re.S) if name in r]
    assert len(rows) == 1, rows
    return [cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", rows[0], flags=re.S)]


def pack(paths: kio.ProjectPaths) -> Path:
    return paths.root / "reports" / "2013-14-Q1" / "oppd-2013-14"


def test_tidy_table_keeps_the_text_exactly(hostile):
    lines = pd.read_parquet(hostile.processed / "budget_lines.parquet")
    names = set(lines.line_name)
    for name in (FORMULA, " ".join(LONG.split())):
        assert any(n.startswith(name) for n in names)
    assert any(n.startswith(SCRIPT) for n in names)
    assert any("Тест 🙂" in n and "\x1b" in n for n in names)  # kept as published


def test_csv_neutralises_formulas_and_keeps_the_text(hostile):
    path = pack(hostile) / "variance" / "tables" / "localities.csv"
    content = path.read_text(encoding="utf-8")
    assert "'" + FORMULA.replace('"', '""') in content  # prefixed: no spreadsheet runs it
    # no cell a spreadsheet would run: every text cell starting = + - @ (or tab, CR) is
    # prefixed, whatever quoting the CSV writer added
    with path.open(encoding="utf-8", newline="") as f:
        cells = [cell for row in csv.reader(f) for cell in row]
    runnable = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r") and not _number(c)]
    assert runnable == []
    for text in (AT, MINUS, PLUS):  # every formula trigger is neutralised the same way
        assert "'" + text in content
    assert SCRIPT in content  # CSV is not HTML: the same visible text
    assert "\x1b" not in content  # control characters cleaned from outputs


def test_html_escapes_everything_and_loads_nothing(hostile):
    html = (pack(hostile) / "variance.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(" in html  # shown as text (tables, alt text, captions)
    assert "Тест 🙂" in html
    assert not re.search(r'<(script|link)[^>]+(src|href)="https?://', html)
    index = (hostile.root / "reports" / "2013-14-Q1" / "index.html").read_text()
    assert "<script>alert" not in index


def test_workbook_cells_are_text_not_formulas(hostile):
    book = openpyxl.load_workbook(pack(hostile) / "oppd-2013-14-tables.xlsx")
    cells = [
        c
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str)
    ]
    formula = [c for c in cells if c.value.startswith(FORMULA)]  # + the wrapped " Swale Locality"
    assert formula and all(c.data_type == "s" for c in formula)
    assert any(c.value.startswith(SCRIPT) for c in cells)
    for text in (AT, MINUS, PLUS):
        hits = [c for c in cells if c.value.startswith(text)]
        assert hits and all(c.data_type == "s" for c in hits)
    assert not any("\x1b" in c.value for c in cells)
    assert {"Cover", "Contents", "Notes"} <= set(book.sheetnames)
    assert not any(ws.merged_cells.ranges for ws in book.worksheets)
    cover = " ".join(str(c.value) for row in book["Cover"].iter_rows() for c in row if c.value)
    assert "[c]" in cover and "[x]" in cover


def test_small_count_is_suppressed_everywhere(hostile):
    # The tidy table keeps the published 3 ...
    obs = pd.read_parquet(hostile.processed / "indicator_observations.parquet")
    q1 = obs[
        (obs.indicator_id == "KCC-ACT-PDRES")
        & (obs.period == "2013-14 Q1")
        & (obs.value_type == "actual")
    ]
    assert q1.value.tolist() == [3.0]
    # ... but no report shows it: the activity table falls back to the last published
    # figure and says why; the trend table shows the quarter as suppressed.
    activity = pd.read_csv(pack(hostile) / "variance" / "tables" / "activity.csv")
    row = activity[activity.indicator_id == "KCC-ACT-PDRES"].iloc[0]
    # the plan's activity table, line 8: 2012/13 outturn 245, December 2012 235; the
    # outturn period ends later (31 March 2013), so it is the latest published
    assert (row.latest_period, row.latest) == ("2012-13", 245)
    assert row.note == (
        "the 2013-14 Q1 actual is suppressed [c]; showing the latest published, 2012-13"
    )
    html = (pack(hostile) / "variance.html").read_text(encoding="utf-8")
    name = "People with a physical disability in permanent residential care"
    rows = [r for r in re.findall(r"<tr>.*?</tr>", html, flags=re.S) if name in r]
    assert rows and all("2013-14 Q1" not in r for r in rows)  # the Q1 count is not shown
    book = openpyxl.load_workbook(pack(hostile) / "oppd-2013-14-tables.xlsx")
    sheet = book["Activity"]  # the activity table's sheet (readable name, issue 15)
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    pdres = next(r for r in values if "KCC-ACT-PDRES" in r)
    assert 3 not in pdres and "2013-14 Q1" not in pdres


def test_missing_values_carry_the_marker_in_every_format(hostile):
    rag = pd.read_csv(pack(hostile) / "variance" / "tables" / "rag.csv", dtype=str)
    stnfs = rag[rag.indicator_id == "KCC-OPPD-STNFS"].iloc[0]
    assert stnfs.actual == "[x]" and stnfs.target == "[x]"  # TBC is not zero
    html = (pack(hostile) / "variance.html").read_text(encoding="utf-8")
    # the return's line 12 gives the Q1 actual as TBC (every page also prints "[x]" in its
    # shorthand note, so the row itself is checked): actual, target, floor and gap are [x]
    name = "Short-term intervention with no further service for new clients"
    cells = html_row(html, name)
    assert cells[:9] == [name, "2013-14 Q1", "[x]", "%", "[x]", "[x]", "[x]", "No data", "[x]"]
    assert cells[-1] == "12"
    book = openpyxl.load_workbook(pack(hostile) / "oppd-2013-14-tables.xlsx")
    sheet = book["Performance against target"]  # the RAG table (readable name, issue 15)
    assert any(c.value == "[x]" for row in sheet.iter_rows() for c in row)


def test_values_built_on_a_suppressed_numerator_are_suppressed(tmp_path):
    """ASCOF 1E for all England councils: some numerators are 1 to 4. Their value, interval,
    rank and distance from the median would give the count back, so all show [c]."""
    import kassanalysis.report as kr

    ctx = kr.open_context(
        division="learning-disability-2008-09",
        period="2008-09",
        comparator_group="all-england",
        output_dir=str(tmp_path),
    )
    kr.comparator_details(ctx)
    table = pd.read_csv(tmp_path / "tables" / "comparator-ascof-1e.csv", dtype=str)
    # ASCOF 2020-21 open data, 1E numerators: 2 for Kingston upon Hull, 4 for Blackburn with
    # Darwen and for Merton are in the 1-4 range; 0 (Hammersmith and Fulham, City of London)
    # is not, and stays visible
    small = table[table.numerator == "[c]"]
    assert set(small.authority_code) == {"E06000010", "E06000008", "E09000024"}
    zero = table[table.authority_code.isin(["E09000013", "E09000001"])]
    assert list(zero.numerator) == ["0", "0"] and "[c]" not in set(zero.value)
    for column in ("value", "lower_95", "upper_95", "mads_from_england_median", "rank"):
        assert set(small[column]) == {"[c]"}, column
