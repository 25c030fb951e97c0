"""Text from data made fit to show: control characters out, one line, shortened safely.

Names in the data (councils, budget lines, localities, care homes) are untrusted text. This
module holds the plain-text helpers that every output shares (charts, tables, workbooks):
it imports nothing from the rest of the package, so any layer may use it.

* :func:`clean_control_characters` - drop characters that have no visible form.
* :func:`one_line` - a value as one clean line (missing -> ``""``).
* :func:`truncate_for_display` - shorten for a label without cutting a visible character
  (user-perceived character, Unicode "extended grapheme cluster", matched with the
  ``regex`` package's ``\\X``): a flag, an emoji with a skin tone or an accented letter
  written with a combining accent is never cut in half.
"""

from __future__ import annotations

import re

import pandas as pd
import regex

__all__ = ["clean_control_characters", "one_line", "split_lines", "truncate_for_display"]

_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# Lone surrogates: what is left of undecodable bytes (surrogateescape); not encodable.
_LONE_SURROGATES = re.compile("[\ud800-\udfff]")
# Unicode line and paragraph separators: line breaks to some readers, not to others; shown
# as a space so that words stay apart.
_SEPARATORS = re.compile("[\u2028\u2029]")
_GRAPHEME = regex.compile(r"\X")
# Unicode line and paragraph separators: line breaks to some readers, not to others; shown
# as a space so that words stay apart.
_SEPARATORS = re.compile("[\u2028\u2029]")


def clean_control_characters(text: str, replacement: str = "") -> str:
    """Remove invisible control characters that outputs cannot carry.

    * Line breaks are kept: CRLF and lone CR become LF (``\\n``); tab is kept.
    * Other C0 controls (U+0000-U+001F), DEL (U+007F), C1 controls
      (U+0080-U+009F) and the non-characters U+FFFE/U+FFFF are replaced with
      ``replacement`` (removed by default). They have no visible form, so
      removing them keeps the visible text the same, and XML 1.0 - the format
      inside xlsx - cannot store most of them (xlsxwriter would otherwise write
      escapes such as ``_x0007_`` that some readers show literally).
    * The Unicode line and paragraph separators (U+2028, U+2029) become a space.
    * Lone surrogates (left by undecodable bytes) become U+FFFD, the visible
      replacement character, because they cannot be encoded at all.

    Parameters
    ----------
    text : str
        Text from data.
    replacement : str, default ""
        What to put in place of each control character, e.g. ``"\\ufffd"`` to
        make them visible while checking data quality.

    Returns
    -------
    str
        Cleaned text.

    Raises
    ------
    TypeError
        If ``text`` is not a string.
    ValueError
        If ``replacement`` itself holds a control character.

    Examples
    --------
    >>> clean_control_characters("Care\\x00 home\\x07\\r\\nNorth\\x1b")
    'Care home\\nNorth'
    >>> clean_control_characters("a\\x07b", replacement="\\ufffd")
    'a\\ufffdb'
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    if _CONTROL_CHARACTERS.search(replacement) or "\r" in replacement:
        raise ValueError("replacement must not itself contain control characters")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _LONE_SURROGATES.sub("\ufffd", text)
    text = _SEPARATORS.sub(" ", text)
    return _CONTROL_CHARACTERS.sub(replacement, text)


def one_line(value: object) -> str:
    """A value from data as one clean line: control characters removed, whitespace (line
    breaks included) collapsed to single spaces; a missing value is ``""``.

    Examples
    --------
    >>> one_line("Ashford\\r\\n  and\\x07 Dover "), one_line(float("nan")), one_line(12)
    ('Ashford and Dover', '', '12')
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    try:
        if bool(pd.isna(value)):
            return ""
    except (TypeError, ValueError):
        pass
    return " ".join(clean_control_characters(str(value)).split())


def truncate_for_display(text: str, max_chars: int = 60, *, ellipsis: str = "\u2026") -> str:
    """Shorten text for a chart label or axis, ending with an ellipsis.

    Text of at most ``max_chars`` code points is returned unchanged. Longer text is cut
    between two user-perceived characters (grapheme clusters, Unicode Standard Annex #29,
    as the ``regex`` module's ``\\X`` matches them) so that the result, ellipsis included,
    has at most ``max_chars`` code points; trailing spaces before the ellipsis are
    dropped. Keep the full text in tidy data and tables; truncate only for display.

    Parameters
    ----------
    text : str
        Text to shorten.
    max_chars : int, default 60
        Maximum length of the result, in code points.
    ellipsis : str, default "…"
        Marker appended to shortened text.

    Returns
    -------
    str
        The text, shortened if needed.

    Raises
    ------
    ValueError
        If ``max_chars`` leaves no room for one character and the ellipsis.

    Examples
    --------
    >>> truncate_for_display("Supported living services", max_chars=17)
    'Supported living…'
    >>> truncate_for_display("Wales \\U0001F3F4\\U000E0077\\U000E006C\\U000E0073\\U000E007F", 9)
    'Wales…'
    """
    if max_chars < len(ellipsis) + 1:
        raise ValueError(f"max_chars must be at least {len(ellipsis) + 1}, got {max_chars}")
    if len(text) <= max_chars:
        return text
    room = max_chars - len(ellipsis)
    kept = 0
    for cluster in _GRAPHEME.finditer(text):
        if cluster.end() > room:
            break
        kept = cluster.end()
    return text[:kept].rstrip() + ellipsis


def split_lines(text: str) -> list[str]:
    """Lines of ``text`` broken at LF, CRLF or a lone CR only.

    :meth:`str.splitlines` also breaks at vertical tab, form feed, the file, group and
    record separators (1C-1E), NEL (U+0085) and the Unicode line and paragraph separators
    (U+2028, U+2029); a stray one inside a cell would shift every later line number, so
    that errors and ``source_line`` cite the wrong line. Those characters stay in the line.

    Examples
    --------
    >>> split_lines("a\\x0bb\\r\\nc\\u2028d\\n")
    ['a\\x0bb', 'c\\u2028d']
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines
