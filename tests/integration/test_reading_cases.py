"""Real inputs that were read wrong (../shared/cases, copied into tests/fixtures/cases) and
budget summaries of other councils (tests/fixtures/budgets): each read with ``kass check``
alone, no ``--columns``, the values worked by hand from the file.

Money is stored in GBP thousands, income negative (gross + income = net).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kassanalysis import cli

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CASES = FIXTURES / "cases"
BUDGETS = FIXTURES / "budgets"


def check(root: Path, file: Path, *options: str) -> int:
    return cli.main(["--root", str(root), "check", str(file), *options])


def read_budget(root, file, tmp_path, *options) -> tuple[int, Path]:
    out = tmp_path / "tidy.csv"
    status = check(root, file, "--kind", "budget_table", *options, "--out", str(out))
    return status, out


def value(frame: pd.DataFrame, line: int, measure: str, year: str | None = None) -> float:
    rows = frame[(frame.source_line == line) & (frame.measure == measure)]
    if year is not None:
        rows = rows[rows.financial_year == year]
    assert len(rows) == 1, rows
    return float(rows.value.iloc[0])


def test_unknown_headers_gross_income_net_in_millions(small_project, tmp_path, capsys):
    file = CASES / "budget-unknown-headers" / "budget.txt"
    options = ("--authority", "E10000019", "--year", "2023-24", "--unit", "All services")
    status, out = read_budget(small_project, file, tmp_path, *options)

    printed = capsys.readouterr().out
    assert status == 0, printed
    assert "no problems found" in printed
    tidy = pd.read_csv(out)
    # line 3 Children's Services: Gross £m 878.9, Income £m 781.5 (printed positive:
    # 878.9 - 781.5 = 97.4), Net £m 97.4, cost per resident £126.6
    assert value(tidy, 3, "gross_expenditure") == 878_900.0
    assert value(tidy, 3, "service_income") == -781_500.0
    assert value(tidy, 3, "net_expenditure") == 97_400.0
    assert value(tidy, 3, "spend_per_resident") == 126.6
    # line 5 Total: 1,242.6 / 967.4 / 275.2 £m
    assert value(tidy, 5, "gross_expenditure") == 1_242_600.0
    assert value(tidy, 5, "net_expenditure") == 275_200.0
    per_resident = tidy[tidy.measure == "spend_per_resident"]
    assert set(per_resident.unit_of_measure) == {"GBP per resident"}
    assert tidy.loc[tidy.source_line == 3, "source_text"].iloc[0] == "878.9 [£m]"


def test_unknown_headers_per_resident_skipped_when_the_layout_says_skip(
    small_project, tmp_path, capsys
):
    file = CASES / "budget-unknown-headers" / "budget.txt"
    status, out = read_budget(
        small_project,
        file,
        tmp_path,
        "--authority", "E10000019", "--year", "2023-24", "--unit", "All services",
        "--units", "GBP millions",
        "--columns", "label,gross_expenditure,service_income,net_expenditure,skip",
    )  # fmt: skip

    printed = capsys.readouterr().out
    assert status == 0, printed
    tidy = pd.read_csv(out)
    assert set(tidy.measure) == {"gross_expenditure", "service_income", "net_expenditure"}
    assert value(tidy, 4, "net_expenditure") == 177_800.0  # Adult Care 177.8 £m


def test_income_printed_positive_is_recognised_and_stored_negative(small_project, tmp_path, capsys):
    file = CASES / "income-positive" / "budget.txt"
    options = ("--authority", "E10000016", "--year", "2023-24", "--unit", "Adults")
    status, out = read_budget(small_project, file, tmp_path, *options)

    printed = capsys.readouterr().out
    assert status == 0, printed  # no "does not reconcile" findings
    tidy = pd.read_csv(out)
    # Older People: 100.0 - 40.0 = 60.0, so income 40.0 is taken off: stored -40.0
    assert value(tidy, 3, "service_income") == -40.0
    assert value(tidy, 5, "service_income") == -50.0
    income = tidy[(tidy.source_line == 3) & (tidy.measure == "service_income")]
    assert str(income.source_text.iloc[0]) == "40.0"  # as printed


def test_income_sign_declared_against_the_arithmetic_is_a_finding(small_project, capsys):
    file = CASES / "income-positive" / "budget.txt"
    status = check(
        small_project, file, "--kind", "budget_table", "--year", "2023-24",
        "--income-sign", "negative",
    )  # fmt: skip

    printed = capsys.readouterr().out
    assert status == 1
    assert "income_sign is 'negative' but 3 row(s) add up only with income positive" in printed


def test_budget_csv_reads_like_the_pipe_table(small_project, tmp_path, capsys):
    file = CASES / "budget-csv" / "budget.csv"
    options = ("--authority", "E10000016", "--year", "2023-24", "--unit", "Adults")
    status, out = read_budget(small_project, file, tmp_path, *options)

    printed = capsys.readouterr().out
    assert status == 0, printed
    tidy = pd.read_csv(out)
    assert len(tidy) == 9  # 3 rows x Gross, Service Income, Net
    # income printed negative here (100.0 + -40.0 = 60.0): the same stored values as the
    # positive-income table above
    assert value(tidy, 2, "service_income") == -40.0
    assert value(tidy, 4, "gross_expenditure") == 150.0
    assert value(tidy, 4, "net_expenditure") == 100.0


def test_westsussex_million_column(small_project, tmp_path, capsys):
    file = CASES / "westsussex-million" / "asc.txt"
    options = ("--authority", "E10000032", "--year", "2023-24", "--unit", "Adults")
    status, out = read_budget(small_project, file, tmp_path, *options)

    printed = capsys.readouterr().out
    assert status == 0, printed
    tidy = pd.read_csv(out)
    assert set(tidy.measure) == {"expenditure"}
    assert value(tidy, 3, "expenditure") == 26_100.0  # 26.1 £million
    assert value(tidy, 4, "expenditure") == 89_100.0
    assert value(tidy, 5, "expenditure") == 115_200.0  # "115.2 million"
    assert tidy.loc[tidy.source_line == 5, "source_text"].iloc[0] == "115.2 million"


def test_workbook_for_a_text_kind_says_what_it_is(small_project, capsys):
    file = CASES / "xlsx-as-text-kind" / "tiny.xlsx"
    status = check(small_project, file, "--kind", "comparator_table")

    printed = capsys.readouterr().out.strip().splitlines()
    assert status == 1
    assert len(printed) == 1
    assert printed[0].startswith(
        f"{file}: is an Excel workbook (.xlsx) with sheet 'Sheet1' (columns 'Upper Tier "
    )
    assert "; comparator_table reads a text table" in printed[0]


def test_lginform_export_as_kpi_table_is_not_a_silent_empty_read(small_project, capsys):
    file = CASES / "lginform-kpi-silent" / "lginform-2a2.csv"
    status = check(small_project, file, "--kind", "kpi_table", "--authority", "E08000009")

    printed = capsys.readouterr().out
    assert status == 1
    assert "no problems found" not in printed
    assert "[error]" in printed
    assert "it looks like an indicator_export file" in printed


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("one-year-gross-income-net.txt", ()),
        ("two-year-memoranda.txt", ()),
        ("single-million-column.txt", ()),
    ],
)
def test_other_councils_budget_summaries_read_without_columns(
    small_project, tmp_path, capsys, name, options
):
    status, out = read_budget(
        small_project, BUDGETS / name, tmp_path,
        "--authority", "E10000014", "--year", "2024-25", "--unit", "All services",
    )  # fmt: skip
    printed = capsys.readouterr().out
    assert status == 0, printed
    assert "no problems found" in printed
    assert pd.read_csv(out).unit_of_measure.isin(["GBP thousands", "GBP per resident"]).all()


def test_one_year_summary_values(small_project, tmp_path):
    status, out = read_budget(
        small_project, BUDGETS / "one-year-gross-income-net.txt", tmp_path,
        "--authority", "E10000014", "--year", "2024-25", "--unit", "All services",
    )  # fmt: skip
    tidy = pd.read_csv(out)
    # Total gross printed 859.2 £m; the lines add to 512.4 + 301.7 + 45.0 = 859.1: within
    # the rounding of three lines printed to 0.1 £m (3 x 0.05 £m), so not a finding.
    assert value(tidy, 6, "gross_expenditure") == 859_200.0
    lines = tidy[(tidy.row_type == "line") & (tidy.measure == "gross_expenditure")]
    assert lines.value.sum() == pytest.approx(859_100.0)
    assert value(tidy, 6, "service_income") == -312_100.0
    assert value(tidy, 3, "spend_per_resident") == 218.32


def test_two_year_summary_years_from_header_and_memoranda(small_project, tmp_path):
    # --year says 2024-25; the header prints 2023/24 and 2024/25, which win.
    status, out = read_budget(
        small_project, BUDGETS / "two-year-memoranda.txt", tmp_path,
        "--authority", "E10000014", "--year", "2024-25", "--unit", "All services",
    )  # fmt: skip
    tidy = pd.read_csv(out)
    assert value(tidy, 3, "net_expenditure", "2023-24") == 401_200.0
    assert value(tidy, 3, "net_expenditure", "2024-25") == 432_600.0
    # Lines 3-5 sum to the printed total, 401.2 + 212.8 + 98.4 = 712.4 (2023-24)
    lines = tidy[(tidy.row_type == "line") & (tidy.financial_year == "2023-24")]
    assert lines.value.sum() == pytest.approx(712_400.0)
    memoranda = tidy[tidy.row_type == "memorandum"]
    assert sorted(memoranda.source_line.unique()) == [7, 8, 9]
    assert value(tidy, 7, "net_expenditure", "2023-24") == -15_000.0  # "(15.0)"
    assert value(tidy, 9, "net_expenditure", "2024-25") == 792_100.0


def test_single_million_column_total(small_project, tmp_path):
    status, out = read_budget(
        small_project, BUDGETS / "single-million-column.txt", tmp_path,
        "--authority", "E10000014", "--year", "2024-25", "--unit", "All services",
    )  # fmt: skip
    tidy = pd.read_csv(out)
    assert value(tidy, 6, "expenditure") == 296_600.0  # "296.6 million"
    lines = tidy[tidy.row_type == "line"]
    assert lines.value.sum() == pytest.approx(141_300.0 + 132_000.0 + 23_300.0)


def test_budget_in_thousands_off_by_ten_is_a_finding(small_project, tmp_path, capsys):
    # 10 GBP k in a GBP k table is not rounding: 100 + 50 = 150, total printed 160.
    file = tmp_path / "k.txt"
    file.write_text(
        "| Service | Net £'000 |\n|---|---|\n| A | 100 |\n| B | 50 |\n| Total | 160 |\n",
        encoding="utf-8",
    )
    status = check(small_project, file, "--kind", "budget_table", "--year", "2024-25")
    printed = capsys.readouterr().out
    assert status == 1
    assert "published 160.00, the subtotals and lines above it add up to 150.00" in printed


def test_budget_workbook_reads_like_the_pipe_table(small_project, tmp_path, capsys):
    file = tmp_path / "budget.xlsx"
    pd.DataFrame(
        {"Service": ["Older People", "Learning Disability", "Total"],
         "Budget £m": [10.5, 4.25, 14.75], "Forecast £m": [11.0, 4.0, 15.0],
         "Variance £m": [0.5, -0.25, 0.25]}
    ).to_excel(file, index=False, sheet_name="Key services")  # fmt: skip
    status, out = read_budget(small_project, file, tmp_path, "--year", "2024-25")
    printed = capsys.readouterr().out
    assert status == 0, printed
    tidy = pd.read_csv(out)
    assert value(tidy, 2, "budget") == 10_500.0  # sheet row 2: Older People 10.5 £m
    assert value(tidy, 3, "variance") == -250.0
    assert value(tidy, 4, "forecast_outturn") == 15_000.0
