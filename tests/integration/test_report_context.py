"""The report context's view of the catalogue: which rows are illustrative."""

import dataclasses

import pandas as pd

import kassanalysis.report as kr


def test_an_illustrative_workbook_return_is_recognised_by_its_sheets():
    ctx = kr.open_context(division="oppd-2013-14", period="2013-14 Q1")
    shipped = next(e for e in ctx.catalogue if e.illustrative)
    assert ctx.illustrative_files == {  # the CSV pair as shipped
        "quarterly/kent-oppd-2013-14-Q1.indicators.csv",
        "quarterly/kent-oppd-2013-14-Q1.budget.csv",
    }
    # the same return sent as a workbook: its rows name the sheets
    workbook = dataclasses.replace(shipped, file="quarterly/kent-oppd-2013-14-Q2.xlsx")
    ctx.__dict__["catalogue"] = [workbook]
    del ctx.__dict__["illustrative_files"]
    assert ctx.illustrative_files == {
        "quarterly/kent-oppd-2013-14-Q2.xlsx",
        "quarterly/kent-oppd-2013-14-Q2.xlsx#indicators",
        "quarterly/kent-oppd-2013-14-Q2.xlsx#budget",
    }
    rows = pd.DataFrame({"source_file": ["plan.txt", "quarterly/kent-oppd-2013-14-Q2.xlsx#budget"]})
    assert ctx.uses_illustrative(rows)
    assert not ctx.uses_illustrative(rows.iloc[:1])
