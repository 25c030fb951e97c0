"""Divisions belong to an era: a pack for a period runs only the divisions whose data is
for it, and a period no division has data for is refused (never another era's figures)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kassanalysis.config import ConfigError, Division, Divisions, read_config
from kassanalysis.periods import parse_period
from kassanalysis.report.context import ParameterError, divisions_for_period

ROOT = Path(__file__).resolve().parents[2]

HQ = Division(id="hq-2008-09", comparator_group="g", periods=("2008-09",))
OPPD_OLD = Division(id="oppd-2013-14", comparator_group="g", periods=("2013-14",))
OPPD = Division(id="oppd-2024-25", comparator_group="g", periods=("2024-25",))
ASCH = Division(id="asch-2024-25", comparator_group="g", periods=("2024-25",))
EVERY = [HQ, OPPD_OLD, OPPD, ASCH]


def ids(divisions):
    return [d.id for d in divisions]


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        # 2024-25 Q3 is 1 Oct - 31 Dec 2024, in financial year 2024-25: today's two
        ("2024-25 Q3", ["oppd-2024-25", "asch-2024-25"]),
        ("2024-25", ["oppd-2024-25", "asch-2024-25"]),
        ("2013-14 Q1", ["oppd-2013-14"]),
        ("2008-09", ["hq-2008-09"]),
    ],
)
def test_a_pack_runs_only_its_eras_divisions(period, expected):
    assert ids(divisions_for_period(EVERY, parse_period(period))) == expected


def test_a_division_without_periods_is_for_every_year():
    anywhere = Division(id="any", comparator_group="g")
    assert ids(divisions_for_period([OPPD, anywhere], parse_period("2013-14 Q1"))) == ["any"]


def test_a_period_with_no_division_is_refused_with_the_valid_periods():
    with pytest.raises(ParameterError) as raised:
        divisions_for_period(EVERY, parse_period("2019-20 Q1"))
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("unknown period '2019-20 Q1': no division has data for it;")
    # the three eras' years, each with its four quarters
    assert message.endswith(
        "valid periods: 2008-09, 2008-09 Q1, 2008-09 Q2, 2008-09 Q3, 2008-09 Q4, "
        "2013-14, 2013-14 Q1, 2013-14 Q2, 2013-14 Q3, 2013-14 Q4, "
        "2024-25, 2024-25 Q1, 2024-25 Q2, 2024-25 Q3, 2024-25 Q4"
    )


def test_a_division_asked_for_by_name_must_cover_the_period():
    assert ids(divisions_for_period(EVERY, parse_period("2013-14 Q1"), ["oppd-2013-14"])) == [
        "oppd-2013-14"
    ]
    with pytest.raises(
        ParameterError,
        match=r"^division 'hq-2008-09' has no data for "
        r"2024-25 Q3; valid periods for it: 2008-09, 2008-09 Q1, .*2008-09 Q4$",
    ):
        divisions_for_period(EVERY, parse_period("2024-25 Q3"), ["oppd-2024-25", "hq-2008-09"])


@pytest.mark.parametrize("bad", ["[2024]", "['2024-26']", "['2024/25']", "'2024-25'"])
def test_periods_are_financial_years_written_exactly(tmp_path, bad):
    file = tmp_path / "divisions.yml"
    file.write_text(
        f"home_authority: E10000016\ndivisions:\n  - {{id: a, comparator_group: g, "
        f"periods: {bad}}}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"division 'a': field 'periods"):
        read_config(file, Divisions)


def test_every_shipped_division_names_its_era():
    divisions = read_config(ROOT / "data" / "reference" / "divisions.yml", Divisions).divisions
    eras = {d.id: d.periods for d in divisions}
    assert all(eras.values())
    assert [d for d, p in eras.items() if p == ("2024-25",)] == [
        "oppd-2024-25",
        "ldamh-2024-25",
        "asch-2024-25",
    ]
    # the default pack (pack.yml) is today's: only today's divisions run in it
    assert ids(divisions_for_period(list(divisions), parse_period("2024-25 Q3"))) == [
        "oppd-2024-25",
        "ldamh-2024-25",
        "asch-2024-25",
    ]
