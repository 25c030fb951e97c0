"""Making a key table safe to leave the pack: disclosure control, markers, formula-safe text.

Every table a report writes goes through :func:`mark_for_publication` and
:func:`publish_table` (via ``ReportContext.save``): counts in the configured small-number
range are suppressed ``[c]`` (with secondary suppression against a
printed Total row), figures built on a suppressed count are suppressed too, missing values
show ``[x]``, and text that a spreadsheet would run as a formula is neutralised.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from kassanalysis import io as kio
from kassanalysis.formatting import format_csv_figures
from kassanalysis.publish.disclosure import (
    SuppressionRule,
    apply_markers,
    suppress_counts,
    suppress_dependent,
)
from kassanalysis.publish.safe_text import neutralise_frame_for_csv


def _total_rows(frame: pd.DataFrame) -> list:
    for column in ("row_type", "line_name", "label"):
        if column in frame.columns:
            mask = frame[column].astype(str).str.strip().str.lower().isin(["total"])
            if mask.any():
                return list(frame.index[mask])
    return []


def suppress_shared(
    suppressed: pd.DataFrame,
    shared: Mapping[str, str | Sequence[str]],
) -> pd.DataFrame:
    """Suppress a figure shared by every row wherever any row withholds its source.

    A group statistic printed on every row of a table (a comparator group's median or
    mean) is one figure: when it is built on a suppressed cell of any row, it could give
    that cell away (a mean times the count of values, less the published others), so it
    is suppressed on every row, not only on the row of the suppressed cell.

    Parameters
    ----------
    suppressed : pandas.DataFrame
        True where a value is suppressed, one boolean column per value column.
    shared : mapping of shared column to source column(s)
        ``{"group_mean": "people"}``: ``group_mean`` is suppressed on every row if
        ``people`` is suppressed on any row. Sources must be columns of ``suppressed``.

    Returns
    -------
    pandas.DataFrame
        New boolean mask: the columns of ``suppressed`` (a shared column already there
        keeps its own True cells) then any new shared columns. The input is not modified.

    Raises
    ------
    ValueError
        If a source is not a column of ``suppressed`` or a shared column lists none.

    Examples
    --------
    >>> mask = pd.DataFrame({"people": [True, False]}, index=["A", "B"])
    >>> suppress_shared(mask, {"group_mean": "people"})
       people  group_mean
    A    True        True
    B   False        True
    """
    mask = suppressed.astype(bool)
    result = mask.copy()
    for figure, sources in shared.items():
        sources = (sources,) if isinstance(sources, str) else tuple(sources)
        unknown = [source for source in sources if source not in mask.columns]
        if not sources or unknown:
            raise ValueError(
                f"shared[{figure!r}] must name columns of the suppression mask, got {list(sources)}"
            )
        withheld = bool(mask[list(sources)].to_numpy().any())
        own = result[figure] if figure in result.columns else False
        result[figure] = own | withheld
    return result


def build_suppression_mask(
    frame: pd.DataFrame,
    *,
    counts: tuple[str, ...],
    dependent: dict[str, str | Sequence[str]],
    rule: SuppressionRule,
    shared: dict[str, str | Sequence[str]] | None = None,
) -> pd.DataFrame:
    """True where a count (or a figure built on one) must be suppressed.

    A row whose ``row_type``/``line_name`` is ``Total`` is taken as the total of the other
    rows for secondary suppression. ``dependent`` figures are withheld in the row of a
    withheld count (:func:`~kassanalysis.publish.disclosure.suppress_dependent`);
    ``shared`` figures, one figure repeated on every row (a group median or mean), on
    every row when a count they are built on is withheld in any row
    (:func:`suppress_shared`), before ``dependent``
    figures are followed, so a figure may depend on a shared one.

    Examples
    --------
    >>> frame = pd.DataFrame({"line_name": ["A", "B", "C", "Total"],
    ...                       "people": [3.0, 10.0, 20.0, 33.0],
    ...                       "rate": [0.3, 1.0, 2.0, 3.3]})
    >>> mask = build_suppression_mask(frame, counts=("people",), dependent={"rate": "people"},
    ...                               rule=SuppressionRule())
    >>> mask.people.tolist(), mask.rate.tolist()
    ([True, True, False, False], [True, True, False, False])
    """
    if not counts:
        return pd.DataFrame(index=frame.index)
    totals = _total_rows(frame)
    parts = [i for i in frame.index if i not in totals]
    constraints = [(t, parts) for t in totals[:1]]
    mask = {}
    for column in counts:
        result = suppress_counts(frame[column].astype(float), constraints, rule)
        mask[column] = result["suppressed"]
    mask_frame = pd.DataFrame(mask, index=frame.index)
    if shared:
        mask_frame = suppress_shared(mask_frame, shared)
    if dependent:
        mask_frame = suppress_dependent(mask_frame, dependent)
    return mask_frame


def mark_for_publication(
    frame: pd.DataFrame,
    *,
    rule: SuppressionRule,
    counts: tuple[str, ...] = (),
    dependent: dict[str, str | Sequence[str]] | None = None,
    shared: dict[str, str | Sequence[str]] | None = None,
) -> pd.DataFrame:
    """A copy of ``frame`` with small counts (and figures built on them) suppressed as
    ``[c]`` and missing values shown as ``[x]``: what every output format shows.
    ``dependent`` and ``shared`` as :func:`build_suppression_mask`.

    Examples
    --------
    >>> frame = pd.DataFrame({"line_name": ["A", "B", "Total"], "people": [2.0, 7.0, 9.0]})
    >>> mark_for_publication(frame, rule=SuppressionRule(), counts=("people",)).people.tolist()
    ['[c]', '[c]', 9]
    """
    mask = build_suppression_mask(
        frame, counts=counts, dependent=dependent or {}, rule=rule, shared=shared
    )
    numeric = [
        c
        for c in frame.columns
        if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
    ]
    return apply_markers(frame, mask if not mask.empty else None, value_columns=numeric)


def publish_table(
    marked: pd.DataFrame,
    folder: Path,
    name: str,
    *,
    units: dict[str, str] | None = None,
    row_units: tuple[str, ...] = (),
) -> Path:
    """Write a marked table as a formula-safe CSV, and as JSON for the pack's workbook.

    Figures of ``units`` columns (column -> unit) and ``row_units`` columns (each row's
    ``unit``) are written to the CSV with their unit's decimals
    (:func:`kassanalysis.formatting.format_csv_figures`): ``1452`` for a count, ``31871.0``
    for ``£000``, as every other output shows them. The JSON keeps numbers as numbers."""
    folder = Path(folder)
    safe = format_csv_figures(neutralise_frame_for_csv(marked), units, row_units)
    path = kio.write_csv(safe, folder / f"{name}.csv")
    kio.write_text(
        marked.to_json(orient="split", index=False, date_format="iso"), folder / f"{name}.json"
    )
    return path


def read_published_table(path: Path) -> pd.DataFrame:
    """A table written by :func:`publish_table`, from its JSON (markers kept, no CSV
    neutralisation, numbers as numbers, dates left as the text written).

    ``dtype=False`` stops pandas inferring any column's type, dates included (pandas 3.1
    deprecates ``convert_dates``: ``dtype=False`` already leaves a ``date`` or ``*_at``
    column as written)."""
    return pd.read_json(Path(path), orient="split", dtype=False)
