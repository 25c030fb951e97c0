"""The RAG dashboard drawn as a table: actual, target, floor and status in words and colour."""

from __future__ import annotations

import math
import textwrap
from typing import TYPE_CHECKING, Any

import pandas as pd

from kassanalysis.charts.base import (
    Chart,
    capitalise,
    finish_chart,
    new_figure,
    note_lines,
    number_text,
    plain_text,
    require_columns,
    set_notes,
    set_title,
    short_label,
    to_float,
    unit_title,
    with_unit,
    wrap_text,
)
from kassanalysis.charts.style import (
    CONTEXT_GREY,
    DARK_GREY,
    FONT,
    PLAIN_TEXT,
    RAG_COLOURS,
    RAG_TEXT_COLOURS,
    TITLE_WRAP,
)
from kassanalysis.formatting import parse_unit
from kassanalysis.text import truncate_for_display

if TYPE_CHECKING:  # pragma: no cover - typing only; keeps matplotlib out of import time
    from matplotlib.axes import Axes

__all__ = ["plot_rag_table"]


_RAG_COLUMNS = (  # header, left edge, right edge (fractions of the width), alignment
    ("Indicator", 0.00, 0.40, "left"),
    ("Period", 0.41, 0.52, "left"),
    ("Actual", 0.52, 0.62, "right"),
    ("Target", 0.62, 0.72, "right"),
    ("Floor", 0.72, 0.82, "right"),
    ("RAG status", 0.84, 1.00, "center"),
)
_LINE_HEIGHT = 0.22  # inches per text line in the table
_ROW_PADDING = 0.16


def plot_rag_table(
    rag: pd.DataFrame, *, title_context: str | None = None, source: str | None = None
) -> Chart:
    """Table of indicators with their RAG status shown as a word on a coloured patch.

    Status colours are GOV.UK-style green ``#00703C`` and red ``#D4351C`` (white
    text) and amber ``#FFDD00`` (black text); any other status ("No target",
    "Below target (no floor set)", "No data") is grey with black text. The word
    is always shown, so the table reads the same without colour.

    Parameters
    ----------
    rag : pandas.DataFrame
        One row per indicator: ``indicator_name``, ``actual_period``, ``actual``,
        ``target``, ``floor``, ``rag`` and ``unit``.
    title_context : str, optional
        What the table covers, e.g. ``"Older People, December 2013"``; starts the title.
    source : str, optional
        Source note printed at the bottom.

    Returns
    -------
    Chart

    Examples
    --------
    >>> rag = pd.DataFrame({"indicator_name": ["Reablement", "Delayed transfers"],
    ...     "actual_period": "2013-14 Q3", "actual": [82.0, 9.5], "target": [80.0, 8.0],
    ...     "floor": [75.0, 9.0], "rag": ["Green", "Red"], "unit": ["%", "per 100,000"]})
    >>> plot_rag_table(rag).title
    '1 of 2 indicators met target (Green); 0 Amber, 1 Red'
    """
    require_columns(
        rag, ["indicator_name", "actual_period", "actual", "target", "floor", "rag", "unit"], "rag"
    )
    rows = _rows(rag)
    title = _title(rows, title_context)
    notes = [
        "Green = target met or exceeded; Amber = below target but at or above the floor "
        "(minimum standard); Red = below the floor. 'Below' and 'above' follow each "
        "indicator's polarity. '-' = not set or not available."
    ]
    heights = [
        len(max(r["name_lines"], r["status_lines"], key=len)) * _LINE_HEIGHT + _ROW_PADDING
        for r in rows
    ]
    table_height = _LINE_HEIGHT + _ROW_PADDING + sum(heights)
    title_lines = len(wrap_text(title, TITLE_WRAP).split("\n"))
    figure, axes = new_figure(
        table_height + 0.35 * title_lines + 0.5 + 0.2 * note_lines(notes, source), width=10
    )
    axes.set_axis_off()
    axes.set_xlim(0, 1)
    axes.set_ylim(table_height, 0)
    _draw_table(axes, rows, heights)
    set_title(figure, title)
    set_notes(figure, notes, source)

    sentences = [f"Table of {len(rows)} performance indicators with their RAG status. {title}."]
    for row in rows:
        actual, target, floor = (
            with_unit(v, row["unit"]) if math.isfinite(v) else "not set" for v in row["values"]
        )
        if not math.isfinite(row["values"][0]):
            actual = "no data"
        sentences.append(
            f"{row['name']}: actual {actual} in {row['period'] or 'no period'}; "
            f"target {target}; floor {floor}; status {row['status']}."
        )
    return finish_chart(figure, title, sentences, source)


def _rows(rag: pd.DataFrame) -> list[dict]:
    """Each indicator as clean text and floats, its name and status wrapped to fit."""
    rows = []
    for record in rag.itertuples(index=False):
        unit = plain_text(record.unit)
        status = plain_text(record.rag) or "No data"
        name = plain_text(record.indicator_name)
        rows.append(
            {
                "name": name,
                "unit": unit,
                "period": plain_text(record.actual_period),
                "values": [to_float([v])[0] for v in (record.actual, record.target, record.floor)],
                "status": status,
                "name_lines": textwrap.wrap(
                    # percentages carry their % on every figure; other units are named
                    truncate_for_display(
                        name if parse_unit(unit).kind == "percent" else unit_title(name, unit),
                        120,
                    ),
                    width=44,
                    max_lines=3,
                    placeholder="\u2026",
                )
                or [""],
                "status_lines": textwrap.wrap(
                    truncate_for_display(status, 40), width=15, max_lines=3, placeholder="\u2026"
                )
                or [""],
            }
        )
    return rows


def _title(rows: list[dict], title_context: str | None) -> str:
    """The finding: how many met target, and how many are Amber and Red."""
    counts = {key: sum(row["status"] == key for row in rows) for key in RAG_COLOURS}
    other = len(rows) - sum(counts.values())
    title = (
        f"{counts['Green']} of {len(rows)} indicators met target (Green); "
        f"{counts['Amber']} Amber, {counts['Red']} Red"
    )
    if other:
        title += f", {other} with no target, floor or data"
    if title_context:
        title = f"{capitalise(plain_text(title_context))}: {title}"
    return title


def _draw_table(axes: Axes, rows: list[dict], heights: list[float]) -> None:
    """Header, then one row per indicator with the status cell in its colour and words."""
    from matplotlib.patches import Rectangle

    def cell(text: str, column: int, top: float, height: float, **kwargs: Any) -> None:
        _header, left, right, align = _RAG_COLUMNS[column]
        x = {"left": left + 0.005, "right": right - 0.005, "center": (left + right) / 2}[align]
        axes.text(
            x,
            top + height / 2,
            text,
            ha=align,
            va="center",
            fontsize=FONT,
            linespacing=1.3,
            **kwargs,
            **PLAIN_TEXT,
        )

    header_height = _LINE_HEIGHT + _ROW_PADDING
    for column, (header, *_rest) in enumerate(_RAG_COLUMNS):
        cell(header, column, 0, header_height, fontweight="bold")
    axes.axhline(header_height, color=DARK_GREY, linewidth=1)
    top = header_height
    for row, height in zip(rows, heights, strict=True):
        cell("\n".join(row["name_lines"]), 0, top, height)
        cell(short_label(row["period"], 14), 1, top, height)
        for column, value in enumerate(row["values"], start=2):
            text = number_text(value, row["unit"]) if math.isfinite(value) else "-"
            cell(text, column, top, height)
        _header, left, right, _align = _RAG_COLUMNS[5]
        colour = RAG_COLOURS.get(row["status"], CONTEXT_GREY)
        axes.add_patch(
            Rectangle(
                (left, top + 0.05), right - left, height - 0.10, facecolor=colour, edgecolor="none"
            )
        )
        cell(
            "\n".join(row["status_lines"]),
            5,
            top,
            height,
            fontweight="bold",
            color=RAG_TEXT_COLOURS.get(row["status"], "black"),
        )
        top += height
        axes.axhline(top, color=CONTEXT_GREY, linewidth=0.5)
