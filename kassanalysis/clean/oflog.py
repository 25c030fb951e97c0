"""Oflog's adult social care outcome measures (``ASC_data.csv``) as indicator observations.

The cleaner is pure: it is handed ``pd.read_csv(path, dtype=str, keep_default_na=False)``
and returns new tidy frames and problems; line numbers are CSV lines (header = line 1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.clean.cells import as_text as _as_text
from kassanalysis.clean.cells import parse_value_column
from kassanalysis.clean.records import (
    ONS_ENGLAND,
    csv_lines,
    duplicate_problems,
    missing_columns_problem,
    parse_periods,
    row_problems,
)
from kassanalysis.periods import Period
from kassanalysis.problems import Problem, finding
from kassanalysis.reference import Reference
from kassanalysis.schemas import IndicatorObservations, columns_of, empty_frame

OBS = IndicatorObservations

#: Columns of the published Oflog statistics returned beside the observations.
PUBLISHED_STATS_COLUMNS = (
    "indicator_id",
    "period",
    "authority_code",
    "median",
    "mads_from_median",
    "rank_order",
)
_OFLOG_COLUMNS = (
    "Financial year",
    "Local authority code",
    "Local authority name",
    "Code",
    "Value",
    "MEDIAN",
    "MADs_from_median",
    "rank_order",
)
_RANK_ORDERS = {"desc": "desc", "asc": "asc", "": None, "none": None}


def _empty_published_stats() -> pd.DataFrame:
    return pd.DataFrame({col: pd.Series(dtype=object) for col in PUBLISHED_STATS_COLUMNS})


def clean_oflog_outcomes(
    raw: pd.DataFrame, entry: CatalogueEntry, ref: Reference
) -> tuple[pd.DataFrame, pd.DataFrame, list[Problem]]:
    """Turn Oflog's ``ASC_data.csv`` into indicator observations and its published statistics.

    Parameters
    ----------
    raw : pd.DataFrame
        The file as read with ``pd.read_csv(path, dtype=str, keep_default_na=False)``, index
        unchanged (row ``i`` is CSV line ``i + 2``).
    entry : CatalogueEntry
        The catalogue entry (``entry.file`` names the source in provenance and problems).
    ref : Reference
        Reference data; ``"OFLOG-" + Code`` must be an indicator id in ``ref.indicators``,
        whose ``unit`` is copied to each observation.

    Returns
    -------
    observations : pd.DataFrame
        :class:`~kassanalysis.schemas.IndicatorObservations`, one row per council, measure
        and financial year; breakdown ``"Total"``, value type ``"actual"``. A blank Value is
        NaN with status ``missing``. Numerator and denominator are not published (NaN).
    published_stats : pd.DataFrame
        What Oflog published beside each value, for back tests of our own statistics:
        ``indicator_id``, ``period``, ``authority_code``, ``median`` (the England median),
        ``mads_from_median`` (NaN when blank) and ``rank_order`` (``"desc"`` or ``"asc"``,
        however spelled; ``None`` when blank or ``None``).
    problems : list of Problem
        Errors for unknown codes, malformed council codes, unreadable years, non-numeric
        values and duplicated observations (file and line named).

    Examples
    --------
    >>> from kassanalysis.reference import make_reference_from_frames
    >>> ref = make_reference_from_frames(
    ...     pd.DataFrame(columns=["id", "name", "unit_of_measure", "aliases"]),
    ...     pd.DataFrame({"id": ["OFLOG-ASC5"], "unit": ["%"], "polarity": ["higher_is_better"]}))
    >>> entry = CatalogueEntry(id="oflog", file="ASC_data.csv", kind="oflog_outcomes",
    ...                        authority="", source={}, licence="OGL")
    >>> raw = pd.DataFrame({"Financial year": ["2022-23", "2022-23"],
    ...     "Local authority code": ["E10000016", "E10000030"],
    ...     "Local authority name": ["Kent", "Surrey"], "Code": ["ASC5", "ASC5"],
    ...     "Value": ["65.8", ""], "MEDIAN": ["78.2", "78.2"],
    ...     "MADs_from_median": ["-1.4", ""], "rank_order": ["DESC", "DESC"]})
    >>> obs, stats, problems = clean_oflog_outcomes(raw, entry, ref)
    >>> obs[["authority_code", "indicator_id", "value", "status", "source_line"]]
      authority_code indicator_id  value    status  source_line
    0      E10000016   OFLOG-ASC5   65.8  reported            2
    1      E10000030   OFLOG-ASC5    NaN   missing            3
    >>> stats[["authority_code", "median", "mads_from_median", "rank_order"]]
      authority_code  median  mads_from_median rank_order
    0      E10000016    78.2              -1.4       desc
    1      E10000030    78.2               NaN       desc
    >>> problems
    []
    """
    problem = missing_columns_problem(raw, _OFLOG_COLUMNS, entry, 1)
    if problem:
        return empty_frame(OBS), _empty_published_stats(), [problem]
    problems: list[Problem] = []
    lines = pd.Series(csv_lines(raw), index=raw.index)
    code = _as_text(raw["Code"])
    indicator = "OFLOG-" + code
    authority = _as_text(raw["Local authority code"])
    year = _as_text(raw["Financial year"])

    known = indicator.isin(ref.indicators.index)
    problems += row_problems(
        ~known,
        lines,
        entry,
        "unknown indicator",
        lambda i: (
            f"measure code {code[i]!r} is not a known indicator: add {indicator[i]!r} to "
            "data/reference/indicators.csv"
        ),
        subject=lambda i: code[i],
    )
    code_ok = authority.str.fullmatch(ONS_ENGLAND.pattern)
    problems += row_problems(
        ~code_ok,
        lines,
        entry,
        "malformed area code",
        lambda i: f"local authority code {authority[i]!r} is not an ONS code like E10000016",
        subject=lambda i: authority[i],
    )
    periods, unreadable = parse_periods(year)
    period_ok = ~year.isin(unreadable)
    problems += row_problems(
        ~period_ok,
        lines,
        entry,
        "unreadable period",
        lambda i: f"financial year {year[i]!r} cannot be read (expected e.g. 2016-17)",
        subject=lambda i: year[i],
    )

    values, statuses, bad = parse_value_column(raw["Value"])
    problems += row_problems(
        bad,
        lines,
        entry,
        "non-numeric value",
        lambda i: (
            f"Value {raw['Value'][i]!r} for {authority[i]} {code[i]} {year[i]} is not a number"
        ),
        subject=lambda i: f"{authority[i]} {code[i]} {year[i]}",
    )
    keep = known & code_ok & period_ok
    kept = raw.index[keep & ~bad]

    observations = _observations(
        raw, kept, indicator, authority, year, periods, values, statuses, lines, ref, entry
    )
    problems += duplicate_problems(
        observations,
        [OBS.authority_code, OBS.indicator_id, OBS.breakdown, OBS.period],
        entry,
        "observation",
    )

    published_stats, found = _published_stats(
        raw, raw.index[keep], indicator, year, authority, periods, lines, entry
    )
    problems += found
    return observations, published_stats.reset_index(drop=True), problems


def _observations(
    raw: pd.DataFrame,
    kept: pd.Index,
    indicator: pd.Series,
    authority: pd.Series,
    year: pd.Series,
    periods: dict[str, Period],
    values: pd.Series,
    statuses: pd.Series,
    lines: pd.Series,
    ref: Reference,
    entry: CatalogueEntry,
) -> pd.DataFrame:
    """Indicator observations for the kept rows (one per council, measure and year)."""
    label = year[kept]
    units = ref.indicators["unit"] if "unit" in ref.indicators else pd.Series(dtype=str)
    return pd.DataFrame(
        {
            OBS.authority_code: authority[kept],
            OBS.authority_name: _as_text(raw["Local authority name"])[kept],
            OBS.indicator_id: indicator[kept],
            OBS.breakdown: "Total",
            OBS.period: label.map(lambda p: periods[p].label),
            OBS.period_type: label.map(lambda p: periods[p].kind),
            OBS.period_start: pd.to_datetime(label.map(lambda p: periods[p].start)),
            OBS.period_end: pd.to_datetime(label.map(lambda p: periods[p].end)),
            OBS.value_type: "actual",
            OBS.value: values[kept],
            OBS.unit: indicator[kept].map(units),
            OBS.numerator: np.nan,
            OBS.denominator: np.nan,
            OBS.status: statuses[kept],
            OBS.source_file: entry.file,
            OBS.source_sheet: None,
            OBS.source_line: lines[kept],
            OBS.source_text: raw["Value"][kept].astype(object),
        },
        index=kept,
    )[columns_of(OBS)].reset_index(drop=True)


def _published_stats(
    raw: pd.DataFrame,
    stats_rows: pd.Index,
    indicator: pd.Series,
    year: pd.Series,
    authority: pd.Series,
    periods: dict[str, Period],
    lines: pd.Series,
    entry: CatalogueEntry,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Oflog's published median, MADs from the median and rank order for each usable row,
    with problems for cells that are not numbers or rank orders."""
    problems: list[Problem] = []
    median, _, median_bad = parse_value_column(raw["MEDIAN"][stats_rows])
    mads, _, mads_bad = parse_value_column(raw["MADs_from_median"][stats_rows])
    for column, flags in (("MEDIAN", median_bad), ("MADs_from_median", mads_bad)):
        problems += row_problems(
            flags,
            lines,
            entry,
            "non-numeric value",
            lambda i, column=column: f"{column} {raw[column][i]!r} is not a number",
            subject=lambda i, column=column: column,
        )
    order_text = _as_text(raw["rank_order"][stats_rows]).str.lower()
    problems += row_problems(
        ~order_text.isin(_RANK_ORDERS),
        lines,
        entry,
        "unknown rank order",
        lambda i: f"rank_order {raw['rank_order'][i]!r} is not desc, asc or blank; kept as None",
        subject=lambda i: str(raw["rank_order"][i]),
        make=finding,
    )
    published_stats = pd.DataFrame(
        {
            "indicator_id": indicator[stats_rows],
            "period": year[stats_rows].map(lambda p: periods[p].label),
            "authority_code": authority[stats_rows],
            "median": median,
            "mads_from_median": mads,
            "rank_order": order_text.map(_RANK_ORDERS).astype(object),
        }
    )
    published_stats["rank_order"] = published_stats["rank_order"].where(
        published_stats["rank_order"].notna(), None
    )
    return published_stats, problems
