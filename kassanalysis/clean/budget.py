"""Budget and staffing tables, as cut out of PDF business plans, into tidy budget lines.

The reader maps each column to a measure from its header (via the aliases in
``data/reference/measures.csv``) or, where the header was lost, from the layout given in the
catalogue. Each printed row becomes a line, a service-group subtotal, a total, a unit total
or a memorandum item; each cell becomes one row of the tidy frame with its source line.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from kassanalysis import problems as pb
from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.clean.cells import is_number_like, parse_cell
from kassanalysis.clean.grid import (
    Row,
    find_header_end,
    join_header_columns,
    join_wrapped_labels,
    normalise_header,
    rejoin_split_cells,
    split_table,
)
from kassanalysis.periods import PeriodError, format_financial_year, parse_financial_year
from kassanalysis.reference import Reference
from kassanalysis.schemas import BudgetLines, empty_frame

LABEL_HEADERS = {"activitybudgetline", "budgetline", "divisionalunit", "costcentre"}
SKIP_HEADERS = {"cabinetmember", "responsiblemanager", "accountableofficer", "manager"}
UNIT_WORDS = {"000", "£000", "m", "£m", "000s"}
_CODE = re.compile(r"\b(\d{2}[A-Z]|TBC)\b")
_YEAR = re.compile(r"\b\d{4}\s*[-/]\s*\d{1,4}\b")
_MEMO = re.compile(r"^memorandum items:?$", re.IGNORECASE)
_UNIT_TOTAL = re.compile(r"^total cost of unit$", re.IGNORECASE)
_TOTAL = re.compile(r"\btotal\b", re.IGNORECASE)


@dataclass(frozen=True)
class Column:
    """What one column of a printed table holds."""

    role: str  # "label", "skip", "value", or "overflow" (beyond the printed header)
    measure: str | None = None
    year: str | None = None
    scale: float = 1.0


def parse_layout(spec: tuple[str, ...], entry: CatalogueEntry, ref: Reference) -> list[Column]:
    """Turn a catalogue layout (``[label, employee_costs, controllable_expenditure@2007-08]``)
    into columns, checking each measure name.

    Examples
    --------
    >>> from kassanalysis.catalogue import CatalogueEntry
    >>> entry = CatalogueEntry("t", "t.txt", "budget_table", "E10000016", {}, "",
    ...                        financial_year="2008-09")
    >>> ref = _tiny_reference()
    >>> [(c.role, c.measure, c.year) for c in parse_layout(("code", "fte@2007-08"), entry, ref)]
    [('label', None, None), ('value', 'fte', '2007-08')]
    """
    columns = []
    for item in spec:
        name, _, year = item.partition("@")
        if name in ("label", "code", "name"):
            columns.append(Column("label"))
        elif name == "skip" or name.startswith("attr:"):
            columns.append(Column("skip"))
        elif name in ref.measures.index:
            columns.append(
                Column(
                    "value",
                    name,
                    _year_label(year) if year else entry.financial_year,
                    entry.scale_to_thousands,
                )
            )
        else:
            raise ValueError(
                f"unknown measure {name!r} in the catalogue layout of {entry.id}; "
                f"known measures: {', '.join(ref.measures.index)}"
            )
    return columns


def _year_label(text: str) -> str:
    return format_financial_year(parse_financial_year(text))


def layout_from_header(
    header: list[Row], width: int, entry: CatalogueEntry, ref: Reference, problems: list[pb.Problem]
) -> list[Column]:
    """Work out each column's measure, year and unit from the printed header rows."""
    joined = join_header_columns(header, width, _is_year_row)
    columns: list[Column] = []
    printed = (
        max((max((j for j, c in enumerate(r.cells) if c), default=-1) for r in header), default=-1)
        + 1
    )
    for i, (text, year_text) in enumerate(joined):
        line = next((r.line for r in reversed(header) if r.text(i)), header[0].line)
        if i >= printed:
            columns.append(Column("overflow"))
            continue
        key = normalise_header(text)
        year = year_text or (_YEAR.search(text)[0] if _YEAR.search(text) else "")
        scale = _scale_from_header(text, entry)
        measure = ref.measure_for_header(_YEAR.sub("", text))
        if any(h in key for h in LABEL_HEADERS):
            columns.append(Column("label"))
        elif any(h in key for h in SKIP_HEADERS):
            columns.append(Column("skip"))
        elif measure is not None:
            columns.append(
                Column("value", measure, _year_label(year) if year else entry.financial_year, scale)
            )
        elif not key or key in UNIT_WORDS:
            previous = columns[-1].role if columns else "label"
            columns.append(Column("label" if previous == "label" else "skip"))
        elif _YEAR.fullmatch(text.strip()) and entry.default_measure:
            columns.append(Column("value", entry.default_measure, _year_label(text), scale))
        elif i == 0:
            columns.append(Column("label"))
        else:
            problems.append(
                pb.error(
                    "unknown measure",
                    entry.file,
                    line,
                    f"column {i + 1} header {text!r} is not a known measure; add an alias to "
                    "data/reference/measures.csv or give the layout in the catalogue",
                    subject=text,
                )
            )
            columns.append(Column("skip"))
    return columns


def _scale_from_header(text: str, entry: CatalogueEntry) -> float:
    lowered = text.lower().replace(" ", "")
    if "£m" in lowered or "£million" in lowered:
        return 1000.0
    if "000" in lowered:
        return 1.0
    return entry.scale_to_thousands


def _is_year_row(row: Row) -> bool:
    filled = [c for c in row.cells if c]
    return bool(filled) and all(_YEAR.fullmatch(c) for c in filled)


def _header_word(ref: Reference) -> Callable[[str], bool]:
    """A test for header vocabulary: years, measure names and aliases, label and unit words."""
    words = ref.header_words() | LABEL_HEADERS | SKIP_HEADERS | UNIT_WORDS
    phrases = {a for aliases in ref.measure_alias_keys().values() for a in aliases if a}
    phrases |= LABEL_HEADERS | SKIP_HEADERS

    def is_header_word(cell: str) -> bool:
        if _YEAR.fullmatch(cell.strip()):
            return True
        key = normalise_header(cell)
        if any(phrase in key for phrase in phrases):
            return True
        tokens = [t for t in (normalise_header(t) for t in cell.split()) if t]
        return bool(tokens) and all(t in words for t in tokens)

    return is_header_word


def clean_budget_table(
    lines: list[str], entry: CatalogueEntry, ref: Reference
) -> tuple[pd.DataFrame, list[pb.Problem]]:
    """Read one raw budget table into tidy budget lines and a list of problems.

    Parameters
    ----------
    lines : list of str
        The raw file's lines, as read.
    entry : CatalogueEntry
        What the file is (authority, year, unit, units, layout hints).
    ref : Reference
        Measures and their aliases.

    Returns
    -------
    (pandas.DataFrame, list of Problem)
        Frame valid against :class:`kassanalysis.schemas.BudgetLines`, and problems: errors
        (text in a number column, an unknown measure, a missing column, a truncated table)
        and findings (a duplicated total row).
    """
    problems: list[pb.Problem] = []
    fragments = split_table(lines, entry.format)
    if not fragments:
        problems.append(
            pb.error(
                "empty table",
                entry.file,
                None,
                "no table rows found (expected a pipe or tab-separated table)",
            )
        )
        return empty_frame(BudgetLines), problems
    is_header_word = _header_word(ref)
    state = _State(entry, ref, problems)
    layout: list[Column] | None = None
    for number, fragment in enumerate(fragments):
        rows = rejoin_split_cells(fragment)
        width = max(len(r.cells) for r in rows)
        if number == 0 and entry.header_lines is not None:
            header_end = entry.header_lines
        else:
            header_end = find_header_end(rows, is_header_word)
        if number == 0 and entry.columns:
            layout = parse_layout(entry.columns, entry, ref)
        elif header_end:
            layout = layout_from_header(rows[:header_end], width, entry, ref, problems)
        elif number > 0 and entry.columns_after_break:
            layout = parse_layout(entry.columns_after_break, entry, ref)
        elif layout is None or len(layout) != width:
            problems.append(
                pb.error(
                    "missing header",
                    entry.file,
                    rows[0].line,
                    f"the table part starting at line {rows[0].line} has no header and {width} "
                    "columns; give its layout in the catalogue (columns / columns_after_break)",
                )
            )
            continue
        total_layout = (
            parse_layout(entry.total_columns, entry, ref) if entry.total_columns else layout
        )
        _check_layout(layout, entry, rows, problems)
        for row in join_wrapped_labels(rows[header_end:], layout, entry.wrapped_labels):
            state.add_row(row, layout, total_layout)
    last_line = max((r.line for f in fragments for r in f), default=None)
    state.finish(last_line)
    frame = pd.DataFrame(state.records, columns=list(BudgetLines.to_schema().columns))
    if frame.empty and not any(p.severity == "error" for p in problems):
        problems.append(
            pb.error(
                "truncated table",
                entry.file,
                last_line,
                f"no budget lines and no total row before the table stops at line {last_line}",
            )
        )
    return frame, problems


def _check_layout(
    layout: list[Column], entry: CatalogueEntry, rows: list[Row], problems: list[pb.Problem]
) -> None:
    if not any(c.role == "label" for c in layout):
        problems.append(
            pb.error(
                "missing column",
                entry.file,
                rows[0].line,
                "no line-name column found in the header",
            )
        )
    if not any(c.role == "value" for c in layout):
        problems.append(
            pb.error(
                "missing column", entry.file, rows[0].line, "no measure columns found in the header"
            )
        )


class _State:
    """Walks the rows of one table, tracking service groups and totals."""

    def __init__(self, entry: CatalogueEntry, ref: Reference, problems: list[pb.Problem]):
        self.entry, self.ref, self.problems = entry, ref, problems
        self.records: list[dict] = []
        self.group: str | None = entry.first_group
        self.in_memo = False
        self.open_lines: list[int] = []  # record indices of lines not yet closed by a subtotal
        self.subtotals_seen = 0
        self.last_total: tuple[str, tuple] | None = None
        self.rules = [(re.compile(p, re.IGNORECASE), t) for p, t in entry.row_rules.items()]

    def add_row(self, row: Row, layout: list[Column], total_layout: list[Column]) -> None:
        if row.is_blank():
            return
        whole = " ".join(c for c in row.cells if c)
        forced = next((t for rx, t in self.rules if rx.search(whole)), None)
        if forced == "ignore":
            return
        label = " ".join(row.text(i) for i, c in enumerate(layout) if c.role == "label").strip()
        is_total = bool(_TOTAL.search(label)) or forced in ("external_total", "memo_of_which")
        cols = total_layout if is_total and not forced else layout
        label = " ".join(row.text(i) for i, c in enumerate(cols) if c.role == "label").strip()
        cells = self._parse_values(row, cols)
        if cells is None:
            return
        has_values = any(status != "missing" for *_, status, _ in cells)
        code_match = _CODE.search(label)
        code = code_match[1] if code_match else None
        name = " ".join(_CODE.sub(" ", label).split()) if code else label
        if not label and not has_values:
            return
        if not label:
            self.problems.append(
                pb.error(
                    "missing line name",
                    self.entry.file,
                    row.line,
                    f"a row of figures has no line name: {whole!r}",
                )
            )
            return
        if _MEMO.match(label):
            self.in_memo, self.group = True, "Memorandum items"
            return
        if forced:
            row_type = forced
        elif _UNIT_TOTAL.match(label):
            row_type = "unit_total"
        elif is_total:
            row_type = self._classify_total(label)
        elif has_values or code:
            row_type = "memorandum" if self.in_memo else "line"
        else:
            self.group = label  # a service-group heading
            return
        if row_type in ("total", "subtotal"):
            signature = (name, tuple((m, v) for m, _, v, *_ in cells))
            if self.last_total and self.last_total == signature:
                self.problems.append(
                    pb.finding(
                        "duplicated row",
                        self.entry.file,
                        row.line,
                        f"{label!r} repeats the row above it; the repeat is not used",
                        subject=label,
                    )
                )
                return
            self.last_total = signature
        group = self.group
        first_record = len(self.records)
        if row_type == "subtotal":
            group = self.group or _group_from_total(name)
            for index in self.open_lines:
                if self.records[index]["service_group"] is None:
                    self.records[index]["service_group"] = group
            self.group, self.open_lines = None, []
            self.subtotals_seen += 1
        elif row_type == "total":
            group = None
        for measure, year, value, status, text in cells:
            self.records.append(
                {
                    "authority_code": self.entry.authority,
                    "authority_name": self.ref.authority_name(self.entry.authority),
                    "financial_year": year,
                    "period": None,
                    "unit": self.entry.unit or self.entry.id,
                    "service_group": group
                    if row_type in ("line", "subtotal", "memorandum", "memo_of_which")
                    else None,
                    "line_code": None if code in (None, "TBC") else code,
                    "line_name": name,
                    "row_type": row_type,
                    "measure": measure,
                    "value": value,
                    "unit_of_measure": self.ref.measures.loc[measure, "unit_of_measure"],
                    "status": status,
                    "source_file": self.entry.file,
                    "source_sheet": None,
                    "source_line": row.line,
                    "source_text": text,
                }
            )
        if row_type == "line":
            self.open_lines.extend(range(first_record, len(self.records)))

    def _classify_total(self, label: str) -> str:
        """A total closing open lines is a subtotal of their group, unless the lines have no
        group and either a named group was already closed or the label names no group."""
        if not self.open_lines:
            return "total"
        if self.group is not None:
            return "subtotal"
        if self.subtotals_seen or not _group_from_total(label):
            return "total"
        return "subtotal"

    def _parse_values(self, row: Row, layout: list[Column]) -> list[tuple] | None:
        values = []
        ok = True
        if len(row.cells) > len(layout) and any(row.cells[len(layout) :]):
            self.problems.append(
                pb.error(
                    "unexpected column",
                    self.entry.file,
                    row.line,
                    f"row has {len(row.cells)} cells but the table has {len(layout)} columns",
                )
            )
            return None
        for i, col in enumerate(layout):
            text = row.text(i)
            if col.role == "overflow" and text:
                self.problems.append(
                    pb.error(
                        "unexpected column",
                        self.entry.file,
                        row.line,
                        f"{text!r} in column {i + 1}, beyond the {i} columns of the header: a "
                        "column is missing from the header or the row has an extra cell",
                    )
                )
                ok = False
                continue
            if col.role == "skip" and text and is_number_like(text):
                self.problems.append(
                    pb.error(
                        "unexpected column",
                        self.entry.file,
                        row.line,
                        f"number {text!r} in column {i + 1}, which has no measure header",
                    )
                )
                ok = False
                continue
            if col.role != "value":
                continue
            parsed = parse_cell(text, blank_markers=self.entry.blank_markers)
            if parsed is None:
                self.problems.append(
                    pb.error(
                        "non-numeric value",
                        self.entry.file,
                        row.line,
                        f"{text!r} in column {i + 1} ({col.measure}) is not a number or a known "
                        "marker (blank, N/A, TBC, [x], [c])",
                        subject=col.measure,
                    )
                )
                ok = False
                continue
            value, status = parsed
            if not math.isnan(value):
                value = round(value * col.scale, 6)
            source = f"{text} ({row.note})" if row.note and "-" in text else text
            values.append((col.measure, col.year, value, status, source or None))
        return values if ok else None

    def finish(self, last_line: int | None) -> None:
        if self.records and not any(
            r["row_type"] in ("total", "unit_total", "subtotal") for r in self.records
        ):
            self.problems.append(
                pb.error(
                    "truncated table",
                    self.entry.file,
                    last_line,
                    f"the table stops at line {last_line} with no total row: it may have been "
                    "cut short",
                )
            )


def clean_stated_figures(
    lines: list[str], entry: CatalogueEntry, ref: Reference
) -> tuple[pd.DataFrame, list[pb.Problem]]:
    """Read figures quoted in prose ("Gross Expenditure: £265,982700") as budget lines.

    The catalogue's ``figures`` maps each printed label to a measure. A figure with a
    misplaced thousands separator is read from its digits and reported as a finding.

    Examples
    --------
    >>> from kassanalysis.catalogue import CatalogueEntry
    >>> entry = CatalogueEntry("s", "s.txt", "stated_figures", "E10000016", {}, "",
    ...     financial_year="2013-14", units_of_measure="GBP",
    ...     figures={"Gross Expenditure": "gross_expenditure"})
    >>> frame, problems = clean_stated_figures(["Gross Expenditure: £265,982700"], entry,
    ...                                        _tiny_reference())
    >>> float(frame.loc[0, "value"]), problems[0].check
    (265982.7, 'malformed number')
    """
    problems: list[pb.Problem] = []
    records = []
    found = set()
    for number, line in enumerate(lines, start=1):
        label, sep, text = line.partition(":")
        measure = entry.figures.get(label.strip())
        if not sep or measure is None:
            continue
        found.add(label.strip())
        text = text.strip()
        parsed = parse_cell(text)
        if parsed is None:
            digits = re.sub(r"[£,\s]", "", text)
            if not re.fullmatch(r"-?\d+(\.\d+)?", digits):
                problems.append(
                    pb.error(
                        "non-numeric value",
                        entry.file,
                        number,
                        f"{label.strip()}: {text!r} is not a number",
                    )
                )
                continue
            parsed = (float(digits), "reported")
            problems.append(
                pb.finding(
                    "malformed number",
                    entry.file,
                    number,
                    f"{label.strip()} is printed {text!r}; read as {float(digits):,.0f} from its "
                    "digits",
                    subject=measure,
                )
            )
        value = round(parsed[0] * entry.scale_to_thousands, 6)
        records.append(
            {
                "authority_code": entry.authority,
                "authority_name": ref.authority_name(entry.authority),
                "financial_year": entry.financial_year,
                "period": None,
                "unit": entry.unit or entry.id,
                "service_group": None,
                "line_code": None,
                "line_name": label.strip(),
                "row_type": "stated",
                "measure": measure,
                "value": value,
                "unit_of_measure": "GBP thousands",
                "status": parsed[1],
                "source_file": entry.file,
                "source_sheet": None,
                "source_line": number,
                "source_text": text,
            }
        )
    for label in sorted(set(entry.figures) - found):
        problems.append(
            pb.error("missing figure", entry.file, None, f"{label!r} is not in the file")
        )
    return pd.DataFrame(records, columns=list(BudgetLines.to_schema().columns)), problems


def _group_from_total(name: str) -> str:
    """``TOTAL SUPPORTED ACCOMMODATION`` -> ``Supported Accommodation``."""
    text = re.sub(r"^total\b\s*(for\s+)?|\s*\btotal$", "", name, flags=re.IGNORECASE).strip()
    return text.title() if text.isupper() else text


def _tiny_reference() -> Reference:
    """A two-measure reference for doctests."""
    from kassanalysis.reference import make_reference_from_frames

    return make_reference_from_frames(
        pd.DataFrame(
            {
                "id": ["fte", "gross_expenditure"],
                "name": ["FTE", "Gross expenditure"],
                "unit_of_measure": ["FTE", "GBP thousands"],
                "aliases": ["fte", "gross expenditure"],
            }
        )
    )


__all__ = [
    "Column",
    "PeriodError",
    "clean_budget_table",
    "clean_stated_figures",
    "layout_from_header",
    "parse_layout",
]
