"""Paths that escape the project: outputs stay under the project unless
``kass report --reports-dir`` says otherwise; inputs stay under ``data/raw`` (a catalogue
path climbing out, an absolute path, or a symbolic link out of ``data/raw`` is refused,
naming the table or file), and every raw file the build reads is in its input hashes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from kassanalysis import cli
from kassanalysis import io as kio
from kassanalysis.build import build_tables
from kassanalysis.config import ConfigError, PackConfig, validate_config
from tests.faults.conftest import DIVISIONS, tree_hash

pytestmark = pytest.mark.faults
STAFFING = "kent-hq-2008-09/staffing-fte.txt"


def _set_reports(paths: kio.ProjectPaths, value: str) -> None:
    pack = paths.root / "pack.yml"
    pack.write_text(
        pack.read_text(encoding="utf-8").replace("reports: reports", f"reports: {value}"),
        encoding="utf-8",
    )


@pytest.mark.parametrize("value", ["/etc", "C:\\Reports", "../../x", "a/../../x"])
def test_pack_yml_reports_outside_the_project_is_refused(value):
    with pytest.raises(ConfigError) as caught:
        validate_config({"period": "2013-14 Q1", "reports": value}, PackConfig, "pack.yml")
    assert str(caught.value) == (
        "pack.yml: field 'reports': must be a folder inside the project (a relative path that "
        f"does not climb out with '..'), not {value!r}; to write the pack outside the project "
        "use `kass report --reports-dir DIR`"
    )


@pytest.mark.parametrize("value", ["ABSOLUTE", "../../x", "../outside"])
def test_reports_folder_outside_the_project_is_refused(pack_tiny, tmp_path, value, capsys):
    # an absolute folder of the test's own, not /etc: on code without the check the pack
    # would really be written there
    value = str(tmp_path / "absolute-outside") if value == "ABSOLUTE" else value
    _set_reports(pack_tiny, value)
    reports, processed = tree_hash(pack_tiny.reports), tree_hash(pack_tiny.processed)
    outside = (pack_tiny.root / value).resolve()
    existed = outside.exists()

    assert cli.main(["--root", str(pack_tiny.root), "report", "--no-progress"]) == 2

    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"kass report: {pack_tiny.root / 'pack.yml'}: field 'reports': must be a folder "
        "inside the project (a relative path that does not climb out with '..'), not "
        f"{value!r}; to write the pack outside the project use `kass report --reports-dir DIR`"
    ]
    assert outside.exists() == existed  # nothing made there
    assert tree_hash(pack_tiny.reports) == reports
    assert tree_hash(pack_tiny.processed) == processed


def test_reports_dir_option_writes_the_pack_outside_on_purpose(pack_tiny, tmp_path):
    reports = tree_hash(pack_tiny.reports)
    outside = tmp_path / "shared-drive"

    assert (
        cli.main(
            [
                "--root",
                str(pack_tiny.root),
                "report",
                "--no-progress",
                "--reports-dir",
                str(outside),
            ]
        )
        == 0
    )

    index = (outside / "2008-09" / "index.html").read_text(encoding="utf-8")
    assert all(f'{division}/trend.html"' in index for division in DIVISIONS)
    assert tree_hash(pack_tiny.reports) == reports  # the project's pack untouched


def _catalogue_file(paths: kio.ProjectPaths, table: str, file: str) -> None:
    catalogue = paths.raw / kio.CATALOGUE
    document = yaml.safe_load(catalogue.read_text(encoding="utf-8"))
    for entry in document["tables"]:
        if entry["id"] == table:
            entry["file"] = file
    catalogue.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def _table_of(paths: kio.ProjectPaths, file: str) -> str:
    return next(e.id for e in kio.read_catalogue(paths.raw) if e.file == file)


@pytest.mark.parametrize("kind", ["climbs", "absolute"])
def test_catalogue_file_outside_data_raw_is_refused(tiny, tmp_path, kind, capsys):
    outside = tmp_path / "outside.txt"
    outside.write_bytes((tiny.raw / STAFFING).read_bytes())  # a good table, but outside
    written = "../../outside.txt" if kind == "climbs" else str(outside)
    if kind == "climbs":  # data/raw/../../outside.txt is the project's parent's file
        outside = (tiny.raw / written).resolve()
        outside.write_bytes((tiny.raw / STAFFING).read_bytes())
    table = _table_of(tiny, STAFFING)
    _catalogue_file(tiny, table, written)
    before = tree_hash(tiny.processed)

    status = cli.main(["--root", str(tiny.root), "build"])

    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2  # a catalogue error is a configuration error: one line, exit 2
    assert err == [
        f"kass build: {tiny.raw / kio.CATALOGUE}: table {table!r}: field 'file': {written!r} "
        "is outside data/raw (the catalogue lists files by their path inside data/raw, "
        "e.g. 'kent-2024-25/qpr.txt')",
    ]
    assert tree_hash(tiny.processed) == before


def test_symlink_out_of_data_raw_is_refused_naming_the_file(tiny, tmp_path, capsys):
    outside = tmp_path / "elsewhere" / "staffing-fte.txt"
    outside.parent.mkdir()
    outside.write_bytes((tiny.raw / STAFFING).read_bytes())  # the same, good table
    (tiny.raw / STAFFING).unlink()
    (tiny.raw / STAFFING).symlink_to(outside)
    before = tree_hash(tiny.processed)

    assert cli.main(["--root", str(tiny.root), "build"]) == 1

    err = capsys.readouterr().err
    assert (
        f"{STAFFING}: leads outside data/raw: {STAFFING} -> {outside}; raw files must be "
        "inside data/raw" in err
    )
    assert "Traceback" not in err
    assert tree_hash(tiny.processed) == before


def test_a_link_inside_data_raw_is_read_and_hashed(tiny):
    """A link to another file inside data/raw stays allowed (and hashed)."""
    copy = tiny.raw / "kent-hq-2008-09" / "staffing-original.txt"
    (tiny.raw / STAFFING).rename(copy)
    (tiny.raw / STAFFING).symlink_to(copy)
    result = build_tables(tiny)
    assert result.errors == []
    assert result.manifest["inputs"][f"data/raw/{STAFFING}"] == kio.hash_file(copy)


def test_input_hashes_cover_exactly_the_raw_files_the_build_reads(tiny):
    opened: set[Path] = set()
    recording = {"on": True}

    def audit(event, args):
        if recording["on"] and event == "open" and isinstance(args[0], (str, Path)):
            opened.add(Path(args[0]).resolve())

    sys.addaudithook(audit)
    try:
        manifest = build_tables(tiny).manifest
    finally:
        recording["on"] = False  # audit hooks cannot be removed; this one stops recording
    hashed = {(tiny.root / name).resolve() for name in manifest["inputs"]}
    raw, reference = tiny.raw.resolve(), tiny.reference.resolve()
    read_raw = {p for p in opened if p.is_relative_to(raw) and p.is_file()}
    read_reference = {p for p in opened if p.is_relative_to(reference) and p.is_file()}
    assert read_raw  # the recording saw the reads
    # every raw file of the tiny project is catalogued, so the two sets are the same
    assert read_raw == {p for p in hashed if p.is_relative_to(raw)}
    assert read_reference <= {p for p in hashed if p.is_relative_to(reference)}
