"""``kass check``: read one new raw file the way the build would and say what is in it.

Analysts receive new files every quarter; before a file joins the catalogue this shows the
tidy result (rows, periods, totals by measure) and every problem with its line, and writes
the tidy frame if asked. The exit status is 1 when there is any problem.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd

from kassanalysis import io as kio
from kassanalysis.build import CLEANERS, clean_entry, validate_table
from kassanalysis.catalogue import (
    KINDS,
    TEXT_KINDS,
    UNITS,
    CatalogueEntry,
    CatalogueError,
    parse_catalogue,
)
from kassanalysis.ratings import check_published_ratings
from kassanalysis.reconcile import reconcile_budget_totals, reconcile_identities


def make_entry(
    path: Path,
    kind: str,
    *,
    authority: str | None,
    year: str | None,
    units: str | None,
    unit: str | None,
    columns: str | None,
    catalogued: CatalogueEntry | None,
) -> CatalogueEntry:
    """A catalogue entry for a file: its catalogue entry if it has one, else a minimal one,
    with the command-line options laid over it."""
    entry = (
        catalogued
        or parse_catalogue(
            {
                "tables": [
                    {
                        "id": path.stem,
                        "file": str(path),
                        "kind": kind,
                        "authority": "E10000016",
                        "source": {"document": str(path)},
                        "licence": "",
                    }
                ]
            }
        )[0]
    )
    changes: dict = {"file": str(path), "kind": kind}
    if authority:
        changes["authority"] = authority
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
    if unit:
        changes["unit"] = unit
    if columns:
        changes["columns"] = tuple(c.strip() for c in columns.split(","))
    if kind in TEXT_KINDS and entry.format is None:
        text = path.read_text(encoding="utf-8", errors="replace")
        changes["format"] = "pipe" if text.lstrip().startswith("|") else "tab"
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


def check_file(
    path: Path,
    *,
    kind: str,
    authority: str | None = None,
    year: str | None = None,
    units: str | None = None,
    unit: str | None = None,
    columns: str | None = None,
    out: str | None = None,
    root: Path | None = None,
    stream=None,
) -> int:
    """Check one raw file; print the summary and problems; return the exit status."""
    stream = stream or sys.stdout
    if kind not in KINDS:
        print(f"unknown kind {kind!r}; known kinds: {', '.join(KINDS)}", file=stream)
        return 2
    if kind not in CLEANERS:
        print(f"kind {kind!r} cannot be checked on its own", file=stream)
        return 2
    path = Path(path)
    if not path.is_file():
        print(f"{path}: no such file", file=stream)
        return 2
    paths = kio.ProjectPaths(root.resolve()) if root else kio.find_project(path.parent)
    ref = kio.read_reference(paths.reference)
    catalogued = None
    try:
        relative = path.resolve().relative_to(paths.raw.resolve())
        catalogued = next(
            (
                e
                for e in kio.read_catalogue(paths.raw)
                if e.file == str(relative) and e.kind == kind
            ),
            None,
        )
    except ValueError:
        pass
    try:
        entry = make_entry(
            path,
            kind,
            authority=authority,
            year=year,
            units=units,
            unit=unit,
            columns=columns,
            catalogued=catalogued,
        )
        raw = kio.read_raw(entry, Path("/") if path.is_absolute() else Path.cwd())
    except (CatalogueError, OSError, ValueError) as exc:
        print(f"{path}: {exc}", file=stream)
        return 1
    table, frame, problems = clean_entry(entry, raw, ref)
    frames = frame if isinstance(frame, dict) else {table: frame}
    for name, part in list(frames.items()):
        if not part.empty:
            frames[name], found = validate_table(name, part)
            problems += found
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
    print(f"{path} ({kind}):", file=stream)
    for name, part in frames.items():
        for line in summarise(name, part):
            print(f"  {line}", file=stream)
    if problems:
        print(f"{len(problems)} problem(s):", file=stream)
        for problem in problems:
            print(f"  - [{problem.severity}] {problem}", file=stream)
    else:
        print("no problems found", file=stream)
    if out:
        if any(p.severity == "error" for p in problems):
            print(f"not writing {out}: fix the errors first", file=stream)
        else:
            for name, part in frames.items():
                target = Path(out) if len(frames) == 1 else Path(out).with_suffix(f".{name}.csv")
                kio.write_csv(part, target)
            print(f"wrote {out}", file=stream)
    return 1 if problems else 0


__all__ = ["check_file", "make_entry", "summarise"]
