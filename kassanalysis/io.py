"""All file reading and writing for kassanalysis lives here.

Cleaners and analyses are pure functions; this module hands them what they need (text lines,
frames, parsed JSON/YAML) and writes their results. ``data/raw`` is only ever read.
Processed tables are written to a temporary folder beside ``data/processed`` and swapped in
only when every table has been written, so a failed build never leaves a half-written or
mixed set of tables behind.
"""

# size-note: the project's one I/O module (STYLE.md: all reading and writing lives in one
# place): raw-file reading by content, reference and catalogue reading, and the build and
# pack folders (Parquet + manifest, lock, atomic swap). It is due a split into an io package
# along those three lines (raw / reference / builds), left for a later change.

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd

from kassanalysis import config, formats, kinds
from kassanalysis.catalogue import QUARTERLY_PARTS as QUARTERLY_PARTS
from kassanalysis.catalogue import CatalogueEntry, quarterly_part
from kassanalysis.periods import PeriodError, parse_period
from kassanalysis.reference import Reference, ReferenceError, make_reference_from_frames
from kassanalysis.text import split_lines as split_lines

CATALOGUE = "catalogue.yml"


@dataclass(frozen=True)
class ProjectPaths:
    """Where a project's data, reference files, notebooks and reports are."""

    root: Path

    @property
    def raw(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def processed_root(self) -> Path:
        """``data/processed``: a real folder holding its tracked ``README.md``, the
        ``current`` link to the latest build, ``builds/`` and the build lock."""
        return self.root / "data" / "processed"

    @property
    def processed(self) -> Path:
        """The current build's tables: ``data/processed/current``, a symbolic link to a
        folder under ``data/processed/builds/`` replaced in one atomic rename."""
        return self.processed_root / "current"

    @property
    def reference(self) -> Path:
        return self.root / "data" / "reference"

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    @property
    def reports(self) -> Path:
        return self.root / "reports"


def project_paths(root: Path | str | None = None) -> ProjectPaths:
    """The project at ``root``, or, without one, the project found from the working
    directory (see :func:`find_project`)."""
    return ProjectPaths(Path(root).resolve()) if root else find_project()


def find_project(start: Path | str | None = None) -> ProjectPaths:
    """Find the project folder: ``$KASS_ROOT``, else the nearest folder at or above ``start``
    (default: the working directory) holding ``data/raw/catalogue.yml``, else the folder the
    package was installed from."""
    if os.environ.get("KASS_ROOT"):
        return ProjectPaths(Path(os.environ["KASS_ROOT"]).resolve())
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "data" / "raw" / CATALOGUE).is_file():
            return ProjectPaths(folder)
    package_root = Path(__file__).resolve().parent.parent
    if (package_root / "data" / "raw" / CATALOGUE).is_file():
        return ProjectPaths(package_root)
    raise FileNotFoundError(
        f"no kassanalysis project found at or above {here} (looked for data/raw/{CATALOGUE}); "
        "set KASS_ROOT to the project folder"
    )


#: A configuration file that is not plain YAML (one line naming the file and line).
YamlFileError = config.YamlError


def read_yaml(path: Path) -> Any:
    """Read a YAML file with the safe loader, naming the file in any error (see
    :func:`kassanalysis.config.read_yaml`)."""
    return config.read_yaml(path)


def read_catalogue(raw_dir: Path) -> list[CatalogueEntry]:
    """Read and check ``data/raw/catalogue.yml``."""
    path = Path(raw_dir) / CATALOGUE
    return list(config.read_config(path, config.Catalogue).tables)


def add_raw_file(source: Path, raw_dir: Path, relative: str, entry_text: str) -> bool:
    """Copy ``source`` unchanged to ``raw_dir/relative`` and append ``entry_text`` (one
    catalogue item, already formatted) to the end of the catalogue, keeping every comment
    and line of the existing file. Returns False when the same file was already there.

    The catalogue is checked after the append; if it no longer parses, the old text is put
    back and the copied file removed.

    Raises
    ------
    FileExistsError
        A different file is already at ``relative`` (it is never overwritten).
    CatalogueError
        The catalogue with the new entry does not check.
    """
    raw_dir = Path(raw_dir)
    target = raw_dir / relative
    data = Path(source).read_bytes()
    existed = target.is_file()
    if existed and target.read_bytes() != data:
        raise FileExistsError(f"{relative}: a different file is already there; not overwritten")
    catalogue = raw_dir / CATALOGUE
    before = catalogue.read_text(encoding="utf-8")
    if not existed:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    joiner = "" if before.endswith("\n") else "\n"
    try:
        write_text(before + joiner + entry_text, catalogue)
        read_catalogue(raw_dir)
    except Exception:
        write_text(before, catalogue)
        if not existed:
            target.unlink(missing_ok=True)
        raise
    return not existed


REFERENCE_FILES = ("measures.csv", "indicators.csv", "authorities.csv", "identities.csv")
#: Optional reference table: ASCOF measure ids before and after the 2023-24 renumbering.
ASCOF_CROSSWALK = "ascof_crosswalk.csv"


def file_stamps(paths: list[Path] | tuple[Path, ...]) -> tuple:
    """Each file's path, modification time and size: a cache key that changes when an
    analyst edits the file (a missing file gets no stamp, so reading it still fails)."""
    stamps = []
    for path in paths:
        try:
            info = Path(path).stat()
            stamps.append((str(path), info.st_mtime_ns, info.st_size))
        except OSError:
            stamps.append((str(path), None, None))
    return tuple(stamps)


def read_reference(reference_dir: Path) -> Reference:
    """Read the analyst-edited reference tables in ``data/reference`` (read again only
    when one of them has changed; treat the result as read-only)."""
    ref = Path(reference_dir)
    stamps = file_stamps([ref / name for name in (*REFERENCE_FILES, ASCOF_CROSSWALK)])
    return _read_reference(stamps)


@functools.lru_cache(maxsize=4)
def _read_reference(stamps: tuple) -> Reference:
    measures, indicators, authorities, identities, crosswalk = (Path(path) for path, _, _ in stamps)
    ref = make_reference_from_frames(
        pd.read_csv(measures, dtype=str, keep_default_na=False),
        pd.read_csv(indicators, dtype={"id": str, "aliases": str}),
        pd.read_csv(authorities, dtype=str, keep_default_na=False),
        pd.read_csv(identities, dtype=str),
    )
    if stamps[-1][1] is None:  # the crosswalk is optional
        return ref
    table = pd.read_csv(crosswalk, dtype=str, keep_default_na=False, comment="#")
    return dataclasses.replace(ref, ascof_crosswalk=table)


SPC_REBASE = "spc_rebase.csv"
_SPC_REBASE_COLUMNS = ("indicator_id", "period", "reason")


def read_spc_rebase(reference_dir: Path) -> pd.DataFrame:
    """The SPC rebase points the analyst has named, from ``data/reference/spc_rebase.csv``.

    Making Data Count rebases a chart only where the process changed, for a recorded
    reason, never automatically (:func:`~kassanalysis.analysis.stats.calculate_xmr_chart`'s
    ``rebase_at``).

    Returns
    -------
    pandas.DataFrame
        Columns ``indicator_id``, ``period`` (the canonical label, e.g. ``2023-24 Q1``),
        ``reason`` and ``source_line`` (the file's line, the header being line 1); no rows
        when the file is absent or holds only its header.

    Raises
    ------
    ReferenceError
        One line naming the file, the line and what is wrong: a missing column, an empty
        indicator id or reason, a period that is not a period label, or a point named twice.
    """
    path = Path(reference_dir) / SPC_REBASE
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in _SPC_REBASE_COLUMNS})
    if not path.is_file():
        return empty.assign(source_line=pd.Series(dtype=int))
    table = pd.read_csv(path, dtype=str, keep_default_na=False, comment="#")
    absent = [c for c in _SPC_REBASE_COLUMNS if c not in table.columns]
    if absent:
        raise ReferenceError(f"{path}: missing column(s) {', '.join(absent)}")
    records, seen = [], set()
    for position, row in enumerate(table[list(_SPC_REBASE_COLUMNS)].itertuples(index=False)):
        line = position + 2
        indicator, label, reason = (str(v).strip() for v in row)
        if not indicator or not reason:
            what = "indicator_id" if not indicator else "reason"
            raise ReferenceError(f"{path}, line {line}: {what} is empty")
        try:
            label = parse_period(label).label
        except PeriodError as exc:
            raise ReferenceError(f"{path}, line {line}: period {label!r}: {exc}") from None
        if (indicator, label) in seen:
            raise ReferenceError(f"{path}, line {line}: {indicator} {label} is named twice")
        seen.add((indicator, label))
        records.append((indicator, label, reason, line))
    if not records:
        return empty.assign(source_line=pd.Series(dtype=int))
    return pd.DataFrame(records, columns=[*_SPC_REBASE_COLUMNS, "source_line"])


def read_file_format(path: Path) -> tuple[bytes, formats.FileFormat]:
    """A file's bytes and what they are (decided from the content, not the name)."""
    data = Path(path).read_bytes()
    return data, formats.sniff(data)


def describe_file(path: Path) -> str:
    """What a file is, in words ("an Excel workbook (.xlsx) with sheet 'A' ...")."""
    data, fmt = read_file_format(path)
    return formats.describe(data, fmt)


def read_text_lines(path: Path) -> formats.TableLines:
    """Lines of a text file (UTF-8, UTF-8 with BOM or Windows-1252), with the table layout
    found in them (``pipe``, ``tab``, ``csv`` or ``prose``) as ``.layout``.

    Raises
    ------
    FormatError
        The file is not text (a workbook, a PDF, a binary file): the message says what it is.
    """
    data, fmt = read_file_format(path)
    if fmt.container not in ("text", "json"):
        raise formats.FormatError(f"is {formats.describe(data, fmt)}, not a text file")
    text, encoding = formats.decode_text(data)
    return formats.TableLines(split_lines(text), layout=fmt.layout, encoding=encoding)


def read_table_lines(path: Path, sheet: str | None = None) -> formats.TableLines:
    """A table as lines, whatever the file: text as read (see :func:`read_text_lines`), or
    one sheet of a workbook (``sheet``, else the first with data) as tab-separated lines,
    one per sheet row, so line numbers are sheet row numbers."""
    data, fmt = read_file_format(path)
    if not fmt.is_workbook:
        return read_text_lines(path)
    sheets = formats.workbook_sheets(data)
    if sheet is not None and sheet not in sheets:
        raise formats.FormatError(f"has no sheet {sheet!r}; it is {formats.describe(data, fmt)}")
    names = [sheet] if sheet else list(sheets)
    for name in names:
        rows = ["\t".join(formats.cell_text(c) for c in row) for row in sheets[name]]
        if sum(1 for r in rows if r.strip()) >= 2:
            return formats.TableLines(rows, layout="tab", sheet=name)
    raise formats.FormatError(f"is {formats.describe(data, fmt)}, with no table of two rows")


def read_frames(
    path: Path, *, header: int | None = 0, keep_default_na: bool = False
) -> dict[str, pd.DataFrame]:
    """A table file as text frames by sheet, whatever its format.

    A workbook gives one frame per sheet; a CSV or tab-separated text file (any of the
    encodings of :func:`kassanalysis.formats.decode_text`) gives one frame named after the
    file. Cells are text (blank is ``""``, or NaN with ``keep_default_na``, as pandas reads
    its default missing markers) so cleaners see exactly what was published.

    Raises
    ------
    FormatError
        The file holds no table (prose, JSON, a PDF...).
    """
    path = Path(path)
    data, fmt = read_file_format(path)
    if fmt.is_workbook:
        return pd.read_excel(
            path,
            sheet_name=None,
            header=header,
            dtype=str,
            engine="calamine",
            keep_default_na=keep_default_na,
        )
    if fmt.container == "text" and fmt.layout in ("csv", "tab"):
        text, _ = formats.decode_text(data)
        frame = pd.read_csv(
            StringIO(text),
            sep="," if fmt.layout == "csv" else "\t",
            header=header,
            dtype=str,
            keep_default_na=keep_default_na,
            skip_blank_lines=True,
        )
        return {path.stem: frame}
    raise formats.FormatError(f"is {formats.describe(data, fmt)}, not a table")


PREVIEW_ROWS = 30
# Lines of a text file looked at to recognise its kind: a council report prints its KPI boxes
# after pages of narrative (Kent's Q3 2024-25 report: from line 150 to 280).
PREVIEW_LINES = 2000


def preview_file(path: Path) -> kinds.Preview:
    """A quick look at a file for recognising its kind: format, description, first rows."""
    path = Path(path)
    data, fmt = read_file_format(path)
    description = formats.describe(data, fmt)
    sheets: dict[str, list[list[str]]] = {}
    lines: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    if fmt.is_workbook:
        try:
            book = formats.workbook_sheets(data, limit=PREVIEW_ROWS)
        except formats.FormatError:
            book = {}
        sheets = {
            name: [[formats.cell_text(c) for c in row] for row in rows]
            for name, rows in book.items()
        }
    elif fmt.container == "json":
        document = json.loads(formats.decode_text(data)[0])
        keys = tuple(document)[:50] if isinstance(document, dict) else ()
    elif fmt.container == "text":
        text, _ = formats.decode_text(data)
        lines = tuple(split_lines(text)[:PREVIEW_LINES])
        sheets = {path.name: formats.text_rows(text, fmt.layout or "prose", limit=PREVIEW_ROWS)}
    return kinds.Preview(path.name, fmt, description, sheets, lines, keys)


def check_format(entry: CatalogueEntry, path: Path) -> formats.FileFormat:
    """The file's format, if its kind reads it.

    Raises
    ------
    FormatError
        One line: what the file is and what the kind expects.
    """
    data, fmt = read_file_format(path)
    reading = kinds.kind_reading(entry.kind)
    if fmt.name not in reading.accepts:
        raise formats.FormatError(
            f"is {formats.describe(data, fmt)}; {entry.kind} reads {reading.expects}"
        )
    return fmt


class RawPathError(ValueError):
    """A catalogued file that is not inside ``data/raw`` (a symbolic link out of it)."""


def confined_path(raw_dir: Path, file: str) -> Path:
    """``raw_dir/file``, checked to be inside ``raw_dir`` once symbolic links are followed:
    inputs stay under ``data/raw``, where the build's input hashes see them.

    Raises
    ------
    RawPathError
        Naming the file and where it leads.
    """
    path = Path(raw_dir) / file
    real, root = path.resolve(), Path(raw_dir).resolve()
    if not real.is_relative_to(root):
        raise RawPathError(
            f"leads outside data/raw: {file} -> {real}; raw files must be inside "
            "data/raw: copy the file in (kass add) instead of linking to it"
        )
    return path


def read_raw(entry: CatalogueEntry, raw_dir: Path, *, confine: bool = True) -> Any:
    """Read one catalogued raw file in the form its cleaner expects.

    The format is decided from the file's content: a CSV named ``.txt`` or a workbook
    named ``.csv`` is read as what it is. With ``confine`` (the build) the file, and the
    parts of a quarterly return, must be inside ``raw_dir`` once links are followed
    (:func:`confined_path`); ``kass check`` reads a file from anywhere.

    Raises
    ------
    FileNotFoundError
        The file is not there.
    FormatError
        The file is not a format its kind reads (one line: what it is, what is expected).
    RawPathError
        With ``confine``: the file leads outside ``raw_dir``.
    """
    path = confined_path(raw_dir, entry.file) if confine else Path(raw_dir) / entry.file
    if confine and entry.kind == "quarterly_return":
        for part in QUARTERLY_PARTS:
            if "#" not in quarterly_part(entry.file, part):
                confined_path(raw_dir, quarterly_part(entry.file, part))
    if not path.is_file():
        raise FileNotFoundError(
            f"{entry.file}: listed in the catalogue as {entry.id!r} but not found in {raw_dir}"
        )
    fmt = check_format(entry, path)
    if entry.kind == "oflog_outcomes":
        return next(iter(read_frames(path).values()))
    if entry.kind == "indicator_export":
        return first_sheet(path)
    if entry.kind == "deprivation":
        if fmt.is_workbook:
            return read_frames(path, header=None)
        return {path.name: read_csv_text(path, header=None)}
    if entry.kind == "nearest_neighbours":
        if fmt.container == "json":
            return json.loads(formats.decode_text(path.read_bytes())[0])
        return first_sheet(path)
    if entry.kind == "ascof_open_data":
        return first_sheet(path)
    if entry.kind in ("ons_mye2", "ons_mye_series"):
        if fmt.is_workbook:
            return pd.read_excel(path, sheet_name=None, header=None, engine="calamine")
        return {path.name: read_csv_text(path, header=None)}
    if entry.kind == "asc_fr":
        return first_sheet(path, header=None)
    if entry.kind == "quarterly_return":
        return read_quarterly_return(path, workbook=fmt.is_workbook)
    return read_table_lines(path)


def read_csv_text(path: Path, *, header: int | None = 0) -> pd.DataFrame:
    """A comma-separated file as text cells (nothing turned into NaN), in any encoding
    :func:`kassanalysis.formats.decode_text` reads. With ``header=None`` blank lines are
    kept, so row ``i`` is line ``i + 1`` of the file."""
    text, _ = formats.decode_text(Path(path).read_bytes())
    return pd.read_csv(
        StringIO(text),
        dtype=str,
        keep_default_na=False,
        header=header,
        skip_blank_lines=header is not None,
    )


def first_sheet(path: Path, *, header: int | None = 0) -> pd.DataFrame:
    """The first sheet of a workbook (its name in ``attrs["sheet_name"]``) or a CSV, as
    text cells (blank is ``""``); the format is taken from the content."""
    _, fmt = read_file_format(path)
    if not fmt.is_workbook:
        return read_csv_text(path, header=header)
    name, frame = next(iter(read_frames(path, header=header).items()))
    frame = frame.fillna("")
    frame.attrs["sheet_name"] = name
    return frame


def read_quarterly_return(path: Path, workbook: bool | None = None) -> dict[str, pd.DataFrame]:
    """Read a quarterly return (CSV folder pair or Excel workbook) as text frames by sheet.

    An Excel return has sheets ``indicators`` and ``budget``; a CSV return is two files
    ``<name>.indicators.csv`` and ``<name>.budget.csv`` (``path`` names either one's stem).
    Cells are read as text so the cleaner sees exactly what was typed.
    """
    path = Path(path)
    if workbook is None:
        workbook = read_file_format(path)[1].is_workbook
    if workbook:
        return pd.read_excel(
            path, sheet_name=None, dtype=str, engine="calamine", keep_default_na=False
        )
    sheets = {}
    indicators = path.with_name(PurePosixPath(quarterly_part(path.name, "indicators")).name)
    if indicators.is_file():
        sheets["indicators"] = pd.read_csv(indicators, dtype=str, keep_default_na=False)
    budget = path.with_name(PurePosixPath(quarterly_part(path.name, "budget")).name)
    if budget.is_file():
        # Text columns as text; amounts are parsed by pandas where they are plain numbers
        # (fast for large ledgers). Only a blank cell counts as missing: "N/A" stays text.
        sheets["budget"] = pd.read_csv(
            budget,
            dtype={"cost_centre": "category", "line": "category", "period": "category"},
            keep_default_na=False,
            na_values=[""],
        )
    return sheets


def hash_file(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def hash_inputs(paths: ProjectPaths) -> dict[str, str]:
    """SHA-256 of every raw and reference file, keyed by path relative to the project
    (hashed again only for files whose modification time or size changed)."""
    files = sorted([*paths.raw.rglob("*"), *paths.reference.rglob("*")])
    return {
        str(f.relative_to(paths.root)): _hash_stamped(*file_stamps([f])[0])
        for f in files
        if f.is_file()
    }


@functools.lru_cache(maxsize=1024)
def _hash_stamped(path: str, mtime_ns: int | None, size: int | None) -> str:
    return hash_file(Path(path))


class ProcessedDataError(RuntimeError):
    """``data/processed`` is missing, damaged, changed since its build or older than
    ``data/raw``; the one-line message names the file and what to do."""


class OutputError(RuntimeError):
    """An output could not be written (disk full, read-only or forbidden folder); the
    one-line message names the path. Nothing already published was changed."""


class LockBusyError(RuntimeError):
    """Another ``kass build`` or ``kass report`` holds the project's lock."""


#: Name of the link to the current build inside ``data/processed`` and of the folder
#: holding the builds; a pack's versions are kept under ``reports/versions``.
CURRENT = "current"
BUILDS = "builds"
VERSIONS = "versions"
STAGING_PREFIX = ".staging-"
LOCK_NAME = "kass.lock"
#: Environment variable that pins :func:`kassanalysis.load` to one build folder: the pack
#: sets it for its kernels so that every notebook reads the build the pack started with.
PINNED_BUILD = "KASS_BUILD"


def output_error(exc: OSError, path: Path | str | None = None) -> OutputError:
    """One line for a failed write, naming the path and the reason in plain words.

    Examples
    --------
    >>> import errno
    >>> str(output_error(OSError(errno.ENOSPC, "No space left on device"), "reports/x"))
    'cannot write reports/x: the disk is full (nothing published was changed)'
    """
    import errno

    where = path or exc.filename or "output"
    reason = {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is exceeded",
        errno.EROFS: "the folder is on a read-only file system",
        errno.EACCES: "permission denied (the folder is read-only for this user)",
        errno.EPERM: "permission denied",
    }.get(exc.errno, exc.strerror or str(exc))
    return OutputError(f"cannot write {where}: {reason} (nothing published was changed)")


def current_umask() -> int:
    """The process's file-creation mask (read without changing it for long)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def make_staging_dir(parent: Path, prefix: str) -> Path:
    """A new, empty staging folder in ``parent`` whose mode honours the umask
    (:func:`tempfile.mkdtemp` alone always gives 0700, which a shared drive or a web server
    cannot read)."""
    parent = Path(parent)
    try:
        parent.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
        folder.chmod(0o777 & ~current_umask())
    except OSError as exc:
        raise output_error(exc, exc.filename or parent) from None
    return folder


def project_lock(paths: ProjectPaths, *, wait: float | None = None):
    """The project's lock (``data/processed/kass.lock``), held by ``kass build`` and by
    ``kass report`` for their whole run so that they never interleave.

    Use as a context manager. ``wait`` is how many seconds to wait for another run to
    finish (default: ``$KASS_LOCK_WAIT``, else 0: refuse at once).

    Raises
    ------
    LockBusyError
        Another build or report holds the lock; the message says so.
    """
    import contextlib

    from filelock import FileLock, Timeout

    if wait is None:
        try:
            wait = float(os.environ.get("KASS_LOCK_WAIT", "0"))
        except ValueError:
            wait = 0.0
    path = paths.processed_root / LOCK_NAME
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(exc, path.parent) from None
    lock = FileLock(path, is_singleton=True, thread_local=False, mode=0o666)

    @contextlib.contextmanager
    def held():
        try:
            lock.acquire(timeout=max(wait, 0))
        except Timeout:
            raise LockBusyError(
                f"another kass build or kass report is running on {paths.root} (lock "
                f"{path} is held); nothing was changed: run again when it has finished"
                + (f" (waited {wait:g} s)" if wait else " or set KASS_LOCK_WAIT=seconds")
            ) from None
        except OSError as exc:
            raise output_error(exc, path) from None
        try:
            yield lock
        finally:
            lock.release()

    return held()


def _link_target(link: Path) -> Path | None:
    """The folder a symbolic link points to (absolute), or None when ``link`` is not one."""
    if not link.is_symlink():
        return None
    return (link.parent / os.readlink(link)).resolve()


_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step with ``renameat2(RENAME_EXCHANGE)`` (Linux 3.15+);
    False when the system does not offer it."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    if result != 0:
        err = ctypes.get_errno()
        if err in (38, 22, 95):  # ENOSYS, EINVAL, EOPNOTSUPP: not offered here
            return False
        raise OSError(err, os.strerror(err), str(a))
    return True


def swap_in(new: Path, target: Path, versions: Path | None = None) -> Path:
    """Publish folder ``new`` at ``target`` so that ``target`` is never missing.

    ``new`` is moved into ``versions`` (default: ``<target's folder>/versions``) under a
    name with the time and process id, and ``target`` becomes a symbolic link to it: a new
    link is made beside ``target`` and renamed over it (:func:`os.replace`, atomic). A
    reader sees the old folder or the new one, whole, at every moment, and a kill at any
    point leaves at most a leftover that :func:`recover_leftovers` removes. A ``target``
    that is still a real folder (from an older version) is exchanged with the link in one
    ``renameat2(RENAME_EXCHANGE)`` where the system offers it. The folder the old link
    pointed to is removed afterwards. Returns the new version folder.
    """
    new, target = Path(new), Path(target)
    versions = Path(versions) if versions else target.parent / VERSIONS
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    try:
        versions.mkdir(parents=True, exist_ok=True)
        final = versions / f"{target.name}-{stamp}-{os.getpid()}"
        new.rename(final)
        old_version = _link_target(target)
        link = target.with_name(f".{target.name}.link-{os.getpid()}")
        if link.is_symlink():
            link.unlink()
        os.symlink(os.path.relpath(final, target.parent), link)
        if target.is_symlink() or not target.exists():
            os.replace(link, target)
        elif _exchange(link, target):  # an old real folder: now at ``link``
            shutil.rmtree(link, ignore_errors=True)
        else:  # no RENAME_EXCHANGE: set the folder aside (restored by recover_leftovers)
            aside = target.with_name(f".{target.name}-old-{os.getpid()}")
            target.rename(aside)
            os.replace(link, target)
            shutil.rmtree(aside, ignore_errors=True)
    except OSError as exc:
        raise output_error(exc, exc.filename or target) from None
    if (
        old_version is not None
        and old_version != final.resolve()
        and (old_version.parent == versions.resolve())
    ):
        shutil.rmtree(old_version, ignore_errors=True)
    return final


def recover_leftovers(target: Path, versions: Path | None = None) -> list[str]:
    """Clean up after a run that was killed: restore a set-aside ``.<name>-old-PID`` folder
    when ``target`` is missing (else remove it), remove half-made links, staging folders
    and version folders that ``target`` does not point to. Call it holding the project
    lock. Returns what was done, one line each (for the run log)."""
    target = Path(target)
    versions = Path(versions) if versions else target.parent / VERSIONS
    done = []
    for aside in sorted(target.parent.glob(f".{target.name}-old-*")):
        if not target.exists() and not target.is_symlink():
            aside.rename(target)
            done.append(f"restored {target} from {aside.name}")
        else:
            shutil.rmtree(aside, ignore_errors=True)
            done.append(f"removed {aside}")
    for link in target.parent.glob(f".{target.name}.link-*"):
        if link.is_symlink():
            link.unlink()
        else:
            shutil.rmtree(link, ignore_errors=True)
        done.append(f"removed {link}")
    if target.is_symlink() and not target.exists():  # points nowhere: drop the link
        target.unlink()
        done.append(f"removed dangling link {target}")
    current = _link_target(target)
    # this target's versions and staging folders only: "2013-14" must not match the
    # folders of "2013-14-Q1" (see swap_in and make_staging_dir for the names)
    name = re.escape(target.name)
    mine = re.compile(
        rf"{name}-\d{{8}}T\d{{12}}-\d+|{re.escape(STAGING_PREFIX)}{name}-[a-z0-9_]{{8}}"
    )
    if versions.is_dir():
        for folder in sorted(versions.iterdir()):
            if mine.fullmatch(folder.name) and folder.resolve() != current:
                shutil.rmtree(folder, ignore_errors=True)
                done.append(f"removed leftover {folder}")
    return done


_LEGACY_PROCESSED = ("*.csv", "*.validated.pkl", "manifest.json")


def write_processed(
    tables: dict[str, pd.DataFrame], processed_dir: Path, manifest: dict[str, Any]
) -> dict[str, Any]:
    """Write every tidy table (Parquet for loading, CSV to read), then publish the set
    in one atomic step (:func:`swap_in`).

    The tables go to a staging folder under ``data/processed/builds``; the manifest
    records each file's SHA-256 (``files``) beside the input hashes, and
    :func:`read_build_table` checks them before use. Parquet holds only data, so a
    planted file cannot run code when loaded (a cache of Python objects could).
    ``processed_dir`` is the ``current`` link (:attr:`ProjectPaths.processed`). Returns
    the manifest written.

    Raises
    ------
    OutputError
        Disk full, read-only folder...: one line naming the path; the previous build is
        left as it was and the staging folder removed.
    """
    processed_dir = Path(processed_dir)
    builds = processed_dir.parent / BUILDS
    recover_leftovers(processed_dir, builds)
    staging = make_staging_dir(builds, f"{STAGING_PREFIX}{processed_dir.name}-")
    manifest = dict(manifest)
    writing = staging
    try:
        files = {}
        for name, frame in tables.items():
            parquet, csv = table_writers(frame)
            for file, write in ((f"{name}.parquet", parquet), (f"{name}.csv", csv)):
                writing = staging / file
                write(writing)
                files[file] = hash_file(writing)
        manifest["files"] = files
        writing = staging / "manifest.json"
        writing.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        writing = processed_dir
        swap_in(staging, processed_dir, builds)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise output_error(exc, exc.filename or writing) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    for pattern in _LEGACY_PROCESSED:  # tables of an older layout, beside the README
        for old in processed_dir.parent.glob(pattern):
            old.unlink(missing_ok=True)
    return manifest


def table_writers(frame: pd.DataFrame) -> tuple[Callable, Callable]:
    """Writers of one tidy table as Parquet (the cache ``load`` reads) and as CSV (the
    copy analysts open), from one conversion of the frame to Arrow.

    The CSV is written by Arrow's C++ writer, about fifty times faster than
    ``DataFrame.to_csv`` on the 624,000-row ``finance_lines``: a header row, ``\\n`` line
    ends, text always in double quotes, missing values as empty fields, whole-number
    floats without ``.0`` (``372``), booleans as ``true``/``false``. ``pandas.read_csv``
    reads it back to the same values.
    """
    import pyarrow as pa
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    return (lambda path: pq.write_table(table, path)), (lambda path: pa_csv.write_csv(table, path))


def resolve_build(processed_dir: Path) -> Path:
    """The folder of the current build (the ``current`` link resolved once, so that a
    reader keeps reading one build even if a new one is swapped in meanwhile).

    Raises
    ------
    ProcessedDataError
        No build yet.
    """
    pinned = os.environ.get(PINNED_BUILD)
    if pinned:
        return Path(pinned)
    processed_dir = Path(processed_dir)
    if not (processed_dir / "manifest.json").is_file():
        raise ProcessedDataError(f"{processed_dir} has no build yet: run `kass build` first")
    return processed_dir.resolve()


def read_build_manifest(build: Path) -> dict[str, Any]:
    """The manifest of one build folder, as a one-line error when missing or damaged."""
    path = Path(build) / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProcessedDataError(f"{path} is missing: run `kass build`") from None
    except (OSError, ValueError) as exc:
        raise ProcessedDataError(f"{path} cannot be read ({exc}): run `kass build`") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise ProcessedDataError(
            f"{path} lists no file hashes (built by an older version): run `kass build`"
        )
    return manifest


def verify_build_file(build: Path, file: str, manifest: dict[str, Any]) -> Path:
    """The path of ``file`` in ``build`` after checking its SHA-256 against the manifest.

    Raises
    ------
    ProcessedDataError
        The file is missing, not in the manifest, or changed (truncated, edited) since the
        build; one line naming it.
    """
    path = Path(build) / file
    expected = manifest["files"].get(file)
    if expected is None:
        raise ProcessedDataError(f"{path} is not part of the build: run `kass build`")
    if not path.is_file():
        raise ProcessedDataError(f"{path} is missing: run `kass build`")
    if hash_file(path) != expected:
        raise ProcessedDataError(
            f"{path} has changed since the build (SHA-256 differs from the manifest): "
            "it was edited, truncated or damaged; run `kass build`"
        )
    return path


def read_build_table(name: str, build: Path, manifest: dict[str, Any]) -> pd.DataFrame:
    """One tidy table of a build, exactly as validated, after checking its hash."""
    path = verify_build_file(build, f"{name}.parquet", manifest)
    try:
        return pd.read_parquet(path, engine="pyarrow")
    except Exception as exc:  # pyarrow's errors vary by damage; the hash matched though
        raise ProcessedDataError(
            f"{path} cannot be read ({type(exc).__name__}): run `kass build`"
        ) from None


def stale_inputs(paths: ProjectPaths, manifest: dict[str, Any]) -> list[str]:
    """Raw and reference files added, removed or changed since the build that wrote
    ``manifest`` (paths relative to the project); empty when the build is up to date."""
    now = hash_inputs(paths)
    then = manifest.get("inputs") or {}
    return sorted(k for k in set(now) | set(then) if now.get(k) != then.get(k))


def read_processed_table(name: str, processed_dir: Path) -> pd.DataFrame:
    """Read one processed table's CSV as written by :func:`write_processed` (not yet
    validated), after checking it against the build's manifest."""
    build = resolve_build(processed_dir)
    manifest = read_build_manifest(build)
    path = verify_build_file(build, f"{name}.csv", manifest)
    return pd.read_csv(path, keep_default_na=True, low_memory=False)


def read_manifest(processed_dir: Path) -> dict[str, Any]:
    """The manifest of the last successful build."""
    return read_build_manifest(resolve_build(processed_dir))


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write a CSV atomically (temporary file, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    frame.to_csv(tmp, index=False, lineterminator="\n")
    tmp.replace(path)
    return path


def write_text(text: str, path: Path) -> Path:
    """Write a text file atomically (temporary file, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
