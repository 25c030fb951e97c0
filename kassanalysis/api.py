"""The public API for notebooks and interactive use.

>>> import kassanalysis                               # doctest: +SKIP
>>> budget = kassanalysis.load("budget_lines")        # doctest: +SKIP
>>> kassanalysis.trace(budget.iloc[0])                # doctest: +SKIP
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pandas as pd

from kassanalysis import io as kio
from kassanalysis.comparators import describe_groups
from kassanalysis.config import (
    ComparatorGroups,
    ConfigError,
    Division,
    Divisions,
    read_config,
)
from kassanalysis.reference import Reference
from kassanalysis.schemas import TABLES

__all__ = [
    "ConfigError",
    "Division",
    "get_division",
    "home_authority",
    "list_tables",
    "load",
    "load_comparator_groups",
    "load_divisions",
    "load_reference",
    "trace",
]


def list_tables() -> list[str]:
    """Names of the tidy tables that :func:`load` returns.

    Examples
    --------
    >>> "budget_lines" in list_tables()
    True
    """
    return list(TABLES)


def load(name: str, *, root: Path | str | None = None, rebuild: bool = False) -> pd.DataFrame:
    """A tidy table from ``data/processed``, exactly as validated by the build.

    Builds ``data/processed`` first when there is no build yet, when a raw or reference
    file has changed since the build (stale), when a processed file no longer matches the
    SHA-256 recorded in the build's manifest (edited, truncated or missing), or when
    ``rebuild``. Inside a pack's notebooks the build is pinned (``$KASS_BUILD``, set by
    ``kass report``): every kernel reads the build the pack started with, and a damaged
    file is refused, never rebuilt under the pack.

    Parameters
    ----------
    name : str
        One of :func:`list_tables`: budget_lines, indicator_observations, population,
        population_totals, paf_banding, comparator_members, finance_lines, data_quality.
    root : path, optional
        Project folder (found from the working directory by default).
    rebuild : bool
        Rebuild from ``data/raw`` first.

    Raises
    ------
    kassanalysis.io.ProcessedDataError
        Inside a pack: the pinned build's file is missing or changed (one line naming it).
    kassanalysis.problems.RawDataError
        A rebuild found errors in ``data/raw``.
    """
    if name not in TABLES:
        raise KeyError(f"unknown table {name!r}; tables: {', '.join(TABLES)}")
    paths = kio.project_paths(root)
    if os.environ.get(kio.PINNED_BUILD):
        build = kio.resolve_build(paths.processed)
        return kio.read_build_table(name, build, kio.read_build_manifest(build))
    if not rebuild:
        try:
            build = kio.resolve_build(paths.processed)
            manifest = kio.read_build_manifest(build)
            if not kio.stale_inputs(paths, manifest):
                return kio.read_build_table(name, build, manifest)
        except kio.ProcessedDataError:
            pass  # no build, or a damaged one: build again below
    from kassanalysis.build import run_build

    run_build(paths)
    build = kio.resolve_build(paths.processed)
    return kio.read_build_table(name, build, kio.read_build_manifest(build))


def load_reference(*, root: Path | str | None = None) -> Reference:
    """Measures, indicators, authorities and identities from ``data/reference``."""
    return kio.read_reference(kio.project_paths(root).reference)


def load_comparator_groups(*, root: Path | str | None = None) -> pd.DataFrame:
    """The configured comparator groups (id, name, method)."""
    path = kio.project_paths(root).reference / "comparator_groups.yml"
    return _comparator_groups(kio.file_stamps([path])).copy()


@functools.lru_cache(maxsize=4)
def _comparator_groups(stamps: tuple) -> pd.DataFrame:
    return describe_groups(read_config(Path(stamps[0][0]), ComparatorGroups))


def load_divisions(*, root: Path | str | None = None) -> list[Division]:
    """Every division in ``data/reference/divisions.yml``, checked against the reference data.

    Raises
    ------
    ConfigError
        One line per problem, naming the file, the division and the field (unknown
        indicator or comparator group, a missing or unknown field...).
    """
    paths = kio.project_paths(root)
    where = paths.reference / "divisions.yml"
    divisions = read_config(where, Divisions).divisions
    ref = kio.read_reference(paths.reference)
    groups = set(load_comparator_groups(root=paths.root)["id"])
    errors = []
    for division in divisions:
        unknown = [x for x in division.indicators if x not in ref.indicators.index]
        if unknown:
            errors.append(
                f"{where}: division {division.id!r}: field 'indicators': "
                f"unknown indicator(s) {unknown}"
            )
        if division.comparator_group not in groups:
            errors.append(
                f"{where}: division {division.id!r}: field 'comparator_group': unknown "
                f"comparator group {division.comparator_group!r}; groups: {sorted(groups)}"
            )
    if errors:
        raise ConfigError("\n".join(errors))
    return list(divisions)


def home_authority(*, root: Path | str | None = None) -> str:
    """ONS code of the council whose directorate the pack reports on (``home_authority``
    in ``data/reference/divisions.yml``)."""
    paths = kio.project_paths(root)
    return read_config(paths.reference / "divisions.yml", Divisions).home_authority


def get_division(division_id: str, *, root: Path | str | None = None) -> Division:
    """One division by id; an unknown id is refused with the list of valid ids."""
    divisions = load_divisions(root=root)
    for division in divisions:
        if division.id == division_id:
            return division
    raise KeyError(
        f"unknown division {division_id!r}; divisions: {', '.join(d.id for d in divisions)}"
    )


def trace(row: pd.Series, *, root: Path | str | None = None) -> str:
    """Where a figure came from: raw file and line, the line as printed, and the source
    document line it was cut from.

    Parameters
    ----------
    row : pandas.Series
        A row of any tidy table (it carries ``source_file`` and ``source_line``).
    """
    paths = kio.project_paths(root)
    file, line = str(row["source_file"]), int(row["source_line"])
    entry = next((e for e in kio.read_catalogue(paths.raw) if e.file == file), None)
    parts = [f"data/raw/{file}, line {line}"]
    sheet = row.get("source_sheet")
    if sheet is not None and not pd.isna(sheet):
        parts[0] = f"data/raw/{file}, sheet {sheet!r}, row {line}"
    elif (paths.raw / file).suffix in (".txt", ".csv"):
        lines = kio.read_text_lines(paths.raw / file)
        if 0 < line <= len(lines):
            parts.append(f"  as printed: {lines[line - 1].strip()[:200]}")
    if entry is not None:
        source = entry.source
        first = entry.source_first_line
        where = f" line {first + line - 1}" if first else ""
        parts.append(
            f"  from: {source.get('title', '')} ({source.get('publisher', '')}), "
            f"{source.get('document', '')}{where}; licence: {entry.licence}"
        )
    text = row.get("source_text")
    if text is not None and not pd.isna(text):
        parts.append(f"  cell: {text!r}")
    return "\n".join(parts)
