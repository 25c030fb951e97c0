"""What ``kass build`` prints: one summary line, the findings only on request (issue 15)."""

from __future__ import annotations

import pandas as pd

from kassanalysis import cli


def test_build_prints_one_line_with_the_findings_count_and_file(small_paths, capsys):
    assert cli.main(["--root", str(small_paths.root), "build"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1, out
    quality = small_paths.processed / "data_quality.csv"
    findings = pd.read_csv(quality)
    findings = findings[findings["severity"] == "finding"]
    # the mini project's staffing table does not add up (Resources Total, two years)
    assert len(findings) >= 2
    assert f"; {len(findings)} findings (" in out[0] and str(quality) in out[0]


def test_build_lists_the_findings_when_asked(small_paths, capsys):
    assert cli.main(["--root", str(small_paths.root), "build", "--findings"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert any("'Resources Total' fte 2007-08" in line for line in out[1:])
    assert all(line.startswith("  - ") for line in out[1:])
