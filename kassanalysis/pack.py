"""``kass report``: plan and run every notebook template for every division; build the pack.

The run is planned and every parameter checked before any kernel starts. Notebooks run in
parallel (``--jobs``), each in its own process with papermill and an execution timeout. The
pack is written to a staging folder; only when every notebook completed every cell is it
swapped in for ``reports/<period>/``. A failed run is kept under ``reports/failed/`` with the
failed notebooks' errors, the previous good pack is left in place, and the command exits 1.

The division workbooks are written by :mod:`kassanalysis.publish.spreadsheet`, the index
page by :mod:`kassanalysis.report.index`, a partial run is merged into the period's pack by
:mod:`kassanalysis.pack_merge`, the worker processes are set up and stopped by
:mod:`kassanalysis.pack_workers`, and the command line is :mod:`kassanalysis.cli`.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kassanalysis import __version__
from kassanalysis import io as kio
from kassanalysis.api import load, load_comparator_groups, load_divisions
from kassanalysis.config import PackConfig, read_config
from kassanalysis.pack_merge import (
    ANALYSES,
    is_partial,
    merge_partial_run,
    refresh_pages,
    report_navigation,
    report_title,
)
from kassanalysis.pack_workers import (
    count_workers,
    longest_first,
    previous_seconds,
    start_worker,
    stop_workers,
)
from kassanalysis.periods import PeriodError, parse_period
from kassanalysis.publish.spreadsheet import (
    illustrative_files,
    money_columns,
    write_division_workbook,
)
from kassanalysis.report.context import (
    ParameterError,
    check_identifier,
    divisions_for_period,
    list_report_periods,
    slug_for_period,
    write_pack_summaries,
)
from kassanalysis.report.index import write_index

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
    build: str = ""  # the build folder every kernel reads (``$KASS_BUILD``)
    title: str = ""  # the HTML page's title: analysis, division and period
    navigation: tuple[tuple[str, str], ...] = ()  # (label, href) links above the report


@dataclass
class RunResult:
    division: str
    analysis: str
    ok: bool
    seconds: float
    error: str = ""
    output: str = ""
    log: list[str] = field(default_factory=list)  # kernel restarts and the like


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

    every = load_divisions(root=paths.root)
    divisions = {d.id: d for d in every}
    asked = list(dict.fromkeys(config.divisions))  # a repeat runs once
    for division in asked:
        check_identifier(division, "division", list(divisions))
    groups = list(load_comparator_groups(root=paths.root)["id"])
    if group:
        check_identifier(group, "comparator group", groups)
    try:
        period = parse_period(config.period)
    except PeriodError as exc:
        raise ParameterError(str(exc)) from exc
    # only the divisions whose era is the period's: never another era's figures
    chosen = [d.id for d in divisions_for_period(every, period, asked)]
    observations = load("indicator_observations", root=paths.root)
    budget = load("budget_lines", root=paths.root)
    for division in chosen:
        valid = list_report_periods(observations, budget, divisions[division].authority)
        if period.label not in valid:
            raise ParameterError(
                f"unknown period {config.period!r}; valid periods: {', '.join(valid)}"
            )
    runs = []
    for analysis in dict.fromkeys(config.notebooks):
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
                    title=report_title(analysis, divisions[division].name, period.label),
                    navigation=report_navigation(division, dict.fromkeys(config.notebooks)),
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


#: How many times a kernel that fails to start is started again (with fresh ports).
KERNEL_START_ATTEMPTS = 3
#: How many failed runs ``reports/failed`` keeps (the newest).
FAILED_KEPT = 5


def check_every_cell_ran(notebook_path: Path) -> str:
    """An empty string when every code cell of the executed notebook ran to completion,
    else why not, naming the first cell that did not run.

    papermill returns normally when a cell calls ``sys.exit(0)`` (the kernel stops
    quietly) and the cells after it never run; only the executed notebook shows it.
    """
    import nbformat

    notebook = nbformat.read(notebook_path, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code" and c.source.strip()]
    for number, cell in enumerate(code, start=1):
        status = cell.get("metadata", {}).get("papermill", {}).get("status")
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            return (
                f"code cell {number} of {len(code)}: {errors[0].get('ename')}: "
                f"{errors[0].get('evalue')} (the notebook stopped there)"
            )
        if cell.get("execution_count") is None or status not in (None, "completed"):
            return (
                f"code cell {number} of {len(code)} never ran: the notebook stopped early "
                "(sys.exit or the kernel ended) after the cell before it"
            )
    return ""


def _kernel_never_started(notebook_path: Path) -> bool:
    """Whether no cell of the output notebook ran (papermill writes it before starting)."""
    import nbformat

    try:
        notebook = nbformat.read(notebook_path, as_version=4)
    except Exception:
        return True
    return all(c.get("execution_count") is None for c in notebook.cells if c.cell_type == "code")


def execute_run(run: NotebookRun) -> RunResult:
    """Run one notebook with papermill (in a worker process) and export its HTML.

    Every kernel reads the build the pack started with (``$KASS_BUILD``). A kernel that
    fails to start is started again with fresh ports, up to
    :data:`KERNEL_START_ATTEMPTS` times, and the result's ``log`` says so. The run
    succeeds only if every code cell of the executed notebook completed
    (:func:`check_every_cell_ran`).
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from kassanalysis.report.html import export_html

    started = time.perf_counter()
    Path(run.output).parent.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("MPLBACKEND", "Agg")
    if run.build:
        os.environ[kio.PINNED_BUILD] = run.build
    notes: list[str] = []

    def failed(error: str) -> RunResult:
        return RunResult(
            run.division,
            run.analysis,
            False,
            time.perf_counter() - started,
            error,
            run.output,
            notes,
        )

    for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
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
            break
        except PapermillExecutionError as exc:
            return failed(f"cell {exc.exec_count}: {exc.ename}: {exc.evalue}")
        except Exception as exc:  # the kernel died, timed out or never started
            detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
            if attempt < KERNEL_START_ATTEMPTS and _kernel_never_started(Path(run.output)):
                notes.append(
                    f"kernel failed to start ({detail}); started again with fresh ports "
                    f"(attempt {attempt + 1} of {KERNEL_START_ATTEMPTS})"
                )
                continue
            return failed(detail)
    try:
        stopped = check_every_cell_ran(Path(run.output))
        if stopped:
            return failed(stopped)
        export_html(Path(run.output), Path(run.html), title=run.title, navigation=run.navigation)
    except Exception as exc:  # any failure of one notebook is that notebook's failure
        return failed(f"{type(exc).__name__}: {exc}")
    return RunResult(
        run.division,
        run.analysis,
        True,
        time.perf_counter() - started,
        output=run.output,
        log=notes,
    )


def run_all(
    runs: list[NotebookRun],
    jobs: int,
    *,
    progress: bool = True,
    workbook: dict | None = None,
    expected: dict[tuple[str, str], float] | None = None,
    kernel_log: Path | None = None,
) -> tuple[list[RunResult], list[str]]:
    """Run notebooks ``jobs`` at a time, each in its own kernel process; as soon as all of a
    division's notebooks have succeeded, write its workbook in the same pool.

    ``workbook`` holds what :func:`write_division_workbook` needs besides the folder:
    ``names`` (division id -> name), ``notebooks``, ``period_label``, ``rule``,
    ``money`` and, for the cover and number formats, ``publication``, ``indicator_units``
    and ``illustrative_files``.
    ``expected`` (seconds per (division, notebook), see :func:`previous_seconds`) sets the
    order they start in (:func:`longest_first`). Returns the notebook results, in the
    order of ``runs``, and the errors of any workbook that failed.

    At most :func:`count_workers` workers are started. They are stopped on every way out
    of this function (an error, Ctrl-C, SIGTERM), and die with the main process even when
    it is killed (:func:`start_worker`). Kernels' stderr goes to ``kernel_log``.
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
    pool = ProcessPoolExecutor(
        max_workers=count_workers(jobs, len(runs)),
        initializer=start_worker,
        initargs=(str(kernel_log or os.devnull),),
    )
    try:
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
                        publication=workbook.get("publication"),
                        indicator_units=workbook.get("indicator_units"),
                        illustrative_files=workbook.get("illustrative_files", frozenset()),
                    )
                )
            bar.update()
        bar.close()
        for book in books:
            try:
                book.result()
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
    except BaseException:
        stop_workers(pool)
        raise
    pool.shutdown(wait=True)
    order = {(r.division, r.analysis): i for i, r in enumerate(runs)}
    return sorted(results, key=lambda r: order[(r.division, r.analysis)]), errors


def results_in(staging: Path, fresh: list[RunResult]) -> list[RunResult]:
    """What the pack in ``staging`` holds, for its index: this run's results and every
    (division, notebook) carried over from the previous pack."""
    seen = {(r.division, r.analysis) for r in fresh}
    found = list(fresh)
    for notebook in sorted(staging.glob("*/*.ipynb")):
        key = (notebook.parent.name, notebook.stem)
        if notebook.stem in ANALYSES and key not in seen:
            found.append(RunResult(key[0], key[1], True, 0.0, output=str(notebook)))
    return found


def prune_failed(folder: Path, keep: int = FAILED_KEPT) -> None:
    """Keep only the newest ``keep`` failed runs in ``reports/failed``."""
    if not folder.is_dir():
        return
    runs = sorted((p for p in folder.iterdir() if p.is_dir()), key=lambda p: p.name)
    for old in runs[:-keep] if keep else runs:
        shutil.rmtree(old, ignore_errors=True)


def run_pack(
    paths: kio.ProjectPaths,
    config: PackConfig,
    *,
    group: str | None = None,
    progress: bool = True,
    stream=None,
    reports_dir: Path | str | None = None,
) -> int:
    """Plan, run and publish the pack; returns the exit status (0 ok, 1 failed).

    The pack goes to ``<reports>/<period>`` where ``reports`` is ``pack.yml``'s folder
    inside the project, or ``reports_dir`` (``kass report --reports-dir``), the one way
    to write a pack outside the project.

    The whole run holds the project lock (no build can change ``data/processed`` under
    it) and every kernel reads the one build it started with. The new pack is staged in
    ``reports/versions`` and published by :func:`kassanalysis.io.swap_in`; a partial run
    (some divisions or notebooks) is merged with the period's current pack.
    """
    stream = stream or sys.stdout
    reports = Path(reports_dir).resolve() if reports_dir else paths.root / config.reports
    with kio.project_lock(paths):
        period = parse_period(config.period)
        slug = slug_for_period(period)
        target = reports / slug
        versions = reports / kio.VERSIONS
        try:
            reports.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise kio.output_error(exc, reports) from None
        kio.recover_leftovers(target, versions)
        expected = previous_seconds(reports)
        staging = kio.make_staging_dir(versions, f"{kio.STAGING_PREFIX}{slug}-")
        try:
            return _run_in(
                staging, paths, config, period, target, expected, group, progress, stream
            )
        except OSError as exc:  # disk full, read-only folder: one line naming the path
            shutil.rmtree(staging, ignore_errors=True)
            raise kio.output_error(exc, exc.filename or staging) from None
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise


def _run_in(staging, paths, config, period, target, expected, group, progress, stream) -> int:
    from dataclasses import replace

    reports = target.parent
    build = kio.resolve_build(paths.processed)
    manifest = kio.read_build_manifest(build)
    runs = [
        replace(run, build=str(build))
        for run in plan_runs(paths, config, staging=staging, group=group)
    ]
    every = load_divisions(root=paths.root)
    all_divisions = [d.id for d in divisions_for_period(every, period)]
    partial = is_partial({(r.division, r.analysis) for r in runs}, all_divisions)
    jobs = count_workers(config.jobs, len(runs))
    run_log = {
        "period": period.label,
        "package_version": __version__,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "configuration": {**config.describe(), "jobs": jobs, "group": group},
        "build": build.name,
        "reports": str(reports),
        "inputs": manifest.get("inputs", {}),
        "notebooks": len(runs),
        "partial": partial,
    }
    log.info("pack run: %s", json.dumps(run_log["configuration"]))
    kio.write_text(json.dumps(run_log, indent=2), staging / "run.json")
    print(f"running {len(runs)} notebooks for {period.label}, {jobs} at a time", file=stream)
    started = time.perf_counter()
    names = {d.id: d.name for d in every}
    pages = []
    if partial:  # before the runs: a division's workbook then holds its carried-over tables
        runs, pages = merge_partial_run(
            target, staging, runs, period_label=period.label, names=names
        )
    results, book_errors = run_all(
        runs,
        jobs,
        progress=progress,
        workbook=_workbook_settings(paths, config, period, names, partial),
        expected=expected,
        kernel_log=staging / "kernels.log",
    )
    run_log["notebook_results"] = [
        asdict(r) | {"output": Path(r.output).relative_to(staging).as_posix() if r.output else ""}
        for r in results
    ]
    run_log["kernel_restarts"] = [note for r in results for note in r.log]
    run_log["seconds"] = round(time.perf_counter() - started, 1)
    problems = [f"{r.division} / {r.analysis}: {r.error}" for r in results if not r.ok]
    problems += [f"workbook: {error}" for error in book_errors]
    if not problems:  # carried-over pages linking to the reports this run added
        problems += refresh_pages(pages)
    if not problems:  # the one-page summaries for the index, from the same build
        ran = {r.division for r in results}
        problems += _write_summaries(
            staging, paths, config, period, group, build, [d for d in every if d.id in ran]
        )
    run_log["succeeded"] = not problems
    kio.write_text(json.dumps(run_log, indent=2), staging / "run.json")
    if problems:  # a workbook failure fails the run like a notebook would
        return _keep_failed(staging, target, results, bool(book_errors), problems, stream)
    write_index(staging, paths, config, period.label, results_in(staging, results))
    kio.swap_in(staging, target, reports / kio.VERSIONS)
    print(
        f"pack for {period.label} written to {target} ({run_log['seconds']} s); open "
        f"{target / 'index.html'}",
        file=stream,
    )
    return 0


def _workbook_settings(paths, config, period, names, partial) -> dict:
    """What :func:`run_all` needs to write each division's workbook (see its ``workbook``);
    a partial run's workbook holds every notebook's tables (its own and those carried over)."""
    reference = kio.read_reference(paths.reference)
    return {
        "names": names,
        "notebooks": ANALYSES if partial else tuple(config.notebooks),
        "period_label": period.label,
        "rule": config.rule,
        "money": money_columns(reference),
        "publication": config.publication.cover(datetime.now(UTC).date()),
        "indicator_units": reference.indicators["unit"].astype(str).to_dict(),
        "illustrative_files": illustrative_files(kio.read_catalogue(paths.raw)),
    }


def _write_summaries(staging, paths, config, period, group, build, divisions) -> list[str]:
    """Write the one-page summaries of ``divisions`` for the index, from the pack's build;
    a summary that cannot be written fails the run (one problem line)."""
    try:
        write_pack_summaries(
            staging,
            paths,
            divisions=divisions,
            period=period.label,
            rule=config.rule,
            group=group,
            benchmark_period=config.benchmark_period,
            processed=build,
        )
    except Exception as exc:
        return [f"summary: {type(exc).__name__}: {exc}"]
    return []


def _keep_failed(staging, target, results, book_failed, problems, stream) -> int:
    """Keep a failed run's staging folder under ``reports/failed`` (the newest
    :data:`FAILED_KEPT`), leave the last good pack ``target`` as it was and say why, one
    line per problem. Returns the exit status, 1."""
    kept = target.parent / "failed" / f"{target.name}-{datetime.now(UTC):%Y%m%dT%H%M%S%f}"
    kept.parent.mkdir(parents=True, exist_ok=True)
    staging.rename(kept)
    prune_failed(kept.parent)
    failed = sum(not r.ok for r in results)
    print(
        f"{failed} of {len(results)} notebooks failed"
        f"{' and writing a workbook failed' if book_failed else ''}; the last good pack "
        f"in {target} was left as it was. Failed run kept in {kept}:",
        file=stream,
    )
    for problem in problems:
        print(f"  - {problem}", file=stream)
    return 1
