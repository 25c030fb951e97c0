"""The pack's one-page summary: built from the bundled data, first in the index's <main>.

Builds the bundled data in a copy of the project and runs the pack for the 2013-14 older
people and physical disability division (three real notebooks, about a minute on two
cores). The expected rows are worked out by hand from the raw files:

* ``data/raw/kent-oppd-2013-14/`` and the example return ``data/raw/quarterly/
  kent-oppd-2013-14-Q1.kpi.*``: admissions to permanent residential care 6.1 against a Q1
  target of 5.7 and a floor of 6.5, lower is better: worse than target, better than the
  floor, so Amber. Red: reablement 84.1 below its floor 85.0. Amber also: carers 37.5
  (target 40, floor 35) and outcomes 73.0 (target 74, floor 72). Green: personal budgets
  71.2 (target 70), contacts 25.3 (target 25), telecare 16.4 (target 16). The other 13 of
  the division's 20 indicators have no rating (activity counts, no data by 2013-14 Q1).
* ``data/raw/quarterly/kent-oppd-2013-14-Q1.budget.csv``: total forecast 168,384.0 against
  budget 167,688.9 (GBP thousands): +695.1, 695.1 / 167,688.9 = 0.41% of budget, an
  overspend; the largest line variance is Dover & Thanet, 30,120.5 - 29,619.6 = +500.9.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from kassanalysis import cli
from kassanalysis import io as kio
from kassanalysis.build import run_build

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
DIVISION = "oppd-2013-14"


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("summary")
    for folder in ("data/raw", "data/reference", "notebooks"):
        shutil.copytree(
            ROOT / folder, root / folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints")
        )
    shutil.copy(ROOT / "pack.yml", root / "pack.yml")
    paths = kio.ProjectPaths(root)
    run_build(paths)
    status = cli.main(
        [
            "--root",
            str(root),
            "report",
            "--no-progress",
            "--period",
            "2013-14 Q1",
            "--division",
            DIVISION,
            "--jobs",
            "2",
        ]
    )
    assert status == 0
    return root / "reports" / "2013-14-Q1"


@pytest.fixture(scope="module")
def main(pack: Path):
    html = (pack / "index.html").read_text(encoding="utf-8")
    found = BeautifulSoup(html, "html.parser").find("main")
    assert found is not None, "index.html has no <main>"
    return found


def cells(row) -> list[str]:
    return [" ".join(c.get_text(" ", strip=True).split()) for c in row.find_all(["th", "td"])]


def test_the_summary_is_the_first_thing_in_main(main):
    first = main.find(True)  # first element inside <main>
    assert first.name == "section" and first.get("id") == "summary"
    table = first.find("table")
    assert table.get("id") == "pack-summary"
    rows = table.find("tbody").find_all("tr")
    assert [cells(r) for r in rows] == [
        [
            "Older People and Physical Disability (2013-14)",
            "1",  # Red: reablement
            "3",  # Amber: carers, admissions, outcomes
            "3",  # Green: personal budgets, contacts, telecare
            "13",
            "forecast overspend of £695.1 thousand (0.4% of budget)",
        ]
    ]


def test_each_indicator_row_answers_in_words_and_colour_and_links_to_its_section(main):
    section = main.find("section", id=f"{DIVISION}-summary")
    matrix = section.find("table")
    rows = {r.find("th").find("a").get_text(strip=True): r for r in matrix.tbody.find_all("tr")}
    assert len(rows) == 20  # the division's indicators in divisions.yml
    admissions = rows["Admissions to permanent residential care"]
    rag = admissions.find_all("td")[1]
    assert rag.get_text(strip=True) == "Amber: 6.1 against target 5.7, floor 6.5"
    assert rag["class"] == ["tone-warning"]
    assert rag.a["href"] == f"{DIVISION}/variance.html#indicator-kcc-oppd-admres"
    trend = admissions.find_all("td")[2]
    assert trend.a["href"] == f"{DIVISION}/trend.html#indicator-kcc-oppd-admres"
    england = admissions.find_all("td")[4]
    assert england.a["href"] == f"{DIVISION}/comparator.html#indicator-kcc-oppd-admres"
    reablement = rows[
        "Achieving independence for older people through rehabilitation/intermediate care"
    ]
    assert reablement.find_all("td")[1].get_text(strip=True).startswith("Red: 84.1%")
    assert reablement.find_all("td")[1]["class"] == ["tone-concern"]
    # no blank cells: missing and suppressed values are words
    for row in rows.values():
        assert all(text for text in cells(row))
    not_published = rows["Short-term intervention with no further service for new clients"]
    assert cells(not_published)[1].startswith("not available")


def test_budget_lists_the_total_then_the_largest_variance(main):
    section = main.find("section", id=f"{DIVISION}-summary")
    budget = section.find_all("table")[1]
    rows = [cells(r) for r in budget.tbody.find_all("tr")]
    assert rows[0] == [
        "Total",
        "£167,688.9",
        "£168,384.0",
        "forecast overspend of £695.1 thousand (0.4% of budget)",
    ]
    assert rows[1][0] == "Dover & Thanet Locality (largest variance)"
    assert rows[1][3] == "forecast overspend of £500.9 thousand (1.7% of budget)"


def test_the_summary_tables_are_published_like_every_key_table(pack):
    folder = pack / DIVISION / "summary"
    for name in ("headline", "indicators", "budget", "data_quality"):
        assert (folder / f"{name}.csv").is_file() and (folder / f"{name}.json").is_file()
    indicators = pd.read_csv(folder / "indicators.csv", dtype=str, keep_default_na=False)
    row = indicators.set_index("indicator_id").loc["KCC-OPPD-ADMRES"]
    assert row["rag"] == "Amber"
    assert row["rank"] == "[x]"  # alone in its group: not ranked, marked not available
