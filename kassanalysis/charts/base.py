"""What every chart family shares: the :class:`Chart` result, figure furniture (title,
notes, legend, axes), and the text and number helpers (all numbers by
:mod:`kassanalysis.formatting`, all data text by :mod:`kassanalysis.text`)."""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kassanalysis.charts.style import (
    DARK_GREY,
    DPI,
    FONT,
    LABEL_CHARS,
    NOTE_WRAP,
    PLAIN_TEXT,
    SVG_FONTS,
    TITLE_FONT,
    TITLE_WRAP,
    WIDTH,
)
from kassanalysis.formatting import (
    format_number,
    format_value,
    unit_header,
)
from kassanalysis.text import one_line, truncate_for_display

if TYPE_CHECKING:  # pragma: no cover - typing only; keeps matplotlib out of import time
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


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
        self.figure.savefig(buffer, format="png", dpi=DPI, facecolor="white")
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
            "font.sans-serif": SVG_FONTS,
        }
        buffer = io.BytesIO()
        with matplotlib.rc_context(settings):
            self.figure.savefig(
                buffer, format="svg", metadata={"Date": None, "Creator": None}, facecolor="white"
            )
        return buffer.getvalue().decode("utf-8")

    def _repr_png_(self) -> bytes:  # notebook display
        return self.to_png()


def require_columns(frame: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{name} is missing column(s) {missing}; it has {list(frame.columns)}")


def plain_text(value: object) -> str:
    """Data text as one clean line (control characters removed, whitespace collapsed)."""
    return one_line(value)


def short_label(value: object, max_chars: int = LABEL_CHARS) -> str:
    """Data text for display on a chart: one clean line, shortened with an ellipsis."""
    return truncate_for_display(plain_text(value), max_chars)


def to_float(values: Any) -> np.ndarray:
    return pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(float)


def number_text(value: float, unit: str | None = None, *, sign: bool = False) -> str:
    """A figure as a label shows it, by the one formatting module (``%`` and ``£`` kept)."""
    return format_number(value, unit, sign=sign)


def with_unit(value: float, unit: str, *, sign: bool = False) -> str:
    """A figure with its unit in words, for titles and alt text."""
    return format_value(value, unit, sign=sign)


def unit_title(text: str, unit: str) -> str:
    """``"Direct payments (%)"``, ``"Change (£000)"``: an axis or row title with its unit."""
    header = unit_header(unit)
    return f"{text} ({header})" if header else text


def ordinal(number: int) -> str:
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def capitalise(text: str) -> str:
    """First letter upper case, the rest as given (``"net cost 2013-14"`` -> ``"Net ..."``)."""
    return text[:1].upper() + text[1:]


def join_names(names: Sequence[str]) -> str:
    return ", ".join(names)


def wrap_text(text: str, width: int) -> str:
    return "\n".join(textwrap.fill(part, width) if part else "" for part in text.split("\n"))


def new_figure(height: float, width: float = WIDTH) -> tuple[Figure, Axes]:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained", facecolor="white")
    keep_text_inside(figure)
    axes = figure.subplots()
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=FONT)
    return figure, axes


EDGE_PAD = 0.15
"""Inches kept clear at the figure's edges: a browser draws SVG text in its own font, a
few pixels wider than matplotlib measured, and the last period label was cut off."""


def keep_text_inside(figure: Figure) -> None:
    """Constrained layout with :data:`EDGE_PAD` of margin round the figure's text."""
    figure.get_layout_engine().set(w_pad=EDGE_PAD, h_pad=EDGE_PAD / 2)


def bar_height(n_rows: int, n_note_lines: int) -> float:
    return 0.45 * max(n_rows, 1) + 2 + 0.18 * n_note_lines


def set_title(figure: Figure, title: str) -> None:
    figure.suptitle(
        wrap_text(title, TITLE_WRAP),
        x=0.01,
        ha="left",
        fontsize=TITLE_FONT,
        fontweight="bold",
        **PLAIN_TEXT,
    )


def set_notes(figure: Figure, notes: Sequence[str], source: str | None) -> None:
    """Footnotes and the source line at the bottom left (laid out by constrained layout)."""
    lines = [note for note in notes if note]
    if source:
        lines.append(plain_text(source))
    if lines:
        figure.supxlabel(
            wrap_text("\n".join(lines), NOTE_WRAP),
            x=0.01,
            ha="left",
            fontsize=FONT,
            color=DARK_GREY,
            **PLAIN_TEXT,
        )


def note_lines(notes: Sequence[str], source: str | None) -> int:
    lines = [note for note in notes if note] + ([source] if source else [])
    return sum(len(wrap_text(line, NOTE_WRAP).split("\n")) for line in lines)


def add_legend(axes: Axes, handles: list, labels: list[str], subtitle: str) -> None:
    """Legend above the plot, with the subtitle as its left-aligned title."""
    legend = axes.legend(
        handles,
        labels,
        loc="lower left",
        bbox_to_anchor=(0, 1.02),
        ncols=2 if len(handles) > 2 else max(len(handles), 1),
        frameon=False,
        title=wrap_text(subtitle, 90),
        alignment="left",
        borderaxespad=0,
        fontsize=FONT,
        title_fontsize=FONT,
    )
    for text in [*legend.get_texts(), legend.get_title()]:
        text.set_parse_math(False)
        text.set_usetex(False)


def axis_label() -> dict:
    return {"fontsize": FONT, **PLAIN_TEXT}


def tick_decimals(values: Sequence[float]) -> int:
    """Decimal places that tell every tick apart: as many as the step between ticks needs
    (up to 3), the same for every tick on the axis.

    Examples
    --------
    >>> tick_decimals([10.0, 10.2, 10.4]), tick_decimals([0, 2500, 5000]), tick_decimals([0, 0.25])
    (1, 0, 2)
    """
    finite = sorted(float(v) for v in values if math.isfinite(float(v)))
    steps = [b - a for a, b in zip(finite, finite[1:], strict=False) if b - a > 0]
    if not steps:
        return 0
    step = min(steps)
    for places in range(4):
        if abs(round(step, places) - step) <= 1e-9 * max(1.0, abs(step)):
            return places
    return 3


def number_axis(axis: Any) -> None:
    """Tick labels with thousands separators and one number of decimals for the whole
    axis, so no two ticks read the same (``10``, ``10``, ``10`` for 10.0, 10.2, 10.4)."""
    from matplotlib.ticker import Formatter

    class _TickFormatter(Formatter):
        places = 0

        def format_ticks(self, values: Sequence[float]) -> list[str]:
            self.places = tick_decimals(values)
            return [format_number(value, decimals=self.places) for value in values]

        def __call__(self, value: float, pos: int | None = None) -> str:
            return format_number(value, decimals=self.places)

    axis.set_major_formatter(_TickFormatter())


def category_labels(
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
            fontsize=FONT,
            fontweight="bold" if bold is not None and bold[position] else "normal",
            color=colours[position] if colours is not None else "black",
            **PLAIN_TEXT,
        )
    axes.set_ylim(max(len(labels), 1) - 0.5, -0.5)  # first row at the top


def draw_value_label(axes: Axes, x: float, y: float, text: str, *, left: bool) -> None:
    axes.annotate(
        text,
        xy=(x, y),
        xytext=(-4 if left else 4, 0),
        textcoords="offset points",
        ha="right" if left else "left",
        va="center",
        fontsize=FONT,
        color=DARK_GREY,
        annotation_clip=False,
        zorder=5,
        bbox={"facecolor": "white", "edgecolor": "none", "pad": 1, "alpha": 0.85},
        **PLAIN_TEXT,
    )


def room_for_labels(axes: Axes, low: float, high: float, share: float = 0.22) -> None:
    """Widen the x range so value labels beside the bars stay inside the plot."""
    low, high = min(low, 0.0), max(high, 0.0)
    span = (high - low) or 1.0
    axes.set_xlim(
        low - (share * span if low < 0 else 0), high + (share * span if high > 0 else 0.05 * span)
    )


def across_gaps(series: pd.Series) -> np.ndarray:
    """SPC mean/limits, carried across missing points so the lines do not break."""
    return pd.Series(to_float(series)).interpolate(limit_area="inside").to_numpy()


def first_value(series: pd.Series) -> float:
    values = to_float(series)
    values = values[np.isfinite(values)]
    return float(values[0]) if values.size else math.nan


def finish_chart(figure: Figure, title: str, sentences: list[str], source: str | None) -> Chart:
    """The finished chart: its alt text is the sentences, then the source line."""
    if source:
        sentences = [*sentences, plain_text(source)]
    return Chart(figure=figure, alt_text=" ".join(sentences), title=title)


def polarity_words(polarity: str) -> str:
    return {
        "higher_is_better": "higher is better",
        "lower_is_better": "lower is better",
        "no_polarity": "neither higher nor lower is better",
    }[polarity]
