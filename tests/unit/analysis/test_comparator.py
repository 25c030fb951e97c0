"""Tests for kassanalysis.analysis.comparator: Kent against a comparator group.

Frames are tiny and built by hand. Seven councils with ONS-shaped codes, plus an England row
(E92000001) and a South East region row (E12000008) that must never be ranked or counted in
the England median. Every expected value is worked out in the comments beside it, or taken
from a published source (Newcombe 1998 for the Wilson intervals; the exact Poisson table for
the rate intervals), never pasted from the functions' own output.
"""

import math

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from kassanalysis.analysis.comparator import (
    calculate_band_population,
    compare_with_group,
    parse_age_band,
    select_comparator_period,
    summarise_indicators,
)
from kassanalysis.periods import parse_period
from kassanalysis.schemas import ComparatorMembers, IndicatorObservations, Population

A, B, C, D, E, F = (f"E1000000{i}" for i in range(1, 7))
KENT = "E10000016"
NO_DATA = "E10000007"  # in the group, but publishes nothing
ENGLAND = "E92000001"
SOUTH_EAST = "E12000008"
NAMES = {
    A: "Council A",
    B: "Council B",
    C: "Council C",
    D: "Council D",
    E: "Council E",
    F: "Council F",
    KENT: "Kent",
    NO_DATA: "Council G",
    ENGLAND: "England",
    SOUTH_EAST: "South East",
}
RATE_UNIT = "rate per 100000 population aged 65+"

INDICATORS = pd.DataFrame(
    {
        "id": ["PCT", "PCTLOW", "RATE"],
        "name": ["Reviews completed", "Delayed reviews", "Admissions to residential care 65+"],
        "unit": ["%", "%", RATE_UNIT],
        "polarity": ["higher_is_better", "lower_is_better", "lower_is_better"],
        "denominator_band": [np.nan, np.nan, "65+"],
        "per": [np.nan, np.nan, 100000.0],
        "min_possible": [0.0, 0.0, 0.0],
        "max_possible": [100.0, 100.0, np.nan],
    }
).set_index("id")

# Group "NN": four councils with data, and one (NO_DATA) with none. "OTHER" is a decoy.
MEMBERS = ComparatorMembers.validate(
    pd.DataFrame(
        {
            "group_id": ["NN"] * 5 + ["OTHER"] * 2,
            "authority_code": [A, B, C, KENT, NO_DATA, D, E],
            "source": "hand-built",
        }
    )
)


def observe(
    indicator,
    period,
    code,
    value,
    *,
    numerator=np.nan,
    denominator=np.nan,
    value_type="actual",
    breakdown="Total",
    status=None,
):
    """One observation as a dict (see ``observations``)."""
    return dict(
        indicator=indicator,
        period=period,
        code=code,
        value=value,
        numerator=numerator,
        denominator=denominator,
        value_type=value_type,
        breakdown=breakdown,
        status=status,
    )


def observations(*rows):
    """A validated IndicatorObservations frame; source_line = position in ``rows`` (from 1)."""
    records = []
    for line, r in enumerate(rows, start=1):
        period = parse_period(r["period"])
        missing = r["value"] is None or (isinstance(r["value"], float) and math.isnan(r["value"]))
        records.append(
            {
                "authority_code": r["code"],
                "authority_name": NAMES[r["code"]],
                "indicator_id": r["indicator"],
                "breakdown": r["breakdown"],
                "period": period.label,
                "period_type": period.kind,
                "period_start": pd.Timestamp(period.start),
                "period_end": pd.Timestamp(period.end),
                "value_type": r["value_type"],
                "value": np.nan if missing else float(r["value"]),
                "unit": str(INDICATORS.at[r["indicator"], "unit"]),
                "numerator": r["numerator"],
                "denominator": r["denominator"],
                "status": r["status"] or ("missing" if missing else "reported"),
                "source_file": "benchmark.csv",
                "source_sheet": None,
                "source_line": line,
                "source_text": None if missing else str(r["value"]),
            }
        )
    return IndicatorObservations.validate(pd.DataFrame(records))


def one_year(indicator, values, *, period="2020-21", england=62.0, region=1000.0):
    """Rows for every council in ``values`` plus the England and region rows."""
    rows = [observe(indicator, period, code, value) for code, value in values.items()]
    rows.append(observe(indicator, period, ENGLAND, england))
    rows.append(observe(indicator, period, SOUTH_EAST, region))
    return rows


# The main fixture: seven councils in 2020-21. The region's absurd 1000 would show at once if
# it leaked into a rank or a median.
VALUES = {A: 60.0, B: 70.0, C: 50.0, KENT: 65.0, D: 80.0, E: 40.0, F: 55.0}


def main_observations(indicator="PCT"):
    return observations(
        # Noise that must be ignored: another breakdown, a target, an older year. Listed
        # first, so that if it leaked in it would win over Kent's real row.
        observe(indicator, "2020-21", KENT, 5.0, breakdown="Female"),
        observe(indicator, "2020-21", KENT, 99.0, value_type="target"),
        observe(indicator, "2019-20", KENT, 1.0),
        *one_year(indicator, VALUES),
    )


# Hand-worked figures for VALUES (all seven councils; England and region rows excluded):
#   England median: sorted 40 50 55 60 65 70 80 -> 60.
#   (With the England 62 and region 1000 rows it would wrongly be 62.)
#   |value - 60|: 0 10 10 5 20 20 5 -> sorted 0 5 5 10 10 20 20 -> MAD 10.
#   MADs from the England median: A (60) 0.0, B (70) +1.0, C (50) -1.0, Kent (65) +0.5.
# Over the group only (A 60, B 70, C 50, Kent 65; NO_DATA has none):
#   group median (60 + 65) / 2 = 62.5; group mean 245 / 4 = 61.25; group_size 4.
COLUMNS = [
    "authority_code",
    "authority_name",
    "is_focus",
    "value",
    "status",
    "rank",
    "quartile",
    "group_size",
    "mads_from_england_median",
]


def test_rank_quartile_and_medians_higher_is_better():
    table = compare_with_group(
        main_observations("PCT"),
        MEMBERS,
        INDICATORS,
        indicator_id="PCT",
        period="latest",
        group_id="NN",
        focus_code=KENT,
    )
    # Higher is better: B 70 -> 1, Kent 65 -> 2, A 60 -> 3, C 50 -> 4; with n = 4 the
    # quartile ceil(4 * rank / 4) is the rank itself. NO_DATA comes last, unranked.
    expected = pd.DataFrame(
        {
            "authority_code": [B, KENT, A, C, NO_DATA],
            "authority_name": ["Council B", "Kent", "Council A", "Council C", NO_DATA],
            "is_focus": [False, True, False, False, False],
            "value": [70.0, 65.0, 60.0, 50.0, np.nan],
            "status": ["reported"] * 4 + ["missing"],
            "rank": [1.0, 2.0, 3.0, 4.0, np.nan],
            "quartile": [1.0, 2.0, 3.0, 4.0, np.nan],
            "group_size": [4] * 5,
            "mads_from_england_median": [1.0, 0.5, 0.0, -1.0, np.nan],
        }
    )
    assert_frame_equal(table[COLUMNS], expected, check_dtype=False)
    assert table["group_median"].tolist() == [62.5] * 5
    assert table["group_mean"].tolist() == [61.25] * 5
    assert table["england_median"].tolist() == [60.0] * 5
    assert table["england_n"].tolist() == [7] * 5  # the seven councils, not 9 rows
    assert table["benchmark"].tolist() == [62.0] * 5  # the England row's own value
    assert set(table["period"]) == {"2020-21"}
    assert set(table["indicator_id"]) == {"PCT"}
    assert set(table["polarity"]) == {"higher_is_better"}
    assert ENGLAND not in set(table["authority_code"])
    assert SOUTH_EAST not in set(table["authority_code"])
    # No numerators, so no intervals and no comparison; nothing here is suspect.
    assert table["lower_95"].isna().all()
    assert set(table["compared_with_england"]) == {"not compared"}
    assert not table["suspect"].any()


def test_council_without_a_value_this_year_is_named_from_its_other_rows():
    # Council G published only for 2019-20: in the 2020-21 table it has no value but its
    # name, not its code, so a chart's "No data" note reads as words.
    rows = main_observations("PCT")
    older = observations(observe("PCT", "2019-20", NO_DATA, 30.0))
    table = compare_with_group(
        pd.concat([rows, older], ignore_index=True),
        MEMBERS,
        INDICATORS,
        indicator_id="PCT",
        period="latest",
        group_id="NN",
        focus_code=KENT,
    )
    row = table.set_index("authority_code").loc[NO_DATA]
    assert (row["authority_name"], row["status"]) == ("Council G", "missing")
    assert math.isnan(row["value"]) and math.isnan(row["rank"])


def test_rank_quartile_lower_is_better_reverses_the_order():
    table = compare_with_group(
        main_observations("PCTLOW"),
        MEMBERS,
        INDICATORS,
        indicator_id="PCTLOW",
        period="latest",
        group_id="NN",
        focus_code=KENT,
    )
    # Lower is better: C 50 -> 1, A 60 -> 2, Kent 65 -> 3, B 70 -> 4. Medians and MAD
    # distances do not depend on polarity.
    assert table["authority_code"].tolist() == [C, A, KENT, B, NO_DATA]
    assert table["rank"].tolist()[:4] == [1.0, 2.0, 3.0, 4.0]
    assert table["quartile"].tolist()[:4] == [1.0, 2.0, 3.0, 4.0]
    assert table["mads_from_england_median"].tolist()[:4] == [-1.0, 0.0, 0.5, 1.0]
    assert table["group_median"].iloc[0] == 62.5
    assert table["england_median"].iloc[0] == 60.0


@pytest.mark.parametrize(
    ("indicator", "order", "ranks"),
    [
        # A 10, B 20, C 20, Kent 30. Lower is better: A 1, B and C share 2, Kent 4 (3 is
        # skipped). Ties are listed by name.
        ("PCTLOW", [A, B, C, KENT], [1.0, 2.0, 2.0, 4.0]),
        # Higher is better: Kent 1, B and C share 2, A 4.
        ("PCT", [KENT, B, C, A], [1.0, 2.0, 2.0, 4.0]),
    ],
)
def test_ties_share_a_rank_and_a_quartile(indicator, order, ranks):
    obs = observations(*one_year(indicator, {A: 10.0, B: 20.0, C: 20.0, KENT: 30.0}))
    table = compare_with_group(
        obs,
        MEMBERS,
        INDICATORS,
        indicator_id=indicator,
        period="2020-21",
        group_id="NN",
        focus_code=KENT,
    )
    assert table["authority_code"].tolist() == [*order, NO_DATA]
    assert table["rank"].tolist()[:4] == ranks
    # n = 4: ceil(4 * rank / 4) = rank, so quartiles 1, 2, 2, 4.
    assert table["quartile"].tolist()[:4] == ranks
    assert table["group_size"].iloc[0] == 4


def test_suppressed_value_keeps_its_status_and_is_not_counted():
    obs = observations(
        *one_year("PCT", {A: 10.0, B: 20.0, KENT: 30.0}),
        observe("PCT", "2020-21", C, None, status="suppressed"),
    )
    table = compare_with_group(
        obs,
        MEMBERS,
        INDICATORS,
        indicator_id="PCT",
        period="2020-21",
        group_id="NN",
        focus_code=KENT,
    )
    by_code = table.set_index("authority_code")
    assert by_code.at[C, "status"] == "suppressed"  # "[c]" is not "missing"
    assert np.isnan(by_code.at[C, "value"]) and np.isnan(by_code.at[C, "rank"])
    assert by_code.at[NO_DATA, "status"] == "missing"
    # Only A, B and Kent have values: group_size 3, ranks Kent 1, B 2, A 3, then the two
    # without values.
    assert table["group_size"].iloc[0] == 3
    assert table["authority_code"].iloc[:3].tolist() == [KENT, B, A]
    assert table["rank"].iloc[:3].tolist() == [1.0, 2.0, 3.0]
    assert table["rank"].iloc[3:].isna().all()
    # quartile = ceil(4 x rank / 3) over the three with values: 2, 3, 4 (counting the two
    # without values, n = 5, would give 1, 2, 3)
    assert table["quartile"].iloc[:3].tolist() == [2.0, 3.0, 4.0]
    # Group median of 10, 20, 30 is 20; mean 20.
    assert table["group_median"].iloc[0] == 20.0
    assert table["group_mean"].iloc[0] == 20.0


def test_unknown_group_is_refused():
    with pytest.raises(ValueError, match="NOPE"):
        compare_with_group(
            main_observations(),
            MEMBERS,
            INDICATORS,
            indicator_id="PCT",
            period="latest",
            group_id="NOPE",
            focus_code=KENT,
        )


# ---------------------------------------------------------------------------------------------
# Choosing the period
# ---------------------------------------------------------------------------------------------

PERIODS = observations(
    observe("PCT", "2019-20", KENT, 50.0),  # ends 31 Mar 2020
    observe("PCT", "2020-21", KENT, 55.0),  # ends 31 Mar 2021
    observe("PCT", "2021-22", KENT, 60.0),  # ends 31 Mar 2022: the latest actual
    observe("PCT", "2022-23", KENT, 70.0, value_type="target"),  # a target, not an actual
    observe("RATE", "2023-24", KENT, 9.0),  # another indicator
)


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        (None, "2021-22"),
        ("latest", "2021-22"),
        ("2020-21", "2020-21"),  # a year label that is published picks itself
        ("2021-22 Q2", "2020-21"),  # ends 30 Sep 2021: 2021-22 (ends Mar 2022) is too late
        ("2021-22 Q4", "2021-22"),  # ends 31 Mar 2022: "on or before" includes that day
        ("2025-26", "2021-22"),  # later than anything published: the latest
        ("2018-19", None),  # before anything published
    ],
)
def test_select_comparator_period(period, expected):
    assert select_comparator_period(PERIODS, "PCT", period) == expected


def test_a_quarter_label_compares_the_latest_year_ended_by_then():
    obs = observations(
        *one_year("PCT", {A: 10.0, B: 20.0, C: 30.0, KENT: 40.0}, period="2020-21"),
        *one_year("PCT", {A: 90.0, B: 80.0, C: 70.0, KENT: 60.0}, period="2021-22"),
    )
    table = compare_with_group(
        obs,
        MEMBERS,
        INDICATORS,
        indicator_id="PCT",
        period="2021-22 Q2",
        group_id="NN",
        focus_code=KENT,
    )
    # 2021-22 Q2 ends 30 Sep 2021, so 2020-21 is compared: Kent 40 is best (higher is better).
    assert set(table["period"]) == {"2020-21"}
    assert table.set_index("authority_code").at[KENT, "value"] == 40.0
    assert table["authority_code"].iloc[0] == KENT


def test_no_period_published_by_then_gives_an_empty_table():
    table = compare_with_group(
        main_observations(),
        MEMBERS,
        INDICATORS,
        indicator_id="PCT",
        period="2010-11",
        group_id="NN",
        focus_code=KENT,
    )
    assert table.empty
    for column in ("authority_code", "value", "rank", "compared_with_england"):
        assert column in table.columns


# ---------------------------------------------------------------------------------------------
# Confidence intervals and the comparison with England
# ---------------------------------------------------------------------------------------------

# Wilson score 95% intervals from Newcombe (1998), Statistics in Medicine 17:857, Table I,
# method 3, as percentages: 81/263 -> 25.53 to 36.62; 15/148 -> 6.24 to 16.05.
# 65/100 -> 55.25 to 73.64 (PHE technical guide example; also the stats doctest).
# 99.8% for 65/100 by hand: z = 3.090232, z^2 = 9.549534; 2O + z^2 = 139.549534;
# z * sqrt(z^2 + 4 * 65 * 0.35) = 3.090232 * sqrt(100.549534) = 30.98711;
# 2 (n + z^2) = 219.099068 -> (139.549534 -+ 30.98711) / 219.099068 = 0.49549, 0.77835.
# England's own value is 30.0 (%).
WILSON_ROWS = (
    observe("PCT", "2020-21", A, 30.80, numerator=81.0, denominator=263.0),
    observe("PCT", "2020-21", B, 10.14, numerator=15.0, denominator=148.0),
    observe("PCT", "2020-21", KENT, 65.0, numerator=65.0, denominator=100.0),
    observe("PCT", "2020-21", C, 50.0),  # no numerator or denominator: not compared
    observe("PCT", "2020-21", ENGLAND, 30.0),
    observe("PCT", "2020-21", SOUTH_EAST, 45.0),
)


@pytest.mark.parametrize(
    ("indicator", "labels"),
    [
        # A's interval contains 30 (similar); B's lies wholly below (worse when higher is
        # better); Kent's wholly above (better). Lower is better swaps better and worse.
        ("PCT", {A: "similar", B: "worse", KENT: "better"}),
        ("PCTLOW", {A: "similar", B: "better", KENT: "worse"}),
    ],
)
def test_wilson_interval_and_comparison_with_england(indicator, labels):
    rows = [{**r, "indicator": indicator} for r in WILSON_ROWS]
    table = compare_with_group(
        observations(*rows),
        MEMBERS,
        INDICATORS,
        indicator_id=indicator,
        period="latest",
        group_id="NN",
        focus_code=KENT,
    )
    by_code = table.set_index("authority_code")
    assert by_code.at[A, "lower_95"] == pytest.approx(25.53, abs=0.005)
    assert by_code.at[A, "upper_95"] == pytest.approx(36.62, abs=0.005)
    assert by_code.at[B, "lower_95"] == pytest.approx(6.24, abs=0.005)
    assert by_code.at[B, "upper_95"] == pytest.approx(16.05, abs=0.005)
    assert by_code.at[KENT, "lower_95"] == pytest.approx(55.25, abs=0.005)
    assert by_code.at[KENT, "upper_95"] == pytest.approx(73.64, abs=0.005)
    assert by_code.at[KENT, "lower_998"] == pytest.approx(49.549, abs=0.001)
    assert by_code.at[KENT, "upper_998"] == pytest.approx(77.835, abs=0.001)
    assert by_code.at[A, "benchmark"] == 30.0
    for code, label in labels.items():
        assert by_code.at[code, "compared_with_england"] == label
    for code in (C, NO_DATA):
        assert np.isnan(by_code.at[code, "lower_95"])
        assert by_code.at[code, "compared_with_england"] == "not compared"


# A rate per 100,000 aged 65+, whose denominators come from a tiny ONS population when the
# observation has none. Period 2020-21 uses the mid-2020 estimate.
#   A: ages 65, 80 and 90 (90 = 90 and over) in 2020: 4000 + 5000 + 1000 = 10000; age 64
#      (999) is outside the band and 2019's figure (7777) is the wrong year.
#   B: 8000 + 2000 = 10000.
#   Kent: the observation gives its own denominator, 20000, which is kept (ONS says 5000).
#   C: no population rows at all -> no denominator, no interval.
POPULATION_ROWS = [
    (A, 2020, 64, 999.0),
    (A, 2020, 65, 4000.0),
    (A, 2020, 80, 5000.0),
    (A, 2020, 90, 1000.0),
    (A, 2019, 65, 7777.0),
    (B, 2020, 65, 8000.0),
    (B, 2020, 90, 2000.0),
    (KENT, 2020, 65, 5000.0),
]


def population():
    frame = pd.DataFrame(POPULATION_ROWS, columns=["area_code", "year", "age", "persons"])
    frame["area_name"] = frame["area_code"].map(NAMES)
    frame["geography"] = "County"
    frame["age_label"] = frame["age"].map(lambda age: "90+" if age == 90 else str(age))
    frame["source_file"] = "ons.csv"
    frame["source_sheet"] = None
    frame["source_line"] = range(1, len(frame) + 1)
    frame["source_text"] = None
    return Population.validate(frame)


def test_rate_denominator_from_population_and_byar_interval():
    obs = observations(
        observe("RATE", "2020-21", A, 500.0, numerator=50.0),
        observe("RATE", "2020-21", B, 1000.0, numerator=100.0),
        observe("RATE", "2020-21", KENT, 700.0, numerator=140.0, denominator=20000.0),
        observe("RATE", "2020-21", C, 300.0, numerator=30.0),
        observe("RATE", "2020-21", ENGLAND, 700.0),
    )
    table = compare_with_group(
        obs,
        MEMBERS,
        INDICATORS,
        indicator_id="RATE",
        period="latest",
        group_id="NN",
        population=population(),
        focus_code=KENT,
    )
    by_code = table.set_index("authority_code")
    assert by_code.at[A, "denominator"] == 10000.0
    assert by_code.at[B, "denominator"] == 10000.0
    assert by_code.at[KENT, "denominator"] == 20000.0
    assert np.isnan(by_code.at[C, "denominator"])
    # Byar's method (counts >= 10), 95%, z = 1.959964:
    #   O = 50: lower 50 (1 - 1/450 - z/(3 sqrt 50))^3 = 50 * 0.905384^3 = 37.108;
    #           upper 51 (1 - 1/459 + z/(3 sqrt 51))^3 = 51 * 1.089305^3 = 65.920
    #           (the exact Poisson table gives 37.11 to 65.92 too).
    #   Rate = count / 10000 * 100000: 371.08 to 659.20, wholly below England's 700.
    assert by_code.at[A, "lower_95"] == pytest.approx(371.08, abs=0.01)
    assert by_code.at[A, "upper_95"] == pytest.approx(659.20, abs=0.01)
    #   O = 100: 100 * 0.933557^3 = 81.362 and 101 * 1.063908^3 = 121.628 -> 813.62 to
    #   1216.28 per 100,000, wholly above 700.
    assert by_code.at[B, "lower_95"] == pytest.approx(813.62, abs=0.01)
    assert by_code.at[B, "upper_95"] == pytest.approx(1216.28, abs=0.01)
    # Lower is better: below England is better, above is worse. Kent's 140 / 20000 = 700
    # per 100,000 sits on England's value, so its interval contains it.
    assert by_code.at[A, "compared_with_england"] == "better"
    assert by_code.at[B, "compared_with_england"] == "worse"
    assert by_code.at[KENT, "compared_with_england"] == "similar"
    assert by_code.at[C, "compared_with_england"] == "not compared"


def test_calculate_band_population_sums_the_band_with_90_as_90_plus():
    codes = pd.Series([A, B, KENT, C])
    # 65+ in 2020: A 10000, B 10000, Kent 5000, C nothing published -> NaN (not 0).
    result = calculate_band_population(population(), codes, "65+", 2020)
    assert result.iloc[:3].tolist() == [10000.0, 10000.0, 5000.0]
    assert np.isnan(result.iloc[3])
    # 18-64 in 2020: only A's age-64 row (999).
    assert calculate_band_population(population(), codes, "18-64", 2020).iloc[0] == 999.0
    # 2019: only A's 7777.
    assert calculate_band_population(population(), codes, "65+", 2019).iloc[0] == 7777.0


@pytest.mark.parametrize(
    ("band", "expected"),
    [("65+", (65, 90)), ("18-64", (18, 64)), ("18+", (18, 90)), (" 65+ ", (65, 90))],
)
def test_parse_age_band(band, expected):
    assert parse_age_band(band) == expected


# ---------------------------------------------------------------------------------------------
# Suspect values
# ---------------------------------------------------------------------------------------------

# Values 50 55 60 60 65 70 120 (Kent 120): median 60; |deviations| 10 5 0 0 5 10 60 ->
# sorted 0 0 5 5 10 10 60 -> MAD 5. Kent is (120 - 60) / 5 = +12 MADs from the median;
# A (50) is -2 and B (55) is -1.
SUSPECT_VALUES = {A: 50.0, B: 55.0, C: 60.0, D: 60.0, E: 65.0, F: 70.0, KENT: 120.0}


def test_value_above_the_highest_possible_is_suspect():
    # PCT has max_possible 100, so 120% is impossible; that reason is the one given.
    obs = observations(*one_year("PCT", SUSPECT_VALUES))
    table = compare_with_group(
        obs,
        MEMBERS,
        INDICATORS,
        indicator_id="PCT",
        period="latest",
        group_id="NN",
        focus_code=KENT,
    ).set_index("authority_code")
    assert bool(table.at[KENT, "suspect"]) is True
    assert "above the highest possible value (100)" in table.at[KENT, "suspect_reason"]
    assert not table.drop(index=KENT)["suspect"].any()
    assert table.drop(index=KENT)["suspect_reason"].isna().all()
    # Flagged, not dropped: Kent still has its value and rank 1 (higher is better).
    assert table.at[KENT, "value"] == 120.0 and table.at[KENT, "rank"] == 1.0


def test_value_more_than_ten_mads_from_the_england_median_is_suspect():
    # RATE has no max_possible, so only the distance can flag Kent: +12 MADs > 10.
    obs = observations(*one_year("RATE", SUSPECT_VALUES))
    table = compare_with_group(
        obs,
        MEMBERS,
        INDICATORS,
        indicator_id="RATE",
        period="latest",
        group_id="NN",
        focus_code=KENT,
    ).set_index("authority_code")
    assert table.at[KENT, "mads_from_england_median"] == 12.0
    assert table.at[A, "mads_from_england_median"] == -2.0
    assert bool(table.at[KENT, "suspect"]) is True
    reason = table.at[KENT, "suspect_reason"]
    assert "MADs from the England median" in reason and "+12.0" in reason
    assert not table.drop(index=KENT)["suspect"].any()
    # "More than" is strict: at a threshold of 12 MADs, 12 is not beyond it.
    at_twelve = compare_with_group(
        obs,
        MEMBERS,
        INDICATORS,
        indicator_id="RATE",
        period="latest",
        group_id="NN",
        suspect_mads=12.0,
        focus_code=KENT,
    )
    assert not at_twelve["suspect"].any()


def test_impossible_numerator_is_flagged_not_fatal():
    # Kent publishes 120 of 100 (120%): impossible for a proportion. The table should still
    # be built: Kent flagged suspect with no interval, A's interval (81/263) still there.
    obs = observations(
        observe("PCT", "2020-21", A, 30.80, numerator=81.0, denominator=263.0),
        observe("PCT", "2020-21", KENT, 120.0, numerator=120.0, denominator=100.0),
        observe("PCT", "2020-21", ENGLAND, 30.0),
    )
    table = compare_with_group(
        obs,
        MEMBERS,
        INDICATORS,
        indicator_id="PCT",
        period="latest",
        group_id="NN",
        focus_code=KENT,
    ).set_index("authority_code")
    assert bool(table.at[KENT, "suspect"]) is True
    assert np.isnan(table.at[KENT, "lower_95"])
    assert table.at[KENT, "compared_with_england"] == "not compared"
    assert table.at[A, "lower_95"] == pytest.approx(25.53, abs=0.005)
    assert table.at[KENT, "suspect_reason"] == "above the highest possible value (100)"


def test_each_kind_of_impossible_figure_gets_its_own_reason():
    # Kent: a possible 60% built on 120 of 100; B: -1%, below the lowest possible 0.
    obs = observations(
        observe("PCT", "2020-21", A, 30.0, numerator=30.0, denominator=100.0),
        observe("PCT", "2020-21", KENT, 60.0, numerator=120.0, denominator=100.0),
        observe("PCT", "2020-21", B, -1.0),
    )
    table = compare_with_group(
        obs,
        MEMBERS,
        INDICATORS,
        indicator_id="PCT",
        period="latest",
        group_id="NN",
        focus_code=KENT,
    ).set_index("authority_code")
    assert table.at[KENT, "suspect_reason"] == "numerator outside 0 to denominator"
    assert table.at[B, "suspect_reason"] == "below the lowest possible value (0)"
    assert not table.at[A, "suspect"] and table.at[A, "suspect_reason"] is None


# ---------------------------------------------------------------------------------------------
# One line per indicator for the focus council
# ---------------------------------------------------------------------------------------------


def test_summarise_indicators_gives_the_focus_council_per_indicator():
    obs = pd.concat([main_observations("PCT"), main_observations("PCTLOW")], ignore_index=True)
    summary = summarise_indicators(
        obs,
        MEMBERS,
        INDICATORS,
        indicator_ids=["PCT", "PCTLOW"],
        period="latest",
        group_id="NN",
        focus_code=KENT,
    )
    # From the hand-worked main fixture: Kent 65 is 2nd of 4 when higher is better and 3rd
    # of 4 when lower is better; group median 62.5, England median 60, +0.5 MADs.
    assert summary["indicator_id"].tolist() == ["PCT", "PCTLOW"]
    assert summary["value"].tolist() == [65.0, 65.0]
    assert summary["rank"].tolist() == [2.0, 3.0]
    assert summary["quartile"].tolist() == [2.0, 3.0]
    assert summary["group_size"].tolist() == [4, 4]
    assert summary["group_median"].tolist() == [62.5, 62.5]
    assert summary["england_median"].tolist() == [60.0, 60.0]
    assert summary["mads_from_england_median"].tolist() == [0.5, 0.5]
    assert summary["indicator_name"].tolist() == ["Reviews completed", "Delayed reviews"]


def test_summarise_indicators_focus_without_data_and_unknown_indicator():
    summary = summarise_indicators(
        main_observations(),
        MEMBERS,
        INDICATORS,
        indicator_ids=["PCT"],
        period="latest",
        group_id="NN",
        focus_code=NO_DATA,
    )
    assert np.isnan(summary["value"].iloc[0])
    assert "no data" in summary["note"].iloc[0]
    with pytest.raises(KeyError, match="NOPE"):
        summarise_indicators(
            main_observations(),
            MEMBERS,
            INDICATORS,
            indicator_ids=["NOPE"],
            period="latest",
            group_id="NN",
            focus_code=KENT,
        )


def test_summarise_indicators_group_size_excludes_councils_without_data():
    # Group NN has five members; four (A, B, C, Kent) have values, so the group is 4 whoever
    # the focus council is -- including NO_DATA itself.
    summary = summarise_indicators(
        main_observations(),
        MEMBERS,
        INDICATORS,
        indicator_ids=["PCT"],
        period="latest",
        group_id="NN",
        focus_code=NO_DATA,
    )
    assert summary["group_size"].iloc[0] == 4


def test_two_level_significance_names_the_benchmark():
    # Against England's own value, 30.0 (%), higher is better:
    #   Kent 65/100: 99.8% 49.549 to 77.835 (worked above) excludes 30 -> better (99.8%).
    #   B 15/148: 95% 6.24 to 16.05; 99.8% upper by hand: z = 3.090232, z^2 = 9.549534,
    #     2O + z^2 = 39.549534, z sqrt(z^2 + 4 x 15 x 133/148) = 3.090232 x 7.966709 =
    #     24.6190, 2 (n + z^2) = 315.099068 -> upper 0.20365 = 20.37% < 30 -> worse (99.8%).
    #   A 81/263: 95% 25.53 to 36.62 contains 30 -> similar at both levels.
    #   C has no counts: not compared.
    table = compare_with_group(
        observations(*WILSON_ROWS),
        MEMBERS,
        INDICATORS,
        indicator_id="PCT",
        period="latest",
        group_id="NN",
        focus_code=KENT,
    ).set_index("authority_code")
    assert set(table["benchmark_name"]) == {"England value 2020-21"}
    assert table.at[KENT, "compared_with_england"] == "better"
    assert table.at[KENT, "compared_998"] == "better"
    assert table.at[KENT, "significance"] == "better (99.8%)"
    assert table.at[B, "significance"] == "worse (99.8%)"
    assert table.at[A, "significance"] == "similar"
    assert table.at[C, "significance"] == "not compared"
    assert table.at[KENT, "significance_text"] == (
        "better than the England value 2020-21 at the 99.8% level"
    )


def test_without_an_england_row_the_benchmark_is_named_as_the_council_median():
    obs = main_observations("PCT")
    obs = obs[obs["authority_code"] != ENGLAND]
    table = compare_with_group(
        obs,
        MEMBERS,
        INDICATORS,
        indicator_id="PCT",
        period="latest",
        group_id="NN",
        focus_code=KENT,
    )
    # England median of the seven councils is 60 (worked above)
    assert table["benchmark"].tolist() == [60.0] * 5
    assert set(table["benchmark_name"]) == {"median of 7 English councils 2020-21"}


ALL_SEVEN = ComparatorMembers.validate(
    pd.DataFrame(
        {"group_id": "ALL", "authority_code": [A, B, C, KENT, D, E, F], "source": "hand-built"}
    )
)


@pytest.mark.parametrize(
    ("indicator", "expected"),
    [
        # PHE quintiles, n = 7, n / 5 = 1.4: q = floor(6 - ceil((8 - rank) / 1.4)), with
        # rank 1 the best. Ranks 1..7 -> ceil(7/1.4 = 5) 5 -> 1; ceil(4.29) 5 -> 1;
        # ceil(3.57) 4 -> 2; ceil(2.86) 3 -> 3; ceil(2.14) 3 -> 3; ceil(1.43) 2 -> 4;
        # ceil(0.71) 1 -> 5.
        # Higher is better: D 80, B 70, Kent 65, A 60, F 55, C 50, E 40.
        ("PCT", {D: 1.0, B: 1.0, KENT: 2.0, A: 3.0, F: 3.0, C: 4.0, E: 5.0}),
        # Lower is better: the same order reversed.
        ("PCTLOW", {E: 1.0, C: 1.0, F: 2.0, A: 3.0, KENT: 3.0, B: 4.0, D: 5.0}),
    ],
)
def test_quintiles_by_polarity_beside_quartiles(indicator, expected):
    table = compare_with_group(
        main_observations(indicator),
        ALL_SEVEN,
        INDICATORS,
        indicator_id=indicator,
        period="latest",
        group_id="ALL",
        focus_code=KENT,
    ).set_index("authority_code")
    assert table["quintile"].to_dict() == expected


def test_quintiles_are_missing_in_a_group_of_fewer_than_five_values():
    table = compare_with_group(
        main_observations("PCT"),
        MEMBERS,
        INDICATORS,
        indicator_id="PCT",
        period="latest",
        group_id="NN",
        focus_code=KENT,
    )
    assert table["quintile"].isna().all()  # four councils with values: PHE assigns none
