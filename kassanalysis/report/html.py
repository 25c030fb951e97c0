"""Executed notebooks to HTML for readers: no code, sanitised, images embedded, offline.

nbconvert's own sanitiser keeps too little for a report (it escapes headings, table headers
and images), so the exporter's ``clean_html`` filter is replaced by :func:`sanitise_html`:
an explicit allow-list that keeps document structure, tables and charts embedded as base64
PNG or SVG images (an SVG shown through ``<img>`` can run nothing) with their alt text, and
drops scripts, event handlers, styles and links to anything but ``https``/``mailto``/in-page
anchors. The template (``templates/kass_report``) loads nothing
from the internet.

For readers of every kind (checked with axe-core in ``tests/integration/test_accessibility.py``)
the page is British English (``lang="en-GB"``), titled with its analysis, division and period,
has a navigation landmark linking to the pack's index and the division's other reports, keeps
the report inside the ``main`` landmark, and carries neither nbconvert's pilcrow anchor links
nor its ``tabindex="0"`` on every cell (which put dozens of non-interactive blocks in the
keyboard's path).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from pathlib import Path

import nbformat
import nh3

from kassanalysis import io as kio
from kassanalysis.text import clean_control_characters

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

    Control characters (NUL, BEL, ESC, VT, NEL...) are removed and the Unicode line
    separators become spaces (:func:`kassanalysis.text.clean_control_characters`):

    >>> sanitise_html('<p>Care\x07 home\x1b\u2028North</p>')
    '<p>Care home North</p>'
    """
    return nh3.clean(
        clean_control_characters(str(html)),
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
    exporter.exclude_anchor_links = True
    exporter.register_filter("clean_html", sanitise_html)
    return exporter


# nbconvert makes every cell's input and output wrapper focusable (tabindex="0") after
# rendering; only these wrappers get it (the sanitiser drops tabindex from notebook output).
_FOCUSABLE_WRAPPER = re.compile(
    r'(<div class="[^"]*\b(?:jp-Cell-inputWrapper|jp-OutputArea-output)\b[^"]*"[^>]*?)'
    r' tabindex="0"'
)


def export_html(
    notebook_path: Path,
    html_path: Path,
    *,
    title: str | None = None,
    navigation: Sequence[tuple[str, str]] = (),
) -> Path:
    """Write the reader's HTML for an executed notebook (atomically).

    Parameters
    ----------
    notebook_path, html_path : pathlib.Path
        The executed notebook, and where its HTML goes.
    title : str, optional
        The page title (what a browser tab and a screen reader announce first), e.g.
        ``"Variance report: Older People and Physical Disability, 2013-14 Q1"``; defaults to
        the notebook's file name.
    navigation : sequence of (label, href)
        Links for the navigation bar above the report, in order; an ``href`` equal to the
        HTML file's own name is marked as the current page.

    Returns
    -------
    pathlib.Path
        ``html_path``. The page holds no control characters (see
        :func:`kassanalysis.text.clean_control_characters`).
    """
    notebook = nbformat.read(str(notebook_path), as_version=4)
    notebook.metadata["title"] = title or Path(notebook_path).stem
    resources = {
        "kass_navigation": [
            {"label": label, "href": href, "current": href == Path(html_path).name}
            for label, href in navigation
        ]
    }
    body, _ = _exporter().from_notebook_node(notebook, resources=resources)
    # Names in the data are untrusted: no control character (NUL, BEL, ESC, VT, NEL,
    # U+2028...) reaches the page, whichever part of it (title, printed output, table,
    # navigation) carried it. Cleaned after rendering, so that ANSI colour sequences in
    # printed output were first turned into styled text by nbconvert.
    body = clean_control_characters(body)
    body = body.replace('<html lang="en">', '<html lang="en-GB">', 1)
    body = _FOCUSABLE_WRAPPER.sub(r"\1", body)
    return kio.write_text(body, Path(html_path))
