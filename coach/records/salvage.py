"""What can still be read from a damaged database (or a backup), copied into a new one.

Why: a database file damaged by a disk fault or a crash used to mean an empty history from
then on. Most of such a file is usually still readable, so every patient and every session
that can be read whole is copied into the new database, each on its own (one unreadable
session never costs the others), and the user is told how many came back. Sessions that
were still under way when the file broke are kept as interrupted.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from coach.base.errors import CoachError, StoreError
from coach.records.database import Database, connect_read_only
from coach.records.history import History
from coach.records.imports import Imports
from coach.records.models import EXERCISE_END_STATUSES, SESSION_END_STATUSES, Patient, SessionDetail
from coach.records.patients import patient_from_row

#: what reading a damaged file may raise, besides SQLite's own errors
_UNREADABLE = (CoachError, sqlite3.Error, ValueError, KeyError, TypeError, UnicodeDecodeError)


@dataclasses.dataclass(frozen=True)
class Salvage:
    """How much came back from one file."""

    sessions_found: int
    sessions_recovered: int  # copied into the new database now (not counting ones it held already)
    patients_recovered: int
    sessions_already_there: int = 0  # readable, and in the new database already (same uid)


def salvage(source: Path, into: Imports, clock: Callable[[], datetime]) -> Salvage:
    """Copy every readable patient and session of the database file `source` (opened
    read-only, never changed) through `into`; sessions already there (same uid) are skipped."""
    try:
        connection = connect_read_only(source)
    except StoreError:
        return Salvage(0, 0, 0)
    try:
        old = Database(source, connection, clock)
        patients = _patients(connection)
        session_ids = _ids(connection, "sessions")
        for patient in patients.values():  # patients without sessions come back too
            _quietly(lambda p=patient: into.patient_history(p, []))
        recovered = already = 0
        history = History(old)
        for session_id in session_ids:
            detail = _quietly(lambda i=session_id: history.session_detail(i))
            if detail is None:
                continue
            copied = _quietly(lambda d=detail: _copy(into, _finished(d), patients.get(d.patient_id)))
            recovered += copied is True
            already += copied is False
        return Salvage(len(session_ids), recovered, len(patients), already)
    finally:
        connection.close()


def _copy(into: Imports, session: SessionDetail, patient: Patient | None) -> bool:
    """One session into the new database, under its patient (matched by code) if it had one."""
    if patient is None:
        return into.session(session, None) is not None
    return into.patient_history(patient, [session])[1] == 1


def _patients(connection: sqlite3.Connection) -> dict[int, Patient]:
    out = {}
    for patient_id in _ids(connection, "patients"):
        row = _quietly(lambda i=patient_id: connection.execute("SELECT * FROM patients WHERE id = ?", (i,)).fetchone())
        patient = None if row is None else _quietly(lambda r=row: patient_from_row(r))
        if patient is not None:
            out[patient_id] = patient
    return out


def _ids(connection: sqlite3.Connection, table: str) -> list[int]:
    rows = _quietly(lambda: connection.execute(f"SELECT id FROM {table} ORDER BY id").fetchall()) or []
    return [int(row[0]) for row in rows if isinstance(row[0], int)]


def _finished(session: SessionDetail) -> SessionDetail:
    """A session (or exercise) still under way when the file broke is kept as interrupted."""
    exercises = tuple(
        e if e.status in EXERCISE_END_STATUSES else dataclasses.replace(e, status="interrupted")
        for e in session.exercises
    )
    status = session.status if session.status in SESSION_END_STATUSES else "interrupted"
    return dataclasses.replace(session, status=status, exercises=exercises)


def _quietly(read: Callable[[], object]) -> object:
    """`read()`, or None if the damaged file would not give it."""
    try:
        return read()
    except _UNREADABLE:
        return None
