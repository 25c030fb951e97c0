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
