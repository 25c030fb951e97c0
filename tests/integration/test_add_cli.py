"""``kass add``: check a file, copy it unchanged into data/raw/FOLDER, append its catalogue
entry (the catalogue's existing text, comments included, kept as it was), so the next build
reads it. Never overwrites a different file; never adds a file with errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from kassanalysis import cli
from kassanalysis import io as kio
from kassanalysis.build import build_tables

pytestmark = pytest.mark.integration

CASES = Path(__file__).resolve().parents[1] / "fixtures" / "cases"
BUDGET_CSV = CASES / "budget-csv" / "budget.csv"
OPTIONS = ("--kind", "budget_table", "--authority", "E10000016", "--year", "2023-24")


def add(root: Path, file: Path, *options: str) -> int:
    return cli.main(["--root", str(root), "add", str(file), *options])


def with_comment(root: Path) -> str:
    catalogue = root / "data" / "raw" / kio.CATALOGUE
    text = "# kept: an analyst's note\n" + catalogue.read_text(encoding="utf-8")
    catalogue.write_text(text, encoding="utf-8")
    return text


def test_add_copies_catalogues_and_the_build_reads_it(small_project, capsys):
    before = with_comment(small_project)

    status = add(small_project, BUDGET_CSV, *OPTIONS, "--unit", "Adults", "--folder", "others")

    printed = capsys.readouterr().out
    assert status == 0, printed
    assert "added others/budget.csv" in printed
    raw = small_project / "data" / "raw"
    assert (raw / "others" / "budget.csv").read_bytes() == BUDGET_CSV.read_bytes()
    after = (raw / kio.CATALOGUE).read_text(encoding="utf-8")
    assert after.startswith(before)  # appended: comments and layout untouched
    # the mini project's catalogue writes list items at column 0; the entry follows suit
    assert after[len(before) :].startswith(
        "\n- id: others-budget\n  file: others/budget.csv\n  kind: budget_table\n"
    )
    entry = next(e for e in kio.read_catalogue(raw) if e.id == "others-budget")
    assert (entry.financial_year, entry.unit, entry.authority) == ("2023-24", "Adults", "E10000016")

    result = build_tables(kio.ProjectPaths(small_project))
    lines = result.tables["budget_lines"]
    added = lines[lines.source_file == "others/budget.csv"]
    # budget.csv: 3 rows (Older People, Learning Disability, Total) x 3 measures
    assert len(added) == 9
    total = added[(added.row_type == "total") & (added.measure == "net_expenditure")]
    assert total.value.tolist() == [100.0]


def test_add_never_overwrites_a_different_file(small_project, capsys):
    target = small_project / "data" / "raw" / "others" / "budget.csv"
    target.parent.mkdir(parents=True)
    target.write_text("Service,Net Expenditure\nA,1\nTotal,1\n", encoding="utf-8")
    catalogue = (small_project / "data" / "raw" / kio.CATALOGUE).read_text(encoding="utf-8")

    status = add(small_project, BUDGET_CSV, *OPTIONS, "--folder", "others")

    assert status == 1
    assert "a different file is already there; not overwritten" in capsys.readouterr().out
    assert target.read_text(encoding="utf-8").startswith("Service,Net Expenditure\nA,1")
    assert (small_project / "data" / "raw" / kio.CATALOGUE).read_text(encoding="utf-8") == catalogue


def test_add_refuses_a_file_with_errors(small_project, capsys):
    file = CASES / "xlsx-as-text-kind" / "tiny.xlsx"

    status = add(small_project, file, "--kind", "comparator_table")

    assert status == 1
    assert not (small_project / "data" / "raw" / "added" / "tiny.xlsx").exists()


def test_add_recognises_the_kind(small_project, capsys):
    status = add(small_project, BUDGET_CSV, "--year", "2023-24", "--unit", "Adults")

    printed = capsys.readouterr().out
    assert status == 0, printed
    assert printed.startswith("kind: budget_table (recognised: its header names money columns")
    assert (small_project / "data" / "raw" / "added" / "budget.csv").is_file()


def test_cli_never_shows_a_traceback(small_project, monkeypatch, capsys):
    from kassanalysis import check

    def broken(*args, **kwargs):
        raise RuntimeError("something unforeseen")

    monkeypatch.setattr(check, "inspect_file", broken)
    status = cli.main(["--root", str(small_project), "check", str(BUDGET_CSV)])

    err = capsys.readouterr().err
    assert status == 1
    assert err.strip() == (
        "kass check: RuntimeError: something unforeseen (run with -v for details)"
    )


def test_build_with_a_broken_catalogue_is_one_message_not_a_traceback(small_project, capsys):
    catalogue = small_project / "data" / "raw" / kio.CATALOGUE
    catalogue.write_text(
        catalogue.read_text(encoding="utf-8") + "- id: x\n  file: x.txt\n  kind: budget_tabel\n",
        encoding="utf-8",
    )

    status = cli.main(["--root", str(small_project), "build"])

    err = capsys.readouterr().err
    # a catalogue problem is a configuration error: exit 2, one line naming file, table, field
    assert status == 2
    assert err.splitlines() == [
        f"kass build: {catalogue}: table 'x': field 'kind': unknown kind 'budget_tabel'; "
        "known kinds: budget_table, kpi_table, comparator_table, banding_table, "
        "target_statements, stated_figures, oflog_outcomes, nearest_neighbours, "
        "ascof_open_data, ons_mye2, ons_mye_series, quarterly_return, indicator_export, asc_fr, "
        "deprivation"
    ]
