"""What a notebook cell displays: tables, figures and notes, safe to publish.

HTML is built with Jinja2 with autoescaping on, and tables with ``DataFrame.to_html(
escape=True)``, never with f-strings: a care-home or council name is untrusted text. Every
object also has a plain-text form, which is what nbval compares for the key-figure cells.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

import pandas as pd
from jinja2 import Environment
from markupsafe import Markup

from kassanalysis.formatting import (
    format_number,
    format_percent_change,
    format_plain,
    is_missing,
    unit_header,
)

MISSING_MARKER = "[x]"
"""What a table cell shows for a missing figure (the GSS "not available" marker)."""

_ENV = Environment(autoescape=True)

_TABLE = _ENV.from_string(
    """<section class="kass-table"{% if anchor %} id="{{ anchor }}"{% endif %}>
{% if empty %}<p class="kass-caption">{{ caption }}</p>
<p>No rows.</p>{% else %}{{ table }}{% endif %}
{% if note %}<p>{{ note }}</p>{% endif %}
{% if source %}<p class="kass-source">Source: {{ source }}</p>{% endif %}
</section>"""
)
# The table's own caption and column-header scope (WCAG 1.3.1): the caption names the
# table for a screen reader, and each heading says it heads a column. Numbers carry
# class="kass-number" (right-aligned by the report template's CSS), words stay left; an
# indicator's code is small text under its name, for reference, not a column of its own.
_HTML_TABLE = _ENV.from_string(
    """<table class="dataframe">
<caption>{{ caption }}</caption>
<thead>
<tr>{% for h in headers %}<th scope="col"{% if h.number %} class="kass-number"{% endif %}>\
{{ h.label }}</th>{% endfor %}</tr>
</thead>
<tbody>
{% for id, row in rows %}<tr{% if id %} id="{{ id }}"{% endif %}>{% for c in row %}\
<td{% if c.number %} class="kass-number"{% endif %}>\
{{ c.text }}{% if c.code %}<br><small class="kass-code">{{ c.code }}</small>{% endif %}</td>\
{% endfor %}</tr>
{% endfor %}</tbody>
</table>"""
)
_FIGURES = _ENV.from_string(
    """{% for f in figures %}<figure class="kass-figure">
<img src="data:image/svg+xml;base64,{{ f.svg }}" alt="{{ f.alt }}">
<figcaption>{{ f.title }}</figcaption>
</figure>
{% endfor %}{% if not figures %}<p>{{ empty }}</p>{% endif %}"""
)
_NOTE = _ENV.from_string(
    """{% if heading %}<h2>{{ heading }}</h2>{% endif %}{% for p in warning_lines %}
<p class="kass-warning">{{ p }}</p>{% endfor %}{% for p in paragraphs %}
<p{% if warning %} class="kass-warning"{% endif %}>{{ p }}</p>{% endfor %}"""
)


NOT_AVAILABLE = "not available"
"""What a yes/no cell shows when the answer is missing (the figure it depends on is)."""

TEXT_UNIT = "text"
"""The unit a table declares for a column of words (notes, reasons, statuses):
``Table(..., units={"note": TEXT_UNIT})``. Its cells are shown as written and a blank cell
means nothing to say (not a missing figure)."""

_NOTE_COLUMNS = ("note", "notes", "reason", "comment", "comments", "message", "caveat")
"""Undeclared text columns whose name (or its last word) says a blank cell means "nothing
to say", not "missing"; used only when the table declares no unit for the column."""

_PERIOD_WORDS = ("period", "year")
"""Undeclared columns whose name ends so hold periods: a missing one is missing data
(``[x]``), and a year held as a number is a label (``2024``, not ``2,024``)."""

_CODE_COLUMNS = ("code", "indicator_id")
"""Columns holding an indicator's code: shown as small text under its name in HTML."""


def format_value(value: object, unit: str | None = None, *, missing: str = MISSING_MARKER) -> str:
    """A table cell: by the unit's rule when the column has one (:mod:`kassanalysis.formatting`),
    otherwise whole numbers with separators and other numbers to at most three decimals;
    missing shows as ``missing`` (by default the GSS marker ``[x]``, explained on the page),
    booleans (Python's or NumPy's) as words.

    Examples
    --------
    >>> format_value(float("nan")), format_value(1234.5), format_value(3.0), format_value("a")
    ('[x]', '1,234.5', '3', 'a')
    >>> format_value(1452.0, "count of people"), format_value(31871.04, "GBP thousands")
    ('1,452', '£31,871.0')
    >>> format_value(pd.Series([False]).to_numpy()[0]), format_value(None, missing="")
    ('no', '')
    """
    if is_missing(value):
        return missing
    if pd.api.types.is_bool(value):  # Python's or NumPy's
        return "yes" if value else "no"
    if unit is not None and isinstance(value, int | float):
        return format_number(value, unit, missing=missing)
    if isinstance(value, int | float):
        return format_plain(value)
    return str(value)


def _is_boolean(column: pd.Series) -> bool:
    """A yes/no column: boolean dtype, or every value present a boolean."""
    if pd.api.types.is_bool_dtype(column.dtype):
        return True
    present = column.dropna()
    return not present.empty and all(pd.api.types.is_bool(v) for v in present)


def _is_period(name: object) -> bool:
    return str(name).lower().endswith(_PERIOD_WORDS)


def _is_note(name: object, column: pd.Series) -> bool:
    """An undeclared column of words (notes, reasons, statuses): a blank cell there means
    nothing to say. Numbers are never notes, nor is a period column (a missing period is
    missing data); a column named like a note (even if empty, read back as numbers),
    or holding only text, is."""
    if _is_period(name):
        return False
    if pd.api.types.is_numeric_dtype(column.dtype) and column.notna().any():
        return False
    label = str(name).lower()
    if label in _NOTE_COLUMNS or label.rsplit("_", 1)[-1] in _NOTE_COLUMNS:
        return True
    present = column.dropna()
    return not present.empty and all(isinstance(v, str) for v in present)


def _missing_text(name: object, column: pd.Series) -> str:
    """What a missing cell of an undeclared ``column`` shows: "not available" for a yes/no
    answer, blank for a note, and the GSS marker ``[x]`` for a figure."""
    if _is_boolean(column):
        return NOT_AVAILABLE
    if _is_note(name, column):
        return ""
    return MISSING_MARKER


def _format_label(value: object, missing: str) -> str:
    """A period, year or code held as a number, as a label: ``2024.0`` -> ``2024`` (no
    thousands separator); anything else as :func:`format_value` writes it.

    Examples
    --------
    >>> _format_label(2024.0, "[x]"), _format_label(float("nan"), "[x]"), _format_label("Q1", "")
    ('2024', '[x]', 'Q1')
    """
    if isinstance(value, int | float) and not is_missing(value) and float(value).is_integer():
        return str(int(value))
    return format_value(value, missing=missing)


def _numeric(*values: object) -> bool:
    """Whether every value is a number (not missing, not a marker such as ``[c]``)."""
    return all(isinstance(v, int | float) and not is_missing(v) for v in values)


def label_column(name: object) -> str:
    """A column name as a reader's heading: ``gap_to_target`` -> ``Gap to target``.

    Examples
    --------
    >>> label_column("mads_from_england_median"), label_column("lower_95")
    ('MADs from England median', 'Lower 95')
    """
    words = str(name).replace("_", " ").split()
    fixed = {"mads": "MADs", "england": "England", "rag": "RAG", "fte": "FTE", "pct": "%"}
    words = [fixed.get(w, w) for w in words]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


@dataclass
class Table:
    """A table for display: caption, an escaped HTML table, the source."""

    frame: pd.DataFrame
    caption: str
    source: str = ""
    note: str = ""
    units: dict[str, str] = field(default_factory=dict)
    """Column -> unit (``"GBP thousands"``, ``"%"``...): cells by that unit's rule and the
    unit in the heading (``"Budget (£000)"``); :data:`TEXT_UNIT` for a column of words.
    What a column declares here (or in ``row_units``/``changes``) decides how it is shown
    and what a missing cell says; only undeclared columns are judged by their values."""
    row_units: tuple[str, ...] = ()
    """Columns whose unit is the row's own ``unit`` column (tables of mixed indicators)."""
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Percentage-change column -> (base column, new column): shown from the two figures by
    :func:`~kassanalysis.formatting.format_percent_change`, so "n/a" on a zero or tiny
    base rather than a misleading 90,635%."""
    anchor: str = ""
    """The section's HTML id, so other pages can link to it (e.g. ``indicator-ascof-2a2``)."""
    row_anchors: str = ""
    """A column holding each row's HTML id (not shown as a column), so the index can link
    to one indicator's row."""

    @property
    def _shown(self) -> pd.DataFrame:
        return self.frame.drop(columns=[self.row_anchors]) if self.row_anchors else self.frame

    def _formatted(self) -> pd.DataFrame:
        out = self._shown.copy()
        row_unit = (
            out["unit"].astype(object) if "unit" in out.columns else pd.Series(None, out.index)
        )
        for column in out.columns:
            missing = self._missing_text(column)
            if self.units.get(column) == TEXT_UNIT:
                out[column] = out[column].map(lambda v: _format_label(v, ""))
            elif column in self.changes:
                base, new = self.changes[column]
                out[column] = [
                    format_percent_change(b, n, sign=True)
                    if _numeric(b, n)
                    else format_value(v, missing=missing)
                    for b, n, v in zip(
                        self.frame[base], self.frame[new], self.frame[column], strict=True
                    )
                ]
            elif column in self.units:
                unit = self.units[column]
                out[column] = out[column].map(
                    lambda v, u=unit, m=missing: format_value(v, u, missing=m)
                )
            elif column in self.row_units:
                out[column] = [
                    format_value(v, None if is_missing(u) else str(u), missing=missing)
                    for v, u in zip(out[column], row_unit, strict=True)
                ]
            elif _is_period(column) and pd.api.types.is_numeric_dtype(self.frame[column].dtype):
                out[column] = out[column].map(lambda v, m=missing: _format_label(v, m))
            else:
                out[column] = out[column].map(lambda v, m=missing: format_value(v, missing=m))
        if "unit" in out.columns and self.row_units:
            out["unit"] = [u if is_missing(u) else unit_header(str(u)) for u in row_unit]
        return out.rename(columns=self._heading)

    def _declared(self, name: object) -> str | None:
        """What the table declares a column to hold: ``"text"`` (a :data:`TEXT_UNIT`
        column), ``"number"`` (a unit of figures, the row's unit, or a change), or None when
        it declares nothing (then the column's values and name decide)."""
        if self.units.get(name) == TEXT_UNIT:
            return "text"
        if name in self.units or name in self.row_units or name in self.changes:
            return "number"
        return None

    def _missing_text(self, name: object) -> str:
        """What a missing cell of a column shows: blank in a declared text column, the GSS
        marker ``[x]`` for a declared figure; in an undeclared column "not available" for a
        yes/no answer, blank for a note, and ``[x]`` otherwise."""
        declared = self._declared(name)
        if declared == "text":
            return ""
        if declared == "number":
            return MISSING_MARKER
        return _missing_text(name, self.frame[name])

    def _is_number_column(self, name: object) -> bool:
        """Whether a column holds figures (right-aligned): declared with a unit of figures,
        or undeclared and numeric (not yes/no, not a year held as a number)."""
        declared = self._declared(name)
        if declared is not None:
            return declared == "number"
        column = self.frame[name]
        return (
            pd.api.types.is_numeric_dtype(column.dtype)
            and not _is_boolean(column)
            and not _is_period(name)
            and not _is_note(name, column)
        )

    def _code_column(self) -> object | None:
        """The indicator-code column shown under ``indicator_name`` rather than on its own."""
        if "indicator_name" not in self.frame.columns:
            return None
        return next((c for c in _CODE_COLUMNS if c in self.frame.columns), None)

    def _heading(self, name: object) -> str:
        declared = self._declared(name) == "number" and name in self.units
        header = unit_header(self.units[name]) if declared else ""
        label = label_column(name)
        if name in self.changes or not header or header.lower() in label.lower():
            return label
        return f"{label} ({header})"

    def _repr_html_(self) -> str:
        table = Markup("") if self.frame.empty else self._html_table()
        return _TABLE.render(
            caption=self.caption,
            table=table,
            source=self.source,
            note=self.note,
            empty=self.frame.empty,
            anchor=self.anchor,
        )

    def _html_table(self) -> Markup:
        """The formatted frame as an escaped HTML table: a caption, column headers scoped
        to their columns, figures right-aligned (``class="kass-number"``) and words left,
        the indicator's code as small text under its name, and each row's id from
        ``row_anchors`` (for links from the index)."""
        formatted = self._formatted()
        code = self._code_column()
        shown = self._shown
        names = [c for c in shown.columns if c != code]
        number = {c: self._is_number_column(c) for c in names}
        codes = (
            self.frame[code].map(lambda v: "" if is_missing(v) else str(v)).tolist()
            if code is not None
            else [""] * len(self.frame)
        )
        headers = [{"label": self._heading(c), "number": number[c]} for c in names]
        positions = [shown.columns.get_loc(c) for c in names]
        rows = [
            [
                {
                    "text": values[p],
                    "number": number[c],
                    "code": row_code if c == "indicator_name" else "",
                }
                for c, p in zip(names, positions, strict=True)
            ]
            for values, row_code in zip(
                formatted.itertuples(index=False, name=None), codes, strict=True
            )
        ]
        ids = (
            [str(v) for v in self.frame[self.row_anchors]]
            if self.row_anchors
            else [""] * len(self.frame)
        )
        rows = list(zip(ids, rows, strict=True))
        return Markup(_HTML_TABLE.render(caption=self.caption, headers=headers, rows=rows))

    def __repr__(self) -> str:
        body = "No rows." if self.frame.empty else self._formatted().to_string(index=False)
        return f"{self.caption}\n{body}"


@dataclass
class Figures:
    """Charts for display: each an image with alt text and a caption stating the finding."""

    charts: list = field(default_factory=list)
    empty: str = "No charts for this selection."

    def _encoded(self) -> list[dict]:
        """Each chart as base64 SVG with its text kept as text (see
        :meth:`~kassanalysis.charts.Chart.to_svg`): sharp when a reader zooms, a quarter
        of a PNG's size and about half the time to draw."""
        return [
            {
                "svg": base64.b64encode(chart.to_svg(text_as_paths=False).encode("utf-8")).decode(
                    "ascii"
                ),
                "alt": chart.alt_text,
                "title": chart.title,
            }
            for chart in self.charts
        ]

    def _repr_html_(self) -> str:
        return _FIGURES.render(figures=self._encoded(), empty=self.empty)

    def __repr__(self) -> str:
        if not self.charts:
            return self.empty
        return "\n".join(f"[chart] {c.title}" for c in self.charts)


@dataclass
class Note:
    """A short block of text (escaped); ``warning`` marks every paragraph, while
    ``warning_lines`` come first and alone carry the warning style."""

    paragraphs: list[str]
    heading: str = ""
    warning: bool = False
    warning_lines: tuple[str, ...] = ()

    def _repr_html_(self) -> str:
        return _NOTE.render(
            paragraphs=self.paragraphs,
            heading=self.heading,
            warning=self.warning,
            warning_lines=self.warning_lines,
        )

    def __repr__(self) -> str:
        parts = [self.heading] if self.heading else []
        return "\n".join([*parts, *self.warning_lines, *self.paragraphs])


@dataclass
class KeyFigures:
    """A few headline figures as plain lines (checked by nbval against stored values)."""

    lines: list[str]

    def __repr__(self) -> str:
        return "\n".join(self.lines) if self.lines else "(no key figures)"
