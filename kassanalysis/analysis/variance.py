"""Budget against budget: year-on-year change, the make-up of gross and net, staffing and
locality comparisons. All figures are the published ones (lines, subtotals, totals as
printed); nothing is re-derived behind the reader's back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kassanalysis.schemas import BudgetLines as B

_KEY = [B.unit, B.service_group, B.line_code, B.line_name, B.row_type]


def _rows(lines: pd.DataFrame, units: list[str], measure: str) -> pd.DataFrame:
    return lines[
        lines[B.unit].isin(units)
        & (lines[B.measure] == measure)
        & lines[B.row_type].isin(["line", "subtotal", "total", "unit_total"])
    ]


def compare_budget_years(
    lines: pd.DataFrame,
    *,
    units: list[str],
    measure: str = "controllable_expenditure",
    from_year: str,
    to_year: str,
) -> pd.DataFrame:
    """Year-on-year change of a measure for every line, subtotal and total of the units.

    Returns one row per printed row with ``from_value``, ``to_value``, ``change`` and
    ``pct_change`` (NaN when the earlier value is 0 or missing: a change from nothing has no
    percentage), in printed order, with the source line of the later value.

    Examples
    --------
    >>> lines = pd.DataFrame({"unit": "U", "service_group": "G", "line_code": "41A",
    ...     "line_name": "A", "row_type": "line", "measure": "controllable_expenditure",
    ...     "financial_year": ["2007-08", "2008-09"], "value": [10.0, 12.5],
    ...     "source_file": "b.txt", "source_line": 9})
    >>> compare_budget_years(lines, units=["U"], from_year="2007-08", to_year="2008-09"
    ...     )[["from_value", "to_value", "change", "pct_change"]].iloc[0].tolist()
    [10.0, 12.5, 2.5, 25.0]
    """
    rows = _rows(lines, units, measure)
    key = [c for c in _KEY if c in rows.columns]
    keyed = rows.fillna({c: "" for c in key})
    # Repeated rows (two "Other" lines without a code) are paired in printed order.
    keyed = keyed.sort_values([B.source_file, B.source_line], kind="stable")
    keyed["occurrence"] = keyed.groupby([B.financial_year, *key], sort=False).cumcount()
    later = keyed[keyed[B.financial_year] == to_year]
    earlier = keyed[keyed[B.financial_year] == from_year][[*key, "occurrence", B.value]]
    table = later.merge(
        earlier.rename(columns={B.value: "from_value"}), on=[*key, "occurrence"], how="left"
    )
    table = table.rename(columns={B.value: "to_value"})
    table["change"] = table["to_value"] - table["from_value"]
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = table["change"] / table["from_value"].abs() * 100
    table["pct_change"] = pct.where(table["from_value"].fillna(0) != 0)
    table["measure"] = measure
    for column in (B.service_group, B.line_code):
        table[column] = table[column].replace("", None)
    return table[
        [
            *key,
            "measure",
            "from_value",
            "to_value",
            "change",
            "pct_change",
            B.source_file,
            B.source_line,
        ]
    ].reset_index(drop=True)


def summarise_budget_components(
    lines: pd.DataFrame,
    *,
    units: list[str],
    year: str,
    components: list[tuple[str, ...]],
) -> pd.DataFrame:
    """The components of gross and net for each unit, from its printed unit total.

    One row per unit: each gross component, gross, incomes and net (controllable expenditure
    or net cost), and each component's share of gross (%). Uses the unit's ``Total Cost of
    Unit`` row, or its last total when there is none. ``components`` lists alternative sets
    of gross components, the parts of each ``gross_expenditure`` identity in
    ``data/reference/identities.csv`` (``Reference.identities``); the first set the unit
    prints is used.

    Examples
    --------
    >>> lines = pd.DataFrame({"unit": "U", "financial_year": "2013-14", "row_type": "total",
    ...     "measure": ["staffing_costs", "non_staffing_costs", "gross_expenditure"],
    ...     "value": [25.0, 75.0, 100.0], "source_file": "l.txt", "source_line": 9})
    >>> layouts = [("staffing_costs", "non_staffing_costs")]
    >>> summarise_budget_components(lines, units=["U"], year="2013-14", components=layouts)[
    ...     ["staffing_costs_share", "non_staffing_costs_share"]].values.tolist()
    [[25.0, 75.0]]
    """
    candidates = components
    out = []
    for unit in units:
        rows = lines[(lines[B.unit] == unit) & (lines[B.financial_year] == year)]
        chosen = rows.iloc[0:0]
        for row_type in ("unit_total", "total"):
            chosen = rows[rows[B.row_type] == row_type]
            if not chosen.empty:
                break
        if chosen.empty:
            continue
        last_line = chosen[B.source_line].max()
        chosen = chosen[chosen[B.source_line] == last_line]
        values = chosen.set_index(B.measure)[B.value]
        parts = next((c for c in candidates if set(c) <= set(values.index)), candidates[0])
        record = {
            "unit": unit,
            "year": year,
            "source_file": chosen[B.source_file].iloc[0],
            "source_line": int(last_line),
        }
        incomes = [
            m
            for m in ("external_income", "internal_income", "service_income", "government_grants")
            if m in values.index
        ]
        nets = [
            m
            for m in ("controllable_expenditure", "net_expenditure", "net_cost")
            if m in values.index
        ]
        for measure in [*parts, "gross_expenditure", *incomes, *nets]:
            record[measure] = values.get(measure, np.nan)
        gross = record["gross_expenditure"]
        for measure in parts:
            record[f"{measure}_share"] = (
                record[measure] / gross * 100 if gross and pd.notna(gross) else np.nan
            )
        out.append(record)
    return pd.DataFrame(out)


def compare_staffing(
    lines: pd.DataFrame, *, unit: str, from_year: str, to_year: str
) -> pd.DataFrame:
    """FTE by team, year on year (published lines, subtotals and totals)."""
    table = compare_budget_years(
        lines, units=[unit], measure="fte", from_year=from_year, to_year=to_year
    )
    return table.rename(columns={"from_value": "from_fte", "to_value": "to_fte"})


def compare_localities(lines: pd.DataFrame, *, unit: str, year: str) -> pd.DataFrame:
    """Each locality's gross, income, net cost, share of gross and income recovery rate.

    ``share_of_gross`` is the locality's gross expenditure as a percentage of the printed
    total's; ``income_recovery_rate`` is service income (printed negative) as a percentage
    of gross expenditure.

    Examples
    --------
    >>> lines = pd.DataFrame({"unit": "U", "financial_year": "2013-14",
    ...     "line_name": ["A", "A", "A", "Total", "Total", "Total"],
    ...     "row_type": ["line"] * 3 + ["total"] * 3,
    ...     "measure": ["gross_expenditure", "service_income", "net_cost"] * 2,
    ...     "value": [40.0, -10.0, 30.0, 100.0, -25.0, 75.0],
    ...     "source_file": "l.txt", "source_line": [4, 4, 4, 9, 9, 9]})
    >>> compare_localities(lines, unit="U", year="2013-14")[
    ...     ["line_name", "share_of_gross", "income_recovery_rate"]].values.tolist()
    [['A', 40.0, 25.0], ['Total', 100.0, 25.0]]
    """
    rows = lines[
        (lines[B.unit] == unit)
        & (lines[B.financial_year] == year)
        & lines[B.row_type].isin(["line", "total"])
    ]
    wide = rows.pivot_table(
        index=[B.source_line, B.line_name, B.row_type],
        columns=B.measure,
        values=B.value,
        aggfunc="first",
    ).reset_index()
    total = wide.loc[wide[B.row_type] == "total", "gross_expenditure"]
    total_gross = (
        float(total.iloc[0])
        if not total.empty
        else wide.loc[wide[B.row_type] == "line", "gross_expenditure"].sum()
    )
    wide["share_of_gross"] = wide["gross_expenditure"] / total_gross * 100
    if "service_income" in wide:
        wide["income_recovery_rate"] = -wide["service_income"] / wide["gross_expenditure"] * 100
    wide["source_file"] = rows[B.source_file].iloc[0] if not rows.empty else None
    wide.columns.name = None
    return wide.sort_values(B.source_line).reset_index(drop=True)


MONITORING_COLUMNS = [
    "source_line",
    "service_group",
    "line_code",
    "line_name",
    "row_type",
    "actual_to_date",
    "budget",
    "forecast_outturn",
    "forecast_variance",
    "forecast_variance_pct",
    "spent_to_date_pct",
    "printed_variance",
    "variance_difference",
    "direction",
    "source_file",
]
"""Columns of :func:`monitor_budget`'s table (money in the lines' own unit, GBP thousands)."""

#: Steps (GBP thousands) a monitoring statement's figures may be printed to: £1m, £0.1m,
#: £10k, £1k, £100.
PRINTED_STEPS = (1000.0, 100.0, 10.0, 1.0, 0.1)


def printed_step(values: pd.Series) -> float:
    """The step the figures were printed to: the largest of :data:`PRINTED_STEPS` of which
    every non-missing value is a whole multiple (0.0 when none is).

    A statement printed in £m to one decimal holds multiples of 100 (GBP thousands).

    Examples
    --------
    >>> printed_step(pd.Series([600.0, 40_700.0, -100.0]))  # 0.6, 40.7, -0.1 £m
    100.0
    >>> printed_step(pd.Series([31_871.0, 32_310.0]))  # £000 to the pound thousand
    1.0
    """
    present = values.dropna().to_numpy(dtype=float)
    for step in PRINTED_STEPS:
        ratio = present / step
        if np.allclose(ratio, np.round(ratio), rtol=0, atol=1e-6):
            return step
    return 0.0


def monitor_budget(
    lines: pd.DataFrame, *, units: list[str], period: str, financial_year: str | None = None
) -> pd.DataFrame:
    """Budget monitoring for one period: forecast outturn against budget, line by line.

    Parameters
    ----------
    lines : pandas.DataFrame
        A :class:`~kassanalysis.schemas.BudgetLines` frame holding the monitoring return
        (measures ``budget`` and ``forecast_outturn``, optionally ``actual_to_date`` and
        the printed ``variance``).
    units : list of str
        Budget units of the division.
    period : str
        Monitoring period label, e.g. ``"2013-14 Q1"``: rows of that period are used.
    financial_year : str, optional
        When no row is of ``period``: the year's monitoring statement (rows of this
        financial year without a period that hold a ``forecast_outturn``, such as a key
        service statement "as at November"), e.g. ``"2024-25"``.

    Returns
    -------
    pandas.DataFrame
        :data:`MONITORING_COLUMNS`, one row per printed row that has a budget, in printed
        order. ``forecast_variance`` is the variance as printed where the statement prints
        one, else ``forecast_outturn - budget``; positive is a forecast overspend (the sign
        convention of council budget monitoring) and ``direction`` names it
        ("overspend", "underspend", "on budget"). ``variance_difference`` is
        ``forecast_outturn - budget - printed_variance``: within 1.5 printed steps (see
        :func:`printed_step`; each of the three figures is rounded by up to half a step) it
        is rounding, beyond that the statement does not add up (see
        :func:`variance_findings`). ``forecast_variance_pct`` is the variance as a
        percentage of the budget's size and ``spent_to_date_pct`` actual to date as a
        percentage of the budget (NaN when the budget is 0 or nothing is spent to date).
        Empty (no columns) when there is no monitoring for the period.

    Examples
    --------
    >>> lines = pd.DataFrame({"unit": "U", "period": "2013-14 Q1", "line_code": None,
    ...     "line_name": "Residential", "row_type": "line", "source_line": 7,
    ...     "measure": ["budget", "actual_to_date", "forecast_outturn"],
    ...     "value": [200.0, 45.0, 210.0], "source_file": "q1.txt"})
    >>> monitoring = monitor_budget(lines, units=["U"], period="2013-14 Q1")
    >>> monitoring[["forecast_variance", "forecast_variance_pct", "spent_to_date_pct"]
    ...     ].iloc[0].tolist()  # 210 - 200 = 10; 10 / 200 = 5%; 45 / 200 = 22.5%
    [10.0, 5.0, 22.5]
    """
    mine = lines[lines[B.unit].isin(units)]
    rows = mine[mine[B.period] == period]
    if rows.empty and financial_year is not None:
        year = mine[(mine[B.financial_year] == financial_year) & mine[B.period].isna()]
        with_forecast = year.loc[year[B.measure] == "forecast_outturn", B.source_file].unique()
        rows = year[year[B.source_file].isin(with_forecast)]
    if rows.empty:
        return pd.DataFrame()
    rows = rows.assign(service_group=rows.get(B.service_group))
    wide = rows.pivot_table(
        index=[B.source_line, "service_group", B.line_code, B.line_name, B.row_type],
        columns=B.measure,
        values=B.value,
        aggfunc="first",
        dropna=False,
    ).reset_index()
    for measure in ("budget", "actual_to_date", "forecast_outturn", "variance"):
        if measure not in wide.columns:
            wide[measure] = np.nan
    wide = wide.dropna(subset=["budget"], how="all")
    budget = wide["budget"].where(wide["budget"] != 0)
    computed = wide["forecast_outturn"] - wide["budget"]
    wide["printed_variance"] = wide["variance"]
    wide["variance_difference"] = computed - wide["printed_variance"]
    wide["forecast_variance"] = wide["printed_variance"].fillna(computed)
    wide["forecast_variance_pct"] = wide["forecast_variance"] / budget.abs() * 100
    wide["spent_to_date_pct"] = wide["actual_to_date"] / budget * 100
    wide["direction"] = np.select(
        [
            wide["forecast_variance"] > 0,
            wide["forecast_variance"] < 0,
            wide["forecast_variance"] == 0,
        ],
        ["overspend", "underspend", "on budget"],
        default=None,
    )
    wide["source_file"] = rows[B.source_file].iloc[0]
    wide.columns.name = None
    wide = wide.sort_values(B.source_line).reset_index(drop=True)
    return wide.reindex(columns=MONITORING_COLUMNS)


def variance_findings(monitoring: pd.DataFrame) -> pd.DataFrame:
    """Rows whose printed variance is not forecast minus budget beyond rounding.

    Parameters
    ----------
    monitoring : pandas.DataFrame
        Output of :func:`monitor_budget`.

    Returns
    -------
    pandas.DataFrame
        The rows of ``monitoring`` whose ``variance_difference`` is larger than 1.5 of the
        figures' printed step (:func:`printed_step` over budget, forecast and printed
        variance), with a ``finding`` sentence; empty when every row adds up. A difference
        within rounding (the directorate: 621.6 - 586.1 = 35.5 against a printed 35.4) is
        not a finding.

    Examples
    --------
    >>> m = pd.DataFrame({"line_name": ["Total", "Odd"], "budget": [586_100.0, 1_000.0],
    ...     "forecast_outturn": [621_600.0, 2_000.0], "printed_variance": [35_400.0, 500.0],
    ...     "variance_difference": [100.0, 500.0], "source_line": [50, 9]})
    >>> variance_findings(m)["line_name"].tolist()  # 100 is within 1.5 x 100; 500 is not
    ['Odd']
    """
    if monitoring.empty or monitoring["printed_variance"].isna().all():
        return monitoring.iloc[0:0].assign(finding=pd.Series(dtype=object))
    figures = pd.concat(
        [monitoring["budget"], monitoring["forecast_outturn"], monitoring["printed_variance"]]
    )
    tolerance = 1.5 * printed_step(figures)
    odd = monitoring[monitoring["variance_difference"].abs() > tolerance + 1e-9].copy()
    odd["finding"] = [
        f"line {line}: forecast minus budget is {forecast - budget:,.1f} but the printed "
        f"variance is {printed:,.1f} (more than rounding to {tolerance / 1.5:,.1f})"
        for line, budget, forecast, printed in zip(
            odd["source_line"],
            odd["budget"],
            odd["forecast_outturn"],
            odd["printed_variance"],
            strict=True,
        )
    ]
    return odd


def largest_variances(monitoring: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The ``n`` lines (``row_type == "line"``) with the largest forecast variance in size,
    overspend or underspend, largest first (ties in printed order).

    Examples
    --------
    >>> m = pd.DataFrame({"row_type": ["line", "line", "line", "total"],
    ...     "line_name": ["A", "B", "C", "Total"],
    ...     "forecast_variance": [2_400.0, -14_500.0, 27_400.0, 35_400.0]})
    >>> largest_variances(m, 2)["line_name"].tolist()
    ['C', 'B']
    """
    if monitoring.empty:
        return monitoring
    lines = monitoring[monitoring["row_type"] == "line"]
    size = lines["forecast_variance"].abs()
    order = size.sort_values(ascending=False, kind="stable").index[:n]
    return lines.loc[order].reset_index(drop=True)
