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
