"""The pack's one-page summary in the report layer is pure: frames in, frames out. Its
files are read and written beside the report context (:mod:`kassanalysis.report.context`)."""

from __future__ import annotations

import pandas as pd

from kassanalysis.publish.disclosure import SuppressionRule
from kassanalysis.report import summary
from tests.unit.test_layers import MODULES, targets_of


def test_the_summary_module_does_no_file_io():
    targets = targets_of(MODULES["kassanalysis.report.summary"])
    io_modules = ("kassanalysis.io", "kassanalysis.api", "pathlib", "os", "shutil")
    assert sorted(t for t in targets if t.startswith(io_modules)) == []
    for name in ("load_summary_inputs", "write_pack_summaries", "read_division_summary"):
        assert not hasattr(summary, name), name


def tables(indicators: pd.DataFrame) -> dict[str, pd.DataFrame]:
    other = pd.DataFrame({"text": ["x"]})
    return {"headline": other, "indicators": indicators, "budget": other, "data_quality": other}


def test_marking_suppresses_a_small_count_and_every_text_quoting_it():
    # default rule: counts 1 to 4 are withheld (primary suppression only: the matrix has no
    # total row to subtract from). Row 0 is a count of 3 people: its value and
    # the three texts that quote it are withheld. Row 1 is a count of 30, row 2 is 3.0% (a
    # percentage, not a count): both shown as they are.
    indicators = pd.DataFrame(
        {
            "unit": ["count of people", "count of people", "%"],
            "latest_value": [3.0, 30.0, 3.0],
            "latest_text": ["3", "30", "3.0%"],
            "rag_text": ["Red", "Green", "Amber"],
            "direction_text": ["up", "down", "same"],
        }
    )
    before = indicators.copy()

    marked = summary.mark_division_summary(tables(indicators), SuppressionRule())

    assert list(marked) == ["headline", "indicators", "budget", "data_quality"]
    out = marked["indicators"]
    assert out.loc[0, ["latest_text", "rag_text", "direction_text"]].tolist() == ["suppressed"] * 3
    # withheld, not missing: the GSS "[c]", never "[x]"
    assert out.loc[0, "latest_value"] == "[c]"
    assert out.loc[1, "latest_text"] == "30" and out.loc[2, "latest_text"] == "3.0%"
    assert float(out.loc[1, "latest_value"]) == 30.0 and float(out.loc[2, "latest_value"]) == 3.0
    pd.testing.assert_frame_equal(indicators, before)  # the input is not changed


def comparison_row(kent_numerator):
    """The matrix cells of the comparator disclosure tests' "Reviews completed": Kent 75%
    from ``kent_numerator``; group TRIO A 60, Kent 75, B 80 (higher is better)."""
    from kassanalysis.analysis.summary import _comparison_cells
    from tests.unit.test_report_comparator_disclosure import INDICATORS, KENT, MEMBERS, obs

    cells = _comparison_cells(
        obs(kent_numerator),
        MEMBERS,
        INDICATORS,
        indicator_id="PCT",
        polarity="higher_is_better",
        benchmark_period="2020-21",
        group_id="TRIO",
        group_name="TRIO",
        authority=KENT,
        population=None,
    )
    return {
        "unit": "%",
        "latest_value": 75.0,
        "latest_text": "75.0%",
        "rag_text": "Green",
        "direction_text": "up",
        **cells,
    }


def test_a_small_count_behind_the_compared_value_withholds_rank_and_comparison():
    # Kent's 75% from a count of 3: the comparator summary withholds its rank, quartile
    # and comparison with England ([c]); the index page's matrix showed "2 of 3 in TRIO"
    # and "similar to the median of 5 English councils" (B 80 ranks 1, Kent 75 2, A 60 3)
    indicators = pd.DataFrame([comparison_row(3), comparison_row(30)])
    assert indicators["comparison_numerator"].tolist() == [3.0, 30.0]

    out = summary.mark_division_summary(tables(indicators), SuppressionRule())["indicators"]

    hidden = out.loc[0]
    assert (hidden["rank"], hidden["quartile"]) == ("[c]", "[c]")
    texts = ["rank_text", "england_95", "england_998", "england_text"]
    assert hidden[texts].tolist() == ["suppressed"] * 4
    assert hidden[["rank_tone", "england_tone"]].tolist() == ["not_available"] * 2
    # a percentage is not a count: the latest value of 75% stays
    assert hidden["latest_text"] == "75.0%"
    # the same value from a count of 30: rank 2 of 3 and the comparison shown
    shown = out.loc[1]
    assert float(shown["rank"]) == 2.0
    assert shown["rank_text"].startswith("2 of 3 in TRIO")
    assert shown["england_text"].startswith("similar to the median of 5 English councils")
    assert "comparison_numerator" not in out.columns
