"""Same inputs, same outputs: a scheduled run can be compared with the last one."""

import hashlib
import tempfile
from pathlib import Path

import pytest

import kassanalysis.report as kr
from kassanalysis.build import run_build

pytestmark = pytest.mark.integration


def digest(folder: Path, pattern: str) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob(pattern))
    }


def test_building_twice_gives_identical_tables(built_paths):
    first = digest(built_paths.processed, "*.csv")
    run_build(built_paths)
    assert digest(built_paths.processed, "*.csv") == first


def test_report_tables_and_charts_are_identical_on_every_run():
    outputs = []
    for _ in range(2):
        folder = Path(tempfile.mkdtemp())
        ctx = kr.open_context(division="oppd-2013-14", period="2013-14 Q1", output_dir=str(folder))
        kr.performance_against_target(ctx)
        kr.exception_summary(ctx)
        charts = kr.variance_charts(ctx)
        outputs.append((digest(folder, "*.csv"), [c["svg"] for c in charts._encoded()]))
    assert outputs[0] == outputs[1]
