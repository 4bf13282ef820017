"""The session store: a patient's exercise sessions at home, in one SQLite file.

Since schema 2 it also keeps the therapist's side: patients (a name or pseudonymous
code, the affected side, onset and cause), programmes written as data and which one
each patient was given, and a random `uid` per session, so a session carried between
devices in a bundle is imported only once.

Durability comes first. Each repetition is committed (WAL, synchronous=FULL) the moment
it is recorded, so a crash or a power cut loses at most the repetition in progress. The
next `SessionStore.open` keeps what a crashed session saved and marks it 'interrupted'.
A damaged file is never deleted: it is renamed aside and the user is told where it is.

Threads: a `SessionStore` belongs to the thread that opened it (sqlite3's own check).
The live coach writes from its worker thread with one store; the GUI may read the
history from its own thread with a second store on the same file: WAL lets the reader
see every committed repetition without blocking the writer.

Recording is claimed with an advisory lock on `<database>.lock`, taken by
`start_session` and held until `close`. Only a store that can take it repairs sessions
left 'in_progress', so opening a reader during a live session never marks that
session interrupted, and two windows cannot record into one database at once.

The schema is versioned with `PRAGMA user_version`; `MIGRATIONS[v]` upgrades version v
to v + 1, all in one transaction, so an upgrade that fails leaves the file as it was.
Before an existing file is upgraded it is copied, whole, to `<name>.v<N>-backup-<time>`
beside it: a way back that does not depend on the upgrade being right. Upgrading needs
the recording lock, so no other window writes while the copy is made.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self, get_args

from coach import __version__
from coach.engine import Repetition, Summary
from coach.errors import CoachError
from coach.snapshots import (
    Snapshot,
    SnapshotError,
    decode_landmarks,
    decode_picture,
    encode_landmarks,
    encode_picture,
)

SCHEMA_VERSION = 3
#: `PRAGMA application_id` of our files ("FCoa"): tells a FaceCoach database from another program's
APPLICATION_ID = int.from_bytes(b"FCoa", "big")
DATABASE_FILENAME = "sessions.sqlite3"
#: how long a writer waits for another connection's write to finish
BUSY_TIMEOUT_S = 5.0
#: how long `start_session` waits for another store to release the recording lock
RECORDER_LOCK_WAIT_S = 5.0

SessionEndStatus = Literal["completed", "stopped", "interrupted"]
ExerciseEndStatus = Literal["completed", "skipped", "stopped", "interrupted"]
SessionStatus = Literal["in_progress", SessionEndStatus]
ExerciseStatus = Literal["in_progress", ExerciseEndStatus]
SESSION_END_STATUSES: tuple[str, ...] = get_args(SessionEndStatus)
EXERCISE_END_STATUSES: tuple[str, ...] = get_args(ExerciseEndStatus)
SIDES = ("left", "right")
SessionKind = Literal["live", "recorded"]  # recorded: a video analysed into the history
SESSION_KINDS: tuple[str, ...] = get_args(SessionKind)
#: the side of the palsy, as the patient's anatomical side
AffectedSide = Literal["left", "right", "both", "unknown"]
AFFECTED_SIDES: tuple[str, ...] = get_args(AffectedSide)
#: which fields `update_patient` may change
PATIENT_FIELDS = ("code", "display_name", "affected_side", "onset_date", "cause", "notes")
#: the keys of one programme entry (see `ProgrammeEntry`)
PROGRAMME_ENTRY_KEYS = ("exercise_id", "repetitions", "hold_s", "relax_s", "effort", "target_mm", "target_symmetry")

# SQLite primary result codes that mean the file itself is damaged or not a database
_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26
_SQLITE_BUSY = 5
_SQLITE_FULL = 13
_SQLITE_READONLY = 8


class StoreError(CoachError):
    """The session database cannot be opened or written; the message says what to do."""


def database_path(data_dir: Path) -> Path:
    """The session database inside a data folder (see `coach.userdirs.default_data_dir`)."""
    return Path(data_dir) / DATABASE_FILENAME


# --------------------------------------------------------------------------- schema

# Comments inside CREATE TABLE are kept in sqlite_master, so whoever opens the file in
# a database browser reads them too.
_SCHEMA_1 = (
    """CREATE TABLE sessions (
    -- one sitting in front of the camera; times are ISO-8601 UTC text ('…+00:00')
    id             INTEGER PRIMARY KEY,
    started_at     TEXT NOT NULL,
    ended_at       TEXT,               -- NULL while in progress; for 'interrupted': last thing saved
    status         TEXT NOT NULL DEFAULT 'in_progress'
                   CHECK (status IN ('in_progress', 'completed', 'stopped', 'interrupted')),
    programme_id   TEXT,               -- NULL: a single exercise outside a programme
    programme_name TEXT,
    source         TEXT NOT NULL,      -- e.g. 'camera 0' or a video file name
    resting_json   TEXT,               -- resting (static) measures {measure: {"left": mm, "right": mm}}
    app_version    TEXT NOT NULL
)""",
    """CREATE TABLE session_exercises (
    -- one exercise of a session, in the order done (position, then id)
    id              INTEGER PRIMARY KEY,
    session_id      INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    exercise_id     TEXT NOT NULL,
    exercise_name   TEXT NOT NULL,
    primary_measure TEXT,              -- NULL for a static (resting face) exercise
    target_json     TEXT NOT NULL DEFAULT '{}',  -- what was asked: repetitions, hold s, …
    started_at      TEXT NOT NULL,
    ended_at        TEXT,
    status          TEXT NOT NULL DEFAULT 'in_progress'
                    CHECK (status IN ('in_progress', 'completed', 'skipped', 'stopped', 'interrupted')),
    summary_json    TEXT               -- coach.engine.Summary, NULL until finished (or if none)
)""",
    """CREATE TABLE repetitions (
    -- one repetition, written the moment it completes.
    -- LEFT AND RIGHT ARE ALWAYS THE PATIENT'S ANATOMICAL SIDES, whatever the camera or a
    -- mirrored display showed; the same holds for the sides inside every *_json column.
    id                  INTEGER PRIMARY KEY,
    session_exercise_id INTEGER NOT NULL REFERENCES session_exercises(id) ON DELETE CASCADE,
    number              INTEGER NOT NULL,  -- 1, 2, … within the exercise
    recorded_at         TEXT NOT NULL,
    start_s             REAL NOT NULL,     -- seconds from the start of the exercise's recording
    peak_s              REAL NOT NULL,
    end_s               REAL NOT NULL,
    left_mm             REAL NOT NULL,     -- peak movement of the primary measure, per side
    right_mm            REAL NOT NULL,
    symmetry            REAL,              -- weaker ÷ stronger, 0–1; NULL when neither side moved
    weaker_side         TEXT CHECK (weaker_side IS NULL OR weaker_side IN ('left', 'right')),
                                           -- NULL: the sides differ by no more than the noise
    hold_s              REAL NOT NULL,
    complete            INTEGER NOT NULL CHECK (complete IN (0, 1)),
    synkinesis_json     TEXT NOT NULL DEFAULT '{}',  -- {watch measure: {"left": %, "right": %}}
    measures_json       TEXT NOT NULL DEFAULT '{}'   -- {primary measure: {"left": mm, "right": mm}}
)""",
    "CREATE INDEX sessions_by_start ON sessions (started_at)",
    "CREATE INDEX sessions_unfinished ON sessions (id) WHERE status = 'in_progress'",
    "CREATE INDEX session_exercises_by_session ON session_exercises (session_id, position)",
    "CREATE INDEX repetitions_by_exercise ON repetitions (session_exercise_id, number)",
    f"PRAGMA application_id = {APPLICATION_ID}",
)


def _create_first_schema(connection: sqlite3.Connection) -> None:
    for statement in _SCHEMA_1:
        connection.execute(statement)


_SCHEMA_2 = (
    """CREATE TABLE patients (
    -- a person whose sessions are kept (the therapist's side); times are ISO-8601 UTC text
    id            INTEGER PRIMARY KEY,
    code          TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (trim(code) <> ''),
                                      -- a name or a pseudonymous code; 'P07' and 'p07' are one patient
    display_name  TEXT,
    affected_side TEXT NOT NULL DEFAULT 'unknown'
                  CHECK (affected_side IN ('left', 'right', 'both', 'unknown')),
                                      -- the side of the palsy: THE PATIENT'S ANATOMICAL SIDE
    onset_date    TEXT CHECK (onset_date IS NULL OR onset_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    cause         TEXT,               -- e.g. Bell's palsy, Ramsay Hunt, after surgery
    notes         TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
)""",
    """CREATE TABLE programmes (
    -- a programme written for patients, as data (the shipped ones are TOML files instead)
    id          INTEGER PRIMARY KEY,
    uid         TEXT NOT NULL UNIQUE,  -- the same programme on every device (bundles)
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    body_json   TEXT NOT NULL,         -- [{exercise_id, repetitions, hold_s, relax_s, effort (1-10),
                                       --   target_mm: [low, high], target_symmetry}, ...] in order
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
)""",
    """CREATE TABLE patient_programmes (
    -- which programme a patient was given, and when; the latest assignment is the current one
    id           INTEGER PRIMARY KEY,
    patient_id   INTEGER NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
    programme_id INTEGER NOT NULL REFERENCES programmes(id),
    assigned_at  TEXT NOT NULL
)""",
    "ALTER TABLE sessions ADD COLUMN patient_id INTEGER REFERENCES patients(id)",  # NULL: nobody named
    "ALTER TABLE sessions ADD COLUMN kind TEXT NOT NULL DEFAULT 'live' CHECK (kind IN ('live', 'recorded'))",
    # ALTER TABLE cannot add a UNIQUE or NOT NULL column: a unique index and triggers do their work
    "ALTER TABLE sessions ADD COLUMN uid TEXT",
    "CREATE INDEX sessions_by_patient ON sessions (patient_id, started_at)",
    "CREATE INDEX patient_programmes_by_patient ON patient_programmes (patient_id, assigned_at)",
)
_SESSION_UID_RULES = (
    "CREATE UNIQUE INDEX sessions_by_uid ON sessions (uid)",
    """CREATE TRIGGER sessions_need_a_uid BEFORE INSERT ON sessions
WHEN NEW.uid IS NULL OR length(NEW.uid) <> 32 OR NEW.uid GLOB '*[^0-9a-f]*'
BEGIN SELECT RAISE(ABORT, 'every session needs a uid of 32 lower-case hex digits'); END""",
    """CREATE TRIGGER sessions_keep_their_uid BEFORE UPDATE OF uid ON sessions
WHEN NEW.uid IS NOT OLD.uid
BEGIN SELECT RAISE(ABORT, 'a session keeps its uid'); END""",
)


def _add_patients_and_programmes(connection: sqlite3.Connection) -> None:
    """Schema 2: patients, programmes, and a uid for every session, old ones included."""
    for statement in _SCHEMA_2:
        connection.execute(statement)
    ids = [row[0] for row in connection.execute("SELECT id FROM sessions")]
    connection.executemany("UPDATE sessions SET uid = ? WHERE id = ?", [(_new_uid(), i) for i in ids])
    for statement in _SESSION_UID_RULES:
        connection.execute(statement)


_SCHEMA_3 = (
    """CREATE TABLE snapshots (
    -- a picture of one exercise at its peak, kept only when the person chose to keep pictures;
    -- the face cropped from the camera picture AS THE CAMERA SAW IT (never mirrored)
    session_exercise_id INTEGER PRIMARY KEY REFERENCES session_exercises(id) ON DELETE CASCADE,
    taken_at            TEXT NOT NULL,
    measure             TEXT NOT NULL,  -- the movement measure whose regions a report draws
    picture_jpeg        BLOB NOT NULL,
    landmarks_f32       BLOB NOT NULL   -- 478 x (x, y, z) little-endian float32, in the picture's pixels
)""",
)


def _add_snapshots(connection: sqlite3.Connection) -> None:
    """Schema 3: pictures at the peak of each exercise, for those who choose to keep them."""
    for statement in _SCHEMA_3:
        connection.execute(statement)


#: MIGRATIONS[v] takes the schema from version v to v + 1 (inside the caller's transaction).
#: Append to it (and to UPGRADE_NOTES); never edit a migration that has shipped.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _create_first_schema,
    _add_patients_and_programmes,
    _add_snapshots,
]
#: UPGRADE_NOTES[v]: what upgrading from version v to v + 1 adds, in the user's words
UPGRADE_NOTES = ["sessions", "patients and programmes", "pictures at the peak of each exercise, if chosen"]


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class SessionRecord:
    """One line of the history list."""

    id: int
    started_at: datetime
    ended_at: datetime | None
    status: SessionStatus
    programme_id: str | None
    programme_name: str | None
    exercise_count: int
    repetition_count: int
    patient_id: int | None
    kind: SessionKind
    uid: str


@dataclass(frozen=True)
class RepetitionRecord:
    """A stored repetition: the engine's `Repetition` as recorded, and when."""

    id: int
    number: int
    recorded_at: datetime
    repetition: Repetition


@dataclass(frozen=True)
class ExerciseRecord:
    id: int
    position: int
    exercise_id: str
    exercise_name: str
    primary_measure: str | None
    target: dict[str, Any]
    started_at: datetime
    ended_at: datetime | None
    status: ExerciseStatus
    summary: Summary | None
    repetitions: tuple[RepetitionRecord, ...]


@dataclass(frozen=True)
class SessionDetail:
    id: int
    started_at: datetime
    ended_at: datetime | None
    status: SessionStatus
    programme_id: str | None
    programme_name: str | None
    source: str
    resting: dict[str, Any] | None
    app_version: str
    exercises: tuple[ExerciseRecord, ...]
    patient_id: int | None
    kind: SessionKind
    #: 32 lower-case hex digits (a UUID4), the same in every database the session is imported into
    uid: str


@dataclass(frozen=True)
class PatientRecord:
    """A patient; `affected_side` is the patient's anatomical side of the palsy."""

    id: int
    code: str
    display_name: str | None
    affected_side: AffectedSide
    onset_date: date | None
    cause: str | None
    notes: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class ProgrammeEntry:
    """One exercise of a stored programme, as prescribed: how many, how long, how hard,
    and the movement range and evenness the coach rewards."""

    exercise_id: str
    repetitions: int
    hold_s: float
    relax_s: float
    effort: int  # 1 (barely move) to 10 (as hard as possible); gentle is usual in facial palsy
    target_mm: tuple[float, float]
    target_symmetry: float

    def to_json(self) -> dict[str, object]:
        return {
            "exercise_id": self.exercise_id,
            "repetitions": self.repetitions,
            "hold_s": self.hold_s,
            "relax_s": self.relax_s,
            "effort": self.effort,
            "target_mm": list(self.target_mm),
            "target_symmetry": self.target_symmetry,
        }


@dataclass(frozen=True)
class ProgrammeRecord:
    id: int
    uid: str
    name: str
    description: str
    entries: tuple[ProgrammeEntry, ...]
    created_at: datetime
    updated_at: datetime


# --------------------------------------------------------------------------- the store


class SessionStore:
    """Writes sessions as they happen and reads them back. Use `SessionStore.open`."""

    def __init__(
        self, path: Path, connection: sqlite3.Connection, lock: _RecorderLock, clock: Callable[[], datetime]
    ) -> None:
        self.path = path
        self._connection = connection
        self._lock = lock
        self._clock = clock

    # ----------------------------------------------------------------- opening

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
        clock = clock or _utc_now
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(
                f"cannot create the data folder {path.parent} ({error.strerror}); choose another with --data-dir"
            ) from error
        lock = _RecorderLock(path.with_name(path.name + ".lock"))
        # Nobody is recording if we can take the lock now: then sessions still marked
        # 'in_progress' were left by a crash, and a damaged file can be moved aside.
        repairing = lock.acquire(timeout_s=0)
        notices: list[str] = []
        connection: sqlite3.Connection | None = None
        try:
            if _is_damaged(path):
                if not repairing:
                    raise StoreError(
                        f"the session database {path} is damaged, and another FaceCoach window is using it; "
                        "close every FaceCoach window and start again"
                    )
                kept = _keep_damaged_copy(path, _checked_utc(clock()))
                notices.append(
                    f"The session database {path} was damaged and could not be read. It was kept, unchanged, "
                    f"as {kept}, and a new empty database was started; keep that copy if you need the earlier "
                    "sessions recovered."
                )
            connection = _connect(path)
            _configure(connection, path)
            upgraded = _migrate(connection, path, may_upgrade=repairing, clock=clock)
            if upgraded:
                notices.append(upgraded)
            store = cls(path, connection, lock, clock)
            if repairing:
                interrupted = store._keep_unfinished_as_interrupted()
                if interrupted:
                    notices.append(interrupted)
        except BaseException:
            if connection is not None:
                connection.close()
            lock.close()
            raise
        finally:
            if repairing:
                lock.release()
        return store, "\n".join(notices) or None

    def close(self) -> None:
        """Close the database and give up the recording lock (idempotent)."""
        self._connection.close()
        self._lock.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # ----------------------------------------------------------------- writing

    @contextmanager
    def dated(self, clock: Callable[[], datetime]) -> Iterator[None]:
        """Write with another clock inside the block: a video analysed today is dated when
        it was filmed."""
        saved, self._clock = self._clock, clock
        try:
            yield
        finally:
            self._clock = saved

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
                f"another FaceCoach window is recording a session into {self.path}; finish or close it first"
            )
        with self._writing("the new session") as connection:
            if patient_id is not None:
                _require_row(_count(connection, "patients", patient_id), "patient", patient_id)
            cursor = connection.execute(
                "INSERT INTO sessions (started_at, status, programme_id, programme_name, source, app_version, "
                "patient_id, kind, uid) VALUES (?, 'in_progress', ?, ?, ?, ?, ?, ?, ?)",
                (self._now(), programme_id, programme_name, source, __version__, patient_id, kind, _new_uid()),
            )
        return _row_id(cursor)

    def record_resting(self, session_id: int, resting: dict[str, Any]) -> None:
        """Keep the resting (static) measures of the session's neutral face."""
        with self._writing("the resting measures") as connection:
            cursor = connection.execute(
                "UPDATE sessions SET resting_json = ? WHERE id = ?", (_to_json(resting), session_id)
            )
            _require_row(cursor.rowcount, "session", session_id)

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
        with self._writing("the new exercise") as connection:
            _require_row(_count(connection, "sessions", session_id), "session", session_id)
            cursor = connection.execute(
                "INSERT INTO session_exercises (session_id, position, exercise_id, exercise_name, "
                "primary_measure, target_json, started_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, 'in_progress')",
                (session_id, position, exercise_id, exercise_name, primary_measure, _to_json(target), self._now()),
            )
        return _row_id(cursor)

    def add_repetition(self, session_exercise_id: int, number: int, rep: Repetition) -> int:
        """Write one completed repetition and commit it before returning: the durability
        point, so a crash afterwards cannot lose it."""
        _check_weaker_side(rep)
        with self._writing(f"repetition {number}") as connection:
            _require_row(_count(connection, "session_exercises", session_exercise_id), "exercise", session_exercise_id)
            return _insert_repetition(connection, session_exercise_id, number, self._now(), rep)

    def finish_exercise(self, session_exercise_id: int, status: ExerciseEndStatus, summary: Summary | None) -> None:
        """End an exercise: 'completed', 'skipped', 'stopped' or 'interrupted'."""
        if status not in EXERCISE_END_STATUSES:
            raise ValueError(f"an exercise ends as one of {EXERCISE_END_STATUSES}, not {status!r}")
        summary_json = None if summary is None else _to_json(_summary_to_json(summary))
        with self._writing("the end of the exercise") as connection:
            cursor = connection.execute(
                "UPDATE session_exercises SET status = ?, ended_at = ?, summary_json = ? WHERE id = ?",
                (status, self._now(), summary_json, session_exercise_id),
            )
            _require_row(cursor.rowcount, "exercise", session_exercise_id)

    def finish_session(self, session_id: int, status: SessionEndStatus) -> None:
        """End a session: 'completed', 'stopped' or 'interrupted'. Exercises left open
        end with it (as 'stopped', or 'interrupted' with an interrupted session), so no
        row stays 'in_progress'."""
        if status not in SESSION_END_STATUSES:
            raise ValueError(f"a session ends as one of {SESSION_END_STATUSES}, not {status!r}")
        now = self._now()
        with self._writing("the end of the session") as connection:
            cursor = connection.execute(
                "UPDATE sessions SET status = ?, ended_at = ? WHERE id = ?", (status, now, session_id)
            )
            _require_row(cursor.rowcount, "session", session_id)
            connection.execute(
                "UPDATE session_exercises SET status = ?, ended_at = ? WHERE session_id = ? AND status = 'in_progress'",
                ("interrupted" if status == "interrupted" else "stopped", now, session_id),
            )

    def keep_snapshot(self, session_exercise_id: int, snapshot: Snapshot) -> None:
        """Keep the picture of an exercise at its peak (replacing one kept before for it).
        Call only when the person chose to keep pictures."""
        picture, landmarks = encode_picture(snapshot.picture_rgb), encode_landmarks(snapshot.face_px)
        with self._writing("the picture of the exercise") as connection:
            _require_row(_count(connection, "session_exercises", session_exercise_id), "exercise", session_exercise_id)
            connection.execute(
                "INSERT OR REPLACE INTO snapshots (session_exercise_id, taken_at, measure, picture_jpeg, "
                "landmarks_f32) VALUES (?, ?, ?, ?, ?)",
                (session_exercise_id, self._now(), snapshot.measure, picture, landmarks),
            )

    def delete_snapshots(self, *, session_id: int | None = None, patient_id: int | None = None) -> int:
        """Delete the kept pictures of one session, or of every session of a patient, or
        (neither given) all of them; the numbers stay. Returns how many were deleted."""
        where, values = _snapshot_filter(session_id, patient_id)
        with self._writing("the deletion of pictures") as connection:
            cursor = connection.execute(f"DELETE FROM snapshots WHERE session_exercise_id IN ({where})", values)
        if cursor.rowcount:
            # secure_delete (see _configure) zeroed the freed pages in the file; the journal's
            # copies go when it is emptied (later, by itself, if a reader holds it now)
            with contextlib.suppress(sqlite3.Error):
                self._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return cursor.rowcount

    # ----------------------------------------------------------------- reading

    def list_sessions(self, limit: int = 100, patient_id: int | None = None) -> list[SessionRecord]:
        """The newest `limit` sessions (of one patient, if given), newest first, with how
        much each holds."""
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        only_patient = "" if patient_id is None else "WHERE s.patient_id = :patient_id"
        with self._reading() as connection:
            rows = connection.execute(
                f"""SELECT s.id, s.started_at, s.ended_at, s.status, s.programme_id, s.programme_name,
                          s.patient_id, s.kind, s.uid,
                          (SELECT count(*) FROM session_exercises AS e WHERE e.session_id = s.id) AS exercise_count,
                          (SELECT count(*) FROM repetitions AS r JOIN session_exercises AS e
                             ON r.session_exercise_id = e.id WHERE e.session_id = s.id) AS repetition_count
                   FROM sessions AS s {only_patient} ORDER BY s.started_at DESC, s.id DESC LIMIT :limit""",
                {"limit": limit, "patient_id": patient_id},
            ).fetchall()
        return [
            SessionRecord(
                id=row["id"],
                started_at=_parse_time(row["started_at"]),
                ended_at=_parse_optional_time(row["ended_at"]),
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
        """One session with its exercises in order and each exercise's repetitions.
        Read in one transaction, so a writer adding a repetition meanwhile cannot make
        the counts and the rows disagree."""
        with self._reading() as connection:
            session = connection.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
            if session is None:
                raise KeyError(f"no session {session_id} in {self.path}")
            exercise_rows = connection.execute(
                "SELECT * FROM session_exercises WHERE session_id = ? ORDER BY position, id", (session_id,)
            ).fetchall()
            repetition_rows = connection.execute(
                "SELECT r.* FROM repetitions AS r JOIN session_exercises AS e ON r.session_exercise_id = e.id "
                "WHERE e.session_id = ? ORDER BY r.session_exercise_id, r.number, r.id",
                (session_id,),
            ).fetchall()
        repetitions: dict[int, list[RepetitionRecord]] = {}
        for row in repetition_rows:
            repetitions.setdefault(row["session_exercise_id"], []).append(_repetition_record(row))
        exercises = tuple(
            ExerciseRecord(
                id=row["id"],
                position=row["position"],
                exercise_id=row["exercise_id"],
                exercise_name=row["exercise_name"],
                primary_measure=row["primary_measure"],
                target=json.loads(row["target_json"]),
                started_at=_parse_time(row["started_at"]),
                ended_at=_parse_optional_time(row["ended_at"]),
                status=row["status"],
                summary=None if row["summary_json"] is None else _summary_from_json(json.loads(row["summary_json"])),
                repetitions=tuple(repetitions.get(row["id"], ())),
            )
            for row in exercise_rows
        )
        return SessionDetail(
            id=session["id"],
            started_at=_parse_time(session["started_at"]),
            ended_at=_parse_optional_time(session["ended_at"]),
            status=session["status"],
            programme_id=session["programme_id"],
            programme_name=session["programme_name"],
            source=session["source"],
            resting=None if session["resting_json"] is None else json.loads(session["resting_json"]),
            app_version=session["app_version"],
            exercises=exercises,
            patient_id=session["patient_id"],
            kind=session["kind"],
            uid=session["uid"],
        )

    def session_snapshots(self, session_id: int) -> dict[int, Snapshot]:
        """The pictures kept for a session's exercises, by `ExerciseRecord.id` (often none)."""
        with self._reading("the kept pictures") as connection:
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
            raise StoreError(f"{error} (session {session_id} in {self.path}); delete its pictures to go on") from error

    def snapshot_count(self, *, session_id: int | None = None, patient_id: int | None = None) -> int:
        """How many pictures are kept (for a session, a patient, or in all)."""
        where, values = _snapshot_filter(session_id, patient_id)
        with self._reading("the kept pictures") as connection:
            query = f"SELECT count(*) FROM snapshots WHERE session_exercise_id IN ({where})"
            return int(connection.execute(query, values).fetchone()[0])

    def session_uid_exists(self, uid: str) -> bool:
        """Whether a session with this uid is already here (a bundle's session imported before)."""
        with self._reading() as connection:
            return connection.execute("SELECT 1 FROM sessions WHERE uid = ?", (uid,)).fetchone() is not None

    # ----------------------------------------------------------------- importing

    def import_session(self, session: SessionDetail, patient_id: int) -> int | None:
        """Insert a finished session from elsewhere (a bundle) for `patient_id`, with its
        exercises and repetitions, keeping its uid, times, statuses, summaries and app
        version. Returns its new id, or None, writing nothing, if its uid is already here.

        One transaction, so a failure leaves no half session. The ids in `session` (and its
        patient_id) belong to the other database and are not used. No recording lock is
        needed: a finished session is never repaired as a crashed one.
        """
        _check_importable(session)
        with self._writing(f"the imported session {session.uid}") as connection:
            return _insert_imported(connection, session, patient_id)

    def import_history(self, patient: PatientRecord, sessions: list[SessionDetail]) -> tuple[PatientRecord, int, int]:
        """A patient's sessions from elsewhere, all or nothing, in one transaction: the
        patient is matched by code (or added), and sessions already here (same uid) are
        skipped, so importing the same bundle twice adds nothing. Returns the patient here,
        and how many sessions were added and skipped."""
        for session in sessions:
            _check_importable(session)
        values = _patient_values({name: getattr(patient, name) for name in PATIENT_FIELDS}, today=self._today())
        with self._writing(f"the history of patient {values['code']!r}") as connection:
            row = connection.execute("SELECT id FROM patients WHERE code = ?", (values["code"],)).fetchone()
            if row is None:
                now = self._now()
                patient_id = _row_id(
                    connection.execute(
                        "INSERT INTO patients (code, display_name, affected_side, onset_date, cause, notes, "
                        "created_at, updated_at) VALUES (:code, :display_name, :affected_side, :onset_date, :cause, "
                        ":notes, :now, :now)",
                        {**values, "now": now},
                    )
                )
            else:
                patient_id = row[0]
            added = sum(_insert_imported(connection, session, patient_id) is not None for session in sessions)
            return _patient_record(_patient_row(connection, patient_id)), added, len(sessions) - added

    # ----------------------------------------------------------------- patients

    def add_patient(
        self,
        code: str,
        display_name: str | None = None,
        affected_side: AffectedSide = "unknown",
        onset_date: date | None = None,
        cause: str | None = None,
        notes: str | None = None,
    ) -> PatientRecord:
        """A new patient. `code` is a name or a pseudonymous code, unique (ignoring case);
        `affected_side` is the patient's anatomical side of the palsy."""
        values = _patient_values(
            {
                "code": code,
                "display_name": display_name,
                "affected_side": affected_side,
                "onset_date": onset_date,
                "cause": cause,
                "notes": notes,
            },
            today=self._today(),
        )
        now = self._now()
        with self._writing(f"the patient {values['code']!r}") as connection:
            self._require_free_code(connection, values["code"], None)
            cursor = connection.execute(
                "INSERT INTO patients (code, display_name, affected_side, onset_date, cause, notes, created_at, "
                "updated_at) VALUES (:code, :display_name, :affected_side, :onset_date, :cause, :notes, :now, :now)",
                {**values, "now": now},
            )
            return _patient_record(_patient_row(connection, _row_id(cursor)))

    def update_patient(self, patient_id: int, **fields: Any) -> PatientRecord:
        """Change some of a patient's fields (see PATIENT_FIELDS); None clears an optional one."""
        unknown = sorted(set(fields) - set(PATIENT_FIELDS))
        if unknown:
            raise TypeError(f"a patient has no field {unknown[0]!r}; the fields are {', '.join(PATIENT_FIELDS)}")
        today = self._today()
        with self._writing(f"the patient {patient_id}") as connection:
            row = _patient_row(connection, patient_id)
            current = _patient_record(row)
            merged = {name: getattr(current, name) for name in PATIENT_FIELDS} | fields
            values = _patient_values(merged, today=today)
            self._require_free_code(connection, values["code"], patient_id)
            connection.execute(
                "UPDATE patients SET code = :code, display_name = :display_name, affected_side = :affected_side, "
                "onset_date = :onset_date, cause = :cause, notes = :notes, updated_at = :now WHERE id = :id",
                {**values, "now": self._now(), "id": patient_id},
            )
            return _patient_record(_patient_row(connection, patient_id))

    def get_patient(self, id_or_code: int | str) -> PatientRecord:
        """A patient by id (int) or by code (str, ignoring case); KeyError if there is none."""
        if isinstance(id_or_code, bool) or not isinstance(id_or_code, int | str):
            raise TypeError(f"a patient is found by id (int) or code (str), not {id_or_code!r}")
        with self._reading("the patients") as connection:
            if isinstance(id_or_code, int):
                return _patient_record(_patient_row(connection, id_or_code))
            row = connection.execute("SELECT * FROM patients WHERE code = ?", (id_or_code.strip(),)).fetchone()
        if row is None:
            raise KeyError(f"no patient with the code {id_or_code!r} in {self.path}")
        return _patient_record(row)

    def list_patients(self) -> list[PatientRecord]:
        """Every patient, by code."""
        with self._reading("the patients") as connection:
            rows = connection.execute("SELECT * FROM patients ORDER BY code, id").fetchall()
        return [_patient_record(row) for row in rows]

    # ----------------------------------------------------------------- programmes

    def save_programme(
        self, name: str, description: str, entries: Sequence[Mapping[str, Any]], *, uid: str | None = None
    ) -> ProgrammeRecord:
        """Store a new programme: `entries` in order, each with every key of
        PROGRAMME_ENTRY_KEYS, checked against the same ranges as exercise files. Whether each
        exercise_id exists is the caller's to check (the exercises live in files, not here).
        A programme is never changed once saved, so past assignments keep their meaning;
        save a new one instead. `uid` keeps a programme's identity from another database."""
        if not isinstance(name, str) or not name.strip():
            raise ValueError("a programme needs a name")
        if not isinstance(description, str):
            raise ValueError(f"a programme's description is text, not {description!r}")
        if isinstance(entries, str | bytes | Mapping) or not entries:
            raise ValueError("a programme needs at least one exercise entry")
        checked = tuple(_programme_entry(number, entry) for number, entry in enumerate(entries, 1))
        if uid is None:
            uid = _new_uid()
        _check_uid(uid)
        now = self._now()
        with self._writing(f"the programme {name.strip()!r}") as connection:
            if connection.execute("SELECT 1 FROM programmes WHERE uid = ?", (uid,)).fetchone() is not None:
                raise StoreError(f"a programme with the uid {uid} is already in {self.path}")
            cursor = connection.execute(
                "INSERT INTO programmes (uid, name, description, body_json, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (uid, name.strip(), description.strip(), _to_json([e.to_json() for e in checked]), now, now),
            )
            return _programme_record(_programme_row(connection, _row_id(cursor)))

    def get_programme(self, programme_id: int) -> ProgrammeRecord:
        with self._reading("the programmes") as connection:
            return _programme_record(_programme_row(connection, programme_id))

    def list_programmes(self) -> list[ProgrammeRecord]:
        """Every stored programme, by name, then oldest first."""
        with self._reading("the programmes") as connection:
            rows = connection.execute("SELECT * FROM programmes ORDER BY name COLLATE NOCASE, id").fetchall()
        return [_programme_record(row) for row in rows]

    def assign_programme(self, patient_id: int, programme_id: int) -> None:
        """Give a patient a programme: it becomes their current one (earlier ones stay as history)."""
        with self._writing("the programme assignment") as connection:
            _require_row(_count(connection, "patients", patient_id), "patient", patient_id)
            _require_row(_count(connection, "programmes", programme_id), "programme", programme_id)
            connection.execute(
                "INSERT INTO patient_programmes (patient_id, programme_id, assigned_at) VALUES (?, ?, ?)",
                (patient_id, programme_id, self._now()),
            )

    def current_programme(self, patient_id: int) -> ProgrammeRecord | None:
        """The programme assigned to the patient last, or None if they were never given one."""
        with self._reading("the programmes") as connection:
            _require_row(_count(connection, "patients", patient_id), "patient", patient_id)
            row = connection.execute(
                """SELECT p.* FROM patient_programmes AS a JOIN programmes AS p ON p.id = a.programme_id
                   WHERE a.patient_id = ? ORDER BY a.assigned_at DESC, a.id DESC LIMIT 1""",
                (patient_id,),
            ).fetchone()
        return None if row is None else _programme_record(row)

    # ----------------------------------------------------------------- internals

    def _now(self) -> str:
        return _format_time(_checked_utc(self._clock()))

    def _today(self) -> date:
        """Today on the user's calendar (local time): an onset date cannot be after it."""
        return _checked_utc(self._clock()).astimezone().date()

    def _require_free_code(self, connection: sqlite3.Connection, code: str, patient_id: int | None) -> None:
        row = connection.execute("SELECT id, code FROM patients WHERE code = ?", (code,)).fetchone()
        if row is not None and row["id"] != patient_id:
            taken = "" if row["code"] == code else f" (as {row['code']!r}: codes ignore case)"
            raise StoreError(f"a patient with the code {code!r} is already in {self.path}{taken}; choose another code")

    def _writing(self, what: str) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """One write transaction, committed on leaving. IMMEDIATE takes the write lock up
        front, so a reader upgrading to write can never deadlock with us."""
        return self._transaction("BEGIN IMMEDIATE", f"could not save {what} in {self.path}")

    def _reading(self, what: str = "the sessions") -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """One read transaction: a consistent snapshot across several queries."""
        return self._transaction("BEGIN", f"could not read {what} in {self.path}")

    @contextmanager
    def _transaction(self, begin: str, failure: str) -> Iterator[sqlite3.Connection]:
        connection = self._connection
        try:
            connection.execute(begin)
            yield connection
            connection.execute("COMMIT")
        except BaseException as error:
            if connection.in_transaction:
                connection.rollback()
            _raise_as_store_error(error, failure)
            raise

    def _keep_unfinished_as_interrupted(self) -> str | None:
        """Close what a crash left 'in_progress' (only called holding the recording lock).

        Their ended_at is the last thing saved (a repetition, an exercise start, or the
        session start), not the unknown moment of the crash.
        """
        with self._writing("the interrupted sessions") as connection:
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
        first, last = (_parse_time(unfinished[i][0]).astimezone().strftime("%Y-%m-%d %H:%M") for i in (0, -1))
        reps = f"{saved} saved repetition{'s' if saved != 1 else ''}"
        if len(unfinished) == 1:
            return f"1 unfinished session from {first} was kept as interrupted, with its {reps}."
        return (
            f"{len(unfinished)} unfinished sessions from {first} to {last} were kept as interrupted, with their {reps}."
        )


# --------------------------------------------------------------------------- opening helpers


def _connect(path: Path) -> sqlite3.Connection:
    try:
        # isolation_level=None: transactions are ours (BEGIN … COMMIT), never implicit
        return sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error as error:
        raise StoreError(f"cannot open the session database {path} ({error}); check the file and folder") from error


def _is_damaged(path: Path) -> bool:
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
            raise StoreError(f"cannot read the session database {path} ({error})") from error
    try:
        return _check_file(path, read_only=False)
    except sqlite3.OperationalError as error:
        raise StoreError(f"cannot read the session database {path} ({error})") from error


def _check_file(path: Path, read_only: bool) -> bool:
    if read_only:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
    else:
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
    try:
        application_id = connection.execute("PRAGMA application_id").fetchone()[0]
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        has_tables = connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
        if application_id != APPLICATION_ID and (has_tables or version or application_id):
            raise StoreError(
                f"{path} is not a FaceCoach session database (another program's file?); "
                "it was left untouched: choose another --data-dir"
            )
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"the session database {path} is from a newer version of FaceCoach (schema {version}, "
                f"this is {__version__} with schema {SCHEMA_VERSION}); update FaceCoach to use it. "
                "The file was left untouched."
            )
        return connection.execute("PRAGMA integrity_check").fetchall() != [("ok",)]
    except sqlite3.OperationalError:
        raise
    except sqlite3.DatabaseError as error:
        if _is_damage(error):
            return True
        raise
    finally:
        connection.close()


def _snapshot_filter(session_id: int | None, patient_id: int | None) -> tuple[str, tuple[int, ...]]:
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


def _is_damage(error: sqlite3.Error) -> bool:
    """The file's bytes are wrong (as opposed to locked, unreadable or a full disk)."""
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)


def _configure(connection: sqlite3.Connection, path: Path) -> None:
    """WAL lets the GUI read while the worker writes; synchronous=FULL makes every commit
    reach the disk before it returns (a repetition every few seconds costs nothing)."""
    try:
        # If WAL is impossible (some network drives) SQLite keeps its rollback journal:
        # still durable, only readers wait for writers.
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = FULL")
        connection.execute("PRAGMA foreign_keys = ON")
        # deleted rows (pictures someone asked to delete) are overwritten, not left in free pages
        connection.execute("PRAGMA secure_delete = ON")
        connection.row_factory = sqlite3.Row
    except sqlite3.Error as error:
        raise StoreError(f"cannot use the session database {path} ({error})") from error


def _migrate(
    connection: sqlite3.Connection, path: Path, *, may_upgrade: bool, clock: Callable[[], datetime]
) -> str | None:
    """Create a new database, or upgrade an older one after keeping a copy of it.

    `may_upgrade`: this store holds the recording lock, so nobody else writes while the
    copy is made. Returns the notice for the user when existing data was upgraded.
    """
    try:
        found = connection.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.Error as error:
        raise StoreError(f"cannot read the session database {path} ({error})") from error
    if found == SCHEMA_VERSION:
        return None
    backup: Path | None = None
    if 0 < found < SCHEMA_VERSION:
        if not may_upgrade:
            raise StoreError(
                f"the session database {path} must be upgraded for this version of FaceCoach, and another "
                "FaceCoach window is using it; close every FaceCoach window and start again. "
                "The file was left untouched."
            )
        backup = _keep_copy_before_upgrade(connection, path, found, _checked_utc(clock()))
    try:
        connection.execute("BEGIN IMMEDIATE")
        # read again under the write lock: another process may have upgraded meanwhile
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"the session database {path} was just upgraded by a newer version of FaceCoach; update FaceCoach"
            )
        for migration in MIGRATIONS[version:SCHEMA_VERSION]:
            migration(connection)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")
        connection.execute("COMMIT")
    except BaseException as error:
        if connection.in_transaction:
            connection.rollback()
        if backup is None:
            _raise_as_store_error(error, f"could not prepare the session database {path}")
        else:
            _raise_as_store_error(
                error,
                f"could not upgrade the session database {path}; it was left as it was "
                f"(a copy is also kept as {backup})",
            )
        raise
    if backup is None or version == SCHEMA_VERSION:
        return None
    return (
        f"The session database {path} was upgraded for this version of FaceCoach (schema {version} to "
        f"{SCHEMA_VERSION}: {'; '.join(UPGRADE_NOTES[version:SCHEMA_VERSION])}). A copy of it as it was before is "
        f"kept, unchanged, as {backup}."
    )


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
            f"could not prepare the session database {path} for its upgrade ({error}); it was left as it was"
        ) from error
    if busy:
        raise StoreError(
            f"the session database {path} must be upgraded, and another program is reading it; close it "
            "(and every FaceCoach window) and start again. The file was left as it was."
        )
    stamp = when.astimezone().strftime("%Y%m%d-%H%M%S")
    base = f"{path.name}.v{version}-backup-{stamp}"
    n = 1
    while True:
        backup = path.with_name(base if n == 1 else f"{base}-{n}")
        try:
            target = open(backup, "xb")  # exclusive: never overwrites a copy kept earlier
        except FileExistsError:
            n += 1
            continue
        except OSError as error:
            raise StoreError(
                f"could not keep a copy of the session database {path} before upgrading it ({error.strerror}); "
                "it was left as it was: check the data folder's permissions and free space"
            ) from error
        break
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
                f"could not keep a copy of the session database {path} before upgrading it ({error.strerror}); "
                "it was left as it was: free some space on the disk and start again"
            ) from error
        raise
    if problem:
        backup.unlink(missing_ok=True)
        raise StoreError(
            f"the copy of the session database {path} made before upgrading it did not read back ({problem}); "
            "it was left as it was"
        )
    return backup


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
        return f"schema {found}, expected {version}"
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


def _keep_damaged_copy(path: Path, when: datetime) -> Path:
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
            f"the session database {path} is damaged and could not be renamed aside ({error.strerror}); "
            "move it away yourself, then start FaceCoach again"
        ) from error
    return kept


# --------------------------------------------------------------------------- values


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _checked_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("the store's clock must give timezone-aware datetimes")
    return moment.astimezone(UTC)


def _format_time(moment: datetime) -> str:
    # fixed width (always microseconds, always +00:00), so text order is time order
    return moment.isoformat(timespec="microseconds")


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _parse_optional_time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _stored_time(moment: datetime) -> str:
    """A time from elsewhere (an imported session) in the stored form: aware, as UTC."""
    if not isinstance(moment, datetime):
        raise ValueError(f"expected a date and time, not {moment!r}")
    if moment.tzinfo is None:
        raise ValueError(f"an imported time must be timezone-aware, not {moment.isoformat()}")
    return _format_time(moment.astimezone(UTC))


def _stored_optional_time(moment: datetime | None) -> str | None:
    return None if moment is None else _stored_time(moment)


def _new_uid() -> str:
    return uuid.uuid4().hex


def _check_uid(uid: object) -> None:
    if not isinstance(uid, str) or len(uid) != 32 or uid.strip("0123456789abcdef"):
        raise ValueError(f"a uid is 32 lower-case hex digits (a UUID4's hex), not {uid!r}")


def _check_weaker_side(rep: Repetition) -> None:
    if rep.weaker_side not in (None, *SIDES):
        raise ValueError(f"weaker_side must be None, 'left' or 'right', not {rep.weaker_side!r}")


def _optional_text(name: str, value: object) -> str | None:
    """Text a person typed: stripped, and empty means 'not given'."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"a patient's {name} is text, not {value!r}")
    return value.strip() or None


def _patient_values(fields: Mapping[str, Any], today: date) -> dict[str, Any]:
    """Check a patient's fields and give them in their stored form."""
    code = fields["code"]
    if not isinstance(code, str) or not code.strip():
        raise ValueError(f"a patient needs a code (a name or a pseudonymous code), not {code!r}")
    side = fields["affected_side"]
    if side not in AFFECTED_SIDES:
        raise ValueError(
            f"affected_side must be one of {', '.join(AFFECTED_SIDES)} (the patient's anatomical side), not {side!r}"
        )
    onset = fields["onset_date"]
    if onset is not None:
        if isinstance(onset, datetime) or not isinstance(onset, date):
            raise ValueError(f"onset_date must be a date (no time of day), not {onset!r}")
        if onset > today:
            raise ValueError(f"onset_date {onset.isoformat()} is in the future (today is {today.isoformat()})")
    return {
        "code": code.strip(),
        "display_name": _optional_text("display name", fields["display_name"]),
        "affected_side": side,
        "onset_date": None if onset is None else onset.isoformat(),
        "cause": _optional_text("cause", fields["cause"]),
        "notes": _optional_text("notes", fields["notes"]),
    }


def _patient_row(connection: sqlite3.Connection, patient_id: int) -> sqlite3.Row:
    row = connection.execute("SELECT * FROM patients WHERE id = ?", (patient_id,)).fetchone()
    _require_row(0 if row is None else 1, "patient", patient_id)
    return row


def _patient_record(row: sqlite3.Row) -> PatientRecord:
    return PatientRecord(
        id=row["id"],
        code=row["code"],
        display_name=row["display_name"],
        affected_side=row["affected_side"],
        onset_date=None if row["onset_date"] is None else date.fromisoformat(row["onset_date"]),
        cause=row["cause"],
        notes=row["notes"],
        created_at=_parse_time(row["created_at"]),
        updated_at=_parse_time(row["updated_at"]),
    )


def _number(where: str, key: str, value: object, low: float, high: float, whole: bool = False) -> float:
    kind = int if whole else int | float
    if isinstance(value, bool) or not isinstance(value, kind):
        raise ValueError(f"{where}: {key} must be {'a whole number' if whole else 'a number'}, not {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{where}: {key} {value} is not between {low:g} and {high:g}")
    return value


def _programme_entry(number: int, entry: object) -> ProgrammeEntry:
    """One entry of a programme, checked with the bounds coach.exercises puts on exercise files."""
    where = f"programme entry {number}"
    if not isinstance(entry, Mapping):
        raise ValueError(f"{where} must be a table of {', '.join(PROGRAMME_ENTRY_KEYS)}, not {entry!r}")
    exercise_id = entry.get("exercise_id")
    if not isinstance(exercise_id, str) or not exercise_id.isidentifier() or exercise_id != exercise_id.lower():
        raise ValueError(
            f"{where}: exercise_id must be an exercise's id (lower_case_with_underscores), not {exercise_id!r}"
        )
    where = f"{where} ({exercise_id})"
    missing = [key for key in PROGRAMME_ENTRY_KEYS if key not in entry]
    if missing:
        raise ValueError(f"{where}: {missing[0]} is missing (each entry has {', '.join(PROGRAMME_ENTRY_KEYS)})")
    unknown = sorted(set(entry) - set(PROGRAMME_ENTRY_KEYS))
    if unknown:
        raise ValueError(f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(PROGRAMME_ENTRY_KEYS)})")
    target = entry["target_mm"]
    if (
        not isinstance(target, Sequence)
        or isinstance(target, str)
        or len(target) != 2
        or any(isinstance(v, bool) or not isinstance(v, int | float) for v in target)
        or not 0.0 <= target[0] < target[1] <= 40.0
    ):
        raise ValueError(f"{where}: target_mm {target!r} must be [low, high] in mm with 0 ≤ low < high ≤ 40")
    return ProgrammeEntry(
        exercise_id=exercise_id,
        repetitions=int(_number(where, "repetitions", entry["repetitions"], 1, 50, whole=True)),
        hold_s=float(_number(where, "hold_s", entry["hold_s"], 0.0, 60.0)),
        relax_s=float(_number(where, "relax_s", entry["relax_s"], 0.0, 120.0)),
        effort=int(_number(where, "effort", entry["effort"], 1, 10, whole=True)),
        target_mm=(float(target[0]), float(target[1])),
        target_symmetry=float(_number(where, "target_symmetry", entry["target_symmetry"], 0.5, 1.0)),
    )


def _programme_row(connection: sqlite3.Connection, programme_id: int) -> sqlite3.Row:
    row = connection.execute("SELECT * FROM programmes WHERE id = ?", (programme_id,)).fetchone()
    _require_row(0 if row is None else 1, "programme", programme_id)
    return row


def _programme_record(row: sqlite3.Row) -> ProgrammeRecord:
    entries = tuple(
        ProgrammeEntry(
            exercise_id=item["exercise_id"],
            repetitions=item["repetitions"],
            hold_s=item["hold_s"],
            relax_s=item["relax_s"],
            effort=item["effort"],
            target_mm=(item["target_mm"][0], item["target_mm"][1]),
            target_symmetry=item["target_symmetry"],
        )
        for item in json.loads(row["body_json"])
    )
    return ProgrammeRecord(
        id=row["id"],
        uid=row["uid"],
        name=row["name"],
        description=row["description"],
        entries=entries,
        created_at=_parse_time(row["created_at"]),
        updated_at=_parse_time(row["updated_at"]),
    )


def _json_default(value: object) -> object:
    # numpy scalars and arrays (np.float32 is not a float) become plain numbers and lists
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return tolist()
    raise TypeError(f"cannot store a {type(value).__name__} as JSON")


def _to_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def _summary_to_json(summary: Summary) -> dict[str, object]:
    """Full precision (rounding is for reports); keys spelled out so renaming a field of
    Summary cannot silently change the stored format."""

    def number(value: float | None) -> float | None:
        return None if value is None else float(value)

    return {
        "reps": int(summary.reps),
        "left_mm": number(summary.left_mm),
        "right_mm": number(summary.right_mm),
        "symmetry": number(summary.symmetry),
        "weaker_side": summary.weaker_side,
    }


def _summary_from_json(data: dict[str, Any]) -> Summary:
    return Summary(
        reps=data["reps"],
        left_mm=data.get("left_mm"),
        right_mm=data.get("right_mm"),
        symmetry=data.get("symmetry"),
        weaker_side=data.get("weaker_side"),
    )


def _repetition_record(row: sqlite3.Row) -> RepetitionRecord:
    return RepetitionRecord(
        id=row["id"],
        number=row["number"],
        recorded_at=_parse_time(row["recorded_at"]),
        repetition=Repetition(
            start_s=row["start_s"],
            peak_s=row["peak_s"],
            end_s=row["end_s"],
            left_mm=row["left_mm"],
            right_mm=row["right_mm"],
            symmetry=row["symmetry"],
            weaker_side=row["weaker_side"],
            hold_s=row["hold_s"],
            complete=bool(row["complete"]),
            synkinesis=json.loads(row["synkinesis_json"]),
            measures=json.loads(row["measures_json"]),
        ),
    )


def _insert_repetition(
    connection: sqlite3.Connection, session_exercise_id: int, number: int, recorded_at: str, rep: Repetition
) -> int:
    cursor = connection.execute(
        "INSERT INTO repetitions (session_exercise_id, number, recorded_at, start_s, peak_s, end_s, "
        "left_mm, right_mm, symmetry, weaker_side, hold_s, complete, synkinesis_json, measures_json) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            session_exercise_id,
            number,
            recorded_at,
            float(rep.start_s),
            float(rep.peak_s),
            float(rep.end_s),
            float(rep.left_mm),
            float(rep.right_mm),
            None if rep.symmetry is None else float(rep.symmetry),
            rep.weaker_side,
            float(rep.hold_s),
            int(bool(rep.complete)),
            _to_json(rep.synkinesis),
            _to_json(rep.measures),
        ),
    )
    return _row_id(cursor)


def _row_id(cursor: sqlite3.Cursor) -> int:
    row_id = cursor.lastrowid
    assert row_id is not None
    return row_id


def _count(connection: sqlite3.Connection, table: str, row_id: int) -> int:
    return connection.execute(f"SELECT count(*) FROM {table} WHERE id = ?", (row_id,)).fetchone()[0]


def _require_row(found: int, what: str, row_id: int) -> None:
    if found < 1:
        raise KeyError(f"no {what} {row_id} in the session database")


def _raise_as_store_error(error: BaseException, doing: str) -> None:
    """A problem of the disk or the file (full, read-only, locked, damaged) is the user's
    to act on: StoreError. Anything else (a constraint broken, a misuse) is a bug and
    propagates unchanged."""
    if isinstance(error, sqlite3.OperationalError) or (isinstance(error, sqlite3.DatabaseError) and _is_damage(error)):
        code = getattr(error, "sqlite_errorcode", 0) & 0xFF
        reason = {
            _SQLITE_FULL: "the disk is full: free some space",
            _SQLITE_BUSY: "another program is using the database: close it (or wait for it) and try again",
        }.get(code, str(error))
        raise StoreError(f"{doing}: {reason}") from error


# --------------------------------------------------------------------------- recording lock


class _RecorderLock:
    """An advisory, non-blocking lock on a small file beside the database.

    flock (POSIX) and msvcrt.locking (Windows) locks belong to the open file, so two
    stores in one process exclude each other like two processes do, and the operating
    system drops the lock when a crashed process dies. The lock file itself is left in
    place: deleting it would race with another process taking it.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._fd: int | None = None
        self.held = False

    def acquire(self, timeout_s: float) -> bool:
        """Take the lock, waiting up to `timeout_s`; False if another store keeps it."""
        if self.held:
            return True
        if self._fd is None:
            try:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as error:
                raise StoreError(
                    f"cannot create {self._path} ({error.strerror}); check the data folder's permissions"
                ) from error
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                _lock_file(self._fd)
            except OSError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.02)
            else:
                self.held = True
                return True

    def release(self) -> None:
        if self.held and self._fd is not None:
            _unlock_file(self._fd)
        self.held = False

    def close(self) -> None:
        self.release()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


if sys.platform == "win32":
    import msvcrt

    def _lock_file(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock_file(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock_file(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock_file(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def _check_importable(session: SessionDetail) -> None:
    """Only finished sessions, with finished exercises and valid sides, come in."""
    _check_uid(session.uid)
    if session.status not in SESSION_END_STATUSES:
        raise ValueError(
            f"session {session.uid} is {session.status!r}; only a finished session "
            f"({', '.join(SESSION_END_STATUSES)}) can be imported"
        )
    if session.kind not in SESSION_KINDS:
        raise ValueError(f"session {session.uid}: a session is one of {SESSION_KINDS}, not {session.kind!r}")
    for exercise in session.exercises:
        if exercise.status not in EXERCISE_END_STATUSES:
            raise ValueError(
                f"session {session.uid}: exercise {exercise.position} ({exercise.exercise_id}) is "
                f"{exercise.status!r}; an imported exercise is one of {', '.join(EXERCISE_END_STATUSES)}"
            )
        for record in exercise.repetitions:
            _check_weaker_side(record.repetition)


def _insert_imported(connection: sqlite3.Connection, session: SessionDetail, patient_id: int) -> int | None:
    """Insert one finished session inside the caller's transaction; None if its uid is here."""
    if connection.execute("SELECT 1 FROM sessions WHERE uid = ?", (session.uid,)).fetchone() is not None:
        return None
    _require_row(_count(connection, "patients", patient_id), "patient", patient_id)
    session_id = _row_id(
        connection.execute(
            "INSERT INTO sessions (started_at, ended_at, status, programme_id, programme_name, source, "
            "resting_json, app_version, patient_id, kind, uid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                _stored_time(session.started_at),
                _stored_optional_time(session.ended_at),
                session.status,
                session.programme_id,
                session.programme_name,
                session.source,
                None if session.resting is None else _to_json(session.resting),
                session.app_version,
                patient_id,
                session.kind,
                session.uid,
            ),
        )
    )
    for exercise in session.exercises:
        exercise_id = _row_id(
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
                    _to_json(exercise.target),
                    _stored_time(exercise.started_at),
                    _stored_optional_time(exercise.ended_at),
                    exercise.status,
                    None if exercise.summary is None else _to_json(_summary_to_json(exercise.summary)),
                ),
            )
        )
        for record in exercise.repetitions:
            _insert_repetition(
                connection, exercise_id, record.number, _stored_time(record.recorded_at), record.repetition
            )
    return session_id
