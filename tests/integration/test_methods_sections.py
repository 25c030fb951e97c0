"""The benchmarking methods in the reports (issue 14): the comparator, trend and variance
notebooks run with papermill for one division on the bundled data, and their new sections
show the values worked out by hand below."""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill
import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
DIVISION, PERIOD = "oppd-2024-25", "2024-25 Q3"


def run(tmp_path_factory, name: str) -> tuple[str, str, str]:
    """Run a notebook; returns (markdown text, plain outputs, HTML outputs)."""
    out = tmp_path_factory.mktemp(name) / f"{name}.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / f"{name}.ipynb"),
        str(out),
        parameters={"division": DIVISION, "period": PERIOD, "root": str(ROOT)},
        kernel_name="python3",
        cwd=str(ROOT),
        progress_bar=False,
        execution_timeout=600,
    )
    notebook = nbformat.read(out, as_version=4)
    markdown = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    plain = "\n".join(o.get("data", {}).get("text/plain", "") for o in outputs)
    html = "\n".join(o.get("data", {}).get("text/html", "") for o in outputs)
    return markdown, plain, html


@pytest.fixture(scope="module")
def comparator(tmp_path_factory):
    return run(tmp_path_factory, "comparator")


@pytest.fixture(scope="module")
def trend(tmp_path_factory):
    return run(tmp_path_factory, "trend")


def test_comparator_shows_two_levels_quintiles_funnels_and_group_sensitivity(comparator):
    markdown, plain, html = comparator
    assert "## Funnel plots" in markdown
    assert "## Does the position depend on the comparator group?" in markdown
    # ASCOF-2D 2020-21 (higher is better), NHS Digital's measures file: Kent 3298 / 5305 =
    # 62.17%; England 116113 / 155018 = 74.9%. Wilson 99.8% upper for Kent, z = 3.090232:
    # (6596 + 9.5495 + 3.090232 sqrt(9.5495 + 4 x 3298 x 2007/5305)) / (2 (5305 + 9.5495))
    # = (6605.55 + 218.52) / 10629.10 = 64.20% < 74.9: worse at 99.8%, against the
    # England value. Kent is 15th of 16 nearest neighbours: PHE quintile
    # floor(6 - ceil((17 - 15) / 3.2)) = 5, quartile ceil(15 x 4 / 16) = 4.
    row = next(
        line
        for line in plain.splitlines()
        if line.strip().startswith("Short-term service users with no further service or a lower")
    )
    assert "worse (99.8%)" in row and "England value 2020-21" in row
    # value, unit, then rank, group size, quartile, quintile
    assert row.split("62.2%")[1].split()[:5] == ["%", "15", "16", "4", "5"]
    # the same indicator's funnel names Kent outside the 99.8% limit
    assert "[chart] Short-term service users with no further service or a lower level" in plain
    assert 'id="indicator-ascof-2d"' in html  # the index links here
    assert "All English councils with adult social care duties" in plain  # sensitivity


def test_trend_shows_recent_trend_and_spc_reading(trend):
    markdown, plain, html = trend
    assert "## Recent trend" in markdown
    assert "## Statistical process control: the latest point" in markdown
    # OFLOG-ASC5: Oflog publishes eight yearly values for Kent (2015-16 to 2022-23) with no
    # counts or confidence limits, so the last five (2018-19 to 2022-23) cannot be tested,
    # and eight points are too few for SPC (12 needed).
    row = next(line for line in plain.splitlines() if "OFLOG-ASC5" in line and "2018-19" in line)
    assert "cannot be calculated: missing at least one confidence interval value" in row
    assert "2018-19 to 2022-23" in row
    assert "not shown: 8 points (12 needed)" in plain
    assert '<tr id="indicator-oflog-asc5">' in html


@pytest.fixture(scope="module")
def variance(tmp_path_factory):
    return run(tmp_path_factory, "variance")


def test_variance_shows_finance_benchmarks_labelled_with_the_asc_fr_year(variance):
    markdown, plain, html = variance
    assert "## Finance benchmarks (ASC-FR)" in markdown
    assert "Finance benchmarks: ASC-FR 2014-15" not in plain  # one heading, not two
    assert "Adult Social Care Finance Return (ASC-FR) 2014-15: the latest year" in plain
    assert "older than this pack's period (2024-25 Q3)" in plain
    # No mid-2014 estimates by age in data/raw: the all-adult totals per head of the all-ages
    # population, named. Kent, bridging file line 89, gross 474,261 (GBP thousands) /
    # 1,509,301 (ONS MYE4 mid-2014) = GBP 314.23, shown to the pound as GBP 314
    assert "Spend per head of population (all ages, mid-2014), ASC-FR 2014-15" in plain
    gross = next(
        line
        for line in plain.splitlines()
        if "Grand total gross expenditure" in line and "Gross total cost" in line
    )
    assert "all ages, mid-2014" in gross and "£314" in gross
    assert "waits for the mid-2014 single-year-of-age estimates (ONS MYE2)" in html
    # ASC-FR 2014-15 unit-cost table, Kent (820), long term, 65+, physical support,
    # residential, all provision: 40,425 (GBP thousands) / 96,919 weeks = GBP 417.10 a week
    row = next(
        line
        for line in plain.splitlines()
        if "Age 65 and over" in line and "Physical support" in line and " Residential " in line
    )
    assert "417.1 GBP per week" in row
