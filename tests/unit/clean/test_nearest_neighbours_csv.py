"""Nearest-neighbour lists as CSV (LG Inform's CIPFA export): one council a row, in rank order."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kassanalysis import io as kio
from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.clean.nearest_neighbours import clean_nearest_neighbours_csv, list_name

ROOT = Path(__file__).resolve().parents[3]
CASES = ROOT / "tests" / "fixtures" / "cases"
EXPORTS = ROOT / "data" / "raw" / "public" / "indicator-exports"


def entry(file: str, **kw) -> CatalogueEntry:
    return CatalogueEntry(
        id="x",
        file=file,
        kind="nearest_neighbours",
        authority="E08000009",
        source={},
        licence="",
        **kw,
    )


def test_cipfa_case_reads_in_rank_order():
    # ../shared/cases/cipfa-nn-csv: "Expecting value: line 1 column 1" before (a JSON
    # parser). The file lists Swindon, Warrington, Stockport, in that order.
    raw = kio.read_csv_text(CASES / "cipfa-nn-csv" / "cipfa-nn.csv")
    members, problems = clean_nearest_neighbours_csv(raw, entry("cipfa-nn.csv"), None)
    assert problems == []
    assert members.authority_code.tolist() == ["E06000030", "E06000007", "E08000007"]
    assert set(members.group_id) == {"nearest-neighbours:cipfa-nn:E08000009"}


@pytest.mark.backtest
@pytest.mark.parametrize(
    ("file", "first", "last"),
    [
        # cipfa2019.csv: line 2 Warrington, line 16 Telford and Wrekin
        ("cipfa2019.csv", "E06000007", "E06000020"),
        # cipfa2021.csv: line 2 Swindon, line 16 Medway
        ("cipfa2021.csv", "E06000030", "E06000035"),
    ],
)
def test_trafford_cipfa_lists(file, first, last):
    members, problems = clean_nearest_neighbours_csv(
        kio.read_csv_text(EXPORTS / file), entry(f"public/indicator-exports/{file}"), None
    )
    assert problems == []
    assert len(members) == 15
    assert members.authority_code.iloc[0] == first
    assert members.authority_code.iloc[-1] == last
    year = file[5:9]
    assert set(members.group_id) == {f"nearest-neighbours:cipfa-{year}:E08000009"}
    assert "E08000009" not in set(members.authority_code)  # the list leaves Trafford out


def test_list_named_by_catalogue_source_and_year():
    e = CatalogueEntry(
        id="x",
        file="whatever.csv",
        kind="nearest_neighbours",
        authority="E08000009",
        source={"list": "LG Inform children's services"},
        licence="",
        year=2023,
    )
    assert list_name(e) == "lg-inform-children-s-services-2023"


def test_bad_codes_and_repeats_named_with_lines():
    raw = pd.DataFrame({"area_code": ["E06000030", "Swindon", "E06000030", "E06000007"]})
    members, problems = clean_nearest_neighbours_csv(raw, entry("nn.csv"), None)
    assert members.authority_code.tolist() == ["E06000030", "E06000007"]
    assert [(p.check, p.severity, p.source_line) for p in problems] == [
        ("malformed area code", "error", 3),
        ("duplicated member", "finding", 4),
    ]


def test_no_code_column_or_no_rows_is_an_error():
    _, problems = clean_nearest_neighbours_csv(pd.DataFrame({"x": ["1"]}), entry("nn.csv"), None)
    assert [p.check for p in problems] == ["missing column"]
    _, problems = clean_nearest_neighbours_csv(
        pd.DataFrame(columns=["area_code", "area_name"]), entry("nn.csv"), None
    )
    assert [p.check for p in problems] == ["no data rows"]


def test_list_without_its_council_is_an_error():
    e = CatalogueEntry(
        id="x", file="nn.csv", kind="nearest_neighbours", authority="", source={}, licence=""
    )
    _, problems = clean_nearest_neighbours_csv(pd.DataFrame({"area_code": ["E06000030"]}), e, None)
    assert [p.check for p in problems] == ["unknown council"]
    assert "--authority" in problems[0].message
