"""The report pack end to end: parameters, outputs, failures. Runs real notebooks with
papermill in a copy of the project, so it is the slowest part of the suite (about a minute
on two cores)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from kassanalysis import cli
from kassanalysis import io as kio
from kassanalysis.build import run_build

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> kio.ProjectPaths:
    root = tmp_path_factory.mktemp("pack")
    for folder in ("data/raw", "data/reference", "notebooks"):
        shutil.copytree(
            ROOT / folder, root / folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints")
        )
    shutil.copy(ROOT / "pack.yml", root / "pack.yml")
    paths = kio.ProjectPaths(root)
    run_build(paths)
    return paths


def kass(paths: kio.ProjectPaths, *args: str) -> int:
    """``kass report`` for the historic 2013-14 Q1 pack (the example quarterly return)."""
    return cli.main(
        ["--root", str(paths.root), "report", "--no-progress", "--period", "2013-14 Q1", *args]
    )


def tree_hash(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--division", "no-such-division"], "unknown division 'no-such-division'; valid:"),
        (["--division", "../../etc"], "unknown division '../../etc'"),
        (["--period", "1999-00"], "unknown period '1999-00': no division has data for it; valid"),
        (
            ["--period", "2024-25 Q3", "--division", "oppd-2013-14"],
            "division 'oppd-2013-14' has no data for 2024-25 Q3; valid periods for it: 2013-14,",
        ),
        (["--period", "2013/15"], "is not two consecutive years"),
        (["--group", "my-friends"], "unknown comparator group 'my-friends'; valid:"),
        (["--group", "x; import os"], "unknown comparator group"),
        (["--jobs", "-1"], "jobs must be 0 (the number of cores) or more"),
        (["--timeout", "0"], "timeout must be a positive number of seconds"),
    ],
)
def test_bad_parameters_are_refused_before_any_kernel_starts(
    project, args, message, monkeypatch, capsys
):
    def no_kernels(*_a, **_k):
        raise AssertionError("a notebook was started")

    monkeypatch.setattr("kassanalysis.pack.run_all", no_kernels)
    assert kass(project, *args) == 2
    err = capsys.readouterr().err
    assert message in err
    assert not list((project.root / "reports").glob(".*-*"))  # no staging folder left


def test_pack_for_one_division(project):
    assert kass(project, "--division", "oppd-2013-14", "--jobs", "2") == 0
    pack = project.root / "reports" / "2013-14-Q1"
    for analysis in ("comparator", "trend", "variance"):
        notebook = nbformat.read(pack / "oppd-2013-14" / f"{analysis}.ipynb", as_version=4)
        errors = [
            o
            for c in notebook.cells
            if c.cell_type == "code"
            for o in c.get("outputs", [])
            if o.get("output_type") == "error"
        ]
        assert errors == []
        html = (pack / "oppd-2013-14" / f"{analysis}.html").read_text(encoding="utf-8")
        assert "import kassanalysis" not in html  # no code cells
        assert 'class="highlight hl-ipython3"' not in html  # no highlighted source
        images = re.findall(r"<img [^>]+>", html)
        assert images and all('src="data:image/svg+xml;base64,' in i for i in images)
        svg = base64.b64decode(re.search(r"base64,([^\"]+)", images[0])[1]).decode("utf-8")
        assert "<text" in svg and "<script" not in svg  # text kept as text; nothing runs
        assert all(re.search(r'alt="[^"]{20,}"', i) for i in images)  # described charts
        # nothing is loaded from the internet
        assert not re.search(r'<(script|link)[^>]+(src|href)="https?://', html)
    tables = pack / "oppd-2013-14" / "variance" / "tables"
    assert {"rag.csv", "activity.csv", "exceptions.csv", "budget_monitoring.csv"} <= {
        p.name for p in tables.iterdir()
    }
    index = (pack / "index.html").read_text(encoding="utf-8")
    assert 'href="oppd-2013-14/variance.html"' in index
    # the hand-worked RAG of the example return: REABLE 84.1 below its floor of 85 is Red
    # (the row, not the words: the index's own legend mentions Red in every pack);
    # percentages are written to one decimal with their % sign
    assert (
        '<tr><td class="category">Red</td><td>Achieving independence for older people through '
        "rehabilitation/intermediate care</td><td>84.1% against target 87.0% (floor 85.0%)</td>"
    ) in index
    log = json.loads((pack / "run.json").read_text())
    assert log["succeeded"] and log["package_version"]
    assert "data/raw/catalogue.yml" in log["inputs"]


def test_pack_for_all_divisions_of_its_era(project):
    assert kass(project) == 0
    pack = project.root / "reports" / "2013-14-Q1"
    divisions = sorted(d.name for d in pack.iterdir() if d.is_dir())
    # pack.yml names no division: every division in data/reference/divisions.yml whose
    # periods include 2013-14; only oppd-2013-14 does (never a 2008-09 plan or today's)
    assert divisions == ["oppd-2013-14"]
    # its quarter is the invented example return: illustrative in the index and the CSVs
    index = (pack / "index.html").read_text(encoding="utf-8")
    assert "ILLUSTRATIVE DATA:" in index
    assert "Older People and Physical Disability (2013-14) (ILLUSTRATIVE figures)" in index
    readme = (pack / "oppd-2013-14" / "variance" / "tables" / "README.txt").read_text()
    assert readme.startswith("ILLUSTRATIVE: ")
    assert "budget_monitoring.csv" in readme.splitlines()[0]
    for division in divisions:
        for analysis in ("comparator", "trend", "variance"):
            assert (pack / division / f"{analysis}.html").is_file()
            assert (pack / division / f"{analysis}.ipynb").is_file()
        assert (pack / division / "variance" / "tables" / "exceptions.csv").is_file()


def test_a_failing_notebook_fails_the_run_and_keeps_the_last_good_pack(project, capsys):
    # a 2008-09 plan division runs in its own era's pack (divisions.yml: periods 2008-09)
    historic = ("--period", "2008-09", "--division", "learning-disability-2008-09")
    assert kass(project, *historic) == 0
    pack = project.root / "reports" / "2008-09"
    before = tree_hash(pack)
    template = project.notebooks / "trend.ipynb"
    original = template.read_bytes()
    notebook = nbformat.read(template, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell("raise RuntimeError('deliberate failure')"))
    nbformat.write(notebook, template)
    try:
        assert kass(project, *historic) == 1
    finally:
        template.write_bytes(original)
    out = capsys.readouterr().out
    assert "learning-disability-2008-09 / trend" in out
    assert "RuntimeError: deliberate failure" in out
    assert tree_hash(pack) == before
    failed = sorted((project.root / "reports" / "failed").iterdir())[-1]
    kept = nbformat.read(failed / "learning-disability-2008-09" / "trend.ipynb", as_version=4)
    assert any(o.get("ename") == "RuntimeError" for c in kept.cells for o in c.get("outputs", []))


def test_index_shows_exception_text_as_published_not_as_neutralised_for_csv(tmp_path):
    from kassanalysis.pack import RunResult, load_config
    from kassanalysis.report.index import write_index
    from kassanalysis.report.publishing import publish_table

    paths = kio.find_project()
    tables = tmp_path / "oppd-2013-14" / "variance" / "tables"
    exceptions = pd.DataFrame(
        {
            "category": ["Forecast overspend"],
            "item": ["-2+3 South West"],  # a CSV cell would read "'-2+3 South West"
            "detail": ["forecast 10.0 against budget 5.0 (+5.0)"],
            "period": [None],
            "source_file": ["quarterly/x.budget.csv"],
            "source_line": [7],
        }
    )
    publish_table(exceptions, tables, "exceptions")
    result = RunResult("oppd-2013-14", "variance", True, 1.0)
    write_index(tmp_path, paths, load_config(paths), "2013-14 Q1", [result])
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert (
        "<td>-2+3 South West</td><td>forecast 10.0 against budget 5.0 (+5.0)</td><td></td>"
        "<td>quarterly/x.budget.csv, line 7</td>"
    ) in index
