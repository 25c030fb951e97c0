"""A pack for a period with no data is refused (issue 13's rule, issue 15's eras): exit 2,
one line naming the valid periods, and the published pack left exactly as it was."""

from __future__ import annotations

import pytest

from tests.faults.conftest import PERIOD, run_kass, tree_hash

pytestmark = pytest.mark.faults


def test_a_period_with_no_data_is_refused_and_leaves_reports_untouched(pack_tiny):
    before = tree_hash(pack_tiny.reports)
    assert (pack_tiny.reports / PERIOD / "index.html").is_file()  # a good pack to lose

    # pack.yml asks for two 2008-09 divisions by name
    done = run_kass(pack_tiny, "report", "--no-progress", "--period", "2019-20 Q1")

    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()  # one line, no traceback
    assert "2019-20 Q1" in line
    # the division's era (divisions.yml: periods ["2008-09"]) and its quarters
    assert line.endswith("2008-09, 2008-09 Q1, 2008-09 Q2, 2008-09 Q3, 2008-09 Q4")
    assert tree_hash(pack_tiny.reports) == before
    assert not (pack_tiny.reports / "2019-20-Q1").exists()


def test_without_named_divisions_the_valid_periods_are_every_eras(pack_tiny):
    config = pack_tiny.root / "pack.yml"
    config.write_text(
        "\n".join(
            "divisions: []" if line.startswith("divisions:") else line
            for line in config.read_text(encoding="utf-8").splitlines()
        ),
        encoding="utf-8",
    )
    before = tree_hash(pack_tiny.reports)

    done = run_kass(pack_tiny, "report", "--no-progress", "--period", "2019-20 Q1")

    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert "unknown period '2019-20 Q1': no division has data for it; valid periods: " in line
    # the eras of data/reference/divisions.yml: 2008-09 plans, the 2013-14 example, today's
    for year in ("2008-09", "2013-14", "2024-25"):
        assert f"{year}, {year} Q1, {year} Q2, {year} Q3, {year} Q4" in line
    assert tree_hash(pack_tiny.reports) == before
