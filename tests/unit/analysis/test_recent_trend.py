"""Tests for kassanalysis.analysis.recent_trend (the Fingertips recent trend marker).

Expected markers, reasons, statistics and gradients are PHEindicatormethods' own test data
(reference_values/trend_markers.json, testdata_trend_markers.xlsx at
dhsc-govuk/PHEindicatormethods be274439, branch add_trend_markers), or worked by hand.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from kassanalysis.analysis._arrays import _chi2_quantile
from kassanalysis.analysis.stats import calculate_recent_trend, describe_recent_trend

REFERENCE = json.loads(
    (Path(__file__).parent / "reference_values" / "trend_markers.json").read_text()
)


def _call(case):
    given = case["inputs"]
    if case["value_type"] == "proportion":
        return calculate_recent_trend(
            given["year"], numerator=given["numerator"], denominator=given["denominator"]
        )
    return calculate_recent_trend(
        given["year"],
        values=given["value"],
        lower_95=given["lower_ci95"],
        upper_95=given["upper_ci95"],
    )


@pytest.mark.parametrize("case", REFERENCE["cases"], ids=lambda case: case["id"])
def test_trend_markers_match_phe_test_data(case):
    result = _call(case)
    expected = case["expected"]
    assert result["marker"] == expected["recent_trend"].lower()
    assert result["reason"] == expected["recent_trend_reason"].lower()
    if "statistic_rounded_4dp" in expected:
        assert round(result["statistic"], 4) == expected["statistic_rounded_4dp"]
        assert round(result["gradient"], 4) == expected["gradient_rounded_4dp"]
    else:
        assert np.isnan(result["statistic"]) and np.isnan(result["gradient"])


def test_six_points_use_the_last_five_years():
    case = next(c for c in REFERENCE["cases"] if c["id"] == "phe_other_6_points")
    assert _call(case)["years"] == [2.0, 3.0, 4.0, 5.0, 6.0]


def test_critical_value_is_chi_squared_one_df_at_0998():
    # published: qchisq(0.998, 1) = 9.54953570608324 (FingertipsNext ChiSquareConfidence)
    assert float(_chi2_quantile(0.998, np.array(1.0))) == pytest.approx(9.54953570608324, rel=1e-12)


def test_order_of_years_does_not_matter():
    case = next(c for c in REFERENCE["cases"] if c["id"] == "phe_prop_trends")
    given = case["inputs"]
    order = [3, 0, 4, 1, 2]
    result = calculate_recent_trend(
        [given["year"][i] for i in order],
        numerator=[given["numerator"][i] for i in order],
        denominator=[given["denominator"][i] for i in order],
    )
    assert round(result["statistic"], 4) == 12.5688 and result["marker"] == "decreasing"


def test_increasing_proportion_by_hand():
    # 10%, 11%, 12%, 13%, 14% of 10,000 each year. Armitage's X2 with t = 1..5:
    # D = 50,000, C = 6,000; Sum c t = 1000 + 2200 + 3600 + 5200 + 7000 = 19,000;
    # Sum d t = 150,000; Sum d t^2 = 550,000.
    # X2 = 50,000 (50,000 x 19,000 - 6,000 x 150,000)^2 / (6,000 x 44,000 x (50,000 x
    #      550,000 - 150,000^2)) = 50,000 x (5 x 10^7)^2 / (2.64 x 10^8 x 5 x 10^9) = 94.697
    result = calculate_recent_trend(
        [1, 2, 3, 4, 5], numerator=[1000, 1100, 1200, 1300, 1400], denominator=[10_000] * 5
    )
    assert result["statistic"] == pytest.approx(50_000 * 5e7**2 / (2.64e8 * 5e9))
    assert result["marker"] == "increasing"
    assert result["reason"] == "no outliers and significant trend"
    assert result["gradient"] > 0


def test_one_point_reversing_the_slope_is_an_outlier():
    # 10.5%, 10%, 10%, 9.5% then 20% of 100,000: significant rise overall, but without the
    # last point the logit falls -> "no significant change", "outlier found"
    result = calculate_recent_trend(
        [2019, 2020, 2021, 2022, 2023],
        numerator=[10_500, 10_000, 10_000, 9_500, 20_000],
        denominator=[100_000] * 5,
    )
    assert result["statistic"] > 9.5495 and result["gradient"] > 0
    assert (result["marker"], result["reason"]) == ("no significant change", "outlier found")


@pytest.mark.parametrize(
    ("years", "reason"),
    [
        ([2019, 2020, 2020, 2022, 2023], "duplicate years"),
        ([2019, 2020, None, 2022, 2023], "missing years"),
        ([2020, 2021, 2022, 2023], "not enough data points"),
    ],
)
def test_cannot_be_calculated_reasons_for_years(years, reason):
    n = len(years)
    result = calculate_recent_trend(years, numerator=[10] * n, denominator=[100] * n)
    assert (result["marker"], result["reason"]) == ("cannot be calculated", reason)


def test_missing_values_only_count_among_the_last_five():
    years = [2018, 2019, 2020, 2021, 2022, 2023]
    values = [None, 5, 6, 7, 8, 9]
    lower, upper = [4, 4, 5, 6, 7, 8], [6, 6, 7, 8, 9, 10]
    assert (
        calculate_recent_trend(years, values=values, lower_95=lower, upper_95=upper)["marker"]
        != "cannot be calculated"
    )
    missing_ci = calculate_recent_trend(
        years, values=[4] + values[1:], lower_95=lower[:5] + [None], upper_95=upper
    )
    assert missing_ci["reason"] == "missing at least one confidence interval value"


@pytest.mark.parametrize(
    ("numerator", "denominator", "reason"),
    [
        ([10, 10, 10, 10, 0], [100] * 5, "a proportion of 0 or 1 (its logit is infinite)"),
        ([10, 10, 10, 10, 100], [100] * 5, "a proportion of 0 or 1 (its logit is infinite)"),
        ([10, 10, 10, 10, 120], [100] * 5, "a numerator is outside 0 to its denominator"),
        ([10, 10, 10, 10, 10], [100, 100, 0, 100, 100], "a denominator is 0 or less"),
    ],
)
def test_impossible_proportions_cannot_be_calculated(numerator, denominator, reason):
    result = calculate_recent_trend(range(5), numerator=numerator, denominator=denominator)
    assert (result["marker"], result["reason"]) == ("cannot be calculated", reason)


def test_argument_sets_are_checked():
    with pytest.raises(ValueError, match="not both"):
        calculate_recent_trend([1], numerator=[1], values=[1])
    with pytest.raises(ValueError, match="give numerator and denominator"):
        calculate_recent_trend([1])
    with pytest.raises(ValueError, match="missing argument"):
        calculate_recent_trend([1], values=[1], lower_95=[0])
    with pytest.raises(ValueError, match="has 2 values but years has 1"):
        calculate_recent_trend([1], numerator=[1, 2], denominator=[3, 4])


@pytest.mark.parametrize(
    ("marker", "polarity", "words"),
    [
        # FingertipsNext polarity mapping (High is good / Low is good / no judgement)
        ("increasing", "higher_is_better", "increasing and getting better"),
        ("decreasing", "higher_is_better", "decreasing and getting worse"),
        ("increasing", "lower_is_better", "increasing and getting worse"),
        ("decreasing", "lower_is_better", "decreasing and getting better"),
        ("decreasing", "no_polarity", "decreasing"),
        ("no significant change", "higher_is_better", "no significant change"),
        ("cannot be calculated", "lower_is_better", "cannot be calculated"),
    ],
)
def test_trend_read_by_polarity(marker, polarity, words):
    assert describe_recent_trend(marker, polarity) == words


def test_describe_rejects_unknown_marker():
    with pytest.raises(ValueError, match="marker must be one of"):
        describe_recent_trend("Increasing", "higher_is_better")
