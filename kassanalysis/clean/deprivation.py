"""English Indices of Deprivation upper-tier summaries as area context (kind ``deprivation``).

MHCLG's "File 11: local authority district summaries (upper-tier)" of the English Indices
of Deprivation 2019 has one sheet per domain (``IMD``, ``Income``, ``Employment``...), one
row per upper-tier council (``Upper Tier Local Authority District code (2019)``) and, for
each domain, the summary measures ``<domain> - Average rank``, ``- Rank of average rank``,
``- Average score``, ``- Rank of average score``, ``- Proportion of LSOAs in most deprived
10% nationally`` (and its rank), ``- Extent`` and ``- Local concentration`` (and their
ranks). Headers often end with a space. Rank 1 is the most deprived.

The cleaner is pure: it is handed every sheet as a grid of cells (no header; a CSV export
of one sheet is one grid) and returns indicator observations, one per council, domain and
summary measure, with indicator ids ``IOD2019-<DOMAIN>-<MEASURE>`` (e.g.
``IOD2019-IMD-RANK-OF-AVERAGE-SCORE``) and the release year as the period.
"""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd

from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.clean.cells import as_text, parse_value_column
from kassanalysis.clean.records import ONS_ENGLAND, row_problems
from kassanalysis.problems import Problem, error
from kassanalysis.reference import Reference
from kassanalysis.schemas import IndicatorObservations, columns_of, empty_frame

OBS = IndicatorObservations

_CODE = re.compile(r"(?i)^(?:upper tier )?local authority district code(?: \((\d{4})\))?$")
_NAME = re.compile(r"(?i)^(?:upper tier )?local authority district name")
_MEASURE = re.compile(r"^(?P<domain>.+?)(?: (?P<year>\d{4}))? - (?P<measure>.+)$")
#: Unit of each summary measure (lower case, after the domain).
SUMMARY_UNITS = {
    "average rank": "average rank (1 = most deprived)",
    "rank of average rank": "rank (1 = most deprived)",
    "average score": "score",
    "rank of average score": "rank (1 = most deprived)",
    "proportion of lsoas in most deprived 10% nationally": "proportion",
    "rank of proportion of lsoas in most deprived 10% nationally": "rank (1 = most deprived)",
    "extent": "proportion",
    "rank of extent": "rank (1 = most deprived)",
    "local concentration": "score",
    "rank of local concentration": "rank (1 = most deprived)",
}
_HEADER_ROWS = 10


def _slug(text: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "-", text.upper()).strip("-")


def _find_header(grid: pd.DataFrame) -> tuple[int, int, int | None, str] | None:
    for r in range(min(_HEADER_ROWS, len(grid))):
        labels = [" ".join(str(c).split()) for c in grid.iloc[r].tolist()]
        code = next((j for j, t in enumerate(labels) if _CODE.match(t)), None)
        if code is not None:
            name = next((j for j, t in enumerate(labels) if _NAME.match(t)), None)
            year = _CODE.match(labels[code])[1] or ""
            return r, code, name, year
    return None


def clean_deprivation(
    workbook: dict[str, pd.DataFrame], entry: CatalogueEntry, ref: Reference
) -> tuple[pd.DataFrame, list[Problem]]:
    """Turn the IoD upper-tier summaries into indicator observations (area context).

    Parameters
    ----------
    workbook : dict of str to pd.DataFrame
        Every sheet as a grid (row ``i`` is row ``i + 1``). Sheets without a local authority
        code header (``Notes``) are skipped.
    entry : CatalogueEntry
        ``entry.year`` (or the year in the code header, ``(2019)``) is the release year.
    ref : Reference
        Unused; taken so that every cleaner has the same signature.

    Returns
    -------
    observations : pd.DataFrame
        :class:`~kassanalysis.schemas.IndicatorObservations`: one row per council, domain
        and summary measure; ``period`` the release year (calendar year); ``unit`` score,
        rank (1 = most deprived) or proportion.
    problems : list of Problem
        An error when no sheet has the code header or no council rows; per row, a code
        that is not an ONS code and a value that is not a number (sheet, row, column).

    Examples
    --------
    >>> grid = pd.DataFrame([
    ...     ["Upper Tier Local Authority District code (2019)",
    ...      "Upper Tier Local Authority District name (2019)",
    ...      "IMD - Average score ", "IMD - Rank of average score "],
    ...     ["E10000016", "Kent", "20.5", "101"]])
    >>> entry = CatalogueEntry(id="iod", file="iod.xlsx", kind="deprivation", authority="",
    ...                        source={}, licence="")
    >>> obs, problems = clean_deprivation({"IMD": grid}, entry, None)
    >>> obs.indicator_id.tolist()
    ['IOD2019-IMD-AVERAGE-SCORE', 'IOD2019-IMD-RANK-OF-AVERAGE-SCORE']
    >>> obs.value.tolist(), obs.period.tolist()
    ([20.5, 101.0], ['2019', '2019'])
    >>> obs.unit.tolist(), obs.source_line.tolist()
    (['score', 'rank (1 = most deprived)'], [2, 2])
    """
    frames, problems, looked = [], [], []
    for sheet, grid in workbook.items():
        found = _find_header(grid)
        if found is None:
            looked.append(str(sheet))
            continue
        row, code_col, name_col, header_year = found
        given = re.search(r"\d{4}", str(entry.year or entry.period or ""))
        year = int(given[0] if given else header_year or 0)
        if not year:
            problems.append(
                error(
                    "unknown year",
                    entry.file,
                    row + 1,
                    "no year in the code header and none in the catalogue entry (year)",
                )
            )
            continue
        body = grid.iloc[row + 1 :]
        lines = pd.Series(np.arange(row + 1, len(grid)) + 1, index=body.index)
        code = as_text(body.iloc[:, code_col]).str.upper()
        body, lines, code = body[code != ""], lines[code != ""], code[code != ""]
        shaped = code.str.fullmatch(ONS_ENGLAND.pattern).astype(bool)
        problems += row_problems(
            ~shaped,
            lines,
            entry,
            "malformed area code",
            lambda i, sheet=sheet, code=code: f"sheet {sheet!r}: {code[i]!r} is not an ONS code",
            subject=lambda i, code=code: code[i],
        )
        names = as_text(body.iloc[:, name_col]) if name_col is not None else code
        header = [" ".join(str(c).split()) for c in grid.iloc[row].tolist()]
        for j, label in enumerate(header):
            match = _MEASURE.match(label)
            if not match or match["measure"].lower() not in SUMMARY_UNITS:
                continue
            values, statuses, bad = parse_value_column(body.iloc[:, j])
            problems += row_problems(
                bad & shaped,
                lines,
                entry,
                "non-numeric value",
                lambda i, label=label, j=j, body=body: (
                    f"{label}: {body.iat[body.index.get_loc(i), j]!r} is not a number"
                ),
                subject=lambda i, code=code: code[i],
            )
            keep = shaped & ~bad
            indicator = f"IOD{year}-{_slug(match['domain'])}-{_slug(match['measure'])}"
            frames.append(
                _measure_frame(
                    code[keep],
                    names[keep],
                    indicator,
                    year,
                    values[keep],
                    SUMMARY_UNITS[match["measure"].lower()],
                    statuses[keep],
                    entry.file,
                    None if len(workbook) == 1 else str(sheet),
                    lines[keep],
                    as_text(body.iloc[:, j])[keep],
                )
            )
    if not frames:
        return empty_frame(OBS), [
            *problems,
            error(
                "table not found",
                entry.file,
                None,
                "no sheet with an 'Upper Tier Local Authority District code (2019)' header and "
                f"'<domain> - Average score' columns (sheets looked at: {', '.join(looked)})",
            ),
        ]
    observations = pd.concat(frames, ignore_index=True)[columns_of(OBS)]
    return observations, problems


def _measure_frame(
    code: pd.Series,
    names: pd.Series,
    indicator: str,
    year: int,
    values: pd.Series,
    unit: str,
    statuses: pd.Series,
    source_file: str,
    source_sheet: str | None,
    lines: pd.Series,
    text: pd.Series,
) -> pd.DataFrame:
    """Indicator observations for one summary-measure column (one calendar year)."""
    return pd.DataFrame(
        {
            OBS.authority_code: code,
            OBS.authority_name: names,
            OBS.indicator_id: indicator,
            OBS.breakdown: "Total",
            OBS.period: str(year),
            OBS.period_type: "year",
            OBS.period_start: pd.Timestamp(date(year, 1, 1)),
            OBS.period_end: pd.Timestamp(date(year, 12, 31)),
            OBS.value_type: "actual",
            OBS.value: values,
            OBS.unit: unit,
            OBS.numerator: np.nan,
            OBS.denominator: np.nan,
            OBS.status: statuses,
            OBS.source_file: source_file,
            OBS.source_sheet: source_sheet,
            OBS.source_line: lines,
            OBS.source_text: text,
        }
    )
