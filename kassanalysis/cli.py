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
    from kassanalysis.problems import RawDataError

    paths = kio.project_paths(args.root)
    try:
        result = run_build(paths, tolerance=args.tolerance)
    except RawDataError as exc:
        print(f"build failed; {paths.processed} was left as it was.", file=sys.stderr)
        print(exc, file=sys.stderr)
        return 1
    rows = ", ".join(f"{k} {v:,}" for k, v in result.manifest["rows"].items())
    print(f"built {paths.processed} in {result.manifest['seconds']} s: {rows}")
    if result.findings:
        print(
            f"{len(result.findings)} finding(s) written to data_quality.csv "
            "(published figures that do not reconcile; kept as published):"
        )
        for problem in result.findings:
            print(f"  - {problem}")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from kassanalysis.check import check_file

    return check_file(
        Path(args.file),
        kind=args.kind,
        authority=args.authority,
        year=args.year,
        units=args.units,
        unit=args.unit,
        columns=args.columns,
        out=args.out,
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
        if args.jobs is not None:
            overrides["jobs"] = args.jobs
        if args.timeout is not None:
            overrides["timeout"] = args.timeout
        if overrides:
            config = config.with_overrides("kass report options", **overrides)
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
    build.set_defaults(run=_cmd_build)

    check = commands.add_parser(
        "check", help="read one raw file, show its tidy summary and every problem"
    )
    check.add_argument("file", help="the raw file (a catalogued file uses its catalogue entry)")
    check.add_argument(
        "--kind",
        required=True,
        help="budget_table, kpi_table, comparator_table, banding_table, "
        "oflog_outcomes, ascof_open_data, ons_mye2, quarterly_return ...",
    )
    check.add_argument("--authority", help="ONS code of the council, when the file does not say")
    check.add_argument("--year", help="financial year (e.g. 2008-09) or period of the values")
    check.add_argument("--units", help="units of measure: GBP thousands, GBP millions, GBP, FTE")
    check.add_argument("--unit", help="budget unit or division name")
    check.add_argument(
        "--columns",
        help="comma-separated layout when the header is lost, e.g. "
        "'label,employee_costs,gross_expenditure@2008-09'",
    )
    check.add_argument("--out", help="write the tidy frame to this CSV")
    check.set_defaults(run=_cmd_check)

    report = commands.add_parser(
        "report", help="run every notebook for every division and build the report pack"
    )
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
    report.add_argument("--no-progress", action="store_true", help="no progress bar")
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
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
