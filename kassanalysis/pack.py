"""``kass report``: run every notebook template for every division and build the pack.

The run is planned and every parameter checked before any kernel starts. Notebooks run in
parallel (``--jobs``), each in its own process with papermill and an execution timeout. The
pack is written to a staging folder; only when every notebook completed every cell is it
swapped in for ``reports/<period>/``. A failed run is kept under ``reports/failed/`` with the
failed notebooks' errors, the previous good pack is left in place, and the command exits 1.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape

from kassanalysis import __version__
from kassanalysis import io as kio
from kassanalysis.api import ConfigError, load, load_comparator_groups, load_divisions
from kassanalysis.periods import PeriodError, parse_period
from kassanalysis.publish.disclosure import MARKER_NOT_AVAILABLE, SuppressionRule
from kassanalysis.publish.spreadsheet import TableSpec, write_accessible_workbook
from kassanalysis.reference import Reference
from kassanalysis.report.context import (
    ParameterError,
    check_identifier,
    list_report_periods,
    slug_for_period,
)
from kassanalysis.report.publishing import read_published_table

log = logging.getLogger(__name__)
KERNEL = "python3"
PARAMETERS = {"division", "period", "comparator_group", "output_dir", "root", "pack_config"}


@dataclass(frozen=True)
class PackConfig:
    """The pack's configuration (``pack.yml``), checked when loaded."""

    period: str
    notebooks: tuple[str, ...] = ("comparator", "trend", "variance")
    source: str = ""  # the file this configuration was read from
    divisions: tuple[str, ...] = ()
    benchmark_period: str = "latest"
    jobs: int = 0
    timeout: int = 600
    reports: str = "reports"
    rule: SuppressionRule = field(default_factory=SuppressionRule)

    def __post_init__(self) -> None:
        if not isinstance(self.jobs, int) or self.jobs < 0:
            raise ParameterError(f"jobs must be 0 (the number of cores) or more, not {self.jobs}")
        if not isinstance(self.timeout, int) or self.timeout <= 0:
            raise ParameterError(
                f"timeout must be a positive number of seconds, not {self.timeout}"
            )
        if self.benchmark_period not in ("", "latest"):
            try:
                parse_period(self.benchmark_period)
            except PeriodError as exc:
                raise ParameterError(
                    f"benchmark_period must be 'latest' or a period: {exc}"
                ) from exc

    @classmethod
    def from_dict(cls, document: dict[str, Any], where: str = "pack.yml") -> PackConfig:
        """Build from a parsed ``pack.yml``; unknown keys and bad values are refused."""
        document = dict(document or {})
        rule = document.pop("disclosure", None) or {}
        known = {f for f in cls.__dataclass_fields__ if f not in ("rule", "source")}
        unknown = set(document) - known
        if unknown:
            raise ParameterError(
                f"{where}: unknown setting(s) {sorted(unknown)}; "
                f"known: {sorted(known | {'disclosure'})}"
            )
        if "period" not in document:
            raise ParameterError(f"{where}: 'period' is required")
        for key in ("notebooks", "divisions"):
            if key in document:
                document[key] = tuple(document[key] or ())
        try:
            config = cls(
                **{**document, "period": str(document["period"])},
                rule=SuppressionRule(**rule),
                source=str(Path(where).resolve()),
            )
        except (TypeError, ValueError) as exc:
            raise ParameterError(f"{where}: {exc}") from exc
        return config


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


def load_config(paths: kio.ProjectPaths, path: str | None = None) -> PackConfig:
    """Read ``pack.yml`` (or the given file)."""
    file = Path(path) if path else paths.root / "pack.yml"
    if not file.is_file():
        raise ParameterError(f"no pack configuration at {file}")
    return PackConfig.from_dict(kio.read_yaml(file), where=str(file))


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
                    title=(
                        f"{analysis.title()} report: {divisions[division].name}, {period.label}"
                    ),
                    navigation=(
                        ("Pack index", f"../index.html#{division}"),
                        *((f"{a.title()} report", f"{a}.html") for a in config.notebooks),
                    ),
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
        export_html(Path(run.output), Path(run.html), title=run.title, navigation=run.navigation)
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


def _sheet_name(analysis: str, name: str) -> str:
    """A worksheet name (31 characters at most, no forbidden characters)."""
    text = f"{analysis[:4]} {name}".replace("_", " ").replace("-", " ")
    return re.sub(r"[\[\]:*?/\\']", " ", text)[:31].strip()


def _workbook_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """No blank cells in a published table: missing text shows the [x] marker too."""
    out = frame.copy()
    for column in out.columns:
        values = out[column].astype(object)
        blank = values.isna() | values.map(lambda v: isinstance(v, str) and not v.strip())
        out[column] = values.where(~blank, MARKER_NOT_AVAILABLE)
    return out


# Money columns the report tables add to the reference's measures (changes and variances).
_DERIVED_MONEY = ("forecast_variance", "from_value", "to_value", "change")


def money_columns(ref: Reference) -> frozenset[str]:
    """Columns holding GBP thousands: every measure the reference says is in GBP thousands,
    and the changes and variances reports compute from them."""
    measures = ref.measures
    in_thousands = measures.index[measures["unit_of_measure"] == "GBP thousands"]
    return frozenset(in_thousands) | frozenset(_DERIVED_MONEY)


def units_for(table: str, columns: list[str], money: frozenset[str]) -> dict[str, str]:
    """Units for a key table's column headers (money, see :func:`money_columns`;
    percentages; FTE).

    Examples
    --------
    >>> money = frozenset({"net_cost", "change"})
    >>> units_for("localities", ["line_name", "net_cost", "share_of_gross"], money)
    {'net_cost': 'GBP thousands', 'share_of_gross': '%'}
    >>> units_for("staffing", ["line_name", "from_fte", "change"], money)
    {'from_fte': 'FTE', 'change': 'FTE'}
    """
    units = {}
    staffing = table == "staffing"
    for column in columns:
        if column.endswith(("_pct", "_share")) or column in (
            "share_of_gross",
            "income_recovery_rate",
            "pct_change",
            "spent_to_date_pct",
        ):
            units[column] = "%"
        elif column.endswith("_fte") or (staffing and column == "change"):
            units[column] = "FTE"
        elif column in money:
            units[column] = "GBP thousands"
    return units


def write_division_workbook(
    folder: str,
    division_name: str,
    notebooks: tuple[str, ...],
    period_label: str,
    rule: SuppressionRule,
    money: frozenset[str],
) -> str | None:
    """One accessible workbook for a division (gptables): cover, contents, notes and each
    key table of its reports on its own sheet, with the same markers and suppression as the
    CSV. Runs in a worker process as soon as the division's notebooks have finished."""
    folder = Path(folder)
    specs = []
    for analysis in notebooks:
        for table_file in sorted((folder / analysis / "tables").glob("*.json")):
            frame = read_published_table(table_file)
            if frame.empty:
                continue
            specs.append(
                TableSpec(
                    sheet_name=_sheet_name(analysis, table_file.stem),
                    title=f"{analysis.title()}: {table_file.stem.replace('_', ' ')}",
                    table=_workbook_frame(frame),
                    subtitles=(f"{division_name}, {period_label}",),
                    units=units_for(table_file.stem, list(frame.columns), money),
                )
            )
    if not specs:
        return None
    path = folder / f"{folder.name}-tables.xlsx"
    write_accessible_workbook(
        specs,
        path,
        cover_title=f"{division_name}: key tables",
        period=period_label,
        rule=rule,
        source="kassanalysis report pack; every row names its source file and line",
    )
    return str(path)


def write_index(
    staging: Path,
    paths: kio.ProjectPaths,
    config: PackConfig,
    period_label: str,
    results: list[RunResult],
) -> Path:
    """The pack's ``index.html``: each division's exception summary and links to its reports.

    Built with a Jinja2 template with autoescaping: council, line and indicator names are
    untrusted text.
    """
    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "report" / "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    divisions = []
    names = {d.id: d.name for d in load_divisions(root=paths.root)}
    for division in sorted({r.division for r in results}, key=list(names).index):
        # from the JSON copy: the CSV's text is neutralised for spreadsheets ('-2+3 ...)
        exceptions_json = staging / division / "variance" / "tables" / "exceptions.json"
        exceptions = (
            read_published_table(exceptions_json).astype(object).fillna("")
            if exceptions_json.is_file()
            else pd.DataFrame()
        )
        reports = [
            {
                "analysis": r.analysis,
                "html": f"{division}/{r.analysis}.html",
                "notebook": f"{division}/{r.analysis}.ipynb",
            }
            for r in results
            if r.division == division
        ]
        tables = sorted(
            p.relative_to(staging).as_posix() for p in (staging / division).rglob("*.csv")
        )
        workbook = staging / division / f"{division}-tables.xlsx"
        divisions.append(
            {
                "workbook": workbook.relative_to(staging).as_posix()
                if workbook.is_file()
                else None,
                "variance_run": any(
                    r.analysis == "variance" for r in results if r.division == division
                ),
                "id": division,
                "name": names.get(division, division),
                "exceptions": exceptions.to_dict("records"),
                "reports": reports,
                "tables": tables,
            }
        )
    html = env.get_template("index.html.j2").render(
        period=period_label,
        divisions=divisions,
        version=__version__,
        rule=config.rule.describe(),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
    target = staging / "index.html"
    target.write_text(html, encoding="utf-8")
    return target


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
        "configuration": {
            **asdict(config),
            "rule": asdict(config.rule),
            "jobs": jobs,
            "group": group,
        },
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


def main(args) -> int:
    """``kass report`` with parsed command-line arguments."""
    paths = kio.project_paths(args.root)
    try:
        config = load_config(paths, args.config)
        overrides = {}
        if args.period:
            overrides["period"] = args.period
        if args.divisions:
            overrides["divisions"] = tuple(args.divisions)
        if args.jobs is not None:
            overrides["jobs"] = args.jobs
        if args.timeout is not None:
            overrides["timeout"] = args.timeout
        if overrides:
            config = PackConfig(**{**asdict(config), "rule": config.rule, **overrides})
        manifest = paths.processed / "manifest.json"
        if not manifest.is_file() or kio.read_manifest(paths.processed).get(
            "inputs"
        ) != kio.hash_inputs(paths):
            from kassanalysis.build import run_build

            run_build(paths)  # data/processed is missing or older than data/raw
        return run_pack(paths, config, group=args.group, progress=not args.no_progress)
    except (ParameterError, PeriodError, ConfigError) as exc:
        print(f"kass report: {exc}", file=sys.stderr)
        return 2
