"""The session store on real SQLite files: what is written is read back exactly, each
repetition survives a crash, damaged files are kept, newer files are left alone."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from coach import __version__
from coach.base.errors import CoachError, StoreError
from coach.base.userdirs import default_data_dir
from coach.records import recording as recording_module
from coach.records import schema as schema_module
from coach.records.schema import SCHEMA_VERSION
from coach.records.store import SessionStore, database_path
from coach.session.engine import Repetition, Summary

from store_helpers import SetClock, open_quiet

COPY_NAME = re.compile(r"sessions\.sqlite3\.corrupt-\d{8}-\d{6}(-\d+)?$")


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
        measures={
            "commissure_excursion_mm": {"left": 3.0 + number / 7, "right": 4.0 + number / 3},
            "upper_lip_lift_mm": {"left": 1.25, "right": 2.0 / 3},
        },
    )


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return database_path(tmp_path / "data")


_open = open_quiet


def _raw_count(path: Path, table: str) -> int:
    """Count rows with a connection of its own, as another process would see the file."""
    connection = sqlite3.connect(path)
    try:
        return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        connection.close()


def _files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


# --------------------------------------------------------------------------- writing and reading back


def test_a_full_session_reads_back_field_by_field(db_path: Path):
    clock = SetClock(datetime(2025, 3, 4, 9, 30, 0, 250000, tzinfo=UTC))
    resting = {"brow_height_mm": {"left": 21.5, "right": 23.25}, "palpebral_fissure_mm": {"left": 9.0, "right": 10.5}}
    reps = [_rep(1), _rep(2, symmetry=None, weaker_side=None), _rep(3, weaker_side="right")]
    summary = Summary(reps=2, left_mm=3.2, right_mm=4.5, symmetry=0.711, weaker_side="left")
    with _open(db_path, clock=clock) as store:
        session = store.recording.start_session("daily_face", "Daily face programme", "camera 0")
        store.recording.save_resting(session, resting)
        clock.advance(5)
        smile = store.recording.start_exercise(
            session, 1, "big_smile", "Big smile", "commissure_excursion_mm", {"repetitions": 2, "hold_s": 2}
        )
        ids = []
        for number, rep in enumerate(reps[:2], start=1):
            clock.advance(4)
            ids.append(store.recording.add_repetition(smile, number, rep))
        clock.advance(1)
        store.recording.finish_exercise(smile, "completed", summary)
        brow = store.recording.start_exercise(
            session, 2, "brow_raise", "Brow raise", "brow_lift_mm", {"repetitions": 3}
        )
        clock.advance(4)
        ids.append(store.recording.add_repetition(brow, 1, reps[2]))
        clock.advance(1)
        store.recording.finish_exercise(brow, "stopped", None)
        store.recording.finish_session(session, "stopped")

    with _open(db_path) as store:
        detail = store.history.session_detail(session)
    t0 = datetime(2025, 3, 4, 9, 30, 0, 250000, tzinfo=UTC)
    assert detail.id == session
    assert detail.started_at == t0 and detail.started_at.tzinfo is not None
    assert detail.ended_at == t0 + timedelta(seconds=19)
    assert detail.status == "stopped"
    assert (detail.programme_id, detail.programme_name, detail.source) == (
        "daily_face",
        "Daily face programme",
        "camera 0",
    )
    assert detail.resting == resting
    assert detail.app_version == __version__
    assert [e.id for e in detail.exercises] == [smile, brow]

    first, second = detail.exercises
    assert (first.position, first.exercise_id, first.exercise_name, first.primary_measure) == (
        1,
        "big_smile",
        "Big smile",
        "commissure_excursion_mm",
    )
    assert first.target == {"repetitions": 2, "hold_s": 2}
    assert first.started_at == t0 + timedelta(seconds=5)
    assert first.ended_at == t0 + timedelta(seconds=14)
    assert first.status == "completed"
    assert first.summary == summary
    assert [r.number for r in first.repetitions] == [1, 2]
    assert [r.recorded_at for r in first.repetitions] == [t0 + timedelta(seconds=9), t0 + timedelta(seconds=13)]
    # every float, None and dict comes back exactly as the engine produced it
    assert [r.repetition for r in first.repetitions] == reps[:2]
    assert first.repetitions[1].repetition.symmetry is None and first.repetitions[1].repetition.weaker_side is None
    assert first.repetitions[0].repetition.complete is True and first.repetitions[1].repetition.complete is False

    assert (second.position, second.exercise_id, second.status, second.summary) == (2, "brow_raise", "stopped", None)
    assert second.target == {"repetitions": 3}
    assert [r.repetition for r in second.repetitions] == [reps[2]]
    assert [r.id for r in (*first.repetitions, *second.repetitions)] == ids


def test_each_repetition_is_on_disk_before_the_session_ends(db_path: Path):
    with _open(db_path) as writer:
        session = writer.recording.start_session(None, None, "camera 0")
        exercise = writer.recording.start_exercise(session, 1, "big_smile", "Big smile", "commissure_excursion_mm", {})
        for number in (1, 2, 3):
            writer.recording.add_repetition(exercise, number, _rep(number))
            # another connection, and a fresh store, see it at once: it is committed
            assert _raw_count(db_path, "repetitions") == number
            reader, notice = SessionStore.open(db_path)
            with reader:
                live = reader.history.session_detail(session)
            # a reader opened during a live session does not take it for a crashed one
            assert notice is None and live.status == "in_progress"
            assert [r.repetition for r in live.exercises[0].repetitions] == [_rep(n) for n in range(1, number + 1)]
        writer.recording.finish_session(session, "completed")


def test_a_crash_after_the_second_repetition_keeps_two_and_marks_the_session_interrupted(db_path: Path):
    script = textwrap.dedent(
        """
        import os, sys
        from pathlib import Path
        from coach.session.engine import Repetition
        from coach.records.store import SessionStore

        store, _ = SessionStore.open(Path(sys.argv[1]))
        session = store.recording.start_session("daily_face", "Daily face programme", "camera 0")
        exercise = store.recording.start_exercise(session, 1, "big_smile", "Big smile", "commissure_excursion_mm", {})
        for number in (1, 2, 3):
            rep = Repetition(number, number + 1, number + 2, 4.0, 2.0, 0.5, "right", 1.0, True, {}, {})
            store.recording.add_repetition(exercise, number, rep)
            if number == 2:
                os._exit(1)  # the power goes: no finish, no close, no Python clean-up
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(db_path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""

    store, notice = SessionStore.open(db_path)
    with store:
        [record] = store.history.sessions()
        detail = store.history.session_detail(record.id)
    assert record.status == "interrupted" and record.repetition_count == 2
    [exercise] = detail.exercises
    assert exercise.status == "interrupted"
    assert [r.number for r in exercise.repetitions] == [1, 2]
    assert exercise.repetitions[1].repetition.left_mm == 4.0
    # ended_at is the last thing saved, not the moment of opening
    assert exercise.ended_at == exercise.repetitions[1].recorded_at == detail.ended_at
    local_start = detail.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
    assert notice == f"1 unfinished session from {local_start} was kept as interrupted, with its 2 saved repetitions."

    # said once: the next open has nothing to report
    again, notice = SessionStore.open(db_path)
    again.close()
    assert notice is None


def test_finishing_a_session_closes_exercises_left_open(db_path: Path):
    with _open(db_path) as store:
        stopped = store.recording.start_session(None, None, "camera 0")
        open_exercise = store.recording.start_exercise(
            stopped, 1, "big_smile", "Big smile", "commissure_excursion_mm", {}
        )
        store.recording.finish_session(stopped, "stopped")
        failed = store.recording.start_session(None, None, "camera 0")
        store.recording.start_exercise(failed, 1, "brow_raise", "Brow raise", "brow_lift_mm", {})
        store.recording.finish_session(failed, "interrupted")
        first, second = store.history.session_detail(stopped), store.history.session_detail(failed)
    assert first.exercises[0].id == open_exercise
    assert first.exercises[0].status == "stopped" and first.exercises[0].ended_at == first.ended_at
    assert second.exercises[0].status == "interrupted" and second.status == "interrupted"


def test_wrong_statuses_and_unknown_ids_are_refused_without_writing(db_path: Path):
    with _open(db_path) as store:
        session = store.recording.start_session(None, None, "camera 0")
        exercise = store.recording.start_exercise(session, 1, "big_smile", "Big smile", "commissure_excursion_mm", {})
        with pytest.raises(ValueError, match="session ends as"):
            store.recording.finish_session(session, "in_progress")
        with pytest.raises(ValueError, match="exercise ends as"):
            store.recording.finish_exercise(exercise, "in_progress", None)
        with pytest.raises(ValueError, match="weaker_side"):
            store.recording.add_repetition(exercise, 1, _rep(1, weaker_side="centre"))
        with pytest.raises(KeyError, match="no exercise 999"):
            store.recording.add_repetition(999, 1, _rep(1))
        with pytest.raises(KeyError, match="no session 999"):
            store.recording.start_exercise(999, 1, "big_smile", "Big smile", "commissure_excursion_mm", {})
        with pytest.raises(KeyError, match="no session 999"):
            store.recording.finish_session(999, "completed")
        with pytest.raises(KeyError, match="no session 999"):
            store.history.session_detail(999)
        # the store is still usable after each refusal, and nothing stray was written
        store.recording.add_repetition(exercise, 1, _rep(1))
        assert [(s.exercise_count, s.repetition_count, s.status) for s in store.history.sessions()] == [
            (1, 1, "in_progress")
        ]


def test_numpy_numbers_are_stored_as_plain_numbers(db_path: Path):
    rep = Repetition(
        start_s=np.float64(1.0),
        peak_s=np.float64(1.5),
        end_s=np.float64(2.0),
        left_mm=np.float32(3.5),
        right_mm=np.float64(4.0),
        symmetry=np.float64(0.875),
        weaker_side="left",
        hold_s=np.float64(0.5),
        complete=np.bool_(True),
        synkinesis={"eye_narrowing_pct": {"left": np.float32(2.5), "right": np.float64(1.0)}},
        measures={"commissure_excursion_mm": {"left": np.float32(3.5), "right": np.float64(4.0)}},
    )
    with _open(db_path) as store:
        session = store.recording.start_session(None, None, "clip.mp4")
        store.recording.save_resting(session, {"brow_height_mm": {"left": np.float32(20.5), "right": np.float64(21.0)}})
        exercise = store.recording.start_exercise(session, 1, "big_smile", "Big smile", "commissure_excursion_mm", {})
        store.recording.add_repetition(exercise, 1, rep)
        detail = store.history.session_detail(session)
    stored = detail.exercises[0].repetitions[0].repetition
    assert stored == rep
    assert type(stored.left_mm) is float and stored.complete is True
    assert detail.resting == {"brow_height_mm": {"left": 20.5, "right": 21.0}}


# --------------------------------------------------------------------------- history list


def test_the_history_lists_newest_first_with_counts(db_path: Path):
    clock = SetClock(datetime(2025, 5, 1, 10, 0, tzinfo=UTC))
    with _open(db_path, clock=clock) as store:
        morning = store.recording.start_session("daily_face", "Daily face programme", "camera 0")
        for position in (1, 2):
            exercise = store.recording.start_exercise(morning, position, f"ex{position}", f"Ex {position}", "m", {})
            for number in range(1, position + 1):
                store.recording.add_repetition(exercise, number, _rep(number))
        store.recording.finish_session(morning, "completed")
        clock.now = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)  # written later, but started earlier
        early = store.recording.start_session(None, None, "old.mp4")
        store.recording.finish_session(early, "stopped")
        clock.now = datetime(2025, 5, 2, 10, 0, tzinfo=UTC)
        evening = store.recording.start_session("daily_face", "Daily face programme", "camera 0")
        store.recording.start_exercise(evening, 1, "ex1", "Ex 1", "m", {})
        same_time = store.recording.start_session(None, "Same moment", "camera 0")

        history = store.history.sessions()
        assert [s.id for s in history] == [same_time, evening, morning, early]
        assert [(s.exercise_count, s.repetition_count) for s in history] == [(0, 0), (1, 0), (2, 3), (0, 0)]
        assert [s.status for s in history] == ["in_progress", "in_progress", "completed", "stopped"]
        assert history[2].started_at == datetime(2025, 5, 1, 10, 0, tzinfo=UTC)
        assert history[2].programme_name == "Daily face programme" and history[3].programme_name is None
        assert history[0].ended_at is None and history[3].ended_at == datetime(2025, 5, 1, 8, 0, tzinfo=UTC)
        assert [s.id for s in store.history.sessions(limit=2)] == [same_time, evening]
        with pytest.raises(ValueError):
            store.history.sessions(limit=0)


# --------------------------------------------------------------------------- damaged and foreign files


def _truncated_real_database(path: Path) -> None:
    with _open(path) as store:
        session = store.recording.start_session(None, None, "camera 0")
        exercise = store.recording.start_exercise(session, 1, "big_smile", "Big smile", "commissure_excursion_mm", {})
        for number in range(1, 201):
            store.recording.add_repetition(exercise, number, _rep(number))
        store.recording.finish_session(session, "completed")
    data = path.read_bytes()
    assert len(data) > 8 * 4096  # many pages, so cutting it in half loses real rows
    path.write_bytes(data[: len(data) // 2])


def _random_bytes(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a database at all\n" + np.random.default_rng(7).bytes(5000))


@pytest.mark.parametrize("damage", [_random_bytes, _truncated_real_database], ids=["random-bytes", "truncated"])
def test_a_damaged_file_is_kept_aside_byte_for_byte_and_a_new_database_started(db_path: Path, damage):
    damage(db_path)
    damaged_bytes = db_path.read_bytes()

    store, notice = SessionStore.open(db_path)
    with store:
        assert notice is not None
        [kept] = [p for p in db_path.parent.iterdir() if COPY_NAME.match(p.name)]
        assert COPY_NAME.match(kept.name)
        assert str(kept) in notice and "damaged" in notice
        assert kept.read_bytes() == damaged_bytes
        # the new database works; it has the completed session back from the copy made after it
        # (random bytes had none to give back)
        back = [(s.status, s.repetition_count) for s in store.history.sessions()]
        assert back == ([("completed", 200)] if damage is _truncated_real_database else [])
        session = store.recording.start_session(None, None, "camera 0")
        exercise = store.recording.start_exercise(session, 1, "big_smile", "Big smile", "commissure_excursion_mm", {})
        store.recording.add_repetition(exercise, 1, _rep(1))
        assert store.history.session_detail(session).exercises[0].repetitions[0].repetition == _rep(1)
    assert kept.read_bytes() == damaged_bytes


def test_a_damaged_files_journal_goes_with_it_and_copies_never_overwrite_each_other(db_path: Path):
    clock = SetClock(datetime(2025, 6, 1, 12, 0, tzinfo=UTC))
    _random_bytes(db_path)
    wal = Path(f"{db_path}-wal")
    wal.write_bytes(b"journal of the damaged file")
    store, first_notice = SessionStore.open(db_path, clock=clock)
    store.close()
    _random_bytes(db_path)  # damaged again within the same second
    db_path.write_bytes(db_path.read_bytes() + b"second")
    store, second_notice = SessionStore.open(db_path, clock=clock)
    store.close()

    # companions (-wal, -shm) carry the copy's name plus their suffix
    copies = [p for p in db_path.parent.iterdir() if COPY_NAME.match(p.name)]
    first, second = sorted(copies, key=lambda p: len(p.name))
    assert second.name == f"{first.name}-2"
    assert str(first) in first_notice and str(second) in second_notice
    assert Path(f"{first}-wal").read_bytes() == b"journal of the damaged file"
    assert not wal.exists()  # never replayed into the new database
    assert second.read_bytes().endswith(b"second") and not first.read_bytes().endswith(b"second")


def test_a_zero_byte_file_is_a_new_database_not_a_damaged_one(db_path: Path):
    db_path.parent.mkdir(parents=True)
    db_path.touch()
    with _open(db_path) as store:
        session = store.recording.start_session(None, None, "camera 0")
        assert [s.id for s in store.history.sessions()] == [session]
    assert not [p for p in db_path.parent.iterdir() if ".corrupt-" in p.name]


def test_a_database_from_a_newer_version_is_refused_and_left_untouched(db_path: Path):
    with _open(db_path) as store:
        store.recording.start_session(None, None, "camera 0")
    connection = sqlite3.connect(db_path)
    connection.execute("PRAGMA user_version = 99")
    connection.close()
    before = db_path.read_bytes()

    with pytest.raises(StoreError, match="newer version of FaceCoach") as raised:
        SessionStore.open(db_path)
    assert isinstance(raised.value, CoachError) and "update" in str(raised.value)
    assert db_path.read_bytes() == before
    assert not [p for p in db_path.parent.iterdir() if ".corrupt-" in p.name]


def test_another_programs_database_is_refused_and_left_untouched(tmp_path: Path):
    path = tmp_path / "sessions.sqlite3"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE sessions (name TEXT)")
    connection.execute("INSERT INTO sessions VALUES ('not ours')")
    connection.commit()
    connection.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not a FaceCoach session database"):
        SessionStore.open(path)
    assert path.read_bytes() == before
    assert _files(tmp_path) == {"sessions.sqlite3", "sessions.sqlite3.lock"}


# --------------------------------------------------------------------------- two stores on one file


def test_a_reader_sees_every_committed_repetition_while_the_writer_keeps_writing(db_path: Path):
    total = 40
    session_ids: list[int] = []
    writing = threading.Event()
    errors: list[BaseException] = []

    def record() -> None:
        try:
            # opened in its own thread, as the coach's worker does
            writer, _ = SessionStore.open(db_path)
            with writer:
                session = writer.recording.start_session("daily_face", "Daily face programme", "camera 0")
                exercise = writer.recording.start_exercise(
                    session, 1, "big_smile", "Big smile", "commissure_excursion_mm", {}
                )
                session_ids.append(session)
                writing.set()
                for number in range(1, total + 1):
                    writer.recording.add_repetition(exercise, number, _rep(number))
                    time.sleep(0.003)
                writer.recording.finish_exercise(exercise, "completed", None)
                writer.recording.finish_session(session, "completed")
        except BaseException as error:
            errors.append(error)
        finally:
            writing.set()

    thread = threading.Thread(target=record)
    thread.start()
    assert writing.wait(30)
    reader, notice = SessionStore.open(db_path)
    seen: list[int] = []
    with reader:
        while thread.is_alive():
            detail = reader.history.session_detail(session_ids[0])
            numbers = [r.number for r in detail.exercises[0].repetitions]
            assert numbers == list(range(1, len(numbers) + 1))  # a consistent snapshot, never a gap
            assert detail.status == "in_progress" or len(numbers) == total
            seen.append(len(numbers))
        thread.join()
        final = reader.history.session_detail(session_ids[0])
    assert errors == []
    assert notice is None
    assert seen == sorted(seen) and any(0 < n < total for n in seen)
    assert final.status == "completed" and len(final.exercises[0].repetitions) == total


def test_only_one_store_records_into_a_database_at_a_time(db_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(recording_module, "RECORDER_LOCK_WAIT_S", 0.1)
    first = _open(db_path)
    session = first.recording.start_session(None, None, "camera 0")
    second = _open(db_path)
    with pytest.raises(StoreError, match="another FaceCoach window is recording"):
        second.recording.start_session(None, None, "camera 1")
    first.recording.finish_session(session, "completed")
    first.close()
    later = second.recording.start_session(None, None, "camera 1")
    assert [(s.id, s.status) for s in second.history.sessions()] == [(later, "in_progress"), (session, "completed")]
    second.close()


# --------------------------------------------------------------------------- schema


def test_the_schema_is_versioned_durable_and_keeps_its_references(db_path: Path):
    assert len(schema_module.MIGRATIONS) == len(schema_module.UPGRADE_NOTES) == SCHEMA_VERSION == 6
    _open(db_path).close()
    connection = sqlite3.connect(db_path)
    try:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert connection.execute("PRAGMA application_id").fetchone()[0] == schema_module.APPLICATION_ID
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        therapists_side = {"patients", "programmes", "patient_programmes"}  # schema 2
        assert tables == {
            "sessions",
            "session_exercises",
            "repetitions",
            *therapists_side,
            "snapshots",
            "session_steering",
            "gradings",  # schema 6
        }
        schema = connection.execute("SELECT sql FROM sqlite_master WHERE name = 'repetitions'").fetchone()[0]
        assert "PATIENT'S ANATOMICAL SIDES" in schema
        connection.execute("PRAGMA foreign_keys = ON")
        with pytest.raises(sqlite3.IntegrityError):
            connection.execute(
                "INSERT INTO repetitions (session_exercise_id, number, recorded_at, start_s, peak_s, end_s, "
                "left_mm, right_mm, hold_s, complete) VALUES (42, 1, 'x', 0, 0, 0, 0, 0, 0, 1)"
            )
    finally:
        connection.close()
    # opening again at the same version changes nothing
    before = db_path.read_bytes()
    _open(db_path).close()
    assert db_path.read_bytes() == before


# --------------------------------------------------------------------------- data folder


def test_the_data_folder_follows_each_platforms_convention(tmp_path: Path):
    home = Path.home()
    assert default_data_dir(platform="linux", environ={}) == home / ".local" / "share" / "facecoach"
    assert default_data_dir(platform="linux", environ={"XDG_DATA_HOME": "/xdg"}) == Path("/xdg/facecoach")
    # a relative XDG_DATA_HOME is invalid by the spec and ignored
    assert default_data_dir(platform="linux", environ={"XDG_DATA_HOME": "rel"}) == home / ".local/share/facecoach"
    assert default_data_dir(platform="darwin", environ={}) == home / "Library" / "Application Support" / "FaceCoach"
    assert default_data_dir(platform="win32", environ={"APPDATA": "C:/Users/p/AppData/Roaming"}) == Path(
        "C:/Users/p/AppData/Roaming/FaceCoach"
    )
    override = {"FACECOACH_DATA_DIR": str(tmp_path / "stick"), "XDG_DATA_HOME": "/xdg", "APPDATA": "C:/x"}
    for platform in ("linux", "darwin", "win32"):
        assert default_data_dir(platform=platform, environ=override) == tmp_path / "stick"
    assert not (tmp_path / "stick").exists()  # only writing a session creates it
    assert database_path(tmp_path / "stick") == tmp_path / "stick" / "sessions.sqlite3"
