"""Hostile and odd text through every kassanalysis.publish.safe_text function."""

import math

import numpy as np
import pandas as pd
import pytest

from kassanalysis.publish.safe_text import (
    clean_control_characters,
    escape_html,
    neutralise_for_csv,
    neutralise_frame_for_csv,
    truncate_for_display,
)

SCRIPT = '<script>alert("x")</script>'
HYPERLINK = '=HYPERLINK("http://evil","x")'
PLUS = "+1"
MINUS_SUM = "-2+3"
AT_SUM = "@SUM(A1)"
CONTROLS = "a\x00b\x07c\x1bd"
LONG = "x" * 10_000
CYRILLIC = "ТВС"  # Cyrillic Te, Ve, Es: looks like Latin "TBC"
EMOJI = "Nurse 👩🏽‍⚕️ team"  # woman + skin tone + ZWJ + staff of Aesculapius + VS16


# --------------------------------------------------------------------------- CSV


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SCRIPT, SCRIPT),
        (HYPERLINK, "'" + HYPERLINK),
        (PLUS, "'+1"),
        (MINUS_SUM, "'-2+3"),
        (AT_SUM, "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\rcmd", "'\rcmd"),
        (" =1+1", "' =1+1"),  # some importers trim leading spaces
        ("\u00a0@x", "'\u00a0@x"),  # no-break space too
        (CONTROLS, CONTROLS),
        (LONG, LONG),
        ("=" + LONG, "'=" + LONG),
        (CYRILLIC, CYRILLIC),
        (EMOJI, EMOJI),
        ("Day care = good", "Day care = good"),  # only the first character matters
        ("", ""),
    ],
)
def test_neutralise_for_csv(text, expected):
    assert neutralise_for_csv(text) == expected


@pytest.mark.parametrize("value", [-2, -2.5, 0, np.int64(-7), np.float64(-1.5), True, None])
def test_neutralise_for_csv_leaves_non_text_alone(value):
    assert neutralise_for_csv(value) is value


def test_neutralise_for_csv_leaves_nan_alone():
    assert math.isnan(neutralise_for_csv(float("nan")))


def test_neutralise_frame_for_csv_changes_only_text_cells():
    frame = pd.DataFrame(
        {
            "name": [SCRIPT, HYPERLINK, PLUS, MINUS_SUM, AT_SUM, CONTROLS, LONG, CYRILLIC, EMOJI],
            "spend": [-2.5, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            "count": [-2, -1, 0, 1, 2, 3, 4, 5, 6],
            "marked": [12, "[c]", "[x]", "-5", -5, 1.5, "\x00=2", None, "=A1"],
        }
    )
    before = frame.copy()
    result = neutralise_frame_for_csv(frame)

    assert result["name"].tolist() == [
        SCRIPT,
        "'" + HYPERLINK,
        "'+1",
        "'-2+3",
        "'@SUM(A1)",
        "abcd",  # control characters cleaned, as in the spreadsheet
        LONG,
        CYRILLIC,
        EMOJI,
    ]
    pd.testing.assert_series_equal(result["spend"], frame["spend"])
    pd.testing.assert_series_equal(result["count"], frame["count"])
    # Numbers stay numbers, even negative ones; text that looks like a negative
    # number is still text and is neutralised. Cleaning comes before the check,
    # so removing "\x00" cannot uncover "=2".
    assert result["marked"].tolist() == [12, "[c]", "[x]", "'-5", -5, 1.5, "'=2", None, "'=A1"]
    pd.testing.assert_frame_equal(frame, before)


def test_neutralise_frame_for_csv_covers_labels_and_keeps_dtypes():
    frame = pd.DataFrame(
        {
            "=cmd": ["=1", "ok"],
            "area": pd.Categorical(["@x", "y"]),
            "text": pd.array(["-z", "z"], dtype="string"),
        },
        index=["+row", "row"],
    )
    result = neutralise_frame_for_csv(frame)

    assert result.columns.tolist() == ["'=cmd", "area", "text"]
    assert result.index.tolist() == ["'+row", "row"]
    assert result["'=cmd"].tolist() == ["'=1", "ok"]
    assert result["area"].dtype == "category"
    assert result["area"].tolist() == ["'@x", "y"]
    assert result["text"].dtype == frame["text"].dtype
    assert result["text"].tolist() == ["'-z", "z"]


def test_neutralise_frame_for_csv_can_skip_cleaning():
    frame = pd.DataFrame({"name": [CONTROLS]})
    assert neutralise_frame_for_csv(frame, clean=False)["name"].tolist() == [CONTROLS]


# --------------------------------------------------------------------------- control characters


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SCRIPT, SCRIPT),
        (HYPERLINK, HYPERLINK),
        (PLUS, PLUS),
        (MINUS_SUM, MINUS_SUM),
        (AT_SUM, AT_SUM),
        (CONTROLS, "abcd"),
        (LONG, LONG),
        (CYRILLIC, CYRILLIC),
        (EMOJI, EMOJI),  # ZWJ and variation selectors are not control characters
        ("one\r\ntwo\rthree\n\tfour", "one\ntwo\nthree\n\tfour"),
        ("\x7fdel \x85nel \x9fapc", "del nel apc"),
        ("\x0bvertical\x0cfeed", "verticalfeed"),
        ("not\ufffea\uffffchar", "notachar"),
        ("lone \ud800 surrogate", "lone \ufffd surrogate"),
    ],
)
def test_clean_control_characters(text, expected):
    assert clean_control_characters(text) == expected


def test_clean_control_characters_can_make_them_visible():
    assert clean_control_characters(CONTROLS, replacement="\ufffd") == ("a\ufffdb\ufffdc\ufffdd")


def test_clean_control_characters_refuses_bad_input():
    with pytest.raises(TypeError):
        clean_control_characters(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="replacement"):
        clean_control_characters("x", replacement="\x00")


# --------------------------------------------------------------------------- HTML


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SCRIPT, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"),
        (HYPERLINK, "=HYPERLINK(&quot;http://evil&quot;,&quot;x&quot;)"),
        (PLUS, "+1"),
        (MINUS_SUM, "-2+3"),
        (AT_SUM, "@SUM(A1)"),
        (CONTROLS, "abcd"),
        (LONG, LONG),
        (CYRILLIC, CYRILLIC),
        (EMOJI, EMOJI),
        ("O'Neill & Sons <Ltd>", "O&#x27;Neill &amp; Sons &lt;Ltd&gt;"),
        ('<img src=x onerror="alert(1)">', "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"),
    ],
)
def test_escape_html(text, expected):
    assert escape_html(text) == expected


# --------------------------------------------------------------------------- truncation


@pytest.mark.parametrize(
    ("text", "max_chars", "expected"),
    [
        (SCRIPT, 60, SCRIPT),
        (SCRIPT, 10, "<script>a…"),
        (HYPERLINK, 10, "=HYPERLIN…"),
        (PLUS, 2, PLUS),
        (MINUS_SUM, 3, "-2…"),
        (AT_SUM, 60, AT_SUM),
        (CONTROLS, 60, CONTROLS),  # truncation does not clean; clean first if needed
        (LONG, 60, "x" * 59 + "…"),
        (CYRILLIC, 60, CYRILLIC),
        (CYRILLIC, 2, "Т…"),
        (EMOJI, 60, EMOJI),
        # Cutting at 8 would split the emoji after its skin tone; back off to
        # before the whole emoji and drop the trailing space.
        (EMOJI, 9, "Nurse…"),
        # "e" + combining acute accent is one visible letter: keep them together.
        ("Cafe\u0301 services", 5, "Caf…"),
        ("Cafe\u0301 services", 6, "Cafe\u0301…"),
    ],
)
def test_truncate_for_display(text, max_chars, expected):
    result = truncate_for_display(text, max_chars=max_chars)
    assert result == expected
    assert len(result) <= max_chars


def test_truncate_for_display_default_length_and_custom_ellipsis():
    assert truncate_for_display(LONG) == "x" * 59 + "…"
    assert truncate_for_display(LONG, max_chars=10, ellipsis="...") == "x" * 7 + "..."
    with pytest.raises(ValueError, match="max_chars"):
        truncate_for_display(LONG, max_chars=1)
