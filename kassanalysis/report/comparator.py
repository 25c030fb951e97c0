"""The comparator report's sections (notebooks/comparator.ipynb): how the council compares
with its comparator group and England, one function per notebook cell."""

from __future__ import annotations

import pandas as pd

from kassanalysis.analysis import comparator, sensitivity
from kassanalysis.analysis.summary import anchor_for
from kassanalysis.api import load_comparator_groups
from kassanalysis.publish.disclosure import MARKER_SUPPRESSED
from kassanalysis.report.common import (
    DERIVED_FROM_NUMERATOR,
    Sections,
    compared_indicators,
    local_indicators,
)
from kassanalysis.report.context import ReportContext
from kassanalysis.report.display import TEXT_UNIT, Figures, KeyFigures, Table
from kassanalysis.report.publishing import build_suppression_mask, mark_for_publication

SUMMARY_COUNTS = (
    "numerator",
    "numerator_in_group_median",
    "numerator_in_england_median",
    "numerator_in_england_mad",
)
"""The counts of the comparator summary checked against the disclosure rule: the council's
numerator, and the smallest count of any member of the group table behind a middle value
of the group median, the England median and the England MAD (see
:func:`kassanalysis.analysis.comparator.summarise_tables`), so the summary withholds the
shared figures exactly where the group table does (:data:`GROUP_SHARED`)."""

SUMMARY_DEPENDENT = {
    **dict.fromkeys(
        (
            "value",
            "rank",
            "quartile",
            "quintile",
            "compared_with_england",
            "compared_998",
            "significance",
        ),
        "numerator",
    ),
    # the distance from the England median, shared in the group table (GROUP_SHARED)
    "mads_from_england_median": (
        "numerator",
        "numerator_in_england_median",
        "numerator_in_england_mad",
    ),
    # the council's suspect reason, which may print its distance
    "note": ("numerator", "mads_from_england_median"),
    "group_median": "numerator_in_group_median",
    "england_median": "numerator_in_england_median",
}
"""Figures of the comparator summary withheld with the count they are built on: the
council's value, position and comparison, and a median of which any member's withheld
value is a middle value (a group of one shows the value as the median; of two, the value
is the median times two less the other council's published value), as the group table
withholds them (:data:`GROUP_SHARED`)."""

GROUP_COUNTS = (
    "numerator",
    "numerator_in_group_median",
    "numerator_in_england_median",
    "numerator_in_england_mad",
    "numerator_in_benchmark",
)
"""The counts of a comparator group table checked against the disclosure rule: each
council's numerator, and the same where its value (or its distance from the England
median) is one a median of the table is taken from."""

GROUP_DEPENDENT = {
    **dict.fromkeys(DERIVED_FROM_NUMERATOR, "numerator"),
    "suspect_reason": ("numerator", "mads_from_england_median"),
}
"""Figures of a group table withheld in the row of a withheld count (a suspect reason
also where it prints a withheld distance from the England median)."""

GROUP_SHARED = {
    "group_median": "numerator_in_group_median",
    "group_mean": "numerator",
    "england_median": "numerator_in_england_median",
    "benchmark": "numerator_in_benchmark",
    "mads_from_england_median": ("numerator_in_england_median", "numerator_in_england_mad"),
}
"""Figures of a group table that are one figure on every row, withheld on every row when
a count of any row they are built on is withheld: the group mean (any council's withheld
value is the mean times the number of values less the others), a median of which a
withheld value is a middle value, the benchmark where it is the England median, and the
distances from the England median (two councils' published values and distances give the
median and the MAD back)."""


def comparator_overview(ctx: ReportContext, benchmark_period: str = "latest") -> Table:
    """One row per indicator: the council's value, rank in the group, quartile, the group and
    England medians, distance from the England median (MADs) and comparison with England."""
    summary = ctx.save(
        "comparator_summary",
        _comparator_summary(ctx, benchmark_period),
        **_summary_disclosure(_comparator_summary(ctx, benchmark_period)),
    )
    local = local_indicators(ctx)
    note = _benchmark_note(benchmark_period)
    if local:
        note += (
            " Local indicators with no published figures for other councils are not "
            f"compared: {', '.join(local)}."
        )
    shown = summary.reindex(
        columns=[
            "indicator_name",
            "period",
            "value",
            "unit",
            "rank",
            "group_size",
            "quartile",
            "quintile",
            "group_median",
            "england_median",
            "england_n",
            "mads_from_england_median",
            "significance",
            "benchmark_name",
            "note",
        ]
    ).rename(columns={"significance": "compared_with_benchmark", "benchmark_name": "benchmark"})
    return Table(
        shown,
        f"How {ctx.reference.authority_name(ctx.division.authority)} compares: {ctx.group_name}",
        source="indicator_observations (Oflog, NHS Digital ASCOF, plan tables); "
        "rank 1 = best for the indicator's polarity; quartile and quintile 1 = best; "
        "compared with the named benchmark at 95% and 99.8% (Fingertips)",
        note=note,
        row_units=("value", "group_median", "england_median"),
    )


def _summary_disclosure(summary: pd.DataFrame) -> dict:
    """The counts and dependent figures of the comparator summary (none without counts)."""
    if "numerator" not in summary.columns:
        return {"counts": (), "dependent": None}
    dependent = {c: s for c, s in SUMMARY_DEPENDENT.items() if c in summary.columns}
    return {"counts": SUMMARY_COUNTS, "dependent": dependent}


def _comparator_table(ctx: ReportContext, indicator_id: str, benchmark_period: str):
    return ctx.remember(
        ("comparator", indicator_id, benchmark_period),
        lambda: comparator.compare_with_group(
            ctx.observations,
            ctx.members,
            ctx.indicators,
            indicator_id=indicator_id,
            period=_benchmark(benchmark_period),
            group_id=ctx.group_id,
            focus_code=ctx.division.authority,
            population=ctx.population,
        ),
    )


def _comparator_summary(ctx: ReportContext, benchmark_period: str):
    return ctx.remember(
        ("summary", benchmark_period),
        lambda: comparator.summarise_tables(
            {i: _comparator_table(ctx, i, benchmark_period) for i in compared_indicators(ctx)},
            ctx.indicators,
        ),
    )


def _benchmark(benchmark_period: str) -> str:
    return "latest" if benchmark_period in ("", "latest") else benchmark_period


def _benchmark_note(benchmark_period: str) -> str:
    if benchmark_period in ("", "latest"):
        return (
            "Benchmarks are the latest published for each indicator, so their year can "
            "differ from the reporting period; each row states its year."
        )
    return f"Benchmarks published for periods up to {benchmark_period}."


def comparator_tables(ctx: ReportContext, benchmark_period: str = "latest") -> list[Table]:
    """The full group table for each indicator with data (saved as CSV each)."""
    tables = []
    for indicator_id in compared_indicators(ctx):
        table = _comparator_table(ctx, indicator_id, benchmark_period)
        if table.empty or table["value"].notna().sum() == 0:
            continue
        table = ctx.save(
            f"comparator-{indicator_id.lower()}",
            table,
            counts=GROUP_COUNTS,
            dependent=GROUP_DEPENDENT,
            shared=GROUP_SHARED,
        )
        shown = table[
            [
                "authority_name",
                "value",
                "rank",
                "quartile",
                "quintile",
                "lower_95",
                "upper_95",
                "lower_998",
                "upper_998",
                "significance",
                "mads_from_england_median",
                "suspect_reason",
                "source_line",
            ]
        ].rename(columns={"significance": "compared_with_benchmark"})
        name = ctx.indicators.loc[indicator_id, "name"]
        tables.append(
            Table(
                shown,
                f"{name} ({indicator_id}), {table['period'].iloc[0]}",
                source=f"{table['source_file'].dropna().iloc[0]}",
                units=dict.fromkeys(
                    ["value", "lower_95", "upper_95", "lower_998", "upper_998"],
                    str(ctx.indicators.loc[indicator_id, "unit"]),
                ),
                note=f"Compared with the {table['benchmark_name'].iloc[0]}.",
                anchor=anchor_for(indicator_id),
            )
        )
    return tables


def comparator_details(ctx: ReportContext, benchmark_period: str = "latest") -> Sections:
    """All comparator tables of the division, for display in one cell."""
    return Sections(comparator_tables(ctx, benchmark_period))


def comparator_charts(ctx: ReportContext, benchmark_period: str = "latest") -> Figures:
    """A comparator chart per indicator, the council highlighted, medians marked."""
    from kassanalysis import charts

    figures = []
    for indicator_id in compared_indicators(ctx):
        table = _comparator_table(ctx, indicator_id, benchmark_period)
        focus = table[table["is_focus"]]
        if table.empty or focus.empty or focus["value"].isna().all():
            continue
        table = _hide_suppressed(ctx, table)
        info = ctx.indicators.loc[indicator_id]
        figures.append(
            charts.plot_comparator(
                table,
                indicator_name=str(info["name"]),
                unit=str(info["unit"]),
                period=str(table["period"].iloc[0]),
                polarity=str(info["polarity"]),
                focus_code=ctx.division.authority,
            )
        )
    return Figures(figures, empty="No comparator data for this division's indicators.")


def comparator_key_figures(ctx: ReportContext, benchmark_period: str = "latest") -> KeyFigures:
    """Headline comparator figures, one line per indicator with data; none for a value
    the comparator summary withholds for a small count, and the England median shown as
    the summary shows it (``[c]`` where another council's small count is behind it)."""
    summary = _comparator_summary(ctx, benchmark_period)
    marked = mark_for_publication(summary, rule=ctx.rule, **_summary_disclosure(summary))
    lines = []
    for (_, row), (_, shown) in zip(summary.iterrows(), marked.iterrows(), strict=True):
        if pd.isna(row.get("value")) or shown["value"] == MARKER_SUPPRESSED:
            continue
        england_median = (
            MARKER_SUPPRESSED
            if shown["england_median"] == MARKER_SUPPRESSED
            else f"{row['england_median']:.4g}"
        )
        lines.append(
            f"{row['indicator_id']} {row['period']}: {row['value']:g} "
            f"(rank {row['rank']:.0f} of {row['group_size']:.0f}; England median "
            f"{england_median} of {row['england_n']:.0f} councils)"
        )
    return KeyFigures(lines)


def comparator_funnels(ctx: ReportContext, benchmark_period: str = "latest") -> Figures:
    """A funnel plot for each proportion or rate with published numerators and
    denominators: the group's councils against the benchmark, 95% and 99.8% limits."""
    from kassanalysis import charts

    figures = []
    for indicator_id in compared_indicators(ctx):
        table = _hide_suppressed(ctx, _comparator_table(ctx, indicator_id, benchmark_period))
        table = table[table["value"].notna()]
        info = ctx.indicators.loc[indicator_id]
        funnel = comparator.calculate_group_funnel(table, info)
        if funnel is None:
            continue
        figures.append(
            charts.plot_funnel(
                funnel,
                indicator_name=str(info["name"]),
                unit=str(info["unit"]),
                period=str(table["period"].iloc[0]),
                source=f"Source: {table['source_file'].dropna().iloc[0]}",
            )
        )
    return Figures(
        figures,
        empty="No funnel plots: none of this division's indicators publishes numerators and "
        "denominators for the comparator group.",
    )


def _councils_groups(ctx: ReportContext) -> list[str]:
    """The comparator groups the division's council belongs to, in the order of
    ``comparator_groups.yml``."""
    groups = list(load_comparator_groups(root=ctx.paths.root)["id"])
    mine = set(ctx.members.loc[ctx.members["authority_code"] == ctx.division.authority, "group_id"])
    return [g for g in groups if g in mine]


SENSITIVITY_COUNTS = ("numerator", "numerator_in_group_median")
"""The counts of :func:`comparator_sensitivity`'s table checked against the disclosure rule:
the council's numerator in each row, and the smallest count of any member behind a middle
value of that row's group median (see
:func:`kassanalysis.analysis.sensitivity.rank_under_each_group`), as the group table."""

SENSITIVITY_DEPENDENT = {
    **dict.fromkeys(
        (
            "value",
            "rank",
            "quartile",
            "quintile",
            "position_depends_on_group",
        ),
        "numerator",
    ),
    "group_median": "numerator_in_group_median",
    # the council's distance from a withheld median would give the median back
    "mads_from_group_median": ("numerator", "group_median"),
}
"""Figures of the sensitivity table withheld with the count they are built on: the
council's value and its position, and the group median (with the council's distance from
it) where any member's withheld value is a middle value of the median (a group of one
shows the value itself as the median; of two, the value is the median times two less the
other council's published value), as the group table withholds it."""


def comparator_sensitivity(ctx: ReportContext, benchmark_period: str = "latest") -> Table:
    """Each indicator ranked under every comparator group the council belongs to, side by
    side, so a reader sees whether its position depends on the choice of peers."""
    group_ids = _councils_groups(ctx)
    names = load_comparator_groups(root=ctx.paths.root).set_index("id")["name"]
    frames = []
    for indicator_id in compared_indicators(ctx):
        ranked = sensitivity.rank_under_each_group(
            ctx.observations,
            ctx.members,
            ctx.indicators,
            indicator_id=indicator_id,
            period=_benchmark(benchmark_period),
            group_ids=group_ids,
            focus_code=ctx.division.authority,
            population=ctx.population,
        )
        ranked.insert(0, "indicator_name", str(ctx.indicators.loc[indicator_id, "name"]))
        ranked.insert(1, "group", ranked["group_id"].map(names))
        ranked["unit"] = str(ctx.indicators.loc[indicator_id, "unit"])
        frames.append(ranked)
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    # each row's own count (its group's table, its period), so a small count is withheld
    # with every figure built on it, whichever group the report was opened with
    frame = ctx.save(
        "comparator_sensitivity",
        frame,
        counts=SENSITIVITY_COUNTS if not frame.empty else (),
        dependent=SENSITIVITY_DEPENDENT if not frame.empty else None,
        row_units=("value", "group_median") if not frame.empty else (),
    )
    shown = frame.reindex(
        columns=[
            "indicator_name",
            "group",
            "period",
            "value",
            "unit",
            "rank",
            "group_size",
            "quartile",
            "quintile",
            "group_median",
            "mads_from_group_median",
            "position_depends_on_group",
            "note",
        ]
    )
    return Table(
        shown,
        "The same indicator ranked under each comparator group the council belongs to",
        units={"note": TEXT_UNIT},
        row_units=("value", "group_median"),
        note="Rank 1, quartile 1 and quintile 1 are the best for the indicator's polarity. "
        "'Position depends on group' is yes when the council's quartile differs between "
        "the groups.",
        source="indicator_observations; comparator_members (data/reference/comparator_groups.yml)",
    )


def _hide_suppressed(ctx: ReportContext, table: pd.DataFrame) -> pd.DataFrame:
    """Blank the values a chart must not show: those built on a suppressed count, and the
    medians, mean and benchmark a group table withholds (:data:`GROUP_SHARED`), so a chart
    draws no median line that the tables withhold."""
    derived = ["value", "lower_95", "upper_95", "lower_998", "upper_998"]
    mask = build_suppression_mask(
        table,
        counts=GROUP_COUNTS,
        dependent=dict.fromkeys(derived, "numerator"),
        shared=GROUP_SHARED,
        rule=ctx.rule,
    )
    table = table.copy()
    for column in [*derived, *GROUP_SHARED]:
        table.loc[mask[column].to_numpy(), column] = float("nan")
    return table
