"""Never succeed on empty input: a catalogued file that reads as zero data rows fails
``kass build`` and ``kass report`` (and ``kass check``) naming the file, and leaves
``data/processed`` and ``reports`` as they were. (A division with no rows for the pack's
period is the pack planner's concern, tested with it.)"""

from __future__ import annotations

import pytest

from kassanalysis import cli
from tests.faults.conftest import tree_hash

pytestmark = pytest.mark.faults
STAFFING = "kent-hq-2008-09/staffing-fte.txt"
HEADER = "| Policy, Performance & Quality Assurance | 2007/08 | 2008/09 |\n"
RULE = "|---|----------------|----------------|\n"

#: what is left of the table, and the start of what the build must say about it
EMPTIED = {
    "empty file": ("", ": is an empty file; budget_table reads a budget table"),
    "blank lines": ("\n\n   \n", ": is an empty file; budget_table reads a budget table"),
    "header only": (HEADER, ": is plain text with no table (1 non-blank lines); budget_table"),
    "header and rule": (HEADER + RULE, ", line 1: no budget lines and no total row"),
}


def _empty(paths, case: str) -> str:
    text, message = EMPTIED[case]
    (paths.raw / STAFFING).write_text(text, encoding="utf-8")
    return message


@pytest.mark.parametrize("case", list(EMPTIED))
def test_build_refuses_a_catalogued_file_with_no_data_rows(tiny, case, capsys):
    message = _empty(tiny, case)
    before = tree_hash(tiny.processed)

    assert cli.main(["--root", str(tiny.root), "build"]) == 1

    err = capsys.readouterr().err.strip().splitlines()
    assert err[0] == f"build failed; {tiny.processed} was left as it was."
    assert err[1] == "1 problem(s) in raw data:"
    assert err[2].startswith(f"  - {STAFFING}{message}"), err[2]
    assert len(err) == 3
    assert tree_hash(tiny.processed) == before


@pytest.mark.parametrize("case", ["empty file", "header only"])
def test_report_refuses_when_a_catalogued_file_has_no_data_rows(pack_tiny, case, capsys):
    message = _empty(pack_tiny, case)
    reports, processed = tree_hash(pack_tiny.reports), tree_hash(pack_tiny.processed)

    assert cli.main(["--root", str(pack_tiny.root), "report", "--no-progress"]) == 1

    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith(
        f"kass report: data/raw has errors, nothing was changed: {STAFFING}{message}"
    ), err[0]
    assert tree_hash(pack_tiny.reports) == reports
    assert tree_hash(pack_tiny.processed) == processed


def test_check_refuses_a_catalogued_file_with_no_data_rows(tiny, capsys):
    _empty(tiny, "header only")
    file = str(tiny.raw / STAFFING)

    assert cli.main(["--root", str(tiny.root), "check", file]) == 2  # no kind recognised
    assert cli.main(["--root", str(tiny.root), "check", file, "--kind", "budget_table"]) == 1

    out = capsys.readouterr()
    assert f"{file}: is plain text with no table (1 non-blank lines)" in out.out
    assert "no problems found" not in out.out + out.err
