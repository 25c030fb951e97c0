"""The comparator-sensitivity table as published: what the disclosure rule withholds.

The rule (``SuppressionRule()``, pack.yml's default; DOMAIN.md "Disclosure control"):
counts from 1 to 4 are withheld as ``[c]``, and so is every figure built on one. Kent's
value 65% rests on a numerator of 3, so its value and position are withheld under every
group; the group median is withheld where it shows Kent's value (a group of Kent alone;
NN, where 62.5 = (60 + 65) / 2 gives 65 back from council A's published 60) and shown where
it does not (ALL7's 60 and HIGH's 70 are other councils' values).
"""

from __future__ import annotations

from kassanalysis.publish.disclosure import SuppressionRule
from kassanalysis.report.comparator import SENSITIVITY_COUNTS, SENSITIVITY_DEPENDENT
from kassanalysis.report.publishing import mark_for_publication
from tests.unit.analysis.test_sensitivity import rank_other_small, rank_small

WITHHELD = ["value", "numerator", "rank", "quartile", "quintile", "mads_from_group_median"]


def marked(rule=None):
    table = rank_small().reset_index()
    out = mark_for_publication(
        table,
        rule=rule or SuppressionRule(),
        counts=SENSITIVITY_COUNTS,
        dependent=SENSITIVITY_DEPENDENT,
    )
    return out.set_index("group_id")


def test_a_small_count_withholds_the_value_its_position_and_a_median_that_shows_it():
    out = marked()
    for group in ("NN", "ALL7", "HIGH", "ALONE"):
        assert out.loc[group, WITHHELD].tolist() == ["[c]"] * len(WITHHELD), group
        assert out.loc[group, "position_depends_on_group"] == "[c]"
    assert out.loc["NN", "group_median"] == "[c]"
    assert out.loc["ALONE", "group_median"] == "[c]"
    assert (out.loc["ALL7", "group_median"], out.loc["HIGH", "group_median"]) == (60, 70)
    # Kent is not in NOKENT: nothing of Kent's to withhold; A 60, B 70 -> median 65 shown
    assert out.loc["NOKENT", "value"] == "[x]" and out.loc["NOKENT", "group_median"] == 65


def test_a_count_above_the_rule_withholds_nothing():
    # a rule withholding only 1 and 2: Kent's 3 is published, with everything built on it
    out = marked(SuppressionRule(min_count=1, max_count=2))
    assert out.loc["NN", ["value", "rank", "group_median"]].tolist() == [65, 2, 62.5]
    assert out.loc["ALONE", "group_median"] == 65


def test_a_median_on_another_members_small_count_is_withheld_as_in_the_group_table():
    # B 70% from a count of 3, every other council 30 (Kent 65% from 30)
    out = mark_for_publication(
        rank_other_small().reset_index(),
        rule=SuppressionRule(),
        counts=SENSITIVITY_COUNTS,
        dependent=SENSITIVITY_DEPENDENT,
    ).set_index("group_id")
    # HIGH: D 80, B 70, Kent 65 -> median 70 is B's withheld value: [c] (the group table
    # withholds it on every row); Kent's own value and rank stay published, its distance
    # from the withheld median does not ((65 - 70) / MAD would give the median back)
    assert out.loc["HIGH", "group_median"] == "[c]"
    assert out.loc["HIGH", "mads_from_group_median"] == "[c]"
    assert out.loc["HIGH", ["value", "rank"]].tolist() == [65, 3]
    # NOKENT: (A 60 + B 70) / 2 = 65 gives B's 70 back from A's published 60
    assert out.loc["NOKENT", "group_median"] == "[c]"
    # NN: 62.5 = (A 60 + Kent 65) / 2 and ALL7: 60 = A's value; counts of 30, shown
    assert (out.loc["NN", "group_median"], out.loc["ALL7", "group_median"]) == (62.5, 60)
