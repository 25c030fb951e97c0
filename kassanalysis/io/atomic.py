"""Writing that a reader never sees half done: files written to a temporary name and
renamed, staging folders, the project lock held by ``kass build`` and ``kass report``, the
symbolic-link swap that publishes a build or a pack whole, and the clean-up after a run
that was killed. A failed write is one line naming the path (:class:`OutputError`)."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from kassanalysis.io.paths import ProjectPaths


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
