"""The one-page summary of each division, written into the pack for its ``index.html``.

The pack computes each division's summary with the analysis functions of
:mod:`kassanalysis.analysis.summary`, from the same tidy tables the notebooks read
(:func:`load_summary_inputs`, pointed at one ``data/processed`` folder), and writes it as
CSV and JSON under ``<pack>/<division>/summary/`` with the same publishing safety as every
other key table (:mod:`kassanalysis.report.publishing`: small counts suppressed, missing
values marked, spreadsheet formulas neutralised). The index template renders it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kassanalysis import io as kio
from kassanalysis.analysis import summary
from kassanalysis.api import Division, load_comparator_groups
from kassanalysis.formatting import parse_unit
from kassanalysis.periods import parse_period
from kassanalysis.publish.disclosure import SuppressionRule
from kassanalysis.report.publishing import (
    build_suppression_mask,
    mark_for_publication,
    publish_table,
    read_published_table,
)

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
    """The tidy tables and reference the summaries are computed from (one build)."""

    observations: pd.DataFrame
    members: pd.DataFrame
    population: pd.DataFrame
    budget: pd.DataFrame
    data_quality: pd.DataFrame
    indicators: pd.DataFrame
    groups: pd.DataFrame
    truncated: dict[str, str]
    rebase: pd.DataFrame | None = None


def _read_table(name: str, build: Path, manifest: dict) -> pd.DataFrame:
    """One tidy table of the build, checked against the build's manifest."""
    return kio.read_build_table(name, build, manifest)


def load_summary_inputs(paths: kio.ProjectPaths, processed: Path | None = None) -> SummaryInputs:
    """Everything the summaries need, read once: the tidy tables from ``processed`` (by
    default ``paths.processed``, the build the notebooks read), the indicator reference
    and comparator groups from ``data/reference``, and the catalogue's ``truncated``
    notes.

    Raises
    ------
    kassanalysis.io.ProcessedDataError
        When ``processed`` holds no build, or a table differs from its manifest.
    """
    folder = Path(processed) if processed is not None else kio.resolve_build(paths.processed)
    manifest = kio.read_build_manifest(folder)
    return SummaryInputs(
        observations=_read_table("indicator_observations", folder, manifest),
        members=_read_table("comparator_members", folder, manifest),
        population=_read_table("population", folder, manifest),
        budget=_read_table("budget_lines", folder, manifest),
        data_quality=_read_table("data_quality", folder, manifest),
        indicators=kio.read_reference(paths.reference).indicators,
        groups=load_comparator_groups(root=paths.root).set_index("id"),
        truncated={e.file: e.truncated for e in kio.read_catalogue(paths.raw) if e.truncated},
        rebase=kio.read_spc_rebase(paths.reference),
    )


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


def _suppress_small_counts(indicators: pd.DataFrame, rule: SuppressionRule) -> pd.DataFrame:
    """Latest figures of count indicators in the small-number range become suppressed,
    with every text that quotes them."""
    counts = indicators["latest_value"].where(
        indicators["unit"].map(lambda unit: parse_unit(unit).kind == "count")
    )
    mask = build_suppression_mask(
        indicators.assign(latest_count=counts),
        counts=("latest_count",),
        dependent={},
        rule=rule,
    )
    if mask.empty or not mask["latest_count"].any():
        return indicators
    hidden = mask["latest_count"]
    out = indicators.copy()
    out.loc[hidden, "latest_value"] = float("nan")
    for column in ("latest_text", "rag_text", "direction_text"):
        out.loc[hidden, column] = "suppressed"
    return out


def write_division_summary(
    tables: dict[str, pd.DataFrame], folder: Path, rule: SuppressionRule
) -> dict[str, pd.DataFrame]:
    """Write a division's summary tables to ``folder`` (CSV and JSON each) as every key
    table is written; returns the marked tables."""
    marked = {}
    for name in SUMMARY_TABLES:
        frame = tables[name]
        if name == "indicators":
            frame = _suppress_small_counts(frame, rule)
        marked[name] = mark_for_publication(frame, rule=rule)
        publish_table(marked[name], Path(folder), name)
    return marked


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts with None (not NaN) where a cell is empty."""
    frame = frame.astype(object)
    return frame.where(frame.notna(), None).to_dict("records")


def read_division_summary(folder: Path) -> dict[str, list[dict]] | None:
    """A written summary's tables as records for the index template (from the JSON: the
    CSV's text is neutralised for spreadsheets); None when there is none."""
    folder = Path(folder)
    if not all((folder / f"{name}.json").is_file() for name in SUMMARY_TABLES):
        return None
    return {
        name: _records(read_published_table(folder / f"{name}.json")) for name in SUMMARY_TABLES
    }


def write_pack_summaries(
    staging: Path,
    paths: kio.ProjectPaths,
    *,
    divisions: list[Division],
    period: str,
    rule: SuppressionRule,
    group: str | None = None,
    benchmark_period: str | None = "latest",
    processed: Path | None = None,
) -> list[Path]:
    """Compute and write every division's summary into the pack being built, under
    ``<staging>/<division>/summary/``, from one build (``processed``, by default the
    project's ``data/processed``: the folder the notebooks read). Returns the folders."""
    inputs = load_summary_inputs(paths, processed)
    folders = []
    for division in divisions:
        tables = summarise_division(
            inputs, division, period=period, group=group, benchmark_period=benchmark_period
        )
        folder = Path(staging) / division.id / "summary"
        write_division_summary(tables, folder, rule)
        folders.append(folder)
    return folders
