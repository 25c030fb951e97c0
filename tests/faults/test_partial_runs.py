"""A notebook subset on the command line (``kass report --notebook``, repeatable) is merged
into the period's pack like ``--division``: only the named notebooks run, everything else
in the pack is kept byte for byte, and the index lists every report that is there."""

from __future__ import annotations

import json

import pytest

from kassanalysis import cli
from tests.faults.conftest import DIVISIONS, PERIOD, tree_hash

pytestmark = pytest.mark.faults
A, B = DIVISIONS


def report(paths, *args: str) -> int:
    return cli.main(["--root", str(paths.root), "report", "--no-progress", *args])


def test_notebook_subset_runs_only_those_and_keeps_the_rest(pack_tiny, capsys):
    folder = pack_tiny.reports / PERIOD
    before = tree_hash(folder)  # the session's pack: trend for both divisions

    assert report(pack_tiny, "--notebook", "variance", "--notebook", "variance") == 0

    out = capsys.readouterr().out
    assert f"running 2 notebooks for {PERIOD}, 2 at a time" in out  # variance x 2 divisions
    after = tree_hash(folder)
    trend = {k: v for k, v in before.items() if "/trend" in k}
    assert trend and {k: after.get(k) for k in trend} == trend  # trend reports as they were
    run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert {(r["division"], r["analysis"]) for r in run["notebook_results"]} == {
        (A, "variance"),
        (B, "variance"),
    }
    assert run["partial"] is True
    index = (folder / "index.html").read_text(encoding="utf-8")
    for division in DIVISIONS:
        for analysis in ("trend", "variance"):
            assert f'href="{division}/{analysis}.html"' in index
            assert (folder / division / f"{analysis}.html").is_file()


def test_notebook_and_division_together_touch_only_that_pair(pack_tiny):
    folder = pack_tiny.reports / PERIOD
    before = tree_hash(folder)

    assert report(pack_tiny, "--notebook", "comparator", "--division", A) == 0

    after = tree_hash(folder)
    untouched = {k: v for k, v in before.items() if k.startswith(f"{B}/") or "/trend" in k}
    assert untouched and {k: after.get(k) for k in untouched} == untouched
    assert (folder / A / "comparator.html").is_file()
    assert not (folder / B / "comparator.html").exists()
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert f'href="{A}/comparator.html"' in index
    assert f'href="{B}/trend.html"' in index


def test_unknown_notebook_is_refused_naming_the_valid_ones(pack_tiny, capsys):
    before = tree_hash(pack_tiny.reports)

    assert report(pack_tiny, "--notebook", "trends") == 2

    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("kass report: ")
    assert "'trends'" in err[0] and "comparator, trend, variance" in err[0]
    assert tree_hash(pack_tiny.reports) == before
