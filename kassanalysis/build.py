"""Build every tidy table in ``data/processed`` from ``data/raw``, checked.

One pass: read the catalogue, clean every raw table with the cleaner for its kind, validate
each tidy table against its schema (lazily, so every problem is reported at once), run the
reconciliation checks, and write the tables and the data-quality table. Any *error* stops the
build before anything is written, so the previous ``data/processed`` stays as it was.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from kassanalysis import __version__, kinds
from kassanalysis import io as kio
from kassanalysis import problems as pb
from kassanalysis.catalogue import CatalogueEntry, CatalogueError
from kassanalysis.clean import (
    asc_fr,
    ascof,
    budget,
    deprivation,
    indicator_export,
    kpi,
    nearest_neighbours,
    oflog,
    ons,
    ons_series,
    quarterly,
)
from kassanalysis.comparators import GROUPS_FILE, resolve_comparator_groups
from kassanalysis.config import ComparatorGroups, ConfigError, read_config
from kassanalysis.formats import FormatError
from kassanalysis.ratings import check_published_ratings
from kassanalysis.reconcile import (
    TOLERANCE,
    reconcile_budget_totals,
    reconcile_identities,
    reconcile_stated_figure,
)
from kassanalysis.reference import Reference
from kassanalysis.schemas import TABLES, empty_frame

log = logging.getLogger(__name__)


def _oflog(raw: Any, entry: CatalogueEntry, ref: Reference):
    observations, _published, problems = oflog.clean_oflog_outcomes(raw, entry, ref)
    return observations, problems


def _nearest(raw: dict | pd.DataFrame, entry: CatalogueEntry, ref: Reference):
    """Nearest-neighbour lists: one council's list as CSV, or Oflog's JSON of every list,
    kept for the councils with adult social care duties only (the JSON also lists
    districts, combined authorities and the GLA, which have none)."""
    if isinstance(raw, pd.DataFrame):
        return nearest_neighbours.clean_nearest_neighbours_csv(raw, entry, ref)
    councils = set(ref.authorities.index)
    return nearest_neighbours.clean_nearest_neighbours(
        {code: members for code, members in raw.items() if code in councils}, entry, ref
    )


#: kind -> (tidy table it feeds, cleaner). A cleaner takes (raw, entry, reference) and
#: returns (frame, problems); one feeding several tables ("*") returns ({table: frame},
#: problems).
CLEANERS: dict[str, tuple[str, Callable]] = {
    "budget_table": ("budget_lines", budget.clean_budget_table),
    "stated_figures": ("budget_lines", budget.clean_stated_figures),
    "kpi_table": ("indicator_observations", kpi.clean_kpi_table),
    "comparator_table": ("indicator_observations", kpi.clean_comparator_table),
    "target_statements": ("indicator_observations", kpi.clean_target_statements),
    "banding_table": ("paf_banding", kpi.clean_banding_table),
    "oflog_outcomes": ("indicator_observations", _oflog),
    "ascof_open_data": ("indicator_observations", ascof.clean_ascof_open_data),
    "ons_mye2": ("population", ons.clean_ons_mye2),
    "ons_mye_series": ("population_totals", ons_series.clean_ons_mye_series),
    "nearest_neighbours": ("comparator_members", _nearest),
    "quarterly_return": ("*", quarterly.clean_quarterly_return),
    "indicator_export": ("indicator_observations", indicator_export.clean_indicator_export),
    "asc_fr": ("finance_lines", asc_fr.clean_asc_fr),
    "deprivation": ("indicator_observations", deprivation.clean_deprivation),
}


@dataclass
class BuildResult:
    """What a build produced: the tidy tables, every problem found, and the manifest."""

    tables: dict[str, pd.DataFrame]
    problems: list[pb.Problem]
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def errors(self) -> list[pb.Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def findings(self) -> list[pb.Problem]:
        return [p for p in self.problems if p.severity == "finding"]


def clean_entry(
    entry: CatalogueEntry, raw: Any, ref: Reference
) -> tuple[str, pd.DataFrame, list[pb.Problem]]:
    """Clean one raw table with the cleaner for its kind; never raises for bad data."""
    if entry.kind not in CLEANERS:
        return (
            "",
            pd.DataFrame(),
            [pb.error("unknown kind", entry.file, None, f"no cleaner for kind {entry.kind!r}")],
        )
    table, cleaner = CLEANERS[entry.kind]
    try:
        frame, problems = cleaner(raw, entry, ref)
    except Exception as exc:  # any failure to read one table is a problem with that table
        message = reading_error(exc)
        return table, pd.DataFrame(), [pb.error("unreadable table", entry.file, None, message)]
    produced = frame.values() if isinstance(frame, dict) else [frame]
    if all(part.empty for part in produced) and not any(p.severity == "error" for p in problems):
        problems = [
            *problems,
            pb.error(
                "no data rows",
                entry.file,
                None,
                f"read as {entry.kind}, it gives no data rows: the file is not a {entry.kind} "
                "or its layout was not recognised",
            ),
        ]
    return table, frame, problems


def with_kind_hint(problem: pb.Problem, path, kind: str, ref: Reference) -> pb.Problem:
    """The problem, with the kind the file looks like added when it is not ``kind``."""
    if problem.severity != "error":
        return problem
    try:
        hint = kinds.kind_hint(kio.preview_file(path), kind, ref)
    except Exception:  # a hint is a courtesy: never let it hide the problem itself
        return problem
    return replace(problem, message=problem.message + hint) if hint else problem


def reading_error(exc: BaseException) -> str:
    """One line for a failure to read a file: the message alone for the errors readers
    raise on purpose (they already say what is wrong), with the exception's type otherwise.

    Examples
    --------
    >>> reading_error(FormatError("is an empty file; budget_table reads a table"))
    'is an empty file; budget_table reads a table'
    >>> reading_error(KeyError("x"))
    "KeyError: 'x'"
    """
    if isinstance(exc, (FormatError, CatalogueError, FileNotFoundError, kio.RawPathError)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def validate_table(name: str, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[pb.Problem]]:
    """Validate a tidy table against its schema, turning every failure into a problem that
    names the raw file and line of the offending row."""
    model = TABLES[name]
    try:
        return model.validate(frame, lazy=True), []
    except pa.errors.SchemaErrors as exc:
        found = []
        cases = exc.failure_cases
        for _, case in cases.head(200).iterrows():
            index = case["index"]
            where_file, where_line = "(tidy table)", None
            if (
                index is not None
                and not pd.isna(index)
                and index in frame.index
                and "source_file" in frame.columns
            ):
                where_file = str(frame.loc[index, "source_file"])
                line = frame.loc[index, "source_line"] if "source_line" in frame else None
                where_line = None if line is None or pd.isna(line) else int(line)
            found.append(
                pb.error(
                    "schema",
                    where_file,
                    where_line,
                    f"{name}.{case['column']}: {case['check']} failed for {case['failure_case']!r}",
                    subject=str(case["column"]),
                )
            )
        return frame, found


def concat_parts(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """One table from the cleaned parts of several files, keeping categorical columns
    categorical (``pd.concat`` turns categoricals with different categories into object
    columns, which the schema would then turn back one cell at a time).

    Examples
    --------
    >>> a = pd.DataFrame({"x": pd.Categorical(["p", "q"])})
    >>> b = pd.DataFrame({"x": pd.Categorical(["r", None])})
    >>> out = concat_parts([a, b])
    >>> out["x"].dtype.name, out["x"].tolist()
    ('category', ['p', 'q', 'r', nan])
    """
    shared = set.intersection(*(set(f.columns) for f in frames))
    categorical = [
        c
        for c in sorted(shared)
        if all(isinstance(f[c].dtype, pd.CategoricalDtype) for f in frames)
    ]
    if categorical and len(frames) > 1:
        union = {
            c: pd.Index(
                pd.unique(np.concatenate([f[c].cat.categories.to_numpy(object) for f in frames]))
            )
            for c in categorical
        }
        frames = [
            f.assign(**{c: f[c].cat.set_categories(union[c]) for c in categorical}) for f in frames
        ]
    return pd.concat(frames, ignore_index=True)


def build_tables(paths: kio.ProjectPaths, *, tolerance: float = TOLERANCE) -> BuildResult:
    """Read, clean, validate and reconcile every catalogued raw table (writes nothing)."""
    started = time.perf_counter()
    entries = kio.read_catalogue(paths.raw)
    ref = kio.read_reference(paths.reference)
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLES}
    problems: list[pb.Problem] = []
    for entry in entries:
        try:
            raw = kio.read_raw(entry, paths.raw)
        except Exception as exc:  # a corrupt workbook, bad encoding, a missing file...
            problems.append(pb.error("unreadable file", entry.file, None, reading_error(exc)))
            continue
        table, frame, found = clean_entry(entry, raw, ref)
        if any(p.check == "no data rows" for p in found):
            found = [with_kind_hint(p, paths.raw / entry.file, entry.kind, ref) for p in found]
        problems.extend(found)
        produced = frame if isinstance(frame, dict) else {table: frame}
        for name, part in produced.items():
            if name and not part.empty:
                parts[name].append(part)
        log.info("cleaned %s: %d problems", entry.id, len(found))
    nn = pd.concat(parts["comparator_members"]) if parts["comparator_members"] else None
    try:
        groups = read_config(paths.reference / "comparator_groups.yml", ComparatorGroups)
    except ConfigError as exc:  # reported with the data's problems, like a bad raw table
        named = f"{paths.reference / 'comparator_groups.yml'}: "
        problems.extend(
            pb.error("comparator group", GROUPS_FILE, None, line.removeprefix(named))
            for line in str(exc).splitlines()
        )
        groups = ComparatorGroups()
    members, found = resolve_comparator_groups(groups, ref.authorities, nn)
    problems.extend(found)
    tables: dict[str, pd.DataFrame] = {}
    for name in TABLES:
        if name in ("data_quality",):
            continue
        frames = [f for f in parts[name] if not f.empty]
        if name == "comparator_members":
            frames = [members]
        frame = concat_parts(frames) if frames else empty_frame(TABLES[name])
        if name == "population_totals":  # two ONS releases give the same years
            frame, found = ons_series.combine_population_totals(frame)
            problems.extend(found)
        tables[name], found = validate_table(name, frame)
        problems.extend(found)
    if not any(p.severity == "error" for p in problems):
        problems.extend(_reconcile(tables["budget_lines"], entries, ref, tolerance))
        problems.extend(
            check_published_ratings(
                tables["indicator_observations"], tables["published_ratings"], ref.indicators
            )
        )
    tables["data_quality"] = TABLES["data_quality"].validate(pb.to_frame(problems))
    manifest = {
        "package_version": __version__,
        "tolerance": tolerance,
        "rows": {name: int(len(frame)) for name, frame in tables.items()},
        "inputs": kio.hash_inputs(paths),
        "seconds": round(time.perf_counter() - started, 2),
    }
    return BuildResult(tables, problems, manifest)


def _reconcile(
    lines: pd.DataFrame, entries: list[CatalogueEntry], ref: Reference, tolerance: float
) -> list[pb.Problem]:
    notes = {
        e.file: f"table marked truncated in the catalogue: {e.truncated}"
        for e in entries
        if e.truncated
    }
    found = reconcile_budget_totals(lines, tolerance=tolerance, notes=notes)
    found += reconcile_identities(lines, ref.identities, tolerance=tolerance)
    by_id = {e.id: e for e in entries}
    for entry in entries:
        if entry.stated_total:
            stated = by_id.get(entry.stated_total["table"])
            if stated is None:
                found.append(
                    pb.error(
                        "catalogue",
                        entry.file,
                        None,
                        f"stated_total names unknown table {entry.stated_total['table']!r}",
                    )
                )
                continue
            found += reconcile_stated_figure(
                lines, entry.file, stated.file, entry.stated_total["measure"], tolerance=tolerance
            )
    return found


def run_build(
    paths: kio.ProjectPaths | None = None, *, tolerance: float = TOLERANCE
) -> BuildResult:
    """Build and, only if there were no errors, write ``data/processed``.

    Raises
    ------
    RawDataError
        When any raw table has an error; nothing is written and the previous
        ``data/processed`` is left intact.
    kassanalysis.io.LockBusyError
        Another ``kass build`` or ``kass report`` is running on the project.
    kassanalysis.io.OutputError
        The tables could not be written (disk full, read-only folder); the previous build
        is left as it was.

    The whole build holds the project lock (:func:`kassanalysis.io.project_lock`), so two
    builds, or a build and a report, never interleave.
    """
    paths = paths or kio.find_project()
    with kio.project_lock(paths):
        result = build_tables(paths, tolerance=tolerance)
        if result.errors:
            raise pb.RawDataError(result.problems)
        result.manifest = kio.write_processed(result.tables, paths.processed, result.manifest)
    return result
