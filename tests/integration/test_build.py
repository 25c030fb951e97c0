"""End to end: raw tables in, tidy tables and the data-quality table out.

The mini project (see ``conftest.py``) is built from copies of the bundled 2008-09 HQ plan
tables. Expected figures are read off the raw files by hand (file and line in each
assertion). Each deliberately broken file in ``tests/fixtures/broken`` (see its README) must
stop the build with an error naming the file, the line and what is wrong, and leave the
previous ``data/processed`` untouched; a total that does not add up is reported, not fixed.
"""

from __future__ import annotations

import copy
import hashlib
import math
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from kassanalysis import cli
from kassanalysis import io as kio
from kassanalysis.build import run_build
from kassanalysis.problems import Problem, RawDataError
from kassanalysis.schemas import TABLES

pytestmark = pytest.mark.integration

BROKEN = Path(__file__).resolve().parents[1] / "fixtures" / "broken"
PPQA_ID = "kent-hq-2008-09-ppqa"
PPQA = "kent-hq-2008-09/budget-ppqa.txt"
KPI_ID = "kent-hq-2008-09-kpi"
OLDER = "kent-hq-2008-09/budget-older-persons.txt"
RESOURCES = "kent-hq-2008-09/budget-resources.txt"
STAFFING = "kent-hq-2008-09/staffing-fte.txt"
KPI = "kent-hq-2008-09/kpi-paf.txt"
COMPARATORS = "kent-hq-2008-09/comparators-seven-counties.txt"


# ---- helpers ---------------------------------------------------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def hash_tree(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder``, by relative path."""
    return {str(p.relative_to(folder)): sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(paths: kio.ProjectPaths) -> list[str]:
    """Staging or set-aside folders that a build left beside ``data/processed``."""
    builds = paths.processed_root / kio.BUILDS
    return sorted(
        p.name
        for folder in (paths.processed_root, builds)
        if folder.is_dir()
        for p in folder.iterdir()
        if p.name.startswith(".")
    )


def read_table(paths: kio.ProjectPaths, name: str) -> pd.DataFrame:
    return pd.read_csv(paths.processed / f"{name}.csv")


def one(frame: pd.DataFrame, **where) -> pd.Series:
    """The single row of ``frame`` matching every ``column=value`` in ``where``."""
    mask = np.ones(len(frame), dtype=bool)
    for column, value in where.items():
        mask &= (frame[column] == value).to_numpy()
    rows = frame[mask]
    assert len(rows) == 1, f"{len(rows)} rows match {where}"
    return rows.iloc[0]


def add_broken_table(paths: kio.ProjectPaths, name: str, like: str) -> str:
    """Put ``tests/fixtures/broken/<name>`` into the project with its own catalogue entry, a
    copy of the entry ``like`` (same layout hints); return its catalogued path."""
    file = f"broken/{name}"
    (paths.raw / "broken").mkdir(exist_ok=True)
    shutil.copy2(BROKEN / name, paths.raw / file)
    catalogue = paths.raw / kio.CATALOGUE
    document = yaml.safe_load(catalogue.read_text(encoding="utf-8"))
    entry = copy.deepcopy(next(t for t in document["tables"] if t["id"] == like))
    entry.update(id=f"broken-{Path(name).stem}", file=file)
    document["tables"].append(entry)
    catalogue.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return file


def replace_raw_file(paths: kio.ProjectPaths, file: str, name: str) -> None:
    """Overwrite the catalogued raw ``file`` with ``tests/fixtures/broken/<name>``."""
    shutil.copyfile(BROKEN / name, paths.raw / file)


def problem_for(problems: list[Problem], file: str, check: str) -> Problem:
    matching = [p for p in problems if p.source_file == file and p.check == check]
    assert matching, f"no {check!r} problem for {file}; got:\n" + "\n".join(map(str, problems))
    return matching[0]


def kass(paths: kio.ProjectPaths, *args: str) -> int:
    return cli.main(["--root", str(paths.root), *args])


# ---- a good build ----------------------------------------------------------------------------


def test_small_project_builds_every_table_with_a_manifest(small_paths):
    raw_before = hash_tree(small_paths.raw)

    result = run_build(small_paths)

    assert result.errors == []
    written = {p.name for p in small_paths.processed.iterdir()}
    assert written == {f"{name}.csv" for name in TABLES} | {"manifest.json"} | {
        f"{name}.parquet" for name in TABLES
    }
    manifest = kio.read_manifest(small_paths.processed)
    # every cached table is recorded with its SHA-256, checked again by load()
    assert manifest["files"] == {
        p.name: sha256(p) for p in small_paths.processed.iterdir() if p.name != "manifest.json"
    }
    expected_inputs = {
        str(p.relative_to(small_paths.root)): sha256(p)
        for folder in (small_paths.raw, small_paths.reference)
        for p in folder.rglob("*")
        if p.is_file()
    }
    assert manifest["inputs"] == expected_inputs
    assert f"data/raw/{PPQA}" in manifest["inputs"]
    for name in TABLES:
        assert manifest["rows"][name] == len(read_table(small_paths, name)), name
    assert hash_tree(small_paths.raw) == raw_before  # raw data is read-only
    assert leftovers(small_paths) == []


def test_budget_lines_hold_the_published_figures(built_paths):
    lines = read_table(built_paths, "budget_lines")

    # PPQA line 6: "| 0.0 | | 55A Performance Unit | | 2670.2 | 336.1 | ..."
    cell = one(lines, source_file=PPQA, source_line=6, measure="employee_costs")
    assert cell.value == 2670.2
    assert (cell.financial_year, cell.line_code, cell.line_name) == (
        "2008-09",
        "55A",
        "Performance Unit",
    )
    assert (cell.row_type, cell.status, cell.unit_of_measure) == (
        "line",
        "reported",
        "GBP thousands",
    )
    assert cell.service_group == "Performance, Contracting & Planning"
    assert cell.unit == "Policy, Performance & Quality Assurance"
    assert cell.authority_code == "E10000016"
    # the blank 2008-09 FTE cell on the same line is missing, not zero
    fte = one(lines, source_file=PPQA, source_line=6, measure="fte", financial_year="2008-09")
    assert math.isnan(fte.value) and fte.status == "missing"
    # 7 printed rows (lines 6-8, 10-13) x 11 value columns
    assert len(lines[lines.source_file == PPQA]) == 77
    assert one(lines, source_file=PPQA, source_line=8, measure="gross_expenditure").value == 3673.7
    unit_total = one(
        lines,
        source_file=PPQA,
        source_line=13,
        measure="controllable_expenditure",
        financial_year="2008-09",
    )
    assert (unit_total.row_type, unit_total.value) == ("unit_total", 3530.5)

    # Older Persons line 16: 41J printed with no figures at all -> every value missing
    printed_blank = lines[(lines.source_file == OLDER) & (lines.source_line == 16)]
    assert not printed_blank.empty
    assert printed_blank.value.isna().all() and set(printed_blank.status) == {"missing"}
    # line 49, after the page break (layout from columns_after_break):
    # "| 5.1 | 45T | Assistive Technology | | 1064.0 | 3303.2 | 0.0 | 0.0 | 4367.2 | -4362.0 |"
    at = lines[(lines.source_file == OLDER) & (lines.source_line == 49)]
    assert one(at, measure="controllable_expenditure", financial_year="2007-08").value == 5.1
    assert one(at, measure="employee_costs").value == 1064.0
    assert one(at, measure="external_income").value == -4362.0
    assert one(at, measure="gross_expenditure").line_name == "Assistive Technology"
    # line 50: "TBC" instead of a budget code
    reform = one(lines, source_file=OLDER, source_line=50, measure="employee_costs")
    assert (reform.line_name, reform.value) == ("Social Care Reform", 273.0)
    assert pd.isna(reform.line_code)
    # line 54: TOTAL SERVICES FOR OLDER PERSONS, gross 17816.0, equals the lines' sum
    total = one(lines, source_file=OLDER, source_line=54, measure="gross_expenditure")
    assert (total.row_type, total.value) == ("total", 17816.0)
    older_lines = lines[
        (lines.source_file == OLDER)
        & (lines.row_type == "line")
        & (lines.measure == "gross_expenditure")
    ]
    assert np.isclose(older_lines.value.sum(), 17816.0)

    # Staffing line 13: "| Finance | 135.16 | 134.30 |"
    assert one(lines, source_file=STAFFING, source_line=13, financial_year="2008-09").value == 134.3


def test_duplicated_total_row_is_reported_once_and_kept_once(built_paths):
    lines = read_table(built_paths, "budget_lines")
    quality = read_table(built_paths, "data_quality")

    # Resources lines 18 and 19 both print TOTAL RESOURCES ... 11801.2 ...
    totals = lines[(lines.source_file == RESOURCES) & (lines.line_name == "TOTAL RESOURCES")]
    assert set(totals.source_line) == {18}
    assert not totals.duplicated(["measure", "financial_year"]).any()  # one row each, not two
    assert len(totals) == 9  # controllable 2007-08 and eight 2008-09 measures
    assert one(totals, measure="gross_expenditure").value == 11801.2
    assert 19 not in set(lines.loc[lines.source_file == RESOURCES, "source_line"])
    duplicated = quality[(quality.source_file == RESOURCES) & (quality.check == "duplicated row")]
    assert len(duplicated) == 1
    assert duplicated.iloc[0].source_line == 19
    assert duplicated.iloc[0].severity == "finding"
    assert "TOTAL RESOURCES" in duplicated.iloc[0].message


def test_published_inconsistencies_are_findings_with_expected_and_found(built_paths):
    quality = read_table(built_paths, "data_quality")

    assert set(quality.severity) == {"finding"}
    # staffing line 17: Resources Total 2007-08 printed 249.34; lines 11-16 add up to
    # 14.98 + 25.56 + 135.16 + 25.27 + 27.62 + 11.75 = 240.34
    resources = quality[
        (quality.source_file == STAFFING)
        & (quality.source_line == 17)
        & quality.subject.str.contains("2007-08")
    ]
    assert len(resources) == 1
    assert np.isclose(resources.iloc[0].expected, 240.34)
    assert np.isclose(resources.iloc[0].found, 249.34)
    assert resources.iloc[0].check == "total does not add up"
    # the clean PPQA and Older Persons tables reconcile
    assert not quality.source_file.isin([PPQA, OLDER]).any()


def test_indicator_observations_hold_the_published_figures(built_paths):
    observations = read_table(built_paths, "indicator_observations")

    # kpi-paf.txt line 3: "| PAF C72. Admissions ... | 73 | 72 | 71 | N/A |"
    c72 = observations[(observations.source_file == KPI) & (observations.source_line == 3)]
    assert set(c72.indicator_id) == {"PAF-C72"}
    assert one(c72, period="2005-06", value_type="actual").value == 73.0
    assert one(c72, period="2007-08", value_type="target").value == 71.0
    not_applicable = one(c72, period="2009-10", value_type="target")
    assert math.isnan(not_applicable.value) and not_applicable.status == "not_applicable"
    # comparators line 4, "Gloucs" column: intensive home care 8.0 for 2006-07
    gloucs = one(observations, source_file=COMPARATORS, source_line=4, authority_code="E10000013")
    assert (gloucs.indicator_id, gloucs.period, gloucs.value) == ("PAF-C28", "2006-07", 8.0)
    assert len(observations[observations.source_file == COMPARATORS]) == 5 * 7


# ---- broken files ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Broken:
    name: str  # file in tests/fixtures/broken
    like: str  # catalogue id whose entry it borrows
    check: str
    line: int | None  # None: not asserted here
    phrase: str

    def __str__(self) -> str:
        return self.name


BROKEN_FILES = [
    # the label column's heading (line 3) is blank; the header starts at line 1
    Broken("missing-column.txt", PPQA_ID, "missing column", 1, "no line-name column"),
    Broken("text-in-number.txt", PPQA_ID, "non-numeric value", 7, "'12O.5' in column 6"),
    # "Widget Costs" is on line 3 and its "£'000" on line 4: the column's last header line
    Broken("unknown-measure.txt", PPQA_ID, "unknown measure", 4, "Widget Costs £'000"),
    Broken("unparseable-period.txt", KPI_ID, "unparseable period", 1, "'2005/07'"),
    Broken("truncated.txt", PPQA_ID, "truncated table", 7, "no total row"),
    Broken("truncated-after-header.txt", PPQA_ID, "truncated table", 4, "no total row"),
]


@pytest.mark.parametrize("case", BROKEN_FILES, ids=str)
def test_broken_file_stops_the_build_and_keeps_the_previous_output(built_paths, case, capsys):
    before = hash_tree(built_paths.processed)
    file = add_broken_table(built_paths, case.name, case.like)

    with pytest.raises(RawDataError) as raised:
        run_build(built_paths)

    problem = problem_for(raised.value.problems, file, case.check)
    assert problem.severity == "error"
    assert case.phrase in problem.message
    if case.line is not None:
        assert problem.source_line == case.line
        assert f"{file}, line {case.line}: " in str(raised.value)
    assert hash_tree(built_paths.processed) == before
    assert leftovers(built_paths) == []

    capsys.readouterr()
    assert kass(built_paths, "build") == 1
    err = capsys.readouterr().err
    assert "build failed" in err and file in err and case.phrase in err
    if case.line is not None:
        assert f"{file}, line {case.line}: " in err
    assert hash_tree(built_paths.processed) == before
    assert leftovers(built_paths) == []


@pytest.mark.parametrize(
    ("name", "last_line"), [("truncated.txt", 7), ("truncated-after-header.txt", 4)]
)
def test_truncated_table_names_the_line_where_it_stops(built_paths, name, last_line):
    file = add_broken_table(built_paths, name, PPQA_ID)

    with pytest.raises(RawDataError) as raised:
        run_build(built_paths)

    problem = problem_for(raised.value.problems, file, "truncated table")
    assert problem.source_line == last_line


@pytest.mark.parametrize(
    ("name", "line"),
    [
        # header lost 'Gross Expenditure': line 6's cells run one column past the header
        ("missing-gross-expenditure.txt", None),
        # line 7 has a 14th cell '99.9' beyond the header
        ("extra-cell.txt", 7),
    ],
)
def test_rows_wider_than_the_header_stop_the_build(built_paths, name, line):
    before = hash_tree(built_paths.processed)
    file = add_broken_table(built_paths, name, PPQA_ID)

    with pytest.raises(RawDataError) as raised:
        run_build(built_paths)

    problem = next(p for p in raised.value.problems if p.source_file == file)
    assert problem.check in ("missing column", "unexpected column")
    assert problem.source_line is not None
    if line is not None:
        assert problem.source_line == line
    assert hash_tree(built_paths.processed) == before


def test_kpi_header_with_unknown_value_type_stops_the_build(built_paths):
    file = add_broken_table(built_paths, "unknown-value-type.txt", KPI_ID)

    with pytest.raises(RawDataError) as raised:
        run_build(built_paths)

    problem = problem_for(raised.value.problems, file, "unknown column")
    assert problem.source_line == 1
    assert "Forecast 2009/10" in problem.message


def test_broken_file_in_place_of_a_catalogued_file(built_paths, capsys):
    before = hash_tree(built_paths.processed)
    replace_raw_file(built_paths, PPQA, "text-in-number.txt")

    assert kass(built_paths, "build") == 1

    err = capsys.readouterr().err
    assert f"{PPQA}, line 7: '12O.5' in column 6 (running_costs) is not a number" in err
    assert hash_tree(built_paths.processed) == before
    assert leftovers(built_paths) == []


def test_totals_that_do_not_add_up_are_reported_and_kept_as_published(built_paths, capsys):
    replace_raw_file(built_paths, PPQA, "totals-do-not-add-up.txt")

    assert kass(built_paths, "build", "--findings") == 0  # the terminal lists them on request

    out = capsys.readouterr().out
    assert f"{PPQA}, line 8: 'TOTAL PERF, CONTRACTING & PLANNING UNIT' employee_costs" in out
    quality = read_table(built_paths, "data_quality")
    finding = one(
        quality,
        source_file=PPQA,
        source_line=8,
        check="total does not add up",
        subject="TOTAL PERF, CONTRACTING & PLANNING UNIT / employee_costs / 2008-09",
    )
    assert finding.severity == "finding"
    # lines 6 and 7: 2670.2 + 451.8 = 3122.0; the subtotal prints 3132.0
    assert np.isclose(finding.expected, 3122.0) and np.isclose(finding.found, 3132.0)
    assert "difference +10.00" in finding.message
    lines = read_table(built_paths, "budget_lines")
    kept = one(lines, source_file=PPQA, source_line=8, measure="employee_costs")
    assert kept.value == 3132.0  # the published figure, not the sum of its lines
    assert one(lines, source_file=PPQA, source_line=6, measure="employee_costs").value == 2670.2


def test_failed_write_leaves_the_previous_output_and_no_staging_folder(built_paths, monkeypatch):
    before = hash_tree(built_paths.processed)
    import pyarrow.csv

    write_csv = pyarrow.csv.write_csv

    def full_disk(table, path, *args, **kwargs):
        if Path(path).name == "indicator_observations.csv":
            raise OSError(28, "No space left on device")
        return write_csv(table, path, *args, **kwargs)

    monkeypatch.setattr(pyarrow.csv, "write_csv", full_disk)
    # one line naming the file and the reason (was the bare OSError)
    with pytest.raises(kio.OutputError, match=r"indicator_observations\.csv: the disk is full"):
        run_build(built_paths)

    assert hash_tree(built_paths.processed) == before
    assert leftovers(built_paths) == []
