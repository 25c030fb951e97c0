"""The finance benchmarking section of the variance report (notebooks/variance.ipynb): the
council's adult social care spend per head and unit costs from the Adult Social Care
Finance Return (ASC-FR) against its comparator group, by
:mod:`kassanalysis.analysis.finance`. The ASC-FR year is the latest in ``data/raw``, which
is usually older than the pack's period: every table says which year it is."""

from __future__ import annotations

import pandas as pd

from kassanalysis.analysis import finance
from kassanalysis.api import load
from kassanalysis.periods import parse_period
from kassanalysis.report.context import ReportContext
from kassanalysis.report.display import TEXT_UNIT, Note, Table

_SHOWN = [
    "support_type",
    "age_band",
    "primary_support_reason",
    "support_setting",
    "measure",
]
#: The age bands of the ASC-FR unit-cost table (the volumes file's finer bands repeat
#: some unit costs without saying which provision they cover).
UNIT_COST_BANDS = ("Age 18 to 64", "Age 65 and over", "Age 18 and over")
_RANKS = ["rank", "group_size", "quartile", "group_median", "mads_from_group_median"]
#: The ASC-FR line's labels, words as printed: a blank one (a total has no support reason
#: or setting) means the line is not broken down that way, not a missing figure.
_LABELS = dict.fromkeys([*_SHOWN, "denominator"], TEXT_UNIT)


def _finance_lines(ctx: ReportContext) -> pd.DataFrame:
    return ctx.remember(("finance_lines",), lambda: load("finance_lines", root=ctx.paths.root))


def finance_year(ctx: ReportContext) -> str | None:
    """The latest financial year of the ASC-FR in the build (None without any)."""
    years = sorted(set(_finance_lines(ctx)["financial_year"]))
    return years[-1] if years else None


def finance_year_note(ctx: ReportContext) -> Note:
    """Which ASC-FR year the finance benchmarks use, and that it is older than the pack."""
    year = finance_year(ctx)
    if year is None:
        return Note(["No ASC-FR finance lines in data/raw: finance benchmarks are not shown."])
    asc_fr = parse_period(year)
    if asc_fr.end < ctx.period.start:
        when = (
            f"It is older than this pack's period ({ctx.period.label}), so these figures "
            "describe spending then, not now."
        )
    elif asc_fr.start > ctx.period.end:
        when = (
            f"It is later than this pack's period ({ctx.period.label}), so these figures "
            "describe spending after it."
        )
    else:
        when = f"It covers this pack's period ({ctx.period.label})."
    return Note(
        [
            f"Adult Social Care Finance Return (ASC-FR) {year}: the latest year in data/raw. "
            + when,
            f"Compared with {ctx.group_name}. Rank 1 is the highest figure (spending more is "
            "neither good nor bad); quartile 1 is the highest quarter; MADs are the distance "
            "from the group median in median absolute deviations (Oflog).",
        ],
    )


def spend_per_head(ctx: ReportContext) -> Table | Note:
    """Gross and net expenditure per head for the council, ranked in the comparator group,
    with the population that divided each line named (``Denominator``); or why it cannot
    be shown.

    Per head of the age band's own ONS population (18-64, 65+, 18+) when the build holds
    the ASC-FR year's single-year-of-age estimates (MYE2); otherwise the all-adult totals
    per head of the all-ages population of the same mid-year (MYE4/MYE5), and a note that
    the age-band lines wait for MYE2 (see
    :func:`kassanalysis.analysis.finance.benchmark_spend_per_head`)."""
    year = finance_year(ctx)
    if year is None:
        return Note(["No ASC-FR finance lines: spend per head is not shown."])
    try:
        table = finance.benchmark_spend_per_head(
            _finance_lines(ctx),
            ctx.population,
            ctx.members,
            group_id=ctx.group_id,
            financial_year=year,
            focus_code=ctx.division.authority,
            population_totals=ctx.population_totals,
        )
    except ValueError as exc:
        held = ", ".join(str(y) for y in sorted(set(ctx.population["year"])))
        return Note(
            [
                f"Spend per head for ASC-FR {year} is not shown: {exc}. The ONS population "
                f"by age in data/processed holds mid-year {held}; another year's population "
                f"is not used in its place. Add the mid-{year[:4]} estimates to data/raw to "
                "show it."
            ],
            heading=f"Spend per head, ASC-FR {year}",
            warning=True,
        )
    mine = table[table["is_focus"]]
    divided = mine[mine["denominator"].notna()]
    waiting = sorted(set(mine.loc[mine["denominator"].isna(), "age_band"]))
    denominators = sorted(set(divided["denominator"]))
    focus = ctx.save(
        "finance_spend_per_head", divided, units={"per_head": "GBP", "group_median": "GBP"}
    )
    shown = focus[[*_SHOWN, "denominator", "per_head", *_RANKS]]
    adjustments = _adjustment_lines(shown)
    shown = shown[~adjustments]
    # the all-adult totals have no support reason or setting: no empty columns for them
    shown = shown.drop(columns=[c for c in _SHOWN if shown[c].isna().all()])
    all_ages = any(d.startswith("all ages") for d in denominators)
    unplaced = table[
        table["value"].notna()
        & table["population"].isna()
        & table["age_band"].isin(set(divided["age_band"]))
    ]
    note = _spend_note(
        year,
        waiting=waiting,
        all_ages=all_ages,
        unplaced=sorted(set(unplaced["authority_name"].astype(str))),
        adjusting=sorted(set(focus.loc[adjustments, "support_type"].astype(str))),
    )
    return Table(
        shown,
        f"Spend per head of population ({'; '.join(denominators)}), ASC-FR {year} "
        f"({ctx.group_name})",
        units={"per_head": "GBP", "group_median": "GBP", **_LABELS},
        source="finance_lines (NHS England ASC-FR); "
        + (
            f"population_totals (ONS mid-year estimates, all ages, mid-{year[:4]})"
            if all_ages
            else f"population (ONS mid-year estimates by single year of age, mid-{year[:4]})"
        ),
        note=note,
    )


def _spend_note(
    year: str, *, waiting: list, all_ages: bool, unplaced: list, adjusting: list
) -> str:
    """The words under the spend-per-head table: which lines wait for which population,
    why only the totals are per head of all ages, which councils have no population of the
    year, and which lines only adjust the net total."""
    note = []
    if waiting:
        note.append(
            f"Per head of the age band's own population ({', '.join(waiting)}) waits for the "
            f"mid-{year[:4]} single-year-of-age estimates (ONS MYE2), which are not in "
            "data/raw; those lines are not divided."
        )
    if all_ages:
        note.append(
            "The all-adult totals are per head of the whole population (all ages): an age "
            "band's spend over all ages would measure how old the population is, not what "
            "is spent, so only the totals are divided that way."
        )
    if unplaced:
        note.append(
            f"No mid-{year[:4]} population for {', '.join(unplaced)} (a council code of "
            f"{year} that the ONS series, on later boundaries, does not hold): their spend is "
            "not divided or ranked, and the group size counts the councils that are."
        )
    if adjusting:
        note.append(
            f"Lines that adjust the net total ({', '.join(adjusting)}) are in the CSV and the "
            "workbook, not in this table."
        )
    return " ".join(note)


def _adjustment_lines(shown: pd.DataFrame) -> pd.Series:
    """Lines divided by the all-ages population that are not a total of spending: the
    ASC-FR bridging table's "Other non-PSS expenditure" and "Specific Government Grants",
    which adjust the net total into the "Actual total net cost". True marks one."""
    all_ages = shown["denominator"].astype(str).str.startswith("all ages")
    names_a_total = shown["support_type"].astype(str).str.contains("total", case=False)
    return all_ages & ~names_a_total


def unit_costs(ctx: ReportContext) -> Table | Note:
    """Published unit costs (e.g. GBP per week of residential and nursing care) of the
    council, all provision, ranked in the comparator group."""
    year = finance_year(ctx)
    if year is None:
        return Note(["No ASC-FR finance lines: unit costs are not shown."])
    table = finance.benchmark_unit_costs(
        _finance_lines(ctx),
        ctx.members,
        group_id=ctx.group_id,
        financial_year=year,
        focus_code=ctx.division.authority,
        age_bands=UNIT_COST_BANDS,
    )
    focus = table[table["is_focus"] & (table["provision"] == "All")]
    focus = ctx.save("finance_unit_costs", focus, row_units=("value", "group_median"))
    shown = focus[[*_SHOWN[:-1], "value", "unit", *_RANKS]]
    return Table(
        shown,
        f"Unit costs, ASC-FR {year}, all provision ({ctx.group_name})",
        row_units=("value", "group_median"),
        units=_LABELS,
        source="finance_lines (NHS England ASC-FR unit costs)",
    )
