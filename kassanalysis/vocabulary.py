"""Words and text rules shared by every layer: indicator polarities and how printed header
and label text is compared.

Cleaning (reading headers and labels), the reference data (matching aliases) and analysis
(polarity of an indicator) all use these; keeping them here, with no imports from the
package, lets each layer use them without importing another.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Literal

__all__ = [
    "POLARITIES",
    "Polarity",
    "check_polarity",
    "normalise_header",
    "normalise_text",
]

#: How an indicator's value is read: which direction is better, or neither.
POLARITIES = ("higher_is_better", "lower_is_better", "no_polarity")
Polarity = Literal["higher_is_better", "lower_is_better", "no_polarity"]


def check_polarity(polarity: Any) -> str:
    """``polarity`` if it is one of :data:`POLARITIES`, else a :class:`ValueError`.

    Examples
    --------
    >>> check_polarity("lower_is_better")
    'lower_is_better'
    >>> check_polarity("up")
    Traceback (most recent call last):
    ...
    ValueError: polarity must be one of higher_is_better, lower_is_better, no_polarity; got 'up'
    """
    if polarity not in POLARITIES:
        raise ValueError(f"polarity must be one of {', '.join(POLARITIES)}; got {polarity!r}")
    return str(polarity)


_HOMOGLYPHS = str.maketrans(
    {
        # Cyrillic letters that PDF converters emit for Latin look-alikes ("ТВС" for "TBC").
        "А": "A",
        "В": "B",
        "С": "C",
        "Е": "E",
        "Н": "H",
        "К": "K",
        "М": "M",
        "О": "O",
        "Р": "P",
        "Т": "T",
        "Х": "X",
        "а": "a",
        "с": "c",
        "е": "e",
        "о": "o",
        "р": "p",
        "х": "x",
        "\u2212": "-",
        "\u2013": "-",
        "\u2014": "-",  # minus sign, en and em dash
        "\u00a0": " ",
    }
)


def normalise_text(text: str) -> str:
    """Fold look-alike characters and spacing so that markers are recognised.

    Examples
    --------
    >>> normalise_text("ТВС")  # Cyrillic letters
    'TBC'
    >>> normalise_text("−£\u00a010")
    '-£ 10'
    """
    return unicodedata.normalize("NFKC", text).translate(_HOMOGLYPHS).strip()


def normalise_header(text: str) -> str:
    """Reduce header text to letters and digits so hyphenation breaks do not matter.

    Examples
    --------
    >>> normalise_header("Empl oyee costs £'000")
    'employeecosts000'
    """
    return re.sub(r"[^a-z0-9]", "", normalise_text(text).lower())
