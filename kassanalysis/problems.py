"""Problems found in raw data, as values rather than exceptions.

Cleaners return the tidy frame *and* a list of :class:`Problem`; the build collects them
into the data-quality table. ``error`` problems stop the build (nothing is written);
``finding`` problems (a published total that does not add up, a duplicated row) are
reported and the published figures are kept as published.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place in one raw file."""

    severity: str  # "error" or "finding"
    check: str  # short name of the rule, e.g. "non-numeric value"
    source_file: str
    source_line: int | None
    message: str
    subject: str | None = None
    expected: float | None = None
    found: float | None = None

    def __str__(self) -> str:
        where = (
            self.source_file
            if self.source_line is None
            else (f"{self.source_file}, line {self.source_line}")
        )
        return f"{where}: {self.message}"


def error(check: str, source_file: str, source_line: int | None, message: str, **kw) -> Problem:
    """Make an error problem (stops the build).

    Examples
    --------
    >>> str(error("non-numeric value", "budget.txt", 12, "'abc' is not a number"))
    "budget.txt, line 12: 'abc' is not a number"
    """
    return Problem("error", check, source_file, source_line, message, **kw)


def finding(check: str, source_file: str, source_line: int | None, message: str, **kw) -> Problem:
    """Make a finding (reported, does not stop the build)."""
    return Problem("finding", check, source_file, source_line, message, **kw)


def to_frame(problems: list[Problem]) -> pd.DataFrame:
    """Turn problems into the data-quality table (see :class:`kassanalysis.schemas.DataQuality`).

    Examples
    --------
    >>> to_frame([error("x", "a.txt", 3, "bad")])[["severity", "source_line", "message"]]
      severity  source_line message
    0    error          3.0     bad
    """
    columns = [
        "severity",
        "check",
        "source_file",
        "source_line",
        "subject",
        "expected",
        "found",
        "message",
    ]
    frame = pd.DataFrame([asdict(p) for p in problems], columns=columns)
    for col in ("source_line", "expected", "found"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    return frame


class RawDataError(Exception):
    """Raised when raw input cannot be turned into a valid tidy table.

    Carries every problem found (not just the first), so one run reports them all.
    """

    def __init__(self, problems: list[Problem]):
        self.problems = [p for p in problems if p.severity == "error"] or list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in raw data:\n{lines}")
