"""The quarterly performance report's KPI boxes (2013-14 on) as observations and ratings.

The box layout itself (finding the boxes and their parts in the text) is
:mod:`kassanalysis.clean.kpi_boxes`; this module turns the boxes into periods, values,
units and RAG ratings.
"""

from __future__ import annotations

import math

import pandas as pd

from kassanalysis import problems as pb
from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.clean.cells import parse_cell
from kassanalysis.clean.kpi_boxes import KpiBox, find_kpi_boxes
from kassanalysis.clean.kpi_common import (
    match_indicator,
    observation_record,
    records_frame,
)
from kassanalysis.periods import Period, PeriodError, make_quarter, parse_period
from kassanalysis.reference import Reference
from kassanalysis.schemas import (
    IndicatorObservations,
    PublishedRatings,
    empty_frame,
)

_BOX_PARTS = (
    ("latest", "actual", 0),
    ("target", "target", 0),
    ("floor", "floor", 0),
    ("previous", "actual", 1),
)


def clean_kpi_boxes(
    lines: list[str], entry: CatalogueEntry, ref: Reference
) -> tuple[dict[str, pd.DataFrame], list[pb.Problem]]:
    """Read the KPI boxes of a quarterly performance report into observations and the
    published RAG ratings.

    Each box gives four observations: the latest actual, its target and floor (for the
    latest actual's own period: these are the thresholds the report rates it against) and
    the previous quarter's actual; and up to two published ratings (the latest's, and the
    previous quarter's printed in brackets).

    The report's quarter is ``entry.period`` (catalogue ``period``, or ``kass check --year``).
    An indicator reported in arrears, or over a rolling period, is dated by what the note
    under its box says ("12-month rolling basis and one Quarter in arrears") or else by the
    indicator reference (columns ``quarters_in_arrears`` and ``rolling_months`` of
    ``data/reference/indicators.csv``); where both say and disagree, the note is used and a
    finding reported. A 12-month rolling figure is a ``year`` period labelled like
    ``12 months to Sep 2024``.

    Polarity is not printed in the box; a target below the floor means lower is better, and
    a reference polarity that contradicts the printed thresholds is a finding.

    Returns
    -------
    tuple
        ``({"indicator_observations": frame, "published_ratings": frame}, problems)``:
        frames of :class:`~kassanalysis.schemas.IndicatorObservations` (4 rows per box at
        most) and :class:`~kassanalysis.schemas.PublishedRatings` (2 rows per box at most).
    """
    problems: list[pb.Problem] = []
    empty = {
        "indicator_observations": empty_frame(IndicatorObservations),
        "published_ratings": empty_frame(PublishedRatings),
    }
    try:
        quarter = parse_period(entry.period or "")
    except PeriodError:
        quarter = None
    if quarter is None or quarter.kind != "quarter":
        return empty, [
            pb.error(
                "unparseable period",
                entry.file,
                None,
                f"a KPI box layout needs the report's quarter, not {entry.period!r}: give "
                "period (e.g. 2024-25 Q3) in the catalogue, or --year with kass check",
            )
        ]
    boxes = find_kpi_boxes(lines, lambda name: ref.indicator_for_label(name) is not None)
    observations, ratings = [], []
    for box in boxes:
        indicator = match_indicator(box.name, ref)
        if indicator is None:
            problems.append(
                pb.error(
                    "unknown indicator",
                    entry.file,
                    box.name_line,
                    f"{box.name[:80]!r} is not a known indicator; add it (or this name as an "
                    "alias) to data/reference/indicators.csv",
                    subject=box.name[:80],
                )
            )
            continue
        info = ref.indicators.loc[indicator]
        periods = _box_periods(box, quarter, info, entry, indicator, problems)
        if periods is None:
            continue
        values = _read_box_figures(
            box, periods, indicator, info, entry, ref, problems, observations
        )
        _check_box_polarity(values, indicator, info, entry, box, problems)
        published = (
            (box.rag, 0, "latest", box.rag_line),
            (box.figures.get("previous_rag"), 1, "previous", box.line),
        )
        for rag, back, figure, line in published:
            if rag and figure in values:
                ratings.append(_rating_record(entry, indicator, periods[back], rag, line))
    frames = {
        "indicator_observations": records_frame(observations, IndicatorObservations),
        "published_ratings": records_frame(ratings, PublishedRatings),
    }
    return frames, problems


def _box_periods(
    box: KpiBox,
    quarter: Period,
    info: pd.Series,
    entry: CatalogueEntry,
    indicator: str,
    problems: list[pb.Problem],
) -> list[Period] | None:
    """The periods of a box's latest and previous figures: the report's quarter, moved back
    by the quarters in arrears, over the rolling months; None (with an error) when the
    rolling period cannot be stored."""
    lag = (
        _box_basis(
            box.quarters_in_arrears,
            info,
            "quarters_in_arrears",
            box,
            entry,
            indicator,
            problems,
        )
        or 0
    )
    months = (
        _box_basis(box.rolling_months, info, "rolling_months", box, entry, indicator, problems) or 3
    )
    if months not in (3, 12):
        problems.append(
            pb.error(
                "unparseable period",
                entry.file,
                box.line,
                f"{indicator}: a {months}-month rolling period cannot be stored; only "
                "quarters and 12-month rolling years can",
                subject=indicator,
            )
        )
        return None
    return [_rolling(_quarter_before(quarter, lag + back), months) for back in (0, 1)]


def _read_box_figures(
    box: KpiBox,
    periods: list[Period],
    indicator: str,
    info: pd.Series,
    entry: CatalogueEntry,
    ref: Reference,
    problems: list[pb.Problem],
    observations: list[dict],
) -> dict[str, float]:
    """Add an observation for each printed figure of a box (latest, target, floor, previous)
    to ``observations``, with errors for figures that are not numbers; return the values."""
    values: dict[str, float] = {}
    for name, value_type, back in _BOX_PARTS:
        text = box.figures.get(name)
        if text is None:
            continue
        parsed = parse_cell(text, blank_markers=entry.blank_markers, nil_is_zero=False)
        if parsed is None:
            problems.append(
                pb.error(
                    "non-numeric value",
                    entry.file,
                    box.line,
                    f"{text!r} for {indicator} ({name}) is not a number or a known marker",
                    subject=indicator,
                )
            )
            continue
        values[name] = parsed[0]
        if parsed[1] == "reported":
            _check_box_unit(text, indicator, info, entry, box, problems)
        observations.append(
            observation_record(
                ref,
                authority=entry.authority,
                indicator=indicator,
                period=periods[back],
                value_type=value_type,
                value=parsed[0],
                status=parsed[1],
                source_file=entry.file,
                source_line=box.line,
                source_text=text,
            )
        )
    return values


def _box_basis(
    stated: int | None,
    info: pd.Series,
    column: str,
    box: KpiBox,
    entry: CatalogueEntry,
    indicator: str,
    problems: list[pb.Problem],
) -> int | None:
    """Quarters in arrears or rolling months: the note's, else the reference's."""
    known = info.get(column)
    known = None if known is None or pd.isna(known) else int(known)
    if stated is not None and known is not None and stated != known:
        problems.append(
            pb.finding(
                "reference disagrees",
                entry.file,
                box.line,
                f"{indicator}: the note under the box says {column.replace('_', ' ')} {stated} "
                f"but data/reference/indicators.csv says {known}; the note is used",
                subject=indicator,
            )
        )
    return stated if stated is not None else known


def _check_box_unit(
    text: str,
    indicator: str,
    info: pd.Series,
    entry: CatalogueEntry,
    box: KpiBox,
    problems: list[pb.Problem],
) -> None:
    unit = str(info.get("unit", ""))
    if ("%" in text) != (unit == "%"):
        problems.append(
            pb.finding(
                "reference disagrees",
                entry.file,
                box.line,
                f"{indicator}: printed {text!r} but data/reference/indicators.csv gives the "
                f"unit {unit!r}",
                subject=indicator,
            )
        )


def _check_box_polarity(
    values: dict[str, float],
    indicator: str,
    info: pd.Series,
    entry: CatalogueEntry,
    box: KpiBox,
    problems: list[pb.Problem],
) -> None:
    """A target below the floor means lower is better (and above it, higher)."""
    target, floor = values.get("target", math.nan), values.get("floor", math.nan)
    if math.isnan(target) or math.isnan(floor) or target == floor:
        return
    implied = "lower_is_better" if target < floor else "higher_is_better"
    if info.get("polarity") != implied:
        problems.append(
            pb.finding(
                "reference disagrees",
                entry.file,
                box.line,
                f"{indicator}: target {target:g} and floor {floor:g} mean {implied} but "
                f"data/reference/indicators.csv says {info.get('polarity')}",
                subject=indicator,
            )
        )


def _quarter_before(quarter: Period, n: int) -> Period:
    """The quarter ``n`` quarters before ``quarter``."""
    start_year = quarter.start.year if quarter.start.month >= 4 else quarter.start.year - 1
    index = start_year * 4 + (quarter.start.month - 4) % 12 // 3 - n
    return make_quarter(index // 4, index % 4 + 1)


def _rolling(quarter: Period, months: int) -> Period:
    """The quarter itself (``months`` 3) or the 12 months ending with it.

    Examples
    --------
    >>> p = _rolling(parse_period("2024-25 Q2"), 12)
    >>> p.label, p.kind, str(p.start), str(p.end)
    ('12 months to Sep 2024', 'year', '2023-10-01', '2024-09-30')
    """
    if months == 3:
        return quarter
    end = quarter.end
    start = (pd.Timestamp(end) + pd.Timedelta(days=1) - pd.DateOffset(months=months)).date()
    return Period(end, start, "year", f"{months} months to {end:%b %Y}")


def _rating_record(
    entry: CatalogueEntry, indicator: str, period: Period, rag: str, line: int
) -> dict:
    return {
        "authority_code": entry.authority,
        "indicator_id": indicator,
        "breakdown": "Total",
        "period": period.label,
        "period_type": period.kind,
        "period_start": pd.Timestamp(period.start),
        "period_end": pd.Timestamp(period.end),
        "rag": rag,
        "source_file": entry.file,
        "source_sheet": None,
        "source_line": line,
        "source_text": rag,
    }
