"""The report context: one division, one period, one comparator group, checked up front.

A notebook opens a context from its papermill parameters; every section function takes it.
Parameters are validated before any analysis runs: an unknown division, period or group is
refused with the list of valid values, and no parameter ever becomes a raw path or code.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from kassanalysis import __version__
from kassanalysis import io as kio
from kassanalysis.api import Division, load, load_comparator_groups, load_divisions
from kassanalysis.config import PackConfig, read_config
from kassanalysis.formatting import round_columns
from kassanalysis.periods import Period, PeriodError, parse_period
from kassanalysis.publish.disclosure import SuppressionRule
from kassanalysis.report.display import Note
from kassanalysis.report.publishing import (
    mark_for_publication,
    publish_table,
    read_published_table,
)
from kassanalysis.report.summary import (
    SUMMARY_TABLES,
    SummaryInputs,
    mark_division_summary,
    summarise_division,
)

ILLUSTRATIVE = (
    "ILLUSTRATIVE DATA: this report uses the example quarterly return shipped with "
    "kassanalysis (data/raw/quarterly); its figures are invented to show the template filled "
    "in, not published data."
)
_SAFE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class ParameterError(ValueError):
    """A report parameter that is not one of the valid values."""


def read_disclosure_rule(path: Path) -> SuppressionRule:
    """The ``disclosure`` rule of a pack configuration file (the default rule if the file
    or the setting is absent)."""
    if not Path(path).is_file():
        return SuppressionRule()
    return read_config(Path(path), PackConfig).rule  # checked like the pack's own read


def suppress_small_counts(
    observations: pd.DataFrame, indicators: pd.DataFrame, rule: SuppressionRule
) -> pd.DataFrame:
    """Observations with every count-type value in the rule's range withheld.

    Counts (indicators whose unit starts with "count") from ``rule.min_count`` to
    ``rule.max_count`` lose their value and get status ``suppressed``, before any analysis
    sees them, so no table, chart, sentence or key figure of a report can show them. The
    tidy table in ``data/processed`` keeps the published value.

    Examples
    --------
    >>> obs = pd.DataFrame({"indicator_id": ["A", "A", "B"], "value": [3.0, 30.0, 3.0],
    ...                     "status": "reported"})
    >>> ind = pd.DataFrame({"unit": ["count of people", "%"]}, index=["A", "B"])
    >>> out = suppress_small_counts(obs, ind, SuppressionRule())
    >>> out.value.tolist(), out.status.tolist()
    ([nan, 30.0, 3.0], ['suppressed', 'reported', 'reported'])
    """
    units = observations["indicator_id"].map(indicators["unit"]).astype(str)
    small = units.str.lower().str.startswith("count") & observations["value"].between(
        rule.min_count, rule.max_count
    )
    if not small.any():
        return observations
    out = observations.copy()
    out.loc[small, "value"] = float("nan")
    out.loc[small, "status"] = "suppressed"
    return out


def list_report_periods(
    observations: pd.DataFrame, budget: pd.DataFrame, authority_code: str
) -> list[str]:
    """Financial years (and their quarters) for which the council has any local data.

    Examples
    --------
    >>> obs = pd.DataFrame({"authority_code": ["A"], "period_start": pd.to_datetime(
    ...     ["2013-04-01"]), "period_end": pd.to_datetime(["2013-06-30"])})
    >>> list_report_periods(obs, pd.DataFrame({"authority_code": [], "financial_year": []}),
    ...                     "A")
    ['2013-14', '2013-14 Q1', '2013-14 Q2', '2013-14 Q3', '2013-14 Q4']
    """
    years: set[int] = set()
    mine = observations[observations["authority_code"] == authority_code]
    for start in mine["period_start"]:
        years.add(start.year if start.month >= 4 else start.year - 1)
    mine_budget = budget[budget["authority_code"] == authority_code]
    years.update(int(str(y)[:4]) for y in mine_budget["financial_year"].unique())
    labels = []
    for year in sorted(years):
        fy = f"{year}-{(year + 1) % 100:02d}"
        labels += [fy, *(f"{fy} Q{q}" for q in range(1, 5))]
    return labels


def year_labels(years: list[str]) -> list[str]:
    """Every period label of the given financial years: each year, then its quarters.

    Examples
    --------
    >>> year_labels(["2024-25"])
    ['2024-25', '2024-25 Q1', '2024-25 Q2', '2024-25 Q3', '2024-25 Q4']
    """
    return [label for fy in sorted(years) for label in (fy, *(f"{fy} Q{q}" for q in range(1, 5)))]


def divisions_for_period(
    divisions: list[Division], period: Period, chosen: list[str] | tuple[str, ...] = ()
) -> list[Division]:
    """The divisions whose data is for ``period`` (its financial year is one of their
    ``periods``; a division without ``periods`` is for every year), in file order.

    ``chosen`` (division ids asked for by name, e.g. ``--division``) narrows the list; a
    chosen division with no data for the period is refused, as is a period for which no
    division has data: the pack never presents another era's figures as this period's.

    Raises
    ------
    ParameterError
        One line: the division (or the pack) and the periods that are valid for it.

    Examples
    --------
    >>> from kassanalysis.config import Division
    >>> old = Division(id="old", comparator_group="g", periods=("2013-14",))
    >>> new = Division(id="new", comparator_group="g", periods=("2024-25",))
    >>> [d.id for d in divisions_for_period([old, new], parse_period("2024-25 Q3"))]
    ['new']
    >>> divisions_for_period([old, new], parse_period("2013-14 Q1"), ["new"])
    Traceback (most recent call last):
    ...
    kassanalysis.report.context.ParameterError: division 'new' has no data for 2013-14 Q1; \
valid periods for it: 2024-25, 2024-25 Q1, 2024-25 Q2, 2024-25 Q3, 2024-25 Q4
    """
    year = period.financial_year

    def covers(division: Division) -> bool:
        return not division.periods or year in division.periods

    by_id = {d.id: d for d in divisions}
    for division_id in chosen:
        division = by_id[division_id]
        if not covers(division):
            raise ParameterError(
                f"division {division_id!r} has no data for {period.label}; valid periods "
                f"for it: {', '.join(year_labels(list(division.periods)))}"
            )
    wanted = [by_id[d] for d in dict.fromkeys(chosen)] if chosen else list(divisions)
    found = [d for d in wanted if covers(d)]
    if not found:
        years = sorted({y for d in divisions for y in d.periods})
        raise ParameterError(
            f"unknown period {period.label!r}: no division has data for it; valid "
            f"periods: {', '.join(year_labels(years))}"
        )
    return found


def check_identifier(value: str, what: str, valid: list[str]) -> str:
    """Refuse anything that is not exactly one of ``valid`` (and safe as a file name).

    Examples
    --------
    >>> check_identifier("oppd-2013-14", "division", ["oppd-2013-14"])
    'oppd-2013-14'
    >>> check_identifier("../etc", "division", ["oppd-2013-14"])
    Traceback (most recent call last):
    ...
    kassanalysis.report.context.ParameterError: unknown division '../etc'; valid: oppd-2013-14
    """
    if not isinstance(value, str) or not _SAFE_ID.match(value) or value not in valid:
        raise ParameterError(f"unknown {what} {value!r}; valid: {', '.join(valid)}")
    return value


def slug_for_period(period: Period) -> str:
    """A folder name for a period: ``2013-14 Q1`` -> ``2013-14-Q1`` (built from the parsed
    period, never from the text a user typed)."""
    return period.label.replace(" ", "-")


@dataclass
class ReportContext:
    """Everything a division's notebooks need, validated and loaded once."""

    paths: kio.ProjectPaths
    division: Division
    period: Period
    group_id: str
    output_dir: Path | None
    rule: SuppressionRule = field(default_factory=SuppressionRule)
    cache: dict = field(default_factory=dict, repr=False)

    def remember(self, key: tuple, compute):
        """The result of ``compute()`` for ``key``, computed once per context (several
        sections show the same analysis)."""
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]

    @cached_property
    def observations(self) -> pd.DataFrame:
        """Indicator observations as reports may show them: small counts suppressed."""
        return suppress_small_counts(
            load("indicator_observations", root=self.paths.root), self.indicators, self.rule
        )

    @cached_property
    def own_observations(self) -> pd.DataFrame:
        """:attr:`observations` of the division's own council only: what trend and variance
        analyses read (each would otherwise filter every council's rows again)."""
        obs = self.observations
        return obs[obs["authority_code"] == self.division.authority]

    @cached_property
    def budget(self) -> pd.DataFrame:
        return load("budget_lines", root=self.paths.root)

    @cached_property
    def annual_budget(self) -> pd.DataFrame:
        """Budget lines as published in plans (not quarterly monitoring figures)."""
        return self.budget[self.budget["period"].isna()]

    @cached_property
    def members(self) -> pd.DataFrame:
        return load("comparator_members", root=self.paths.root)

    @cached_property
    def population(self) -> pd.DataFrame:
        return load("population", root=self.paths.root)

    @cached_property
    def population_totals(self) -> pd.DataFrame:
        """ONS all-ages population per area and mid-year (MYE4/MYE5 series)."""
        return load("population_totals", root=self.paths.root)

    @cached_property
    def data_quality(self) -> pd.DataFrame:
        return load("data_quality", root=self.paths.root)

    @cached_property
    def reference(self):
        return kio.read_reference(self.paths.reference)

    @cached_property
    def catalogue(self):
        return kio.read_catalogue(self.paths.raw)

    @property
    def indicators(self) -> pd.DataFrame:
        return self.reference.indicators

    @cached_property
    def group_name(self) -> str:
        groups = load_comparator_groups(root=self.paths.root).set_index("id")
        return str(groups.loc[self.group_id, "name"])

    @cached_property
    def illustrative_files(self) -> frozenset[str]:
        """Sources marked illustrative in the catalogue (example data), as rows name them:
        a quarterly return's parts are its sheets or its two CSV files."""
        files = set()
        for entry in self.catalogue:
            if entry.illustrative:
                files.add(entry.file)
                if entry.kind == "quarterly_return":
                    files.update(kio.quarterly_part(entry.file, p) for p in kio.QUARTERLY_PARTS)
        return frozenset(files)

    def uses_illustrative(self, frame: pd.DataFrame) -> bool:
        """True when any row of ``frame`` comes from an illustrative raw file."""
        if "source_file" not in frame.columns or frame.empty:
            return False
        return bool(frame["source_file"].isin(self.illustrative_files).any())

    def save(
        self,
        name: str,
        frame: pd.DataFrame,
        *,
        counts: tuple[str, ...] = (),
        dependent: dict[str, str | Sequence[str]] | None = None,
        units: dict[str, str] | None = None,
        row_units: tuple[str, ...] = (),
        shared: dict[str, str | Sequence[str]] | None = None,
    ) -> pd.DataFrame:
        """Make a key table safe to publish and, with an output folder, write it.

        Figures in ``units`` (column -> unit) and ``row_units`` (columns in each row's
        ``unit``) are first rounded to their unit's decimals
        (:func:`kassanalysis.formatting.round_columns`), so the CSV carries the figure the
        HTML shows, without float noise.

        Counts in the small-number range (and figures built on them: ``dependent`` in
        their row, ``shared`` group figures on every row, as
        :func:`~kassanalysis.report.publishing.build_suppression_mask`) become ``[c]`` and
        missing values ``[x]``; the marked table is returned for display, so the HTML shows
        exactly what the CSV and the workbook show. With an output folder the table is
        written to ``<output_dir>/tables/<name>.csv`` (spreadsheet formulas neutralised)
        and ``.json`` (for the division's workbook).
        """
        if not _SAFE_NAME.match(name):
            raise ParameterError(f"table name {name!r} is not a safe file name")
        frame = round_columns(frame, units, row_units)
        marked = mark_for_publication(
            frame, rule=self.rule, counts=counts, dependent=dependent or {}, shared=shared
        )
        if self.output_dir is not None:
            publish_table(
                marked, self.output_dir / "tables", name, units=units, row_units=row_units
            )
            illustrative = self.remember(("illustrative tables",), set)
            if self.uses_illustrative(frame):
                illustrative.add(name)
            self._write_tables_readme(sorted(illustrative))
        return marked

    def _write_tables_readme(self, illustrative: list[str]) -> Path:
        warning = (
            f"ILLUSTRATIVE: {', '.join(f'{n}.csv' for n in illustrative)} hold invented "
            "example figures (the example quarterly return in data/raw/quarterly), not "
            "published data.\n\n"
            if illustrative
            else ""
        )
        return kio.write_text(
            f"{warning}Tables of this report ({self.division.name}, {self.period.label}), "
            f"made safe to publish.\n\nDisclosure control: "
            f"{self.rule.describe()}\nShorthand: [x] not available; [c] suppressed to "
            "protect confidentiality.\nText that a spreadsheet would run as a formula "
            "starts with an apostrophe.\nEvery row names its source file and line under "
            "data/raw, and its own period.\n",
            self.output_dir / "tables" / "README.txt",
        )

    def data_periods(self) -> list[str]:
        """What period each family of this report's data is for, in words: per framework
        (indicators.csv ``framework``: KCC, OFLOG, ASCOF...) the latest period of the
        council's own actuals at or before the pack's period, saying when it is older than
        the pack's period; then the budget's financial year.

        A public benchmark a year or two behind is normal (the latest published): the line
        says so rather than letting it pass for this quarter's figures.
        """
        obs = self.observations
        mine = obs[
            obs["indicator_id"].isin(self.division.indicators)
            & (obs["authority_code"] == self.division.authority)
            & (obs["value_type"] == "actual")
            & (obs["period_end"] <= pd.Timestamp(self.period.end))
        ]
        frameworks = mine["indicator_id"].map(self.reference.indicators["framework"])
        lines = []
        for framework, rows in mine.groupby(frameworks.astype(str), sort=True):
            latest = rows.loc[rows["period_end"] == rows["period_end"].max()]
            label = str(latest["period"].iloc[0])
            older = latest["period_end"].iloc[0] < pd.Timestamp(self.period.start)
            lines.append(
                f"{'local KPIs' if framework == 'local' else framework} {label}"
                + ("" if not older else ", the latest published; older than this pack's period")
            )
        budget = self.budget[self.budget["unit"].isin(self.division.budget_units)]
        years = sorted(
            y for y in budget["financial_year"].dropna().unique() if y <= self.period.financial_year
        )
        if years:
            older = years[-1] != self.period.financial_year
            lines.append(
                f"budget {years[-1]}" + ("; older than this pack's period" if older else "")
            )
        return lines

    def header(self) -> Note:
        """The report's opening lines: what, when, compared with whom, and caveats."""
        lines = [
            f"Division: {self.division.name}.",
            f"Reporting period: {self.period.label} (ending {self.period.end:%d %B %Y}).",
            f"Comparator group: {self.group_name}.",
            "Periods of the data in this report: "
            + ("; ".join(self.data_periods()) or f"no data at or before {self.period.label}")
            + ".",
            f"Built with kassanalysis {__version__} from data/processed "
            "(every figure's source file and line are in the CSV tables).",
            f"Disclosure control: {self.rule.describe()} Shorthand: [x] not available; "
            "[c] suppressed.",
        ]
        mine = self.observations[self.observations["indicator_id"].isin(self.division.indicators)]
        budget = self.budget[self.budget["unit"].isin(self.division.budget_units)]
        if self.uses_illustrative(mine) or self.uses_illustrative(budget):
            return Note(lines, heading=self.division.name, warning_lines=(ILLUSTRATIVE,))
        return Note(lines, heading=self.division.name)

    def _repr_html_(self) -> str:
        return self.header()._repr_html_()

    def __repr__(self) -> str:
        return repr(self.header())


def open_context(
    *,
    division: str,
    period: str,
    comparator_group: str = "",
    output_dir: str = "",
    root: str = "",
    pack_config: str = "",
    rule: SuppressionRule | None = None,
) -> ReportContext:
    """Check the report parameters and open the context.

    Parameters
    ----------
    division : str
        A division id from ``data/reference/divisions.yml``.
    period : str
        Reporting period, e.g. ``2013-14 Q1``: one of :func:`list_report_periods`.
    comparator_group : str
        Group id from ``comparator_groups.yml``; empty for the division's own group.
    output_dir : str
        Absolute folder for the key tables; empty to write nothing (interactive use).
    root : str
        Project folder; empty to find it from the working directory.
    pack_config : str
        The pack configuration file whose ``disclosure`` rule applies; empty for
        ``pack.yml`` in the project (the default rule when there is none).
    """
    paths = kio.project_paths(root)
    divisions = {d.id: d for d in load_divisions(root=paths.root)}
    check_identifier(division, "division", list(divisions))
    chosen = divisions[division]
    groups = list(load_comparator_groups(root=paths.root)["id"])
    group = comparator_group or chosen.comparator_group
    check_identifier(group, "comparator group", groups)
    observations = load("indicator_observations", root=paths.root)
    budget = load("budget_lines", root=paths.root)
    valid = list_report_periods(observations, budget, chosen.authority)
    try:
        parsed = parse_period(period)
    except PeriodError as exc:
        raise ParameterError(f"{exc}; valid periods: {', '.join(valid)}") from exc
    if parsed.label not in valid:
        raise ParameterError(f"unknown period {period!r}; valid periods: {', '.join(valid)}")
    out = None
    if output_dir:
        out = Path(output_dir)
        if not out.is_absolute():
            raise ParameterError(f"output_dir must be an absolute path, not {output_dir!r}")
    if rule is None:
        if pack_config and not Path(pack_config).is_file():
            raise ParameterError(f"pack_config {pack_config!r} is not a file")
        rule = read_disclosure_rule(Path(pack_config) if pack_config else paths.root / "pack.yml")
    context = ReportContext(paths, chosen, parsed, group, out, rule)
    context.__dict__["observations"] = suppress_small_counts(
        observations, context.indicators, context.rule
    )
    context.__dict__["budget"] = budget
    return context


# -------------------------------------- the pack's one-page summaries: their files and build


def load_summary_inputs(paths: kio.ProjectPaths, processed: Path | None = None) -> SummaryInputs:
    """Everything the one-page summaries need, read once: the tidy tables from
    ``processed`` (by default the build ``paths.processed`` points at, the one the
    notebooks read), the indicator reference and comparator groups from ``data/reference``,
    and the catalogue's ``truncated`` notes.

    Raises
    ------
    kassanalysis.io.ProcessedDataError
        When ``processed`` holds no build, or a table differs from its manifest.
    """
    folder = Path(processed) if processed is not None else kio.resolve_build(paths.processed)
    manifest = kio.read_build_manifest(folder)

    def table(name: str) -> pd.DataFrame:
        return kio.read_build_table(name, folder, manifest)

    return SummaryInputs(
        observations=table("indicator_observations"),
        members=table("comparator_members"),
        population=table("population"),
        budget=table("budget_lines"),
        data_quality=table("data_quality"),
        indicators=kio.read_reference(paths.reference).indicators,
        groups=load_comparator_groups(root=paths.root).set_index("id"),
        truncated={e.file: e.truncated for e in kio.read_catalogue(paths.raw) if e.truncated},
        rebase=kio.read_spc_rebase(paths.reference),
    )


def write_pack_summaries(
    staging: Path,
    paths: kio.ProjectPaths,
    *,
    divisions: list[Division],
    period: str,
    rule: SuppressionRule,
    group: str | None = None,
    benchmark_period: str | None = "latest",
    processed: Path | None = None,
) -> list[Path]:
    """Compute and write every division's summary into the pack being built, under
    ``<staging>/<division>/summary/`` (CSV and JSON per table, as every key table), from
    one build (``processed``, by default the project's ``data/processed``: the folder the
    notebooks read). The figures come from :mod:`kassanalysis.report.summary` (pure).
    Returns the folders."""
    inputs = load_summary_inputs(paths, processed)
    folders = []
    for division in divisions:
        tables = summarise_division(
            inputs, division, period=period, group=group, benchmark_period=benchmark_period
        )
        folder = Path(staging) / division.id / "summary"
        for name, frame in mark_division_summary(tables, rule).items():
            publish_table(frame, folder, name)
        folders.append(folder)
    return folders


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts with None (not NaN) where a cell is empty."""
    frame = frame.astype(object)
    return frame.where(frame.notna(), None).to_dict("records")


def read_division_summary(folder: Path) -> dict[str, list[dict]] | None:
    """A written summary's tables as records for the index template (from the JSON: the
    CSV's text is neutralised for spreadsheets); None when there is none."""
    folder = Path(folder)
    if not all((folder / f"{name}.json").is_file() for name in SUMMARY_TABLES):
        return None
    return {
        name: _records(read_published_table(folder / f"{name}.json")) for name in SUMMARY_TABLES
    }
