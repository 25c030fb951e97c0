"""A partial pack run merged into the period's pack: what is carried over and what each
report page links to (no kernels: folders laid out by hand as a pack leaves them)."""

from __future__ import annotations

from kassanalysis.pack import NotebookRun
from kassanalysis.pack_merge import is_partial, merge_partial_run, reports_in


def lay_out(pack, reports: dict[str, tuple[str, ...]]) -> None:
    """A pack folder as a run leaves it: per division, each report's notebook, page and
    tables folder."""
    for division, analyses in reports.items():
        for analysis in analyses:
            folder = pack / division
            (folder / analysis).mkdir(parents=True)
            (folder / f"{analysis}.ipynb").write_text("{}", encoding="utf-8")
            (folder / f"{analysis}.html").write_text(f"old {analysis}", encoding="utf-8")
            (folder / analysis / "table.csv").write_text("a\n1\n", encoding="utf-8")


def run(division: str, analysis: str) -> NotebookRun:
    return NotebookRun(division, analysis, "", "", "", {}, 1, "", navigation=(("x", "x"),))


def test_a_run_of_every_division_and_notebook_is_not_partial():
    every = {(d, a) for d in ("a", "b") for a in ("comparator", "trend", "variance")}
    assert not is_partial(every, ["a", "b"])
    # a run is every asked notebook for every asked division (plan_runs)
    assert is_partial({(d, a) for d, a in every if a != "trend"}, ["a", "b"])  # no trend
    assert is_partial({(d, a) for d, a in every if d == "a"}, ["a", "b"])  # one division


def test_one_notebook_after_a_full_pack_links_every_report(tmp_path):
    previous, staging = tmp_path / "2013-14-Q1", tmp_path / "staging"
    staging.mkdir()
    lay_out(previous, {"oppd": ("comparator", "trend", "variance"), "ld": ("trend",)})

    runs, pages = merge_partial_run(
        previous, staging, [run("oppd", "trend")], period_label="2013-14 Q1", names={}
    )

    assert runs[0].navigation == (
        ("Pack index", "../index.html#oppd"),
        ("Comparator report", "comparator.html"),
        ("Trend report", "trend.html"),
        ("Variance report", "variance.html"),
    )
    assert pages == []  # oppd had every report already: its kept pages are right as they are
    # carried: oppd's other two reports (not trend, which this run writes) and all of ld
    assert reports_in(staging) == {"ld": ("trend",), "oppd": ("comparator", "variance")}
    assert (staging / "oppd" / "variance" / "table.csv").read_text() == "a\n1\n"
    assert not (staging / "oppd" / "trend.html").exists()


def test_a_kept_page_whose_division_gains_a_report_is_exported_again(tmp_path):
    previous, staging = tmp_path / "2008-09", tmp_path / "staging"
    staging.mkdir()
    lay_out(previous, {"op": ("trend",), "ld": ("trend",)})

    runs, pages = merge_partial_run(
        previous,
        staging,
        [run("op", "variance")],
        period_label="2008-09",
        names={"op": "Older Persons"},
    )

    nav = (
        ("Pack index", "../index.html#op"),
        ("Trend report", "trend.html"),
        ("Variance report", "variance.html"),
    )
    assert runs[0].navigation == nav
    # only op's trend page: ld gained nothing
    assert [(p.notebook.relative_to(staging).as_posix(), p.title, p.navigation) for p in pages] == [
        ("op/trend.ipynb", "Trend report: Older Persons, 2008-09", nav)
    ]
    assert pages[0].html == staging / "op" / "trend.html"


def test_a_first_run_for_the_period_has_nothing_to_carry(tmp_path):
    staging = tmp_path / "staging"
    staging.mkdir()
    runs, pages = merge_partial_run(
        tmp_path / "none-yet", staging, [run("op", "trend")], period_label="2008-09", names={}
    )
    assert [href for _, href in runs[0].navigation] == ["../index.html#op", "trend.html"]
    assert pages == [] and list(staging.iterdir()) == []
