"""A daily copy of the database, the last seven kept, and a damaged database salvaged: every
session still readable in it (or in the newest copy) comes back into the new one, counted."""

from __future__ import annotations

import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from coach.cli.main import main
from coach.records.backups import KEEP, backups
from coach.records.store import SessionStore, database_path

from store_helpers import SetClock


@pytest.fixture
def three_sessions(tmp_path, data_dir) -> Path:
    """A data folder with patient B1 and three real sessions (a photo's resting face, saved)."""
    d = ["--data-dir", str(tmp_path)]
    assert main([*d, "patients", "add", "B1", "--side", "left"]) == 0
    for _ in range(3):
        assert main([*d, "analyze", str(data_dir / "single_face.jpg"), "--exercise", "rest", "--save",
                     "--patient", "B1"]) == 0  # fmt: skip
    return tmp_path


def _uids(path: Path) -> set[str]:
    connection = sqlite3.connect(path)
    try:
        return {row[0] for row in connection.execute("SELECT uid FROM sessions")}
    finally:
        connection.close()


def _open_at(folder: Path, when: datetime) -> str | None:
    store, notice = SessionStore.open(database_path(folder), clock=SetClock(when))
    store.close()
    return notice


def test_a_copy_is_made_once_a_day_and_the_last_seven_are_kept(three_sessions):
    path = database_path(three_sessions)
    start = datetime.now(UTC) + timedelta(days=1)
    _open_at(three_sessions, start)
    made = backups(path)
    assert len(made) >= 1 and _uids(made[-1]) == _uids(path)
    assert stat.S_IMODE(made[-1].stat().st_mode) == 0o600 and stat.S_IMODE(made[-1].parent.stat().st_mode) == 0o700
    _open_at(three_sessions, start + timedelta(hours=3))
    assert backups(path) == made  # not again the same day
    for day in range(1, 12):
        _open_at(three_sessions, start + timedelta(days=day, hours=1))
    assert len(backups(path)) == KEEP


def _damage_an_index(path: Path) -> None:
    """Garbage over one index page: the file fails its integrity check, its tables still read."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    root = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = 'sessions_unfinished'").fetchone()[0]
    connection.close()
    data = bytearray(path.read_bytes())
    start = (root - 1) * page_size
    data[start : start + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))


def test_a_damaged_database_gives_back_every_session_it_can_still_read(three_sessions):
    path = database_path(three_sessions)
    before = _uids(path)
    _damage_an_index(path)
    store, notice = SessionStore.open(path)
    try:
        assert notice is not None and "3 of the 3 sessions" in notice, notice
        patient = store.patients.get("B1")
        assert {r.uid for r in store.history.sessions(patient_id=patient.id)} == before
        assert store.patients.get("B1").affected_side == "left"
    finally:
        store.close()
    kept = [p for p in three_sessions.iterdir() if p.name.startswith(path.name + ".corrupt")]
    assert len([p for p in kept if not p.name.endswith(("-wal", "-shm", "-journal"))]) == 1  # kept, unchanged


def test_a_database_damaged_beyond_reading_comes_back_from_the_daily_copy(three_sessions, capsys):
    path = database_path(three_sessions)
    before = _uids(path)
    _open_at(three_sessions, datetime.now(UTC) + timedelta(days=2))  # the daily copy, with all three
    data = bytearray(path.read_bytes())
    data[:4096] = b"\x00" * 4096  # the header and the schema gone
    path.write_bytes(bytes(data))
    for side in ("-wal", "-shm"):
        Path(f"{path}{side}").unlink(missing_ok=True)
    capsys.readouterr()
    assert main(["--data-dir", str(three_sessions), "sessions", "--patient", "B1"]) == 0
    out = capsys.readouterr()
    assert "more came back from the backup" in out.err + out.out, out
    assert _uids(path) == before


def _live_session(store: SessionStore, patient_id: int, number: int) -> str:
    """A session as the live coach records it (started, a repetition at a time, finished)."""
    from coach.session.engine import Repetition, Summary

    session = store.recording.start_session("daily", "Daily", "camera 0", patient_id=patient_id)
    smile = store.recording.start_exercise(session, 1, "big_smile", "Big smile", "commissure_excursion_mm",
                                           {"repetitions": 2})  # fmt: skip
    for rep in (1, 2):
        store.recording.add_repetition(smile, rep, Repetition(
            start_s=3.0 * rep, peak_s=3.0 * rep + 1, end_s=3.0 * rep + 2, left_mm=2.0 + number, right_mm=4.0,
            symmetry=0.5, weaker_side="left", hold_s=1.0, complete=True, synkinesis={},
            measures={"commissure_excursion_mm": {"left": 2.0 + number, "right": 4.0}}))  # fmt: skip
    store.recording.finish_exercise(smile, "completed", Summary(reps=2, left_mm=2.0 + number, right_mm=4.0,
                                                                symmetry=0.5, weaker_side="left"))  # fmt: skip
    store.recording.finish_session(session, "completed")
    return store.history.session_detail(session).uid


#: how many places the database is damaged at, one at a time (issue 22: 20 random damages)
DAMAGES = 20


def test_every_completed_session_comes_back_from_a_database_damaged_at_random_places(three_sessions, tmp_path_factory):
    """After each session kept a copy is made (besides the daily one), so 4 KB of garbage
    anywhere in the database loses no completed session, grading or programme: issue 22
    measured a 4 KB overwrite losing that day's two sessions (the daily copy predated them)."""
    import random
    import shutil

    from coach.plans.prescriptions import prescribed_programme
    from coach.records.backups import after_session_backups

    from store_helpers import programme_entry

    path = database_path(three_sessions)
    _open_at(three_sessions, datetime.now(UTC))  # the day's copy: before the day's live sessions
    store, _ = SessionStore.open(path)
    try:
        patient = store.patients.get("B1")
        programme = store.programmes.save(prescribed_programme("Home", "", [programme_entry()]))
        store.programmes.assign(patient.id, programme.id)
        live = {_live_session(store, patient.id, n) for n in range(2)}
        graded = store.gradings.file(patient.id, "sunnybrook", {"voluntary_open_mouth_smile": 4}, "Dr Weber")
    finally:
        store.close()
    completed = _uids(path)
    assert live < completed and len(completed) == 5
    assert len(after_session_backups(path)) >= 1 and _uids(after_session_backups(path)[-1]) == completed
    assert not live & _uids(backups(path)[-1])  # the daily copy alone would lose them
    size = path.stat().st_size
    detected = 0
    for seed in range(DAMAGES):
        folder = tmp_path_factory.mktemp(f"damaged{seed}") / "data"  # beside the data folder, never in it
        shutil.copytree(three_sessions, folder)
        damaged = database_path(folder)
        at = random.Random(seed).randrange(0, size - 4096)
        data = bytearray(damaged.read_bytes())
        data[at : at + 4096] = random.Random(seed).randbytes(4096)
        damaged.write_bytes(bytes(data))
        store, notice = SessionStore.open(damaged)
        try:
            detected += notice is not None and "damaged" in notice
            here = store.patients.get("B1")
            kept = {s.uid for s in store.history.sessions(patient_id=here.id)}
            assert kept == completed, f"damage at byte {at}: {len(completed - kept)} session(s) lost\n{notice}"
            assert [g.uid for g in store.gradings.for_patient(here.id)] == [graded.uid], f"damage at byte {at}"
            current = store.programmes.current(here.id)
            assert current is not None and current.uid == programme.uid, f"damage at byte {at}"
        finally:
            store.close()
        shutil.rmtree(folder)
    print(f"{DAMAGES} damages of 4 KB in a {size // 1024} KB database, {detected} found damaged: "
          f"every completed session, the grading and the programme came back")  # fmt: skip
    assert detected >= DAMAGES // 2  # the damage is real: most of it breaks the file


def test_the_copies_stay_few_and_under_the_size_bound(three_sessions, monkeypatch):
    """At most KEEP_AFTER_SESSION copies after sessions, KEEP daily ones, and all together under
    MAX_BACKUP_BYTES: the oldest daily copies go first, the newest copy always stays."""
    from coach.records import backups as backups_module
    from coach.records.backups import KEEP_AFTER_SESSION, after_session_backups

    path = database_path(three_sessions)
    start = datetime.now(UTC) + timedelta(days=1)
    for day in range(4):
        _open_at(three_sessions, start + timedelta(days=day))
    assert len(backups(path)) >= 4  # (and today's, made when the sessions were saved)
    one_copy = backups(path)[-1].stat().st_size
    monkeypatch.setattr(backups_module, "MAX_BACKUP_BYTES", int(2.5 * one_copy))
    connection = sqlite3.connect(path)
    try:
        for n in range(KEEP_AFTER_SESSION + 2):  # as after five sessions, a minute apart
            backups_module.backup_after_session(connection, path, datetime(2030, 1, 1, 9, n))
    finally:
        connection.close()
    after = after_session_backups(path)
    every = backups(path) + after
    assert sum(c.stat().st_size for c in every) <= 2.5 * one_copy
    assert after and _uids(after[-1]) == _uids(path)  # the newest stays, with every session
    assert len(after) <= KEEP_AFTER_SESSION and len(backups(path)) <= 1
