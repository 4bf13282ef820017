"""Recording a session as it happens: the session, its resting measures, each exercise,
each repetition, and how they ended.

Each repetition is committed (WAL, synchronous=FULL) the moment it is recorded, so a
crash or a power cut loses at most the repetition in progress; the next
`SessionStore.open` keeps what a crashed session saved and marks it 'interrupted'.
Starting a session takes the recording lock (`coach.records.recorder_lock`), held until
the store closes: one store records into a database at a time.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from coach import __version__
from coach.base.errors import StoreError
from coach.base.formats import date_time_text
from coach.base.i18n import tr
from coach.records.database import Database, require_id, require_row, row_id
from coach.records.encoding import (
    check_weaker_side,
    new_uid,
    parse_time,
    repetition_columns,
    stored_time,
    summary_to_json,
    to_json,
)
from coach.records.models import (
    EXERCISE_END_STATUSES,
    SESSION_END_STATUSES,
    SESSION_KINDS,
    STEERING_ORIGINS,
    ExerciseEndStatus,
    SessionEndStatus,
    SessionKind,
    SteeringRecord,
)
from coach.records.recorder_lock import RecorderLock
from coach.session.engine import Repetition, Summary

#: how long `start_session` waits for another store to release the recording lock
RECORDER_LOCK_WAIT_S = 5.0


class Recording:
    """Writes sessions into one database as they happen (`SessionStore.recording`)."""

    def __init__(self, database: Database, lock: RecorderLock) -> None:
        self._database = database
        self._lock = lock

    def start_session(
        self,
        programme_id: str | None,
        programme_name: str | None,
        source: str,
        *,
        patient_id: int | None = None,
        kind: SessionKind = "live",
    ) -> int:
        """A new session 'in_progress', with a new uid; this store becomes the one recording
        into the file. `kind` 'recorded': a video analysed into the history."""
        if kind not in SESSION_KINDS:
            raise ValueError(f"a session is one of {SESSION_KINDS}, not {kind!r}")
        if not self._lock.acquire(timeout_s=RECORDER_LOCK_WAIT_S):
            raise StoreError(
                tr(
                    "another FaceCoach window is recording a session into {path}; finish or close it first",
                    path=self._database.path,
                )
            )
        with self._database.writing(tr("the new session")) as connection:
            if patient_id is not None:
                require_id(connection, "patients", "patient", patient_id)
            cursor = connection.execute(
                "INSERT INTO sessions (started_at, status, programme_id, programme_name, source, app_version, "
                "patient_id, kind, uid) VALUES (?, 'in_progress', ?, ?, ?, ?, ?, ?, ?)",
                (self._database.now(), programme_id, programme_name, source, __version__, patient_id, kind, new_uid()),
            )
        return row_id(cursor)

    def save_resting(self, session_id: int, resting: dict[str, Any], accepted: bool = False) -> None:
        """Keep the resting (static) measures of the session's neutral face; `accepted`: the
        person accepted their face as it was (it was not found still)."""
        with self._database.writing(tr("the resting measures")) as connection:
            cursor = connection.execute(
                "UPDATE sessions SET resting_json = ?, rest_accepted = ? WHERE id = ?",
                (to_json(resting), int(accepted), session_id),
            )
            require_row(cursor.rowcount, "session", session_id)

    def start_exercise(
        self,
        session_id: int,
        position: int,
        exercise_id: str,
        exercise_name: str,
        primary_measure: str | None,
        target: dict[str, Any],
    ) -> int:
        """A new exercise 'in_progress' in the session; returns its id for `add_repetition`."""
        now = self._database.now()
        with self._database.writing(tr("the new exercise")) as connection:
            require_id(connection, "sessions", "session", session_id)
            cursor = connection.execute(
                "INSERT INTO session_exercises (session_id, position, exercise_id, exercise_name, "
                "primary_measure, target_json, started_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, 'in_progress')",
                (session_id, position, exercise_id, exercise_name, primary_measure, to_json(target), now),
            )
        return row_id(cursor)

    def add_repetition(self, session_exercise_id: int, number: int, rep: Repetition) -> int:
        """Write one completed repetition and commit it before returning: the durability
        point, so a crash afterwards cannot lose it."""
        check_weaker_side(rep)
        with self._database.writing(tr("repetition {number}", number=number)) as connection:
            require_id(connection, "session_exercises", "exercise", session_exercise_id)
            return insert_repetition(connection, session_exercise_id, number, self._database.now(), rep)

    def finish_exercise(self, session_exercise_id: int, status: ExerciseEndStatus, summary: Summary | None) -> None:
        """End an exercise: 'completed', 'skipped', 'stopped' or 'interrupted'."""
        if status not in EXERCISE_END_STATUSES:
            raise ValueError(f"an exercise ends as one of {EXERCISE_END_STATUSES}, not {status!r}")
        summary_json = None if summary is None else to_json(summary_to_json(summary))
        with self._database.writing(tr("the end of the exercise")) as connection:
            cursor = connection.execute(
                "UPDATE session_exercises SET status = ?, ended_at = ?, summary_json = ? WHERE id = ?",
                (status, self._database.now(), summary_json, session_exercise_id),
            )
            require_row(cursor.rowcount, "exercise", session_exercise_id)

    def set_aside_repetition(
        self, session_exercise_id: int, number: int, reason: str, summary: Summary | None = None
    ) -> None:
        """Set repetition `number` aside (kept, flagged with `reason`, no longer scored); with the
        exercise's `summary` worked out again when it had already ended."""
        with self._database.writing(tr("repetition {number}", number=number)) as connection:
            cursor = connection.execute(
                "UPDATE repetitions SET discarded_reason = ? WHERE session_exercise_id = ? AND number = ?",
                (reason, session_exercise_id, number),
            )
            require_row(cursor.rowcount, "repetition", number)
            if summary is not None:
                connection.execute(
                    "UPDATE session_exercises SET summary_json = ? WHERE id = ?",
                    (to_json(summary_to_json(summary)), session_exercise_id),
                )

    def log_steering(self, session_id: int, record: SteeringRecord) -> None:
        """Keep one thing done to the session while it runs: a command applied, or a note."""
        with self._database.writing(tr("what the therapist did")) as connection:
            require_id(connection, "sessions", "session", session_id)
            insert_steering(connection, session_id, record)

    def finish_session(self, session_id: int, status: SessionEndStatus) -> None:
        """End a session: 'completed', 'stopped' or 'interrupted'. Exercises left open
        end with it (as 'stopped', or 'interrupted' with an interrupted session), so no
        row stays 'in_progress'."""
        if status not in SESSION_END_STATUSES:
            raise ValueError(f"a session ends as one of {SESSION_END_STATUSES}, not {status!r}")
        now = self._database.now()
        with self._database.writing(tr("the end of the session")) as connection:
            cursor = connection.execute(
                "UPDATE sessions SET status = ?, ended_at = ? WHERE id = ?", (status, now, session_id)
            )
            require_row(cursor.rowcount, "session", session_id)
            connection.execute(
                "UPDATE session_exercises SET status = ?, ended_at = ? WHERE session_id = ? AND status = 'in_progress'",
                ("interrupted" if status == "interrupted" else "stopped", now, session_id),
            )
        self._database.after_keeping()


def insert_repetition(
    connection: sqlite3.Connection,
    session_exercise_id: int,
    number: int,
    recorded_at: str,
    rep: Repetition,
    discarded_reason: str | None = None,
) -> int:
    """Insert one repetition inside the caller's transaction; returns its id."""
    cursor = connection.execute(
        "INSERT INTO repetitions (session_exercise_id, number, recorded_at, start_s, peak_s, end_s, "
        "left_mm, right_mm, symmetry, weaker_side, hold_s, complete, synkinesis_json, measures_json, "
        "discarded_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (session_exercise_id, number, recorded_at, *repetition_columns(rep), discarded_reason),
    )
    return row_id(cursor)


def insert_steering(connection: sqlite3.Connection, session_id: int, record: SteeringRecord) -> None:
    """Insert one thing done to a session (a command applied, a note) inside the caller's transaction."""
    if record.origin not in STEERING_ORIGINS:
        raise ValueError(f"a change comes from one of {STEERING_ORIGINS}, not {record.origin!r}")
    connection.execute(
        "INSERT INTO session_steering (session_id, at_s, origin, action, position, detail_json, text, recorded_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (session_id, max(0.0, float(record.at_s)), record.origin, record.action, record.position,
         to_json(record.detail), record.text, stored_time(record.recorded_at)),
    )  # fmt: skip


def keep_unfinished_as_interrupted(database: Database) -> str | None:
    """Close what a crash left 'in_progress' (only called holding the recording lock);
    returns the notice for the user, or None if there was nothing.

    Their ended_at is the last thing saved (a repetition, an exercise start, or the
    session start), not the unknown moment of the crash.
    """
    with database.writing(tr("the interrupted sessions")) as connection:
        unfinished = connection.execute(
            """SELECT s.started_at,
                      (SELECT count(*) FROM repetitions AS r JOIN session_exercises AS e
                         ON r.session_exercise_id = e.id WHERE e.session_id = s.id)
               FROM sessions AS s WHERE s.status = 'in_progress' ORDER BY s.started_at""",
        ).fetchall()
        connection.execute(
            """UPDATE session_exercises SET status = 'interrupted',
                   ended_at = coalesce((SELECT max(r.recorded_at) FROM repetitions AS r
                                        WHERE r.session_exercise_id = session_exercises.id), started_at)
               WHERE status = 'in_progress'"""
        )
        connection.execute(
            """UPDATE sessions SET status = 'interrupted',
                   ended_at = max(started_at, coalesce((SELECT max(e.ended_at) FROM session_exercises AS e
                                                        WHERE e.session_id = sessions.id), started_at))
               WHERE status = 'in_progress'"""
        )
    if not unfinished:
        return None
    saved = sum(row[1] for row in unfinished)
    first, last = (date_time_text(parse_time(unfinished[i][0]).astimezone()) for i in (0, -1))
    reps = tr("{count} saved repetition", count=saved) if saved == 1 else tr("{count} saved repetitions", count=saved)
    if len(unfinished) == 1:
        return tr("1 unfinished session from {first} was kept as interrupted, with its {repetitions}.",
                  first=first, repetitions=reps)  # fmt: skip
    return tr(
        "{count} unfinished sessions from {first} to {last} were kept as interrupted, with their {repetitions}.",
        count=len(unfinished),
        first=first,
        last=last,
        repetitions=reps,
    )
