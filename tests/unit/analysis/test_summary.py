"""Tests for kassanalysis.analysis.summary: the one-page summary's matrix, budget and
data-quality lines.

Frames are tiny and built by hand; every expected value is worked out in the comments
beside it (the RAG rules of the cabinet committee dashboard, Armitage's chi-squared for
trend as Fingertips uses it, Wilson intervals, XmR limits), never pasted from the
functions' own output.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kassanalysis.analysis.summary import (
    anchor_for,
    summarise_budget_monitoring,
    summarise_data_quality,
    summarise_headline,
    summarise_indicators_for_dashboard,
)
from kassanalysis.schemas import ComparatorMembers, IndicatorObservations

KENT, B, C, D = "E10000016", "E10000002", "E10000003", "E10000004"
ENGLAND = "E92000001"
NAMES = {KENT: "Kent", B: "Council B", C: "Council C", D: "Council D", ENGLAND: "England"}
RATE = "rate per 10000 population aged 65+"

INDICATORS = pd.DataFrame(
    {
        "id": ["PB", "ADM", "SPC", "ACT"],
        "name": [
            "Personal budgets",
            "Admissions to permanent residential care",
            "Reviews on time",
            "Older people in residential care",
        ],
        "unit": ["%", RATE, "%", "count of people"],
        "polarity": ["higher_is_better", "lower_is_better", "higher_is_better", "no_polarity"],
        "denominator_band": [np.nan] * 4,
        "per": [np.nan, 10000.0, np.nan, np.nan],
        "min_possible": [0.0, 0.0, 0.0, 0.0],
        "max_possible": [100.0, np.nan, 100.0, np.nan],
    }
).set_index("id")

MEMBERS = ComparatorMembers.validate(
    pd.DataFrame(
        {"group_id": "NN", "authority_code": [KENT, B, C, D], "source": "test"},
    )
)


def year(label: str) -> tuple[str, str, str, str]:
    """(period, period_type, start, end) of a financial year such as ``2013-14``."""
    first = int(label[:4])
    return label, "year", f"{first}-04-01", f"{first + 1}-03-31"


def obs(indicator, period, value_type, value, *, authority=KENT, num=None, den=None, status=None):
    label, kind, start, end = year(period)
    return {
        "authority_code": authority,
        "authority_name": NAMES[authority],
        "indicator_id": indicator,
        "breakdown": "Total",
        "period": label,
        "period_type": kind,
        "period_start": pd.Timestamp(start),
        "period_end": pd.Timestamp(end),
        "value_type": value_type,
        "value": value,
        "unit": INDICATORS.loc[indicator, "unit"],
        "numerator": num,
        "denominator": den,
        "status": status or ("reported" if value is not None else "missing"),
        "source_file": "kpi.txt",
        "source_sheet": None,
        "source_text": None,
    }


def frame(rows: list[dict]) -> pd.DataFrame:
    table = pd.DataFrame(rows)
    table["source_line"] = range(1, len(table) + 1)
    return IndicatorObservations.validate(table)


def observations() -> pd.DataFrame:
    rows = []
    # PB: Kent's five years 2009-10..2013-14 with 10, 20, 30, 40, 50 of 100 (%), the
    # 2013-14 target 45 and floor 40; three other councils and England in 2013-14 only.
    for i, count in enumerate([10, 20, 30, 40, 50]):
        rows.append(obs("PB", f"{2009 + i}-{10 + i}", "actual", count, num=count, den=100))
    rows += [
        obs("PB", "2013-14", "target", 45.0),
        obs("PB", "2013-14", "floor", 40.0),
        obs("PB", "2013-14", "actual", 30.0, authority=B, num=30, den=100),
        obs("PB", "2013-14", "actual", 40.0, authority=C, num=40, den=100),
        obs("PB", "2013-14", "actual", 20.0, authority=D, num=20, den=100),
        obs("PB", "2013-14", "actual", 20.0, authority=ENGLAND, num=2000, den=10000),
    ]
    # ADM (lower is better): 6.1 against target 5.7 and floor 6.5
    rows += [
        obs("ADM", "2012-13", "actual", 6.4),
        obs("ADM", "2013-14", "actual", 6.1),
        obs("ADM", "2013-14", "target", 5.7),
        obs("ADM", "2013-14", "floor", 6.5),
    ]
    # SPC: twelve years 2002-03..2013-14, no counts; target 10 for 2013-14, no floor
    for i, value in enumerate([5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5]):
        rows.append(obs("SPC", f"{2002 + i}-{(3 + i) % 100:02d}", "actual", float(value)))
    rows.append(obs("SPC", "2013-14", "target", 10.0))
    # ACT: an activity count, suppressed in 2013-14
    rows += [
        obs("ACT", "2012-13", "actual", 2690.0),
        obs("ACT", "2013-14", "actual", None, status="suppressed"),
    ]
    return frame(rows)


@pytest.fixture(scope="module")
def dashboard() -> pd.DataFrame:
    table = summarise_indicators_for_dashboard(
        observations(),
        MEMBERS,
        INDICATORS,
        authority=KENT,
        indicator_ids=["PB", "ADM", "SPC", "ACT"],
        period="2013-14",
        group_id="NN",
        group_name="Test neighbours",
    )
    return table.set_index("indicator_id")


def test_one_row_per_indicator_in_the_order_given_with_its_anchor(dashboard):
    assert list(dashboard.index) == ["PB", "ADM", "SPC", "ACT"]
    assert dashboard.loc["PB", "anchor"] == "indicator-pb"
    assert anchor_for("KCC-OPPD-ADMRES") == "indicator-kcc-oppd-admres"


def test_rag_is_amber_between_floor_and_target_when_lower_is_better(dashboard):
    # 6.1 is above (worse than) the target 5.7 but below (better than) the floor 6.5
    row = dashboard.loc["ADM"]
    assert row["rag"] == "Amber"
    assert row["rag_tone"] == "warning"
    assert row["rag_text"] == "Amber: 6.1 against target 5.7, floor 6.5"
    # 6.4 -> 6.1 is a fall, and lower is better
    assert row["direction"] == "improving"
    assert row["direction_tone"] == "good"


def test_rag_green_when_target_met(dashboard):
    # 50% against a target of 45% (floor 40%)
    row = dashboard.loc["PB"]
    assert row["rag"] == "Green" and row["rag_tone"] == "good"
    assert row["latest_text"] == "50.0%" and row["latest_period"] == "2013-14"


def test_recent_trend_of_a_proportion_is_armitages_chi_squared(dashboard):
    # c = 10, 20, 30, 40, 50 of d = 100 each, t = 0..4 (the statistic depends only on the
    # spacing of the years). C = 150, D = 500, Sum(ct) = 400, Sum(dt) = 1000,
    # Sum(dt^2) = 3000. X2 = D (D Sum(ct) - C Sum(dt))^2 / (C (D - C) (D Sum(dt^2) -
    # Sum(dt)^2)) = 500 x 50000^2 / (150 x 350 x 500000) = 1.25e12 / 2.625e10 = 47.6,
    # above 9.5495; every leave-one-out slope stays positive: increasing, and higher is
    # better, so getting better.
    row = dashboard.loc["PB"]
    assert row["recent_trend"] == "increasing"
    assert row["recent_trend_text"] == "increasing and getting better"
    assert row["recent_trend_tone"] == "good"


def test_england_comparison_names_the_benchmark_and_both_levels(dashboard):
    # Kent 50 of 100: Wilson 95% about 40.4% to 59.6%, 99.8% (z = 3.09) about 35.2% to
    # 64.8%; both exclude England's 20%, and higher is better: better at 99.8%.
    row = dashboard.loc["PB"]
    assert row["england_benchmark"] == "England value (2013-14)"
    assert (row["england_95"], row["england_998"]) == ("better", "better")
    assert row["england_text"] == "better than the England value (2013-14) at the 99.8% level"
    assert row["england_tone"] == "good"


def test_rank_and_quartile_among_the_named_group(dashboard):
    # 50 > 40 > 30 > 20: Kent is 1 of 4; quartile ceil(4 x 1 / 4) = 1
    row = dashboard.loc["PB"]
    assert (row["rank"], row["group_size"], row["quartile"]) == (1.0, 4.0, 1.0)
    assert row["rank_text"] == (
        "1 of 4 in Test neighbours (n = 4 with a figure, 2013-14); quartile 1 (1 = best)"
    )


def test_a_council_alone_in_its_group_is_not_ranked(dashboard):
    row = dashboard.loc["ADM"]
    assert row["rank_text"].startswith("not ranked: no other council in Test neighbours")
    assert math.isnan(row["rank"]) and math.isnan(row["quartile"])
    assert row["england_text"] == "not compared: no other council publishes this figure"


def test_spc_variation_and_assurance_for_twelve_points(dashboard):
    # 5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5: mean 69 / 12 = 5.75; moving ranges 1, 1, 2, 1,
    # 1, 1, 1, 2, 1, 0, 1 (mean 12 / 11 = 1.0909); limits 5.75 +- 2.66 x 1.0909 = 2.85 to
    # 8.65. No rule fires (no run of 7, no trend of 6, nothing outside): common cause.
    # The target 10 is above the upper limit and higher is better: consistently fails.
    row = dashboard.loc["SPC"]
    assert row["spc_variation"] == "common_cause"
    assert row["spc_variation_text"] == "common cause"
    assert row["spc_assurance"] == "consistent_fail"
    assert row["spc_assurance_text"] == "consistently fails the target"
    assert row["spc_tone"] == "concern"
    # 5 against a target of 10 with no floor set
    assert row["rag"] == "Below target (no floor set)"
    # no counts and no intervals: the trend test cannot use the values
    assert row["recent_trend"] == "cannot be calculated"
    assert row["recent_trend_text"].startswith("cannot be calculated: missing")


def test_short_series_say_how_many_points_they_have(dashboard):
    row = dashboard.loc["ADM"]
    assert row["spc_variation"] is None or pd.isna(row["spc_variation"])
    assert row["spc_variation_text"] == "not shown: 2 points in the series (12 needed)"
    assert row["recent_trend_text"] == "cannot be calculated: not enough data points"


def test_suppressed_and_activity_values_are_words_not_blanks(dashboard):
    row = dashboard.loc["ACT"]
    assert row["latest_text"] == "suppressed"
    assert math.isnan(row["latest_value"])
    assert row["rag"] == "Not rated"
    assert row["rag_text"].startswith("not rated: an activity indicator")
    text_columns = [c for c in dashboard.columns if c.endswith("_text")]
    assert not dashboard[text_columns].isna().any().any()
    assert (dashboard[text_columns] != "").all().all()


def test_unknown_indicator_is_refused():
    with pytest.raises(KeyError, match="NOPE"):
        summarise_indicators_for_dashboard(
            observations(),
            MEMBERS,
            INDICATORS,
            authority=KENT,
            indicator_ids=["NOPE"],
            period="2013-14",
            group_id="NN",
            group_name="Test neighbours",
        )


def budget_lines() -> pd.DataFrame:
    rows = []
    for line, (name, row_type, budget, forecast) in enumerate(
        [
            ("Residential", "line", 100.0, 130.0),
            ("Home care", "line", 200.0, 190.0),
            ("Day care", "line", 50.0, 52.0),
            ("Total", "total", 350.0, 372.0),
        ],
        start=2,
    ):
        for measure, value in (("budget", budget), ("forecast_outturn", forecast)):
            rows.append(
                {
                    "unit": "OP",
                    "period": "2013-14 Q1",
                    "line_code": None,
                    "line_name": name,
                    "row_type": row_type,
                    "measure": measure,
                    "value": value,
                    "source_file": "q1.csv",
                    "source_line": line,
                }
            )
    return pd.DataFrame(rows)


def test_budget_position_is_the_total_then_the_largest_variances():
    table = summarise_budget_monitoring(
        budget_lines(), units=["OP"], period="2013-14 Q1", n_largest=2
    )
    # total 372 - 350 = +22 (22 / 350 = 6.29%); lines +30, -10, +2: the two largest by
    # size are Residential (+30, 30%) and Home care (-10, 5%)
    assert table["kind"].tolist() == ["total", "largest variance", "largest variance"]
    assert table["line_name"].tolist() == ["Total", "Residential", "Home care"]
    assert table["forecast_variance"].tolist() == [22.0, 30.0, -10.0]
    assert table["text"].tolist() == [
        "forecast overspend of £22.0 thousand (6.3% of budget)",
        "forecast overspend of £30.0 thousand (30.0% of budget)",
        "forecast underspend of £10.0 thousand (5.0% of budget)",
    ]
    assert table["tone"].tolist() == ["concern", "concern", "good"]
    assert table["source_line"].tolist() == [5, 2, 3]


def test_no_monitoring_return_gives_no_rows_and_the_headline_says_so():
    table = summarise_budget_monitoring(budget_lines(), units=["OP"], period="2013-14 Q2")
    assert table.empty
    headline = summarise_headline(
        pd.DataFrame({"rag": ["Amber", "Green", "Red", "Red", "Not rated"]}),
        table,
        period="2013-14 Q2",
    ).iloc[0]
    assert (headline["red"], headline["amber"], headline["green"], headline["other"]) == (
        2,
        1,
        1,
        1,
    )
    assert headline["budget_text"] == ("not available: no budget monitoring return for 2013-14 Q2")


def test_a_truncated_table_is_one_line_however_many_findings():
    quality = pd.DataFrame(
        {
            "source_file": ["ld.txt"] * 9 + ["staff.txt", "staff.txt", "other.txt"],
            "source_line": [float(i) for i in range(20, 29)] + [17.0, 12.0, 1.0],
            "message": [f"total {i} does not add up" for i in range(9)]
            + ["Resources Total is 249.34; lines add to 240.34", "Earlier line", "x"],
        }
    )
    table = summarise_data_quality(
        quality, {"ld.txt": "header lost at a\n  page break"}, files={"ld.txt", "staff.txt"}
    )
    assert table["source_file"].tolist() == ["ld.txt", "staff.txt"]
    assert table["findings"].tolist() == [9, 2]
    assert table["text"].tolist() == [
        "marked truncated in the catalogue: header lost at a page break (9 findings)",
        "2 findings: Earlier line (line 12)",
    ]
