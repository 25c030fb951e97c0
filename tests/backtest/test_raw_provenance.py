"""Raw files are the published tables, unchanged: each text table equals the lines of its
source document that the catalogue names, and each public file equals its source copy.
Skipped where the source documents are not beside the checkout."""

import hashlib
from pathlib import Path

import pytest

from kassanalysis import io as kio

pytestmark = pytest.mark.backtest
SHARED = Path(__file__).resolve().parents[3] / "shared"


def entries(project):
    return kio.read_catalogue(project.raw)


@pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason="source documents not present")
def test_text_tables_are_slices_of_their_source_documents(project):
    checked = 0
    for entry in entries(project):
        lines = entry.source.get("lines")
        if not lines or entry.kind == "quarterly_return":
            continue
        document = (SHARED / "seeds" / entry.source["document"]).read_text(encoding="utf-8")
        first, last = lines
        expected = document.splitlines()[first - 1 : last]
        assert kio.read_text_lines(project.raw / entry.file) == expected, entry.id
        checked += 1
    assert checked == 16


@pytest.mark.skipif(not (SHARED / "data" / "public").is_dir(), reason="public data not present")
def test_public_files_are_unchanged_copies(project):
    for entry in entries(project):
        if not entry.file.startswith("public/"):
            continue
        ours = hashlib.sha256((project.raw / entry.file).read_bytes()).hexdigest()
        theirs = SHARED / "data" / entry.file
        assert hashlib.sha256(theirs.read_bytes()).hexdigest() == ours, entry.file
