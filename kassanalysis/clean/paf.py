"""The 2008-09 PAF tables: comparator (nearest-neighbour) tables, PAF banding tables and
the business plan's target statements, as observations and bandings.
"""

from __future__ import annotations

import re

import pandas as pd

from kassanalysis import problems as pb
from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.clean.cells import parse_cell
from kassanalysis.clean.grid import (
    Row,
)
from kassanalysis.clean.kpi_common import (
    KpiColumn,
    kpi_record,
    kpi_rows,
    match_indicator,
    records_frame,
)
from kassanalysis.periods import PeriodError, parse_period
from kassanalysis.reference import Reference
from kassanalysis.schemas import (
    IndicatorObservations,
    PafBanding,
    empty_frame,
)


def clean_comparator_table(
    lines: list[str], entry: CatalogueEntry, ref: Reference
) -> tuple[pd.DataFrame, list[pb.Problem]]:
    """Read a comparator table (indicators down, councils across) for ``entry.period``."""
    problems: list[pb.Problem] = []
    rows = kpi_rows(lines, entry)
    if entry.period is None:
        return empty_frame(IndicatorObservations), [
            pb.error(
                "unparseable period",
                entry.file,
                None,
                "comparator tables need a period in the catalogue",
            )
        ]
    period = parse_period(entry.period)

    def matches(row: Row) -> int:
        return sum(ref.authority_for_name(c) is not None for c in row.cells)

    header_end = next((i + 1 for i, r in enumerate(rows) if matches(r) >= 2), 0)
    if not header_end:
        return empty_frame(IndicatorObservations), [
            pb.error(
                "missing header",
                entry.file,
                rows[0].line if rows else None,
                "no row of council names found",
            )
        ]
    names = rows[header_end - 1]
    layout = [KpiColumn("label")]
    for i, name in enumerate(names.cells[1:], start=2):
        code = ref.authority_for_name(name)
        if code is None:
            problems.append(
                pb.error(
                    "unknown council",
                    entry.file,
                    names.line,
                    f"column {i}: {name!r} is not a known council; add it to "
                    "the aliases in data/reference/authorities.csv",
                )
            )
            layout.append(KpiColumn("skip"))
        else:
            layout.append(KpiColumn("value", "actual", period, authority=code))
    records = []
    for row in rows[header_end:]:
        label = row.text(0)
        indicator = match_indicator(label, ref)
        if indicator is None:
            problems.append(
                pb.error(
                    "unknown indicator",
                    entry.file,
                    row.line,
                    f"{label[:80]!r} is not a known indicator",
                )
            )
            continue
        for i, column in enumerate(layout):
            if column.role != "value":
                continue
            parsed = parse_cell(row.text(i), blank_markers=entry.blank_markers, nil_is_zero=False)
            if parsed is None:
                problems.append(
                    pb.error(
                        "non-numeric value",
                        entry.file,
                        row.line,
                        f"{row.text(i)!r} for {indicator}, {column.authority} is not a number",
                    )
                )
                continue
            records.append(
                kpi_record(
                    entry, ref, column.authority, indicator, column, *parsed, row, row.text(i)
                )
            )
    return records_frame(records, IndicatorObservations), problems


def clean_banding_table(
    lines: list[str], entry: CatalogueEntry, ref: Reference
) -> tuple[pd.DataFrame, list[pb.Problem]]:
    """Read a PAF banding table (bands down, years across) and check bands sum to TOTAL."""
    problems: list[pb.Problem] = []
    rows = kpi_rows(lines, entry)
    if not rows:
        return empty_frame(PafBanding), [
            pb.error("empty table", entry.file, None, "no table rows found")
        ]
    header = rows[0]
    years = {}
    for i, text in enumerate(header.cells[1:], start=1):
        try:
            years[i] = parse_period(text).label
        except PeriodError as exc:
            problems.append(pb.error("unparseable period", entry.file, header.line, str(exc)))
    records = []
    for row in rows[1:]:
        band = row.text(0)
        kind = "total" if re.fullmatch(r"total", band, re.IGNORECASE) else "line"
        for i, year in years.items():
            parsed = parse_cell(row.text(i), nil_is_zero=False)
            if parsed is None:
                problems.append(
                    pb.error(
                        "non-numeric value",
                        entry.file,
                        row.line,
                        f"{row.text(i)!r} for {band} {year} is not a number",
                    )
                )
                continue
            records.append(
                {
                    "authority_code": entry.authority,
                    "financial_year": year,
                    "band": band,
                    "row_type": kind,
                    "count": parsed[0],
                    "source_file": entry.file,
                    "source_sheet": None,
                    "source_line": row.line,
                    "source_text": row.text(i) or None,
                }
            )
    frame = records_frame(records, PafBanding)
    for year, part in frame.groupby("financial_year"):
        lines_sum = part.loc[part.row_type == "line", "count"].sum(min_count=1)
        for _, total in part[part.row_type == "total"].iterrows():
            if abs(total["count"] - lines_sum) > 1e-9:
                problems.append(
                    pb.finding(
                        "total does not add up",
                        entry.file,
                        int(total.source_line),
                        f"bands {year} add up to {lines_sum:g}, TOTAL says {total['count']:g}",
                        expected=lines_sum,
                        found=total["count"],
                    )
                )
    return frame, problems


_TARGET_PATTERNS = [
    ("rate", re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*per\s*([\d,]+)\s*population", re.I)),
    ("percent", re.compile(r"(\d+(?:\.\d+)?)\s*%")),
    (
        "count",
        re.compile(
            r"(?:no fewer than|not less than|at least)\s+(\d[\d,]*(?:\.\d+)?)(?![\d.,]|\s*%)", re.I
        ),
    ),
]
_ITEM = re.compile(r"^\s*-?\s*(\d+)\.\s+(.*)$")


def extract_targets(statement: str) -> list[float]:
    """Numeric targets in a sentence, in the order they appear.

    Examples
    --------
    >>> extract_targets("to no fewer than 1,245 households (9.6 per 1,000 population)")
    [1245.0, 9.6]
    >>> extract_targets("in not less than 82.5% of cases")
    [82.5]
    """
    found: list[tuple[int, int, float]] = []
    for _, pattern in _TARGET_PATTERNS:
        for match in pattern.finditer(statement):
            start, end = match.span(1)
            if not any(s <= start < e for s, e, _ in found):
                found.append((start, end, float(match[1].replace(",", ""))))
    return [value for _, _, value in sorted(found)]


def clean_target_statements(
    lines: list[str], entry: CatalogueEntry, ref: Reference
) -> tuple[pd.DataFrame, list[pb.Problem]]:
    """Read numbered target statements ("- 13. ... not less than 82.5% of cases").

    The catalogue's ``targets`` maps a statement number to the indicator ids its numbers
    are for, in order; statements not mapped are left alone (they have no numeric target).
    """
    problems: list[pb.Problem] = []
    period = parse_period(entry.period)
    column = KpiColumn("value", "target", period)
    records, seen = [], set()
    for number, line in enumerate(lines, start=1):
        match = _ITEM.match(line)
        if not match or match[1] not in entry.targets:
            continue
        seen.add(match[1])
        ids = entry.targets[match[1]]
        values = extract_targets(match[2])
        if len(values) != len(ids):
            problems.append(
                pb.error(
                    "target not found",
                    entry.file,
                    number,
                    f"statement {match[1]} holds {len(values)} numeric target(s) {values} but the "
                    f"catalogue maps it to {len(ids)} indicator(s) {list(ids)}",
                )
            )
            continue
        row = Row(number, (match[2],))
        for indicator, value in zip(ids, values, strict=True):
            if indicator not in ref.indicators.index:
                problems.append(
                    pb.error(
                        "unknown indicator",
                        entry.file,
                        number,
                        f"{indicator} is not in data/reference/indicators.csv",
                    )
                )
                continue
            records.append(
                kpi_record(
                    entry, ref, entry.authority, indicator, column, value, "reported", row, match[2]
                )
            )
    for missing in sorted(set(entry.targets) - seen, key=int):
        problems.append(
            pb.error(
                "target not found",
                entry.file,
                None,
                f"statement {missing} named in the catalogue is not in the file",
            )
        )
    return records_frame(records, IndicatorObservations), problems
