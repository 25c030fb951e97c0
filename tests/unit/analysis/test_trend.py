"""Tests for kassanalysis.analysis.trend.

Frames are tiny and built by hand; every expected value is worked out in the comments
beside it, never pasted from the functions' own output. The observation rows get
``source_line`` 1, 2, 3... in the order they are listed, so provenance can be checked by
counting rows.
"""

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from kassanalysis.analysis.trend import (
    chart_spc,
    describe_direction,
    list_targets,
    summarise_trend,
)
from kassanalysis.periods import make_quarter, parse_period
from kassanalysis.schemas import IndicatorObservations

KENT = "E10000016"
MEDWAY = "E06000035"
FILE = "kpi.txt"
NA = pd.NA


def row(
    indicator, period, value_type, value, status=None, authority=KENT, breakdown="Total", unit="%"
):
    """One observation; status defaults to reported (a number) or missing (None)."""
    return dict(
        indicator=indicator,
        period=period,
        value_type=value_type,
        value=value,
        status=status or ("reported" if value is not None else "missing"),
        authority=authority,
        breakdown=breakdown,
        unit=unit,
    )


def make_observations(*rows):
    """An IndicatorObservations frame, validated, with source_line = position (from 1)."""
    records = []
    for line, r in enumerate(rows, start=1):
        period = parse_period(r["period"])
        records.append(
            {
                "authority_code": r["authority"],
                "authority_name": "Kent" if r["authority"] == KENT else "Other",
                "indicator_id": r["indicator"],
                "breakdown": r["breakdown"],
                "period": period.label,
                "period_type": period.kind,
                "period_start": pd.Timestamp(period.start),
                "period_end": pd.Timestamp(period.end),
                "value_type": r["value_type"],
                "value": np.nan if r["value"] is None else float(r["value"]),
                "unit": r["unit"],
                "numerator": np.nan,
                "denominator": np.nan,
                "status": r["status"],
                "source_file": FILE,
                "source_sheet": None,
                "source_line": line,
                "source_text": None if r["value"] is None else str(r["value"]),
            }
        )
    return IndicatorObservations.validate(pd.DataFrame(records))


def expected_trend(**columns):
    """A summarise_trend frame with the documented column order and dtypes."""
    frame = pd.DataFrame(columns)
    dtypes = {
        "period": "str",
        "period_type": "str",
        "period_end": "datetime64[ns]",
        "actual": "float64",
        "status": "str",
        "target": "float64",
        "target_period": "str",
        "change": "float64",
        "pct_change": "float64",
        "direction": "str",
        "met_target": "boolean",
        "source_file": "str",
        "source_line": "int64",
    }
    return frame[list(dtypes)].astype(dtypes)


# ---------------------------------------------------------------------------------------------
# summarise_trend
# ---------------------------------------------------------------------------------------------


def test_trend_higher_is_better_with_missing_value_in_the_middle():
    # Rows listed out of order (source lines in brackets):
    #   Q4 70 (1), Q1 60 (2), 2014-15 Q1 70 (3), Q3 missing (4), Q2 66 (5);
    #   targets Q1 62 (6), Q2 66 (7), Q3 68 (8), Q4 72 (9); none for 2014-15 Q1.
    obs = make_observations(
        row("PB", "2013-14 Q4", "actual", 70),
        row("PB", "2013-14 Q1", "actual", 60),
        row("PB", "2014-15 Q1", "actual", 70),
        row("PB", "2013-14 Q3", "actual", None),
        row("PB", "2013-14 Q2", "actual", 66),
        row("PB", "2013-14 Q1", "target", 62),
        row("PB", "2013-14 Q2", "target", 66),
        row("PB", "2013-14 Q3", "target", 68),
        row("PB", "2013-14 Q4", "target", 72),
    )
    before = obs.copy()
    result = summarise_trend(
        obs, indicator_id="PB", polarity="higher_is_better", authority_code="E10000016"
    )
    # change: first point has nothing before it; Q2 - Q1 = 66 - 60 = 6; Q3 is missing so
    #   Q3 - Q2 and Q4 - Q3 are both not comparable; 2014-15 Q1 - Q4 = 70 - 70 = 0.
    # pct_change: 6 / 60 * 100 = 10.0; 0 / 70 * 100 = 0.0.
    # met_target: 60 < 62 no; 66 = 66 met (equal counts); Q3 no actual -> NA;
    #   70 < 72 no; 2014-15 Q1 has no target -> NA.
    expected = expected_trend(
        period=["2013-14 Q1", "2013-14 Q2", "2013-14 Q3", "2013-14 Q4", "2014-15 Q1"],
        period_type=["quarter"] * 5,
        period_end=pd.to_datetime(
            ["2013-06-30", "2013-09-30", "2013-12-31", "2014-03-31", "2014-06-30"]
        ),
        actual=[60.0, 66.0, np.nan, 70.0, 70.0],
        status=["reported", "reported", "missing", "reported", "reported"],
        target=[62.0, 66.0, 68.0, 72.0, np.nan],
        target_period=["2013-14 Q1", "2013-14 Q2", "2013-14 Q3", "2013-14 Q4", None],
        change=[np.nan, 6.0, np.nan, np.nan, 0.0],
        pct_change=[np.nan, 10.0, np.nan, np.nan, 0.0],
        direction=["not comparable", "improving", "not comparable", "not comparable", "no change"],
        met_target=pd.array([False, True, NA, False, NA], dtype="boolean"),
        source_file=[FILE] * 5,
        source_line=[2, 5, 4, 1, 3],
    )
    assert_frame_equal(result, expected)
    assert_frame_equal(obs, before)  # input untouched


def test_trend_lower_is_better_direction_and_year_falls_back_to_q4_target():
    # Admissions (lower is better): 5.0 -> 4.0 -> 4.5.
    # change -1.0 (a fall: improving), +0.5 (a rise: worsening);
    # pct_change -1 / 5 * 100 = -20.0; 0.5 / 4 * 100 = 12.5.
    # Targets: none for the year 2012-13 itself, but 2012-13 Q4 = 3.9, so the year is judged
    # against its Q4 target: 4.0 > 3.9 is missed. 2013-14 target 4.5: 4.5 = 4.5 is met.
    obs = make_observations(
        row("ADM", "2011-12", "actual", 5.0, unit="rate"),
        row("ADM", "2012-13", "actual", 4.0, unit="rate"),
        row("ADM", "2013-14", "actual", 4.5, unit="rate"),
        row("ADM", "2012-13 Q3", "target", 3.7, unit="rate"),
        row("ADM", "2012-13 Q4", "target", 3.9, unit="rate"),
        row("ADM", "2013-14", "target", 4.5, unit="rate"),
    )
    result = summarise_trend(
        obs, indicator_id="ADM", polarity="lower_is_better", authority_code="E10000016"
    )
    expected = expected_trend(
        period=["2011-12", "2012-13", "2013-14"],
        period_type=["year"] * 3,
        period_end=pd.to_datetime(["2012-03-31", "2013-03-31", "2014-03-31"]),
        actual=[5.0, 4.0, 4.5],
        status=["reported"] * 3,
        target=[np.nan, 3.9, 4.5],
        target_period=[None, "2012-13 Q4", "2013-14"],
        change=[np.nan, -1.0, 0.5],
        pct_change=[np.nan, -20.0, 12.5],
        direction=["not comparable", "improving", "worsening"],
        met_target=pd.array([NA, False, True], dtype="boolean"),
        source_file=[FILE] * 3,
        source_line=[1, 2, 3],
    )
    assert_frame_equal(result, expected)


def test_trend_no_polarity_says_up_and_down_and_pct_change_from_zero_is_nan():
    # Counts 0, 3, 3, 2 by month: changes +3, 0, -1.
    # pct_change: from 0 is undefined -> NaN; 0 / 3 = 0.0; -1 / 3 * 100 = -33.333...
    # A target is ignored for met_target: activity indicators are not good or bad.
    obs = make_observations(
        row("ACT", "Sep 2012", "actual", 0, unit="count of people"),
        row("ACT", "Oct 2012", "actual", 3, unit="count of people"),
        row("ACT", "Nov 2012", "actual", 3, unit="count of people"),
        row("ACT", "Dec 2012", "actual", 2, unit="count of people"),
        row("ACT", "2012-13 Q3", "target", 2, unit="count of people"),
    )
    result = summarise_trend(
        obs, indicator_id="ACT", polarity="no_polarity", authority_code="E10000016"
    )
    assert result["change"].tolist()[1:] == [3.0, 0.0, -1.0]
    assert np.isnan(result["pct_change"].iloc[1])
    assert result["pct_change"].iloc[2] == 0.0
    assert np.isclose(result["pct_change"].iloc[3], -100 / 3)
    assert result["direction"].tolist() == ["not comparable", "up", "no change", "down"]
    assert result["met_target"].isna().all()


def test_trend_month_actual_uses_its_own_target_else_the_containing_quarter():
    # Nov 2012 has a monthly target (5.9); Dec 2012 has none, so the phased 2012-13 Q3
    # target (Oct-Dec, 5.7) applies, not the Q4 one (5.5). Lower is better:
    # Nov 5.9 = 5.9 met; Dec 5.8 > 5.7 missed.
    obs = make_observations(
        row("ADM", "Nov 2012", "actual", 5.9, unit="rate"),
        row("ADM", "Dec 2012", "actual", 5.8, unit="rate"),
        row("ADM", "Nov 2012", "target", 5.9, unit="rate"),
        row("ADM", "2012-13 Q3", "target", 5.7, unit="rate"),
        row("ADM", "2012-13 Q4", "target", 5.5, unit="rate"),
    )
    result = summarise_trend(
        obs, indicator_id="ADM", polarity="lower_is_better", authority_code="E10000016"
    )
    assert result["target_period"].tolist() == ["Nov 2012", "2012-13 Q3"]
    assert result["target"].tolist() == [5.9, 5.7]
    assert result["met_target"].tolist() == [True, False]
    assert result["direction"].tolist() == ["not comparable", "improving"]


def test_trend_up_to_keeps_periods_ending_by_its_end():
    obs = make_observations(
        row("PB", "2013-14 Q1", "actual", 60),
        row("PB", "2013-14 Q2", "actual", 66),
        row("PB", "2013-14 Q3", "actual", 70),
    )
    # Q2 ends 30 Sep 2013: Q1 and Q2 are kept, Q3 (ends 31 Dec) is not.
    by_label = summarise_trend(
        obs,
        indicator_id="PB",
        polarity="higher_is_better",
        up_to="2013-14 Q2",
        authority_code="E10000016",
    )
    by_period = summarise_trend(
        obs,
        indicator_id="PB",
        polarity="higher_is_better",
        up_to=make_quarter(2013, 2),
        authority_code="E10000016",
    )
    assert by_label["period"].tolist() == ["2013-14 Q1", "2013-14 Q2"]
    assert_frame_equal(by_label, by_period)
    # August 2013 ends before Q2 does, so only Q1 is complete by then.
    by_month = summarise_trend(
        obs,
        indicator_id="PB",
        polarity="higher_is_better",
        up_to="Aug 2013",
        authority_code="E10000016",
    )
    assert by_month["period"].tolist() == ["2013-14 Q1"]


def test_trend_keeps_one_council_and_breakdown_and_optionally_one_period_type():
    obs = make_observations(
        row("PB", "2012-13", "actual", 50),
        row("PB", "2013-14 Q1", "actual", 60),
        row("PB", "2013-14 Q1", "actual", 99, authority=MEDWAY),
        row("PB", "2013-14 Q1", "actual", 98, breakdown="Female"),
    )
    result = summarise_trend(
        obs, indicator_id="PB", polarity="higher_is_better", authority_code="E10000016"
    )
    assert result["actual"].tolist() == [50.0, 60.0]
    assert result["source_line"].tolist() == [1, 2]
    quarters = summarise_trend(
        obs,
        indicator_id="PB",
        polarity="higher_is_better",
        period_type="quarter",
        authority_code="E10000016",
    )
    assert quarters["period"].tolist() == ["2013-14 Q1"]
    medway = summarise_trend(
        obs, indicator_id="PB", polarity="higher_is_better", authority_code=MEDWAY
    )
    assert medway["actual"].tolist() == [99.0]


def test_trend_of_unknown_indicator_is_empty_with_the_documented_columns():
    obs = make_observations(row("PB", "2013-14 Q1", "actual", 60))
    result = summarise_trend(
        obs, indicator_id="NONE", polarity="higher_is_better", authority_code="E10000016"
    )
    assert result.empty
    assert_frame_equal(
        result,
        expected_trend(
            **{
                c: []
                for c in [
                    "period",
                    "period_type",
                    "period_end",
                    "actual",
                    "status",
                    "target",
                    "target_period",
                    "change",
                    "pct_change",
                    "direction",
                    "met_target",
                    "source_file",
                    "source_line",
                ]
            }
        ),
    )


def test_trend_same_value_published_twice_is_kept_once_but_conflict_raises():
    same = make_observations(
        row("PB", "2013-14 Q1", "actual", 60),
        row("PB", "2013-14 Q1", "actual", 60),
    )
    result = summarise_trend(
        same, indicator_id="PB", polarity="higher_is_better", authority_code="E10000016"
    )
    assert result["source_line"].tolist() == [1]  # the first by file and line
    conflict = make_observations(
        row("PB", "2013-14 Q1", "actual", 60),
        row("PB", "2013-14 Q1", "actual", 61),
    )
    with pytest.raises(ValueError, match="published as 60 .* and as 61"):
        summarise_trend(
            conflict, indicator_id="PB", polarity="higher_is_better", authority_code="E10000016"
        )


def test_trend_rejects_unknown_polarity():
    obs = make_observations(row("PB", "2013-14 Q1", "actual", 60))
    with pytest.raises(ValueError, match="polarity"):
        summarise_trend(obs, indicator_id="PB", polarity="up_is_good", authority_code="E10000016")


# ---------------------------------------------------------------------------------------------
# list_targets
# ---------------------------------------------------------------------------------------------


def test_list_targets_gives_phased_targets_floors_and_tbc():
    # The 2013-14 plan's phasing for personal budgets (70, 77, 84 ...), Q4 published as TBC,
    # and a floor for the year. The actual is not a target and is left out.
    obs = make_observations(
        row("PB", "2013-14 Q1", "target", 70),
        row("PB", "2013-14 Q2", "target", 77),
        row("PB", "2013-14 Q3", "target", 84),
        row("PB", "2013-14 Q4", "target", None, status="to_be_confirmed"),
        row("PB", "2013-14", "floor", 64),
        row("PB", "2013-14 Q1", "actual", 68),
    )
    result = list_targets(obs, indicator_id="PB", authority_code="E10000016")
    # Ordered by last day, then first day: the year (from 1 Apr 2013) comes before its Q4
    # (from 1 Jan 2014), both ending 31 Mar 2014.
    expected = pd.DataFrame(
        {
            "period": ["2013-14 Q1", "2013-14 Q2", "2013-14 Q3", "2013-14", "2013-14 Q4"],
            "period_type": ["quarter", "quarter", "quarter", "year", "quarter"],
            "period_end": pd.to_datetime(
                ["2013-06-30", "2013-09-30", "2013-12-31", "2014-03-31", "2014-03-31"]
            ),
            "target": [70.0, 77.0, 84.0, np.nan, np.nan],
            "target_status": ["reported", "reported", "reported", None, "to_be_confirmed"],
            "floor": [np.nan, np.nan, np.nan, 64.0, np.nan],
            "floor_status": [None, None, None, "reported", None],
            "target_source_file": [FILE, FILE, FILE, None, FILE],
            "target_source_line": pd.array([1, 2, 3, NA, 4], dtype="Int64"),
            "floor_source_file": [None, None, None, FILE, None],
            "floor_source_line": pd.array([NA, NA, NA, 5, NA], dtype="Int64"),
        }
    ).astype(
        {
            "period": "str",
            "period_type": "str",
            "period_end": "datetime64[ns]",
            "target_status": "str",
            "floor_status": "str",
            "target_source_file": "str",
            "floor_source_file": "str",
        }
    )
    assert_frame_equal(result, expected)


# ---------------------------------------------------------------------------------------------
# chart_spc
# ---------------------------------------------------------------------------------------------


def _quarters(n):
    """Labels of n consecutive quarters from 2011-12 Q1."""
    return [make_quarter(2011 + i // 4, i % 4 + 1).label for i in range(n)]


def _alternating_trend(n, missing_at=None):
    values = [10 if i % 2 == 0 else 12 for i in range(n)]
    rows = [
        row("PB", label, "actual", None if i == missing_at else value)
        for i, (label, value) in enumerate(zip(_quarters(n), values, strict=True))
    ]
    return summarise_trend(
        make_observations(*rows),
        indicator_id="PB",
        polarity="higher_is_better",
        authority_code="E10000016",
    )


def test_spc_needs_twelve_points():
    assert chart_spc(_alternating_trend(11), "higher_is_better") is None
    chart = chart_spc(_alternating_trend(12), "higher_is_better")
    # 10, 12, 10, 12, ...: mean 11; every moving range is 2, so the mean moving range is 2
    # and the limits are 11 -/+ 2.66 x 2 = 5.68 and 16.32. Alternating points make no run
    # of 7 on one side, no trend of 7, and none is beyond the 2-sigma line
    # (11 + 1.7733 x 2 = 14.55), so every point is common cause.
    assert chart.index.name == "period"
    assert chart.index.tolist() == _quarters(12)
    assert np.allclose(chart["mean"], 11.0)
    assert np.allclose(chart["mean_moving_range"], 2.0)
    assert np.allclose(chart["lower_limit"], 5.68)
    assert np.allclose(chart["upper_limit"], 16.32)
    assert (chart["variation"] == "common cause").all()


def test_spc_counts_only_non_missing_points():
    # 13 quarters with one missing: 12 non-missing points, enough for a chart, and the
    # missing quarter stays as a row with no limits.
    chart = chart_spc(_alternating_trend(13, missing_at=5), "higher_is_better")
    assert len(chart) == 13
    assert np.isnan(chart.loc["2012-13 Q2", "mean"])
    # 12 quarters with one missing: only 11 points, no chart.
    assert chart_spc(_alternating_trend(12, missing_at=5), "higher_is_better") is None
    # The threshold can be lowered explicitly.
    six = chart_spc(_alternating_trend(6), "higher_is_better", min_points=6)
    # the same alternation of 10 and 12: mean 11, limits 11 -/+ 2.66 x 2
    assert len(six) == 6 and np.allclose(six["mean"], 11.0)
    assert np.allclose(six[["lower_limit", "upper_limit"]], [5.68, 16.32])


def test_spc_refuses_mixed_period_types_and_tiny_min_points():
    mixed = pd.DataFrame(
        {
            "period": ["2012-13", "2013-14 Q1"],
            "period_type": ["year", "quarter"],
            "actual": [1.0, 2.0],
        }
    )
    with pytest.raises(ValueError, match="mixes period types"):
        chart_spc(mixed, "higher_is_better", min_points=2)
    with pytest.raises(ValueError, match="min_points"):
        chart_spc(mixed, "higher_is_better", min_points=1)


# ---------------------------------------------------------------------------------------------
# describe_direction
# ---------------------------------------------------------------------------------------------


def _pb_trend():
    obs = make_observations(
        row("PB", "2013-14 Q1", "actual", 60),
        row("PB", "2013-14 Q2", "actual", 66),
        row("PB", "2013-14 Q3", "actual", None),
        row("PB", "2013-14 Q4", "actual", 70),
        row("PB", "2014-15 Q1", "actual", 70),
        row("PB", "2013-14 Q2", "target", 66),
        row("PB", "2013-14 Q4", "target", 72),
    )
    return summarise_trend(
        obs, indicator_id="PB", polarity="higher_is_better", authority_code="E10000016"
    )


def test_describe_improving_percentage_against_target():
    # 60 -> 66 is up 6.0 percentage points (higher is better: improving); 66 meets 66.
    sentence = describe_direction(_pb_trend().head(2), "higher_is_better", "%")
    assert sentence == (
        "Improving: 66.0% in 2013-14 Q2 (target 66.0%, met), up 6.0 percentage "
        "points from 60.0% in 2013-14 Q1."
    )


def test_describe_missing_latest_and_missing_previous_and_no_change():
    trend = _pb_trend()
    assert describe_direction(trend.head(3), "higher_is_better", "%") == (
        "No data for 2013-14 Q3 (the figure is missing); the latest published figure is 66.0% "
        "in 2013-14 Q2."
    )
    assert describe_direction(trend.head(4), "higher_is_better", "%") == (
        "70.0% in 2013-14 Q4 (target 72.0%, not met); not comparable with 2013-14 Q3, for which "
        "the figure is missing."
    )
    assert describe_direction(trend, "higher_is_better", "%") == (
        "No change: 70.0% in 2014-15 Q1, the same as in 2013-14 Q4."
    )
    assert describe_direction(trend.head(1), "higher_is_better", "%") == (
        "60.0% in 2013-14 Q1; there is no earlier figure to compare with."
    )
    assert describe_direction(trend.head(0), "higher_is_better", "%") == (
        "No figures have been published."
    )


def test_describe_lower_is_better_rate_with_quarter_target_for_a_month():
    obs = make_observations(
        row("ADM", "Nov 2012", "actual", 5.9, unit="rate"),
        row("ADM", "Dec 2012", "actual", 5.8, unit="rate"),
        row("ADM", "2012-13 Q3", "target", 5.7, unit="rate"),
    )
    trend = summarise_trend(
        obs, indicator_id="ADM", polarity="lower_is_better", authority_code="E10000016"
    )
    # 5.9 -> 5.8: down 0.1, i.e. 0.1 / 5.9 = 1.69...% -> "1.7%"; a fall is an improvement
    # when lower is better. 5.8 is above the Q3 target of 5.7, so not met.
    assert describe_direction(trend, "lower_is_better", "rate per 10000 population aged 65+") == (
        "Improving: 5.8 per 10,000 aged 65+ in Dec 2012 (2012-13 Q3 target 5.7, "
        "not met), down 0.1 (1.7%) from 5.9 in Nov 2012."
    )


def test_describe_activity_count_has_no_judgement():
    trend = pd.DataFrame(
        {
            "period": ["Dec 2012", "2012-13"],
            "actual": [2707.0, 2736.0],
            "status": "reported",
            "target": np.nan,
            "target_period": None,
        }
    )
    # 2736 - 2707 = 29; 29 / 2707 = 1.071...% -> "1.1%".
    assert describe_direction(trend, "no_polarity", "count of people") == (
        "2,736 people in 2012-13, up 29 (1.1%) from 2,707 in Dec 2012."
    )
