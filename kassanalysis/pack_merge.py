"""A partial ``kass report`` run (``--division``, ``--notebook``) merged into the period's pack.

A partial run stages only the notebooks it runs; the rest of the period's current pack is
copied in beside them (:func:`carry_over`), so that the pack swapped in still holds every
division and every report. Each report page's navigation links to the pack's index and
to every report of its division in the merged pack, not only to those run this time
(:func:`merge_partial_run`); a carried-over page whose division gained a report is
exported again from its notebook with the longer list (:func:`refresh_pages`).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kassanalysis.pack import NotebookRun

#: The report notebooks of a pack, in the order their pages list them.
ANALYSES = ("comparator", "trend", "variance")


def is_partial(ran: Iterable[tuple[str, str]], divisions: Iterable[str]) -> bool:
    """Whether a run of the (division, notebook) pairs ``ran`` leaves out one of the
    period's ``divisions`` or one of :data:`ANALYSES` (and so is merged into the pack).

    Examples
    --------
    >>> is_partial({("a", "trend")}, ["a"])
    True
    >>> is_partial({("a", n) for n in ANALYSES}, ["a"])
    False
    """
    ran = set(ran)
    return {d for d, _ in ran} != set(divisions) or {a for _, a in ran} != set(ANALYSES)


def report_title(analysis: str, division_name: str, period_label: str) -> str:
    """A report page's title: analysis, division and period.

    Examples
    --------
    >>> report_title("trend", "Older People", "2013-14 Q1")
    'Trend report: Older People, 2013-14 Q1'
    """
    return f"{analysis.title()} report: {division_name}, {period_label}"


def report_navigation(division: str, analyses: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """The (label, href) links above a division's report page: the pack index at the
    division's entry, then each of ``analyses`` (the division's reports in the pack).

    Examples
    --------
    >>> report_navigation("oppd", ["trend", "variance"])[1:]
    (('Trend report', 'trend.html'), ('Variance report', 'variance.html'))
    """
    return (
        ("Pack index", f"../index.html#{division}"),
        *((f"{a.title()} report", f"{a}.html") for a in analyses),
    )


def reports_in(pack: Path) -> dict[str, tuple[str, ...]]:
    """The reports a pack folder holds: division id -> the analyses with an executed
    notebook in the division's folder, in :data:`ANALYSES` order (empty when ``pack``
    does not exist)."""
    if not Path(pack).is_dir():
        return {}
    return {
        folder.name: tuple(a for a in ANALYSES if (folder / f"{a}.ipynb").is_file())
        for folder in sorted(p for p in Path(pack).iterdir() if p.is_dir())
    }


def carry_over(previous: Path, staging: Path, ran: set[tuple[str, str]]) -> None:
    """Copy into ``staging`` what a partial run (some divisions or notebooks) did not run
    from the period's current pack ``previous``: every other division's folder and, for
    the divisions that ran, the notebooks that did not run, so that the swapped-in pack
    still holds every division. The index and run log are made new."""
    if not previous.is_dir():
        return
    ran_divisions = {division for division, _ in ran}
    for folder in sorted(p for p in previous.iterdir() if p.is_dir()):
        if folder.name not in ran_divisions:
            shutil.copytree(folder, staging / folder.name, symlinks=True)
            continue
        for analysis in ANALYSES:
            if (folder.name, analysis) in ran:
                continue
            target = staging / folder.name
            target.mkdir(parents=True, exist_ok=True)
            for item in folder.glob(f"{analysis}*"):
                if item.is_dir():
                    shutil.copytree(item, target / item.name, symlinks=True)
                else:
                    shutil.copy2(item, target / item.name)


@dataclass(frozen=True)
class Page:
    """A carried-over report page to export again from its notebook, with new links."""

    notebook: Path
    html: Path
    title: str
    navigation: tuple[tuple[str, str], ...]


def merge_partial_run(
    previous: Path,
    staging: Path,
    runs: list[NotebookRun],
    *,
    period_label: str,
    names: dict[str, str],
) -> tuple[list[NotebookRun], list[Page]]:
    """Carry the period's current pack ``previous`` into ``staging`` around a partial
    run's ``runs`` (:func:`carry_over`), and link every page to every report of its
    division in the merged pack.

    Parameters
    ----------
    previous, staging : pathlib.Path
        ``reports/<period>`` (may not exist yet) and the new pack's staging folder.
    runs : list of NotebookRun
        The planned runs (their pages' ``navigation`` lists only what this run runs).
    period_label, names : str, dict
        The period's label and division id -> name, for the pages' titles.

    Returns
    -------
    (list of NotebookRun, list of Page)
        ``runs`` with each page's navigation over the division's merged reports, in
        :data:`ANALYSES` order; and the carried-over pages of divisions that gained a
        report in this run, to export again with that navigation once the run has
        succeeded (:func:`refresh_pages`). A division whose reports are the same as
        before keeps its carried pages byte for byte.
    """
    ran = {(r.division, r.analysis) for r in runs}
    before = reports_in(previous)
    carry_over(previous, staging, ran)
    carried = reports_in(staging)
    merged = {
        division: tuple(
            a for a in ANALYSES if a in carried.get(division, ()) or (division, a) in ran
        )
        for division in {*carried, *(d for d, _ in ran)}
    }
    pages = [
        Page(
            staging / division / f"{analysis}.ipynb",
            staging / division / f"{analysis}.html",
            report_title(analysis, names.get(division, division), period_label),
            report_navigation(division, merged[division]),
        )
        for division in sorted({d for d, _ in ran})
        if merged[division] != before.get(division, ())
        for analysis in carried.get(division, ())
    ]
    runs = [replace(r, navigation=report_navigation(r.division, merged[r.division])) for r in runs]
    return runs, pages


def refresh_pages(pages: list[Page]) -> list[str]:
    """Export each carried-over page again from its notebook with its new navigation.
    Returns one line per page that could not be exported (the run then fails)."""
    from kassanalysis.report.html import export_html

    problems = []
    for page in pages:
        try:
            export_html(page.notebook, page.html, title=page.title, navigation=page.navigation)
        except Exception as exc:  # a damaged carried notebook fails the run, in one line
            where = f"{page.html.parent.name}/{page.html.name}"
            problems.append(f"{where}: navigation not updated: {type(exc).__name__}: {exc}")
    return problems
