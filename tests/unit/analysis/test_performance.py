"""Tests for kassanalysis.analysis.performance: the dashboard RAG and activity-range rules.

Frames are tiny and built by hand; expected values are worked out in the comments beside
them (the rules are those of the cabinet committee dashboard described in DOMAIN.md), never
pasted from the functions' own output. Observation rows get ``source_line`` 1, 2, 3... in
the order they are listed.
"""

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from kassanalysis.analysis.performance import (
    assess_rag,
    check_activity_range,
    rate_against_target,
)
from kassanalysis.periods import make_quarter, parse_period
from kassanalysis.schemas import IndicatorObservations

KENT = "E10000016"
FILE = "kpi.txt"
NA = pd.NA
RATE = "rate per 10000 population aged 65+"
COUNT = "count of people"

INDICATORS = pd.DataFrame(
    {
        "id": ["PB", "ADM", "UNUSED", "RES", "NURS", "PDDP", "HOME"],
        "name": [
            "Personal budgets",
            "Admissions to permanent residential care",
            "Never published",
            "Older people in residential care",
            "Older people in nursing care",
            "PD direct payments",
            "Older people receiving home care",
        ],
        "unit": ["%", RATE, "%", COUNT, COUNT, COUNT, COUNT],
        "polarity": [
            "higher_is_better",
            "lower_is_better",
            "higher_is_better",
            "no_polarity",
            "no_polarity",
            "no_polarity",
            "no_polarity",
        ],
        "threshold": [None, None, None, "upper", "lower", None, "upper"],
    }
).set_index("id")


def row(indicator, period, value_type, value, status=None, authority=KENT):
    """One observation; status defaults to reported (a number) or missing (None)."""
    return dict(
        indicator=indicator,
        period=period,
        value_type=value_type,
        value=value,
        status=status or ("reported" if value is not None else "missing"),
        authority=authority,
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
                "breakdown": "Total",
                "period": period.label,
                "period_type": period.kind,
                "period_start": pd.Timestamp(period.start),
                "period_end": pd.Timestamp(period.end),
                "value_type": r["value_type"],
                "value": np.nan if r["value"] is None else float(r["value"]),
                "unit": str(INDICATORS.at[r["indicator"], "unit"]),
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


_RAG_DTYPES = {
    "indicator_id": "str",
    "indicator_name": "str",
    "polarity": "str",
    "unit": "str",
    "actual_period": "str",
    "actual": "float64",
    "target_period": "str",
    "target": "float64",
    "floor_period": "str",
    "floor": "float64",
    "rag": "str",
    "gap_to_target": "float64",
    "note": "str",
    "source_file": "str",
    "source_line": "Int64",
    "target_source_file": "str",
    "target_source_line": "Int64",
    "floor_source_file": "str",
    "floor_source_line": "Int64",
}

_ACTIVITY_DTYPES = {
    "indicator_id": "str",
    "indicator_name": "str",
    "unit": "str",
    "latest_period": "str",
    "latest": "float64",
    "range_period": "str",
    "expected_low": "float64",
    "expected_high": "float64",
    "threshold": "str",
    "status": "str",
    "flagged": "bool",
    "note": "str",
    "source_file": "str",
    "source_line": "Int64",
    "expected_low_source_file": "str",
    "expected_low_source_line": "Int64",
    "expected_high_source_file": "str",
    "expected_high_source_line": "Int64",
}


def expected_frame(records, dtypes):
    return pd.DataFrame.from_records(records, columns=list(dtypes)).astype(dtypes)


# ---------------------------------------------------------------------------------------------
# assess_rag
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        (80.0, "Green"),  # beats the target of 77
        (77.0, "Green"),  # exactly on target counts as achieved
        (76.9, "Amber"),  # just below target, above the floor of 70
        (70.0, "Amber"),  # exactly on the floor is still at or above the minimum
        (69.9, "Red"),  # just below the floor
    ],
)
def test_rag_boundaries_higher_is_better(actual, expected):
    assert assess_rag(actual, 77.0, 70.0, "higher_is_better") == expected


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        # Admissions: target 5.7, floor 5.8; "below target" means ABOVE the number.
        (5.5, "Green"),  # fewer admissions than the target
        (5.7, "Green"),  # exactly on target
        (5.75, "Amber"),  # above the target but not above the floor
        (5.8, "Amber"),  # exactly on the floor
        (5.81, "Red"),  # just past the floor (more admissions)
    ],
)
def test_rag_boundaries_lower_is_better(actual, expected):
    assert assess_rag(actual, 5.7, 5.8, "lower_is_better") == expected


@pytest.mark.parametrize("missing", [None, np.nan, pd.NA])
@pytest.mark.parametrize("polarity", ["higher_is_better", "lower_is_better"])
def test_rag_missing_actual_is_no_data(missing, polarity):
    assert assess_rag(missing, 77.0, 70.0, polarity) == "No data"
    assert assess_rag(missing, None, None, polarity) == "No data"


def test_rag_without_target_or_floor():
    assert assess_rag(75.0, None, 70.0, "higher_is_better") == "No target"
    assert assess_rag(75.0, np.nan, np.nan, "lower_is_better") == "No target"
    # A target but no floor: a miss cannot be split into Amber and Red.
    assert assess_rag(75.0, 77.0, None, "higher_is_better") == "Below target (no floor set)"
    assert assess_rag(6.0, 5.7, np.nan, "lower_is_better") == "Below target (no floor set)"
    # ...but meeting the target needs no floor.
    assert assess_rag(78.0, 77.0, None, "higher_is_better") == "Green"
    assert assess_rag(5.7, 5.7, None, "lower_is_better") == "Green"


def test_rag_activity_is_not_rated_and_bad_polarity_raises():
    assert assess_rag(2736.0, 2700.0, 2600.0, "no_polarity") == "Not rated"
    with pytest.raises(ValueError, match="polarity"):
        assess_rag(1.0, 1.0, 1.0, "bigger_is_better")


# ---------------------------------------------------------------------------------------------
# rate_against_target
# ---------------------------------------------------------------------------------------------


def _phased_observations():
    return make_observations(
        # Personal budgets, higher is better, phased targets from the 2013-14 plan.
        row("PB", "2013-14 Q1", "actual", 68),  # 1
        row("PB", "2013-14 Q2", "actual", 78),  # 2
        row("PB", "2013-14 Q3", "actual", 80),  # 3  after the reporting period: ignored
        row("PB", "2013-14 Q1", "target", 70),  # 4
        row("PB", "2013-14 Q2", "target", 77),  # 5
        row("PB", "2013-14 Q3", "target", 84),  # 6
        row("PB", "2013-14 Q4", "target", 90),  # 7
        row("PB", "2013-14", "floor", 64),  # 8  floor set for the year only
        # Admissions, lower is better, with a quarterly floor as well as a yearly one.
        row("ADM", "2013-14 Q2", "actual", 6.1),  # 9
        row("ADM", "2013-14 Q1", "target", 6.0),  # 10
        row("ADM", "2013-14 Q2", "target", 5.9),  # 11
        row("ADM", "2013-14 Q4", "target", 5.7),  # 12
        row("ADM", "2013-14 Q2", "floor", 6.1),  # 13
        row("ADM", "2013-14", "floor", 6.5),  # 14  the quarter's own floor wins
        row("ADM", "2013-14 Q3", "actual", 5.0),  # 15  after the reporting period: ignored
    )


def test_rate_phased_quarter_judged_against_its_own_quarter():
    obs = _phased_observations()
    before_obs, before_ind = obs.copy(), INDICATORS.copy()
    result = rate_against_target(obs, INDICATORS, period="2013-14 Q2", authority_code="E10000016")
    # PB: the latest actual ending by 30 Sep 2013 is Q2 = 78 (Q3's 80 is later). The Q2
    #   target is 77: 78 >= 77 -> Green, gap +1. Against the Q4 target of 90 it would have
    #   been Amber. No Q2 floor, so the 2013-14 floor (64) applies.
    # ADM: Q2 = 6.1 against the Q2 target 5.9 and Q2 floor 6.1: above target (worse) but
    #   exactly on the floor -> Amber; gap = 5.9 - 6.1 = -0.2 (negative = worse).
    expected = expected_frame(
        [
            [
                "PB",
                "Personal budgets",
                "higher_is_better",
                "%",
                "2013-14 Q2",
                78.0,
                "2013-14 Q2",
                77.0,
                "2013-14",
                64.0,
                "Green",
                1.0,
                "",
                FILE,
                2,
                FILE,
                5,
                FILE,
                8,
            ],
            [
                "ADM",
                "Admissions to permanent residential care",
                "lower_is_better",
                RATE,
                "2013-14 Q2",
                6.1,
                "2013-14 Q2",
                5.9,
                "2013-14 Q2",
                6.1,
                "Amber",
                -0.2,
                "",
                FILE,
                9,
                FILE,
                11,
                FILE,
                13,
            ],
        ],
        _RAG_DTYPES,
    )
    assert_frame_equal(result, expected)
    assert_frame_equal(obs, before_obs)
    assert_frame_equal(INDICATORS, before_ind)


def test_rate_accepts_a_period_object_and_moves_with_the_period():
    obs = _phased_observations()
    by_label = rate_against_target(obs, INDICATORS, period="2013-14 Q2", authority_code="E10000016")
    assert_frame_equal(
        rate_against_target(
            obs, INDICATORS, period=make_quarter(2013, 2), authority_code="E10000016"
        ),
        by_label,
    )
    # At Q1: PB's Q1 actual 68 against the Q1 target 70 and year floor 64 -> Amber.
    q1 = rate_against_target(
        obs, INDICATORS, period="2013-14 Q1", indicator_ids=["PB"], authority_code="E10000016"
    )
    assert q1.loc[0, ["actual_period", "actual", "target", "floor", "rag"]].tolist() == [
        "2013-14 Q1",
        68.0,
        70.0,
        64.0,
        "Amber",
    ]
    # At Q3: PB 80 < Q3 target 84, above the floor 64 -> Amber; ADM 5.0 has no Q3 target
    #   (Q1, Q2 and Q4 only) -> No target, and the note names the next one (Q4: 5.7).
    q3 = rate_against_target(obs, INDICATORS, period="2013-14 Q3", authority_code="E10000016")
    assert q3["rag"].tolist() == ["Amber", "No target"]
    assert q3.loc[1, "note"] == (
        "no target for 2013-14 Q3; next published target is 2013-14 Q4: "
        "5.7 per 10,000 aged 65+"  # rates: basis in words, 1 decimal
    )
    # The ADM Q3 floor falls back to the 2013-14 year floor (6.5).
    assert q3.loc[1, ["floor_period", "floor"]].tolist() == ["2013-14", 6.5]


def test_rate_december_month_judged_against_q3_target():
    obs = make_observations(
        row("ADM", "Dec 2012", "actual", 5.7),  # 1
        row("ADM", "2012-13 Q3", "target", 5.7),  # 2
        row("ADM", "2012-13 Q4", "target", 5.5),  # 3
        row("ADM", "2012-13", "floor", 5.8),  # 4
    )
    result = rate_against_target(obs, INDICATORS, period="2012-13 Q3", authority_code="E10000016")
    # December 2012 falls in 2012-13 Q3 (Oct-Dec): its target is 5.7, met exactly -> Green.
    # Judged against Q4's 5.5 it would have been Amber. The floor is the year's (5.8).
    expected = expected_frame(
        [
            [
                "ADM",
                "Admissions to permanent residential care",
                "lower_is_better",
                RATE,
                "Dec 2012",
                5.7,
                "2012-13 Q3",
                5.7,
                "2012-13",
                5.8,
                "Green",
                0.0,
                "",
                FILE,
                1,
                FILE,
                2,
                FILE,
                4,
            ],
        ],
        _RAG_DTYPES,
    )
    assert_frame_equal(result, expected)


def test_rate_year_actual_uses_year_target_else_q4():
    obs = make_observations(
        row("PB", "2012-13", "actual", 85),  # 1
        row("PB", "2012-13 Q3", "target", 80),  # 2
        row("PB", "2012-13 Q4", "target", 90),  # 3
        row("PB", "2013-14", "actual", 85),  # 4
        row("PB", "2013-14", "target", 84),  # 5
        row("PB", "2013-14 Q4", "target", 99),  # 6
    )
    # 2012-13 has no year target, so its Q4 target (90) applies: 85 < 90, no floor.
    r12 = rate_against_target(obs, INDICATORS, period="2012-13", authority_code="E10000016")
    assert r12.loc[0, ["target_period", "target", "rag"]].tolist() == [
        "2012-13 Q4",
        90.0,
        "Below target (no floor set)",
    ]
    assert r12.loc[0, "target_source_line"] == 3
    # 2013-14 has its own year target (84), preferred to Q4's 99: 85 >= 84 -> Green.
    r13 = rate_against_target(obs, INDICATORS, period="2013-14", authority_code="E10000016")
    assert r13.loc[0, ["target_period", "target", "rag", "gap_to_target"]].tolist() == [
        "2013-14",
        84.0,
        "Green",
        1.0,
    ]


def test_rate_no_target_for_the_actual_names_the_next_target():
    obs = make_observations(
        row("PB", "2012-13", "actual", 64),  # 1
        row("PB", "2013-14 Q1", "target", 70),  # 2
        row("PB", "2013-14 Q2", "target", 77),  # 3
    )
    result = rate_against_target(obs, INDICATORS, period="2012-13", authority_code="E10000016")
    assert result.loc[0, "rag"] == "No target"
    assert result.loc[0, "note"] == (
        "no target for 2012-13; next published target is 2013-14 Q1: 70.0%"
    )
    assert pd.isna(result.loc[0, "target_period"]) and np.isnan(result.loc[0, "target"])
    assert pd.isna(result.loc[0, "target_source_line"])
    # Asked about 2013-14 Q1 with no Q1 actual yet: the 2012-13 outturn is the latest, and
    # the note says it predates the period as well.
    later = rate_against_target(obs, INDICATORS, period="2013-14 Q1", authority_code="E10000016")
    assert later.loc[0, "actual_period"] == "2012-13"
    assert later.loc[0, "note"] == (
        "latest actual is for 2012-13, before 2013-14 Q1; no target for 2012-13; "
        "next published target is 2013-14 Q1: 70.0%"
    )


def test_rate_target_without_floor_and_tbc_target():
    obs = make_observations(
        row("PB", "2013-14 Q1", "actual", 68),  # 1
        row("PB", "2013-14 Q1", "target", 70),  # 2
        row("ADM", "2013-14 Q1", "actual", 5.0),  # 3
        row("ADM", "2013-14 Q1", "target", None, status="to_be_confirmed"),  # 4
        row("PB", "2013-14", "floor", None),  # 5  the floor cell was left blank
    )
    result = rate_against_target(obs, INDICATORS, period="2013-14 Q1", authority_code="E10000016")
    # PB: 68 < 70 and no floor with a number, so Amber and Red cannot be told apart.
    assert result.loc[0, "rag"] == "Below target (no floor set)"
    assert np.isclose(result.loc[0, "gap_to_target"], -2.0)
    assert np.isnan(result.loc[0, "floor"])
    assert pd.isna(result.loc[0, "floor_source_line"])
    assert result.loc[0, "note"] == "the floor for 2013-14 is missing"
    # ADM: the target was published as TBC: no target, and the note says why.
    assert result.loc[1, "rag"] == "No target"
    assert result.loc[1, "note"] == "the target for 2013-14 Q1 is to be confirmed (TBC)"


def test_rate_missing_latest_actual_falls_back_with_a_note_or_is_no_data():
    obs = make_observations(
        row("PB", "2013-14 Q1", "actual", 72),  # 1
        row("PB", "2013-14 Q2", "actual", None, status="suppressed"),  # 2
        row("PB", "2013-14 Q1", "target", 70),  # 3
        row("PB", "2013-14 Q2", "target", 77),  # 4
        row("ADM", "2013-14 Q2", "actual", None),  # 5  the only ADM actual: missing
        row("ADM", "2013-14 Q2", "target", 5.9),  # 6
    )
    result = rate_against_target(obs, INDICATORS, period="2013-14 Q2", authority_code="E10000016")
    # PB: Q2 is suppressed, so Q1's 72 is shown, against Q1's target 70 -> Green.
    assert result.loc[0, ["actual_period", "actual", "target_period", "rag"]].tolist() == [
        "2013-14 Q1",
        72.0,
        "2013-14 Q1",
        "Green",
    ]
    assert result.loc[0, "note"] == (
        "the 2013-14 Q2 actual is suppressed [c]; showing the latest published, 2013-14 Q1"
    )
    # ADM: nothing published with a number -> No data, never 0; the Q2 row's provenance and
    #   target are still given.
    assert result.loc[1, "rag"] == "No data"
    assert np.isnan(result.loc[1, "actual"]) and np.isnan(result.loc[1, "gap_to_target"])
    assert result.loc[1, ["actual_period", "target", "source_line"]].tolist() == [
        "2013-14 Q2",
        5.9,
        5,
    ]
    assert result.loc[1, "note"] == "the 2013-14 Q2 actual is missing"


def test_rate_choice_of_indicators():
    obs = make_observations(
        row("ADM", "2013-14 Q1", "actual", 5.0),  # 1
        row("PB", "2013-14 Q1", "actual", 72),  # 2
        row("RES", "2013-14 Q1", "actual", 2700),  # 3  activity: never rated
        row("PB", "2013-14 Q1", "actual", 10, authority="E06000035"),  # 4  another council
    )
    # By default: reference order (PB before ADM), only indicators with observations,
    # no activity indicators.
    default = rate_against_target(obs, INDICATORS, period="2013-14 Q1", authority_code="E10000016")
    assert default["indicator_id"].tolist() == ["PB", "ADM"]
    assert default["source_line"].tolist() == [2, 1]
    # Named indicators come in the order given; one with no data gets a No data row.
    named = rate_against_target(
        obs,
        INDICATORS,
        period="2013-14 Q1",
        indicator_ids=["UNUSED", "ADM"],
        authority_code="E10000016",
    )
    assert named["indicator_id"].tolist() == ["UNUSED", "ADM"]
    assert named.loc[0, "rag"] == "No data"
    assert named.loc[0, "note"] == (
        "no actual published for a period ending by the end of 2013-14 Q1; no target for 2013-14 Q1"
    )
    with pytest.raises(ValueError, match="check_activity_range"):
        rate_against_target(
            obs, INDICATORS, period="2013-14 Q1", indicator_ids=["RES"], authority_code="E10000016"
        )
    # Actuals after the period, and targets for other periods, do not put an indicator on
    # the default dashboard; a target for the period itself does (it was due: No data).
    later = make_observations(
        row("PB", "2013-14 Q2", "actual", 72),  # 1  ends after Q1
        row("PB", "2013-14 Q2", "target", 77),  # 2  does not overlap Q1
        row("ADM", "2013-14 Q1", "target", 5.9),  # 3  Q1's own target, no actual
        row("UNUSED", "2013-14", "floor", 50),  # 4  a year floor overlaps Q1
    )
    due = rate_against_target(later, INDICATORS, period="2013-14 Q1", authority_code="E10000016")
    assert due["indicator_id"].tolist() == ["ADM", "UNUSED"]
    assert due["rag"].tolist() == ["No data", "No data"]
    assert due.loc[0, ["target_period", "target"]].tolist() == ["2013-14 Q1", 5.9]
    with pytest.raises(ValueError, match="not in the indicator reference"):
        rate_against_target(
            obs, INDICATORS, period="2013-14 Q1", indicator_ids=["NOPE"], authority_code="E10000016"
        )
    # The other council's own dashboard sees only its own figure.
    other = rate_against_target(obs, INDICATORS, period="2013-14 Q1", authority_code="E06000035")
    assert other["actual"].tolist() == [10.0]


def test_rate_accepts_indicators_with_an_id_column():
    obs = make_observations(row("PB", "2013-14 Q1", "actual", 72))
    flat = INDICATORS.reset_index()
    assert_frame_equal(
        rate_against_target(obs, flat, period="2013-14 Q1", authority_code="E10000016"),
        rate_against_target(obs, INDICATORS, period="2013-14 Q1", authority_code="E10000016"),
    )


# ---------------------------------------------------------------------------------------------
# check_activity_range
# ---------------------------------------------------------------------------------------------


def _activity_observations(res, nurs, pddp):
    return make_observations(
        row("RES", "2013-14 Q1", "actual", res),  # 1   threshold upper
        row("RES", "2013-14 Q1", "expected_low", 2600),  # 2
        row("RES", "2013-14 Q1", "expected_high", 2750),  # 3
        row("NURS", "2013-14 Q1", "actual", nurs),  # 4   threshold lower
        row("NURS", "2013-14 Q1", "expected_low", 1450),  # 5
        row("NURS", "2013-14 Q1", "expected_high", 1550),  # 6
        row("PDDP", "2013-14 Q1", "actual", pddp),  # 7   threshold blank: both sides
        row("PDDP", "2013-14 Q1", "expected_low", 900),  # 8
        row("PDDP", "2013-14 Q1", "expected_high", 950),  # 9
        row("HOME", "2013-14 Q1", "actual", 5400),  # 10  no range published
        row("RES", "2013-14 Q2", "actual", 9999),  # 11  after the period: ignored
    )


def test_activity_flags_on_the_threshold_side():
    result = check_activity_range(
        _activity_observations(2800, 1400, 1000),
        INDICATORS,
        period="2013-14 Q1",
        authority_code="E10000016",
    )

    # RES 2800 > high 2750, threshold upper -> flagged.
    # NURS 1400 < low 1450, threshold lower -> flagged.
    # PDDP 1000 > high 950, threshold blank (either side) -> flagged.
    # HOME has no expected range -> not flagged.
    def record(iid, line, latest, low, high, threshold, status, flagged, note=""):
        has_range = not np.isnan(low)
        return [
            iid,
            INDICATORS.at[iid, "name"],
            COUNT,
            "2013-14 Q1",
            latest,
            "2013-14 Q1" if has_range else None,
            low,
            high,
            threshold,
            status,
            flagged,
            note,
            FILE,
            line,
            FILE if has_range else None,
            line + 1 if has_range else NA,
            FILE if has_range else None,
            line + 2 if has_range else NA,
        ]

    expected = expected_frame(
        [
            record("RES", 1, 2800.0, 2600.0, 2750.0, "upper", "Above expected range", True),
            record("NURS", 4, 1400.0, 1450.0, 1550.0, "lower", "Below expected range", True),
            record("PDDP", 7, 1000.0, 900.0, 950.0, "either", "Above expected range", True),
            record(
                "HOME", 10, 5400.0, np.nan, np.nan, "upper", "No expected range published", False
            ),
        ],
        _ACTIVITY_DTYPES,
    )
    assert_frame_equal(result, expected)


def test_activity_other_side_is_reported_but_not_flagged():
    result = check_activity_range(
        _activity_observations(2500, 1600, 850),
        INDICATORS,
        period="2013-14 Q1",
        authority_code="E10000016",
    ).set_index("indicator_id")
    # RES 2500 < low 2600 but only the upper side matters -> not flagged.
    # NURS 1600 > high 1550 but only the lower side matters -> not flagged.
    # PDDP 850 < low 900 and both sides matter -> flagged.
    assert result["status"].to_dict() == {
        "RES": "Below expected range",
        "NURS": "Above expected range",
        "PDDP": "Below expected range",
        "HOME": "No expected range published",
    }
    assert result["flagged"].to_dict() == {"RES": False, "NURS": False, "PDDP": True, "HOME": False}


def test_activity_on_a_bound_is_within_range():
    result = check_activity_range(
        _activity_observations(2750, 1450, 900),
        INDICATORS,
        period="2013-14 Q1",
        authority_code="E10000016",
    ).set_index("indicator_id")
    # Each figure equals a bound (RES high, NURS low, PDDP low): within, not flagged.
    assert (result.loc[["RES", "NURS", "PDDP"], "status"] == "Within expected range").all()
    assert not result["flagged"].any()


def test_activity_month_figure_uses_the_quarter_range_and_no_data():
    obs = make_observations(
        row("RES", "Nov 2012", "actual", 2650),  # 1
        row("RES", "Dec 2012", "actual", 2707),  # 2
        row("RES", "2012-13 Q3", "expected_low", 2600),  # 3
        row("RES", "2012-13 Q3", "expected_high", 2700),  # 4
        row("NURS", "2012-13 Q3", "expected_low", 1450),  # 5  a range but no figure
    )
    result = check_activity_range(obs, INDICATORS, period="2012-13 Q3", authority_code="E10000016")
    # Dec 2012 (the latest) is in 2012-13 Q3, whose range is 2600-2700: 2707 is above,
    # threshold upper -> flagged.
    assert result.loc[
        0, ["latest_period", "latest", "range_period", "status", "flagged"]
    ].tolist() == ["Dec 2012", 2707.0, "2012-13 Q3", "Above expected range", True]
    assert result.loc[
        0, ["source_line", "expected_low_source_line", "expected_high_source_line"]
    ].tolist() == [2, 3, 4]
    # NURS has a range but no figure: No data, not flagged, and never 0.
    assert result.loc[1, "status"] == "No data"
    assert not result.loc[1, "flagged"]
    assert np.isnan(result.loc[1, "latest"])


def test_activity_half_a_range_is_noted():
    obs = make_observations(
        row("RES", "2013-14 Q1", "actual", 2500),  # 1
        row("RES", "2013-14 Q1", "expected_low", 2600),  # 2  no upper bound published
    )
    result = check_activity_range(obs, INDICATORS, period="2013-14 Q1", authority_code="E10000016")
    # 2500 < 2600: below, but RES is watched on the upper side, which has no bound.
    assert result.loc[0, ["status", "flagged"]].tolist() == ["Below expected range", False]
    assert result.loc[0, "note"] == (
        "no upper bound published for 2013-14 Q1, so the upper side cannot be checked"
    )


def test_activity_rejects_performance_indicators():
    obs = make_observations(row("PB", "2013-14 Q1", "actual", 72))
    with pytest.raises(ValueError, match="rate_against_target"):
        check_activity_range(
            obs, INDICATORS, period="2013-14 Q1", indicator_ids=["PB"], authority_code="E10000016"
        )
    # By default performance indicators are simply not activity indicators: empty result.
    assert check_activity_range(
        obs, INDICATORS, period="2013-14 Q1", authority_code="E10000016"
    ).empty
