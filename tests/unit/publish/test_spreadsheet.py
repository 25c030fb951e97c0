"""Accessible workbook written by kassanalysis.publish.spreadsheet, read back with openpyxl."""

from pathlib import Path

import gptables
import openpyxl
import pandas as pd
import pytest

from kassanalysis.publish import spreadsheet
from kassanalysis.publish.disclosure import MARKER_EXPLANATIONS, SuppressionRule
from kassanalysis.publish.spreadsheet import TableSpec, write_accessible_workbook

# gptables 2.0.2 itself uses pandas APIs deprecated for pandas 4 (inplace sort_index,
# the copy keyword, future.no_silent_downcasting); not ours to fix here.
pytestmark = pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning:gptables")

EVIL_FORMULA = "=1+1"
EVIL_HYPERLINK = '=HYPERLINK("http://evil","x")'
MARKDOWN_LINK = "[click me](http://evil.example)"
CYRILLIC = "ТВС"  # deliberate homoglyphs of Latin "TBC"
RULE = SuppressionRule()


def _locality_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Locality": [CYRILLIC, EVIL_FORMULA, EVIL_HYPERLINK, MARKDOWN_LINK, "North\x07"],
            "People": [12, "[c]", "[x]", 30, 41],
            "Rate": [1.5, "[c]", "[x]", 2.25, 3.0],
        }
    )


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> tuple[Path, openpyxl.Workbook]:
    folder = tmp_path_factory.mktemp("pack")
    tables = [
        TableSpec(
            sheet_name="Table 1",
            title="Table 1: People receiving long-term support, by locality",
            table=_locality_table(),
            subtitles=["April to June 2025"],
            units={"People": "number", "Rate": "per 10,000 adults"},
            note_ids=["coverage"],
        ),
        TableSpec(
            sheet_name="Table 2",
            title="Table 2: Spend by budget line",
            table=pd.DataFrame({"Budget line": ["Day care", "-2+3"], "Spend": [1500.5, -20.0]}),
            units={"Spend": "£ thousands"},
            source="General ledger",
        ),
    ]
    path = write_accessible_workbook(
        tables,
        folder / "pack.xlsx",
        cover_title="Adult social care performance",
        period="April to June 2025",
        source="Adult social care client records",
        contact="Performance team, performance@example.org",
        published="29 November 2026",
        next_update="March 2027",
        rule=RULE,
        notes={"coverage": "Figures cover adults aged 18 and over."},
    )
    return path, openpyxl.load_workbook(path)


def _cells(sheet) -> list:
    return [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]


def _texts(sheet) -> list[str]:
    return [cell.value for cell in _cells(sheet) if isinstance(cell.value, str)]


def _table_rows(sheet, first_header: str) -> list[list]:
    """Rows of the table from its header row down, as cell objects."""
    rows = list(sheet.iter_rows())
    start = next(i for i, row in enumerate(rows) if row[0].value == first_header)
    return [list(row) for row in rows[start:]]


def test_sheets_are_cover_contents_notes_then_tables_in_order(workbook):
    path, book = workbook
    assert book.sheetnames == ["Cover", "Contents", "Notes", "Table 1", "Table 2"]
    assert path.name == "pack.xlsx"
    assert [p.name for p in path.parent.iterdir()] == ["pack.xlsx"]  # no partial file left


def test_no_merged_cells_anywhere(workbook):
    _, book = workbook
    assert all(not sheet.merged_cells.ranges for sheet in book.worksheets)


def test_cover_states_rule_markers_period_source_and_contact(workbook):
    _, book = workbook
    cover = _texts(book["Cover"])
    assert cover[0] == "Adult social care performance"
    assert RULE.describe() in cover
    assert MARKER_EXPLANATIONS["[c]"] in cover
    assert MARKER_EXPLANATIONS["[x]"] in cover
    assert "Period covered: April to June 2025" in cover
    assert "Source: Adult social care client records" in cover
    assert "Published: 29 November 2026" in cover
    assert "Next update: March 2027" in cover
    assert "Performance team, performance@example.org" in cover
    assert not any("placeholder" in text for text in cover)
    assert book.properties.title == "Adult social care performance"


def test_contents_lists_each_table(workbook):
    _, book = workbook
    rows = _table_rows(book["Contents"], "Sheet name")
    assert [row[0].value for row in rows[1:]] == ["Table 1", "Table 2"]
    assert rows[2][1].value == "Table 2: Spend by budget line"


def test_notes_sheet_holds_user_notes_and_the_shorthand_note(workbook):
    _, book = workbook
    rows = _table_rows(book["Notes"], "Note number")
    assert [[cell.value for cell in row] for row in rows[:2]] == [
        ["Note number", "Note text"],
        [1, "Figures cover adults aged 18 and over."],
    ]
    assert rows[2][0].value == 2
    assert RULE.describe() in rows[2][1].value


def test_table_sheet_has_title_notes_instruction_legend_and_source(workbook):
    _, book = workbook
    texts = _texts(book["Table 1"])
    assert texts[0] == "Table 1: People receiving long-term support, by locality [note 1]"
    assert texts[1] == "April to June 2025"
    assert texts[2].startswith("This worksheet contains one table.")
    assert texts[2].endswith("Shorthand is explained in [note 2]")
    assert MARKER_EXPLANATIONS["[c]"] in texts
    assert MARKER_EXPLANATIONS["[x]"] in texts
    assert "Source: Adult social care client records" in texts
    assert "Source: General ledger" in _texts(book["Table 2"])


def test_column_headers_include_units(workbook):
    _, book = workbook
    header = [cell.value for cell in _table_rows(book["Table 1"], "Locality")[0]]
    assert header == ["Locality", "People\n(number)", "Rate\n(per 10,000 adults)"]
    header = [cell.value for cell in _table_rows(book["Table 2"], "Budget line")[0]]
    assert header == ["Budget line", "Spend\n(£ thousands)"]


def test_markers_and_numbers_land_where_expected(workbook):
    _, book = workbook
    body = [[cell.value for cell in row] for row in _table_rows(book["Table 1"], "Locality")[1:]]
    assert [row[1:] for row in body] == [
        [12, 1.5],
        ["[c]", "[c]"],
        ["[x]", "[x]"],
        [30, 2.25],
        [41, 3],
    ]
    spend = [row[1].value for row in _table_rows(book["Table 2"], "Budget line")[1:]]
    assert spend == [1500.5, -20]


@pytest.mark.parametrize("text", [EVIL_FORMULA, EVIL_HYPERLINK])
def test_formula_text_is_stored_as_a_string(workbook, text):
    _, book = workbook
    matches = [cell for cell in _cells(book["Table 1"]) if cell.value == text]
    assert len(matches) == 1
    assert matches[0].data_type == "s"


def test_text_keeps_its_visible_form(workbook):
    _, book = workbook
    sheet = book["Table 1"]
    labels = [row[0] for row in _table_rows(sheet, "Locality")[1:]]
    assert [cell.value for cell in labels] == [
        CYRILLIC,
        EVIL_FORMULA,
        EVIL_HYPERLINK,
        MARKDOWN_LINK,  # gptables would otherwise turn this into a hyperlink
        "North",  # control character removed
    ]
    assert all(cell.data_type == "s" for cell in labels)
    assert all(cell.hyperlink is None for cell in _cells(sheet))
    assert "-2+3" in _texts(book["Table 2"])


def test_workbook_options_turn_off_string_conversion():
    assert spreadsheet.WORKBOOK_OPTIONS == {
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    }


def _one_table(frame: pd.DataFrame) -> list[TableSpec]:
    return [TableSpec("Table 1", "Table 1: Test", frame)]


def _write(tables, path, **overrides):
    arguments = {
        "cover_title": "Pack",
        "period": "Q1",
        "source": "Records",
        "contact": "Team",
        "rule": RULE,
    }
    arguments.update(overrides)
    return write_accessible_workbook(tables, path, **arguments)


@pytest.mark.parametrize(
    ("frame", "overrides", "message"),
    [
        (pd.DataFrame({"Area": ["A"], "People": [float("nan")]}), {}, "apply_markers"),
        (pd.DataFrame({"Area": ["A"], "People": [float("inf")]}), {}, "infinite"),
        (pd.DataFrame({"Area": ["  "], "People": [1]}), {}, "blank text"),
        (pd.DataFrame({"Area": ["A"], "People": ["[c]"]}), {"rule": None}, "rule is None"),
        (pd.DataFrame({"People": [1]}, index=["A"]), {}, "reset_index"),
        (pd.DataFrame({"Area": ["A"]}), {"contact": " "}, "contact must be given"),
    ],
)
def test_unpublishable_tables_are_refused(tmp_path, frame, overrides, message):
    with pytest.raises(ValueError, match=message):
        _write(_one_table(frame), tmp_path / "pack.xlsx", **overrides)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("tables", "message"),
    [
        ([TableSpec("Notes", "T", pd.DataFrame({"A": ["a"]}))], "reserved"),
        ([TableSpec("A" * 32, "T", pd.DataFrame({"A": ["a"]}))], "31 characters"),
        ([TableSpec("Q1/Q2", "T", pd.DataFrame({"A": ["a"]}))], "must not contain"),
        ([TableSpec("T", "T", pd.DataFrame({"A": ["a"]}), note_ids=["nope"])], "not in notes"),
        ([TableSpec("T", "T", pd.DataFrame({"A $$x$$": ["a"]}))], "note reference"),
        (
            [
                TableSpec("Same", "T", pd.DataFrame({"A": ["a"]})),
                TableSpec("same", "T", pd.DataFrame({"A": ["a"]})),
            ],
            "used twice",
        ),
    ],
)
def test_bad_specs_are_refused(tmp_path, tables, message):
    with pytest.raises(ValueError, match=message):
        _write(tables, tmp_path / "pack.xlsx")


def test_failure_leaves_existing_file_untouched_and_no_partial_file(tmp_path, monkeypatch):
    target = tmp_path / "pack.xlsx"
    target.write_bytes(b"previous release")
    real_produce = gptables.produce_workbook

    def produce_then_fail(*args, **kwargs):
        workbook = real_produce(*args, **kwargs)
        workbook.close()  # the temporary file now exists on disk
        raise RuntimeError("disk full")

    monkeypatch.setattr(spreadsheet.gpt, "produce_workbook", produce_then_fail)
    with pytest.raises(RuntimeError, match="disk full"):
        _write(_one_table(pd.DataFrame({"A": ["a"]})), target)
    assert target.read_bytes() == b"previous release"
    assert [p.name for p in tmp_path.iterdir()] == ["pack.xlsx"]


def test_success_replaces_an_existing_file(tmp_path):
    target = tmp_path / "pack.xlsx"
    target.write_bytes(b"previous release")
    _write(_one_table(pd.DataFrame({"A": ["a"], "B": [1]})), target, notes=None)
    assert openpyxl.load_workbook(target).sheetnames == ["Cover", "Contents", "Notes", "Table 1"]


def test_metadata_text_is_literal_too(tmp_path):
    # Titles, notes and cover text can also come from data (a council name).
    tables = [
        TableSpec("Table 1", EVIL_HYPERLINK, pd.DataFrame({"A": [CYRILLIC]}), note_ids=["n1"])
    ]
    path = _write(
        tables,
        tmp_path / "pack.xlsx",
        cover_title=EVIL_FORMULA,
        contact=MARKDOWN_LINK,
        notes={"n1": CYRILLIC},
    )
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        assert all(cell.data_type in ("s", "n") for cell in _cells(sheet))
    assert _texts(book["Cover"])[0] == EVIL_FORMULA
    assert MARKDOWN_LINK in _texts(book["Cover"])
    assert _texts(book["Table 1"])[0] == EVIL_HYPERLINK + " [note 1]"
    assert CYRILLIC in _texts(book["Notes"])


def test_text_over_the_excel_cell_limit_is_cut_and_the_sheet_says_where(tmp_path):
    # one odd value must not sink the pack: 40,000 characters, Excel holds 32,767
    frame = pd.DataFrame({"Area": ["North", "y" * 40_000], "People": [1, 2]})
    book = openpyxl.load_workbook(_write(_one_table(frame), tmp_path / "pack.xlsx"))
    texts = _texts(book["Table 1"])
    (cut,) = [t for t in texts if t.startswith("yyy")]
    assert len(cut) == 32_767 and cut.endswith("[text cut: longer than an Excel cell holds]")
    assert any("was cut at row 2, column 'Area'" in t for t in texts)


def test_double_dollars_in_titles_are_written_as_they_are(tmp_path):
    # gptables reads $$x$$ as a note reference; a division called "A $$ B" is just a name
    spec = TableSpec(
        "T", "Costs $$x$$ for A $$ B", pd.DataFrame({"A": ["a"]}), subtitles=["A $$ B, Q1"]
    )
    book = openpyxl.load_workbook(_write([spec], tmp_path / "pack.xlsx", cover_title="A $$ B"))
    assert _texts(book["T"])[:2] == ["Costs $$x$$ for A $$ B", "A $$ B, Q1"]
    assert _texts(book["Cover"])[0] == "A $$ B"
    assert "Costs $$x$$ for A $$ B" in _texts(book["Contents"])


def test_number_formats_by_column_and_by_row(tmp_path):
    frame = pd.DataFrame(
        {"Indicator": ["A", "B"], "Value": [75.44, 1452.0], "Spend": [1500.5, "[x]"]}
    )
    spec = TableSpec(
        "T",
        "T",
        frame,
        number_formats={"Value": ["0.0", "#,##0"], "Spend": "£#,##0.0"},
    )
    sheet = openpyxl.load_workbook(_write([spec], tmp_path / "pack.xlsx"))["T"]
    rows = _table_rows(sheet, "Indicator")
    assert [(c.value, c.number_format) for c in rows[1][1:]] == [
        (75.44, "0.0"),
        (1500.5, "£#,##0.0"),
    ]
    assert [(c.value, c.number_format) for c in rows[2][1:]] == [
        (1452, "#,##0"),
        ("[x]", "£#,##0.0"),
    ]
