"""Tests for kassanalysis.analysis.significance (two-level significance, Fingertips style).

The intervals are PHEindicatormethods' published Wilson limits for 1045 of 5000
(95% 0.197955 to 0.220491; 99.8% 0.191794 to 0.227316); the classifications are worked by
hand from where each benchmark falls.
"""

import numpy as np
import pandas as pd
import pytest

from kassanalysis.analysis.stats import classify_against_benchmark_two_levels

L95, U95, L998, U998 = 0.197955, 0.220491, 0.191794, 0.227316


@pytest.mark.parametrize(
    ("benchmark", "higher_better", "lower_better", "neutral"),
    [
        (0.19, "better (99.8%)", "worse (99.8%)", "higher (99.8%)"),  # below both intervals
        (0.195, "better (95%)", "worse (95%)", "higher (95%)"),  # inside 99.8%, below 95%
        (0.21, "similar", "similar", "similar"),  # inside both
        (0.225, "worse (95%)", "better (95%)", "lower (95%)"),  # above 95%, inside 99.8%
        (0.23, "worse (99.8%)", "better (99.8%)", "lower (99.8%)"),  # above both
    ],
)
def test_two_levels_for_1045_of_5000(benchmark, higher_better, lower_better, neutral):
    for polarity, expected in [
        ("higher_is_better", higher_better),
        ("lower_is_better", lower_better),
        ("no_polarity", neutral),
    ]:
        table = classify_against_benchmark_two_levels(
            L95, U95, L998, U998, benchmark, polarity, "England value"
        )
        assert table["significance"].iloc[0] == expected


def test_columns_name_the_benchmark_and_both_levels():
    table = classify_against_benchmark_two_levels(
        pd.Series([L95, np.nan], index=["E10000016", "E10000030"]),
        pd.Series([U95, np.nan], index=["E10000016", "E10000030"]),
        pd.Series([L998, np.nan], index=["E10000016", "E10000030"]),
        pd.Series([U998, np.nan], index=["E10000016", "E10000030"]),
        0.195,
        "higher_is_better",
        "group value",
    )
    assert table.index.tolist() == ["E10000016", "E10000030"]
    assert table["benchmark"].tolist() == ["group value", "group value"]
    assert table["benchmark_value"].tolist() == [0.195, 0.195]
    assert table["compared_95"].tolist() == ["better", "not compared"]
    assert table["compared_998"].tolist() == ["similar", "not compared"]
    assert table["significance"].tolist() == ["better (95%)", "not compared"]
    assert table["significance_text"].tolist() == [
        "better than the group value at the 95% level",
        "not compared with the group value (no interval or no benchmark)",
    ]


def test_missing_998_interval_keeps_the_95_reading():
    table = classify_against_benchmark_two_levels(
        L95, U95, None, None, 0.19, "higher_is_better", "goal"
    )
    assert table["significance"].tolist() == ["better (95%)"]
    assert table["significance_text"].iloc[0] == "better than the goal at the 95% level"


def test_errors():
    with pytest.raises(ValueError, match="benchmark_name"):
        classify_against_benchmark_two_levels(L95, U95, L998, U998, 0.2, "higher_is_better", " ")
    with pytest.raises(ValueError, match="lower limit is greater"):
        classify_against_benchmark_two_levels(U95, L95, L998, U998, 0.2, "higher_is_better", "goal")
    with pytest.raises(ValueError, match="polarity"):
        classify_against_benchmark_two_levels(L95, U95, L998, U998, 0.2, "up", "goal")
