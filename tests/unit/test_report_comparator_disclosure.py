"""The comparator summary and group tables as published: the medians that would show a
withheld value are withheld with it.

The rule (``SuppressionRule()``, pack.yml's default; DOMAIN.md "Disclosure control"):
counts from 1 to 4 are withheld as ``[c]``, and so is every figure built on one.

Five councils report "Reviews completed" (%) for 2020-21; England publishes no value of
its own, so the benchmark is the median of the English councils:

    E 40 (40/100), A 60 (60/100), Kent 75 (3/4, or 30/40), B 80 (80/100), D 90 (90/100)

* England median: 40 60 [75] 80 90 -> 75, Kent's value.
* Group TRIO (A, Kent, B): 60 [75] 80 -> median 75, Kent's value; mean
  (60 + 75 + 80) / 3 = 71.666...
* Group HIGH (Kent, B, D): 75 [80] 90 -> median 80, B's value (not Kent's).
* Group ALONE (Kent): the median of one value is that value, 75.
* England MAD: distances from 75 are 35 15 0 5 15 -> sorted 0 5 [15] 15 35 -> 15, the
  distance of A and D (not Kent's 0). A's distance (60 - 75) / 15 = -1.0.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kassanalysis.analysis.comparator import compare_with_group, summarise_tables
from kassanalysis.publish.disclosure import SuppressionRule
from kassanalysis.report.comparator import (
    GROUP_COUNTS,
    GROUP_DEPENDENT,
    GROUP_SHARED,
    SUMMARY_COUNTS,
    SUMMARY_DEPENDENT,
    comparator_key_figures,
)
from kassanalysis.report.publishing import (
    mark_for_publication,
    publish_table,
    read_published_table,
)
from kassanalysis.schemas import ComparatorMembers
from tests.unit.analysis.test_comparator import (
    INDICATORS,
    KENT,
    A,
    B,
    D,
    E,
    observations,
    observe,
)

GROUPS = {"TRIO": [A, KENT, B], "HIGH": [KENT, B, D], "ALONE": [KENT]}
MEMBERS = ComparatorMembers.validate(
    pd.DataFrame(
        [
            {"group_id": group, "authority_code": code, "source": "hand-built"}
            for group, codes in GROUPS.items()
            for code in codes
        ]
    )
)


def obs(kent_numerator):
    """Kent 75% from ``kent_numerator`` of ``kent_numerator / 0.75``; the others of 100."""
    others = {E: 40.0, A: 60.0, B: 80.0, D: 90.0}
    rows = [
        observe("PCT", "2020-21", code, value, numerator=value, denominator=100.0)
        for code, value in others.items()
    ]
    rows.append(
        observe(
            "PCT",
            "2020-21",
            KENT,
            75.0,
            numerator=float(kent_numerator),
            denominator=kent_numerator / 0.75,
        )
    )
    return observations(*rows)


def group_table(group_id, kent_numerator=3):
    return compare_with_group(
        obs(kent_numerator),
        MEMBERS,
        INDICATORS,
        indicator_id="PCT",
        period="2020-21",
        group_id=group_id,
        focus_code=KENT,
    )


def published_group(group_id, kent_numerator=3):
    marked = mark_for_publication(
        group_table(group_id, kent_numerator),
        rule=SuppressionRule(),
        counts=GROUP_COUNTS,
        dependent=GROUP_DEPENDENT,
        shared=GROUP_SHARED,
    )
    return marked.set_index("authority_code")


def published_summary(group_id, kent_numerator=3):
    summary = summarise_tables({"PCT": group_table(group_id, kent_numerator)}, INDICATORS)
    return mark_for_publication(
        summary, rule=SuppressionRule(), counts=SUMMARY_COUNTS, dependent=SUMMARY_DEPENDENT
    ).iloc[0]


def test_the_analysis_names_the_count_behind_each_median():
    trio = group_table("TRIO").set_index("authority_code")
    # Kent is the middle value of TRIO and of England; A is not a middle value of either
    assert trio.loc[KENT, "numerator_in_group_median"] == 3
    assert trio.loc[KENT, "numerator_in_england_median"] == 3
    assert trio.loc[KENT, "numerator_in_benchmark"] == 3  # no England value: the median
    assert math.isnan(trio.loc[A, "numerator_in_group_median"])
    # the England MAD (15) is A's and D's distance, not Kent's (0)
    assert trio.loc[A, "numerator_in_england_mad"] == 60
    assert math.isnan(trio.loc[KENT, "numerator_in_england_mad"])
    high = group_table("HIGH").set_index("authority_code")
    assert math.isnan(high.loc[KENT, "numerator_in_group_median"])
    assert high.loc[B, "numerator_in_group_median"] == 80


def test_a_median_that_is_the_councils_withheld_value_is_withheld():
    trio = published_group("TRIO")
    assert trio.loc[KENT, "value"] == "[c]"
    # the group median, England median, benchmark (the England median) and the group
    # mean are one figure on every row: withheld on every row, not only Kent's
    for column in ("group_median", "england_median", "benchmark", "group_mean"):
        assert trio[column].tolist() == ["[c]"] * 3, column
    # A's own value is published; its distance would give the England median back
    assert trio.loc[A, "value"] == 60
    assert trio.loc[A, "mads_from_england_median"] == "[c]"
    summary = published_summary("TRIO")
    assert (summary["value"], summary["group_median"], summary["england_median"]) == (
        "[c]",
        "[c]",
        "[c]",
    )


def test_a_median_of_other_councils_values_is_shown():
    # HIGH: the median 80 is B's value; the mean (75 + 80 + 90) / 3 would give Kent's
    # value back, so it is withheld; the England median is still Kent's value
    high = published_group("HIGH")
    assert high["group_median"].tolist() == [80] * 3
    assert high["group_mean"].tolist() == ["[c]"] * 3
    assert high["england_median"].tolist() == ["[c]"] * 3
    summary = published_summary("HIGH")
    assert (summary["group_median"], summary["england_median"]) == (80, "[c]")


def test_a_group_of_one_withholds_its_median():
    alone = published_group("ALONE")
    assert alone.loc[KENT, "group_median"] == "[c]"
    assert published_summary("ALONE")["group_median"] == "[c]"


def test_a_numerator_of_30_withholds_nothing():
    # the same value 75% from 30 of 40: above the rule, so every figure is published
    trio = published_group("TRIO", kent_numerator=30)
    assert trio.loc[KENT, "value"] == 75
    assert trio["group_median"].tolist() == [75] * 3
    assert trio["england_median"].tolist() == [75] * 3
    assert trio.loc[A, "mads_from_england_median"] == -1
    assert trio.loc[A, "group_mean"] == pytest.approx(215 / 3)
    summary = published_summary("TRIO", kent_numerator=30)
    assert (summary["value"], summary["group_median"], summary["england_median"]) == (75, 75, 75)
    assert published_summary("ALONE", kent_numerator=30)["group_median"] == 75


def test_the_csv_and_the_workbook_json_carry_the_markers(tmp_path):
    marked = published_group("TRIO").reset_index()
    path = publish_table(marked, tmp_path, "comparator-pct")
    csv = pd.read_csv(path, dtype=str).set_index("authority_code")
    assert csv["group_median"].tolist() == ["[c]"] * 3
    assert csv.loc[KENT, "value"] == "[c]"
    workbook_input = read_published_table(tmp_path / "comparator-pct.json")
    assert workbook_input["england_median"].tolist() == ["[c]"] * 3
    assert workbook_input.set_index("authority_code").loc[A, "value"] == 60


def test_a_published_england_value_is_the_benchmark_and_is_shown():
    with_england = pd.concat(
        [obs(3), observations(observe("PCT", "2020-21", "E92000001", 70.0))], ignore_index=True
    )
    table = compare_with_group(
        with_england,
        MEMBERS,
        INDICATORS,
        indicator_id="PCT",
        period="2020-21",
        group_id="TRIO",
        focus_code=KENT,
    )
    assert table["numerator_in_benchmark"].isna().all()
    marked = mark_for_publication(
        table,
        rule=SuppressionRule(),
        counts=GROUP_COUNTS,
        dependent=GROUP_DEPENDENT,
        shared=GROUP_SHARED,
    )
    assert marked["benchmark"].tolist() == [70] * 3
    assert marked["england_median"].tolist() == ["[c]"] * 3
    assert np.array_equal(marked["is_focus"].to_numpy(), table["is_focus"].to_numpy())


class _Context:
    """What comparator_key_figures asks of a report context: the rule and the summary."""

    def __init__(self, summary):
        self.rule = SuppressionRule()
        self.summary = summary

    def remember(self, key, compute):
        return self.summary


def test_key_figures_leave_out_a_withheld_value():
    # before, the key figures printed Kent's 75 and the England median 75 from a count of 3
    summary = summarise_tables({"PCT": group_table("TRIO")}, INDICATORS)
    assert comparator_key_figures(_Context(summary)).lines == []
    shown = summarise_tables({"PCT": group_table("TRIO", kent_numerator=30)}, INDICATORS)
    # TRIO: Kent 75 is 2nd of 3 (A 60, B 80); England median of 5 councils 75
    assert comparator_key_figures(_Context(shown)).lines == [
        "PCT 2020-21: 75 (rank 2 of 3; England median 75 of 5 councils)"
    ]


# Another member's small count behind a shared figure. Every test above gives the other
# councils counts of 40 or more, so only Kent's own count could withhold a median; the
# group table withholds a median on every row when ANY member's small count is a middle
# value (GROUP_SHARED), and the summary must withhold it too.


def obs_with(values, numerators):
    """Each council's value (%) from its numerator of ``numerator / value * 100``."""
    return observations(
        *[
            observe(
                "PCT",
                "2020-21",
                code,
                value,
                numerator=numerators[code],
                denominator=numerators[code] * 100.0 / value,
            )
            for code, value in values.items()
        ]
    )


def summary_of(observed, group_id):
    table = compare_with_group(
        observed,
        MEMBERS,
        INDICATORS,
        indicator_id="PCT",
        period="2020-21",
        group_id=group_id,
        focus_code=KENT,
    )
    return summarise_tables({"PCT": table}, INDICATORS), table


def published(summary):
    return mark_for_publication(
        summary, rule=SuppressionRule(), counts=SUMMARY_COUNTS, dependent=SUMMARY_DEPENDENT
    ).iloc[0]


def test_a_group_median_on_another_members_small_count_is_withheld_in_the_summary():
    # E 40 (40), A 60 (60), Kent 75 (30 of 40), B 80 (4 of 5), D 90 (90)
    # HIGH: Kent 75, B 80, D 90 -> median 80 is B's value, from a count of 4: the group
    # table withholds it on every row, so the summary does too (before: 80 published)
    # England: 40 60 [75] 80 90 -> 75, Kent's (30): shown; MAD: distances 35 15 0 5 15
    # -> 0 5 [15] 15 35 = 15, A's and D's (60, 90): Kent's distance 0 shown
    values = {E: 40.0, A: 60.0, KENT: 75.0, B: 80.0, D: 90.0}
    counts = {E: 40.0, A: 60.0, KENT: 30.0, B: 4.0, D: 90.0}
    summary, table = summary_of(obs_with(values, counts), "HIGH")
    group = mark_for_publication(
        table,
        rule=SuppressionRule(),
        counts=GROUP_COUNTS,
        dependent=GROUP_DEPENDENT,
        shared=GROUP_SHARED,
    )
    assert group["group_median"].tolist() == ["[c]"] * 3
    row = published(summary)
    assert row["group_median"] == "[c]"
    assert (row["value"], row["rank"], row["england_median"]) == (75, 3, 75)
    assert row["mads_from_england_median"] == 0
    # the same with B's count 30: nothing of B's to withhold, the median 80 is shown
    shown = published(summary_of(obs_with(values, {**counts, B: 30.0}), "HIGH")[0])
    assert (shown["group_median"], shown["england_median"]) == (80, 75)


def test_an_england_median_on_another_members_small_count_is_withheld_everywhere():
    # E 40, A 60, B 80 (4 of 5), Kent 85 (34 of 40), D 90
    # England: 40 60 [80] 85 90 -> 80 is B's value (count 4): withheld, and with it every
    # distance from it (Kent's (85 - 80) / MAD); MAD: distances 40 20 0 5 10 -> 10
    # HIGH: Kent 85, B 80, D 90 -> median 85, Kent's own (34): shown; Kent ranks 2 of 3
    values = {E: 40.0, A: 60.0, B: 80.0, KENT: 85.0, D: 90.0}
    counts = {E: 40.0, A: 60.0, B: 4.0, KENT: 34.0, D: 90.0}
    summary, _ = summary_of(obs_with(values, counts), "HIGH")
    row = published(summary)
    assert (row["value"], row["group_median"]) == (85, 85)
    assert row["england_median"] == "[c]"
    assert row["mads_from_england_median"] == "[c]"
    # the key figures print the England median as the summary shows it (before: 80)
    assert comparator_key_figures(_Context(summary)).lines == [
        "PCT 2020-21: 85 (rank 2 of 3; England median [c] of 5 councils)"
    ]
    # B's count 30: the England median 80 and Kent's distance (85 - 80) / 10 = 0.5 shown
    shown_summary, _ = summary_of(obs_with(values, {**counts, B: 30.0}), "HIGH")
    shown = published(shown_summary)
    assert (shown["england_median"], shown["mads_from_england_median"]) == (80, 0.5)
    assert comparator_key_figures(_Context(shown_summary)).lines == [
        "PCT 2020-21: 85 (rank 2 of 3; England median 80 of 5 councils)"
    ]
