"""A recorded video goes into a patient's history in one transaction, by the path an imported
session takes: all of it or nothing, dated when it was filmed, never in the future."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import coach.records.imports
from coach.base.errors import CoachError, StoreError
from coach.measure.landmarks import default_model_path, load_model_bytes
from coach.plans.exercises import get_exercise
from coach.records.store import SessionStore, database_path
from coach.usecases.recorded import analyse_recording, recorded_session, save_recording


@pytest.fixture(scope="module")
def smiles(data_dir):
    """The man's one broad smile, measured as `analyze` measures it."""
    recorded = analyse_recording(data_dir / "single_face.mp4", get_exercise("big_smile"),
                                 load_model_bytes(default_model_path()))  # fmt: skip
    assert len(recorded.analysis.reps) == 1
    return recorded


def _patient(store: SessionStore) -> int:
    return store.patients.add(code="R1").id


def test_the_saved_session_is_the_session_built_from_the_analysis(tmp_path: Path, smiles):
    filmed = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    with SessionStore.open(database_path(tmp_path))[0] as store:
        patient_id = _patient(store)
    saved = save_recording(database_path(tmp_path), smiles, patient_id, filmed_at=filmed, keep_picture=True)
    with SessionStore.open(database_path(tmp_path))[0] as store:
        detail = store.history.session_detail(saved.session_id)
        pictures = store.pictures.of_session(saved.session_id)
    built = recorded_session(smiles.analysis, filmed, datetime.now(UTC))
    assert (detail.kind, detail.status, detail.patient_id) == ("recorded", "completed", patient_id)
    assert detail.started_at == filmed and detail.ended_at == built.ended_at > filmed
    (exercise,) = detail.exercises
    (rep,) = exercise.repetitions
    (built_rep,) = built.exercises[0].repetitions
    assert exercise.status == "completed" and rep.recorded_at == built_rep.recorded_at  # its moment in the video
    assert rep.repetition.left_mm == pytest.approx(smiles.analysis.reps[0].left_mm)
    assert list(pictures) == [exercise.id] and saved.picture_kept  # the picture, in the same transaction


def test_a_failure_half_way_leaves_no_half_session(tmp_path: Path, smiles, monkeypatch):
    with SessionStore.open(database_path(tmp_path))[0] as store:
        patient_id = _patient(store)

    def disk_full(*args, **kwargs):
        raise OSError("disk full")  # after the session and its exercise rows are written

    monkeypatch.setattr(coach.records.imports, "insert_repetition", disk_full)
    with pytest.raises((OSError, StoreError)):
        save_recording(database_path(tmp_path), smiles, patient_id, busy_wait_s=0.0)
    with SessionStore.open(database_path(tmp_path))[0] as store:
        assert store.history.sessions() == []  # nothing of it: not a session without its repetition


def test_an_exercise_with_no_repetition_is_not_done(data_dir, tmp_path: Path):
    """A still face filmed for a brow lift: no repetition happened, so it is not recorded as done."""
    still = analyse_recording(data_dir / "single_face.jpg", get_exercise("raise_brows"),
                              load_model_bytes(default_model_path()))  # fmt: skip
    assert still.analysis.reps == []
    (exercise,) = recorded_session(still.analysis, None, datetime.now(UTC)).exercises
    assert exercise.status == "not_done" and exercise.repetitions == ()


def test_a_filming_time_in_the_future_is_refused_and_nothing_is_saved(tmp_path: Path, smiles):
    with SessionStore.open(database_path(tmp_path))[0] as store:
        patient_id = _patient(store)
    with pytest.raises(CoachError, match="filmed in the future"):
        save_recording(database_path(tmp_path), smiles, patient_id, filmed_at=datetime.now(UTC) + timedelta(days=2))
    with SessionStore.open(database_path(tmp_path))[0] as store:
        assert store.history.sessions() == []
