"""The file options of ``kass check`` / ``kass add`` travel as one :class:`FileOptions`,
and a file outside the catalogue is for the project's own council (``home_authority`` in
``data/reference/divisions.yml``), not a code written into the program."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import pytest

from kassanalysis import cli
from kassanalysis.check import FileOptions, inspect_file

pytestmark = pytest.mark.integration

CASES = Path(__file__).resolve().parents[1] / "fixtures" / "cases"
BUDGET_CSV = CASES / "budget-csv" / "budget.csv"


def with_home(root: Path, code: str) -> Path:
    divisions = root / "data" / "reference" / "divisions.yml"
    text = divisions.read_text(encoding="utf-8")
    assert "home_authority: E10000016" in text  # the bundled file names Kent
    divisions.write_text(text.replace("home_authority: E10000016", f"home_authority: {code}"))
    return root


def test_a_loose_file_is_for_the_projects_home_council(small_project, tmp_path):
    # Lancashire (E10000017) as the home council: a budget table given no --authority
    root = with_home(small_project, "E10000017")
    options = FileOptions(kind="budget_table", year="2023-24", unit="Adults")

    result = inspect_file(BUDGET_CSV, options, root=root)

    assert result.failure is None, result.failure
    assert result.entry.authority == "E10000017"
    lines = result.frames["budget_lines"]
    assert not lines.empty and set(lines["authority_code"]) == {"E10000017"}


def test_authority_given_wins_over_the_home_council(small_project):
    root = with_home(small_project, "E10000017")
    options = FileOptions(kind="budget_table", year="2023-24", authority="E10000032")

    result = inspect_file(BUDGET_CSV, options, root=root)

    assert result.entry.authority == "E10000032"


def test_a_broken_divisions_file_is_one_line_not_a_traceback(small_project, capsys):
    (small_project / "data" / "reference" / "divisions.yml").write_text("divisions: []\n")

    status = cli.main(
        ["--root", str(small_project), "check", str(BUDGET_CSV), "--kind", "budget_table"]
    )

    out = capsys.readouterr().out.strip().splitlines()
    assert status == 1
    assert out[-1].startswith(f"{BUDGET_CSV}: ") and "home_authority" in out[-1]
    assert "missing" in out[-1]


@pytest.mark.parametrize("command", ["check", "add"])
def test_every_file_option_of_the_command_line_is_a_field_of_file_options(command):
    parser = cli.make_parser()
    args = parser.parse_args(
        [command, "f.csv", "--kind", "budget_table", "--authority", "E10000032", "--year",
         "2023-24", "--units", "GBP millions", "--unit", "Adults", "--columns", "label,a",
         "--income-sign", "positive"]
    )  # fmt: skip

    options = FileOptions.from_args(args)

    assert options == FileOptions(
        kind="budget_table",
        authority="E10000032",
        year="2023-24",
        units="GBP millions",
        unit="Adults",
        columns="label,a",
        income_sign="positive",
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.kind = "kpi_table"  # built once, passed as it is


def test_from_args_ignores_other_attributes_and_defaults_missing_ones():
    options = FileOptions.from_args(argparse.Namespace(year="2019-20", out="x.csv", id="a"))

    assert options == FileOptions(year="2019-20")
