"""Schema 2 of the session store, on real SQLite files: a v1 database is upgraded only
after a byte-identical copy is kept; patients, programmes and session uids; importing
a session from a bundle exactly once."""

from __future__ import annotations

import dataclasses
import re
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from coach import __version__
from coach.base.errors import StoreError
from coach.plans.prescriptions import ProgrammeEntry, prescribed_programme
from coach.records import schema as schema_module
from coach.records.models import Patient, SessionDetail, SteeringRecord
from coach.records.recorder_lock import RecorderLock
from coach.records.schema import SCHEMA_VERSION
from coach.records.store import SessionStore, database_path
from coach.session.engine import Repetition, Summary

from store_helpers import SetClock, open_quiet, programme_entry

UID = re.compile(r"[0-9a-f]{32}$")
T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def _rep(number: int, symmetry: float | None = 0.75, weaker_side: str | None = "left") -> Repetition:
    return Repetition(
        start_s=10.0 * number + 0.123456,
        peak_s=10.0 * number + 1.5,
        end_s=10.0 * number + 3.25,
        left_mm=3.0 + number / 7,
        right_mm=4.0 + number / 3,
        symmetry=symmetry,
        weaker_side=weaker_side,
        hold_s=1.0 / 3,
        complete=number % 2 == 1,
        synkinesis={"eye_narrowing_pct": {"left": 12.5 + number, "right": 3.1}},
        measures={"commissure_excursion_mm": {"left": 3.0 + number / 7, "right": 4.0 + number / 3}},
    )


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return database_path(tmp_path / "data")


_open = open_quiet


def _stamp(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y%m%d-%H%M%S")


def _backups(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if ".v1-backup-" in p.name)


def _raw(path: Path, sql: str) -> list[tuple]:
    """Read with a connection of its own, as a database browser would."""
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def _immutable(path: Path, sql: str) -> list[tuple]:
    """Read a file without changing a byte of it (no -wal or -shm either)."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


# --------------------------------------------------------------------------- a genuine v1 database


def _time(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def _v1_repetition(connection: sqlite3.Connection, exercise: int, number: int, at: datetime, rep: Repetition) -> None:
    # the v1 store's own INSERT
    connection.execute(
        "INSERT INTO repetitions (session_exercise_id, number, recorded_at, start_s, peak_s, end_s, "
        "left_mm, right_mm, symmetry, weaker_side, hold_s, complete, synkinesis_json, measures_json) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (exercise, number, _time(at), rep.start_s, rep.peak_s, rep.end_s, rep.left_mm, rep.right_mm,
         rep.symmetry, rep.weaker_side, rep.hold_s, int(rep.complete), *_json(rep.synkinesis, rep.measures)),
    )  # fmt: skip


def _json(*values: object) -> list[str]:
    import json

    return [json.dumps(v) for v in values]


def _v1_database(path: Path, extra_repetitions: int = 0, crashed: bool = False) -> None:
    """A database as FaceCoach 1 left it: the shipped schema-1 DDL (MIGRATIONS[0], which is
    never edited), WAL mode, two finished sessions written with v1's statements, closed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("BEGIN IMMEDIATE")
    schema_module.MIGRATIONS[0](connection)
    connection.execute("PRAGMA user_version = 1")
    connection.execute("COMMIT")
    summary = {"reps": 2, "left_mm": 3.2, "right_mm": 4.5, "symmetry": 0.711, "weaker_side": "left"}
    resting = {"brow_height_mm": {"left": 21.5, "right": 23.25}}
    connection.execute("BEGIN")
    connection.execute(
        "INSERT INTO sessions (id, started_at, ended_at, status, programme_id, programme_name, source, "
        "resting_json, app_version) VALUES (1, ?, ?, 'completed', 'daily_face', 'Daily face programme', "
        "'camera 0', ?, '0.1.0')",
        (_time(T0), _time(T0 + timedelta(seconds=30)), _json(resting)[0]),
    )
    connection.execute(
        "INSERT INTO session_exercises (id, session_id, position, exercise_id, exercise_name, primary_measure, "
        "target_json, started_at, ended_at, status, summary_json) VALUES (1, 1, 1, 'big_smile', 'Big smile', "
        "'commissure_excursion_mm', '{\"repetitions\": 2}', ?, ?, 'completed', ?)",
        (_time(T0 + timedelta(seconds=5)), _time(T0 + timedelta(seconds=20)), _json(summary)[0]),
    )
    for number in (1, 2):
        _v1_repetition(connection, 1, number, T0 + timedelta(seconds=5 + 4 * number), _rep(number))
    connection.execute(
        "INSERT INTO session_exercises (id, session_id, position, exercise_id, exercise_name, primary_measure, "
        "started_at, ended_at, status) VALUES (2, 1, 2, 'raise_brows', 'Raise brows', 'brow_lift_mm', ?, ?, "
        "'stopped')",
        (_time(T0 + timedelta(seconds=21)), _time(T0 + timedelta(seconds=30))),
    )
    _v1_repetition(connection, 2, 1, T0 + timedelta(seconds=25), _rep(3, symmetry=None, weaker_side=None))
    connection.execute(
        "INSERT INTO sessions (id, started_at, ended_at, status, source, app_version) "
        "VALUES (2, ?, ?, 'stopped', 'clip.mp4', '0.1.0')",
        (_time(T0 + timedelta(days=1)), _time(T0 + timedelta(days=1, seconds=9))),
    )
    connection.execute(
        "INSERT INTO session_exercises (id, session_id, position, exercise_id, exercise_name, primary_measure, "
        "started_at, ended_at, status) VALUES (3, 2, 1, 'big_smile', 'Big smile', 'commissure_excursion_mm', "
        "?, ?, 'stopped')",
        (_time(T0 + timedelta(days=1)), _time(T0 + timedelta(days=1, seconds=9))),
    )
    for number in range(1, extra_repetitions + 1):
        _v1_repetition(connection, 3, number, T0 + timedelta(days=1, seconds=1), _rep(number))
    if crashed:  # the power went during a third session
        connection.execute(
            "INSERT INTO sessions (id, started_at, status, source, app_version) "
            "VALUES (3, ?, 'in_progress', 'camera 0', '0.1.0')",
            (_time(T0 + timedelta(days=2)),),
        )
    connection.execute("COMMIT")
    connection.close()
    assert not Path(f"{path}-wal").exists()  # closed cleanly: everything is in the one file


# --------------------------------------------------------------------------- upgrading


def test_a_v1_database_is_upgraded_after_a_byte_identical_copy_is_kept(db_path: Path):
    _v1_database(db_path)
    original = db_path.read_bytes()
    clock = SetClock(datetime(2025, 7, 2, 8, 15, 30, tzinfo=UTC))

    store, notice = SessionStore.open(db_path, clock=clock)
    with store:
        [backup] = _backups(db_path.parent)
        assert backup.name == f"sessions.sqlite3.v1-backup-{_stamp(clock.now)}"
        assert notice is not None and str(backup) in notice and "upgraded" in notice
        history = store.history.sessions()
        first, second = store.history.session_detail(1), store.history.session_detail(2)

    assert backup.read_bytes() == original
    assert _immutable(backup, "PRAGMA user_version") == [(1,)]
    assert backup.read_bytes() == original  # reading it changed nothing
    assert _raw(db_path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]

    # every session, exercise and repetition is there, field by field
    assert [(s.id, s.status, s.exercise_count, s.repetition_count) for s in history] == [
        (2, "stopped", 1, 0),
        (1, "completed", 2, 3),
    ]
    assert all(s.kind == "live" and s.patient_id is None for s in history)
    assert first.started_at == T0 and first.ended_at == T0 + timedelta(seconds=30)
    assert (first.programme_id, first.programme_name, first.source, first.app_version) == (
        "daily_face",
        "Daily face programme",
        "camera 0",
        "0.1.0",
    )
    assert first.resting == {"brow_height_mm": {"left": 21.5, "right": 23.25}}
    smile, brows = first.exercises
    assert smile.summary == Summary(reps=2, left_mm=3.2, right_mm=4.5, symmetry=0.711, weaker_side="left")
    assert smile.target == {"repetitions": 2} and brows.target == {} and brows.summary is None
    assert [r.repetition for r in smile.repetitions] == [_rep(1), _rep(2)]
    assert [r.recorded_at for r in smile.repetitions] == [T0 + timedelta(seconds=9), T0 + timedelta(seconds=13)]
    assert [r.repetition for r in brows.repetitions] == [_rep(3, symmetry=None, weaker_side=None)]
    assert (second.source, second.status, second.programme_id) == ("clip.mp4", "stopped", None)

    # each old session was given its own uid, and keeps it
    uids = [s.uid for s in history]
    assert all(UID.match(uid) for uid in uids) and len(set(uids)) == 2
    assert {first.uid, second.uid} == set(uids)
    again = _open(db_path, clock=clock)  # said once; no second copy
    with again:
        assert [s.uid for s in again.history.sessions()] == uids
        assert all(again.history.has_session(uid) for uid in uids)
        assert not again.history.has_session("0" * 32)
    assert _backups(db_path.parent) == [backup]


def test_an_upgraded_database_has_the_same_schema_as_a_new_one(tmp_path: Path):
    old, new = tmp_path / "old" / "sessions.sqlite3", tmp_path / "new" / "sessions.sqlite3"
    _v1_database(old)
    SessionStore.open(old)[0].close()
    _open(new).close()
    query = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"
    assert _raw(old, query) == _raw(new, query)
    assert _raw(old, "PRAGMA application_id") == _raw(new, "PRAGMA application_id")


def test_an_upgrade_keeps_a_crashed_v1_session_and_says_both(db_path: Path):
    _v1_database(db_path, crashed=True)
    original = db_path.read_bytes()
    store, notice = SessionStore.open(db_path)
    with store:
        [crashed] = [s for s in store.history.sessions() if s.id == 3]
    [backup] = _backups(db_path.parent)
    assert crashed.status == "interrupted" and UID.match(crashed.uid)
    assert notice is not None
    upgrade, interrupted = notice.split("\n")
    assert str(backup) in upgrade and "kept as interrupted" in interrupted
    # the copy is the file as it was: the crashed session still 'in_progress' in it
    assert backup.read_bytes() == original
    assert _immutable(backup, "SELECT status FROM sessions WHERE id = 3") == [("in_progress",)]


def test_what_a_v1_app_left_in_its_wal_is_in_the_copy_itself(db_path: Path):
    _v1_database(db_path)
    # a v1 app commits a third session and dies before any checkpoint: it is only in the -wal
    script = textwrap.dedent(
        """
        import os, sqlite3, sys
        connection = sqlite3.connect(sys.argv[1], isolation_level=None)
        connection.execute("PRAGMA wal_autocheckpoint = 0")
        connection.execute(
            "INSERT INTO sessions (id, started_at, ended_at, status, source, app_version) "
            "VALUES (3, '2025-06-03T12:00:00.000000+00:00', '2025-06-03T12:00:09.000000+00:00', "
            "'completed', 'camera 0', '0.1.0')"
        )
        os._exit(0)
        """
    )
    result = subprocess.run([sys.executable, "-c", script, str(db_path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert Path(f"{db_path}-wal").stat().st_size > 0
    assert _immutable(db_path, "SELECT id FROM sessions ORDER BY id") == [(1,), (2,)]  # the file alone lacks it

    store, _ = SessionStore.open(db_path)
    store.close()
    [backup] = _backups(db_path.parent)
    assert not Path(f"{backup}-wal").exists()
    # read without any -wal: the copy is complete on its own
    assert _immutable(backup, "SELECT id FROM sessions ORDER BY id") == [(1,), (2,), (3,)]
    assert _immutable(backup, "PRAGMA user_version") == [(1,)]


def test_an_upgrade_never_overwrites_an_earlier_copy(db_path: Path):
    clock = SetClock(T0)
    _v1_database(db_path)
    original = db_path.read_bytes()
    earlier = db_path.with_name(f"sessions.sqlite3.v1-backup-{_stamp(T0)}")
    earlier.write_bytes(b"a copy the user kept")
    store, notice = SessionStore.open(db_path, clock=clock)
    store.close()
    assert earlier.read_bytes() == b"a copy the user kept"
    new = earlier.with_name(f"{earlier.name}-2")
    assert new.read_bytes() == original
    assert notice is not None and str(new) in notice
    assert _backups(db_path.parent) == [earlier, new]


def test_a_failed_upgrade_leaves_the_v1_database_as_it_was(db_path: Path, monkeypatch: pytest.MonkeyPatch):
    _v1_database(db_path)
    original = db_path.read_bytes()
    upgrade = schema_module.MIGRATIONS[1]

    def upgrade_on_a_full_disk(connection: sqlite3.Connection) -> None:
        # a real "database or disk is full" from SQLite, part-way through the upgrade
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        connection.execute(f"PRAGMA max_page_count = {pages + 1}")
        upgrade(connection)

    monkeypatch.setattr(schema_module, "MIGRATIONS", [schema_module.MIGRATIONS[0], upgrade_on_a_full_disk])
    clock = SetClock(T0)
    with pytest.raises(StoreError, match="disk is full") as raised:
        SessionStore.open(db_path, clock=clock)
    [backup] = _backups(db_path.parent)
    assert "left as it was" in str(raised.value) and str(backup) in str(raised.value)
    assert db_path.read_bytes() == original and backup.read_bytes() == original
    assert not Path(f"{db_path}-wal").exists()  # nothing half-written waits to be replayed
    assert _raw(db_path, "PRAGMA user_version") == [(1,)]
    assert _raw(db_path, "SELECT name FROM sqlite_master WHERE name = 'patients'") == []

    # with space again, the next start upgrades; the first copy is kept, a second one made
    monkeypatch.undo()
    store, notice = SessionStore.open(db_path, clock=clock)
    with store:
        assert [s.id for s in store.history.sessions()] == [2, 1]
    assert _backups(db_path.parent) == [backup, backup.with_name(f"{backup.name}-2")]
    assert backup.read_bytes() == original and notice is not None


@pytest.mark.skipif(sys.platform == "win32", reason="file size limits are POSIX")
def test_a_copy_that_cannot_be_written_stops_the_upgrade_before_it_starts(db_path: Path):
    _v1_database(db_path, extra_repetitions=600)
    original = db_path.read_bytes()
    limit = 64 * 1024  # room for SQLite's -shm, not for a copy of the database
    assert len(original) > 2 * limit
    script = textwrap.dedent(
        """
        import resource, signal, sys
        from pathlib import Path
        from coach.base.errors import StoreError
        from coach.records.store import SessionStore

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
        limit = int(sys.argv[2])
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))  # binds root too
        try:
            SessionStore.open(Path(sys.argv[1]))
        except StoreError as error:
            print(error)
            sys.exit(3)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(db_path), str(limit)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 3, result.stderr
    assert "could not keep a copy" in result.stdout and "left as it was" in result.stdout
    assert db_path.read_bytes() == original
    assert _backups(db_path.parent) == []  # no half copy left behind
    assert _raw(db_path, "PRAGMA user_version") == [(1,)]


def test_an_upgrade_waits_until_no_other_window_uses_the_file(db_path: Path):
    _v1_database(db_path)
    original = db_path.read_bytes()
    other_window = RecorderLock(db_path.with_name("sessions.sqlite3.lock"))
    assert other_window.acquire(timeout_s=0)
    try:
        with pytest.raises(StoreError, match="close every FaceCoach window"):
            SessionStore.open(db_path)
    finally:
        other_window.close()
    assert db_path.read_bytes() == original and _backups(db_path.parent) == []
    SessionStore.open(db_path)[0].close()  # once it is closed, the upgrade goes ahead
    assert len(_backups(db_path.parent)) == 1


def test_a_database_from_a_newer_version_is_still_refused_untouched(db_path: Path):
    _open(db_path).close()
    connection = sqlite3.connect(db_path)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    before = db_path.read_bytes()
    with pytest.raises(StoreError, match="newer version of FaceCoach"):
        SessionStore.open(db_path)
    assert db_path.read_bytes() == before
    assert not [p for p in db_path.parent.iterdir() if "backup" in p.name]
    # the read-only look may leave an empty -wal beside it (as schema 1 did), never a written one
    wal = Path(f"{db_path}-wal")
    assert not wal.exists() or wal.stat().st_size == 0


def test_the_schema_guards_uids_sides_kinds_and_patients(db_path: Path):
    with _open(db_path) as store:
        session = store.recording.start_session(None, None, "camera 0")
        uid = store.history.session_detail(session).uid
    connection = sqlite3.connect(db_path)
    connection.execute("PRAGMA foreign_keys = ON")
    try:
        insert = "INSERT INTO sessions (started_at, source, app_version, uid, kind, patient_id) VALUES ('t', 's', 'v', "
        for values in (
            "NULL, 'live', NULL)",  # every session has a uid
            f"'{uid}', 'live', NULL)",  # and no two the same
            "'ABCDEF0123456789ABCDEF0123456789', 'live', NULL)",
            f"'{'1' * 32}', 'streamed', NULL)",
            f"'{'1' * 32}', 'live', 42)",  # no patient 42
        ):
            with pytest.raises(sqlite3.IntegrityError):
                connection.execute(insert + values)
        with pytest.raises(sqlite3.IntegrityError, match="keeps its uid"):
            connection.execute(f"UPDATE sessions SET uid = '{'2' * 32}'")
        with pytest.raises(sqlite3.IntegrityError):
            connection.execute(
                "INSERT INTO patients (code, affected_side, created_at, updated_at) VALUES ('P1', 'middle', 't', 't')"
            )
        schema = connection.execute("SELECT sql FROM sqlite_master WHERE name = 'patients'").fetchone()[0]
        assert "PATIENT'S ANATOMICAL SIDE" in schema
    finally:
        connection.close()


# --------------------------------------------------------------------------- patients


def test_patients_are_added_found_listed_and_updated(db_path: Path):
    clock = SetClock(T0)
    with _open(db_path, clock=clock) as store:
        anna = store.patients.add(
            " P07 ",
            name="Anna",
            affected_side="left",
            onset_date=date(2025, 3, 14),
            cause="Bell's palsy",
            notes="  ",
        )
        assert anna == Patient(
            id=anna.id,
            code="P07",
            name="Anna",
            affected_side="left",
            onset_date=date(2025, 3, 14),
            cause="Bell's palsy",
            notes=None,  # blank text is 'not given'
            created_at=T0,
            updated_at=T0,
        )
        clock.advance(60)
        bare = store.patients.add("A01")
        assert (bare.affected_side, bare.onset_date, bare.name) == ("unknown", None, None)

        assert store.patients.get(anna.id) == anna
        assert store.patients.get("p07") == anna  # codes ignore case
        assert [p.code for p in store.patients.all()] == ["A01", "P07"]

        clock.advance(60)
        changed = store.patients.update(anna.id, affected_side="both", notes="synkinesis of the eye on smiling")
        assert changed == dataclasses.replace(
            anna, affected_side="both", notes="synkinesis of the eye on smiling", updated_at=T0 + timedelta(seconds=120)
        )
        cleared = store.patients.update(anna.id, onset_date=None, cause=None, code="P07b")
        assert (cleared.onset_date, cleared.cause, cleared.code, cleared.created_at) == (None, None, "P07b", T0)
        assert store.patients.get(anna.id) == cleared

    with _open(db_path) as store:  # written to disk, read back the same
        assert store.patients.all() == [bare, cleared]


def test_wrong_patients_are_refused_without_writing(db_path: Path):
    with _open(db_path, clock=SetClock(T0)) as store:
        patient = store.patients.add("P07", affected_side="right")
        with pytest.raises(StoreError, match="'P07' is already"):
            store.patients.add("P07")
        with pytest.raises(StoreError, match=r"'p07' is already.*as 'P07'"):
            store.patients.add("p07")
        other = store.patients.add("P08")
        with pytest.raises(StoreError, match="'P07' is already"):
            store.patients.update(other.id, code="P07")
        with pytest.raises(ValueError, match="left, right, both, unknown"):
            store.patients.add("P09", affected_side="Left")
        with pytest.raises(ValueError, match="in the future"):
            store.patients.add("P09", onset_date=date(2025, 7, 1))
        with pytest.raises(ValueError, match="in the future"):
            store.patients.update(patient.id, onset_date=date(2026, 1, 1))
        with pytest.raises(ValueError, match="no time of day"):
            store.patients.add("P09", onset_date=datetime(2025, 1, 1, tzinfo=UTC))
        with pytest.raises(ValueError, match="needs a code"):
            store.patients.add("  ")
        with pytest.raises(TypeError, match="no field 'side'"):
            store.patients.update(patient.id, side="left")
        with pytest.raises(KeyError, match="no patient 999"):
            store.patients.update(999, notes="x")
        with pytest.raises(KeyError, match="no patient 999"):
            store.patients.get(999)
        with pytest.raises(KeyError, match="'Z99'"):
            store.patients.get("Z99")
        assert store.patients.all() == [patient, other]
        assert store.patients.get(patient.id).onset_date is None


# --------------------------------------------------------------------------- sessions of a patient


def test_sessions_belong_to_a_patient_and_are_listed_per_patient(db_path: Path):
    clock = SetClock(T0)
    with _open(db_path, clock=clock) as store:
        anna, ben = store.patients.add("P07"), store.patients.add("P08")
        nobody = store.recording.start_session(None, None, "camera 0")  # the v1 call still works
        clock.advance(60)
        anna_live = store.recording.start_session("daily_face", "Daily face programme", "camera 0", patient_id=anna.id)
        clock.advance(60)
        ben_video = store.recording.start_session(None, "Big smile", "clip.mp4", patient_id=ben.id, kind="recorded")
        clock.advance(60)
        anna_video = store.recording.start_session(None, None, "home.mp4", patient_id=anna.id, kind="recorded")
        with pytest.raises(ValueError, match="not 'streamed'"):
            store.recording.start_session(None, None, "camera 0", kind="streamed")
        with pytest.raises(KeyError, match="no patient 999"):
            store.recording.start_session(None, None, "camera 0", patient_id=999)

        assert [s.id for s in store.history.sessions(patient_id=anna.id)] == [anna_video, anna_live]
        assert [s.id for s in store.history.sessions(patient_id=ben.id)] == [ben_video]
        assert [s.id for s in store.history.sessions(limit=1, patient_id=anna.id)] == [anna_video]
        everything = store.history.sessions()
        assert [s.id for s in everything] == [anna_video, ben_video, anna_live, nobody]
        assert [(s.patient_id, s.kind) for s in everything] == [
            (anna.id, "recorded"),
            (ben.id, "recorded"),
            (anna.id, "live"),
            (None, "live"),
        ]
        assert len({s.uid for s in everything}) == 4 and all(UID.match(s.uid) for s in everything)
        detail = store.history.session_detail(ben_video)
        assert (detail.patient_id, detail.kind, detail.uid) == (ben.id, "recorded", everything[1].uid)


# --------------------------------------------------------------------------- programmes


def test_programmes_are_saved_assigned_and_the_latest_is_current(db_path: Path):
    clock = SetClock(T0)
    with _open(db_path, clock=clock) as store:
        anna, ben = store.patients.add("P07", affected_side="left"), store.patients.add("P08")
        gentle = store.programmes.save(
            prescribed_programme(
                "Gentle start",
                "Small, slow movements",
                [programme_entry(), programme_entry("raise_brows", repetitions=3, effort=2)],
            )
        )
        assert gentle.name == "Gentle start" and UID.match(gentle.uid) and gentle.created_at == T0
        assert gentle.entries == (
            ProgrammeEntry("big_smile", 5, 3.0, 4.5, 3, (2.0, 6.5), 0.8),
            ProgrammeEntry("raise_brows", 3, 3.0, 4.5, 2, (2.0, 6.5), 0.8),
        )
        assert gentle.entries[0].to_json() == programme_entry() | {"hold_s": 3.0, "target_mm": [2.0, 6.5]}
        clock.advance(60)
        stronger = store.programmes.save(
            prescribed_programme("Building strength", "", [programme_entry("pucker", effort=6)])
        )
        assert [p.name for p in store.programmes.all()] == ["Building strength", "Gentle start"]
        assert store.programmes.get(gentle.id) == gentle

        assert store.programmes.current(anna.id) is None
        store.programmes.assign(anna.id, gentle.id)
        assert store.programmes.current(anna.id) == gentle
        clock.advance(60)
        store.programmes.assign(anna.id, stronger.id)
        store.programmes.assign(ben.id, gentle.id)
        assert store.programmes.current(anna.id) == stronger
        store.programmes.assign(anna.id, gentle.id)  # at the same moment: the later assignment wins
        assert store.programmes.current(anna.id) == gentle
        assert store.programmes.current(ben.id) == gentle

        with pytest.raises(KeyError, match="no programme 999"):
            store.programmes.assign(anna.id, 999)
        with pytest.raises(KeyError, match="no patient 999"):
            store.programmes.assign(999, gentle.id)
        with pytest.raises(KeyError, match="no patient 999"):
            store.programmes.current(999)
    assert _raw(db_path, "SELECT count(*) FROM patient_programmes") == [(4,)]


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([], "at least one exercise"),
        ([programme_entry(effort=11)], r"entry 1 \(big_smile\): effort 11 is not between 1 and 10"),
        (
            [programme_entry(), programme_entry("pucker", repetitions=0)],
            r"entry 2 \(pucker\): repetitions 0 is not between 1 and 50",
        ),
        ([programme_entry(repetitions=2.5)], "repetitions must be a whole number"),
        ([programme_entry(hold_s=True)], "hold_s must be a number"),
        ([programme_entry(target_mm=[6, 2])], "0 ≤ low < high ≤ 40"),
        ([programme_entry(target_symmetry=0.2)], "target_symmetry 0.2 is not between 0.5 and 1"),
        ([programme_entry("Big Smile")], "lower_case_with_underscores"),
        ([{"exercise_id": "big_smile", "repetitions": 5}], "hold_s is missing"),
        ([programme_entry(speed=2)], "unknown key 'speed'"),
    ],
)
def test_wrong_programmes_are_refused_without_writing(db_path: Path, entries: list, message: str):
    with _open(db_path) as store:
        with pytest.raises(ValueError, match=message):
            store.programmes.save(prescribed_programme("Gentle start", "", entries))
        with pytest.raises(ValueError, match="needs a name"):
            store.programmes.save(prescribed_programme(" ", "", [programme_entry()]))
        assert store.programmes.all() == []


# --------------------------------------------------------------------------- importing from a bundle


def _without_ids(detail: SessionDetail) -> tuple:
    """Everything a session holds except the row ids, which belong to one database."""
    return (
        dataclasses.replace(detail, id=0, patient_id=None, exercises=()),
        [
            (
                dataclasses.replace(exercise, id=0, repetitions=()),
                [(r.number, r.recorded_at, r.repetition) for r in exercise.repetitions],
            )
            for exercise in detail.exercises
        ],
    )


def _recorded_session(path: Path) -> SessionDetail:
    clock = SetClock(T0)
    with _open(path, clock=clock) as store:
        session = store.recording.start_session("daily_face", "Daily face programme", "home.mp4", kind="recorded")
        store.recording.save_resting(session, {"brow_height_mm": {"left": 21.5, "right": 23.25}})
        smile = store.recording.start_exercise(
            session, 1, "big_smile", "Big smile", "commissure_excursion_mm", {"hold_s": 2}
        )
        for number in (1, 2):
            clock.advance(4)
            store.recording.add_repetition(smile, number, _rep(number))
        store.recording.finish_exercise(smile, "completed", Summary(2, 3.2, 4.5, 0.711, "left"))
        clock.advance(1)
        brows = store.recording.start_exercise(session, 2, "raise_brows", "Raise brows", "brow_lift_mm", {})
        clock.advance(4)
        store.recording.add_repetition(brows, 1, _rep(3, symmetry=None, weaker_side=None))
        store.recording.finish_session(session, "stopped")
        return store.history.session_detail(session)


def _counts(path: Path) -> list[int]:
    return [
        _raw(path, f"SELECT count(*) FROM {table}")[0][0] for table in ("sessions", "session_exercises", "repetitions")
    ]


def test_a_session_is_imported_once_with_everything_it_holds(tmp_path: Path):
    exported = _recorded_session(tmp_path / "phone" / "sessions.sqlite3")
    exported = dataclasses.replace(exported, app_version="0.9.0")  # measured by another version of the app
    clinic_path = tmp_path / "clinic" / "sessions.sqlite3"
    with _open(clinic_path, clock=SetClock(T0 + timedelta(days=3))) as clinic:
        anna = clinic.patients.add("P07", affected_side="left")
        clinic.recording.start_session(None, None, "camera 0")  # the clinic's own session comes first: other ids
        assert not clinic.history.has_session(exported.uid)

        imported = clinic.imports.session(exported, anna.id)
        assert imported is not None and imported != exported.id
        stored = clinic.history.session_detail(imported)
        assert _without_ids(stored) == _without_ids(exported)
        assert (stored.patient_id, stored.uid, stored.kind, stored.app_version) == (
            anna.id,
            exported.uid,
            "recorded",
            "0.9.0",
        )
        assert stored.started_at == T0 and stored.exercises[0].summary == Summary(2, 3.2, 4.5, 0.711, "left")
        assert clinic.history.has_session(exported.uid)
        assert [s.id for s in clinic.history.sessions(patient_id=anna.id)] == [imported]
        counts = _counts(clinic_path)

        assert clinic.imports.session(exported, anna.id) is None  # the same bundle again
        other = clinic.patients.add("P08")
        assert clinic.imports.session(exported, other.id) is None  # even for someone else
        assert _counts(clinic_path) == counts == [2, 2, 3]
    assert __version__ != "0.9.0"


def test_an_import_that_fails_writes_nothing(tmp_path: Path):
    exported = _recorded_session(tmp_path / "phone" / "sessions.sqlite3")
    clinic_path = tmp_path / "clinic" / "sessions.sqlite3"
    with _open(clinic_path) as clinic:
        anna = clinic.patients.add("P07")
        before = _counts(clinic_path)
        with pytest.raises(KeyError, match="no patient 999"):
            clinic.imports.session(exported, 999)
        with pytest.raises(ValueError, match="only a finished session"):
            clinic.imports.session(dataclasses.replace(exported, status="in_progress"), anna.id)
        with pytest.raises(ValueError, match="32 lower-case hex digits"):
            clinic.imports.session(dataclasses.replace(exported, uid="not-a-uid"), anna.id)
        with pytest.raises(ValueError, match="timezone-aware"):
            clinic.imports.session(dataclasses.replace(exported, started_at=datetime(2025, 6, 1, 12)), anna.id)
        # the last repetition cannot be stored: the session and its exercises written before it go too
        smile, brows = exported.exercises
        [last] = brows.repetitions
        broken = dataclasses.replace(last, repetition=dataclasses.replace(last.repetition, measures={"x": object()}))
        with pytest.raises(TypeError, match="cannot store"):
            clinic.imports.session(
                dataclasses.replace(exported, exercises=(smile, dataclasses.replace(brows, repetitions=(broken,)))),
                anna.id,
            )
        assert _counts(clinic_path) == before
        assert not clinic.history.has_session(exported.uid)
        assert clinic.imports.session(exported, anna.id) is not None  # the store is still usable


def test_importing_into_the_database_it_came_from_is_a_no_op(db_path: Path):
    exported = _recorded_session(db_path)
    with _open(db_path) as store:
        patient = store.patients.add("P07")
        assert store.imports.session(exported, patient.id) is None
        assert [s.id for s in store.history.sessions()] == [exported.id]


def _v2_database(path: Path) -> None:
    """A database as FaceCoach with schema 2 left it: v1's sessions upgraded by the shipped
    MIGRATIONS[1], a patient owning the first session, closed cleanly."""
    _v1_database(path)
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    schema_module.MIGRATIONS[1](connection)
    connection.execute(
        "INSERT INTO patients (id, code, affected_side, created_at, updated_at) VALUES (1, 'P07', 'left', ?, ?)",
        (_time(T0), _time(T0)),
    )
    connection.execute("UPDATE sessions SET patient_id = 1 WHERE id = 1")
    connection.execute("PRAGMA user_version = 2")
    connection.execute("COMMIT")
    connection.close()


def test_a_v2_database_is_upgraded_for_pictures_after_a_copy_is_kept(db_path: Path):
    _v2_database(db_path)
    original = db_path.read_bytes()
    before = _raw(db_path, "SELECT id, uid, patient_id, status FROM sessions ORDER BY id")
    clock = SetClock(datetime(2026, 11, 2, 9, 0, 0, tzinfo=UTC))
    store, notice = SessionStore.open(db_path, clock=clock)
    with store:
        assert store.pictures.count() == 0
        assert [e.exercise_id for e in store.history.session_detail(1).exercises] == ["big_smile", "raise_brows"]
        assert [s.repetition_count for s in store.history.sessions()] == [0, 3]
    [backup] = sorted(p for p in db_path.parent.iterdir() if ".v2-backup-" in p.name)
    assert backup.name == f"sessions.sqlite3.v2-backup-{_stamp(clock.now)}" and backup.read_bytes() == original
    assert (
        notice is not None
        and f"schema 2 to {SCHEMA_VERSION}" in notice
        and "pictures" in notice
        and str(backup) in notice
    )
    assert "patients and programmes" not in notice  # it says what this upgrade adds, not an earlier one's
    assert _raw(db_path, "SELECT id, uid, patient_id, status FROM sessions ORDER BY id") == before
    assert _raw(db_path, "PRAGMA user_version") == [(SCHEMA_VERSION,)] == [(6,)]
    old, new = db_path, db_path.parent.parent / "new" / "sessions.sqlite3"
    _open(new).close()
    query = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"
    assert _raw(old, query) == _raw(new, query)


def _v3_database(path: Path) -> None:
    """A database as FaceCoach with schema 3 left it: v2's upgraded by the shipped MIGRATIONS[2],
    with a picture kept for the first session's smile, closed cleanly."""
    _v2_database(path)
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA foreign_keys = ON")  # as the app opens it: the upgrade must not cascade
    connection.execute("BEGIN IMMEDIATE")
    schema_module.MIGRATIONS[2](connection)
    connection.execute(
        "INSERT INTO snapshots (session_exercise_id, taken_at, measure, picture_jpeg, landmarks_f32) "
        "VALUES (1, ?, 'commissure_excursion_mm', x'ffd8ffd9', x'00000000')",
        (_time(T0 + timedelta(seconds=12)),),
    )
    connection.execute("PRAGMA user_version = 3")
    connection.execute("COMMIT")
    connection.close()


def test_a_v3_database_takes_exercises_not_done_and_keeps_every_repetition_and_picture(db_path: Path):
    _v3_database(db_path)
    counts = "SELECT (SELECT count(*) FROM session_exercises), (SELECT count(*) FROM repetitions), " + (
        "(SELECT count(*) FROM snapshots)"
    )
    before = _raw(db_path, counts)
    assert before[0][1] > 0 and before[0][2] == 1
    store, notice = SessionStore.open(db_path)
    with store:
        assert notice is not None and f"schema 3 to {SCHEMA_VERSION}" in notice and "exercises not done" in notice
        assert store.history.session_detail(1).rest_accepted is False  # found still, as every earlier one was
    assert _raw(db_path, counts) == before  # the statuses' edit cascaded nothing
    assert _raw(db_path, "PRAGMA integrity_check") == [("ok",)]
    assert _raw(db_path, "SELECT rest_accepted FROM sessions ORDER BY id") == [(0,), (0,)]
    connection = sqlite3.connect(db_path)
    with connection:
        connection.execute("UPDATE session_exercises SET status = 'not_done' WHERE id = 2")
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"), connection:
        connection.execute("UPDATE session_exercises SET status = 'forgotten' WHERE id = 2")
    connection.close()
    with _open(db_path) as store:
        assert [e.status for e in store.history.session_detail(1).exercises] == ["completed", "not_done"]


def _v4_database(path: Path) -> None:
    """A database as FaceCoach with schema 4 left it: v3's upgraded by the shipped MIGRATIONS[3],
    with the second exercise not done and the first session's resting face accepted."""
    _v3_database(path)
    _shipped_migration(path, 4, "UPDATE session_exercises SET status = 'not_done' WHERE id = 2",
                       "UPDATE sessions SET rest_accepted = 1 WHERE id = 1")  # fmt: skip


def _shipped_migration(path: Path, version: int, *then: str) -> None:
    """Take the database at `path` to `version` by the shipped migration, then run `then` (its data)."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("BEGIN IMMEDIATE")
    schema_module.MIGRATIONS[version - 1](connection)
    for statement in then:
        connection.execute(statement)
    connection.execute(f"PRAGMA user_version = {version:d}")
    connection.execute("COMMIT")
    connection.close()


def test_a_v4_database_takes_the_therapists_changes_with_every_repetition_still_counting(db_path: Path):
    _v4_database(db_path)
    store, notice = SessionStore.open(db_path)
    with store:
        assert notice is not None and f"schema 4 to {SCHEMA_VERSION}" in notice and "notes and changes" in notice
        detail = store.history.session_detail(1)
        assert detail.rest_accepted is True and [e.status for e in detail.exercises] == ["completed", "not_done"]
        assert detail.steering == () and detail.notes == ()
        assert all(r.counts for e in detail.exercises for r in e.repetitions)
        # what schema 5 adds can be written: a repetition set aside (scored no more), a note
        summary_of_one = Summary(1, 3.0, 4.0, 0.75, "left")
        store.recording.set_aside_repetition(1, 2, "pushed with the jaw", summary_of_one)
        store.recording.log_steering(1, SteeringRecord(12.5, "therapist", "note", 0, {}, "tires after two", T0))
        detail = store.history.session_detail(1)
        smile = detail.exercises[0]
        assert [r.discarded_reason for r in smile.repetitions] == [None, "pushed with the jaw"]
        assert [r.number for r in smile.counted_repetitions] == [1] and smile.summary == summary_of_one
        assert [(n.at_s, n.origin, n.text) for n in detail.notes] == [(12.5, "therapist", "tires after two")]
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"), sqlite3.connect(db_path) as connection:
        connection.execute(
            "INSERT INTO session_steering (session_id, at_s, origin, action, recorded_at) "
            "VALUES (1, 1, 'neighbour', 'x', 't')"
        )


def _v5_database(path: Path) -> None:
    """A database as FaceCoach with schema 5 left it: v4's upgraded by the shipped MIGRATIONS[4],
    with a therapist's note and the second repetition of the smile set aside."""
    _v4_database(path)
    _shipped_migration(
        path,
        5,
        "INSERT INTO session_steering (session_id, at_s, origin, action, position, text, recorded_at) "
        "VALUES (1, 12.5, 'therapist', 'note', 0, 'tires after two', '2026-11-02T09:00:00+00:00')",
    )


def test_a_v5_database_takes_the_gradings_with_its_sessions_and_notes_kept(db_path: Path):
    _v5_database(db_path)
    store, notice = SessionStore.open(db_path)
    with store:
        assert notice is not None and f"schema 5 to {SCHEMA_VERSION}" in notice and "gradings" in notice
        detail = store.history.session_detail(1)
        assert [(n.at_s, n.text) for n in detail.notes] == [(12.5, "tires after two")]
        assert [e.status for e in detail.exercises] == ["completed", "not_done"]
        # what schema 6 adds can be written: a clinician's grading beside the suggestions
        patient = store.patients.add("P01")
        filed = store.gradings.file(patient.id, "sunnybrook", {"voluntary_open_mouth_smile": 4}, "Dr Weber",
                                    suggested={"voluntary_open_mouth_smile": 3}, session_id=1)  # fmt: skip
        assert store.gradings.for_patient(patient.id) == [filed]
        assert filed.total == 100 - 4  # the other items counted normal: 5 x 4 x 4 + 4 x 4 = 96


#: a database as each earlier version of FaceCoach left it, by its schema version
EARLIER_VERSIONS = {1: _v1_database, 2: _v2_database, 3: _v3_database, 4: _v4_database, 5: _v5_database}


def test_there_is_a_database_of_every_earlier_version():
    # a new schema version ships with a builder of the version before it, so the upgrade from it is tested
    assert sorted(EARLIER_VERSIONS) == list(range(1, SCHEMA_VERSION))


@pytest.mark.parametrize("version", sorted(EARLIER_VERSIONS))
def test_a_database_of_every_earlier_version_is_upgraded_to_the_current_one(tmp_path: Path, version: int):
    old, new = tmp_path / "old" / "sessions.sqlite3", tmp_path / "new" / "sessions.sqlite3"
    EARLIER_VERSIONS[version](old)
    original = old.read_bytes()
    # what every version has, and from schema 2 on the uid and patient of each session
    sessions = f"SELECT id, started_at, ended_at, status{', uid, patient_id' * (version > 1)} FROM sessions ORDER BY id"
    before = _raw(old, sessions)

    store, notice = SessionStore.open(old)
    with store:
        assert [s.id for s in store.history.sessions()] == [2, 1]
        smile = store.history.session_detail(1).exercises[0]
        assert smile.summary == Summary(reps=2, left_mm=3.2, right_mm=4.5, symmetry=0.711, weaker_side="left")
        assert [r.repetition for r in smile.repetitions] == [_rep(1), _rep(2)]

    assert _raw(old, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    [backup] = [p for p in old.parent.iterdir() if f".v{version}-backup-" in p.name]
    assert backup.read_bytes() == original
    added = "; ".join(schema_module.UPGRADE_NOTES[version:SCHEMA_VERSION])
    assert notice is not None and f"(schema {version} to {SCHEMA_VERSION}: {added})" in notice
    assert _raw(old, sessions) == before
    _open(new).close()
    query = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"
    assert _raw(old, query) == _raw(new, query)
    assert _raw(old, "PRAGMA application_id") == _raw(new, "PRAGMA application_id")
