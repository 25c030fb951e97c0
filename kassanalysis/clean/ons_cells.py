"""Header and count cells as ONS publishes them in population tables.

Shared by the two population layouts (:mod:`kassanalysis.clean.ons` for MYE2 workbooks and
:mod:`kassanalysis.clean.ons_long` for long files): an age label such as ``90+`` or
``Aged 0``, the code, name and geography headers, and a count cell that may be a number
or text with thousands commas.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from kassanalysis.clean.cells import PLAIN_NUMBER, as_text
from kassanalysis.problems import Problem, error

CODE_HEADER = re.compile(r"^(?:area |geography |geog |la |lad |ons )?code$")
NAME_HEADER = re.compile(r"^(?:area |geography |la |lad )?name$")
GEOGRAPHY_HEADER = re.compile(r"^geography ?\d*$")
#: The open-ended top age band ONS publishes (``90+``).
TOP_AGE = 90
_AGE_LABEL = re.compile(
    r"^(?:aged? ?)?(\d{1,3})(?:\.0+)?"
    r" ?(\+|plus|and over|& over|or over|years and over|and older)?$"
)


def label_text(cell) -> str:
    """A header cell as normalised text: ``0.0`` -> ``'0'``, ``' All Ages '`` -> ``'all ages'``."""
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return ""
    if isinstance(cell, (int, float, np.integer, np.floating)) and not isinstance(cell, bool):
        number = float(cell)
        return str(int(number)) if number.is_integer() else str(number)
    return " ".join(str(cell).replace("\u00a0", " ").split()).lower()


def parse_age_label(cell) -> int | None:
    """Single year of age in an MYE2 header cell, or None if the cell is not an age.

    ``90+``, ``90 and over`` and ``Aged 90+`` are 90 (the open-ended top band).

    Examples
    --------
    >>> [parse_age_label(c) for c in (0.0, "0", "Age 0", "89", "90+", "90 and over", "All ages")]
    [0, 0, 0, 89, 90, 90, None]
    """
    match = _AGE_LABEL.match(label_text(cell))
    if not match:
        return None
    age = int(match[1])
    if match[2] and age != TOP_AGE:
        return None
    return age


def to_number(column: pd.Series) -> pd.Series:
    """Numbers as published: numeric cells as they are, text with thousands commas parsed."""
    if pd.api.types.is_numeric_dtype(column):
        return column.astype(float)
    text = column.astype(object).where(column.notna(), "").astype(str)
    text = text.str.replace(",", "", regex=False).str.strip()
    return pd.to_numeric(text.where(text.str.fullmatch(PLAIN_NUMBER)), errors="coerce")


def first_match(labels: list[str], pattern: re.Pattern) -> int | None:
    return next((j for j, t in enumerate(labels) if pattern.match(t)), None)


def text_cells(body: pd.DataFrame, position: int | None, rows) -> np.ndarray:
    """The text of one column of a table's body at the chosen rows (a boolean mask or row
    positions), None for a blank cell; all None when the layout has no such column.

    Examples
    --------
    >>> body = pd.DataFrame([["E1", "Kent"], ["E2", " "], ["x", "Note"]])
    >>> text_cells(body, 1, [True, True, False]).tolist(), text_cells(body, None, [0]).tolist()
    (['Kent', None], [None])
    """
    picked = np.arange(len(body))[np.asarray(rows)]
    if position is None:
        return np.full(len(picked), None, dtype=object)
    text = as_text(body.iloc[:, position]).to_numpy(dtype=object)[picked]
    return np.where(text == "", None, text)


def duplicated_area_errors(
    codes: np.ndarray, excel_rows: np.ndarray, sheet: str, file: str
) -> list[Problem]:
    """An error for each row whose area code appeared on an earlier row of the sheet
    (rows without a code, None, are not areas and are never duplicates).

    Examples
    --------
    >>> [p.source_line for p in duplicated_area_errors(
    ...     np.array(["E1", None, "E1", None], dtype=object), np.array([5, 6, 7, 8]), "S", "f")]
    [7]
    """
    repeated = pd.Series(codes).duplicated().to_numpy() & pd.notna(codes)
    return [
        error(
            "duplicated area",
            file,
            int(excel_rows[r]),
            f"sheet {sheet!r} row {excel_rows[r]}: {codes[r]} appears more than once",
            subject=codes[r],
        )
        for r in np.flatnonzero(repeated)
    ]
