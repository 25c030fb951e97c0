"""Run ``kass`` with one fault injected, for the fault suite (``python -m tests.faults.inject``).

Usage: ``python -m tests.faults.inject FAULT -- KASS-ARGUMENTS...`` where FAULT is

* ``kill:<point>:<when>:<n>:<signal>``: send ``signal`` (KILL, TERM) to this process, or
  for INT raise ``KeyboardInterrupt`` as Ctrl-C does in the main thread,
  ``when`` (``before`` or ``after``) the ``n``-th call of ``point``, one of ``to_parquet``,
  ``to_csv`` (a build table's Parquet or CSV file written), ``rename`` (a folder moved
  into place), ``symlink`` (the new link made), ``replace`` (any ``os.replace``), ``swap``
  (the new link renamed over the target: the swap itself), ``as_completed`` (notebooks
  running: waits for a kernel to write its pid into ``$KASS_TEST_PIDS``), ``write_index``
  (every notebook done). Only calls in the main
  process count;
* ``enospc:<point>:<n>``: the ``n``-th call of ``point`` fails with "No space left on
  device", as a full disk would (no tiny file system is needed);
* ``none``: no fault.

Each fault is injected by wrapping the named function before ``kass`` starts; the rest of
the run is the real code.
"""

from __future__ import annotations

import errno
import os
import signal
import sys
from pathlib import Path

from kassanalysis import cli

MAIN = os.getpid()


def _points():
    import pyarrow.csv
    import pyarrow.parquet

    from kassanalysis import pack

    return {
        "to_parquet": (pyarrow.parquet, "write_table"),  # a build's tables: Parquet
        "to_csv": (pyarrow.csv, "write_csv"),  # and CSV, both written by Arrow
        "rename": (Path, "rename"),
        "symlink": (os, "symlink"),
        "replace": (os, "replace"),
        "swap": (os, "replace"),  # only the rename of the new link over the target
        "as_completed": (pack, "as_completed"),  # notebooks submitted to the workers
        "write_index": (pack, "write_index"),  # every notebook done, index next
    }


def _wait_for_kernels() -> None:
    """With ``$KASS_TEST_PIDS``, wait (up to a minute) until a kernel has started."""
    import time

    folder = os.environ.get("KASS_TEST_PIDS")
    deadline = time.monotonic() + 60
    while folder and not any(Path(folder).iterdir()) and time.monotonic() < deadline:
        time.sleep(0.1)


def _wrap(point: str, action, n: int, when: str = "before") -> None:
    owner, name = _points()[point]
    real = getattr(owner, name)
    calls = {"n": 0}

    def wrapper(*args, **kwargs):
        if os.getpid() != MAIN or (point == "swap" and ".link-" not in str(args[0])):
            return real(*args, **kwargs)  # workers, and other renames, run as usual
        if point == "as_completed":
            _wait_for_kernels()
        calls["n"] += 1
        hit = calls["n"] == n
        if hit and when == "before":
            action(args)
        result = real(*args, **kwargs)
        if hit and when == "after":
            action(args)
        return result

    setattr(owner, name, wrapper)


def main(argv: list[str]) -> int:
    fault, _, rest = argv[0], argv[1], argv[2:]
    kind, *spec = fault.split(":")
    if kind == "kill":
        point, when, n, sig = spec
        number = getattr(signal, f"SIG{sig}")

        def action(args):
            if number == signal.SIGINT:
                # What CPython's SIGINT handler does in the main thread, raised here and
                # now: a real os.kill(SIGINT) once let a CI build finish (the signal was
                # handled nowhere we could find), which tested the timing of signal
                # delivery rather than what kass does with Ctrl-C at this point.
                raise KeyboardInterrupt
            os.kill(os.getpid(), number)
            signal.pause()

        _wrap(point, action, int(n), when)
    elif kind == "enospc":
        point, n = spec

        def action(args):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        _wrap(point, action, int(n))
    return cli.main(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
