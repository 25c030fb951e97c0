"""Back tests: Kent's real 2024-25 inputs (../shared/data/kent-2024-25), figures as printed.

The Quarterly Performance Report, Quarter 3 2024/25 (Cabinet, 4 March 2025, Appendix 1,
pages 55-57) prints six adult social care KPI boxes; the values below were read off the
text by hand, and each RAG worked by hand from the report's key (GREEN target achieved
or exceeded, AMBER floor achieved but target not met, RED floor not achieved; lower is
better where the target is below the floor).
"""

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kassanalysis.analysis.performance import rate_against_target

pytestmark = pytest.mark.backtest

QPR = "kent-2024-25/qpr-2024-25-q3-adult-social-care.txt"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "kent-2024-25"

# indicator, latest period, latest, target, floor, previous period, previous,
# published RAG (latest, previous), figures line in the raw file
BOXES = [
    ("KCC-ASCH-RECONTACT", "2024-25 Q3", 4, 5, 9, "2024-25 Q2", 6, "Green", "Amber", 250),
    ("KCC-ASCH-CNA28", "2024-25 Q3", 74, 85, 75, "2024-25 Q2", 75, "Red", "Amber", 253),
    ("KCC-ASCH-DP", "2024-25 Q3", 26, 30, 24, "2024-25 Q2", 26, "Amber", "Amber", 259),
    # discharges in July-September 2024: a quarter in arrears
    ("KCC-ASCH-HOME91", "2024-25 Q2", 84, 85, 80, "2024-25 Q1", 83, "Amber", "Amber", 262),
    # 12-month rolling rate per 100,000 aged 65+, one quarter in arrears
    (
        "KCC-ASCH-ADMRES65",
        "12 months to Sep 2024",
        553,
        588,
        617,
        "12 months to Jun 2024",
        562,
        "Green",
        "Green",
        267,
    ),
    ("KCC-ASCH-CQCGOOD", "2024-25 Q3", 76, 80, 75, "2024-25 Q2", 76, "Amber", "Amber", 275),
]


def _value(obs, indicator, period, value_type):
    rows = obs[
        (obs.source_file == QPR)
        & (obs.indicator_id == indicator)
        & (obs.period == period)
        & (obs.value_type == value_type)
    ]
    assert len(rows) == 1, (indicator, period, value_type)
    return rows.iloc[0]


@pytest.mark.parametrize(
    "indicator, period, latest, target, floor, prev_period, previous, rag, prev_rag, line", BOXES
)
def test_qpr_boxes_as_printed(
    built, indicator, period, latest, target, floor, prev_period, previous, rag, prev_rag, line
):
    obs = built.tables["indicator_observations"]
    for value_type, expected in (("actual", latest), ("target", target), ("floor", floor)):
        row = _value(obs, indicator, period, value_type)
        assert np.isclose(row.value, expected) and row.source_line == line
    assert np.isclose(_value(obs, indicator, prev_period, "actual").value, previous)
    rated = built.tables["published_ratings"]
    mine = rated[rated.indicator_id == indicator].set_index("period").rag
    assert mine.to_dict() == {period: rag, prev_period: prev_rag}


def test_rolling_admissions_rate_covers_october_2023_to_september_2024(built):
    obs = built.tables["indicator_observations"]
    row = _value(obs, "KCC-ASCH-ADMRES65", "12 months to Sep 2024", "actual")
    assert (row.period_start, row.period_end) == (
        pd.Timestamp("2023-10-01"),
        pd.Timestamp("2024-09-30"),
    )


def test_the_dashboard_rule_reproduces_every_published_rating(built, reference):
    # worked by hand: 4 <= 5 (lower better) Green; 74 < 75 Red; 24 <= 26 < 30 Amber;
    # 80 <= 84 < 85 Amber; 553 <= 588 (lower better) Green; 75 <= 76 < 80 Amber
    dash = rate_against_target(
        built.tables["indicator_observations"],
        reference.indicators,
        period="2024-25 Q3",
        indicator_ids=[b[0] for b in BOXES],
        authority_code="E10000016",
    )
    assert dash.rag.tolist() == ["Green", "Red", "Amber", "Amber", "Green", "Amber"]
    assert dash.actual_period.tolist() == [b[1] for b in BOXES]
    quality = built.tables["data_quality"]
    assert not (quality.check == "published RAG not reproduced").any()
    assert not quality.source_file.str.startswith("kent-2024-25/").any()


@pytest.mark.skipif(not SHARED.is_dir(), reason="Kent 2024-25 source text not present")
@pytest.mark.parametrize("name", sorted(p.name for p in SHARED.glob("*.txt")))
def test_raw_files_are_unchanged_copies(project, name):
    ours = hashlib.sha256((project.raw / "kent-2024-25" / name).read_bytes()).hexdigest()
    assert hashlib.sha256((SHARED / name).read_bytes()).hexdigest() == ours


KSS = "kent-2024-25/key-service-statement-2024-25-nov-asch.txt"


def _statement(built):
    lines = built.tables["budget_lines"]
    return lines[lines.source_file == KSS]


@pytest.mark.parametrize(
    "line, name, row_type, budget, forecast, variance",
    [
        # the directorate total as printed: 586.1, 621.6, +35.4 GBP m
        (59, "Adult Social Care & Health Total", "total", 586.1, 621.6, 35.4),
        # a division total: Adult Social Care & Health Operations 524.7, 588.4, 63.7 GBP m
        (32, "Adult Social Care & Health Operations Total", "subtotal", 524.7, 588.4, 63.7),
    ],
)
def test_key_service_statement_totals_in_gbp_thousands(
    built, line, name, row_type, budget, forecast, variance
):
    rows = _statement(built)
    rows = rows[rows.source_line == line]
    assert set(rows.line_name) == {name} and set(rows.row_type) == {row_type}
    got = rows.set_index("measure").value
    assert np.isclose(got["budget"], budget * 1000)
    assert np.isclose(got["forecast_outturn"], forecast * 1000)
    assert np.isclose(got["variance"], variance * 1000)


def test_key_service_statement_shape_and_no_rounding_findings(built):
    rows = _statement(built).drop_duplicates("source_line")
    # 40 key service lines in four divisions, the four division totals, the directorate total
    assert rows.row_type.value_counts().to_dict() == {"line": 40, "subtotal": 4, "total": 1}
    assert set(rows.unit) == {"Adult Social Care & Health"}
    # lines add up to totals only to within 0.1 (Operations forecast lines sum to 588.5 against
    # 588.4 printed; forecast - budget 35.5 against 35.4 printed): rounding, not findings
    quality = built.tables["data_quality"]
    assert not (quality.source_file == KSS).any()
