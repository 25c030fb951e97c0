"""The default pack is the current one: Kent 2024-25 Q3 on today's divisions, with the key
service statement's forecast overspend reaching the variance report and the index.

Expectations worked by hand from data/raw/kent-2024-25/: the November 2024-25 key service
statement prints the directorate at budget 586.1, forecast 621.6, variance +35.4 (£m), so
£586,100.0 / £621,600.0 / +£35,400.0 thousand (a sentence says £35.4 million, as the
statement does); 35.4 / 586.1 = 6.04%, shown 6.0%. The
largest line variance is Older People - Residential Care Services, 97.5 -> 124.9, +27.4.
The QPR's KPI summary (page 51) counts Green 2, Amber 3, Red 1 for the six KPIs."""

from __future__ import annotations

import pandas as pd
import pytest

pytestmark = pytest.mark.integration

TODAY = ["asch-2024-25", "ldamh-2024-25", "oppd-2024-25"]


def test_the_default_pack_is_2024_25_q3_with_only_todays_divisions(default_pack):
    assert default_pack.name == "2024-25-Q3"
    assert sorted(d.name for d in default_pack.iterdir() if d.is_dir()) == TODAY
    index = (default_pack / "index.html").read_text(encoding="utf-8")
    for historic in ("oppd-2013-14", "older-persons-2008-09", "headquarters-2008-09"):
        assert historic not in index
    # real data only: nothing illustrative in the current pack
    assert "ILLUSTRATIVE" not in index
    # the historic packs are one command away
    assert 'bash scripts/report.sh --period "2013-14"' in index
    assert 'bash scripts/report.sh --period "2008-09"' in index


def test_the_forecast_overspend_reaches_the_index_named_as_an_overspend(default_pack):
    index = (default_pack / "index.html").read_text(encoding="utf-8")
    assert "forecast overspend of £35.4 million (6.0% of budget)" in index
    assert "Revenue and Capital Budget Monitoring Report, November 2024-25" in index
    # the pack summary: 1 Red, 3 Amber, 2 Green among the directorate's KPIs
    row = index.split('href="#asch-2024-25-summary"')[1].split("</tr>")[0]
    assert [c.split(">")[-1] for c in row.split("</td>")[:3]] == ["1", "3", "2"]


def test_the_variance_report_shows_the_statement_by_line_and_division(default_pack):
    tables = default_pack / "asch-2024-25" / "variance" / "tables"
    monitoring = pd.read_csv(tables / "budget_monitoring.csv")
    assert len(monitoring) == 45  # every printed row with a budget
    total = monitoring[monitoring["row_type"] == "total"].iloc[0]
    assert (total["budget"], total["forecast_outturn"], total["forecast_variance"]) == (
        586_100.0,
        621_600.0,
        35_400.0,
    )
    assert total["direction"] == "overspend"
    # the statement's own divisions: subtotals, e.g. Operations 524.7 -> 588.4, +63.7
    operations = monitoring[
        monitoring["line_name"] == "Adult Social Care & Health Operations Total"
    ]
    assert operations[["budget", "forecast_outturn", "forecast_variance"]].values.tolist() == [
        [524_700.0, 588_400.0, 63_700.0]
    ]
    html = (default_pack / "asch-2024-25" / "variance.html").read_text(encoding="utf-8")
    assert "forecast overspend of £35,400.0" in html
    assert (
        "Largest variances: Older People - Residential Care Services +£27,400.0 (overspend)" in html
    )
    # 621.6 - 586.1 = 35.5 against a printed 35.4: rounding, not a finding
    assert "Every printed variance is forecast minus budget to within the rounding" in html
    # each report says what period its data is for, and when it is older than the pack's
    assert (
        "Oflog ASC 2022-23, the latest published; older than this pack&#x27;s period" in html
        or ("Oflog ASC 2022-23, the latest published; older than this pack's period" in html)
    )
