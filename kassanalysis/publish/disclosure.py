"""Statistical disclosure control for published counts, rates and percentages.

Small counts of people can identify them, so published tables suppress them
(primary suppression) and any other cell from which a suppressed count could be
worked out by subtraction from a published total (secondary suppression).
Rates and percentages built on a suppressed count are suppressed too.

Suppressed cells are shown with the Government Analysis Function shorthand
``[c]`` (confidential) and missing cells with ``[x]`` (not available); see
"Symbols in tables, definitions and help" in the Analysis Function policy store.

Typical use::

    result = suppress_counts(counts, constraints, rule)
    mask = suppress_dependent({"people": result["suppressed"]}, {"percent": "people"})
    output = apply_markers(table, mask)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

MARKER_SUPPRESSED = "[c]"
"""Shorthand for a figure withheld for confidentiality (Analysis Function ``[c]``)."""

MARKER_NOT_AVAILABLE = "[x]"
"""Shorthand for a figure that is not available (Analysis Function ``[x]``)."""

MARKER_EXPLANATIONS: Mapping[str, str] = MappingProxyType(
    {
        MARKER_SUPPRESSED: (
            "[c] = confidential: the figure has been suppressed (withheld) so that "
            "individual people cannot be identified."
        ),
        MARKER_NOT_AVAILABLE: (
            "[x] = not available: the figure is missing from the source data or "
            "could not be calculated."
        ),
    }
)
"""One plain-English sentence per marker, for legends next to a table."""

MARKER_NOTES = " ".join(MARKER_EXPLANATIONS.values())
"""Text explaining both markers, for a cover sheet, notes page or footnote."""

_SECONDARY_REASON = "secondary: recoverable from total {}"


@dataclass(frozen=True)
class SuppressionRule:
    """Which counts are suppressed before publication.

    Parameters
    ----------
    min_count, max_count : int
        Counts in the closed range ``[min_count, max_count]`` are suppressed
        (primary suppression). Zero is not suppressed by the default rule:
        "nobody" does not identify anybody.
    secondary : bool
        Also suppress other cells so that no suppressed count can be worked
        out by subtraction from a published total (secondary suppression).

    Examples
    --------
    >>> SuppressionRule().describe()  # doctest: +NORMALIZE_WHITESPACE
    'Counts from 1 to 4 are suppressed [c], and so is any other cell from which
    a suppressed count could be worked out by subtraction from a published total.
    A figure built on a suppressed count (its rate, rank or distance, or a group
    median or mean that would show it) is suppressed with it.'
    >>> SuppressionRule(max_count=9, secondary=False).describe()[:39]
    'Counts from 1 to 9 are suppressed [c]. '
    """

    min_count: int = 1
    max_count: int = 4
    secondary: bool = True

    def __post_init__(self) -> None:
        for name in ("min_count", "max_count"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise TypeError(f"SuppressionRule.{name} must be an int, got {value!r}")
            if value < 0:
                raise ValueError(
                    f"SuppressionRule.{name} must not be negative, got {value}; "
                    "counts cannot be negative"
                )
        if self.min_count > self.max_count:
            raise ValueError(
                f"SuppressionRule.min_count ({self.min_count}) must not exceed "
                f"max_count ({self.max_count})"
            )
        if not isinstance(self.secondary, bool):
            raise TypeError(f"SuppressionRule.secondary must be a bool, got {self.secondary!r}")

    def describe(self) -> str:
        """Return the rule in plain English (the counts, then what is withheld with them).

        Examples
        --------
        >>> SuppressionRule(min_count=3, max_count=3, secondary=False).describe()[:31]
        'Counts of 3 are suppressed [c].'
        """
        if self.min_count == self.max_count:
            counts = f"Counts of {self.min_count}"
        else:
            counts = f"Counts from {self.min_count} to {self.max_count}"
        built_on = (
            " A figure built on a suppressed count (its rate, rank or distance, or a group "
            "median or mean that would show it) is suppressed with it."
        )
        if not self.secondary:
            return f"{counts} are suppressed {MARKER_SUPPRESSED}.{built_on}"
        return (
            f"{counts} are suppressed {MARKER_SUPPRESSED}, and so is any other cell from "
            "which a suppressed count could be worked out by subtraction from a "
            f"published total.{built_on}"
        )


def build_two_way_constraints(
    rows: Sequence[Hashable],
    columns: Sequence[Hashable],
    *,
    row_total: Hashable = "Total",
    column_total: Hashable = "Total",
) -> list[tuple[Hashable, list[Hashable]]]:
    """Build the additive constraints of a two-way table with margins.

    Cells are labelled ``(row, column)``, as in ``wide_table.stack()``. The row
    of column totals is labelled ``row_total`` and the column of row totals
    ``column_total``; the grand total is ``(row_total, column_total)``.

    Parameters
    ----------
    rows, columns : sequence of hashable
        Row and column labels, excluding the totals.
    row_total, column_total : hashable
        Labels of the totals row and totals column.

    Returns
    -------
    list of (total label, list of part labels)
        One constraint per row (including the totals row) then one per column
        (including the totals column), in that order.

    Examples
    --------
    >>> build_two_way_constraints(["r1"], ["a", "b"])  # doctest: +NORMALIZE_WHITESPACE
    [(('r1', 'Total'), [('r1', 'a'), ('r1', 'b')]),
     (('Total', 'Total'), [('Total', 'a'), ('Total', 'b')]),
     (('Total', 'a'), [('r1', 'a')]),
     (('Total', 'b'), [('r1', 'b')]),
     (('Total', 'Total'), [('r1', 'Total')])]
    """
    all_rows = [*rows, row_total]
    all_columns = [*columns, column_total]
    by_row = [((row, column_total), [(row, col) for col in columns]) for row in all_rows]
    by_column = [((row_total, col), [(row, col) for row in rows]) for col in all_columns]
    return by_row + by_column


def suppress_counts(
    values: pd.Series,
    constraints: Iterable[tuple[Hashable, Sequence[Hashable]]] = (),
    rule: SuppressionRule | None = None,
) -> pd.DataFrame:
    """Suppress small counts and any cell from which they could be recovered.

    Primary suppression: a count in ``[rule.min_count, rule.max_count]``.

    Secondary suppression (when ``rule.secondary``): each constraint says
    ``total == sum(parts)``; the total is a cell of the constraint like any
    part. A suppressed cell can be recovered by subtraction whenever it is the
    only unknown cell in a constraint, so another cell of that constraint is
    suppressed too, preferring, in order:

    1. the smallest non-zero published part (ties: first in ``parts`` order);
    2. the total, if published;
    3. the first published zero part.

    Constraints are revisited, in the order given, until nothing changes. A
    final check then solves all constraints together (linear algebra) to catch
    a suppressed cell that only a combination of constraints gives away, and
    protects it the same way. The result is deterministic.

    Missing input values (NaN) are left as they are: not suppressed, reason
    ``None``. They give no protection, because a total is often the sum of the
    available parts, so a missing cell is treated as if the reader knew it.

    Parameters
    ----------
    values : pandas.Series
        Non-negative whole-number counts with a unique index; NaN for missing.
    constraints : iterable of (total label, sequence of part labels)
        Additive relations between cells of ``values``. A two-way table with
        row and column totals is several constraints; see
        :func:`build_two_way_constraints`.
    rule : SuppressionRule, optional
        Defaults to ``SuppressionRule()`` (suppress 1 to 4, with secondary).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``values``, with columns ``value`` (float, NaN where
        suppressed or missing), ``suppressed`` (bool) and ``reason`` (object:
        ``"primary"``, ``"secondary: recoverable from total <label>"`` or None).

    Raises
    ------
    ValueError
        On negative or fractional counts, a non-unique index, a constraint that
        names an unknown label, or a suppressed cell that cannot be protected
        because every other cell of its constraints is suppressed or missing.

    Examples
    --------
    >>> counts = pd.Series({"A": 3, "B": 10, "C": 7, "Total": 20})
    >>> result = suppress_counts(counts, [("Total", ["A", "B", "C"])])
    >>> result["reason"].tolist()
    ['primary', None, 'secondary: recoverable from total Total', None]
    >>> result["value"].tolist()
    [nan, 10.0, nan, 20.0]
    """
    rule = SuppressionRule() if rule is None else rule
    counts = _validate_counts(values)
    label_at = list(values.index)
    position = {label: i for i, label in enumerate(label_at)}
    cells = _validate_constraints(constraints, position)

    missing = np.isnan(counts)
    suppressed = ~missing & (counts >= rule.min_count) & (counts <= rule.max_count)
    reasons: list[str | None] = ["primary" if flag else None for flag in suppressed]

    if rule.secondary:
        _add_secondary_suppression(counts, missing, suppressed, reasons, cells, label_at)

    published = np.where(suppressed, np.nan, counts)
    return pd.DataFrame(
        {
            "value": pd.Series(published, index=values.index, dtype=float),
            "suppressed": pd.Series(suppressed, index=values.index, dtype=bool),
            "reason": pd.Series(reasons, index=values.index, dtype=object),
        }
    )


def suppress_dependent(
    suppressed: pd.DataFrame | Mapping[str, pd.Series],
    depends_on: Mapping[str, str | Sequence[str]],
) -> pd.DataFrame:
    """Extend a suppression mask to figures calculated from suppressed counts.

    A rate or percentage published next to a suppressed count would give the
    count away (count = rate x population), so it is suppressed in the same
    row. Dependencies are followed transitively (a change in a rate that is
    itself built on a count).

    Put every input of a derived figure in the same row as the figure: for a
    percentage of a total, carry the total as a column of the row, with its own
    suppression flag, and list it as a source.

    Parameters
    ----------
    suppressed : DataFrame or mapping of column name to boolean Series
        True where a value is suppressed; one column per value column, e.g.
        ``{"people": suppress_counts(...)["suppressed"]}``. All columns must
        share one index.
    depends_on : mapping of derived column to source column(s)
        ``{"rate_per_100k": "people", "percent": ["people", "total_people"]}``.
        A derived column not yet in ``suppressed`` is added (initially False).

    Returns
    -------
    pandas.DataFrame
        New boolean mask: the columns of ``suppressed`` then any new derived
        columns. The input is not modified.

    Examples
    --------
    >>> mask = pd.DataFrame({"people": [True, False]}, index=["A", "B"])
    >>> suppress_dependent(mask, {"rate": "people", "rate_change": "rate"})
       people   rate  rate_change
    A    True   True         True
    B   False  False        False
    """
    mask = _as_mask_frame(suppressed, "suppressed")
    sources_of = {
        derived: (sources,) if isinstance(sources, str) else tuple(sources)
        for derived, sources in depends_on.items()
    }
    known = set(mask.columns) | set(sources_of)
    for derived, sources in sources_of.items():
        if not sources:
            raise ValueError(f"depends_on[{derived!r}] lists no source columns")
        unknown = [source for source in sources if source not in known]
        if unknown:
            raise ValueError(
                f"depends_on[{derived!r}] names {unknown}, which is neither a column of "
                "the suppression mask nor a derived column"
            )
    result = mask.copy()
    for derived in sources_of:
        if derived not in result.columns:
            result[derived] = False
    changed = True
    while changed:
        changed = False
        for derived, sources in sources_of.items():
            updated = result[derived] | result[list(sources)].any(axis=1)
            if not updated.equals(result[derived]):
                result[derived] = updated
                changed = True
    return result


def apply_markers(
    frame: pd.DataFrame,
    suppressed: pd.DataFrame | Mapping[str, pd.Series] | None = None,
    *,
    value_columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Return an output copy of ``frame`` with ``[c]`` and ``[x]`` markers.

    In each value column a suppressed cell shows ``"[c]"`` (whatever its
    value) and a missing cell ``"[x]"``; other cells keep their value. Value
    columns become object dtype. If every number left in a value column is a
    whole number it is written as ``int``, so a count prints as ``12`` rather
    than ``12.0``. Other columns are unchanged.

    Parameters
    ----------
    frame : pandas.DataFrame
        Table to publish.
    suppressed : DataFrame or mapping of column name to boolean Series, optional
        Suppression mask with the same index as ``frame`` (see
        :func:`suppress_dependent`). None means nothing is suppressed.
    value_columns : sequence of str, optional
        Columns to mark. Defaults to the numeric columns of ``frame``. The
        columns of ``suppressed`` are always marked as well, so a suppressed
        value can never be published by leaving its column out.

    Returns
    -------
    pandas.DataFrame
        New frame, same index and column order.

    Examples
    --------
    >>> table = pd.DataFrame({"area": ["A", "B", "C"], "people": [3.0, 12.0, None]})
    >>> apply_markers(table, {"people": pd.Series([True, False, False])})
      area people
    0    A    [c]
    1    B     12
    2    C    [x]
    """
    mask = None if suppressed is None else _as_mask_frame(suppressed, "suppressed")
    if mask is not None:
        if not mask.index.equals(frame.index):
            raise ValueError("the suppression mask must have exactly the same index as the frame")
        absent = [col for col in mask.columns if col not in frame.columns]
        if absent:
            raise ValueError(f"suppression mask columns {absent} are not columns of the frame")
    if value_columns is None:
        numeric = [
            col
            for col in frame.columns
            if pd.api.types.is_numeric_dtype(frame[col].dtype)
            and not pd.api.types.is_bool_dtype(frame[col].dtype)
        ]
        extra = [] if mask is None else list(mask.columns)
        value_columns = [col for col in frame.columns if col in numeric or col in extra]
    else:
        absent = [col for col in value_columns if col not in frame.columns]
        if absent:
            raise ValueError(f"value_columns {absent} are not columns of the frame")
        extra = [] if mask is None else list(mask.columns)
        value_columns = [col for col in frame.columns if col in value_columns or col in extra]

    result = frame.copy()
    for col in value_columns:
        column = frame[col]
        is_missing = column.isna().to_numpy()
        is_suppressed = (
            mask[col].to_numpy()
            if mask is not None and col in mask.columns
            else np.zeros(len(frame), dtype=bool)
        )
        output = [
            MARKER_SUPPRESSED if hidden else MARKER_NOT_AVAILABLE if absent_value else value
            for value, hidden, absent_value in zip(
                column.tolist(), is_suppressed, is_missing, strict=True
            )
        ]
        result[col] = pd.Series(_ints_if_whole(output), index=frame.index, dtype=object)
    return result


# --------------------------------------------------------------------------- helpers


def _validate_counts(values: pd.Series) -> np.ndarray:
    if not isinstance(values, pd.Series):
        raise TypeError(f"values must be a pandas Series, got {type(values).__name__}")
    if not values.index.is_unique:
        duplicated = values.index[values.index.duplicated()].unique().tolist()
        raise ValueError(f"values must have a unique index; duplicated labels: {duplicated}")
    if pd.api.types.is_bool_dtype(values.dtype) or not pd.api.types.is_numeric_dtype(values.dtype):
        raise TypeError(f"values must hold numeric counts, got dtype {values.dtype}")
    counts = values.to_numpy(dtype=float, na_value=np.nan)
    present = counts[~np.isnan(counts)]
    if np.isinf(present).any():
        raise ValueError("values must be finite counts; found infinity")
    if (present < 0).any():
        raise ValueError("values must be counts (non-negative); found a negative value")
    if (present != np.floor(present)).any():
        raise ValueError(
            "values must be whole-number counts; found a fractional value "
            "(suppress the count, then mark rates with suppress_dependent)"
        )
    return counts


def _validate_constraints(
    constraints: Iterable[tuple[Hashable, Sequence[Hashable]]],
    position: Mapping[Hashable, int],
) -> list[tuple[Hashable, list[int]]]:
    """Return each constraint as (total label, [total position, part positions...])."""
    checked = []
    for number, constraint in enumerate(constraints):
        try:
            total, parts = constraint
        except (TypeError, ValueError):
            raise ValueError(
                f"constraint {number} must be a pair (total label, list of part labels)"
            ) from None
        if isinstance(parts, (str, bytes)) or not isinstance(parts, Iterable):
            raise TypeError(f"constraint {number}: parts must be a list of labels")
        parts = list(parts)
        if not parts:
            raise ValueError(f"constraint {number} (total {total!r}) has no parts")
        labels = [total, *parts]
        unknown = [label for label in labels if label not in position]
        if unknown:
            raise ValueError(f"constraint {number} names labels not in values: {unknown}")
        if len(set(labels)) != len(labels):
            raise ValueError(
                f"constraint {number} (total {total!r}) repeats a label; the total must not "
                "be one of its own parts and each part must appear once"
            )
        checked.append((total, [position[label] for label in labels]))
    return checked


def _add_secondary_suppression(
    counts: np.ndarray,
    missing: np.ndarray,
    suppressed: np.ndarray,
    reasons: list[str | None],
    cells: list[tuple[Hashable, list[int]]],
    label_at: list[Hashable],
) -> None:
    """Mutate ``suppressed`` and ``reasons`` (local working arrays) to a safe pattern."""

    def protect(total: Hashable, members: list[int], exposed: int) -> None:
        choice = _choose_complement(counts, missing, suppressed, members)
        if choice is None:
            raise ValueError(
                f"cannot protect suppressed cell {label_at[exposed]!r}: every other cell of "
                f"the constraint with total {total!r} is already suppressed or missing"
            )
        suppressed[choice] = True
        reasons[choice] = _SECONDARY_REASON.format(total)

    while True:
        changed = True
        while changed:
            changed = False
            for total, members in cells:
                unknown = [i for i in members if suppressed[i]]
                if len(unknown) == 1:
                    protect(total, members, unknown[0])
                    changed = True
        exposed = _find_recoverable_cell(suppressed, cells)
        if exposed is None:
            return
        candidates = [
            (total, members)
            for total, members in cells
            if exposed in members
            and _choose_complement(counts, missing, suppressed, members) is not None
        ]
        if not candidates:
            raise ValueError(
                f"cannot protect suppressed cell {label_at[exposed]!r}: it can be worked out "
                "from the published cells, and every other cell of its constraints is "
                "already suppressed or missing"
            )
        protect(*candidates[0], exposed)


def _choose_complement(
    counts: np.ndarray, missing: np.ndarray, suppressed: np.ndarray, members: list[int]
) -> int | None:
    """Pick the cell to suppress alongside a lone suppressed cell of a constraint."""
    total, parts = members[0], members[1:]
    open_parts = [i for i in parts if not suppressed[i] and not missing[i]]
    non_zero = [i for i in open_parts if counts[i] > 0]
    if non_zero:
        return min(non_zero, key=lambda i: (counts[i], parts.index(i)))
    if not suppressed[total] and not missing[total]:
        return total
    return open_parts[0] if open_parts else None


def _find_recoverable_cell(
    suppressed: np.ndarray, cells: list[tuple[Hashable, list[int]]]
) -> int | None:
    """Return the first suppressed cell fixed exactly by all constraints together.

    Each constraint gives one linear equation in the suppressed cells (total +1,
    parts -1, published cells moved to the other side). A suppressed cell is
    determined exactly when its unit vector lies in the row space of that system,
    that is when its leverage (squared norm of its projection onto the row space)
    is 1.
    """
    unknown = np.flatnonzero(suppressed)
    if unknown.size == 0:
        return None
    column_of = {cell: j for j, cell in enumerate(unknown)}
    rows = []
    for _total, members in cells:
        row = np.zeros(unknown.size)
        for k, cell in enumerate(members):
            if cell in column_of:
                row[column_of[cell]] = 1.0 if k == 0 else -1.0
        if row.any():
            rows.append(row)
    if not rows:
        return None
    system = np.vstack(rows)
    _, singular, basis = np.linalg.svd(system, full_matrices=False)
    tolerance = singular.max() * max(system.shape) * np.finfo(float).eps
    rank = int((singular > tolerance).sum())
    leverage = (basis[:rank] ** 2).sum(axis=0)
    determined = np.flatnonzero(leverage > 1.0 - 1e-9)
    return int(unknown[determined[0]]) if determined.size else None


def _as_mask_frame(suppressed: pd.DataFrame | Mapping[str, pd.Series], name: str) -> pd.DataFrame:
    mask = suppressed if isinstance(suppressed, pd.DataFrame) else pd.DataFrame(dict(suppressed))
    for col in mask.columns:
        if not pd.api.types.is_bool_dtype(mask[col].dtype) or mask[col].isna().any():
            raise TypeError(
                f"{name}[{col!r}] must be a boolean column without missing values, "
                f"got dtype {mask[col].dtype}"
            )
    return mask.astype(bool)


def _ints_if_whole(cells: list[object]) -> list[object]:
    """Turn floats into ints if every number in the column is a whole number."""
    numbers_only = [
        cell for cell in cells if isinstance(cell, numbers.Real) and not isinstance(cell, bool)
    ]
    if not numbers_only or not all(
        math.isfinite(cell) and float(cell).is_integer() for cell in numbers_only
    ):
        return cells
    return [
        int(cell) if isinstance(cell, numbers.Real) and not isinstance(cell, bool) else cell
        for cell in cells
    ]
