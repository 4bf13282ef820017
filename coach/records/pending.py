"""Sessions that could not be saved because another program held the database: kept in a small
database file of their own, and moved into the real one the next time it is opened.

Why: an analysis of a long recording takes minutes; if the session database is held by
another program (a backup tool, a second window stuck in a long write) when it is to be
saved, throwing the result away would waste that work and lose the data. The session is
written, by the same code, into `pending/<time>.sqlite3` beside the database instead, and
`SessionStore.open` copies every pending file in (each session once, by its uid: `salvage`),
removing the file only when all of it came in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from coach.base.i18n import trn
from coach.base.private_files import private_folder
from coach.records.database import Database
from coach.records.salvage import salvage

FOLDER = "pending"


def pending_folder(database: Path) -> Path:
    """Where the sessions waiting for `database` are kept."""
    return database.parent / FOLDER


def new_pending_file(database: Path, now: datetime) -> Path:
    """A fresh file name for one waiting session (the folder is made private)."""
    folder = pending_folder(database)
    private_folder(folder)
    stem = f"{database.stem}-{now:%Y%m%d-%H%M%S-%f}"
    return folder / f"{stem}.sqlite3"


def save_pending(database: Path, into: Database, clock: Callable[[], datetime]) -> str | None:
    """Copy every waiting session into the open database; the notice says how many, or None."""
    folder = pending_folder(database)
    files = sorted(folder.glob("*.sqlite3")) if folder.is_dir() else []
    saved = 0
    for waiting in files:
        found = salvage(waiting, into, clock)
        saved += found.sessions_recovered
        if found.sessions_found and found.sessions_recovered + found.sessions_already_there >= found.sessions_found:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{waiting}{suffix}").unlink(missing_ok=True)
    if not saved:
        return None
    return trn(
        "{count} session that could not be saved earlier (the database was in use) are saved now.",
        "{count} sessions that could not be saved earlier (the database was in use) are saved now.",
        saved,
    )
