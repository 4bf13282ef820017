"""A database another program holds: a save waits for it (longer each time), and a result that
still cannot be saved is kept in a pending file, not thrown away, and goes into the history the
next time the database is opened."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from coach.base.errors import StoreBusyError
from coach.cli.main import main
from coach.measure.landmarks import default_model_path, load_model_bytes
from coach.plans.exercises import get_exercise
from coach.records.pending import pending_folder
from coach.records.store import SessionStore, database_path
from coach.usecases.recorded import analyse_recording, save_recording

from store_helpers import hold_database


@pytest.fixture(scope="module")
def recorded(data_dir):
    return analyse_recording(data_dir / "single_face.jpg", get_exercise("rest"), load_model_bytes(default_model_path()))


def _patient(folder: Path) -> int:
    assert main(["--data-dir", str(folder), "patients", "add", "BUSY1"]) == 0
    store, _ = SessionStore.open(database_path(folder))
    try:
        return store.patients.get("BUSY1").id
    finally:
        store.close()


def test_a_save_waits_for_a_database_held_for_a_while(tmp_path, recorded):
    patient_id = _patient(tmp_path)
    holder = hold_database(database_path(tmp_path), 6.0)  # longer than SQLite's own wait of 5 s
    saved = save_recording(database_path(tmp_path), recorded, patient_id, busy_wait_s=30.0)
    holder.join()
    assert saved.session_id >= 1 and not pending_folder(database_path(tmp_path)).exists()


def test_a_result_that_cannot_be_saved_is_kept_and_saved_at_the_next_opening(tmp_path, recorded):
    path = database_path(tmp_path)
    patient_id = _patient(tmp_path)
    holder = hold_database(path, 9.0)
    with pytest.raises(StoreBusyError, match="Nothing is lost") as caught:
        save_recording(path, recorded, patient_id, busy_wait_s=1.0)
    kept = list(pending_folder(path).glob("*.sqlite3"))
    assert len(kept) == 1 and str(kept[0]) in str(caught.value)
    holder.join()
    store, notice = SessionStore.open(path)
    try:
        assert notice is not None and "1 session that could not be saved earlier" in notice, notice
        sessions = store.history.sessions(patient_id=patient_id)
        assert len(sessions) == 1 and sessions[0].kind == "recorded"
    finally:
        store.close()
    assert not list(pending_folder(path).glob("*.sqlite3"))  # moved in, then removed


def test_parallel_saves_all_land(tmp_path, recorded):
    """Six saves at once into one database (each its own connection, as six windows or commands
    would be): every one lands, the file stays intact."""
    path = database_path(tmp_path)
    patient_id = _patient(tmp_path)
    results: list[object] = []

    def save() -> None:
        try:
            results.append(save_recording(path, recorded, patient_id, busy_wait_s=60.0).session_id)
        except Exception as error:
            results.append(error)

    threads = [threading.Thread(target=save) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(results) == list(range(1, 7)), results
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        connection.close()
