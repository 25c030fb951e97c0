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

import nbformat
import nh3

from kassanalysis import io as kio

TEMPLATES = Path(__file__).parent / "templates"
ALLOWED_TAGS = frozenset(
    {
        # what bleach allowed by default (this list used to start from bleach's)
        "a",
        "abbr",
        "acronym",
        "b",
        "blockquote",
        "em",
        "i",
        "li",
        "ol",
        "strong",
        "ul",
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
    "*": {"class", "id"},
    "a": {"href", "title"},
    "abbr": {"title"},
    "acronym": {"title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
}
_IMAGE_SOURCES = ("data:image/png;base64,", "data:image/svg+xml;base64,")
_LINK_TARGETS = ("https://", "mailto:", "#")


def _filter_attribute(tag: str, name: str, value: str) -> str | None:
    """An allowed attribute's value, or ``None`` to drop it: images only from embedded
    PNG or SVG, links only to https, mail or an anchor in the page."""
    if tag == "img" and name == "src":
        return value if value.startswith(_IMAGE_SOURCES) else None
    if name == "href":
        return value if value.startswith(_LINK_TARGETS) else None
    return value


def sanitise_html(html: str) -> str:
    """Keep report structure, drop anything that could run or fetch.

    Sanitised with nh3 (the Rust ``ammonia`` sanitiser): tags outside
    :data:`ALLOWED_TAGS` are removed (their text kept, except a script's or style's,
    which is removed with it), attributes outside :data:`ALLOWED_ATTRIBUTES` and comments
    are dropped, and links get ``rel="noopener noreferrer"``.

    Examples
    --------
    >>> sanitise_html('<h3>A</h3><script>alert(1)</script><img src="x" onerror="y">')
    '<h3>A</h3><img>'
    >>> sanitise_html('<a href="data:text/html;base64,AAAA">x</a>')
    '<a rel="noopener noreferrer">x</a>'
    >>> sanitise_html('<img src="data:image/svg+xml;base64,AAAA" alt="Kent &lt;b&gt;">')
    '<img src="data:image/svg+xml;base64,AAAA" alt="Kent &lt;b&gt;">'
    >>> sanitise_html('<img src="data:image/svg+xml,<svg onload=x>">')
    '<img>'
    >>> sanitise_html('<td>&lt;script&gt;alert(1)&lt;/script&gt; Ashford</td>')
    '&lt;script&gt;alert(1)&lt;/script&gt; Ashford'
    """
    return nh3.clean(
        str(html),
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_filter_attribute,
        url_schemes={"https", "mailto", "data"},
        strip_comments=True,
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
