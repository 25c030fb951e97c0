"""All file reading and writing for kassanalysis lives here.

Cleaners and analyses are pure functions; this package hands them what they need (text lines,
frames, parsed JSON/YAML) and writes their results. ``data/raw`` is only ever read.
Processed tables are written to a staging folder beside the current build and swapped in
only when every table has been written, so a failed build never leaves a half-written or
mixed set of tables behind.

One module per part, each changing for its own reasons:

* :mod:`~kassanalysis.io.paths`: where a project's files are, and the check that a raw
  input stays inside ``data/raw``;
* :mod:`~kassanalysis.io.raw`: raw files read by their content (formats, previews, the
  form each cleaner expects);
* :mod:`~kassanalysis.io.reference_files`: the files analysts edit (catalogue, YAML,
  reference tables, SPC rebase points);
* :mod:`~kassanalysis.io.builds`: the processed build (Parquet + CSV, manifest hashes);
* :mod:`~kassanalysis.io.atomic`: atomic writes, staging folders, the project lock, the
  symbolic-link swap and recovery after a killed run.

The public names are re-exported here, so ``from kassanalysis.io import read_raw`` and
``kassanalysis.io.read_raw`` keep working.
"""

from __future__ import annotations

from kassanalysis.catalogue import QUARTERLY_PARTS, quarterly_part
from kassanalysis.io.atomic import (
    BUILDS,
    CURRENT,
    LOCK_NAME,
    PINNED_BUILD,
    STAGING_PREFIX,
    VERSIONS,
    LockBusyError,
    OutputError,
    current_umask,
    make_staging_dir,
    output_error,
    project_lock,
    recover_leftovers,
    swap_in,
    write_csv,
    write_text,
)
from kassanalysis.io.builds import (
    ProcessedDataError,
    hash_file,
    hash_inputs,
    read_build_manifest,
    read_build_table,
    read_manifest,
    read_processed_table,
    resolve_build,
    stale_inputs,
    table_writers,
    verify_build_file,
    write_processed,
)
from kassanalysis.io.paths import (
    CATALOGUE,
    ProjectPaths,
    RawPathError,
    confined_path,
    find_project,
    project_paths,
)
from kassanalysis.io.raw import (
    PREVIEW_LINES,
    PREVIEW_ROWS,
    check_format,
    describe_file,
    first_sheet,
    preview_file,
    read_csv_text,
    read_file_format,
    read_frames,
    read_quarterly_return,
    read_raw,
    read_table_lines,
    read_text_lines,
)
from kassanalysis.io.reference_files import (
    ASCOF_CROSSWALK,
    REFERENCE_FILES,
    SPC_REBASE,
    YamlFileError,
    add_raw_file,
    file_stamps,
    read_catalogue,
    read_reference,
    read_spc_rebase,
    read_yaml,
)
from kassanalysis.text import split_lines

__all__ = [
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
