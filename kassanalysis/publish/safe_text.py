"""Make text from data safe to publish in CSV, Excel and HTML outputs.

Names in the data (budget lines, localities, councils) are untrusted text. They
may hold markup, spreadsheet formulas, control characters, very long strings or
any Unicode. The helpers here keep the *visible* text the same while making sure
no output ever executes it:

* :func:`neutralise_for_csv` / :func:`neutralise_frame_for_csv` - OWASP "CSV
  Injection" mitigation: prefix ``'`` to a text cell that a spreadsheet would
  read as a formula.
* :func:`clean_control_characters` - drop characters that have no visible form
  and that XML 1.0 (so xlsx) cannot store.
* :func:`escape_html` - for code that builds HTML fragments by hand.
* :func:`truncate_for_display` - shorten labels for charts; keep full text in
  tidy data.
"""

from __future__ import annotations

import html
import re
import unicodedata

import pandas as pd

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""Leading characters that make a spreadsheet read a cell as a formula (OWASP)."""

_SIGN_TRIGGERS = ("=", "+", "-", "@")

# C0 controls except TAB (09) and LF (0A); CR (0D) is handled as a line break.
# DEL (7F) and the C1 block (80-9F) are invisible too. U+FFFE and U+FFFF are
# not characters at all and are excluded from XML 1.0's Char production.
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# Unicode line and paragraph separators: line breaks to some readers, not to others; shown
# as a space so that words stay apart.
_SEPARATORS = re.compile("[\u2028\u2029]")
# Lone surrogates (from undecodable bytes) cannot be encoded as UTF-8 at all.
_LONE_SURROGATES = re.compile("[\ud800-\udfff]")
_JOINERS = frozenset("\u200d\ufe0e\ufe0f")
_SKIN_TONES = range(0x1F3FB, 0x1F400)


def neutralise_for_csv(value: object) -> object:
    """Prefix ``'`` to a text value that a spreadsheet would run as a formula.

    OWASP's CSV Injection guidance: a cell must not begin with ``=``, ``+``,
    ``-``, ``@``, tab or carriage return. A text value that does gets a leading
    single quote, which spreadsheets treat as "this is text" and do not show.
    Text whose first visible character is ``=``, ``+``, ``-`` or ``@`` is
    prefixed too, because some spreadsheet importers trim leading spaces, and a
    zero-width or bidirectional character in front must not hide a formula.

    Only ``str`` values are changed. Numbers (including negative numbers),
    missing values and other objects are returned as they are.

    Parameters
    ----------
    value : object
        A cell value.

    Returns
    -------
    object
        The neutralised text, or ``value`` unchanged if it is not text or is safe.

    Examples
    --------
    >>> neutralise_for_csv('=HYPERLINK("http://evil","x")')
    '\\'=HYPERLINK("http://evil","x")'
    >>> neutralise_for_csv("-2+3"), neutralise_for_csv(-2), neutralise_for_csv("Kent")
    ("'-2+3", -2, 'Kent')
    >>> neutralise_for_csv("\\u200b=1+1")
    "'\\u200b=1+1"
    """
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_TRIGGERS) or _strip_invisible_lead(value).startswith(
        _SIGN_TRIGGERS
    ):
        return "'" + value
    return value


def _strip_invisible_lead(text: str) -> str:
    """``text`` without the blanks and invisible characters it starts with: spaces, controls
    and format characters such as zero-width space (U+200B), zero-width joiner, byte order
    mark and the bidirectional marks and overrides (U+200E, U+202A-U+202E, U+2066-U+2069),
    which a spreadsheet importer may drop before reading a formula.

    Examples
    --------
    >>> _strip_invisible_lead("\\u200b\\u202e =1+1")
    '=1+1'
    """
    for position, character in enumerate(text):
        if not (character.isspace() or unicodedata.category(character) in ("Cc", "Cf", "Zl", "Zp")):
            return text[position:]
    return ""


def neutralise_frame_for_csv(frame: pd.DataFrame, *, clean: bool = True) -> pd.DataFrame:
    """Return a copy of ``frame`` whose text cells are safe to write as CSV.

    Every text cell, text column label and text index label is passed through
    :func:`clean_control_characters` (unless ``clean=False``) and then
    :func:`neutralise_for_csv`. Cleaning comes first so that removing a control
    character cannot uncover a formula. Numeric, boolean and datetime columns
    are never touched; in object columns only ``str`` cells are, so numbers
    mixed with ``[c]`` markers stay numbers.

    Still write the CSV with a proper CSV writer (``DataFrame.to_csv``) so that
    commas, quotes and line breaks inside a cell are quoted (RFC 4180).

    Parameters
    ----------
    frame : pandas.DataFrame
        Output table.
    clean : bool, default True
        Also remove control characters, as the spreadsheet writer does, so the
        CSV shows the same text as the workbook.

    Returns
    -------
    pandas.DataFrame
        New frame; ``frame`` is not modified.

    Examples
    --------
    >>> table = pd.DataFrame({"line": ["=1+1", "Day care"], "spend": [-2.5, 3.0]})
    >>> neutralise_frame_for_csv(table)["line"].tolist()
    ["'=1+1", 'Day care']
    >>> neutralise_frame_for_csv(table)["spend"].tolist()
    [-2.5, 3.0]
    """

    def fix(value: object) -> object:
        if clean and isinstance(value, str):
            value = clean_control_characters(value)
        return neutralise_for_csv(value)

    result = frame.rename(index=fix, columns=fix)
    for position, dtype in enumerate(frame.dtypes):
        if (
            pd.api.types.is_numeric_dtype(dtype)
            or pd.api.types.is_bool_dtype(dtype)
            or pd.api.types.is_datetime64_any_dtype(dtype)
            or isinstance(dtype, (pd.PeriodDtype, pd.IntervalDtype))
            or pd.api.types.is_timedelta64_dtype(dtype)
        ):
            continue
        column = result.iloc[:, position]
        if isinstance(dtype, pd.CategoricalDtype):
            try:
                fixed = column.cat.rename_categories(fix)
            except ValueError:  # two categories became equal; fall back to plain objects
                fixed = column.astype(object).map(fix)
        else:
            fixed = column.map(fix)
            if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
                fixed = fixed.astype(dtype)
        result.isetitem(position, fixed)
    return result


def clean_control_characters(text: str, replacement: str = "") -> str:
    """Remove invisible control characters that outputs cannot carry.

    * Line breaks are kept: CRLF and lone CR become LF (``\\n``); tab is kept.
    * Other C0 controls (U+0000-U+001F), DEL (U+007F), C1 controls
      (U+0080-U+009F, NEL U+0085 among them) and the non-characters U+FFFE/U+FFFF
      are replaced with
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


def escape_html(text: str) -> str:
    """Clean control characters, then escape ``& < > " '`` for HTML.

    Use this only where HTML is built by hand; templates should rely on Jinja2
    autoescaping instead.

    Parameters
    ----------
    text : str
        Text from data.

    Returns
    -------
    str
        Text safe to place in HTML element content or a quoted attribute value.

    Examples
    --------
    >>> escape_html('<script>alert("x")</script>')
    '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'
    """
    return html.escape(clean_control_characters(text), quote=True)


def truncate_for_display(text: str, max_chars: int = 60, *, ellipsis: str = "\u2026") -> str:
    """Shorten text for a chart label or axis, ending with an ellipsis.

    Text of at most ``max_chars`` characters is returned unchanged. Longer text
    is cut so that the result, ellipsis included, has at most ``max_chars``
    characters. The cut never separates a letter from its combining accents or
    splits an emoji joined with ZWJ, variation selectors or skin tones, and
    trailing spaces before the ellipsis are dropped. Keep the full text in tidy
    data and tables; truncate only for display.

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

    Examples
    --------
    >>> truncate_for_display("Supported living services", max_chars=17)
    'Supported living…'
    >>> truncate_for_display("Short")
    'Short'
    """
    if max_chars < len(ellipsis) + 1:
        raise ValueError(f"max_chars must be at least {len(ellipsis) + 1}, got {max_chars}")
    if len(text) <= max_chars:
        return text
    cut = max_chars - len(ellipsis)
    while cut > 0 and _continues_cluster(text, cut):
        cut -= 1
    return text[:cut].rstrip() + ellipsis


def _continues_cluster(text: str, cut: int) -> bool:
    """Whether cutting before ``text[cut]`` would split a visible character."""
    after, before = text[cut], text[cut - 1]
    return (
        unicodedata.combining(after) != 0
        or after in _JOINERS
        or ord(after) in _SKIN_TONES
        or before == "\u200d"
    )
