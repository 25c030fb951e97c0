"""Reference tables are read once, and again when an analyst edits them."""

import os
import shutil
from pathlib import Path

from kassanalysis import io as kio

REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference"


def test_reference_is_reread_only_after_an_edit(tmp_path):
    folder = tmp_path / "reference"
    shutil.copytree(REFERENCE, folder)
    first = kio.read_reference(folder)
    assert kio.read_reference(folder) is first  # unchanged files: the same object
    authorities = folder / "authorities.csv"
    text = authorities.read_text(encoding="utf-8")
    authorities.write_text(text.replace("Kent", "Kent County", 1), encoding="utf-8")
    stat = authorities.stat()
    os.utime(authorities, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    edited = kio.read_reference(folder)
    assert edited is not first
    assert edited.authority_name("E10000016") == "Kent County"
