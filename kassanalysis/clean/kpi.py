"""KPI, comparator, banding and target tables into tidy indicator observations.

Column headers such as ``Actual 2005/06``, ``Target 2009/10`` or ``Q3`` say which value type
and period a column holds; where the conversion garbled the header the catalogue gives the
layout (``target@2013-14 Q1``). Row labels are matched to indicator ids through the aliases
in ``data/reference/indicators.csv`` (and PAF codes such as ``PAF C72`` directly).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

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
    rejoin_split_cells,
    split_table,
)
from kassanalysis.clean.kpi_boxes import KpiBox, find_kpi_boxes, has_kpi_boxes
from kassanalysis.periods import Period, PeriodError, make_quarter, parse_period
from kassanalysis.reference import Reference
from kassanalysis.schemas import (
    IndicatorObservations,
    PafBanding,
    PublishedRatings,
    columns_of,
    empty_frame,
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
_YEARISH = re.compile(r"\d{4}\s*[-/]\s*\d{1,4}|\bQ[1-4]\b|[A-Za-z]{3,9}\s+\d{4}")


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


def _rows(lines: list[str], entry: CatalogueEntry) -> list[Row]:
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


def _record(
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
    rows = _rows(lines, entry)
    if not rows:
        return empty_frame(IndicatorObservations), [
            pb.error("empty table", entry.file, None, "no table rows found")
        ]
    width = max(len(r.cells) for r in rows)
    if entry.columns:
        layout = parse_kpi_layout(entry.columns)
        header_end = (
            entry.header_lines
            if entry.header_lines is not None
            else (find_header_end(rows, _is_kpi_header_word))
        )
    else:
        header_end = (
            entry.header_lines
            if entry.header_lines is not None
            else (find_header_end(rows, _is_kpi_header_word))
        )
        if not header_end:
            return empty_frame(IndicatorObservations), [
                pb.error(
                    "missing header",
                    entry.file,
                    rows[0].line,
                    "no header of value types and periods (actual 2021-22, target Q1...) "
                    "above the first row of figures",
                )
            ]
        layout = _kpi_layout_from_header(rows[:header_end], width, entry, problems)
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
                _record(entry, ref, entry.authority, indicator, column, *parsed, row, text)
            )
    return _frame(records, IndicatorObservations), problems


_BOX_PARTS = (
    ("latest", "actual", 0),
    ("target", "target", 0),
    ("floor", "floor", 0),
    ("previous", "actual", 1),
)


def clean_kpi_boxes(
    lines: list[str], entry: CatalogueEntry, ref: Reference
) -> tuple[dict[str, pd.DataFrame], list[pb.Problem]]:
    """Read the KPI boxes of a quarterly performance report into observations and the
    published RAG ratings.

    Each box gives four observations: the latest actual, its target and floor (for the
    latest actual's own period: these are the thresholds the report rates it against) and
    the previous quarter's actual; and up to two published ratings (the latest's, and the
    previous quarter's printed in brackets).

    The report's quarter is ``entry.period`` (catalogue ``period``, or ``kass check --year``).
    An indicator reported in arrears, or over a rolling period, is dated by what the note
    under its box says ("12-month rolling basis and one Quarter in arrears") or else by the
    indicator reference (columns ``quarters_in_arrears`` and ``rolling_months`` of
    ``data/reference/indicators.csv``); where both say and disagree, the note is used and a
    finding reported. A 12-month rolling figure is a ``year`` period labelled like
    ``12 months to Sep 2024``.

    Polarity is not printed in the box; a target below the floor means lower is better, and
    a reference polarity that contradicts the printed thresholds is a finding.

    Returns
    -------
    tuple
        ``({"indicator_observations": frame, "published_ratings": frame}, problems)``:
        frames of :class:`~kassanalysis.schemas.IndicatorObservations` (4 rows per box at
        most) and :class:`~kassanalysis.schemas.PublishedRatings` (2 rows per box at most).
    """
    problems: list[pb.Problem] = []
    empty = {
        "indicator_observations": empty_frame(IndicatorObservations),
        "published_ratings": empty_frame(PublishedRatings),
    }
    try:
        quarter = parse_period(entry.period or "")
    except PeriodError:
        quarter = None
    if quarter is None or quarter.kind != "quarter":
        return empty, [
            pb.error(
                "unparseable period",
                entry.file,
                None,
                f"a KPI box layout needs the report's quarter, not {entry.period!r}: give "
                "period (e.g. 2024-25 Q3) in the catalogue, or --year with kass check",
            )
        ]
    boxes = find_kpi_boxes(lines, lambda name: ref.indicator_for_label(name) is not None)
    observations, ratings = [], []
    for box in boxes:
        indicator = match_indicator(box.name, ref)
        if indicator is None:
            problems.append(
                pb.error(
                    "unknown indicator",
                    entry.file,
                    box.name_line,
                    f"{box.name[:80]!r} is not a known indicator; add it (or this name as an "
                    "alias) to data/reference/indicators.csv",
                    subject=box.name[:80],
                )
            )
            continue
        info = ref.indicators.loc[indicator]
        lag = (
            _box_basis(
                box.quarters_in_arrears,
                info,
                "quarters_in_arrears",
                box,
                entry,
                indicator,
                problems,
            )
            or 0
        )
        months = (
            _box_basis(box.rolling_months, info, "rolling_months", box, entry, indicator, problems)
            or 3
        )
        if months not in (3, 12):
            problems.append(
                pb.error(
                    "unparseable period",
                    entry.file,
                    box.line,
                    f"{indicator}: a {months}-month rolling period cannot be stored; only "
                    "quarters and 12-month rolling years can",
                    subject=indicator,
                )
            )
            continue
        periods = [_rolling(_quarter_before(quarter, lag + back), months) for back in (0, 1)]
        values: dict[str, float] = {}
        for name, value_type, back in _BOX_PARTS:
            text = box.figures.get(name)
            if text is None:
                continue
            parsed = parse_cell(text, blank_markers=entry.blank_markers, nil_is_zero=False)
            if parsed is None:
                problems.append(
                    pb.error(
                        "non-numeric value",
                        entry.file,
                        box.line,
                        f"{text!r} for {indicator} ({name}) is not a number or a known marker",
                        subject=indicator,
                    )
                )
                continue
            values[name] = parsed[0]
            if parsed[1] == "reported":
                _check_box_unit(text, indicator, info, entry, box, problems)
            observations.append(
                observation_record(
                    ref,
                    authority=entry.authority,
                    indicator=indicator,
                    period=periods[back],
                    value_type=value_type,
                    value=parsed[0],
                    status=parsed[1],
                    source_file=entry.file,
                    source_line=box.line,
                    source_text=text,
                )
            )
        _check_box_polarity(values, indicator, info, entry, box, problems)
        published = (
            (box.rag, 0, "latest", box.rag_line),
            (box.figures.get("previous_rag"), 1, "previous", box.line),
        )
        for rag, back, figure, line in published:
            if rag and figure in values:
                ratings.append(_rating_record(entry, indicator, periods[back], rag, line))
    frames = {
        "indicator_observations": _frame(observations, IndicatorObservations),
        "published_ratings": _frame(ratings, PublishedRatings),
    }
    return frames, problems


def _box_basis(
    stated: int | None,
    info: pd.Series,
    column: str,
    box: KpiBox,
    entry: CatalogueEntry,
    indicator: str,
    problems: list[pb.Problem],
) -> int | None:
    """Quarters in arrears or rolling months: the note's, else the reference's."""
    known = info.get(column)
    known = None if known is None or pd.isna(known) else int(known)
    if stated is not None and known is not None and stated != known:
        problems.append(
            pb.finding(
                "reference disagrees",
                entry.file,
                box.line,
                f"{indicator}: the note under the box says {column.replace('_', ' ')} {stated} "
                f"but data/reference/indicators.csv says {known}; the note is used",
                subject=indicator,
            )
        )
    return stated if stated is not None else known


def _check_box_unit(
    text: str,
    indicator: str,
    info: pd.Series,
    entry: CatalogueEntry,
    box: KpiBox,
    problems: list[pb.Problem],
) -> None:
    unit = str(info.get("unit", ""))
    if ("%" in text) != (unit == "%"):
        problems.append(
            pb.finding(
                "reference disagrees",
                entry.file,
                box.line,
                f"{indicator}: printed {text!r} but data/reference/indicators.csv gives the "
                f"unit {unit!r}",
                subject=indicator,
            )
        )


def _check_box_polarity(
    values: dict[str, float],
    indicator: str,
    info: pd.Series,
    entry: CatalogueEntry,
    box: KpiBox,
    problems: list[pb.Problem],
) -> None:
    """A target below the floor means lower is better (and above it, higher)."""
    target, floor = values.get("target", math.nan), values.get("floor", math.nan)
    if math.isnan(target) or math.isnan(floor) or target == floor:
        return
    implied = "lower_is_better" if target < floor else "higher_is_better"
    if info.get("polarity") != implied:
        problems.append(
            pb.finding(
                "reference disagrees",
                entry.file,
                box.line,
                f"{indicator}: target {target:g} and floor {floor:g} mean {implied} but "
                f"data/reference/indicators.csv says {info.get('polarity')}",
                subject=indicator,
            )
        )


def _quarter_before(quarter: Period, n: int) -> Period:
    """The quarter ``n`` quarters before ``quarter``."""
    start_year = quarter.start.year if quarter.start.month >= 4 else quarter.start.year - 1
    index = start_year * 4 + (quarter.start.month - 4) % 12 // 3 - n
    return make_quarter(index // 4, index % 4 + 1)


def _rolling(quarter: Period, months: int) -> Period:
    """The quarter itself (``months`` 3) or the 12 months ending with it.

    Examples
    --------
    >>> p = _rolling(parse_period("2024-25 Q2"), 12)
    >>> p.label, p.kind, str(p.start), str(p.end)
    ('12 months to Sep 2024', 'year', '2023-10-01', '2024-09-30')
    """
    if months == 3:
        return quarter
    end = quarter.end
    start = (pd.Timestamp(end) + pd.Timedelta(days=1) - pd.DateOffset(months=months)).date()
    return Period(end, start, "year", f"{months} months to {end:%b %Y}")


def _rating_record(
    entry: CatalogueEntry, indicator: str, period: Period, rag: str, line: int
) -> dict:
    return {
        "authority_code": entry.authority,
        "indicator_id": indicator,
        "breakdown": "Total",
        "period": period.label,
        "period_type": period.kind,
        "period_start": pd.Timestamp(period.start),
        "period_end": pd.Timestamp(period.end),
        "rag": rag,
        "source_file": entry.file,
        "source_sheet": None,
        "source_line": line,
        "source_text": rag,
    }


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


def clean_comparator_table(
    lines: list[str], entry: CatalogueEntry, ref: Reference
) -> tuple[pd.DataFrame, list[pb.Problem]]:
    """Read a comparator table (indicators down, councils across) for ``entry.period``."""
    problems: list[pb.Problem] = []
    rows = _rows(lines, entry)
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
                _record(entry, ref, column.authority, indicator, column, *parsed, row, row.text(i))
            )
    return _frame(records, IndicatorObservations), problems


def clean_banding_table(
    lines: list[str], entry: CatalogueEntry, ref: Reference
) -> tuple[pd.DataFrame, list[pb.Problem]]:
    """Read a PAF banding table (bands down, years across) and check bands sum to TOTAL."""
    problems: list[pb.Problem] = []
    rows = _rows(lines, entry)
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
    frame = _frame(records, PafBanding)
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
                _record(
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
    return _frame(records, IndicatorObservations), problems


def _frame(records: list[dict], model) -> pd.DataFrame:
    return pd.DataFrame(records, columns=columns_of(model))


__all__ = [
    "clean_kpi_table",
    "clean_kpi_boxes",
    "clean_comparator_table",
    "clean_banding_table",
    "clean_target_statements",
    "extract_targets",
    "match_indicator",
    "normalise_header",
]
