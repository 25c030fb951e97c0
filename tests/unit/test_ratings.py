"""Published RAG ratings against the dashboard rule: worked by hand from the QPR key
(GREEN target achieved or exceeded, AMBER floor achieved, RED floor not achieved)."""

import pandas as pd
import pytest

from kassanalysis.ratings import check_published_ratings

Q3 = dict(
    period="2024-25 Q3",
    period_start=pd.Timestamp("2024-10-01"),
    period_end=pd.Timestamp("2024-12-31"),
)
Q2 = dict(
    period="2024-25 Q2",
    period_start=pd.Timestamp("2024-07-01"),
    period_end=pd.Timestamp("2024-09-30"),
)
INDICATORS = pd.DataFrame(
    {"polarity": ["higher_is_better", "lower_is_better"]},
    index=pd.Index(["CNA28", "RECONTACT"], name="id"),
)


def observations(indicator, actual, target, floor, when=Q3):
    return pd.DataFrame(
        {
            "authority_code": "E10000016",
            "indicator_id": indicator,
            "breakdown": "Total",
            "value_type": ["actual", "target", "floor"],
            "value": [actual, target, floor],
            **when,
        }
    )


def rating(indicator, rag, when=Q3, line=7):
    return pd.DataFrame(
        {
            "authority_code": ["E10000016"],
            "indicator_id": indicator,
            "breakdown": "Total",
            "rag": rag,
            "source_file": "qpr.txt",
            "source_line": line,
            **when,
        }
    )


@pytest.mark.parametrize(
    "indicator, actual, target, floor, published",
    [
        ("CNA28", 74.0, 85.0, 75.0, "Red"),  # below the floor of 75
        ("CNA28", 75.0, 85.0, 75.0, "Amber"),  # exactly on the floor is Amber
        ("CNA28", 85.0, 85.0, 75.0, "Green"),  # exactly on target is Green
        ("RECONTACT", 4.0, 5.0, 9.0, "Green"),  # lower is better: 4% beats a 5% target
        ("RECONTACT", 6.0, 5.0, 9.0, "Amber"),
        ("RECONTACT", 9.5, 5.0, 9.0, "Red"),
    ],
)
def test_ratings_the_rule_reproduces_give_no_finding(indicator, actual, target, floor, published):
    obs = observations(indicator, actual, target, floor)
    assert check_published_ratings(obs, rating(indicator, published), INDICATORS) == []


def test_a_rating_the_rule_does_not_reproduce_is_a_finding_at_its_line():
    obs = observations("RECONTACT", 6.0, 5.0, 9.0)  # 6% misses 5% but meets the 9% floor
    found = check_published_ratings(obs, rating("RECONTACT", "Green", line=248), INDICATORS)
    assert [(p.severity, p.check, p.source_file, p.source_line) for p in found] == [
        ("finding", "published RAG not reproduced", "qpr.txt", 248)
    ]
    assert "published Green" in found[0].message and "is Amber" in found[0].message


def test_a_rating_without_published_thresholds_for_its_period_is_not_checked():
    obs = pd.concat(
        [
            observations("CNA28", 74.0, 85.0, 75.0),
            observations("CNA28", 75.0, float("nan"), float("nan"), when=Q2).iloc[:1],
        ]
    )
    # the previous quarter's target is not printed: its (Green) cannot be checked
    assert check_published_ratings(obs, rating("CNA28", "Green", when=Q2), INDICATORS) == []
