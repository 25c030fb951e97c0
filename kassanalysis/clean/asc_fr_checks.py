"""The ASC-FR return's own sums checked against their parts: measure identities (gross =
parts, income = parts), dimension totals (a Total row = its parts) and unit costs; and
labels repeated within the file (a lost column). Findings only: nothing is changed.

Split from :mod:`kassanalysis.clean.asc_fr` (which re-exports
:func:`reconcile_finance_lines`): the reader changes with the publisher's layout, these
checks with the return's definitions.
"""

from __future__ import annotations

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
    keyed = frame[_KEYS].fillna("")
    first_area = frame[FIN.authority_code] == frame[FIN.authority_code].iloc[0]
    repeated = keyed.duplicated(keep=False) & first_area
    if not repeated.any():
        return []
    lines = frame.loc[repeated, FIN.source_line]
    groups = keyed[repeated].drop_duplicates()
    example = " / ".join(str(x) for x in groups.iloc[0].tolist()[2:] if x)
    return [
        finding(
            "repeated labels",
            entry.file,
            int(lines.min()),
            f"{len(lines)} rows between lines {lines.min()} and {lines.max()} repeat the labels "
            f"of another row ({len(groups)} label sets, e.g. {example}): a column that told "
            "them apart is missing from the file; kept as published, left out of the checks",
            subject=example,
        )
    ]


def _tolerance(text: pd.Series) -> pd.Series:
    """Half the last printed digit of each cell (``12.34`` -> 0.005, ``12`` -> 0.5)."""
    decimals = text.astype(str).str.extract(r"\.(\d+)$")[0].str.len().fillna(0)
    return 0.5 * 10.0 ** (-decimals.astype(float))


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
    repeated = frame[_KEYS].fillna("").duplicated(keep=False)
    data = frame[~repeated & frame[FIN.value].notna()]
    data = data.assign(_tol=_tolerance(data[FIN.source_text]), _m=data[FIN.measure].str.lower())
    found: list[Problem] = []
    others = [k for k in _KEYS if k != FIN.measure]
    wide = data.assign(**{k: data[k].fillna("") for k in others}).pivot_table(
        index=others, columns="_m", values=[FIN.value, "_tol", FIN.source_line], aggfunc="first"
    )
    for total, parts, signs, words in MEASURE_IDENTITIES:
        needed = [total, *parts]
        if not all(m in wide[FIN.value].columns for m in needed):
            continue
        block = wide.loc[:, (slice(None), needed)].dropna(subset=[(FIN.value, m) for m in needed])
        expected = sum(s * block[(FIN.value, p)] for p, s in zip(parts, signs, strict=True))
        allowed = sum(block[("_tol", m)] for m in needed) + 1e-9
        published = block[(FIN.value, total)]
        off = (published - expected).abs() > allowed
        for key in block.index[off]:
            found.append(
                _finding(
                    frame,
                    key,
                    others,
                    block.loc[key, (FIN.source_line, total)],
                    words,
                    published[key],
                    expected[key],
                )
            )
    found += _dimension_totals(data)
    found += _unit_costs(wide, others, frame)
    return found


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
        labels = data[dim].fillna("").str.lower()
        has_total = labels == total
        if not has_total.any():
            continue
        others = [k for k in _KEYS if k != dim] + [FIN.unit]
        names = data[others].fillna("")
        group = names.groupby(others, sort=False).ngroup()
        is_part = labels.isin(parts) if parts else ~has_total & (labels != "")
        sums = data[FIN.value][is_part].groupby(group[is_part]).sum()
        tols = data["_tol"][is_part].groupby(group[is_part]).sum()
        totals = data[has_total]
        expected = group[has_total].map(sums)
        allowed = group[has_total].map(tols) + totals["_tol"] + 1e-9
        off = expected.notna() & ((totals[FIN.value] - expected).abs() > allowed)
        for i in totals.index[off]:
            key = tuple(names.loc[i])
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


def _unit_costs(wide: pd.DataFrame, others: list[str], frame: pd.DataFrame) -> list[Problem]:
    needed = ["unit costs", "numerator", "denominator"]
    if not all(m in wide[FIN.value].columns for m in needed):
        return []
    block = wide.loc[:, (slice(None), needed)].dropna(subset=[(FIN.value, m) for m in needed])
    num, den = block[(FIN.value, "numerator")], block[(FIN.value, "denominator")]
    cost = block[(FIN.value, "unit costs")]
    block, num, den, cost = block[den > 0], num[den > 0], den[den > 0], cost[den > 0]
    expected = num * 1000 / den
    # rounding of the printed numerator and denominator, propagated through the ratio
    allowed = (
        block[("_tol", "unit costs")]
        + expected.abs()
        * (
            block[("_tol", "numerator")] / num.abs().clip(lower=1e-9)
            + block[("_tol", "denominator")] / den
        )
        + 1e-9
    )
    off = (cost - expected).abs() > allowed
    return [
        _finding(
            frame,
            key,
            others,
            block.loc[key, (FIN.source_line, "unit costs")],
            "unit cost = numerator x 1000 / denominator",
            cost[key],
            expected[key],
        )
        for key in block.index[off]
    ]
