"""Do the published figures add up? Checks that report, never repair.

* Vertical: each service-group subtotal against its lines, each total against the subtotals
  (and lines outside any group) above it, each unit total against the total plus memorandum
  items. Each level is checked against the level printed just below it, so one wrong figure
  gives one finding rather than a cascade.
* Across: the arithmetic identities in ``data/reference/identities.csv`` (gross = employee +
  running + contracts + transfers; controllable = gross + incomes...) on every row.
* Against a figure quoted elsewhere (the plan's summary).

A difference larger than the rounding allowance becomes a finding with file, line, expected
and found; the published value stays in the tidy frame unchanged. The allowance follows the
printed precision: each printed figure may be off by half its last digit, so a total of n
lines may differ by n times that (0.1 GBP m of rounding in a GBP m table is not a finding;
10 GBP k in a GBP k table is), and never less than ``tolerance``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from kassanalysis import problems as pb
from kassanalysis.clean.cells import printed_half_unit
from kassanalysis.reference import Identity
from kassanalysis.schemas import BudgetLines as B

TOLERANCE = 0.1


def _sum(values: list[float]) -> float:
    present = [v for v in values if not math.isnan(v)]
    return math.fsum(present) if present else math.nan


def _differs(expected: float, found: float, tolerance: float) -> bool:
    return not (math.isnan(expected) or math.isnan(found)) and (
        abs(found - expected) > tolerance + 1e-9
    )


def reconcile_budget_totals(
    lines: pd.DataFrame, *, tolerance: float = TOLERANCE, notes: dict[str, str] | None = None
) -> list[pb.Problem]:
    """Check every printed subtotal, total and unit total against the rows it sums.

    Parameters
    ----------
    lines : pandas.DataFrame
        Budget lines (see :class:`kassanalysis.schemas.BudgetLines`), one or more tables.
    tolerance : float
        Largest difference put down to rounding (in the table's unit).
    notes : dict, optional
        Per source file, a caveat to add to its findings (e.g. "table truncated").

    Returns
    -------
    list of Problem
        One finding per total and measure that does not add up.

    Examples
    --------
    >>> rows = pd.DataFrame({
    ...     "source_file": "t.txt", "source_line": [1, 2, 3], "financial_year": "2008-09",
    ...     "measure": "gross_expenditure", "row_type": ["line", "line", "subtotal"],
    ...     "line_name": ["a", "b", "TOTAL"], "value": [1.0, 2.0, 4.0]})
    >>> [(p.expected, p.found) for p in reconcile_budget_totals(rows)]
    [(3.0, 4.0)]
    """
    notes = notes or {}
    found: list[pb.Problem] = []
    ordered = lines.sort_values([B.source_file, B.source_line], kind="stable")
    keys = [B.source_file, B.measure, B.financial_year]
    keys += [k for k in (B.period, B.unit) if k in ordered.columns]  # one ledger, many periods
    has_text = B.source_text in ordered.columns
    for (file, measure, year, *_), table in ordered.groupby(keys, sort=False, dropna=False):
        open_lines: list[float] = []
        subtotals: list[float] = []
        memo: list[float] = []
        # half the last printed digit of each figure summed, by level (rounding allowance)
        open_half: list[float] = []
        sub_half: list[float] = []
        memo_half: list[float] = []
        last_total, last_half = math.nan, 0.0
        for row in table.itertuples(index=False):
            kind, value = getattr(row, B.row_type), getattr(row, B.value)
            half = printed_half_unit(getattr(row, B.source_text), value) if has_text else 0.0
            if kind == "line":
                open_lines.append(value)
                open_half.append(half)
                continue
            if kind == "memorandum":
                memo.append(value)
                memo_half.append(half)
                continue
            if kind == "subtotal":
                expected = _sum(open_lines)
                allowance = math.fsum(open_half)
                what = "its lines"
                subtotals.append(value)
                sub_half.append(half)
                open_lines, open_half = [], []
            elif kind == "total":
                expected = _sum(subtotals + open_lines)
                allowance = math.fsum(sub_half + open_half)
                what = "the subtotals and lines above it"
                subtotals, open_lines, last_total = [], [], value
                sub_half, open_half, last_half = [], [], half
            elif kind == "unit_total":
                base = last_total if not math.isnan(last_total) else _sum(subtotals + open_lines)
                expected = _sum([base, *memo])
                allowance = last_half + math.fsum(memo_half)
                what = "the total plus memorandum items"
            else:
                continue
            if _differs(expected, value, max(tolerance, allowance)):
                name = getattr(row, B.line_name)
                note = f" ({notes[file]})" if file in notes else ""
                found.append(
                    pb.finding(
                        "total does not add up",
                        file,
                        int(getattr(row, B.source_line)),
                        f"{name!r} {measure} {year}: published {value:,.2f}, {what} add up to "
                        f"{expected:,.2f} (difference {value - expected:+,.2f}){note}",
                        subject=f"{name} / {measure} / {year}",
                        expected=round(expected, 6),
                        found=value,
                    )
                )
    return found


def reconcile_identities(
    lines: pd.DataFrame, identities: tuple[Identity, ...], *, tolerance: float = TOLERANCE
) -> list[pb.Problem]:
    """Check the arithmetic identities between measures on every printed row.

    An identity is checked only in tables that print its result and all of its parts; a row
    whose result is blank is skipped (nothing was published to check).

    Examples
    --------
    >>> rows = pd.DataFrame({
    ...     "source_file": "t.txt", "source_line": 7, "financial_year": "2008-09",
    ...     "line_name": "41A", "row_type": "line",
    ...     "measure": ["employee_costs", "running_costs", "gross_expenditure"],
    ...     "value": [1.0, 2.0, 3.5]})
    >>> rule = Identity("gross_expenditure", ("employee_costs", "running_costs"), "")
    >>> [(p.source_line, p.expected, p.found) for p in reconcile_identities(rows, (rule,))]
    [(7, 3.0, 3.5)]
    """
    found: list[pb.Problem] = []
    checked = lines[~lines[B.row_type].isin(["memo_of_which", "stated"])]
    keys = [B.source_file, B.source_line, B.financial_year, B.line_name]
    wide = checked.groupby([*keys, B.measure], sort=False)[B.value].first().unstack(B.measure)
    if B.source_text in checked.columns:
        half = [
            printed_half_unit(t, v)
            for t, v in zip(checked[B.source_text], checked[B.value], strict=True)
        ]
        halves = (
            checked.assign(_half=half)
            .groupby([*keys, B.measure], sort=False)["_half"]
            .first()
            .unstack(B.measure)
            .reindex(index=wide.index, columns=wide.columns)
            .fillna(0.0)
        )
    else:
        halves = pd.DataFrame(0.0, index=wide.index, columns=wide.columns)
    printed = checked.groupby([B.source_file, B.financial_year])[B.measure].agg(frozenset)
    table_key = pd.MultiIndex.from_arrays(
        [wide.index.get_level_values(B.source_file), wide.index.get_level_values(B.financial_year)]
    )
    measures_printed = printed.reindex(table_key).to_numpy()
    for rule in identities:
        needed = {rule.result, *rule.parts}
        if not needed <= set(wide.columns):
            continue
        applies = np.array([needed <= m for m in measures_printed], dtype=bool)
        expected = wide[list(rule.parts)].sum(axis=1, min_count=1)
        value = wide[rule.result]
        allowance = halves[list(needed)].sum(axis=1).clip(lower=tolerance)
        bad = applies & ((value - expected).abs() > allowance + 1e-9)
        for (file, line, year, name), exp, val in zip(
            wide.index[bad], expected[bad], value[bad], strict=True
        ):
            found.append(
                pb.finding(
                    "identity does not hold",
                    file,
                    int(line),
                    f"{name!r} {year}: {rule.result} is {val:,.2f} but "
                    f"{' + '.join(rule.parts)} = {exp:,.2f} ({rule.description})",
                    subject=f"{name} / {rule.result} / {year}",
                    expected=round(exp, 6),
                    found=val,
                )
            )
    return found


def reconcile_stated_figure(
    lines: pd.DataFrame,
    table_file: str,
    stated_file: str,
    measure: str,
    *,
    tolerance: float = TOLERANCE,
) -> list[pb.Problem]:
    """Compare a table's printed total with the same figure quoted elsewhere (a summary).

    Examples
    --------
    >>> rows = pd.DataFrame({"source_file": ["t.txt", "s.txt"], "source_line": [9, 3],
    ...     "measure": "gross_expenditure", "row_type": ["total", "stated"],
    ...     "line_name": ["Total", "Gross Expenditure"], "value": [10.0, 10.05]})
    >>> reconcile_stated_figure(rows, "t.txt", "s.txt", "gross_expenditure")
    []
    """
    stated = lines[
        (lines[B.source_file] == stated_file)
        & (lines[B.measure] == measure)
        & (lines[B.row_type] == "stated")
    ]
    total = lines[
        (lines[B.source_file] == table_file)
        & (lines[B.measure] == measure)
        & (lines[B.row_type] == "total")
    ]
    if B.financial_year in lines.columns and not stated.empty:
        total = total[total[B.financial_year] == stated[B.financial_year].iloc[0]]
    if total.empty or stated.empty:
        return [
            pb.finding(
                "stated figure not checked",
                table_file,
                None,
                f"no printed total or no stated {measure} to compare",
            )
        ]
    value, quoted = float(total[B.value].iloc[0]), float(stated[B.value].iloc[0])
    if _differs(quoted, value, tolerance):
        return [
            pb.finding(
                "total differs from stated figure",
                table_file,
                int(total[B.source_line].iloc[0]),
                f"{measure} total {value:,.2f} differs from {quoted:,.2f} stated in {stated_file} "
                f"line {int(stated[B.source_line].iloc[0])}",
                subject=measure,
                expected=quoted,
                found=value,
            )
        ]
    return []
