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
    # the notebook's own heading heads the section; the note names the year in words
    assert note.heading == ""
    assert note.paragraphs[0].startswith("Adult Social Care Finance Return (ASC-FR) 2014-15:")
    assert words in note.paragraphs[0]


def test_without_finance_lines_the_section_says_so():
    note = finance.finance_year_note(StubContext([], "2024-25 Q3"))
    assert "No ASC-FR finance lines" in repr(note)


class SpendContext(StubContext):
    """What spend_per_head reads: finance lines, both populations, the group, the council."""

    def __init__(self, lines, population, totals):
        super().__init__([], "2024-25 Q3")
        self.cache = {("finance_lines",): lines}
        self.population = population
        self.population_totals = totals
        self.members = pd.DataFrame({"group_id": "g", "authority_code": ["E10000016", "E10000030"]})
        self.group_id = "g"
        self.division = type("Division", (), {"authority": "E10000016"})()

    def save(self, name, frame, **kwargs):
        return frame


def finance_line(code, name, age_band, value, source_line):
    return {
        "authority_code": code,
        "cassr_code": "886",
        "authority_name": name,
        "financial_year": "2014-15",
        "support_type": "Grand total gross expenditure" if age_band == "Total" else "Total",
        "age_band": age_band,
        "primary_support_reason": None,
        "support_setting": None,
        "provision": None,
        "measure": "Gross total cost: total expenditure",
        "value": value,
        "unit": "GBP thousands",
        "row_type": "total",
        "status": "reported",
        "source_file": "bri.csv",
        "source_line": source_line,
    }


LINES = pd.DataFrame(
    [
        finance_line("E10000016", "Kent", "Total", 450_000.0, 89),
        finance_line("E10000030", "Surrey", "Total", 480_000.0, 89),
        finance_line("E10000016", "Kent", "Adults aged 65 and over", 240_000.0, 37),
    ]
)
TOTALS = pd.DataFrame(
    {"area_code": ["E10000016", "E10000030"], "year": 2014, "persons": [1_500_000.0, 1.2e6]}
)
NO_AGES = pd.DataFrame({"area_code": ["E10000016"], "year": [2019], "age": [70], "persons": [1.0]})


def test_spend_per_head_names_the_all_ages_denominator_and_what_waits_for_mye2():
    table = finance.spend_per_head(SpendContext(LINES, NO_AGES, TOTALS))
    # Kent 450,000 x 1,000 / 1,500,000 = GBP 300 per head; Surrey 480,000,000 / 1,200,000 =
    # 400: Kent rank 2 of 2, group median (300 + 400) / 2 = 350
    assert table.caption.startswith("Spend per head of population (all ages, mid-2014)")
    row = table.frame.iloc[0]
    assert (row["denominator"], row["per_head"], row["rank"], row["group_median"]) == (
        "all ages, mid-2014",
        300.0,
        2.0,
        350.0,
    )
    assert len(table.frame) == 1  # the 65+ line is not divided by all ages
    assert "Adults aged 65 and over) waits for the mid-2014 single-year-of-age" in table.note
    assert "all ages, mid-2014" in table.source and "population_totals" in table.source


def test_spend_per_head_without_any_population_of_the_year_says_why():
    note = finance.spend_per_head(SpendContext(LINES, NO_AGES, TOTALS.assign(year=2019)))
    assert note.warning
    assert "Spend per head for ASC-FR 2014-15 is not shown" in note.paragraphs[0]
    assert "nor all-ages estimates" in note.paragraphs[0]


def test_lines_that_adjust_the_net_total_are_saved_but_not_in_the_table():
    grants = [
        {
            **finance_line(code, name, "Total", value, 97),
            "support_type": "Specific Government Grants",
        }
        for code, name, value in (("E10000016", "Kent", 7_845.0), ("E10000030", "Surrey", 6_000.0))
    ]
    lines = pd.concat([LINES, pd.DataFrame(grants)], ignore_index=True)
    saved = {}

    class Saving(SpendContext):
        def save(self, name, frame, **kwargs):
            saved[name] = frame
            return frame

    table = finance.spend_per_head(Saving(lines, NO_AGES, TOTALS))
    # the gross total is shown (GBP 300 per head, as above); Kent's grants, 7,845,000 /
    # 1,500,000 = GBP 5.23 per head, are kept in the saved table and named in the note
    assert table.frame["support_type"].tolist() == ["Grand total gross expenditure"]
    kept = saved["finance_spend_per_head"].set_index("support_type")["per_head"]
    assert kept["Specific Government Grants"] == pytest.approx(5.23)
    assert "adjust the net total (Specific Government Grants)" in table.note


def test_a_group_member_without_a_population_of_the_year_is_named_in_the_note():
    # Surrey has a Total line but its code is not in the all-ages series of 2014: only Kent
    # is divided, 450,000 x 1,000 / 1,500,000 = GBP 300, rank 1 of 1
    table = finance.spend_per_head(
        SpendContext(LINES, NO_AGES, TOTALS[TOTALS["area_code"] != "E10000030"])
    )
    row = table.frame.iloc[0]
    assert (row["per_head"], row["rank"], row["group_size"]) == (300.0, 1.0, 1)
    assert "No mid-2014 population for Surrey" in table.note
