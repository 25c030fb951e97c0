"""Comparator charts: one indicator across a comparator group, the focus council highlighted."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kassanalysis.analysis.stats import check_polarity, rank_by_polarity
from kassanalysis.charts.base import (
    Chart,
    add_legend,
    axis_label,
    bar_height,
    category_labels,
    draw_value_label,
    finish_chart,
    first_value,
    join_names,
    new_figure,
    note_lines,
    number_axis,
    number_text,
    ordinal,
    plain_text,
    polarity_words,
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
    CONTEXT_GREY,
    DARK_GREY,
    HIGHLIGHT_COLOUR,
    TURQUOISE,
)

if TYPE_CHECKING:  # pragma: no cover - typing only; keeps matplotlib out of import time
    from matplotlib.axes import Axes

# size-note: the public plot function runs past 80 lines only because of its NumPy
# docstring (every column, parameter and a doctest); its body is under 45 lines, with the
# title, drawing and alt text in the small functions below it.
__all__ = ["plot_comparator"]


def plot_comparator(
    table: pd.DataFrame,
    *,
    indicator_name: str,
    unit: str,
    period: str,
    polarity: str,
    focus_code: str = "E10000016",
    group_label: str = "comparator councils",
    source: str | None = None,
) -> Chart:
    """Focus bar chart of one indicator across a comparator group, best first.

    Bars are sorted best to worst for the indicator's polarity (largest first
    when it has none). The focus council's bar is dark blue with a bold label; the
    others are grey ``#BFBFBF``. The group median is a solid line and the England
    median a dashed one, both named with their values in the legend; 95%
    confidence intervals are drawn as error bars where both limits are present.
    Suspect values are hatched and labelled "(suspect)"; councils with no value
    are not drawn (never as zero) and are listed in a "No data" footnote.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per council: ``authority_code``, ``authority_name``, ``value``,
        and optionally ``rank`` (1 = best), ``group_median``, ``england_median``,
        ``lower_95``, ``upper_95`` (may be all NaN), ``is_focus`` (bool) and
        ``suspect`` (bool).
    indicator_name : str
        Indicator name for the title and axis label.
    unit : str
        Unit of ``value``, e.g. ``"%"`` or ``"per 100,000 aged 65+"``.
    period : str
        Period the values refer to, e.g. ``"2023-24"``.
    polarity : {"higher_is_better", "lower_is_better", "no_polarity"}
        Which direction is better; sets the sort order and the rank wording.
    focus_code : str, default "E10000016"
        ONS code of the council to highlight (Kent). Rows flagged ``is_focus``
        are highlighted too; at most one council may be the focus.
    group_label : str, default "comparator councils"
        How to name the group in the title, e.g. ``"similar councils"``.
    source : str, optional
        Source note printed at the bottom, e.g. ``"Source: Oflog ASC_data.csv"``.

    Returns
    -------
    Chart

    Raises
    ------
    ValueError
        If a required column is missing, ``polarity`` is unknown or more than one
        council is the focus.

    Examples
    --------
    >>> table = pd.DataFrame({
    ...     "authority_code": ["E10000016", "E10000002", "E10000003"],
    ...     "authority_name": ["Kent", "Buckinghamshire", "Cambridgeshire"],
    ...     "value": [30.0, 35.5, float("nan")], "rank": [2.0, 1.0, float("nan")],
    ...     "group_median": 32.75, "england_median": 28.0})
    >>> chart = plot_comparator(table, indicator_name="Direct payments", unit="%",
    ...     period="2023-24", polarity="higher_is_better")
    >>> chart.title
    'Kent is 2nd of 2 comparator councils for Direct payments (rank 1 = best)'
    >>> "No data: Cambridgeshire" in chart.alt_text
    True
    """
    data = _prepare(
        table,
        polarity=check_polarity(polarity),
        focus_code=focus_code,
        indicator=plain_text(indicator_name),
        unit=plain_text(unit),
        period=plain_text(period),
        group_label=plain_text(group_label),
    )
    title = _title(data)
    notes = _notes(data)
    figure, axes = new_figure(bar_height(len(data.present), note_lines(notes, source)))
    _draw_bars(axes, data)
    handles, labels = _reference_lines(axes, data)
    _draw_labels(axes, data)
    add_legend(axes, handles, labels, f"{data.period}. {_order(data.polarity)}")
    set_title(figure, title)
    set_notes(figure, notes, source)
    return finish_chart(figure, title, _alt_text(data), source)


@dataclass(frozen=True)
class _Comparison:
    """What every part of a comparator chart needs: councils with values (sorted best
    first), the names without one, the focus council and the medians."""

    frame: pd.DataFrame
    present: pd.DataFrame
    missing_names: list[str]
    focus_name: str
    polarity: str
    indicator: str
    unit: str
    period: str
    group_label: str
    group_median: float
    england_median: float

    @property
    def focus_present(self) -> pd.DataFrame:
        return self.present[self.present["focus"]]

    @property
    def suspect_names(self) -> list[str]:
        return self.present.loc[self.present["suspect"], "name"].tolist()

    @property
    def has_ci(self) -> bool:
        present = self.present
        return bool((np.isfinite(present["lower_95"]) & np.isfinite(present["upper_95"])).any())


def _prepare(table: pd.DataFrame, *, polarity: str, focus_code: str, **text: str) -> _Comparison:
    """The table as clean text and floats, sorted best first, with ranks filled in."""
    require_columns(table, ["authority_code", "authority_name", "value"], "table")
    frame = pd.DataFrame(
        {
            "code": table["authority_code"].map(plain_text).to_numpy(),
            "name": table["authority_name"].map(plain_text).to_numpy(),
            "value": to_float(table["value"]),
        }
    )
    for column in ("rank", "lower_95", "upper_95"):
        frame[column] = to_float(table[column]) if column in table else np.nan
    for column in ("is_focus", "suspect"):
        flags = table[column] if column in table else pd.Series(False, index=table.index)
        frame[column] = flags.fillna(False).astype(bool).to_numpy()
    frame["focus"] = (frame["code"] == plain_text(focus_code)) | frame["is_focus"]
    if frame["focus"].sum() > 1:
        raise ValueError(
            "more than one council is the focus: "
            f"{join_names(frame.loc[frame['focus'], 'name'].tolist())}"
        )
    present = frame[np.isfinite(frame["value"])].copy()
    ascending = polarity == "lower_is_better"
    present = present.sort_values(
        ["value", "name"], ascending=[ascending, True], kind="mergesort"
    ).reset_index(drop=True)
    if polarity != "no_polarity" and present["rank"].isna().any():
        # Fall back to ranking here (ties share the best rank) when ranks were not supplied.
        present["rank"] = present["rank"].fillna(rank_by_polarity(present["value"], polarity))
    focus_rows = frame[frame["focus"]]
    return _Comparison(
        frame=frame,
        present=present,
        missing_names=frame.loc[~np.isfinite(frame["value"]), "name"].tolist(),
        focus_name=focus_rows["name"].iloc[0] if not focus_rows.empty else "",
        polarity=polarity,
        group_median=first_value(table["group_median"]) if "group_median" in table else math.nan,
        england_median=(
            first_value(table["england_median"]) if "england_median" in table else math.nan
        ),
        **text,
    )


def _order(polarity: str) -> str:
    if polarity == "no_polarity":
        return "Sorted largest (top) to smallest."
    return f"Sorted best (top) to worst; {polarity_words(polarity)}."


def _title(data: _Comparison) -> str:
    """The finding: the focus council's rank, or its value against the median."""
    n_ranked, focus_present = len(data.present), data.focus_present
    median_text = with_unit(data.group_median, data.unit)
    focus, indicator, group = short_label(data.focus_name), data.indicator, data.group_label
    if not focus_present.empty and data.polarity != "no_polarity":
        rank = int(focus_present["rank"].iloc[0])
        joint = int((data.present["rank"] == rank).sum()) > 1
        return (
            f"{focus} is {'joint ' if joint else ''}{ordinal(rank)} of "
            f"{n_ranked} {group} for {indicator} (rank 1 = best)"
        )
    if not focus_present.empty:
        value = focus_present["value"].iloc[0]
        value_text = with_unit(value, data.unit)
        if not math.isfinite(data.group_median):
            return f"{focus}'s {indicator} is {value_text} ({n_ranked} {group})"
        median = data.group_median
        relation = "above" if value > median else "below" if value < median else "equal to"
        return (
            f"{focus}'s {indicator} is {value_text}, {relation} the median of "
            f"{n_ranked} {group} ({median_text})"
        )
    if data.focus_name:
        return f"No {data.period} data for {focus} on {indicator}"
    return f"{indicator}: {n_ranked} {group}, median {median_text}"


def _notes(data: _Comparison) -> list[str]:
    notes = []
    if data.suspect_names:
        notes.append(
            "Suspect values (hatched, labelled 'suspect'; check before quoting): "
            + join_names([short_label(name) for name in data.suspect_names])
            + "."
        )
    if data.missing_names:
        names = join_names([short_label(name) for name in data.missing_names])
        notes.append(f"No data: {names}.")
    if data.has_ci:
        notes.append("Black lines on bars show 95% confidence intervals.")
    return notes


def _draw_bars(axes: Axes, data: _Comparison) -> None:
    """Focus bar dark blue, the others grey; suspect bars hatched; 95% intervals."""
    present = data.present
    positions = np.arange(len(present))
    colours = [HIGHLIGHT_COLOUR if focus else CONTEXT_GREY for focus in present["focus"]]
    bars = axes.barh(positions, present["value"], height=0.7, color=colours)
    for bar, suspect in zip(bars.patches, present["suspect"], strict=True):
        if suspect:
            bar.set_hatch("//")
            bar.set_edgecolor(DARK_GREY)
            bar.set_linewidth(0)
    if data.has_ci:
        lower, upper, value = (present[c].to_numpy() for c in ("lower_95", "upper_95", "value"))
        shown = np.isfinite(lower) & np.isfinite(upper)
        errors = np.clip(np.vstack([value - lower, upper - value])[:, shown], 0, None)
        axes.errorbar(
            value[shown],
            positions[shown],
            xerr=errors,
            fmt="none",
            ecolor="black",
            elinewidth=1,
            capsize=3,
        )
    if present["value"].min() < 0 < present["value"].max():
        axes.axvline(0, color="black", linewidth=0.8)


def _reference_lines(axes: Axes, data: _Comparison) -> tuple[list, list[str]]:
    """Median lines, and the legend entries for everything the chart draws."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list = []
    labels: list[str] = []
    if math.isfinite(data.group_median):
        text = f"Group median ({with_unit(data.group_median, data.unit)})"
        handles.append(axes.axvline(data.group_median, color=DARK_GREY, linewidth=1.5, label=text))
        labels.append(text)
    if math.isfinite(data.england_median):
        text = f"England median ({with_unit(data.england_median, data.unit)})"
        handles.append(
            axes.axvline(
                data.england_median, color=TURQUOISE, linewidth=1.5, linestyle="--", label=text
            )
        )
        labels.append(text)
    if data.focus_name and not data.focus_present.empty:
        handles += [Patch(facecolor=HIGHLIGHT_COLOUR), Patch(facecolor=CONTEXT_GREY)]
        labels += [short_label(data.focus_name, 30), "Other councils"]
    if data.has_ci:
        handles.append(Line2D([], [], color="black", linewidth=1, marker="|", markersize=8))
        labels.append("95% confidence interval")
    if data.suspect_names:
        handles.append(Patch(facecolor=CONTEXT_GREY, hatch="//", edgecolor=DARK_GREY, linewidth=0))
        labels.append("Suspect value")
    return handles, labels


def _draw_labels(axes: Axes, data: _Comparison) -> None:
    """Council names left of the bars, values at their ends, the axis title with its unit."""
    present = data.present
    category_labels(
        axes,
        [short_label(name) for name in present["name"]],
        bold=present["focus"].tolist(),
        colours=[HIGHLIGHT_COLOUR if f else "black" for f in present["focus"]],
    )
    for row in present.itertuples():
        end_high = max(row.value, row.upper_95) if math.isfinite(row.upper_95) else row.value
        end_low = min(row.value, row.lower_95) if math.isfinite(row.lower_95) else row.value
        text = number_text(row.value, data.unit)
        if row.suspect:
            text += " (suspect)"
        if row.value < 0:
            draw_value_label(axes, end_low, row.Index, text, left=True)
        else:
            draw_value_label(axes, end_high, row.Index, text, left=False)
    extent = np.concatenate(
        [
            present["value"],
            present["lower_95"],
            present["upper_95"],
            [data.group_median, data.england_median],
        ]
    )
    extent = extent[np.isfinite(extent)]
    if extent.size:
        room_for_labels(axes, float(extent.min()), float(extent.max()))
    number_axis(axes.xaxis)
    axes.set_xlabel(
        wrap_text(short_label(unit_title(data.indicator, data.unit), 140), 70), **axis_label()
    )


def _alt_text(data: _Comparison) -> list[str]:
    """The chart in sentences: what it shows, the focus council, medians, every value."""
    unit, n_ranked = data.unit, len(data.present)
    sentences = [
        f"Bar chart of {unit_title(data.indicator, unit)} for {len(data.frame)} "
        f"{data.group_label}, {data.period}. {_order(data.polarity)}"
    ]
    if not data.focus_present.empty:
        row = data.focus_present.iloc[0]
        text = f"{data.focus_name} (highlighted): {with_unit(row['value'], unit)}"
        if data.polarity != "no_polarity":
            text += f", ranked {int(row['rank'])} of {n_ranked} (rank 1 = best)"
        if math.isfinite(row["lower_95"]) and math.isfinite(row["upper_95"]):
            text += (
                f", 95% confidence interval {number_text(row['lower_95'], unit)} to "
                f"{number_text(row['upper_95'], unit)}"
            )
        sentences.append(text + ".")
    elif data.focus_name:
        sentences.append(f"{data.focus_name} (highlighted council) has no data for {data.period}.")
    if math.isfinite(data.group_median):
        sentences.append(f"Group median {with_unit(data.group_median, unit)}.")
    if math.isfinite(data.england_median):
        sentences.append(f"England median {with_unit(data.england_median, unit)}.")
    if n_ranked:
        listing = "; ".join(
            f"{row.name} {with_unit(row.value, unit)}" + (" (suspect)" if row.suspect else "")
            for row in data.present.itertuples()
        )
        sentences.append(f"All values, in order: {listing}.")
    if data.suspect_names:
        sentences.append(f"Suspect values: {join_names(data.suspect_names)}.")
    if data.missing_names:
        sentences.append(f"No data: {join_names(data.missing_names)}.")
    return sentences
