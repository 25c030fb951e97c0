"""The finance section's labelling (kassanalysis.report.finance): which ASC-FR year, and
whether it is older or later than the pack's period."""

import pandas as pd
import pytest

from kassanalysis.periods import parse_period
from kassanalysis.report import finance


class StubContext:
    """Just what the finance note reads: the finance lines, the period, the group name."""

    def __init__(self, years, period):
        self.cache = {("finance_lines",): pd.DataFrame({"financial_year": years})}
        self.period = parse_period(period)
        self.group_name = "Kent's nearest neighbours"

    def remember(self, key, compute):
        return self.cache[key] if key in self.cache else compute()


@pytest.mark.parametrize(
    ("period", "words"),
    [
        ("2024-25 Q3", "It is older than this pack's period (2024-25 Q3)"),
        ("2013-14 Q1", "It is later than this pack's period (2013-14 Q1)"),
        ("2014-15 Q2", "It covers this pack's period (2014-15 Q2)"),
    ],
)
def test_the_note_names_the_latest_asc_fr_year_and_how_it_relates_to_the_pack(period, words):
    note = finance.finance_year_note(StubContext(["2013-14", "2014-15", "2014-15"], period))
    assert note.heading == "Finance benchmarks: ASC-FR 2014-15"
    assert words in note.paragraphs[0]


def test_without_finance_lines_the_section_says_so():
    note = finance.finance_year_note(StubContext([], "2024-25 Q3"))
    assert "No ASC-FR finance lines" in repr(note)
