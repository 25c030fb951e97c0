"""Back tests: figures published by someone else, reproduced from the bundled raw data.

Sources: the KASS HQ operational plan 2008/9 (seed 001), the OPPD divisional plan 2013-14
(seed 002), ONS mid-year estimates, NHS Digital ASCOF 2020-21 and Oflog's ASC_data.csv.
"""

import numpy as np
import pandas as pd
import pytest

from kassanalysis.analysis.comparator import compare_with_group
from kassanalysis.analysis.stats import calculate_mad_distance
from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.clean.public import clean_oflog_outcomes

pytestmark = pytest.mark.backtest

HQ = "kent-hq-2008-09/"

# "Total Cost of Unit", controllable and gross expenditure 2008-09 (GBP thousands), as printed
# in the HQ plan's Budget & Services tables (gross blank for AAARE).
UNIT_TOTALS = [
    ("budget-older-persons.txt", 60, 4627.5, 17816.0),
    ("budget-learning-disability.txt", 28, 474.5, 1706.6),
    ("budget-physical-disability.txt", 52, 1133.0, 1439.5),
    ("budget-strategic-area-management.txt", 10, 967.7, 967.7),
    ("budget-ppqa.txt", 13, 3530.5, 3673.7),
    ("budget-resources.txt", 24, 11668.2, 11801.2),
    ("budget-aaare.txt", 12, 100.0, np.nan),
]


def _cell(lines, file, line, measure, year):
    rows = lines[
        (lines.source_file == file)
        & (lines.source_line == line)
        & (lines.measure == measure)
        & (lines.financial_year == year)
    ]
    assert len(rows) == 1, (file, line, measure)
    return rows.value.iloc[0]


@pytest.mark.parametrize(("file", "line", "controllable", "gross"), UNIT_TOTALS)
def test_2008_09_unit_totals_as_published(built, file, line, controllable, gross):
    lines = built.tables["budget_lines"]
    row = lines[(lines.source_file == HQ + file) & (lines.source_line == line)]
    assert set(row.row_type) == {"unit_total"}
    assert np.isclose(
        _cell(lines, HQ + file, line, "controllable_expenditure", "2008-09"), controllable
    )
    got = _cell(lines, HQ + file, line, "gross_expenditure", "2008-09")
    assert np.isclose(got, gross) or (np.isnan(gross) and np.isnan(got))


def test_older_persons_lines_add_up_to_the_published_totals(built):
    """Every subtotal and total of the Older Persons table reconciles (no findings), so the
    lines read sum to the printed 17,816.0 gross."""
    file = HQ + "budget-older-persons.txt"
    assert [p for p in built.problems if p.source_file == file] == []
    lines = built.tables["budget_lines"]
    gross = lines[
        (lines.source_file == file)
        & (lines.row_type == "line")
        & (lines.measure == "gross_expenditure")
    ].value.sum()
    assert np.isclose(gross, 17816.0)


# The Total row of the 2013-14 financial resources table (GBP thousands).
TOTAL_2013_14 = {
    "staffing_costs": 43334.0,
    "non_staffing_costs": 222648.7,
    "gross_expenditure": 265982.7,
    "service_income": -91990.4,
    "net_expenditure": 173992.3,
    "government_grants": -6303.4,
    "net_cost": 167688.9,
}


@pytest.mark.parametrize(("measure", "published"), TOTAL_2013_14.items())
def test_2013_14_total_row_and_localities(built, measure, published):
    lines = built.tables["budget_lines"]
    file = "kent-oppd-2013-14/financial-resources.txt"
    assert np.isclose(_cell(lines, file, 28, measure, "2013-14"), published)
    localities = lines[
        (lines.source_file == file) & (lines.row_type == "line") & (lines.measure == measure)
    ]
    assert len(localities) == 8
    assert np.isclose(localities.value.sum(), published, atol=0.1)


def test_2013_14_gross_matches_the_summary_figure(built):
    """The summary states gross expenditure as '£265,982700' (sic): GBP 265,982.7k."""
    lines = built.tables["budget_lines"]
    stated = lines[lines.row_type == "stated"]
    assert np.isclose(stated.value.iloc[0], 265982.7)
    assert not [p for p in built.problems if p.check == "total differs from stated figure"]


def test_staffing_totals_and_the_published_inconsistencies(built):
    lines = built.tables["budget_lines"]
    file = HQ + "staffing-fte.txt"
    assert np.isclose(_cell(lines, file, 9, "fte", "2007-08"), 78.45)  # PP&QA Total
    # Resources Total is printed 249.34 but its teams add up to 240.34: reported, kept.
    assert np.isclose(_cell(lines, file, 17, "fte", "2007-08"), 249.34)
    found = {
        (p.source_line, round(p.expected, 2), p.found)
        for p in built.problems
        if p.source_file == file
    }
    assert (17, 240.34, 249.34) in found


def test_kent_population_mid_2020(built):
    pop = built.tables["population"]
    kent = pop[(pop.area_code == "E10000016") & (pop.year == 2020)]
    assert kent.persons.sum() == 1_589_057  # ONS MYE2, mid-2020, all ages


def test_ascof_2a2_rate_from_ons_population(built, reference):
    """NHS Digital published Kent's 2020-21 ASCOF 2A2 as 417.6 per 100,000 aged 65+ (1,348
    admissions). Recomputed with the ONS mid-2020 65+ population it is the same."""
    table = compare_with_group(
        built.tables["indicator_observations"],
        built.tables["comparator_members"],
        reference.indicators,
        indicator_id="ASCOF-2A2",
        period="2020-21",
        group_id="kent-nearest-neighbours",
        population=built.tables["population"],
        focus_code="E10000016",
    )
    kent = table[table.is_focus].iloc[0]
    assert kent.value == 417.6
    assert kent.denominator == 322_775
    assert round(kent.numerator / kent.denominator * 100_000, 1) == 417.6


def test_oflog_england_median_and_mads_for_every_measure_and_year(project, reference):
    """Oflog publish, for every measure and year, the England median and each council's
    distance from it in MADs. Our method reproduces every one of them."""
    raw = pd.read_csv(
        project.raw / "public/oflog-asc/ASC_data.csv", dtype=str, keep_default_na=False
    )
    entry = CatalogueEntry(
        "oflog-asc", "public/oflog-asc/ASC_data.csv", "oflog_outcomes", "E10000016", {}, "OGL"
    )
    observations, published, problems = clean_oflog_outcomes(raw, entry, reference)
    assert not [p for p in problems if p.severity == "error"]
    checked = 0
    for (indicator, period), rows in observations.groupby(["indicator_id", "period"]):
        values = rows.set_index("authority_code").value
        pub = published[
            (published.indicator_id == indicator) & (published.period == period)
        ].set_index("authority_code")
        assert np.isclose(values.median(), pub["median"].dropna().iloc[0])
        ours = calculate_mad_distance(values)
        theirs = pub["mads_from_median"].reindex(ours.index)
        both = ours.notna() & theirs.notna()
        assert both.sum() == theirs.notna().sum()
        assert np.allclose(ours[both], theirs[both])
        checked += 1
    assert checked == 42  # measure-years in the file


# Kent's rank among the seven counties in the 2008-09 plan (data end March 2007), worked out
# by hand from the printed table, 1 = best (all five indicators: higher is better).
SEVEN_COUNTY_RANKS = {
    "PAF-C28": 2,  # 11.0; only Lancashire (19.1) higher
    "PAF-C32": 2,  # 75.0; only Hampshire (83.5) higher
    "PAF-C30": 2,  # 3.2; only Lancashire (3.5) higher
    "PAF-C29": 2,  # 5.4; only Hampshire (5.9) higher
    "PAF-D39": 4,  # 98; Essex, Suffolk, West Sussex tie at 100 (rank 1)
}


@pytest.mark.parametrize(("indicator", "rank"), SEVEN_COUNTY_RANKS.items())
def test_kent_ranks_among_the_seven_counties(built, reference, indicator, rank):
    table = compare_with_group(
        built.tables["indicator_observations"],
        built.tables["comparator_members"],
        reference.indicators,
        indicator_id=indicator,
        period="2006-07",
        group_id="seven-counties-2008",
        focus_code="E10000016",
    )
    assert len(table) == 7
    assert table[table.is_focus]["rank"].iloc[0] == rank
    if indicator == "PAF-D39":
        assert sorted(table["rank"].tolist()) == [1, 1, 1, 4, 5, 6, 7]
