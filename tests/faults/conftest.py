"""Fixtures of the fault-injection suite: a tiny project, built once per session and copied
for each test, and helpers that run ``kass`` in a subprocess (with a fault injected by
:mod:`tests.faults.inject`) and compare the published folders before and after.

A fault must leave ``data/processed`` and ``reports`` byte-identical to before, or hold a
complete new build / pack; never a mix, never missing, never leftovers after the next run.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kassanalysis import io as kio
from kassanalysis.build import run_build
from tests.integration.conftest import _make_small_project

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def tree_hash(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` (links followed), by relative path."""
    folder = Path(folder)
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def build_is_whole(paths: kio.ProjectPaths) -> bool:
    """Whether ``data/processed/current`` holds one complete build matching its manifest."""
    build = paths.processed.resolve()
    manifest = kio.read_build_manifest(build)
    files = {p.name for p in build.iterdir()} - {"manifest.json"}
    if files != set(manifest["files"]):
        return False
    for file in files:
        kio.verify_build_file(build, file, manifest)
    return True


def leftovers(paths: kio.ProjectPaths) -> list[str]:
    """Staging folders, set-aside folders, half-made links and unreferenced builds."""
    found = [p.name for p in paths.processed_root.iterdir() if p.name.startswith(".")]
    builds = paths.processed_root / kio.BUILDS
    current = paths.processed.resolve() if paths.processed.exists() else None
    if builds.is_dir():
        found += [f"builds/{p.name}" for p in builds.iterdir() if p.resolve() != current]
    return sorted(found)


def run_kass(
    paths: kio.ProjectPaths,
    *args: str,
    fault: str = "none",
    timeout: float = 120,
    env: dict | None = None,
) -> subprocess.CompletedProcess:
    """``kass --root <project> ARGS`` in a new process with ``fault`` injected."""
    environment = {
        **os.environ,
        "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
        "KASS_ROOT": "",
        **(env or {}),
    }
    environment.pop(kio.PINNED_BUILD, None)
    return subprocess.run(
        [PYTHON, "-m", "tests.faults.inject", fault, "--", "--root", str(paths.root), *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def _built_tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = _make_small_project(tmp_path_factory.mktemp("faults") / "project")
    (root / "data" / "processed").mkdir(parents=True, exist_ok=True)
    (root / "data" / "processed" / "README.md").write_text("tracked readme\n", encoding="utf-8")
    run_build(kio.ProjectPaths(root))
    return root


@pytest.fixture
def tiny(tmp_path: Path, _built_tiny: Path) -> kio.ProjectPaths:
    """A private copy of the tiny built project (links kept as links)."""
    root = tmp_path / "project"
    shutil.copytree(_built_tiny, root, symlinks=True)
    return kio.ProjectPaths(root)


#: Divisions and period of the tiny pack (the mini project holds the 2008-09 HQ plan).
DIVISIONS = ("older-persons-2008-09", "learning-disability-2008-09")
PERIOD = "2008-09"
ANALYSES = ("comparator", "trend", "variance")

#: One code cell of the tiny notebook: does what ``$KASS_TEST_FAULTS`` asks of this
#: division and notebook (``division/notebook=fault;...``), after reading a table.
FAULT_CELL = """\
import os, pathlib, sys, time
import kassanalysis
budget = kassanalysis.load("budget_lines", root=root)
if os.environ.get("KASS_TEST_PIDS"):
    pathlib.Path(os.environ["KASS_TEST_PIDS"], str(os.getpid())).write_text(division)
faults = dict(x.split("=", 1) for x in os.environ.get("KASS_TEST_FAULTS", "").split(";") if x)
fault = faults.get(f"{division}/{ANALYSIS}", "")
if fault == "exit0":
    sys.exit(0)
if fault == "exit1":
    sys.exit(1)
if fault == "raise":
    raise ValueError("injected failure")
if fault == "os_exit":
    os._exit(3)
if fault == "hang":
    time.sleep(600)
if fault == "big":
    print("x" * 5_000_000)
if fault == "slow":
    time.sleep(60)
"""


def write_tiny_notebook(path: Path, analysis: str) -> None:
    """A tiny notebook with the pack's parameters: reads a table, injects its fault,
    prints a last line."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell(
        'division = ""\nperiod = ""\ncomparator_group = ""\noutput_dir = ""\nroot = ""\n'
        'pack_config = ""\nbenchmark_period = "latest"'
    )
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells = [
        nbformat.v4.new_markdown_cell(f"# {analysis} (fault-suite fixture)"),
        parameters,
        nbformat.v4.new_code_cell(f"ANALYSIS = {analysis!r}"),
        nbformat.v4.new_code_cell(FAULT_CELL),
        nbformat.v4.new_code_cell('print("last cell ran", division, len(budget))'),
    ]
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    nbformat.write(notebook, path)


@pytest.fixture(scope="session")
def _packable_tiny(_built_tiny: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pack") / "project"
    shutil.copytree(_built_tiny, root, symlinks=True)
    (root / "notebooks").mkdir()
    for analysis in ANALYSES:
        write_tiny_notebook(root / "notebooks" / f"{analysis}.ipynb", analysis)
    (root / "pack.yml").write_text(
        f"period: {PERIOD!r}\nnotebooks: [trend]\ndivisions: {list(DIVISIONS)}\n"
        "jobs: 2\ntimeout: 20\nreports: reports\n",
        encoding="utf-8",
    )
    return root


@pytest.fixture(scope="session")
def _packed_tiny(_packable_tiny: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kassanalysis import cli

    root = tmp_path_factory.mktemp("packed") / "project"
    shutil.copytree(_packable_tiny, root, symlinks=True)
    assert cli.main(["--root", str(root), "report", "--no-progress"]) == 0
    return root


@pytest.fixture
def pack_tiny(tmp_path: Path, _packed_tiny: Path) -> kio.ProjectPaths:
    """The tiny built project with tiny notebooks, a ``pack.yml`` for two divisions (one
    notebook each) and a good pack for them in ``reports/`` (made once per session)."""
    root = tmp_path / "project"
    shutil.copytree(_packed_tiny, root, symlinks=True)
    return kio.ProjectPaths(root)
