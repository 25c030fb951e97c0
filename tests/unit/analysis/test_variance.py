"""Tests for kassanalysis.analysis.variance: budget year on year, its make-up, staffing and
localities.

Frames are tiny BudgetLines tables built by hand in the shape of the HQ plan 2008-09 (unit,
service group, line code, both years from one printed line) and the 2013-14 divisional plan's
locality table. Every expected figure is worked out in the comments beside it.
"""

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from kassanalysis.analysis.variance import (
    compare_budget_years,
    compare_localities,
    compare_staffing,
    summarise_budget_components,
)
from kassanalysis.schemas import BudgetLines

FILE = "budget.txt"
OP = "Older Persons"
RES = "Residential Care"
CE = "controllable_expenditure"


def budget(*rows):
    """A validated BudgetLines frame from tuples of
    (source_line, unit, service_group, line_code, line_name, row_type, measure, year, value).
    """
    frame = pd.DataFrame(
        rows,
        columns=[
            "source_line",
            "unit",
            "service_group",
            "line_code",
            "line_name",
            "row_type",
            "measure",
            "financial_year",
            "value",
        ],
    )
    frame["value"] = frame["value"].astype(float)
    frame["status"] = np.where(frame["value"].isna(), "missing", "reported")
    frame["unit_of_measure"] = np.where(frame["measure"] == "fte", "FTE", "GBP thousands")
    frame["authority_code"] = "E10000016"
    frame["authority_name"] = "Kent"
    frame["period"] = None
    frame["source_file"] = FILE
    frame["source_sheet"] = None
    frame["source_text"] = frame["value"].map(lambda v: None if np.isnan(v) else f"{v:.1f}")
    return BudgetLines.validate(frame)


def both_years(line, group, code, name, row_type, earlier, later, *, unit=OP, measure=CE):
    """The 2007-08 and 2008-09 cells of one printed row (same source line)."""
    return [
        (line, unit, group, code, name, row_type, measure, "2007-08", earlier),
        (line, unit, group, code, name, row_type, measure, "2008-09", later),
    ]


# ---------------------------------------------------------------------------------------------
# compare_budget_years
# ---------------------------------------------------------------------------------------------

YEARS = budget(
    # A line that was 0.0 in 2007-08 (as most of the HQ plan's 2007-08 column is).
    *both_years(9, RES, "41A", "KCC Residential", "line", 0.0, 120.5),
    *both_years(10, RES, "41B", "Private Residential", "line", 200.0, 250.0),
    # A TBC code (no line code), and a negative HQ adjustment that shrinks.
    *both_years(11, RES, None, "Social Care Reform", "line", -10.0, -5.0),
    # Printed with a blank 2007-08 cell (value missing).
    *both_years(12, RES, "41D", "Pending", "line", np.nan, 15.0),
    # A new line: no 2007-08 cell at all.
    (13, OP, RES, "41C", "New service", "line", CE, "2008-09", 30.0),
    *both_years(14, RES, None, "TOTAL RESIDENTIAL CARE", "subtotal", 190.0, 410.5),
    # Not part of the comparison: a memorandum, another measure, another unit.
    *both_years(20, None, None, "Central Overheads", "memorandum", 5.0, 6.0),
    *both_years(9, RES, "41A", "KCC Residential", "line", 3.0, 4.0, measure="fte"),
    *both_years(30, "Other", "O1", "Elsewhere", "line", 1.0, 2.0, unit="Resources"),
)


def test_compare_budget_years_by_hand():
    table = compare_budget_years(YEARS, units=[OP], from_year="2007-08", to_year="2008-09")
    # from -> to: change = to - from; pct_change = change / |from| * 100.
    #   41A      0.0 -> 120.5: change 120.5; from 0 -> pct NaN (not inf)
    #   41B    200.0 -> 250.0: change 50;    50 / 200 = 25%
    #   TBC    -10.0 ->  -5.0: change +5;    5 / |-10| = +50% (a smaller negative)
    #   41D    blank ->  15.0: change NaN,   pct NaN
    #   41C     none ->  30.0: change NaN,   pct NaN
    #   TOTAL  190.0 -> 410.5: change 220.5; 220.5 / 190 = 116.052631...%
    expected = pd.DataFrame(
        {
            "line_name": [
                "KCC Residential",
                "Private Residential",
                "Social Care Reform",
                "Pending",
                "New service",
                "TOTAL RESIDENTIAL CARE",
            ],
            "row_type": ["line"] * 5 + ["subtotal"],
            "measure": [CE] * 6,
            "from_value": [0.0, 200.0, -10.0, np.nan, np.nan, 190.0],
            "to_value": [120.5, 250.0, -5.0, 15.0, 30.0, 410.5],
            "change": [120.5, 50.0, 5.0, np.nan, np.nan, 220.5],
            "pct_change": [np.nan, 25.0, 50.0, np.nan, np.nan, 220.5 / 190 * 100],
            "source_line": [9, 10, 11, 12, 13, 14],
        }
    )
    assert_frame_equal(table[list(expected.columns)], expected, check_dtype=False)
    assert not np.isinf(table["pct_change"]).any()
    assert set(table["unit"]) == {OP}
    # The TBC line keeps no code (not the code of the line above it).
    assert table["line_code"].iloc[:2].tolist() == ["41A", "41B"]
    assert pd.isna(table["line_code"].iloc[2])
    assert pd.isna(table["line_code"].iloc[5])
    assert table.columns.tolist() == [
        "unit",
        "service_group",
        "line_code",
        "line_name",
        "row_type",
        "measure",
        "from_value",
        "to_value",
        "change",
        "pct_change",
        "source_file",
        "source_line",
    ]


def test_two_printed_rows_with_the_same_name_stay_two_rows():
    # Two "Other" lines with TBC codes in one service group, on printed lines 20 and 21:
    # 1 -> 3 and 2 -> 5. One row per printed row: changes 2 and 3.
    lines = budget(
        *both_years(20, RES, None, "Other", "line", 1.0, 3.0),
        *both_years(21, RES, None, "Other", "line", 2.0, 5.0),
    )
    table = compare_budget_years(lines, units=[OP], from_year="2007-08", to_year="2008-09")
    assert table["source_line"].tolist() == [20, 21]
    assert table["change"].tolist() == [2.0, 3.0]


# ---------------------------------------------------------------------------------------------
# summarise_budget_components
# ---------------------------------------------------------------------------------------------


def unit_rows(line, unit, row_type, name, year, values):
    return [(line, unit, None, None, name, row_type, m, year, v) for m, v in values.items()]


COMPONENTS = budget(
    *both_years(9, RES, "41A", "KCC Residential", "line", 10.0, 12.0),
    # A services total (ignored: the unit total is preferred).
    *unit_rows(30, OP, "total", "TOTAL SERVICES", "2008-09", {"gross_expenditure": 90.0}),
    # The unit total for 2008-09, 2008-09 layout:
    *unit_rows(
        40,
        OP,
        "unit_total",
        "Total Cost of Unit",
        "2008-09",
        {
            "employee_costs": 100.0,
            "running_costs": 40.0,
            "contracts_and_projects": 50.0,
            "transfer_payments_and_recharges": 10.0,
            "gross_expenditure": 200.0,
            "external_income": -30.0,
            "internal_income": -10.0,
            "controllable_expenditure": 160.0,
        },
    ),
    # The same unit's 2007-08 total must not be mixed in.
    *unit_rows(40, OP, "unit_total", "Total Cost of Unit", "2007-08", {"employee_costs": 1.0}),
    # A locality table (2013-14 layout) with two totals: the last printed one is used.
    *unit_rows(10, "Localities", "total", "Sub-total", "2008-09", {"gross_expenditure": 40.0}),
    *unit_rows(
        12,
        "Localities",
        "total",
        "Total",
        "2008-09",
        {
            "staffing_costs": 20.0,
            "non_staffing_costs": 60.0,
            "gross_expenditure": 80.0,
            "service_income": -30.0,
            "net_cost": 50.0,
        },
    ),
    # A unit with lines but no total: nothing to summarise, so no row.
    *both_years(5, "G", "1A", "Line only", "line", 1.0, 1.0, unit="No Total"),
)


# The two gross_expenditure identities of data/reference/identities.csv (2008-09 layout,
# then staffing and non-staffing), as the report passes them from the reference.
LAYOUTS = [
    (
        "employee_costs",
        "running_costs",
        "contracts_and_projects",
        "transfer_payments_and_recharges",
    ),
    ("staffing_costs", "non_staffing_costs"),
]


def test_summarise_budget_components_shares_of_gross():
    table = summarise_budget_components(
        COMPONENTS, units=[OP, "Localities", "No Total"], year="2008-09", components=LAYOUTS
    ).set_index("unit")
    assert table.index.tolist() == [OP, "Localities"]
    # Older Persons, from "Total Cost of Unit" (line 40): gross 200, so 100, 40, 50 and 10
    # are 50%, 20%, 25% and 5% of it (sums to 100).
    op = table.loc[OP]
    assert op["source_line"] == 40
    assert op["gross_expenditure"] == 200.0
    assert op["employee_costs_share"] == 50.0
    assert op["running_costs_share"] == 20.0
    assert op["contracts_and_projects_share"] == 25.0
    assert op["transfer_payments_and_recharges_share"] == 5.0
    assert op["external_income"] == -30.0 and op["internal_income"] == -10.0
    assert op["controllable_expenditure"] == 160.0  # 200 - 30 - 10
    # Localities, from the last total (line 12): staffing 20 / 80 = 25%, non-staffing
    # 60 / 80 = 75% (the sub-total's gross of 40 on line 10 would give 50% and 150%).
    loc = table.loc["Localities"]
    assert loc["source_line"] == 12
    assert loc["staffing_costs_share"] == 25.0
    assert loc["non_staffing_costs_share"] == 75.0
    assert loc["service_income"] == -30.0 and loc["net_cost"] == 50.0


def test_summarise_budget_components_zero_gross_has_no_shares():
    lines = budget(
        *unit_rows(
            3,
            "Empty",
            "unit_total",
            "Total Cost of Unit",
            "2008-09",
            {"staffing_costs": 0.0, "non_staffing_costs": 0.0, "gross_expenditure": 0.0},
        )
    )
    row = summarise_budget_components(
        lines, units=["Empty"], year="2008-09", components=LAYOUTS
    ).iloc[0]
    # 0 / 0: no share, not 0% and not an error.
    assert np.isnan(row["staffing_costs_share"]) and np.isnan(row["non_staffing_costs_share"])


# ---------------------------------------------------------------------------------------------
# compare_staffing
# ---------------------------------------------------------------------------------------------


def test_compare_staffing_names_the_fte_columns():
    hq = "HQ staffing"
    lines = budget(
        *both_years(
            5, "Teams", None, "Performance team", "line", 10.0, 12.5, unit=hq, measure="fte"
        ),
        *both_years(6, "Teams", None, "Finance team", "line", 8.0, 6.0, unit=hq, measure="fte"),
        *both_years(7, "Teams", None, "TOTAL", "total", 18.0, 18.5, unit=hq, measure="fte"),
        # Money in the same unit is not staffing.
        *both_years(8, "Teams", None, "Pay budget", "line", 400.0, 420.0, unit=hq),
    )
    table = compare_staffing(lines, unit=hq, from_year="2007-08", to_year="2008-09")
    assert "from_fte" in table.columns and "to_fte" in table.columns
    assert "from_value" not in table.columns and "to_value" not in table.columns
    assert table["line_name"].tolist() == ["Performance team", "Finance team", "TOTAL"]
    assert set(table["measure"]) == {"fte"}
    # 10 -> 12.5: +2.5 (+25%); 8 -> 6: -2 (-25%); 18 -> 18.5: +0.5 (0.5 / 18 = 2.777...%).
    assert table["from_fte"].tolist() == [10.0, 8.0, 18.0]
    assert table["to_fte"].tolist() == [12.5, 6.0, 18.5]
    assert table["change"].tolist() == [2.5, -2.0, 0.5]
    assert table["pct_change"].tolist() == pytest.approx([25.0, -25.0, 0.5 / 18 * 100])


# ---------------------------------------------------------------------------------------------
# compare_localities
# ---------------------------------------------------------------------------------------------

OPPD = "Older People and Physical Disability"


def locality(line, name, row_type, gross, income, net):
    measures = {"gross_expenditure": gross, "service_income": income, "net_cost": net}
    return [(line, OPPD, None, None, name, row_type, m, "2013-14", v) for m, v in measures.items()]


def test_compare_localities_share_and_income_recovery():
    lines = budget(
        *locality(5, "Ashford & Shepway Locality", "line", 40.0, -10.0, 30.0),
        *locality(8, "Canterbury & Swale Locality", "line", 60.0, -20.0, 40.0),
        *locality(20, "Total", "total", 100.0, -30.0, 70.0),
        # The summary's "£265,982700" is a stated figure, not a table row.
        (
            25,
            OPPD,
            None,
            None,
            "Gross expenditure (stated)",
            "stated",
            "gross_expenditure",
            "2013-14",
            265982.7,
        ),
    )
    table = compare_localities(lines, unit=OPPD, year="2013-14")
    # share_of_gross = gross / printed total gross: 40/100 = 40%, 60/100 = 60%, 100/100.
    # income_recovery_rate = -service income / gross: 10/40 = 25%, 20/60 = 33.33...%,
    # and for the total 30/100 = 30%.
    expected = pd.DataFrame(
        {
            "source_line": [5, 8, 20],
            "line_name": ["Ashford & Shepway Locality", "Canterbury & Swale Locality", "Total"],
            "row_type": ["line", "line", "total"],
            "gross_expenditure": [40.0, 60.0, 100.0],
            "service_income": [-10.0, -20.0, -30.0],
            "net_cost": [30.0, 40.0, 70.0],
            "share_of_gross": [40.0, 60.0, 100.0],
            "income_recovery_rate": [25.0, 20 / 60 * 100, 30.0],
        }
    )
    assert_frame_equal(table[list(expected.columns)], expected, check_dtype=False)
    assert set(table["source_file"]) == {FILE}


def test_compare_localities_uses_the_printed_total_or_else_the_sum():
    lines = [
        *locality(5, "Ashford & Shepway Locality", "line", 40.0, -10.0, 30.0),
        *locality(8, "Canterbury & Swale Locality", "line", 60.0, -20.0, 40.0),
    ]
    # No total printed: shares of the lines' sum, 40 / (40 + 60) = 40% and 60%.
    without_total = compare_localities(budget(*lines), unit=OPPD, year="2013-14")
    assert without_total["share_of_gross"].tolist() == [40.0, 60.0]
    # A printed total that does not add up (80, not 100) is used as printed, not replaced:
    # 40 / 80 = 50% and 60 / 80 = 75% (the reconciliation reports the mismatch elsewhere).
    with_bad_total = budget(*lines, *locality(20, "Total", "total", 80.0, -30.0, 50.0))
    table = compare_localities(with_bad_total, unit=OPPD, year="2013-14")
    assert table["share_of_gross"].tolist() == [50.0, 75.0, 100.0]


# ---------------------------------------------------------------------------------------------
# monitor_budget
# ---------------------------------------------------------------------------------------------


def monitoring_lines():
    """A quarterly return: two lines and their total, budget / actual to date / forecast."""
    rows = []
    printed = [
        (5, "Residential", "line", 1000.0, 260.0, 1100.0),
        (6, "Day care", "line", 0.0, 3.0, 4.0),
        (7, "Total", "total", 1000.0, 263.0, 1104.0),
    ]
    for line, name, row_type, budget_, to_date, forecast in printed:
        for measure, value in (
            ("budget", budget_),
            ("actual_to_date", to_date),
            ("forecast_outturn", forecast),
        ):
            rows.append(
                {
                    "unit": OP,
                    "period": "2013-14 Q1",
                    "line_code": None,
                    "line_name": name,
                    "row_type": row_type,
                    "measure": measure,
                    "value": value,
                    "source_file": "q1.txt",
                    "source_line": line,
                }
            )
    return pd.DataFrame(rows)


def test_monitor_budget_variance_and_shares():
    from kassanalysis.analysis.variance import monitor_budget

    table = monitor_budget(monitoring_lines(), units=[OP], period="2013-14 Q1")
    assert table["line_name"].tolist() == ["Residential", "Day care", "Total"]
    # Residential: 1,100 - 1,000 = +100 (overspend), 100 / 1,000 = 10%, 260 / 1,000 = 26%
    # Day care: budget 0, forecast 4: variance +4 but no percentage of a zero budget
    # Total: 1,104 - 1,000 = +104, 10.4%, 263 / 1,000 = 26.3%
    assert table["forecast_variance"].tolist() == [100.0, 4.0, 104.0]
    assert table["forecast_variance_pct"].tolist()[::2] == [10.0, 10.4]
    assert table["spent_to_date_pct"].tolist()[::2] == [26.0, 26.3]
    assert table[["forecast_variance_pct", "spent_to_date_pct"]].iloc[1].isna().all()
    assert table["source_line"].tolist() == [5, 6, 7]


def test_monitor_budget_without_a_return_for_the_period_is_empty():
    from kassanalysis.analysis.variance import monitor_budget

    assert monitor_budget(monitoring_lines(), units=[OP], period="2013-14 Q2").empty
    assert monitor_budget(monitoring_lines(), units=["Other"], period="2013-14 Q1").empty
