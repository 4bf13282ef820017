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
        assert notice is not None and "3 of the 3 session(s)" in notice, notice
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
    assert "more came back from the daily backup" in out.err + out.out, out
    assert _uids(path) == before
