"""Kind recognition and the no-silent-empty-read rule."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kassanalysis import build, kinds
from kassanalysis import io as kio
from kassanalysis.catalogue import CatalogueEntry
from kassanalysis.check import choose_kind

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "fixtures" / "cases"


@pytest.fixture(scope="module")
def entries():
    return kio.read_catalogue(ROOT / "data" / "raw")


def test_bundled_files_are_recognised_as_their_kind_or_not_at_all(entries, reference):
    # A headerless table part cannot be told from its content; it may go unrecognised,
    # but no bundled file may be taken for another kind than its catalogue's. (An ONS
    # workbook holds two tables read by two entries: MYE2 by age, and the all-ages series;
    # either of its kinds is right for the file.)
    chosen = {}
    kinds_of_file: dict[str, set] = {}
    for entry in entries:
        kinds_of_file.setdefault(entry.file, set()).add(entry.kind)
    for entry in entries:
        path = ROOT / "data" / "raw" / entry.file
        kind, _ = choose_kind(kio.preview_file(path), reference)
        assert kind in {*kinds_of_file[entry.file], None}, (entry.file, kind)
        chosen[entry.id] = kind
    recognised = sum(kind is not None for kind in chosen.values())
    assert recognised >= len(entries) - 4, chosen


@pytest.mark.parametrize(
    ("file", "kind", "reason"),
    [
        # the KPI boxes start 150 lines into the report, after pages of narrative
        ("qpr-2024-25-q3-adult-social-care.txt", "kpi_table", "KPI boxes"),
        # a PDF table: 'Budget Forecast Variance' over a label and three figures a line
        ("key-service-statement-2024-25-nov-asch.txt", "budget_table", "budget, forecast"),
    ],
)
def test_kent_2024_25_files_are_recognised_without_kind(file, kind, reason, reference):
    chosen, why = choose_kind(
        kio.preview_file(ROOT / "data" / "raw" / "kent-2024-25" / file), reference
    )
    assert chosen == kind
    assert reason in why[0]


@pytest.mark.parametrize(
    ("file", "kind"),
    [
        ("budget-csv/budget.csv", "budget_table"),
        ("budget-unknown-headers/budget.txt", "budget_table"),
        ("westsussex-million/asc.txt", "budget_table"),
        ("lginform-kpi-silent/lginform-2a2.csv", "indicator_export"),
    ],
)
def test_cases_are_recognised(file, kind, reference):
    assert choose_kind(kio.preview_file(CASES / file), reference)[0] == kind


def test_every_registered_kind_has_a_cleaner():
    assert set(kinds.KIND_READING) <= set(build.CLEANERS)


def test_an_empty_result_without_errors_is_an_error(monkeypatch, reference):
    entry = CatalogueEntry("t", "t.txt", "kpi_table", "E10000016", {}, "")
    monkeypatch.setitem(
        build.CLEANERS, "kpi_table", ("indicator_observations", lambda *a: (pd.DataFrame(), []))
    )

    _, frame, problems = build.clean_entry(entry, [], reference)

    assert frame.empty
    assert [(p.severity, p.check) for p in problems] == [("error", "no data rows")]
    assert "read as kpi_table, it gives no data rows" in problems[0].message
