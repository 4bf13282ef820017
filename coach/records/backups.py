"""Automatic daily copies of the session database, the last few kept.

Why: a disk fault can damage the file beyond salvage; with a copy made at most a day ago,
the worst case is a day's sessions, not the whole history. The copy is taken with SQLite's
backup API (a consistent snapshot even while the file is in use), written privately and
whole (`private_files`), into `backups/` beside the database; the oldest beyond `KEEP` go.
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


def backup_folder(database: Path) -> Path:
    """Where the copies of `database` go."""
    return database.parent / FOLDER


def backups(database: Path) -> list[Path]:
    """The copies of `database`, oldest first (their names carry the time they were made)."""
    folder = backup_folder(database)
    return sorted(folder.glob(f"{database.stem}-*.sqlite3")) if folder.is_dir() else []


def _made_at(copy: Path) -> datetime | None:
    """When a copy was made, from its name (`<database>-YYYYmmdd-HHMMSS.sqlite3`)."""
    parts = copy.stem.rsplit("-", 2)
    try:
        return datetime.strptime(parts[-2] + parts[-1], "%Y%m%d%H%M%S")
    except (ValueError, IndexError):
        return None


def backup_if_due(connection: sqlite3.Connection, database: Path, now: datetime) -> Path | None:
    """Copy the database if the newest copy is older than `EVERY` (and it holds anything);
    returns the new copy, or None. `now` is local time. Raises OSError or sqlite3.Error."""
    existing = backups(database)
    newest = _made_at(existing[-1]) if existing else None
    if newest is not None and timedelta(0) <= now - newest < EVERY:
        return None
    holds = connection.execute("SELECT (SELECT count(*) FROM sessions) + (SELECT count(*) FROM patients)")
    if holds.fetchone()[0] == 0:
        return None
    private_folder(backup_folder(database))
    target = backup_folder(database) / f"{database.stem}-{now:%Y%m%d-%H%M%S}.sqlite3"
    with atomic_private_path(target) as temporary:
        copy = sqlite3.connect(temporary)
        try:
            connection.backup(copy)
        finally:
            copy.close()
    for old in backups(database)[:-KEEP]:
        old.unlink(missing_ok=True)
    return target
