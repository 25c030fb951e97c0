"""The data-quality part of a division's one-page summary: one line per table that does not
reconcile (or that the catalogue marks as truncated).

Re-exported from :mod:`kassanalysis.analysis.summary`.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from kassanalysis.analysis.observations import is_missing, make_frame
from kassanalysis.schemas import DataQualitySummary

__all__ = ["summarise_data_quality"]


def summarise_data_quality(
    data_quality: pd.DataFrame,
    catalogue_truncated: Mapping[str, str],
    *,
    files: set[str] | None = None,
) -> pd.DataFrame:
    """One line per table that does not reconcile.

    Parameters
    ----------
    data_quality : pandas.DataFrame
        The build's :class:`~kassanalysis.schemas.DataQuality` findings.
    catalogue_truncated : mapping of str to str
        Raw file -> the catalogue's ``truncated`` note, for tables the catalogue already
        marks as truncated: such a table is one line saying so, however many findings it
        has (its totals cannot reconcile with the lines that survive).
    files : set of str, optional
        Only these raw files (a division's); by default every file with a finding.

    Returns
    -------
    pandas.DataFrame
        :class:`~kassanalysis.schemas.DataQualitySummary`, one row per source file in file
        order: ``source_file``, ``findings`` (how many), ``truncated`` (whether the
        catalogue marks it) and ``text``: for a truncated table ``"marked truncated in the
        catalogue: <note> (<n> findings)"``, otherwise ``"<n> finding(s): <first
        message>"``.

    Examples
    --------
    >>> quality = pd.DataFrame({"source_file": ["a.txt", "a.txt", "b.txt"],
    ...     "source_line": [3.0, 9.0, 4.0], "message": ["x", "y", "z"]})
    >>> summarise_data_quality(quality, {"b.txt": "page lost"})["text"].tolist()
    ['2 findings: x (line 3)', 'marked truncated in the catalogue: page lost (1 finding)']
    """
    quality = data_quality
    if files is not None:
        quality = quality[quality["source_file"].isin(files)]
    records = []
    for source, rows in quality.groupby("source_file", sort=True):
        rows = rows.sort_values("source_line", na_position="last", kind="stable")
        n = len(rows)
        count = f"{n} finding{'s' if n != 1 else ''}"
        truncated = source in catalogue_truncated
        if truncated:
            note = " ".join(str(catalogue_truncated[source]).split())
            text = f"marked truncated in the catalogue: {note} ({count})"
        else:
            first = rows.iloc[0]
            line = (
                f" (line {int(first['source_line'])})"
                if not is_missing(first["source_line"])
                else ""
            )
            text = f"{count}: {first['message']}{line}"
        records.append({"source_file": source, "findings": n, "truncated": truncated, "text": text})
    return make_frame(records, DataQualitySummary)
