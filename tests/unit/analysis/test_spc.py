"""Tests for kassanalysis.analysis.spc (XmR chart, baseline, rebase, assurance, words).

Expected values come from NHSRplotthedots' own tests and snapshots
(reference_values/spc_xmr.json, source named per case) or are worked by hand in the comments.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kassanalysis.analysis import spc
from kassanalysis.analysis.stats import (
    calculate_assurance,
    calculate_xmr_chart,
    describe_latest_point,
)

REFERENCE = json.loads((Path(__file__).parent / "reference_values" / "spc_xmr.json").read_text())
CASES = {case["id"]: case for case in REFERENCE["cases"]}
DIRECTION = {"increase": "higher_is_better", "decrease": "lower_is_better"}


# ---------------------------------------------------------------------------------------------
# Published NHSRplotthedots cases
# ---------------------------------------------------------------------------------------------


def test_rnorm20_limits_and_flags_match_nhsrplotthedots_snapshot():
    case = CASES["xmr_rnorm20_seed123_screened"]
    expected = case["expected"]
    chart = calculate_xmr_chart(case["inputs"]["y"], DIRECTION["increase"])
    # the snapshot prints 7 significant figures
    assert chart["mean"].iloc[0] == pytest.approx(expected["mean_col"], rel=1e-6)
    assert chart["lower_limit"].iloc[0] == pytest.approx(expected["lpl"], rel=1e-6)
    assert chart["upper_limit"].iloc[0] == pytest.approx(expected["upl"], rel=1e-6)
    side = np.sign(chart["value"] - chart["mean"]).astype(int).tolist()
    assert side[:15] == expected["relative_to_mean_first15"]
    assert chart["outside_limits"].tolist()[:8] == expected["outside_limits_first8"]
    close = (
        (chart["value"] > chart["upper_two_sigma"]) | (chart["value"] < chart["lower_two_sigma"])
    ) & ~chart["outside_limits"]
    assert close.tolist()[:8] == expected["close_to_limits_first8"]
    # summary: 20 points, 20 common cause
    assert (chart["variation"] == "common cause").sum() == expected["summary"]["common_cause"]
    assert not chart["special_cause"].any()


@pytest.mark.parametrize("variant", spc.TWO_OF_THREE_VARIANTS)
def test_two_points_near_opposite_limits_are_common_cause(variant):
    # NHSRplotthedots: "it only reports special cause for 2of3 points close to limits when
    # they are on the same side of the mean" -> the last two points are common cause.
    case = CASES["xmr_2of3_opposite_sides"]
    chart = calculate_xmr_chart(case["inputs"]["y"], "higher_is_better", two_of_three=variant)
    expected = [
        "common cause" if t == "common_cause" else t for t in case["expected"]["point_type_last2"]
    ]
    assert chart["variation"].tolist()[-2:] == expected
    # by hand: mean 0; moving ranges thirteen 2s, 6.5 (-1 to 5.5), 11 -> 43.5 / 15 = 2.9;
    # 11 >= 3.267 x 2.9 = 9.47 is screened out -> 32.5 / 14 = 2.3214; limits +/- 2.66 x
    # 2.3214 = 6.175; two sigma +/- 1.7733 x 2.3214 = 4.1167: 5.5 and -5.5 are each near a
    # limit, but on opposite sides of the mean
    assert chart["upper_limit"].iloc[0] == pytest.approx(6.175)
    assert chart["upper_two_sigma"].iloc[0] == pytest.approx(4.116667, abs=1e-6)
    assert not chart["special_cause"].any()


def _part_of_seven(end_markers):
    """NHSRplotthedots ptd_part_of_seven_trend: a point is flagged when it or one of the
    next 6 points ends a run of 7 (checked against its published cases below)."""
    v = list(end_markers) + [0] * 6
    return [any(v[i + k] != 0 for k in range(7)) for i in range(len(end_markers))]


RULES = [case for case in REFERENCE["rule_cases"]]


@pytest.mark.parametrize(
    "case",
    [c for c in RULES if c["function"] == "ptd_part_of_seven_trend"],
    ids=lambda c: str(c["inputs"]),
)
def test_part_of_seven_helper_reproduces_published_cases(case):
    assert _part_of_seven(case["inputs"][0]) == [bool(x) for x in case["expected"]]


@pytest.mark.parametrize(
    "case",
    [c for c in RULES if c["function"] == "ptd_seven_point_one_side_mean"],
    ids=lambda c: str(c["inputs"]),
)
def test_shift_rule_matches_nhsrplotthedots(case):
    side = np.array(case["inputs"][0])
    flagged = spc._flag_runs(side > 0, 7) | spc._flag_runs(side < 0, 7)
    assert flagged.tolist() == _part_of_seven(case["expected"])


@pytest.mark.parametrize(
    "case",
    [c for c in RULES if c["function"] == "ptd_seven_point_trend"],
    ids=lambda c: str(c["inputs"]),
)
def test_trend_rule_matches_nhsrplotthedots(case):
    # includes the published "a rise of 1, 2, 3, 3, 4, 5, 6 is not a trend"
    y = np.array(case["inputs"][0], dtype=float)
    steps = np.sign(np.diff(y))
    up = spc._flag_trend(steps > 0, y.size, 7)
    down = spc._flag_trend(steps < 0, y.size, 7)
    expected = np.array(case["expected"])
    assert up.tolist() == _part_of_seven(expected == 1)
    assert down.tolist() == _part_of_seven(expected == -1)


def test_rise_with_a_repeat_is_not_a_trend_on_the_chart():
    # NHSRplotthedots test-ptd_calculate_point_type.R: 1, 2, 3, 3, 4, 5, 6 is not a trend
    chart = calculate_xmr_chart([1, 2, 3, 3, 4, 5, 6], "higher_is_better")
    assert not chart["trend"].any()


@pytest.mark.parametrize(
    "case",
    [c for c in RULES if c["function"] == "ptd_two_in_three"],
    ids=lambda c: str(c["inputs"]),
)
def test_two_of_three_rule_matches_nhsrplotthedots(case):
    close, side = (np.array(v) for v in case["inputs"])
    flagged = spc._flag_two_of_three(close == 1, side > 0)
    # ptd_part_of_two_in_three keeps only the close points of a flagged window
    expected = (np.array(case["expected"]) == 1) & (close == 1)
    assert flagged.tolist() == expected.tolist()


@pytest.mark.parametrize("case", REFERENCE["assurance_cases"], ids=lambda c: str(c["inputs"]))
def test_assurance_matches_nhsrplotthedots(case):
    given = case["inputs"]
    result = calculate_assurance(
        given["lpl"], given["upl"], given["target"], DIRECTION[given["improvement_direction"]]
    )
    assert result == case["expected"]


# ---------------------------------------------------------------------------------------------
# NHSRplotthedots deviations vignette (issue 14)
# ---------------------------------------------------------------------------------------------

DOTS = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]


def test_deviations_vignette_screened_and_unscreened_limits():
    # vignettes/deviations.Rmd: mean 1.94; limits -0.72 to 4.60 screened, -3.06 to 6.95 not
    screened = calculate_xmr_chart(DOTS, "higher_is_better").iloc[0]
    assert round(screened["mean"], 2) == 1.94
    assert (round(screened["lower_limit"], 2), round(screened["upper_limit"], 2)) == (-0.72, 4.60)
    unscreened = calculate_xmr_chart(DOTS, "higher_is_better", screen_outliers=False).iloc[0]
    assert (round(unscreened["lower_limit"], 2), round(unscreened["upper_limit"], 2)) == (
        -3.06,
        6.95,
    )


# ---------------------------------------------------------------------------------------------
# 2-of-3 variants
# ---------------------------------------------------------------------------------------------


def test_two_of_three_variant_decides_whether_a_point_beyond_the_limit_counts():
    # 10, 11 x 4 | 14, 12, 15 | 10, 11 x 4, unscreened (hand-worked in test_stats.py):
    # mean 11, mean moving range 1.5, two sigma 13.66, limit 14.99.
    # beyond_two_sigma: 14 and 15 both count -> positions 8 and 10 flagged.
    # between_two_sigma_and_limits: 15 is outside the limit so does not count -> only one
    # point of the window is near the limit -> no 2-of-3 (15 is still outside the limits).
    values = [10, 11] * 4 + [14, 12, 15] + [10, 11] * 4
    revised = calculate_xmr_chart(values, "higher_is_better", screen_outliers=False)
    assert revised["two_of_three"].tolist() == [i in (8, 10) for i in range(19)]
    package = calculate_xmr_chart(
        values,
        "higher_is_better",
        screen_outliers=False,
        two_of_three="between_two_sigma_and_limits",
    )
    assert not package["two_of_three"].any()
    assert package["outside_limits"].tolist() == [i == 10 for i in range(19)]
    assert package["special_cause"].tolist() == [i == 10 for i in range(19)]


def test_two_of_three_variant_is_checked():
    with pytest.raises(ValueError, match="two_of_three must be one of"):
        calculate_xmr_chart([1, 2, 3], "higher_is_better", two_of_three="nelson")


# ---------------------------------------------------------------------------------------------
# Fixed baseline and rebase
# ---------------------------------------------------------------------------------------------


def test_fixed_baseline_takes_limits_from_the_first_points_only():
    # baseline: 10, 12 six times -> mean 11, every moving range 2 -> mean moving range 2
    # limits 11 +/- 2.66 x 2 = 5.68 .. 16.32. Later points 20, 11, 11 are judged against
    # those limits: 20 is outside. (Unfixed, the mean would be (132 + 42) / 15 = 11.6.)
    values = [10, 12] * 6 + [20, 11, 11]
    chart = calculate_xmr_chart(values, "higher_is_better", baseline_points=12)
    assert np.allclose(chart["mean"], 11.0)
    assert np.allclose(chart["mean_moving_range"], 2.0)
    assert np.allclose(chart["lower_limit"], 5.68)
    assert np.allclose(chart["upper_limit"], 16.32)
    assert chart["outside_limits"].tolist() == [i == 12 for i in range(15)]
    assert chart["variation"].iloc[12] == "improvement"
    # every moving range is still shown
    assert chart["moving_range"].iloc[12] == 8.0
    unfixed = calculate_xmr_chart(values, "higher_is_better")
    assert unfixed["mean"].iloc[0] == pytest.approx(11.6)


@pytest.mark.parametrize("n", [11, 0, 12.0, True])
def test_baseline_needs_at_least_twelve_whole_points(n):
    with pytest.raises(ValueError, match="at least 12"):
        calculate_xmr_chart(list(range(20)), "higher_is_better", baseline_points=n)


QUARTERS = [
    f"{year}-{year - 1999:02d} Q{q}" for year in (2020, 2021, 2022, 2023) for q in (1, 2, 3, 4)
]


def test_rebase_at_a_named_period_gives_each_segment_its_own_limits():
    # 1, 2 x 4 then 11, 12 x 4: one chart would have mean 6.5 with eight points below it
    # (a shift). Rebased at the ninth point: segment means 1.5 and 11.5, every moving range
    # inside a segment is 1 -> limits 1.5 +/- 2.66 and 11.5 +/- 2.66, nothing special.
    values = pd.Series([1, 2] * 4 + [11, 12] * 4, index=QUARTERS, dtype=float)
    single = calculate_xmr_chart(values, "higher_is_better")
    assert single["shift"].all()
    chart = calculate_xmr_chart(values, "higher_is_better", rebase_at=["2022-23 Q1"])
    assert chart["mean"].tolist() == [1.5] * 8 + [11.5] * 8
    assert np.allclose(chart["upper_limit"], [1.5 + 2.66] * 8 + [11.5 + 2.66] * 8)
    assert np.isnan(chart.loc["2022-23 Q1", "moving_range"])
    assert not chart["special_cause"].any()
    assert chart.index.equals(values.index)


def test_rules_do_not_run_across_a_rebase():
    # seven rising points 1..7 with a rebase after the fourth: no segment holds 7 rising
    values = list(range(1, 8)) + [7, 6, 7, 6]
    assert calculate_xmr_chart(values, "higher_is_better")["trend"].sum() == 7
    chart = calculate_xmr_chart(values, "higher_is_better", rebase_at=[4])
    assert not chart["trend"].any()


def test_rebase_errors_name_the_point():
    values = pd.Series([1.0, 2.0, 3.0, 4.0], index=["a", "b", "c", "d"])
    with pytest.raises(ValueError, match="rebase point 'z' is not in the series"):
        calculate_xmr_chart(values, "higher_is_better", rebase_at=["z"])
    with pytest.raises(ValueError, match="segment starting at 'd' has 1"):
        calculate_xmr_chart(values, "higher_is_better", rebase_at=["d"])


def test_baseline_applies_within_each_rebased_segment():
    # two segments of 13: each fixed on its own first 12 points (10, 12 x 6 -> mean 11;
    # 30, 32 x 6 -> mean 31), the 13th point judged against its own segment's limits
    first = [10, 12] * 6 + [11]
    second = [30, 32] * 6 + [40]
    chart = calculate_xmr_chart(
        first + second, "higher_is_better", baseline_points=12, rebase_at=[13]
    )
    assert chart["mean"].tolist() == [11.0] * 13 + [31.0] * 13
    assert chart["outside_limits"].tolist() == [i == 25 for i in range(26)]


# ---------------------------------------------------------------------------------------------
# Assurance and words
# ---------------------------------------------------------------------------------------------


def test_assurance_vectorised_with_missing_target_and_no_polarity():
    lower = pd.Series([1.0, 1.0, 1.0, 1.0], index=list("abcd"))
    upper = pd.Series([3.0, 3.0, 3.0, 3.0], index=list("abcd"))
    target = pd.Series([4.0, 0.5, 3.0, np.nan], index=list("abcd"))
    result = calculate_assurance(lower, upper, target, "higher_is_better")
    # 4 above the upper limit -> fail; 0.5 below the lower -> pass; 3 on the limit ->
    # inconsistent (strict comparisons); no target -> None
    assert result.tolist() == ["consistent_fail", "consistent_pass", "inconsistent", None]
    assert calculate_assurance(1, 3, 4, "no_polarity") is None
    with pytest.raises(ValueError, match="lower limit is greater"):
        calculate_assurance(3, 1, 2, "higher_is_better")


def test_latest_point_in_words():
    # DOTS then 10: mean 45/19 = 2.368; moving ranges 1, 1, 1, 8, 9, twelve 1s, 9 -> 41/18
    # = 2.278, screen at 3.267 x 2.278 = 7.44 drops 8, 9, 9 -> fifteen 1s -> 1.0
    # upper limit 2.368 + 2.66 = 5.03: the last 10 is above it.
    chart = calculate_xmr_chart(DOTS + [10], "higher_is_better")
    words = describe_latest_point(chart, "higher_is_better", target=6)
    assert words["variation"] == "special_cause_improvement"
    assert words["variation_text"] == "special cause improvement"
    # target 6 above the upper limit 5.03 with higher better -> consistently fails
    assert words["assurance"] == "consistent_fail"
    assert words["assurance_text"] == "consistently fails the target"
    assert words["period"] == 18 and words["value"] == 10.0
    concern = describe_latest_point(
        calculate_xmr_chart(DOTS + [10], "lower_is_better"), "lower_is_better", target=6
    )
    assert concern["variation_text"] == "special cause concern"
    assert concern["assurance_text"] == "consistently passes the target"


def test_latest_point_words_common_cause_no_target_and_gaps():
    chart = calculate_xmr_chart(DOTS + [np.nan], "higher_is_better")
    words = describe_latest_point(chart, "higher_is_better")
    assert words["period"] == 17  # the last point with a value
    assert words["variation_text"] == "common cause"
    assert words["assurance"] is None
    assert words["assurance_text"] == "no assurance: no target"
    neutral = describe_latest_point(
        calculate_xmr_chart(DOTS + [10], "no_polarity"), "no_polarity", 6
    )
    assert neutral["variation_text"] == "special cause, neither improvement nor concern"
    assert neutral["assurance_text"] == "no assurance: the measure has no polarity"
    with pytest.raises(ValueError, match="missing column"):
        describe_latest_point(pd.DataFrame({"value": [1.0]}), "higher_is_better")
