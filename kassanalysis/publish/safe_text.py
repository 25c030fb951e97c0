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

import pandas as pd

from kassanalysis.text import clean_control_characters, truncate_for_display

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""Leading characters that make a spreadsheet read a cell as a formula (OWASP)."""

_SIGN_TRIGGERS = ("=", "+", "-", "@")

# The control-character cleaning and grapheme-safe truncation live in kassanalysis.text
# (shared by charts, which must not import publish); re-exported here for callers.
__all__ = [
    "FORMULA_TRIGGERS",
    "clean_control_characters",
    "escape_html",
    "neutralise_for_csv",
    "neutralise_frame_for_csv",
    "truncate_for_display",
]


def neutralise_for_csv(value: object) -> object:
    """Prefix ``'`` to a text value that a spreadsheet would run as a formula.

    OWASP's CSV Injection guidance: a cell must not begin with ``=``, ``+``,
    ``-``, ``@``, tab or carriage return. A text value that does gets a leading
    single quote, which spreadsheets treat as "this is text" and do not show.
    Text whose first non-blank character is ``=``, ``+``, ``-`` or ``@`` is
    prefixed too, because some spreadsheet importers trim leading spaces.

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
    """
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_TRIGGERS) or value.lstrip().startswith(_SIGN_TRIGGERS):
        return "'" + value
    return value


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
