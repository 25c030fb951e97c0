"""Finance benchmarking from the Adult Social Care Finance Return (ASC-FR).

Expenditure per head of the relevant population (18-64, 65+, 18+) by primary support reason,
and unit costs (e.g. GBP per week of residential or nursing care for people aged 65+), for
every council in a comparator group: rank, quartile, group median and distance from the
group median in median absolute deviations (the Oflog method), by the same functions as the
indicator comparisons (:mod:`kassanalysis.analysis.stats`). Spend per head is divided by
the age band's own ONS population of the same year when it is available, and only the
all-adult lines by the all-ages population otherwise; every row names its denominator
(see :func:`benchmark_spend_per_head`). Both outputs are the models
:class:`~kassanalysis.schemas.FinanceSpendPerHead` and
:class:`~kassanalysis.schemas.FinanceUnitCosts`.

Both functions take a ``finance_lines`` frame (one row per council, year and line of the
return) with the columns ``authority_code`` (ONS), ``cassr_code``, ``authority_name``,
``financial_year``, ``support_type``, ``age_band``, ``primary_support_reason``,
``support_setting``, ``provision``, ``measure``, ``value``, ``unit``, ``row_type``,
``status``, ``source_file`` and ``source_line``
(:class:`~kassanalysis.schemas.FinanceLines`). Measures and age bands are the return's own
words: ``"Gross total cost: total expenditure"``, ``"Net total expenditure"``, ``"Unit
costs"``; ``"Adults aged 65 and over"``, ``"Age 18 to 64"``, ``"Age 85 and over"``.

References
----------
.. [1] NHS England (formerly NHS Digital), "Adult Social Care Activity and Finance Report"
   and its ASC-FR council-level data: expenditure by support type, age band and primary
   support reason; unit costs by support setting.
.. [2] Office for Local Government (Oflog), Local Authority Data Explorer: "distance from
   the median" in median absolute deviations.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from kassanalysis.analysis import stats
from kassanalysis.analysis.comparator import calculate_band_population
from kassanalysis.periods import parse_period
from kassanalysis.schemas import FinanceSpendPerHead, FinanceUnitCosts, columns_of

__all__ = [
    "ALL_ADULT_BANDS",
    "SPEND_MEASURES",
    "UNIT_COST_MEASURES",
    "UNIT_MULTIPLIERS",
    "benchmark_spend_per_head",
    "benchmark_unit_costs",
    "parse_finance_age_band",
]

#: ASC-FR 2014-15 expenditure measures benchmarked per head by default (gross and net).
SPEND_MEASURES = ("Gross total cost: total expenditure", "Net total expenditure")

#: The ASC-FR unit-cost measure (e.g. GBP per week of residential and nursing care).
UNIT_COST_MEASURES = ("Unit costs",)

#: Age bands of lines that cover every adult (the return's grand totals): their own
#: population is 18+, and all ages stands in for it when 18+ is not available.
ALL_ADULT_BANDS = ("Total", "All ages", "All adults")

_BAND_RANGE = re.compile(r"(\d+)\s*(?:to|-)\s*(\d+)$")
_BAND_OPEN = re.compile(r"(\d+)\s*(?:\+|and over)$")

#: Money units of ASC-FR expenditure lines and the factor that turns them into GBP.
UNIT_MULTIPLIERS = {
    "GBP": 1.0,
    "£": 1.0,
    "GBP thousands": 1000.0,
    "GBP thousand": 1000.0,
    "£000": 1000.0,
    "£000s": 1000.0,
    "£ thousands": 1000.0,
}

#: Columns that describe a line of the return; one benchmark per combination.
LINE_KEYS = (
    "support_type",
    "support_setting",
    "provision",
    "age_band",
    "primary_support_reason",
    "row_type",
    "measure",
)

_REQUIRED = (
    "authority_code",
    "authority_name",
    "financial_year",
    *LINE_KEYS,
    "value",
    "unit",
    "status",
    "source_file",
    "source_line",
)


def parse_finance_age_band(age_band: str) -> str | None:
    """The ONS population band of an ASC-FR age band, or None when it names no ages.

    Examples
    --------
    >>> [parse_finance_age_band(b) for b in ("Adults aged 18 to 64", "Age 65 and over",
    ...     "Age 85 and over", "18-64", "65+", "Other adult services", "Total")]
    ['18-64', '65+', '85+', '18-64', '65+', None, None]
    """
    text = str(age_band).strip()
    closed = _BAND_RANGE.search(text)
    if closed:
        return f"{int(closed.group(1))}-{int(closed.group(2))}"
    open_ended = _BAND_OPEN.search(text)
    if open_ended:
        return f"{int(open_ended.group(1))}+"
    return None


def _select_lines(
    finance_lines: pd.DataFrame, financial_year: str, measures: Sequence[str]
) -> pd.DataFrame:
    missing = [column for column in _REQUIRED if column not in finance_lines.columns]
    if missing:
        raise ValueError(f"finance_lines is missing column(s): {', '.join(missing)}")
    lines = finance_lines[
        (finance_lines["financial_year"] == financial_year)
        & finance_lines["measure"].isin(list(measures))
    ]
    # the build stores the text columns as categoricals; the benchmarks work on plain text
    lines = lines.astype(
        {c: "str" for c in lines.columns if isinstance(lines[c].dtype, pd.CategoricalDtype)}
    )
    if lines.empty:
        raise ValueError(
            f"finance_lines has no rows for {financial_year} with measure "
            f"{', '.join(map(repr, measures))}"
        )
    duplicated = lines.duplicated(["authority_code", *LINE_KEYS], keep=False)
    if duplicated.any():
        first = lines[duplicated].iloc[0]
        twins = lines[duplicated & (lines["authority_code"] == first["authority_code"])]
        for key in LINE_KEYS:
            twins = twins[twins[key].fillna("") == ("" if pd.isna(first[key]) else first[key])]
        where = ", ".join(f"{r.source_file} line {r.source_line}" for r in twins.itertuples())
        raise ValueError(
            f"{first['authority_code']} has more than one {first['measure']!r} line for "
            f"{first['age_band']} {first['primary_support_reason']} in {financial_year} "
            f"({where}); each council needs one value per line to be benchmarked"
        )
    return lines


def _benchmark(
    lines: pd.DataFrame,
    members: pd.DataFrame,
    *,
    group_id: str,
    focus_code: str,
    polarity: str,
) -> pd.DataFrame:
    """Rank, quartile, group median and MAD distance within the group, per line."""
    stats.check_polarity(polarity)
    group = members.loc[members["group_id"] == group_id, "authority_code"].drop_duplicates()
    if group.empty:
        raise ValueError(f"comparator group {group_id!r} has no members")
    names = lines.drop_duplicates("authority_code").set_index("authority_code")["authority_name"]
    tables = []
    keys = list(LINE_KEYS)
    for key, rows in lines.groupby(keys, dropna=False, sort=True):
        table = pd.DataFrame({"authority_code": group.to_numpy()})
        table = table.merge(rows, on="authority_code", how="left")
        for column, value in zip(keys, key, strict=True):
            table[column] = value
        table["authority_name"] = (
            table["authority_name"]
            .fillna(table["authority_code"].map(names))
            .fillna(table["authority_code"])
        )
        table["status"] = table["status"].fillna("missing")
        table["unit"] = table["unit"].fillna(rows["unit"].iloc[0])
        present = table["benchmark_value"].notna()
        count = int(present.sum())
        table["rank"] = stats.rank_by_polarity(table["benchmark_value"], polarity)
        table["group_size"] = count
        table["quartile"] = stats.assign_quartile(table["rank"], count) if count else np.nan
        table["group_median"] = table.loc[present, "benchmark_value"].median()
        table["mads_from_group_median"] = (
            stats.calculate_mad_distance(table["benchmark_value"]) if count > 1 else np.nan
        )
        tables.append(table)
    result = pd.concat(tables, ignore_index=True)
    result["is_focus"] = result["authority_code"] == focus_code
    result["group_id"] = group_id
    result["polarity"] = polarity
    return result


def benchmark_spend_per_head(
    finance_lines: pd.DataFrame,
    population: pd.DataFrame,
    members: pd.DataFrame,
    *,
    group_id: str,
    financial_year: str,
    focus_code: str,
    measures: Sequence[str] = SPEND_MEASURES,
    age_bands: Sequence[str] | None = None,
    polarity: str = "no_polarity",
    population_totals: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Expenditure per head of a named population, benchmarked within a group.

    For every line of the return (support type, support setting, age band, primary support
    reason, row type, measure) and every council of the comparator group:
    ``spend per head = value x unit multiplier / population``, the population being an ONS
    mid-year estimate for the year the financial year starts in (mid-2014 for 2014-15).
    Then rank (1 = the highest spend for ``"no_polarity"``), quartile, group median and
    distance from the group median in MADs.

    Which population divides a line is decided per line, the same for every council of
    the group (so no ranking mixes two kinds of denominator), and is named in the
    ``denominator`` column:

    1. The age band's own population, summed from single years of age in ``population``
       (MYE2; 90 = 90 and over): "18-64" for "Adults aged 18 to 64", "65+" for "Adults aged
       65 and over", and "18+" for the all-adult lines (age band "Total": the grand totals
       cover 18-64, 65+ and other adult services). Named e.g. ``"18-64, mid-2014"``.
    2. When ``population`` holds no estimates for the year, the all-adult lines only are
       divided by the all-ages population (``population_totals``, ONS MYE4/MYE5), named
       ``"all ages, mid-2014"``: total spend per head of total population, as local
       government finance statistics publish it. Lines for one age band (18-64, 65+, 85+)
       are NOT divided by all ages: that ratio would mostly measure how old a council's
       population is, not what it spends, so their ``per_head`` stays missing (and
       ``denominator`` with it) until the year's single-year-of-age estimates are added.

    Parameters
    ----------
    finance_lines : pandas.DataFrame
        ASC-FR lines (columns in the module docstring); ``value`` in a money unit of
        :data:`UNIT_MULTIPLIERS` (e.g. ``"GBP thousands"``).
    population : pandas.DataFrame
        ONS mid-year estimates by single year of age
        (:class:`~kassanalysis.schemas.Population`: area_code, year, age, persons).
    members : pandas.DataFrame
        Comparator group memberships (group_id, authority_code).
    group_id : str
        The comparator group.
    financial_year : str
        E.g. ``"2014-15"``.
    focus_code : str
        The council the report is for (``is_focus``).
    measures : sequence of str, default :data:`SPEND_MEASURES`
        Expenditure measures to benchmark (as in the ``measure`` column).
    age_bands : sequence of str, optional
        Age bands (as in the ``age_band`` column) to benchmark; by default every band that
        names ages (:func:`parse_finance_age_band`: "Adults aged 65 and over" is 65+, "Age
        18 to 64" 18-64) and the all-adult bands of :data:`ALL_ADULT_BANDS` ("Total"), so
        "Other adult services" lines (no ages) are left out.
    polarity : {"no_polarity", "higher_is_better", "lower_is_better"}
        How to rank; spending more is neither good nor bad by default.
    population_totals : pandas.DataFrame, optional
        ONS all-ages persons per area and year
        (:class:`~kassanalysis.schemas.PopulationTotals`: area_code, year, persons), used
        only as step 2 above says.

    Returns
    -------
    pandas.DataFrame
        :class:`~kassanalysis.schemas.FinanceSpendPerHead`, one row per line and group
        member: ``authority_code``, ``authority_name``, ``is_focus``, the line columns,
        ``value`` and ``unit`` (as in the return), ``population`` (people),
        ``denominator`` (which population, in words), ``per_head`` (GBP per head),
        ``rank``, ``group_size``, ``quartile``, ``group_median``,
        ``mads_from_group_median`` (all of per_head), ``status`` (``"missing"`` for a member
        without the line), ``source_file``, ``source_line``, ``group_id``, ``polarity``. A
        missing value or population gives a missing per_head, which is not ranked.

    Raises
    ------
    ValueError
        If columns are missing, there are no lines for the year and measures, a council has
        two lines with the same description, a unit is not a money unit, the group has no
        members, or no line can be divided: neither population holds the year (or only
        ``population_totals`` does and there is no all-adult line).

    Examples
    --------
    >>> lines = pd.DataFrame({"authority_code": ["E10000016", "E10000030"],
    ...     "cassr_code": ["886", "936"], "authority_name": ["Kent", "Surrey"],
    ...     "financial_year": "2014-15", "support_type": "Long term support",
    ...     "age_band": "Adults aged 65 and over", "primary_support_reason": "Physical support",
    ...     "support_setting": "Nursing", "provision": None,
    ...     "measure": "Gross total cost: total expenditure",
    ...     "value": [30.0, 10.0], "unit": "GBP thousands", "row_type": "line",
    ...     "status": "reported", "source_file": "asc-fr.csv", "source_line": [2, 3]})
    >>> population = pd.DataFrame({"area_code": ["E10000016", "E10000030"], "year": 2014,
    ...     "age": 70, "persons": [300.0, 200.0]})
    >>> members = pd.DataFrame({"group_id": "g", "authority_code": ["E10000016", "E10000030"]})
    >>> table = benchmark_spend_per_head(lines, population, members, group_id="g",
    ...     financial_year="2014-15", focus_code="E10000016")
    >>> table[["authority_name", "per_head", "denominator", "rank"]].values.tolist()
    [['Kent', 100.0, '65+, mid-2014', 1.0], ['Surrey', 50.0, '65+, mid-2014', 2.0]]
    """
    lines = _select_lines(finance_lines, financial_year, measures)
    bands = lines["age_band"].map(_population_band)
    chosen = bands.notna() if age_bands is None else lines["age_band"].isin(list(age_bands))
    lines = lines[chosen & bands.notna()].copy()
    if lines.empty:
        wanted = "that name ages" if age_bands is None else ", ".join(age_bands)
        raise ValueError(f"finance_lines has no {financial_year} lines for age bands {wanted}")
    unknown = ~lines["unit"].isin(list(UNIT_MULTIPLIERS))
    if unknown.any():
        bad = lines[unknown].iloc[0]
        raise ValueError(
            f"{bad['source_file']} line {bad['source_line']}: unit {bad['unit']!r} is not a "
            f"money unit ({', '.join(UNIT_MULTIPLIERS)})"
        )
    year = parse_period(financial_year).start.year
    lines["population"], lines["denominator"] = _denominators(
        lines, population, population_totals, year
    )
    if lines["denominator"].isna().all():
        if _holds_year(population_totals, year):
            why = "; all-ages estimates divide only all-adult (Total) lines, and there are none"
        else:
            why = " (nor all-ages estimates)"
        raise ValueError(
            f"the population has no mid-year {year} estimates by age for {financial_year}{why}"
        )
    money = lines["value"].astype(float) * lines["unit"].map(UNIT_MULTIPLIERS)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_head = money / lines["population"].where(lines["population"] > 0)
    lines["benchmark_value"] = per_head
    table = _benchmark(lines, members, group_id=group_id, focus_code=focus_code, polarity=polarity)
    table = table.rename(columns={"benchmark_value": "per_head"})
    # the population a line of this age band is divided by, named only on the rows it
    # divided: a member without the line, or without a population of the year (a council
    # code the ONS series does not hold), has none
    named = lines.drop_duplicates("age_band").set_index("age_band")["denominator"]
    table["denominator"] = table["age_band"].map(named).where(table["population"].notna())
    table["financial_year"] = financial_year
    table = table.sort_values(
        [*LINE_KEYS, "rank", "authority_name"], na_position="last", kind="stable"
    )
    return FinanceSpendPerHead.validate(table[columns_of(FinanceSpendPerHead)]).reset_index(
        drop=True
    )


def _population_band(age_band) -> str | None:
    """The population band of an ASC-FR age band: its ages, or 18+ for the all-adult
    lines (None for a band that names no ages, such as "Other adult services")."""
    if str(age_band).strip() in ALL_ADULT_BANDS:
        return "18+"
    return parse_finance_age_band(age_band)


def _holds_year(frame: pd.DataFrame | None, year: int) -> bool:
    return frame is not None and bool(
        (frame["year"] == year).any() and frame.loc[frame["year"] == year, "persons"].notna().any()
    )


def _denominators(
    lines: pd.DataFrame,
    population: pd.DataFrame,
    population_totals: pd.DataFrame | None,
    year: int,
) -> tuple[pd.Series, pd.Series]:
    """The population dividing each line and its name (see benchmark_spend_per_head)."""
    people = pd.Series(np.nan, index=lines.index)
    named = pd.Series(None, index=lines.index, dtype=object)
    by_age = _holds_year(population, year)
    totals = None
    if not by_age and _holds_year(population_totals, year):
        this_year = population_totals[population_totals["year"] == year]
        totals = this_year.groupby("area_code")["persons"].sum(min_count=1)
    for band in lines["age_band"].unique():
        in_band = lines["age_band"] == band
        ages = _population_band(band)
        if by_age:
            people[in_band] = calculate_band_population(
                population, lines.loc[in_band, "authority_code"], ages, year
            ).to_numpy()
            named[in_band] = f"{ages}, mid-{year}"
        elif totals is not None and ages == "18+":
            people[in_band] = lines.loc[in_band, "authority_code"].map(totals).astype(float)
            named[in_band] = f"all ages, mid-{year}"
    return people, named


def benchmark_unit_costs(
    finance_lines: pd.DataFrame,
    members: pd.DataFrame,
    *,
    group_id: str,
    financial_year: str,
    focus_code: str,
    measures: Sequence[str] = UNIT_COST_MEASURES,
    age_bands: Sequence[str] | None = None,
    polarity: str = "no_polarity",
) -> pd.DataFrame:
    """Unit costs (e.g. GBP per week of nursing care, 65+) benchmarked within a group.

    The published unit cost of each line is ranked among the group's councils as it stands
    (no conversion): rank (1 = the highest cost for ``"no_polarity"``), quartile, group
    median and distance from the group median in MADs.

    Parameters
    ----------
    finance_lines : pandas.DataFrame
        ASC-FR lines (columns in the module docstring).
    members : pandas.DataFrame
        Comparator group memberships (group_id, authority_code).
    group_id, financial_year, focus_code, polarity
        As :func:`benchmark_spend_per_head`.
    measures : sequence of str, default :data:`UNIT_COST_MEASURES`
        The unit-cost measures (as in the ``measure`` column).
    age_bands : sequence of str, optional
        Only these age bands (as in the ``age_band`` column), e.g. the unit-cost table's
        ``"Age 18 to 64"``, ``"Age 65 and over"``; default every band.

    Returns
    -------
    pandas.DataFrame
        :class:`~kassanalysis.schemas.FinanceUnitCosts`, one row per line and group
        member: ``authority_code``, ``authority_name``, ``is_focus``, the line columns,
        ``value``, ``unit``, ``rank``, ``group_size``,
        ``quartile``, ``group_median``, ``mads_from_group_median``, ``status``,
        ``source_file``, ``source_line``, ``group_id``, ``polarity``.

    Raises
    ------
    ValueError
        As :func:`benchmark_spend_per_head` (except the population checks), or if one line
        mixes units across councils.

    Examples
    --------
    >>> lines = pd.DataFrame({"authority_code": ["E10000016", "E10000030", "E10000012"],
    ...     "cassr_code": ["886", "936", "881"], "authority_name": ["Kent", "Surrey", "Essex"],
    ...     "financial_year": "2014-15", "support_type": "Long term support",
    ...     "age_band": "65+", "primary_support_reason": None,
    ...     "support_setting": "Residential", "provision": "All", "measure": "Unit costs",
    ...     "value": [550.0, 600.0, 500.0], "unit": "GBP per week", "row_type": "line",
    ...     "status": "reported", "source_file": "unit-cost.csv", "source_line": [5, 6, 7]})
    >>> members = pd.DataFrame({"group_id": "g",
    ...     "authority_code": ["E10000016", "E10000030", "E10000012"]})
    >>> table = benchmark_unit_costs(lines, members, group_id="g", financial_year="2014-15",
    ...     focus_code="E10000016")
    >>> table.loc[table["is_focus"], ["value", "rank", "group_median"]].values.tolist()
    [[550.0, 2.0, 550.0]]
    """
    if age_bands is not None:
        finance_lines = finance_lines[finance_lines["age_band"].isin(list(age_bands))]
    lines = _select_lines(finance_lines, financial_year, measures)
    mixed = lines.groupby(list(LINE_KEYS), dropna=False)["unit"].nunique() > 1
    if mixed.any():
        key = mixed[mixed].index[0]
        raise ValueError(f"unit costs for {key} are in more than one unit; convert them first")
    lines["benchmark_value"] = lines["value"].astype(float)
    table = _benchmark(lines, members, group_id=group_id, focus_code=focus_code, polarity=polarity)
    table["value"] = table["benchmark_value"]
    table["financial_year"] = financial_year
    table = table.sort_values(
        [*LINE_KEYS, "rank", "authority_name"], na_position="last", kind="stable"
    )
    return FinanceUnitCosts.validate(table[columns_of(FinanceUnitCosts)]).reset_index(drop=True)
