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
from kassanalysis.analysis.observations import (
    describe_status,
    is_missing,
    make_frame,
    resolve_period,
    select_observations,
)
from kassanalysis.analysis.summary_budget import summarise_budget_monitoring
from kassanalysis.analysis.summary_quality import summarise_data_quality
from kassanalysis.analysis.tones import CONCERN, GOOD, NEUTRAL, NOT_AVAILABLE, WARNING
from kassanalysis.analysis.trend import chart_spc, describe_direction, summarise_trend
from kassanalysis.periods import Period
from kassanalysis.schemas import (
    DashboardIndicators,
    SummaryHeadline,
)
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


def _decimal_years(starts: pd.Series) -> np.ndarray:
    """Time values for the trend test, as Fingertips uses the year values: each period's
    first month as a year and twelfths (2019-20 is 2019.25, its Q2 2019.5), so that
    years, quarters and months are evenly spaced (the statistic depends only on the
    spacing)."""
    starts = pd.to_datetime(starts)
    return (starts.dt.year + (starts.dt.month - 1) / 12).to_numpy(dtype=float)


def _recent_trend(actuals: pd.DataFrame, info: pd.Series) -> dict[str, Any]:
    """Fingertips' recent trend of one series of actual rows (one period type)."""
    years = _decimal_years(actuals[Obs.period_start])
    numerator = actuals[Obs.numerator].astype(float)
    denominator = actuals[Obs.denominator].astype(float)
    values = actuals[Obs.value].astype(float)
    if str(info.get("unit", "")).strip() == "%" and numerator.notna().all() and len(actuals):
        return stats.calculate_recent_trend(
            years, numerator=numerator.to_numpy(), denominator=denominator.to_numpy()
        )
    per = info.get("per")
    if not is_missing(per) and str(per) != "" and numerator.notna().all() and len(actuals):
        rate, lower, upper = stats.calculate_rate_interval(
            numerator.to_numpy(), denominator.to_numpy(), per=float(per), confidence=0.95
        )
        return stats.calculate_recent_trend(years, values=rate, lower_95=lower, upper_95=upper)
    missing = np.full(len(actuals), np.nan)
    return stats.calculate_recent_trend(
        years, values=values.to_numpy(), lower_95=missing, upper_95=missing
    )


def _recent_trend_cells(actuals: pd.DataFrame, info: pd.Series, polarity: str) -> dict:
    result = _recent_trend(actuals, info)
    marker = result["marker"]
    if marker == "cannot be calculated":
        text, tone = f"cannot be calculated: {result['reason']}", NOT_AVAILABLE
    else:
        text = stats.describe_recent_trend(marker, polarity)
        tone = GOOD if text.endswith("better") else CONCERN if text.endswith("worse") else NEUTRAL
    return {"recent_trend": marker, "recent_trend_text": text, "recent_trend_tone": tone}


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
    """England comparison (two levels) and rank among the comparator group."""
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
    england = _england_cells(
        observations, row, indicator_id=indicator_id, period=period, polarity=polarity
    )
    size = int(row["group_size"])
    cells["group_size"] = size
    rank_text, rank_tone = _rank_words(row, size, group_name, period, polarity)
    if size >= 2:
        cells |= {"rank": row["rank"], "quartile": row["quartile"]}
    return cells | england | {"rank_text": rank_text, "rank_tone": rank_tone}


def _england_cells(
    observations: pd.DataFrame, row: pd.Series, *, indicator_id: str, period: str, polarity: str
) -> dict[str, Any]:
    """The council compared with England at 95% and 99.8%: the England value when
    published, else the median of English councils."""
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


def _rank_words(
    row: pd.Series, size: int, group_name: str, period: str, polarity: str
) -> tuple[str, str]:
    """The council's rank and quartile among its comparator group, in words, and its tone."""
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
        if polarity == "no_polarity":
            rank_text = f"{int(row['rank'])} of {size} in {group_name} ({period}; no polarity)"
            rank_tone = NEUTRAL
    return rank_text, rank_tone


def _spc_cells(trend: pd.DataFrame, polarity: str, target: float) -> dict[str, Any]:
    chart = chart_spc(trend, polarity)
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


def _rag_cells(rated: pd.Series | None) -> tuple[dict[str, Any], float]:
    """RAG against the phased target and floor, in words and tone, and the target; an
    activity indicator (no polarity) is not rated."""
    if rated is None:
        cells = {
            "rag": performance.NOT_RATED,
            "rag_text": "not rated: an activity indicator, watched against its expected range",
            "rag_tone": NEUTRAL,
        }
        target = np.nan
    else:
        cells = {
            "rag": rated["rag"],
            "rag_text": _rag_text(rated),
            "rag_tone": _RAG_TONES.get(rated["rag"], NOT_AVAILABLE),
        }
        target = rated["target"]
    return cells, target


def _direction_cells(trend: pd.DataFrame, polarity: str, unit: str) -> dict[str, Any]:
    """Direction of travel since the last figure of the same kind, in words and tone."""
    if len(trend) >= 2:
        step = str(trend["direction"].iloc[-1])
        return {
            "direction": step,
            "direction_text": describe_direction(trend, polarity, unit),
            "direction_tone": _DIRECTION_TONES.get(
                step, NOT_AVAILABLE if step == "not comparable" else NEUTRAL
            ),
        }
    else:
        return {
            "direction": "not comparable",
            "direction_text": "not available: no earlier figure of the same kind",
            "direction_tone": NOT_AVAILABLE,
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
        if latest.empty:
            latest_text = "not available: nothing published by this period"
        elif is_missing(value):
            latest_text = _status_words(latest["status"].iloc[0])
        else:
            latest_text = formatting.format_value(value, unit)
        record: dict[str, Any] = {
            "indicator_id": indicator_id,
            "anchor": anchor_for(indicator_id),
            "indicator_name": str(info.get("name", indicator_id)),
            "unit": unit,
            "polarity": polarity,
            "latest_period": latest_period,
            "latest_value": value,
            "latest_text": latest_text,
        }
        rag_cells, target = _rag_cells(rated)
        record |= rag_cells
        record |= _direction_cells(trend, polarity, unit)
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
        record |= _spc_cells(trend, polarity, target)
        records.append(record)
    return make_frame(records, DashboardIndicators)


def summarise_headline(
    indicators_summary: pd.DataFrame, budget_summary: pd.DataFrame, *, period: str
) -> pd.DataFrame:
    """A division's line in the pack summary: how many indicators are Red, Amber and
    Green, how many are not rated, and the budget position.

    Parameters
    ----------
    indicators_summary : pandas.DataFrame
        From :func:`summarise_indicators_for_dashboard`.
    budget_summary : pandas.DataFrame
        From :func:`summarise_budget_monitoring`.
    period : str
        The pack's period, for the budget sentence when there is no monitoring return.

    Returns
    -------
    pandas.DataFrame
        :class:`~kassanalysis.schemas.SummaryHeadline`, one row: ``red``, ``amber``,
        ``green`` (counts), ``other`` (indicators with no rating: no data, no target,
        activity indicators...), ``budget_text`` (the first total's position, or that there
        is no monitoring return for ``period``) and ``budget_tone``.

    Examples
    --------
    >>> dashboard = pd.DataFrame({"rag": ["Red", "Green", "Green", "No data"]})
    >>> budget = pd.DataFrame({"kind": ["total"], "text": ["on budget"], "tone": ["neutral"]})
    >>> headline = summarise_headline(dashboard, budget, period="2013-14 Q1")
    >>> headline[["red", "amber", "green", "other", "budget_text"]].to_dict("records")
    [{'red': 1, 'amber': 0, 'green': 2, 'other': 1, 'budget_text': 'on budget'}]
    """
    ratings = indicators_summary["rag"].value_counts()
    counted = {
        word: int(ratings.get(rag, 0))
        for word, rag in (
            ("red", performance.RED),
            ("amber", performance.AMBER),
            ("green", performance.GREEN),
        )
    }
    totals = budget_summary[budget_summary["kind"] == "total"]
    if totals.empty:
        budget_text = f"not available: no budget monitoring return for {period}"
        budget_tone = NOT_AVAILABLE
    else:
        budget_text, budget_tone = str(totals["text"].iloc[0]), str(totals["tone"].iloc[0])
    record = {
        **counted,
        "other": int(len(indicators_summary) - sum(counted.values())),
        "budget_text": budget_text,
        "budget_tone": budget_tone,
    }
    return make_frame([record], SummaryHeadline)
