"""Budget charts: change by budget line (variance) and the make-up of a total (waterfall)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kassanalysis.charts.base import (
    Chart,
    add_legend,
    axis_label,
    bar_height,
    capitalise,
    category_labels,
    draw_value_label,
    finish_chart,
    join_names,
    new_figure,
    note_lines,
    number_axis,
    number_text,
    plain_text,
    require_columns,
    room_for_labels,
    set_notes,
    set_title,
    short_label,
    to_float,
    unit_title,
    with_unit,
)
from kassanalysis.charts.style import CONCERN_COLOUR, DARK_BLUE, DARK_GREY, ORANGE
from kassanalysis.formatting import unit_header

if TYPE_CHECKING:  # pragma: no cover - typing only; keeps matplotlib out of import time
    from matplotlib.axes import Axes

# size-note: the public plot function runs past 80 lines only because of its NumPy
# docstring (every column, parameter and a doctest); its body is under 45 lines, with the
# title, drawing and alt text in the small functions below it.
__all__ = ["plot_budget_variance"]


def plot_budget_variance(
    variance: pd.DataFrame,
    *,
    title_context: str,
    value_label: str = "GBP thousands",
    kind: str = "change",
    framing: str = "change",
    total_label: str = "Total",
    row_types: Sequence[str] = ("line",),
    source: str | None = None,
) -> Chart:
    """Budget change by line (diverging bars), or a waterfall of components to a total.

    ``kind="change"`` draws one bar per line for ``change`` (``to_value -
    from_value``), sorted from the largest increase (top) to the largest decrease,
    increases dark blue and decreases orange, each with a signed label such as
    ``+1,234.5`` and a zero line. ``kind="waterfall"`` draws ``value`` components
    one under another, each starting where the previous ended, then the total
    (dark grey) from zero; labels are signed for components.

    Parameters
    ----------
    variance : pandas.DataFrame
        For ``"change"``: ``label``, ``from_value``, ``to_value``, ``change`` and
        optionally ``row_type``. For ``"waterfall"``: ``label`` and ``value``
        (components that sum to the total).
    title_context : str
        What is compared, e.g. ``"Older Persons, 2007-08 to 2008-09"``; starts the title.
    value_label : str, default "GBP thousands"
        Unit of the values, for the axis label.
    kind : {"change", "waterfall"}, default "change"
        Chart type.
    framing : {"change", "forecast"}, default "change"
        For ``"change"``: how a rise reads. ``"forecast"`` (forecast outturn against
        budget) names a rise a forecast overspend and draws it in the concern colour
        (orange), a fall an underspend in dark blue, as a finance reader expects;
        ``"change"`` names them increase (dark blue) and decrease (orange).
    total_label : str, default "Total"
        Label of the waterfall's total bar.
    row_types : sequence of str, default ("line",)
        For ``"change"`` with a ``row_type`` column: the row types to draw.
        Subtotals and totals would double count, so by default only lines are
        drawn and a footnote says so.
    source : str, optional
        Source note printed at the bottom.

    Returns
    -------
    Chart

    Examples
    --------
    >>> variance = pd.DataFrame({"label": ["Day care", "Home care"],
    ...     "from_value": [100.0, 50.0], "to_value": [90.0, 80.5]})
    >>> variance["change"] = variance["to_value"] - variance["from_value"]
    >>> plot_budget_variance(variance, title_context="OP").title
    'OP: biggest increase Home care +£30.5; biggest decrease Day care -£10.0 (£000)'
    >>> plot_budget_variance(variance, title_context="OP", framing="forecast").title
    'OP: biggest overspend Home care +£30.5; biggest underspend Day care -£10.0 (£000)'
    >>> parts = pd.DataFrame({"label": ["Employees", "Income", "Contracts"],
    ...     "value": [10.0, -3.0, 5.0]})
    >>> plot_budget_variance(parts, title_context="Unit", kind="waterfall").title
    'Unit: Total £12.0 thousand; biggest component Employees +£10.0'
    """
    if kind == "waterfall":
        return _plot_waterfall(
            variance,
            title_context=title_context,
            value_label=value_label,
            total_label=total_label,
            source=source,
        )
    if kind != "change":
        raise ValueError(f"kind must be 'change' or 'waterfall'; got {kind!r}")
    if framing not in _FRAMINGS:
        raise ValueError(f"framing must be one of {sorted(_FRAMINGS)}; got {framing!r}")
    words = _FRAMINGS[framing]
    frame, notes, lines_only = _prepare_changes(variance, row_types)
    unit = plain_text(value_label)
    context = capitalise(plain_text(title_context))
    title, parts = _change_title(frame, context, unit, lines_only, words)
    figure, axes = new_figure(bar_height(len(frame), note_lines(notes, source)))
    _draw_changes(axes, frame, unit, words)
    set_title(figure, title)
    set_notes(figure, notes, source)
    sentences = [
        f"Bar chart of the change in each budget line ({unit_header(unit)}), {context}, sorted "
        f"from largest {words.rise} to largest {words.fall}."
    ]
    if parts:
        sentences.append(parts[0][0].upper() + "; ".join(parts)[1:] + ".")
    listing = "; ".join(
        f"{row.label} {number_text(row.change, unit, sign=True)} (from "
        f"{number_text(row.from_value, unit)} to {number_text(row.to_value, unit)})"
        for row in frame.itertuples()
    )
    if listing:
        sentences.append(f"Changes: {listing}.")
    sentences.extend(plain_text(note) for note in notes)
    return finish_chart(figure, title, sentences, source)


@dataclass(frozen=True)
class _Framing:
    """How a rise and a fall are named and coloured."""

    rise: str
    fall: str
    rise_colour: str
    fall_colour: str


_FRAMINGS = {
    "change": _Framing("increase", "decrease", DARK_BLUE, ORANGE),
    "forecast": _Framing("overspend", "underspend", CONCERN_COLOUR, DARK_BLUE),
}


def _prepare_changes(
    variance: pd.DataFrame, row_types: Sequence[str]
) -> tuple[pd.DataFrame, list[str], bool]:
    """Lines with a change, largest rise first; footnotes for rows left out."""
    require_columns(variance, ["label", "from_value", "to_value", "change"], "variance")
    frame = pd.DataFrame(
        {
            "label": variance["label"].map(plain_text).to_numpy(),
            "from_value": to_float(variance["from_value"]),
            "to_value": to_float(variance["to_value"]),
            "change": to_float(variance["change"]),
        }
    )
    notes = []
    lines_only = "row_type" in variance
    if lines_only:
        keep = variance["row_type"].isin(list(row_types)).to_numpy()
        if (~keep).any():
            notes.append(f"{int((~keep).sum())} subtotal/total rows not shown.")
        frame = frame[keep]
    missing = frame.loc[~np.isfinite(frame["change"]), "label"].tolist()
    if missing:
        notes.append(
            "No change shown (a value is missing): "
            + join_names([short_label(m) for m in missing])
            + "."
        )
    frame = (
        frame[np.isfinite(frame["change"])]
        .sort_values(["change", "label"], ascending=[False, True], kind="mergesort")
        .reset_index(drop=True)
    )
    return frame, notes, lines_only


def _change_title(
    frame: pd.DataFrame, context: str, unit: str, lines_only: bool, words: _Framing
) -> tuple[str, list[str]]:
    """The finding: net change, the biggest rise and the biggest fall."""
    if frame.empty:
        return f"{context}: no changes to show", []
    parts = []
    if lines_only:
        parts.append(f"net change {number_text(frame['change'].sum(), unit, sign=True)}")
    top, bottom = frame.iloc[0], frame.iloc[-1]
    if top["change"] > 0:
        parts.append(
            f"biggest {words.rise} {short_label(top['label'], 30)} "
            f"{number_text(top['change'], unit, sign=True)}"
        )
    if bottom["change"] < 0:
        parts.append(
            f"biggest {words.fall} {short_label(bottom['label'], 30)} "
            f"{number_text(bottom['change'], unit, sign=True)}"
        )
    if not parts:
        return f"{context}: no change on any line", parts
    return f"{context}: {'; '.join(parts)} ({unit_header(unit)})", parts


def _draw_changes(axes: Axes, frame: pd.DataFrame, unit: str, words: _Framing) -> None:
    """Diverging bars from a zero line, signed labels, legend in words."""
    from matplotlib.patches import Patch

    positions = np.arange(len(frame))
    colours = [words.rise_colour if c > 0 else words.fall_colour for c in frame["change"]]
    axes.barh(positions, frame["change"], height=0.7, color=colours)
    axes.axvline(0, color="black", linewidth=1)
    category_labels(axes, [short_label(label) for label in frame["label"]])
    for row in frame.itertuples():
        draw_value_label(
            axes,
            row.change,
            row.Index,
            number_text(row.change, unit, sign=True),
            left=row.change < 0,
        )
    if len(frame):
        room_for_labels(axes, float(frame["change"].min()), float(frame["change"].max()))
    number_axis(axes.xaxis)
    axes.set_xlabel(unit_title("Change", unit), **axis_label())
    add_legend(
        axes,
        [Patch(facecolor=words.rise_colour), Patch(facecolor=words.fall_colour)],
        [words.rise.capitalize(), words.fall.capitalize()],
        f"Sorted from largest {words.rise} (top) to largest {words.fall}.",
    )


def _plot_waterfall(
    frame_in: pd.DataFrame,
    *,
    title_context: str,
    value_label: str,
    total_label: str,
    source: str | None,
) -> Chart:
    require_columns(frame_in, ["label", "value"], "variance")
    frame = pd.DataFrame(
        {
            "label": frame_in["label"].map(plain_text).to_numpy(),
            "value": to_float(frame_in["value"]),
        }
    )
    notes = []
    missing = frame.loc[~np.isfinite(frame["value"]), "label"].tolist()
    if missing:
        notes.append(
            "Not included (value missing): " + join_names([short_label(m) for m in missing]) + "."
        )
    frame = frame[np.isfinite(frame["value"])].reset_index(drop=True)
    total = float(frame["value"].sum()) if len(frame) else 0.0
    unit = plain_text(value_label)
    context = capitalise(plain_text(title_context))
    total_name = plain_text(total_label)

    title = f"{context}: {short_label(total_name, 30)} {with_unit(total, unit)}"
    if len(frame):
        biggest = frame.loc[frame["value"].abs().idxmax()]
        title += (
            f"; biggest component {short_label(biggest['label'], 30)} "
            f"{number_text(biggest['value'], unit, sign=True)}"
        )
    figure, axes = new_figure(bar_height(len(frame) + 1, note_lines(notes, source)))
    _draw_waterfall(axes, frame, unit, total_name)
    set_title(figure, title)
    set_notes(figure, notes, source)

    listing = "; ".join(
        f"{row.label} {number_text(row.value, unit, sign=True)}" for row in frame.itertuples()
    )
    sentences = [
        f"Waterfall chart ({unit_header(unit)}), {context}: {len(frame)} components add up to "
        f"{total_name} {number_text(total, unit)}."
    ]
    if listing:
        sentences.append(f"Components in order: {listing}.")
    sentences.extend(notes)
    return finish_chart(figure, title, sentences, source)


def _draw_waterfall(axes: Axes, frame: pd.DataFrame, unit: str, total_name: str) -> None:
    """Components one under another, each from where the previous ended; then the total."""
    from matplotlib.patches import Patch

    ends = frame["value"].cumsum().to_numpy()
    starts = ends - frame["value"].to_numpy()
    total = float(ends[-1]) if len(ends) else 0.0
    n_bars = len(frame) + 1
    lefts = np.append(np.minimum(starts, ends), min(0.0, total))
    widths = np.append(np.abs(frame["value"].to_numpy()), abs(total))
    colours = [DARK_BLUE if v >= 0 else ORANGE for v in frame["value"]] + [DARK_GREY]
    axes.barh(np.arange(n_bars), widths, left=lefts, height=0.7, color=colours)
    for position, end in enumerate(ends):  # connectors: where the next bar starts
        axes.plot(
            [end, end],
            [position + 0.35, position + 0.65],
            color=DARK_GREY,
            linewidth=0.8,
            linestyle=":",
        )
    axes.axvline(0, color="black", linewidth=1)
    category_labels(
        axes,
        [short_label(label) for label in frame["label"]] + [short_label(total_name)],
        bold=[False] * len(frame) + [True],
    )
    for position, row in enumerate(frame.itertuples()):
        text = number_text(row.value, unit, sign=True)
        if row.value < 0:
            draw_value_label(axes, lefts[position], position, text, left=True)
        else:
            draw_value_label(axes, lefts[position] + widths[position], position, text, left=False)
    draw_value_label(axes, total, n_bars - 1, number_text(total, unit), left=total < 0)
    room_for_labels(axes, float(lefts.min()), float((lefts + widths).max()))
    number_axis(axes.xaxis)
    axes.set_xlabel(unit_header(unit), **axis_label())
    add_legend(
        axes,
        [Patch(facecolor=DARK_BLUE), Patch(facecolor=ORANGE), Patch(facecolor=DARK_GREY)],
        ["Adds to the total", "Takes away from the total", short_label(total_name, 30)],
        "Each bar starts where the one above ended.",
    )
