"""Budget and staffing tables, as cut out of PDF business plans, into tidy budget lines.

The reader maps each column to a measure from its header (via the aliases in
``data/reference/measures.csv``) or, where the header was lost, from the layout given in the
catalogue. Each printed row becomes a line, a service-group subtotal, a total, a unit total
or a memorandum item; each cell becomes one row of the tidy frame with its source line.
"""

# size-note: one reader for every budget table layout councils print (header vocabulary,
# units, income sign, memoranda, two years either side of the names); the row-state machine
# is shared by all of them. The header/unit detection is the next piece to move out.

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from kassanalysis import problems as pb
from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.clean.cells import (
    is_number_like,
    parse_cell,
    printed_half_unit,
    split_cell_unit,
    unit_in_header,
)
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
UNIT_WORDS = {"000", "£000", "m", "£m", "000s", "million", "k", "bn", "mn"}
_CODE = re.compile(r"\b(\d{2}[A-Z]|TBC)\b")
_YEAR = re.compile(r"\b\d{4}\s*[-/]\s*\d{1,4}\b")
_MEMO = re.compile(r"^memorandum items:?$", re.IGNORECASE)
_UNIT_TOTAL = re.compile(r"^total cost of unit$", re.IGNORECASE)
_TOTAL = re.compile(r"\btotal\b", re.IGNORECASE)
_MEMO_LINE = re.compile(
    r"\breserves?\b|capital financing|budget requirement|council tax|business rates|"
    r"financed by|funded by|\blev(y|ies)\b|contingenc|revenue support grant|collection fund",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Column:
    """What one column of a printed table holds."""

    role: str  # "label", "skip", "ignore", "value", or "overflow" (beyond the header)
    measure: str | None = None
    year: str | None = None
    scale: float = 1.0
    unit: str = ""  # the money unit as printed (or given), when it is not GBP thousands


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
            columns.append(Column("ignore"))  # the layout says so: its numbers are not read
        elif name in ref.measures.index:
            columns.append(
                _value_column(
                    ref,
                    name,
                    _year_label(year) if year else entry.financial_year,
                    entry.scale_to_thousands,
                    "" if entry.scale_to_thousands == 1 else str(entry.units_of_measure),
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
    header: list[Row],
    width: int,
    entry: CatalogueEntry,
    ref: Reference,
    problems: list[pb.Problem],
    body: list[Row] | None = None,
) -> list[Column]:
    """Work out each column's measure, year and unit from the printed header rows.

    A header names a measure through its aliases (``Gross £m``, ``Service Income``,
    ``Net Expenditure £'000``, ``Forecast``, ``Variance``, ``Cost per Resident £``...), a
    year (printed years win over the entry's) and a money unit (``£m``, ``£million``,
    ``£'000``, ``£k``, ``£``; else the entry's units). A column headed by no measure whose
    cells below are text is a label column, wherever it stands. Columns headed only by a
    unit and/or a year are read as the entry's ``default_measure`` (else ``expenditure``,
    basis not stated) when the table names no measure elsewhere, or the default is given.
    """
    joined = join_header_columns(header, width, _is_year_row)
    body = body or []
    columns: list[Column] = []
    bare_columns: list[int] = []
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
        unit = unit_in_header(text)
        scale, unit_text = unit if unit else (entry.scale_to_thousands, _given_unit(entry))
        bare = _bare_header(text)
        measure = measure_for_header(ref, bare)
        fiscal = _year_label(year) if year else entry.financial_year
        if any(h in key for h in LABEL_HEADERS):
            columns.append(Column("label"))
        elif any(h in key for h in SKIP_HEADERS):
            columns.append(Column("skip"))
        elif measure is not None:
            columns.append(_value_column(ref, measure, fiscal, scale, unit_text))
        elif key and not normalise_header(bare) and (unit or _YEAR.search(text)):
            bare_columns.append(i)  # only a unit and/or a year: decided below
            columns.append(Column("value", None, fiscal, scale, unit_text))
        elif not key or key in UNIT_WORDS:
            previous = columns[-1].role if columns else "label"
            columns.append(Column("label" if previous == "label" else "skip"))
        elif i == 0 or _is_text_column(body, i):
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
    named = any(c.role == "value" and c.measure for c in columns)
    for i in bare_columns:
        column = columns[i]
        if entry.default_measure or not named:
            measure = entry.default_measure or "expenditure"
            columns[i] = _value_column(ref, measure, column.year, column.scale, column.unit)
        elif not _YEAR.search(joined[i][0]) and not joined[i][1]:
            previous = columns[i - 1].role if i else "label"
            columns[i] = Column("label" if previous == "label" else "skip")
        else:
            problems.append(
                pb.error(
                    "unknown measure",
                    entry.file,
                    header[-1].line,
                    f"column {i + 1} header {joined[i][0]!r} names a year but no measure; "
                    "give default_measure or the layout in the catalogue",
                    subject=joined[i][0],
                )
            )
            columns[i] = Column("skip")
    return columns


def measure_for_header(ref: Reference, text: str) -> str | None:
    """The measure a header names: the longest alias (or measure name) made of whole words
    of the header, so ``Net £m`` is net expenditure but ``Cabinet Member`` is no measure.
    Words broken by the PDF conversion (``Empl oyee``) still join up.

    Examples
    --------
    >>> ref = _tiny_reference()
    >>> measure_for_header(ref, "Gross Expenditure £'000"), measure_for_header(ref, "Grossly")
    ('gross_expenditure', None)
    """
    words = [w for w in (normalise_header(t) for t in re.split(r"[^\w£%]+|_", text)) if w]
    joins = {"".join(words[a:b]) for a in range(len(words)) for b in range(a + 1, len(words) + 1)}
    best, best_len = None, 0
    for measure, aliases in ref.measure_alias_keys().items():
        for alias in aliases:
            if alias and alias in joins and len(alias) > best_len:
                best, best_len = measure, len(alias)
    return best


def _value_column(ref: Reference, measure: str, year, scale: float, unit: str) -> Column:
    """A value column; money scales apply only to measures kept in GBP thousands."""
    if ref.measures.loc[measure, "unit_of_measure"] != "GBP thousands":
        return Column("value", measure, year, 1.0, "")
    return Column("value", measure, year, scale, unit if scale != 1.0 else "")


def _given_unit(entry: CatalogueEntry) -> str:
    return "" if entry.scale_to_thousands == 1.0 else str(entry.units_of_measure)


def _bare_header(text: str) -> str:
    """Header text without its years and money unit (``2023-24 Net £m`` -> ``Net``)."""
    text = _YEAR.sub(" ", text)
    text = re.sub(
        r"\(?£\s*(bn|billion|mn|million|m|k|thousands?|'?000'?s?)?\)?(?![a-z0-9])",
        " ",
        text,
        flags=re.IGNORECASE,
    )
    text = re.sub(r"\(?\b000'?s\b\)?", " ", text, flags=re.IGNORECASE)
    return " ".join(text.split())


def _is_text_column(body: list[Row], i: int) -> bool:
    """Most non-blank cells of column ``i`` below the header are words, not numbers."""
    cells = [r.text(i) for r in body if r.text(i)]
    words = [c for c in cells if parse_cell(c) is None]
    return bool(cells) and len(words) * 2 > len(cells)


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
    fragments = split_table(lines, entry.format, _header_word(ref))
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
        if _MEMO.match(label):
            self.in_memo, self.group = True, "Memorandum items"
            return
        if forced:
            row_type = forced
        elif self.after_total and has_values and _MEMO_LINE.search(label):
            row_type = "memorandum"  # reserves, financing, budget requirement: not summed
        elif _UNIT_TOTAL.match(label):
            row_type = "unit_total"
        elif is_total:
            row_type = self._classify_total(label)
        elif has_values or code:
            row_type = "memorandum" if self.in_memo else "line"
        else:
            self.group = label  # a service-group heading
            self.after_total = False
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
            self.after_total = True
        elif row_type == "total":
            group = None
            self.after_total = True
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
                    "source_sheet": self.sheet,
                    "source_line": row.line,
                    "source_text": text,
                }
            )
        if row_type == "line":
            self.open_lines.extend(range(first_record, len(self.records)))

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


INCOME_MEASURES = ("service_income", "external_income", "internal_income", "government_grants")


def recognise_income_sign(frame: pd.DataFrame, ref: Reference) -> tuple[str, int, int]:
    """How a budget table prints income, from its own arithmetic.

    Every identity of ``data/reference/identities.csv`` that adds an income measure (net =
    gross + service income...) is tried on every printed row both ways: income as printed
    (negative convention: gross + income = net) and income negated (positive convention:
    gross - income = net). A row fits a convention when the difference is within the
    rounding of its printed figures (see :func:`~kassanalysis.clean.cells.printed_half_unit`).

    Returns
    -------
    (str, int, int)
        ``"negative"``, ``"positive"`` or ``"unknown"`` (no row can tell, or rows disagree
        equally), and the number of rows fitting only each convention.
    """
    rules = [r for r in ref.identities if any(p in INCOME_MEASURES for p in r.parts)]
    cells = frame[~frame[BudgetLines.row_type].isin(["memo_of_which", "stated"])]
    if cells.empty or not rules:
        return "unknown", 0, 0
    keys = [BudgetLines.source_line, BudgetLines.financial_year]
    value = cells.pivot_table(index=keys, columns="measure", values="value", aggfunc="first")
    half = cells.assign(
        half=[printed_half_unit(t, v) for t, v in zip(cells.source_text, cells.value, strict=True)]
    ).pivot_table(index=keys, columns="measure", values="half", aggfunc="first")
    negative = positive = 0
    for rule in rules:
        needed = [rule.result, *rule.parts]
        if not set(needed) <= set(value.columns):
            continue
        rows = value[needed].dropna()
        if rows.empty:
            continue
        slack = half.loc[rows.index, needed].sum(axis=1) + 1e-9
        signs = [(-1.0 if p in INCOME_MEASURES else 1.0) for p in rule.parts]
        as_printed = rows[list(rule.parts)].sum(axis=1)
        negated = sum(rows[p] * sign for p, sign in zip(rule.parts, signs, strict=True))
        fits_negative = (rows[rule.result] - as_printed).abs() <= slack
        fits_positive = (rows[rule.result] - negated).abs() <= slack
        negative += int((fits_negative & ~fits_positive).sum())
        positive += int((fits_positive & ~fits_negative).sum())
    if positive > negative:
        return "positive", negative, positive
    if negative > positive:
        return "negative", negative, positive
    return "unknown", negative, positive


def apply_income_sign(
    frame: pd.DataFrame, entry: CatalogueEntry, ref: Reference, problems: list[pb.Problem]
) -> pd.DataFrame:
    """Store income in one convention for every council: negative (gross + income = net).

    The convention is the entry's ``income_sign`` when given, else recognised from the
    table (:func:`recognise_income_sign`). A table printing income positive has its
    income values negated; ``source_text`` keeps the figure as printed. When the table
    cannot show its convention and prints income positive, the values are kept as printed
    and a finding asks for ``income_sign``. A declared sign the arithmetic contradicts is a
    finding too. Returns a new frame.
    """
    is_income = frame[BudgetLines.measure].isin(INCOME_MEASURES)
    if not is_income.any():
        return frame
    found, negative, positive = recognise_income_sign(frame, ref)
    declared = entry.income_sign
    sign = found if declared == "auto" else declared
    if declared != "auto" and found not in ("unknown", declared):
        problems.append(
            pb.finding(
                "income sign",
                entry.file,
                None,
                f"income_sign is {declared!r} but {max(negative, positive)} row(s) add up "
                f"only with income {found}",
            )
        )
    if sign == "unknown":
        printed = frame.loc[is_income & frame[BudgetLines.value].notna(), BudgetLines.value]
        if (printed > 0).any() and not (printed < 0).any():
            problems.append(
                pb.finding(
                    "income sign",
                    entry.file,
                    None,
                    "income is printed positive and the table cannot show whether it is "
                    "taken off (gross - income = net); kept as printed: give income_sign "
                    "(--income-sign positive or negative)",
                )
            )
        return frame
    if sign == "negative":
        return frame
    out = frame.copy()
    out.loc[is_income, BudgetLines.value] = -out.loc[is_income, BudgetLines.value]
    return out


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
