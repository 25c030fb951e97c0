"""Tests for kassanalysis.analysis.observations (the helpers trend and performance share).

Rows are built by hand; expected values are worked out in the comments.
"""

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest

from kassanalysis.analysis.observations import (
    find_for_period,
    make_frame,
    meets_target,
    select_observations,
)
from kassanalysis.schemas import RagRatings, TargetsByPeriod

KENT = "E10000016"


def target_rows(*rows):
    """Targets as (period, type, start, end, value): the columns find_for_period reads."""
    return pd.DataFrame(
        [
            {
                "period": p,
                "period_type": t,
                "period_start": pd.Timestamp(s),
                "period_end": pd.Timestamp(e),
                "value": v,
            }
            for p, t, s, e, v in rows
        ]
    )


def test_a_month_takes_the_target_of_its_quarter():
    # July 2013 lies in 2013-14 Q2 (1 July - 30 September): the Q2 target applies
    rows = target_rows(
        ("2013-14 Q1", "quarter", "2013-04-01", "2013-06-30", 70.0),
        ("2013-14 Q2", "quarter", "2013-07-01", "2013-09-30", 72.0),
    )
    found, unvalued = find_for_period(
        rows, pd.Timestamp("2013-07-01"), pd.Timestamp("2013-07-31"), "month"
    )
    assert found["period"] == "2013-14 Q2" and unvalued is None


def test_a_quarter_falls_back_to_the_year_only_when_asked():
    # a floor set for the whole of 2013-14 covers Q2, but only with fall_back_to_year
    rows = target_rows(("2013-14", "year", "2013-04-01", "2014-03-31", 6.5))
    start, end = pd.Timestamp("2013-07-01"), pd.Timestamp("2013-09-30")
    assert find_for_period(rows, start, end, "quarter") == (None, None)
    found, _ = find_for_period(rows, start, end, "quarter", fall_back_to_year=True)
    assert found["value"] == 6.5


def test_a_target_published_without_a_number_is_returned_separately():
    # Q2's target is TBC (no number): nothing to rate against, but the row says why
    rows = target_rows(("2013-14 Q2", "quarter", "2013-07-01", "2013-09-30", np.nan))
    found, unvalued = find_for_period(
        rows, pd.Timestamp("2013-07-01"), pd.Timestamp("2013-09-30"), "quarter"
    )
    assert found is None and unvalued["period"] == "2013-14 Q2"


@pytest.mark.parametrize(
    ("actual", "target", "polarity", "expected"),
    [
        (77.0, 77.0, "higher_is_better", True),  # equal counts as met
        (76.99999999999, 77.0, "higher_is_better", True),  # 76.99999999999 is 77 computed
        (76.9, 77.0, "higher_is_better", False),
        (6.0, 6.5, "lower_is_better", True),  # fewer admissions than the target
        (7.0, 6.5, "lower_is_better", False),
        (7.0, 6.5, "no_polarity", None),  # neither direction is better
        (np.nan, 6.5, "lower_is_better", None),  # missing stays undecided
    ],
)
def test_meets_target(actual, target, polarity, expected):
    assert meets_target(actual, target, polarity) is expected


def test_two_different_numbers_for_one_value_are_refused_naming_both_sources():
    base = {
        "authority_code": KENT,
        "indicator_id": "PB",
        "breakdown": "Total",
        "period": "2013-14",
        "period_type": "year",
        "period_start": pd.Timestamp("2013-04-01"),
        "period_end": pd.Timestamp("2014-03-31"),
        "value_type": "actual",
        "unit": "%",
        "status": "reported",
        "source_file": "kpi.txt",
    }
    frame = pd.DataFrame(
        [{**base, "value": 70.0, "source_line": 3}, {**base, "value": 71.0, "source_line": 9}]
    )
    with pytest.raises(ValueError, match=r"70 \(kpi.txt line 3\) and as 71 \(kpi.txt line 9\)"):
        select_observations(
            frame,
            indicator_id="PB",
            authority_code=KENT,
            breakdown="Total",
            value_types=("actual",),
        )


def test_an_output_table_has_its_schema_columns_in_order_with_their_dtypes():
    empty = make_frame([], TargetsByPeriod)
    assert list(empty.columns) == list(TargetsByPeriod.to_schema().columns)
    assert str(empty["target_source_line"].dtype) == "Int64"  # a line number or <NA>
    assert str(empty["period_end"].dtype) == "datetime64[ns]"


def test_an_output_row_that_breaks_the_contract_is_refused():
    # every RAG row names its indicator; a row without one is an error, not a blank
    with pytest.raises(pa.errors.SchemaError, match="indicator_id"):
        make_frame([{"indicator_id": None, "rag": "Red"}], RagRatings)
