"""Tests for kassanalysis.analysis.quantiles.

Expected quantiles are PHEindicatormethods' own test data (reference_values/quantiles.json,
testdata_Quantiles.xlsx at ukhsa-collaboration/PHEindicatormethods 093fd288) or worked by
hand in the comments.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kassanalysis.analysis.stats import assign_quantile, assign_quantile_by_polarity

REFERENCE = json.loads((Path(__file__).parent / "reference_values" / "quantiles.json").read_text())


@pytest.mark.parametrize("case", REFERENCE["cases"], ids=lambda case: case["id"])
def test_quantiles_match_phe_test_data(case):
    given = case["inputs"]
    values = pd.Series(given["value"], index=given["area_code"])
    result = assign_quantile(values, given["nquantiles"], invert=given["invert"])
    expected = [np.nan if q is None else float(q) for q in case["expected"]["quantile"]]
    np.testing.assert_array_equal(result.to_numpy(), expected)
    assert result.index.equals(values.index)


def test_quintiles_by_hand_with_ties_and_both_orders():
    # n = 10, 5 quintiles, n / 5 = 2. Highest first (invert): ranks 1, 2, 3, 3, 5, ..., 10;
    # q = floor(6 - ceil((11 - rank) / 2)): rank 1 -> 6 - 5 = 1; rank 3 -> 6 - 4 = 2 (both
    # 8s); rank 5 -> 3; rank 10 -> 6 - ceil(0.5) = 5.
    values = [10, 9, 8, 8, 6, 5, 4, 3, 2, 1]
    assert assign_quantile(values, 5).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # lowest first: 1 -> rank 1 ... the 8s share rank 7 -> q = 6 - ceil(4 / 2) = 4
    assert assign_quantile(values, 5, invert=False).tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]


def test_missing_values_and_too_few_values():
    # a missing value has no quantile and is not counted: 4 values, quartiles, n/4 = 1
    assert np.array_equal(
        assign_quantile([4, None, 3, 2, 1], 4), [1, np.nan, 2, 3, 4], equal_nan=True
    )
    # fewer values than quantiles: none assigned (PHE)
    assert np.isnan(assign_quantile([4, 3, 2], 4)).all()


def test_quantile_by_polarity_puts_the_best_first():
    values = [5.0, 1.0, 3.0, 2.0, 4.0]
    assert assign_quantile_by_polarity(values, 5, "higher_is_better").tolist() == [1, 5, 3, 4, 2]
    assert assign_quantile_by_polarity(values, 5, "lower_is_better").tolist() == [5, 1, 3, 2, 4]
    assert assign_quantile_by_polarity(values, 5, "no_polarity").tolist() == [1, 5, 3, 4, 2]


@pytest.mark.parametrize("n", [1, 0, 2.5, True, "5"])
def test_n_quantiles_must_be_a_whole_number_of_at_least_two(n):
    with pytest.raises(ValueError, match="n_quantiles"):
        assign_quantile([1, 2, 3], n)


def test_invalid_inputs():
    with pytest.raises(ValueError, match="invert must be True or False"):
        assign_quantile([1, 2, 3], 2, invert=6)
    with pytest.raises(ValueError, match="one-dimensional"):
        assign_quantile([[1, 2], [3, 4]], 2)
    with pytest.raises(ValueError, match="infinite"):
        assign_quantile([1, np.inf, 3], 2)
    with pytest.raises(ValueError, match="polarity"):
        assign_quantile_by_polarity([1, 2, 3], 2, "up")
