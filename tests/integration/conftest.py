"""A small, self-contained project for end-to-end builds.

``small_project`` copies ``data/reference`` and a few of the bundled 2008-09 HQ plan tables
into a temporary folder, with a catalogue holding only their entries (taken from the real
catalogue, so layouts and quirks stay as the project describes them). The nearest-neighbour
lists (``NN.json``, small JSON) come too, because ``data/reference/comparator_groups.yml``
defines a group by them and a build without them stops with "group has no members". No public
spreadsheets are read, so a build takes well under a second.

``default_pack`` is the whole project's default pack (``pack.yml``), built and run once per
session for the tests that read a finished pack as its readers would (accessibility, ...).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from kassanalysis import io as kio
from kassanalysis.build import run_build

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "data" / "raw"

#: Catalogue ids of the tables in the mini project.
SMALL_IDS = (
    "kent-hq-2008-09-ppqa",
    "kent-hq-2008-09-older-persons",
    "kent-hq-2008-09-resources",
    "kent-hq-2008-09-staffing",
    "kent-hq-2008-09-kpi",
    "kent-hq-2008-09-comparators",
    "oflog-nearest-neighbours",
)


def _small_catalogue() -> dict:
    """The real catalogue, reduced to the mini project's tables (``defaults`` kept)."""
    document = yaml.safe_load((RAW / kio.CATALOGUE).read_text(encoding="utf-8"))
    by_id = {table["id"]: table for table in document["tables"]}
    missing = sorted(set(SMALL_IDS) - set(by_id))
    assert not missing, f"data/raw/catalogue.yml no longer has the entries {missing}"
    return {"defaults": document["defaults"], "tables": [by_id[i] for i in SMALL_IDS]}


def _make_small_project(root: Path) -> Path:
    shutil.copytree(ROOT / "data" / "reference", root / "data" / "reference")
    raw = root / "data" / "raw"
    document = _small_catalogue()
    for table in document["tables"]:
        target = raw / table["file"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(RAW / table["file"], target)
    (raw / kio.CATALOGUE).write_text(
        yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    return root


@pytest.fixture
def small_project(tmp_path: Path) -> Path:
    """Root folder of a mini project (not yet built): reference data, raw tables, catalogue."""
    return _make_small_project(tmp_path / "project")


@pytest.fixture
def small_paths(small_project: Path) -> kio.ProjectPaths:
    """:class:`kassanalysis.io.ProjectPaths` of the mini project."""
    return kio.ProjectPaths(small_project)


@pytest.fixture(scope="session")
def _built_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = _make_small_project(tmp_path_factory.mktemp("built") / "project")
    run_build(kio.ProjectPaths(root))
    return root


@pytest.fixture
def built_paths(tmp_path: Path, _built_template: Path) -> kio.ProjectPaths:
    """A mini project with ``data/processed`` from a good build (a private copy of one built
    once per session, so each test can break it freely)."""
    root = tmp_path / "project"
    shutil.copytree(_built_template, root)
    return kio.ProjectPaths(root)


@pytest.fixture(scope="session")
def default_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pack ``pack.yml`` asks for, built and run once per session in a copy of the whole
    project (raw data, reference data, notebooks, pack.yml): the folder holding its
    ``index.html``. Read it, don't change it: other tests share it."""
    from kassanalysis import cli

    root = tmp_path_factory.mktemp("default-pack") / "project"
    for folder in ("data/raw", "data/reference", "notebooks"):
        shutil.copytree(
            ROOT / folder, root / folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints")
        )
    shutil.copy(ROOT / "pack.yml", root / "pack.yml")
    run_build(kio.ProjectPaths(root))
    assert cli.main(["--root", str(root), "report", "--no-progress"]) == 0
    (index,) = (root / "reports").glob("*/index.html")
    return index.parent
