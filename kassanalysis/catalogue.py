"""The catalogue of raw tables (``data/raw/catalogue.yml``), loaded into checked objects.

The catalogue is how a new table joins the build: describe the file, its kind, its
authority, year and units, and (only when the header is lost or garbled) its column layout.
No code change is needed for a new table of a known kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Tables cut from PDF documents as text (pipe- or tab-separated), then the public files.
TEXT_KINDS = (
    "budget_table",
    "kpi_table",
    "comparator_table",
    "banding_table",
    "target_statements",
    "stated_figures",
)
KINDS = (
    *TEXT_KINDS,
    "oflog_outcomes",
    "nearest_neighbours",
    "ascof_open_data",
    "ons_mye2",
    "quarterly_return",
)
TEXT_FORMATS = ("pipe", "tab", "csv")
#: How a budget table prints income: "negative" (gross + income = net), "positive"
#: (gross - income = net), or "auto" (recognised from the table's own arithmetic).
INCOME_SIGNS = ("auto", "negative", "positive")
UNITS = {
    "GBP thousands": 1.0,
    "GBP millions": 1000.0,
    "GBP": 0.001,
    "FTE": 1.0,
}


class CatalogueError(ValueError):
    """The catalogue itself is wrong (a missing field, an unknown kind...)."""


@dataclass(frozen=True)
class CatalogueEntry:
    """One raw table: where it is, what it is, and how to read it."""

    id: str
    file: str
    kind: str
    authority: str
    source: dict[str, Any]
    licence: str
    coverage: str = ""
    format: str | None = None
    financial_year: str | None = None
    period: str | None = None
    year: int | None = None
    unit: str | None = None
    units_of_measure: str | None = None
    default_measure: str | None = None
    first_group: str | None = None
    columns: tuple[str, ...] | None = None
    columns_after_break: tuple[str, ...] | None = None
    total_columns: tuple[str, ...] | None = None
    header_lines: int | None = None
    wrapped_labels: str | None = None
    blank_markers: frozenset[str] = frozenset()
    row_rules: dict[str, str] = field(default_factory=dict)
    truncated: str | None = None
    stated_total: dict[str, str] | None = None
    figures: dict[str, str] = field(default_factory=dict)
    targets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    illustrative: bool = False
    quirks: tuple[str, ...] = ()
    income_sign: str = "auto"

    @property
    def source_first_line(self) -> int | None:
        """Line of the source document that is line 1 of the raw file, if it was cut out."""
        lines = self.source.get("lines")
        return int(lines[0]) if lines else None

    @property
    def scale_to_thousands(self) -> float:
        """Factor that turns this table's money figures into GBP thousands."""
        return UNITS.get(self.units_of_measure or "GBP thousands", 1.0)


def _tuple(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CatalogueError(f"expected a list of column names, got {value!r}")
    return tuple(value)


def parse_catalogue(document: dict[str, Any], *, where: str = "catalogue") -> list[CatalogueEntry]:
    """Check a loaded catalogue document and return its entries.

    Every problem is collected, so one run reports them all.

    Examples
    --------
    >>> doc = {"tables": [{"id": "t", "file": "t.txt", "kind": "budget_table",
    ...         "format": "pipe", "authority": "E10000016", "source": {}, "licence": "OGL"}]}
    >>> parse_catalogue(doc)[0].kind
    'budget_table'
    >>> parse_catalogue({"tables": [{"id": "t"}]})
    Traceback (most recent call last):
    ...
    kassanalysis.catalogue.CatalogueError: catalogue: table 't': missing field(s) file, kind
    """
    defaults = document.get("defaults", {}) or {}
    tables = document.get("tables")
    if not isinstance(tables, list):
        raise CatalogueError(f"{where}: expected a 'tables' list")
    errors: list[str] = []
    entries: list[CatalogueEntry] = []
    seen: set[str] = set()
    known = set(CatalogueEntry.__dataclass_fields__)
    for i, raw in enumerate(tables):
        item = {**defaults, **raw}
        name = item.get("id", f"#{i + 1}")
        missing = [k for k in ("file", "kind") if k not in item]
        if missing:
            errors.append(f"{where}: table {name!r}: missing field(s) {', '.join(missing)}")
            continue
        unknown = set(item) - known
        if unknown:
            errors.append(f"{where}: table {name!r}: unknown field(s) {', '.join(sorted(unknown))}")
            continue
        if item["kind"] not in KINDS:
            errors.append(
                f"{where}: table {name!r}: unknown kind {item['kind']!r}; "
                f"known kinds: {', '.join(KINDS)}"
            )
            continue
        if item.get("format") is not None and item["format"] not in TEXT_FORMATS:
            errors.append(f"{where}: table {name!r}: format must be one of {TEXT_FORMATS}")
            continue
        if item.get("units_of_measure") not in (None, *UNITS, "as indicator"):
            errors.append(
                f"{where}: table {name!r}: unknown units_of_measure "
                f"{item['units_of_measure']!r}; known: {', '.join(UNITS)}"
            )
            continue
        if item.get("income_sign", "auto") not in INCOME_SIGNS:
            errors.append(f"{where}: table {name!r}: income_sign must be one of {INCOME_SIGNS}")
            continue
        if name in seen:
            errors.append(f"{where}: table id {name!r} is used twice")
            continue
        seen.add(name)
        try:
            entries.append(
                CatalogueEntry(
                    id=name,
                    file=item["file"],
                    kind=item["kind"],
                    authority=item.get("authority", ""),
                    source=item.get("source", {}) or {},
                    licence=item.get("licence", ""),
                    coverage=item.get("coverage", ""),
                    format=item.get("format"),
                    financial_year=_str(item.get("financial_year")),
                    period=_str(item.get("period")),
                    year=item.get("year"),
                    unit=item.get("unit"),
                    units_of_measure=item.get("units_of_measure"),
                    default_measure=item.get("default_measure"),
                    first_group=item.get("first_group"),
                    columns=_tuple(item.get("columns")),
                    columns_after_break=_tuple(item.get("columns_after_break")),
                    total_columns=_tuple(item.get("total_columns")),
                    header_lines=item.get("header_lines"),
                    wrapped_labels=item.get("wrapped_labels"),
                    blank_markers=frozenset(item.get("blank_markers", []) or []),
                    row_rules=dict(item.get("row_rules", {}) or {}),
                    truncated=item.get("truncated"),
                    stated_total=item.get("stated_total"),
                    figures=dict(item.get("figures", {}) or {}),
                    targets={str(k): tuple(v) for k, v in (item.get("targets") or {}).items()},
                    illustrative=bool(item.get("illustrative", False)),
                    quirks=tuple(item.get("quirks", []) or []),
                    income_sign=item.get("income_sign", "auto"),
                )
            )
        except CatalogueError as exc:
            errors.append(f"{where}: table {name!r}: {exc}")
    if errors:
        raise CatalogueError("\n".join(errors))
    return entries


def _str(value: Any) -> str | None:
    return None if value is None else str(value)
