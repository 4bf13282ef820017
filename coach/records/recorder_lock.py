"""The recording lock: only one store at a time records into a database.

Recording is claimed with an advisory lock on `<database>.lock`, taken when a session
starts and held until the store closes. Only a store that can take it repairs sessions
left 'in_progress' or upgrades the file, so opening a reader during a live session never
marks that session interrupted, and two windows cannot record into one database at once.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from coach.base.errors import StoreError
from coach.base.i18n import tr


class RecorderLock:
    """An advisory, non-blocking lock on a small file beside the database.

    flock (POSIX) and msvcrt.locking (Windows) locks belong to the open file, so two
    stores in one process exclude each other like two processes do, and the operating
    system drops the lock when a crashed process dies. The lock file itself is left in
    place: deleting it would race with another process taking it.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._fd: int | None = None
        self.held = False

    def acquire(self, timeout_s: float) -> bool:
        """Take the lock, waiting up to `timeout_s`; False if another store keeps it."""
        if self.held:
            return True
        if self._fd is None:
            try:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as error:
                raise StoreError(
                    tr(
                        "cannot create {path} ({problem}); check the data folder's permissions",
                        path=self._path,
                        problem=error.strerror,
                    )
                ) from error
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                _lock_file(self._fd)
            except OSError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.02)
            else:
                self.held = True
                return True

    def release(self) -> None:
        if self.held and self._fd is not None:
            _unlock_file(self._fd)
        self.held = False

    def close(self) -> None:
        self.release()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


if sys.platform == "win32":
    import msvcrt

    def _lock_file(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock_file(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock_file(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock_file(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
