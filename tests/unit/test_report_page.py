"""The reader's HTML page around a report (report/html.py's export and its template):
language, title, landmarks, navigation, and nothing that gets in a keyboard user's way."""

from __future__ import annotations

import re

import nbformat
import pytest

from kassanalysis.report.html import export_html


@pytest.fixture
def executed_notebook(tmp_path):
    """A notebook as papermill leaves it: a markdown heading and a cell with an HTML table."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Variance analysis\n\nText."),
        nbformat.v4.new_code_cell(
            "show(table)",
            execution_count=1,
            outputs=[
                nbformat.v4.new_output(
                    "display_data",
                    data={
                        "text/html": '<h2>Budget</h2><table><tr><th scope="col">A</th></tr>'
                        '<tr><td tabindex="0">1</td></tr></table>'
                    },
                )
            ],
        ),
    ]
    path = tmp_path / "variance.ipynb"
    nbformat.write(notebook, path)
    return path


def test_page_is_british_english_titled_and_has_its_landmarks(executed_notebook, tmp_path):
    html = export_html(
        executed_notebook,
        tmp_path / "variance.html",
        title="Variance report: Older People <& Physical Disability>, 2013-14 Q1",
        navigation=[
            ("Pack index", "../index.html#oppd"),
            ("Trend report", "trend.html"),
            ("Variance report", "variance.html"),
        ],
    ).read_text(encoding="utf-8")
    assert '<html lang="en-GB">' in html
    # the title names analysis, division and period, escaped (a name is untrusted text)
    assert (
        "<title>Variance report: Older People &lt;&amp; Physical Disability&gt;, 2013-14 Q1</title>"
    ) in html
    body = html[html.index("<body") :]
    header = body.index('<header class="kass-header">')
    main = body.index("<main>")
    assert header < main < body.index("Variance analysis") < body.index("</main>")
    nav = re.search(r'<nav aria-label="Report pack">(.*?)</nav>', body, re.S)[1]
    assert re.findall(r'href="([^"]+)"', nav) == [
        "../index.html#oppd",
        "trend.html",
        "variance.html",
    ]
    current = re.findall(r"<a ([^>]*)>([^<]*)</a>", nav)
    assert [label for attributes, label in current if 'aria-current="page"' in attributes] == [
        "Variance report"
    ]


def test_no_pilcrow_anchors_and_no_focus_stops_on_plain_blocks(executed_notebook, tmp_path):
    html = export_html(executed_notebook, tmp_path / "variance.html").read_text(encoding="utf-8")
    assert "¶" not in html and "anchor-link" not in html.split("</style>")[-1]
    assert (
        "tabindex" not in html.split("</head>")[1]
    )  # nbconvert's on every wrapper, and the output's own
    assert "<title>variance</title>" in html  # without a title, the file's name
    assert "<nav" not in html  # no links given, no empty navigation landmark
    assert "<main>" in html
