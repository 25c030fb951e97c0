"""Executed notebooks to HTML for readers: no code, sanitised, images embedded, offline.

nbconvert's own sanitiser keeps too little for a report (it escapes headings, table headers
and images), so the exporter's ``clean_html`` filter is replaced by :func:`sanitise_html`:
an explicit allow-list that keeps document structure, tables and charts embedded as base64
PNG or SVG images (an SVG shown through ``<img>`` can run nothing) with their alt text, and
drops scripts, event handlers, styles and links to anything but ``https``/``mailto``/in-page
anchors. The template (``templates/kass_report``) loads nothing
from the internet.
"""

from __future__ import annotations

import functools
from pathlib import Path

import bleach
import nbformat

from kassanalysis import io as kio

TEMPLATES = Path(__file__).parent / "templates"
ALLOWED_TAGS = sorted(
    {
        *bleach.ALLOWED_TAGS,
        "p",
        "div",
        "span",
        "br",
        "hr",
        "pre",
        "code",
        "section",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "th",
        "td",
        "caption",
        "figure",
        "figcaption",
        "img",
        "sup",
        "sub",
        "dl",
        "dt",
        "dd",
    }
)
ALLOWED_ATTRIBUTES = {
    **bleach.ALLOWED_ATTRIBUTES,
    "*": ["class", "id"],
    "img": ["src", "alt", "width", "height"],
    "th": ["colspan", "rowspan", "scope"],
    "td": ["colspan", "rowspan"],
}


def _allow_attribute(tag: str, name: str, value: str) -> bool:
    if tag == "img" and name == "src":
        return value.startswith(("data:image/png;base64,", "data:image/svg+xml;base64,"))
    if name == "href":
        return value.startswith(("https://", "mailto:", "#"))
    return name in ALLOWED_ATTRIBUTES.get(tag, []) or name in ALLOWED_ATTRIBUTES["*"]


def sanitise_html(html: str) -> str:
    """Keep report structure, drop anything that could run or fetch.

    Examples
    --------
    >>> sanitise_html('<h3>A</h3><script>alert(1)</script><img src="x" onerror="y">')
    '<h3>A</h3>&lt;script&gt;alert(1)&lt;/script&gt;<img>'
    >>> sanitise_html('<a href="data:text/html;base64,AAAA">x</a>')
    '<a>x</a>'
    >>> sanitise_html('<img src="data:image/svg+xml;base64,AAAA" alt="Kent &lt;b&gt;">')
    '<img src="data:image/svg+xml;base64,AAAA" alt="Kent &lt;b&gt;">'
    >>> sanitise_html('<img src="data:image/svg+xml,<svg onload=x>">')
    '<img>'
    """
    attributes = {tag: _allow_attribute for tag in ALLOWED_TAGS}
    return bleach.clean(
        str(html),
        tags=ALLOWED_TAGS,
        attributes=attributes,
        protocols=["https", "mailto", "data"],
        strip=False,
    )


@functools.cache
def _exporter():
    """One configured exporter per process: a pack worker exports many notebooks, and
    building the exporter loads and compiles its templates."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="kass_report", extra_template_basedirs=[str(TEMPLATES)])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.sanitize_html = True
    exporter.embed_images = True
    exporter.register_filter("clean_html", sanitise_html)
    return exporter


def export_html(notebook_path: Path, html_path: Path) -> Path:
    """Write the reader's HTML for an executed notebook (atomically)."""
    notebook = nbformat.read(str(notebook_path), as_version=4)
    body, _ = _exporter().from_notebook_node(notebook)
    return kio.write_text(body, Path(html_path))
