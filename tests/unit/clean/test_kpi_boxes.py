"""The KPI box layout of a quarterly performance report (Kent's QPR): tiny copies of the
real boxes and their variants; expected values read off the printed lines by hand."""

import math

import pandas as pd
import pytest

from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.clean.kpi import clean_kpi_table
from kassanalysis.clean.kpi_boxes import find_kpi_boxes, has_kpi_boxes
from kassanalysis.reference import make_reference_from_frames
from kassanalysis.schemas import IndicatorObservations, PublishedRatings

CONTACT = "Percentage of people who have their contact resolved by ASCH but then"
CONTACT_2 = "make contact again within 3 months"
ASSESS = "Proportion of new Care Needs Assessments delivered within 28 days"
ADMIT = "Long Term support needs of older people (65 and over) met by admission to"
ADMIT_2 = "residential and nursing care homes, per 100,000 (Better Care Fund)"


def entry(**kw):
    base = dict(
        id="qpr",
        file="qpr.txt",
        kind="kpi_table",
        authority="E10000016",
        source={},
        licence="OGL",
        period="2024-25 Q3",
    )
    base.update(kw)
    return CatalogueEntry(**base)


@pytest.fixture
def ref():
    """Three indicators as data/reference/indicators.csv describes them."""
    indicators = pd.DataFrame(
        {
            "id": ["RECONTACT", "CNA28", "ADMRES"],
            "name": ["Re-contacts", "Assessments in 28 days", "Admissions 65+"],
            "unit": ["%", "%", "rate per 100000 population aged 65+"],
            "polarity": ["lower_is_better", "higher_is_better", "lower_is_better"],
            "aliases": [
                f"{CONTACT} {CONTACT_2}",
                ASSESS,
                f"{ADMIT} {ADMIT_2}",
            ],
            "quarters_in_arrears": [math.nan, math.nan, 1],
            "rolling_months": [math.nan, math.nan, math.nan],
        }
    )
    return make_reference_from_frames(
        pd.DataFrame(columns=["id", "name", "unit_of_measure", "aliases"]), indicators
    )


# As printed (QPR Q3 2024-25 page 56): RAG fused onto the first name line, then RAG alone
# on a line before the second name, a page break inside the second box.
REAL = [
    "Key Performance Indicators",  # 1
    f"{CONTACT} GREEN",  # 2
    CONTACT_2,  # 3
    "Latest: 4% Target: 5%, Floor: 9% Previous: 6% (Amber)",  # 4
    "RED",  # 5
    "55",  # 6
    "===== PAGE 57 =====",  # 7
    "Appendix 1",  # 8
    ASSESS,  # 9
    "Latest: 74% Target: 85%, Floor: 75% Previous: 75% (Amber)",  # 10
]


def values(frame):
    return {(row.indicator_id, row.period, row.value_type): row.value for row in frame.itertuples()}


def test_real_boxes_give_latest_target_floor_and_previous(ref):
    frames, problems = clean_kpi_table(REAL, entry(), ref)
    assert problems == []
    obs = IndicatorObservations.validate(frames["indicator_observations"])
    assert values(obs) == {
        ("RECONTACT", "2024-25 Q3", "actual"): 4.0,
        ("RECONTACT", "2024-25 Q3", "target"): 5.0,
        ("RECONTACT", "2024-25 Q3", "floor"): 9.0,
        ("RECONTACT", "2024-25 Q2", "actual"): 6.0,
        ("CNA28", "2024-25 Q3", "actual"): 74.0,
        ("CNA28", "2024-25 Q3", "target"): 85.0,
        ("CNA28", "2024-25 Q3", "floor"): 75.0,
        ("CNA28", "2024-25 Q2", "actual"): 75.0,
    }
    assert set(obs.source_line) == {4, 10}
    assert obs.loc[obs.value_type == "floor", "source_text"].tolist() == ["9%", "75%"]


def test_published_ratings_are_kept_with_their_lines(ref):
    frames, _ = clean_kpi_table(REAL, entry(), ref)
    rated = PublishedRatings.validate(frames["published_ratings"])
    got = rated[["indicator_id", "period", "rag", "source_line"]].values.tolist()
    assert got == [
        ["RECONTACT", "2024-25 Q3", "Green", 2],  # GREEN fused onto line 2
        ["RECONTACT", "2024-25 Q2", "Amber", 4],  # (Amber) after Previous on line 4
        ["CNA28", "2024-25 Q3", "Red", 5],  # RED alone on line 5
        ["CNA28", "2024-25 Q2", "Amber", 10],
    ]


@pytest.mark.parametrize(
    "box",
    [
        ["AMBER", ASSESS, "Latest: 74% Target: 85%, Floor 75% Previous: 75% (Amber)"],
        [f"AMBER {ASSESS}", "Latest: 74% Target: 85%, Floor 75% Previous: 75% (Amber)"],
        [ASSESS, "AMBER", "Latest: 74% Target: 85%, Floor: 75% Previous: 75% (Amber)"],
        [f"{ASSESS} AMBER", "Latest: 74% Target: 85% Floor 75% Previous: 75% (Amber)"],
    ],
    ids=["alone-before", "start-of-name", "alone-after", "end-of-name-no-colons"],
)
def test_layout_variants(ref, box):
    lines = ["The narrative ends with a sentence.", *box]
    frames, problems = clean_kpi_table(lines, entry(), ref)
    assert problems == []
    assert values(frames["indicator_observations"])[("CNA28", "2024-25 Q3", "floor")] == 75.0
    assert frames["published_ratings"].rag.tolist() == ["Amber", "Amber"]


def test_a_box_in_arrears_on_a_rolling_year_is_dated_by_its_note(ref):
    lines = [
        f"{ADMIT} GREEN",
        ADMIT_2,
        "Latest: 553 Target: 588, Floor: 617 Previous: 562 (Green)",
        "To ensure consistent comparison with previous Quarters by removing seasonality, "
        "this KPI is reported on a 12-",
        "month rolling basis and one Quarter in arrears",
    ]
    frames, problems = clean_kpi_table(lines, entry(), ref)
    assert problems == []
    obs = frames["indicator_observations"]
    latest = obs[obs.value == 553.0].iloc[0]
    # rolling year to September 2024 (Q3 2024-25 less one quarter, 12 months)
    assert latest.period == "12 months to Sep 2024"
    assert (latest.period_start, latest.period_end) == (
        pd.Timestamp("2023-10-01"),
        pd.Timestamp("2024-09-30"),
    )
    assert obs[obs.value_type == "target"].period.tolist() == ["12 months to Sep 2024"]
    previous = obs[obs.value == 562.0].iloc[0]
    assert (previous.period_start, previous.period_end) == (
        pd.Timestamp("2023-07-01"),
        pd.Timestamp("2024-06-30"),
    )


def test_arrears_from_the_reference_when_the_note_is_silent(ref):
    lines = [f"{ADMIT} GREEN", ADMIT_2, "Latest: 553 Target: 588, Floor: 617 Previous: 562 (Green)"]
    frames, problems = clean_kpi_table(lines, entry(), ref)
    assert problems == []
    # the reference says one quarter in arrears and no rolling period: 2024-25 Q2, then Q1
    assert sorted(set(frames["indicator_observations"].period)) == ["2024-25 Q1", "2024-25 Q2"]


def test_a_note_that_contradicts_the_reference_is_a_finding(ref):
    lines = [
        f"{ASSESS} RED",
        "Latest: 74% Target: 85%, Floor: 75% Previous: 75% (Amber)",
        "This KPI is reported one Quarter in arrears.",
    ]
    frames, problems = clean_kpi_table(lines, entry(), ref)
    assert [p.check for p in problems] == []  # the reference is silent: the note is used
    assert set(frames["indicator_observations"].period) == {"2024-25 Q2", "2024-25 Q1"}
    lines[2] = "This KPI is reported two quarters in arrears."
    admit = [f"{ADMIT} GREEN", ADMIT_2, "Latest: 553 Target: 588, Floor: 617", lines[2]]
    _, problems = clean_kpi_table(admit, entry(), ref)
    assert [(p.severity, p.check, p.source_line) for p in problems] == [
        ("finding", "reference disagrees", 3)
    ]


def test_thresholds_that_contradict_the_polarity_are_a_finding(ref):
    # target above the floor means higher is better, but the reference says lower
    lines = [f"{CONTACT} GREEN", CONTACT_2, "Latest: 4% Target: 9%, Floor: 5% Previous: 6%"]
    _, problems = clean_kpi_table(lines, entry(), ref)
    assert [(p.check, p.source_line) for p in problems] == [("reference disagrees", 3)]
    assert "higher_is_better" in problems[0].message


def test_unknown_indicator_names_the_first_name_line(ref):
    lines = ["Some other measure AMBER", "Latest: 1% Target: 2%, Floor: 0%"]
    frames, problems = clean_kpi_table(lines, entry(), ref)
    assert [(p.severity, p.check, p.source_line) for p in problems] == [
        ("error", "unknown indicator", 1)
    ]
    assert frames["indicator_observations"].empty


def test_text_in_a_figure_is_an_error_and_missing_is_not_zero(ref):
    lines = [f"{ASSESS} RED", "Latest: TBC Target: 85%, Floor: 75% Previous: n/k (Amber)"]
    frames, problems = clean_kpi_table(lines, entry(), ref)
    obs = frames["indicator_observations"]
    latest = obs[obs.value_type == "actual"].iloc[0]
    assert math.isnan(latest.value) and latest.status == "to_be_confirmed"
    assert [(p.check, p.source_line) for p in problems] == [("non-numeric value", 2)]
    # no previous value, so its published (Amber) is not kept on its own
    assert frames["published_ratings"].period.tolist() == ["2024-25 Q3"]


def test_the_report_quarter_is_required(ref):
    frames, problems = clean_kpi_table(REAL, entry(period=None), ref)
    assert [p.check for p in problems] == ["unparseable period"]
    assert "2024-25 Q3" in problems[0].message
    assert frames["indicator_observations"].empty


def test_other_kpi_tables_are_not_taken_for_boxes():
    assert not has_kpi_boxes(["| | Actual 2005/06 | Target 2007/08 |", "| PAF C72 | 73 | 71 |"])
    assert not has_kpi_boxes(["Latest: news from the quarter"])  # no target, floor or previous
    assert has_kpi_boxes(REAL)


def test_notes_run_to_the_next_box_and_skip_page_furniture():
    boxes = find_kpi_boxes(
        [
            "A GREEN",
            "Latest: 1 Target: 2, Floor: 3",
            "Reporting is based on the date of",
            "56",
            "===== PAGE 57 =====",
            "discharge.",
            "B AMBER",
            "Latest: 1 Target: 2, Floor: 3",
        ]
    )
    assert [(b.name, b.rag, b.note) for b in boxes] == [
        ("A", "Green", "Reporting is based on the date of discharge."),
        ("B", "Amber", ""),
    ]
