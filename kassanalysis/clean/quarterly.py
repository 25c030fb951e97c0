"""The quarterly return: a quarter's indicator actuals and budget monitoring figures.

Adding a quarter is a data task. Copy the template in ``docs/templates/``, fill it in,
save it under ``data/raw/quarterly/`` and add a catalogue entry of kind ``quarterly_return``;
``kass build`` then makes the quarter available to ``kass report``. The return has two parts
(CSV files ``<name>.indicators.csv`` and ``<name>.budget.csv``, or sheets ``indicators`` and
``budget`` of one workbook):

indicators
    authority_code, indicator_id, period, value_type, value, numerator, denominator, note
budget
    cost_centre, line, period, budget, actual, forecast  (GBP thousands; ``actual`` is spend
    to date, ``forecast`` the forecast outturn for the year)
"""

from __future__ import annotations

import math
from pathlib import PurePosixPath

import pandas as pd

from kassanalysis import problems as pb
from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.clean.cells import parse_cell
from kassanalysis.periods import PeriodError, parse_period
from kassanalysis.reference import Reference
from kassanalysis.schemas import VALUE_TYPES, BudgetLines, IndicatorObservations

INDICATOR_COLUMNS = [
    "authority_code",
    "indicator_id",
    "period",
    "value_type",
    "value",
    "numerator",
    "denominator",
    "note",
]
BUDGET_COLUMNS = ["cost_centre", "line", "period", "budget", "actual", "forecast"]
_BUDGET_MEASURES = {"budget": "budget", "actual": "actual_to_date", "forecast": "forecast_outturn"}


def _missing_columns(
    frame: pd.DataFrame, required: list[str], where: str, problems: list[pb.Problem]
) -> bool:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        problems.append(
            pb.error(
                "missing column",
                where,
                1,
                f"missing column(s) {', '.join(missing)}; expected {', '.join(required)}",
            )
        )
    return bool(missing)


def _number(
    text: str, where: str, line: int, what: str, problems: list[pb.Problem]
) -> tuple[float, str] | None:
    parsed = parse_cell(text)
    if parsed is None:
        problems.append(
            pb.error(
                "non-numeric value",
                where,
                line,
                f"{what}: {text!r} is not a number or a known marker",
            )
        )
    return parsed


def _period(text: str, where: str, line: int, problems: list[pb.Problem]):
    try:
        return parse_period(text)
    except PeriodError as exc:
        problems.append(pb.error("unparseable period", where, line, str(exc)))
        return None


def clean_quarterly_indicators(
    frame: pd.DataFrame, entry: CatalogueEntry, ref: Reference, where: str
) -> tuple[pd.DataFrame, list[pb.Problem]]:
    """Indicator rows of a quarterly return into indicator observations.

    Examples
    --------
    >>> ref = _tiny_reference()
    >>> rows = pd.DataFrame({"authority_code": ["E10000016"], "indicator_id": ["X"],
    ...     "period": ["2013-14 Q1"], "value_type": ["actual"], "value": ["71.2%"],
    ...     "numerator": [""], "denominator": [""], "note": [""]})
    >>> entry = CatalogueEntry("q", "q.csv", "quarterly_return", "E10000016", {}, "")
    >>> frame, problems = clean_quarterly_indicators(rows, entry, ref, "q.indicators.csv")
    >>> frame[["indicator_id", "period", "value"]].values.tolist(), problems
    ([['X', '2013-14 Q1', 71.2]], [])
    """
    problems: list[pb.Problem] = []
    columns = list(IndicatorObservations.to_schema().columns)
    if _missing_columns(frame, INDICATOR_COLUMNS, where, problems):
        return pd.DataFrame(columns=columns), problems
    records = []
    for index, row in frame.iterrows():
        line = int(index) + 2  # header is line 1
        indicator = str(row["indicator_id"]).strip()
        if indicator not in ref.indicators.index:
            problems.append(
                pb.error(
                    "unknown indicator",
                    where,
                    line,
                    f"{indicator!r} is not in data/reference/indicators.csv",
                )
            )
            continue
        value_type = str(row["value_type"]).strip().lower()
        if value_type not in VALUE_TYPES:
            problems.append(
                pb.error(
                    "unknown value type",
                    where,
                    line,
                    f"{value_type!r}; use one of {', '.join(VALUE_TYPES)}",
                )
            )
            continue
        period = _period(str(row["period"]), where, line, problems)
        value = _number(str(row["value"]), where, line, f"{indicator} value", problems)
        num = _number(str(row["numerator"]), where, line, f"{indicator} numerator", problems)
        den = _number(str(row["denominator"]), where, line, f"{indicator} denominator", problems)
        if None in (period, value, num, den):
            continue
        authority = str(row["authority_code"]).strip() or entry.authority
        records.append(
            {
                "authority_code": authority,
                "authority_name": ref.authority_name(authority),
                "indicator_id": indicator,
                "breakdown": "Total",
                "period": period.label,
                "period_type": period.kind,
                "period_start": pd.Timestamp(period.start),
                "period_end": pd.Timestamp(period.end),
                "value_type": value_type,
                "value": value[0],
                "unit": str(ref.indicators.loc[indicator, "unit"]),
                "numerator": num[0],
                "denominator": den[0],
                "status": value[1],
                "source_file": where,
                "source_sheet": None,
                "source_line": line,
                "source_text": str(row["value"]) or None,
            }
        )
    return pd.DataFrame(records, columns=columns), problems


def clean_quarterly_budget(
    frame: pd.DataFrame, entry: CatalogueEntry, ref: Reference, where: str
) -> tuple[pd.DataFrame, list[pb.Problem]]:
    """Budget monitoring rows of a quarterly return into budget lines (one per figure)."""
    problems: list[pb.Problem] = []
    columns = list(BudgetLines.to_schema().columns)
    if _missing_columns(frame, BUDGET_COLUMNS, where, problems):
        return pd.DataFrame(columns=columns), problems
    records = []
    for index, row in frame.iterrows():
        line = int(index) + 2
        name = str(row["line"]).strip()
        if not name:
            problems.append(pb.error("missing line name", where, line, "line is blank"))
            continue
        period = _period(str(row["period"]), where, line, problems)
        if period is None:
            continue
        row_type = "total" if name.lower() == "total" else "line"
        for column, measure in _BUDGET_MEASURES.items():
            parsed = _number(str(row[column]), where, line, f"{name} {column}", problems)
            if parsed is None:
                continue
            value, status = parsed
            records.append(
                {
                    "authority_code": entry.authority,
                    "authority_name": ref.authority_name(entry.authority),
                    "financial_year": period.financial_year,
                    "period": period.label,
                    "unit": entry.unit or entry.id,
                    "service_group": None,
                    "line_code": str(row["cost_centre"]).strip() or None,
                    "line_name": name,
                    "row_type": row_type,
                    "measure": measure,
                    "value": value * entry.scale_to_thousands if not math.isnan(value) else value,
                    "unit_of_measure": "GBP thousands",
                    "status": status,
                    "source_file": where,
                    "source_sheet": None,
                    "source_line": line,
                    "source_text": str(row[column]) or None,
                }
            )
    return pd.DataFrame(records, columns=columns), problems


def clean_quarterly_return(
    sheets: dict[str, pd.DataFrame], entry: CatalogueEntry, ref: Reference
) -> tuple[dict[str, pd.DataFrame], list[pb.Problem]]:
    """Both parts of a quarterly return: ``{"indicator_observations": ..., "budget_lines":
    ...}`` and the problems found (each naming the part's file and line)."""
    problems: list[pb.Problem] = []
    path = PurePosixPath(entry.file)
    stem = str(path.parent / path.name.split(".")[0])
    out: dict[str, pd.DataFrame] = {}
    parts = {
        "indicators": ("indicator_observations", clean_quarterly_indicators),
        "budget": ("budget_lines", clean_quarterly_budget),
    }
    for sheet, (table, cleaner) in parts.items():
        where = f"{entry.file}#{sheet}" if entry.file.endswith(".xlsx") else f"{stem}.{sheet}.csv"
        if sheet not in sheets:
            problems.append(
                pb.error("missing part", where, None, f"the quarterly return has no {sheet} part")
            )
            continue
        frame, found = cleaner(sheets[sheet].fillna(""), entry, ref, where)
        out[table] = frame
        problems += found
    return out, problems


def _tiny_reference() -> Reference:
    from kassanalysis.reference import make_reference_from_frames

    return make_reference_from_frames(
        pd.DataFrame(columns=["id", "name", "unit_of_measure", "aliases"]),
        pd.DataFrame(
            {"id": ["X"], "polarity": ["higher_is_better"], "unit": ["%"], "aliases": [""]}
        ),
    )
