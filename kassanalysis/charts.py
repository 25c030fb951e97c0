"""Accessible charts for performance packs: comparators, trends, RAG tables and budgets.

Every function takes a tidy frame and returns a :class:`Chart`: a matplotlib
``Figure`` plus a plain-English ``alt_text`` (WCAG 1.1.1: a text alternative
carrying the same information, key numbers included) and a ``title`` that states
the finding, ready for an HTML report's heading and ``<img alt=...>``.

Design rules followed throughout
--------------------------------
* **No import cost, no global state.** matplotlib is imported only inside the
  functions, so ``import kassanalysis.charts`` stays cheap. Figures are built
  with :class:`matplotlib.figure.Figure` directly: no pyplot, no GUI backend, no
  figure registry to leak or close, the same result under any ``MPLBACKEND``.
* **Government Analysis Function colours** ("Data visualisation: colours in
  charts"): the categorical palette below; a focus chart highlights one bar in
  dark blue and shows the others in grey ``#BFBFBF``, with a text label.
* **Colour never carries meaning alone.** The focus council's label is bold,
  suspect values are hatched *and* labelled "(suspect)", lines differ in dash
  pattern and are named in a legend, special-cause points differ in marker
  shape, RAG cells show the word, and variance labels carry their sign.
* **Text from data is untrusted and literal.** Council, line and locality names
  are cleaned of control characters, shortened with an ellipsis for display only
  (alt text keeps the full name) and drawn with ``parse_math=False`` and
  ``usetex=False``, so ``$x^2$`` shows as typed and ``<script>`` is just text.
  ``alt_text`` and ``title`` are plain text: let the report template escape them
  (Jinja2 autoescape); never paste them into HTML with an f-string.
* **Missing is missing.** A NaN is never drawn as zero: comparator councils with
  no value are named in a footnote, gaps in a trend stay gaps.
* Output is deterministic: no randomness; :meth:`Chart.to_svg` fixes
  ``svg.hashsalt`` and drops the date from the metadata.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kassanalysis.analysis.stats import check_polarity, rank_by_polarity
from kassanalysis.formatting import (
    format_number,
    format_percent,
    format_value,
    is_missing,
    unit_header,
)
from kassanalysis.publish.safe_text import clean_control_characters, truncate_for_display

if TYPE_CHECKING:  # pragma: no cover - typing only; keeps matplotlib out of import time
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "CATEGORICAL_PALETTE",
    "CONTEXT_GREY",
    "HIGHLIGHT_COLOUR",
    "RAG_COLOURS",
    "Chart",
    "plot_budget_variance",
    "plot_comparator",
    "plot_locality_share",
    "plot_rag_table",
    "plot_trend",
]

# Government Analysis Function categorical palette, in the order it is meant to be used.
DARK_BLUE = "#12436D"
TURQUOISE = "#28A197"
DARK_PINK = "#801650"
ORANGE = "#F46A25"
DARK_GREY = "#3D3D3D"
LIGHT_PURPLE = "#A285D1"
CATEGORICAL_PALETTE: tuple[str, ...] = (
    DARK_BLUE,
    TURQUOISE,
    DARK_PINK,
    ORANGE,
    DARK_GREY,
    LIGHT_PURPLE,
)
"""Analysis Function categorical palette (dark blue, turquoise, dark pink, orange,
dark grey, light purple)."""

HIGHLIGHT_COLOUR = DARK_BLUE
"""Focus-chart highlight (Analysis Function focus palette)."""
CONTEXT_GREY = "#BFBFBF"
"""Focus-chart grey for everything that is not highlighted."""
_MID_GREY = "#757575"  # actuals line on SPC charts (4.6:1 against white)

RAG_COLOURS: dict[str, str] = {"Green": "#00703C", "Amber": "#FFDD00", "Red": "#D4351C"}
"""GOV.UK-style status colours; any other status is drawn grey (``CONTEXT_GREY``)."""
_RAG_TEXT_COLOURS = {"Green": "white", "Amber": "black", "Red": "white"}

# Special-cause styling, after NHS England "Making Data Count": blue improvement, orange
# concern, purple neither; each with its own marker shape so colour is not needed.
_VARIATION_STYLE = {
    "improvement": (DARK_BLUE, "s", "Special cause: improvement"),
    "concern": (ORANGE, "D", "Special cause: concern"),
    "neither": (LIGHT_PURPLE, "^", "Special cause: neither improvement nor concern"),
}

_PERCENT_UNITS = {"%", "percent", "per cent", "percentage", "percentage points"}

_FONT = 10  # minimum text size everywhere
_TITLE_FONT = 13
_DPI = 100
_WIDTH = 8.0
_LABEL_CHARS = 40  # longest category label shown on a chart before the ellipsis
_TITLE_WRAP = 72
_NOTE_WRAP = 95
# Fonts named in SVG text: the one the layout is measured in, then narrower ones a reader
# is likely to have (Windows, Linux, macOS).
_SVG_FONTS = ["DejaVu Sans", "Arial", "Liberation Sans", "Helvetica", "sans-serif"]
# Every Text made from data goes through these: literal text, never mathtext or TeX.
_PLAIN = {"parse_math": False, "usetex": False}


@dataclass(frozen=True)
class Chart:
    """A finished chart with its text alternative.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
        The chart. Not registered with pyplot, so nothing needs closing.
    alt_text : str
        Plain-English description of what the chart shows, with the key numbers,
        for ``<img alt=...>`` (escape it in the template like any other text).
    title : str
        The finding the chart shows, one line, plain text.
    """

    figure: Figure
    alt_text: str
    title: str

    def to_png(self) -> bytes:
        """Render the chart as PNG bytes (100 dpi).

        Returns
        -------
        bytes
            The PNG image.
        """
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=_DPI, facecolor="white")
        return buffer.getvalue()

    def to_svg(self, *, text_as_paths: bool = True) -> str:
        """Render the chart as SVG text, identical for identical input (on a figure's
        first rendering: constrained layout may move things slightly on a second).

        The hash salt for element ids is fixed; no creation date or software version is
        written.

        Parameters
        ----------
        text_as_paths : bool
            Draw text as outlines, so the picture is the same without any font (the
            default). ``False`` keeps text as text: about a fifth of the size, quicker to
            draw and sharp at any zoom. The layout is measured in DejaVu Sans and the
            reader's browser falls back to Arial, Liberation Sans or Helvetica, all
            narrower, so labels still fit.

        Returns
        -------
        str
            The SVG document.
        """
        import matplotlib

        settings = {
            "svg.hashsalt": "kassanalysis",
            "svg.fonttype": "path" if text_as_paths else "none",
            "font.sans-serif": _SVG_FONTS,
        }
        buffer = io.BytesIO()
        with matplotlib.rc_context(settings):
            self.figure.savefig(
                buffer, format="svg", metadata={"Date": None, "Creator": None}, facecolor="white"
            )
        return buffer.getvalue().decode("utf-8")

    def _repr_png_(self) -> bytes:  # notebook display
        return self.to_png()


# --------------------------------------------------------------------------- helpers


def _require_columns(frame: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{name} is missing column(s) {missing}; it has {list(frame.columns)}")


def _plain_text(value: object) -> str:
    """Data text as one clean line (control characters removed, whitespace collapsed)."""
    if is_missing(value):
        return ""
    return " ".join(clean_control_characters(str(value)).split())


def _label(value: object, max_chars: int = _LABEL_CHARS) -> str:
    """Data text for display on a chart: one clean line, shortened with an ellipsis."""
    return truncate_for_display(_plain_text(value), max_chars)


def _to_float(values: Any) -> np.ndarray:
    return pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(float)


def _number(value: float, unit: str | None = None, *, sign: bool = False) -> str:
    """A figure as a label shows it, by the one formatting module (``%`` and ``£`` kept)."""
    return format_number(value, unit, sign=sign)


def _with_unit(value: float, unit: str, *, sign: bool = False) -> str:
    """A figure with its unit in words, for titles and alt text."""
    return format_value(value, unit, sign=sign)


def _unit_title(text: str, unit: str) -> str:
    """``"Direct payments (%)"``, ``"Change (£000)"``: an axis or row title with its unit."""
    header = unit_header(unit)
    return f"{text} ({header})" if header else text


def _ordinal(number: int) -> str:
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def _capitalise(text: str) -> str:
    """First letter upper case, the rest as given (``"net cost 2013-14"`` -> ``"Net ..."``)."""
    return text[:1].upper() + text[1:]


def _join_names(names: Sequence[str]) -> str:
    return ", ".join(names)


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.fill(part, width) if part else "" for part in text.split("\n"))


def _new_figure(height: float, width: float = _WIDTH) -> tuple[Figure, Axes]:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=_DPI, layout="constrained", facecolor="white")
    axes = figure.subplots()
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=_FONT)
    return figure, axes


def _bar_height(n_rows: int, n_note_lines: int) -> float:
    return 0.45 * max(n_rows, 1) + 2 + 0.18 * n_note_lines


def _set_title(figure: Figure, title: str) -> None:
    figure.suptitle(
        _wrap(title, _TITLE_WRAP),
        x=0.01,
        ha="left",
        fontsize=_TITLE_FONT,
        fontweight="bold",
        **_PLAIN,
    )


def _set_notes(figure: Figure, notes: Sequence[str], source: str | None) -> None:
    """Footnotes and the source line at the bottom left (laid out by constrained layout)."""
    lines = [note for note in notes if note]
    if source:
        lines.append(_plain_text(source))
    if lines:
        figure.supxlabel(
            _wrap("\n".join(lines), _NOTE_WRAP),
            x=0.01,
            ha="left",
            fontsize=_FONT,
            color=DARK_GREY,
            **_PLAIN,
        )


def _note_lines(notes: Sequence[str], source: str | None) -> int:
    lines = [note for note in notes if note] + ([source] if source else [])
    return sum(len(_wrap(line, _NOTE_WRAP).split("\n")) for line in lines)


def _add_legend(axes: Axes, handles: list, labels: list[str], subtitle: str) -> None:
    """Legend above the plot, with the subtitle as its left-aligned title."""
    legend = axes.legend(
        handles,
        labels,
        loc="lower left",
        bbox_to_anchor=(0, 1.02),
        ncols=2 if len(handles) > 2 else max(len(handles), 1),
        frameon=False,
        title=_wrap(subtitle, 90),
        alignment="left",
        borderaxespad=0,
        fontsize=_FONT,
        title_fontsize=_FONT,
    )
    for text in [*legend.get_texts(), legend.get_title()]:
        text.set_parse_math(False)
        text.set_usetex(False)


def _axis_label() -> dict:
    return {"fontsize": _FONT, **_PLAIN}


def _number_axis(axis: Any) -> None:
    """Tick labels with thousands separators and no spurious decimals."""
    from matplotlib.ticker import FuncFormatter

    def format_tick(value: float, _position: int) -> str:
        if value == 0:
            return "0"
        size = abs(value)
        decimals = 0 if size >= 10 or value == round(value) else 1 if size >= 1 else 2
        text = f"{value:,.{decimals}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text

    axis.set_major_formatter(FuncFormatter(format_tick))


def _category_labels(
    axes: Axes,
    labels: Sequence[str],
    *,
    bold: Sequence[bool] | None = None,
    colours: Sequence[str] | None = None,
) -> None:
    """Draw row labels left of a horizontal bar chart as literal Text objects.

    Tick labels are avoided for data text because matplotlib may create tick Text
    objects lazily, after any per-object ``parse_math=False`` was set.
    """
    axes.set_yticks(range(len(labels)))
    axes.tick_params(axis="y", left=False, labelleft=False)
    transform = axes.get_yaxis_transform()
    for position, label in enumerate(labels):
        axes.text(
            -0.01,
            position,
            label,
            transform=transform,
            ha="right",
            va="center",
            fontsize=_FONT,
            fontweight="bold" if bold is not None and bold[position] else "normal",
            color=colours[position] if colours is not None else "black",
            **_PLAIN,
        )
    axes.set_ylim(max(len(labels), 1) - 0.5, -0.5)  # first row at the top


def _value_label(axes: Axes, x: float, y: float, text: str, *, left: bool) -> None:
    axes.annotate(
        text,
        xy=(x, y),
        xytext=(-4 if left else 4, 0),
        textcoords="offset points",
        ha="right" if left else "left",
        va="center",
        fontsize=_FONT,
        color=DARK_GREY,
        annotation_clip=False,
        zorder=5,
        bbox={"facecolor": "white", "edgecolor": "none", "pad": 1, "alpha": 0.85},
        **_PLAIN,
    )


def _room_for_labels(axes: Axes, low: float, high: float, share: float = 0.22) -> None:
    """Widen the x range so value labels beside the bars stay inside the plot."""
    low, high = min(low, 0.0), max(high, 0.0)
    span = (high - low) or 1.0
    axes.set_xlim(
        low - (share * span if low < 0 else 0), high + (share * span if high > 0 else 0.05 * span)
    )


def _across_gaps(series: pd.Series) -> np.ndarray:
    """SPC mean/limits, carried across missing points so the lines do not break."""
    return pd.Series(_to_float(series)).interpolate(limit_area="inside").to_numpy()


def _first_value(series: pd.Series) -> float:
    values = _to_float(series)
    values = values[np.isfinite(values)]
    return float(values[0]) if values.size else math.nan


def _chart(figure: Figure, title: str, sentences: list[str], source: str | None) -> Chart:
    """The finished chart: its alt text is the sentences, then the source line."""
    if source:
        sentences = [*sentences, _plain_text(source)]
    return Chart(figure=figure, alt_text=" ".join(sentences), title=title)


def _polarity_words(polarity: str) -> str:
    return {
        "higher_is_better": "higher is better",
        "lower_is_better": "lower is better",
        "no_polarity": "neither higher nor lower is better",
    }[polarity]


# --------------------------------------------------------------------------- comparator


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
    _require_columns(table, ["authority_code", "authority_name", "value"], "table")
    polarity = check_polarity(polarity)
    frame = pd.DataFrame(
        {
            "code": table["authority_code"].map(_plain_text).to_numpy(),
            "name": table["authority_name"].map(_plain_text).to_numpy(),
            "value": _to_float(table["value"]),
        }
    )
    for column in ("rank", "lower_95", "upper_95"):
        frame[column] = _to_float(table[column]) if column in table else np.nan
    for column in ("is_focus", "suspect"):
        flags = table[column] if column in table else pd.Series(False, index=table.index)
        frame[column] = flags.fillna(False).astype(bool).to_numpy()
    frame["focus"] = (frame["code"] == _plain_text(focus_code)) | frame["is_focus"]
    if frame["focus"].sum() > 1:
        raise ValueError(
            "more than one council is the focus: "
            f"{_join_names(frame.loc[frame['focus'], 'name'].tolist())}"
        )
    group_median = _first_value(table["group_median"]) if "group_median" in table else math.nan
    england_median = (
        _first_value(table["england_median"]) if "england_median" in table else math.nan
    )

    present = frame[np.isfinite(frame["value"])].copy()
    missing_names = frame.loc[~np.isfinite(frame["value"]), "name"].tolist()
    ascending = polarity == "lower_is_better"
    present = present.sort_values(
        ["value", "name"], ascending=[ascending, True], kind="mergesort"
    ).reset_index(drop=True)
    if polarity != "no_polarity" and present["rank"].isna().any():
        # Fall back to ranking here (ties share the best rank) when ranks were not supplied.
        present["rank"] = present["rank"].fillna(rank_by_polarity(present["value"], polarity))

    focus_rows = frame[frame["focus"]]
    focus_name = focus_rows["name"].iloc[0] if not focus_rows.empty else ""
    focus_present = present[present["focus"]]
    n_ranked = len(present)
    indicator_plain = _plain_text(indicator_name)
    unit = _plain_text(unit)
    period = _plain_text(period)
    group_label = _plain_text(group_label)

    # ---- title: the finding
    median_text = _with_unit(group_median, unit)
    if not focus_present.empty and polarity != "no_polarity":
        rank = int(focus_present["rank"].iloc[0])
        joint = int((present["rank"] == rank).sum()) > 1
        title = (
            f"{_label(focus_name)} is {'joint ' if joint else ''}{_ordinal(rank)} of "
            f"{n_ranked} {group_label} for {indicator_plain} (rank 1 = best)"
        )
    elif not focus_present.empty:
        value = focus_present["value"].iloc[0]
        if math.isfinite(group_median):
            relation = (
                "above" if value > group_median else "below" if value < group_median else "equal to"
            )
            title = (
                f"{_label(focus_name)}'s {indicator_plain} is "
                f"{_with_unit(value, unit)}, {relation} the median of "
                f"{n_ranked} {group_label} ({median_text})"
            )
        else:
            title = (
                f"{_label(focus_name)}'s {indicator_plain} is "
                f"{_with_unit(value, unit)} ({n_ranked} {group_label})"
            )
    elif focus_name:
        title = f"No {period} data for {_label(focus_name)} on {indicator_plain}"
    else:
        title = f"{indicator_plain}: {n_ranked} {group_label}, median {median_text}"

    # ---- figure
    suspect_names = present.loc[present["suspect"], "name"].tolist()
    has_ci = bool((np.isfinite(present["lower_95"]) & np.isfinite(present["upper_95"])).any())
    notes = []
    if suspect_names:
        notes.append(
            "Suspect values (hatched, labelled 'suspect'; check before quoting): "
            + _join_names([_label(name) for name in suspect_names])
            + "."
        )
    if missing_names:
        notes.append("No data: " + _join_names([_label(name) for name in missing_names]) + ".")
    if has_ci:
        notes.append("Black lines on bars show 95% confidence intervals.")
    figure, axes = _new_figure(_bar_height(len(present), _note_lines(notes, source)))

    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    positions = np.arange(len(present))
    colours = [HIGHLIGHT_COLOUR if focus else CONTEXT_GREY for focus in present["focus"]]
    bars = axes.barh(positions, present["value"], height=0.7, color=colours)
    for bar, suspect in zip(bars.patches, present["suspect"], strict=True):
        if suspect:
            bar.set_hatch("//")
            bar.set_edgecolor(DARK_GREY)
            bar.set_linewidth(0)

    if has_ci:
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

    handles: list = []
    labels: list[str] = []
    if math.isfinite(group_median):
        handles.append(
            axes.axvline(
                group_median, color=DARK_GREY, linewidth=1.5, label=f"Group median ({median_text})"
            )
        )
        labels.append(f"Group median ({median_text})")
    if math.isfinite(england_median):
        text = f"England median ({_with_unit(england_median, unit)})"
        handles.append(
            axes.axvline(england_median, color=TURQUOISE, linewidth=1.5, linestyle="--", label=text)
        )
        labels.append(text)
    if focus_name and not focus_present.empty:
        handles.append(Patch(facecolor=HIGHLIGHT_COLOUR))
        labels.append(_label(focus_name, 30))
        handles.append(Patch(facecolor=CONTEXT_GREY))
        labels.append("Other councils")
    if has_ci:
        handles.append(Line2D([], [], color="black", linewidth=1, marker="|", markersize=8))
        labels.append("95% confidence interval")
    if suspect_names:
        handles.append(Patch(facecolor=CONTEXT_GREY, hatch="//", edgecolor=DARK_GREY, linewidth=0))
        labels.append("Suspect value")
    if present["value"].min() < 0 < present["value"].max():
        axes.axvline(0, color="black", linewidth=0.8)

    _category_labels(
        axes,
        [_label(name) for name in present["name"]],
        bold=present["focus"].tolist(),
        colours=[HIGHLIGHT_COLOUR if f else "black" for f in present["focus"]],
    )
    for row in present.itertuples():
        end_high = max(row.value, row.upper_95) if math.isfinite(row.upper_95) else row.value
        end_low = min(row.value, row.lower_95) if math.isfinite(row.lower_95) else row.value
        text = _number(row.value, unit)
        if row.suspect:
            text += " (suspect)"
        if row.value < 0:
            _value_label(axes, end_low, row.Index, text, left=True)
        else:
            _value_label(axes, end_high, row.Index, text, left=False)
    extent = np.concatenate(
        [present["value"], present["lower_95"], present["upper_95"], [group_median, england_median]]
    )
    extent = extent[np.isfinite(extent)]
    if extent.size:
        _room_for_labels(axes, float(extent.min()), float(extent.max()))
    _number_axis(axes.xaxis)
    axes.set_xlabel(_wrap(_label(_unit_title(indicator_plain, unit), 140), 70), **_axis_label())
    order = (
        "Sorted largest (top) to smallest."
        if polarity == "no_polarity"
        else f"Sorted best (top) to worst; {_polarity_words(polarity)}."
    )
    _add_legend(axes, handles, labels, f"{period}. {order}")
    _set_title(figure, title)
    _set_notes(figure, notes, source)

    # ---- alt text
    sentences = [
        f"Bar chart of {_unit_title(indicator_plain, unit)} for {len(frame)} {group_label}, "
        f"{period}. {order}"
    ]
    if not focus_present.empty:
        row = focus_present.iloc[0]
        text = f"{focus_name} (highlighted): {_with_unit(row['value'], unit)}"
        if polarity != "no_polarity":
            text += f", ranked {int(row['rank'])} of {n_ranked} (rank 1 = best)"
        if math.isfinite(row["lower_95"]) and math.isfinite(row["upper_95"]):
            text += (
                f", 95% confidence interval {_number(row['lower_95'], unit)} to "
                f"{_number(row['upper_95'], unit)}"
            )
        sentences.append(text + ".")
    elif focus_name:
        sentences.append(f"{focus_name} (highlighted council) has no data for {period}.")
    if math.isfinite(group_median):
        sentences.append(f"Group median {median_text}.")
    if math.isfinite(england_median):
        sentences.append(f"England median {_with_unit(england_median, unit)}.")
    if len(present):
        listing = "; ".join(
            f"{row.name} {_with_unit(row.value, unit)}" + (" (suspect)" if row.suspect else "")
            for row in present.itertuples()
        )
        sentences.append(f"All values, in order: {listing}.")
    if suspect_names:
        sentences.append(f"Suspect values: {_join_names(suspect_names)}.")
    if missing_names:
        sentences.append(f"No data: {_join_names(missing_names)}.")
    return _chart(figure, title, sentences, source)


# --------------------------------------------------------------------------- trend


def _combined_targets(trend: pd.DataFrame, targets: pd.DataFrame | None) -> pd.DataFrame:
    """One row per period_end with the target (trend's own first) and floor."""
    parts = [
        pd.DataFrame(
            {
                "period": trend["period"].to_numpy(),
                "period_end": trend["period_end"].to_numpy(),
                "target": _to_float(trend["target"]) if "target" in trend else np.nan,
                "floor": np.nan,
            }
        )
    ]
    if targets is not None:
        _require_columns(targets, ["period", "period_end", "target"], "targets")
        parts.append(
            pd.DataFrame(
                {
                    "period": targets["period"].to_numpy(),
                    "period_end": pd.to_datetime(targets["period_end"]).to_numpy(),
                    "target": _to_float(targets["target"]),
                    "floor": _to_float(targets["floor"]) if "floor" in targets else np.nan,
                }
            )
        )
    combined = pd.concat(parts, ignore_index=True)
    combined["period_end"] = pd.to_datetime(combined["period_end"])
    grouped = combined.groupby("period_end", sort=True).agg(
        period=("period", "first"), target=("target", "first"), floor=("floor", "first")
    )
    return grouped.reset_index()


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
    """Line chart of an indicator over time with targets and, optionally, SPC limits.

    Actuals are a line with markers (dark blue; grey when an SPC chart is
    overlaid, as in Making Data Count); a missing actual leaves a gap. Targets,
    from ``trend`` and any phased future ``targets``, are a dashed step line and
    floors a dash-dot one. With ``spc``, the mean is a thin solid line, the
    process limits thin dotted lines, and special-cause points are marked blue
    squares (improvement), orange diamonds (concern) or purple triangles
    (neither), each named in the legend.

    Parameters
    ----------
    trend : pandas.DataFrame
        ``period`` (label such as ``"2024-25 Q1"``), ``period_end`` (datetime),
        ``actual`` and optionally ``target``; one row per period.
    indicator_name : str
        Indicator name for the title and axis label.
    unit : str
        Unit of the values, e.g. ``"%"``.
    polarity : {"higher_is_better", "lower_is_better", "no_polarity"}
        Which direction is better; decides whether a target is met.
    targets : pandas.DataFrame, optional
        Phased targets: ``period``, ``period_end``, ``target`` and optionally
        ``floor``. Where a period has a target in both frames, ``trend``'s is used.
    spc : pandas.DataFrame, optional
        Output of :func:`kassanalysis.analysis.stats.calculate_xmr_chart`: index of
        periods matching ``trend["period"]``, columns ``mean``, ``lower_limit``,
        ``upper_limit``, ``special_cause`` and ``variation``.
    source : str, optional
        Source note printed at the bottom.

    Returns
    -------
    Chart

    Examples
    --------
    >>> trend = pd.DataFrame({"period": ["Q1", "Q2", "Q3"],
    ...     "period_end": pd.to_datetime(["2024-06-30", "2024-09-30", "2024-12-31"]),
    ...     "actual": [70.0, float("nan"), 74.5], "target": 72.0})
    >>> chart = plot_trend(trend, indicator_name="Reablement", unit="%",
    ...     polarity="higher_is_better")
    >>> chart.title
    'Reablement was 74.5% in Q3, meeting its target of 72.0%'
    """
    _require_columns(trend, ["period", "period_end", "actual"], "trend")
    polarity = check_polarity(polarity)
    data = (
        pd.DataFrame(
            {
                "period": trend["period"].map(_plain_text).to_numpy(),
                "period_end": pd.to_datetime(trend["period_end"]).to_numpy(),
                "actual": _to_float(trend["actual"]),
                "target": _to_float(trend["target"]) if "target" in trend else np.nan,
            }
        )
        .sort_values("period_end", kind="mergesort")
        .reset_index(drop=True)
    )
    plan = _combined_targets(data, targets)
    plan["period"] = plan["period"].map(_plain_text)
    indicator_plain = _plain_text(indicator_name)
    unit = _plain_text(unit)

    from matplotlib.dates import date2num
    from matplotlib.lines import Line2D

    x = date2num(data["period_end"].to_numpy())
    x_plan = date2num(plan["period_end"].to_numpy())
    notes: list[str] = []
    figure, axes = _new_figure(5.5 + 0.18 * _note_lines(notes, source))
    handles: list = []
    labels: list[str] = []

    spc_rows = None
    if spc is not None:
        _require_columns(
            spc, ["mean", "lower_limit", "upper_limit", "special_cause", "variation"], "spc"
        )
        spc_index = pd.Index(spc.index.map(_plain_text))
        if not spc_index.isin(data["period"]).any():
            raise ValueError(
                "spc must be indexed by the trend's periods "
                f"(e.g. {data['period'].iloc[0]!r}); none matched"
            )
        spc_rows = spc.set_axis(spc_index).reindex(data["period"])

    line_colour = _MID_GREY if spc_rows is not None else DARK_BLUE
    (actual_line,) = axes.plot(
        x, data["actual"], color=line_colour, linewidth=2, marker="o", markersize=5, label="Actual"
    )
    handles.append(actual_line)
    labels.append("Actual")
    for column, style, label in (
        ("target", "--", "Target"),
        ("floor", "-.", "Floor (minimum standard)"),
    ):
        if np.isfinite(plan[column]).any():
            (line,) = axes.plot(
                x_plan,
                plan[column],
                color=DARK_PINK,
                linewidth=1.5,
                linestyle=style,
                drawstyle="steps-mid",
                label=column.capitalize(),
            )
            handles.append(line)
            labels.append(label)

    special_text: list[str] = []
    if spc_rows is not None:
        mean = _across_gaps(spc_rows["mean"])
        (line,) = axes.plot(x, mean, color=DARK_GREY, linewidth=1, label="Mean")
        handles.append(line)
        labels.append("Mean")
        for column in ("lower_limit", "upper_limit"):
            (line,) = axes.plot(
                x,
                _across_gaps(spc_rows[column]),
                color=DARK_GREY,
                linewidth=1,
                linestyle=":",
                label="Process limits",
            )
        handles.append(line)
        labels.append("Process limits")
        special = spc_rows["special_cause"].fillna(False).astype(bool).to_numpy()
        variation = spc_rows["variation"].astype(object).to_numpy()
        for kind, (colour, marker, label) in _VARIATION_STYLE.items():
            chosen = special & (variation == kind) & np.isfinite(data["actual"].to_numpy())
            if chosen.any():
                axes.plot(
                    x[chosen],
                    data["actual"].to_numpy()[chosen],
                    linestyle="none",
                    marker=marker,
                    markersize=9,
                    color=colour,
                    label=label,
                )
                handles.append(
                    Line2D([], [], linestyle="none", marker=marker, markersize=9, color=colour)
                )
                labels.append(label)
                periods = _join_names(data.loc[chosen, "period"].tolist())
                special_text.append(f"{kind} at {periods}")

    # x axis: one label per period (thinned to at most 12), literal text
    ticks = plan.drop_duplicates("period_end")
    step = max(1, math.ceil(len(ticks) / 12))
    shown = ticks.iloc[::step]
    axes.set_xticks(
        date2num(shown["period_end"].to_numpy()), labels=[_label(p, 20) for p in shown["period"]]
    )
    for tick in axes.xaxis.get_major_ticks():
        for text in (tick.label1, tick.label2):
            text.set_parse_math(False)
            text.set_usetex(False)
    if len(shown) > 5:
        axes.tick_params(axis="x", labelrotation=30)
        for text in axes.get_xticklabels():
            text.set_horizontalalignment("right")
            text.set_rotation_mode("anchor")
    _number_axis(axes.yaxis)
    axes.set_ylabel(_wrap(_label(_unit_title(indicator_plain, unit), 90), 45), **_axis_label())
    axes.set_xlabel("Period", **_axis_label())

    # ---- title: latest value against target or previous value
    known = data[np.isfinite(data["actual"])]
    if known.empty:
        title = f"No data yet for {indicator_plain}"
    else:
        last = known.iloc[-1]
        latest = f"{indicator_plain} was {_with_unit(last['actual'], unit)} in {last['period']}"
        target = last["target"]
        if math.isfinite(target) and polarity != "no_polarity":
            better = (
                last["actual"] >= target
                if polarity == "higher_is_better"
                else last["actual"] <= target
            )
            title = (
                f"{latest}, {'meeting' if better else 'missing'} its target of "
                f"{_with_unit(target, unit)}"
            )
        elif math.isfinite(target):
            title = f"{latest}, against a target of {_with_unit(target, unit)}"
        elif len(known) > 1:
            previous = known.iloc[-2]
            change = last["actual"] - previous["actual"]
            direction = "up from" if change > 0 else "down from" if change < 0 else "unchanged from"
            title = (
                f"{latest}, {direction} {_with_unit(previous['actual'], unit)}"
                f" in {previous['period']}"
            )
        else:
            title = latest
    subtitle = _polarity_words(polarity).capitalize() + "."
    if spc_rows is not None:
        subtitle += " SPC (XmR) chart: mean and process limits."
    _add_legend(axes, handles, labels, subtitle)
    _set_title(figure, title)
    _set_notes(figure, notes, source)

    # ---- alt text
    sentences = [
        f"Line chart of {_unit_title(indicator_plain, unit)} from {data['period'].iloc[0]} "
        f"to {data['period'].iloc[-1]}; {_polarity_words(polarity)}."
    ]
    if not known.empty:
        sentences.append(title + ".")
        low = known.loc[known["actual"].idxmin()]
        high = known.loc[known["actual"].idxmax()]
        sentences.append(
            f"Lowest {_with_unit(low['actual'], unit)} "
            f"({low['period']}); highest "
            f"{_with_unit(high['actual'], unit)} ({high['period']})."
        )
        listing = "; ".join(
            f"{row.period} {_with_unit(row.actual, unit)}"
            + (f" (target {_with_unit(row.target, unit)})" if math.isfinite(row.target) else "")
            for row in data.itertuples()
        )
        sentences.append(f"Values: {listing}.")
    gaps = data.loc[~np.isfinite(data["actual"]), "period"].tolist()
    if gaps:
        sentences.append(f"No data for {_join_names(gaps)} (shown as a gap).")
    future = plan[plan["period_end"] > data["period_end"].max()]
    if not future.empty:
        listing = "; ".join(
            f"{row.period} target {_with_unit(row.target, unit)}"
            + (f", floor {_with_unit(row.floor, unit)}" if math.isfinite(row.floor) else "")
            for row in future.itertuples()
        )
        sentences.append(f"Future targets: {listing}.")
    if spc_rows is not None:
        mean = _first_value(spc_rows["mean"])
        limits = [_first_value(spc_rows["lower_limit"]), _first_value(spc_rows["upper_limit"])]
        sentences.append(
            f"Process mean {_with_unit(mean, unit)}, process limits "
            f"{_with_unit(limits[0], unit)} to {_with_unit(limits[1], unit)}."
        )
        sentences.append(
            ("Special cause variation (SPC rules): " + "; ".join(special_text) + ".")
            if special_text
            else "All points show common cause variation."
        )
    return _chart(figure, title, sentences, source)


# --------------------------------------------------------------------------- RAG table

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
    _require_columns(
        rag, ["indicator_name", "actual_period", "actual", "target", "floor", "rag", "unit"], "rag"
    )
    rows = []
    for record in rag.itertuples(index=False):
        unit = _plain_text(record.unit)
        values = [_to_float([v])[0] for v in (record.actual, record.target, record.floor)]
        status = _plain_text(record.rag) or "No data"
        name = _plain_text(record.indicator_name)
        rows.append(
            {
                "name": name,
                "unit": unit,
                "period": _plain_text(record.actual_period),
                "values": values,
                "status": status,
                "name_lines": textwrap.wrap(
                    truncate_for_display(_unit_title(name, unit), 120),
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

    counts = {key: sum(row["status"] == key for row in rows) for key in RAG_COLOURS}
    other = len(rows) - sum(counts.values())
    title = (
        f"{counts['Green']} of {len(rows)} indicators met target (Green); "
        f"{counts['Amber']} Amber, {counts['Red']} Red"
    )
    if other:
        title += f", {other} with no target, floor or data"
    if title_context:
        title = f"{_capitalise(_plain_text(title_context))}: {title}"

    notes = [
        "Green = target met or exceeded; Amber = below target but at or above the floor "
        "(minimum standard); Red = below the floor. 'Below' and 'above' follow each "
        "indicator's polarity. '-' = not set or not available."
    ]
    heights = [
        len(max(r["name_lines"], r["status_lines"], key=len)) * _LINE_HEIGHT + _ROW_PADDING
        for r in rows
    ]
    header_height = _LINE_HEIGHT + _ROW_PADDING
    table_height = header_height + sum(heights)
    title_lines = len(_wrap(title, _TITLE_WRAP).split("\n"))
    figure, axes = _new_figure(
        table_height + 0.35 * title_lines + 0.5 + 0.2 * _note_lines(notes, source), width=10
    )
    from matplotlib.patches import Rectangle

    axes.set_axis_off()
    axes.set_xlim(0, 1)
    axes.set_ylim(table_height, 0)

    def cell(text: str, column: int, top: float, height: float, **kwargs: Any) -> None:
        _header, left, right, align = _RAG_COLUMNS[column]
        x = {"left": left + 0.005, "right": right - 0.005, "center": (left + right) / 2}[align]
        axes.text(
            x,
            top + height / 2,
            text,
            ha=align,
            va="center",
            fontsize=_FONT,
            linespacing=1.3,
            **kwargs,
            **_PLAIN,
        )

    for column, (header, *_rest) in enumerate(_RAG_COLUMNS):
        cell(header, column, 0, header_height, fontweight="bold")
    axes.axhline(header_height, color=DARK_GREY, linewidth=1)
    top = header_height
    for row, height in zip(rows, heights, strict=True):
        cell("\n".join(row["name_lines"]), 0, top, height)
        cell(_label(row["period"], 14), 1, top, height)
        for column, value in enumerate(row["values"], start=2):
            text = _number(value, row["unit"]) if math.isfinite(value) else "-"
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
            color=_RAG_TEXT_COLOURS.get(row["status"], "black"),
        )
        top += height
        axes.axhline(top, color=CONTEXT_GREY, linewidth=0.5)
    _set_title(figure, title)
    _set_notes(figure, notes, source)

    sentences = [f"Table of {len(rows)} performance indicators with their RAG status. {title}."]
    for row in rows:
        actual, target, floor = (
            _with_unit(v, row["unit"]) if math.isfinite(v) else "not set" for v in row["values"]
        )
        if not math.isfinite(row["values"][0]):
            actual = "no data"
        sentences.append(
            f"{row['name']}: actual {actual} in {row['period'] or 'no period'}; "
            f"target {target}; floor {floor}; status {row['status']}."
        )
    return _chart(figure, title, sentences, source)


# --------------------------------------------------------------------------- budget


def plot_budget_variance(
    variance: pd.DataFrame,
    *,
    title_context: str,
    value_label: str = "GBP thousands",
    kind: str = "change",
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
    _require_columns(variance, ["label", "from_value", "to_value", "change"], "variance")
    frame = pd.DataFrame(
        {
            "label": variance["label"].map(_plain_text).to_numpy(),
            "from_value": _to_float(variance["from_value"]),
            "to_value": _to_float(variance["to_value"]),
            "change": _to_float(variance["change"]),
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
            + _join_names([_label(m) for m in missing])
            + "."
        )
    frame = (
        frame[np.isfinite(frame["change"])]
        .sort_values(["change", "label"], ascending=[False, True], kind="mergesort")
        .reset_index(drop=True)
    )
    unit = _plain_text(value_label)
    context = _capitalise(_plain_text(title_context))

    parts = []
    if frame.empty:
        title = f"{context}: no changes to show"
    else:
        if lines_only:
            parts.append(f"net change {_number(frame['change'].sum(), unit, sign=True)}")
        top, bottom = frame.iloc[0], frame.iloc[-1]
        if top["change"] > 0:
            parts.append(
                f"biggest increase {_label(top['label'], 30)} "
                f"{_number(top['change'], unit, sign=True)}"
            )
        if bottom["change"] < 0:
            parts.append(
                f"biggest decrease {_label(bottom['label'], 30)} "
                f"{_number(bottom['change'], unit, sign=True)}"
            )
        title = (
            f"{context}: {'; '.join(parts)} ({unit_header(unit)})"
            if parts
            else f"{context}: no change on any line"
        )

    figure, axes = _new_figure(_bar_height(len(frame), _note_lines(notes, source)))
    from matplotlib.patches import Patch

    positions = np.arange(len(frame))
    colours = [DARK_BLUE if c > 0 else ORANGE for c in frame["change"]]
    axes.barh(positions, frame["change"], height=0.7, color=colours)
    axes.axvline(0, color="black", linewidth=1)
    _category_labels(axes, [_label(label) for label in frame["label"]])
    for row in frame.itertuples():
        _value_label(
            axes,
            row.change,
            row.Index,
            _number(row.change, unit, sign=True),
            left=row.change < 0,
        )
    if len(frame):
        _room_for_labels(axes, float(frame["change"].min()), float(frame["change"].max()))
    _number_axis(axes.xaxis)
    axes.set_xlabel(_unit_title("Change", unit), **_axis_label())
    _add_legend(
        axes,
        [Patch(facecolor=DARK_BLUE), Patch(facecolor=ORANGE)],
        ["Increase", "Decrease"],
        "Sorted from largest increase (top) to largest decrease.",
    )
    _set_title(figure, title)
    _set_notes(figure, notes, source)

    sentences = [
        f"Bar chart of the change in each budget line ({unit_header(unit)}), {context}, sorted "
        "from largest increase to largest decrease."
    ]
    if parts:
        sentences.append(parts[0][0].upper() + "; ".join(parts)[1:] + ".")
    listing = "; ".join(
        f"{row.label} {_number(row.change, unit, sign=True)} (from "
        f"{_number(row.from_value, unit)} to {_number(row.to_value, unit)})"
        for row in frame.itertuples()
    )
    if listing:
        sentences.append(f"Changes: {listing}.")
    sentences.extend(_plain_text(note) for note in notes)
    return _chart(figure, title, sentences, source)


def _plot_waterfall(
    frame_in: pd.DataFrame,
    *,
    title_context: str,
    value_label: str,
    total_label: str,
    source: str | None,
) -> Chart:
    _require_columns(frame_in, ["label", "value"], "variance")
    frame = pd.DataFrame(
        {
            "label": frame_in["label"].map(_plain_text).to_numpy(),
            "value": _to_float(frame_in["value"]),
        }
    )
    notes = []
    missing = frame.loc[~np.isfinite(frame["value"]), "label"].tolist()
    if missing:
        notes.append(
            "Not included (value missing): " + _join_names([_label(m) for m in missing]) + "."
        )
    frame = frame[np.isfinite(frame["value"])].reset_index(drop=True)
    ends = frame["value"].cumsum().to_numpy()
    starts = ends - frame["value"].to_numpy()
    total = float(ends[-1]) if len(ends) else 0.0
    unit = _plain_text(value_label)
    context = _capitalise(_plain_text(title_context))
    total_name = _plain_text(total_label)

    title = f"{context}: {_label(total_name, 30)} {_with_unit(total, unit)}"
    if len(frame):
        biggest = frame.loc[frame["value"].abs().idxmax()]
        title += (
            f"; biggest component {_label(biggest['label'], 30)} "
            f"{_number(biggest['value'], unit, sign=True)}"
        )

    n_bars = len(frame) + 1
    figure, axes = _new_figure(_bar_height(n_bars, _note_lines(notes, source)))
    from matplotlib.patches import Patch

    lefts = np.append(np.minimum(starts, ends), min(0.0, total))
    widths = np.append(np.abs(frame["value"].to_numpy()), abs(total))
    colours = [DARK_BLUE if v >= 0 else ORANGE for v in frame["value"]] + [DARK_GREY]
    positions = np.arange(n_bars)
    axes.barh(positions, widths, left=lefts, height=0.7, color=colours)
    for position, end in enumerate(ends):  # connectors: where the next bar starts
        axes.plot(
            [end, end],
            [position + 0.35, position + 0.65],
            color=DARK_GREY,
            linewidth=0.8,
            linestyle=":",
        )
    axes.axvline(0, color="black", linewidth=1)
    _category_labels(
        axes,
        [_label(label) for label in frame["label"]] + [_label(total_name)],
        bold=[False] * len(frame) + [True],
    )
    for position, row in enumerate(frame.itertuples()):
        text = _number(row.value, unit, sign=True)
        if row.value < 0:
            _value_label(axes, lefts[position], position, text, left=True)
        else:
            _value_label(axes, lefts[position] + widths[position], position, text, left=False)
    _value_label(
        axes, total if total < 0 else total, n_bars - 1, _number(total, unit), left=total < 0
    )
    _room_for_labels(axes, float(lefts.min()), float((lefts + widths).max()))
    _number_axis(axes.xaxis)
    axes.set_xlabel(unit_header(unit), **_axis_label())
    _add_legend(
        axes,
        [Patch(facecolor=DARK_BLUE), Patch(facecolor=ORANGE), Patch(facecolor=DARK_GREY)],
        ["Adds to the total", "Takes away from the total", _label(total_name, 30)],
        "Each bar starts where the one above ended.",
    )
    _set_title(figure, title)
    _set_notes(figure, notes, source)

    listing = "; ".join(
        f"{row.label} {_number(row.value, unit, sign=True)}" for row in frame.itertuples()
    )
    sentences = [
        f"Waterfall chart ({unit_header(unit)}), {context}: {len(frame)} components add up to "
        f"{total_name} {_number(total, unit)}."
    ]
    if listing:
        sentences.append(f"Components in order: {listing}.")
    sentences.extend(notes)
    return _chart(figure, title, sentences, source)


# --------------------------------------------------------------------------- localities


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
    _require_columns(localities, [label_column, value_column], "localities")
    frame = pd.DataFrame(
        {
            "label": localities[label_column].map(_plain_text).to_numpy(),
            "value": _to_float(localities[value_column]),
        }
    )
    notes = []
    if "row_type" in localities:
        keep = (localities["row_type"] == "line").to_numpy()
        if (~keep).any():
            notes.append(
                "Total rows not shown: "
                + _join_names([_label(x) for x in frame.loc[~keep, "label"]])
                + "."
            )
        frame = frame[keep]
    missing = frame.loc[~np.isfinite(frame["value"]), "label"].tolist()
    if missing:
        notes.append("No data: " + _join_names([_label(m) for m in missing]) + ".")
    frame = (
        frame[np.isfinite(frame["value"])]
        .sort_values(["value", "label"], ascending=[False, True], kind="mergesort")
        .reset_index(drop=True)
    )
    unit = _plain_text(unit)
    measure = _plain_text(value_column).replace("_", " ")
    context = _capitalise(_plain_text(title_context))
    total = float(frame["value"].sum())
    with_share = bool(len(frame)) and bool((frame["value"] >= 0).all()) and total > 0
    shares = frame["value"] / total * 100 if with_share else pd.Series(np.nan, frame.index)

    if frame.empty:
        title = f"{context}: no {measure} to show"
    else:
        top = frame.iloc[0]
        detail = _with_unit(top["value"], unit)
        if with_share:
            detail += f", {format_percent(shares.iloc[0])} of the total"
        title = f"{context}: {_label(top['label'], 30)} has the highest {measure} ({detail})"

    figure, axes = _new_figure(_bar_height(len(frame), _note_lines(notes, source)))
    positions = np.arange(len(frame))
    axes.barh(positions, frame["value"], height=0.7, color=DARK_BLUE)
    if len(frame) and frame["value"].min() < 0:
        axes.axvline(0, color="black", linewidth=1)
    _category_labels(axes, [_label(label) for label in frame["label"]])
    for row, share in zip(frame.itertuples(), shares, strict=True):
        text = _number(row.value, unit)
        if with_share:
            text += f" ({format_percent(share)})"
        _value_label(axes, row.value, row.Index, text, left=row.value < 0)
    if len(frame):
        _room_for_labels(axes, float(frame["value"].min()), float(frame["value"].max()))
    _number_axis(axes.xaxis)
    axes.set_xlabel(
        _wrap(_label(_unit_title(measure.capitalize(), unit), 140), 70), **_axis_label()
    )
    subtitle = "Largest (top) to smallest."
    if with_share:
        subtitle += " Labels give each locality's share of the total shown."
    legend_title = axes.set_title(subtitle, loc="left", fontsize=_FONT, **_PLAIN)
    legend_title.set_color(DARK_GREY)
    _set_title(figure, title)
    _set_notes(figure, notes, source)

    listing = "; ".join(
        f"{row.label} {_with_unit(row.value, unit)}"
        + (f" ({format_percent(share)})" if with_share else "")
        for row, share in zip(frame.itertuples(), shares, strict=True)
    )
    sentences = [
        f"Bar chart of {_unit_title(measure, unit)} by locality, {context}, largest first."
    ]
    if listing:
        sentences.append(f"{listing}.")
        sentences.append(f"Total {_with_unit(total, unit)}.")
    sentences.extend(notes)
    return _chart(figure, title, sentences, source)
