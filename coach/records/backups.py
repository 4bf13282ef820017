"""Copies of the session database: one a day, and one after each session kept.

Why: a disk fault can damage the file beyond salvage. The daily copy alone could be a day old
(a 4 KB overwrite lost that day's two sessions: issue 22), so a copy is also made each time a
session is finished or saved, a grading filed or a programme kept; then the worst case is
what was under way, never a completed session. Copies are taken with SQLite's backup API (a
consistent snapshot even while the file is in use), written privately and whole
(`private_files`), into `backups/` beside the database (daily) and `backups/after-each-session/`.
Bounded: `KEEP` daily copies and `KEEP_AFTER_SESSION` recent ones, and all of them together
under `MAX_BACKUP_BYTES` (the oldest daily copies go first; the newest copy always stays).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from coach.base.private_files import atomic_private_path, private_folder

FOLDER = "backups"
#: how many daily copies are kept
KEEP = 7
#: a new copy is made when the newest is older than this
EVERY = timedelta(days=1)
#: the copies made after each session, in their own folder so the daily ones keep their days
AFTER_SESSION_FOLDER = "after-each-session"
#: the last few sessions' copies: the newest has every completed session; two before it in case
#: the fault struck while the newest was being made
KEEP_AFTER_SESSION = 3
#: all copies together stay below this (a database with many kept pictures grows to hundreds of
#: MB; ten copies of it must not fill a small disk): the oldest daily copies are removed first
MAX_BACKUP_BYTES = 2 * 1024**3


def backup_folder(database: Path) -> Path:
    """Where the copies of `database` go."""
    return database.parent / FOLDER


def backups(database: Path) -> list[Path]:
    """The daily copies of `database`, oldest first (their names carry the time they were made)."""
    return _copies(backup_folder(database), database)


def after_session_backups(database: Path) -> list[Path]:
    """The copies made after each session, oldest first."""
    return _copies(backup_folder(database) / AFTER_SESSION_FOLDER, database)


def recovery_copies(database: Path) -> list[Path]:
    """The copies to recover a damaged `database` from, the most complete first: the newest
    made after a session, then the newest daily one."""
    return after_session_backups(database)[-1:] + backups(database)[-1:]


def _copies(folder: Path, database: Path) -> list[Path]:
    return sorted(folder.glob(f"{database.stem}-*.sqlite3")) if folder.is_dir() else []


def _made_at(copy: Path) -> datetime | None:
    """When a copy was made, from its name (`<database>-YYYYmmdd-HHMMSS.sqlite3`)."""
    parts = copy.stem.rsplit("-", 2)
    try:
        return datetime.strptime(parts[-2] + parts[-1], "%Y%m%d%H%M%S")
    except (ValueError, IndexError):
        return None


def backup_if_due(connection: sqlite3.Connection, database: Path, now: datetime) -> Path | None:
    """Copy the database if the newest daily copy is older than `EVERY` (and it holds
    anything); returns the new copy, or None. `now` is local time. Raises OSError or sqlite3.Error."""
    existing = backups(database)
    newest = _made_at(existing[-1]) if existing else None
    if newest is not None and timedelta(0) <= now - newest < EVERY:
        return None
    holds = connection.execute("SELECT (SELECT count(*) FROM sessions) + (SELECT count(*) FROM patients)")
    if holds.fetchone()[0] == 0:
        return None
    return _copy(connection, database, backup_folder(database), now, KEEP)


def backup_after_session(connection: sqlite3.Connection, database: Path, now: datetime) -> Path:
    """Copy the database now (a session was just kept); returns the copy. `now` is local time.
    Raises OSError or sqlite3.Error: the caller says so, and the session itself stays saved."""
    private_folder(backup_folder(database))
    return _copy(connection, database, backup_folder(database) / AFTER_SESSION_FOLDER, now, KEEP_AFTER_SESSION)


def _copy(connection: sqlite3.Connection, database: Path, folder: Path, now: datetime, keep: int) -> Path:
    """One copy into `folder` (named by `now`; one made in the same second replaces it), the
    oldest beyond `keep` there removed, then the whole under `MAX_BACKUP_BYTES`."""
    private_folder(folder)
    target = folder / f"{database.stem}-{now:%Y%m%d-%H%M%S}.sqlite3"
    with atomic_private_path(target) as temporary:
        copy = sqlite3.connect(temporary)
        try:
            connection.backup(copy)
        finally:
            copy.close()
    for old in _copies(folder, database)[:-keep]:
        old.unlink(missing_ok=True)
    _within_size(database, target)
    return target


def _within_size(database: Path, newest: Path) -> None:
    """Remove the oldest daily copies, then the oldest after-session ones, until all copies
    together are under `MAX_BACKUP_BYTES`; `newest` always stays."""
    copies = [c for c in backups(database) + after_session_backups(database) if c != newest]
    total = sum(_size(c) for c in copies) + _size(newest)
    for old in copies:
        if total <= MAX_BACKUP_BYTES:
            return
        total -= _size(old)
        old.unlink(missing_ok=True)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
