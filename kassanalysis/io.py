"""All file reading and writing for kassanalysis lives here.

Cleaners and analyses are pure functions; this module hands them what they need (text lines,
frames, parsed JSON/YAML) and writes their results. ``data/raw`` is only ever read.
Processed tables are written to a temporary folder beside ``data/processed`` and swapped in
only when every table has been written, so a failed build never leaves a half-written or
mixed set of tables behind.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd

from kassanalysis import config
from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.reference import Reference, make_reference_from_frames

CATALOGUE = "catalogue.yml"


@dataclass(frozen=True)
class ProjectPaths:
    """Where a project's data, reference files, notebooks and reports are."""

    root: Path

    @property
    def raw(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def processed(self) -> Path:
        return self.root / "data" / "processed"

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
    package_root = Path(__file__).resolve().parent.parent
    if (package_root / "data" / "raw" / CATALOGUE).is_file():
        return ProjectPaths(package_root)
    raise FileNotFoundError(
        f"no kassanalysis project found at or above {here} (looked for data/raw/{CATALOGUE}); "
        "set KASS_ROOT to the project folder"
    )


def read_yaml(path: Path) -> Any:
    """Read a YAML file with the safe loader, naming the file in any error (see
    :func:`kassanalysis.config.read_yaml`)."""
    return config.read_yaml(path)


def read_catalogue(raw_dir: Path) -> list[CatalogueEntry]:
    """Read and check ``data/raw/catalogue.yml``."""
    path = Path(raw_dir) / CATALOGUE
    return list(config.read_config(path, config.Catalogue).tables)


REFERENCE_FILES = ("measures.csv", "indicators.csv", "authorities.csv", "identities.csv")


def file_stamps(paths: list[Path] | tuple[Path, ...]) -> tuple:
    """Each file's path, modification time and size: a cache key that changes when an
    analyst edits the file (a missing file gets no stamp, so reading it still fails)."""
    stamps = []
    for path in paths:
        try:
            info = Path(path).stat()
            stamps.append((str(path), info.st_mtime_ns, info.st_size))
        except OSError:
            stamps.append((str(path), None, None))
    return tuple(stamps)


def read_reference(reference_dir: Path) -> Reference:
    """Read the analyst-edited reference tables in ``data/reference`` (read again only
    when one of them has changed; treat the result as read-only)."""
    ref = Path(reference_dir)
    return _read_reference(file_stamps([ref / name for name in REFERENCE_FILES]))


@functools.lru_cache(maxsize=4)
def _read_reference(stamps: tuple) -> Reference:
    measures, indicators, authorities, identities = (Path(path) for path, _, _ in stamps)
    return make_reference_from_frames(
        pd.read_csv(measures, dtype=str, keep_default_na=False),
        pd.read_csv(indicators, dtype={"id": str, "aliases": str}),
        pd.read_csv(authorities, dtype=str, keep_default_na=False),
        pd.read_csv(identities, dtype=str),
    )


def read_text_lines(path: Path) -> list[str]:
    """Lines of a text file (UTF-8; a Windows-1252 export is accepted too)."""
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    return text.splitlines()


def read_raw(entry: CatalogueEntry, raw_dir: Path) -> Any:
    """Read one catalogued raw file in the form its cleaner expects."""
    path = Path(raw_dir) / entry.file
    if not path.is_file():
        raise FileNotFoundError(
            f"{entry.file}: listed in the catalogue as {entry.id!r} but not found in {raw_dir}"
        )
    if entry.kind == "oflog_outcomes":
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    if entry.kind == "nearest_neighbours":
        return json.loads(path.read_text(encoding="utf-8"))
    if entry.kind == "ascof_open_data":
        sheets = pd.read_excel(path, sheet_name=None, engine="calamine", dtype=str)
        name, frame = next(iter(sheets.items()))
        frame.attrs["sheet_name"] = name
        return frame
    if entry.kind == "ons_mye2":
        return pd.read_excel(path, sheet_name=None, header=None, engine="calamine")
    if entry.kind == "quarterly_return":
        return read_quarterly_return(path)
    return read_text_lines(path)


QUARTERLY_PARTS = ("indicators", "budget")


def quarterly_part(file: str, part: str) -> str:
    """Where part ``part`` of the quarterly return catalogued as ``file`` is read from, as
    its rows name it: the sheet ``<file>#<part>`` of a workbook, else the CSV file
    ``<stem>.<part>.csv`` beside ``file``.

    Examples
    --------
    >>> quarterly_part("quarterly/kent-2013-14-Q1.csv", "budget")
    'quarterly/kent-2013-14-Q1.budget.csv'
    >>> quarterly_part("quarterly/kent-2013-14-Q1.xlsx", "budget")
    'quarterly/kent-2013-14-Q1.xlsx#budget'
    """
    path = PurePosixPath(file)
    if path.suffix.lower() in (".xlsx", ".xls"):
        return f"{file}#{part}"
    return str(path.parent / f"{path.name.split('.')[0]}.{part}.csv")


def read_quarterly_return(path: Path) -> dict[str, pd.DataFrame]:
    """Read a quarterly return (CSV folder pair or Excel workbook) as text frames by sheet.

    An Excel return has sheets ``indicators`` and ``budget``; a CSV return is two files
    ``<name>.indicators.csv`` and ``<name>.budget.csv`` (``path`` names either one's stem).
    Cells are read as text so the cleaner sees exactly what was typed.
    """
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xls"):
        return pd.read_excel(
            path, sheet_name=None, dtype=str, engine="calamine", keep_default_na=False
        )
    sheets = {}
    indicators = path.with_name(PurePosixPath(quarterly_part(path.name, "indicators")).name)
    if indicators.is_file():
        sheets["indicators"] = pd.read_csv(indicators, dtype=str, keep_default_na=False)
    budget = path.with_name(PurePosixPath(quarterly_part(path.name, "budget")).name)
    if budget.is_file():
        # Text columns as text; amounts are parsed by pandas where they are plain numbers
        # (fast for large ledgers). Only a blank cell counts as missing: "N/A" stays text.
        sheets["budget"] = pd.read_csv(
            budget,
            dtype={"cost_centre": "category", "line": "category", "period": "category"},
            keep_default_na=False,
            na_values=[""],
        )
    return sheets


def hash_file(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def hash_inputs(paths: ProjectPaths) -> dict[str, str]:
    """SHA-256 of every raw and reference file, keyed by path relative to the project."""
    files = sorted([*paths.raw.rglob("*"), *paths.reference.rglob("*")])
    return {str(f.relative_to(paths.root)): hash_file(f) for f in files if f.is_file()}


def write_processed(
    tables: dict[str, pd.DataFrame], processed_dir: Path, manifest: dict[str, Any]
) -> None:
    """Write every tidy table, then swap the new set in for the old in one step.

    The tables go to a temporary folder beside ``processed_dir``; only when all are written
    is the old folder moved aside and the new one renamed into place.
    """
    processed_dir = Path(processed_dir)
    processed_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".processed-", dir=processed_dir.parent))
    try:
        for name, frame in tables.items():
            frame.to_csv(staging / f"{name}.csv", index=False, lineterminator="\n")
            # The validated frame as built, for fast loading; the CSV stays the readable copy.
            frame.to_pickle(staging / f"{name}.validated.pkl")
        (staging / "manifest.json").write_text(
            json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        readme = processed_dir / "README.md"
        if readme.is_file():
            shutil.copy2(readme, staging / "README.md")
        swap_in(staging, processed_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def swap_in(new: Path, target: Path) -> None:
    """Put folder ``new`` where ``target`` is, in two renames; if the second fails the old
    folder is put back, so a reader never finds a half-written or missing folder for long."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}-old-{os.getpid()}")
        target.rename(old)
    try:
        new.rename(target)
    except BaseException:
        if old is not None:
            old.rename(target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def read_validated_table(name: str, processed_dir: Path) -> pd.DataFrame | None:
    """The frame exactly as validated by the last build, if its fast copy is there."""
    path = Path(processed_dir) / f"{name}.validated.pkl"
    if not path.is_file():
        return None
    try:
        return pd.read_pickle(path)  # written by write_processed only, never from outside
    except Exception:  # a cache from another pandas version: fall back to the CSV
        return None


def read_processed_table(name: str, processed_dir: Path) -> pd.DataFrame:
    """Read one processed table as written by :func:`write_processed` (not yet validated)."""
    path = Path(processed_dir) / f"{name}.csv"
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist: run `kass build` first")
    return pd.read_csv(path, keep_default_na=True, low_memory=False)


def read_manifest(processed_dir: Path) -> dict[str, Any]:
    """The manifest of the last successful build."""
    return json.loads((Path(processed_dir) / "manifest.json").read_text(encoding="utf-8"))


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write a CSV atomically (temporary file, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    frame.to_csv(tmp, index=False, lineterminator="\n")
    tmp.replace(path)
    return path


def write_text(text: str, path: Path) -> Path:
    """Write a text file atomically (temporary file, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
