"""Broken configuration files through the ``kass`` command: one line naming the file, the
item and the field; never a traceback; nothing built or published from them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from kassanalysis import cli
from kassanalysis import io as kio

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_an_unknown_catalogue_field_stops_the_build_in_one_line(built_paths, capsys):
    catalogue = built_paths.raw / kio.CATALOGUE
    document = yaml.safe_load(catalogue.read_text(encoding="utf-8"))
    document["tables"][0]["colour"] = "red"
    catalogue.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    before = tree(built_paths.processed)

    # a configuration error: exit 2, one line naming file, table and field
    assert cli.main(["--root", str(built_paths.root), "build"]) == 2

    err = capsys.readouterr().err
    assert err == (
        f"kass build: {catalogue}: table {document['tables'][0]['id']!r}: field 'colour': "
        "unknown field\n"
    )
    assert tree(built_paths.processed) == before


def test_a_bad_comparator_group_is_a_build_problem_naming_group_and_field(built_paths, capsys):
    groups = built_paths.reference / "comparator_groups.yml"
    groups.write_text(
        groups.read_text(encoding="utf-8").replace("method: region", "method: by_region"),
        encoding="utf-8",
    )
    before = tree(built_paths.processed)

    assert cli.main(["--root", str(built_paths.root), "build"]) == 1

    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert (
        "data/reference/comparator_groups.yml: group 'same-region-south-east': field "
        "'method': Input should be 'nearest_neighbours', 'all', 'council_type', 'region' or "
        "'named' (got 'by_region')"
    ) in err
    assert tree(built_paths.processed) == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("home_authority: !!python/object/apply:os.getcwd []\n", ", line 1: not valid YAML:"),
        ("- id: oppd\n", ": expected a mapping of settings (key: value lines), got a list"),
        ("divisions: []\n", ": field 'home_authority': missing"),
    ],
)
def test_a_broken_divisions_file_stops_the_report_in_one_line(built_paths, capsys, text, expected):
    shutil.copy(ROOT / "pack.yml", built_paths.root / "pack.yml")
    divisions = built_paths.reference / "divisions.yml"
    divisions.write_text(text, encoding="utf-8")

    code = cli.main(["--root", str(built_paths.root), "report", "--no-progress"])

    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"kass report: {divisions}{expected}")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (built_paths.root / "reports" / "2013-14-Q1").exists()
