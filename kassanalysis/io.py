"""All file reading and writing for kassanalysis lives here.

Cleaners and analyses are pure functions; this module hands them what they need (text lines,
frames, parsed JSON/YAML) and writes their results. ``data/raw`` is only ever read.
Processed tables are written to a temporary folder beside ``data/processed`` and swapped in
only when every table has been written, so a failed build never leaves a half-written or
mixed set of tables behind.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd
import yaml

from kassanalysis.catalogue import CatalogueEntry, parse_catalogue
from kassanalysis.reference import Reference, make_reference_from_frames

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


_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlFileError(ValueError):
    """A configuration file that is not plain YAML; the one-line message names the file
    and line."""


def read_yaml(path: Path) -> Any:
    """Read a YAML file, naming the file in any error. (libyaml's safe loader where
    installed: the same documents, a tenth of the time.)

    Raises
    ------
    YamlFileError
        One line naming the file, the line and the problem (a syntax error, or a tag such
        as ``!!python/object`` that the safe loader refuses to construct).
    """
    try:
        return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        problem = " ".join(str(problem).split())
        raise YamlFileError(f"{path}{where}: not valid YAML: {problem}") from None
    except UnicodeDecodeError as exc:
        raise YamlFileError(f"{path}: not UTF-8 text ({exc.reason})") from None


def read_catalogue(raw_dir: Path) -> list[CatalogueEntry]:
    """Read and check ``data/raw/catalogue.yml``."""
    path = Path(raw_dir) / CATALOGUE
    return parse_catalogue(read_yaml(path), where=str(path))


REFERENCE_FILES = ("measures.csv", "indicators.csv", "authorities.csv", "identities.csv")


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
    return _read_reference(file_stamps([ref / name for name in REFERENCE_FILES]))


@functools.lru_cache(maxsize=4)
def _read_reference(stamps: tuple) -> Reference:
    measures, indicators, authorities, identities = (Path(path) for path, _, _ in stamps)
    return make_reference_from_frames(
        pd.read_csv(measures, dtype=str, keep_default_na=False),
        pd.read_csv(indicators, dtype={"id": str, "aliases": str}),
        pd.read_csv(authorities, dtype=str, keep_default_na=False),
        pd.read_csv(identities, dtype=str),
    )


def split_lines(text: str) -> list[str]:
    """Lines of ``text`` broken at LF, CRLF or a lone CR only.

    :meth:`str.splitlines` also breaks at vertical tab, form feed, the file, group and
    record separators (1C-1E), NEL (U+0085) and the Unicode line and paragraph separators
    (U+2028, U+2029); a stray one inside a cell would shift every later line number, so
    that errors and ``source_line`` cite the wrong line. Those characters stay in the line.

    Examples
    --------
    >>> split_lines("a\\x0bb\\r\\nc\\u2028d\\n")
    ['a\\x0bb', 'c\\u2028d']
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def read_text_lines(path: Path) -> list[str]:
    """Lines of a text file (UTF-8; a Windows-1252 export is accepted too), split by
    :func:`split_lines` so line numbers are those a text editor shows."""
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    return split_lines(text)


def read_raw(entry: CatalogueEntry, raw_dir: Path) -> Any:
    """Read one catalogued raw file in the form its cleaner expects."""
    path = Path(raw_dir) / entry.file
    if not path.is_file():
        raise FileNotFoundError(
            f"{entry.file}: listed in the catalogue as {entry.id!r} but not found in {raw_dir}"
        )
    if entry.kind == "oflog_outcomes":
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    if entry.kind == "nearest_neighbours":
        return json.loads(path.read_text(encoding="utf-8"))
    if entry.kind == "ascof_open_data":
        sheets = pd.read_excel(path, sheet_name=None, engine="calamine", dtype=str)
        name, frame = next(iter(sheets.items()))
        frame.attrs["sheet_name"] = name
        return frame
    if entry.kind == "ons_mye2":
        return pd.read_excel(path, sheet_name=None, header=None, engine="calamine")
    if entry.kind == "quarterly_return":
        return read_quarterly_return(path)
    return read_text_lines(path)


QUARTERLY_PARTS = ("indicators", "budget")


def quarterly_part(file: str, part: str) -> str:
    """Where part ``part`` of the quarterly return catalogued as ``file`` is read from, as
    its rows name it: the sheet ``<file>#<part>`` of a workbook, else the CSV file
    ``<stem>.<part>.csv`` beside ``file``.

    Examples
    --------
    >>> quarterly_part("quarterly/kent-2013-14-Q1.csv", "budget")
    'quarterly/kent-2013-14-Q1.budget.csv'
    >>> quarterly_part("quarterly/kent-2013-14-Q1.xlsx", "budget")
    'quarterly/kent-2013-14-Q1.xlsx#budget'
    """
    path = PurePosixPath(file)
    if path.suffix.lower() in (".xlsx", ".xls"):
        return f"{file}#{part}"
    return str(path.parent / f"{path.name.split('.')[0]}.{part}.csv")


def read_quarterly_return(path: Path) -> dict[str, pd.DataFrame]:
    """Read a quarterly return (CSV folder pair or Excel workbook) as text frames by sheet.

    An Excel return has sheets ``indicators`` and ``budget``; a CSV return is two files
    ``<name>.indicators.csv`` and ``<name>.budget.csv`` (``path`` names either one's stem).
    Cells are read as text so the cleaner sees exactly what was typed.
    """
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xls"):
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
            writing = staging / f"{name}.parquet"
            frame.to_parquet(writing, engine="pyarrow", index=False)
            writing = staging / f"{name}.csv"
            frame.to_csv(writing, index=False, lineterminator="\n")
            for file in (f"{name}.parquet", f"{name}.csv"):
                files[file] = hash_file(staging / file)
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
