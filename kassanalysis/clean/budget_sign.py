"""The sign a budget table prints income with, recognised from its own arithmetic, and
income stored in one convention for every council (negative: gross + income = net)."""

from __future__ import annotations

import pandas as pd

from kassanalysis import problems as pb
from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.clean.cells import printed_half_unit
from kassanalysis.reference import Reference
from kassanalysis.schemas import BudgetLines

INCOME_MEASURES = ("service_income", "external_income", "internal_income", "government_grants")


def recognise_income_sign(frame: pd.DataFrame, ref: Reference) -> tuple[str, int, int]:
    """How a budget table prints income, from its own arithmetic.

    Every identity of ``data/reference/identities.csv`` that adds an income measure (net =
    gross + service income...) is tried on every printed row both ways: income as printed
    (negative convention: gross + income = net) and income negated (positive convention:
    gross - income = net). A row fits a convention when the difference is within the
    rounding of its printed figures (see :func:`~kassanalysis.clean.cells.printed_half_unit`).

    Returns
    -------
    (str, int, int)
        ``"negative"``, ``"positive"`` or ``"unknown"`` (no row can tell, or rows disagree
        equally), and the number of rows fitting only each convention.
    """
    rules = [r for r in ref.identities if any(p in INCOME_MEASURES for p in r.parts)]
    cells = frame[~frame[BudgetLines.row_type].isin(["memo_of_which", "stated"])]
    if cells.empty or not rules:
        return "unknown", 0, 0
    keys = [BudgetLines.source_line, BudgetLines.financial_year]
    value = cells.pivot_table(index=keys, columns="measure", values="value", aggfunc="first")
    half = cells.assign(
        half=[printed_half_unit(t, v) for t, v in zip(cells.source_text, cells.value, strict=True)]
    ).pivot_table(index=keys, columns="measure", values="half", aggfunc="first")
    negative = positive = 0
    for rule in rules:
        needed = [rule.result, *rule.parts]
        if not set(needed) <= set(value.columns):
            continue
        rows = value[needed].dropna()
        if rows.empty:
            continue
        slack = half.loc[rows.index, needed].sum(axis=1) + 1e-9
        signs = [(-1.0 if p in INCOME_MEASURES else 1.0) for p in rule.parts]
        as_printed = rows[list(rule.parts)].sum(axis=1)
        negated = sum(rows[p] * sign for p, sign in zip(rule.parts, signs, strict=True))
        fits_negative = (rows[rule.result] - as_printed).abs() <= slack
        fits_positive = (rows[rule.result] - negated).abs() <= slack
        negative += int((fits_negative & ~fits_positive).sum())
        positive += int((fits_positive & ~fits_negative).sum())
    if positive > negative:
        return "positive", negative, positive
    if negative > positive:
        return "negative", negative, positive
    return "unknown", negative, positive


def apply_income_sign(
    frame: pd.DataFrame, entry: CatalogueEntry, ref: Reference, problems: list[pb.Problem]
) -> pd.DataFrame:
    """Store income in one convention for every council: negative (gross + income = net).

    The convention is the entry's ``income_sign`` when given, else recognised from the
    table (:func:`recognise_income_sign`). A table printing income positive has its
    income values negated; ``source_text`` keeps the figure as printed. When the table
    cannot show its convention and prints income positive, the values are kept as printed
    and a finding asks for ``income_sign``. A declared sign the arithmetic contradicts is a
    finding too. Returns a new frame.
    """
    is_income = frame[BudgetLines.measure].isin(INCOME_MEASURES)
    if not is_income.any():
        return frame
    found, negative, positive = recognise_income_sign(frame, ref)
    declared = entry.income_sign
    sign = found if declared == "auto" else declared
    if declared != "auto" and found not in ("unknown", declared):
        problems.append(
            pb.finding(
                "income sign",
                entry.file,
                None,
                f"income_sign is {declared!r} but {max(negative, positive)} row(s) add up "
                f"only with income {found}",
            )
        )
    if sign == "unknown":
        printed = frame.loc[is_income & frame[BudgetLines.value].notna(), BudgetLines.value]
        if (printed > 0).any() and not (printed < 0).any():
            problems.append(
                pb.finding(
                    "income sign",
                    entry.file,
                    None,
                    "income is printed positive and the table cannot show whether it is "
                    "taken off (gross - income = net); kept as printed: give income_sign "
                    "(--income-sign positive or negative)",
                )
            )
        return frame
    if sign == "negative":
        return frame
    out = frame.copy()
    out.loc[is_income, BudgetLines.value] = -out.loc[is_income, BudgetLines.value]
    return out
