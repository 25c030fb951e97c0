"""Hand-worked disclosure control examples for kassanalysis.publish.disclosure."""

import math

import numpy as np
import pandas as pd
import pytest

from kassanalysis.publish.disclosure import (
    MARKER_EXPLANATIONS,
    MARKER_NOT_AVAILABLE,
    MARKER_NOTES,
    MARKER_SUPPRESSED,
    SuppressionRule,
    apply_markers,
    build_two_way_constraints,
    suppress_counts,
    suppress_dependent,
)


def _reasons(result: pd.DataFrame) -> dict:
    """Reasons of the suppressed cells only, keyed by label."""
    return result.loc[result["suppressed"], "reason"].to_dict()


# --------------------------------------------------------------------------- the rule


BUILT_ON = (
    " A figure built on a suppressed count (its rate, rank or distance, or a group median or "
    "mean that would show it) is suppressed with it."
)


def test_default_rule_describes_itself_in_plain_english():
    sentence = SuppressionRule().describe()
    assert sentence == (
        "Counts from 1 to 4 are suppressed [c], and so is any other cell from which a "
        "suppressed count could be worked out by subtraction from a published total." + BUILT_ON
    )


def test_rule_without_secondary_says_the_range_and_what_is_built_on_it():
    # dependent figures (a rate, a median that shows the count's value) are withheld
    # whether or not secondary suppression by subtraction is on
    assert SuppressionRule(max_count=9, secondary=False).describe() == (
        "Counts from 1 to 9 are suppressed [c]." + BUILT_ON
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"min_count": 5, "max_count": 4}, ValueError, "must not exceed"),
        ({"min_count": -1}, ValueError, "must not be negative"),
        ({"max_count": -3, "min_count": -5}, ValueError, "must not be negative"),
        ({"max_count": 4.5}, TypeError, "must be an int"),
        ({"min_count": True}, TypeError, "must be an int"),
        ({"secondary": "yes"}, TypeError, "must be a bool"),
    ],
)
def test_rule_rejects_nonsense(kwargs, error, message):
    with pytest.raises(error, match=message):
        SuppressionRule(**kwargs)


def test_rule_is_frozen():
    rule = SuppressionRule()
    with pytest.raises(AttributeError):
        rule.max_count = 9  # type: ignore[misc]


# --------------------------------------------------------------------------- one-way tables


def test_one_way_table_primary_then_next_smallest_part():
    # Localities A-D and their total: A + B + C + D = 3 + 10 + 7 + 12 = 32.
    # Primary: A = 3 is in 1..4, so it is suppressed.
    # Secondary: the total (32) is published and A is the only unknown, so
    # A = 32 - 10 - 7 - 12 could be worked out. Suppress the smallest non-zero
    # published part as well: C = 7 (B = 10, D = 12 are larger).
    # Now A + C = 10 is all a reader can get: 3 + 7, 4 + 6, ... Safe.
    counts = pd.Series({"A": 3, "B": 10, "C": 7, "D": 12, "Total": 32})
    result = suppress_counts(counts, [("Total", ["A", "B", "C", "D"])])

    assert list(result.columns) == ["value", "suppressed", "reason"]
    assert result.index.equals(counts.index)
    assert result["suppressed"].tolist() == [True, False, True, False, False]
    assert _reasons(result) == {
        "A": "primary",
        "C": "secondary: recoverable from total Total",
    }
    assert result["value"].tolist()[1::2] == [10.0, 12.0]
    assert math.isnan(result.loc["A", "value"])
    assert math.isnan(result.loc["C", "value"])
    assert result["value"].dtype == np.float64
    assert result["suppressed"].dtype == bool


def test_ties_for_secondary_go_to_the_first_part_in_order():
    # A = 2 is primary. B and C are both 6, the smallest published parts; the
    # first listed (B) is taken.
    counts = pd.Series({"A": 2, "B": 6, "C": 6, "Total": 14})
    result = suppress_counts(counts, [("Total", ["A", "B", "C"])])
    assert _reasons(result) == {"A": "primary", "B": "secondary: recoverable from total Total"}


def test_zero_is_not_suppressed_and_not_chosen_as_secondary():
    # Nothing in 1..4: no suppression at all, the zero is published.
    counts = pd.Series({"A": 0, "B": 5, "C": 9, "Total": 14})
    result = suppress_counts(counts, [("Total", ["A", "B", "C"])])
    assert not result["suppressed"].any()
    assert result.loc["A", "value"] == 0.0

    # B = 3 is primary. The smallest published part is A = 0, but suppressing a
    # zero protects nothing useful, so the smallest NON-ZERO part (D = 8) is taken.
    counts = pd.Series({"A": 0, "B": 3, "C": 9, "D": 8, "Total": 20})
    result = suppress_counts(counts, [("Total", ["A", "B", "C", "D"])])
    assert _reasons(result) == {"B": "primary", "D": "secondary: recoverable from total Total"}


def test_suppressed_total_is_protected_by_a_part():
    # The total counts as a cell of its constraint. With a rule that suppresses
    # exactly 11, the total (11) is primary and both parts are published, so
    # the total = 5 + 6 could be added back up. Suppress the smallest part, A = 5.
    counts = pd.Series({"A": 5, "B": 6, "Total": 11})
    rule = SuppressionRule(min_count=11, max_count=11)
    result = suppress_counts(counts, [("Total", ["A", "B"])], rule)
    assert _reasons(result) == {
        "Total": "primary",
        "A": "secondary: recoverable from total Total",
    }


def test_total_is_suppressed_when_no_other_part_can_be():
    # A = 3 is primary. The other parts are B = 0 (a zero) and C (missing), so
    # there is no non-zero published part to suppress alongside A. The next
    # choice is the total itself: with the total hidden, A cannot be worked out.
    counts = pd.Series({"A": 3, "B": 0, "C": np.nan, "Total": 10})
    result = suppress_counts(counts, [("Total", ["A", "B", "C"])])
    assert _reasons(result) == {
        "A": "primary",
        "Total": "secondary: recoverable from total Total",
    }


def test_missing_values_stay_missing_and_give_no_protection():
    # A is missing (NaN). It is not suppressed and has no reason.
    # B = 2 is primary. A missing cell does not protect B: totals are often the
    # sum of the available parts, so a reader may treat A as 0. B is therefore
    # the only unknown, and the smallest non-zero published part (C = 9) is
    # suppressed as well.
    counts = pd.Series({"A": np.nan, "B": 2.0, "C": 9.0, "Total": 11.0})
    result = suppress_counts(counts, [("Total", ["A", "B", "C"])])
    assert math.isnan(result.loc["A", "value"])
    assert not result.loc["A", "suppressed"]
    assert result.loc["A", "reason"] is None
    assert _reasons(result) == {"B": "primary", "C": "secondary: recoverable from total Total"}


def test_nullable_integer_counts_are_accepted():
    counts = pd.Series([3, 10, pd.NA, 13], index=["A", "B", "C", "Total"], dtype="Int64")
    result = suppress_counts(counts, [("Total", ["A", "B", "C"])])
    assert _reasons(result) == {"A": "primary", "B": "secondary: recoverable from total Total"}
    assert not result.loc["C", "suppressed"]


def test_rule_is_configurable():
    # 7 is published under the default rule (1..4) but suppressed under 1..9,
    # which then needs a secondary cell: the smallest other part, B = 12.
    counts = pd.Series({"A": 7, "B": 12, "C": 20, "Total": 39})
    constraints = [("Total", ["A", "B", "C"])]
    assert not suppress_counts(counts, constraints)["suppressed"].any()

    result = suppress_counts(counts, constraints, SuppressionRule(max_count=9))
    assert _reasons(result) == {"A": "primary", "B": "secondary: recoverable from total Total"}

    primary_only = suppress_counts(
        counts, constraints, SuppressionRule(max_count=9, secondary=False)
    )
    assert _reasons(primary_only) == {"A": "primary"}


def test_reasons_are_none_where_not_suppressed():
    counts = pd.Series({"A": 3, "B": 10, "Total": 13})
    result = suppress_counts(counts, [("Total", ["A", "B"])])
    assert result["reason"].dtype == object
    assert result["reason"].tolist() == [
        "primary",
        "secondary: recoverable from total Total",
        None,
    ]


# --------------------------------------------------------------------------- two-way table


def test_two_by_three_table_forces_secondary_suppression_both_ways():
    # People by locality (rows) and service (columns), with margins:
    #
    #            c1   c2   c3 | Total
    #      r1     2   10   15 |    27
    #      r2    12   20    9 |    41
    #   Total    14   30   24 |    68
    #
    # Primary: (r1, c1) = 2.
    # Constraints are visited rows first (r1, r2, Total), then columns
    # (c1, c2, c3, Total).
    # * Row r1: 27 is published and (r1, c1) is the only unknown, so suppress
    #   the smallest non-zero published part of r1: (r1, c2) = 10 (not c3 = 15).
    # * Column c1: 14 is published and (r1, c1) is its only unknown, so suppress
    #   (r2, c1) = 12, the only other part.
    # * Column c2: now (r1, c2) is the only unknown in 10 + 20 = 30, so suppress
    #   (r2, c2) = 20.
    # * Second pass: row r2 has two unknowns ((r2, c1), (r2, c2)), every other
    #   line has zero or two, so nothing changes.
    # The result is the classic 2 x 2 rectangle: every row and column with a
    # suppressed cell has two, and the four unknowns satisfy only
    # a + b = 12, c + d = 32, a + c = 14, b + d = 30 (rank 3), so no single
    # cell can be solved for.
    wide = pd.DataFrame(
        {"c1": [2, 12, 14], "c2": [10, 20, 30], "c3": [15, 9, 24], "Total": [27, 41, 68]},
        index=["r1", "r2", "Total"],
    )
    counts = wide.stack()
    constraints = build_two_way_constraints(["r1", "r2"], ["c1", "c2", "c3"])
    result = suppress_counts(counts, constraints)

    assert _reasons(result) == {
        ("r1", "c1"): "primary",
        ("r1", "c2"): "secondary: recoverable from total ('r1', 'Total')",
        ("r2", "c1"): "secondary: recoverable from total ('Total', 'c1')",
        ("r2", "c2"): "secondary: recoverable from total ('Total', 'c2')",
    }
    published = result["value"].unstack()
    assert published.loc["r1", "c3"] == 15
    assert published.loc["Total", "Total"] == 68


def test_combination_of_constraints_is_caught():
    # Two overlapping constraints: T = x + y + z and x = y + w, with
    # x = 3, y = 3, z = 9, w = 0, T = 15. x and y are both primary.
    # Each constraint has two unknowns (x and y), so the one-constraint check
    # finds nothing - but together they give x + y = 6 and x - y = 0, so
    # x = y = 3 exactly. The linear check spots that and protects x through the
    # first constraint containing it (total T) by suppressing its smallest
    # non-zero published part, z = 9. Then x + y + z = 15 and x = y leave one
    # degree of freedom.
    counts = pd.Series({"T": 15, "x": 3, "y": 3, "z": 9, "w": 0})
    result = suppress_counts(counts, [("T", ["x", "y", "z"]), ("x", ["y", "w"])])
    assert _reasons(result) == {
        "x": "primary",
        "y": "primary",
        "z": "secondary: recoverable from total T",
    }


def test_deterministic_and_input_not_modified():
    counts = pd.Series({"A": 3, "B": 4, "C": 7, "D": 7, "Total": 21})
    before = counts.copy()
    first = suppress_counts(counts, [("Total", ["A", "B", "C", "D"])])
    second = suppress_counts(counts, [("Total", ["A", "B", "C", "D"])])
    pd.testing.assert_frame_equal(first, second)
    pd.testing.assert_series_equal(counts, before)
    # A and B are primary: two unknowns already, so no secondary suppression.
    assert _reasons(first) == {"A": "primary", "B": "primary"}


@pytest.mark.parametrize(
    ("counts", "constraints", "message"),
    [
        (pd.Series({"A": -1, "T": 1}), [], "non-negative"),
        (pd.Series({"A": 2.5, "T": 1}), [], "whole-number"),
        (pd.Series([1, 2], index=["A", "A"]), [], "unique index"),
        (pd.Series({"A": 1, "T": 1}), [("T", ["B"])], "not in values"),
        (pd.Series({"A": 1, "T": 1}), [("T", ["T", "A"])], "repeats a label"),
        (pd.Series({"A": 1, "T": 1}), [("T", [])], "has no parts"),
        (pd.Series({"A": 3.0, "T": np.nan}), [("T", ["A"])], "cannot protect"),
    ],
)
def test_bad_input_is_refused(counts, constraints, message):
    with pytest.raises(ValueError, match=message):
        suppress_counts(counts, constraints)


def test_text_values_are_refused():
    with pytest.raises(TypeError, match="numeric counts"):
        suppress_counts(pd.Series(["3", "4"]))


# --------------------------------------------------------------------------- dependent figures


def test_rate_built_on_a_suppressed_count_is_suppressed():
    # Rate per 1,000 = people / population * 1,000. Publishing A's rate (3.0)
    # next to its population (1,000) would give back A's 3 people, so the rate
    # is suppressed wherever the count is.
    table = pd.DataFrame(
        {
            "locality": ["A", "B", "C"],
            "people": [3, 12, 20],
            "population": [1000, 2000, 4000],
        }
    )
    table["rate_per_1000"] = table["people"] / table["population"] * 1000
    counts = suppress_counts(table["people"], rule=SuppressionRule())
    mask = suppress_dependent({"people": counts["suppressed"]}, {"rate_per_1000": "people"})

    assert mask.columns.tolist() == ["people", "rate_per_1000"]
    assert mask["rate_per_1000"].tolist() == [True, False, False]

    output = apply_markers(table, mask)
    assert output["people"].tolist() == ["[c]", 12, 20]
    assert output["rate_per_1000"].tolist() == ["[c]", 6, 5]
    assert output["population"].tolist() == [1000, 2000, 4000]
    assert output["locality"].tolist() == ["A", "B", "C"]


def test_dependencies_are_followed_transitively_and_through_several_sources():
    mask = pd.DataFrame(
        {"people": [False, True, False], "total_people": [False, False, True]},
        index=["A", "B", "C"],
    )
    before = mask.copy()
    result = suppress_dependent(
        mask,
        {
            "percent": ["people", "total_people"],
            "percent_change": "percent",
        },
    )
    assert result["percent"].tolist() == [False, True, True]
    assert result["percent_change"].tolist() == [False, True, True]
    pd.testing.assert_frame_equal(mask, before)


def test_suppress_dependent_refuses_unknown_sources_and_non_boolean_masks():
    with pytest.raises(ValueError, match="neither a column"):
        suppress_dependent({"people": pd.Series([True])}, {"rate": "persons"})
    with pytest.raises(TypeError, match="boolean"):
        suppress_dependent({"people": pd.Series([1, 0])}, {"rate": "people"})


# --------------------------------------------------------------------------- markers


def test_marker_constants_follow_analysis_function_shorthand():
    assert MARKER_SUPPRESSED == "[c]"
    assert MARKER_NOT_AVAILABLE == "[x]"
    assert "[c] = confidential" in MARKER_NOTES
    assert "[x] = not available" in MARKER_NOTES
    assert set(MARKER_EXPLANATIONS) == {"[c]", "[x]"}


def test_apply_markers_shows_c_for_suppressed_and_x_for_missing():
    table = pd.DataFrame(
        {
            "area": ["A", "B", "C", "D"],
            "people": [3.0, 12.0, np.nan, np.nan],
            "percent": [12.5, 50.0, np.nan, 37.5],
        }
    )
    before = table.copy()
    mask = pd.DataFrame({"people": [True, False, False, True]})
    mask = suppress_dependent(mask, {"percent": "people"})
    output = apply_markers(table, mask)

    # Suppressed wins over missing (D); whole-number floats print as ints;
    # the percent column keeps its fractions.
    assert output["people"].tolist() == ["[c]", 12, "[x]", "[c]"]
    assert output["percent"].tolist() == ["[c]", 50.0, "[x]", "[c]"]
    assert output["people"].dtype == object
    assert output["area"].tolist() == ["A", "B", "C", "D"]
    pd.testing.assert_frame_equal(table, before)


def test_apply_markers_without_mask_marks_only_missing():
    table = pd.DataFrame({"people": [1, None]}, index=["A", "B"])
    assert apply_markers(table)["people"].tolist() == [1, "[x]"]


def test_apply_markers_refuses_a_misaligned_mask():
    table = pd.DataFrame({"people": [1, 2]}, index=["A", "B"])
    with pytest.raises(ValueError, match="same index"):
        apply_markers(table, pd.DataFrame({"people": [True, False]}, index=["B", "A"]))
    with pytest.raises(ValueError, match="not columns of the frame"):
        apply_markers(table, pd.DataFrame({"rate": [True, False]}, index=["A", "B"]))


def test_apply_markers_always_marks_masked_columns():
    # Leaving "people" out of value_columns must not publish its suppressed 3.
    table = pd.DataFrame({"people": [3, 12], "rate": [1.5, None]})
    mask = {"people": pd.Series([True, False])}
    output = apply_markers(table, mask, value_columns=["rate"])
    assert output["people"].tolist() == ["[c]", 12]
    assert output["rate"].tolist() == [1.5, "[x]"]
