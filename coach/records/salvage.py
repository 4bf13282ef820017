"""What can still be read from a damaged database (or a backup), copied into a new one.

Why: a database file damaged by a disk fault or a crash used to mean an empty history from
then on. Most of such a file is usually still readable, so every patient, session, filed
grading and kept programme (with the patient's current one) that can be read whole is copied
into the new database, each on its own (one unreadable record never costs the others), and
the user is told how many sessions came back. Sessions that were still under way when the
file broke are kept as interrupted.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from coach.base.errors import CoachError, StoreError
from coach.records.bundle_model import GradingIn
from coach.records.database import Database, connect_read_only
from coach.records.gradings import Gradings
from coach.records.history import History
from coach.records.imports import Imports
from coach.records.models import EXERCISE_END_STATUSES, SESSION_END_STATUSES, Patient, SessionDetail
from coach.records.patients import patient_from_row
from coach.records.programmes import Programmes

#: what reading a damaged file may raise, besides SQLite's own errors
_UNREADABLE = (CoachError, sqlite3.Error, ValueError, KeyError, TypeError, UnicodeDecodeError)


@dataclasses.dataclass(frozen=True)
class Salvage:
    """How much came back from one file."""

    sessions_found: int
    sessions_recovered: int  # copied into the new database now (not counting ones it held already)
    patients_recovered: int
    sessions_already_there: int = 0  # readable, and in the new database already (same uid)


def salvage(source: Path, into: Database, clock: Callable[[], datetime]) -> Salvage:
    """Copy every readable patient, session, grading and programme of the database file
    `source` (opened read-only, never changed) into `into`; what is there already (same uid) is skipped."""
    try:
        connection = connect_read_only(source)
    except StoreError:
        return Salvage(0, 0, 0)
    try:
        old = Database(source, connection, clock)
        imports = Imports(into)
        patients = _patients(connection)
        session_ids = _ids(connection, "sessions")
        here = {}  # the old database's patient id → the patient in the new one
        for old_id, patient in patients.items():  # patients without sessions come back too
            found = _quietly(lambda p=patient: imports.patient_history(p, []))
            if isinstance(found, tuple):
                here[old_id] = found[0]
        recovered = already = 0
        history = History(old)
        for session_id in session_ids:
            detail = _quietly(lambda i=session_id: history.session_detail(i))
            if detail is None:
                continue
            copied = _quietly(lambda d=detail: _copy(imports, _finished(d), patients.get(d.patient_id)))
            recovered += copied is True
            already += copied is False
        _gradings(old, imports, patients, here)
        _programmes(old, Programmes(into), here)
        return Salvage(len(session_ids), recovered, len(patients), already)
    finally:
        connection.close()


def _gradings(old: Database, into: Imports, patients: dict[int, Patient], here: dict[int, Patient]) -> None:
    """Each readable grading, once (by uid), tied to its session if that came back."""
    gradings = Gradings(old)
    for old_id in here:
        for filed in _quietly(lambda i=old_id: gradings.for_patient(i)) or []:
            grading = GradingIn(uid=filed.uid, session_uid=filed.session_uid, scale=filed.scale,
                                graded_at=filed.graded_at, graded_by=filed.graded_by, values=filed.values,
                                suggested=filed.suggested)  # fmt: skip
            _quietly(lambda g=grading, i=old_id: into.patient_history(patients[i], [], [g]))


def _programmes(old: Database, into: Programmes, here: dict[int, Patient]) -> None:
    """Each readable programme, once (by uid), and each patient's current one given again."""
    source = Programmes(old)
    kept = {p.uid: p for p in _quietly(into.all) or []}
    for programme_id in _ids(old.connection, "programmes"):
        programme = _quietly(lambda i=programme_id: source.get(i))
        if programme is not None and programme.uid not in kept:
            saved = _quietly(lambda p=programme: into.save(p))
            if saved is not None:
                kept[saved.uid] = saved
    for old_id, patient in here.items():
        current = _quietly(lambda i=old_id: source.current(i))
        now = None if current is None else kept.get(current.uid)
        already = _quietly(lambda p=patient: into.current(p.id))
        if now is not None and (already is None or already.uid != now.uid):
            _quietly(lambda p=patient, n=now: into.assign(p.id, n.id))


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
