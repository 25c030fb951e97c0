"""Text tables as PDF conversions print them, turned into rows of cells with line numbers.

Two layouts arrive: markdown-style pipe tables (``| a | b |``), cut into fragments by page
breaks, and tab-separated text. This module knows nothing about budgets or indicators: it
tokenises, finds where each fragment's header ends, joins header text per column, rejoins
cells split across lines and labels wrapped over several lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from kassanalysis.clean.cells import is_number_like
from kassanalysis.vocabulary import normalise_header as normalise_header

_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-*:?\s*)*\|?\s*$")
_TAGS = re.compile(r"</?(u|i|b|p|strong|em)>", re.IGNORECASE)


@dataclass(frozen=True)
class Row:
    """One printed row: its cells and the 1-based line it starts on in the raw file."""

    line: int
    cells: tuple[str, ...]
    note: str = ""  # e.g. how a split cell was rejoined

    def is_blank(self) -> bool:
        return not any(self.cells)

    def text(self, i: int) -> str:
        return self.cells[i] if i < len(self.cells) else ""


def clean_cell(text: str) -> str:
    """Strip the mark-up and spacing that conversions leave in a cell.

    Examples
    --------
    >>> clean_cell(" <u>Memorandum Items:</u> ")
    'Memorandum Items:'
    """
    return " ".join(_TAGS.sub("", text).split())


def split_pipe_fragments(lines: list[str]) -> list[list[Row]]:
    """Split the lines of a file into pipe-table fragments.

    A fragment is a run of consecutive lines starting with ``|``; separator lines
    (``|---|---|``) are dropped; anything else (a blank line, prose) ends the fragment.

    Examples
    --------
    >>> frags = split_pipe_fragments(["| a | b |", "|---|---|", "| 1 | 2 |", "", "| 3 | 4 |"])
    >>> [[r.cells for r in f] for f in frags]
    [[('a', 'b'), ('1', '2')], [('3', '4')]]
    >>> frags[1][0].line
    5
    """
    fragments: list[list[Row]] = []
    current: list[Row] = []
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped.startswith("|"):
            if _SEPARATOR.match(stripped):
                continue
            body = stripped[1:-1] if stripped.endswith("|") and len(stripped) > 1 else stripped[1:]
            current.append(Row(number, tuple(clean_cell(c) for c in body.split("|"))))
        elif current:
            fragments.append(current)
            current = []
    if current:
        fragments.append(current)
    return fragments


def split_tab_rows(lines: list[str]) -> list[list[Row]]:
    """Read tab-separated lines as one fragment (blank lines are dropped).

    Examples
    --------
    >>> [r.cells for r in split_tab_rows(["a\\tb", "", "1\\t2\\t"])[0]]
    [('a', 'b'), ('1', '2', '')]
    """
    rows = [
        Row(number, tuple(clean_cell(c) for c in line.rstrip("\n").split("\t")))
        for number, line in enumerate(lines, start=1)
        if line.strip()
    ]
    return [rows] if rows else []


def rejoin_split_cells(rows: list[Row]) -> list[Row]:
    """Rejoin numbers split across two lines: a lone ``-`` with the digits on the next row.

    The continuation row must hold nothing but numbers, each under a lone ``-``.

    Examples
    --------
    >>> rows = [Row(1, ("47J", "-", "322.0")), Row(2, ("", "121.8", ""))]
    >>> [r.cells for r in rejoin_split_cells(rows)]
    [('47J', '-121.8', '322.0')]
    """
    out: list[Row] = []
    for row in rows:
        previous = out[-1] if out else None
        filled = [i for i, c in enumerate(row.cells) if c]
        if (
            previous is not None
            and filled
            and all(is_number_like(row.cells[i]) for i in filled)
            and all(previous.text(i).strip() == "-" for i in filled)
        ):
            cells = list(previous.cells)
            for i in filled:
                cells[i] = "-" + row.cells[i].lstrip("-")
            note = f"negative number split over lines {previous.line}-{row.line}"
            out[-1] = replace(previous, cells=tuple(cells), note=note)
            continue
        out.append(row)
    return out


def find_header_end(rows: list[Row], is_header_word: Callable[[str], bool]) -> int:
    """Number of leading rows that form the header.

    The header ends at the last row, before the first row holding a number, in which some
    cell is header vocabulary (a measure, a year, a unit such as ``£'000``).

    Examples
    --------
    >>> vocab = lambda t: t.lower() in {"2008-09", "gross", "£'000"}
    >>> rows = [Row(1, ("", "2008-09")), Row(2, ("", "Gross")), Row(3, ("Care", "")),
    ...         Row(4, ("41A", "1.0"))]
    >>> find_header_end(rows, vocab)
    2
    """
    end = 0
    for i, row in enumerate(rows):
        if any(is_number_like(c) for c in row.cells if c):
            break
        if any(is_header_word(c) for c in row.cells if c):
            end = i + 1
    return end


def join_header_columns(
    header: list[Row], width: int, is_year_row: Callable[[Row], bool]
) -> list[tuple[str, str]]:
    """Join header text down each column; return ``(text, year_text)`` per column.

    A row that holds only financial years (``2007-08 | | 2008-09``) spans the columns to its
    right, so its years are carried forward across blank cells.

    Examples
    --------
    >>> is_year = lambda r: all(c in ("", "2007-08", "2008-09") for c in r.cells)
    >>> hdr = [Row(1, ("2007-08", "", "2008-09")), Row(2, ("Controllable", "FTE", "Gross"))]
    >>> join_header_columns(hdr, 3, is_year)
    [('Controllable', '2007-08'), ('FTE', '2007-08'), ('Gross', '2008-09')]
    """
    texts = [[] for _ in range(width)]
    years = [""] * width
    for row in header:
        if is_year_row(row):
            carried = ""
            for i in range(width):
                carried = row.text(i) or carried
                years[i] = carried
            continue
        for i in range(width):
            if row.text(i):
                texts[i].append(row.text(i))
    return [(" ".join(t), y) for t, y in zip(texts, years, strict=True)]


def join_wrapped_labels(rows: list[Row], layout: list, mode: str | None) -> list[Row]:
    """Rejoin names printed over several lines (tab tables): a row with text only in the
    label columns (``layout`` items with ``role == "label"``) continues the row above
    (``mode`` ``"after"``) or starts the row below (``"before"``); any other mode leaves
    the rows as they are.

    Examples
    --------
    >>> from types import SimpleNamespace as Col
    >>> layout = [Col(role="label"), Col(role="value")]
    >>> rows = [Row(3, ("Older people in", "")), Row(4, ("residential care", "245"))]
    >>> [r.cells for r in join_wrapped_labels(rows, layout, "before")]
    [('Older people in residential care', '245')]
    """
    label_cols = [i for i, c in enumerate(layout) if c.role == "label"]
    value_cols = [i for i, c in enumerate(layout) if c.role != "label"]

    def label_only(row: Row) -> bool:
        return any(row.text(i) for i in label_cols) and not any(row.text(i) for i in value_cols)

    if mode not in ("after", "before") or not label_cols:
        return rows
    out: list[Row] = []
    pending: list[Row] = []
    for row in rows:
        if (
            mode == "after"
            and label_only(row)
            and out
            and not label_only(out[-1])
            and (out[-1].text(label_cols[0]))
        ):
            cells = list(out[-1].cells)
            first = label_cols[0]
            cells[first] = f"{cells[first]} {row.text(first)}".strip()
            out[-1] = Row(out[-1].line, tuple(cells), out[-1].note)
        elif mode == "before" and label_only(row):
            pending.append(row)
        else:
            if pending:
                first = label_cols[0]
                cells = list(row.cells)
                cells[first] = " ".join([*(p.text(first) for p in pending), row.text(first)])
                row = Row(pending[0].line, tuple(cells), row.note)
                pending = []
            out.append(row)
    return out + pending
