"""Files only the user can read, written whole or not at all: the one way the app writes.

Everything the app keeps or exports is health data about a patient: the session database,
its exports, PDF reports, bundles, analyses. On Linux and macOS a file is created with
the process's umask, usually 022, so anyone with an account on the computer could read
it. Here the data folder is made 0700 and every file 0600 from the moment it exists
(never readable by others, not even for a moment), whatever the umask. Windows keeps a
user's profile private already and has no such mode bits: there nothing extra is done.

An output is written to a new temporary file beside its target, then renamed over it
(`os.replace`, atomic on one file system) only when complete: a full disk, a crash or an
error half-way leaves the earlier file as it was and no temporary file behind, never a
truncated report or export under the real name.

    with atomic_private_open(path, newline="") as handle:   # text (or mode="wb")
        csv.writer(handle).writerows(rows)
    with atomic_private_path(path) as temporary:            # for a library that wants a name
        PdfPages(temporary)...
    write_private_text(path, text)
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

#: the user may enter, list and change the folder; nobody else may
PRIVATE_FOLDER_MODE = 0o700
#: the user may read and write the file; nobody else may
PRIVATE_FILE_MODE = 0o600
#: how a temporary file beside its target ends (its name starts with "." and the target's name)
TEMPORARY_SUFFIX = ".tmp"

#: mode bits exist (Linux, macOS); a module constant so tests can play Windows
POSIX = os.name == "posix"


def private_folder(folder: Path) -> bool:
    """Create `folder` so that only the user can open it (0700); missing parents above it
    get the system's usual permissions. Returns True if it was created here, False if it
    existed already (then it is left as it is: see `tighten`)."""
    folder = Path(folder)
    if folder.is_dir():
        return False
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        folder.mkdir(mode=PRIVATE_FOLDER_MODE)  # the umask may take bits away, never add them
    except FileExistsError:
        if folder.is_dir():
            return False  # made meanwhile by another process
        raise
    if POSIX:
        os.chmod(folder, PRIVATE_FOLDER_MODE)  # exactly 0700, whatever the umask took away
    return True


def tighten(path: Path) -> None:
    """Take the group's and others' permissions away from an existing file or folder
    (the owner's are kept). Best effort: a file system without permissions (a FAT USB
    stick) or a file of another user is left as it is. Nothing happens on Windows."""
    if not POSIX:
        return
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
        if mode & 0o077:
            os.chmod(path, mode & ~0o077)
    except OSError:
        pass


def new_private_file(path: Path) -> bool:
    """Create an empty file only the user can read and write (0600), unless something
    exists under that name already; returns True if it was created. For a file another
    library fills in later (SQLite keeps the mode, and gives its -wal and -shm files the
    same). Raises OSError if the folder refuses it. Nothing happens on Windows."""
    if not POSIX or os.path.lexists(path):
        return False  # an existing file may sit in a folder (or disk) that is read-only now
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        return False
    try:
        os.fchmod(fd, PRIVATE_FILE_MODE)
    finally:
        os.close(fd)
    return True


@contextmanager
def atomic_private_path(target: Path) -> Iterator[Path]:
    """The name of a new, empty, private file beside `target` to write; when the block
    ends without an error it is flushed to the disk and renamed to `target` (replacing
    any file there). On any error, or if the block raises, the temporary file is removed
    and `target` is left untouched. The target's folder is created if missing."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMPORARY_SUFFIX, dir=target.parent)
    temporary = Path(name)
    try:
        try:
            if POSIX:
                os.fchmod(fd, PRIVATE_FILE_MODE)  # mkstemp's 0600 already; said here, not assumed
        finally:
            os.close(fd)
        yield temporary
        _flush_to_disk(temporary)
        os.replace(temporary, target)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        if error.filename is None:  # a failed write names no file: name the one the user asked for
            raise OSError(error.errno, error.strerror, str(target)) from error
        raise
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync_folder(target.parent)


@contextmanager
def atomic_private_open(
    target: Path, mode: str = "w", *, encoding: str | None = None, newline: str | None = None
) -> Iterator[IO[Any]]:
    """`atomic_private_path` as an open file: "w" (text, UTF-8 unless `encoding` says
    otherwise) or "wb". The file appears under `target` complete, or not at all."""
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_private_open writes a new file: mode 'w' or 'wb', not {mode!r}")
    text = "b" not in mode
    with atomic_private_path(target) as temporary:
        with open(
            temporary, mode, encoding=(encoding or "utf-8") if text else None, newline=newline if text else None
        ) as handle:
            yield handle


def write_private_text(target: Path, text: str, *, encoding: str = "utf-8") -> None:
    """`text` as the whole of the file `target`: private, and complete or not written."""
    with atomic_private_open(target, encoding=encoding) as handle:
        handle.write(text)


def _flush_to_disk(path: Path) -> None:
    """Make the bytes durable before the rename makes them visible, and make sure the file
    is still private (a writer may have put a new file under the temporary name)."""
    fd = os.open(path, os.O_RDWR)
    try:
        if POSIX:
            os.fchmod(fd, PRIVATE_FILE_MODE)
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_folder(folder: Path) -> None:
    """Make the new name durable (POSIX; Windows has no folder handles to sync). Best
    effort: some file systems cannot sync a folder, and the file is complete either way."""
    if not POSIX:
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
