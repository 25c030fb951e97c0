"""``kass build`` under faults: killed at every step of writing and swapping, disk full,
read-only folder, two builds at once, a YAML tag in the catalogue, the umask."""

from __future__ import annotations

import errno
import os
import stat
import tempfile

import pytest
from filelock import FileLock

from kassanalysis import cli
from kassanalysis import io as kio
from tests.faults.conftest import build_is_whole, leftovers, run_kass, tree_hash

pytestmark = pytest.mark.faults


@pytest.mark.parametrize(
    "fault",
    [
        "kill:to_parquet:before:3:KILL",  # while writing the tables
        "kill:replace:before:1:KILL",  # at the swap itself
        "kill:replace:after:1:KILL",  # swapped, old build not yet removed
        "kill:replace:before:1:TERM",
        "kill:to_parquet:before:2:INT",  # Ctrl-C
    ],
)
def test_killed_build_leaves_old_or_new_and_next_build_recovers(tiny, fault):
    before = tree_hash(tiny.processed)
    readme = (tiny.processed_root / "README.md").read_bytes()

    killed = run_kass(tiny, "build", fault=fault)

    assert killed.returncode != 0
    if not fault.endswith("KILL"):  # SIGTERM and Ctrl-C: one line, then exit 130
        assert killed.returncode == 130
        assert killed.stderr.strip().splitlines() == [
            "kass build: interrupted; data/processed and reports were left as they were"
        ]
    after = tree_hash(tiny.processed)
    assert after == before or build_is_whole(tiny)  # old, or a whole new build
    assert (tiny.processed_root / "README.md").read_bytes() == readme  # tracked file kept

    assert cli.main(["--root", str(tiny.root), "build"]) == 0  # no manual clean-up
    assert build_is_whole(tiny)
    assert leftovers(tiny) == []
    assert (tiny.processed_root / "README.md").read_bytes() == readme


def test_disk_full_while_writing_is_one_line_naming_the_file(tiny):
    before = tree_hash(tiny.processed)

    result = run_kass(tiny, "build", fault="enospc:to_csv:3")

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "kass build: cannot write "
        f"{tiny.processed_root / 'builds'}/"
        + result.stderr.split("builds/")[1].split(":")[0]
        + ": the disk is full (nothing published was changed)"
    ]
    assert ".csv" in result.stderr
    assert tree_hash(tiny.processed) == before
    assert leftovers(tiny) == []


def test_read_only_folder_is_one_line_naming_the_folder(tiny, monkeypatch, capsys):
    # Running as root ignores file modes, so the read-only file system is simulated where
    # the staging folder is made.
    before = tree_hash(tiny.processed)

    def read_only(*args, dir=None, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(dir))

    monkeypatch.setattr(tempfile, "mkdtemp", read_only)

    assert cli.main(["--root", str(tiny.root), "build"]) == 1

    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"kass build: cannot write {tiny.processed_root / 'builds'}: the folder is on a "
        "read-only file system (nothing published was changed)"
    ]
    assert tree_hash(tiny.processed) == before


def test_second_build_refuses_while_one_runs(tiny, capsys):
    before = tree_hash(tiny.processed)
    other = FileLock(tiny.processed_root / kio.LOCK_NAME)  # another process's build
    with other:
        assert cli.main(["--root", str(tiny.root), "build"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("kass build: another kass build or kass report is running on")
    assert "nothing was changed" in err[0]
    assert tree_hash(tiny.processed) == before


def test_second_build_waits_when_asked(tiny):
    other = FileLock(tiny.processed_root / kio.LOCK_NAME)
    other.acquire()
    try:
        result = run_kass(tiny, "build", env={"KASS_LOCK_WAIT": "0.5"})
    finally:
        other.release()
    assert result.returncode == 1
    assert "(waited 0.5 s)" in result.stderr


def test_yaml_tag_in_catalogue_is_refused_in_one_line_and_not_run(tiny, tmp_path, capsys):
    marker = tmp_path / "ran"
    (tiny.raw / kio.CATALOGUE).write_text(
        f'defaults: {{}}\ntables:\n  - !!python/object/apply:os.system ["touch {marker}"]\n',
        encoding="utf-8",
    )

    assert cli.main(["--root", str(tiny.root), "build"]) == 2

    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"kass build: {tiny.raw / kio.CATALOGUE}, line 3: not valid YAML: could not "
        "determine a constructor for the tag 'tag:yaml.org,2002:python/object/apply:os.system'"
    ]
    assert not marker.exists()


def test_build_output_honours_the_umask(tiny):
    old = os.umask(0o022)
    try:
        assert cli.main(["--root", str(tiny.root), "build"]) == 0
    finally:
        os.umask(old)
    build = tiny.processed.resolve()
    assert stat.S_IMODE(build.stat().st_mode) == 0o755  # 0777 & ~022, not mkdtemp's 0700
    assert stat.S_IMODE((build / "budget_lines.csv").stat().st_mode) == 0o644
