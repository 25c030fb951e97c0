"""Tests for kassanalysis.analysis.stats.

Every expected value is either worked out by hand in the comments or taken from a published
source named beside it; none is pasted from the functions' own output.

Constants used in the hand arithmetic (standard normal quantiles, to 6 d.p.):
    95%   two-sided: z = 1.959964, z^2 = 3.841459
    99.8% two-sided: z = 3.090232, z^2 = 9.549536
"""

import math

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal
from scipy import stats as sps

from kassanalysis.analysis.stats import (
    assign_quartile,
    calculate_byar_interval,
    calculate_mad_distance,
    calculate_median_absolute_deviation,
    calculate_rate_interval,
    calculate_wilson_interval,
    calculate_xmr_chart,
    classify_against_benchmark,
    rank_by_polarity,
)

Z95 = 1.959964
Z998 = 3.090232


# ---------------------------------------------------------------------------------------------
# Wilson score interval
# ---------------------------------------------------------------------------------------------


def test_wilson_95_hand_worked_65_of_100():
    # O = 65, n = 100, q = 0.35, 4Oq = 91
    # sqrt(z^2 + 91) = sqrt(94.841459) = 9.738658; z * 9.738658 = 19.087419
    # 2O + z^2 = 133.841459; 2(n + z^2) = 207.682918
    # lower = (133.841459 - 19.087419) / 207.682918 = 114.754040 / 207.682918 = 0.552544
    # upper = (133.841459 + 19.087419) / 207.682918 = 152.928878 / 207.682918 = 0.736358
    lower, upper = calculate_wilson_interval(65, 100)
    assert isinstance(lower, float)
    assert isinstance(upper, float)
    assert np.isclose(lower, 0.552544, atol=1e-6)
    assert np.isclose(upper, 0.736358, atol=1e-6)


def test_wilson_95_matches_newcombe_1998_published_examples():
    # Newcombe RG (1998) "Two-sided confidence intervals for the single proportion: comparison
    # of seven methods", Statistics in Medicine 17:857-872, Table II, method 3 (score, no
    # continuity correction) - the reference cited by the PHE guide for Wilson's method.
    numerators = [81, 15, 0, 1]
    denominators = [263, 148, 20, 29]
    lower, upper = calculate_wilson_interval(numerators, denominators)
    assert np.allclose(lower, [0.2553, 0.0624, 0.0, 0.0061], atol=5e-5)
    assert np.allclose(upper, [0.3662, 0.1605, 0.1611, 0.1718], atol=5e-5)


def test_wilson_zero_and_all_events_at_95_and_998():
    # With O = 0: q = 1 so sqrt(z^2 + 0) = z and lower = (z^2 - z*z) / ... = 0 exactly,
    #   upper = 2z^2 / (2(n + z^2)) = z^2 / (n + z^2).
    # With O = n: q = 0 so upper = (2n + 2z^2) / (2(n + z^2)) = 1 exactly,
    #   lower = 2n / (2(n + z^2)) = n / (n + z^2).
    # n = 20, 95%:   z^2/(n+z^2) = 3.841459 / 23.841459 = 0.161125;  n/(n+z^2) = 0.838875
    # n = 20, 99.8%: z^2/(n+z^2) = 9.549536 / 29.549536 = 0.323171;  n/(n+z^2) = 0.676829
    lower, upper = calculate_wilson_interval([0, 20], [20, 20])
    assert lower[0] == 0.0
    assert upper[1] == 1.0
    assert np.isclose(upper[0], 0.161125, atol=1e-6)
    assert np.isclose(lower[1], 0.838875, atol=1e-6)

    lower, upper = calculate_wilson_interval([0, 20], [20, 20], confidence=0.998)
    assert lower[0] == 0.0
    assert upper[1] == 1.0
    assert np.isclose(upper[0], 0.323171, atol=1e-6)
    assert np.isclose(lower[1], 0.676829, atol=1e-6)


def test_wilson_998_hand_worked_3_of_10():
    # O = 3, n = 10, q = 0.7, 4Oq = 8.4
    # sqrt(9.549536 + 8.4) = sqrt(17.949536) = 4.236689; z * 4.236689 = 13.092357
    # 2O + z^2 = 15.549536; 2(n + z^2) = 39.099072
    # lower = 2.457179 / 39.099072 = 0.062845; upper = 28.641893 / 39.099072 = 0.732547
    lower, upper = calculate_wilson_interval(3, 10, confidence=0.998)
    assert np.isclose(lower, 0.062845, atol=1e-6)
    assert np.isclose(upper, 0.732547, atol=1e-6)


def test_wilson_missing_and_zero_denominator_give_nan():
    lower, upper = calculate_wilson_interval([np.nan, 3, 0, 4], [10, np.nan, 0, 10])
    assert np.isnan(lower[:3]).all()
    assert np.isnan(upper[:3]).all()
    assert not np.isnan(lower[3])


def test_wilson_series_in_series_out_with_same_index():
    index = pd.Index(["Leeds", "York"], name="council")
    numerator = pd.Series([0, 20], index=index)
    denominator = pd.Series([20, 20], index=index)
    before = numerator.copy()
    lower, upper = calculate_wilson_interval(numerator, denominator)
    assert_series_equal(lower, pd.Series([0.0, 20 / (20 + Z95**2)], index=index, name="lower"))
    assert_series_equal(upper, pd.Series([Z95**2 / (20 + Z95**2), 1.0], index=index, name="upper"))
    assert_series_equal(numerator, before)  # input not mutated


def test_wilson_numerator_above_denominator_names_the_position():
    with pytest.raises(ValueError, match=r"greater than denominator at position 1"):
        calculate_wilson_interval([5, 12], [10, 10])
    series = pd.Series([5, 12], index=["Leeds", "York"])
    with pytest.raises(ValueError, match=r"'York'"):
        calculate_wilson_interval(series, 10)


def test_wilson_negative_numerator_raises():
    with pytest.raises(ValueError, match=r"numerator is negative at position 2"):
        calculate_wilson_interval([1, 2, -1], [10, 10, 10])


@pytest.mark.parametrize("confidence", [0, 1, 95, -0.5, True])
def test_wilson_rejects_bad_confidence(confidence):
    with pytest.raises(ValueError, match="confidence"):
        calculate_wilson_interval(1, 10, confidence=confidence)


def test_wilson_rejects_series_with_different_indexes():
    with pytest.raises(ValueError, match="different indexes"):
        calculate_wilson_interval(pd.Series([1, 2], index=["a", "b"]), pd.Series([5, 5]))


# ---------------------------------------------------------------------------------------------
# Byar's and exact Poisson intervals
# ---------------------------------------------------------------------------------------------


def test_byar_count_100_hand_worked_95_and_998():
    # 95%, lower: 1/(9*100) = 0.00111111; z/(3*sqrt(100)) = 1.959964/30 = 0.06533213
    #   (1 - 0.00111111 - 0.06533213)^3 = 0.93355676^3 = 0.81362104 -> x 100 = 81.362104
    # 95%, upper: 1/(9*101) = 0.00110011; z/(3*sqrt(101)) = 1.959964/30.149627 = 0.06500790
    #   (1 - 0.00110011 + 0.06500790)^3 = 1.06390779^3 = 1.20423700 -> x 101 = 121.627937
    lower, upper = calculate_byar_interval(100)
    assert np.isclose(lower, 81.362104, atol=1e-5)
    assert np.isclose(upper, 121.627937, atol=1e-5)
    # 99.8%, lower: 3.090232/30 = 0.10300773; (1 - 0.00111111 - 0.10300773)^3
    #   = 0.89588116^3 = 0.71903699 -> 71.903699
    # 99.8%, upper: 3.090232/30.149627 = 0.10249653; (1 - 0.00110011 + 0.10249653)^3
    #   = 1.10139642^3 = 1.33607542 -> x 101 = 134.943617
    lower, upper = calculate_byar_interval(100, confidence=0.998)
    assert np.isclose(lower, 71.903699, atol=1e-4)
    assert np.isclose(upper, 134.943617, atol=1e-4)


def test_byar_used_from_count_10():
    # lower: 1/90 = 0.01111111; z/(3*sqrt(10)) = 1.959964/9.486833 = 0.20659874
    #   (0.78229015)^3 = 0.47874500 -> x 10 = 4.787450
    # upper: 1/99 = 0.01010101; z/(3*sqrt(11)) = 1.959964/9.949874 = 0.19698380
    #   (1.18688279)^3 = 1.67194911 -> x 11 = 18.391440
    # (The exact interval for 10 would be 4.795 to 18.39, so a 4.787 lower limit shows Byar's
    # approximation, not the exact method, is being used at 10.)
    lower, upper = calculate_byar_interval(10)
    assert np.isclose(lower, 4.787450, atol=1e-5)
    assert np.isclose(upper, 18.391440, atol=1e-4)


def test_exact_poisson_for_zero_count():
    # Chi-squared with 2 df is exponential: ppf(p) = -2 ln(1 - p), so the count-0 upper limit
    # chi2.ppf(1 - alpha/2, 2)/2 = -ln(alpha/2): 95% -> -ln(0.025) = 3.688879,
    # 99.8% -> -ln(0.001) = 6.907755. The lower limit is 0.
    # (epitools' pois.exact documents the same 3.689 for x = 0.)
    lower, upper = calculate_byar_interval(0)
    assert lower == 0.0
    assert np.isclose(upper, -math.log(0.025))
    lower, upper = calculate_byar_interval(0, confidence=0.998)
    assert lower == 0.0
    assert np.isclose(upper, -math.log(0.001))


def test_exact_poisson_for_count_1_hand_worked():
    # lower = chi2.ppf(0.025, 2)/2 = -ln(1 - 0.025) = 0.025318
    # upper = chi2.ppf(0.975, 4)/2 = u where the chi2(4) survival e^-u (1 + u) = 0.025;
    #   u = 5.571643: e^-5.571643 = 0.0038043, x 6.571643 = 0.025000.
    # Garwood (1936) tables give 0.0253 to 5.572 for one event.
    lower, upper = calculate_byar_interval(1)
    assert np.isclose(lower, -math.log(0.975))
    assert np.isclose(upper, 5.5716, atol=1e-4)
    assert np.isclose(math.exp(-upper) * (1 + upper), 0.025)


@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_exact_poisson_below_10_meets_its_definition(confidence):
    # Exact (Garwood) limits for an observed count x solve
    #   P(X >= x | mean = lower) = alpha/2  and  P(X <= x | mean = upper) = alpha/2.
    # Checked with the Poisson distribution directly, independent of the chi-squared route.
    counts = np.arange(1, 10)
    alpha = 1 - confidence
    lower, upper = calculate_byar_interval(counts, confidence=confidence)
    assert np.allclose(sps.poisson.sf(counts - 1, lower), alpha / 2)
    assert np.allclose(sps.poisson.cdf(counts, upper), alpha / 2)


def test_byar_series_and_missing():
    counts = pd.Series([np.nan, 0.0], index=pd.Index(["2023", "2024"], name="year"))
    lower, upper = calculate_byar_interval(counts)
    assert_series_equal(lower, pd.Series([np.nan, 0.0], index=counts.index, name="lower"))
    assert_series_equal(
        upper, pd.Series([np.nan, -math.log(0.025)], index=counts.index, name="upper")
    )


def test_byar_negative_count_raises():
    with pytest.raises(ValueError, match="count is negative at position 0"):
        calculate_byar_interval([-1, 5])


# ---------------------------------------------------------------------------------------------
# Rates
# ---------------------------------------------------------------------------------------------


def test_rate_interval_hand_worked():
    # 100 events in 50,000 people, per 1,000: rate = 100 / 50,000 x 1,000 = 2.0
    # limits = count limits (81.362104, 121.627937, see the Byar test) / 50,000 x 1,000
    #        = 1.627242, 2.432559
    rate, lower, upper = calculate_rate_interval(100, 50_000, per=1000)
    assert np.isclose(rate, 2.0)
    assert np.isclose(lower, 1.627242, atol=1e-6)
    assert np.isclose(upper, 2.432559, atol=1e-6)


def test_rate_interval_small_count_missing_and_zero_population():
    # 0 events in 2,000 per 1,000: rate 0, lower 0, upper 3.688879 / 2,000 x 1,000 = 1.844440
    rate, lower, upper = calculate_rate_interval([0, 5, np.nan], [2000, 0, 100], per=1000)
    assert rate[0] == 0.0
    assert lower[0] == 0.0
    assert np.isclose(upper[0], -math.log(0.025) / 2)
    assert np.isnan([rate[1], lower[1], upper[1], rate[2], lower[2], upper[2]]).all()


def test_rate_interval_series_and_validation():
    index = pd.Index(["A", "B"])
    rate, lower, upper = calculate_rate_interval(
        pd.Series([100, 0], index=index), pd.Series([50_000, 1000], index=index), per=100_000
    )
    # 100 / 50,000 x 100,000 = 200; 0 / 1,000 x 100,000 = 0
    assert_series_equal(rate, pd.Series([200.0, 0.0], index=index, name="rate"))
    assert lower.name == "lower"
    assert upper.name == "upper"
    with pytest.raises(ValueError, match="population is negative"):
        calculate_rate_interval(1, -5)
    with pytest.raises(ValueError, match="per"):
        calculate_rate_interval(1, 5, per=0)


# ---------------------------------------------------------------------------------------------
# Benchmark classification
# ---------------------------------------------------------------------------------------------

LOWERS = [0.55, 0.30, 0.45, 0.50, np.nan, 0.40]
UPPERS = [0.74, 0.45, 0.55, 0.60, 0.60, 0.60]
# vs 0.50: wholly above | wholly below | contains | touches (lower == 0.50) | missing | contains


def test_classify_higher_is_better():
    result = classify_against_benchmark(LOWERS, UPPERS, 0.5, "higher_is_better")
    expected = ["better", "worse", "similar", "similar", "not compared", "similar"]
    assert result.tolist() == expected


def test_classify_lower_is_better():
    result = classify_against_benchmark(LOWERS, UPPERS, 0.5, "lower_is_better")
    expected = ["worse", "better", "similar", "similar", "not compared", "similar"]
    assert result.tolist() == expected


def test_classify_no_polarity():
    result = classify_against_benchmark(LOWERS, UPPERS, 0.5, "no_polarity")
    expected = ["higher", "lower", "similar", "similar", "not compared", "similar"]
    assert result.tolist() == expected


def test_classify_missing_benchmark_series_and_scalar():
    index = pd.Index(["a", "b"])
    result = classify_against_benchmark(
        pd.Series([0.6, 0.6], index=index),
        0.7,
        pd.Series([0.5, np.nan], index=index),
        "higher_is_better",
    )
    assert_series_equal(result, pd.Series(["better", "not compared"], index=index))
    assert classify_against_benchmark(0.1, 0.2, 0.5, "lower_is_better") == "better"


def test_classify_validation():
    with pytest.raises(ValueError, match="polarity"):
        classify_against_benchmark(0.1, 0.2, 0.5, "up")
    with pytest.raises(ValueError, match="lower limit is greater than upper limit"):
        classify_against_benchmark([0.3], [0.2], 0.5, "no_polarity")


# ---------------------------------------------------------------------------------------------
# Median absolute deviation
# ---------------------------------------------------------------------------------------------


def test_mad_distance_hand_worked_five_values():
    # values 1, 2, 4, 7, 11: median = 4
    # |x - 4| = 3, 2, 0, 3, 7 -> sorted 0, 2, 3, 3, 7 -> MAD = 3
    # distances: (1-4)/3 = -1, (2-4)/3 = -0.666667, 0, (7-4)/3 = 1, (11-4)/3 = 2.333333
    assert calculate_median_absolute_deviation([1, 2, 4, 7, 11]) == 3.0
    result = calculate_mad_distance([1, 2, 4, 7, 11])
    assert np.allclose(result, [-1.0, -2 / 3, 0.0, 1.0, 7 / 3])


def test_mad_distance_ignores_missing_and_keeps_series_index():
    # Same five values plus a missing one: median and MAD unchanged; missing stays missing.
    values = pd.Series([1, 2, None, 4, 7, 11], index=list("abcdef"), dtype="Float64")
    before = values.copy()
    result = calculate_mad_distance(values)
    expected = pd.Series(
        [-1.0, -2 / 3, np.nan, 0.0, 1.0, 7 / 3], index=list("abcdef"), name="mad_distance"
    )
    assert_series_equal(result, expected)
    assert_series_equal(values, before)
    assert calculate_median_absolute_deviation(values) == 3.0


def test_mad_distance_when_mad_is_zero():
    # 5, 5, 5, 6: median 5; |x - 5| = 0, 0, 0, 1 -> MAD = 0.
    # Documented rule: 0 for values equal to the median, NaN otherwise (and for missing).
    assert calculate_median_absolute_deviation([5, 5, 5, 6]) == 0.0
    result = calculate_mad_distance([5, 5, 5, 6, np.nan])
    assert np.array_equal(result, [0.0, 0.0, 0.0, np.nan, np.nan], equal_nan=True)


def test_mad_all_missing():
    assert np.isnan(calculate_median_absolute_deviation([np.nan, np.nan]))
    assert np.isnan(calculate_mad_distance([np.nan, np.nan])).all()


# ---------------------------------------------------------------------------------------------
# Ranking and quartiles
# ---------------------------------------------------------------------------------------------


def test_rank_higher_is_better_ties_and_missing():
    # Non-missing values 10, 20, 20, 5, 15 (descending: 20, 20, 15, 10, 5)
    # ranks with ties sharing the lowest rank: 20 -> 1, 20 -> 1, 15 -> 3, 10 -> 4, 5 -> 5
    values = pd.Series([10, 20, 20, np.nan, 5, 15], index=list("abcdef"))
    expected = pd.Series([4.0, 1.0, 1.0, np.nan, 5.0, 3.0], index=list("abcdef"), name="rank")
    assert_series_equal(rank_by_polarity(values, "higher_is_better"), expected)


def test_rank_lower_is_better_ties_and_missing():
    # ascending: 5 -> 1, 10 -> 2, 15 -> 3, 20 -> 4, 20 -> 4 ("1, 2, 3, 4, 4")
    result = rank_by_polarity([10, 20, 20, np.nan, 5, 15], "lower_is_better")
    assert np.array_equal(result, [2.0, 4.0, 4.0, np.nan, 1.0, 3.0], equal_nan=True)


def test_rank_one_two_two_four_and_no_polarity_descending():
    # 9, 7, 7, 3 highest first -> 1, 2, 2, 4
    assert rank_by_polarity([9, 7, 7, 3], "no_polarity").tolist() == [1.0, 2.0, 2.0, 4.0]
    assert rank_by_polarity([9, 7, 7, 3], "higher_is_better").tolist() == [1.0, 2.0, 2.0, 4.0]


def test_rank_validation():
    with pytest.raises(ValueError, match="polarity"):
        rank_by_polarity([1, 2], "best")


def test_quartiles_for_n_7():
    # ceil(4r/7): r=1 -> ceil(0.571)=1, 2 -> ceil(1.143)=2, 3 -> ceil(1.714)=2,
    # 4 -> ceil(2.286)=3, 5 -> ceil(2.857)=3, 6 -> ceil(3.429)=4, 7 -> ceil(4.0)=4
    result = assign_quartile([1, 2, 3, 4, 5, 6, 7], n=7)
    assert result.tolist() == [1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0]


def test_quartiles_ties_missing_default_n_and_series():
    # Ranks 1, 2, 2, NaN, 4: n defaults to the 4 non-missing ranks.
    # ceil(4*1/4)=1, ceil(4*2/4)=2 (twice, tied), missing -> NaN, ceil(4*4/4)=4
    ranks = pd.Series([1, 2, 2, np.nan, 4], index=list("vwxyz"))
    expected = pd.Series([1.0, 2.0, 2.0, np.nan, 4.0], index=list("vwxyz"), name="quartile")
    assert_series_equal(assign_quartile(ranks), expected)


def test_quartile_validation():
    with pytest.raises(ValueError, match="greater than n"):
        assign_quartile([1, 8], n=7)
    with pytest.raises(ValueError, match="below 1"):
        assign_quartile([0, 1], n=7)
    with pytest.raises(ValueError, match="n must be"):
        assign_quartile([1], n=0)


# ---------------------------------------------------------------------------------------------
# XmR chart
# ---------------------------------------------------------------------------------------------


def test_xmr_limits_hand_worked_small_series():
    # values 2, 4, 3, 5, 6: mean = 20 / 5 = 4
    # moving ranges |4-2|=2, |3-4|=1, |5-3|=2, |6-5|=1 -> mean moving range = 6 / 4 = 1.5
    # screening threshold 3.267 x 1.5 = 4.9005: no moving range excluded
    # limits 4 +/- 2.66 x 1.5 = 4 +/- 3.99 -> 0.01, 7.99
    # two sigma 4 +/- (2/3 x 2.66) x 1.5 = 4 +/- 2.66 -> 1.34, 6.66
    # all values inside 1.34..6.66, runs and trends shorter than 7 -> all common cause
    chart = calculate_xmr_chart([2, 4, 3, 5, 6], "higher_is_better")
    n = 5
    expected = pd.DataFrame(
        {
            "value": [2.0, 4.0, 3.0, 5.0, 6.0],
            "mean": [4.0] * n,
            "moving_range": [np.nan, 2.0, 1.0, 2.0, 1.0],
            "mean_moving_range": [1.5] * n,
            "lower_limit": [0.01] * n,
            "upper_limit": [7.99] * n,
            "lower_two_sigma": [1.34] * n,
            "upper_two_sigma": [6.66] * n,
            "outside_limits": [False] * n,
            "shift": [False] * n,
            "trend": [False] * n,
            "two_of_three": [False] * n,
            "special_cause": [False] * n,
            "variation": ["common cause"] * n,
        },
        index=pd.RangeIndex(n),
    )
    assert_frame_equal(chart, expected)


DOTS = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]


def test_xmr_outlier_screening_matches_nhsrplotthedots_vignette():
    # NHSRplotthedots vignette "Deviations from Excel defaults" (vignettes/deviations.Rmd):
    # this series gives "UPL = 4.6, Mean = 1.94, LPL = -0.72" with screen_outliers = TRUE and
    # a single special-cause improvement point (the 10).
    # By hand: sum = 9 x 1 + 8 x 2 + 10 = 35 -> mean = 35/18 = 1.944444
    # moving ranges: 1, 1, 1, 8, 9, then twelve 1s -> sum 32 over 17 -> 1.882353
    # 3.267 x 1.882353 = 6.149647: the 8 and 9 are excluded -> fifteen 1s -> 1.0
    # limits 1.944444 +/- 2.66 -> -0.715556, 4.604444
    chart = calculate_xmr_chart(DOTS, "higher_is_better")
    first = chart.iloc[0]
    assert np.isclose(first["mean"], 35 / 18)
    assert np.isclose(first["mean_moving_range"], 1.0)
    assert np.isclose(first["upper_limit"], 35 / 18 + 2.66)
    assert np.isclose(first["lower_limit"], 35 / 18 - 2.66)
    assert round(first["upper_limit"], 2) == 4.6
    assert round(first["lower_limit"], 2) == -0.72
    expected_special = [i == 4 for i in range(len(DOTS))]
    assert chart["outside_limits"].tolist() == expected_special
    assert chart["special_cause"].tolist() == expected_special
    assert chart["variation"].iloc[4] == "improvement"
    assert (chart["variation"].drop(index=4) == "common cause").all()


def test_xmr_without_screening_matches_excel_method():
    # Unscreened mean moving range = 32/17 = 1.882353
    # limits 1.944444 +/- 2.66 x 1.882353 = 1.944444 +/- 5.007059 -> -3.062614, 6.951503
    chart = calculate_xmr_chart(DOTS, "higher_is_better", screen_outliers=False)
    assert np.isclose(chart["mean_moving_range"].iloc[0], 32 / 17)
    assert np.isclose(chart["upper_limit"].iloc[0], 35 / 18 + 2.66 * 32 / 17)
    assert np.isclose(chart["lower_limit"].iloc[0], 35 / 18 - 2.66 * 32 / 17)
    assert chart["outside_limits"].tolist() == [i == 4 for i in range(len(DOTS))]


def test_xmr_outside_limits_polarity_both_ways():
    lower_better = calculate_xmr_chart(DOTS, "lower_is_better")
    assert lower_better["variation"].iloc[4] == "concern"
    neutral = calculate_xmr_chart(DOTS, "no_polarity")
    assert neutral["variation"].iloc[4] == "neither"


def test_xmr_shift_of_seven_either_side():
    # 1, 2, 1, 2, 1, 2, 1 then 3, 4, 3, 4, 3, 4, 3
    # mean = (10 + 24) / 14 = 2.428571: first 7 all below, last 7 all above -> two shifts
    # moving ranges: six 1s, |3-1| = 2, six 1s -> 14 / 13 = 1.076923 (none >= 3.518)
    # limits 2.428571 +/- 2.864615 -> -0.436, 5.293 (no point outside)
    # two sigma +/- 1.909744 -> 0.519, 4.338 (no point beyond); alternating -> no trend
    values = [1, 2, 1, 2, 1, 2, 1, 3, 4, 3, 4, 3, 4, 3]
    chart = calculate_xmr_chart(values, "higher_is_better")
    assert chart["shift"].all()
    assert not chart["outside_limits"].any()
    assert not chart["trend"].any()
    assert not chart["two_of_three"].any()
    assert chart["variation"].tolist() == ["concern"] * 7 + ["improvement"] * 7
    reversed_polarity = calculate_xmr_chart(values, "lower_is_better")
    assert reversed_polarity["variation"].tolist() == ["improvement"] * 7 + ["concern"] * 7


def test_xmr_point_on_mean_breaks_a_run():
    # 0.5, 0, 0.5, 0, 0.5, 0 | 1 | 2, 1.5, 2, 1.5, 2, 1.5
    # sum = 1.5 + 1 + 10.5 = 13 over 13 -> mean exactly 1.0, so the middle point is on the mean
    # and splits the points into runs of 6 below and 6 above: no shift.
    # moving ranges five 0.5s, 1, 1, five 0.5s -> 7 / 12 = 0.583333 (none >= 1.906)
    # two sigma 1 +/- 1.773333 x 0.583333 = 1 +/- 1.034444 -> -0.034, 2.034: none beyond
    values = [0.5, 0, 0.5, 0, 0.5, 0, 1, 2, 1.5, 2, 1.5, 2, 1.5]
    chart = calculate_xmr_chart(values, "higher_is_better")
    assert chart["mean"].iloc[0] == 1.0
    assert not chart["shift"].any()
    assert not chart["special_cause"].any()
    assert (chart["variation"] == "common cause").all()


TREND = [10, 14, 10, 14, 10, 14, 10, 11, 12, 13, 14, 15, 16, 12, 14, 10]


def test_xmr_rising_and_falling_trend():
    # positions 6..12 are 10, 11, 12, 13, 14, 15, 16: seven points each higher than the last
    # mean = (72 + 91 + 36) / 16 = 12.4375: the trend crosses the mean (10, 11, 12 below;
    # 13..16 above), everything else alternates -> no shift
    # moving ranges six 4s, six 1s, 4, 2, 4 -> 40 / 15 = 2.666667 (none >= 8.712)
    # two sigma 12.4375 +/- 4.728889 -> 7.709, 17.166: all values 10..16 inside
    chart = calculate_xmr_chart(TREND, "higher_is_better")
    in_trend = [6 <= i <= 12 for i in range(16)]
    assert chart["trend"].tolist() == in_trend
    assert chart["special_cause"].tolist() == in_trend
    assert not chart["shift"].any()
    assert not chart["outside_limits"].any()
    assert not chart["two_of_three"].any()
    assert (chart.loc[in_trend, "variation"] == "improvement").all()
    assert (chart.loc[[not t for t in in_trend], "variation"] == "common cause").all()

    # Reversed in time it is a falling trend (positions 3..9): concern when higher is better,
    # improvement when lower is better. Mean and limits are unchanged by reversal.
    falling = calculate_xmr_chart(TREND[::-1], "higher_is_better")
    in_falling = [3 <= i <= 9 for i in range(16)]
    assert falling["trend"].tolist() == in_falling
    assert (falling.loc[in_falling, "variation"] == "concern").all()
    lower_better = calculate_xmr_chart(TREND[::-1], "lower_is_better")
    assert (lower_better.loc[in_falling, "variation"] == "improvement").all()


def test_xmr_repeated_value_breaks_a_trend():
    # 10, 11, 12, 12, 14, 15, 16: the repeated 12 splits it into rises of 3 and 4 points
    values = [10, 14, 10, 14, 10, 14, 10, 11, 12, 12, 14, 15, 16, 12, 14, 10]
    assert not calculate_xmr_chart(values, "higher_is_better")["trend"].any()


def test_xmr_two_of_three_beyond_two_sigma():
    # 10, 11 x 4 | 14, 11, 14 | 10, 11, 10, 11, 10
    # mean = (84 + 39 + 52) / 16 = 175 / 16 = 10.9375 (10s below, 11s and 14s above)
    # moving ranges: seven 1s, 3, 3, 3, |10-14| = 4, four 1s -> 24 / 15 = 1.6 (none >= 5.227)
    # upper two sigma 10.9375 + 1.773333 x 1.6 = 13.774833; upper limit 10.9375 + 4.256
    # = 15.1935. The window 14, 11, 14 has all three above the mean and two beyond two sigma
    # (and inside the limit) -> the two 14s are flagged, the 11 between them is not.
    values = [10, 11] * 4 + [14, 11, 14] + [10, 11, 10, 11, 10]
    chart = calculate_xmr_chart(values, "higher_is_better")
    flagged = [i in (8, 10) for i in range(16)]
    assert chart["two_of_three"].tolist() == flagged
    assert chart["special_cause"].tolist() == flagged
    assert not chart["outside_limits"].any()
    assert chart["variation"].iloc[8] == "improvement"
    assert chart["variation"].iloc[9] == "common cause"
    assert calculate_xmr_chart(values, "lower_is_better")["variation"].iloc[10] == "concern"


def test_xmr_two_of_three_needs_all_three_on_one_side():
    # Same as above but with 10 (below the mean) between the 14s:
    # mean = 174 / 16 = 10.875; moving ranges: seven 1s, 3, 4, 4, 4, four 1s -> 26/15 = 1.733333
    # upper two sigma = 10.875 + 1.773333 x 1.733333 = 13.948778, so both 14s are beyond it,
    # but the only window holding both has the 10 below the mean -> no signal.
    values = [10, 11] * 4 + [14, 10, 14] + [10, 11, 10, 11, 10]
    chart = calculate_xmr_chart(values, "higher_is_better")
    assert not chart["two_of_three"].any()
    assert not chart["special_cause"].any()


def test_xmr_two_of_three_counts_points_beyond_the_limit():
    # 10, 11 x 4 | 14, 12, 15 | 10, 11 x 4, without screening:
    # mean = (84 + 41 + 84) / 19 = 209 / 19 = 11.0 (the 11s sit on the mean)
    # moving ranges: seven 1s, 3, 2, 3, 5, seven 1s -> 27 / 18 = 1.5
    # upper two sigma = 11 + 1.773333 x 1.5 = 13.66; upper limit = 11 + 3.99 = 14.99
    # 14 is beyond two sigma, 15 beyond the limit: since Making Data Count's 2023 change both
    # count towards 2-of-3 (NHSRplotthedots issue #194); 12 is above the mean but not flagged.
    values = [10, 11] * 4 + [14, 12, 15] + [10, 11] * 4
    chart = calculate_xmr_chart(values, "higher_is_better", screen_outliers=False)
    assert np.isclose(chart["upper_two_sigma"].iloc[0], 13.66)
    assert np.isclose(chart["upper_limit"].iloc[0], 14.99)
    assert chart["two_of_three"].tolist() == [i in (8, 10) for i in range(19)]
    assert chart["outside_limits"].tolist() == [i == 10 for i in range(19)]


def test_xmr_conflicting_directions_are_neither():
    # 4, 10 x 3 | 13, 12.5, 12, 11.5, 11, 10.5, 10 | 4, 10, 4
    # mean = (42 + 80.5 + 18) / 16 = 8.78125
    # moving ranges: five 6s, 3, six 0.5s, 6, 6, 6 -> 54 / 15 = 3.6 (none >= 11.761)
    # limits 8.78125 +/- 9.576 and two sigma +/- 6.384 -> 2.397..15.165: nothing beyond
    # positions 5..12 (10, 13, ..., 10) are 8 points above the mean: a high shift
    # positions 6..13 (13 down to 10, then 4) are 8 falling points: a low trend
    # -> 5: high only = improvement; 6..12: high and low = neither; 13: low only = concern
    values = [4, 10, 4, 10, 4, 10, 13, 12.5, 12, 11.5, 11, 10.5, 10, 4, 10, 4]
    chart = calculate_xmr_chart(values, "higher_is_better")
    expected = (
        ["common cause"] * 5
        + ["improvement"]
        + ["neither"] * 7
        + ["concern"]
        + ["common cause"] * 2
    )
    assert chart["variation"].tolist() == expected
    neutral = calculate_xmr_chart(values, "no_polarity")
    assert neutral["variation"].tolist()[5:14] == ["neither"] * 9


def test_xmr_missing_values_keep_rows_and_are_skipped():
    # The hand-worked series 2, 4, 3, 5, 6 with gaps: results for the present points are the
    # same (mean 4, mean moving range 1.5); the moving range after a gap joins the points
    # either side (|4 - 2| = 2). Missing rows are NaN / False.
    index = pd.Index(["2020", "2021", "2022", "2023", "2024", "2025", "2026"], name="year")
    values = pd.Series([2, np.nan, 4, 3, 5, None, 6], index=index, dtype=float)
    before = values.copy()
    chart = calculate_xmr_chart(values, "higher_is_better")
    assert chart.index.equals(index)
    missing = chart.loc[["2021", "2025"]]
    numeric = ["value", "mean", "moving_range", "mean_moving_range", "lower_limit"]
    assert missing[numeric].isna().all().all()
    assert not missing[["outside_limits", "shift", "trend", "two_of_three"]].any().any()
    assert not missing["special_cause"].any()
    assert missing["variation"].isna().all()
    present = chart.drop(index=["2021", "2025"])
    assert present["moving_range"].tolist()[1:] == [2.0, 1.0, 2.0, 1.0]
    assert (present["mean"] == 4.0).all()
    assert (present["mean_moving_range"] == 1.5).all()
    assert (present["variation"] == "common cause").all()
    assert_series_equal(values, before)


@pytest.mark.parametrize("values", [[], [5.0], [5.0, np.nan], [np.nan, np.nan, np.nan]])
def test_xmr_too_few_points_raises(values):
    with pytest.raises(ValueError, match="at least 2 non-missing"):
        calculate_xmr_chart(values, "higher_is_better")


def test_xmr_validation():
    with pytest.raises(ValueError, match="polarity"):
        calculate_xmr_chart([1, 2, 3], "increase")
    with pytest.raises(ValueError, match="one-dimensional"):
        calculate_xmr_chart([[1, 2], [3, 4]], "no_polarity")
    with pytest.raises(ValueError, match="infinite"):
        calculate_xmr_chart([1, np.inf, 3], "no_polarity")
