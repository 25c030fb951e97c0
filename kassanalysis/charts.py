"""Charts for the reports: each returns its figure, a title that states the finding and alt
text that carries the same information in words.

Colours follow the Government Analysis Function's colour-blind-safe categorical palette
(dark blue #12436D, turquoise #28A197, dark pink #801650, orange #F46A25, dark grey
#3D3D3D); one council is highlighted in dark blue against light grey, and colour is never
the only carrier of meaning (values, words and line styles say it too). Text from data is
drawn as plain text (no mathtext), shortened for display only. matplotlib is imported
inside the functions, so ``import kassanalysis.charts`` stays light; figures are
:class:`matplotlib.figure.Figure` objects (no pyplot state, any backend).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

DARK_BLUE = "#12436D"
TURQUOISE = "#28A197"
DARK_PINK = "#801650"
ORANGE = "#F46A25"
DARK_GREY = "#3D3D3D"
LIGHT_GREY = "#BFBFBF"
RAG_COLOURS = {"Green": "#00703C", "Amber": "#FFDD00", "Red": "#D4351C"}
RAG_TEXT = {"Amber": "#0B0C0C"}


@dataclass(frozen=True)
class Chart:
    """A figure with its title and alt text."""

    figure: Any
    alt_text: str
    title: str


def shorten(text: object, max_chars: int = 45) -> str:
    """Plain display text: ``$`` kept literal (no mathtext), long text cut with an ellipsis.

    Examples
    --------
    >>> shorten("a" * 50, 10)
    'aaaaaaaaa…'
    >>> shorten("$x^2$")
    '$x^2$'
    """
    value = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
    value = " ".join(value.split())
    return value if len(value) <= max_chars else value[: max_chars - 1] + "…"


def _number(value: float, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no data"
    text = f"{value:,.1f}" if abs(value) < 1000 else f"{value:,.0f}"
    text = text[:-2] if text.endswith(".0") else text
    return f"{text}%" if unit.strip() == "%" else text


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100)
    axes = figure.add_subplot()
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def _plain_ticks(axis) -> None:
    """Tick labels from data are plain text: no mathtext (``$x$``) on either side."""
    for tick in axis.get_major_ticks():
        tick.label1.set_parse_math(False)
        tick.label2.set_parse_math(False)


def _source(figure, source: str | None) -> None:
    if source:
        figure.text(
            0.01,
            0.005,
            f"Source: {shorten(source, 120)}",
            fontsize=9,
            color=DARK_GREY,
            parse_math=False,
        )


def _best_first(table: pd.DataFrame, polarity: str) -> pd.DataFrame:
    ascending = polarity == "lower_is_better"
    return table.sort_values("value", ascending=ascending, na_position="last", kind="stable")


def plot_comparator(
    table: pd.DataFrame,
    *,
    indicator_name: str,
    unit: str,
    period: str,
    polarity: str,
    focus_code: str = "E10000016",
    source: str | None = None,
) -> Chart:
    """Dot chart of every council in the group, best first, the focus council highlighted,
    group median (solid) and England median (dashed) marked, 95% intervals where known.

    Examples
    --------
    >>> table = pd.DataFrame({"authority_code": ["E10000016", "E1"],
    ...     "authority_name": ["Kent", "Essex"], "value": [3.0, 2.0], "rank": [1.0, 2.0],
    ...     "group_median": 2.5, "england_median": 2.4, "lower_95": float("nan"),
    ...     "upper_95": float("nan"), "is_focus": [True, False], "suspect": False})
    >>> chart = plot_comparator(table, indicator_name="X", unit="%", period="2020-21",
    ...                         polarity="higher_is_better")
    >>> chart.title
    'Kent ranks 1 of 2 for X, 2020-21 (1 = best)'
    """
    ordered = _best_first(table, polarity)
    drawn = ordered[ordered["value"].notna()]
    missing = ordered[ordered["value"].isna()]
    focus = table[table["authority_code"] == focus_code]
    focus_name = str(focus["authority_name"].iloc[0]) if not focus.empty else focus_code
    figure, axes = _figure(8, 0.4 * max(len(drawn), 1) + 2.2)
    positions = list(range(len(drawn)))
    colours = [DARK_BLUE if code == focus_code else LIGHT_GREY for code in drawn["authority_code"]]
    lower, upper = drawn.get("lower_95"), drawn.get("upper_95")
    if lower is not None and upper is not None and lower.notna().any():
        for y, lo, hi, colour in zip(positions, lower, upper, colours, strict=True):
            if pd.notna(lo) and pd.notna(hi):
                axes.plot(
                    [lo, hi],
                    [y, y],
                    color=DARK_GREY if colour == DARK_BLUE else LIGHT_GREY,
                    linewidth=1.5,
                    zorder=1,
                )
    suspect = drawn.get("suspect", pd.Series(False, index=drawn.index)).fillna(False).astype(bool)
    axes.scatter(
        drawn["value"],
        positions,
        c=colours,
        s=60,
        zorder=2,
        marker="o",
        edgecolors=DARK_GREY,
        linewidths=0.5,
    )
    if suspect.any():
        axes.scatter(
            drawn.loc[suspect, "value"],
            [p for p, s in zip(positions, suspect, strict=True) if s],
            marker="x",
            s=90,
            color=ORANGE,
            zorder=3,
            label="suspect value (see table)",
        )
    group_median = (
        float(table["group_median"].dropna().iloc[0])
        if table["group_median"].notna().any()
        else math.nan
    )
    england_median = (
        float(table["england_median"].dropna().iloc[0])
        if table["england_median"].notna().any()
        else math.nan
    )
    if not math.isnan(group_median):
        axes.axvline(
            group_median,
            color=TURQUOISE,
            linewidth=1.5,
            label=f"group median {_number(group_median, unit)}",
        )
    if not math.isnan(england_median):
        axes.axvline(
            england_median,
            color=DARK_PINK,
            linestyle="--",
            linewidth=1.5,
            label=f"England median {_number(england_median, unit)}",
        )
    axes.set_yticks(positions)
    axes.set_yticklabels([shorten(n, 40) for n in drawn["authority_name"]])
    axes.invert_yaxis()  # best at the top
    _plain_ticks(axes.yaxis)
    for label, code in zip(axes.get_yticklabels(), drawn["authority_code"], strict=True):
        if code == focus_code:
            label.set_fontweight("bold")
    axes.set_xlabel(shorten(unit, 60), parse_math=False)
    axes.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.08 - 0.6 / figure.get_figheight()),
        ncol=3,
        fontsize=9,
        frameon=False,
    )
    rank = focus["rank"].iloc[0] if not focus.empty else math.nan
    size = int(table["value"].notna().sum())
    if pd.notna(rank):
        title = (
            f"{shorten(focus_name, 40)} ranks {int(rank)} of {size} for "
            f"{shorten(indicator_name, 60)}, {period} (1 = best)"
        )
    else:
        title = f"{shorten(indicator_name, 60)}, {period}: no figure for {focus_name}"
    axes.set_title(title, fontsize=11, loc="left", parse_math=False)
    notes = []
    if not missing.empty:
        notes.append("No data: " + ", ".join(shorten(n, 30) for n in missing["authority_name"]))
    _source(figure, "; ".join([*notes, *([source] if source else [])]) or None)
    figure.tight_layout(rect=(0, 0.03, 1, 1))
    values = "; ".join(
        f"{n} {_number(v, unit)}"
        for n, v in zip(drawn["authority_name"], drawn["value"], strict=True)
    )
    focus_value = _number(focus["value"].iloc[0], unit) if not focus.empty else "no data"
    alt = (
        f"Dot chart of {indicator_name} ({unit}) for {size} councils in {period}, best "
        f"first. {focus_name}: {focus_value}"
        f"{f', rank {int(rank)} of {size}' if pd.notna(rank) else ''}. Group median "
        f"{_number(group_median, unit)}; England median {_number(england_median, unit)}. "
        f"Values: {values}."
        + (
            f" No data for {', '.join(map(str, missing['authority_name']))}."
            if not missing.empty
            else ""
        )
    )
    return Chart(figure, alt, title)


def plot_trend(
    trend: pd.DataFrame,
    *,
    indicator_name: str,
    unit: str,
    polarity: str,
    targets: pd.DataFrame | None = None,
    spc: pd.DataFrame | None = None,
    source: str | None = None,
) -> Chart:
    """Actuals over time (gaps stay gaps) against targets, with SPC mean and limits and
    special causes marked (blue improvement, orange concern, as Making Data Count does)."""
    figure, axes = _figure(8, 4.2)
    series = trend.sort_values("period_end")
    x = pd.to_datetime(series["period_end"])
    axes.plot(x, series["actual"], color=DARK_BLUE, marker="o", linewidth=2, label="actual")
    if targets is not None and not targets.empty and targets["target"].notna().any():
        t = targets.sort_values("period_end")
        axes.step(
            pd.to_datetime(t["period_end"]),
            t["target"],
            where="post",
            color=DARK_PINK,
            linestyle="--",
            linewidth=1.5,
            label="target (phased)",
        )
    elif "target" in series and series["target"].notna().any():
        axes.plot(x, series["target"], color=DARK_PINK, linestyle="--", label="target")
    specials = []
    if spc is not None and not spc.empty:
        spc_x = x.to_numpy()[: len(spc)]
        axes.plot(spc_x, spc["mean"], color=DARK_GREY, linewidth=1, label="mean")
        axes.plot(
            spc_x,
            spc["upper_limit"],
            color=DARK_GREY,
            linewidth=1,
            linestyle=":",
            label="process limits",
        )
        axes.plot(spc_x, spc["lower_limit"], color=DARK_GREY, linewidth=1, linestyle=":")
        for kind, colour in (("improvement", DARK_BLUE), ("concern", ORANGE)):
            chosen = spc["variation"].to_numpy() == kind
            if chosen.any():
                axes.scatter(
                    spc_x[chosen],
                    spc["value"].to_numpy()[chosen],
                    s=120,
                    facecolors="none",
                    edgecolors=colour,
                    linewidths=2,
                    label=f"special cause: {kind}",
                    zorder=3,
                )
                specials.append(f"{int(chosen.sum())} point(s) of {kind}")
    axes.set_ylabel(shorten(unit, 50), parse_math=False)
    axes.legend(fontsize=9, frameon=False)
    present = series[series["actual"].notna()]
    if present.empty:
        title = f"{shorten(indicator_name, 70)}: no actuals yet"
    else:
        last = present.iloc[-1]
        direction = str(last.get("direction", "")) if "direction" in last else ""
        title = (
            f"{shorten(indicator_name, 60)}: {_number(last['actual'], unit)} in "
            f"{last['period']}"
            + (f", {direction}" if direction and direction != "not comparable" else "")
        )
    axes.set_title(title, fontsize=11, loc="left", parse_math=False)
    _source(figure, source)
    figure.tight_layout(rect=(0, 0.03, 1, 1))
    points = "; ".join(
        f"{p} {_number(v, unit)}" for p, v in zip(series["period"], series["actual"], strict=True)
    )
    alt = (
        f"Line chart of {indicator_name} ({unit}) over time: {points}."
        + (" Targets drawn as a dashed step line." if targets is not None else "")
        + (
            f" SPC limits shown; {', '.join(specials)}."
            if specials
            else (" SPC limits shown; no special cause." if spc is not None else "")
        )
    )
    return Chart(figure, alt, title)


def plot_rag_table(rag: pd.DataFrame, source: str | None = None) -> Chart:
    """The RAG dashboard as a table: each rating shown as a word on its colour."""
    rows = rag.reset_index(drop=True)
    figure, axes = _figure(9, 0.3 * max(len(rows), 1) + 0.9)
    axes.axis("off")
    cells = [
        [
            shorten(r["indicator_name"], 48),
            str(r["actual_period"]),
            _number(r["actual"], str(r.get("unit", ""))),
            _number(r["target"], str(r.get("unit", ""))),
            _number(r["floor"], str(r.get("unit", ""))),
            str(r["rag"]),
        ]
        for _, r in rows.iterrows()
    ]
    table = axes.table(
        cellText=cells or [["", "", "", "", "", ""]],
        colLabels=["Indicator", "Period", "Actual", "Target", "Floor", "Rating"],
        loc="upper left",
        cellLoc="left",
        colWidths=[0.46, 0.12, 0.1, 0.1, 0.1, 0.22],
    )
    table.auto_set_font_size(False)
    table.set_fontsize(9)
    for (row, column), cell in table.get_celld().items():
        cell.get_text().set_parse_math(False)
        cell.set_edgecolor(LIGHT_GREY)
        if row == 0:
            cell.get_text().set_fontweight("bold")
        elif column == 5:
            rating = cells[row - 1][5] if cells else ""
            cell.set_facecolor(RAG_COLOURS.get(rating, "#F3F2F1"))
            cell.get_text().set_color(
                RAG_TEXT.get(rating, "white" if rating in RAG_COLOURS else "#0B0C0C")
            )
            cell.get_text().set_fontweight("bold")
    counts = rows["rag"].value_counts()
    summary = ", ".join(f"{v} {k}" for k, v in counts.items())
    title = f"Performance against target: {summary}" if summary else "No rated indicators"
    axes.set_title(title, fontsize=11, loc="left", parse_math=False)
    _source(figure, source)
    alt = "Table of ratings. " + " ".join(
        f"{c[0]}: {c[5]} ({c[2]} against target {c[3]}, floor {c[4]}, {c[1]})." for c in cells
    )
    return Chart(figure, alt, title)


def plot_budget_variance(
    variance: pd.DataFrame,
    *,
    title_context: str,
    value_label: str = "GBP thousands",
    kind: str = "bars",
    source: str | None = None,
) -> Chart:
    """Change by line as horizontal bars sorted by size (increases turquoise, decreases
    dark pink, signed labels), or a waterfall of components (``kind="waterfall"``, columns
    label and value) ending in their total.

    Examples
    --------
    >>> parts = pd.DataFrame({"label": ["a", "b", "c"], "value": [10.0, -3.0, 5.0]})
    >>> chart = plot_budget_variance(parts, title_context="test", kind="waterfall")
    >>> [float(round(p.get_y(), 1)) for p in chart.figure.axes[0].patches][:3]  # bottoms
    [0.0, 7.0, 7.0]
    """
    if kind == "waterfall":
        return _waterfall(
            variance, title_context=title_context, value_label=value_label, source=source
        )
    rows = variance[variance["change"].notna()].sort_values("change", kind="stable")
    figure, axes = _figure(8, 0.4 * max(len(rows), 1) + 2)
    positions = range(len(rows))
    colours = [TURQUOISE if c >= 0 else DARK_PINK for c in rows["change"]]
    axes.barh(list(positions), rows["change"], color=colours)
    axes.axvline(0, color=DARK_GREY, linewidth=1)
    axes.set_yticks(list(positions))
    axes.set_yticklabels([shorten(label, 45) for label in rows["label"]])
    _plain_ticks(axes.yaxis)
    for y, change in zip(positions, rows["change"], strict=True):
        axes.text(
            change,
            y,
            f" {change:+,.1f} ",
            va="center",
            ha="left" if change >= 0 else "right",
            fontsize=9,
            parse_math=False,
        )
    axes.set_xlabel(f"Change ({value_label})", parse_math=False)
    total = rows["change"].sum()
    title = f"{shorten(title_context, 70)}: net change {total:+,.1f} ({value_label})"
    axes.set_title(title, fontsize=11, loc="left", parse_math=False)
    _source(figure, source)
    figure.tight_layout(rect=(0, 0.03, 1, 1))
    alt = (
        f"Bar chart of {title_context}, by line, largest decrease first: "
        + "; ".join(
            f"{label} {change:+,.1f}"
            for label, change in zip(rows["label"], rows["change"], strict=True)
        )
        + f". Net change {total:+,.1f} {value_label}."
    )
    return Chart(figure, alt, title)


def _waterfall(
    parts: pd.DataFrame, *, title_context: str, value_label: str, source: str | None
) -> Chart:
    figure, axes = _figure(8, 4.5)
    values = parts["value"].astype(float).tolist()
    bottoms, running = [], 0.0
    for value in values:
        bottoms.append(running if value >= 0 else running + value)
        running += value
    labels = [shorten(label, 20) for label in parts["label"]]
    axes.bar(
        range(len(values)),
        [abs(v) for v in values],
        bottom=bottoms,
        color=[TURQUOISE if v >= 0 else DARK_PINK for v in values],
    )
    axes.bar(len(values), running, color=DARK_BLUE)
    axes.set_xticks(range(len(values) + 1))
    axes.set_xticklabels([*labels, "Total"], rotation=30, ha="right")
    _plain_ticks(axes.xaxis)
    axes.set_ylabel(value_label, parse_math=False)
    title = f"{shorten(title_context, 70)}: total {running:,.1f} ({value_label})"
    axes.set_title(title, fontsize=11, loc="left", parse_math=False)
    _source(figure, source)
    figure.tight_layout(rect=(0, 0.03, 1, 1))
    alt = (
        f"Waterfall chart of {title_context}: "
        + "; ".join(
            f"{label} {value:+,.1f}" for label, value in zip(parts["label"], values, strict=True)
        )
        + f"; total {running:,.1f} {value_label}."
    )
    return Chart(figure, alt, title)


def plot_locality_share(
    localities: pd.DataFrame,
    *,
    value_column: str,
    label_column: str,
    title_context: str,
    unit: str,
    source: str | None = None,
) -> Chart:
    """Sorted horizontal bars with value labels (e.g. net cost by locality)."""
    rows = localities[localities[value_column].notna()].sort_values(value_column, kind="stable")
    figure, axes = _figure(8, 0.4 * max(len(rows), 1) + 2)
    positions = list(range(len(rows)))
    values = rows[value_column].astype(float)
    axes.barh(positions, values, color=[DARK_BLUE if v >= 0 else DARK_PINK for v in values])
    axes.axvline(0, color=DARK_GREY, linewidth=1)
    axes.set_yticks(positions)
    axes.set_yticklabels([shorten(label, 45) for label in rows[label_column]])
    _plain_ticks(axes.yaxis)
    for y, value in zip(positions, values, strict=True):
        axes.text(
            value,
            y,
            f" {value:,.1f} ",
            va="center",
            ha="left" if value >= 0 else "right",
            fontsize=9,
            parse_math=False,
        )
    axes.set_xlabel(shorten(unit, 50), parse_math=False)
    top = rows.iloc[-1] if not rows.empty else None
    title = (
        f"{shorten(title_context, 60)}: highest {shorten(top[label_column], 40)} "
        f"({top[value_column]:,.1f})"
        if top is not None
        else title_context
    )
    axes.set_title(title, fontsize=11, loc="left", parse_math=False)
    _source(figure, source)
    figure.tight_layout(rect=(0, 0.03, 1, 1))
    alt = (
        f"Bar chart of {title_context} ({unit}), smallest first: "
        + "; ".join(
            f"{label} {value:,.1f}" for label, value in zip(rows[label_column], values, strict=True)
        )
        + "."
    )
    return Chart(figure, alt, title)
