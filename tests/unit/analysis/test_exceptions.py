"""The exception rules (kassanalysis.analysis.exceptions), on tiny hand-built tables.

Each expected row is worked out from the rule by hand: which rows are raised, and the
figures written by the unit's formatting rule (percentages 1 decimal with %, counts 0
decimals, money £ with 1 decimal in £000).
"""

import numpy as np
import pandas as pd
from pandas.testing import assert_frame_equal

from kassanalysis.analysis.exceptions import (
    EXCEPTION_COLUMNS,
    activity_exceptions,
    list_exceptions,
    overspend_exceptions,
    rag_exceptions,
    reconciliation_exceptions,
    special_cause_exceptions,
)

Q1 = "2013-14 Q1"


def rag_table():
    # Red: 84.1 below floor 85; Amber: 71.2 below target 78 but above floor 70;
    # Green: met; "Below target (no floor set)": 6.1 above a lower-is-better target of 5.9
    # with no floor; "No data": no actual, not an exception (missing is not a failure).
    return pd.DataFrame(
        {
            "rag": ["Red", "Amber", "Green", "Below target (no floor set)", "No data"],
            "indicator_name": ["Reablement", "Personal budgets", "Carers", "Admissions", "STNFS"],
            "actual": [84.1, 71.2, 37.5, 6.1, np.nan],
            "target": [87.0, 78.0, 36.0, 5.9, 80.0],
            "floor": [85.0, 70.0, 30.0, np.nan, 70.0],
            "unit": ["%", "%", "%", "rate per 10000 population aged 65+", "%"],
            "actual_period": Q1,
            "source_file": "q1.txt",
            "source_line": [4, 5, 6, 7, 12],
        }
    )


def test_rag_rule_raises_red_amber_and_no_floor_in_table_order():
    found = rag_exceptions(rag_table())
    assert found["category"].tolist() == ["Red", "Amber", "Below target (no floor set)"]
    assert found["detail"].tolist() == [
        "84.1% against target 87.0% (floor 85.0%)",
        "71.2% against target 78.0% (floor 70.0%)",
        "6.1 against target 5.9 (floor no data)",  # a rate: 1 decimal; a missing floor
    ]
    assert found["source_line"].tolist() == [4, 5, 7]
    assert list(found.columns) == EXCEPTION_COLUMNS


def test_activity_rule_raises_flagged_only():
    activity = pd.DataFrame(
        {
            "flagged": [True, False, True],
            "indicator_name": ["Residential", "Nursing", "Home care"],
            "status": ["Above expected range", "Below expected range", "Below expected range"],
            "latest": [2690.0, 1452.0, 5603.0],
            "expected_low": [2500.0, 1500.0, 5700.0],
            "expected_high": [2650.0, 1600.0, 6000.0],
            "unit": "count of people",
            "latest_period": Q1,
            "source_file": "p.txt",
            "source_line": [8, 9, 10],
        }
    )
    found = activity_exceptions(activity)
    assert found["item"].tolist() == ["Residential", "Home care"]
    assert found["detail"].tolist() == [
        "Above expected range: 2,690 people (expected 2,500 to 2,650)",
        "Below expected range: 5,603 people (expected 5,700 to 6,000)",
    ]


def test_special_cause_rule_looks_at_the_latest_point_only():
    earlier = pd.DataFrame(  # special cause earlier, common cause now: not an exception
        {"special_cause": [True, False], "variation": ["concern", None]}, index=["Q4", "Q1"]
    )
    latest = pd.DataFrame(
        {"special_cause": [False, True], "variation": [None, "improvement"]}, index=["Q4", "Q1"]
    )
    found = special_cause_exceptions({"A": earlier, "B": latest, "C": None})
    expected = pd.DataFrame(
        [["Special cause", "B", "improvement", "Q1", None, None]], columns=EXCEPTION_COLUMNS
    )
    assert_frame_equal(found, expected)


def test_special_cause_names_the_indicator_in_words_with_its_code_in_the_detail():
    latest = pd.DataFrame(
        {"special_cause": [False, True], "variation": [None, "concern"]}, index=["Q4", "Q1"]
    )
    found = special_cause_exceptions(
        {"ASCOF-2A2": latest}, {"ASCOF-2A2": "Admissions to care homes, aged 65+"}
    )
    assert found[["item", "detail"]].values.tolist() == [
        ["Admissions to care homes, aged 65+", "concern (ASCOF-2A2)"]
    ]


def test_overspend_rule_takes_total_rows_over_budget():
    monitoring = pd.DataFrame(
        {
            "row_type": ["line", "total", "total"],
            "line_name": ["Residential", "Older people", "Physical disability"],
            "budget": [100.0, 52_310.2, 8_000.0],
            # 52,310.2 + 118.2 = 52,428.4: overspend; 7,950 - 8,000 = -50: underspend
            "forecast_outturn": [150.0, 52_428.4, 7_950.0],
            "forecast_variance": [50.0, 118.2, -50.0],
            "source_file": "q1.txt",
            "source_line": [5, 20, 30],
        }
    )
    found = overspend_exceptions(monitoring, period=Q1)
    assert found["item"].tolist() == ["Older people"]
    assert found["detail"].tolist() == ["forecast £52,428.4 against budget £52,310.2 (+£118.2)"]
    assert overspend_exceptions(pd.DataFrame(), period=Q1).empty


def test_list_exceptions_keeps_the_rules_order_and_handles_empty_inputs():
    quality = pd.DataFrame(
        {
            "check": ["column_total"],
            "message": ["lines add to 18, total printed 19"],
            "source_file": ["b.txt"],
            "source_line": [40],
        }
    )
    found = list_exceptions(
        rag=rag_table(),
        activity=pd.DataFrame(),
        spc_by_indicator={},
        quality=quality,
        monitoring=pd.DataFrame(),
        period=Q1,
    )
    # 3 ratings, then the reconciliation finding
    assert found["category"].tolist() == [
        "Red",
        "Amber",
        "Below target (no floor set)",
        "Does not reconcile",
    ]
    assert found.index.tolist() == [0, 1, 2, 3]
    assert reconciliation_exceptions(quality)["detail"].tolist() == [
        "lines add to 18, total printed 19"
    ]
    nothing = list_exceptions(
        rag=rag_table().iloc[[2]],
        activity=pd.DataFrame(),
        spc_by_indicator={},
        quality=quality.iloc[:0],
        monitoring=pd.DataFrame(),
        period=Q1,
    )
    assert nothing.empty and list(nothing.columns) == EXCEPTION_COLUMNS
