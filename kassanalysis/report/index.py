"""The pack's ``index.html``: each division's exception summary and links to its reports.

Written by :func:`kassanalysis.pack.run_pack` into the staging folder once every notebook
has succeeded (moved here from ``pack.py``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from kassanalysis import __version__
from kassanalysis import io as kio
from kassanalysis.api import load_divisions
from kassanalysis.formatting import format_number, unit_header
from kassanalysis.report.context import read_division_summary
from kassanalysis.report.publishing import read_published_table
from kassanalysis.report.summary import REPORT_FOR
from kassanalysis.text import clean_control_characters

if TYPE_CHECKING:
    from kassanalysis.pack import PackConfig, RunResult


def clean_for_page(value: object) -> object:
    """Every value the index template shows, with control characters removed (NUL, BEL,
    ESC, VT, NEL...; U+2028 and U+2029 become spaces): names in the data are untrusted.
    Escaped markup stays markup; other values are left to the template.

    Examples
    --------
    >>> clean_for_page("Care\x07 home\x1b\u2028North")
    'Care home North'
    >>> clean_for_page(3)
    3
    """
    if isinstance(value, Markup):
        return Markup(clean_control_characters(str(value)))
    if isinstance(value, str):
        return clean_control_characters(value)
    return value


def write_index(
    staging: Path,
    paths: kio.ProjectPaths,
    config: PackConfig,
    period_label: str,
    results: list[RunResult],
) -> Path:
    """The pack's ``index.html``: each division's exception summary and links to its reports.

    Built with a Jinja2 template with autoescaping: council, line and indicator names are
    untrusted text, so every value shown is also cleaned of control characters
    (:func:`clean_for_page`) before it is escaped.
    """
    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        finalize=clean_for_page,
    )
    # figures are written by the one formatting module (£ thousands: the unit is in the header)
    env.filters["money"] = lambda value: format_number(
        value, "GBP thousands", missing="not available"
    )
    env.filters["unit"] = unit_header
    divisions = []
    every = load_divisions(root=paths.root)
    names = {d.id: d.name for d in every}
    catalogue = kio.read_catalogue(paths.raw)
    illustrative = {e.file for e in catalogue if e.illustrative}
    titles = {e.file: str((e.source or {}).get("title", "")).split(" (")[0] for e in catalogue}
    for division in sorted({r.division for r in results}, key=list(names).index):
        # from the JSON copy: the CSV's text is neutralised for spreadsheets ('-2+3 ...)
        exceptions_json = staging / division / "variance" / "tables" / "exceptions.json"
        exceptions = (
            read_published_table(exceptions_json).astype(object).fillna("")
            if exceptions_json.is_file()
            else pd.DataFrame()
        )
        reports = [
            {
                "analysis": r.analysis,
                "html": f"{division}/{r.analysis}.html",
                "notebook": f"{division}/{r.analysis}.ipynb",
            }
            for r in results
            if r.division == division
        ]
        tables = sorted(
            p.relative_to(staging).as_posix() for p in (staging / division).rglob("*.csv")
        )
        workbook = staging / division / f"{division}-tables.xlsx"
        ran = {r.analysis for r in results if r.division == division}
        summary = read_division_summary(staging / division / "summary")
        budget_sources = {b["source_file"] for b in (summary or {}).get("budget", [])}
        divisions.append(
            {
                "summary": summary,
                "illustrative": _uses_illustrative(staging / division, illustrative),
                "budget_source": "; ".join(
                    titles.get(f) or f for f in sorted(budget_sources) if isinstance(f, str)
                ),
                "links": {
                    column: f"{division}/{analysis}.html" if analysis in ran else None
                    for column, analysis in REPORT_FOR.items()
                },
                "workbook": workbook.relative_to(staging).as_posix()
                if workbook.is_file()
                else None,
                "variance_run": any(
                    r.analysis == "variance" for r in results if r.division == division
                ),
                "id": division,
                "name": names.get(division, division),
                "exceptions": exceptions.to_dict("records"),
                "reports": reports,
                "tables": tables,
            }
        )
    year = period_label.split(" ")[0]
    html = env.get_template("index.html.j2").render(
        period=period_label,
        other_eras=sorted({p for d in every for p in d.periods} - {year}),
        any_illustrative=any(d["illustrative"] for d in divisions),
        divisions=divisions,
        version=__version__,
        rule=config.rule.describe(),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
    target = staging / "index.html"
    target.write_text(html, encoding="utf-8")
    return target


def _uses_illustrative(folder: Path, illustrative: set[str]) -> bool:
    """Whether any table published for the division (its ``*.json`` copies) has a row from a
    source the catalogue marks illustrative (invented example figures)."""
    for table in sorted(folder.rglob("*.json")):
        try:
            frame = read_published_table(table)
        except (ValueError, KeyError, TypeError):  # not a published table
            continue
        if "source_file" in frame.columns and frame["source_file"].isin(illustrative).any():
            return True
    return False
