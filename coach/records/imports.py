"""Sessions from elsewhere (a bundle from the patient's home) added to this database.

Only finished sessions come in, each exactly once: a session keeps its uid on every
device, and one whose uid is already here is skipped, so importing the same bundle twice
adds nothing. Everything is written in one transaction, so a failure leaves no half
session. The ids inside an imported session belong to the other database and are not used.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence

from coach.base.i18n import tr
from coach.records.bundle_model import GradingIn
from coach.records.database import Database, require_id, row_id
from coach.records.encoding import (
    check_uid,
    check_weaker_side,
    stored_optional_time,
    stored_time,
    summary_to_json,
    to_json,
)
from coach.records.gradings import checked_values, insert_grading
from coach.records.models import (
    EXERCISE_END_STATUSES,
    PATIENT_FIELDS,
    SESSION_END_STATUSES,
    SESSION_KINDS,
    ExerciseRecord,
    Patient,
    SessionDetail,
)
from coach.records.patients import find_or_add, patient_from_row, patient_row, patient_values
from coach.records.pictures import insert_picture
from coach.records.recording import insert_repetition, insert_steering
from coach.session.snapshots import Snapshot


class Imports:
    """Adds finished sessions from elsewhere to one database (`SessionStore.imports`)."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def session(
        self, session: SessionDetail, patient_id: int | None, pictures: Mapping[int, Snapshot] | None = None
    ) -> int | None:
        """Insert a finished session for `patient_id`, with its exercises and repetitions,
        keeping its uid, times, statuses, summaries and app version. Returns its new id,
        or None, writing nothing, if its uid is already here. No recording lock is needed:
        a finished session is never repaired as a crashed one. `pictures`: an exercise's
        picture at its peak, by the exercise's position (kept only by the person's choice)."""
        _check_importable(session)
        with self._database.writing(tr("the imported session {uid}", uid=session.uid)) as connection:
            added = _insert_session(connection, session, patient_id, pictures or {})
        if added is not None:
            self._database.after_keeping()
        return added

    def patient_history(
        self, patient: Patient, sessions: list[SessionDetail], gradings: Sequence[GradingIn] = ()
    ) -> tuple[Patient, int, int]:
        """A patient's sessions and gradings, all or nothing, in one transaction: the patient is
        matched by code (or added), and sessions and gradings already here are skipped (a
        session here for nobody is given to this patient: a damaged file's salvage may have
        read a session whose patient it could not read). Returns the patient here, and how
        many sessions were added and skipped."""
        for session in sessions:
            _check_importable(session)
        for n, grading in enumerate(gradings, 1):
            checked_values(grading.scale, grading.values, f"gradings[{n}].values")
            checked_values(grading.scale, grading.suggested, f"gradings[{n}].suggested")
        fields = {field: getattr(patient, field) for field in PATIENT_FIELDS}
        values = patient_values(fields, today=self._database.today())
        with self._database.writing(tr("the history of patient {code}", code=repr(values["code"]))) as connection:
            patient_id = find_or_add(connection, values, self._database.now())
            added = sum(_insert_session(connection, session, patient_id) is not None for session in sessions)
            connection.executemany("UPDATE sessions SET patient_id = ? WHERE uid = ? AND patient_id IS NULL",
                                   [(patient_id, session.uid) for session in sessions])  # fmt: skip
            for grading in gradings:
                _insert_grading(connection, grading, patient_id)
            here = patient_from_row(patient_row(connection, patient_id))
        if sessions or gradings:
            self._database.after_keeping()
        return here, added, len(sessions) - added


def _insert_grading(connection: sqlite3.Connection, grading: GradingIn, patient_id: int) -> None:
    """A grading from elsewhere, once (by uid), tied to its session here if that came along."""
    if connection.execute("SELECT 1 FROM gradings WHERE uid = ?", (grading.uid,)).fetchone():
        return
    if not grading.graded_by.strip():
        raise ValueError(tr("a grading from elsewhere says nobody graded it"))
    found = connection.execute("SELECT id FROM sessions WHERE uid = ?", (grading.session_uid,)).fetchone()
    insert_grading(connection, grading.uid, patient_id, found[0] if found else None, grading.scale,
                   stored_time(grading.graded_at), grading.graded_by.strip(),
                   checked_values(grading.scale, grading.values, "values"),
                   checked_values(grading.scale, grading.suggested, "suggested"))  # fmt: skip


def _check_importable(session: SessionDetail) -> None:
    """Only finished sessions, with finished exercises and valid sides, come in."""
    check_uid(session.uid)
    if session.status not in SESSION_END_STATUSES:
        raise ValueError(
            tr(
                "session {uid} is {status}; only a finished session ({statuses}) can be imported",
                uid=session.uid,
                status=repr(session.status),
                statuses=", ".join(SESSION_END_STATUSES),
            )
        )
    if session.kind not in SESSION_KINDS:
        raise ValueError(
            tr(
                "session {uid}: a session is one of {kinds}, not {kind}",
                uid=session.uid,
                kinds=SESSION_KINDS,
                kind=repr(session.kind),
            )
        )
    for exercise in session.exercises:
        if exercise.status not in EXERCISE_END_STATUSES:
            raise ValueError(
                tr(
                    "session {uid}: exercise {position} ({exercise}) is {status}; an imported exercise is one of "
                    "{statuses}",
                    uid=session.uid,
                    position=exercise.position,
                    exercise=exercise.exercise_id,
                    status=repr(exercise.status),
                    statuses=", ".join(EXERCISE_END_STATUSES),
                )
            )
        for record in exercise.repetitions:
            check_weaker_side(record.repetition)


def _insert_session(
    connection: sqlite3.Connection,
    session: SessionDetail,
    patient_id: int | None,
    pictures: Mapping[int, Snapshot] | None = None,
) -> int | None:
    """Insert one finished session inside the caller's transaction (for nobody named if
    `patient_id` is None), with the pictures by exercise position; None if its uid is here."""
    if connection.execute("SELECT 1 FROM sessions WHERE uid = ?", (session.uid,)).fetchone() is not None:
        return None
    if patient_id is not None:
        require_id(connection, "patients", "patient", patient_id)
    session_id = row_id(
        connection.execute(
            "INSERT INTO sessions (started_at, ended_at, status, programme_id, programme_name, source, "
            "resting_json, app_version, patient_id, kind, uid, rest_accepted) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                stored_time(session.started_at),
                stored_optional_time(session.ended_at),
                session.status,
                session.programme_id,
                session.programme_name,
                session.source,
                None if session.resting is None else to_json(session.resting),
                session.app_version,
                patient_id,
                session.kind,
                session.uid,
                int(session.rest_accepted),
            ),
        )
    )
    for exercise in session.exercises:
        exercise_id = _insert_exercise(connection, session_id, exercise)
        picture = (pictures or {}).get(exercise.position)
        if picture is not None:
            insert_picture(connection, exercise_id, picture, stored_time(exercise.ended_at or exercise.started_at))
    for record in session.steering:
        insert_steering(connection, session_id, record)
    return session_id


def _insert_exercise(connection: sqlite3.Connection, session_id: int, exercise: ExerciseRecord) -> int:
    exercise_id = row_id(
        connection.execute(
            "INSERT INTO session_exercises (session_id, position, exercise_id, exercise_name, "
            "primary_measure, target_json, started_at, ended_at, status, summary_json) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                session_id,
                exercise.position,
                exercise.exercise_id,
                exercise.exercise_name,
                exercise.primary_measure,
                to_json(exercise.target),
                stored_time(exercise.started_at),
                stored_optional_time(exercise.ended_at),
                exercise.status,
                None if exercise.summary is None else to_json(summary_to_json(exercise.summary)),
            ),
        )
    )
    for record in exercise.repetitions:
        insert_repetition(connection, exercise_id, record.number, stored_time(record.recorded_at), record.repetition,
                          record.discarded_reason)  # fmt: skip
    return exercise_id
