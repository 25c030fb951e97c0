"""KPI, comparator, banding and target tables into tidy indicator observations.

Column headers such as ``Actual 2005/06``, ``Target 2009/10`` or ``Q3`` say which value type
and period a column holds; where the conversion garbled the header the catalogue gives the
layout (``target@2013-14 Q1``). Row labels are matched to indicator ids through the aliases
in ``data/reference/indicators.csv`` (and PAF codes such as ``PAF C72`` directly).
"""

from __future__ import annotations

import re

import pandas as pd

from kassanalysis import problems as pb
from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.clean.cells import normalise_text, parse_cell
from kassanalysis.clean.grid import (
    Row,
    find_header_end,
    join_header_columns,
    join_wrapped_labels,
    normalise_header,
)
from kassanalysis.clean.kpi_boxes import has_kpi_boxes
from kassanalysis.clean.kpi_common import (
    VALUE_TYPE_WORDS,
    KpiColumn,
    kpi_record,
    kpi_rows,
    match_indicator,
    observation_record,
    parse_kpi_layout,
    records_frame,
)
from kassanalysis.clean.kpi_quarterly import clean_kpi_boxes
from kassanalysis.clean.paf import (
    clean_banding_table,
    clean_comparator_table,
    clean_target_statements,
    extract_targets,
)
from kassanalysis.periods import PeriodError, parse_period
from kassanalysis.reference import Reference
from kassanalysis.schemas import (
    IndicatorObservations,
    empty_frame,
)

_YEARISH = re.compile(r"\d{4}\s*[-/]\s*\d{1,4}|\bQ[1-4]\b|[A-Za-z]{3,9}\s+\d{4}")


def _kpi_layout_from_header(
    header: list[Row], width: int, entry: CatalogueEntry, problems: list[pb.Problem]
) -> list[KpiColumn]:
    joined = join_header_columns(header, width, lambda r: False)
    columns = [KpiColumn("label")]
    for i, (text, _) in enumerate(joined[1:], start=2):
        words = normalise_text(text).lower().split()
        value_type = next((VALUE_TYPE_WORDS[w] for w in words if w in VALUE_TYPE_WORDS), None)
        try:
            period = parse_period(text) if _YEARISH.search(text) else None
        except PeriodError as exc:
            problems.append(
                pb.error(
                    "unparseable period",
                    entry.file,
                    header[-1].line,
                    f"column {i} header {text!r}: {exc}",
                )
            )
            columns.append(KpiColumn("skip"))
            continue
        if period is None and entry.period:
            period = parse_period(entry.period)
        if value_type is None and period is not None and not _YEARISH.sub("", text).strip():
            value_type = "actual"  # a header that is only a period holds actuals
        if value_type is None or period is None:
            problems.append(
                pb.error(
                    "unknown column",
                    entry.file,
                    header[-1].line,
                    f"column {i} header {text!r} names no value type (actual, target, floor, "
                    "benchmark) and period; give the layout in the catalogue",
                )
            )
            columns.append(KpiColumn("skip"))
            continue
        columns.append(KpiColumn("value", value_type, period))
    return columns


def _is_kpi_header_word(cell: str) -> bool:
    words = normalise_text(cell).lower().split()
    return bool(_YEARISH.search(cell)) or any(w in VALUE_TYPE_WORDS for w in words)


def clean_kpi_table(
    lines: list[str], entry: CatalogueEntry, ref: Reference
) -> tuple[pd.DataFrame, list[pb.Problem]]:
    """Read a KPI table (indicators down, value types and periods across).

    Returns the tidy observations (:class:`~kassanalysis.schemas.IndicatorObservations`)
    and the problems found: an unknown indicator, text in a number column, an unreadable
    period, or a threshold that disagrees with the indicator reference.

    A text in the KPI box layout of a quarterly performance report (``Latest: .. Target: ..,
    Floor: .. Previous: .. (RAG)``, see :mod:`kassanalysis.clean.kpi_boxes`) is recognised by
    itself when the catalogue gives no column layout, and read by :func:`clean_kpi_boxes`.
    """
    if entry.columns is None and has_kpi_boxes(lines):
        return clean_kpi_boxes(lines, entry, ref)
    problems: list[pb.Problem] = []
    rows = kpi_rows(lines, entry)
    if not rows:
        return empty_frame(IndicatorObservations), [
            pb.error("empty table", entry.file, None, "no table rows found")
        ]
    layout, header_end = _table_layout(rows, entry, problems)
    if layout is None:
        return empty_frame(IndicatorObservations), problems
    body = join_wrapped_labels(rows[header_end:], layout, entry.wrapped_labels)
    records = []
    for row in body:
        if row.is_blank():
            continue
        label = " ".join(row.text(i) for i, c in enumerate(layout) if c.role == "label")
        if not label:
            problems.append(
                pb.error(
                    "missing indicator name",
                    entry.file,
                    row.line,
                    "a row of figures has no indicator name",
                )
            )
            continue
        indicator = match_indicator(label, ref)
        if indicator is None:
            problems.append(
                pb.error(
                    "unknown indicator",
                    entry.file,
                    row.line,
                    f"{label[:80]!r} is not a known indicator; add it (or this label as an alias) "
                    "to data/reference/indicators.csv",
                    subject=label[:80],
                )
            )
            continue
        for i, column in enumerate(layout):
            text = row.text(i)
            if column.role == "attr":
                _check_attribute(column.attr, text, indicator, ref, entry, row, problems)
                continue
            if column.role != "value":
                continue
            parsed = parse_cell(text, blank_markers=entry.blank_markers, nil_is_zero=False)
            if parsed is None:
                problems.append(
                    pb.error(
                        "non-numeric value",
                        entry.file,
                        row.line,
                        f"{text!r} for {indicator} ({column.value_type} {column.period}) is not a "
                        "number or a known marker",
                        subject=indicator,
                    )
                )
                continue
            records.append(
                kpi_record(entry, ref, entry.authority, indicator, column, *parsed, row, text)
            )
    return records_frame(records, IndicatorObservations), problems


def _table_layout(
    rows: list[Row], entry: CatalogueEntry, problems: list[pb.Problem]
) -> tuple[list[KpiColumn] | None, int]:
    """The table's column layout and the number of header rows: the catalogue's layout when
    it gives one, else read from the header; None (with an error in ``problems``) when
    there is no header of value types and periods."""
    header_end = (
        entry.header_lines
        if entry.header_lines is not None
        else (find_header_end(rows, _is_kpi_header_word))
    )
    if entry.columns:
        return parse_kpi_layout(entry.columns), header_end
    if not header_end:
        problems.append(
            pb.error(
                "missing header",
                entry.file,
                rows[0].line,
                "no header of value types and periods (actual 2021-22, target Q1...) "
                "above the first row of figures",
            )
        )
        return None, 0
    width = max(len(r.cells) for r in rows)
    return _kpi_layout_from_header(rows[:header_end], width, entry, problems), header_end


def _check_attribute(
    name: str,
    text: str,
    indicator: str,
    ref: Reference,
    entry: CatalogueEntry,
    row: Row,
    problems: list[pb.Problem],
) -> None:
    if name not in ref.indicators.columns:
        return
    expected = ref.indicators.loc[indicator, name]
    expected = "" if pd.isna(expected) else str(expected).lower()
    printed = normalise_text(text).lower()
    if printed != expected:
        problems.append(
            pb.finding(
                "reference disagrees",
                entry.file,
                row.line,
                f"{indicator}: the table prints {name} {text!r} but data/reference/indicators.csv "
                f"says {expected!r}",
                subject=indicator,
            )
        )


__all__ = [
    "VALUE_TYPE_WORDS",
    "KpiColumn",
    "observation_record",
    "parse_kpi_layout",
    "clean_kpi_table",
    "clean_kpi_boxes",
    "clean_comparator_table",
    "clean_banding_table",
    "clean_target_statements",
    "extract_targets",
    "match_indicator",
    "normalise_header",
]
