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

import pandas as pd

from kassanalysis import problems as pb
from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.clean.budget_header import (
    Column,
    is_header_word_for,
    layout_from_header,
    measure_for_header,
    parse_layout,
)
from kassanalysis.clean.budget_sign import INCOME_MEASURES, apply_income_sign, recognise_income_sign
from kassanalysis.clean.cells import (
    is_number_like,
    parse_cell,
    split_cell_unit,
)
from kassanalysis.clean.grid import (
    Row,
    find_header_end,
    join_wrapped_labels,
    rejoin_split_cells,
    split_table,
)
from kassanalysis.periods import PeriodError
from kassanalysis.reference import Reference
from kassanalysis.schemas import BudgetLines, empty_frame

_CODE = re.compile(r"\b(\d{2}[A-Z]|TBC)\b")
_MEMO = re.compile(r"^memorandum items:?$", re.IGNORECASE)
_UNIT_TOTAL = re.compile(r"^total cost of unit$", re.IGNORECASE)
_TOTAL = re.compile(r"\btotal\b", re.IGNORECASE)
_MEMO_LINE = re.compile(
    r"\breserves?\b|capital financing|budget requirement|council tax|business rates|"
    r"financed by|funded by|\blev(y|ies)\b|contingenc|revenue support grant|collection fund",
    re.IGNORECASE,
)


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
    fragments = split_table(lines, entry.format, is_header_word_for(ref))
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
    is_header_word = is_header_word_for(ref)
    state = _State(entry, ref, problems, getattr(lines, "sheet", None), is_header_word)
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
            layout = layout_from_header(
                rows[:header_end], width, entry, ref, problems, rows[header_end:]
            )
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
            if _repeats_header(row, layout, is_header_word):
                continue  # the header printed again after a page break
            state.add_row(row, layout, total_layout)
    last_line = max((r.line for f in fragments for r in f), default=None)
    state.finish(last_line)
    frame = pd.DataFrame(state.records, columns=list(BudgetLines.to_schema().columns))
    if frame[BudgetLines.financial_year].isna().any():
        problems.append(
            pb.error(
                "missing year",
                entry.file,
                None,
                "the header prints no financial year for some columns; give the year "
                "(--year, or financial_year in the catalogue)",
            )
        )
        return empty_frame(BudgetLines), problems
    frame = apply_income_sign(frame, entry, ref, problems)
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


def _repeats_header(row: Row, layout: list[Column], is_header_word: Callable[[str], bool]) -> bool:
    """Whether a body row is the header again (every value cell a header word, no number).

    Examples
    --------
    >>> layout = [Column("label"), Column("value", "budget"), Column("value", "variance")]
    >>> _repeats_header(Row(36, ("Key Service", "Budget", "Variance")), layout,
    ...                 lambda w: w in ("Budget", "Variance"))
    True
    """
    cells = [row.text(i) for i, c in enumerate(layout) if c.role == "value" and row.text(i)]
    return bool(cells) and all(is_header_word(c) and not is_number_like(c) for c in cells)


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

    def __init__(
        self,
        entry: CatalogueEntry,
        ref: Reference,
        problems: list[pb.Problem],
        sheet: str | None = None,
        is_header_word: Callable[[str], bool] | None = None,
    ):
        self.entry, self.ref, self.problems = entry, ref, problems
        self.sheet, self.is_header_word = sheet, is_header_word
        self.records: list[dict] = []
        self.group: str | None = entry.first_group
        self.in_memo = False
        self.after_total = False  # rows after the table's total may be memoranda
        self.open_lines: list[int] = []  # record indices of lines not yet closed by a subtotal
        self.subtotals_seen = 0
        self.last_total: tuple[str, tuple] | None = None
        self.rules = [(re.compile(p, re.IGNORECASE), t) for p, t in entry.row_rules.items()]

    def add_row(self, row: Row, layout: list[Column], total_layout: list[Column]) -> None:
        """Read one printed row: a line, a (sub)total, a memorandum item or a group heading,
        kept as one record per value cell."""
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
        if self._repeats_header(row, cols):
            return  # a header printed again (page break, export): never an error
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
        row_type = self._row_type(label, forced, is_total, has_values, code)
        if row_type is None or self._repeats_total(row, row_type, label, name, cells):
            return
        group = self.group
        first_record = len(self.records)
        if row_type == "subtotal":
            group = self.group or _group_from_total(name)
            for index in self.open_lines:
                if self.records[index]["service_group"] is None:
                    self.records[index]["service_group"] = group
            self.group, self.open_lines = None, []
            self.subtotals_seen += 1
            self.after_total = True
        elif row_type == "total":
            group = None
            self.after_total = True
        grouped = row_type in ("line", "subtotal", "memorandum", "memo_of_which")
        for cell in cells:
            group_or_none = group if grouped else None
            self.records.append(self._record(row, cell, row_type, group_or_none, code, name))
        if row_type == "line":
            self.open_lines.extend(range(first_record, len(self.records)))

    def _row_type(
        self, label: str, forced: str | None, is_total: bool, has_values: bool, code: str | None
    ) -> str | None:
        """What a named row is; None for a row that only sets the state (the memoranda
        heading, a service-group heading)."""
        if _MEMO.match(label):
            self.in_memo, self.group = True, "Memorandum items"
            return None
        if forced:
            return forced
        if self.after_total and has_values and _MEMO_LINE.search(label):
            return "memorandum"  # reserves, financing, budget requirement: not summed
        if _UNIT_TOTAL.match(label):
            return "unit_total"
        if is_total:
            return self._classify_total(label)
        if has_values or code:
            return "memorandum" if self.in_memo else "line"
        self.group = label  # a service-group heading
        self.after_total = False
        return None

    def _repeats_total(
        self, row: Row, row_type: str, label: str, name: str, cells: list[tuple]
    ) -> bool:
        """Whether a (sub)total row repeats the total just above it (a finding; the repeat
        is not used)."""
        if row_type not in ("total", "subtotal"):
            return False
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
            return True
        self.last_total = signature
        return False

    def _record(
        self, row: Row, cell: tuple, row_type: str, group: str | None, code: str | None, name: str
    ) -> dict:
        """One tidy record (a row of :class:`~kassanalysis.schemas.BudgetLines`) for one
        value cell of a printed row."""
        measure, year, value, status, text = cell
        return {
            "authority_code": self.entry.authority,
            "authority_name": self.ref.authority_name(self.entry.authority),
            "financial_year": year,
            "period": None,
            "unit": self.entry.unit or self.entry.id,
            "service_group": group,
            "line_code": None if code in (None, "TBC") else code,
            "line_name": name,
            "row_type": row_type,
            "measure": measure,
            "value": value,
            "unit_of_measure": self.ref.measures.loc[measure, "unit_of_measure"],
            "status": status,
            "source_file": self.entry.file,
            "source_sheet": self.sheet,
            "source_line": row.line,
            "source_text": text,
        }

    def _repeats_header(self, row: Row, layout: list[Column]) -> bool:
        """The row's value cells are all header words (``Gross £m``, ``2024-25``)."""
        if self.is_header_word is None:
            return False
        cells = [row.text(i) for i, c in enumerate(layout) if c.role == "value" and row.text(i)]
        return bool(cells) and all(parse_cell(c) is None and self.is_header_word(c) for c in cells)

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
            number, cell_scale, cell_unit = split_cell_unit(text) if text else (text, None, "")
            parsed = parse_cell(number, blank_markers=self.entry.blank_markers)
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
            money = self.ref.measures.loc[col.measure, "unit_of_measure"] == "GBP thousands"
            scale = cell_scale if cell_scale is not None and money else col.scale
            if not math.isnan(value):
                value = round(value * scale, 6)
            source = f"{text} ({row.note})" if row.note and "-" in text else text
            if source and col.unit and cell_scale is None and status == "reported":
                source = f"{source} [{col.unit}]"  # the printed unit kept with the figure
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
    >>> from kassanalysis.clean.budget_header import _tiny_reference
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


__all__ = [
    "INCOME_MEASURES",
    "Column",
    "apply_income_sign",
    "measure_for_header",
    "recognise_income_sign",
    "PeriodError",
    "clean_budget_table",
    "clean_stated_figures",
    "layout_from_header",
    "parse_layout",
]
