"""``kass check``: read one new raw file the way the build would and say what is in it.

Analysts receive new files every quarter; before a file joins the catalogue this shows the
tidy result (rows, periods, totals by measure) and every problem with its line, and writes
the tidy frame if asked. The exit status is 1 when there is any problem.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import pandas as pd
import yaml

from kassanalysis import api, kinds
from kassanalysis import io as kio
from kassanalysis import problems as pb
from kassanalysis.build import CLEANERS, clean_entry, validate_table
from kassanalysis.catalogue import (
    INCOME_SIGNS,
    KINDS,
    UNITS,
    CatalogueEntry,
    CatalogueError,
)
from kassanalysis.ratings import check_published_ratings
from kassanalysis.reconcile import reconcile_budget_totals, reconcile_identities


@dataclass(frozen=True)
class FileOptions:
    """What an analyst says about one raw file (``kass check`` and ``kass add``): each
    option left as None is taken from the file's catalogue entry or its content.

    Attributes
    ----------
    kind : str or None
        The raw kind (one of :data:`kassanalysis.catalogue.KINDS`); None to recognise it.
    authority : str or None
        ONS code of the council, when the file does not say; a file outside the catalogue
        defaults to the project's ``home_authority`` (``data/reference/divisions.yml``).
    year : str or None
        Financial year (``2008-09``) or period of the values; a year for ``ons_mye2``.
    units : str or None
        Units of measure (one of :data:`kassanalysis.catalogue.UNITS`).
    unit : str or None
        Budget unit or division name.
    columns : str or None
        Comma-separated layout when the header is lost.
    income_sign : str or None
        ``auto``, ``negative`` or ``positive`` (budget tables).

    Examples
    --------
    >>> import argparse
    >>> FileOptions.from_args(argparse.Namespace(kind="budget_table", year="2023-24",
    ...                                          out="x.csv"))  # doctest: +NORMALIZE_WHITESPACE
    FileOptions(kind='budget_table', authority=None, year='2023-24', units=None, unit=None,
                columns=None, income_sign=None)
    """

    kind: str | None = None
    authority: str | None = None
    year: str | None = None
    units: str | None = None
    unit: str | None = None
    columns: str | None = None
    income_sign: str | None = None

    @classmethod
    def from_args(cls, args: object) -> FileOptions:
        """The options from parsed command-line arguments (an :mod:`argparse` namespace);
        an option the namespace lacks is None, and other attributes are ignored."""
        return cls(**{f.name: getattr(args, f.name, None) for f in fields(cls)})


def make_entry(
    path: Path,
    options: FileOptions,
    *,
    catalogued: CatalogueEntry | None,
    home_authority: str | Callable[[], str],
) -> CatalogueEntry:
    """A catalogue entry for a file: its catalogue entry if it has one, else a minimal one,
    with the command-line options laid over it.

    Parameters
    ----------
    path : Path
        The raw file.
    options : FileOptions
        What the analyst said; ``options.kind`` must be set (given or recognised).
    catalogued : CatalogueEntry or None
        The file's entry in ``data/raw/catalogue.yml``, if it has one.
    home_authority : str or callable
        ONS code a file outside the catalogue is for when ``--authority`` is not given (the
        project's ``home_authority``), or a function returning it (called only then).

    Raises
    ------
    kassanalysis.catalogue.CatalogueError
        Unknown units or income sign (one line naming the value and the valid ones).

    Examples
    --------
    >>> e = make_entry(Path("b.csv"), FileOptions(kind="budget_table", year="2023-24"),
    ...                catalogued=None, home_authority="E10000032")
    >>> e.authority, e.financial_year, e.units_of_measure
    ('E10000032', '2023-24', 'GBP thousands')
    """
    kind = options.kind
    if kind is None:
        raise ValueError("make_entry needs the file's kind")
    if catalogued is not None:
        entry = catalogued
    else:
        # a loose entry, not a catalogue: the file may be anywhere (the catalogue's own files
        # must be inside data/raw); a nearest-neighbour list as CSV does not name its council
        if kind == "nearest_neighbours" or options.authority:
            authority = ""
        else:
            authority = home_authority() if callable(home_authority) else home_authority
        entry = CatalogueEntry(
            id=path.stem,
            file=str(path),
            kind=kind,
            authority=authority,
            source={"document": str(path)},
            licence="",
        )
    changes: dict = {"file": str(path), "kind": kind}
    if options.authority:
        changes["authority"] = options.authority
    units, year = options.units, options.year
    if units:
        if units not in UNITS:
            raise CatalogueError(f"unknown units {units!r}; known: {', '.join(UNITS)}")
        changes["units_of_measure"] = units
    elif entry.units_of_measure is None and kind == "budget_table":
        changes["units_of_measure"] = "GBP thousands"
    if year and kind == "ons_mye2":
        changes["year"] = int(year)
    elif year:
        changes["financial_year" if kind in ("budget_table", "stated_figures") else "period"] = year
    if options.unit:
        changes["unit"] = options.unit
    if options.columns:
        changes["columns"] = tuple(c.strip() for c in options.columns.split(","))
    if options.income_sign:
        if options.income_sign not in INCOME_SIGNS:
            raise CatalogueError(
                f"unknown income sign {options.income_sign!r}; known: {', '.join(INCOME_SIGNS)}"
            )
        changes["income_sign"] = options.income_sign
    return replace(entry, **changes)


def summarise(table: str, frame: pd.DataFrame) -> list[str]:
    """A few lines describing a tidy frame: rows, periods, totals by measure."""
    lines = [f"{len(frame):,} rows of {table}"]
    if frame.empty:
        return lines
    if table == "budget_lines":
        lines.append("financial years: " + ", ".join(sorted(frame.financial_year.unique())))
        totals = (
            frame[frame.row_type == "line"]
            .groupby(["financial_year", "measure"])
            .value.sum(min_count=1)
        )
        lines.append("sum of lines by measure:")
        lines += [
            f"  {year} {measure}: {value:,.1f}"
            for (year, measure), value in totals.items()
            if pd.notna(value)
        ]
    elif table == "indicator_observations":
        periods = frame.drop_duplicates("period").sort_values("period_end").period
        lines.append("periods: " + ", ".join(periods))
        lines.append(
            f"{frame.indicator_id.nunique()} indicators, "
            f"{frame.authority_code.nunique()} councils; values by type: "
            + ", ".join(f"{k}={v}" for k, v in frame.groupby("value_type").value.count().items())
        )
        missing = frame[frame.status != "reported"].status.value_counts()
        if not missing.empty:
            lines.append("not reported: " + ", ".join(f"{k} {v}" for k, v in missing.items()))
    elif table == "population":
        lines.append(f"years: {sorted(frame.year.unique())}; {frame.area_code.nunique()} areas")
    elif table == "published_ratings":
        lines.append(
            "published RAG: "
            + ", ".join(f"{k} {v}" for k, v in frame.rag.value_counts().sort_index().items())
        )
    elif table == "paf_banding":
        lines.append("years: " + ", ".join(sorted(frame.financial_year.unique())))
    return lines


@dataclass
class Checked:
    """What checking one file found: the kind used, its entry, tidy frames and problems."""

    path: Path
    kind: str | None
    entry: CatalogueEntry | None = None
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    problems: list[pb.Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how the kind was chosen
    failure: str | None = None  # one line when the file could not be read at all
    status: int = 0

    @property
    def errors(self) -> list[pb.Problem]:
        return [p for p in self.problems if p.severity == "error"]


def choose_kind(
    preview: kinds.Preview, ref, *, margin: float = 0.2
) -> tuple[str | None, list[str]]:
    """The kind a file is, from its content, and lines saying why (or listing candidates).

    A kind is chosen when its recogniser is at least 0.5 sure and ``margin`` surer than the
    next; otherwise no kind is chosen and the candidates are listed.
    """
    found = kinds.recognise(preview, ref)
    if not found:
        return None, [
            f"{preview.description}: not recognised as any kind; give --kind "
            f"(one of {', '.join(KINDS)})"
        ]
    best, rest = found[0], found[1:]
    if best.score >= 0.5 and (not rest or best.score - rest[0].score >= margin):
        return best.kind, [f"kind: {best.kind} (recognised: {best.reason})"]
    lines = ["not sure which kind this is; candidates (give one with --kind):"]
    lines += [f"  {r.kind}: {r.reason} (score {r.score:.1f})" for r in found]
    return None, lines


def _catalogued_entry(path: Path, paths, kind: str) -> CatalogueEntry | None:
    """The catalogue's entry for this file and kind, when the file is under ``data/raw``."""
    try:
        relative = path.resolve().relative_to(paths.raw.resolve())
        entries = kio.read_catalogue(paths.raw)
    except ValueError:
        return None
    return next((e for e in entries if e.file == str(relative) and e.kind == kind), None)


def _check_frames(
    table: str, frame, problems: list[pb.Problem], preview: kinds.Preview, kind: str, ref
) -> tuple[dict[str, pd.DataFrame], list[pb.Problem]]:
    """Validate each cleaned frame against its schema and run the checks the build runs
    (budget reconciliation, published ratings); a hint names the likely kind when nothing
    could be read."""
    frames = frame if isinstance(frame, dict) else {table: frame}
    for name, part in list(frames.items()):
        if not part.empty:
            frames[name], found = validate_table(name, part)
            problems += found
    if problems and all(part.empty for part in frames.values()):
        hint = kinds.kind_hint(preview, kind, ref)
        if hint:
            first = problems[0]
            problems[0] = replace(first, message=first.message + hint)
    budget_lines = frames.get("budget_lines")
    if (
        budget_lines is not None
        and not budget_lines.empty
        and not any(p.severity == "error" for p in problems)
    ):
        problems += reconcile_budget_totals(budget_lines)
        problems += reconcile_identities(budget_lines, ref.identities)
    ratings = frames.get("published_ratings")
    if ratings is not None and not any(p.severity == "error" for p in problems):
        problems += check_published_ratings(
            frames["indicator_observations"], ratings, ref.indicators
        )
    return frames, problems


def inspect_file(
    path: Path, options: FileOptions | None = None, *, root: Path | None = None
) -> Checked:
    """Read one raw file as the build would (recognising its kind when none is given)
    and return what was found; never raises for a bad file.

    Parameters
    ----------
    path : Path
        The raw file.
    options : FileOptions, optional
        What the analyst said about it (kind, authority, year...); none by default.
    root : Path, optional
        The project folder (default: found from the file's folder).
    """
    path = Path(path)
    options = options or FileOptions()
    kind = options.kind
    result = Checked(path, kind)
    if kind is not None and kind not in KINDS:
        result.failure = f"unknown kind {kind!r}; known kinds: {', '.join(KINDS)}"
        result.status = 2
        return result
    if kind is not None and kind not in CLEANERS:
        result.failure = f"kind {kind!r} cannot be checked on its own"
        result.status = 2
        return result
    if not path.is_file():
        result.failure = f"{path}: no such file"
        result.status = 2
        return result
    paths = kio.ProjectPaths(Path(root).resolve()) if root else kio.find_project(path.parent)
    ref = kio.read_reference(paths.reference)
    try:
        preview = kio.preview_file(path)
    except (OSError, ValueError) as exc:
        result.failure, result.status = f"{path}: {exc}", 1
        return result
    if kind is None:
        kind, result.notes = choose_kind(preview, ref)
        if kind is None:
            result.status = 2
            return result
        if kind not in KINDS:
            result.notes.append(f"this version of kassanalysis does not read {kind} files")
            result.status = 1
            return result
        result.kind = kind
    catalogued = _catalogued_entry(path, paths, kind)
    try:
        entry = make_entry(
            path,
            replace(options, kind=kind),
            catalogued=catalogued,
            home_authority=lambda: api.home_authority(root=paths.root),
        )
        result.entry = entry
        raw = kio.read_raw(entry, Path("/") if path.is_absolute() else Path.cwd(), confine=False)
    except (CatalogueError, OSError, ValueError) as exc:
        hint = kinds.kind_hint(preview, kind, ref)
        result.failure, result.status = f"{path}: {exc}{hint}", 1
        return result
    table, frame, problems = clean_entry(entry, raw, ref)
    frames, problems = _check_frames(table, frame, problems, preview, kind, ref)
    result.frames, result.problems = frames, problems
    result.status = 1 if problems else 0
    return result


def check_file(
    path: Path,
    options: FileOptions | None = None,
    *,
    out: str | None = None,
    root: Path | None = None,
    stream=None,
) -> int:
    """Check one raw file; print the kind chosen, the summary and problems; return the exit
    status (0 clean, 1 problems or unreadable, 2 bad arguments or kind not recognised).

    ``options`` and ``root`` are as :func:`inspect_file`; ``out`` is a CSV to write the
    tidy frame to (one file per table when the file holds several), ``stream`` where to
    print (default standard output).
    """
    stream = stream or sys.stdout
    result = inspect_file(path, options, root=root)
    report_checked(result, stream)
    if out and result.failure is None and result.kind:
        if result.errors:
            print(f"not writing {out}: fix the errors first", file=stream)
        else:
            for name, part in result.frames.items():
                target = (
                    Path(out) if len(result.frames) == 1 else Path(out).with_suffix(f".{name}.csv")
                )
                kio.write_csv(part, target)
            print(f"wrote {out}", file=stream)
    return result.status


def catalogue_item(
    entry: CatalogueEntry, table_id: str, file: str, original: str, indent: str = "  "
) -> str:
    """The YAML text of one catalogue item for a file added with ``kass add``.

    Examples
    --------
    >>> from kassanalysis.catalogue import CatalogueEntry
    >>> e = CatalogueEntry("x", "x.csv", "budget_table", "E10000032", {}, "",
    ...                    financial_year="2023-24", unit="Adults")
    >>> print(catalogue_item(e, "added-x", "added/x.csv", "x.csv"), end="")
    <BLANKLINE>
      - id: added-x
        file: added/x.csv
        kind: budget_table
        authority: E10000032
        financial_year: 2023-24
        unit: Adults
        source:
          document: x.csv
          added_by: kass add
    """
    item: dict = {"id": table_id, "file": file, "kind": entry.kind, "authority": entry.authority}
    for name in ("financial_year", "period", "year", "unit", "units_of_measure"):
        value = getattr(entry, name)
        if value is not None:
            item[name] = value
    if entry.income_sign != "auto":
        item["income_sign"] = entry.income_sign
    if entry.columns:
        item["columns"] = list(entry.columns)
    item["source"] = {"document": original, "added_by": "kass add"}
    text = yaml.safe_dump([item], sort_keys=False, allow_unicode=True, width=100)
    return "\n" + "".join(f"{indent}{line}\n" for line in text.splitlines())


def list_indent(catalogue_text: str) -> str:
    r"""The indentation of the items of the catalogue's ``tables`` list, as written.

    Examples
    --------
    >>> list_indent("tables:\n- id: a\n  file: a.txt\n"), list_indent("tables:\n  - id: a\n")
    ('', '  ')
    """
    found = re.findall(r"^( *)- id:", catalogue_text, flags=re.MULTILINE)
    return found[-1] if found else "  "


def add_file(
    path: Path,
    options: FileOptions | None = None,
    *,
    folder: str = "added",
    table_id: str | None = None,
    root: Path | None = None,
    stream=None,
) -> int:
    """``kass add``: check a file, copy it unchanged into ``data/raw/<folder>/`` and append
    its catalogue entry, so that the next ``kass build`` includes it.

    Nothing is copied or catalogued when the file has errors, its kind is not recognised,
    a different file of the same name is already there, or the id is taken.
    Returns the exit status (0 added, 1 problems, 2 bad arguments).
    """
    stream = stream or sys.stdout
    path = Path(path)
    result = inspect_file(path, options, root=root)
    report_checked(result, stream)
    if result.failure is not None or result.entry is None:
        return result.status or 1
    if result.errors:
        print(f"not added: fix the {len(result.errors)} error(s) first", file=stream)
        return 1
    paths = kio.ProjectPaths(Path(root).resolve()) if root else kio.find_project(path.parent)
    folder = folder.strip("/")
    relative = f"{folder}/{path.name}" if folder else path.name
    entries = kio.read_catalogue(paths.raw)
    if any(e.file == relative for e in entries):
        print(f"not added: {relative} is already in the catalogue", file=stream)
        return 1
    table_id = table_id or f"{folder.replace('/', '-')}-{path.stem}".strip("-")
    if any(e.id == table_id for e in entries):
        print(f"not added: catalogue id {table_id!r} is taken; give another with --id", file=stream)
        return 2
    indent = list_indent((paths.raw / kio.CATALOGUE).read_text(encoding="utf-8"))
    text = catalogue_item(result.entry, table_id, relative, path.name, indent)
    try:
        kio.add_raw_file(path, paths.raw, relative, text)
    except (FileExistsError, ValueError) as exc:
        print(f"not added: {exc}", file=stream)
        return 1
    print(
        f"added {relative} to {paths.raw / kio.CATALOGUE} as {table_id!r} ({result.kind}); "
        "`kass build` will include it",
        file=stream,
    )
    return 0


def report_checked(result: Checked, stream) -> None:
    """Print what :func:`inspect_file` found."""
    for line in result.notes:
        print(line, file=stream)
    if result.failure is not None:
        print(result.failure, file=stream)
        return
    if result.kind is None or result.entry is None:
        return
    print(f"{result.path} ({result.kind}):", file=stream)
    for name, part in result.frames.items():
        for line in summarise(name, part):
            print(f"  {line}", file=stream)
    if result.problems:
        print(f"{len(result.problems)} problem(s):", file=stream)
        for problem in result.problems:
            print(f"  - [{problem.severity}] {problem}", file=stream)
    else:
        print("no problems found", file=stream)


__all__ = [
    "Checked",
    "FileOptions",
    "add_file",
    "catalogue_item",
    "check_file",
    "choose_kind",
    "inspect_file",
    "make_entry",
    "summarise",
]
