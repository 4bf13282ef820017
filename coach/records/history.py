"""Reading the history back: the list of sessions (all, or one patient's), and one session
whole, with its exercises and repetitions.

A reader may run beside a recording store on the same file (WAL): it sees every
committed repetition without blocking the writer, and each read is one transaction, so
counts and rows always agree.
"""

from __future__ import annotations

import json
import sqlite3

from coach.base.errors import DamagedSessionError
from coach.base.i18n import tr
from coach.records.bundle_model import BundleError, check_stored
from coach.records.database import Database
from coach.records.encoding import parse_optional_time, parse_time, repetition_record, summary_from_json
from coach.records.models import ExerciseRecord, RepetitionRecord, SessionDetail, SessionRecord, SteeringRecord


class History:
    """The sessions kept in one database (`SessionStore.history`)."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def sessions(self, limit: int = 100, patient_id: int | None = None) -> list[SessionRecord]:
        """The newest `limit` sessions (of one patient, if given), newest first, with how
        much each holds."""
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        only_patient = "" if patient_id is None else "WHERE s.patient_id = :patient_id"
        with self._database.reading() as connection:
            rows = connection.execute(
                f"""SELECT s.id, s.started_at, s.ended_at, s.status, s.programme_id, s.programme_name,
                          s.patient_id, s.kind, s.uid,
                          (SELECT count(*) FROM session_exercises AS e WHERE e.session_id = s.id) AS exercise_count,
                          (SELECT count(*) FROM repetitions AS r JOIN session_exercises AS e
                             ON r.session_exercise_id = e.id
                           WHERE e.session_id = s.id AND r.discarded_reason IS NULL) AS repetition_count
                   FROM sessions AS s {only_patient} ORDER BY s.started_at DESC, s.id DESC LIMIT :limit""",
                {"limit": limit, "patient_id": patient_id},
            ).fetchall()
        return [
            SessionRecord(
                id=row["id"],
                started_at=parse_time(row["started_at"]),
                ended_at=parse_optional_time(row["ended_at"]),
                status=row["status"],
                programme_id=row["programme_id"],
                programme_name=row["programme_name"],
                exercise_count=row["exercise_count"],
                repetition_count=row["repetition_count"],
                patient_id=row["patient_id"],
                kind=row["kind"],
                uid=row["uid"],
            )
            for row in rows
        ]

    def session_detail(self, session_id: int) -> SessionDetail:
        """One session with its exercises in order and each exercise's repetitions, checked
        against the same rules as an imported one (`bundle_model.check_stored`): a session
        whose stored values are damaged raises DamagedSessionError, naming the field, instead
        of breaking whatever reads it. KeyError if there is no such session."""
        where = tr("session {session} in {path}", session=session_id, path=self._database.path)
        detail = self._read_detail(session_id)
        try:
            check_stored(detail, where)
        except BundleError as error:
            raise DamagedSessionError(tr("{problem}; it is left out", problem=error.reason)) from None
        return detail

    def _read_detail(self, session_id: int) -> SessionDetail:
        """One session as stored. Read in one transaction, so a writer adding a repetition
        meanwhile cannot make the counts and the rows disagree."""
        with self._database.reading() as connection:
            session = connection.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
            if session is None:
                raise KeyError(tr("no session {session} in {path}", session=session_id, path=self._database.path))
            exercise_rows = connection.execute(
                "SELECT * FROM session_exercises WHERE session_id = ? ORDER BY position, id", (session_id,)
            ).fetchall()
            repetition_rows = connection.execute(
                "SELECT r.* FROM repetitions AS r JOIN session_exercises AS e ON r.session_exercise_id = e.id "
                "WHERE e.session_id = ? ORDER BY r.session_exercise_id, r.number, r.id",
                (session_id,),
            ).fetchall()
            steering_rows = connection.execute(
                "SELECT * FROM session_steering WHERE session_id = ? ORDER BY at_s, id", (session_id,)
            ).fetchall()
        try:
            return _detail(session, exercise_rows, repetition_rows, steering_rows)
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise DamagedSessionError(
                tr(
                    "session {session} in {path} holds a value that cannot be read ({problem}); it is left out",
                    session=session_id,
                    path=self._database.path,
                    problem=error,
                )
            ) from None

    def has_session(self, uid: str) -> bool:
        """Whether a session with this uid is already here (a bundle's session imported before)."""
        with self._database.reading() as connection:
            return connection.execute("SELECT 1 FROM sessions WHERE uid = ?", (uid,)).fetchone() is not None


def _detail(
    session: sqlite3.Row,
    exercise_rows: list[sqlite3.Row],
    repetition_rows: list[sqlite3.Row],
    steering_rows: list[sqlite3.Row],
) -> SessionDetail:
    """A session from its rows (raises on any value that is not what it should be)."""
    repetitions: dict[int, list[RepetitionRecord]] = {}
    for row in repetition_rows:
        repetitions.setdefault(row["session_exercise_id"], []).append(repetition_record(row))
    return SessionDetail(
        id=session["id"],
        started_at=parse_time(session["started_at"]),
        ended_at=parse_optional_time(session["ended_at"]),
        status=session["status"],
        programme_id=session["programme_id"],
        programme_name=session["programme_name"],
        source=session["source"],
        resting=None if session["resting_json"] is None else json.loads(session["resting_json"]),
        app_version=session["app_version"],
        exercises=tuple(_exercise_record(row, repetitions.get(row["id"], [])) for row in exercise_rows),
        patient_id=session["patient_id"],
        kind=session["kind"],
        uid=session["uid"],
        rest_accepted=bool(session["rest_accepted"]),
        steering=tuple(_steering_record(row) for row in steering_rows),
    )


def _steering_record(row: sqlite3.Row) -> SteeringRecord:
    return SteeringRecord(
        at_s=row["at_s"],
        origin=row["origin"],
        action=row["action"],
        position=row["position"],
        detail=json.loads(row["detail_json"]),
        text=row["text"],
        recorded_at=parse_time(row["recorded_at"]),
    )


def _exercise_record(row: sqlite3.Row, repetitions: list[RepetitionRecord]) -> ExerciseRecord:
    return ExerciseRecord(
        id=row["id"],
        position=row["position"],
        exercise_id=row["exercise_id"],
        exercise_name=row["exercise_name"],
        primary_measure=row["primary_measure"],
        target=json.loads(row["target_json"]),
        started_at=parse_time(row["started_at"]),
        ended_at=parse_optional_time(row["ended_at"]),
        status=row["status"],
        summary=None if row["summary_json"] is None else summary_from_json(json.loads(row["summary_json"])),
        repetitions=tuple(repetitions),
    )
