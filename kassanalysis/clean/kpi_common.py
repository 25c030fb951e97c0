"""What every KPI reader shares: the column layout of a KPI table, matching a printed
row label to an indicator id, and building one observation record.

Used by the KPI table reader (:mod:`kassanalysis.clean.kpi`), the quarterly KPI box reader
(:mod:`kassanalysis.clean.kpi_quarterly`) and the 2008-09 PAF comparator, banding and
target readers (:mod:`kassanalysis.clean.paf`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pandas as pd

from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.clean.grid import (
    Row,
    rejoin_split_cells,
    split_table,
)
from kassanalysis.periods import Period, parse_period
from kassanalysis.reference import Reference
from kassanalysis.schemas import (
    IndicatorObservations,
    columns_of,
)

VALUE_TYPE_WORDS = {
    "actual": "actual",
    "outturn": "actual",
    "performance": "actual",
    "target": "target",
    "floor": "floor",
    "minimum": "floor",
    "benchmark": "benchmark",
    "comparative": "benchmark",
}
_PAF = re.compile(r"\bPAF\s+([A-Z]\d{1,3})\b")


@dataclass(frozen=True)
class KpiColumn:
    """What one column of a KPI table holds."""

    role: str  # "label", "skip", "attr" or "value"
    value_type: str | None = None
    period: Period | None = None
    authority: str | None = None
    attr: str | None = None


def parse_kpi_layout(spec: tuple[str, ...]) -> list[KpiColumn]:
    """Read a catalogue layout such as ``[label, actual@Dec 2012, target@2013-14 Q1]``.

    Examples
    --------
    >>> [(c.role, c.value_type, str(c.period)) for c in parse_kpi_layout(
    ...     ("label", "target@2013-14 Q1"))]
    [('label', None, 'None'), ('value', 'target', '2013-14 Q1')]
    """
    columns = []
    for item in spec:
        name, _, when = item.partition("@")
        if name in ("label", "code", "name"):
            columns.append(KpiColumn("label"))
        elif name == "skip":
            columns.append(KpiColumn("skip"))
        elif name.startswith("attr:"):
            columns.append(KpiColumn("attr", attr=name[5:]))
        elif (
            name
            in IndicatorObservations.to_schema()
            .columns["value_type"]
            .checks[0]
            .statistics["allowed_values"]
        ):
            columns.append(KpiColumn("value", name, parse_period(when)))
        else:
            raise ValueError(f"unknown value type {name!r} in a catalogue layout")
    return columns


def kpi_rows(lines: list[str], entry: CatalogueEntry) -> list[Row]:
    """The table's rows, split into cells, with cells split across lines joined again."""
    fragments = split_table(lines, entry.format)
    return [row for fragment in fragments for row in rejoin_split_cells(fragment)]


def match_indicator(label: str, ref: Reference) -> str | None:
    """Indicator id for a printed row label: a PAF code, or a published label (alias).

    Examples
    --------
    >>> import pandas as pd
    >>> from kassanalysis.reference import make_reference_from_frames
    >>> ref = make_reference_from_frames(
    ...     pd.DataFrame(columns=["id", "name", "unit_of_measure", "aliases"]),
    ...     pd.DataFrame({"id": ["PAF-C72", "X"], "polarity": "lower_is_better",
    ...                   "aliases": ["", "Admissions to care"]}))
    >>> match_indicator("PAF C72. Admissions of supported residents...", ref)
    'PAF-C72'
    >>> match_indicator("Admissions to  care", ref)
    'X'
    """
    paf = _PAF.search(label)
    if paf and f"PAF-{paf[1]}" in ref.indicators.index:
        return f"PAF-{paf[1]}"
    return ref.indicator_for_label(label)


def observation_record(
    ref: Reference,
    *,
    authority: str,
    indicator: str,
    period: Period,
    value_type: str,
    value: float,
    status: str,
    source_file: str,
    source_line: int,
    source_text: str,
    numerator: float = math.nan,
    denominator: float = math.nan,
) -> dict:
    """One :class:`~kassanalysis.schemas.IndicatorObservations` row (the council's name and
    the indicator's unit from the reference), as every KPI cleaner builds it."""
    return {
        "authority_code": authority,
        "authority_name": ref.authority_name(authority),
        "indicator_id": indicator,
        "breakdown": "Total",
        "period": period.label,
        "period_type": period.kind,
        "period_start": pd.Timestamp(period.start),
        "period_end": pd.Timestamp(period.end),
        "value_type": value_type,
        "value": value,
        "unit": str(ref.indicators.loc[indicator, "unit"]),
        "numerator": numerator,
        "denominator": denominator,
        "status": status,
        "source_file": source_file,
        "source_sheet": None,
        "source_line": source_line,
        "source_text": source_text or None,
    }


def kpi_record(
    entry: CatalogueEntry,
    ref: Reference,
    authority: str,
    indicator: str,
    column: KpiColumn,
    value: float,
    status: str,
    row: Row,
    text: str,
) -> dict:
    """:func:`observation_record` for one cell of a KPI table column."""
    return observation_record(
        ref,
        authority=authority,
        indicator=indicator,
        period=column.period,
        value_type=column.value_type,
        value=value,
        status=status,
        source_file=entry.file,
        source_line=row.line,
        source_text=text,
    )


def records_frame(records: list[dict], model) -> pd.DataFrame:
    """A frame of ``model``'s columns, in order, from the records."""
    return pd.DataFrame(records, columns=columns_of(model))
