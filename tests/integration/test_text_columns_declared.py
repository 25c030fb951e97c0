"""The variance, trend and finance tables declare their columns of words (notes, statuses,
reasons, labels) as text, so how a blank cell shows (blank: nothing to say) follows the
declaration, not a guess from the column's name or values (report/display.py's fallback
for undeclared columns)."""

import pandas as pd
import pytest

import kassanalysis.report as kr
from kassanalysis.report import finance, trend, variance
from kassanalysis.report.display import TEXT_UNIT, Table


@pytest.fixture(scope="module")
def ctx():
    return kr.open_context(division="asch-2024-25", period="2024-25 Q3")


DECLARED = {
    variance.performance_against_target: ("rag", "note"),
    variance.activity_against_range: ("threshold", "status"),
    variance.reconciliation_findings: ("check", "message"),
    variance.exception_summary: ("category", "item", "detail"),
    variance.budget_variance: ("direction",),
    trend.trend_overview: ("direction", "spc", "summary"),
    trend.recent_trends: ("recent_trend", "periods_tested", "method"),
    trend.spc_latest_points: ("variation", "assurance", "baseline", "rebased_at", "note"),
    finance.spend_per_head: ("support_type", "age_band", "measure", "denominator"),
    finance.unit_costs: ("support_type", "age_band", "primary_support_reason"),
}


@pytest.mark.parametrize("section", list(DECLARED), ids=lambda f: f.__name__)
def test_words_are_declared_text(ctx, section):
    table = section(ctx)
    assert isinstance(table, Table), table
    for column in DECLARED[section]:
        assert column in table.frame.columns, column
        assert table.units.get(column) == TEXT_UNIT, column


def test_a_missing_word_is_blank_even_when_the_whole_column_is_missing(ctx):
    # no series rebased (read back as numbers, all missing): declared text, so blank;
    # undeclared, a column of numbers named "rebased_at" would show [x] in every row
    table = trend.spc_latest_points(ctx)
    table.frame["rebased_at"] = float("nan")
    shown = table._formatted()
    heading = next(h for h in shown.columns if h.lower().startswith("rebased"))
    assert set(shown[heading]) == {""}
    assert pd.api.types.is_float_dtype(table.frame["rebased_at"])
