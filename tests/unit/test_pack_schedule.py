"""Which notebooks the pack starts first: the longest in the last pack's run log."""

import json
import os

from kassanalysis.pack import NotebookRun, longest_first, previous_seconds


def write_log(folder, results, mtime):
    folder.mkdir()
    path = folder / "run.json"
    path.write_text(json.dumps({"notebook_results": results}), encoding="utf-8")
    os.utime(path, (mtime, mtime))


def test_previous_seconds_reads_the_newest_readable_run_log(tmp_path):
    # newest by time written, not by name: Q1 was rerun after Q2
    write_log(
        tmp_path / "2013-14-Q1",
        [{"division": "oppd", "analysis": "trend", "seconds": 4.5}],
        mtime=2_000,
    )
    write_log(
        tmp_path / "2013-14-Q2",
        [{"division": "oppd", "analysis": "trend", "seconds": 6.0}],
        mtime=1_000,
    )
    assert previous_seconds(tmp_path) == {("oppd", "trend"): 4.5}
    # a newer log that is unreadable (say a run still in progress) is passed over
    staging = tmp_path / ".2013-14-Q3-x"
    staging.mkdir()
    (staging / "run.json").write_text('{"period": "2013-14 Q3"}', encoding="utf-8")
    os.utime(staging / "run.json", (3_000, 3_000))
    assert previous_seconds(tmp_path) == {("oppd", "trend"): 4.5}


def test_previous_seconds_passes_over_a_log_with_impossible_times(tmp_path):
    write_log(tmp_path / "a", [{"division": "d", "analysis": "trend", "seconds": 3}], 1_000)
    # JSON as Python writes it can hold NaN; a NaN would scramble the ordering
    write_log(tmp_path / "b", [{"division": "d", "analysis": "trend", "seconds": "NaN"}], 2_000)
    assert previous_seconds(tmp_path) == {("d", "trend"): 3.0}
    write_log(tmp_path / "c", [{"division": "d", "analysis": "trend", "seconds": -1}], 3_000)
    assert previous_seconds(tmp_path) == {("d", "trend"): 3.0}


def test_previous_seconds_without_any_pack_is_empty(tmp_path):
    assert previous_seconds(tmp_path) == {}


def test_longest_first_puts_unknown_runs_first_and_keeps_planned_order_for_ties():
    planned = [("a", "comparator"), ("a", "trend"), ("b", "comparator"), ("b", "trend")]
    runs = [NotebookRun(d, n, "", "", "", {}, 600, "") for d, n in planned]
    expected = {("a", "comparator"): 5.0, ("a", "trend"): 2.0, ("b", "comparator"): 2.0}
    order = [(r.division, r.analysis) for r in longest_first(runs, expected)]
    assert order == [("b", "trend"), ("a", "comparator"), ("a", "trend"), ("b", "comparator")]
