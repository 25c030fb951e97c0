"""``kass report``: plan and run every notebook template for every division; build the pack.

The run is planned and every parameter checked before any kernel starts. Notebooks run in
parallel (``--jobs``), each in its own process with papermill and an execution timeout. The
pack is written to a staging folder; only when every notebook completed every cell is it
swapped in for ``reports/<period>/``. A failed run is kept under ``reports/failed/`` with the
failed notebooks' errors, the previous good pack is left in place, and the command exits 1.

The division workbooks are written by :mod:`kassanalysis.publish.spreadsheet`, the index
page by :mod:`kassanalysis.report.index`, and the command line is :mod:`kassanalysis.cli`.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kassanalysis import __version__
from kassanalysis import io as kio
from kassanalysis.api import load, load_comparator_groups, load_divisions
from kassanalysis.config import PackConfig, read_config
from kassanalysis.periods import PeriodError, parse_period
from kassanalysis.publish.spreadsheet import money_columns, write_division_workbook
from kassanalysis.report.context import (
    ParameterError,
    check_identifier,
    list_report_periods,
    slug_for_period,
)
from kassanalysis.report.index import write_index
from kassanalysis.report.summary import write_pack_summaries

log = logging.getLogger(__name__)
KERNEL = "python3"
PARAMETERS = {"division", "period", "comparator_group", "output_dir", "root", "pack_config"}


@dataclass(frozen=True)
class NotebookRun:
    """One notebook for one division, with its checked parameters and output paths."""

    division: str
    analysis: str
    template: str
    output: str
    html: str
    parameters: dict[str, str]
    timeout: int
    cwd: str


@dataclass
class RunResult:
    division: str
    analysis: str
    ok: bool
    seconds: float
    error: str = ""
    output: str = ""


def load_config(paths: kio.ProjectPaths, path: str | None = None) -> PackConfig:
    """Read ``pack.yml`` (or the given file) into a checked :class:`PackConfig`.

    Raises
    ------
    ParameterError
        When there is no such file.
    ConfigError
        One line per problem in the file (see :func:`kassanalysis.config.read_config`).
    """
    file = Path(path) if path else paths.root / "pack.yml"
    if not file.is_file():
        raise ParameterError(f"no pack configuration at {file}")
    return read_config(file, PackConfig)


def plan_runs(
    paths: kio.ProjectPaths, config: PackConfig, *, staging: Path, group: str | None = None
) -> list[NotebookRun]:
    """Every (division, notebook) run, with parameters checked against the reference data
    and against each template's declared parameters (``papermill.inspect_notebook``)."""
    import papermill

    divisions = {d.id: d for d in load_divisions(root=paths.root)}
    chosen = list(config.divisions) or list(divisions)
    for division in chosen:
        check_identifier(division, "division", list(divisions))
    groups = list(load_comparator_groups(root=paths.root)["id"])
    if group:
        check_identifier(group, "comparator group", groups)
    try:
        period = parse_period(config.period)
    except PeriodError as exc:
        raise ParameterError(str(exc)) from exc
    observations = load("indicator_observations", root=paths.root)
    budget = load("budget_lines", root=paths.root)
    for division in chosen:
        valid = list_report_periods(observations, budget, divisions[division].authority)
        if period.label not in valid:
            raise ParameterError(
                f"unknown period {config.period!r}; valid periods: {', '.join(valid)}"
            )
    runs = []
    for analysis in config.notebooks:
        check_identifier(analysis, "notebook", ["comparator", "trend", "variance"])
        template = paths.notebooks / f"{analysis}.ipynb"
        declared = set(papermill.inspect_notebook(str(template)))
        wanted = PARAMETERS | ({"benchmark_period"} if analysis == "comparator" else set())
        missing = wanted - declared
        if missing:
            raise ParameterError(f"{template}: parameters cell lacks {sorted(missing)}")
        for division in chosen:
            folder = staging / division
            parameters = {
                "division": division,
                "period": period.label,
                "comparator_group": group or "",
                "output_dir": str(folder / analysis),
                "root": str(paths.root),
                "pack_config": config.source,
            }
            if analysis == "comparator":
                parameters["benchmark_period"] = config.benchmark_period
            runs.append(
                NotebookRun(
                    division,
                    analysis,
                    str(template),
                    str(folder / f"{analysis}.ipynb"),
                    str(folder / f"{analysis}.html"),
                    parameters,
                    config.timeout,
                    str(paths.notebooks),
                )
            )
    return runs


def kernel_options() -> dict[str, Any]:
    """How the pack asks papermill (nbclient) to treat each notebook's kernel: stop it at
    once when its notebook has finished. Its outputs are saved by then and every notebook
    gets a fresh kernel, so a graceful shutdown only waited (about 0.15 s a notebook).

    (Unix-socket transport, which would also silence ipykernel's warning about TCP, is not
    used: kernels started at the same moment by two workers were given the same socket
    names and read each other's messages.)
    """
    return {"shutdown_kernel": "immediate"}


def execute_run(run: NotebookRun) -> RunResult:
    """Run one notebook with papermill (in a worker process) and export its HTML."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from kassanalysis.report.html import export_html

    started = time.perf_counter()
    Path(run.output).parent.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("MPLBACKEND", "Agg")
    try:
        papermill.execute_notebook(
            run.template,
            run.output,
            parameters=run.parameters,
            kernel_name=KERNEL,
            execution_timeout=run.timeout,
            cwd=run.cwd,
            progress_bar=False,
            log_output=False,
            report_mode=False,
            request_save_on_cell_execute=False,
            **kernel_options(),
        )
        export_html(Path(run.output), Path(run.html))
    except Exception as exc:  # any failure of one notebook is that notebook's failure
        error = (
            f"cell {exc.exec_count}: {exc.ename}: {exc.evalue}"
            if isinstance(exc, PapermillExecutionError)
            else f"{type(exc).__name__}: {exc}"
        )
        return RunResult(
            run.division, run.analysis, False, time.perf_counter() - started, error, run.output
        )
    return RunResult(
        run.division, run.analysis, True, time.perf_counter() - started, output=run.output
    )


def previous_seconds(reports: Path) -> dict[tuple[str, str], float]:
    """How long each (division, notebook) took in the newest pack under ``reports``
    (from its ``run.json``); empty when there is none or it cannot be read."""

    def modified(path: Path) -> float:
        try:
            return path.stat().st_mtime
        except OSError:  # another run renamed its folder in the meantime
            return -math.inf

    for path in sorted(Path(reports).glob("*/run.json"), key=modified, reverse=True):
        try:
            done = json.loads(path.read_text(encoding="utf-8"))["notebook_results"]
            seconds = {(r["division"], r["analysis"]): float(r["seconds"]) for r in done}
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if all(math.isfinite(value) and value >= 0 for value in seconds.values()):
            return seconds
    return {}


def longest_first(
    runs: list[NotebookRun], expected: dict[tuple[str, str], float]
) -> list[NotebookRun]:
    """``runs`` in the order to start them: longest expected first, so the last to finish
    is a short one and no worker sits idle at the end. Runs with no record (new
    divisions or notebooks) go first; ties keep the planned order.

    Examples
    --------
    >>> runs = [NotebookRun(d, a, "", "", "", {}, 0, "") for d, a in
    ...         [("a", "trend"), ("b", "trend"), ("c", "trend")]]
    >>> [r.division for r in longest_first(runs, {("a", "trend"): 2.0, ("b", "trend"): 5.0})]
    ['c', 'b', 'a']
    """
    return sorted(runs, key=lambda r: -expected.get((r.division, r.analysis), math.inf))


def run_all(
    runs: list[NotebookRun],
    jobs: int,
    *,
    progress: bool = True,
    workbook: dict | None = None,
    expected: dict[tuple[str, str], float] | None = None,
) -> tuple[list[RunResult], list[str]]:
    """Run notebooks ``jobs`` at a time, each in its own kernel process; as soon as all of a
    division's notebooks have succeeded, write its workbook in the same pool.

    ``workbook`` holds what :func:`write_division_workbook` needs besides the folder:
    ``names`` (division id -> name), ``notebooks``, ``period_label``, ``rule`` and
    ``money``.
    ``expected`` (seconds per (division, notebook), see :func:`previous_seconds`) sets the
    order they start in (:func:`longest_first`). Returns the notebook results, in the
    order of ``runs``, and the errors of any workbook that failed.
    """
    from tqdm import tqdm

    results: list[RunResult] = []
    errors: list[str] = []
    remaining: dict[str, int] = {}
    for run in runs:
        remaining[run.division] = remaining.get(run.division, 0) + 1
    failed_divisions: set[str] = set()
    # The worker processes that drive the kernels (papermill, nbconvert) are reused so
    # their imports are paid once per worker.
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {
            pool.submit(execute_run, run): run for run in longest_first(runs, expected or {})
        }
        books = []
        bar = tqdm(
            total=len(runs), desc="notebooks", unit="nb", disable=not progress, file=sys.stderr
        )
        for future in as_completed(futures):
            run = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # the worker process itself died
                result = RunResult(
                    run.division, run.analysis, False, 0.0, f"worker failed: {exc}", run.output
                )
            results.append(result)
            if not result.ok:
                failed_divisions.add(run.division)
            remaining[run.division] -= 1
            if workbook and remaining[run.division] == 0 and run.division not in failed_divisions:
                folder = str(Path(run.output).parent)
                books.append(
                    pool.submit(
                        write_division_workbook,
                        folder,
                        workbook["names"].get(run.division, run.division),
                        workbook["notebooks"],
                        workbook["period_label"],
                        workbook["rule"],
                        workbook["money"],
                    )
                )
            bar.update()
        bar.close()
        for book in books:
            try:
                book.result()
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
    order = {(r.division, r.analysis): i for i, r in enumerate(runs)}
    return sorted(results, key=lambda r: order[(r.division, r.analysis)]), errors


def write_summaries(
    staging: Path,
    paths: kio.ProjectPaths,
    config: PackConfig,
    period_label: str,
    results: list[RunResult],
    group: str | None,
) -> list[str]:
    """Write each division's one-page summary into the pack (see
    :func:`kassanalysis.report.summary.write_pack_summaries`); returns the problem, if
    any, as the run reports it (a summary that cannot be written fails the run)."""
    run = {r.division for r in results}
    try:
        write_pack_summaries(
            staging,
            paths,
            divisions=[d for d in load_divisions(root=paths.root) if d.id in run],
            period=period_label,
            rule=config.rule,
            group=group,
            benchmark_period=config.benchmark_period,
        )
    except Exception as exc:
        return [f"summary: {type(exc).__name__}: {exc}"]
    return []


def run_pack(
    paths: kio.ProjectPaths,
    config: PackConfig,
    *,
    group: str | None = None,
    progress: bool = True,
    stream=None,
) -> int:
    """Plan, run and publish the pack; returns the exit status (0 ok, 1 failed)."""
    stream = stream or sys.stdout
    reports = paths.root / config.reports
    reports.mkdir(parents=True, exist_ok=True)
    expected = previous_seconds(reports)  # read before this run's staging folder exists
    period = parse_period(config.period)
    slug = slug_for_period(period)
    staging = Path(tempfile.mkdtemp(prefix=f".{slug}-", dir=reports))
    try:
        runs = plan_runs(paths, config, staging=staging, group=group)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    jobs = config.jobs or os.cpu_count() or 1
    manifest = kio.read_manifest(paths.processed)
    run_log = {
        "period": period.label,
        "package_version": __version__,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "configuration": {**config.describe(), "jobs": jobs, "group": group},
        "inputs": manifest.get("inputs", {}),
        "notebooks": len(runs),
    }
    log.info("pack run: %s", json.dumps(run_log["configuration"]))
    (staging / "run.json").write_text(json.dumps(run_log, indent=2), encoding="utf-8")
    print(f"running {len(runs)} notebooks for {period.label}, {jobs} at a time", file=stream)
    started = time.perf_counter()
    names = {d.id: d.name for d in load_divisions(root=paths.root)}
    results, book_errors = run_all(
        runs,
        jobs,
        progress=progress,
        workbook={
            "names": names,
            "notebooks": tuple(config.notebooks),
            "period_label": period.label,
            "rule": config.rule,
            "money": money_columns(kio.read_reference(paths.reference)),
        },
        expected=expected,
    )
    run_log["notebook_results"] = [
        asdict(r) | {"output": Path(r.output).relative_to(staging).as_posix() if r.output else ""}
        for r in results
    ]
    run_log["seconds"] = round(time.perf_counter() - started, 1)
    failed = [r for r in results if not r.ok]
    run_log["succeeded"] = not failed
    (staging / "run.json").write_text(json.dumps(run_log, indent=2), encoding="utf-8")
    problems = [f"{r.division} / {r.analysis}: {r.error}" for r in failed]
    problems += [f"workbook: {error}" for error in book_errors]
    if not problems:  # the one-page summaries for the index, from the same build
        problems += write_summaries(staging, paths, config, period.label, results, group)
    if problems:  # a workbook failure fails the run like a notebook would
        kept = reports / "failed" / f"{slug}-{datetime.now(UTC):%Y%m%dT%H%M%S}"
        kept.parent.mkdir(parents=True, exist_ok=True)
        staging.rename(kept)
        print(
            f"{len(failed)} of {len(results)} notebooks failed"
            f"{' and writing a workbook failed' if book_errors else ''}; the last good pack "
            f"in {reports / slug} was left as it was. Failed run kept in {kept}:",
            file=stream,
        )
        for problem in problems:
            print(f"  - {problem}", file=stream)
        return 1
    write_index(staging, paths, config, period.label, results)
    target = reports / slug
    kio.swap_in(staging, target)
    print(
        f"pack for {period.label} written to {target} ({run_log['seconds']} s); open "
        f"{target / 'index.html'}",
        file=stream,
    )
    return 0
