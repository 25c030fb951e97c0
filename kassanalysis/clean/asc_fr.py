"""The Adult Social Care Finance Return (ASC-FR; PSS-EX1 before 2014-15) as finance lines.

NHS Digital publishes the council-level return in two layouts:

wide (2014-15 "Personal Social Services: Expenditure and Unit Costs" CSVs)
    A first row of region codes (``NW``, ``NE``...), then a header row: descriptive
    columns (``Support type``, ``Age category``, ``Primary support reason``,
    ``Service delivery mechanism``, ``Provision`` or ``Accounting category`` or
    ``Unit cost category`` / ``Unit cost provision``; the bridging-year file has
    ``Bridging year service``, ``Bridging Year``, ``Bridging year group``) and one column
    per council headed ``CASSR code - name`` (``820 - Kent``), then the regions and
    ``ENGLAND``. Note rows at the end (``Data are presented in £000's``, ``:`` for
    mandatory data that are unavailable, ``.`` for a unit cost not calculated). A file
    that stacks tables under one header (the voluntary age bands) has its provision put
    back by :func:`~kassanalysis.clean.asc_fr_sections.restore_provision`.
long (later years)
    One row per council and category: ``Council Code``, ``Council Name``, ``Care Type``,
    ``Age Bands``, ``Primary support reason``, ``Long Term Support Setting``,
    ``Data Type``, ``Value``; or, for the additional data, ``Finance Type`` and
    ``Comparative totals``.

The layout is found from the content (the header row is searched for, not assumed). The
cleaner is pure: it is handed the sheet or CSV as a grid of text cells with no header
(row ``i`` is line ``i + 1``) and returns :class:`~kassanalysis.schemas.FinanceLines` and
problems. It also checks what the return itself totals and reports what does not add up
(:func:`~kassanalysis.clean.asc_fr_checks.reconcile_finance_lines`); nothing is
changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.clean.asc_fr_checks import (
    group_key,
    label_mask,
    reconcile_finance_lines,
    repeated_label_findings,
)
from kassanalysis.clean.asc_fr_sections import restore_provision
from kassanalysis.clean.cells import as_text
from kassanalysis.clean.records import ONS_ENGLAND, row_problems
from kassanalysis.periods import PeriodError, parse_financial_year
from kassanalysis.problems import Problem, error
from kassanalysis.reference import Reference
from kassanalysis.schemas import FinanceLines, columns_of, empty_frame

FIN = FinanceLines

#: Descriptive role -> header names of the return (normalised: lower case, letters only).
ROLE_HEADERS: dict[str, tuple[str, ...]] = {
    "support_type": ("supporttype", "caretype", "bridgingyearservice", "comparativetotals"),
    "age_band": ("agecategory", "agebands", "ageband", "bridgingyeargroup"),
    "primary_support_reason": ("primarysupportreason",),
    "support_setting": (
        "servicedeliverymechanism",
        "longtermsupportsetting",
        "supportsetting",
        "deliverymechanism",
    ),
    "provision": ("provision", "unitcostprovision"),
    "measure": ("accountingcategory", "unitcostcategory", "datatype", "financetype"),
    "financial_year": ("bridgingyear", "financialyear", "year"),
    "council_code": ("councilcode", "cassrcode", "lacode", "geographycode", "onscode"),
    "council_name": ("councilname", "laname", "geographyname"),
    "value": ("value",),
}
DIMENSIONS = ("support_type", "age_band", "primary_support_reason", "support_setting")
#: Regions and England as the wide layout heads them -> ONS codes.
AREA_CODES = {
    "northeast": "E12000001",
    "northwest": "E12000002",
    "yorkshireandhumber": "E12000003",
    "yorkshireandthehumber": "E12000003",
    "eastmidlands": "E12000004",
    "westmidlands": "E12000005",
    "east": "E12000006",
    "eastofengland": "E12000006",
    "london": "E12000007",
    "southeast": "E12000008",
    "southwest": "E12000009",
    "england": "E92000001",
}
#: Published cells that are not numbers: status (value NaN).
MARKERS = {"": "missing", ":": "missing", ".": "not_applicable", "..": "missing", "[x]": "missing"}
#: Labels that make a row a total (measure or any descriptive column, case ignored).
TOTAL_LABELS = frozenset(
    {
        "total",
        "all",
        "total provision",
        "gross total cost: total expenditure",
        "gross total expenditure",
        "income: total",
        "net total expenditure",
    }
)
_COUNCIL_HEADER = re.compile(r"^\s*(\d{3})\s*-\s*(.+?)\s*$")
_NUMBER = re.compile(r"^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")
_HEADER_SEARCH_ROWS = 15


def _key(text: object) -> str:
    return re.sub(r"[^a-z]", "", str(text).lower())


def _roles(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for j, cell in enumerate(header):
        key = _key(cell)
        for role, names in ROLE_HEADERS.items():
            if key in names and role not in found:
                found[role] = j
    return found


def find_layout(grid: pd.DataFrame) -> tuple[dict | None, str]:
    """Find the header row and layout of a finance-return grid.

    Returns
    -------
    layout : dict or None
        ``row`` (0-based header row), ``layout`` (``"wide"`` or ``"long"``), ``roles``
        (role -> column position) and, for the wide layout, ``areas``: column position ->
        (CASSR code or None, name as printed, ONS code or None for a council).
    why : str
        When nothing was found, what was looked for.

    Examples
    --------
    >>> grid = pd.DataFrame([["", "", "SE", "Eng"],
    ...                      ["Support type", "Accounting category", "820 - Kent", "ENGLAND"]])
    >>> layout, _ = find_layout(grid)
    >>> layout["layout"], layout["row"], layout["areas"]
    ('wide', 1, {2: ('820', 'Kent', None), 3: (None, 'ENGLAND', 'E92000001')})
    """
    for r in range(min(_HEADER_SEARCH_ROWS, len(grid))):
        header = [str(c).strip() for c in grid.iloc[r].tolist()]
        roles = _roles(header)
        councils = {j: _COUNCIL_HEADER.match(c) for j, c in enumerate(header)}
        councils = {j: m for j, m in councils.items() if m}
        if len(councils) >= 1 and roles.keys() & set(DIMENSIONS) | roles.keys() & {"measure"}:
            first = min(councils)
            areas: dict[int, tuple[str | None, str, str | None]] = {}
            for j in range(first, len(header)):
                if j in councils:
                    areas[j] = (councils[j][1], councils[j][2], None)
                elif _key(header[j]) in AREA_CODES:
                    areas[j] = (None, header[j], AREA_CODES[_key(header[j])])
            roles = {k: v for k, v in roles.items() if v < first}
            return {"row": r, "layout": "wide", "roles": roles, "areas": areas}, ""
        if {"council_code", "value"} <= roles.keys():
            return {"row": r, "layout": "long", "roles": roles, "areas": {}}, ""
    return None, (
        "no header row with council columns like '820 - Kent' (wide layout) or with "
        "'Council Code' and 'Value' (long layout) in the first 15 rows"
    )


def _financial_year(text: str) -> str | None:
    """``2014 - 2015``, ``2014-15``, ``2014/15`` -> ``2014-15``; None if not a year."""
    match = re.fullmatch(r"\s*(\d{4})\s*[-/]\s*(\d{2}|\d{4})\s*", text)
    if not match:
        return None
    try:
        start = parse_financial_year(f"{match[1]}-{match[2][-2:]}")
    except PeriodError:
        return None
    return f"{start}-{(start + 1) % 100:02d}"


def finance_unit(measure: str, provision: str, setting: str) -> str:
    """The unit of a return figure from its labels.

    Unit-cost numerators and money are GBP thousands, denominators and activity are care
    weeks, unit costs GBP per week, the home-care hourly rate GBP per hour, SALT client
    counts clients, and the capital-charges question yes/no.

    Examples
    --------
    >>> finance_unit("Unit costs", "All", "Residential")
    'GBP per week'
    >>> finance_unit("activity", "External provision", "Nursing")
    'weeks'
    >>> finance_unit("Income: total", "", "Nursing")
    'GBP thousands'
    """
    m, p, s = measure.lower(), provision.lower(), setting.lower()
    if m in ("unit costs", "unit cost") or m.startswith("unit cost "):
        return "GBP per week"
    if m == "denominator":
        return "weeks"
    if p == "hourly rate":
        return "GBP per hour"
    if "salt clients" in s:
        return "clients"
    if s == "capital charges" and m == "activity":
        return "yes/no"
    if m == "activity" or m in ("in house provision", "external provision", "total provision"):
        return "weeks"
    return "GBP thousands"


def _cassr_lookup(ref: Reference, year: str) -> dict[str, str]:
    """CASSR code -> ONS code of the council that held it in ``year``."""
    table = ref.authorities
    lookup: dict[str, str] = {}
    if "cassr_code" in table:
        for ons, code in table["cassr_code"].items():
            if isinstance(code, str) and code.strip():
                lookup[code.strip()] = ons
    if "former_cassr_code" in table and "abolished" in table:
        former = table["former_cassr_code"].fillna("").astype(str).str.strip()
        until = table["abolished"].fillna("").astype(str).str.strip()
        held = (
            (former != "") & (former != "nan") & ((until == "") | (until == "nan") | (until > year))
        )
        lookup.update(zip(former[held], former.index[held], strict=True))
    return lookup


def clean_asc_fr(
    raw: pd.DataFrame, entry: CatalogueEntry, ref: Reference
) -> tuple[pd.DataFrame, list[Problem]]:
    """Turn an ASC-FR (or PSS-EX1) file, wide or long, into finance lines.

    Parameters
    ----------
    raw : pd.DataFrame
        The CSV or first sheet as a grid of text cells, no header (row ``i`` is line
        ``i + 1``).
    entry : CatalogueEntry
        ``entry.financial_year`` (or ``period``) is the year of the figures unless the file
        has a year column (the bridging-year file's ``Bridging Year``).
    ref : Reference
        ``ref.authorities``: ``cassr_code`` (and ``former_cassr_code`` until the
        ``abolished`` year for councils since reorganised) maps the return's CASSR codes
        to ONS codes.

    Returns
    -------
    lines : pd.DataFrame
        :class:`~kassanalysis.schemas.FinanceLines`, one row per area and published cell
        (councils, then the regions and England of the wide layout), money in GBP thousands
        as published; ``:`` missing, ``.`` not_applicable, blank missing.
    problems : list of Problem
        Errors: no header found, no data rows, no year, unknown CASSR code, non-numeric
        cells (file, line and council named). Findings: the return's own totals that do
        not add up and unit costs that are not numerator x 1000 / denominator (see
        :func:`reconcile_finance_lines`), and labels repeated within the file.

    Examples
    --------
    >>> from kassanalysis.reference import make_reference_from_frames
    >>> ref = make_reference_from_frames(
    ...     pd.DataFrame(columns=["id", "name", "unit_of_measure", "aliases"]),
    ...     authorities=pd.DataFrame(
    ...     {"ons_code": ["E10000016"], "cassr_code": ["820"], "name": ["Kent"],
    ...      "aliases": [""]}))
    >>> grid = pd.DataFrame([
    ...     ["", "", "SE"],
    ...     ["Support type", "Accounting category", "820 - Kent"],
    ...     ["Long term", "Gross total cost: provision by others", "10.5"],
    ...     ["Long term", "Gross total cost: own provision", ":"],
    ...     ["Notes:", "", ""]])
    >>> entry = CatalogueEntry(id="x", file="x.csv", kind="asc_fr", authority="",
    ...                        source={}, licence="", financial_year="2014-15")
    >>> lines, problems = clean_asc_fr(grid, entry, ref)
    >>> lines[["authority_code", "value", "status", "unit", "source_line"]]
      authority_code  value    status           unit  source_line
    0      E10000016   10.5  reported  GBP thousands            3
    1      E10000016    NaN   missing  GBP thousands            4
    """
    layout, why = find_layout(raw)
    if layout is None:
        return empty_frame(FIN), [error("table not found", entry.file, None, why)]
    if layout["layout"] == "wide":
        long, problems = _melt_wide(raw, layout, entry)
    else:
        long, problems = _read_long(raw, layout, entry)
    if long.empty:
        return empty_frame(FIN), [
            *problems,
            error("no data rows", entry.file, None, "the return has a header but no figures"),
        ]
    year_text = long["year_text"]
    default_year = _financial_year(str(entry.financial_year or entry.period or ""))
    years = year_text.map(lambda y: _financial_year(y) if y else default_year)
    bad_year = years.isna()
    problems += row_problems(
        bad_year & ~year_text.duplicated(),
        long["line"],
        entry,
        "unknown year",
        lambda i: (
            f"year {year_text[i]!r} cannot be read"
            if year_text[i]
            else "no financial year: give one in the catalogue (financial_year) or --year"
        ),
    )
    long = long[~bad_year]
    years = years[~bad_year]

    ons, found = _resolve_councils(long, years, ref, entry)
    problems += found
    codes, unknown = long["code"], ons.isna()

    values, statuses, units, bad = _parse_values(long)
    problems += row_problems(
        bad,
        long["line"],
        entry,
        "non-numeric value",
        lambda i: f"{long['name'][i]}: {long['text'][i]!r} is not a number",
        subject=lambda i: codes[i],
    )
    keep = ~unknown & ~bad
    kept = long.assign(unit=units, status=statuses)[keep]
    frame = _finance_frame(kept, ons[keep], years[keep], values[keep], entry, raw)
    problems += repeated_label_findings(frame, entry)
    problems += reconcile_finance_lines(frame)
    return frame, problems


def _resolve_councils(
    long: pd.DataFrame, years: pd.Series, ref: Reference, entry: CatalogueEntry
) -> tuple[pd.Series, list[Problem]]:
    """The ONS code of each row's area (NaN for a CASSR code the reference does not know,
    reported once per code)."""
    codes = long["code"]
    ons = long["ons"].astype(object)
    for year in years.unique():
        lookup = _cassr_lookup(ref, year)
        rows = (years == year) & ons.isna()
        given = {c: c if ONS_ENGLAND.match(c) else lookup.get(c) for c in codes[rows].unique()}
        ons[rows] = codes[rows].map(given)
    unknown = ons.isna()
    first = unknown & ~codes.duplicated()
    problems = row_problems(
        first,
        long["line"],
        entry,
        "unknown council",
        lambda i: (
            f"council {codes[i]} - {long['name'][i]}: CASSR code not in "
            "data/reference/authorities.csv (cassr_code, or former_cassr_code for a council "
            "since reorganised); its figures are left out"
        ),
        subject=lambda i: codes[i],
    )
    return ons, problems


def _finance_frame(
    kept: pd.DataFrame,
    ons: pd.Series,
    years: pd.Series,
    values: pd.Series,
    entry: CatalogueEntry,
    raw: pd.DataFrame,
) -> pd.DataFrame:
    """The kept long rows as :class:`~kassanalysis.schemas.FinanceLines`, text categorical."""
    is_total = np.logical_or.reduce(
        [label_mask(kept[c], TOTAL_LABELS) for c in (*DIMENSIONS, "provision", "measure")]
    )

    def category(values: pd.Series) -> pd.Series:
        # as .astype(object).astype("category") would make it, but converting only the
        # distinct values (each column repeats a few hundred labels 600,000 times)
        codes, uniques = pd.factorize(values)
        categories = pd.Series(uniques, dtype=object).astype("category").cat.categories
        codes = np.where(codes >= 0, categories.get_indexer(uniques)[codes], -1)
        dtype = pd.CategoricalDtype(categories)
        return pd.Series(pd.Categorical.from_codes(codes, dtype=dtype), index=kept.index)

    frame = pd.DataFrame(
        {
            FIN.authority_code: category(ons),
            FIN.cassr_code: _without(kept["code"], lambda c: c == "" or re.match(r"^E\d", c)),
            FIN.authority_name: kept["name"],
            FIN.financial_year: category(years),
            **{c: _without(kept[c], lambda c: c == "") for c in (*DIMENSIONS, "provision")},
            FIN.measure: kept["measure"],
            FIN.value: values,
            FIN.unit: kept["unit"],
            FIN.row_type: _expand(["line", "total"], is_total.astype(int)),
            FIN.status: kept["status"],
            FIN.source_file: _expand([entry.file], np.zeros(len(kept), dtype=int)),
            FIN.source_sheet: _expand([raw.attrs.get("sheet_name")], np.zeros(len(kept), int)),
            FIN.source_line: kept["line"],
            FIN.source_text: kept["text"],
        }
    )[columns_of(FIN)].reset_index(drop=True)
    return as_categories(frame)


def _melt_wide(
    grid: pd.DataFrame, layout: dict, entry: CatalogueEntry
) -> tuple[pd.DataFrame, list[Problem]]:
    """One row per (data row, area column) of the wide layout; note rows are skipped.

    Every text column comes back categorical: each label, area and cell text is stored
    once and the long rows hold codes (the 2014-15 expenditure file melts 3,600 rows by
    152 areas into 560,000).
    """
    roles, areas = layout["roles"], layout["areas"]
    body = grid.iloc[layout["row"] + 1 :]
    columns = sorted(areas)
    cells = body.iloc[:, columns].to_numpy(dtype=object)
    codes, uniques = pd.factorize(cells.ravel(), use_na_sentinel=False)
    stripped = pd.Series(uniques, dtype=object).fillna("").astype(str).str.strip()
    blank = (stripped == "").to_numpy()
    is_data = ~blank[codes].reshape(cells.shape).all(axis=1)
    lines = np.arange(len(grid))[layout["row"] + 1 :][is_data] + 1
    defaults = {"measure": "activity"}
    rows = pd.DataFrame(
        {
            role: as_text(body.iloc[:, roles[role]])[is_data].to_numpy(dtype=object)
            if role in roles
            else defaults.get(role, "")
            for role in (*DIMENSIONS, "financial_year", "provision", "measure")
        }
    )
    same_text = pd.factorize(stripped)[0]
    rows, keep = restore_provision(
        rows,
        same_text[codes].reshape(cells.shape)[is_data],
        [*DIMENSIONS, "financial_year"],
        has_provision="provision" in roles,
    )
    rows, lines = rows[keep].reset_index(drop=True), lines[keep]
    n_rows, n_areas = len(rows), len(columns)
    row_of = np.repeat(np.arange(n_rows), n_areas)  # long row -> data row
    area_of = np.tile(np.arange(n_areas), n_rows)  # long row -> area column
    texts = np.where(blank, "", np.asarray(uniques, dtype=object))
    long = pd.DataFrame(
        {
            "code": _expand([areas[j][0] or areas[j][2] for j in columns], area_of),
            "name": _expand([areas[j][1] for j in columns], area_of),
            "ons": _expand([areas[j][2] for j in columns], area_of),
            **{role: _expand(rows[role], row_of) for role in (*DIMENSIONS, "provision")},
            "measure": _expand(rows["measure"], row_of),
            "year_text": _expand(rows["financial_year"], row_of),
            "text": _expand(texts, codes.reshape(cells.shape)[is_data][keep].ravel()),
            "line": np.repeat(lines, n_areas),
        }
    )
    return long, []


def _expand(values, positions: np.ndarray) -> pd.Categorical:
    """``values[positions]`` as a categorical, each distinct value stored once (None and
    NaN missing)."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    return pd.Categorical.from_codes(codes[positions], pd.Index(uniques, dtype=object))


def _without(column: pd.Series, drop: Callable[[str], object]) -> pd.Series:
    """The column as a categorical with the labels for which ``drop`` is true missing."""
    column = column.astype("category")
    gone = [c for c in column.cat.categories if drop(str(c))]
    return column.cat.remove_categories(gone) if gone else column


def as_categories(frame: pd.DataFrame) -> pd.DataFrame:
    """Finance lines with every text column categorical, as the schema stores them."""
    text = [c for c in frame.columns if c not in (FIN.value, FIN.source_line)]
    return frame.astype({c: "category" for c in text})


def _read_long(
    grid: pd.DataFrame, layout: dict, entry: CatalogueEntry
) -> tuple[pd.DataFrame, list[Problem]]:
    """The long layout: one row per council and category."""
    roles = layout["roles"]
    body = grid.iloc[layout["row"] + 1 :]
    lines = pd.Series(np.arange(len(grid))[layout["row"] + 1 :] + 1, index=body.index)

    def column(role: str) -> pd.Series:
        if role not in roles:
            return pd.Series("", index=body.index, dtype=object)
        return as_text(body.iloc[:, roles[role]])

    code = column("council_code").str.upper()
    value = column("value")
    is_data = (code != "") & (value != "")
    measure = column("measure")
    long = pd.DataFrame(
        {
            "code": code,
            "name": column("council_name").where(column("council_name") != "", code),
            "ons": code.where(code.str.fullmatch(ONS_ENGLAND.pattern).astype(bool), None),
            **{role: column(role) for role in DIMENSIONS},
            "provision": column("provision"),
            "measure": measure.where(measure != "", "value"),
            "year_text": column("financial_year"),
            "text": value,
            "line": lines,
        }
    )[is_data]
    return long.reset_index(drop=True), []


def _parse_values(long: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """Values, statuses, units and a bad-cell mask (each distinct cell parsed once)."""
    codes, uniques = pd.factorize(long["text"])
    text = pd.Series(uniques, dtype=object).astype(str).str.strip()
    plain = text.str.replace(",", "", regex=False)
    numeric = plain.str.fullmatch(_NUMBER.pattern).astype(bool)
    answer = text.str.lower().map({"yes": 1.0, "no": 0.0})
    parsed = pd.to_numeric(plain.where(numeric), errors="coerce")
    parsed = parsed.where(answer.isna(), answer)
    marker = text.map(MARKERS)
    status = marker.where(marker.notna(), "reported")
    odd = (~numeric & marker.isna() & answer.isna()).to_numpy()
    values = pd.Series(parsed.to_numpy()[codes], index=long.index)
    statuses = pd.Series(_expand(status.to_numpy(dtype=object), codes), index=long.index)
    is_answer = pd.Series(answer.notna().to_numpy()[codes], index=long.index)
    labels = ["measure", "provision", "support_setting"]
    combo_codes, _ = pd.factorize(group_key(long, labels))  # in order of appearance
    first_rows = pd.Series(np.arange(len(long))).groupby(combo_codes, sort=True).first()
    combos = long[labels].iloc[first_rows.to_numpy()].itertuples(index=False)
    unit_of = np.array([finance_unit(*combo) for combo in combos], dtype=object)
    units = pd.Series(_expand(unit_of, combo_codes), index=long.index)
    bad = pd.Series(odd[codes], index=long.index) | (is_answer & (units != "yes/no"))
    return values.where(~bad), statuses, units, bad
