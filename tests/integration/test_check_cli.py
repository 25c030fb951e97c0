"""``kass check``: read one new raw file as the build would, summarise it, list its problems.

Run through :func:`kassanalysis.cli.main` (which returns the exit status) with ``--root`` set
to the mini project, whose ``data/reference`` supplies the measures and indicators. Exit
status: 0 clean, 1 any problem (the tidy CSV is written only when there are no errors), 2 bad
arguments.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from kassanalysis import cli

pytestmark = pytest.mark.integration

RAW = Path(__file__).resolve().parents[2] / "data" / "raw"
BROKEN = Path(__file__).resolve().parents[1] / "fixtures" / "broken"
PPQA = RAW / "kent-hq-2008-09" / "budget-ppqa.txt"


def incoming(tmp_path: Path, source: Path, name: str | None = None) -> Path:
    """An uncatalogued copy of a raw file, as an analyst would receive it."""
    folder = tmp_path / "incoming"
    folder.mkdir(exist_ok=True)
    return Path(shutil.copy2(source, folder / (name or source.name)))


def check(root: Path, file: Path, *options: str) -> int:
    return cli.main(["--root", str(root), "check", str(file), *options])


BUDGET_OPTIONS = ("--kind", "budget_table", "--authority", "E10000016", "--year", "2008-09")


def test_check_clean_table_prints_summary_and_writes_out(small_project, tmp_path, capsys):
    file = incoming(tmp_path, PPQA, "ppqa-2008-09.txt")
    out = tmp_path / "out.csv"

    status = check(small_project, file, *BUDGET_OPTIONS, "--unit", "PPQA", "--out", str(out))

    assert status == 0
    printed = capsys.readouterr().out
    # PPQA lines 6-8 and 10-13: 7 printed rows x 11 value columns
    assert "77 rows of budget_lines" in printed
    assert "financial years: 2007-08, 2008-09" in printed
    # sums of the two budget lines (6 and 7): 2670.2 + 451.8, 3088.5 + 585.2, -141.4 - 1.8
    assert "2008-09 employee_costs: 3,122.0" in printed
    assert "2008-09 gross_expenditure: 3,673.7" in printed
    assert "2008-09 external_income: -143.2" in printed
    assert "no problems found" in printed
    assert f"wrote {out}" in printed
    tidy = pd.read_csv(out)
    assert len(tidy) == 77
    assert set(tidy.unit) == {"PPQA"} and set(tidy.authority_code) == {"E10000016"}
    cell = tidy[(tidy.source_line == 6) & (tidy.measure == "employee_costs")]
    assert cell.value.tolist() == [2670.2]
    assert set(tidy.source_file) == {str(file)}


def test_check_catalogued_file_uses_its_catalogue_entry(small_project, tmp_path, capsys):
    # Older Persons needs the catalogue's columns_after_break for the rows after line 38
    file = small_project / "data" / "raw" / "kent-hq-2008-09" / "budget-older-persons.txt"
    out = tmp_path / "older.csv"

    status = check(small_project, file, "--kind", "budget_table", "--out", str(out))

    printed = capsys.readouterr().out
    assert status == 0, printed
    # the lines add up to the published TOTAL SERVICES FOR OLDER PERSONS (line 54)
    assert "2008-09 gross_expenditure: 17,816.0" in printed
    tidy = pd.read_csv(out)
    assert set(tidy.unit) == {"Older Persons"}
    line49 = tidy[(tidy.source_line == 49) & (tidy.measure == "employee_costs")]
    assert line49.value.tolist() == [1064.0]


@pytest.mark.parametrize(
    ("name", "kind", "line", "phrase"),
    [
        ("text-in-number.txt", "budget_table", 7, "'12O.5' in column 6 (running_costs)"),
        ("unknown-measure.txt", "budget_table", 4, "Widget Costs £'000"),
        ("missing-column.txt", "budget_table", 1, "no line-name column"),
        ("unparseable-period.txt", "kpi_table", 1, "'2005/07' is not two consecutive years"),
    ],
)
def test_check_broken_file_names_the_line_and_writes_nothing(
    small_project, tmp_path, capsys, name, kind, line, phrase
):
    file = incoming(tmp_path, BROKEN / name)
    out = tmp_path / "out.csv"
    options = BUDGET_OPTIONS[2:] if kind == "budget_table" else ()

    status = check(small_project, file, "--kind", kind, *options, "--out", str(out))

    assert status == 1
    printed = capsys.readouterr().out
    assert f"[error] {file}, line {line}: " in printed
    assert phrase in printed
    assert f"not writing {out}" in printed
    assert not out.exists()


def test_check_findings_only_exits_1_but_writes_out(small_project, tmp_path, capsys):
    file = incoming(tmp_path, BROKEN / "totals-do-not-add-up.txt")
    out = tmp_path / "out.csv"

    status = check(small_project, file, *BUDGET_OPTIONS, "--out", str(out))

    assert status == 1
    printed = capsys.readouterr().out
    assert f"[finding] {file}, line 8: 'TOTAL PERF, CONTRACTING & PLANNING UNIT'" in printed
    assert "[error]" not in printed
    tidy = pd.read_csv(out)
    kept = tidy[(tidy.source_line == 8) & (tidy.measure == "employee_costs")]
    assert kept.value.tolist() == [3132.0]  # as published


def test_check_unknown_kind_exits_2(small_project, tmp_path, capsys):
    file = incoming(tmp_path, PPQA)
    out = tmp_path / "out.csv"

    status = check(small_project, file, "--kind", "widget_table", "--out", str(out))

    assert status == 2
    assert "unknown kind 'widget_table'" in capsys.readouterr().out
    assert not out.exists()


def test_check_missing_file_exits_2(small_project, tmp_path, capsys):
    status = check(small_project, tmp_path / "nowhere.txt", "--kind", "budget_table")

    assert status == 2
    assert "no such file" in capsys.readouterr().out


def test_check_without_kind_recognises_a_budget_table(small_project, capsys):
    # Without --kind the header's money columns (Employee Costs, Gross Expenditure...) say
    # budget_table; the read is then the same as with --kind (77 cells, see above).
    status = cli.main(["--root", str(small_project), "check", str(PPQA)])

    printed = capsys.readouterr().out
    assert status == 0
    assert printed.startswith("kind: budget_table (recognised: its header names money columns")
    assert "77 rows of budget_lines" in printed


def test_check_without_kind_lists_nothing_it_cannot_tell(small_project, tmp_path, capsys):
    # A headerless fragment (the second page of a table) cannot be told from its content.
    file = tmp_path / "part.txt"
    file.write_text("| 0.0 | 46M | Group Homes | 0.0 |\n| 0.0 | 46R | Unstaffed | 0.0 |\n")

    status = cli.main(["--root", str(small_project), "check", str(file)])

    assert status == 2
    assert "not recognised as any kind; give --kind" in capsys.readouterr().out
