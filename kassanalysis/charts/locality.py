"""Locality charts: a measure (net cost) by locality, with each locality's share."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kassanalysis.charts.base import (
    Chart,
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
    wrap_text,
)
from kassanalysis.charts.style import (
    DARK_BLUE,
    DARK_GREY,
    FONT,
    PLAIN_TEXT,
)
from kassanalysis.formatting import format_percent

if TYPE_CHECKING:  # pragma: no cover - typing only; keeps matplotlib out of import time
    from matplotlib.axes import Axes

__all__ = ["plot_locality_share"]


def plot_locality_share(
    localities: pd.DataFrame,
    *,
    value_column: str,
    label_column: str,
    title_context: str,
    unit: str,
    source: str | None = None,
) -> Chart:
    """Sorted horizontal bars of a value per locality, largest first, with value labels.

    When every value is zero or more, each label also gives the locality's share
    of the total of the bars shown. Rows with a ``row_type`` other than ``"line"``
    (a printed total) are left out and a footnote says so; missing values are
    named in a footnote, never drawn as zero.

    Parameters
    ----------
    localities : pandas.DataFrame
        One row per locality with ``label_column`` and ``value_column``
        (e.g. the output of :func:`kassanalysis.analysis.variance.compare_localities`).
    value_column : str
        Column to plot, e.g. ``"net_cost"``.
    label_column : str
        Column with the locality names.
    title_context : str
        What the chart covers, e.g. ``"Older People, 2013-14 budget"``.
    unit : str
        Unit of the values, e.g. ``"GBP thousands"``.
    source : str, optional
        Source note printed at the bottom.

    Returns
    -------
    Chart

    Examples
    --------
    >>> localities = pd.DataFrame({"line_name": ["Ashford", "Dover"],
    ...     "net_cost": [250.0, 750.0]})
    >>> plot_locality_share(localities, value_column="net_cost", label_column="line_name",
    ...     title_context="2013-14", unit="GBP thousands").title
    '2013-14: Dover has the highest net cost (£750.0 thousand, 75.0% of the total)'
    """
    frame, notes = _prepare(localities, label_column, value_column)
    unit = plain_text(unit)
    measure = plain_text(value_column).replace("_", " ")
    context = capitalise(plain_text(title_context))
    total = float(frame["value"].sum())
    with_share = bool(len(frame)) and bool((frame["value"] >= 0).all()) and total > 0
    shares = frame["value"] / total * 100 if with_share else pd.Series(np.nan, frame.index)

    if frame.empty:
        title = f"{context}: no {measure} to show"
    else:
        top = frame.iloc[0]
        detail = with_unit(top["value"], unit)
        if with_share:
            detail += f", {format_percent(shares.iloc[0])} of the total"
        title = f"{context}: {short_label(top['label'], 30)} has the highest {measure} ({detail})"

    figure, axes = new_figure(bar_height(len(frame), note_lines(notes, source)))
    _draw_bars(axes, frame, shares if with_share else None, unit, measure)
    set_title(figure, title)
    set_notes(figure, notes, source)

    listing = "; ".join(
        f"{row.label} {with_unit(row.value, unit)}"
        + (f" ({format_percent(share)})" if with_share else "")
        for row, share in zip(frame.itertuples(), shares, strict=True)
    )
    sentences = [f"Bar chart of {unit_title(measure, unit)} by locality, {context}, largest first."]
    if listing:
        sentences.append(f"{listing}.")
        sentences.append(f"Total {with_unit(total, unit)}.")
    sentences.extend(notes)
    return finish_chart(figure, title, sentences, source)


def _prepare(
    localities: pd.DataFrame, label_column: str, value_column: str
) -> tuple[pd.DataFrame, list[str]]:
    """Locality lines with a value, largest first; footnotes for totals and gaps."""
    require_columns(localities, [label_column, value_column], "localities")
    frame = pd.DataFrame(
        {
            "label": localities[label_column].map(plain_text).to_numpy(),
            "value": to_float(localities[value_column]),
        }
    )
    notes = []
    if "row_type" in localities:
        keep = (localities["row_type"] == "line").to_numpy()
        if (~keep).any():
            notes.append(
                "Total rows not shown: "
                + join_names([short_label(x) for x in frame.loc[~keep, "label"]])
                + "."
            )
        frame = frame[keep]
    missing = frame.loc[~np.isfinite(frame["value"]), "label"].tolist()
    if missing:
        notes.append("No data: " + join_names([short_label(m) for m in missing]) + ".")
    frame = (
        frame[np.isfinite(frame["value"])]
        .sort_values(["value", "label"], ascending=[False, True], kind="mergesort")
        .reset_index(drop=True)
    )
    return frame, notes


def _draw_bars(
    axes: Axes, frame: pd.DataFrame, shares: pd.Series | None, unit: str, measure: str
) -> None:
    """One bar per locality, labelled with its value (and share), the axis titled."""
    positions = np.arange(len(frame))
    axes.barh(positions, frame["value"], height=0.7, color=DARK_BLUE)
    if len(frame) and frame["value"].min() < 0:
        axes.axvline(0, color="black", linewidth=1)
    category_labels(axes, [short_label(label) for label in frame["label"]])
    for row in frame.itertuples():
        text = number_text(row.value, unit)
        if shares is not None:
            text += f" ({format_percent(shares.loc[row.Index])})"
        draw_value_label(axes, row.value, row.Index, text, left=row.value < 0)
    if len(frame):
        room_for_labels(axes, float(frame["value"].min()), float(frame["value"].max()))
    number_axis(axes.xaxis)
    axes.set_xlabel(
        wrap_text(short_label(unit_title(measure.capitalize(), unit), 140), 70), **axis_label()
    )
    subtitle = "Largest (top) to smallest."
    if shares is not None:
        subtitle += " Labels give each locality's share of the total shown."
    legend_title = axes.set_title(subtitle, loc="left", fontsize=FONT, **PLAIN_TEXT)
    legend_title.set_color(DARK_GREY)
