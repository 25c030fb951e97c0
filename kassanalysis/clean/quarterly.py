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

import numpy as np
import pandas as pd

from kassanalysis import problems as pb
from kassanalysis.catalogue import CatalogueEntry, quarterly_part
from kassanalysis.clean.cells import parse_cell, parse_value_column
from kassanalysis.clean.kpi_common import observation_record
from kassanalysis.periods import PeriodError, parse_period
from kassanalysis.reference import Reference
from kassanalysis.schemas import STATUSES, VALUE_TYPES, BudgetLines, IndicatorObservations

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
    parsed = parse_cell(text, nil_is_zero=False)
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
        if authority not in ref.authorities.index:
            problems.append(
                pb.error(
                    "unknown council",
                    where,
                    line,
                    f"{authority!r} is not in data/reference/authorities.csv",
                )
            )
            continue
        info = ref.indicators.loc[indicator]
        low, high = info.get("min_possible"), info.get("max_possible")
        if value[1] == "reported" and (
            (pd.notna(low) and value[0] < float(low)) or (pd.notna(high) and value[0] > float(high))
        ):
            problems.append(
                pb.error(
                    "impossible value",
                    where,
                    line,
                    f"{indicator} {value_type} {row['value']!r} is outside its possible range "
                    f"({low} to {high})",
                )
            )
            continue
        records.append(
            observation_record(
                ref,
                authority=authority,
                indicator=indicator,
                period=period,
                value_type=value_type,
                value=value[0],
                status=value[1],
                source_file=where,
                source_line=line,
                source_text=str(row["value"]),
                numerator=num[0],
                denominator=den[0],
            )
        )
    frame_out = pd.DataFrame(records, columns=columns)
    return frame_out, problems + _duplicated_values(frame_out, where)


def _duplicated_values(observations: pd.DataFrame, where: str) -> list[pb.Problem]:
    """An error for every value given a second time (same council, indicator, breakdown,
    period and value type), at the line of the repeat."""
    key = ["authority_code", "indicator_id", "breakdown", "period", "value_type"]
    return [
        pb.error(
            "duplicated value",
            where,
            int(row["source_line"]),
            f"{row['indicator_id']} {row['value_type']} for {row['period']} is given twice",
        )
        for _, row in observations[observations.duplicated(key, keep="first")].iterrows()
    ]


_STATUS_CODES = {status: i for i, status in enumerate(STATUSES)}


def _parse_amounts(column: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Values, status codes (into ``STATUSES``), bad-cell mask and text of an amount column.

    Columns read as numbers are used as they are (a blank is missing); text columns go
    through ``pd.to_numeric`` first and only the cells it cannot read (``1,234.5``, ``TBC``,
    ``[c]``...) through the full cell parser. Text is kept (``source_text``) only for those.
    """
    n = len(column)
    missing, reported = _STATUS_CODES["missing"], _STATUS_CODES["reported"]
    text = np.full(n, None, dtype=object)
    if pd.api.types.is_numeric_dtype(column):
        values = np.array(column, dtype=float)
        codes = np.where(np.isnan(values), missing, reported).astype(np.int8)
        return values, codes, np.zeros(n, bool), text
    cells = column.astype(object).where(column.notna(), "")
    values = np.array(pd.to_numeric(cells, errors="coerce"), dtype=float)  # a writable copy
    codes = np.where(np.isnan(values), missing, reported).astype(np.int8)
    bad = np.zeros(n, bool)
    hard = np.isnan(values) & (cells.to_numpy() != "")
    if hard.any():
        v, st, b = parse_value_column(cells[hard])
        values[hard], bad[hard] = v.to_numpy(), b.to_numpy()
        codes[hard] = st.map(_STATUS_CODES).fillna(missing).to_numpy(dtype=np.int8)
        text[hard] = cells[hard].to_numpy()
    return values, codes, bad, text


def _factorize_text(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Codes and stripped distinct values of a text column (string work on distinct values
    only: a ledger repeats a few hundred names a million times)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes, uniques = column.cat.codes.to_numpy(), column.cat.categories
    else:
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
    stripped = [str(u).strip() for u in uniques]
    return codes, stripped


def _sparse_text(texts: np.ndarray) -> pd.Categorical:
    """Cell texts kept for a few cells only, as a categorical (missing elsewhere)."""
    kept = pd.notna(texts)
    codes = np.full(len(texts), -1, dtype=np.int32)
    if not kept.any():
        return pd.Categorical.from_codes(codes, categories=["-"])
    sub, uniques = pd.factorize(pd.Series(texts[kept], dtype=object))
    codes[kept] = sub
    return pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype=object))


def _recode(per_label: list, codes: np.ndarray, repeat: int) -> pd.Categorical:
    """A categorical of one value per distinct label, each input row repeated ``repeat``
    times (one output row per measure)."""
    sub, uniques = pd.factorize(pd.Series(per_label, dtype=object))
    spread = np.repeat(np.where(codes >= 0, sub[codes], -1), repeat)
    return pd.Categorical.from_codes(spread, categories=pd.Index(uniques, dtype=object))


def clean_quarterly_budget(
    frame: pd.DataFrame, entry: CatalogueEntry, ref: Reference, where: str
) -> tuple[pd.DataFrame, list[pb.Problem]]:
    """Budget monitoring rows of a quarterly return into budget lines (one per figure).

    Vectorised, because a monitoring ledger can have a million rows: each distinct period
    and cell text is parsed once, and repeated text columns come back as categoricals (the
    schema turns them into strings on validation).

    Examples
    --------
    >>> rows = pd.DataFrame({"cost_centre": ["A1"], "line": ["Home care"],
    ...     "period": ["2013-14 Q1"], "budget": ["1,000.0"], "actual": ["240.5"],
    ...     "forecast": [""]})
    >>> entry = CatalogueEntry("q", "q.csv", "quarterly_return", "E10000016", {}, "")
    >>> out, problems = clean_quarterly_budget(rows, entry, _tiny_reference(), "q.budget.csv")
    >>> [[str(m), float(v), str(s)] for m, v, s in out[["measure", "value", "status"]].values]
    [['budget', 1000.0, 'reported'], ['actual_to_date', 240.5, 'reported'], \
['forecast_outturn', nan, 'missing']]
    """
    problems: list[pb.Problem] = []
    columns = list(BudgetLines.to_schema().columns)
    if _missing_columns(frame, BUDGET_COLUMNS, where, problems):
        return pd.DataFrame(columns=columns), problems
    n = len(frame)
    lines = np.arange(n) + 2  # the header is line 1
    name_codes, name_values = _factorize_text(frame["line"])
    blank_names = {i for i, v in enumerate(name_values) if not v}
    blank = (name_codes == -1) | np.isin(name_codes, list(blank_names))
    for line in lines[blank][:50]:
        problems.append(pb.error("missing line name", where, int(line), "line is blank"))
    codes, labels = _factorize_text(frame["period"])
    years, periods = [], []
    for label in labels:
        try:
            parsed = parse_period(label)
            years.append(parsed.financial_year)
            periods.append(parsed.label)
        except PeriodError as exc:
            years.append(None)
            periods.append(None)
            for line in lines[codes == len(years) - 1][:50]:
                problems.append(pb.error("unparseable period", where, int(line), str(exc)))
    measures = list(_BUDGET_MEASURES.values())
    k = len(measures)
    values = np.empty((n, k))
    status_codes = np.empty((n, k), dtype=np.int8)
    texts = np.empty((n, k), dtype=object)
    for j, column in enumerate(_BUDGET_MEASURES):
        values[:, j], status_codes[:, j], bad, texts[:, j] = _parse_amounts(frame[column])
        for line in lines[bad][:50]:
            problems.append(
                pb.error(
                    "non-numeric value",
                    where,
                    int(line),
                    f"{column}: {frame[column].iloc[line - 2]!r} is not a number or a known marker",
                )
            )
    if problems:
        return pd.DataFrame(columns=columns), problems
    centre_codes, centre_values = _factorize_text(frame["cost_centre"])
    centre_values = [v or None for v in centre_values]
    row_type_of = ["total" if v.lower() == "total" else "line" for v in name_values]

    def constant(value: str) -> pd.Categorical:
        return pd.Categorical.from_codes(np.zeros(n * k, np.int8), [value])

    def spread(codes_: np.ndarray, per_code: list) -> pd.Categorical:
        return _recode(per_code, codes_, k)

    nothing = pd.Categorical.from_codes(np.full(n * k, -1, np.int8), categories=["-"])
    out = pd.DataFrame(
        {
            "authority_code": constant(entry.authority),
            "authority_name": constant(ref.authority_name(entry.authority)),
            "financial_year": spread(codes, years),
            "period": spread(codes, periods),
            "unit": constant(entry.unit or entry.id),
            "service_group": nothing,
            "line_code": spread(centre_codes, centre_values),
            "line_name": spread(name_codes, name_values),
            "row_type": spread(name_codes, row_type_of),
            "measure": pd.Categorical.from_codes(np.tile(np.arange(k, dtype=np.int8), n), measures),
            "value": values.ravel() * entry.scale_to_thousands,
            "unit_of_measure": constant("GBP thousands"),
            "status": pd.Categorical.from_codes(status_codes.ravel(), list(STATUSES)),
            "source_file": constant(where),
            "source_sheet": nothing,
            "source_line": np.repeat(lines, k),
            "source_text": _sparse_text(texts.ravel()),
        }
    )
    return out[columns], problems


def clean_quarterly_return(
    sheets: dict[str, pd.DataFrame], entry: CatalogueEntry, ref: Reference
) -> tuple[dict[str, pd.DataFrame], list[pb.Problem]]:
    """Both parts of a quarterly return: ``{"indicator_observations": ..., "budget_lines":
    ...}`` and the problems found (each naming the part's file and line)."""
    problems: list[pb.Problem] = []
    out: dict[str, pd.DataFrame] = {}
    parts = {
        "indicators": ("indicator_observations", clean_quarterly_indicators),
        "budget": ("budget_lines", clean_quarterly_budget),
    }
    for sheet, (table, cleaner) in parts.items():
        where = quarterly_part(entry.file, sheet)
        if sheet not in sheets:
            problems.append(
                pb.error("missing part", where, None, f"the quarterly return has no {sheet} part")
            )
            continue
        part = sheets[sheet].fillna("") if sheet == "indicators" else sheets[sheet]
        frame, found = cleaner(part, entry, ref, where)
        out[table] = frame
        problems += found
    return out, problems


def _tiny_reference() -> Reference:
    from kassanalysis.reference import make_reference_from_frames

    return make_reference_from_frames(
        pd.DataFrame(columns=["id", "name", "unit_of_measure", "aliases"]),
        pd.DataFrame(
            {
                "id": ["X"],
                "polarity": ["higher_is_better"],
                "unit": ["%"],
                "aliases": [""],
                "min_possible": [0.0],
                "max_possible": [100.0],
            }
        ),
        pd.DataFrame({"ons_code": ["E10000016"], "name": ["Kent"], "aliases": [""]}),
    )
