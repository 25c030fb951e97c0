"""What a report cell shows (kassanalysis.report.display): table markup and cell words."""

import re

import numpy as np
import pandas as pd

from kassanalysis.report.display import Table, format_value


def test_table_has_an_escaped_caption_and_scoped_column_headers():
    table = Table(
        pd.DataFrame({"line_name": ["<b>Day care</b>"], "budget": [1234.5]}),
        "Budget <2013-14>",
        units={"budget": "GBP thousands"},
    )
    html = table._repr_html_()
    assert "<caption>Budget &lt;2013-14&gt;</caption>" in html
    headers = re.findall(r"<th[^>]*>(.*?)</th>", html)
    assert headers == ["Line name", "Budget (£000)"]
    assert html.count('<th scope="col">') == 2
    assert "<h3>" not in html  # the caption names the table; no heading out of order
    assert "&lt;b&gt;Day care&lt;/b&gt;" in html and "<td>£1,234.5</td>" in html
    assert "text-align: right" not in html  # headers align left, like the text they head


def test_empty_table_says_so_under_its_caption():
    html = Table(pd.DataFrame(), "Staffing").__repr__()
    assert html == "Staffing\nNo rows."
    assert "<p>No rows.</p>" in Table(pd.DataFrame(), "Staffing")._repr_html_()


def test_cells_use_words_for_booleans_and_the_marker_for_missing():
    assert [format_value(v) for v in (True, False, np.nan, None)] == ["yes", "no", "[x]", "[x]"]


def test_a_table_can_carry_a_section_anchor_and_row_anchors():
    from kassanalysis.report.display import Table

    frame = pd.DataFrame({"name": ["A & B", "C"], "anchor": ["indicator-a", "indicator-c"]})
    html = Table(frame, "Caption", anchor="trend-tests", row_anchors="anchor")._repr_html_()
    assert '<section class="kass-table" id="trend-tests">' in html
    assert '<tr id="indicator-a">' in html and '<tr id="indicator-c">' in html
    assert html.index('id="indicator-a"') < html.index("A &amp; B") < html.index('id="indicator-c"')
    assert ">Anchor<" not in html  # the id column is not shown
    assert "anchor" not in repr(Table(frame, "Caption", row_anchors="anchor")).split("\n")[1]
