"""A notebook subset on the command line (``kass report --notebook``, repeatable) is merged
into the period's pack like ``--division``: only the named notebooks run, everything else
in the pack is kept (byte for byte, except a kept page's navigation when its division
gained a report), the index lists every report that is there, and every page links to
every report of its division in the merged pack."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kassanalysis import cli
from tests.faults.conftest import DIVISIONS, PERIOD, tree_hash

pytestmark = pytest.mark.faults
A, B = DIVISIONS


def report(paths, *args: str) -> int:
    return cli.main(["--root", str(paths.root), "report", "--no-progress", *args])


def test_notebook_subset_runs_only_those_and_keeps_the_rest(pack_tiny, capsys):
    folder = pack_tiny.reports / PERIOD
    before = tree_hash(folder)  # the session's pack: trend for both divisions

    assert report(pack_tiny, "--notebook", "variance", "--notebook", "variance") == 0

    out = capsys.readouterr().out
    assert f"running 2 notebooks for {PERIOD}, 2 at a time" in out  # variance x 2 divisions
    after = tree_hash(folder)
    # trend notebooks and their tables as they were; their pages now link to variance too
    trend = {k: v for k, v in before.items() if "/trend" in k and not k.endswith(".html")}
    assert trend and {k: after.get(k) for k in trend} == trend
    run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert {(r["division"], r["analysis"]) for r in run["notebook_results"]} == {
        (A, "variance"),
        (B, "variance"),
    }
    assert run["partial"] is True
    index = (folder / "index.html").read_text(encoding="utf-8")
    for division in DIVISIONS:
        for analysis in ("trend", "variance"):
            assert f'href="{division}/{analysis}.html"' in index
            assert (folder / division / f"{analysis}.html").is_file()


def navigation(page: Path) -> list[tuple[str, str, bool]]:
    """(label, href, is the current page) of each link in a report page's navigation."""
    nav = re.search(r'<nav aria-label="Report pack">(.*?)</nav>', page.read_text("utf-8"), re.S)
    links = re.findall(r"<a ([^>]*)>([^<]*)</a>", nav[1])
    return [
        (label, re.search(r'href="([^"]*)"', attributes)[1], 'aria-current="page"' in attributes)
        for attributes, label in links
    ]


def without_navigation(page: Path) -> str:
    return re.sub(r"<nav .*?</nav>", "", page.read_text("utf-8"), flags=re.S)


def every_report(division: str, current: str) -> list[tuple[str, str, bool]]:
    return [
        ("Pack index", f"../index.html#{division}", False),
        ("Comparator report", "comparator.html", current == "comparator"),
        ("Trend report", "trend.html", current == "trend"),
        ("Variance report", "variance.html", current == "variance"),
    ]


def test_one_notebook_after_a_full_run_links_every_report_of_the_pack(pack_tiny):
    folder = pack_tiny.reports / PERIOD
    every = ("--notebook", "comparator", "--notebook", "trend", "--notebook", "variance")
    assert report(pack_tiny, *every) == 0
    full = tree_hash(folder)

    assert report(pack_tiny, "--notebook", "trend") == 0

    for division in DIVISIONS:
        # the page run alone links to the reports kept from the full run, not only itself
        assert navigation(folder / division / "trend.html") == every_report(division, "trend")
        for kept in ("comparator", "variance"):
            page = folder / division / f"{kept}.html"
            assert navigation(page) == every_report(division, kept)
            assert tree_hash(folder)[f"{division}/{kept}.html"] == full[f"{division}/{kept}.html"]


def test_a_page_kept_from_an_earlier_run_links_to_the_report_added_beside_it(pack_tiny):
    folder = pack_tiny.reports / PERIOD
    trend = {d: without_navigation(folder / d / "trend.html") for d in DIVISIONS}
    assert navigation(folder / A / "trend.html") == [  # the session's pack: trend only
        ("Pack index", f"../index.html#{A}", False),
        ("Trend report", "trend.html", True),
    ]

    assert report(pack_tiny, "--notebook", "variance", "--division", A) == 0

    assert navigation(folder / A / "trend.html") == [
        ("Pack index", f"../index.html#{A}", False),
        ("Trend report", "trend.html", True),
        ("Variance report", "variance.html", False),
    ]
    assert navigation(folder / A / "variance.html")[1:] == [
        ("Trend report", "trend.html", False),
        ("Variance report", "variance.html", True),
    ]
    assert without_navigation(folder / A / "trend.html") == trend[A]  # only the links changed
    assert navigation(folder / B / "trend.html") == [  # B gained nothing: left as it was
        ("Pack index", f"../index.html#{B}", False),
        ("Trend report", "trend.html", True),
    ]
    assert without_navigation(folder / B / "trend.html") == trend[B]


def test_notebook_and_division_together_touch_only_that_pair(pack_tiny):
    folder = pack_tiny.reports / PERIOD
    before = tree_hash(folder)

    assert report(pack_tiny, "--notebook", "comparator", "--division", A) == 0

    after = tree_hash(folder)
    # all of B, and A's trend report except its page's links (A gained a comparator report)
    untouched = {
        k: v
        for k, v in before.items()
        if k.startswith(f"{B}/") or ("/trend" in k and k != f"{A}/trend.html")
    }
    assert untouched and {k: after.get(k) for k in untouched} == untouched
    assert [href for _, href, _ in navigation(folder / A / "trend.html")] == [
        f"../index.html#{A}",
        "comparator.html",
        "trend.html",
    ]
    assert (folder / A / "comparator.html").is_file()
    assert not (folder / B / "comparator.html").exists()
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert f'href="{A}/comparator.html"' in index
    assert f'href="{B}/trend.html"' in index


def test_unknown_notebook_is_refused_naming_the_valid_ones(pack_tiny, capsys):
    before = tree_hash(pack_tiny.reports)

    assert report(pack_tiny, "--notebook", "trends") == 2

    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("kass report: ")
    assert "'trends'" in err[0] and "comparator, trend, variance" in err[0]
    assert tree_hash(pack_tiny.reports) == before
