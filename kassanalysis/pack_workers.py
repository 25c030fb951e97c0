"""The pack's worker processes: how many to start, how each is set up (it dies with the
main process; its kernels' stderr goes to the run's kernel log), how they are stopped, and
the order notebooks are handed to them (longest expected first, from the last pack's
``run.json``)."""

from __future__ import annotations

import contextlib
import json
import math
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kassanalysis.pack import NotebookRun

_PR_SET_PDEATHSIG = 1


def start_worker(kernel_log: str) -> None:
    """Set up a worker process: killed by the system when the pack's main process dies
    however it dies (``prctl(PR_SET_PDEATHSIG, SIGKILL)`` on Linux; its kernels then
    exit by themselves when their parent is gone), Ctrl-C left to the main process, and
    the kernels' stderr (ipykernel's TCP-without-encryption warning and the like) sent to
    the run's kernel log instead of the terminal."""
    import ctypes
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the main process stops workers itself
        pass
    if os.getppid() == 1:  # the main process died before prctl took effect
        os._exit(1)
    handle = os.open(kernel_log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o666)
    os.dup2(handle, 2)
    os.close(handle)


def count_workers(jobs: int, runs: int) -> int:
    """Worker processes for ``runs`` notebooks with ``jobs`` asked for (0: one a core):
    never more than the notebooks or the cores, so ``--jobs 1000000`` cannot fork-storm.

    Examples
    --------
    >>> count_workers(1_000_000, 3) <= 3
    True
    >>> count_workers(1, 10)
    1
    """
    cores = os.cpu_count() or 1
    return max(1, min(jobs or cores, runs, cores))


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """Stop every worker of ``pool`` at once (and with them their kernels)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(OSError, AttributeError, ValueError):
            process.kill()
    for process in processes:
        process.join(timeout=1)


def previous_seconds(reports: Path) -> dict[tuple[str, str], float]:
    """How long each (division, notebook) took in the newest pack under ``reports``
    (from its ``run.json``); empty when there is none or it cannot be read."""

    def modified(path: Path) -> float:
        try:
            return path.stat().st_mtime
        except OSError:  # another run renamed its folder in the meantime
            return -math.inf

    for path in sorted(Path(reports).glob("*/run.json"), key=modified, reverse=True):
        try:
            done = json.loads(path.read_text(encoding="utf-8"))["notebook_results"]
            seconds = {(r["division"], r["analysis"]): float(r["seconds"]) for r in done}
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if all(math.isfinite(value) and value >= 0 for value in seconds.values()):
            return seconds
    return {}


def longest_first(
    runs: list[NotebookRun], expected: dict[tuple[str, str], float]
) -> list[NotebookRun]:
    """``runs`` in the order to start them: longest expected first, so the last to finish
    is a short one and no worker sits idle at the end. Runs with no record (new
    divisions or notebooks) go first; ties keep the planned order.

    Examples
    --------
    >>> from kassanalysis.pack import NotebookRun
    >>> runs = [NotebookRun(d, a, "", "", "", {}, 0, "") for d, a in
    ...         [("a", "trend"), ("b", "trend"), ("c", "trend")]]
    >>> [r.division for r in longest_first(runs, {("a", "trend"): 2.0, ("b", "trend"): 5.0})]
    ['c', 'b', 'a']
    """
    return sorted(runs, key=lambda r: -expected.get((r.division, r.analysis), math.inf))
