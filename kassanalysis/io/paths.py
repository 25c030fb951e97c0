"""Where a project's files are: the project folder and its parts (:class:`ProjectPaths`),
found from the working directory or ``$KASS_ROOT``, and the check that a catalogued input
stays inside ``data/raw`` once symbolic links are followed (:func:`confined_path`)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

CATALOGUE = "catalogue.yml"


@dataclass(frozen=True)
class ProjectPaths:
    """Where a project's data, reference files, notebooks and reports are."""

    root: Path

    @property
    def raw(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def processed_root(self) -> Path:
        """``data/processed``: a real folder holding its tracked ``README.md``, the
        ``current`` link to the latest build, ``builds/`` and the build lock."""
        return self.root / "data" / "processed"

    @property
    def processed(self) -> Path:
        """The current build's tables: ``data/processed/current``, a symbolic link to a
        folder under ``data/processed/builds/`` replaced in one atomic rename."""
        return self.processed_root / "current"

    @property
    def reference(self) -> Path:
        return self.root / "data" / "reference"

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    @property
    def reports(self) -> Path:
        return self.root / "reports"


def project_paths(root: Path | str | None = None) -> ProjectPaths:
    """The project at ``root``, or, without one, the project found from the working
    directory (see :func:`find_project`)."""
    return ProjectPaths(Path(root).resolve()) if root else find_project()


def find_project(start: Path | str | None = None) -> ProjectPaths:
    """Find the project folder: ``$KASS_ROOT``, else the nearest folder at or above ``start``
    (default: the working directory) holding ``data/raw/catalogue.yml``, else the folder the
    package was installed from."""
    if os.environ.get("KASS_ROOT"):
        return ProjectPaths(Path(os.environ["KASS_ROOT"]).resolve())
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "data" / "raw" / CATALOGUE).is_file():
            return ProjectPaths(folder)
    package_root = Path(__file__).resolve().parents[2]  # kassanalysis/io/paths.py
    if (package_root / "data" / "raw" / CATALOGUE).is_file():
        return ProjectPaths(package_root)
    raise FileNotFoundError(
        f"no kassanalysis project found at or above {here} (looked for data/raw/{CATALOGUE}); "
        "set KASS_ROOT to the project folder"
    )


class RawPathError(ValueError):
    """A catalogued file that is not inside ``data/raw`` (a symbolic link out of it)."""


def confined_path(raw_dir: Path, file: str) -> Path:
    """``raw_dir/file``, checked to be inside ``raw_dir`` once symbolic links are followed:
    inputs stay under ``data/raw``, where the build's input hashes see them.

    Raises
    ------
    RawPathError
        Naming the file and where it leads.
    """
    path = Path(raw_dir) / file
    real, root = path.resolve(), Path(raw_dir).resolve()
    if not real.is_relative_to(root):
        raise RawPathError(
            f"leads outside data/raw: {file} -> {real}; raw files must be inside "
            "data/raw: copy the file in (kass add) instead of linking to it"
        )
    return path
