"""Accessible statistical spreadsheets, following the Analysis Function guidance.

The workbook follows "Releasing statistics in spreadsheets" (Government Analysis
Function) and is built with gptables, the Analysis Function's own package:

* sheets in order: Cover, Contents, Notes, then one table per sheet;
* each table sheet: title (with note references), subtitles, an instruction
  line, a legend for any shorthand used, the source, then the table marked up
  as an Excel table - no merged cells, no blank rows, units in column headers;
* the cover gives the period, publication date, next update, source, suppression rule,
  the meaning of ``[c]`` and ``[x]`` and a contact (from ``pack.yml``'s ``publication``);
* each value column has the number format of its unit (counts ``#,##0``, percentages
  ``0.0``, money ``£#,##0.0`` in ``£000``: the decimals of :mod:`kassanalysis.formatting`,
  so the workbook shows what the HTML report shows), per cell where a column holds
  indicators of different units;
* the document title property is set for screen readers.

Text is written exactly as given (after control-character cleaning): never as
a formula, hyperlink, note reference or number. See
:func:`write_accessible_workbook` for how that is guaranteed. One odd value does not sink
the pack: a ``$$`` in a division's name is written as it is, and a cell longer than
Excel's 32,767 characters is cut, with a line under the table saying where.
"""

from __future__ import annotations

# size-note: one cohesive writer for one deliverable, the Analysis Function workbook (cover,
# contents, notes, a sheet per key table, its units, formats and markers); the checklist
# items change together. Number rules live in kassanalysis.formatting, not here.
import datetime
import math
import numbers
import os
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from types import MappingProxyType

import gptables as gpt
import pandas as pd
from gptables.core.gptable import FormatList

from kassanalysis.publish.disclosure import (
    MARKER_EXPLANATIONS,
    MARKER_NOT_AVAILABLE,
    MARKER_NOTES,
    MARKER_SUPPRESSED,
    SuppressionRule,
)
from kassanalysis.publish.safe_text import clean_control_characters
from kassanalysis.reference import Reference
from kassanalysis.report.publishing import read_published_table

COVER_SHEET = "Cover"
CONTENTS_SHEET = "Contents"
NOTES_SHEET = "Notes"

WORKBOOK_OPTIONS: Mapping[str, bool] = MappingProxyType(
    {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
)
"""xlsxwriter ``Workbook`` options passed through gptables' ``workbook_options``."""

SHORTHAND_NOTE_ID = "kassanalysis_shorthand"
MAX_COLUMN_WIDTH = 60
"""Widest column, in characters; longer text wraps (the data format wraps text)."""

_MARKERS = frozenset(MARKER_EXPLANATIONS)
_EXCEL_CELL_LIMIT = 32_767  # UTF-16 code units
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\']")
_NOTE_ID = re.compile(r"^[A-Za-z0-9_.-]+$")
_RESERVED_SHEETS = frozenset(
    name.casefold() for name in (COVER_SHEET, CONTENTS_SHEET, NOTES_SHEET, "History")
)


@dataclass(frozen=True, eq=False)
class TableSpec:
    """One table for one worksheet.

    Parameters
    ----------
    sheet_name : str
        Worksheet tab name: at most 31 characters, none of ``[ ] : * ? / \\ '``,
        not Cover, Contents or Notes.
    title : str
        Table title, e.g. ``"Table 1: People receiving long-term support, by locality"``.
    table : pandas.DataFrame
        The table as it should appear: labels in columns (default RangeIndex),
        value columns already marked with ``[c]``/``[x]`` by
        :func:`~kassanalysis.publish.disclosure.apply_markers`. No NaN or blank cells.
    subtitles : sequence of str
        Lines under the title, e.g. the period or the population covered.
    source : str, optional
        Source line for this table; defaults to the workbook ``source``.
    units : mapping of column name to unit text
        Shown in the column header as ``"People\\n(number)"``.
    note_ids : sequence of str
        Keys of the workbook ``notes`` that apply to this table; shown after the
        title as ``[note 1]`` etc., numbered by gptables in order of first use.
    table_name : str, optional
        Excel table name read by screen readers; derived from ``sheet_name``.
    number_formats : mapping of column name to an Excel number format, or to one per row
        E.g. ``{"People": "#,##0"}``; a sequence (one format or None per row) where the
        column's unit changes from row to row.
    """

    sheet_name: str
    title: str
    table: pd.DataFrame
    subtitles: Sequence[str] = ()
    source: str | None = None
    units: Mapping[str, str] = field(default_factory=dict)
    note_ids: Sequence[str] = ()
    table_name: str | None = None
    number_formats: Mapping[str, str | Sequence[str | None]] = field(default_factory=dict)


def write_accessible_workbook(
    tables: Sequence[TableSpec],
    path: str | os.PathLike[str],
    *,
    cover_title: str,
    period: str,
    source: str,
    contact: str,
    published: str = "",
    next_update: str = "",
    about: Sequence[str] = (),
    rule: SuppressionRule | None,
    notes: Mapping[str, str] | None = None,
) -> Path:
    """Write an accessible .xlsx workbook: Cover, Contents, Notes, one sheet per table.

    The file is written to a temporary file in the target's folder and renamed
    into place only once complete, so a failure never leaves a half-written
    workbook (an existing file at ``path`` is replaced only on success).

    Text is never turned into a formula, hyperlink or number: xlsxwriter's
    ``strings_to_formulas``, ``strings_to_urls`` and ``strings_to_numbers``
    options are all off (passed through gptables' ``workbook_options``), and
    each text cell is handed to gptables as a one-piece rich-text item so that
    gptables' own markdown-link (``[text](url)``) and "special characters only"
    handling cannot change it. Control characters are removed first.

    Parameters
    ----------
    tables : sequence of TableSpec
        Tables in the order they should appear.
    path : path-like
        Target ``.xlsx`` file. Its folder must exist.
    cover_title : str
        Workbook title (cover sheet heading and document title property).
    period : str
        Period covered, e.g. ``"April to June 2025"``.
    source : str
        Source of the data; also the default source line of each table.
    contact : str
        Contact details for the cover sheet (not blank).
    published, next_update : str
        Publication date and the date (or month) of the next update, as the cover shows
        them (``"29 November 2026"``); left off the cover when blank.
    about : sequence of str
        Lines for the cover's "about these data" part before the suppression rule, e.g.
        that some tables hold illustrative figures.
    rule : SuppressionRule or None
        The disclosure rule applied; its sentence goes on the cover and in the
        shorthand note. None states that no suppression was applied and is
        refused if any table contains ``[c]``.
    notes : mapping of note id to note text, optional
        Notes for the Notes sheet, referenced from tables by ``TableSpec.note_ids``.
        A note on shorthand and the suppression rule is always added, and every
        table's instruction line refers to it.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ValueError
        On invalid sheet names, unknown note ids, NaN, infinite or blank cells,
        blank contact, or ``[c]`` without a rule.

    Examples
    --------
    >>> import tempfile
    >>> table = pd.DataFrame({"Locality": ["North", "South"], "People": [12, "[c]"]})
    >>> spec = TableSpec("Table 1", "Table 1: People supported", table,
    ...                  units={"People": "number"}, number_formats={"People": "#,##0"})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     written = write_accessible_workbook(
    ...         [spec], Path(folder) / "pack.xlsx", cover_title="Adult social care",
    ...         period="April to June 2025", source="Client records",
    ...         contact="Performance team, performance@example.org", rule=SuppressionRule())
    ...     print(written.name, written.stat().st_size > 0)
    pack.xlsx True
    """
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise ValueError(f"path must end in .xlsx, got {target.name!r}")
    if not tables:
        raise ValueError("tables must contain at least one TableSpec")
    if not isinstance(contact, str) or not contact.strip():
        raise ValueError("contact must be given (publication: contact: in pack.yml)")
    notes = {} if notes is None else dict(notes)
    _check_notes(notes, tables)
    _check_sheet_names(tables)

    prepared = [_prepare_table(spec) for spec in tables]
    if rule is None and any(MARKER_SUPPRESSED in markers for _, markers, _ in prepared):
        raise ValueError(
            f"a table contains {MARKER_SUPPRESSED} but rule is None; pass the "
            "SuppressionRule that was applied so the cover can explain it"
        )
    rule_sentence = (
        rule.describe() if rule is not None else "No counts have been suppressed in these tables."
    )

    sheets = {}
    table_names: set[str] = set()
    for number, (spec, (frame, markers, cut)) in enumerate(zip(tables, prepared, strict=True), 1):
        table_name = _choose_table_name(spec, number, table_names)
        sheets[spec.sheet_name] = _build_gptable(
            spec, frame, markers, table_name, _clean(source), cut
        )

    cover = gpt.Cover(
        title=_literal(cover_title),
        intro=[
            [{}, _clean(f"Period covered: {period}")],
            *([[{}, _clean(f"Published: {published}")]] if published.strip() else []),
            *([[{}, _clean(f"Next update: {next_update}")]] if next_update.strip() else []),
            [{}, _clean(f"Source: {source}")],
            [
                {},
                (
                    f"This workbook contains {len(tables)} "
                    f"{'table' if len(tables) == 1 else 'tables'}, one per worksheet, listed on "
                    f"the {CONTENTS_SHEET} worksheet. Notes are on the {NOTES_SHEET} worksheet."
                ),
            ],
        ],
        about=[
            *([{}, _clean(line)] for line in about),
            [{}, rule_sentence],
            [{}, MARKER_EXPLANATIONS[MARKER_SUPPRESSED]],
            [{}, MARKER_EXPLANATIONS[MARKER_NOT_AVAILABLE]],
        ],
        contact=[[{}, _clean(contact)]],
        cover_label=COVER_SHEET,
    )
    notes_table = pd.DataFrame(
        {
            "Note reference": [*notes, SHORTHAND_NOTE_ID],
            "Note text": [
                *(_literal(text) for text in notes.values()),
                _literal(_shorthand_note(rule_sentence)),
            ],
        }
    )

    temporary = target.with_name(f".{target.stem}.{secrets.token_hex(8)}.partial.xlsx")
    try:
        workbook = gpt.produce_workbook(
            filename=str(temporary),
            sheets=sheets,
            cover=cover,
            contentsheet_label=CONTENTS_SHEET,
            notes_table=notes_table,
            notesheet_label=NOTES_SHEET,
            workbook_options=dict(WORKBOOK_OPTIONS),
        )
        workbook.set_properties({"title": _clean(cover_title), "subject": _clean(period)})
        for label, gptable in sheets.items():
            _cap_column_widths(workbook.get_worksheet_by_name(label), gptable.table)
        contents = pd.DataFrame(
            {"Sheet name": list(sheets), "Table description": [t.title for t in sheets.values()]}
        )
        _cap_column_widths(workbook.get_worksheet_by_name(CONTENTS_SHEET), contents)
        _cap_column_widths(
            workbook.get_worksheet_by_name(NOTES_SHEET),
            notes_table.rename(columns={"Note reference": "Note number"}),
        )
        workbook.close()
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return target


# --------------------------------------------------------------------------- helpers


def _clean(text: object) -> str:
    if not isinstance(text, str):
        raise TypeError(f"expected text (str), got {type(text).__name__}: {text!r}")
    return clean_control_characters(text)


def _literal(text: str) -> FormatList:
    """Wrap text so gptables writes it verbatim.

    gptables rewrites plain ``str`` cells: ``[text](url)`` becomes a hyperlink
    and a cell with no ASCII letter or digit (e.g. Cyrillic-only) is refused.
    A one-piece rich-text item (``FormatList([{}, text])``) skips both and is
    written by ``worksheet.write`` with the base format unchanged.
    """
    return FormatList([{}, _clean(text)])


def _verbatim(text: str) -> list:
    """Rich text that gptables writes as it is even when it holds ``$$`` (which it would
    read as a note reference): the text is split between the two dollar signs into
    fragments, none of which holds ``$$``.

    Examples
    --------
    >>> _verbatim("Older People $$ Care")
    [{}, 'Older People $', {}, '$ Care']
    >>> _verbatim("Plain")
    [{}, 'Plain']
    """
    pieces = text.split("$$")
    fragments = [
        ("$" if i else "") + piece + ("$" if i < len(pieces) - 1 else "")
        for i, piece in enumerate(pieces)
    ]
    return [part for fragment in fragments for part in ({}, fragment)]


def _check_no_note_syntax(text: str, where: str) -> None:
    if "$$" in text:
        raise ValueError(
            f"{where} contains '$$', which gptables reads as a note reference; "
            "reference notes with TableSpec.note_ids instead"
        )


def _check_notes(notes: Mapping[str, str], tables: Sequence[TableSpec]) -> None:
    for note_id, text in notes.items():
        if not isinstance(note_id, str) or not _NOTE_ID.match(note_id):
            raise ValueError(f"note id {note_id!r} must be letters, digits, '_', '.' or '-' only")
        if note_id == SHORTHAND_NOTE_ID:
            raise ValueError(f"note id {SHORTHAND_NOTE_ID!r} is reserved")
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"note {note_id!r} needs non-blank text")
    for spec in tables:
        unknown = [note_id for note_id in spec.note_ids if note_id not in notes]
        if unknown:
            raise ValueError(
                f"table {spec.sheet_name!r} refers to notes {unknown} that are not in notes"
            )


def _check_sheet_names(tables: Sequence[TableSpec]) -> None:
    seen: set[str] = set()
    for spec in tables:
        name = spec.sheet_name
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"sheet name {name!r} must be non-blank text")
        if len(name) > 31:
            raise ValueError(f"sheet name {name!r} is longer than Excel's 31 characters")
        if _SHEET_NAME_FORBIDDEN.search(name) or clean_control_characters(name) != name:
            raise ValueError(
                f"sheet name {name!r} must not contain [ ] : * ? / \\ ' or control characters"
            )
        folded = name.casefold()
        if folded in _RESERVED_SHEETS:
            raise ValueError(f"sheet name {name!r} is reserved")
        if folded in seen:
            raise ValueError(f"sheet name {name!r} is used twice (Excel ignores case)")
        seen.add(folded)


def _prepare_table(spec: TableSpec) -> tuple[pd.DataFrame, frozenset[str], list[str]]:
    """Validate and convert a table: clean text cells and headers, wrap text literally.
    Returns the table, the markers it uses, and where over-long text was cut."""
    frame = spec.table
    where = f"table {spec.sheet_name!r}"
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{where}: table must be a DataFrame")
    if frame.empty:
        raise ValueError(f"{where} is empty")
    if isinstance(frame.columns, pd.MultiIndex):
        raise TypeError(f"{where}: use one header row (flatten MultiIndex columns)")
    if not frame.index.equals(pd.RangeIndex(len(frame))):
        raise ValueError(f"{where}: labels must be columns, not the index (use reset_index())")
    headers = [_clean(str(col)) for col in frame.columns]
    if len(set(headers)) != len(headers):
        raise ValueError(f"{where}: column headers must be unique")
    for header in headers:
        _check_no_note_syntax(header, f"{where} column header {header!r}")
        if not header.strip():
            raise ValueError(f"{where}: every column needs a header")
    unknown_units = [col for col in spec.units if col not in frame.columns]
    if unknown_units:
        raise ValueError(f"{where}: units given for columns not in the table: {unknown_units}")

    for column, formats in spec.number_formats.items():
        if column not in frame.columns:
            raise ValueError(f"{where}: number format given for {column!r}, not in the table")
        if not isinstance(formats, str) and len(formats) != len(frame):
            raise ValueError(f"{where}: {column!r} needs one number format per row")

    markers: set[str] = set()
    cut: list[str] = []
    converted = {}
    for header, (column_label, column) in zip(headers, frame.items(), strict=True):
        cells = []
        for row, value in enumerate(column.tolist()):
            cell = _prepare_cell(value, f"{where}, row {row}, column {column_label!r}")
            if isinstance(cell, FormatList) and cell.string != clean_control_characters(value):
                cut.append(f"row {row + 1}, column {header!r}")
            cells.append(cell)
            if isinstance(value, str) and value in _MARKERS:
                markers.add(value)
        converted[header] = pd.Series(cells, dtype=object)
    return pd.DataFrame(converted), frozenset(markers), cut


_CUT_MARK = " [text cut: longer than an Excel cell holds]"


def _fit_excel_cell(text: str) -> str:
    """Text cut to Excel's 32,767 UTF-16 code units, ending with :data:`_CUT_MARK`.

    Examples
    --------
    >>> cut = _fit_excel_cell("x" * 40_000)
    >>> len(cut), cut.endswith("holds]")
    (32767, True)
    >>> _fit_excel_cell("short")
    'short'
    """
    units = text.encode("utf-16-le")
    if len(units) // 2 <= _EXCEL_CELL_LIMIT:
        return text
    keep = (_EXCEL_CELL_LIMIT - len(_CUT_MARK)) * 2
    return units[:keep].decode("utf-16-le", errors="ignore") + _CUT_MARK


def _prepare_cell(value: object, where: str) -> object:
    if isinstance(value, str):
        if value in _MARKERS:
            return value  # plain str so gptables aligns the column as numeric
        text = clean_control_characters(value)
        if not text.strip():
            raise ValueError(f"{where}: blank text; use {MARKER_NOT_AVAILABLE} for missing")
        return FormatList([{}, _fit_excel_cell(text)])
    if value is None or value is pd.NA or value is pd.NaT:
        raise ValueError(f"{where}: missing value; mark it with apply_markers first")
    if isinstance(value, (datetime.date, datetime.time, datetime.timedelta)):
        # gptables sets no date format, so Excel would show a bare serial number.
        raise TypeError(f"{where}: format dates and times as text first, e.g. 'April 2025'")
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        if math.isnan(value):
            raise ValueError(f"{where}: missing value; mark it with apply_markers first")
        if math.isinf(value):
            raise ValueError(f"{where}: infinite value; publish {MARKER_NOT_AVAILABLE} instead")
    return value


def _choose_table_name(spec: TableSpec, number: int, taken: set[str]) -> str:
    if spec.table_name is not None:
        name = spec.table_name
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]{0,254}", name):
            raise ValueError(
                f"table_name {name!r} must start with a letter or '_' and use only "
                "letters, digits, '_' and '.'"
            )
    else:
        slug = re.sub(r"[^0-9A-Za-z]+", "_", spec.sheet_name).strip("_").lower()
        name = f"table_{slug}" if slug else f"table_{number}"
    if name.casefold() in taken:
        name = f"{name}_{number}"
    if name.casefold() in taken:
        raise ValueError(f"table_name {name!r} is used twice")
    taken.add(name.casefold())
    return name


def _build_gptable(
    spec: TableSpec,
    frame: pd.DataFrame,
    markers: frozenset[str],
    table_name: str,
    workbook_source: str,
    cut: Sequence[str] = (),
) -> gpt.GPTable:
    where = f"table {spec.sheet_name!r}"
    title = _clean(spec.title)
    subtitles = [_clean(text) for text in spec.subtitles]
    source = workbook_source if spec.source is None else _clean(spec.source)
    units = {_clean(str(col)): _clean(unit) for col, unit in spec.units.items()}
    for unit in units.values():
        _check_no_note_syntax(unit, f"{where} unit")
    if not title.strip():
        raise ValueError(f"{where} needs a title")
    if cut:
        subtitles.append(
            f"Text longer than Excel's {_EXCEL_CELL_LIMIT:,} characters per cell was cut at "
            f"{'; '.join(cut)}; the CSV holds it in full."
        )

    note_refs = "".join(f"$${note_id}$$" for note_id in spec.note_ids)
    positions = {str(column): i for i, column in enumerate(spec.table.columns)}
    formatting = []
    for column, formats in spec.number_formats.items():
        if isinstance(formats, str):
            formatting.append(
                {"column": {"columns": [positions[column]], "format": {"num_format": formats}}}
            )
            continue
        for row, number_format in enumerate(formats):
            if number_format:
                formatting.append(
                    {
                        "cell": {
                            "cells": [(row + 1, positions[column])],  # row 0: the headers
                            "format": {"num_format": number_format},
                        }
                    }
                )
    legend = [
        [{}, MARKER_EXPLANATIONS[marker]]
        for marker in (MARKER_SUPPRESSED, MARKER_NOT_AVAILABLE)
        if marker in markers
    ]
    return gpt.GPTable(
        table=frame,
        table_name=table_name,
        title=_verbatim(title) + ([{}, f" {note_refs}"] if note_refs else []),
        subtitles=[_verbatim(text) for text in subtitles],
        instructions=[
            {},
            (
                "This worksheet contains one table. Some cells may refer to notes, which "
                f"can be found on the {NOTES_SHEET} worksheet. Shorthand is explained in "
                f"$${SHORTHAND_NOTE_ID}$$"
            ),
        ],
        legend=legend,
        source=_verbatim(f"Source: {source}"),
        # gptables mutates the units dict it is given, and refuses an empty one.
        units=dict(units) or None,
        index_columns={},  # index columns would be scanned for $$note$$ references
        additional_formatting=formatting,
    )


def _shorthand_note(rule_sentence: str) -> str:
    return f"Shorthand used in these tables: {MARKER_NOTES} {rule_sentence}"


def _cap_column_widths(worksheet: object, table: pd.DataFrame) -> None:
    """Stop very long text making a column wider than :data:`MAX_COLUMN_WIDTH`."""
    for position, (header, column) in enumerate(table.items()):
        texts = [str(header)] + [
            value.string if isinstance(value, FormatList) else str(value)
            for value in column.tolist()
        ]
        longest = max(len(line) for text in texts for line in text.split("\n"))
        if longest > MAX_COLUMN_WIDTH:
            worksheet.set_column(position, position, MAX_COLUMN_WIDTH)


# The pack's division workbooks (moved here from pack.py).

#: The key tables the reports publish: (sheet name, title that says what the table holds).
#: The title is also the table's description on the Contents sheet.
KEY_TABLES: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "comparator_summary": (
            "Comparator summary",
            "Comparison with similar councils: each indicator's value, rank and quartile in "
            "the group, the group and England medians, and the difference from England",
        ),
        "comparator_sensitivity": (
            "Comparator sensitivity",
            "Sensitivity to the comparator group: each indicator's value, rank, quartile and "
            "group median under every comparator group the council belongs to",
        ),
        "recent_trend": (
            "Recent trend",
            "Recent trend: the chi-squared test for trend over each indicator's five most "
            "recent points (OHID Fingertips method)",
        ),
        "spc_latest": (
            "SPC latest point",
            "Statistical process control: the latest point of each series of 12 or more "
            "points, its variation and assurance against target (Making Data Count)",
        ),
        "trend_summary": (
            "Trend summary",
            "Trends: each indicator's latest value, change since the previous period, "
            "direction of travel, target and statistical process control",
        ),
        "rag": (
            "Performance against target",
            "Performance against target: each indicator's latest actual against its phased "
            "target and floor, with its RAG rating",
        ),
        "activity": (
            "Activity",
            "Activity against expected range: each activity indicator's latest figure "
            "against its expected range",
        ),
        "exceptions": (
            "Exceptions",
            "Exceptions: what is Red or Amber, outside its expected range, a special cause, "
            "a forecast overspend, or a published figure that does not reconcile",
        ),
        "budget_monitoring": (
            "Budget monitoring",
            "Budget monitoring: spend to date and forecast outturn against budget, by line",
        ),
        "budget_variance": (
            "Budget change",
            "Budget change between years, by budget line",
        ),
        "budget_make_up": (
            "Budget make-up",
            "Make-up of the budget: cost and income components and their shares of gross "
            "expenditure, by budget unit",
        ),
        "localities": (
            "Localities",
            "Localities: net cost, share of gross expenditure and income recovery",
        ),
        "staffing": (
            "Staffing",
            "Staffing: full-time equivalent posts by team, and the change between years",
        ),
        "finance_spend_per_head": (
            "Finance spend per head",
            "Finance: the council's adult social care gross and net expenditure per head "
            "of population (GBP per head of the ONS population named in each row), from "
            "the Adult Social Care Finance Return (ASC-FR), ranked in the comparator group",
        ),
        "finance_unit_costs": (
            "Finance unit costs",
            "Finance: the council's published unit costs, all provision (GBP per week or "
            "GBP per hour, named in each row's unit), from the Adult Social Care Finance "
            "Return (ASC-FR), ranked in the comparator group",
        ),
        "reconciliation": (
            "Reconciliation",
            "Reconciliation findings: published totals that do not add up (kept as "
            "published, not corrected)",
        ),
    }
)

#: Column headers in words (units are added by gptables from :func:`units_for`).
HEADERS: Mapping[str, str] = MappingProxyType(
    {
        "indicator_id": "Indicator code",
        "indicator_name": "Indicator",
        "authority_code": "ONS code",
        "authority_name": "Council",
        "is_focus": "Focus council",
        "latest": "Latest value",
        "latest_period": "Latest period",
        "actual_period": "Period of actual",
        "target_period": "Period of target",
        "floor_period": "Period of floor",
        "range_period": "Period of expected range",
        "expected_low": "Expected range, lower",
        "expected_high": "Expected range, upper",
        "rag": "RAG rating",
        "gap_to_target": "Gap to target",
        "pct_change": "Percentage change",
        "met_target": "Target met",
        "points": "Points in series",
        "spc": "Statistical process control",
        "direction": "Direction of travel",
        "rank": "Rank (1 is best)",
        "quartile": "Quartile (1 is best)",
        "group_size": "Councils in group",
        "group_median": "Group median",
        "group_mean": "Group mean",
        "england_median": "England median",
        "england_n": "Councils in England median",
        "mads_from_england_median": "Distance from England median (median absolute deviations)",
        "lower_95": "Lower 95% limit",
        "upper_95": "Upper 95% limit",
        "lower_998": "Lower 99.8% limit",
        "upper_998": "Upper 99.8% limit",
        "compared_with_england": "Compared with England",
        "suspect": "Suspect value",
        "suspect_reason": "Why suspect",
        "line_code": "Budget line code",
        "line_name": "Budget line",
        "row_type": "Row type",
        "year": "Financial year",
        "from_value": "Earlier year",
        "to_value": "Later year",
        "from_fte": "Earlier year",
        "to_fte": "Later year",
        "actual_to_date": "Spent to date",
        "forecast_outturn": "Forecast outturn",
        "forecast_variance": "Forecast variance",
        "forecast_variance_pct": "Forecast variance, share of budget",
        "spent_to_date_pct": "Spent to date, share of budget",
        "share_of_gross": "Share of gross expenditure",
        "per_head": "Spend per head",
        "population": "Population",
        "denominator": "Population divided by",
        "mads_from_group_median": "Distance from group median (median absolute deviations)",
        "numerator_in_group_median": "Count behind the group median",
        "numerator_in_england_median": "Count behind the England median",
        "numerator_in_england_mad": "Count behind the England median absolute deviation",
        "numerator_in_benchmark": "Count behind the benchmark",
        "source_file": "Source file",
        "source_line": "Source line",
    }
)
# Columns whose values are codes written as words (higher_is_better -> Higher is better).
_CODED_TEXT = ("polarity", "row_type", "measure", "severity", "check", "threshold", "status")
# Columns holding an indicator's value, so in the indicator's own unit (row by row).
_INDICATOR_VALUES = (
    "value",
    "latest",
    "actual",
    "target",
    "floor",
    "change",
    "gap_to_target",
    "benchmark",
    "group_median",
    "group_mean",
    "england_median",
    "expected_low",
    "expected_high",
    "lower_95",
    "upper_95",
    "lower_998",
    "upper_998",
)
#: Tables whose figures are in each row's own ``unit`` (an ASC-FR line's: ``GBP thousands``,
#: ``GBP per week``...), not an indicator's: table -> those columns.
_ROW_UNIT_COLUMNS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "finance_spend_per_head": ("value",),
        "finance_unit_costs": ("value", "group_median"),
    }
)
#: Columns of a table in one fixed unit: table -> column -> unit.
_TABLE_UNITS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "finance_spend_per_head": MappingProxyType(
            {"per_head": "GBP", "group_median": "GBP", "population": "count of people"}
        ),
    }
)
_WHOLE_NUMBERS = ("numerator", "denominator", "rank", "quartile", "group_size", "england_n")
NO_DATA = "No data for this period"
ILLUSTRATIVE_NOTE = (
    "ILLUSTRATIVE: this table holds invented example figures (the example quarterly "
    "return in data/raw/quarterly), not published data."
)


def illustrative_files(catalogue: Sequence) -> frozenset[str]:
    """The ``source_file`` values of rows from sources the catalogue marks illustrative
    (invented example data), as published tables name them: a quarterly return's parts
    are its sheets or its two CSV files (the rule of ``ReportContext.illustrative_files``).
    """
    from kassanalysis.io import QUARTERLY_PARTS, quarterly_part

    files = set()
    for entry in catalogue:
        if entry.illustrative:
            files.add(entry.file)
            if entry.kind == "quarterly_return":
                files.update(quarterly_part(entry.file, part) for part in QUARTERLY_PARTS)
    return frozenset(files)


def excel_number_format(unit: str | None) -> str:
    """The Excel number format for figures of ``unit``: one rule per unit, kept in
    :func:`kassanalysis.formatting.excel_number_format` with the rules of every other output.

    Examples
    --------
    >>> excel_number_format("count of people"), excel_number_format("%")
    ('#,##0', '0.0"%"')
    >>> excel_number_format("GBP thousands"), excel_number_format("FTE")
    ('£#,##0.0', '#,##0.00')
    """
    from kassanalysis.formatting import excel_number_format as rule

    return rule(unit)


def header_words(column: str) -> str:
    """A column's header in words: from :data:`HEADERS`, else the name in sentence case.

    Examples
    --------
    >>> header_words("gap_to_target"), header_words("employee_costs_share")
    ('Gap to target', 'Employee costs share')
    """
    return HEADERS.get(column) or column.replace("_", " ").strip().capitalize()


def _sheet_name(analysis: str, name: str) -> str:
    """A readable worksheet name (31 characters at most, no forbidden characters).

    Examples
    --------
    >>> _sheet_name("variance", "rag"), _sheet_name("comparator", "comparator-oflog-asc1")
    ('Performance against target', 'Comparator OFLOG-ASC1')
    >>> _sheet_name("trend", "new_table")
    'Trend new table'
    """
    if name in KEY_TABLES:
        text = KEY_TABLES[name][0]
    elif name.startswith(f"{analysis}-"):
        text = f"{analysis.title()} {name[len(analysis) + 1 :].upper()}"
    else:
        text = f"{analysis.title()} {name.replace('_', ' ')}"
    return re.sub(r"[\[\]:*?/\\']", " ", text)[:31].strip()


def _table_title(analysis: str, name: str, frame: pd.DataFrame) -> str:
    if name in KEY_TABLES:
        return KEY_TABLES[name][1]
    if name.startswith(f"{analysis}-"):
        code = name[len(analysis) + 1 :].upper()
        if "indicator_name" in frame.columns and len(frame):
            code = f"{frame['indicator_name'].iloc[0]} ({code})"
        return f"{analysis.title()}: {code}, every council in the group"
    return f"{analysis.title()}: {name.replace('_', ' ').replace('-', ' ')}"


def _workbook_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """No blank cells in a published table: missing text shows the [x] marker too; true
    and false as Yes and No; codes (``higher_is_better``) in words."""
    out = frame.copy()
    for column in out.columns:
        values = out[column].astype(object)
        if column in _CODED_TEXT:
            values = values.map(
                lambda v: (
                    v.replace("_", " ").capitalize()
                    if isinstance(v, str) and re.fullmatch(r"[a-z]+(_[a-z]+)*", v)
                    else v
                )
            )
        values = values.map(
            lambda v: {True: "Yes", False: "No"}.get(v, v) if isinstance(v, bool) else v
        )
        blank = values.isna() | values.map(lambda v: isinstance(v, str) and not v.strip())
        out[column] = values.where(~blank, MARKER_NOT_AVAILABLE)
    return out


# Money columns the report tables add to the reference's measures (changes and variances).
_DERIVED_MONEY = ("forecast_variance", "from_value", "to_value", "change")


def money_columns(ref: Reference) -> frozenset[str]:
    """Columns holding GBP thousands: every measure the reference says is in GBP thousands,
    and the changes and variances reports compute from them."""
    measures = ref.measures
    in_thousands = measures.index[measures["unit_of_measure"] == "GBP thousands"]
    return frozenset(in_thousands) | frozenset(_DERIVED_MONEY)


def units_for(
    table: str, columns: list[str], money: frozenset[str], money_unit: str = "GBP thousands"
) -> dict[str, str]:
    """Units for a key table's column headers (money, see :func:`money_columns`, in
    ``money_unit``; percentages; FTE). A table of indicators (with an ``indicator_id``
    column) has no money columns: its values are in each indicator's own unit, named in
    the rows.

    Examples
    --------
    >>> money = frozenset({"net_cost", "change"})
    >>> units_for("localities", ["line_name", "net_cost", "share_of_gross"], money)
    {'net_cost': 'GBP thousands', 'share_of_gross': '%'}
    >>> units_for("staffing", ["line_name", "from_fte", "change"], money)
    {'from_fte': 'FTE', 'change': 'FTE'}
    >>> units_for("trend_summary", ["indicator_id", "latest", "change", "pct_change"], money)
    {'pct_change': '%'}
    >>> units_for("finance_spend_per_head", ["value", "per_head", "group_median"], money)
    {'per_head': 'GBP', 'group_median': 'GBP'}
    """
    fixed = _TABLE_UNITS.get(table, {})
    units = {column: fixed[column] for column in columns if column in fixed}
    staffing = table == "staffing"
    indicators = "indicator_id" in columns
    for column in columns:
        if column in units:
            continue
        if column.endswith(("_pct", "_share")) or column in (
            "share_of_gross",
            "income_recovery_rate",
            "pct_change",
            "spent_to_date_pct",
        ):
            units[column] = "%"
        elif column.endswith("_fte") or (staffing and column == "change"):
            units[column] = "FTE"
        elif column in money and not indicators:
            units[column] = money_unit
    return units


def _money_unit(frame: pd.DataFrame) -> str:
    """The money unit of a budget table: its ``unit_of_measure`` when it names one money
    unit (a key service statement in ``GBP millions``), else ``GBP thousands``."""
    from kassanalysis.formatting import parse_unit

    if "unit_of_measure" in frame.columns:
        found = frame["unit_of_measure"].dropna().astype(str).unique()
        if len(found) == 1 and parse_unit(found[0]).kind == "money":
            return str(found[0])
    return "GBP thousands"


def _header_unit(unit: str) -> str:
    from kassanalysis.formatting import unit_header

    return unit_header(unit) or unit


def _number_formats(
    frame: pd.DataFrame,
    units: Mapping[str, str],
    indicator_units: Mapping[str, str],
    row_unit_columns: tuple[str, ...] = (),
) -> dict[str, str | list[str | None]]:
    """Excel number formats: by the column's unit, row by row by each indicator's unit, or
    (``row_unit_columns``) row by row by the row's own ``unit``."""
    formats: dict[str, str | list[str | None]] = {}
    for column, unit in units.items():
        formats[column] = excel_number_format(unit)
    if "unit" in frame.columns:
        own = [None if pd.isna(u) else str(u) for u in frame["unit"].tolist()]
        for column in row_unit_columns:
            if column in frame.columns and column not in formats:
                formats[column] = [excel_number_format(u) if u else None for u in own]
    if "indicator_id" in frame.columns:
        row_units = [
            indicator_units.get(str(code))
            or (str(frame["unit"].iloc[i]) if "unit" in frame.columns else None)
            for i, code in enumerate(frame["indicator_id"].tolist())
        ]
        for column in _INDICATOR_VALUES:
            if column in frame.columns and column not in formats:
                formats[column] = [excel_number_format(u) if u else None for u in row_units]
    for column in _WHOLE_NUMBERS:
        if column in frame.columns and column not in formats:
            formats[column] = "#,##0"
    for column in ("mads_from_england_median", "mads_from_group_median"):
        if column in frame.columns:
            formats[column] = "0.0"
    return formats


def _rounded(
    frame: pd.DataFrame, formats: Mapping[str, str | Sequence[str | None]]
) -> pd.DataFrame:
    """Values rounded to the decimals their number format shows, so no float noise
    (-118.20000000000073) sits behind a cell."""
    out = frame.copy()
    for column, number_format in formats.items():
        per_row = [number_format] * len(out) if isinstance(number_format, str) else number_format
        values = out[column].astype(object).tolist()
        for i, (value, fmt) in enumerate(zip(values, per_row, strict=True)):
            real = isinstance(value, numbers.Real) and not isinstance(value, bool)
            if fmt and real and math.isfinite(value):
                decimals = re.search(r"\.(0+)", fmt)  # '0.0"%"', '£#,##0.0', '#,##0'
                places = len(decimals[1]) if decimals else 0
                # half away from zero on the number as written, as formatting.py rounds
                step = Decimal(1).scaleb(-places)
                values[i] = float(Decimal(repr(float(value))).quantize(step, ROUND_HALF_UP))
        out[column] = pd.Series(values, dtype=object, index=out.index)
    return out


def _key_table_spec(
    analysis: str,
    name: str,
    frame: pd.DataFrame,
    *,
    subtitle: str,
    money: frozenset[str],
    indicator_units: Mapping[str, str],
    illustrative_files: frozenset[str],
) -> TableSpec:
    """One key table as a worksheet: words for headers, units, number formats, and the
    illustrative caveat when any row comes from an illustrative source."""
    subtitles = [subtitle]
    notes = []
    if "source_file" in frame.columns and frame["source_file"].isin(illustrative_files).any():
        subtitles.insert(0, ILLUSTRATIVE_NOTE)
        notes.append("illustrative")
    if frame.empty:
        table = pd.DataFrame(
            {"Note": [f"{NO_DATA}: the report published this table with no rows ({subtitle})."]}
        )
        return TableSpec(
            sheet_name=_sheet_name(analysis, name),
            title=f"{_table_title(analysis, name, frame)}: {NO_DATA.lower()}",
            table=table,
            subtitles=tuple(subtitles),
        )
    units = units_for(name, list(frame.columns), money, _money_unit(frame))
    own_units = _ROW_UNIT_COLUMNS.get(name, ())
    formats = _number_formats(frame, units, indicator_units, own_units)
    table = _workbook_frame(_rounded(frame, formats))
    budget_unit = "indicator_id" not in frame.columns and not own_units
    headers = {
        column: ("Budget unit" if column == "unit" and budget_unit else header_words(column))
        for column in frame.columns
    }
    return TableSpec(
        sheet_name=_sheet_name(analysis, name),
        title=_table_title(analysis, name, frame),
        table=table.rename(columns=headers),
        subtitles=tuple(subtitles),
        units={headers[c]: _header_unit(u) for c, u in units.items()},
        number_formats={headers[c]: f for c, f in formats.items()},
        note_ids=tuple(notes),
    )


def write_division_workbook(
    folder: str,
    division_name: str,
    notebooks: tuple[str, ...],
    period_label: str,
    rule: SuppressionRule,
    money: frozenset[str],
    *,
    publication: Mapping[str, str] | None = None,
    indicator_units: Mapping[str, str] | None = None,
    illustrative_files: frozenset[str] = frozenset(),
) -> str | None:
    """One accessible workbook for a division (gptables): cover, contents, notes and each
    key table of its reports on its own sheet, with the same markers and suppression as the
    CSV. Runs in a worker process as soon as the division's notebooks have finished.

    ``publication`` holds the cover's ``contact``, ``published`` and ``next_update`` (from
    ``pack.yml``'s ``publication``); ``indicator_units`` maps indicator id to unit (the
    reference's indicators), for the number formats of indicator tables; rows from
    ``illustrative_files`` (the catalogue's illustrative sources) mark their sheet, and the
    cover, as illustrative. A table the report published with no rows gets a sheet saying
    there is no data for this period."""
    folder = Path(folder)
    publication = dict(publication or {})
    specs = []
    for analysis in notebooks:
        for table_file in sorted((folder / analysis / "tables").glob("*.json")):
            specs.append(
                _key_table_spec(
                    analysis,
                    table_file.stem,
                    read_published_table(table_file),
                    subtitle=f"{division_name}, {period_label}",
                    money=money,
                    indicator_units=indicator_units or {},
                    illustrative_files=illustrative_files,
                )
            )
    if not specs:
        return None
    illustrative = [s.sheet_name for s in specs if "illustrative" in s.note_ids]
    path = folder / f"{folder.name}-tables.xlsx"
    contact = publication.get("contact", "").strip() or (
        "No contact was given: set publication: contact: in pack.yml"
    )
    write_accessible_workbook(
        specs,
        path,
        cover_title=f"{division_name}: key tables",
        period=period_label,
        published=publication.get("published", ""),
        next_update=publication.get("next_update", ""),
        contact=contact,
        about=[f"{ILLUSTRATIVE_NOTE} Sheets: {', '.join(illustrative)}."] if illustrative else (),
        rule=rule,
        source="kassanalysis report pack; every row names its source file and line",
        notes={"illustrative": ILLUSTRATIVE_NOTE} if illustrative else None,
    )
    return str(path)
