"""A tampered, truncated, missing or stale ``data/processed``: detected and rebuilt by
``kassanalysis.load``, refused in one line inside a pack; a planted pickle is never read."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pandas as pd
import pytest

from kassanalysis import api
from kassanalysis import io as kio

pytestmark = pytest.mark.faults
STAFFING = "kent-hq-2008-09/staffing-fte.txt"


def performance_fte(frame: pd.DataFrame) -> float:
    """FTE of the Performance team in 2008-09 (staffing-fte.txt line 5: '25.00')."""
    row = frame[
        (frame["source_file"] == STAFFING)
        & (frame["source_line"] == 5)
        & (frame["financial_year"] == "2008-09")
    ]
    assert len(row) == 1
    return float(row["value"].iloc[0])


def test_stale_build_is_rebuilt_when_a_raw_file_changes(tiny):
    assert performance_fte(api.load("budget_lines", root=tiny.root)) == 25.0
    raw = tiny.raw / STAFFING
    raw.write_text(
        raw.read_text(encoding="utf-8").replace("| 25.27 | 25.00 |", "| 25.27 | 26.00 |")
    )

    assert performance_fte(api.load("budget_lines", root=tiny.root)) == 26.0
    assert kio.read_manifest(tiny.processed)["inputs"][f"data/raw/{STAFFING}"] == kio.hash_file(raw)


def test_tampered_parquet_is_not_used(tiny):
    """Values altered in the cache (CSV beside it unchanged) are never published."""
    path = tiny.processed / "budget_lines.parquet"
    frame = pd.read_parquet(path)
    frame.loc[frame["source_line"] == 5, "value"] = 999.0
    frame.to_parquet(path, index=False)

    assert performance_fte(api.load("budget_lines", root=tiny.root)) == 25.0


@pytest.mark.parametrize("damage", ["truncate", "delete"])
def test_damaged_table_is_rebuilt_by_load(tiny, damage):
    path = tiny.processed / "budget_lines.parquet"
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[:200])
    else:
        path.unlink()

    assert performance_fte(api.load("budget_lines", root=tiny.root)) == 25.0


@pytest.mark.parametrize("damage", ["truncate", "delete"])
def test_damaged_table_inside_a_pack_is_one_line(tiny, monkeypatch, damage):
    """Inside a pack the build is pinned: refused with one line naming the file, never a
    schema traceback or FileNotFoundError, and never rebuilt under the running pack."""
    build = tiny.processed.resolve()
    monkeypatch.setenv(kio.PINNED_BUILD, str(build))
    path = build / "indicator_observations.parquet"
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[:200])
    else:
        path.unlink()

    with pytest.raises(kio.ProcessedDataError) as caught:
        api.load("indicator_observations", root=tiny.root)

    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    assert message.endswith("run `kass build`")
    assert ("is missing" if damage == "delete" else "has changed since the build") in message


def test_planted_pickle_is_never_loaded(tiny, tmp_path):
    """A pickle planted where version one cached its tables runs nothing."""
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self):
            return (Path.touch, (marker,))

    for folder in (tiny.processed, tiny.processed_root):
        (folder / "budget_lines.validated.pkl").write_bytes(pickle.dumps(Payload()))

    assert performance_fte(api.load("budget_lines", root=tiny.root)) == 25.0
    assert not marker.exists()


def test_no_pickle_anywhere_in_the_package():
    package = Path(kio.__file__).parents[1]  # kassanalysis/io/__init__.py
    uses = [
        f"{p.relative_to(package)}:{n}"
        for p in package.rglob("*.py")
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\bpickle\b|read_pickle|to_pickle", line)
    ]
    assert uses == []
