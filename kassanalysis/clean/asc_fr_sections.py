"""Sections of a wide ASC-FR file stacked under one header: provision put back.

The 2014-15 voluntary age-band file (``...-vol-exp.csv``) prints three tables one under
the other below a single header whose fifth column is ``Accounting category``:

1. expenditure and income by accounting category (GBP thousands);
2. activity by provision: the ``Accounting category`` cell holds the provision
   (``In house provision``, ``External provision``, ``Total provision``);
3. unit-cost numerators, denominators and unit costs: the cell holds the unit-cost
   category and the file has no ``Unit cost provision`` column, so the triples of one
   setting (``All``, ``Own provision``, ``Provision by others`` for residential care)
   repeat the same labels;
4. the same unit costs again, by provision: the cell holds the provision (``All``,
   ``LA supported only``, ``Own provision``, ``Provision by others``).

Read as one table, sections 2 and 4 put a provision where the measure belongs and section
3 loses its provision. :func:`restore_provision` moves a provision label out of the
measure column, and gives the k-th repeated unit-cost triple of a set of labels the
provision of the k-th unit cost of section 4 with the same labels, only when every
area's printed unit cost is the same in both (so a match by position is confirmed cell by
cell). A section-4 row so matched prints figures already kept on the triple's line and is
not kept twice. Anything that does not match is left as published (the repeated labels
are then reported by :func:`~kassanalysis.clean.asc_fr_checks.repeated_label_findings`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Provision labels printed in the measure (accounting-category) column, lower case ->
#: the measure the row then holds.
PROVISION_IN_MEASURE = {
    "in house provision": "activity",
    "external provision": "activity",
    "total provision": "activity",
    "all": "Unit costs",
    "la supported only": "Unit costs",
    "own provision": "Unit costs",
    "provision by others": "Unit costs",
}
#: The unit-cost rows of one triple, lower case.
UNIT_COST_PARTS = ("numerator", "denominator", "unit costs")


def restore_provision(
    rows: pd.DataFrame, cells: np.ndarray, labels: list[str], *, has_provision: bool
) -> tuple[pd.DataFrame, np.ndarray]:
    """Put back the provision of rows whose file prints it in the measure column or lost it.

    Parameters
    ----------
    rows : pd.DataFrame
        One row per data row of the file, in file order: the label columns ``labels``
        (text, ``""`` for blank) and ``provision`` and ``measure``.
    cells : numpy.ndarray
        The area cells of those rows, shape ``(len(rows), areas)``: as printed, or as
        integer codes equal where the printed text is equal.
    labels : list of str
        The columns that, with ``provision`` and ``measure``, say what a row is (support
        type, age band, primary support reason, setting, year).
    has_provision : bool
        Whether the file has a provision column of its own; if so, the measure column is
        taken as it is and only lost provisions are looked for.

    Returns
    -------
    rows : pd.DataFrame
        A new frame: ``provision`` and ``measure`` corrected.
    keep : numpy.ndarray of bool
        False for the by-provision unit costs that re-print a triple's unit cost (matched
        and equal in every area), so each figure is kept once.

    Examples
    --------
    Two triples of residential care without provision, then the unit costs by provision
    (the second triple's unit cost, 480.5, is the one printed for ``Own provision``):

    >>> rows = pd.DataFrame({"setting": ["Residential"] * 8, "provision": "",
    ...     "measure": ["Numerator", "Denominator", "Unit costs"] * 2 + ["All", "Own provision"]})
    >>> cells = np.array([["50"], ["100"], ["500"], ["9.61"], ["20"], ["480.5"], ["500"],
    ...                   ["480.5"]], dtype=object)
    >>> fixed, keep = restore_provision(rows, cells, ["setting"], has_provision=False)
    >>> fixed.provision.tolist()
    ['All', 'All', 'All', 'Own provision', 'Own provision', 'Own provision', 'All', 'Own provision']
    >>> fixed.measure.tolist()[-2:], keep.tolist()
    (['Unit costs', 'Unit costs'], [True, True, True, True, True, True, False, False])
    """
    rows = rows.copy()
    keep = np.ones(len(rows), dtype=bool)
    if not has_provision:
        implied = rows["measure"].str.strip().str.lower().map(PROVISION_IN_MEASURE)
        moved = implied.notna()
        rows.loc[moved, "provision"] = rows.loc[moved, "measure"]
        rows.loc[moved, "measure"] = implied[moved]
    measure = rows["measure"].str.strip().str.lower()
    lost = measure.isin(UNIT_COST_PARTS) & (rows["provision"] == "")
    by_provision = (measure == "unit costs") & (rows["provision"] != "")
    if not (lost.any() and by_provision.any()):
        return rows, keep
    texts = np.asarray(cells)
    key = pd.Series(list(zip(*(rows[c] for c in labels), strict=True)), index=rows.index)
    occurrence = np.full(len(rows), -1)
    occurrence[lost.to_numpy()] = rows[lost].groupby([key[lost], measure[lost]]).cumcount()
    printed = key[by_provision].groupby(key[by_provision], sort=False).indices
    positions = np.flatnonzero(by_provision.to_numpy())
    names = measure.to_numpy(dtype=object)
    provision = rows["provision"].to_numpy(dtype=object).copy()
    for label_set, triples in key[lost].groupby(key[lost], sort=False).indices.items():
        if label_set not in printed:
            continue
        triples = np.flatnonzero(lost.to_numpy())[triples]
        sources = positions[printed[label_set]]
        costs = triples[names[triples] == "unit costs"]
        counts = pd.Series(names[triples]).value_counts()
        complete = all(counts.get(part, 0) == len(costs) for part in UNIT_COST_PARTS)
        if not complete or len(costs) != len(sources):
            continue
        if not (texts[costs] == texts[sources]).all():
            continue
        for k, source in enumerate(sources):
            provision[triples[occurrence[triples] == k]] = provision[source]
        keep[sources] = False
    rows["provision"] = provision
    return rows, keep
