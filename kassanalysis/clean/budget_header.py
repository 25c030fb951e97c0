"""The vocabulary of budget table headers: which column holds a line's name, which a
measure (through the aliases in ``data/reference/measures.csv``), for which financial year
and in which money unit (``£m``, ``£'000``, ``£k``...), from the printed header rows or from
the layout given in the catalogue. Used by :mod:`kassanalysis.clean.budget`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from kassanalysis import problems as pb
from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.clean.cells import parse_cell, unit_in_header
from kassanalysis.clean.grid import Row, join_header_columns, normalise_header
from kassanalysis.periods import format_financial_year, parse_financial_year
from kassanalysis.reference import Reference

LABEL_HEADERS = {"activitybudgetline", "budgetline", "divisionalunit", "costcentre"}
SKIP_HEADERS = {"cabinetmember", "responsiblemanager", "accountableofficer", "manager"}
UNIT_WORDS = {"000", "£000", "m", "£m", "000s", "million", "k", "bn", "mn"}
_YEAR = re.compile(r"\b\d{4}\s*[-/]\s*\d{1,4}\b")


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


def is_header_word_for(ref: Reference) -> Callable[[str], bool]:
    """A test for header vocabulary: years, measure names and aliases, label and unit words.

    Examples
    --------
    >>> is_header_word = is_header_word_for(_tiny_reference())
    >>> [is_header_word(c) for c in ("Gross Expenditure £m", "2024-25", "Residential care")]
    [True, True, False]
    """
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
