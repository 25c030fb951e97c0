"""The one-page summary of a division: indicators, budget, data quality.

Like the cabinet committee dashboard, the summary is a matrix with one row per indicator
and one column per question a reader asks of it: is it on target (RAG against the phased
target and floor), which way did it last move (direction of travel), is there a recent
trend (Fingertips' chi-squared test for trend, read by polarity), how does it compare with
England (at 95% and at 99.8%, naming the benchmark), where does it rank among the
comparator group (rank, n and quartile, naming the group), and, for series of 12 points or
more, what the SPC chart says (Making Data Count variation and assurance). Then the budget
position (forecast outturn against budget and the largest variances) and one line per
table that does not reconcile.

Each question is answered by the analysis that answers it in the reports; this module only
calls them and puts their answers side by side, as codes (for colour and for sorting), as
words (so no answer is given by colour alone) and with a ``tone`` that says whether the
answer is good news, a concern, a warning, neutral, or not available.

Pure functions: frames in, new frames out (validated against
:class:`~kassanalysis.schemas.DashboardIndicators`, :class:`~kassanalysis.schemas.BudgetSummary`
and :class:`~kassanalysis.schemas.DataQualitySummary`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kassanalysis import formatting
from kassanalysis.analysis import performance, stats
from kassanalysis.analysis.comparator import ENGLAND, compare_with_group
from kassanalysis.analysis.indicator_trend import calculate_indicator_recent_trend
from kassanalysis.analysis.observations import (
    describe_status,
    is_missing,
    make_frame,
    resolve_period,
    select_observations,
)
from kassanalysis.analysis.spc import MINIMUM_BASELINE_POINTS
from kassanalysis.analysis.summary_lines import (
    CONCERN,
    GOOD,
    NEUTRAL,
    NOT_AVAILABLE,
    WARNING,
    summarise_budget_monitoring,
    summarise_data_quality,
    summarise_headline,
)
from kassanalysis.analysis.trend import chart_spc, describe_direction, summarise_trend
from kassanalysis.periods import Period
from kassanalysis.schemas import DashboardIndicators
from kassanalysis.schemas import IndicatorObservations as Obs

__all__ = [
    "GOOD",
    "CONCERN",
    "WARNING",
    "NEUTRAL",
    "NOT_AVAILABLE",
    "anchor_for",
    "summarise_budget_monitoring",
    "summarise_data_quality",
    "summarise_headline",
    "summarise_indicators_for_dashboard",
]

_RAG_TONES = {performance.GREEN: GOOD, performance.AMBER: WARNING, performance.RED: CONCERN}
_DIRECTION_TONES = {"improving": GOOD, "worsening": CONCERN}
_VARIATION_TONES = {"special_cause_improvement": GOOD, "special_cause_concern": CONCERN}
_ASSURANCE_TONES = {"consistent_pass": GOOD, "consistent_fail": CONCERN, "inconsistent": WARNING}


def anchor_for(indicator_id: str) -> str:
    """The id of an indicator's section in the reports, e.g. ``indicator-kcc-oppd-pb``.

    Examples
    --------
    >>> anchor_for("ASCOF-2A2")
    'indicator-ascof-2a2'
    """
    return f"indicator-{str(indicator_id).lower()}"


def _status_words(status: Any) -> str:
    """``suppressed`` for a value withheld for disclosure control, otherwise ``not
    available``: a missing value is never shown blank or as 0."""
    if str(status) == "suppressed":
        return "suppressed"
    if str(status) in ("to_be_confirmed", "not_applicable"):
        return f"not available: {describe_status(status)}"
    return "not available"


def _tone_of_significance(label: str) -> str:
    if label.startswith("better"):
        return GOOD
    if label.startswith("worse"):
        return CONCERN
    if label == "not compared":
        return NOT_AVAILABLE
    return NEUTRAL


def _recent_trend_cells(actuals: pd.DataFrame, info: pd.Series, polarity: str) -> dict:
    result = calculate_indicator_recent_trend(actuals, info)
    marker = result["marker"]
    if marker == "cannot be calculated":
        text, tone = f"cannot be calculated: {result['reason']}", NOT_AVAILABLE
    else:
        text = stats.describe_recent_trend(marker, polarity)
        tone = GOOD if text.endswith("better") else CONCERN if text.endswith("worse") else NEUTRAL
    return {"recent_trend": marker, "recent_trend_text": text, "recent_trend_tone": tone}


def _england_cells(
    observations: pd.DataFrame,
    indicator_id: str,
    row: pd.Series,
    period: str,
    polarity: str,
) -> dict[str, Any]:
    """The council's comparison with England at 95% and 99.8%, naming the benchmark: the
    England value where one is published, else the median of the English councils."""
    england_n = int(row["england_n"])
    has_england = (
        (observations[Obs.authority_code] == ENGLAND)
        & (observations[Obs.indicator_id] == indicator_id)
        & (observations[Obs.value_type] == "actual")
        & (observations[Obs.period] == period)
        & observations[Obs.value].notna()
    ).any()
    if has_england:
        name = f"England value ({period})"
    else:
        name = f"median of {england_n} English councils ({period})"
    if england_n < 2 and not has_england:
        england = {
            "england_benchmark": None,
            "england_95": "not compared",
            "england_998": "not compared",
            "england_text": "not compared: no other council publishes this figure",
            "england_tone": NOT_AVAILABLE,
        }
    else:
        two = stats.classify_against_benchmark_two_levels(
            row["lower_95"],
            row["upper_95"],
            row["lower_998"],
            row["upper_998"],
            row["benchmark"],
            polarity,
            name,
        ).iloc[0]
        text = str(two["significance_text"])
        if two["significance"] == "not compared":
            text = f"not compared with the {name}: no confidence interval (no counts published)"
        england = {
            "england_benchmark": name,
            "england_95": two["compared_95"],
            "england_998": two["compared_998"],
            "england_text": text,
            "england_tone": _tone_of_significance(str(two["significance"])),
        }
    return england


def _comparison_cells(
    observations: pd.DataFrame,
    members: pd.DataFrame,
    indicators: pd.DataFrame,
    *,
    indicator_id: str,
    polarity: str,
    benchmark_period: str | None,
    group_id: str,
    group_name: str,
    authority: str,
    population: pd.DataFrame | None,
) -> dict[str, Any]:
    """England comparison (two levels) and rank among the comparator group, with the
    council's count behind the compared value (``comparison_numerator``, NaN where none
    is published) for the report's disclosure control."""
    table = compare_with_group(
        observations,
        members,
        indicators,
        indicator_id=indicator_id,
        period=benchmark_period,
        group_id=group_id,
        focus_code=authority,
        population=population,
    )
    focus = table[table["is_focus"]] if not table.empty else table
    cells: dict[str, Any] = {
        "comparison_period": None if table.empty else str(table["period"].iloc[0]),
        "comparison_numerator": np.nan,
        "group_name": group_name,
        "rank": np.nan,
        "group_size": np.nan,
        "quartile": np.nan,
    }
    if focus.empty or pd.isna(focus["value"].iloc[0]):
        where = f" for {cells['comparison_period']}" if cells["comparison_period"] else ""
        reason = f"not available: no published figure for this council{where}"
        return cells | {
            "england_benchmark": None,
            "england_95": "not compared",
            "england_998": "not compared",
            "england_text": reason,
            "england_tone": NOT_AVAILABLE,
            "rank_text": reason,
            "rank_tone": NOT_AVAILABLE,
        }
    row = focus.iloc[0]
    period = cells["comparison_period"]
    # the count the comparator summary withholds the rank and comparison with
    cells["comparison_numerator"] = float(row["numerator"])
    england = _england_cells(observations, indicator_id, row, period, polarity)
    size = int(row["group_size"])
    cells["group_size"] = size
    if size < 2:
        rank_text = f"not ranked: no other council in {group_name} has a figure for {period}"
        rank_tone = NOT_AVAILABLE
    else:
        rank_text = (
            f"{int(row['rank'])} of {size} in {group_name} (n = {size} with a figure, "
            f"{period}); quartile {int(row['quartile'])} (1 = best)"
        )
        quartile = int(row["quartile"])
        rank_tone = GOOD if quartile == 1 else CONCERN if quartile == 4 else NEUTRAL
        cells |= {"rank": row["rank"], "quartile": row["quartile"]}
        if polarity == "no_polarity":
            rank_text = f"{int(row['rank'])} of {size} in {group_name} ({period}; no polarity)"
            rank_tone = NEUTRAL
    return cells | england | {"rank_text": rank_text, "rank_tone": rank_tone}


def _spc_cells(
    trend: pd.DataFrame, polarity: str, target: float, rebase_at: list[str]
) -> dict[str, Any]:
    named = [p for p in rebase_at if p in set(trend["period"])]
    try:
        chart = chart_spc(trend, polarity, baseline_points=MINIMUM_BASELINE_POINTS, rebase_at=named)
    except ValueError:  # a rebase point leaving a segment of one point: no chart
        chart = None
    points = int(trend["actual"].notna().sum())
    if chart is None:
        text = f"not shown: {points} point{'' if points == 1 else 's'} in the series (12 needed)"
        return {
            "spc_variation": None,
            "spc_variation_text": text,
            "spc_assurance": None,
            "spc_assurance_text": text,
            "spc_tone": NOT_AVAILABLE,
        }
    latest = stats.describe_latest_point(chart, polarity, target=target)
    tone = _VARIATION_TONES.get(latest["variation"], NEUTRAL)
    if latest["assurance"] is not None:
        tone = _ASSURANCE_TONES[latest["assurance"]] if tone == NEUTRAL else tone
    return {
        "spc_variation": latest["variation"],
        "spc_variation_text": latest["variation_text"],
        "spc_assurance": latest["assurance"],
        "spc_assurance_text": latest["assurance_text"],
        "spc_tone": tone,
    }


def _rag_text(row: pd.Series) -> str:
    unit = row["unit"]
    rag = row["rag"]
    if rag in (performance.GREEN, performance.AMBER, performance.RED, performance.NO_FLOOR):
        floor = (
            f", floor {formatting.format_number(row['floor'], unit)}"
            if not is_missing(row["floor"])
            else ", no floor set"
        )
        return (
            f"{rag}: {formatting.format_number(row['actual'], unit)} against target "
            f"{formatting.format_number(row['target'], unit)}{floor}"
        )
    note = row["note"] if isinstance(row["note"], str) and row["note"] else ""
    return f"{rag}: {note}" if note else str(rag)


def _latest_text(latest: pd.DataFrame, unit: str) -> str:
    """The latest figure in words: formatted, or why there is none."""
    if latest.empty:
        return "not available: nothing published by this period"
    value = latest["actual"].iloc[0]
    if is_missing(value):
        return _status_words(latest["status"].iloc[0])
    return formatting.format_value(float(value), unit)


def _rag_cells(rated: pd.Series | None) -> dict[str, Any]:
    if rated is None:
        return {
            "rag": performance.NOT_RATED,
            "rag_text": "not rated: an activity indicator, watched against its expected range",
            "rag_tone": NEUTRAL,
        }
    return {
        "rag": rated["rag"],
        "rag_text": _rag_text(rated),
        "rag_tone": _RAG_TONES.get(rated["rag"], NOT_AVAILABLE),
    }


def _direction_cells(trend: pd.DataFrame, polarity: str, unit: str) -> dict[str, Any]:
    if len(trend) < 2:
        return {
            "direction": "not comparable",
            "direction_text": "not available: no earlier figure of the same kind",
            "direction_tone": NOT_AVAILABLE,
        }
    step = str(trend["direction"].iloc[-1])
    return {
        "direction": step,
        "direction_text": describe_direction(trend, polarity, unit),
        "direction_tone": _DIRECTION_TONES.get(
            step, NOT_AVAILABLE if step == "not comparable" else NEUTRAL
        ),
    }


def summarise_indicators_for_dashboard(
    observations: pd.DataFrame,
    members: pd.DataFrame,
    indicators: pd.DataFrame,
    *,
    authority: str,
    indicator_ids: list[str],
    period: Period | str,
    group_id: str,
    group_name: str,
    benchmark_period: str | None = "latest",
    population: pd.DataFrame | None = None,
    rebase: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The dashboard matrix: one row per indicator, one column group per question.

    Parameters
    ----------
    observations : pandas.DataFrame
        An :class:`~kassanalysis.schemas.IndicatorObservations` frame (every council's
        rows: the comparisons need the others).
    members : pandas.DataFrame
        Comparator group memberships (:class:`~kassanalysis.schemas.ComparatorMembers`).
    indicators : pandas.DataFrame
        The indicator reference indexed by ``id`` (``name``, ``unit``, ``polarity``,
        ``per``, ``denominator_band``, ``min_possible``, ``max_possible``).
    authority : str
        ONS code of the council the summary is for.
    indicator_ids : list of str
        The division's indicators, in the order the summary lists them.
    period : Period or str
        Reporting period: the latest actual ending on or before its last day is shown,
        rated against the target for its own period (phased targets) and the floor.
    group_id, group_name : str
        The comparator group (``comparator_groups.yml``) and its name as a reader sees it.
    benchmark_period : str or None, default ``"latest"``
        Period of the comparator data (``"latest"`` or a label; see
        :func:`~kassanalysis.analysis.comparator.compare_with_group`). Each row names the
        period it used in ``comparison_period``.
    population : pandas.DataFrame, optional
        ONS population for rate denominators.
    rebase : pandas.DataFrame, optional
        The analyst's SPC rebase points (``indicator_id``, ``period``; from
        :func:`kassanalysis.io.read_spc_rebase`). SPC limits are fixed on the first 12
        points of each segment, as in the trend report.

    Returns
    -------
    pandas.DataFrame
        :class:`~kassanalysis.schemas.DashboardIndicators`: one row per indicator with its
        ``anchor`` (see :func:`anchor_for`), name, unit, polarity; ``latest_period``,
        ``latest_value`` and ``latest_text`` (the figure formatted by
        :mod:`kassanalysis.formatting`, or ``"not available"`` / ``"suppressed"``);
        ``rag``/``rag_text`` (from
        :func:`~kassanalysis.analysis.performance.rate_against_target`; ``Not rated`` for
        activity indicators); ``direction``/``direction_text`` (the latest step and the
        sentence of :func:`~kassanalysis.analysis.trend.describe_direction`);
        ``recent_trend``/``recent_trend_text`` (Fingertips' marker over the last five
        points of the same period type, read by polarity); ``england_95``,
        ``england_998``, ``england_benchmark`` and ``england_text``; ``rank``,
        ``group_size``, ``quartile``, ``group_name``, ``rank_text`` and
        ``comparison_period``; ``spc_variation``/``spc_assurance`` and their texts (12 or
        more points of one period type; otherwise a text saying how many there are); and
        a ``*_tone`` for each (``good``, ``concern``, ``warning``, ``neutral``,
        ``not_available``).

    Raises
    ------
    KeyError
        If an indicator id is not in the reference.
    ValueError
        If the comparator group has no members or a value is published twice with
        different numbers.

    References
    ----------
    Kent County Council cabinet committee performance dashboards (RAG against target and
    floor, direction of travel); OHID Fingertips (recent trend, two-level comparison);
    NHS England Making Data Count (SPC variation and assurance).
    """
    period = resolve_period(period)
    if indicators.index.name != "id" and "id" in indicators.columns:
        indicators = indicators.set_index("id")
    unknown = [i for i in indicator_ids if i not in indicators.index]
    if unknown:
        raise KeyError(f"unknown indicator(s) {unknown}; see data/reference/indicators.csv")
    ids = list(dict.fromkeys(indicator_ids))
    rated_ids = [i for i in ids if indicators.loc[i, "polarity"] != "no_polarity"]
    rag = performance.rate_against_target(
        observations, indicators, period=period, authority_code=authority, indicator_ids=rated_ids
    ).set_index("indicator_id")
    records = []
    for indicator_id in ids:
        info = indicators.loc[indicator_id]
        polarity = str(info["polarity"])
        unit = str(info.get("unit", ""))
        full = summarise_trend(
            observations,
            indicator_id=indicator_id,
            polarity=polarity,
            authority_code=authority,
            up_to=period,
        )
        if indicator_id in rag.index:
            rated = rag.loc[indicator_id]
            latest_period = rated["actual_period"]
        else:
            rated = None
            latest_period = full["period"].iloc[-1] if not full.empty else None
        latest = full[full["period"] == latest_period].tail(1)
        kind = latest["period_type"].iloc[0] if not latest.empty else None
        trend = full[full["period_type"] == kind].reset_index(drop=True) if kind else full
        value = float(latest["actual"].iloc[0]) if not latest.empty else np.nan
        record: dict[str, Any] = {
            "indicator_id": indicator_id,
            "anchor": anchor_for(indicator_id),
            "indicator_name": str(info.get("name", indicator_id)),
            "unit": unit,
            "polarity": polarity,
            "latest_period": latest_period,
            "latest_value": value,
            "latest_text": _latest_text(latest, unit),
        }
        record |= _rag_cells(rated) | _direction_cells(trend, polarity, unit)
        target = np.nan if rated is None else rated["target"]
        actuals = select_observations(
            observations,
            indicator_id=indicator_id,
            authority_code=authority,
            breakdown="Total",
            value_types=("actual",),
        )
        actuals = actuals[
            (actuals[Obs.period_end] <= pd.Timestamp(period.end))
            & (actuals[Obs.period_type] == kind)
        ]
        record |= _recent_trend_cells(actuals, info, polarity)
        record |= _comparison_cells(
            observations,
            members,
            indicators,
            indicator_id=indicator_id,
            polarity=polarity,
            benchmark_period=benchmark_period,
            group_id=group_id,
            group_name=group_name,
            authority=authority,
            population=population,
        )
        rebase_at = (
            []
            if rebase is None
            else list(rebase.loc[rebase["indicator_id"] == indicator_id, "period"])
        )
        record |= _spc_cells(trend, polarity, target, rebase_at)
        records.append(record)
    return make_frame(records, DashboardIndicators)
