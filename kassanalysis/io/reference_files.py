"""The files analysts edit: the raw-data catalogue (``data/raw/catalogue.yml``, read and
appended to by ``kass add``), YAML configuration, the reference tables of ``data/reference``
(read again only when one changes) and the SPC rebase points."""

from __future__ import annotations

import dataclasses
import functools
import shutil
from pathlib import Path
from typing import Any

import pandas as pd

from kassanalysis import config
from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.io.atomic import write_text
from kassanalysis.io.paths import CATALOGUE
from kassanalysis.periods import PeriodError, parse_period
from kassanalysis.reference import Reference, ReferenceError, make_reference_from_frames

#: A configuration file that is not plain YAML (one line naming the file and line).
YamlFileError = config.YamlError


def read_yaml(path: Path) -> Any:
    """Read a YAML file with the safe loader, naming the file in any error (see
    :func:`kassanalysis.config.read_yaml`)."""
    return config.read_yaml(path)


def read_catalogue(raw_dir: Path) -> list[CatalogueEntry]:
    """Read and check ``data/raw/catalogue.yml``."""
    path = Path(raw_dir) / CATALOGUE
    return list(config.read_config(path, config.Catalogue).tables)


def add_raw_file(source: Path, raw_dir: Path, relative: str, entry_text: str) -> bool:
    """Copy ``source`` unchanged to ``raw_dir/relative`` and append ``entry_text`` (one
    catalogue item, already formatted) to the end of the catalogue, keeping every comment
    and line of the existing file. Returns False when the same file was already there.

    The catalogue is checked after the append; if it no longer parses, the old text is put
    back and the copied file removed.

    Raises
    ------
    FileExistsError
        A different file is already at ``relative`` (it is never overwritten).
    CatalogueError
        The catalogue with the new entry does not check.
    """
    raw_dir = Path(raw_dir)
    target = raw_dir / relative
    data = Path(source).read_bytes()
    existed = target.is_file()
    if existed and target.read_bytes() != data:
        raise FileExistsError(f"{relative}: a different file is already there; not overwritten")
    catalogue = raw_dir / CATALOGUE
    before = catalogue.read_text(encoding="utf-8")
    if not existed:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    joiner = "" if before.endswith("\n") else "\n"
    try:
        write_text(before + joiner + entry_text, catalogue)
        read_catalogue(raw_dir)
    except Exception:
        write_text(before, catalogue)
        if not existed:
            target.unlink(missing_ok=True)
        raise
    return not existed


REFERENCE_FILES = ("measures.csv", "indicators.csv", "authorities.csv", "identities.csv")
#: Optional reference table: ASCOF measure ids before and after the 2023-24 renumbering.
ASCOF_CROSSWALK = "ascof_crosswalk.csv"


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
    stamps = file_stamps([ref / name for name in (*REFERENCE_FILES, ASCOF_CROSSWALK)])
    return _read_reference(stamps)


@functools.lru_cache(maxsize=4)
def _read_reference(stamps: tuple) -> Reference:
    measures, indicators, authorities, identities, crosswalk = (Path(path) for path, _, _ in stamps)
    ref = make_reference_from_frames(
        pd.read_csv(measures, dtype=str, keep_default_na=False),
        pd.read_csv(indicators, dtype={"id": str, "aliases": str}),
        pd.read_csv(authorities, dtype=str, keep_default_na=False),
        pd.read_csv(identities, dtype=str),
    )
    if stamps[-1][1] is None:  # the crosswalk is optional
        return ref
    table = pd.read_csv(crosswalk, dtype=str, keep_default_na=False, comment="#")
    return dataclasses.replace(ref, ascof_crosswalk=table)


SPC_REBASE = "spc_rebase.csv"
_SPC_REBASE_COLUMNS = ("indicator_id", "period", "reason")


def read_spc_rebase(reference_dir: Path) -> pd.DataFrame:
    """The SPC rebase points the analyst has named, from ``data/reference/spc_rebase.csv``.

    Making Data Count rebases a chart only where the process changed, for a recorded
    reason, never automatically (:func:`~kassanalysis.analysis.stats.calculate_xmr_chart`'s
    ``rebase_at``).

    Returns
    -------
    pandas.DataFrame
        Columns ``indicator_id``, ``period`` (the canonical label, e.g. ``2023-24 Q1``),
        ``reason`` and ``source_line`` (the file's line, the header being line 1); no rows
        when the file is absent or holds only its header.

    Raises
    ------
    ReferenceError
        One line naming the file, the line and what is wrong: a missing column, an empty
        indicator id or reason, a period that is not a period label, or a point named twice.
    """
    path = Path(reference_dir) / SPC_REBASE
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in _SPC_REBASE_COLUMNS})
    if not path.is_file():
        return empty.assign(source_line=pd.Series(dtype=int))
    table = pd.read_csv(path, dtype=str, keep_default_na=False, comment="#")
    absent = [c for c in _SPC_REBASE_COLUMNS if c not in table.columns]
    if absent:
        raise ReferenceError(f"{path}: missing column(s) {', '.join(absent)}")
    records, seen = [], set()
    for position, row in enumerate(table[list(_SPC_REBASE_COLUMNS)].itertuples(index=False)):
        line = position + 2
        indicator, label, reason = (str(v).strip() for v in row)
        if not indicator or not reason:
            what = "indicator_id" if not indicator else "reason"
            raise ReferenceError(f"{path}, line {line}: {what} is empty")
        try:
            label = parse_period(label).label
        except PeriodError as exc:
            raise ReferenceError(f"{path}, line {line}: period {label!r}: {exc}") from None
        if (indicator, label) in seen:
            raise ReferenceError(f"{path}, line {line}: {indicator} {label} is named twice")
        seen.add((indicator, label))
        records.append((indicator, label, reason, line))
    if not records:
        return empty.assign(source_line=pd.Series(dtype=int))
    return pd.DataFrame(records, columns=[*_SPC_REBASE_COLUMNS, "source_line"])
