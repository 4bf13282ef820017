"""Pictures of an exercise at its peak, kept only for those who chose to keep pictures.

The face is kept cropped, as the camera saw it (never mirrored), with its landmarks, so a
report can draw the measured regions on it. Deleting pictures keeps the numbers; the
freed pages are overwritten (secure_delete), so a deleted face does not linger in the file.
"""

from __future__ import annotations

import contextlib
import sqlite3

from coach.base.errors import StoreError
from coach.base.i18n import tr
from coach.records.database import Database, require_id
from coach.session.snapshots import (
    Snapshot,
    SnapshotError,
    decode_landmarks,
    decode_picture,
    encode_landmarks,
    encode_picture,
)


class Pictures:
    """The kept pictures in one database (`SessionStore.pictures`)."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def keep(self, session_exercise_id: int, snapshot: Snapshot) -> None:
        """Keep the picture of an exercise at its peak (replacing one kept before for it).
        Call only when the person chose to keep pictures."""
        with self._database.writing(tr("the picture of the exercise")) as connection:
            require_id(connection, "session_exercises", "exercise", session_exercise_id)
            insert_picture(connection, session_exercise_id, snapshot, self._database.now())

    def of_session(self, session_id: int) -> dict[int, Snapshot]:
        """The pictures kept for a session's exercises, by `ExerciseRecord.id` (often none)."""
        with self._database.reading(tr("the kept pictures")) as connection:
            rows = connection.execute(
                "SELECT p.* FROM snapshots AS p JOIN session_exercises AS e ON p.session_exercise_id = e.id "
                "WHERE e.session_id = ?",
                (session_id,),
            ).fetchall()
        try:
            return {
                row["session_exercise_id"]: Snapshot(
                    decode_picture(row["picture_jpeg"]), decode_landmarks(row["landmarks_f32"]), row["measure"]
                )
                for row in rows
            }
        except SnapshotError as error:
            raise StoreError(
                tr(
                    "{problem} (session {session} in {path}); delete its pictures to go on",
                    problem=error,
                    session=session_id,
                    path=self._database.path,
                )
            ) from error

    def count(self, *, session_id: int | None = None, patient_id: int | None = None) -> int:
        """How many pictures are kept (for a session, a patient, or in all)."""
        where, values = _exercises_of(session_id, patient_id)
        with self._database.reading(tr("the kept pictures")) as connection:
            query = f"SELECT count(*) FROM snapshots WHERE session_exercise_id IN ({where})"
            return int(connection.execute(query, values).fetchone()[0])

    def delete(self, *, session_id: int | None = None, patient_id: int | None = None) -> int:
        """Delete the kept pictures of one session, or of every session of a patient, or
        (neither given) all of them; the numbers stay. Returns how many were deleted."""
        where, values = _exercises_of(session_id, patient_id)
        with self._database.writing(tr("the deletion of pictures")) as connection:
            cursor = connection.execute(f"DELETE FROM snapshots WHERE session_exercise_id IN ({where})", values)
        if cursor.rowcount:
            # secure_delete (see coach.records.database.connect) zeroed the freed pages in the file;
            # the journal's copies go when it is emptied (later, by itself, if a reader holds it now)
            with contextlib.suppress(sqlite3.Error):
                self._database.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return cursor.rowcount


def _exercises_of(session_id: int | None, patient_id: int | None) -> tuple[str, tuple[int, ...]]:
    """The exercise ids of one session, or of a patient's sessions, or of all, as a subquery."""
    if session_id is not None and patient_id is not None:
        raise ValueError("give a session or a patient, not both")
    if session_id is not None:
        return "SELECT id FROM session_exercises WHERE session_id = ?", (session_id,)
    if patient_id is not None:
        return (
            "SELECT e.id FROM session_exercises AS e JOIN sessions AS s ON e.session_id = s.id WHERE s.patient_id = ?",
            (patient_id,),
        )
    return "SELECT id FROM session_exercises", ()


def insert_picture(connection: sqlite3.Connection, session_exercise_id: int, snapshot: Snapshot, taken_at: str) -> None:
    """Keep `snapshot` for the exercise inside the caller's transaction (replacing one kept before);
    `taken_at` as stored."""
    picture, landmarks = encode_picture(snapshot.picture_rgb), encode_landmarks(snapshot.face_px)
    connection.execute(
        "INSERT OR REPLACE INTO snapshots (session_exercise_id, taken_at, measure, picture_jpeg, landmarks_f32) "
        "VALUES (?, ?, ?, ?, ?)",
        (session_exercise_id, taken_at, snapshot.measure, picture, landmarks),
    )
