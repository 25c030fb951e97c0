"""Typed configuration: the pack, the catalogue, divisions and comparator groups.

Every configuration file an analyst edits is read by one loader, :func:`read_config`: the
YAML is parsed with the safe loader (no tags, so a file cannot build Python objects), then
validated into a pydantic model that forbids unknown keys and takes numbers and switches
only as numbers and switches (``timeout: true`` is not one second). Any problem becomes a
:class:`ConfigError` with one line per problem naming the file, the item (table, division
or group id) and the field::

    data/reference/divisions.yml: division 'oppd-2013-14': field 'comparator_group': missing

The models:

* :class:`PackConfig` - ``pack.yml``, the report pack's settings;
* :class:`Catalogue` of :class:`CatalogueEntry` - ``data/raw/catalogue.yml``. A new raw
  kind is added to :data:`KINDS` (and, when read as cut text, :data:`TEXT_KINDS`); a new
  catalogue field is a new field of :class:`CatalogueEntry`;
* :class:`Divisions` of :class:`Division` - ``data/reference/divisions.yml``, with the home
  council's ONS code (``home_authority``);
* :class:`ComparatorGroups` of :class:`ComparatorGroup` -
  ``data/reference/comparator_groups.yml``.

Checks against other data (an indicator id in the reference, a council code in
``authorities.csv``) happen where that data is read: :func:`kassanalysis.api.load_divisions`
and :func:`kassanalysis.comparators.resolve_comparator_groups`.
"""

from __future__ import annotations

import dataclasses
import datetime
import posixpath
import re
from pathlib import Path, PureWindowsPath
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StrictInt,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.dataclasses import dataclass as pydantic_dataclass

from kassanalysis.periods import PeriodError, parse_period

if TYPE_CHECKING:
    from kassanalysis.publish.disclosure import SuppressionRule

# size-note: every configuration file's model and the one loader that checks them are kept
# together, so an analyst's setting (and the rule checking it) is found in one module.

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
    "ons_mye_series",
    "quarterly_return",
    "indicator_export",
    "asc_fr",
    "deprivation",
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
NOTEBOOKS = ("comparator", "trend", "variance")
GROUP_METHODS = ("nearest_neighbours", "all", "council_type", "region", "named")

_ONS_CODE = re.compile(r"^[EWSNK]\d{8}$")


def _check_ons_code(value: str) -> str:
    if not _ONS_CODE.match(value):
        raise ValueError(f"{value!r} is not an ONS code like E10000016")
    return value


OnsCode = Annotated[str, AfterValidator(_check_ons_code)]

_FINANCIAL_YEAR = re.compile(r"^(\d{4})-(\d{2})$")


def _check_financial_year(value: str) -> str:
    match = _FINANCIAL_YEAR.match(value)
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        raise ValueError(f"{value!r} is not a financial year like 2024-25")
    return value


#: A financial year written exactly as ``2024-25`` (two consecutive years).
FinancialYear = Annotated[str, AfterValidator(_check_financial_year)]
_STRICT = ConfigDict(extra="forbid", frozen=True)
# What each list in a configuration file holds, for naming the item in an error.
_ITEM_NAMES = {"tables": "table", "divisions": "division", "groups": "group"}

Model = TypeVar("Model")


class ConfigError(ValueError):
    """A configuration or reference file that is wrong; every line names the file, the
    item and the field."""


class YamlError(ConfigError):
    """A configuration file that is not plain YAML (a tag such as ``!!python/...``, a
    syntax error): one line naming the file and the line."""


def _empty_if_none(value: Any, empty: Any) -> Any:
    return empty if value is None else value


def leaves_folder(value: str) -> bool:
    r"""Whether a path written in a configuration file leads out of the folder it is
    relative to: an absolute path (``/etc``, ``C:\x``, ``\\server\share``) or one
    whose ``..`` steps climb above it (``../../x``; ``a/../b`` stays inside).

    Examples
    --------
    >>> [leaves_folder(p) for p in ("reports", "a/../b", "../x", "/etc", "a/../../x")]
    [False, False, True, True, True]
    >>> leaves_folder(r"C:\reports"), leaves_folder(r"..\x")
    (True, True)
    """
    text = str(value).replace("\\", "/")
    if text.startswith("/") or PureWindowsPath(str(value)).drive:
        return True
    normal = posixpath.normpath(text)
    return normal == ".." or normal.startswith("../")


# ---------------------------------------------------------------------------- pack.yml


class Disclosure(BaseModel):
    """``disclosure:`` in ``pack.yml``: the small-number rule (see
    :class:`kassanalysis.publish.disclosure.SuppressionRule`, which the pack builds from it
    with :attr:`PackConfig.rule`)."""

    model_config = _STRICT

    min_count: StrictInt = Field(default=1, ge=0)
    max_count: StrictInt = Field(default=4, ge=0)
    secondary: StrictBool = True

    @model_validator(mode="after")
    def _check_range(self) -> Disclosure:
        if self.min_count > self.max_count:
            raise ValueError(
                f"min_count ({self.min_count}) must not exceed max_count ({self.max_count})"
            )
        return self


class Publication(BaseModel):
    """``publication:`` in ``pack.yml``: what each workbook's cover says about the release
    (the Analysis Function's spreadsheet checklist asks for all three).

    ``contact`` is a team and a way to reach it; ``next_update`` the date or month of the
    next pack, as written (``"March 2025"``); ``date`` the publication date (default: the
    day the pack is run)."""

    model_config = _STRICT

    contact: str = ""
    next_update: str = ""
    date: datetime.date | None = None

    def cover(self, today: datetime.date) -> dict[str, str]:
        """The cover's ``contact``, ``published`` and ``next_update`` lines' text.

        Examples
        --------
        >>> Publication(contact="Team", next_update="March 2025").cover(datetime.date(2025, 2, 3))
        {'contact': 'Team', 'published': '3 February 2025', 'next_update': 'March 2025'}
        """
        day = self.date or today
        return {
            "contact": self.contact,
            "published": f"{day.day} {day:%B %Y}",
            "next_update": self.next_update,
        }


class PackConfig(BaseModel):
    """The pack's configuration (``pack.yml``), checked when loaded.

    Examples
    --------
    >>> PackConfig(period="2013-14 Q1").rule.max_count
    4
    >>> validate_config({"period": "2013-14 Q1", "timeout": True}, PackConfig, "pack.yml")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kassanalysis.config.ConfigError: pack.yml: field 'timeout': Input should be a valid ...
    """

    model_config = _STRICT

    period: str
    notebooks: tuple[str, ...] = NOTEBOOKS
    divisions: tuple[str, ...] = ()
    benchmark_period: str = "latest"
    jobs: StrictInt = 0
    timeout: StrictInt = 600
    reports: str = "reports"
    disclosure: Disclosure = Field(default_factory=Disclosure)
    publication: Publication = Field(default_factory=Publication)
    _source: str = PrivateAttr(default="")

    @field_validator("notebooks", "divisions", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return _empty_if_none(value, ())

    @field_validator("disclosure", "publication", mode="before")
    @classmethod
    def _none_is_default(cls, value: Any) -> Any:
        return _empty_if_none(value, {})

    @field_validator("reports")
    @classmethod
    def _check_reports(cls, value: str) -> str:
        if not value.strip() or leaves_folder(value):
            raise ValueError(
                f"must be a folder inside the project (a relative path that does not climb "
                f"out with '..'), not {value!r}; to write the pack outside the project use "
                "`kass report --reports-dir DIR`"
            )
        return value

    @field_validator("jobs")
    @classmethod
    def _check_jobs(cls, value: int) -> int:
        if value < 0:
            raise ValueError(f"jobs must be 0 (the number of cores) or more, not {value}")
        return value

    @field_validator("timeout")
    @classmethod
    def _check_timeout(cls, value: int) -> int:
        if value <= 0:
            raise ValueError(f"timeout must be a positive number of seconds, not {value}")
        return value

    @field_validator("benchmark_period")
    @classmethod
    def _check_benchmark_period(cls, value: str) -> str:
        if value not in ("", "latest"):
            try:
                parse_period(value)
            except PeriodError as exc:
                raise ValueError(f"benchmark_period must be 'latest' or a period: {exc}") from exc
        return value

    @property
    def source(self) -> str:
        """The file this configuration was read from ('' when built in code)."""
        return self._source

    @property
    def rule(self) -> SuppressionRule:
        """The disclosure rule as the publishing code takes it."""
        from kassanalysis.publish.disclosure import SuppressionRule

        return SuppressionRule(**self.disclosure.model_dump())

    def with_overrides(self, where: str = "command line", **changes: Any) -> PackConfig:
        """A copy with some settings replaced (command-line options), checked again.

        Raises
        ------
        ConfigError
            Naming ``where`` and the setting, as for the file.
        """
        config = validate_config({**self.model_dump(), **changes}, PackConfig, where)
        config._source = self._source
        return config

    def describe(self) -> dict[str, Any]:
        """The settings as plain data, for the run log (``run.json``)."""
        settings = self.model_dump(mode="json", exclude={"disclosure"})
        return {**settings, "source": self.source, "rule": dataclasses.asdict(self.rule)}


# ------------------------------------------------------------------- data/raw/catalogue.yml


@pydantic_dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class CatalogueEntry:
    """One raw table of ``data/raw/catalogue.yml``: where it is, what it is, and how to
    read it. (A pydantic dataclass: checked when built, and ``dataclasses.replace`` works.)"""

    id: str
    file: str
    kind: str
    authority: str = ""
    source: dict[str, Any] = dataclasses.field(default_factory=dict)
    licence: str = ""
    coverage: str = ""
    format: str | None = None
    financial_year: str | None = None
    period: str | None = None
    year: StrictInt | None = None
    unit: str | None = None
    units_of_measure: str | None = None
    default_measure: str | None = None
    first_group: str | None = None
    columns: tuple[str, ...] | None = None
    columns_after_break: tuple[str, ...] | None = None
    total_columns: tuple[str, ...] | None = None
    header_lines: StrictInt | None = None
    wrapped_labels: Literal["after", "before"] | None = None
    blank_markers: frozenset[str] = frozenset()
    row_rules: dict[str, str] = dataclasses.field(default_factory=dict)
    truncated: str | None = None
    stated_total: dict[str, str] | None = None
    figures: dict[str, str] = dataclasses.field(default_factory=dict)
    targets: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    illustrative: StrictBool = False
    quirks: tuple[str, ...] = ()
    income_sign: Literal["auto", "negative", "positive"] = "auto"

    @field_validator("source", "row_rules", "figures", "targets", mode="before")
    @classmethod
    def _no_mapping_is_empty(cls, value: Any) -> Any:
        return _empty_if_none(value, {})

    @field_validator("blank_markers", "quirks", mode="before")
    @classmethod
    def _no_list_is_empty(cls, value: Any) -> Any:
        return _empty_if_none(value, ())

    @field_validator("targets", mode="before")
    @classmethod
    def _target_keys_as_text(cls, value: Any) -> Any:
        # a KPI number written without quotes (12: [...]) is the same key as "12"
        if isinstance(value, dict):
            return {str(k) if isinstance(k, int) else k: v for k, v in value.items()}
        return value

    @field_validator("kind")
    @classmethod
    def _check_kind(cls, value: str) -> str:
        if value not in KINDS:
            raise ValueError(f"unknown kind {value!r}; known kinds: {', '.join(KINDS)}")
        return value

    @field_validator("format")
    @classmethod
    def _check_format(cls, value: str | None) -> str | None:
        if value is not None and value not in TEXT_FORMATS:
            raise ValueError(f"format must be one of {TEXT_FORMATS}, not {value!r}")
        return value

    @field_validator("units_of_measure")
    @classmethod
    def _check_units(cls, value: str | None) -> str | None:
        if value not in (None, *UNITS, "as indicator"):
            raise ValueError(f"unknown units_of_measure {value!r}; known: {', '.join(UNITS)}")
        return value

    @property
    def source_first_line(self) -> int | None:
        """Line of the source document that is line 1 of the raw file, if it was cut out."""
        lines = self.source.get("lines")
        return int(lines[0]) if lines else None

    @property
    def scale_to_thousands(self) -> float:
        """Factor that turns this table's money figures into GBP thousands."""
        return UNITS.get(self.units_of_measure or "GBP thousands", 1.0)


class Catalogue(BaseModel):
    """``data/raw/catalogue.yml``: ``defaults`` laid under every entry, then ``tables``."""

    model_config = _STRICT

    defaults: dict[str, Any] = Field(default_factory=dict)
    tables: tuple[CatalogueEntry, ...]

    @model_validator(mode="before")
    @classmethod
    def _apply_defaults(cls, document: Any) -> Any:
        if not isinstance(document, dict):
            return document
        defaults = _empty_if_none(document.get("defaults"), {})
        tables = document.get("tables")
        if isinstance(defaults, dict) and isinstance(tables, list):
            unknown = sorted(set(defaults) - set(CatalogueEntry.__dataclass_fields__))
            if unknown:
                raise ValueError(f"defaults: unknown field(s) {', '.join(map(str, unknown))}")
            merged = [{**defaults, **t} if isinstance(t, dict) else t for t in tables]
            return {**document, "defaults": defaults, "tables": merged}
        return document

    @model_validator(mode="after")
    def _ids_unique(self) -> Catalogue:
        _check_unique([t.id for t in self.tables], "table")
        return self

    @model_validator(mode="after")
    def _files_inside_raw(self) -> Catalogue:
        # Inputs stay under data/raw: a catalogued file is a path relative to it. (A loose
        # entry made by `kass check` for a file elsewhere is not a catalogue.)
        outside = [t for t in self.tables if leaves_folder(t.file)]
        if outside:
            raise ValueError(
                "; ".join(
                    f"table {t.id!r}: field 'file': {t.file!r} is outside data/raw (the "
                    "catalogue lists files by their path inside data/raw, e.g. "
                    "'kent-2024-25/qpr.txt')"
                    for t in outside
                )
            )
        return self


# ---------------------------------------------------------- data/reference/divisions.yml


class Division(BaseModel):
    """A division of the directorate: its budget units, indicators and comparator group.
    ``name`` defaults to the id and ``authority`` to the file's ``home_authority``.

    ``periods`` are the financial years its data is for (its era, e.g. ``["2024-25"]``): a
    pack for a period runs only the divisions whose years include the period's year (see
    :func:`kassanalysis.report.context.divisions_for_period`). A division without
    ``periods`` belongs to every year the council has data for."""

    model_config = _STRICT

    id: Annotated[str, StringConstraints(min_length=1)]
    name: str = ""
    authority: OnsCode | None = None
    budget_units: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()
    comparator_group: str
    staffing_units: tuple[str, ...] = ()
    periods: tuple[FinancialYear, ...] = ()


class Divisions(BaseModel):
    """``data/reference/divisions.yml``: the home council and its divisions."""

    model_config = _STRICT

    home_authority: OnsCode
    divisions: tuple[Division, ...] = ()

    @model_validator(mode="after")
    def _fill_defaults(self) -> Divisions:
        _check_unique([d.id for d in self.divisions], "division")
        filled = tuple(
            d.model_copy(
                update={"name": d.name or d.id, "authority": d.authority or self.home_authority}
            )
            for d in self.divisions
        )
        object.__setattr__(self, "divisions", filled)
        return self


# -------------------------------------------------- data/reference/comparator_groups.yml


class ComparatorGroup(BaseModel):
    """One comparator group: who "similar councils" are, by one of :data:`GROUP_METHODS`."""

    model_config = _STRICT

    id: Annotated[str, StringConstraints(min_length=1)]
    name: str = ""
    method: Literal["nearest_neighbours", "all", "council_type", "region", "named"]
    of: OnsCode | None = None
    members: tuple[OnsCode, ...] = ()

    @model_validator(mode="after")
    def _check_method(self) -> ComparatorGroup:
        if self.method in ("nearest_neighbours", "council_type", "region") and not self.of:
            raise ValueError(f"method {self.method} needs 'of' (the council's ONS code)")
        if self.method == "named" and not self.members:
            raise ValueError("method named needs 'members' (ONS codes)")
        return self


class ComparatorGroups(BaseModel):
    """``data/reference/comparator_groups.yml``."""

    model_config = _STRICT

    groups: tuple[ComparatorGroup, ...] = ()

    @model_validator(mode="after")
    def _ids_unique(self) -> ComparatorGroups:
        _check_unique([g.id for g in self.groups], "group")
        return self


def _check_unique(ids: list[str], item: str) -> None:
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise ValueError(f"{item} id(s) used twice: {', '.join(map(repr, twice))}")


# ---------------------------------------------------------------------------- the loader


def read_yaml(path: Path | str) -> Any:
    """A YAML file parsed with the safe loader (libyaml's where installed).

    Raises
    ------
    ConfigError
        One line naming the file and the line, when the file cannot be read or is not
        valid YAML (tags such as ``!!python/object`` are refused).
    """
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=loader)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise YamlError(f"{path}{line}: not valid YAML: {_one_line(problem)}") from exc


def read_config(path: Path | str, model: type[Model]) -> Model:
    """Read a configuration file into its model: the one way configuration is loaded.

    Parameters
    ----------
    path : path
        The YAML file.
    model : type
        :class:`PackConfig`, :class:`Catalogue`, :class:`Divisions` or
        :class:`ComparatorGroups`.

    Raises
    ------
    ConfigError
        One line per problem, each naming the file, the item and the field.
    """
    config = validate_config(read_yaml(path), model, str(path))
    if isinstance(config, PackConfig):
        config._source = str(Path(path).resolve())
    return config


def validate_config(document: Any, model: type[Model], where: str) -> Model:
    """Validate a parsed document into ``model``; ``where`` names it in errors.

    Examples
    --------
    >>> doc = {"home_authority": "E10000016",
    ...        "divisions": [{"id": "od", "comparator_group": "g", "colour": "red"}]}
    >>> validate_config(doc, Divisions, "divisions.yml")
    Traceback (most recent call last):
    ...
    kassanalysis.config.ConfigError: divisions.yml: division 'od': field 'colour': unknown field
    """
    if not isinstance(document, dict):
        got = "nothing" if document is None else f"a {type(document).__name__}"
        raise ConfigError(f"{where}: expected a mapping of settings (key: value lines), got {got}")
    try:
        return TypeAdapter(model).validate_python(document)
    except ValidationError as exc:
        lines = [_describe(error, document, where) for error in exc.errors()]
        raise ConfigError("\n".join(dict.fromkeys(lines))) from None


def _describe(error: Any, document: dict, where: str) -> str:
    """One line for one validation error: file, item, field and what is wrong."""
    loc = list(error["loc"])
    parts = [where]
    if len(loc) >= 2 and loc[0] in _ITEM_NAMES and isinstance(loc[1], int):
        items = document.get(loc[0])
        raw = items[loc[1]] if isinstance(items, list) and loc[1] < len(items) else None
        ident = raw.get("id") if isinstance(raw, dict) else None
        noun = _ITEM_NAMES[loc[0]]
        parts.append(f"{noun} {ident!r}" if ident else f"{noun} #{loc[1] + 1}")
        loc = loc[2:]
    # drop the names pydantic gives union members (e.g. 'function-after[...]', 'literal[...]')
    fields = [str(p) for p in loc if not (isinstance(p, str) and "[" in p)]
    if fields:
        parts.append(f"field {'.'.join(fields)!r}")
    kind = error["type"]
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):
        message = "unknown field"
    elif kind in ("missing", "missing_argument"):
        message = "missing"
    elif kind in ("value_error", "assertion_error"):
        message = str(error.get("ctx", {}).get("error", error["msg"]))
    else:
        message = f"{error['msg']} (got {_short(error.get('input'))})"
    parts.append(message)
    return _one_line(": ".join(parts))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _one_line(text: str) -> str:
    return " ".join(str(text).split())
