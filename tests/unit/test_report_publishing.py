"""kassanalysis.report.publishing: a published table read back for the workbook."""

from __future__ import annotations

import warnings

import pandas as pd

from kassanalysis.report.publishing import publish_table, read_published_table


def test_the_workbook_reads_dates_back_as_written_without_a_warning(tmp_path):
    # ``date`` and ``updated_at`` are names pandas would parse as dates; the workbook must
    # show what the CSV shows: the text written, and the epoch-like count as a number
    table = pd.DataFrame({"date": ["2024-03-31"], "updated_at": [1711843200], "value": ["[c]"]})
    publish_table(table, tmp_path, "dates")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        back = read_published_table(tmp_path / "dates.json")
    assert back.loc[0, "date"] == "2024-03-31"
    assert back.loc[0, "updated_at"] == 1711843200
    assert back.loc[0, "value"] == "[c]"
