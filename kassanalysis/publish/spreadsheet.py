"""Accessible statistical spreadsheets, following the Analysis Function guidance.

The workbook follows "Releasing statistics in spreadsheets" (Government Analysis
Function) and is built with gptables, the Analysis Function's own package:

* sheets in order: Cover, Contents, Notes, then one table per sheet;
* each table sheet: title (with note references), subtitles, an instruction
  line, a legend for any shorthand used, the source, then the table marked up
  as an Excel table - no merged cells, no blank rows, units in column headers;
* the cover gives the period, source, suppression rule, the meaning of ``[c]``
  and ``[x]`` and a contact;
* the document title property is set for screen readers.

Text is written exactly as given (after control-character cleaning): never as
a formula, hyperlink, note reference or number. See
:func:`write_accessible_workbook` for how that is guaranteed.
"""

from __future__ import annotations

import datetime
import math
import numbers
import os
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
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
    """

    sheet_name: str
    title: str
    table: pd.DataFrame
    subtitles: Sequence[str] = ()
    source: str | None = None
    units: Mapping[str, str] = field(default_factory=dict)
    note_ids: Sequence[str] = ()
    table_name: str | None = None


def write_accessible_workbook(
    tables: Sequence[TableSpec],
    path: str | os.PathLike[str],
    *,
    cover_title: str,
    period: str,
    source: str,
    contact: str = "[contact placeholder]",
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
        Contact details for the cover sheet.
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
        text longer than Excel's 32,767-character cell limit, or ``[c]`` without a rule.

    Examples
    --------
    >>> import tempfile
    >>> table = pd.DataFrame({"Locality": ["North", "South"], "People": [12, "[c]"]})
    >>> spec = TableSpec("Table 1", "Table 1: People supported", table,
    ...                  units={"People": "number"})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     written = write_accessible_workbook(
    ...         [spec], Path(folder) / "pack.xlsx", cover_title="Adult social care",
    ...         period="April to June 2025", source="Client records", rule=SuppressionRule())
    ...     print(written.name, written.stat().st_size > 0)
    pack.xlsx True
    """
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise ValueError(f"path must end in .xlsx, got {target.name!r}")
    if not tables:
        raise ValueError("tables must contain at least one TableSpec")
    notes = {} if notes is None else dict(notes)
    _check_notes(notes, tables)
    _check_sheet_names(tables)

    prepared = [_prepare_table(spec) for spec in tables]
    if rule is None and any(MARKER_SUPPRESSED in markers for _, markers in prepared):
        raise ValueError(
            f"a table contains {MARKER_SUPPRESSED} but rule is None; pass the "
            "SuppressionRule that was applied so the cover can explain it"
        )
    rule_sentence = (
        rule.describe() if rule is not None else "No counts have been suppressed in these tables."
    )

    sheets = {}
    table_names: set[str] = set()
    for number, (spec, (frame, markers)) in enumerate(zip(tables, prepared, strict=True), 1):
        table_name = _choose_table_name(spec, number, table_names)
        sheets[spec.sheet_name] = _build_gptable(spec, frame, markers, table_name, _clean(source))

    cover = gpt.Cover(
        title=_literal(cover_title),
        intro=[
            [{}, _clean(f"Period covered: {period}")],
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


def _prepare_table(spec: TableSpec) -> tuple[pd.DataFrame, frozenset[str]]:
    """Validate and convert a table: clean text cells and headers, wrap text literally."""
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

    markers: set[str] = set()
    converted = {}
    for header, (column_label, column) in zip(headers, frame.items(), strict=True):
        cells = []
        for row, value in enumerate(column.tolist()):
            cells.append(_prepare_cell(value, f"{where}, row {row}, column {column_label!r}"))
            if isinstance(value, str) and value in _MARKERS:
                markers.add(value)
        converted[header] = pd.Series(cells, dtype=object)
    return pd.DataFrame(converted), frozenset(markers)


def _prepare_cell(value: object, where: str) -> object:
    if isinstance(value, str):
        if value in _MARKERS:
            return value  # plain str so gptables aligns the column as numeric
        text = clean_control_characters(value)
        if not text.strip():
            raise ValueError(f"{where}: blank text; use {MARKER_NOT_AVAILABLE} for missing")
        if len(text.encode("utf-16-le")) // 2 > _EXCEL_CELL_LIMIT:
            raise ValueError(
                f"{where}: text is longer than Excel's {_EXCEL_CELL_LIMIT:,} character limit"
            )
        return FormatList([{}, text])
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
) -> gpt.GPTable:
    where = f"table {spec.sheet_name!r}"
    title = _clean(spec.title)
    subtitles = [_clean(text) for text in spec.subtitles]
    source = workbook_source if spec.source is None else _clean(spec.source)
    units = {_clean(str(col)): _clean(unit) for col, unit in spec.units.items()}
    for text, part in (
        [(title, "title"), (source, "source")]
        + [(text, "subtitle") for text in subtitles]
        + [(unit, "unit") for unit in units.values()]
    ):
        _check_no_note_syntax(text, f"{where} {part}")
    if not title.strip():
        raise ValueError(f"{where} needs a title")

    note_refs = "".join(f"$${note_id}$$" for note_id in spec.note_ids)
    legend = [
        [{}, MARKER_EXPLANATIONS[marker]]
        for marker in (MARKER_SUPPRESSED, MARKER_NOT_AVAILABLE)
        if marker in markers
    ]
    return gpt.GPTable(
        table=frame,
        table_name=table_name,
        title=[{}, f"{title} {note_refs}" if note_refs else title],
        subtitles=[[{}, text] for text in subtitles],
        instructions=[
            {},
            (
                "This worksheet contains one table. Some cells may refer to notes, which "
                f"can be found on the {NOTES_SHEET} worksheet. Shorthand is explained in "
                f"$${SHORTHAND_NOTE_ID}$$"
            ),
        ],
        legend=legend,
        source=[{}, f"Source: {source}"],
        # gptables mutates the units dict it is given, and refuses an empty one.
        units=dict(units) or None,
        index_columns={},  # index columns would be scanned for $$note$$ references
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


def _sheet_name(analysis: str, name: str) -> str:
    """A worksheet name (31 characters at most, no forbidden characters)."""
    text = f"{analysis[:4]} {name}".replace("_", " ").replace("-", " ")
    return re.sub(r"[\[\]:*?/\\']", " ", text)[:31].strip()


def _workbook_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """No blank cells in a published table: missing text shows the [x] marker too."""
    out = frame.copy()
    for column in out.columns:
        values = out[column].astype(object)
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


def units_for(table: str, columns: list[str], money: frozenset[str]) -> dict[str, str]:
    """Units for a key table's column headers (money, see :func:`money_columns`;
    percentages; FTE).

    Examples
    --------
    >>> money = frozenset({"net_cost", "change"})
    >>> units_for("localities", ["line_name", "net_cost", "share_of_gross"], money)
    {'net_cost': 'GBP thousands', 'share_of_gross': '%'}
    >>> units_for("staffing", ["line_name", "from_fte", "change"], money)
    {'from_fte': 'FTE', 'change': 'FTE'}
    """
    units = {}
    staffing = table == "staffing"
    for column in columns:
        if column.endswith(("_pct", "_share")) or column in (
            "share_of_gross",
            "income_recovery_rate",
            "pct_change",
            "spent_to_date_pct",
        ):
            units[column] = "%"
        elif column.endswith("_fte") or (staffing and column == "change"):
            units[column] = "FTE"
        elif column in money:
            units[column] = "GBP thousands"
    return units


def write_division_workbook(
    folder: str,
    division_name: str,
    notebooks: tuple[str, ...],
    period_label: str,
    rule: SuppressionRule,
    money: frozenset[str],
) -> str | None:
    """One accessible workbook for a division (gptables): cover, contents, notes and each
    key table of its reports on its own sheet, with the same markers and suppression as the
    CSV. Runs in a worker process as soon as the division's notebooks have finished."""
    folder = Path(folder)
    specs = []
    for analysis in notebooks:
        for table_file in sorted((folder / analysis / "tables").glob("*.json")):
            frame = read_published_table(table_file)
            if frame.empty:
                continue
            specs.append(
                TableSpec(
                    sheet_name=_sheet_name(analysis, table_file.stem),
                    title=f"{analysis.title()}: {table_file.stem.replace('_', ' ')}",
                    table=_workbook_frame(frame),
                    subtitles=(f"{division_name}, {period_label}",),
                    units=units_for(table_file.stem, list(frame.columns), money),
                )
            )
    if not specs:
        return None
    path = folder / f"{folder.name}-tables.xlsx"
    write_accessible_workbook(
        specs,
        path,
        cover_title=f"{division_name}: key tables",
        period=period_label,
        rule=rule,
        source="kassanalysis report pack; every row names its source file and line",
    )
    return str(path)
