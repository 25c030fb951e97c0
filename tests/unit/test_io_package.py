"""The I/O package keeps the names the single ``kassanalysis/io.py`` module had (issue 10
split it by what changes together): code and notebooks import them from
``kassanalysis.io`` whatever submodule now holds them."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import kassanalysis.io as kio

#: The public names of ``kassanalysis/io.py`` before the split (written out by hand from
#: that module, not taken from the package).
BEFORE_THE_SPLIT = [
    "ASCOF_CROSSWALK",
    "BUILDS",
    "CATALOGUE",
    "CURRENT",
    "LOCK_NAME",
    "PINNED_BUILD",
    "PREVIEW_LINES",
    "PREVIEW_ROWS",
    "QUARTERLY_PARTS",
    "REFERENCE_FILES",
    "SPC_REBASE",
    "STAGING_PREFIX",
    "VERSIONS",
    "LockBusyError",
    "OutputError",
    "ProcessedDataError",
    "ProjectPaths",
    "RawPathError",
    "YamlFileError",
    "add_raw_file",
    "check_format",
    "confined_path",
    "current_umask",
    "describe_file",
    "file_stamps",
    "find_project",
    "first_sheet",
    "hash_file",
    "hash_inputs",
    "make_staging_dir",
    "output_error",
    "preview_file",
    "project_lock",
    "project_paths",
    "quarterly_part",
    "read_build_manifest",
    "read_build_table",
    "read_catalogue",
    "read_csv_text",
    "read_file_format",
    "read_frames",
    "read_manifest",
    "read_processed_table",
    "read_quarterly_return",
    "read_raw",
    "read_reference",
    "read_spc_rebase",
    "read_table_lines",
    "read_text_lines",
    "read_yaml",
    "recover_leftovers",
    "resolve_build",
    "split_lines",
    "stale_inputs",
    "swap_in",
    "table_writers",
    "verify_build_file",
    "write_csv",
    "write_processed",
    "write_text",
]


@pytest.mark.parametrize("name", BEFORE_THE_SPLIT)
def test_every_name_of_the_old_module_imports_from_the_package(name):
    namespace: dict = {}
    exec(f"from kassanalysis.io import {name}", namespace)
    assert namespace[name] is getattr(kio, name)
    assert name in kio.__all__


def test_every_public_name_of_a_submodule_is_the_same_object_in_the_package():
    for info in pkgutil.iter_modules(kio.__path__):
        module = importlib.import_module(f"kassanalysis.io.{info.name}")
        defined = [
            name
            for name, value in vars(module).items()
            if not name.startswith("_") and getattr(value, "__module__", None) == module.__name__
        ]
        assert defined, info.name
        assert {n for n in defined if getattr(kio, n, None) is not vars(module)[n]} == set()


def test_the_project_is_found_from_the_package_folder(monkeypatch, tmp_path):
    # outside any project and without $KASS_ROOT, the folder the package came from is used
    monkeypatch.delenv("KASS_ROOT", raising=False)
    found = kio.find_project(tmp_path)
    assert (found.raw / kio.CATALOGUE).is_file()
    assert (found.root / "kassanalysis" / "io" / "__init__.py").is_file()
