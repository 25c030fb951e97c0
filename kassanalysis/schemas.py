"""The tidy tables' contract: one pandera schema per table.

Cleaning produces frames that must pass these schemas; analyses may rely on them. Refer to
columns through the model (``BudgetLines.value``), not string literals scattered in code.
Every schema is strict (no unknown columns) and coercing, and every table carries its
provenance: the raw file and the line (or spreadsheet row) each value came from.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

#: Why a value is, or is not, a number. Missing is missing, never zero.
STATUSES = (
    "reported",  # a number was published
    "missing",  # blank cell or "[x]": not available
    "not_applicable",  # "N/A"
    "to_be_confirmed",  # "TBC"
    "suppressed",  # "[c]": withheld by the publisher for disclosure control
)

BUDGET_ROW_TYPES = (
    "line",
    "subtotal",
    "total",
    "unit_total",
    "memorandum",
    "memo_of_which",
    "external_total",
    "stated",
)
VALUE_TYPES = ("actual", "target", "floor", "benchmark", "expected_low", "expected_high")
PERIOD_TYPES = ("year", "quarter", "month")
RAG_RATINGS = ("Green", "Amber", "Red")
UNITS_OF_MEASURE = ("GBP thousands", "FTE", "GBP per resident", "percent")
SEVERITIES = ("error", "finding")

_FY = r"^\d{4}-\d{2}$"


class _Provenance(pa.DataFrameModel):
    """Columns every tidy table carries so that any figure can be traced to its source."""

    source_file: Series[str] = pa.Field(description="raw file, relative to data/raw")
    source_sheet: Series[str] = pa.Field(nullable=True, description="sheet, for workbooks")
    source_line: Series[int] = pa.Field(ge=1, description="line in the file, or sheet row")
    source_text: Series[str] = pa.Field(nullable=True, description="the cell as published")


class BudgetLines(_Provenance):
    """Budget and staffing tables, long: one row per published cell."""

    authority_code: Series[str] = pa.Field(str_matches=r"^E\d{8}$")
    authority_name: Series[str]
    financial_year: Series[str] = pa.Field(str_matches=_FY)
    period: Series[str] = pa.Field(
        nullable=True, description="monitoring period (e.g. 2013-14 Q1); null for budgets"
    )
    unit: Series[str] = pa.Field(description="budget unit, division or locality table")
    service_group: Series[str] = pa.Field(nullable=True)
    line_code: Series[str] = pa.Field(nullable=True, description="e.g. 41A; null when TBC")
    line_name: Series[str]
    row_type: Series[str] = pa.Field(isin=BUDGET_ROW_TYPES)
    measure: Series[str] = pa.Field(description="id from data/reference/measures.csv")
    value: Series[float] = pa.Field(nullable=True)
    unit_of_measure: Series[str] = pa.Field(isin=UNITS_OF_MEASURE)
    status: Series[str] = pa.Field(isin=STATUSES)

    class Config:
        strict = True
        coerce = True


class IndicatorObservations(_Provenance):
    """KPI, benchmark and public outcome data, long: one row per value."""

    authority_code: Series[str] = pa.Field(str_matches=r"^E\d{8}$")
    authority_name: Series[str]
    indicator_id: Series[str] = pa.Field(description="id from data/reference/indicators.csv")
    breakdown: Series[str] = pa.Field(description="'Total' or an age/sex split")
    period: Series[str] = pa.Field(description="e.g. 2012-13, 2013-14 Q2, 2012-13 Dec")
    period_type: Series[str] = pa.Field(isin=PERIOD_TYPES)
    period_start: Series[pa.DateTime]
    period_end: Series[pa.DateTime]
    value_type: Series[str] = pa.Field(isin=VALUE_TYPES)
    value: Series[float] = pa.Field(nullable=True)
    unit: Series[str]
    numerator: Series[float] = pa.Field(nullable=True)
    denominator: Series[float] = pa.Field(nullable=True)
    status: Series[str] = pa.Field(isin=STATUSES)

    class Config:
        strict = True
        coerce = True


class PublishedRatings(_Provenance):
    """RAG ratings as the council published them beside its KPIs, one row per indicator and
    period. They join :class:`IndicatorObservations` on authority, indicator, breakdown and
    period; the build checks each against the project's own RAG rule."""

    authority_code: Series[str] = pa.Field(str_matches=r"^E\d{8}$")
    indicator_id: Series[str] = pa.Field(description="id from data/reference/indicators.csv")
    breakdown: Series[str] = pa.Field(description="'Total' or an age/sex split")
    period: Series[str] = pa.Field(description="period of the rated figure, e.g. 2024-25 Q3")
    period_type: Series[str] = pa.Field(isin=PERIOD_TYPES)
    period_start: Series[pa.DateTime]
    period_end: Series[pa.DateTime]
    rag: Series[str] = pa.Field(isin=RAG_RATINGS, description="the published rating")

    class Config:
        strict = True
        coerce = True


class Population(_Provenance):
    """ONS mid-year estimates, persons by single year of age (90 means 90 and over)."""

    area_code: Series[str] = pa.Field(str_matches=r"^[EWSNK]\d{8}$")
    area_name: Series[str]
    geography: Series[str] = pa.Field(nullable=True)
    year: Series[int] = pa.Field(ge=1971, le=2100, description="mid-year, e.g. 2020")
    age: Series[int] = pa.Field(ge=0, le=90)
    age_label: Series[str]
    persons: Series[float] = pa.Field(ge=0)

    class Config:
        strict = True
        coerce = True


class PafBanding(_Provenance):
    """Counts of PAF indicators in each performance band, as published."""

    authority_code: Series[str] = pa.Field(str_matches=r"^E\d{8}$")
    financial_year: Series[str] = pa.Field(str_matches=_FY)
    band: Series[str]
    row_type: Series[str] = pa.Field(isin=("line", "total"))
    count: Series[float] = pa.Field(nullable=True, ge=0)

    class Config:
        strict = True
        coerce = True


class ComparatorMembers(pa.DataFrameModel):
    """Membership of comparator groups: which councils each group holds."""

    group_id: Series[str]
    authority_code: Series[str] = pa.Field(str_matches=r"^E\d{8}$")
    source: Series[str]

    class Config:
        strict = True
        coerce = True


class DataQuality(pa.DataFrameModel):
    """Problems found while building: errors stop the build, findings are reported."""

    severity: Series[str] = pa.Field(isin=SEVERITIES)
    check: Series[str]
    source_file: Series[str]
    source_line: Series[float] = pa.Field(nullable=True)
    subject: Series[str] = pa.Field(nullable=True, description="row or measure concerned")
    expected: Series[float] = pa.Field(nullable=True)
    found: Series[float] = pa.Field(nullable=True)
    message: Series[str]

    class Config:
        strict = True
        coerce = True


#: Name of each tidy table in data/processed and its schema.
TABLES: dict[str, type[pa.DataFrameModel]] = {
    "budget_lines": BudgetLines,
    "indicator_observations": IndicatorObservations,
    "published_ratings": PublishedRatings,
    "population": Population,
    "paf_banding": PafBanding,
    "comparator_members": ComparatorMembers,
    "data_quality": DataQuality,
}


def columns_of(model: type[pa.DataFrameModel]) -> list[str]:
    """The columns of a schema, in order."""
    return list(model.to_schema().columns)


def empty_frame(model: type[pa.DataFrameModel]) -> pd.DataFrame:
    """A frame with a schema's columns and no rows (what a cleaner returns for a table it
    could not read)."""
    return pd.DataFrame(columns=columns_of(model))
