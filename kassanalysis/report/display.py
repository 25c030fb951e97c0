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
from markupsafe import Markup, escape

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
# table for a screen reader, and each heading says it heads a column.
_CAPTION = _ENV.from_string("<caption>{{ caption }}</caption>")
_FIGURES = _ENV.from_string(
    """{% for f in figures %}<figure class="kass-figure">
<img src="data:image/svg+xml;base64,{{ f.svg }}" alt="{{ f.alt }}">
<figcaption>{{ f.title }}</figcaption>
</figure>
{% endfor %}{% if not figures %}<p>{{ empty }}</p>{% endif %}"""
)
_NOTE = _ENV.from_string(
    """{% if heading %}<h3>{{ heading }}</h3>{% endif %}{% for p in warning_lines %}
<p class="kass-warning">{{ p }}</p>{% endfor %}{% for p in paragraphs %}
<p{% if warning %} class="kass-warning"{% endif %}>{{ p }}</p>{% endfor %}"""
)


def format_value(value: object, unit: str | None = None) -> str:
    """A table cell: by the unit's rule when the column has one (:mod:`kassanalysis.formatting`),
    otherwise whole numbers with separators and other numbers to at most three decimals;
    missing shows as the GSS marker ``[x]`` (explained on the page), booleans as words.

    Examples
    --------
    >>> format_value(float("nan")), format_value(1234.5), format_value(3.0), format_value("a")
    ('[x]', '1,234.5', '3', 'a')
    >>> format_value(1452.0, "count of people"), format_value(31871.04, "GBP thousands")
    ('1,452', '£31,871.0')
    """
    if is_missing(value):
        return MISSING_MARKER
    if isinstance(value, bool):
        return "yes" if value else "no"
    if unit is not None and isinstance(value, int | float):
        return format_number(value, unit, missing=MISSING_MARKER)
    if isinstance(value, int | float):
        return format_plain(value)
    return str(value)


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
    unit in the heading (``"Budget (£000)"``)."""
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
            if column in self.changes:
                base, new = self.changes[column]
                out[column] = [
                    format_percent_change(b, n, sign=True) if _numeric(b, n) else format_value(v)
                    for b, n, v in zip(
                        self.frame[base], self.frame[new], self.frame[column], strict=True
                    )
                ]
            elif column in self.units:
                unit = self.units[column]
                out[column] = out[column].map(lambda v, u=unit: format_value(v, u))
            elif column in self.row_units:
                out[column] = [
                    format_value(v, None if is_missing(u) else str(u))
                    for v, u in zip(out[column], row_unit, strict=True)
                ]
            else:
                out[column] = out[column].map(format_value)
        if "unit" in out.columns and self.row_units:
            out["unit"] = [u if is_missing(u) else unit_header(str(u)) for u in row_unit]
        return out.rename(columns=self._heading)

    def _heading(self, name: object) -> str:
        header = unit_header(self.units[name]) if name in self.units else ""
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
        """The formatted frame as an escaped HTML table with a caption, column headers
        scoped to their columns, and headers aligned left like the text they head."""
        html = self._formatted().to_html(index=False, escape=True, border=0, justify="left")
        html = html.replace("<th>", '<th scope="col">')  # index=False: only column headers
        if self.row_anchors:
            head, body = html.split("<tbody>", 1)
            rows = body.split("<tr>")
            ids = [str(escape(v)) for v in self.frame[self.row_anchors]]
            html = head + "<tbody>" + rows[0]
            html += "".join(f'<tr id="{i}">{r}' for i, r in zip(ids, rows[1:], strict=True))
        opening, rest = html.split(">", 1)
        return Markup(opening + ">") + Markup(_CAPTION.render(caption=self.caption)) + Markup(rest)

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
