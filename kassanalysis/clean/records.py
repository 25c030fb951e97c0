"""What the public-statistics cleaners share: area-code shapes, CSV line numbers, and the
one loop that turns flagged rows into problems.

Every cleaner reports a row it cannot use the same way: an error (or finding) naming the
file, the line and what is wrong, with the row left out of the tidy frame. That loop is
written once here (:func:`row_problems`), not once per check.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.periods import Period, PeriodError, parse_period
from kassanalysis.problems import Problem, error

#: An English ONS area code (council, region, England): ``E10000016``.
ONS_ENGLAND = re.compile(r"^E\d{8}$")
#: Any UK ONS area code (``E``, ``W``, ``S``, ``N`` or ``K`` and eight digits).
ONS_UK = re.compile(r"^[EWSNK]\d{8}$")


def csv_lines(raw: pd.DataFrame) -> np.ndarray:
    """CSV line (or Excel row under a one-row header) of each row: index + 2.

    A frame whose index is not integer (already re-indexed) is numbered in order.
    """
    if pd.api.types.is_integer_dtype(raw.index.dtype):
        return raw.index.to_numpy(dtype=np.int64) + 2
    return np.arange(len(raw), dtype=np.int64) + 2


def missing_columns_problem(
    raw: pd.DataFrame, required: Iterable[str], entry: CatalogueEntry, line: int | None
) -> Problem | None:
    """An error naming the columns a layout needs that ``raw`` lacks, or None."""
    missing = [c for c in required if c not in raw.columns]
    if not missing:
        return None
    return error(
        "missing column",
        entry.file,
        line,
        f"column(s) {', '.join(repr(c) for c in missing)} not found; "
        f"the file has {', '.join(repr(str(c)) for c in raw.columns)}",
    )


def parse_periods(
    labels: pd.Series, *, parse: Callable[[str], Period] = parse_period
) -> tuple[dict[str, Period], set[str]]:
    """Parse each distinct period label once; return the parsed and the unreadable ones.

    ``parse`` reads one label (default :func:`~kassanalysis.periods.parse_period`) and
    raises :class:`~kassanalysis.periods.PeriodError` when it cannot.
    """
    parsed: dict[str, Period] = {}
    unreadable: set[str] = set()
    for label in labels.unique():
        try:
            parsed[label] = parse(label)
        except PeriodError:
            unreadable.add(label)
    return parsed, unreadable


def row_problems(
    flagged: pd.Series,
    lines: pd.Series,
    entry: CatalogueEntry,
    check: str,
    message: Callable[[object], str],
    *,
    subject: Callable[[object], str] | None = None,
    make: Callable[..., Problem] = error,
) -> list[Problem]:
    """One problem for each flagged row: the loop every cleaner would otherwise repeat.

    Parameters
    ----------
    flagged : pd.Series of bool
        True for the rows to report, indexed like the raw frame.
    lines : pd.Series of int
        File line (or sheet row) of each row, same index.
    entry : CatalogueEntry
        Names the file in each problem.
    check : str
        Name of the check (``"non-numeric value"``, ``"malformed area code"``...).
    message, subject : callable
        Given a row label, return the one-line message and the subject.
    make : callable, keyword-only
        :func:`~kassanalysis.problems.error` (default) or ``finding``.

    Returns
    -------
    list of Problem
        In row order; empty when nothing is flagged.
    """
    return [
        make(
            check,
            entry.file,
            int(lines[i]),
            message(i),
            subject=None if subject is None else subject(i),
        )
        for i in flagged.index[flagged.to_numpy(dtype=bool)]
    ]


def duplicate_problems(
    frame: pd.DataFrame, keys: list[str], entry: CatalogueEntry, what: str
) -> list[Problem]:
    """An error for every row of ``frame`` whose ``keys`` repeat an earlier row's."""
    dupes = frame.duplicated(keys, keep="first")
    lines = frame["source_line"]
    return row_problems(
        dupes,
        lines,
        entry,
        f"duplicated {what}",
        lambda i: f"{what} {' '.join(str(frame.at[i, k]) for k in keys)} appears more than once",
        subject=lambda i: " ".join(str(frame.at[i, k]) for k in keys),
    )
