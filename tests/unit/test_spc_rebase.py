"""Tests for kassanalysis.io.read_spc_rebase: the analyst's SPC rebase points."""

import pandas as pd
import pytest

from kassanalysis import io as kio
from kassanalysis.reference import ReferenceError


def write(tmp_path, text):
    (tmp_path / "spc_rebase.csv").write_text(text, encoding="utf-8")
    return tmp_path


def test_rows_are_read_with_canonical_periods_and_their_lines(tmp_path):
    folder = write(
        tmp_path,
        "indicator_id,period,reason\n"
        "ASCOF-2A2,2023/24,Client Level Data replaced SALT\n"
        "KCC-OPPD-PB,2013-14 q1,new service model\n",
    )
    table = kio.read_spc_rebase(folder)
    assert table.to_dict("records") == [
        {
            "indicator_id": "ASCOF-2A2",
            "period": "2023-24",
            "reason": "Client Level Data replaced SALT",
            "source_line": 2,
        },
        {
            "indicator_id": "KCC-OPPD-PB",
            "period": "2013-14 Q1",
            "reason": "new service model",
            "source_line": 3,
        },
    ]


def test_absent_file_or_header_only_gives_no_rebase_points(tmp_path):
    assert kio.read_spc_rebase(tmp_path).empty
    assert kio.read_spc_rebase(write(tmp_path, "indicator_id,period,reason\n")).empty
    assert list(kio.read_spc_rebase(tmp_path).columns) == [
        "indicator_id",
        "period",
        "reason",
        "source_line",
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("X,2013-14,\n", "line 2: reason is empty"),
        (",2013-14,why\n", "line 2: indicator_id is empty"),
        ("X,2013-14,why\nX,not a period,why\n", "line 3: period 'not a period'"),
        ("X,2013-14,why\nX,2013/14,again\n", "line 3: X 2013-14 is named twice"),
    ],
)
def test_a_bad_row_is_one_line_naming_file_and_line(tmp_path, body, message):
    folder = write(tmp_path, "indicator_id,period,reason\n" + body)
    with pytest.raises(ReferenceError) as error:
        kio.read_spc_rebase(folder)
    text = str(error.value)
    assert "spc_rebase.csv" in text and message in text
    assert "\n" not in text


def test_a_missing_column_is_named(tmp_path):
    folder = write(tmp_path, "indicator_id,period\nX,2013-14\n")
    with pytest.raises(ReferenceError, match="missing column\\(s\\) reason"):
        kio.read_spc_rebase(folder)


def test_the_bundled_file_reads(tmp_path):
    table = kio.read_spc_rebase(kio.project_paths("").reference)
    assert isinstance(table, pd.DataFrame)
    assert set(table.columns) >= {"indicator_id", "period", "reason"}
