"""The ``kass`` command: build the tidy tables, check a new raw file, produce the report pack.

Everything is an argument or a file; nothing asks a question, so scheduled runs never hang.
Exit status: 0 success, 1 problems in the data (or a failed notebook), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from kassanalysis import __version__


def _cmd_build(args: argparse.Namespace) -> int:
    from kassanalysis import io as kio
    from kassanalysis.build import run_build
    from kassanalysis.config import ConfigError
    from kassanalysis.problems import RawDataError

    paths = kio.project_paths(args.root)
    try:
        result = run_build(paths, tolerance=args.tolerance)
    except ConfigError as exc:  # the catalogue or a configuration file: one line a problem
        for line in str(exc).splitlines():
            print(f"kass build: {line}", file=sys.stderr)
        return 2
    except RawDataError as exc:  # the data: every problem, each naming file and line
        print(f"build failed; {paths.processed} was left as it was.", file=sys.stderr)
        print(exc, file=sys.stderr)
        return 1
    except (ValueError, OSError) as exc:  # the catalogue or a reference file is wrong
        print(f"build failed; {paths.processed} was left as it was.", file=sys.stderr)
        print(exc, file=sys.stderr)
        return 1
    print(build_summary(paths.processed, result.manifest, len(result.findings)))
    if result.findings and (args.findings or args.verbose):
        for problem in result.findings:
            print(f"  - {problem}")
    return 0


def build_summary(processed: Path, manifest: dict, findings: int) -> str:
    """The one line ``kass build`` prints: where the tables are, how long it took, how many
    findings and where they are (``--findings`` lists them; the terminal is not the report).

    Examples
    --------
    >>> build_summary(Path("data/processed/current"), {"seconds": 18.6,
    ...     "rows": {"budget_lines": 1461}}, 24)  # doctest: +NORMALIZE_WHITESPACE
    'built data/processed/current in 18.6 s (budget_lines 1,461); 24 findings (published
    figures that do not reconcile, kept as published) in
    data/processed/current/data_quality.csv; kass build --findings lists them'
    """
    rows = ", ".join(f"{k} {v:,}" for k, v in manifest["rows"].items())
    line = f"built {processed} in {manifest['seconds']} s ({rows})"
    if not findings:
        return f"{line}; no findings"
    plural = "finding" if findings == 1 else "findings"
    return (
        f"{line}; {findings:,} {plural} (published figures that do not reconcile, kept as "
        f"published) in {processed / 'data_quality.csv'}; kass build --findings lists them"
    )


def _cmd_check(args: argparse.Namespace) -> int:
    from kassanalysis.check import FileOptions, check_file

    return check_file(
        Path(args.file),
        FileOptions.from_args(args),
        out=args.out,
        root=Path(args.root) if args.root else None,
    )


def _cmd_add(args: argparse.Namespace) -> int:
    from kassanalysis.check import FileOptions, add_file

    return add_file(
        Path(args.file),
        FileOptions.from_args(args),
        folder=args.folder,
        table_id=args.id,
        root=Path(args.root) if args.root else None,
    )


def _cmd_report(args: argparse.Namespace) -> int:
    from kassanalysis import io as kio
    from kassanalysis.config import ConfigError
    from kassanalysis.pack import load_config, run_pack
    from kassanalysis.periods import PeriodError
    from kassanalysis.report.context import ParameterError

    paths = kio.project_paths(args.root)
    try:
        config = load_config(paths, args.config)
        overrides = {}
        if args.period:
            overrides["period"] = args.period
        if args.divisions:
            overrides["divisions"] = tuple(args.divisions)
        if args.notebooks:
            overrides["notebooks"] = tuple(args.notebooks)
        if args.jobs is not None:
            overrides["jobs"] = args.jobs
        if args.timeout is not None:
            overrides["timeout"] = args.timeout
        if overrides:
            config = config.with_overrides("kass report options", **overrides)
        with kio.project_lock(paths):  # held through the build and the whole pack
            try:
                stale = kio.stale_inputs(paths, kio.read_manifest(paths.processed))
            except kio.ProcessedDataError:
                stale = True
            if stale:
                from kassanalysis.build import run_build

                run_build(paths)  # data/processed is missing or older than data/raw
            return run_pack(
                paths,
                config,
                group=args.group,
                progress=not args.no_progress,
                reports_dir=args.reports_dir,
            )
    except (ParameterError, PeriodError, ConfigError) as exc:
        print(f"kass report: {exc}", file=sys.stderr)
        return 2


def _add_file_options(command: argparse.ArgumentParser) -> None:
    """The options that describe one raw file (``kass check`` and ``kass add``): one per
    field of :class:`kassanalysis.check.FileOptions`, which is built from them."""
    command.add_argument(
        "--kind",
        help="budget_table, kpi_table, comparator_table, banding_table, "
        "oflog_outcomes, ascof_open_data, ons_mye2, quarterly_return ... "
        "(default: recognised from the file's content)",
    )
    command.add_argument("--authority", help="ONS code of the council, when the file does not say")
    command.add_argument("--year", help="financial year (e.g. 2008-09) or period of the values")
    command.add_argument(
        "--units",
        help="units of measure: GBP thousands, GBP millions, GBP, FTE "
        "(budget tables: a unit printed in the header or cell wins)",
    )
    command.add_argument("--unit", help="budget unit or division name")
    command.add_argument(
        "--columns",
        help="comma-separated layout when the header is lost, e.g. "
        "'label,employee_costs,gross_expenditure@2008-09'",
    )
    command.add_argument(
        "--income-sign",
        choices=("auto", "negative", "positive"),
        help="budget tables: how income is printed (positive: gross - income = net; "
        "negative: gross + income = net; default auto, from the table's arithmetic)",
    )


def _add_report_options(report: argparse.ArgumentParser) -> None:
    """The options of ``kass report`` (each overrides pack.yml for this run)."""
    report.add_argument(
        "--period", default=None, help="reporting period, e.g. '2013-14 Q1' (default: pack.yml)"
    )
    report.add_argument(
        "--division",
        action="append",
        dest="divisions",
        help="only this division (repeatable; default: every division)",
    )
    report.add_argument(
        "--notebook",
        action="append",
        dest="notebooks",
        metavar="NOTEBOOK",
        help="only this notebook: comparator, trend or variance (repeatable; default: "
        "pack.yml's); merged into the period's pack like --division",
    )
    report.add_argument(
        "--group",
        default=None,
        help="comparator group for every division (default: each division's)",
    )
    report.add_argument(
        "--jobs", type=int, default=None, help="notebooks run at once (default: number of cores)"
    )
    report.add_argument(
        "--timeout",
        type=int,
        default=None,
        help="seconds a notebook cell may run (default: pack.yml)",
    )
    report.add_argument(
        "--config", default=None, help="pack configuration file (default: pack.yml in the project)"
    )
    report.add_argument(
        "--reports-dir",
        default=None,
        help="write the pack to DIR/<period> instead of pack.yml's reports folder "
        "(the only way to write outside the project)",
    )
    report.add_argument("--no-progress", action="store_true", help="no progress bar")


def make_parser() -> argparse.ArgumentParser:
    """The ``kass`` argument parser."""
    parser = argparse.ArgumentParser(prog="kass", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"kassanalysis {__version__}")
    parser.add_argument(
        "--root", help="project folder (default: found from the working directory, or $KASS_ROOT)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")
    commands = parser.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build", help="build data/processed from data/raw")
    build.add_argument(
        "--tolerance",
        type=float,
        default=0.1,
        help="largest difference put down to rounding (default 0.1)",
    )
    build.add_argument(
        "--findings",
        action="store_true",
        help="list every finding (they are always written to data_quality.csv)",
    )
    build.set_defaults(run=_cmd_build)

    check = commands.add_parser(
        "check", help="read one raw file, show its tidy summary and every problem"
    )
    check.add_argument("file", help="the raw file (a catalogued file uses its catalogue entry)")
    _add_file_options(check)
    check.add_argument("--out", help="write the tidy frame to this CSV")
    check.set_defaults(run=_cmd_check)

    add = commands.add_parser(
        "add",
        help="check a new raw file, copy it unchanged into data/raw/FOLDER and catalogue it",
    )
    add.add_argument("file", help="the new raw file")
    _add_file_options(add)
    add.add_argument(
        "--folder", default="added", help="folder under data/raw to copy it into (default: added)"
    )
    add.add_argument("--id", help="catalogue id (default: from the folder and file name)")
    add.set_defaults(run=_cmd_add)

    report = commands.add_parser(
        "report", help="run every notebook for every division and build the report pack"
    )
    _add_report_options(report)
    report.set_defaults(run=_cmd_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``kass`` console command."""
    parser = make_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    return run_guarded(args)


def _terminate(signum, frame):
    raise KeyboardInterrupt  # SIGTERM cleans up like Ctrl-C: staging removed, lock released


def run_guarded(args: argparse.Namespace) -> int:
    """Run a command, turning the failures a user can act on into one line on stderr:
    exit 1 for a busy lock, a failed write (disk full, read-only folder), damaged processed
    data or a raw-data error; 2 for a configuration file that is not plain YAML; 130 for
    Ctrl-C or SIGTERM (published outputs are left as they were)."""
    import signal

    # set first: a SIGTERM while the package is still being imported (seconds on a busy
    # machine) also ends with the one line, not a silent exit 143
    previous = signal.signal(signal.SIGTERM, _terminate) if threading_is_main() else None
    name = f"kass {args.command}"
    try:
        return _run_explained(args, name)
    except KeyboardInterrupt:
        print(
            f"{name}: interrupted; data/processed and reports were left as they were",
            file=sys.stderr,
        )
        return 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _run_explained(args: argparse.Namespace, name: str) -> int:
    """Run the command; the failures a user can act on become one line (see
    :func:`run_guarded`)."""
    from kassanalysis import io as kio
    from kassanalysis.problems import RawDataError

    try:
        return args.run(args)
    except (kio.LockBusyError, kio.OutputError, kio.ProcessedDataError) as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 1
    except RawDataError as exc:
        first = exc.problems[0] if exc.problems else "no detail"
        more = f" (and {len(exc.problems) - 1} more: run `kass build` to see all)"
        print(
            f"{name}: data/raw has errors, nothing was changed: {first}"
            + (more if len(exc.problems) > 1 else ""),
            file=sys.stderr,
        )
        return 1
    except kio.YamlFileError as exc:  # a configuration file that is not plain YAML
        print(f"{name}: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # last resort: one line, never a traceback (see -v)
        if args.verbose:
            logging.getLogger("kassanalysis").exception("%s failed", name)
        print(f"{name}: {type(exc).__name__}: {exc} (run with -v for details)", file=sys.stderr)
        return 1


def threading_is_main() -> bool:
    """Whether this is the main thread (signal handlers can only be set there)."""
    import threading

    return threading.current_thread() is threading.main_thread()


if __name__ == "__main__":
    sys.exit(main())
