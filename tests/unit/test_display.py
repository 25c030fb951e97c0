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
    # both headers scoped to their column; the figure's header aligned like its figures
    assert html.count('<th scope="col"') == 2 and '<th scope="col" class="kass-number">' in html
    assert "<h3>" not in html  # the caption names the table; no heading out of order
    # text left (no class), the figure right-aligned by the template's .kass-number rule
    assert "<td>&lt;b&gt;Day care&lt;/b&gt;</td>" in html
    assert '<td class="kass-number">£1,234.5</td>' in html
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


def test_yes_no_columns_say_not_available_and_blank_notes_stay_blank():
    frame = pd.DataFrame(
        {
            "indicator_name": ["Contacts resolved at source", "Older people in nursing care"],
            "met_target": pd.array([True, pd.NA], dtype="boolean"),
            "flagged": [np.bool_(False), np.bool_(True)],
            "note": [np.nan, np.nan],
            "suspect_reason": ["numerator above denominator", None],
            "target": [25.0, np.nan],
        }
    )
    cells = Table(frame, "Trends")._formatted()
    assert cells["Met target"].tolist() == ["yes", "not available"]
    assert cells["Flagged"].tolist() == ["no", "yes"]
    assert cells["Note"].tolist() == ["", ""]  # no note is no note, not "[x]"
    assert cells["Suspect reason"].tolist() == ["numerator above denominator", ""]
    assert cells["Target"].tolist() == ["25", "[x]"]  # a missing figure keeps the marker


def test_indicator_code_is_small_text_under_its_name_not_a_column():
    frame = pd.DataFrame(
        {"indicator_name": ["Contacts resolved at source"], "latest": [25.3], "code": ["KCC-X"]}
    )
    html = Table(frame, "Trends")._repr_html_()
    headers = re.findall(r"<th[^>]*>(.*?)</th>", html)
    assert headers == ["Indicator name", "Latest"]
    assert '<td>Contacts resolved at source<br><small class="kass-code">KCC-X</small></td>' in html


# What a column declares decides how it is shown; only undeclared columns are judged by
# their values and names. Expected cells are written out by hand.


def test_a_column_declared_as_text_is_words_whatever_its_name_or_values():
    from kassanalysis.report.display import TEXT_UNIT

    frame = pd.DataFrame(
        {
            "authority": ["Kent", "Surrey", "Essex"],
            # a CASSR code read back as numbers: a label, not the figure 8,820
            "cassr_code": [8820.0, 936.0, np.nan],
            "status": ["reported", "missing", None],
        }
    )
    table = Table(frame, "Councils", units={"cassr_code": TEXT_UNIT, "status": TEXT_UNIT})
    cells = table._formatted()
    assert cells["Cassr code"].tolist() == ["8820", "936", ""]  # a blank code: nothing to say
    assert cells["Status"].tolist() == ["reported", "missing", ""]
    html = table._repr_html_()
    assert "<td>8820</td>" in html  # words align left: no kass-number class
    assert re.findall(r"<th[^>]*>(.*?)</th>", html) == ["Authority", "Cassr code", "Status"]


def test_a_column_declared_with_a_unit_is_figures_even_when_named_like_a_note():
    # "comments" names a note column, but the table says it counts people: a missing count
    # is a missing figure ([x]), never a blank "nothing to say"
    frame = pd.DataFrame({"team": ["North", "South"], "comments": [1234.0, np.nan]})
    table = Table(frame, "Feedback", units={"comments": "count of people"})
    assert table._formatted()["Comments (people)"].tolist() == ["1,234", "[x]"]
    assert '<td class="kass-number">1,234</td>' in table._repr_html_()
    # undeclared, the same column is still a figure: it holds numbers
    assert Table(frame, "Feedback")._formatted()["Comments"].tolist() == ["1,234", "[x]"]


def test_a_year_or_period_held_as_a_number_is_a_label_and_a_missing_one_is_x():
    frame = pd.DataFrame(
        {
            "financial_year": [2023.0, 2024.0, np.nan],  # start years, read back as floats
            "period": [1, 2, 3],
            "value": [12345.0, np.nan, 7.5],
        }
    )
    table = Table(frame, "Values by year")
    cells = table._formatted()
    assert cells["Financial year"].tolist() == ["2023", "2024", "[x]"]  # not "2,023", not ""
    assert cells["Period"].tolist() == ["1", "2", "3"]
    assert cells["Value"].tolist() == ["12,345", "[x]", "7.5"]
    html = table._repr_html_()
    assert "<td>2023</td>" in html and '<td class="kass-number">12,345</td>' in html


def test_a_period_column_of_text_keeps_the_missing_marker_but_other_text_is_a_note():
    frame = pd.DataFrame({"period": ["2024-25 Q1", None], "status": ["ok", None]})
    cells = Table(frame, "Periods")._formatted()
    assert cells["Period"].tolist() == ["2024-25 Q1", "[x]"]  # a missing period is missing
    assert cells["Status"].tolist() == ["ok", ""]  # undeclared text: blank is nothing to say
