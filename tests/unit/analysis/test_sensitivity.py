"""Tests for kassanalysis.analysis.sensitivity: one indicator ranked under several groups.

Values are the comparator tests' seven councils; every rank, quartile, quintile, median and
MAD distance is worked by hand in the comments.
"""

import numpy as np
import pandas as pd
import pytest

from kassanalysis.analysis.sensitivity import rank_under_each_group
from kassanalysis.schemas import ComparatorMembers
from tests.unit.analysis.test_comparator import (
    INDICATORS,
    KENT,
    NO_DATA,
    VALUES,
    A,
    B,
    C,
    D,
    E,
    F,
    observations,
    observe,
    one_year,
)

# VALUES: A 60, B 70, C 50, Kent 65, D 80, E 40, F 55 (PCT, higher is better), 2020-21
OBS = observations(*one_year("PCT", VALUES))
GROUPS = {
    "NN": [A, B, C, KENT, NO_DATA],
    "ALL7": [A, B, C, KENT, D, E, F],
    "HIGH": [D, B, KENT],
    "NOKENT": [A, B],
}
MEMBERS = ComparatorMembers.validate(
    pd.DataFrame(
        [
            {"group_id": group, "authority_code": code, "source": "hand-built"}
            for group, codes in GROUPS.items()
            for code in codes
        ]
    )
)


def rank(group_ids):
    return rank_under_each_group(
        OBS,
        MEMBERS,
        INDICATORS,
        indicator_id="PCT",
        period="2020-21",
        group_ids=group_ids,
        focus_code=KENT,
    ).set_index("group_id")


def test_kent_under_each_group_side_by_side():
    table = rank(["NN", "ALL7", "HIGH", "NOKENT"])
    assert table.index.tolist() == ["NN", "ALL7", "HIGH", "NOKENT"]
    # NN: 70, 65, 60, 50 (G has no value) -> Kent 2 of 4, quartile ceil(4 x 2 / 4) = 2;
    # fewer than 5 values -> no quintile; median 62.5; |dev| 2.5, 2.5, 7.5, 12.5 -> MAD 5;
    # Kent (65 - 62.5) / 5 = 0.5
    nn = table.loc["NN"]
    assert (nn["rank"], nn["group_size"], nn["quartile"]) == (2, 4, 2)
    assert np.isnan(nn["quintile"])
    assert (nn["group_median"], nn["mads_from_group_median"]) == (62.5, 0.5)
    # ALL7: 80, 70, 65, ... -> Kent 3 of 7, quartile ceil(12 / 7) = 2; quintile:
    # floor(6 - ceil((8 - 3) / 1.4)) = 6 - 4 = 2; median 60, |dev| 0 5 5 10 10 20 20 -> MAD
    # 10; Kent 0.5
    all7 = table.loc["ALL7"]
    assert (all7["rank"], all7["group_size"], all7["quartile"], all7["quintile"]) == (3, 7, 2, 2)
    assert (all7["group_median"], all7["mads_from_group_median"]) == (60.0, 0.5)
    # HIGH: 80, 70, 65 -> Kent 3 of 3, quartile 4; median 70, |dev| 10 0 5 -> MAD 5; -1.0
    high = table.loc["HIGH"]
    assert (high["rank"], high["quartile"], high["mads_from_group_median"]) == (3, 4, -1.0)
    # NOKENT: Kent is not a member: no rank, a note
    assert not table.loc["NOKENT", "focus_in_group"]
    assert np.isnan(table.loc["NOKENT", "rank"])
    assert table.loc["NOKENT", "note"] == "the council is not a member of this group"
    # quartile 2 under two groups, 4 under another -> the position depends on the peers
    assert table["position_depends_on_group"].all()
    assert (table.loc["NN", "value"], table.loc["NN", "source_file"]) == (65.0, "benchmark.csv")


def test_same_quartile_everywhere_does_not_depend_on_group():
    assert not rank(["NN", "ALL7"])["position_depends_on_group"].any()


def test_group_ids_are_checked():
    with pytest.raises(ValueError, match="group_ids is empty"):
        rank([])
    with pytest.raises(ValueError, match="more than once"):
        rank(["NN", "NN"])
    with pytest.raises(ValueError, match="has no members"):
        rank(["NOPE"])
    with pytest.raises(KeyError, match="unknown indicator"):
        rank_under_each_group(
            OBS,
            MEMBERS,
            INDICATORS,
            indicator_id="X",
            period=None,
            group_ids=["NN"],
            focus_code=KENT,
        )


# Disclosure: each row carries the council's own count from that row's table and period,
# and the same count where the council's value is a middle value of the group median.
# Kent 65% from a numerator of 3 (a small count under the default rule, 1 to 4).
SMALL_OBS = observations(
    observe("PCT", "2019-20", KENT, 10.0, numerator=40.0),  # an older period: never used
    *[
        observe("PCT", "2020-21", code, value, numerator=3.0 if code == KENT else 30.0)
        for code, value in VALUES.items()
    ],
)
SMALL_GROUPS = {**GROUPS, "ALONE": [KENT, NO_DATA]}
SMALL_MEMBERS = ComparatorMembers.validate(
    pd.DataFrame(
        [
            {"group_id": group, "authority_code": code, "source": "hand-built"}
            for group, codes in SMALL_GROUPS.items()
            for code in codes
        ]
    )
)


def rank_small(period="2020-21"):
    return rank_under_each_group(
        SMALL_OBS,
        SMALL_MEMBERS,
        INDICATORS,
        indicator_id="PCT",
        period=period,
        group_ids=["NN", "ALL7", "HIGH", "NOKENT", "ALONE"],
        focus_code=KENT,
    ).set_index("group_id")


def test_each_row_carries_the_councils_count_from_its_own_period():
    table = rank_small()
    # 2020-21 for every group (the 2019-20 numerator 40 must not appear); no count where
    # the council is not a member
    assert table["period"].dropna().unique().tolist() == ["2020-21"]
    assert table.loc[["NN", "ALL7", "HIGH", "ALONE"], "numerator"].tolist() == [3.0] * 4
    assert np.isnan(table.loc["NOKENT", "numerator"])


def test_the_count_is_carried_to_the_median_only_where_the_median_shows_the_value():
    table = rank_small()
    # NN: 50 60 65 70 -> median (60 + 65) / 2 = 62.5 takes Kent's 65 (Kent = 2 x 62.5 - 60)
    # ALL7: 40 50 55 60 65 70 80 -> median 60, A's value (count 30), not Kent's 65
    # HIGH: 65 70 80 -> median 70, B's value (count 30), not Kent's
    # NOKENT: 60 70 -> median 65 from A's and B's values (counts 30)
    # ALONE: Kent's 65 only -> the median is Kent's value
    # (the smallest count behind the middle values, any member's: before, only Kent's was
    # carried, NaN where Kent's value was not a middle value)
    in_median = table["numerator_in_group_median"]
    assert in_median.loc[["NN", "ALONE"]].tolist() == [3.0, 3.0]
    assert in_median.loc[["ALL7", "HIGH", "NOKENT"]].tolist() == [30.0, 30.0, 30.0]
    assert table.loc[["NN", "ALL7", "HIGH", "ALONE"], "group_median"].tolist() == [
        62.5,
        60.0,
        70.0,
        65.0,
    ]


# Another member's small count: B's 70% rests on a numerator of 3, every other council's
# (Kent's too) on 30. The group table withholds its median on every row where B's value is
# a middle value, so the sensitivity row must carry B's count, not only Kent's.
OTHER_SMALL_OBS = observations(
    *[
        observe("PCT", "2020-21", code, value, numerator=3.0 if code == B else 30.0)
        for code, value in VALUES.items()
    ]
)


def rank_other_small():
    return rank_under_each_group(
        OTHER_SMALL_OBS,
        MEMBERS,
        INDICATORS,
        indicator_id="PCT",
        period="2020-21",
        group_ids=["NN", "ALL7", "HIGH", "NOKENT"],
        focus_code=KENT,
    ).set_index("group_id")


def test_another_members_small_count_behind_the_median_is_carried():
    table = rank_other_small()
    # HIGH: 65 [70] 80 -> median 70 is B's value (count 3)
    # NOKENT: A 60, B 70 -> median (60 + 70) / 2 = 65 takes B's value (Kent not a member)
    # NN: 50 [60 65] 70 -> median 62.5 from A (30) and Kent (30): B's 70 not a middle value
    # ALL7: 40 50 55 [60] 65 70 80 -> median 60, A's (30)
    in_median = table["numerator_in_group_median"]
    assert in_median.loc[["HIGH", "NOKENT", "NN", "ALL7"]].tolist() == [3.0, 3.0, 30.0, 30.0]
    # Kent's own count stays its own
    assert table.loc[["NN", "ALL7", "HIGH"], "numerator"].tolist() == [30.0] * 3
