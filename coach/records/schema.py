"""The session database's schema, versioned with `PRAGMA user_version`.

`MIGRATIONS[v]` takes a database from version v to v + 1, inside the caller's
transaction (see `coach.records.upgrade`); a new database runs them all. Append to it
(and to UPGRADE_NOTES) to change the schema; never edit a migration that has shipped,
since it is how every older file reaches today's shape.

Version 1: sessions, their exercises and repetitions. 2: patients, programmes, and a uid
for every session. 3: pictures at the peak of each exercise, for those who keep them.
4: an exercise "not done" (no movement seen in several tries), and whether the resting face
was accepted by the person rather than found still. 5: what was done to a session while it
ran (commands with their time and origin, a therapist's notes), and repetitions set aside.
6: the clinicians' gradings (Sunnybrook, eFACE) as filed, beside the measured suggestions.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from coach.base.i18n import N_
from coach.records.encoding import new_uid

SCHEMA_VERSION = 6
#: `PRAGMA application_id` of our files ("FCoa"): tells a FaceCoach database from another program's
APPLICATION_ID = int.from_bytes(b"FCoa", "big")

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
    summary_json    TEXT               -- coach.session.engine.Summary, NULL until finished (or if none)
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
    connection.executemany("UPDATE sessions SET uid = ? WHERE id = ?", [(new_uid(), i) for i in ids])
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


_EXERCISE_STATUSES_3 = "CHECK (status IN ('in_progress', 'completed', 'skipped', 'stopped', 'interrupted'))"
#: not_done: no movement was seen in several tries (a comment here would swallow the comma after it)
_EXERCISE_STATUSES_4 = "CHECK (status IN ('in_progress', 'completed', 'skipped', 'stopped', 'interrupted', 'not_done'))"


def _add_not_done_and_accepted_rest(connection: sqlite3.Connection) -> None:
    """Schema 4: 'not_done' among an exercise's statuses; `rest_accepted` on sessions.

    A CHECK constraint cannot be altered, and rebuilding session_exercises inside the upgrade's
    transaction would cascade its deletes into the repetitions (foreign keys cannot be turned
    off in a transaction). Allowing one more value changes nothing stored, so the table's
    definition is edited in place, as SQLite documents for such changes (writable_schema, then
    a new schema_version so every connection reads it again), and checked."""
    connection.execute("PRAGMA writable_schema = ON")
    try:
        changed = connection.execute(
            "UPDATE sqlite_master SET sql = replace(sql, ?, ?) WHERE type = 'table' AND name = 'session_exercises' "
            "AND instr(sql, ?) > 0",
            (_EXERCISE_STATUSES_3, _EXERCISE_STATUSES_4, _EXERCISE_STATUSES_3),
        ).rowcount
        version = connection.execute("PRAGMA schema_version").fetchone()[0]
        connection.execute(f"PRAGMA schema_version = {version + 1:d}")
    finally:
        connection.execute("PRAGMA writable_schema = OFF")
    if changed != 1:
        raise sqlite3.DatabaseError("session_exercises is not as schema 3 made it: its statuses were left as they were")
    problems = [row[0] for row in connection.execute("PRAGMA quick_check")]
    if problems != ["ok"]:
        raise sqlite3.DatabaseError(f"the upgraded database does not check out: {problems[0]}")
    connection.execute(
        "ALTER TABLE sessions ADD COLUMN rest_accepted INTEGER NOT NULL DEFAULT 0 CHECK (rest_accepted IN (0, 1))"
    )  # 1: the person accepted their face as it was as the resting face; 0: it was found still


_SCHEMA_5 = (
    # NULL: the repetition counts; else why the therapist set it aside (kept and shown, never scored)
    "ALTER TABLE repetitions ADD COLUMN discarded_reason TEXT",
    """CREATE TABLE session_steering (
    -- what was done to a session while it ran, in order: each command applied (a pause, a smaller
    -- target, a repetition set aside, ...) with who asked and when, and the therapist's notes
    id          INTEGER PRIMARY KEY,
    session_id  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    at_s        REAL NOT NULL CHECK (at_s >= 0),  -- seconds from the session's first picture
    origin      TEXT NOT NULL CHECK (origin IN ('patient', 'therapist', 'therapist_remote', 'app')),
    action      TEXT NOT NULL,      -- e.g. 'pause', 'set_target', 'discard_repetition', 'note'
    position    INTEGER,            -- the exercise's position in the programme; NULL: the whole session
    detail_json TEXT NOT NULL DEFAULT '{}',  -- what it set, e.g. {"target_mm": [2, 5], "was": [2, 8]}
    text        TEXT,               -- a note's words, or why a repetition was set aside
    recorded_at TEXT NOT NULL
)""",
    "CREATE INDEX session_steering_by_session ON session_steering (session_id, at_s)",
)


def _add_steering_and_discarded(connection: sqlite3.Connection) -> None:
    """Schema 5: what was done to a session while it ran, and repetitions set aside."""
    for statement in _SCHEMA_5:
        connection.execute(statement)


_SCHEMA_6 = (
    """CREATE TABLE gradings (
    -- a clinician's grading of a patient on a scale, as filed, beside the values the measurement
    -- suggested when it was filed: how often clinicians keep a suggestion is read from these
    id             INTEGER PRIMARY KEY,
    uid            TEXT NOT NULL UNIQUE,
    patient_id     INTEGER NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
    session_id     INTEGER REFERENCES sessions(id) ON DELETE SET NULL,  -- the examination graded, if any
    scale          TEXT NOT NULL CHECK (scale IN ('sunnybrook', 'eface')),
    graded_at      TEXT NOT NULL,
    graded_by      TEXT NOT NULL CHECK (length(trim(graded_by)) > 0),
    values_json    TEXT NOT NULL,              -- {item: value, or null where not graded}, as filed
    suggested_json TEXT NOT NULL DEFAULT '{}',  -- {item: value, or null}, as the measurement suggested
    total          REAL NOT NULL                -- the composite (Sunnybrook) or total (eFACE) of the values
)""",
    "CREATE INDEX gradings_by_patient ON gradings (patient_id, graded_at)",
)


def _add_gradings(connection: sqlite3.Connection) -> None:
    """Schema 6: the clinicians' gradings, beside the measured suggestions."""
    for statement in _SCHEMA_6:
        connection.execute(statement)


#: MIGRATIONS[v] takes the schema from version v to v + 1 (inside the caller's transaction).
#: Append to it (and to UPGRADE_NOTES); never edit a migration that has shipped.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _create_first_schema,
    _add_patients_and_programmes,
    _add_snapshots,
    _add_not_done_and_accepted_rest,
    _add_steering_and_discarded,
    _add_gradings,
]
#: UPGRADE_NOTES[v]: what upgrading from version v to v + 1 adds, in the user's words (shown with `tr`)
UPGRADE_NOTES = [
    N_("sessions"),
    N_("patients and programmes"),
    N_("pictures at the peak of each exercise, if chosen"),
    N_("exercises not done, and resting faces accepted as they were"),
    N_("the therapist's notes and changes during a session, and repetitions set aside"),
    N_("the clinicians' gradings (Sunnybrook, eFACE)"),
]
