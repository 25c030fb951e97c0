"""The typed configuration (kassanalysis.config): one loader, unknown keys refused, strict
numbers and switches, and every error one line naming the file, the item and the field."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from kassanalysis import cli
from kassanalysis.config import (
    Catalogue,
    CatalogueEntry,
    ComparatorGroups,
    ConfigError,
    Divisions,
    PackConfig,
    read_config,
    validate_config,
)

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str, name: str = "config.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path, model) -> str:
    with pytest.raises(ConfigError) as caught:
        read_config(path, model)
    return str(caught.value)


# ------------------------------------------------------------------------ the loader


@pytest.mark.parametrize(
    "text",
    [
        "!!python/object/apply:os.system ['echo unsafe']\n",
        "period: !!python/object:object {}\n",
    ],
)
def test_yaml_tags_are_refused_in_one_line_naming_file_and_line(tmp_path, text):
    path = write(tmp_path, text)
    message = error_of(path, PackConfig)
    assert message.startswith(f"{path}, line 1: not valid YAML:")
    assert "\n" not in message


def test_a_document_that_is_not_a_mapping_is_refused(tmp_path):
    path = write(tmp_path, "- period: 2013-14 Q1\n")
    assert error_of(path, PackConfig) == (
        f"{path}: expected a mapping of settings (key: value lines), got a list"
    )
    empty = write(tmp_path, "", "empty.yml")
    assert error_of(empty, PackConfig).endswith("got nothing")


def test_a_missing_file_is_one_line(tmp_path):
    message = error_of(tmp_path / "absent.yml", PackConfig)
    assert message.startswith(f"{tmp_path / 'absent.yml'}: cannot be read")
    assert "\n" not in message


# -------------------------------------------------------------------------- pack.yml


def test_the_shipped_pack_yml_loads_with_its_source():
    config = read_config(ROOT / "pack.yml", PackConfig)
    assert config.period == "2024-25 Q3"  # the current pack (issue 15)
    assert config.source == str((ROOT / "pack.yml").resolve())
    assert (config.rule.min_count, config.rule.max_count, config.rule.secondary) == (1, 4, True)


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("timeout: true", "field 'timeout': Input should be a valid integer (got True)"),
        ("timeout: '600'", "field 'timeout': Input should be a valid integer (got '600')"),
        ("jobs: 1.5", "field 'jobs': Input should be a valid integer (got 1.5)"),
        ("jobs: -1", "field 'jobs': jobs must be 0 (the number of cores) or more, not -1"),
        ("timeout: 0", "field 'timeout': timeout must be a positive number of seconds, not 0"),
        ("colour: red", "field 'colour': unknown field"),
        ("disclosure: {secondary: yes, max: 3}", "field 'disclosure.max': unknown field"),
        (
            "disclosure: {min_count: 5, max_count: 2}",
            "field 'disclosure': min_count (5) must not exceed max_count (2)",
        ),
        (
            "disclosure: {secondary: 1}",
            "field 'disclosure.secondary': Input should be a valid boolean (got 1)",
        ),
    ],
)
def test_bad_pack_settings_name_the_field(tmp_path, setting, expected):
    path = write(tmp_path, f"period: 2013-14 Q1\n{setting}\n", "pack.yml")
    assert error_of(path, PackConfig) == f"{path}: {expected}"


def test_every_problem_is_reported_at_once(tmp_path):
    path = write(tmp_path, "timeout: true\njobs: x\n", "pack.yml")
    assert error_of(path, PackConfig).splitlines() == [
        f"{path}: field 'period': missing",
        f"{path}: field 'jobs': Input should be a valid integer (got 'x')",
        f"{path}: field 'timeout': Input should be a valid integer (got True)",
    ]


def test_overrides_are_checked_and_keep_the_source(tmp_path):
    config = read_config(write(tmp_path, "period: 2013-14 Q1\n", "pack.yml"), PackConfig)
    changed = config.with_overrides(jobs=2, divisions=("oppd-2013-14",))
    assert (changed.jobs, changed.divisions, changed.source) == (
        2,
        ("oppd-2013-14",),
        config.source,
    )
    with pytest.raises(ConfigError, match="^command line: field 'timeout': timeout must be"):
        config.with_overrides(timeout=-5)


def test_null_lists_and_rule_mean_the_defaults():
    config = validate_config(
        {"period": "2013-14 Q1", "divisions": None, "disclosure": None}, PackConfig, "pack.yml"
    )
    assert config.divisions == ()
    assert config.rule.max_count == 4


def test_a_bad_pack_yml_is_one_line_from_the_command(tmp_path, capsys):
    path = write(tmp_path, "period: 2013-14 Q1\ntimeout: true\n", "pack.yml")
    assert cli.main(["--root", str(ROOT), "report", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"kass report: {path}: field 'timeout': Input should be a valid integer (got True)\n"
    )


# ----------------------------------------------------------------------- the catalogue

TABLE = "{id: t, file: t.txt, kind: budget_table, format: pipe}"


def test_catalogue_defaults_are_laid_under_every_table(tmp_path):
    path = write(
        tmp_path,
        f"defaults: {{licence: OGL, authority: E10000016}}\n"
        f"tables:\n  - {TABLE}\n  - {{id: u, file: u.txt, kind: ons_mye2, authority: ''}}\n",
    )
    t, u = read_config(path, Catalogue).tables
    assert (t.licence, t.authority, u.licence, u.authority) == ("OGL", "E10000016", "OGL", "")


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        (
            "{id: t, file: t.txt, kind: budget_table, colour: red}",
            "table 't': field 'colour': unknown field",
        ),
        ("{id: t, kind: budget_table}", "table 't': field 'file': missing"),
        ("{id: t, file: t, kind: pdf}", "table 't': field 'kind': unknown kind 'pdf'; known"),
        (
            "{id: t, file: t, kind: ons_mye2, year: '2020'}",
            "table 't': field 'year': Input should be a valid integer (got '2020')",
        ),
        (
            "{id: t, file: t, kind: kpi_table, illustrative: 1}",
            "table 't': field 'illustrative': Input should be a valid boolean (got 1)",
        ),
        (
            "{id: t, file: t, kind: budget_table, columns: label}",
            "table 't': field 'columns': Input should be a valid tuple (got 'label')",
        ),
        ("{file: t, kind: budget_table}", "table #1: field 'id': missing"),
    ],
)
def test_bad_catalogue_entries_name_the_table_and_field(tmp_path, table, expected):
    path = write(tmp_path, f"tables:\n  - {table}\n")
    message = error_of(path, Catalogue)
    assert message.startswith(f"{path}: {expected}")
    assert "\n" not in message


def test_a_table_id_used_twice_is_refused(tmp_path):
    path = write(tmp_path, f"tables:\n  - {TABLE}\n  - {TABLE}\n")
    assert error_of(path, Catalogue) == f"{path}: table id(s) used twice: 't'"


def test_unknown_defaults_are_refused(tmp_path):
    path = write(tmp_path, f"defaults: {{colour: red}}\ntables:\n  - {TABLE}\n")
    assert error_of(path, Catalogue) == f"{path}: defaults: unknown field(s) colour"


def test_kpi_numbers_written_without_quotes_are_the_same_target_keys():
    entry = CatalogueEntry(id="k", file="k.txt", kind="kpi_table", targets={12: ["A"], "13": []})
    assert entry.targets == {"12": ("A",), "13": ()}


def test_a_replaced_entry_is_checked_again():
    entry = CatalogueEntry("t", "t.txt", "budget_table", "E10000016", {}, "OGL")
    assert dataclasses.replace(entry, unit="Older Persons").unit == "Older Persons"
    with pytest.raises(ValueError, match="unknown kind 'pdf'"):
        dataclasses.replace(entry, kind="pdf")


def test_the_shipped_catalogue_loads():
    tables = read_config(ROOT / "data" / "raw" / "catalogue.yml", Catalogue).tables
    assert all(t.licence for t in tables)  # every table has the default licence or its own


# ------------------------------------------------------------ divisions and comparator groups


def test_divisions_take_the_home_authority_and_their_id_as_name(tmp_path):
    path = write(
        tmp_path,
        "home_authority: E10000016\ndivisions:\n"
        "  - {id: a, comparator_group: g}\n"
        "  - {id: b, name: Bee, authority: E10000012, comparator_group: g}\n",
    )
    a, b = read_config(path, Divisions).divisions
    assert (a.name, a.authority) == ("a", "E10000016")
    assert (b.name, b.authority) == ("Bee", "E10000012")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("divisions: []\n", "field 'home_authority': missing"),
        (
            "home_authority: Kent\ndivisions: []\n",
            "field 'home_authority': 'Kent' is not an ONS code like E10000016",
        ),
        (
            "home_authority: E10000016\ndivisions:\n  - {id: a}\n",
            "division 'a': field 'comparator_group': missing",
        ),
        (
            "home_authority: E10000016\ndivisions:\n  - {id: a, comparator_group: g, team: x}\n",
            "division 'a': field 'team': unknown field",
        ),
        (
            "home_authority: E10000016\ndivisions:\n"
            "  - {id: a, comparator_group: g}\n  - {id: a, comparator_group: g}\n",
            "division id(s) used twice: 'a'",
        ),
    ],
)
def test_bad_divisions_name_the_division_and_field(tmp_path, text, expected):
    path = write(tmp_path, text, "divisions.yml")
    assert error_of(path, Divisions) == f"{path}: {expected}"


def test_the_shipped_divisions_name_kent_as_home():
    divisions = read_config(ROOT / "data" / "reference" / "divisions.yml", Divisions)
    assert divisions.home_authority == "E10000016"  # Kent County Council's ONS code
    assert {d.authority for d in divisions.divisions} == {"E10000016"}


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        ("{id: g, method: magic}", "group 'g': field 'method': Input should be"),
        ("{id: g, method: region}", "group 'g': method region needs 'of'"),
        ("{id: g, method: named}", "group 'g': method named needs 'members'"),
        (
            "{id: g, method: named, members: [E10000016, E1]}",
            "group 'g': field 'members.1': 'E1' is not an ONS code like E10000016",
        ),
        ("{id: g, method: all, size: 3}", "group 'g': field 'size': unknown field"),
    ],
)
def test_bad_comparator_groups_name_the_group_and_field(tmp_path, group, expected):
    path = write(tmp_path, f"groups:\n  - {group}\n", "comparator_groups.yml")
    message = error_of(path, ComparatorGroups)
    assert message.startswith(f"{path}: {expected}")
    assert "\n" not in message
