"""KPI, comparator, banding and target tables: tiny copies of the seed layouts, expected
values as printed."""

import math

from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.clean.kpi import (
    clean_banding_table,
    clean_comparator_table,
    clean_kpi_table,
    clean_target_statements,
    extract_targets,
)
from kassanalysis.schemas import IndicatorObservations


def entry(**kw):
    base = dict(
        id="k",
        file="k.txt",
        kind="kpi_table",
        authority="E10000016",
        source={},
        licence="OGL",
        format="pipe",
    )
    base.update(kw)
    return CatalogueEntry(**base)


PAF = [
    "| | Actual 2005/06 | Actual 2006/07 | Target 2007/08 | Target 2009/10 |",
    "|---|---|---|---|---|",
    "| PAF C72. Admissions of supported residents aged 65 or over | 73 | 72 | 71 | N/A |",
]


def test_value_types_and_periods_from_the_header(reference):
    frame, problems = clean_kpi_table(PAF, entry(), reference)
    assert problems == []
    IndicatorObservations.validate(frame)
    got = frame[["indicator_id", "period", "value_type", "value", "status"]].values.tolist()
    assert got[:3] == [
        ["PAF-C72", "2005-06", "actual", 73.0, "reported"],
        ["PAF-C72", "2006-07", "actual", 72.0, "reported"],
        ["PAF-C72", "2007-08", "target", 71.0, "reported"],
    ]
    assert got[3][:3] == ["PAF-C72", "2009-10", "target"]
    assert math.isnan(got[3][3]) and got[3][4] == "not_applicable"  # N/A is not zero
    assert frame.source_line.tolist() == [3, 3, 3, 3]


def test_unparseable_period_is_an_error(reference):
    lines = [PAF[0].replace("Actual 2005/06", "Actual 2005/07"), *PAF[1:]]
    _, problems = clean_kpi_table(lines, entry(), reference)
    assert problems[0].check == "unparseable period"
    assert "2005/07" in problems[0].message


def test_unknown_indicator_is_an_error_naming_the_line(reference):
    lines = [*PAF, "| Number of widgets | 1 | 2 | 3 | 4 |"]
    _, problems = clean_kpi_table(lines, entry(), reference)
    assert [(p.check, p.source_line) for p in problems] == [("unknown indicator", 4)]


def test_phased_targets_with_catalogue_layout_and_wrapped_name(reference):
    lines = [
        "PERFORMANCE INDICATORS\tFloor December Performance\t\tComparative Benchmark\tTarget",
        "\tStandard\t\tDelicilliark\tQ1\tQ2\tQ3\tQ4",
        "ADASS Definition - All service users and carers as at the last day\t\t\t\t\t\t\t",
        "of the period with a personal budget/direct payment as a percentage of all service "
        "users and carers who have received community based services on the last day of the "
        "period.\t\t78.0%\t64%\t70%\t77%\t84%\t90%",
        "Admissions to permanent residential care\t\t5.8\t7\t<i>5.7</i>\t5.7\t5.7\t<i>5.7</i>",
    ]
    layout = (
        "label",
        "floor@2013-14",
        "actual@Dec 2012",
        "benchmark@2012-13",
        "target@2013-14 Q1",
        "target@2013-14 Q2",
        "target@2013-14 Q3",
        "target@2013-14 Q4",
    )
    frame, problems = clean_kpi_table(
        lines,
        entry(format="tab", columns=layout, header_lines=2, wrapped_labels="before"),
        reference,
    )
    assert problems == []
    pb = frame[frame.indicator_id == "KCC-OPPD-PB"].set_index("period")
    assert pb.loc["Dec 2012", "value"] == 78.0
    assert pb.loc["2013-14 Q2", "value"] == 77.0
    assert pb.source_line.unique().tolist() == [3]  # the name starts on line 3
    adm = frame[frame.indicator_id == "KCC-OPPD-ADMRES"].set_index("period")
    assert adm.loc["2013-14 Q4", "value"] == 5.7
    assert math.isnan(adm.loc["2013-14", "value"])  # floor not printed: missing


def test_comparator_table_maps_abbreviated_council_names(reference):
    lines = [
        "| <u>Comparators</u> | (Data from end March 07) | | |",
        "|---|---|---|---|",
        "| | Kent | Gloucs | Hamps |",
        "| Intensive Home care per 1000 population aged 65 and over | 11.0 | 8.0 | 9.5 |",
    ]
    frame, problems = clean_comparator_table(
        lines, entry(kind="comparator_table", period="2006-07"), reference
    )
    assert problems == []
    assert dict(zip(frame.authority_code, frame.value, strict=True)) == {
        "E10000016": 11.0,
        "E10000013": 8.0,
        "E10000014": 9.5,
    }
    assert set(frame.indicator_id) == {"PAF-C28"}


def test_banding_total_is_checked(reference):
    lines = ["| | 2005/06 |", "|---|---|", "| BAND 1 | 3 |", "| BAND 2 | 4 |", "| TOTAL | 8 |"]
    frame, problems = clean_banding_table(lines, entry(kind="banding_table"), reference)
    assert frame[frame.row_type == "total"]["count"].tolist() == [8.0]
    assert [(p.severity, p.source_line, p.expected, p.found) for p in problems] == [
        ("finding", 5, 7.0, 8.0)
    ]


def test_targets_in_prose():
    assert extract_targets("to 70 per 100,000 population (additional 54 service users).") == [70.0]
    assert extract_targets(
        "to 3.0 per 1,000 population (MH) and 3.1 per 1,000 population (LD)"
    ) == [3.0, 3.1]
    assert extract_targets("To meet 90%+ satisfaction rates.") == [90.0]


def test_target_statements_mapped_by_number(reference):
    lines = [
        "- 13. To complete assessments within DoH timescales in not less than 82.5% of cases.",
        "- 15. To identify at least one improvement.",
        "- 16. To set up care packages in not less than 92% of cases.",
    ]
    frame, problems = clean_target_statements(
        lines,
        entry(
            kind="target_statements",
            authority="E10000024",
            period="2006-07",
            targets={"13": ("NOTTS-KPR13",), "16": ("NOTTS-KPR16",)},
        ),
        reference,
    )
    assert problems == []
    assert frame[["indicator_id", "value", "source_line"]].values.tolist() == [
        ["NOTTS-KPR13", 82.5, 1],
        ["NOTTS-KPR16", 92.0, 3],
    ]
    assert set(frame.value_type) == {"target"}
