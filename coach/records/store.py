"""The session store: a patient's exercise sessions at home, in one SQLite file, and the
therapist's side (patients, the programmes prescribed to them, pictures if kept).

`SessionStore.open` gives a store; its parts do the work, each with one job:

- `store.patients`    the patients (`coach.records.patients`)
- `store.programmes`  prescribed programmes and who was given which (`coach.records.programmes`)
- `store.recording`   a session written as it happens (`coach.records.recording`)
- `store.history`     the sessions read back: the list, and one session whole (`coach.records.history`)
- `store.pictures`    pictures at the peak of exercises (`coach.records.pictures`)
- `store.imports`     sessions from a bundle, each once (`coach.records.imports`)

Underneath: `database` (the connection, transactions, damaged files), `schema` and
`upgrade` (versions, and the copy kept before an upgrade), `recorder_lock`, `encoding`
(how values sit in columns), and `models` (what the parts hand back).

Private: the data folder is created 0700 and the database 0600 (Linux, macOS), so no
other account on the computer can read a patient's sessions (`coach.base.private_files`).

Threads: a `SessionStore` belongs to the thread that opened it (sqlite3's own check).
The live coach writes from its worker thread with one store; the GUI may read the
history from its own thread with a second store on the same file: WAL lets the reader
see every committed repetition without blocking the writer.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Self

from coach.base.errors import StoreBusyError, StoreError
from coach.base.i18n import tr, trn
from coach.base.private_files import new_private_file, private_folder, tighten
from coach.base.userdirs import DATA_DIR_VARIABLE, default_data_dir
from coach.records.backups import backup_after_session, backup_if_due, recovery_copies
from coach.records.database import BUSY_TIMEOUT_S, Database, connect, connect_read_only, is_damaged, keep_damaged_copy
from coach.records.encoding import checked_utc, utc_now
from coach.records.gradings import Gradings
from coach.records.history import History
from coach.records.imports import Imports
from coach.records.patients import Patients
from coach.records.pending import save_pending
from coach.records.pictures import Pictures
from coach.records.programmes import Programmes
from coach.records.recorder_lock import RecorderLock
from coach.records.recording import Recording, keep_unfinished_as_interrupted
from coach.records.salvage import salvage
from coach.records.schema import SCHEMA_VERSION
from coach.records.upgrade import migrate

DATABASE_FILENAME = "sessions.sqlite3"

log = logging.getLogger("coach.records")


def database_path(data_dir: Path) -> Path:
    """The session database inside a data folder (see `coach.base.userdirs.default_data_dir`)."""
    return Path(data_dir) / DATABASE_FILENAME


class SessionStore:
    """One open session database and its parts. Use `SessionStore.open`."""

    def __init__(self, database: Database, lock: RecorderLock) -> None:
        self.path = database.path
        self._database = database
        self._lock = lock
        self.patients = Patients(database)
        self.programmes = Programmes(database)
        self.recording = Recording(database, lock)
        self.history = History(database)
        self.pictures = Pictures(database)
        self.imports = Imports(database)
        self.gradings = Gradings(database)
        database.after_keeping = lambda: _copy_after_keeping(database)

    @classmethod
    def open(cls, path: Path, *, clock: Callable[[], datetime] | None = None) -> tuple[SessionStore, str | None]:
        """Open (creating or upgrading) the database at `path`.

        Returns the store and a notice for the user, or None when there is nothing to
        say: a damaged file was kept aside under a new name, an older file was upgraded
        (after a copy of it was kept), or unfinished sessions from a crash were kept as
        'interrupted'. Raises StoreError when the file cannot be used and must not be
        touched: written by a newer version of the app, not a FaceCoach database, or in
        need of an upgrade while another window uses it. `clock` (aware datetimes) is for tests.
        """
        path = Path(path)
        clock = clock or utc_now
        try:
            private_folder(path.parent)  # 0700: only this user may look inside
        except OSError as error:
            raise StoreError(
                tr(
                    "cannot create the data folder {folder} ({problem}); choose another with --data-dir",
                    folder=path.parent,
                    problem=error.strerror,
                )
            ) from error
        lock = RecorderLock(path.with_name(path.name + ".lock"))
        # Nobody is recording if we can take the lock now: then sessions still marked
        # 'in_progress' were left by a crash, and a damaged file can be moved aside.
        repairing = lock.acquire(timeout_s=0)
        try:
            store, notices = cls._open_locked(path, lock, clock, repairing)
        finally:
            if repairing:
                lock.release()
        _keep_private(path)
        return store, "\n".join(notices) or None

    @classmethod
    def open_read_only(cls, path: Path, *, clock: Callable[[], datetime] | None = None) -> SessionStore:
        """The database as it is on disk, for reading only, writing nothing anywhere (no lock,
        no repair, no upgrade, no backup): what a full disk or a read-only folder still allows.
        Raises StoreError if the file is missing, unreadable, or of another version."""
        path = Path(path)
        if not path.is_file():
            raise StoreError(tr("no session database at {path}", path=path))
        connection = connect_read_only(path)
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version != SCHEMA_VERSION:
            connection.close()
            raise StoreError(tr("the session database {path} needs an upgrade, which needs space to write", path=path))
        return cls(Database(path, connection, clock or utc_now), RecorderLock(path.with_name(path.name + ".lock")))

    @classmethod
    def _open_locked(
        cls, path: Path, lock: RecorderLock, clock: Callable[[], datetime], repairing: bool
    ) -> tuple[SessionStore, list[str]]:
        """The opening itself; `repairing`: this store holds the recording lock for now."""
        notices: list[str] = []
        database: Database | None = None
        try:
            damaged_copy = _keep_damaged(path, clock, repairing) if is_damaged(path) else None
            _new_database_file(path)
            database = Database(path, connect(path), clock)
            upgraded = migrate(database.connection, path, may_upgrade=repairing, clock=clock)
            if upgraded:
                notices.append(upgraded)
            if damaged_copy is not None:
                notices.append(_recover(path, damaged_copy, database, clock))
            if repairing:
                notices += _housekeeping(database, clock)
        except BaseException:
            if database is not None:
                database.connection.close()
            lock.close()
            raise
        return cls(database, lock), notices

    def close(self) -> None:
        """Close the database and give up the recording lock (idempotent)."""
        self._database.connection.close()
        self._lock.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def now(self) -> datetime:
        """This store's clock (UTC): what it dates a new record with."""
        return checked_utc(self._database.clock())


def _keep_damaged(path: Path, clock: Callable[[], datetime], repairing: bool) -> Path:
    """Move a damaged file aside (only while nobody else uses it); returns where it went."""
    if not repairing:
        raise StoreError(
            tr(
                "the session database {path} is damaged, and another FaceCoach window is using it; "
                "close every FaceCoach window and start again",
                path=path,
            )
        )
    return keep_damaged_copy(path, checked_utc(clock()))


def _recover(path: Path, damaged_copy: Path, into: Database, clock: Callable[[], datetime]) -> str:
    """Copy what can be read from the damaged file, then from the newest copy made after a
    session and the newest daily one, into the new database; the notice says how much came back."""
    found = salvage(damaged_copy, into, clock)
    said = trn(
        "The session database {path} was damaged. It was kept, unchanged, as {copy}, and a new "
        "database was started: {recovered} of the {found} session in it could still be read and "
        "were copied into the new one.",
        "The session database {path} was damaged. It was kept, unchanged, as {copy}, and a new "
        "database was started: {recovered} of the {found} sessions in it could still be read and "
        "were copied into the new one.",
        found.sessions_found,
        path=path,
        copy=damaged_copy,
        recovered=found.sessions_recovered,
        found=found.sessions_found,
    )
    for copy in recovery_copies(path):
        from_backup = salvage(copy, into, clock)
        if from_backup.sessions_recovered:
            more = tr(
                "{count} more came back from the backup {name}.",
                count=from_backup.sessions_recovered,
                name=copy.name,
            )
            said += f" {more}"
    return said


def _housekeeping(database: Database, clock: Callable[[], datetime]) -> list[str]:
    """What opening does while nobody records: sessions a crash left open marked interrupted,
    sessions that waited for a busy database saved, the daily copy. A database another program
    holds just now is no reason to refuse opening it: the rest waits for the next time."""
    notices = []
    database.connection.execute("PRAGMA busy_timeout = 0")  # housekeeping never waits for another program
    try:
        for step in (keep_unfinished_as_interrupted, lambda db: save_pending(db.path, db, clock)):
            try:
                notice = step(database)
            except StoreBusyError:
                continue
            if notice:
                notices.append(notice)
        notices += _daily_backup(database, clock)
    finally:
        database.connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    return notices


def _daily_backup(database: Database, clock: Callable[[], datetime]) -> list[str]:
    """Keep a copy at most a day old (backups.py); a copy that cannot be made is said, never fatal."""
    try:
        backup_if_due(database.connection, database.path, checked_utc(clock()).astimezone().replace(tzinfo=None))
    except (OSError, sqlite3.Error) as error:
        return [
            tr(
                "The daily backup of {path} could not be made ({problem}); your sessions are saved.",
                path=database.path,
                problem=error,
            )
        ]
    return []


def _copy_after_keeping(database: Database) -> None:
    """A copy of the database after a session was kept (backups.py). One that cannot be made
    (a full disk) is logged and never fails the saving: the session itself is saved."""
    try:
        backup_after_session(database.connection, database.path, datetime.now())  # named by the wall clock
    except (OSError, sqlite3.Error) as error:
        log.warning("the copy after a session of %s could not be made: %s", database.path, error)


def _new_database_file(path: Path) -> None:
    """Create a missing database file private (0600) before SQLite opens it: SQLite keeps
    that mode and gives its -wal, -shm and journal files the same."""
    try:
        new_private_file(path)
    except OSError as error:
        raise StoreError(
            tr(
                "cannot create the session database {path} ({problem}); "
                "check the data folder's permissions or choose another with --data-dir",
                path=path,
                problem=error.strerror,
            )
        ) from error


def _keep_private(path: Path) -> None:
    """Once the file is known to be ours: the database and every file of its name beside it
    (-wal, -shm, journal, lock, copies kept before an upgrade or when damaged) readable by
    this user alone, and the folder too when it is the app's own (an older version, or
    another program, may have made them readable by all). A folder the user chose that
    holds other things (their home folder, say) is left as it is."""
    folder = path.parent
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    ours = [entry for entry in entries if entry.name.startswith(path.name)]
    for entry in ours:
        tighten(entry)
    if len(ours) == len(entries) or _is_platform_data_dir(folder):
        tighten(folder)


def _is_platform_data_dir(folder: Path) -> bool:
    """`folder` is where this platform keeps the app's data when nobody says otherwise."""
    environ = {key: value for key, value in os.environ.items() if key != DATA_DIR_VARIABLE}
    try:
        return folder.resolve() == default_data_dir(environ=environ).resolve()
    except (OSError, RuntimeError):  # no home folder, a symlink loop
        return False
