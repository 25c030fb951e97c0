"""Budget monitoring from a key service statement (budget, forecast and printed variance in
£m to one decimal, no period: the year's statement as at a month). Expectations worked by
hand from Kent's November 2024-25 statement (data/raw/kent-2024-25/)."""

from __future__ import annotations

import pandas as pd
import pytest

from kassanalysis.analysis.variance import (
    largest_variances,
    monitor_budget,
    printed_step,
    variance_findings,
)

UNIT = "Adult Social Care & Health"
# (source line, division, key service, row type, budget, forecast, printed variance) in £m
PRINTED = [
    (17, "Operations", "Adult Mental Health - Community Based Services", "line", 21.2, 30.2, 9.0),
    (25, "Operations", "Older People - Residential Care Services", "line", 97.5, 124.9, 27.4),
    (22, "Operations", "Independent Living Support", "line", 1.0, 1.0, -0.1),
    (48, "Strategic", "Provision for Demographic Growth - Community", "line", 15.8, 1.2, -14.5),
    (40, "Strategic", "Partnership Support Services", "line", 0.0, -0.0, -0.0),
    (59, None, "Adult Social Care & Health Total", "total", 586.1, 621.6, 35.4),
]


def statement(rows=PRINTED) -> pd.DataFrame:
    """Budget lines as the reader makes them: £000, one row per measure, no period."""
    records = []
    for line, group, name, row_type, budget, forecast, variance in rows:
        for measure, value in (
            ("budget", budget),
            ("forecast_outturn", forecast),
            ("variance", variance),
        ):
            records.append(
                {
                    "unit": UNIT,
                    "financial_year": "2024-25",
                    "period": None,
                    "service_group": group,
                    "line_code": None,
                    "line_name": name,
                    "row_type": row_type,
                    "source_line": line,
                    "measure": measure,
                    "value": round(value * 1000, 1),
                    "source_file": "kent-2024-25/kss.txt",
                }
            )
    return pd.DataFrame(records)


def test_the_years_statement_is_the_monitoring_of_a_quarter_of_that_year():
    monitoring = monitor_budget(
        statement(), units=[UNIT], period="2024-25 Q3", financial_year="2024-25"
    )
    assert monitoring["source_line"].tolist() == [17, 22, 25, 40, 48, 59]  # printed order
    total = monitoring.set_index("source_line").loc[59]
    # the council's own variance is shown: +35.4m, an overspend (£000)
    assert total["forecast_variance"] == 35_400.0
    assert total["direction"] == "overspend"
    # 621.6 - 586.1 = 35.5 against the printed 35.4: a difference of 0.1m, from rounding
    assert total["variance_difference"] == pytest.approx(100.0)
    # 35.4 / 586.1 = 6.04%
    assert total["forecast_variance_pct"] == pytest.approx(6.0399, abs=1e-4)
    # nothing spent to date is printed: missing, not zero
    assert pd.isna(total["actual_to_date"]) and pd.isna(total["spent_to_date_pct"])
    by_line = monitoring.set_index("line_name")["direction"]
    assert by_line["Independent Living Support"] == "underspend"  # 1.0 -> 1.0, printed -0.1
    assert by_line["Partnership Support Services"] == "on budget"  # -0.0 is no variance


def test_a_statement_is_not_used_for_another_year_or_unit():
    other_year = monitor_budget(
        statement(), units=[UNIT], period="2023-24 Q3", financial_year="2023-24"
    )
    assert other_year.empty
    assert monitor_budget(
        statement(), units=["Other"], period="2024-25 Q3", financial_year="2024-25"
    ).empty
    # without the year, only rows of the period itself are monitoring (the old rule)
    assert monitor_budget(statement(), units=[UNIT], period="2024-25 Q3").empty


def test_rounding_is_not_a_finding_but_a_wrong_variance_is():
    monitoring = monitor_budget(
        statement(), units=[UNIT], period="2024-25 Q3", financial_year="2024-25"
    )
    # every row's difference is at most 0.1m, within 1.5 x 0.1m (three rounded figures)
    assert variance_findings(monitoring).empty
    wrong = [
        *PRINTED[:-1],
        (59, None, "Adult Social Care & Health Total", "total", 586.1, 621.6, 25.4),
    ]
    monitoring = monitor_budget(
        statement(wrong), units=[UNIT], period="2024-25 Q3", financial_year="2024-25"
    )
    (finding,) = variance_findings(monitoring)["finding"]
    # 621.6 - 586.1 = 35.5m = 35,500.0 (£000) against a printed 25,400.0
    assert finding.startswith(
        "line 59: forecast minus budget is 35,500.0 but the printed variance is 25,400.0"
    )


def test_largest_variances_are_lines_by_size_either_way():
    monitoring = monitor_budget(
        statement(), units=[UNIT], period="2024-25 Q3", financial_year="2024-25"
    )
    largest = largest_variances(monitoring, 3)
    # +27.4, -14.5, +9.0 (the total row is not a line)
    assert largest["forecast_variance"].tolist() == [27_400.0, -14_500.0, 9_000.0]
    assert largest["direction"].tolist() == ["overspend", "underspend", "overspend"]


@pytest.mark.parametrize(
    ("values", "step"),
    [
        ([600.0, 40_700.0, -100.0, 0.0], 100.0),
        ([31_871.0, 1.0], 1.0),
        ([2_000.0], 1000.0),
        ([0.25], 0.0),
    ],
)
def test_printed_step(values, step):
    assert printed_step(pd.Series(values)) == step
