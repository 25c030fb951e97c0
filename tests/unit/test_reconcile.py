"""Reconciliation: hand-made tables whose sums are worked out in the comments."""

import pandas as pd

from kassanalysis.reconcile import reconcile_budget_totals, reconcile_identities
from kassanalysis.reference import Identity


def table(rows):
    frame = pd.DataFrame(rows, columns=["source_line", "row_type", "line_name", "measure", "value"])
    frame["source_file"] = "t.txt"
    frame["financial_year"] = "2008-09"
    return frame


def test_each_level_is_checked_against_the_level_below():
    rows = [
        (1, "line", "a", "gross_expenditure", 1.0),
        (2, "line", "b", "gross_expenditure", 2.0),
        (3, "subtotal", "TOTAL G1", "gross_expenditure", 3.0),  # 1 + 2 = 3: fine
        (4, "line", "c", "gross_expenditure", 5.0),
        (5, "subtotal", "TOTAL G2", "gross_expenditure", 6.0),  # 5, printed 6: finding
        (6, "total", "TOTAL SERVICES", "gross_expenditure", 9.0),  # 3 + 6 = 9: fine
        (7, "memorandum", "Overheads", "gross_expenditure", float("nan")),
        (8, "unit_total", "Total Cost of Unit", "gross_expenditure", 9.0),  # 9 + nothing
    ]
    findings = reconcile_budget_totals(table(rows))
    assert [(f.source_line, f.expected, f.found) for f in findings] == [(5, 5.0, 6.0)]


def test_rounding_tolerance_is_one_decimal():
    rows = [
        (1, "line", "a", "fte", 1.04),
        (2, "line", "b", "fte", 1.04),
        (3, "subtotal", "T", "fte", 2.0),
    ]  # 2.08 vs 2.0: within 0.1
    assert reconcile_budget_totals(table(rows)) == []
    assert len(reconcile_budget_totals(table(rows), tolerance=0.05)) == 1


def test_a_blank_total_is_not_checked():
    rows = [(1, "line", "a", "x", float("nan")), (2, "subtotal", "T", "x", float("nan"))]
    assert reconcile_budget_totals(table(rows)) == []


def test_blank_lines_are_summed_as_printed_nothing():
    # A blank cell in a printed budget table adds nothing to its total (documented in
    # docs/assumptions.md); the tidy table keeps it missing. Lines [blank, 2.0]: total 2.0.
    rows = [
        (1, "line", "a", "x", float("nan")),
        (2, "line", "b", "x", 2.0),
        (3, "subtotal", "T", "x", 2.0),
    ]
    assert reconcile_budget_totals(table(rows)) == []
    rows[2] = (3, "subtotal", "T", "x", 5.0)
    assert [(f.expected, f.found) for f in reconcile_budget_totals(table(rows))] == [(2.0, 5.0)]


def test_identities_only_where_all_measures_are_printed():
    rows = [
        (1, "line", "a", "employee_costs", 1.0),
        (1, "line", "a", "running_costs", 2.0),
        (1, "line", "a", "gross_expenditure", 3.0),
        (2, "line", "b", "employee_costs", 1.0),
        (2, "line", "b", "running_costs", 2.0),
        (2, "line", "b", "gross_expenditure", 4.0),
    ]  # 1 + 2 = 3, printed 4
    rule = Identity("gross_expenditure", ("employee_costs", "running_costs"), "gross")
    assert [
        (f.source_line, f.expected, f.found) for f in reconcile_identities(table(rows), (rule,))
    ] == [(2, 3.0, 4.0)]
    other = Identity("gross_expenditure", ("employee_costs", "contracts_and_projects"), "")
    assert reconcile_identities(table(rows), (other,)) == []  # contracts not printed
