"""Tests for kassanalysis.analysis.finance (ASC-FR spend per head and unit costs).

Frames are hand-built with the finance_lines columns; every per-head figure, rank, median
and MAD distance is worked by hand in the comments.
"""

import numpy as np
import pandas as pd
import pytest

from kassanalysis.analysis.finance import benchmark_spend_per_head, benchmark_unit_costs

KENT, SURREY, ESSEX, HANTS, NOLINE = "E10000016", "E10000030", "E10000012", "E10000014", "E10000034"
NAMES = {
    KENT: "Kent",
    SURREY: "Surrey",
    ESSEX: "Essex",
    HANTS: "Hampshire",
    NOLINE: "Worcestershire",
}


def line(
    code,
    age_band,
    value,
    *,
    psr="Physical support",
    measure="Gross total cost: total expenditure",
    unit="GBP thousands",
    setting="Nursing",
    year="2014-15",
    status="reported",
    source_line=1,
):
    return {
        "authority_code": code,
        "cassr_code": "000",
        "authority_name": NAMES[code],
        "financial_year": year,
        "support_type": "Long term support",
        "age_band": age_band,
        "primary_support_reason": psr,
        "support_setting": setting,
        "provision": None,
        "measure": measure,
        "value": value,
        "unit": unit,
        "row_type": "line",
        "status": status,
        "source_file": "asc-fr-2014-15.csv",
        "source_line": source_line,
    }


def population(persons_65, persons_18_64):
    """Population by single year: 65+ split over ages 65 and 90, 18-64 at age 40 (+ a child)."""
    rows = []
    for code in persons_65:
        rows += [
            {"area_code": code, "year": 2014, "age": 65, "persons": persons_65[code] / 2},
            {"area_code": code, "year": 2014, "age": 90, "persons": persons_65[code] / 2},
            {"area_code": code, "year": 2014, "age": 40, "persons": persons_18_64[code]},
            {"area_code": code, "year": 2014, "age": 10, "persons": 1e6},  # never counted
            {"area_code": code, "year": 2015, "age": 70, "persons": 1.0},  # other year
        ]
    return pd.DataFrame(rows)


MEMBERS = pd.DataFrame({"group_id": "NN", "authority_code": [KENT, SURREY, ESSEX, HANTS, NOLINE]})
POPULATION = population(
    {KENT: 300_000, SURREY: 200_000, ESSEX: 250_000, HANTS: 100_000, NOLINE: 100_000},
    {KENT: 900_000, SURREY: 700_000, ESSEX: 800_000, HANTS: 500_000, NOLINE: 100_000},
)
LINES = pd.DataFrame(
    [
        # 65+: GBP thousands / persons 65+ x 1000
        line(KENT, "65+", 30_000.0, source_line=2),  # 30,000,000 / 300,000 = 100
        line(SURREY, "65+", 30_000.0, source_line=3),  # / 200,000 = 150
        line(ESSEX, "65+", 20_000.0, source_line=4),  # / 250,000 = 80
        line(HANTS, "65+", np.nan, status="suppressed", source_line=5),  # missing, not ranked
        # 18-64
        line(KENT, "18-64", 9_000.0, source_line=6),  # 9,000,000 / 900,000 = 10
        line(SURREY, "18-64", 14_000.0, source_line=7),  # / 700,000 = 20
        line(ESSEX, "18-64", 4_000.0, source_line=8),  # / 800,000 = 5
        line(HANTS, "18-64", 10_000.0, source_line=9),  # / 500,000 = 20
        # another measure and another year are not mixed in
        line(KENT, "65+", 1.0, measure="income", source_line=10),
        line(KENT, "65+", 1.0, year="2015-16", source_line=11),
    ]
)


def spend(**kwargs):
    return benchmark_spend_per_head(
        LINES,
        POPULATION,
        MEMBERS,
        group_id="NN",
        financial_year="2014-15",
        focus_code=KENT,
        **kwargs,
    )


def test_spend_per_head_65_plus_ranked_within_the_group():
    table = spend()
    older = table[table["age_band"] == "65+"].set_index("authority_code")
    assert older.loc[[KENT, SURREY, ESSEX], "per_head"].tolist() == [100.0, 150.0, 80.0]
    # no polarity: highest spend is rank 1 -> Surrey 1, Kent 2, Essex 3; Hampshire's line is
    # suppressed and Worcestershire has none: both unranked
    assert older.loc[[SURREY, KENT, ESSEX], "rank"].tolist() == [1.0, 2.0, 3.0]
    assert np.isnan(older.loc[HANTS, "rank"]) and np.isnan(older.loc[NOLINE, "rank"])
    assert older.loc[HANTS, "status"] == "suppressed"
    assert older.loc[NOLINE, "status"] == "missing"
    # 3 values: median 100; |dev| 0, 50, 20 -> MAD 20; Kent 0, Surrey 2.5, Essex -1
    kent = older.loc[KENT]
    assert (kent["group_size"], kent["group_median"], kent["quartile"]) == (3, 100.0, 3.0)
    assert older.loc[[KENT, SURREY, ESSEX], "mads_from_group_median"].tolist() == [0.0, 2.5, -1.0]
    assert kent["population"] == 300_000 and kent["is_focus"]
    assert (kent["source_file"], kent["source_line"]) == ("asc-fr-2014-15.csv", 2)
    assert kent["unit"] == "GBP thousands" and older.loc[NOLINE, "unit"] == "GBP thousands"


def test_spend_per_head_18_to_64_ties_share_a_rank():
    table = spend()
    working_age = table[table["age_band"] == "18-64"].set_index("authority_code")
    # 10, 20, 5, 20 -> Surrey and Hampshire tie at rank 1, Kent 3, Essex 4
    assert working_age.loc[[SURREY, HANTS, KENT, ESSEX], "rank"].tolist() == [1, 1, 3, 4]
    # median of 5, 10, 20, 20 = 15; |dev| 10, 5, 5, 5 -> MAD 5; Kent (10 - 15) / 5 = -1
    assert working_age.loc[KENT, "group_median"] == 15.0
    assert working_age.loc[KENT, "mads_from_group_median"] == -1.0
    assert set(table["measure"]) == {"Gross total cost: total expenditure"}


def test_spend_lines_that_cannot_be_benchmarked_are_reported():
    twice = pd.concat([LINES, pd.DataFrame([line(KENT, "65+", 5.0, source_line=12)])])
    with pytest.raises(
        ValueError, match=r"E10000016 has more than one .*line 2, asc-fr-2014-15.csv line 12"
    ):
        benchmark_spend_per_head(
            twice, POPULATION, MEMBERS, group_id="NN", financial_year="2014-15", focus_code=KENT
        )
    odd_unit = pd.DataFrame([line(KENT, "65+", 5.0, unit="people", source_line=40)])
    with pytest.raises(
        ValueError, match="asc-fr-2014-15.csv line 40: unit 'people' is not a money unit"
    ):
        benchmark_spend_per_head(
            odd_unit, POPULATION, MEMBERS, group_id="NN", financial_year="2014-15", focus_code=KENT
        )
    with pytest.raises(ValueError, match="no mid-year 2016"):
        benchmark_spend_per_head(
            pd.DataFrame([line(KENT, "65+", 5.0, year="2016-17")]),
            POPULATION,
            MEMBERS,
            group_id="NN",
            financial_year="2016-17",
            focus_code=KENT,
        )
    with pytest.raises(ValueError, match="no rows for 2013-14"):
        benchmark_spend_per_head(
            LINES, POPULATION, MEMBERS, group_id="NN", financial_year="2013-14", focus_code=KENT
        )
    with pytest.raises(ValueError, match="missing column"):
        benchmark_spend_per_head(
            LINES.drop(columns="unit"),
            POPULATION,
            MEMBERS,
            group_id="NN",
            financial_year="2014-15",
            focus_code=KENT,
        )
    with pytest.raises(ValueError, match="has no members"):
        benchmark_spend_per_head(
            LINES, POPULATION, MEMBERS, group_id="X", financial_year="2014-15", focus_code=KENT
        )


def test_unit_costs_ranked_as_published():
    costs = pd.DataFrame(
        [
            line(
                KENT, "65+", 600.0, measure="Unit costs", unit="GBP per week", setting="Residential"
            ),
            line(
                SURREY,
                "65+",
                700.0,
                measure="Unit costs",
                unit="GBP per week",
                setting="Residential",
            ),
            line(
                ESSEX,
                "65+",
                500.0,
                measure="Unit costs",
                unit="GBP per week",
                setting="Residential",
            ),
            line(
                HANTS,
                "65+",
                650.0,
                measure="Unit costs",
                unit="GBP per week",
                setting="Residential",
            ),
            line(KENT, "65+", 800.0, measure="Unit costs", unit="GBP per week", setting="Nursing"),
        ]
    )
    table = benchmark_unit_costs(
        costs, MEMBERS, group_id="NN", financial_year="2014-15", focus_code=KENT
    )
    residential = table[table["support_setting"] == "Residential"].set_index("authority_code")
    # 700, 650, 600, 500 -> Kent rank 3 of 4, quartile 3; median 625; |dev| 25 75 125 25 ->
    # MAD 50; Kent (600 - 625) / 50 = -0.5
    kent = residential.loc[KENT]
    assert (kent["rank"], kent["quartile"], kent["group_median"]) == (3, 3, 625.0)
    assert kent["mads_from_group_median"] == -0.5
    assert kent["unit"] == "GBP per week"
    nursing = table[table["support_setting"] == "Nursing"]
    # only Kent has a nursing unit cost: rank 1 of 1, no MAD distance from a group of one
    assert nursing.loc[nursing["is_focus"], "rank"].tolist() == [1.0]
    assert nursing["mads_from_group_median"].isna().all()
    mixed = pd.concat(
        [
            costs,
            pd.DataFrame(
                [
                    line(
                        ESSEX,
                        "65+",
                        5.0,
                        measure="Unit costs",
                        unit="GBP per day",
                        setting="Nursing",
                    )
                ]
            ),
        ]
    )
    with pytest.raises(ValueError, match="more than one unit"):
        benchmark_unit_costs(
            mixed, MEMBERS, group_id="NN", financial_year="2014-15", focus_code=KENT
        )


def test_the_returns_own_age_band_words_and_provision_are_understood():
    # The ASC-FR 2014-15 prints "Adults aged 65 and over" and splits lines by provision
    # (own / by others): two lines, not a duplicate. Kent 30,000 (GBP thousands) over
    # 300,000 people aged 65+ = GBP 100 per head; Surrey 30,000 / 200,000 = 150.
    rows = [
        {**line(KENT, "Adults aged 65 and over", 30_000.0, source_line=2), "provision": "All"},
        {**line(SURREY, "Adults aged 65 and over", 30_000.0, source_line=3), "provision": "All"},
        {**line(KENT, "Other adult services", 5.0, source_line=4), "provision": "All"},
        {
            **line(
                KENT,
                "Age 65 and over",
                600.0,
                measure="Unit costs",
                unit="GBP per week",
                source_line=5,
            ),
            "provision": "Own provision",
        },
        {
            **line(
                KENT,
                "Age 65 and over",
                500.0,
                measure="Unit costs",
                unit="GBP per week",
                source_line=6,
            ),
            "provision": "Provision by others",
        },
    ]
    lines = pd.DataFrame(rows)
    table = benchmark_spend_per_head(
        lines, POPULATION, MEMBERS, group_id="NN", financial_year="2014-15", focus_code=KENT
    )
    per_head = table.dropna(subset=["per_head"]).set_index("authority_code")["per_head"]
    assert per_head.to_dict() == {SURREY: 150.0, KENT: 100.0}
    assert set(table["age_band"]) == {"Adults aged 65 and over"}  # "Other adult services" out
    costs = benchmark_unit_costs(
        lines, MEMBERS, group_id="NN", financial_year="2014-15", focus_code=KENT
    )
    kent = costs[costs["is_focus"]].set_index("provision")["value"]
    assert kent.to_dict() == {"Own provision": 600.0, "Provision by others": 500.0}


def test_categorical_finance_lines_as_stored_by_the_build_give_the_same_table():
    # the build stores finance_lines' text columns as categoricals (each label once); a
    # filled-in missing line ("missing" status, Worcestershire) must still be possible
    text = [c for c in LINES.columns if c not in ("value", "source_line")]
    stored = LINES.astype({c: "category" for c in text})
    plain = spend()
    categorical = benchmark_spend_per_head(
        stored, POPULATION, MEMBERS, group_id="NN", financial_year="2014-15", focus_code=KENT
    )
    pd.testing.assert_frame_equal(categorical, plain)


# ---- the denominator: the age band's own population, or all ages for all-adult lines ----

TOTALS_2014 = pd.DataFrame(
    {
        "area_code": [KENT, SURREY, ESSEX, HANTS, NOLINE],
        "year": 2014,
        "persons": [1_500_000.0, 1_200_000.0, 1_400_000.0, 1_300_000.0, 600_000.0],
    }
)
NO_AGES_FOR_2014 = POPULATION[POPULATION["year"] != 2014]


def test_without_the_years_ages_only_all_adult_lines_are_divided_by_all_ages_and_say_so():
    lines = pd.DataFrame(
        [
            # the return's grand totals (age band "Total"): all adults
            line(KENT, "Total", 450_000.0, psr=None, setting=None, source_line=89),
            line(SURREY, "Total", 480_000.0, psr=None, setting=None, source_line=89),
            line(ESSEX, "Total", 350_000.0, psr=None, setting=None, source_line=89),
            # a 65+ line: not divided by all ages
            line(KENT, "Adults aged 65 and over", 30_000.0, source_line=37),
        ]
    )
    table = benchmark_spend_per_head(
        lines,
        NO_AGES_FOR_2014,
        MEMBERS,
        group_id="NN",
        financial_year="2014-15",
        focus_code=KENT,
        population_totals=TOTALS_2014,
    )
    total = table[table["age_band"] == "Total"].set_index("authority_code")
    # Kent 450,000,000 / 1,500,000 = 300; Surrey 480,000,000 / 1,200,000 = 400;
    # Essex 350,000,000 / 1,400,000 = 250
    assert total.loc[[KENT, SURREY, ESSEX], "per_head"].tolist() == [300.0, 400.0, 250.0]
    assert set(total.loc[[KENT, SURREY, ESSEX], "denominator"]) == {"all ages, mid-2014"}
    # Hampshire and Worcestershire have no Total line: nothing was divided, none is named
    assert total.loc[[HANTS, NOLINE], "denominator"].isna().all()
    assert total.loc[KENT, "population"] == 1_500_000.0
    # 400, 300, 250 -> Kent rank 2 of 3; median 300; |dev| 0, 100, 50 -> MAD 50; Kent 0
    assert (total.loc[KENT, "rank"], total.loc[KENT, "group_median"]) == (2.0, 300.0)
    assert total.loc[SURREY, "mads_from_group_median"] == 2.0
    older = table[table["age_band"] == "Adults aged 65 and over"]
    assert older["per_head"].isna().all() and older["denominator"].isna().all()
    assert older["rank"].isna().all() and (older["group_size"] == 0).all()
    # the value itself is kept, as published
    assert older.loc[older["is_focus"], "value"].tolist() == [30_000.0]


def test_a_council_without_a_population_of_the_year_is_not_divided_and_names_none():
    # Hampshire has a Total line but no mid-2014 row (its code is not in the ONS series)
    lines = pd.DataFrame(
        [
            line(KENT, "Total", 450_000.0, psr=None, setting=None, source_line=89),
            line(SURREY, "Total", 480_000.0, psr=None, setting=None, source_line=89),
            line(HANTS, "Total", 999_000.0, psr=None, setting=None, source_line=89),
        ]
    )
    table = benchmark_spend_per_head(
        lines,
        NO_AGES_FOR_2014,
        MEMBERS,
        group_id="NN",
        financial_year="2014-15",
        focus_code=KENT,
        population_totals=TOTALS_2014[TOTALS_2014["area_code"] != HANTS],
    ).set_index("authority_code")
    hants = table.loc[HANTS]
    assert hants["value"] == 999_000.0  # kept as published
    assert np.isnan(hants["population"]) and np.isnan(hants["per_head"])
    assert pd.isna(hants["denominator"]) and np.isnan(hants["rank"])
    # Kent 300 and Surrey 400 per head are ranked without Hampshire: Kent 2 of 2
    assert (table.loc[KENT, "rank"], table.loc[KENT, "group_size"]) == (2.0, 2)
    assert table.loc[KENT, "denominator"] == "all ages, mid-2014"


def test_with_the_years_ages_every_line_uses_its_own_band_even_when_totals_are_given():
    lines = pd.DataFrame(
        [
            line(KENT, "Total", 39_000.0, psr=None, setting=None, source_line=89),
            line(KENT, "Adults aged 65 and over", 30_000.0, source_line=37),
        ]
    )
    table = benchmark_spend_per_head(
        lines,
        POPULATION,
        MEMBERS,
        group_id="NN",
        financial_year="2014-15",
        focus_code=KENT,
        population_totals=TOTALS_2014,
    )
    kent = table[table["is_focus"]].set_index("age_band")
    # Total is all adults: 18+ = 900,000 (18-64) + 300,000 (65+) = 1,200,000 (the child of
    # age 10 is not counted); 39,000,000 / 1,200,000 = 32.5. 65+: 30,000,000 / 300,000 = 100
    assert kent.loc["Total", ["population", "per_head", "denominator"]].tolist() == [
        1_200_000.0,
        32.5,
        "18+, mid-2014",
    ]
    assert kent.loc["Adults aged 65 and over", ["per_head", "denominator"]].tolist() == [
        100.0,
        "65+, mid-2014",
    ]


def test_nothing_to_divide_is_an_error_that_says_why():
    only_65 = pd.DataFrame([line(KENT, "Adults aged 65 and over", 30_000.0)])
    with pytest.raises(ValueError, match="divide only all-adult .Total. lines, and there are none"):
        benchmark_spend_per_head(
            only_65,
            NO_AGES_FOR_2014,
            MEMBERS,
            group_id="NN",
            financial_year="2014-15",
            focus_code=KENT,
            population_totals=TOTALS_2014,
        )
    with pytest.raises(ValueError, match=r"no mid-year 2014 estimates by age .*nor all-ages"):
        benchmark_spend_per_head(
            only_65,
            NO_AGES_FOR_2014,
            MEMBERS,
            group_id="NN",
            financial_year="2014-15",
            focus_code=KENT,
        )


def test_both_outputs_have_exactly_the_columns_of_their_schema():
    from kassanalysis.schemas import FinanceSpendPerHead, FinanceUnitCosts, columns_of

    assert list(spend().columns) == columns_of(FinanceSpendPerHead)
    assert "denominator" in columns_of(FinanceSpendPerHead)
    costs = pd.DataFrame([line(KENT, "65+", 600.0, measure="Unit costs", unit="GBP per week")])
    table = benchmark_unit_costs(
        costs, MEMBERS, group_id="NN", financial_year="2014-15", focus_code=KENT
    )
    assert list(table.columns) == columns_of(FinanceUnitCosts)
