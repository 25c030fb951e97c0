"""``kass report`` under faults: notebooks that raise, exit, die, hang or flood; a kernel
that cannot start; the main process killed while notebooks run and during the swap; two
runs at once; a full disk and a read-only folder; partial runs merged into the pack."""

from __future__ import annotations

import errno
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import pytest
from filelock import FileLock

from kassanalysis import cli, pack
from kassanalysis import io as kio
from tests.faults.conftest import DIVISIONS, PERIOD, run_kass, tree_hash

pytestmark = pytest.mark.faults
A, B = DIVISIONS


def report(paths: kio.ProjectPaths, *args: str) -> int:
    return cli.main(["--root", str(paths.root), "report", "--no-progress", *args])


def pack_folder(paths: kio.ProjectPaths) -> Path:
    return paths.reports / PERIOD


def versions_left(paths: kio.ProjectPaths) -> list[str]:
    """Folders under reports/versions other than the one the pack links to."""
    versions = paths.reports / kio.VERSIONS
    current = pack_folder(paths).resolve() if pack_folder(paths).exists() else None
    if not versions.is_dir():
        return []
    return sorted(p.name for p in versions.iterdir() if p.resolve() != current)


def alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie waiting to be reaped does not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in status


def test_every_notebook_fault_fails_the_run_naming_it_and_keeps_the_pack(
    pack_tiny, monkeypatch, capsys
):
    before = tree_hash(pack_folder(pack_tiny))
    config = pack_tiny.root / "all.yml"
    config.write_text(
        (pack_tiny.root / "pack.yml")
        .read_text()
        .replace("[trend]", "[comparator, trend, variance]")
    )
    monkeypatch.setenv(
        "KASS_TEST_FAULTS",
        f"{A}/comparator=exit0;{A}/trend=exit1;{A}/variance=raise;"
        f"{B}/comparator=os_exit;{B}/trend=hang;{B}/variance=big",
    )
    capsys.readouterr()

    assert report(pack_tiny, "--config", str(config), "--timeout", "10") == 1

    out = capsys.readouterr().out
    lines = {line.split(":")[0].strip(" -"): line for line in out.splitlines()[1:]}
    # 5 faults fail; the very large output may pass, or fail naming its notebook
    assert re.match(r"[56] of 6 notebooks failed; the last good pack in", out.splitlines()[1])
    assert "SystemExit: 0" in lines[f"{A} / comparator"]
    assert "SystemExit: 1" in lines[f"{A} / trend"]
    assert "ValueError: injected failure" in lines[f"{A} / variance"]
    assert "DeadKernelError" in lines[f"{B} / comparator"]
    assert "timed out" in lines[f"{B} / trend"].lower()
    assert tree_hash(pack_folder(pack_tiny)) == before
    assert versions_left(pack_tiny) == []
    failed = list((pack_tiny.reports / "failed").iterdir())
    assert len(failed) == 1
    assert json.loads((failed[0] / "run.json").read_text())["succeeded"] is False


def test_kernel_that_fails_to_start_is_retried_and_logged_not_shown(pack_tiny, tmp_path):
    """A kernel that dies before replying (as with 'Address already in use') is started
    again with fresh ports; the run log says so and the terminal stays quiet."""
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    flaky = tmp_path / "flaky.py"
    flaky.write_text(
        "import os, sys\n"
        f"marker = {str(tmp_path / 'failed-once')!r}\n"
        "try:\n"
        "    os.close(os.open(marker, os.O_CREAT | os.O_EXCL))\n"
        "    sys.exit('zmq.error.ZMQError: Address already in use')\n"
        "except FileExistsError:\n"
        "    python = sys.executable\n"
        "    os.execv(python, [python, '-m', 'ipykernel_launcher', *sys.argv[1:]])\n"
    )
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, str(flaky), "-f", "{connection_file}"],
                "display_name": "Python 3",
                "language": "python",
            }
        )
    )

    result = run_kass(
        pack_tiny,
        "report",
        "--no-progress",
        "--division",
        A,
        env={"JUPYTER_PATH": str(tmp_path / "jupyter")},
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""  # no kernel warnings (TCP without encryption...) shown
    log = json.loads((pack_folder(pack_tiny) / "run.json").read_text())
    assert len(log["kernel_restarts"]) == 1
    assert "started again with fresh ports (attempt 2 of 3)" in log["kernel_restarts"][0]
    assert (pack_folder(pack_tiny) / "kernels.log").is_file()


@pytest.mark.parametrize("signal_name", ["KILL", "TERM"])
def test_report_killed_while_notebooks_run_stops_workers_and_recovers(
    pack_tiny, tmp_path, signal_name
):
    before = tree_hash(pack_folder(pack_tiny))
    pids = tmp_path / "pids"
    pids.mkdir()

    result = run_kass(
        pack_tiny,
        "report",
        "--no-progress",
        "--division",
        A,
        fault=f"kill:as_completed:before:1:{signal_name}",
        env={"KASS_TEST_PIDS": str(pids), "KASS_TEST_FAULTS": f"{A}/trend=slow;{B}/trend=slow"},
    )

    assert result.returncode == (-9 if signal_name == "KILL" else 130)
    if signal_name == "TERM":
        assert result.stderr.strip().splitlines() == [
            "kass report: interrupted; data/processed and reports were left as they were"
        ]
    kernels = [int(p.name) for p in pids.iterdir()]
    assert kernels
    deadline = time.monotonic() + 15
    while any(alive(pid) for pid in kernels) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(alive(pid) for pid in kernels)  # no kernel (and so no worker) runs on
    assert tree_hash(pack_folder(pack_tiny)) == before

    assert report(pack_tiny, "--division", A) == 0  # recovers with no manual clean-up
    assert versions_left(pack_tiny) == []
    assert [p.name for p in pack_tiny.reports.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("fault", ["kill:swap:before:1:KILL", "kill:swap:after:1:KILL"])
def test_report_killed_at_the_swap_leaves_old_or_new_pack(pack_tiny, fault):
    before = tree_hash(pack_folder(pack_tiny))

    result = run_kass(pack_tiny, "report", "--no-progress", "--division", A, fault=fault)

    assert result.returncode == -9
    after = tree_hash(pack_folder(pack_tiny))
    if fault.endswith("before:1:KILL"):
        assert after == before
    else:  # the new pack, whole: its run log says it succeeded and lists both divisions
        assert after != before
        log = json.loads((pack_folder(pack_tiny) / "run.json").read_text())
        assert log["succeeded"] is True
        assert {f"{d}/trend.html" for d in DIVISIONS} <= set(after)
    assert report(pack_tiny, "--division", A) == 0
    assert versions_left(pack_tiny) == []


def test_report_refuses_while_a_build_or_report_runs(pack_tiny, capsys):
    before = tree_hash(pack_tiny.reports)
    other = FileLock(pack_tiny.processed_root / kio.LOCK_NAME)
    with other:
        assert report(pack_tiny) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("kass report: another kass build or kass report is running")
    assert tree_hash(pack_tiny.reports) == before


def test_disk_full_while_writing_the_pack_is_one_line(pack_tiny, monkeypatch, capsys):
    def full(staging, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(staging / "index.html"))

    monkeypatch.setattr(pack, "write_index", full)
    before = tree_hash(pack_tiny.reports)

    assert report(pack_tiny, "--division", A) == 1

    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("kass report: cannot write ")
    assert err[0].endswith("index.html: the disk is full (nothing published was changed)")
    assert tree_hash(pack_tiny.reports) == before
    assert versions_left(pack_tiny) == []


def test_read_only_reports_folder_is_one_line(pack_tiny, monkeypatch, capsys):
    def read_only(*args, dir=None, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(dir))

    monkeypatch.setattr(tempfile, "mkdtemp", read_only)
    before = tree_hash(pack_tiny.reports)

    assert report(pack_tiny) == 1

    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"kass report: cannot write {pack_tiny.reports / kio.VERSIONS}: the folder is on a "
        "read-only file system (nothing published was changed)"
    ]
    assert tree_hash(pack_tiny.reports) == before


def test_one_division_run_keeps_the_other_divisions(pack_tiny, capsys):
    before = tree_hash(pack_folder(pack_tiny))

    # the division twice runs once; a million jobs start one worker for one notebook
    assert report(pack_tiny, "--division", A, "--division", A, "--jobs", "1000000") == 0

    out = capsys.readouterr().out
    assert f"running 1 notebooks for {PERIOD}, 1 at a time" in out
    after = tree_hash(pack_folder(pack_tiny))
    kept = {k: v for k, v in before.items() if k.startswith(f"{B}/")}
    assert kept and {k: after.get(k) for k in kept} == kept  # the other division as it was
    assert f"{A}/trend.html" in after
    index = (pack_folder(pack_tiny) / "index.html").read_text()
    assert f"{A}/trend.html" in index and f"{B}/trend.html" in index
    assert versions_left(pack_tiny) == []
