"""Tests for kassanalysis.analysis.indicator_trend: the trend tests applied to a council's
series. Expected values are worked by hand in the comments."""

import math

import numpy as np
import pandas as pd
import pytest

from kassanalysis.analysis.indicator_trend import (
    calculate_indicator_recent_trend,
    describe_indicator_spc,
    read_recent_trend,
)

STARTS = pd.to_datetime(["2019-04-01", "2020-04-01", "2021-04-01", "2022-04-01", "2023-04-01"])


def actuals(numerators, denominators, values=None):
    return pd.DataFrame(
        {
            "period_start": STARTS[: len(numerators)],
            "numerator": np.asarray(numerators, dtype=float),
            "denominator": np.asarray(denominators, dtype=float),
            "value": np.asarray(values if values is not None else numerators, dtype=float),
        }
    )


def test_a_proportion_uses_armitage_on_counts():
    # c = 10 20 30 40 50 of d = 100, t = 0..4 (only the spacing matters): D = 500, C = 150,
    # Sum ct = 400, Sum dt = 1000, Sum dt^2 = 3000.
    # X2 = 500 (500 x 400 - 150 x 1000)^2 / (150 x 350 x (500 x 3000 - 1000^2))
    #    = 500 x 50000^2 / (52500 x 500000) = 1.25e12 / 2.625e10 = 47.619 > 9.5495.
    # Gradient: OLS slope of logit(p) = -2.19722, -1.38629, -0.84730, -0.40547, 0 on t:
    # Sum (t - 2) y / 10 = (4.39445 + 1.38629 - 0.40547) / 10 = 0.537527; every drop-one
    # slope is positive (the logits rise throughout), so the marker is "increasing".
    result = calculate_indicator_recent_trend(
        actuals([10, 20, 30, 40, 50], [100] * 5), pd.Series({"unit": "%"})
    )
    assert result["method"] == "proportion from counts"
    assert result["statistic"] == pytest.approx(47.619, abs=0.001)
    assert result["gradient"] == pytest.approx(0.537527, abs=1e-6)
    assert result["marker"] == "increasing"
    assert read_recent_trend(result, "higher_is_better") == "increasing and getting better"
    assert read_recent_trend(result, "lower_is_better") == "increasing and getting worse"


def test_without_counts_or_limits_the_marker_cannot_be_calculated_and_says_why():
    frame = actuals([np.nan] * 5, [np.nan] * 5, values=[1, 2, 3, 4, 5])
    result = calculate_indicator_recent_trend(frame, pd.Series({"unit": "%"}))
    assert result["method"] == "value with 95% limits"
    assert result["marker"] == "cannot be calculated"
    assert read_recent_trend(result, "higher_is_better") == (
        "cannot be calculated: missing at least one confidence interval value"
    )


def test_four_points_are_not_enough():
    result = calculate_indicator_recent_trend(
        actuals([10, 20, 30, 40], [100] * 4), pd.Series({"unit": "%"})
    )
    assert (
        read_recent_trend(result, "no_polarity") == "cannot be calculated: not enough data points"
    )


# Twelve months: 5 6 5 7 6 5 6 7 5 6 6 5. Mean 69 / 12 = 5.75; moving ranges
# 1 1 2 1 1 1 1 2 1 0 1 -> 12 / 11 = 1.090909 (none at or above 3.267 x that, 3.564);
# limits 5.75 -/+ 2.66 x 1.090909 = 2.848182 to 8.651818.
TWELVE = [5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5]


def series(values, target=np.nan):
    return pd.DataFrame(
        {
            "period": [f"M{i}" for i in range(1, len(values) + 1)],
            "period_type": "month",
            "actual": np.asarray(values, dtype=float),
            "target": target,
        }
    )


def test_the_limits_are_fixed_on_the_first_twelve_points():
    # A 13th point of 9 is above the fixed upper limit 8.651818: special cause, and higher
    # is better, so improvement. (Limits from all 13 points would be mean 78 / 13 = 6,
    # mean moving range 16 / 12 = 1.333333, upper 6 + 2.66 x 1.333333 = 9.546667, and 9
    # would be common cause.) A target of 10 is above the upper limit: consistently fails.
    chart, record = describe_indicator_spc(series([*TWELVE, 9], target=10.0), "higher_is_better")
    assert record["upper_limit"] == pytest.approx(8.651818, abs=1e-6)
    assert record["lower_limit"] == pytest.approx(2.848182, abs=1e-6)
    assert record["mean"] == pytest.approx(5.75)
    assert record["latest_period"] == "M13"
    assert record["variation"] == "special_cause_improvement"
    assert record["variation_text"] == "special cause improvement"
    assert record["assurance"] == "consistent_fail"
    assert record["baseline"] == "limits fixed on the first 12 points"
    assert record["rebased_at"] == "none"
    assert bool(chart.loc["M13", "outside_limits"])


def test_rebase_points_come_from_the_analyst_with_their_reason():
    # Rebased at M13: the new segment M13, M14 (20, 22) has its own mean 21.
    rebase = pd.DataFrame({"period": ["M13", "M40"], "reason": ["new service model", "x"]})
    chart, record = describe_indicator_spc(
        series([*TWELVE, 20, 22]), "lower_is_better", rebase=rebase
    )
    assert record["rebased_at"] == "M13: new service model"
    assert record["note"] == "rebase point(s) not in this series: M40"
    assert chart.loc["M14", "mean"] == 21.0
    assert chart.loc["M1", "mean"] == 5.75
    assert record["assurance_text"] == "no assurance: no target"


def test_a_short_series_has_no_chart_and_says_how_many_points_it_has():
    chart, record = describe_indicator_spc(series(TWELVE[:8]), "higher_is_better")
    assert chart is None
    assert record["variation_text"] == "not shown: 8 points (12 needed)"
    assert record["points"] == 8
    assert math.isnan(record.get("mean", math.nan))
