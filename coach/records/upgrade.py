"""Bringing a session database to this version's schema: creating a new one, or upgrading
an older one after keeping a copy of it.

Before an existing file is upgraded it is copied, whole, to `<name>.v<N>-backup-<time>`
beside it: a way back that does not depend on the upgrade being right. The migrations
run in one transaction, so an upgrade that fails leaves the file as it was. Upgrading
needs the recording lock, so no other window writes while the copy is made.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from coach.base.errors import StoreError
from coach.base.i18n import tr
from coach.records import schema
from coach.records.database import raise_as_store_error
from coach.records.encoding import checked_utc


def migrate(
    connection: sqlite3.Connection, path: Path, *, may_upgrade: bool, clock: Callable[[], datetime]
) -> str | None:
    """Create a new database, or upgrade an older one after keeping a copy of it.

    `may_upgrade`: this store holds the recording lock, so nobody else writes while the
    copy is made. Returns the notice for the user when existing data was upgraded.
    """
    try:
        found = connection.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.Error as error:
        raise StoreError(tr("cannot read the session database {path} ({problem})", path=path, problem=error)) from error
    if found == schema.SCHEMA_VERSION:
        return None
    backup: Path | None = None
    if 0 < found < schema.SCHEMA_VERSION:
        if not may_upgrade:
            raise StoreError(
                tr(
                    "the session database {path} must be upgraded for this version of FaceCoach, and another "
                    "FaceCoach window is using it; close every FaceCoach window and start again. "
                    "The file was left untouched.",
                    path=path,
                )
            )
        backup = _keep_copy_before_upgrade(connection, path, found, checked_utc(clock()))
    version = _run_migrations(connection, path, backup)
    if backup is None or version == schema.SCHEMA_VERSION:
        return None
    return tr(
        "The session database {path} was upgraded for this version of FaceCoach (schema {found} to "
        "{schema}: {added}). A copy of it as it was before is kept, unchanged, as {copy}.",
        path=path,
        found=version,
        schema=schema.SCHEMA_VERSION,
        added="; ".join(tr(note) for note in schema.UPGRADE_NOTES[version : schema.SCHEMA_VERSION]),
        copy=backup,
    )


def _run_migrations(connection: sqlite3.Connection, path: Path, backup: Path | None) -> int:
    """Every migration from the file's version on, in one transaction; returns the version found."""
    try:
        connection.execute("BEGIN IMMEDIATE")
        # read again under the write lock: another process may have upgraded meanwhile
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version > schema.SCHEMA_VERSION:
            raise StoreError(
                tr(
                    "the session database {path} was just upgraded by a newer version of FaceCoach; update FaceCoach",
                    path=path,
                )
            )
        for migration in schema.MIGRATIONS[version : schema.SCHEMA_VERSION]:
            migration(connection)
        connection.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION:d}")
        connection.execute("COMMIT")
    except BaseException as error:
        if connection.in_transaction:
            connection.rollback()
        if backup is None:
            raise_as_store_error(error, tr("could not prepare the session database {path}", path=path))
        else:
            raise_as_store_error(
                error,
                tr(
                    "could not upgrade the session database {path}; it was left as it was "
                    "(a copy is also kept as {copy})",
                    path=path,
                    copy=backup,
                ),
            )
        raise
    return version


def _keep_copy_before_upgrade(connection: sqlite3.Connection, path: Path, version: int, when: datetime) -> Path:
    """Copy the database, whole, to `<name>.v<version>-backup-YYYYmmdd-HHMMSS` beside it.

    The WAL is checkpointed into the file first, so the copy is one self-contained file;
    the caller holds the recording lock, so nobody writes between checkpoint and copy.
    An existing copy is never overwritten (the new one gets -2, -3, …), and the copy is
    checked before anything is changed. On failure no half copy is left behind.
    """
    try:
        busy, _, _ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.Error as error:
        raise StoreError(
            tr(
                "could not prepare the session database {path} for its upgrade ({problem}); it was left as it was",
                path=path,
                problem=error,
            )
        ) from error
    if busy:
        raise StoreError(
            tr(
                "the session database {path} must be upgraded, and another program is reading it; close it "
                "(and every FaceCoach window) and start again. The file was left as it was.",
                path=path,
            )
        )
    backup, target = _new_backup_file(path, version, when)
    try:
        with target, open(path, "rb") as source:
            shutil.copyfileobj(source, target, 1 << 20)
            target.flush()
            os.fsync(target.fileno())
        _sync_folder(path.parent)
        problem = _copy_problem(backup, version)
    except BaseException as error:
        backup.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise StoreError(
                tr(
                    "could not keep a copy of the session database {path} before upgrading it ({problem}); "
                    "it was left as it was: free some space on the disk and start again",
                    path=path,
                    problem=error.strerror,
                )
            ) from error
        raise
    if problem:
        backup.unlink(missing_ok=True)
        raise StoreError(
            tr(
                "the copy of the session database {path} made before upgrading it did not read back ({problem}); "
                "it was left as it was",
                path=path,
                problem=problem,
            )
        )
    return backup


def _new_backup_file(path: Path, version: int, when: datetime) -> tuple[Path, BinaryIO]:
    """A new, empty file for the copy, opened for writing; never one that exists already."""
    stamp = when.astimezone().strftime("%Y%m%d-%H%M%S")
    base = f"{path.name}.v{version}-backup-{stamp}"
    n = 1
    while True:
        backup = path.with_name(base if n == 1 else f"{base}-{n}")
        try:
            return backup, open(backup, "xb")  # exclusive: never overwrites a copy kept earlier
        except FileExistsError:
            n += 1
        except OSError as error:
            raise StoreError(
                tr(
                    "could not keep a copy of the session database {path} before upgrading it ({problem}); "
                    "it was left as it was: check the data folder's permissions and free space",
                    path=path,
                    problem=error.strerror,
                )
            ) from error


def _copy_problem(copy: Path, version: int) -> str | None:
    """What is wrong with a fresh copy of the database, or None. Read as immutable: no
    -wal or -shm is created beside it and not a byte of it changes."""
    try:
        connection = sqlite3.connect(f"{copy.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            found = connection.execute("PRAGMA user_version").fetchone()[0]
            check = connection.execute("PRAGMA quick_check").fetchall()
        finally:
            connection.close()
    except sqlite3.Error as error:
        return str(error)
    if found != version:
        return tr("schema {found}, expected {version}", found=found, version=version)
    return None if check == [("ok",)] else str(check[0][0])


def _sync_folder(folder: Path) -> None:
    """Make a new file's name durable (POSIX); Windows has no directory handles to sync."""
    if sys.platform == "win32":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
