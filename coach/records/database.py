"""The SQLite connection under the session store: opening and configuring it, transactions,
telling a damaged file from a locked one, and keeping a damaged file aside.

Durability comes first: WAL with synchronous=FULL, so every commit is on the disk when
it returns. A damaged file is never deleted: it is renamed aside, bytes untouched.
A problem of the disk or the file (full, read-only, locked, damaged) becomes a
StoreError the user can act on; anything else (a broken constraint) is a bug and
propagates unchanged.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

from coach import __version__
from coach.base.errors import StoreBusyError, StoreError
from coach.base.i18n import N_, tr
from coach.records.encoding import checked_utc, format_time
from coach.records.schema import APPLICATION_ID, SCHEMA_VERSION

#: how long a writer waits for another connection's write to finish
BUSY_TIMEOUT_S = 5.0
#: below this much free space a failed write is reported as a full disk
FULL_DISK_BYTES = 1024 * 1024

# SQLite primary result codes that mean the file itself is damaged or not a database
_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26
_SQLITE_BUSY = 5
_SQLITE_FULL = 13
_SQLITE_READONLY = 8

#: "there is no such row", by what the row is (the database's own kinds of rows)
_NO_ROW = {
    "patient": N_("no patient {id} in the session database"),
    "programme": N_("no programme {id} in the session database"),
    "session": N_("no session {id} in the session database"),
    "exercise": N_("no exercise {id} in the session database"),
}


class Database:
    """One open connection to the session database and the clock its writes are dated by,
    shared by the parts of a `SessionStore`. Every query runs inside `writing` or `reading`."""

    def __init__(self, path: Path, connection: sqlite3.Connection, clock: Callable[[], datetime]) -> None:
        self.path = path
        self.connection = connection
        self.clock = clock
        #: called once a session is finished or saved, a grading filed or a programme kept: the
        #: store copies the database then (`records.backups`); nothing while a store is being
        #: opened (a damaged file's salvage would otherwise copy after each session it brings back)
        self.after_keeping: Callable[[], None] = lambda: None

    def now(self) -> str:
        """The clock's time, as stored."""
        return format_time(checked_utc(self.clock()))

    def today(self) -> date:
        """Today on the user's calendar (local time): an onset date cannot be after it."""
        return checked_utc(self.clock()).astimezone().date()

    def writing(self, what: str) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """One write transaction, committed on leaving. IMMEDIATE takes the write lock up
        front, so a reader upgrading to write can never deadlock with us. `what` (in the
        user's language) is what a failure says could not be saved."""
        return self._transaction("BEGIN IMMEDIATE", tr("could not save {what} in {path}", what=what, path=self.path))

    def reading(self, what: str | None = None) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """One read transaction: a consistent snapshot across several queries. `what` (in the
        user's language) is what a failure says could not be read; the sessions if not given."""
        what = tr("the sessions") if what is None else what
        return self._transaction("BEGIN", tr("could not read {what} in {path}", what=what, path=self.path))

    @contextmanager
    def _transaction(self, begin: str, failure: str) -> Iterator[sqlite3.Connection]:
        connection = self.connection
        try:
            connection.execute(begin)
            yield connection
            connection.execute("COMMIT")
        except BaseException as error:
            if connection.in_transaction:
                connection.rollback()
            raise_as_store_error(error, failure)
            raise


def connect(path: Path) -> sqlite3.Connection:
    """A configured connection. WAL lets the GUI read while the worker writes;
    synchronous=FULL makes every commit reach the disk before it returns (a repetition
    every few seconds costs nothing)."""
    try:
        # isolation_level=None: transactions are ours (BEGIN … COMMIT), never implicit
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error as error:
        raise StoreError(
            tr(
                "cannot open the session database {path} ({problem}); check the file and folder",
                path=path,
                problem=error,
            )
        ) from error
    try:
        # If WAL is impossible (some network drives) SQLite keeps its rollback journal:
        # still durable, only readers wait for writers.
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = FULL")
        connection.execute("PRAGMA foreign_keys = ON")
        # deleted rows (pictures someone asked to delete) are overwritten, not left in free pages
        connection.execute("PRAGMA secure_delete = ON")
        connection.row_factory = sqlite3.Row
        # text damaged on disk reads with a replacement mark instead of stopping every command
        connection.text_factory = _tolerant_text
    except sqlite3.Error as error:
        connection.close()
        raise StoreError(
            tr("cannot use the session database {path} ({problem})", path=path, problem=_reason(error, path))
        ) from error
    return connection


def connect_read_only(path: Path) -> sqlite3.Connection:
    """A connection that writes nothing at all, not even SQLite's lock and index files: the file
    as it is on disk (a cleanly closed database holds everything there). For reading when
    nothing can be written: a full disk, a read-only folder."""
    try:
        connection = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None
        )
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except (sqlite3.Error, UnicodeDecodeError) as error:
        raise StoreError(_cannot_read(path, error)) from error
    connection.row_factory = sqlite3.Row
    connection.text_factory = _tolerant_text
    return connection


def _tolerant_text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


def row_id(cursor: sqlite3.Cursor) -> int:
    """The id of the row just inserted."""
    inserted = cursor.lastrowid
    assert inserted is not None
    return inserted


def require_id(connection: sqlite3.Connection, table: str, what: str, id_: int) -> None:
    """KeyError naming the row when `table` has no row `id_`."""
    found = connection.execute(f"SELECT count(*) FROM {table} WHERE id = ?", (id_,)).fetchone()[0]
    require_row(found, what, id_)


def require_row(found: int, what: str, id_: int) -> None:
    """KeyError naming the row when `found` says there is none."""
    if found < 1:
        raise KeyError(tr(_NO_ROW[what], id=id_) if what in _NO_ROW else f"no {what} {id_} in the session database")


def raise_as_store_error(error: BaseException, doing: str) -> None:
    """A problem of the disk or the file (full, read-only, locked, damaged) is the user's
    to act on: StoreError. Anything else (a constraint broken, a misuse) is a bug and
    propagates unchanged."""
    if isinstance(error, UnicodeDecodeError):  # the names in the file's own schema are damaged
        raise StoreError(
            tr(
                "{doing}: the database file is damaged ({problem}); keep a copy of it, move it out of its "
                "folder, and start again (a new database is begun)",
                doing=doing,
                problem=error.reason,
            )
        )
    if isinstance(error, sqlite3.OperationalError) or (isinstance(error, sqlite3.DatabaseError) and _is_damage(error)):
        code = getattr(error, "sqlite_errorcode", 0) & 0xFF
        if code == _SQLITE_BUSY:
            raise StoreBusyError(f"{doing}: {tr(_BUSY)}") from error
        reason = tr("the disk is full: free some space") if code == _SQLITE_FULL else str(error)
        raise StoreError(f"{doing}: {reason}") from error


#: why a write or read waited in vain (a problem inserted after what could not be done)
_BUSY = N_("another program is using the database: close it (or wait for it) and try again")


def _is_damage(error: sqlite3.Error) -> bool:
    """The file's bytes are wrong (as opposed to locked, unreadable or a full disk)."""
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)


# --------------------------------------------------------------------------- damaged files


def is_damaged(path: Path) -> bool:
    """True if the file is not a readable SQLite database or fails its integrity check.
    Raises StoreError, touching nothing, for a database this app must not change.

    Looked at through a read-only connection: a read-write one may checkpoint (or
    delete) the -wal file when it closes, changing a damaged file before it is kept.
    A hot rollback journal can only be replayed by a writer; then SQLite's own recovery
    is let run first, as any open would.
    """
    if not path.exists() or path.stat().st_size == 0:
        return False  # a new (or never written) database: nothing to lose
    try:
        return _check_file(path, read_only=True)
    except sqlite3.OperationalError as error:
        if getattr(error, "sqlite_errorcode", 0) & 0xFF != _SQLITE_READONLY:
            raise StoreError(_cannot_read(path, _reason(error, path))) from error
    try:
        return _check_file(path, read_only=False)
    except sqlite3.OperationalError as error:
        raise StoreError(_cannot_read(path, _reason(error, path))) from error


def _cannot_read(path: Path, problem: object) -> str:
    return tr("cannot read the session database {path} ({problem})", path=path, problem=problem)


def _reason(error: sqlite3.Error, path: Path) -> str:
    """SQLite's words, or plain ones when its "disk I/O error" is a disk with no space left."""
    try:
        full = shutil.disk_usage(path.parent).free < FULL_DISK_BYTES
    except OSError:
        full = False
    return tr("the disk is full: free some space and try again") if full else str(error)


def _check_file(path: Path, read_only: bool) -> bool:
    if read_only:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
    else:
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
    try:
        _check_ours_and_not_newer(connection, path)
        return connection.execute("PRAGMA integrity_check").fetchall() != [("ok",)]
    except sqlite3.OperationalError:
        raise
    except sqlite3.DatabaseError as error:
        if _is_damage(error):
            return True
        raise
    except UnicodeDecodeError:  # SQLite's own message quotes the damaged schema's bytes
        return True
    finally:
        connection.close()


def _check_ours_and_not_newer(connection: sqlite3.Connection, path: Path) -> None:
    """StoreError for another program's file, or one from a newer version of the app."""
    application_id = connection.execute("PRAGMA application_id").fetchone()[0]
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    has_tables = connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
    if application_id != APPLICATION_ID and (has_tables or version or application_id):
        raise StoreError(
            tr(
                "{path} is not a FaceCoach session database (another program's file?); "
                "it was left untouched: choose another --data-dir",
                path=path,
            )
        )
    if version > SCHEMA_VERSION:
        raise StoreError(
            tr(
                "the session database {path} is from a newer version of FaceCoach (schema {found}, "
                "this is {version} with schema {schema}); update FaceCoach to use it. "
                "The file was left untouched.",
                path=path,
                found=version,
                version=__version__,
                schema=SCHEMA_VERSION,
            )
        )


def keep_damaged_copy(path: Path, when: datetime) -> Path:
    """Rename the damaged file (and its -wal/-journal/-shm companions, which belong to it
    and must not be replayed into the new database) to `<name>.corrupt-YYYYmmdd-HHMMSS`.
    Renaming, never deleting: the bytes stay exactly as they were."""
    stamp = when.astimezone().strftime("%Y%m%d-%H%M%S")
    base = f"{path.name}.corrupt-{stamp}"
    kept, n = path.with_name(base), 2
    while any(Path(f"{kept}{suffix}").exists() for suffix in ("", "-wal", "-journal", "-shm")):
        kept, n = path.with_name(f"{base}-{n}"), n + 1
    try:
        for suffix in ("-wal", "-journal", "-shm", ""):  # the database itself last
            companion = Path(f"{path}{suffix}")
            if companion.exists():
                companion.rename(f"{kept}{suffix}")
    except OSError as error:
        raise StoreError(
            tr(
                "the session database {path} is damaged and could not be renamed aside ({problem}); "
                "move it away yourself, then start FaceCoach again",
                path=path,
                problem=error.strerror,
            )
        ) from error
    return kept
