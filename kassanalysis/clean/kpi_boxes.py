"""The KPI box layout of a council's quarterly performance report, found in extracted text.

Kent's quarterly performance report (and others made the same way) prints each key
performance indicator as a box: the indicator's name, wrapped over lines, with the
published RAG word (``GREEN``, ``AMBER``, ``RED``) fused onto the end of the first name line,
at its start, or on a line of its own before or after the name; then one line of figures::

    Percentage of people who have their contact resolved by ASCH but then GREEN
    make contact again within 3 months
    Latest: 4% Target: 5%, Floor: 9% Previous: 6% (Amber)

and sometimes a note under the box ("reported on a 12-month rolling basis and one Quarter
in arrears"). ``Floor`` is printed with or without a colon. Page furniture left by the PDF
text extractor (``===== PAGE 56 =====``, ``Appendix 1``, a bare page number) is skipped.

This module only finds the boxes and splits them into their printed parts; turning them
into observations (periods, units, indicator ids) is
:func:`kassanalysis.clean.kpi_quarterly.clean_kpi_boxes`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

RAG_WORDS = ("Green", "Amber", "Red")

_RAG = r"GREEN|AMBER|RED"
FIGURES = re.compile(
    r"^\s*Latest:?\s*(?P<latest>\S+)"
    r"(?:\s+Target:?\s*(?P<target>[^\s,]+),?)?"
    r"(?:\s+Floor:?\s*(?P<floor>[^\s,]+),?)?"
    r"(?:\s+Previous:?\s*(?P<previous>[^\s(]+)(?:\s*\(\s*(?P<previous_rag>Green|Amber|Red)\s*\))?)?"
    r"\s*$",
    re.IGNORECASE,
)
_RAG_ALONE = re.compile(rf"^\s*({_RAG})\s*$", re.IGNORECASE)
_RAG_AT_END = re.compile(rf"^(?P<name>.*\S)\s+(?P<rag>{_RAG})\s*$")  # printed in capitals
_RAG_AT_START = re.compile(rf"^\s*(?P<rag>{_RAG})\s+(?P<name>\S.*)$")
_FURNITURE = re.compile(
    r"^\s*(?:=+\s*PAGE\s+\d+\s*=+|Appendix\s+[\w.]+|Page\s+\d+(?:\s+of\s+\d+)?|\d{1,4})?\s*$",
    re.IGNORECASE,
)
_ARREARS = re.compile(r"\b(?P<n>one|a|two|three|\d)\s+quarters?\s+in\s+arrears\b", re.IGNORECASE)
_ROLLING = re.compile(r"\b(?P<n>\d{1,2})\s*-?\s*months?\s+rolling\b", re.IGNORECASE)
_NUMBER_WORDS = {"a": 1, "one": 1, "two": 2, "three": 3}


@dataclass(frozen=True)
class KpiBox:
    """One KPI box as printed.

    ``name`` is the name lines joined (the RAG word removed); ``rag`` the published RAG of
    the latest figure, title case, or ``None`` when none is printed; ``figures`` maps
    ``latest``, ``target``, ``floor``, ``previous`` to the printed cell (absent when not
    printed) and ``previous_rag`` to the RAG printed in brackets; ``note`` is the text
    printed under the box; ``line`` is the figures line (1-based), ``name_line`` the first
    name line, ``rag_line`` the line with the RAG word (``None`` when none is printed).
    """

    name: str
    rag: str | None
    figures: dict[str, str]
    note: str
    line: int
    name_line: int
    text: str
    rag_line: int | None = None

    @property
    def quarters_in_arrears(self) -> int | None:
        """Quarters in arrears stated in the note (``one Quarter in arrears`` -> 1)."""
        match = _ARREARS.search(self.note)
        if not match:
            return None
        n = match["n"].lower()
        return _NUMBER_WORDS.get(n, int(n) if n.isdigit() else 1)

    @property
    def rolling_months(self) -> int | None:
        """Length of a rolling period stated in the note (``12-month rolling`` -> 12)."""
        match = _ROLLING.search(self.note)
        return int(match["n"]) if match else None


def is_furniture(line: str) -> bool:
    """A blank line or what the PDF extractor leaves between pages.

    Examples
    --------
    >>> [is_furniture(t) for t in ("===== PAGE 56 =====", "Appendix 1", "55", "Direct Payments")]
    [True, True, True, False]
    """
    return bool(_FURNITURE.match(line))


def has_kpi_boxes(lines: list[str]) -> bool:
    """Whether a text holds the KPI box layout (at least one ``Latest: ... Target: ...``
    figures line).

    Examples
    --------
    >>> has_kpi_boxes(["Direct Payments AMBER", "Latest: 26% Target: 30%, Floor: 24%"])
    True
    >>> has_kpi_boxes(["| PAF C72 | 73 | 72 |"])
    False
    """
    return any(_is_figures(line) for line in lines)


def _is_figures(line: str) -> bool:
    match = FIGURES.match(line)
    return bool(match and (match["target"] or match["floor"] or match["previous"]))


def _join(lines: list[str]) -> str:
    """Join wrapped lines: a line ending in a hyphen ("12-") runs on without a space."""
    text = ""
    for line in (s.strip() for s in lines):
        if not line:
            continue
        text = f"{text}{line}" if text.endswith("-") or not text else f"{text} {line}"
    return text


def _rag_of(line: str) -> tuple[str, str, str] | None:
    """(where, RAG word in title case, the rest of the line) when ``line`` carries a RAG
    word: alone, or in capitals at its end or start; ``None`` otherwise."""
    alone = _RAG_ALONE.match(line)
    if alone:
        return "alone", alone[1].title(), ""
    for where, pattern in (("end", _RAG_AT_END), ("start", _RAG_AT_START)):
        match = pattern.match(line)
        if match:
            return where, match["rag"].title(), match["name"]
    return None


def find_kpi_boxes(
    lines: list[str], is_known_name: Callable[[str], bool] = lambda name: False
) -> list[KpiBox]:
    """Every KPI box in a text, in order.

    Parameters
    ----------
    lines : list of str
        The text, one item per line (line numbers in the result count from 1).
    is_known_name : callable, optional
        Says whether a joined name is a known indicator. Used only where the layout leaves
        the first name line unmarked (the RAG word printed after the name, or not at all):
        the longest run of lines above the figures that names a known indicator is taken;
        failing that, the lines after the last full stop.

    Returns
    -------
    list of KpiBox

    Examples
    --------
    >>> boxes = find_kpi_boxes([
    ...     "Narrative ends here.",
    ...     "Proportion of people receiving a long-term community service who receive AMBER",
    ...     "Direct Payments",
    ...     "Latest: 26% Target: 30%, Floor: 24% Previous: 26% (Amber)",
    ...     "RED",
    ...     "Proportion of new Care Needs Assessments delivered within 28 days",
    ...     "Latest: 74% Target: 85%, Floor 75% Previous: 75% (Amber)",
    ... ])
    >>> [(b.name.split()[-1], b.rag, b.figures["floor"], b.line) for b in boxes]
    [('Payments', 'Amber', '24%', 4), ('days', 'Red', '75%', 7)]
    """
    figure_lines = [i for i, line in enumerate(lines) if _is_figures(line)]
    boxes: list[KpiBox] = []
    starts: list[int] = []  # index of each box's first name (or RAG) line
    previous_end = 0
    parts: list[tuple[int, str, str | None, int, int | None]] = []
    for f in figure_lines:
        segment = [i for i in range(previous_end, f) if not is_furniture(lines[i])]
        name_idx, rag, start, rag_idx = _locate_name(lines, segment, is_known_name)
        name = _join([_strip_rag(lines[i]) for i in name_idx])
        parts.append((f, name, rag, name_idx[0] if name_idx else f, rag_idx))
        starts.append(start)
        previous_end = f + 1
    for k, (f, name, rag, name_line, rag_idx) in enumerate(parts):
        note_end = starts[k + 1] if k + 1 < len(parts) else len(lines)
        note = _join([lines[i] for i in range(f + 1, note_end) if not is_furniture(lines[i])])
        match = FIGURES.match(lines[f])
        figures = {k2: v for k2, v in match.groupdict().items() if v}
        if "previous_rag" in figures:
            figures["previous_rag"] = figures["previous_rag"].title()
        boxes.append(
            KpiBox(
                name=name,
                rag=rag,
                figures=figures,
                note=note,
                line=f + 1,
                name_line=name_line + 1,
                text=lines[f].strip(),
                rag_line=None if rag_idx is None else rag_idx + 1,
            )
        )
    return boxes


def _strip_rag(line: str) -> str:
    found = _rag_of(line)
    return line if found is None else found[2]


def _locate_name(
    lines: list[str], segment: list[int], is_known_name: Callable[[str], bool]
) -> tuple[list[int], str | None, int, int | None]:
    """The name lines of the box whose figures follow ``segment`` (indexes of the non-blank
    lines since the previous box), its published RAG, the index where the box starts and
    the index of the RAG word's line."""
    anchor = next((j for j in range(len(segment) - 1, -1, -1) if _rag_of(lines[segment[j]])), None)
    if anchor is not None:
        at = segment[anchor]
        kind, word, _ = _rag_of(lines[at])
        after = segment[anchor + 1 :]
        if kind != "alone":
            return segment[anchor:], word, at, at
        if after:  # RAG on its own line before the name
            return after, word, at, at
        above = _name_above(lines, segment[:anchor], is_known_name)  # RAG after the name
        return above, word, above[0] if above else at, at
    above = _name_above(lines, segment, is_known_name)
    return above, None, above[0] if above else (segment[-1] if segment else 0), None


def _name_above(
    lines: list[str], candidates: list[int], is_known_name: Callable[[str], bool]
) -> list[int]:
    """Name lines ending just above a box whose first name line is not marked."""
    for first in range(len(candidates)):
        if is_known_name(_join([lines[i] for i in candidates[first:]])):
            return candidates[first:]
    stop = max((j for j, i in enumerate(candidates) if lines[i].rstrip().endswith(".")), default=-1)
    return candidates[stop + 1 :]


__all__ = ["FIGURES", "RAG_WORDS", "KpiBox", "find_kpi_boxes", "has_kpi_boxes", "is_furniture"]
