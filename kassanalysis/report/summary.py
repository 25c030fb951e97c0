"""The one-page summary of each division, written into the pack for its ``index.html``.

Pure: frames in, frames out. The pack computes each division's summary with the analysis
functions of :mod:`kassanalysis.analysis.summary` from a :class:`SummaryInputs` (the tidy
tables the notebooks read, loaded once by
:func:`kassanalysis.report.context.load_summary_inputs`), and marks it with the same
publishing safety as every other key table (:mod:`kassanalysis.report.publishing`: small
counts suppressed, missing values marked, spreadsheet formulas neutralised).
:func:`kassanalysis.report.context.write_pack_summaries` writes the marked tables as CSV and
JSON under ``<pack>/<division>/summary/``; the index template renders them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from kassanalysis.analysis import summary
from kassanalysis.config import Division
from kassanalysis.formatting import parse_unit
from kassanalysis.periods import parse_period
from kassanalysis.publish.disclosure import SuppressionRule
from kassanalysis.report.publishing import build_suppression_mask, mark_for_publication

#: The tables of a division's summary, as written under ``<division>/summary/``.
SUMMARY_TABLES = ("headline", "indicators", "budget", "data_quality")

#: Which report holds the section behind each column of the matrix.
REPORT_FOR = {
    "indicator": "trend",
    "rag": "variance",
    "direction": "trend",
    "recent_trend": "trend",
    "england": "comparator",
    "rank": "comparator",
    "spc": "trend",
}


@dataclass(frozen=True)
class SummaryInputs:
    """The tidy tables and reference the summaries are computed from (one build), as
    :func:`kassanalysis.report.context.load_summary_inputs` reads them: ``groups`` indexed
    by group id, ``truncated`` the catalogue's notes by file."""

    observations: pd.DataFrame
    members: pd.DataFrame
    population: pd.DataFrame
    budget: pd.DataFrame
    data_quality: pd.DataFrame
    indicators: pd.DataFrame
    groups: pd.DataFrame
    truncated: dict[str, str]
    rebase: pd.DataFrame | None = None


def _division_files(inputs: SummaryInputs, division: Division) -> set[str]:
    """Raw files behind the division's budget and indicator figures."""
    units = [*division.budget_units, *division.staffing_units]
    budget = inputs.budget[inputs.budget["unit"].isin(units)]
    observations = inputs.observations[
        inputs.observations["indicator_id"].isin(division.indicators)
        & (inputs.observations["authority_code"] == division.authority)
    ]
    return set(budget["source_file"]) | set(observations["source_file"])


def summarise_division(
    inputs: SummaryInputs,
    division: Division,
    *,
    period: str,
    group: str | None = None,
    benchmark_period: str | None = "latest",
) -> dict[str, pd.DataFrame]:
    """A division's summary tables (not yet marked for publication): ``indicators`` (the
    matrix), ``budget``, ``data_quality`` and ``headline`` (counts of each rating and the
    budget position, one row)."""
    group_id = group or division.comparator_group
    group_name = (
        str(inputs.groups.loc[group_id, "name"]) if group_id in inputs.groups.index else group_id
    )
    indicators = summary.summarise_indicators_for_dashboard(
        inputs.observations,
        inputs.members,
        inputs.indicators,
        authority=division.authority,
        indicator_ids=list(division.indicators),
        period=period,
        group_id=group_id,
        group_name=group_name,
        benchmark_period=benchmark_period,
        population=inputs.population,
        rebase=inputs.rebase,
    )
    budget = summary.summarise_budget_monitoring(
        inputs.budget,
        units=list(division.budget_units),
        period=period,
        financial_year=parse_period(period).financial_year,
    )
    quality = summary.summarise_data_quality(
        inputs.data_quality, inputs.truncated, files=_division_files(inputs, division)
    )
    headline = summary.summarise_headline(indicators, budget, period=period)
    if not division.budget_units:  # not a missing return: the division has no lines of its own
        headline = headline.assign(
            budget_text="not available: the monitoring statement has no lines for this "
            "division on their own (see the directorate)"
        )
    return {
        "headline": headline,
        "indicators": indicators,
        "budget": budget,
        "data_quality": quality,
    }


_COMPARISON_TEXTS = ("rank_text", "england_95", "england_998", "england_text")
_COMPARISON_TONES = ("rank_tone", "england_tone")


def _mark_indicators(indicators: pd.DataFrame, rule: SuppressionRule) -> pd.DataFrame:
    """The matrix marked for publication: latest figures of count indicators in the
    small-number range become ``[c]`` (suppressed, not ``[x]``: they are published, only
    withheld), with every text that quotes them; and where the council's compared value
    rests on a count in that range (``comparison_numerator``), its rank, quartile and
    comparison with England, as the comparator summary withholds them."""
    counts = indicators["latest_value"].where(
        indicators["unit"].map(lambda unit: parse_unit(unit).kind == "count")
    )
    frame = indicators.assign(latest_count=counts)
    checked = ["latest_count"]
    dependent: dict[str, str] = {"latest_value": "latest_count"}
    if "comparison_numerator" in frame.columns:
        checked.append("comparison_numerator")
        dependent |= dict.fromkeys(("rank", "quartile"), "comparison_numerator")
    mask = build_suppression_mask(frame, counts=tuple(checked), dependent={}, rule=rule)
    if not mask.empty and mask["latest_count"].any():
        hidden = mask["latest_count"].to_numpy()
        for column in ("latest_text", "rag_text", "direction_text"):
            frame.loc[hidden, column] = "suppressed"
    if "comparison_numerator" in mask.columns and mask["comparison_numerator"].any():
        hidden = mask["comparison_numerator"].to_numpy()
        for column in _COMPARISON_TEXTS:
            frame.loc[hidden, column] = "suppressed"
        for column in _COMPARISON_TONES:  # a tone gives the quartile away (1 good, 4 concern)
            frame.loc[hidden, column] = summary.NOT_AVAILABLE
    marked = mark_for_publication(frame, rule=rule, counts=tuple(checked), dependent=dependent)
    return marked.drop(columns=checked)


def mark_division_summary(
    tables: dict[str, pd.DataFrame], rule: SuppressionRule
) -> dict[str, pd.DataFrame]:
    """A division's summary tables (from :func:`summarise_division`) made safe to publish,
    as every key table is: counts in the rule's range and the texts quoting them
    suppressed, missing values and suppressed figures marked ``[x]`` / ``[c]``.

    Returns
    -------
    dict of str to pandas.DataFrame
        The tables of :data:`SUMMARY_TABLES`, in that order; the input is not changed.
    """
    marked = {}
    for name in SUMMARY_TABLES:
        frame = tables[name]
        if name == "indicators":
            marked[name] = _mark_indicators(frame, rule)
        else:
            marked[name] = mark_for_publication(frame, rule=rule)
    return marked


__all__ = [
    "REPORT_FOR",
    "SUMMARY_TABLES",
    "SummaryInputs",
    "mark_division_summary",
    "summarise_division",
]
