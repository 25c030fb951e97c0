"""Hostile input and odd settings: control characters in raw text and published text,
invisible characters before a formula, mistyped periods, ``timeout: true``, a million
jobs, a notebook that stopped early, and the pruning of failed runs."""

from __future__ import annotations

import nbformat
import pytest

from kassanalysis import io as kio
from kassanalysis import pack
from kassanalysis.build import build_tables
from kassanalysis.config import ConfigError, PackConfig, validate_config
from kassanalysis.periods import PeriodError, parse_period
from kassanalysis.publish.safe_text import (
    clean_control_characters,
    escape_html,
    neutralise_for_csv,
)

pytestmark = pytest.mark.faults


@pytest.mark.parametrize(
    ("text", "shown"),
    [("2013-14 Q5", "Q5"), ("2013-14 Quarter 1", "Quarter 1"), ("2013-14Q1", "Q1")],
)
def test_mistyped_quarter_is_refused_with_the_valid_forms(text, shown):
    with pytest.raises(PeriodError) as caught:
        parse_period(text)
    assert str(caught.value) == (
        f"cannot read period {text!r}: {shown!r} is not a quarter; valid forms: '2013-14' "
        "(year), '2013-14 Q1' to '2013-14 Q4' (quarter), 'Dec 2013' (month)"
    )


@pytest.mark.parametrize(
    ("text", "label"),
    [("2013-14 Q1", "2013-14 Q1"), ("Q4 2013/14", "2013-14 Q4"), ("2013-14", "2013-14")],
)
def test_valid_periods_still_read(text, label):
    assert parse_period(text).label == label


def test_control_characters_in_raw_text_do_not_shift_line_numbers(tiny):
    """Line 3 holds a vertical tab, NEL and U+2028 (str.splitlines breaks at each); the bad
    number is on line 5 of the file, and the error must say line 5."""
    raw = tiny.raw / "kent-hq-2008-09" / "staffing-fte.txt"
    text = raw.read_text(encoding="utf-8")
    text = text.replace(
        "| Contracting & Service Quality | 9.41 |",
        "| Contracting &\x0b Service\x85 Quality\u2028 | 9.41 |",
    ).replace("| Performance | 25.27 | 25.00 |", "| Performance | 25.27 | 25.0x0 |")
    raw.write_text(text, encoding="utf-8")

    problems = [str(p) for p in build_tables(tiny).problems if "25.0x0" in str(p)]

    assert problems == [
        "kent-hq-2008-09/staffing-fte.txt, line 5: '25.0x0' in column 3 (fte) is not a "
        "number or a known marker (blank, N/A, TBC, [x], [c])"
    ]


def test_read_text_lines_splits_only_at_line_ends(tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes("a\x0bb\x0cc\r\nd\x1ce\x1df\x1eg\x85h\u2028i\u2029j\rk\nl".encode())
    assert kio.read_text_lines(path) == [
        "a\x0bb\x0cc",
        "d\x1ce\x1df\x1eg\x85h\u2028i\u2029j",
        "k",
        "l",
    ]


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x0b", "\x85", "\u2028"])
def test_control_characters_do_not_reach_html(character):
    html = escape_html(f"Care{character}home <b>")
    assert character not in html
    assert html in ("Carehome &lt;b&gt;", "Care home &lt;b&gt;")
    assert character not in clean_control_characters(f"a{character}b")


@pytest.mark.parametrize(
    "lead", ["\u200b", "\u200d", "\ufeff", "\u200e", "\u202e", "\u2066", "\u200b \u202a"]
)
@pytest.mark.parametrize("formula", ['=HYPERLINK("http://x","y")', "@SUM(A1)", "+1", "-2+3"])
def test_invisible_characters_do_not_hide_a_formula(lead, formula):
    assert neutralise_for_csv(lead + formula) == "'" + lead + formula


def test_text_that_is_not_a_formula_is_left_alone():
    assert neutralise_for_csv("\u200bKent") == "\u200bKent"


@pytest.mark.parametrize("setting", ["timeout", "jobs"])
def test_true_is_not_a_number_of_seconds_or_jobs(setting):
    # strict numbers: YAML's `true` is never read as 1 second or 1 job
    with pytest.raises(ConfigError, match=rf"pack.yml: field '{setting}': .*integer"):
        validate_config({"period": "2013-14 Q1", setting: True}, PackConfig, "pack.yml")


def test_a_million_jobs_start_no_more_workers_than_notebooks_or_cores(monkeypatch):
    monkeypatch.setattr(pack.os, "cpu_count", lambda: 2)
    assert pack.count_workers(1_000_000, 15) == 2
    assert pack.count_workers(1_000_000, 1) == 1
    assert pack.count_workers(0, 15) == 2  # 0: one a core


def _executed(tmp_path, counts, error=None):
    notebook = nbformat.v4.new_notebook()
    for count in counts:
        cell = nbformat.v4.new_code_cell("x = 1", execution_count=count)
        notebook.cells.append(cell)
    if error:
        notebook.cells[error].outputs = [
            nbformat.v4.new_output("error", ename="SystemExit", evalue="0", traceback=[])
        ]
    path = tmp_path / "run.ipynb"
    nbformat.write(notebook, path)
    return path


def test_a_notebook_where_every_cell_ran_passes(tmp_path):
    assert pack.check_every_cell_ran(_executed(tmp_path, [1, 2, 3])) == ""


def test_a_notebook_that_stopped_early_fails_naming_the_cell(tmp_path):
    assert pack.check_every_cell_ran(_executed(tmp_path, [1, 2, None])) == (
        "code cell 3 of 3 never ran: the notebook stopped early (sys.exit or the kernel "
        "ended) after the cell before it"
    )
    assert pack.check_every_cell_ran(_executed(tmp_path, [1, 2, None], error=1)) == (
        "code cell 2 of 3: SystemExit: 0 (the notebook stopped there)"
    )


def test_failed_runs_are_pruned_to_the_newest(tmp_path):
    failed = tmp_path / "failed"
    names = [f"2013-14-Q1-2026010{i}T000000" for i in range(1, 9)]
    for name in names:
        (failed / name).mkdir(parents=True)
    pack.prune_failed(failed, keep=5)
    assert sorted(p.name for p in failed.iterdir()) == names[-5:]
