"""The Adult Social Care Finance Return's own checks: totals against their parts.

Given the finance lines of one file (:func:`kassanalysis.clean.asc_fr.clean_asc_fr`),
report what the return itself totals and does not add up, and labels repeated within the
file; nothing is changed. Split from :mod:`kassanalysis.clean.asc_fr` (reading and melting
the return) to keep each module small.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.problems import Problem, finding
from kassanalysis.schemas import FinanceLines

FIN = FinanceLines

#: The return's own sums, checked by :func:`reconcile_finance_lines` (measures, lower case).
MEASURE_IDENTITIES = (
    (
        "gross total cost: total expenditure",
        (
            "gross total cost: provision by others",
            "gross total cost: own provision",
            "gross total cost: grants to voluntary org",
        ),
        (1, 1, 1),
        "gross total cost = provision by others + own provision + grants",
    ),
    (
        "income: total",
        (
            "income: client contributions",
            "income: joint arrangements",
            "income: income from nhs",
            "income: other income",
        ),
        (1, 1, 1, 1),
        "income total = client contributions + joint arrangements + NHS + other income",
    ),
    (
        "net total expenditure",
        ("gross total cost: total expenditure", "income: total"),
        (1, -1),
        "net = gross total cost - income total",
    ),
    (
        "total provision",
        ("in house provision", "external provision"),
        (1, 1),
        "total provision = in house + external",
    ),
)


def label_mask(column: pd.Series, wanted) -> np.ndarray:
    """True where the label, in lower case, is one of ``wanted`` (``""`` for missing);
    each distinct label is lowered once and the rows only looked up by code.

    Examples
    --------
    >>> label_mask(pd.Series(["Total", "Nursing", None], dtype="category"), {"total", ""})
    array([ True, False,  True])
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes, uniques = column.cat.codes.to_numpy(), column.cat.categories
    else:
        codes, uniques = pd.factorize(column)
    hits = np.array([str(u).lower() in wanted for u in uniques] + ["" in wanted], dtype=bool)
    return hits[codes]  # code -1 (missing) -> the last entry


_KEYS = [
    FIN.authority_code,
    FIN.financial_year,
    FIN.support_type,
    FIN.age_band,
    FIN.primary_support_reason,
    FIN.support_setting,
    FIN.provision,
    FIN.measure,
]


def repeated_label_findings(frame: pd.DataFrame, entry: CatalogueEntry) -> list[Problem]:
    """One finding for the rows whose labels repeat (the publisher lost a column)."""
    if frame.empty:
        return []
    keyed = group_key(frame, _KEYS)
    first_area = (frame[FIN.authority_code] == frame[FIN.authority_code].iloc[0]).to_numpy()
    repeated = pd.Series(keyed).duplicated(keep=False).to_numpy() & first_area
    if not repeated.any():
        return []
    lines = frame.loc[repeated, FIN.source_line]
    firsts = np.flatnonzero(repeated)[~pd.Series(keyed[repeated]).duplicated().to_numpy()]
    first = frame.iloc[firsts[0]][_KEYS].tolist()[2:]
    example = " / ".join(str(x) for x in first if not pd.isna(x) and x)
    return [
        finding(
            "repeated labels",
            entry.file,
            int(lines.min()),
            f"{len(lines)} rows between lines {lines.min()} and {lines.max()} repeat the labels "
            f"of another row ({len(firsts)} label sets, e.g. {example}): a column that told "
            "them apart is missing from the file; kept as published, left out of the checks",
            subject=example,
        )
    ]


def group_key(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """One integer per row, equal where the labels in ``columns`` are all equal (missing
    equal to missing), made from the categorical codes without comparing any text.

    Examples
    --------
    >>> frame = pd.DataFrame({"a": ["x", "x", "y", None], "b": ["p", "p", "p", None]},
    ...                      dtype="category")
    >>> key = group_key(frame, ["a", "b"])
    >>> bool(key[0] == key[1]), bool(key[1] == key[2]), bool(key[2] == key[3])
    (True, False, False)
    """
    key = np.zeros(len(frame), dtype=np.int64)
    for column in columns:
        values = frame[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            codes, size = values.cat.codes.to_numpy(np.int64), len(values.cat.categories)
        else:
            codes, uniques = pd.factorize(values)
            size = len(uniques)
        if key.max(initial=0) >= np.iinfo(np.int64).max // (size + 2):
            key = pd.factorize(key)[0].astype(np.int64)
        key = key * (size + 1) + codes + 1  # missing (-1) -> 0
    return key


def _tolerance(text: pd.Series) -> pd.Series:
    """Half the last printed digit of each cell (``12.34`` -> 0.005, ``12`` -> 0.5),
    worked out once per distinct cell."""
    codes, uniques = pd.factorize(text)
    decimals = np.array([_decimals(str(u)) for u in uniques] + [0], dtype=float)
    return pd.Series(0.5 * 10.0 ** -decimals[codes], index=text.index)  # missing: 0.5


def _decimals(text: str) -> int:
    """Digits after the decimal point of a printed number (``"1,234.56"`` -> 2)."""
    _, point, tail = text.rpartition(".")
    return len(tail) if point and tail.isdecimal() else 0


def reconcile_finance_lines(frame: pd.DataFrame) -> list[Problem]:
    """Check the totals the return prints against their parts; report, never fix.

    Checks, for each area and year with every other label equal:

    - gross total cost = provision by others + own provision + grants to voluntary
      organisations; income total = client contributions + joint arrangements + income
      from the NHS + other income; net total expenditure = gross total cost - income total;
      total provision = in house + external (activity);
    - a primary support reason ``Total`` = the sum of the other support reasons;
    - a unit cost = numerator x 1000 / denominator (numerator in GBP thousands, the
      denominator in care weeks, the unit cost in GBP per week).

    A check is made only when the total and every part are published numbers. The allowed
    difference follows the printed precision: half the last printed digit of each figure
    involved, added up (for a unit cost, propagated through the ratio).

    Parameters
    ----------
    frame : pd.DataFrame
        :class:`~kassanalysis.schemas.FinanceLines` of one file.

    Returns
    -------
    list of Problem
        One finding per total that does not add up: file, line of the total, area, labels,
        published and expected values.
    """
    if frame.empty:
        return []
    repeated = pd.Series(group_key(frame, _KEYS)).duplicated(keep=False).to_numpy()
    data = frame[~repeated & frame[FIN.value].notna().to_numpy()]
    data = data.assign(_tol=_tolerance(data[FIN.source_text]))
    found: list[Problem] = []
    others = [k for k in _KEYS if k != FIN.measure]
    wide = _by_measure(data, group_key(data, others))
    for total, parts, signs, words in MEASURE_IDENTITIES:
        block = _block(wide, [total, *parts])
        if block is None:
            continue
        expected = sum(s * block[(p, FIN.value)] for p, s in zip(parts, signs, strict=True))
        allowed = sum(block[(m, "_tol")] for m in [total, *parts]) + 1e-9
        published = block[(total, FIN.value)]
        off = ((published - expected).abs() > allowed).to_numpy()
        for i in _in_label_order(data, block[(total, "row")][off], others):
            found.append(
                _finding(
                    frame,
                    _row_labels(data, block.at[i, (total, "row")], others),
                    others,
                    block.at[i, (total, FIN.source_line)],
                    words,
                    published[i],
                    expected[i],
                )
            )
    found += _dimension_totals(data)
    found += _unit_costs(wide, data, others, frame)
    return found


def _by_measure(data: pd.DataFrame, group: np.ndarray) -> dict[str, pd.DataFrame]:
    """For each measure (lower case) of the identities and unit costs, its rows indexed by
    their label group: value, tolerance, source line and position in ``data`` (the first
    row when two measures differ only in case)."""
    wanted = {m for _, parts, _, _ in MEASURE_IDENTITIES for m in parts}
    wanted |= {total for total, *_ in MEASURE_IDENTITIES} | set(_UNIT_COST_MEASURES)
    tables = {}
    for name in wanted:
        at = np.flatnonzero(label_mask(data[FIN.measure], {name}))
        if not len(at):
            continue
        table = pd.DataFrame(
            {
                FIN.value: data[FIN.value].to_numpy()[at],
                "_tol": data["_tol"].to_numpy()[at],
                FIN.source_line: data[FIN.source_line].to_numpy()[at],
                "row": at,
            },
            index=group[at],
        )
        tables[name] = table[~table.index.duplicated()]
    return tables


def _block(wide: dict[str, pd.DataFrame], needed: list[str]) -> pd.DataFrame | None:
    """The label groups that have every measure in ``needed`` (columns ``(measure,
    field)``), or None when a measure is not in the file at all."""
    if not all(m in wide for m in needed):
        return None
    return pd.concat({m: wide[m] for m in needed}, axis=1, join="inner")


def _row_labels(data: pd.DataFrame, row: int, columns: list[str]) -> tuple[str, ...]:
    """The labels of one row of ``data`` (by position) as text, ``""`` for missing."""
    return tuple("" if pd.isna(x) else str(x) for x in data[columns].iloc[int(row)])


def _in_label_order(data: pd.DataFrame, rows: pd.Series, columns: list[str]) -> list:
    """The index of ``rows`` (positions in ``data``) sorted by the rows' labels as text,
    so findings come in the same order whatever order the file has."""
    return sorted(rows.index, key=lambda i: _row_labels(data, rows[i], columns))


def _finding(frame, key, others, line, words, published, expected) -> Problem:
    labels = dict(zip(others, key, strict=True))
    shown = " / ".join(str(labels[k]) for k in others[2:] if labels[k])
    file = str(frame[FIN.source_file].iloc[0])
    return finding(
        "finance total does not add up",
        file,
        int(line),
        f"{labels[FIN.authority_code]} {labels[FIN.financial_year]} {shown}: {words}, but "
        f"published {published:,.2f} and the parts give {expected:,.2f} "
        f"(difference {published - expected:+,.2f})",
        subject=f"{labels[FIN.authority_code]} {shown}",
        expected=float(expected),
        found=float(published),
    )


#: Totals across one descriptive column: (column, total label, part labels or None for
#: "every other label"), lower case.
DIMENSION_TOTALS = (
    (FIN.primary_support_reason, "total", None, "primary support reason Total"),
    (
        FIN.provision,
        "total provision",
        ("in house provision", "external provision"),
        "Total provision (in house + external)",
    ),
    (FIN.age_band, "total", None, "age group Total"),
)


def _dimension_totals(data: pd.DataFrame) -> list[Problem]:
    found = []
    for dim, total, parts, words in DIMENSION_TOTALS:
        has_total = label_mask(data[dim], {total})
        if not has_total.any():
            continue
        others = [k for k in _KEYS if k != dim] + [FIN.unit]
        group = pd.Series(group_key(data, others), index=data.index)
        is_part = (
            label_mask(data[dim], set(parts))
            if parts
            else ~has_total & ~label_mask(data[dim], {""})
        )
        sums = data[FIN.value][is_part].groupby(group[is_part], sort=False).sum()
        tols = data["_tol"][is_part].groupby(group[is_part], sort=False).sum()
        totals = data[has_total]
        expected = group[has_total].map(sums)
        allowed = group[has_total].map(tols) + totals["_tol"] + 1e-9
        off = expected.notna() & ((totals[FIN.value] - expected).abs() > allowed)
        for i in totals.index[off]:
            key = _row_labels(data, data.index.get_loc(i), others)
            shown = " / ".join(str(x) for x in key[2:-1] if x)
            published = totals.at[i, FIN.value]
            found.append(
                finding(
                    "finance total does not add up",
                    str(totals.at[i, FIN.source_file]),
                    int(totals.at[i, FIN.source_line]),
                    f"{key[0]} {key[1]} {shown}: {words} published {published:,.2f} "
                    f"but its parts add up to {expected[i]:,.2f} "
                    f"(difference {published - expected[i]:+,.2f})",
                    subject=f"{key[0]} {shown}",
                    expected=float(expected[i]),
                    found=float(published),
                )
            )
    return found


_UNIT_COST_MEASURES = ("unit costs", "numerator", "denominator")


def _unit_costs(
    wide: dict[str, pd.DataFrame], data: pd.DataFrame, others: list[str], frame: pd.DataFrame
) -> list[Problem]:
    block = _block(wide, list(_UNIT_COST_MEASURES))
    if block is None:
        return []
    num, den = block[("numerator", FIN.value)], block[("denominator", FIN.value)]
    cost = block[("unit costs", FIN.value)]
    block, num, den, cost = block[den > 0], num[den > 0], den[den > 0], cost[den > 0]
    expected = num * 1000 / den
    # rounding of the printed numerator and denominator, propagated through the ratio
    allowed = (
        block[("unit costs", "_tol")]
        + expected.abs()
        * (
            block[("numerator", "_tol")] / num.abs().clip(lower=1e-9)
            + block[("denominator", "_tol")] / den
        )
        + 1e-9
    )
    off = ((cost - expected).abs() > allowed).to_numpy()
    return [
        _finding(
            frame,
            _row_labels(data, block.at[i, ("unit costs", "row")], others),
            others,
            block.at[i, ("unit costs", FIN.source_line)],
            "unit cost = numerator x 1000 / denominator",
            cost[i],
            expected[i],
        )
        for i in _in_label_order(data, block[("unit costs", "row")][off], others)
    ]
