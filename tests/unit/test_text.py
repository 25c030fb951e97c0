"""Grapheme-safe truncation and one-line cleaning (kassanalysis.text).

Expected strings are worked out by counting code points by hand (noted beside each case).
"""

from __future__ import annotations

import pytest

from kassanalysis.text import one_line, truncate_for_display

UK_FLAG = "\U0001f1ec\U0001f1e7"  # two regional indicators, one visible flag
WALES = "\U0001f3f4\U000e0077\U000e006c\U000e0073\U000e007f"  # a tag sequence: 5 code points
NURSE = "\U0001f9d1\U0001f3fd\u200d\u2695\ufe0f"  # person, skin tone, ZWJ, staff, VS16


@pytest.mark.parametrize(
    ("text", "max_chars", "expected"),
    [
        # "Team " is 5 code points, the flag 2, " North" 6: 13 in all. At 7 there is room
        # for 6 before the ellipsis, which would cut the flag after its first half: the
        # cut backs off to "Team" (trailing space dropped).
        (f"Team {UK_FLAG} North", 7, "Team\u2026"),
        # at 8, room for 7: "Team " + the whole flag
        (f"Team {UK_FLAG} North", 8, f"Team {UK_FLAG}\u2026"),
        # the Welsh flag is 5 code points; "Wales " 6: room 8 at 9 keeps only "Wales"
        (f"Wales {WALES} region", 9, "Wales\u2026"),
        (f"Wales {WALES} region", 12, f"Wales {WALES}\u2026"),
        # "Ynys Mo" + combining circumflex (U+0302) is one letter "ô": at 8 there is room
        # for 7, which would strip the accent off the "o": the cut keeps "Ynys M"
        ("Ynys Mo\u0302n council", 8, "Ynys M\u2026"),
        ("Ynys M\u00f4n council", 8, "Ynys M\u00f4\u2026"),  # precomposed: one code point
        (f"Nurse {NURSE} team", 9, "Nurse\u2026"),  # the 5-point emoji is kept whole or not at all
    ],
)
def test_truncation_never_cuts_a_visible_character(text, max_chars, expected):
    result = truncate_for_display(text, max_chars)
    assert result == expected
    assert len(result) <= max_chars


def test_short_text_is_unchanged_and_tiny_limits_are_refused():
    assert truncate_for_display(f"{UK_FLAG} UK", 60) == f"{UK_FLAG} UK"
    with pytest.raises(ValueError, match="max_chars"):
        truncate_for_display("abc", 1)


def test_one_line_cleans_and_collapses():
    assert one_line("Ashford\r\n\tand\x00 Dover ") == "Ashford and Dover"
    assert one_line(None) == ""
    assert one_line(float("nan")) == ""


def test_line_and_paragraph_separators_become_spaces():
    # U+2028 is a line break to some readers and nothing to others: a space keeps words apart
    assert one_line("Ashford\u2028Dover\u2029Thanet") == "Ashford Dover Thanet"
