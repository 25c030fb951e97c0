"""Tests for kassanalysis.analysis.funnel.

Proportion limits and significance are PHEindicatormethods' own test outputs
(reference_values/funnel.json: testdata_funnel_prop_inputs.csv / _outputs.csv at
ukhsa-collaboration/PHEindicatormethods 093fd288). Rate limits are checked against the exact
Poisson interval PHEindicatormethods publishes for 1 event (0.025318 to 5.571643 per 100).
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kassanalysis.analysis.funnel import _r_nchar
from kassanalysis.analysis.stats import (
    calculate_funnel_axis,
    calculate_proportion_funnel_limits,
    calculate_rate_funnel_limits,
    flag_funnel_outliers,
)

REFERENCE = json.loads((Path(__file__).parent / "reference_values" / "funnel.json").read_text())
CASES = {case["id"]: case for case in REFERENCE["cases"]}
AREAS = pd.DataFrame(CASES["funnel_proportion_limits_standard"]["inputs"]["areas"])
# PHE's baseline: the sum of the numerators over the sum of the denominators
AVERAGE = AREAS["numerator"].sum() / AREAS["denominator"].sum()


def test_phe_baseline_of_the_test_data():
    rows = CASES["funnel_proportion_limits_standard"]["expected"]["rows"]
    assert pytest.approx(rows[0]["baseline"], abs=1e-6) == AVERAGE * 100


def test_proportion_limits_match_phe_test_outputs():
    expected = pd.DataFrame(CASES["funnel_proportion_limits_standard"]["expected"]["rows"])
    limits = calculate_proportion_funnel_limits(expected["Population"], AVERAGE)
    # outputs are per cent to 6 decimals; 2s = 95%, 3s = 99.8%
    for ours, theirs in [
        ("lower_95", "lower_2s_limit"),
        ("upper_95", "upper_2s_limit"),
        ("lower_998", "lower_3s_limit"),
        ("upper_998", "upper_3s_limit"),
    ]:
        np.testing.assert_allclose(limits[ours] * 100, expected[theirs], atol=1.5e-6, rtol=0)


def test_funnel_axis_matches_phe_population_column():
    # phe_funnels draws its 100 rows at denominators from its own axis rule
    expected = [
        row["Population"] for row in CASES["funnel_proportion_limits_standard"]["expected"]["rows"]
    ]
    assert calculate_funnel_axis(AREAS["denominator"]).tolist() == expected


def test_r_prints_round_numbers_in_scientific_notation_when_shorter():
    # R: nchar(100000) is 5 ("1e+05"); nchar(110000) is 6; nchar(97779) is 5
    assert (_r_nchar(100000), _r_nchar(110000), _r_nchar(97779)) == (5, 6, 5)


def test_funnel_axis_errors():
    with pytest.raises(ValueError, match="n_points"):
        calculate_funnel_axis([10, 20], n_points=1)
    with pytest.raises(ValueError, match="at least one denominator"):
        calculate_funnel_axis([None])
    with pytest.raises(ValueError, match="not positive"):
        calculate_funnel_axis([0, 10])


PHE_LABELS = {
    "High (0.001)": "above 99.8% limit",
    "High (0.025)": "above 95% limit",
    "Not significant": "within limits",
    "Low (0.025)": "below 95% limit",
    "Low (0.001)": "below 99.8% limit",
}


def test_proportion_significance_matches_phe_for_all_303_areas():
    expected = [
        PHE_LABELS[label]
        for label in CASES["funnel_proportion_significance"]["expected"]["significance"]
    ]
    labels = flag_funnel_outliers(AREAS["numerator"], AREAS["denominator"], AVERAGE, "proportion")
    assert labels.tolist() == expected
    # every PHE level appears in the published data, so each branch is exercised
    assert set(expected) >= {
        "above 99.8% limit",
        "above 95% limit",
        "within limits",
        "below 99.8% limit",
    }


def test_rate_limits_invert_the_published_exact_interval_for_one_event():
    # PHEindicatormethods: 1 event per 100 -> exact 95% interval 0.025318 to 5.571643 per 100.
    # So with a benchmark of 0.025318 per 100 one event in 100 sits on the upper 95% limit,
    # and with a benchmark of 5.571643 it sits on the lower 95% limit.
    upper = calculate_rate_funnel_limits(100, 0.025318, per=100)["upper_95"].iloc[0]
    lower = calculate_rate_funnel_limits(100, 5.571643, per=100)["lower_95"].iloc[0]
    assert upper == pytest.approx(1.0, abs=1e-4)
    assert lower == pytest.approx(1.0, abs=1e-4)


def test_rate_limits_by_hand_for_zero_events_boundary():
    # The exact upper limit for 0 events is -ln(alpha/2): -ln(0.025) = 3.688879 (95%) and
    # -ln(0.001) = 6.907755 (99.8%). So for an expected count of 3.688879 the lower 95%
    # funnel limit is 0 events; the same in rates per 1,000 at a population of 1,000.
    limits = calculate_rate_funnel_limits(1000, 3.688879, per=1000)
    assert limits["lower_95"].iloc[0] == pytest.approx(0.0, abs=1e-5)
    limits = calculate_rate_funnel_limits(1000, 6.907755, per=1000)
    assert limits["lower_998"].iloc[0] == pytest.approx(0.0, abs=1e-5)


def test_rate_limits_narrow_as_the_population_grows():
    limits = calculate_rate_funnel_limits([1_000, 10_000, 100_000], 50, per=1000)
    width = limits["upper_95"] - limits["lower_95"]
    assert width.is_monotonic_decreasing
    assert (limits["lower_998"] < limits["lower_95"]).all()
    assert (limits["upper_998"] > limits["upper_95"]).all()


def test_rate_outliers_by_hand():
    # one event in 100: exact lower 95% limit -ln(0.975) = 0.025318 per 100, exact lower
    # 99.8% limit -ln(0.999) = 0.0010005 per 100. Benchmark 0.02 per 100 lies between them:
    # above the 95% limit only. Benchmark 0.03: within. Missing: not compared.
    labels = flag_funnel_outliers(
        [1, 1, None], [100, 100, 100], [0.02, 0.03, 0.03], "rate", per=100
    )
    assert labels.tolist() == ["above 95% limit", "within limits", "not compared"]


def test_series_in_series_out_and_errors():
    num = pd.Series([90.0, 50.0], index=["E10000016", "E10000030"])
    den = pd.Series([100.0, 100.0], index=num.index)
    labels = flag_funnel_outliers(num, den, 0.8, "proportion")
    assert labels.index.equals(num.index)
    with pytest.raises(ValueError, match="kind must be"):
        flag_funnel_outliers(num, den, 0.8, "ratio")
    with pytest.raises(ValueError, match="numerator is greater than denominator"):
        flag_funnel_outliers([120], [100], 0.8, "proportion")
    with pytest.raises(ValueError, match="denominator is not positive"):
        calculate_proportion_funnel_limits([0, 10], 0.5)
    with pytest.raises(ValueError, match="outside 0 to 1"):
        calculate_proportion_funnel_limits([10], 80)
    with pytest.raises(ValueError, match="per must be"):
        calculate_rate_funnel_limits([10], 5, per=0)
