"""Us against similar councils: the comparator table for one indicator, period and group.

For every council in the group: its value, rank (1 = best for the indicator's polarity; ties
share a rank), quartile, the group median and mean, the England median, the distance from the
England median in median absolute deviations (the Oflog method), and, where a numerator and
denominator exist, 95% and 99.8% confidence intervals (Wilson for proportions, Byar/exact
Poisson for rates) with the comparison with the England value at 95% and at 99.8%
(Fingertips' two-level significance, naming the benchmark it used), and the quintile (1 =
best fifth, PHE's quantile method) beside the quartile. Rates per
1,000 (or 100,000) use the right ONS population band as denominator when the source gives no
denominator. Suspect values are flagged, not dropped and not silently used.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from kassanalysis.analysis import stats
from kassanalysis.periods import Period, parse_period

#: ONS code prefixes of councils with adult social care duties (not regions or England).
COUNCIL_PREFIXES = ("E06", "E08", "E09", "E10", "E11")
ENGLAND = "E92000001"
SUSPECT_MADS = 10.0


def _is_council(codes: pd.Series) -> pd.Series:
    return codes.str[:3].isin(COUNCIL_PREFIXES)


def select_comparator_period(
    observations: pd.DataFrame, indicator_id: str, period: str | Period | None
) -> str | None:
    """The latest period with actuals for ``indicator_id`` ending on or before ``period``.

    ``period`` may be ``None`` or ``"latest"`` for the latest period published.

    Examples
    --------
    >>> obs = pd.DataFrame({"indicator_id": "X", "value_type": "actual",
    ...     "period": ["2019-20", "2020-21"],
    ...     "period_end": pd.to_datetime(["2020-03-31", "2021-03-31"])})
    >>> select_comparator_period(obs, "X", "2020-21 Q2"), select_comparator_period(obs, "X", None)
    ('2019-20', '2020-21')
    """
    rows = observations[
        (observations["indicator_id"] == indicator_id) & (observations["value_type"] == "actual")
    ]
    if period is not None and str(period) != "latest":
        end = (period if isinstance(period, Period) else parse_period(str(period))).end
        rows = rows[rows["period_end"] <= pd.Timestamp(end)]
    if rows.empty:
        return None
    return str(rows.sort_values("period_end")["period"].iloc[-1])


def calculate_band_population(
    population: pd.DataFrame, area_codes: pd.Series, band: str, year: int
) -> pd.Series:
    """Persons in an age band (``65+``, ``18-64``, ``18+``) per area for a mid-year.

    Examples
    --------
    >>> pop = pd.DataFrame({"area_code": "A", "year": 2020, "age": [17, 18, 64, 65, 90],
    ...                     "persons": [1.0, 2.0, 3.0, 4.0, 5.0]})
    >>> calculate_band_population(pop, pd.Series(["A", "B"]), "18-64", 2020).tolist()
    [5.0, nan]
    """
    low, high = parse_age_band(band)
    rows = population[
        (population["year"] == year) & (population["age"] >= low) & (population["age"] <= high)
    ]
    totals = rows.groupby("area_code")["persons"].sum()
    return area_codes.map(totals).astype(float)


def parse_age_band(band: str) -> tuple[int, int]:
    """``65+`` -> (65, 90); ``18-64`` -> (18, 64). Age 90 stands for 90 and over.

    Examples
    --------
    >>> parse_age_band("65+"), parse_age_band("18-64")
    ((65, 90), (18, 64))
    """
    band = band.strip()
    if band.endswith("+"):
        return int(band[:-1]), 90
    low, _, high = band.partition("-")
    return int(low), int(high)


def compare_with_group(
    observations: pd.DataFrame,
    members: pd.DataFrame,
    indicators: pd.DataFrame,
    *,
    indicator_id: str,
    period: str | None,
    group_id: str,
    focus_code: str,
    breakdown: str = "Total",
    population: pd.DataFrame | None = None,
    suspect_mads: float = SUSPECT_MADS,
) -> pd.DataFrame:
    """The comparator table: one row per council in the group.

    Parameters
    ----------
    observations : pandas.DataFrame
        Indicator observations (:class:`~kassanalysis.schemas.IndicatorObservations`).
    members : pandas.DataFrame
        Comparator group memberships (group_id, authority_code).
    indicators : pandas.DataFrame
        Indicator reference indexed by id (polarity, unit, denominator_band, per,
        min_possible, max_possible).
    indicator_id, period, group_id : str
        What to compare; ``period`` may be ``"latest"`` or a period label, in which case the
        latest published period ending on or before it is used (see ``period`` column).
    focus_code : str
        The council the report is for (``is_focus``).
    population : pandas.DataFrame, optional
        ONS population (:class:`~kassanalysis.schemas.Population`) for rate denominators.
    suspect_mads : float
        Values further than this many MADs from the England median are flagged suspect.

    Returns
    -------
    pandas.DataFrame
        Columns: authority_code, authority_name, is_focus, value, status, numerator,
        denominator, rank, quartile, quintile, group_size, group_median,
        numerator_in_group_median, group_mean, england_median,
        numerator_in_england_median, numerator_in_england_mad, england_n,
        mads_from_england_median, lower_95,
        upper_95, lower_998, upper_998, benchmark, numerator_in_benchmark,
        benchmark_name, compared_with_england, compared_998, significance,
        significance_text, suspect, suspect_reason, indicator_id, period, unit, polarity,
        source_file, source_line. Sorted by rank (missing last).

        For disclosure control (a report withholding a small count withholds the figures
        that would show it), ``numerator_in_group_median`` is the council's ``numerator``
        where its value is one the group median is taken from
        (:func:`~kassanalysis.analysis.stats.flag_median_values`: the median of one value
        is that value; of two, their mean, so either is the median times two less the
        other), NaN elsewhere; ``numerator_in_england_median`` the same for the England
        median (over every English council), ``numerator_in_england_mad`` where the
        council's distance from that median is one the MAD is taken from (every
        ``mads_from_england_median`` is divided by the MAD), and ``numerator_in_benchmark``
        repeats ``numerator_in_england_median`` where the benchmark is that median
        (England publishing no value of its own).

        ``benchmark`` is the England value of the period (England's own published row) or,
        when England publishes none, the median of the English councils; ``benchmark_name``
        says which, with the year (``"England value 2022-23"`` or ``"median of 152 English
        councils 2022-23"``). ``compared_with_england`` is the comparison with that
        benchmark at 95% and ``compared_998`` at 99.8% (each ``"better"``, ``"similar"``,
        ``"worse"``, ``"higher"``/``"lower"`` for no polarity, or ``"not compared"``);
        ``significance`` combines them as Fingertips does (``"better (99.8%)"``,
        ``"better (95%)"``, ``"similar"``...; see
        :func:`~kassanalysis.analysis.stats.classify_against_benchmark_two_levels`) and
        ``significance_text`` says it in words, naming the benchmark. ``quintile`` is
        1 (best fifth for the polarity; highest fifth for no polarity) to 5 within the
        group, by PHE's quantile method (ties share a quintile; missing when fewer than 5
        councils have a value), beside ``quartile`` (1 = best quarter by rank).
    """
    info = indicators.loc[indicator_id]
    polarity = str(info["polarity"])
    chosen = select_comparator_period(observations, indicator_id, period)
    group = members.loc[members["group_id"] == group_id, "authority_code"].drop_duplicates()
    if group.empty:
        raise ValueError(f"comparator group {group_id!r} has no members")
    columns = _OUTPUT_COLUMNS
    if chosen is None:
        return pd.DataFrame(columns=columns)
    rows = observations[
        (observations["indicator_id"] == indicator_id)
        & (observations["value_type"] == "actual")
        & (observations["period"] == chosen)
        & (observations["breakdown"] == breakdown)
    ]
    councils = rows[_is_council(rows["authority_code"])].drop_duplicates("authority_code")
    values_all = councils.set_index("authority_code")["value"].astype(float)
    england_median = float(values_all.median()) if values_all.notna().any() else math.nan
    mads = (
        stats.calculate_mad_distance(values_all)
        if values_all.notna().sum() > 1
        else pd.Series(np.nan, index=values_all.index)
    )
    england = rows[rows["authority_code"] == ENGLAND]
    benchmark = (
        float(england["value"].iloc[0])
        if not england.empty and pd.notna(england["value"].iloc[0])
        else england_median
    )

    table = pd.DataFrame({"authority_code": group.to_numpy()})
    table = table.merge(councils, on="authority_code", how="left")
    # a council without a value in this period is still named, from any other row it has
    known = observations.drop_duplicates("authority_code").set_index("authority_code")
    table["authority_name"] = (
        table["authority_name"]
        .fillna(table["authority_code"].map(known["authority_name"]))
        .fillna(table["authority_code"])
    )
    table["status"] = table["status"].fillna("missing")
    table["is_focus"] = table["authority_code"] == focus_code
    table["value"] = table["value"].astype(float)
    table["mads_from_england_median"] = table["authority_code"].map(mads).astype(float)
    table["england_median"] = england_median
    table["england_n"] = int(values_all.notna().sum())
    table = _add_denominators(table, info, chosen, population)
    table = _add_intervals(table, info, polarity, benchmark)
    table["benchmark"] = benchmark
    table["benchmark_name"] = _benchmark_name(england, int(values_all.notna().sum()), chosen)
    table = _add_two_levels(table, polarity)
    present = table["value"].notna()
    table["rank"] = stats.rank_by_polarity(table["value"], polarity)
    table["group_size"] = int(present.sum())
    table["quartile"] = (
        stats.assign_quartile(table["rank"], int(present.sum())) if present.any() else np.nan
    )
    table["quintile"] = stats.assign_quantile_by_polarity(table["value"], 5, polarity)
    table["group_median"] = table.loc[present, "value"].median()
    table = _add_counts_behind_medians(table, values_all, england)
    table["group_mean"] = table.loc[present, "value"].mean()
    table["suspect_reason"] = _suspect_reasons(table, info, suspect_mads)
    table["suspect"] = table["suspect_reason"].notna()
    table["indicator_id"] = indicator_id
    table["period"] = chosen
    table["unit"] = str(info["unit"])
    table["polarity"] = polarity
    table = table.sort_values(["rank", "authority_name"], na_position="last", kind="stable")
    return table[columns].reset_index(drop=True)


_OUTPUT_COLUMNS = [
    "authority_code",
    "authority_name",
    "is_focus",
    "value",
    "status",
    "numerator",
    "denominator",
    "rank",
    "quartile",
    "quintile",
    "group_size",
    "group_median",
    "numerator_in_group_median",
    "group_mean",
    "england_median",
    "numerator_in_england_median",
    "numerator_in_england_mad",
    "england_n",
    "mads_from_england_median",
    "lower_95",
    "upper_95",
    "lower_998",
    "upper_998",
    "benchmark",
    "numerator_in_benchmark",
    "benchmark_name",
    "compared_with_england",
    "compared_998",
    "significance",
    "significance_text",
    "suspect",
    "suspect_reason",
    "indicator_id",
    "period",
    "unit",
    "polarity",
    "source_file",
    "source_line",
]


def _add_counts_behind_medians(
    table: pd.DataFrame, values_all: pd.Series, england: pd.DataFrame
) -> pd.DataFrame:
    """Each council's count where its value is one the group (or England) median is taken
    from (:func:`~kassanalysis.analysis.stats.flag_median_values`), NaN elsewhere; the
    same for the England MAD (the median of the distances from the England median); and
    the England one again as ``numerator_in_benchmark`` where the benchmark is the England
    median (England publishing no value of its own)."""
    table = table.copy()
    numerator = table["numerator"].astype(float)
    in_group = stats.flag_median_values(table["value"])
    in_england = table["authority_code"].map(stats.flag_median_values(values_all))
    in_england = in_england.astype("boolean").fillna(False).astype(bool)
    table["numerator_in_group_median"] = numerator.where(in_group)
    table["numerator_in_england_median"] = numerator.where(in_england)
    # the MAD is a median too (of distances from the England median): every published
    # distance is divided by it, so a withheld value whose distance it is shows through
    deviations = (values_all - values_all.median()).abs()
    in_mad = table["authority_code"].map(stats.flag_median_values(deviations))
    table["numerator_in_england_mad"] = numerator.where(
        in_mad.astype("boolean").fillna(False).astype(bool)
    )
    own_value = not england.empty and pd.notna(england["value"].iloc[0])
    table["numerator_in_benchmark"] = np.nan if own_value else table["numerator_in_england_median"]
    return table


def _per(info: pd.Series) -> float | None:
    per = info.get("per")
    return float(per) if per is not None and pd.notna(per) and str(per) != "" else None


def _add_denominators(
    table: pd.DataFrame, info: pd.Series, period: str, population: pd.DataFrame | None
) -> pd.DataFrame:
    """Fill a rate's missing denominators with the ONS population of its age band."""
    table = table.copy()
    band = info.get("denominator_band")
    if population is None or _per(info) is None or band is None or pd.isna(band):
        return table
    year = parse_period(period).start.year
    if year not in set(population["year"]):
        return table
    from_ons = calculate_band_population(population, table["authority_code"], str(band), year)
    table["denominator"] = table["denominator"].astype(float).fillna(from_ons)
    return table


def _add_intervals(
    table: pd.DataFrame, info: pd.Series, polarity: str, benchmark: float
) -> pd.DataFrame:
    table = table.copy()
    num = table["numerator"].astype(float)
    den = table["denominator"].astype(float)
    usable = num.notna() & den.notna() & (den > 0) & (num >= 0)
    if str(info["unit"]).strip() == "%":
        usable &= num <= den  # an impossible proportion gets no interval (flagged suspect)
    for level, suffix in ((0.95, "95"), (0.998, "998")):
        lower = pd.Series(np.nan, index=table.index)
        upper = pd.Series(np.nan, index=table.index)
        if usable.any():
            if str(info["unit"]).strip() == "%":
                lo, hi = stats.calculate_wilson_interval(num[usable], den[usable], level)
                lower[usable], upper[usable] = lo * 100, hi * 100
            elif _per(info) is not None:
                _, lo, hi = stats.calculate_rate_interval(
                    num[usable], den[usable], per=_per(info), confidence=level
                )
                lower[usable], upper[usable] = lo, hi
        table[f"lower_{suffix}"], table[f"upper_{suffix}"] = lower, upper
    if table["lower_95"].notna().any() and not math.isnan(benchmark):
        table["compared_with_england"] = stats.classify_against_benchmark(
            table["lower_95"], table["upper_95"], pd.Series(benchmark, index=table.index), polarity
        )
    else:
        table["compared_with_england"] = "not compared"
    return table


def _benchmark_name(england: pd.DataFrame, england_n: int, period: str) -> str:
    """What the benchmark is, with its year: England's own value, or the median of the
    English councils when England publishes none."""
    if not england.empty and pd.notna(england["value"].iloc[0]):
        return f"England value {period}"
    return f"median of {england_n} English councils {period}"


def _add_two_levels(table: pd.DataFrame, polarity: str) -> pd.DataFrame:
    """Fingertips' comparison with the benchmark at 95% and 99.8% (named)."""
    table = table.copy()
    name = str(table["benchmark_name"].iloc[0]) if len(table) else "England value"
    benchmark = float(table["benchmark"].iloc[0]) if len(table) else math.nan
    if len(table) == 0:
        for column in ("compared_998", "significance", "significance_text"):
            table[column] = pd.Series(dtype=object)
        return table
    two = stats.classify_against_benchmark_two_levels(
        table["lower_95"],
        table["upper_95"],
        table["lower_998"],
        table["upper_998"],
        pd.Series(benchmark, index=table.index),
        polarity,
        name,
    )
    table["compared_998"] = two["compared_998"]
    table["significance"] = two["significance"]
    table["significance_text"] = two["significance_text"]
    return table


def _suspect_reasons(table: pd.DataFrame, info: pd.Series, suspect_mads: float) -> pd.Series:
    reasons = pd.Series([None] * len(table), index=table.index, dtype=object)
    low, high = info.get("min_possible"), info.get("max_possible")
    value = table["value"]
    if low is not None and pd.notna(low):
        out = value < float(low)
        reasons[out] = f"below the lowest possible value ({float(low):g})"
    if high is not None and pd.notna(high):
        out = value > float(high)
        reasons[out] = f"above the highest possible value ({float(high):g})"
    num, den = table["numerator"].astype(float), table["denominator"].astype(float)
    impossible = (num < 0) | ((str(info["unit"]).strip() == "%") & (num > den))
    reasons[impossible & reasons.isna()] = "numerator outside 0 to denominator"
    far = table["mads_from_england_median"].abs() > suspect_mads
    far &= reasons.isna()
    reasons[far] = table.loc[far, "mads_from_england_median"].map(
        lambda m: f"{m:+.1f} MADs from the England median (beyond ±{suspect_mads:g})"
    )
    return reasons


def summarise_indicators(
    observations: pd.DataFrame,
    members: pd.DataFrame,
    indicators: pd.DataFrame,
    *,
    indicator_ids: list[str],
    period: str | None,
    group_id: str,
    focus_code: str,
    population: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per indicator (an id given twice is summarised once): the focus council's
    value, rank of n, quartile, medians, distance from the England median and comparison
    with England."""
    for indicator_id in indicator_ids:
        if indicator_id not in indicators.index:
            raise KeyError(f"unknown indicator {indicator_id!r}")
    tables = {
        indicator_id: compare_with_group(
            observations,
            members,
            indicators,
            indicator_id=indicator_id,
            period=period,
            group_id=group_id,
            focus_code=focus_code,
            population=population,
        )
        for indicator_id in indicator_ids
    }
    return summarise_tables(tables, indicators)


def summarise_tables(tables: dict[str, pd.DataFrame], indicators: pd.DataFrame) -> pd.DataFrame:
    """:func:`summarise_indicators` from tables already made by :func:`compare_with_group`
    (indicator id -> table), so a report that shows both computes each table once.

    Each row carries the focus council's ``numerator`` and, over every council of the
    group table, ``numerator_in_group_median``, ``numerator_in_england_median`` and
    ``numerator_in_england_mad``: the smallest count behind a middle value of that median
    (:func:`~kassanalysis.analysis.stats.find_smallest_count`;
    NaN where none), the focus council's or another member's, so
    a report withholding the count withholds the median on this row as the group table
    withholds it on every row (a middle value from a small count of B shows through the
    group median in Kent's summary as much as in the group table)."""
    rows = []
    for indicator_id, table in tables.items():
        focus = table[table["is_focus"]]
        base = {
            "indicator_id": indicator_id,
            "indicator_name": str(indicators.loc[indicator_id, "name"]),
            "unit": str(indicators.loc[indicator_id, "unit"]),
            "polarity": str(indicators.loc[indicator_id, "polarity"]),
        }
        if table.empty or focus.empty or pd.isna(focus["value"].iloc[0]):
            rows.append(
                {
                    **base,
                    "period": None if table.empty else table["period"].iloc[0],
                    "value": math.nan,
                    "rank": math.nan,
                    "group_size": int(table["group_size"].iloc[0]) if not table.empty else None,
                    "note": "no data for the focus council in this period",
                }
            )
            continue
        f = focus.iloc[0]
        rows.append(
            {
                **base,
                "period": f["period"],
                "value": f["value"],
                "numerator": f["numerator"],
                "rank": f["rank"],
                "group_size": f["group_size"],
                "quartile": f["quartile"],
                "quintile": f["quintile"],
                "group_median": f["group_median"],
                "numerator_in_group_median": stats.find_smallest_count(
                    table["numerator_in_group_median"]
                ),
                "england_median": f["england_median"],
                "numerator_in_england_median": stats.find_smallest_count(
                    table["numerator_in_england_median"]
                ),
                "numerator_in_england_mad": stats.find_smallest_count(
                    table["numerator_in_england_mad"]
                ),
                "england_n": f["england_n"],
                "mads_from_england_median": f["mads_from_england_median"],
                "compared_with_england": f["compared_with_england"],
                "compared_998": f["compared_998"],
                "significance": f["significance"],
                "benchmark_name": f["benchmark_name"],
                "suspect": bool(f["suspect"]),
                "note": f["suspect_reason"],
                "source_file": f["source_file"],
                "source_line": f["source_line"],
            }
        )
    return pd.DataFrame(rows)


def calculate_group_funnel(
    table: pd.DataFrame, info: pd.Series, n_points: int = 100
) -> dict[str, pd.DataFrame | float | str] | None:
    """Funnel plot data for a comparator table: each council against the benchmark at 95%
    and 99.8%, by its denominator (PHE's funnels; proportions by the Wilson score,
    rates by exact Poisson).

    Parameters
    ----------
    table : pandas.DataFrame
        A :func:`compare_with_group` table (``numerator``, ``denominator``, ``value``,
        ``benchmark``, ``benchmark_name``...).
    info : pandas.Series
        The indicator's reference row: ``unit`` ``%`` for a proportion, or ``per`` for a
        rate.
    n_points : int, default 100
        Points along the funnel lines (:func:`~kassanalysis.analysis.stats.calculate_funnel_axis`).

    Returns
    -------
    dict or None
        ``points`` (the councils with a numerator and a usable denominator:
        ``authority_code``, ``authority_name``, ``is_focus``, ``numerator``,
        ``denominator``, ``value``, ``position`` from
        :func:`~kassanalysis.analysis.stats.flag_funnel_outliers`), ``limits`` (the funnel
        lines: ``denominator``, ``lower_95``, ``upper_95``, ``lower_998``, ``upper_998`` in
        the indicator's units, per cent for a proportion), ``benchmark`` (same units) and
        ``benchmark_name``; None when the indicator is neither a proportion nor a rate,
        there is no benchmark or no council has a numerator and denominator.

    Examples
    --------
    >>> table = pd.DataFrame({"authority_code": ["A", "B"], "authority_name": ["A", "B"],
    ...     "is_focus": [True, False], "numerator": [90.0, 800.0],
    ...     "denominator": [100.0, 1000.0], "value": [90.0, 80.0], "benchmark": 80.0,
    ...     "benchmark_name": "England value 2020-21"})
    >>> funnel = calculate_group_funnel(table, pd.Series({"unit": "%"}))
    >>> funnel["points"]["position"].tolist()
    ['above 95% limit', 'within limits']
    """
    proportion = str(info["unit"]).strip() == "%"
    per = _per(info)
    if table.empty or not (proportion or per is not None):
        return None
    benchmark = float(table["benchmark"].iloc[0])
    num, den = table["numerator"].astype(float), table["denominator"].astype(float)
    usable = num.notna() & den.notna() & (den > 0) & (num >= 0)
    if proportion:
        usable &= num <= den
    if math.isnan(benchmark) or not usable.any():
        return None
    points = table.loc[usable, ["authority_code", "authority_name", "is_focus"]].copy()
    points["numerator"], points["denominator"] = num[usable], den[usable]
    scale = 100.0 if proportion else 1.0
    target = benchmark / scale
    kind = "proportion" if proportion else "rate"
    points["value"] = num[usable] / den[usable] * (100.0 if proportion else per)
    points["position"] = stats.flag_funnel_outliers(
        num[usable], den[usable], pd.Series(target, index=points.index), kind, per=per or 1000
    )
    axis = stats.calculate_funnel_axis(den[usable], n_points)
    if proportion:
        limits = stats.calculate_proportion_funnel_limits(axis, target)
    else:
        limits = stats.calculate_rate_funnel_limits(axis, target, per=per)
    for column in ("lower_95", "upper_95", "lower_998", "upper_998"):
        limits[column] = limits[column] * scale
    return {
        "points": points.reset_index(drop=True),
        "limits": limits.drop(columns=["benchmark"]),
        "benchmark": benchmark,
        "benchmark_name": str(table["benchmark_name"].iloc[0]),
    }
