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
