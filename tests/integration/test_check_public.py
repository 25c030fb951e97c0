"""``kass check FILE --kind ...`` on the public-data cases of ../shared/cases (copied into
tests/fixtures/cases): each is read, with the expected result, and exits 0."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kassanalysis import cli

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "fixtures" / "cases"


def check(tmp_path: Path, file: Path, *options: str) -> tuple[int, pd.DataFrame]:
    out = tmp_path / "tidy.csv"
    status = cli.main(["--root", str(ROOT), "check", str(file), *options, "--out", str(out)])
    return status, pd.read_csv(out) if out.exists() else pd.DataFrame()


def test_ascof_csv(tmp_path):
    status, tidy = check(
        tmp_path,
        CASES / "ascof-csv" / "ascof-2A-kent-england.csv",
        "--kind",
        "ascof_open_data",
        "--year",
        "2020-21",
    )
    assert status == 0
    got = tidy.set_index(["authority_code", "indicator_id"]).value
    assert got["E10000016", "ASCOF-2A2"] == 417.6 and got["E92000001", "ASCOF-2A2"] == 498.2


@pytest.mark.parametrize("name", ["myeb1-kent-2022.csv", "myeb1-kent-2022.xlsx"])
def test_ons_long(tmp_path, name):
    status, tidy = check(
        tmp_path, CASES / "ons-myeb1-long" / name, "--kind", "ons_mye2", "--year", "2022"
    )
    assert status == 0 and tidy.persons.sum() == 1_593_191


def test_lginform_export(tmp_path):
    status, tidy = check(
        tmp_path, CASES / "lginform-kpi-silent" / "lginform-2a2.csv", "--kind", "indicator_export"
    )
    assert status == 0 and len(tidy) == 4
    assert tidy.set_index(["authority_code", "period"]).value["E08000009", "2021-22"] == 815.6


def test_cipfa_csv(tmp_path):
    status, tidy = check(
        tmp_path,
        CASES / "cipfa-nn-csv" / "cipfa-nn.csv",
        "--kind",
        "nearest_neighbours",
        "--authority",
        "E08000009",
    )
    assert status == 0
    assert tidy.authority_code.tolist() == ["E06000030", "E06000007", "E08000007"]


def test_asc_fr_long_with_a_finding_exits_1(tmp_path, capsys):
    status, _ = check(
        tmp_path,
        ROOT / "tests" / "fixtures" / "asc-fr" / "asc-fr-long-2022-23.csv",
        "--kind",
        "asc_fr",
        "--year",
        "2022-23",
    )
    assert status == 1  # Medway's gross total 130 against parts 120: a finding
    assert "parts give 120.00" in capsys.readouterr().out
