"""Confidence intervals against PHEindicatormethods' published test data.

Values from the testdata_*.xlsx files of ukhsa-collaboration/PHEindicatormethods, as quoted
in issue 14 (Byar 65 events, Wilson 1045 of 5000, exact rate 1 per 100, rate 20 per 100).
"""

import pytest

from kassanalysis.analysis.stats import (
    calculate_byar_interval,
    calculate_rate_interval,
    calculate_wilson_interval,
)


@pytest.mark.parametrize(
    ("confidence", "lower", "upper"),
    [(0.95, 50.163188, 82.849139), (0.998, 42.880261, 94.000291)],
)
def test_byar_65_events(confidence, lower, upper):
    low, high = calculate_byar_interval(65, confidence)
    assert (low, high) == pytest.approx((lower, upper), abs=1e-6)


@pytest.mark.parametrize(
    ("confidence", "lower", "upper"),
    [(0.95, 0.197955, 0.220491), (0.998, 0.191794, 0.227316)],
)
def test_wilson_1045_of_5000(confidence, lower, upper):
    low, high = calculate_wilson_interval(1045, 5000, confidence)
    assert (low, high) == pytest.approx((lower, upper), abs=1e-6)


def test_exact_rate_1_per_100():
    rate, low, high = calculate_rate_interval(1, 100, per=100)
    assert rate == 1.0
    assert (low, high) == pytest.approx((0.025318, 5.571643), abs=1e-6)


def test_byar_rate_20_per_100():
    rate, low, high = calculate_rate_interval(20, 100, per=100)
    assert rate == 20.0
    assert (low, high) == pytest.approx((12.211429, 30.889880), abs=1e-6)
