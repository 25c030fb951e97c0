"""What each kind of raw table is read from, and how a file of each kind is recognised.

One registry, :data:`KIND_READING`: for every kind, the formats it reads (decided from the
file's content by :mod:`kassanalysis.formats`), what it expects in words (for the one-line
error when a file does not fit), and a recogniser that ``kass check FILE`` without
``--kind`` and ``kass add`` use to say which kind a file is. A new kind registers here with
one line.

Recognisers are pure: they look at a :class:`Preview` (the file's format, description and
first rows, as :func:`kassanalysis.io.preview_file` reads them) and the reference tables,
and return a :class:`Recognition` or None.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from kassanalysis.clean.grid import normalise_header
from kassanalysis.clean.kpi_boxes import has_kpi_boxes
from kassanalysis.formats import FileFormat

TEXT_TABLES = ("pipe", "tab", "csv", "spaced")
WORKBOOK = ("xlsx", "xls", "ods")


@dataclass(frozen=True)
class Preview:
    """A quick look at a file: its format, its description, and its first rows as text.

    ``sheets`` maps a sheet name (the file's name for a text file) to its first rows, each a
    list of cell texts; ``lines`` holds the first lines of a text file.
    """

    name: str
    fmt: FileFormat
    description: str
    sheets: dict[str, list[list[str]]] = field(default_factory=dict)
    lines: tuple[str, ...] = ()
    json_keys: tuple[str, ...] = ()

    def header(self) -> list[str]:
        """The first non-blank row of the first sheet holding one."""
        for rows in self.sheets.values():
            for row in rows:
                if any(row):
                    return row
        return []

    def header_keys(self) -> set[str]:
        """Normalised names of the first row's cells (letters and digits only)."""
        return {normalise_header(c) for c in self.header() if c}


@dataclass(frozen=True)
class Recognition:
    """A kind a file looks like: how sure (0 to 1), and why, in words."""

    kind: str
    score: float
    reason: str
    options: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class KindReading:
    """How one kind is read: formats accepted, what it expects, how it is recognised."""

    accepts: tuple[str, ...]
    expects: str
    recognise: Callable | None = None


# ---- recognisers ---------------------------------------------------------------------------

_FY = re.compile(r"\b(19|20)\d{2}\s*[-/]\s*\d{2,4}\b")
_ONS = re.compile(r"^E\d{8}$")
_MONEY = re.compile(
    r"\b(gross|net|income|expenditure|budget|outturn|forecast|variance|spend|cost|costs)\b"
    r"|£\s*(m|k|000|'000|million)\b|\(£",
    re.IGNORECASE,
)
_KPI = re.compile(
    r"\b(actual|target|floor|benchmark|threshold|expected range|q[1-4])\b",
    re.IGNORECASE,
)


def _rows(preview: Preview) -> list[list[str]]:
    return [r for rows in preview.sheets.values() for r in rows if any(r)]


def _header_rows(preview: Preview, most: int = 6) -> list[list[str]]:
    """The rows above the first row holding a number beside its label."""
    from kassanalysis.clean.cells import is_number_like

    rows = []
    for row in _rows(preview)[:most]:
        if any(is_number_like(c) for c in row[1:] if c):
            break
        rows.append(row)
    return rows


def _has_numbers(rows: list[list[str]]) -> bool:
    from kassanalysis.clean.cells import is_number_like

    return any(is_number_like(c) for r in rows[1:] for c in r[1:] if c)


def _council_columns(rows: list[list[str]]) -> int:
    """The most cells of one row that name a council by CASSR code (``820 - Kent``)."""
    counts = (sum(1 for c in row if re.match(r"^\d{3} - \S", c or "")) for row in rows)
    return max(counts, default=0)


def recognise_budget_table(preview: Preview, ref) -> Recognition | None:
    """A table whose header names money measures (gross, income, net, budget, forecast...)
    with a service-name column and numbers below."""
    rows = _rows(preview)[:12]
    if ref is None or not rows or not _has_numbers(rows):
        return None
    found = set()
    kpi_words = set()
    for row in _header_rows(preview):
        for cell in row[1:]:
            measure = ref.measure_for_header(cell) if cell else None
            if measure:
                found.add(measure)
            elif cell and _MONEY.search(cell):
                found.add(cell.lower())
            if cell and _KPI.search(cell):
                kpi_words.add(cell.lower())
    if not found and preview.fmt.layout == "spaced":
        # a PDF table's header is one line of words above the figures
        for row in _header_rows(preview, most=10):
            found.update(m.group(0).lower() for m in _MONEY.finditer(" ".join(row)))
    if not found or _council_columns(rows) >= 3:  # council columns: a return such as ASC-FR
        return None
    score = 0.9 if len(found) >= 2 else 0.6
    if kpi_words:
        score -= 0.3
    shown = sorted(found)
    reason = f"its header names money columns ({', '.join(shown[:6])}"
    reason += f" and {len(shown) - 6} more)" if len(shown) > 6 else ")"
    return Recognition("budget_table", score, reason)


def recognise_comparator_table(preview: Preview, ref) -> Recognition | None:
    """A table with one column per council (three or more council names in a header row)."""
    if ref is None:
        return None
    for row in _rows(preview)[:4]:
        councils = [c for c in row[1:] if c and ref.authority_for_name(c)]
        if len(councils) >= 3:
            return Recognition(
                "comparator_table",
                0.85,
                f"a header row names {len(councils)} councils ({', '.join(councils[:3])}...)",
            )
    return None


def recognise_kpi_table(preview: Preview, ref) -> Recognition | None:
    """A table of indicators by period: a header with actual/target/floor and periods; or
    a quarterly report's KPI boxes (``Latest: .. Target: .., Floor: .. Previous: ..``)."""
    if has_kpi_boxes(list(preview.lines)):
        return Recognition(
            "kpi_table", 0.9, "it prints KPI boxes ('Latest: .. Target: .., Floor: ..')"
        )
    words = set()
    for row in _header_rows(preview):
        for cell in row:
            words.update(m.lower() for m in _KPI.findall(cell or ""))
            if _FY.search(cell or ""):
                words.add("year")
    types = {w for w in words if w != "year" and not re.fullmatch(r"q[1-4]", w)}
    if types and len(words) >= 2:
        return Recognition(
            "kpi_table", 0.8, f"its header has periods and value types ({', '.join(sorted(words))})"
        )
    return None


def recognise_banding_table(preview: Preview, ref) -> Recognition | None:
    """PAF banding counts: rows headed BAND 1 to BAND 5."""
    bands = [r for r in _rows(preview) if r and re.match(r"(?i)^band\s*\d", r[0])]
    if len(bands) >= 3:
        return Recognition("banding_table", 0.9, f"{len(bands)} rows are headed BAND n")
    return None


def recognise_stated_figures(preview: Preview, ref) -> Recognition | None:
    """Prose with figures quoted as ``Label: £number``."""
    quoted = [
        ln
        for ln in preview.lines
        if re.match(r"^[A-Za-z][^:]{2,40}:\s*£?\s*[\d,.]+\s*$", ln.strip())
    ]
    if preview.fmt.layout == "prose" and quoted:
        return Recognition("stated_figures", 0.5, f"{len(quoted)} lines quote 'Label: figure'")
    return None


def recognise_target_statements(preview: Preview, ref) -> Recognition | None:
    """Prose listing numbered targets (``- 12. To increase ...``)."""
    targets = [ln for ln in preview.lines if re.match(r"^\W*\d+\.\s+To\s", ln.strip())]
    if preview.fmt.layout == "prose" and len(targets) >= 2:
        return Recognition("target_statements", 0.7, f"{len(targets)} numbered 'To ...' targets")
    return None


def recognise_oflog_outcomes(preview: Preview, ref) -> Recognition | None:
    keys = preview.header_keys()
    if {"financialyear", "localauthoritycode", "entityname"} <= keys:
        return Recognition(
            "oflog_outcomes",
            0.95,
            "Oflog's columns (Financial year, Local authority code, Entity_Name)",
        )
    return None


def recognise_nearest_neighbours(preview: Preview, ref) -> Recognition | None:
    if preview.fmt.container == "json" and any(_ONS.match(k) for k in preview.json_keys[:5]):
        return Recognition("nearest_neighbours", 0.9, "a JSON object keyed by ONS codes")
    keys = preview.header_keys()
    if keys and keys <= {"areacode", "areaname", "code", "name", "rank"} and "areacode" in keys:
        return Recognition(
            "nearest_neighbours", 0.7, "a list of councils (area code and name), one a row"
        )
    return None


def recognise_asc_fr(preview: Preview, ref) -> Recognition | None:
    """The Adult Social Care Finance Return: wide (council columns ``820 - Kent``) or long
    (``Council Code`` ... ``Value``)."""
    for rows in preview.sheets.values():
        for row in rows[:10]:
            keys = {normalise_header(c) for c in row if c}
            councils = sum(1 for c in row if re.match(r"^\d{3} - \S", c or ""))
            if councils >= 3 and keys & {"supporttype", "bridgingyearservice", "agecategory"}:
                return Recognition("asc_fr", 0.95, f"{councils} council columns like '820 - Kent'")
            if {"councilcode", "value"} <= keys and keys & {
                "caretype",
                "primarysupportreason",
                "financetype",
                "datatype",
            }:
                return Recognition("asc_fr", 0.95, "the long ASC-FR columns (Council Code, Value)")
    return None


def recognise_deprivation(preview: Preview, ref) -> Recognition | None:
    """The English Indices of Deprivation upper-tier summaries (rank and score columns)."""
    for rows in preview.sheets.values():
        for row in rows[:10]:
            keys = re.sub(r"[^a-z]", "", " ".join(row).lower())
            if "imd" in keys and "rankofaveragescore" in keys and "localauthority" in keys:
                return Recognition(
                    "deprivation", 0.9, "IMD rank and score columns by local authority"
                )
    return None


def recognise_ons_long(preview: Preview, ref) -> Recognition | None:
    keys = preview.header_keys()
    if {"sex", "age"} <= keys and any(re.match(r"^population\d{4}$", k) for k in keys):
        return Recognition(
            "ons_mye2", 0.85, "ONS long population columns (sex, age, population_YYYY)"
        )
    return None


def recognise_ascof_open_data(preview: Preview, ref) -> Recognition | None:
    keys = preview.header_keys()
    if any("ascofmeasurecode" in k or k == "measuregroup" for k in keys):
        return Recognition("ascof_open_data", 0.9, "an 'ASCOF Measure Code' column")
    return None


def recognise_ons_mye2(preview: Preview, ref) -> Recognition | None:
    names = [n for n in preview.sheets if re.match(r"(?i)^mye\s*2", n.strip())]
    if names:
        return Recognition("ons_mye2", 0.9, f"ONS population sheets ({', '.join(names[:3])})")
    return None


def recognise_ons_mye_series(preview: Preview, ref) -> Recognition | None:
    """An ONS all-ages population series (MYE4 ``Mid-YYYY`` or MYE5 ``Estimated Population
    mid-YYYY`` columns), found as the cleaner finds it. Less sure when the workbook also
    holds MYE2 sheets: the same ONS workbook is then read for both kinds, one catalogue
    entry each, and ``ons_mye2`` is what it is first."""
    from kassanalysis.clean.ons_series import find_population_series

    frames = {name: pd.DataFrame(rows) for name, rows in preview.sheets.items() if rows}
    name, layout, _ = find_population_series(frames)
    if layout is None:
        return None
    score = 0.6 if recognise_ons_mye2(preview, ref) else 0.85
    return Recognition(
        "ons_mye_series",
        score,
        f"sheet {name!r} is an ONS population series ({len(layout['years'])} mid-years)",
    )


def recognise_quarterly_return(preview: Preview, ref) -> Recognition | None:
    keys = preview.header_keys()
    if {"indicators", "budget"} <= {n.lower() for n in preview.sheets}:
        return Recognition("quarterly_return", 0.9, "sheets 'indicators' and 'budget'")
    if {"costcentre", "line", "period"} <= keys or {"indicatorid", "valuetype"} <= keys:
        return Recognition("quarterly_return", 0.95, "the quarterly return's CSV columns")
    return None


def recognise_indicator_export(preview: Preview, ref) -> Recognition | None:
    """The long export of LG Inform, Fingertips and data portals: one row per area, period
    and indicator, with a value column."""
    keys = preview.header_keys()
    area = any(k in keys for k in ("areacode", "ons code", "onscode", "geographycode"))
    period = any(k in keys for k in ("period", "timeperiod", "year"))
    value = "value" in keys
    indicator = any(k.startswith("indicator") for k in keys)
    if area and period and value and indicator:
        return Recognition(
            "indicator_export", 0.9, "columns area code, period, indicator and value"
        )
    return None


#: kind -> how it is read and recognised. A new kind adds one line here.
KIND_READING: dict[str, KindReading] = {
    "budget_table": KindReading(
        (*TEXT_TABLES, *WORKBOOK),
        "a budget table (pipe, tab or comma-separated text, or a workbook sheet) with a "
        "service-name column and money columns",
        recognise_budget_table,
    ),
    "stated_figures": KindReading(
        ("prose", *TEXT_TABLES),
        "text quoting figures as 'Label: £number'",
        recognise_stated_figures,
    ),
    "kpi_table": KindReading(
        ("prose", *TEXT_TABLES),
        "a text table (pipe, tab or comma-separated) of indicators by row with actual/target "
        "columns by period, or a report's KPI boxes ('Latest: .. Target: .., Floor: ..')",
        recognise_kpi_table,
    ),
    "comparator_table": KindReading(
        TEXT_TABLES,
        "a text table (pipe, tab or comma-separated) of indicators by row with one column per "
        "council",
        recognise_comparator_table,
    ),
    "target_statements": KindReading(
        ("prose", *TEXT_TABLES), "text listing numbered targets", recognise_target_statements
    ),
    "banding_table": KindReading(
        TEXT_TABLES, "a text table of PAF bands (BAND 1..5) by year", recognise_banding_table
    ),
    "oflog_outcomes": KindReading(
        ("csv", *WORKBOOK), "Oflog's adult social care CSV", recognise_oflog_outcomes
    ),
    "nearest_neighbours": KindReading(
        ("json", "csv", *WORKBOOK),
        "Oflog's nearest-neighbour JSON (ONS code -> ranked neighbours) or one council's list "
        "as CSV (area_code, area_name, one council a row in rank order)",
        recognise_nearest_neighbours,
    ),
    "ascof_open_data": KindReading(
        ("csv", *WORKBOOK),
        "the ASCOF open data file (CSV or workbook) with ASCOF measure codes",
        recognise_ascof_open_data,
    ),
    "ons_mye2": KindReading(
        ("csv", *WORKBOOK),
        "an ONS mid-year estimates workbook with MYE2 sheets, or the long layout (code, name, "
        "geography, sex, age, population_YYYY) as CSV or workbook",
        lambda preview, ref: recognise_ons_mye2(preview, ref) or recognise_ons_long(preview, ref),
    ),
    "ons_mye_series": KindReading(
        WORKBOOK,
        "an ONS mid-year estimates workbook with an all-ages population series (MYE4: Code, "
        "Name, Geography, Mid-2020, Mid-2019, ...; or MYE5: Estimated Population mid-YYYY)",
        recognise_ons_mye_series,
    ),
    "indicator_export": KindReading(
        ("csv", "tab", *WORKBOOK),
        "a long indicator export (area code, area name, period, indicator, value) as LG "
        "Inform, Fingertips and data portals publish",
        recognise_indicator_export,
    ),
    "asc_fr": KindReading(
        ("csv", *WORKBOOK),
        "an Adult Social Care Finance Return file: wide (council columns '820 - Kent') or long "
        "(Council Code, Council Name, ..., Value)",
        recognise_asc_fr,
    ),
    "deprivation": KindReading(
        ("csv", *WORKBOOK),
        "the Indices of Deprivation upper-tier local authority summaries (IMD rank and score)",
        recognise_deprivation,
    ),
    "quarterly_return": KindReading(
        ("csv", *WORKBOOK),
        "a quarterly return: a workbook with sheets 'indicators' and 'budget', or the CSV pair "
        "<name>.indicators.csv and <name>.budget.csv",
        recognise_quarterly_return,
    ),
}

#: Kinds recognised (for a helpful message) that this version may not read yet.
EXTRA_RECOGNISERS: dict[str, Callable] = {}


def kind_reading(kind: str) -> KindReading:
    """How ``kind`` is read (any kind not registered reads any table)."""
    return KIND_READING.get(
        kind, KindReading((*TEXT_TABLES, *WORKBOOK, "prose", "json"), f"a {kind} file")
    )


def recognise(preview: Preview, ref) -> list[Recognition]:
    """Every kind the file looks like, most likely first (empty when none).

    Parameters
    ----------
    preview : Preview
        The file's first rows and format.
    ref : Reference
        Measures (budget headers) and councils (comparator headers).

    Returns
    -------
    list of Recognition
        Only kinds whose accepted formats include the file's.
    """
    found = []
    recognisers = {k: r.recognise for k, r in KIND_READING.items() if r.recognise}
    recognisers.update({k: v for k, v in EXTRA_RECOGNISERS.items() if k not in recognisers})
    for kind, recogniser in recognisers.items():
        if kind in KIND_READING and preview.fmt.name not in KIND_READING[kind].accepts:
            continue
        result = recogniser(preview, ref)
        if result is not None:
            found.append(result)
    return sorted(found, key=lambda r: -r.score)


def kind_hint(preview: Preview, kind: str, ref) -> str:
    """A clause naming the kind a file looks like, when that is not ``kind`` ("" if none).

    Examples
    --------
    >>> from kassanalysis.formats import FileFormat
    >>> p = Preview("x.csv", FileFormat("text", "csv", "utf-8"), "a CSV",
    ...             {"x.csv": [["area_code", "period", "indicator", "value"]]})
    >>> print(kind_hint(p, "kpi_table", None))
    ; it looks like an indicator_export file (columns area code, period, indicator and value)
    """
    others = [r for r in recognise(preview, ref) if r.kind != kind]
    if not others:
        return ""
    best = others[0]
    article = "an" if best.kind[0] in "aeiou" else "a"
    return f"; it looks like {article} {best.kind} file ({best.reason})"


__all__ = [
    "kind_hint",
    "KIND_READING",
    "KindReading",
    "Preview",
    "Recognition",
    "kind_reading",
    "recognise",
]
