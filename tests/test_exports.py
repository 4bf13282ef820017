"""CSV and JSON exports of sessions read from a real SQLite store: one CSV row per
repetition with the stored values (rounded only here), and JSON that holds everything."""

from __future__ import annotations

import csv
import dataclasses
import json
import math
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from coach.plans.exercises import load_exercises
from coach.records.models import SessionDetail
from coach.records.store import SessionStore
from coach.reports.exports import (
    BASE_COLUMNS,
    EXPORT_FORMAT,
    EXPORT_VERSION,
    LATER_COLUMNS,
    session_rows,
    session_to_json,
    write_csv,
    write_json,
)
from coach.session.engine import Repetition

from bench_report import FIRST_SESSION, Recorded, StepClock, fill_store, make_repetition, read_history

SESSIONS = 3
REPS = 4
PROGRAMME_NAME = "Lächeln & Augen – zu Hause"


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Recorded:
    """Three ordinary sessions, then one with odd values: a programme name in German, a
    skipped exercise, a repetition where nothing moved, and a synkinesis value that is NaN."""
    recorded = fill_store(tmp_path_factory.mktemp("store"), SESSIONS, reps=REPS)
    exercise = load_exercises()["gentle_smile"]
    clock = StepClock(FIRST_SESSION + timedelta(days=SESSIONS + 1))
    store, _ = SessionStore.open(recorded.database, clock=clock)
    with store:
        session_id = store.recording.start_session("home", PROGRAMME_NAME, "camera 0", patient_id=recorded.patient.id)
        skipped = store.recording.start_exercise(
            session_id, 0, "raise_brows", "Raise your eyebrows", "brow_lift_mm", {}
        )
        store.recording.finish_exercise(skipped, "skipped", None)
        smile = store.recording.start_exercise(
            session_id,
            1,
            exercise.id,
            exercise.name,
            "commissure_excursion_mm",
            {"target_mm": [2.0, 7.0], "target_symmetry": 0.8},
        )
        clock.advance(seconds=12)
        still = Repetition(0.0, 0.4, 1.0, 0.0, 0.0, None, None, 0.25, False, {"eye_narrowing_pct": {}}, {})
        store.recording.add_repetition(smile, 1, still)
        clock.advance(seconds=12)
        odd = make_repetition(np.random.default_rng(5), exercise, 0.6, 2)
        odd = dataclasses.replace(odd, synkinesis={"eye_narrowing_pct": {"left": math.nan, "right": 2.5}})
        store.recording.add_repetition(smile, 2, odd)
        store.recording.finish_exercise(smile, "stopped", None)
        store.recording.finish_session(session_id, "stopped")
    return recorded


@pytest.fixture(scope="module")
def history(recorded: Recorded) -> list[SessionDetail]:
    return read_history(recorded.database)


def _same(value: str, expected: float | None, digits: int) -> bool:
    return value == "" if expected is None else float(value) == round(expected, digits)


def test_one_row_per_repetition_with_the_stored_values(history: list[SessionDetail]) -> None:
    session = history[0]
    rows = session_rows(session)
    records = [(exercise, record) for exercise in session.exercises for record in exercise.repetitions]
    assert len(rows) == len(records) == 3 * REPS
    for row, (exercise, record) in zip(rows, records, strict=True):
        rep = record.repetition
        assert set(BASE_COLUMNS) <= set(row)
        assert row["session_id"] == session.id and row["session_uid"] == session.uid
        assert row["session_date"] == session.started_at.astimezone().date().isoformat()
        assert datetime.fromisoformat(row["session_started_at"]) == session.started_at.replace(microsecond=0)
        assert (row["programme_id"], row["programme_name"], row["kind"]) == ("smile_and_eyes", "Smile and eyes", "live")
        assert (row["exercise_id"], row["exercise_name"]) == (exercise.exercise_id, exercise.exercise_name)
        assert row["rep_number"] == record.number
        assert row["left_mm"] == round(rep.left_mm, 2) and row["right_mm"] == round(rep.right_mm, 2)
        assert row["symmetry"] == round(rep.symmetry, 3)
        assert row["weaker_side"] == rep.weaker_side and row["complete"] is rep.complete
        assert row["hold_s"] == round(rep.hold_s, 3)
        assert [row["target_mm_low"], row["target_mm_high"]] == exercise.target["target_mm"]
        for name, sides in rep.synkinesis.items():
            assert row[f"{name}_left"] == round(sides["left"], 1) and row[f"{name}_right"] == round(sides["right"], 1)
        for name, sides in rep.measures.items():
            assert row[f"{name}_left"] == round(sides["left"], 2)
    brows = [row for row in rows if row["exercise_id"] == "raise_brows"]
    assert {"eye_narrowing_pct_left", "mouth_corner_pull_pct_right", "brow_lift_mm_left"} <= set(brows[0])


def test_csv_holds_every_session_with_a_stable_header(history: list[SessionDetail], tmp_path: Path) -> None:
    path = tmp_path / "export" / "sessions.csv"
    assert write_csv(path, list(reversed(history))) == SESSIONS * 3 * REPS + 2
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames
        rows = list(reader)
    synkinesis = ["eye_narrowing_pct_left", "eye_narrowing_pct_right"]
    synkinesis += ["mouth_corner_pull_pct_left", "mouth_corner_pull_pct_right"]
    names = ("brow_lift_mm", "commissure_excursion_mm", "eye_closure_mm")
    measures = [f"{name}_{side}" for name in names for side in ("left", "right")]
    assert header == [*BASE_COLUMNS, *synkinesis, *measures, *LATER_COLUMNS]
    by_key = {(row["session_id"], row["exercise_id"], row["rep_number"]): row for row in rows}
    for session in history:
        for exercise in session.exercises:
            for record in exercise.repetitions:
                row = by_key[(str(session.id), exercise.exercise_id, str(record.number))]
                rep = record.repetition
                assert _same(row["left_mm"], rep.left_mm, 2) and _same(row["right_mm"], rep.right_mm, 2)
                assert _same(row["symmetry"], rep.symmetry, 3)
                assert row["weaker_side"] == (rep.weaker_side or "")
                assert row["complete"] == ("true" if rep.complete else "false")
                assert datetime.fromisoformat(row["recorded_at"]) == record.recorded_at.replace(microsecond=0)
                assert datetime.fromisoformat(row["session_started_at"]).tzinfo is not None
    odd = [row for row in rows if row["programme_name"] == PROGRAMME_NAME]
    assert [row["rep_number"] for row in odd] == ["1", "2"]
    assert odd[0]["symmetry"] == "" and odd[0]["weaker_side"] == "" and odd[0]["eye_narrowing_pct_left"] == ""
    assert odd[0]["mouth_corner_pull_pct_left"] == ""  # a column this exercise does not watch
    assert odd[0]["target_symmetry"] == "0.8"
    assert PROGRAMME_NAME in path.read_bytes().decode("utf-8")


def test_json_holds_everything_and_reads_back(recorded: Recorded, history: list[SessionDetail], tmp_path: Path) -> None:
    path = tmp_path / "history.json"
    write_json(path, history, recorded.patient)

    def no_nan(name: str) -> float:
        raise AssertionError(f"{name} is not JSON")

    document = json.loads(path.read_text(encoding="utf-8"), parse_constant=no_nan)
    assert document["format"] == EXPORT_FORMAT == "facecoach-history"
    assert document["version"] == EXPORT_VERSION == 1
    patient = document["patient"]
    assert (patient["code"], patient["affected_side"], patient["onset_date"]) == ("P-0042", "left", "2024-11-18")
    assert patient["cause"] == "Bell's palsy" and patient["display_name"] == "Alex Example"
    assert [session["uid"] for session in document["sessions"]] == [session.uid for session in history]
    for data, session in zip(document["sessions"], history, strict=True):
        assert data["id"] == session.id and data["status"] == session.status and data["kind"] == "live"
        assert datetime.fromisoformat(data["started_at"]) == session.started_at.replace(microsecond=0)
        assert data["programme_name"] == session.programme_name and data["source"] == session.source
        for name, sides in (session.resting or {}).items():
            assert data["resting"][name] == {
                "left": round(sides["left"], 2),
                "right": round(sides["right"], 2),
                "difference": round(sides["difference"], 2),
            }
        assert len(data["exercises"]) == len(session.exercises)
        for exercise_data, exercise in zip(data["exercises"], session.exercises, strict=True):
            assert exercise_data["exercise_id"] == exercise.exercise_id
            assert exercise_data["status"] == exercise.status
            assert exercise_data["target"] == exercise.target
            assert exercise_data["summary"] == (None if exercise.summary is None else exercise.summary.to_json())
            assert [rep["number"] for rep in exercise_data["repetitions"]] == [r.number for r in exercise.repetitions]
            for rep_data, record in zip(exercise_data["repetitions"], exercise.repetitions, strict=True):
                rep = record.repetition
                assert rep_data["left_mm"] == round(rep.left_mm, 2) and rep_data["right_mm"] == round(rep.right_mm, 2)
                assert rep_data["symmetry"] == (None if rep.symmetry is None else round(rep.symmetry, 3))
                assert rep_data["weaker_side"] == rep.weaker_side and rep_data["complete"] == rep.complete
                assert set(rep_data["synkinesis"]) == set(rep.synkinesis)
                assert set(rep_data["measures"]) == set(rep.measures)
    odd = document["sessions"][-1]
    assert odd["exercises"][0]["status"] == "skipped" and odd["exercises"][0]["repetitions"] == []
    assert odd["exercises"][0]["summary"] is None
    assert odd["exercises"][1]["repetitions"][1]["synkinesis"]["eye_narrowing_pct"] == {"left": None, "right": 2.5}


def test_json_without_a_patient(history: list[SessionDetail], tmp_path: Path) -> None:
    path = tmp_path / "history.json"
    write_json(path, history[:1])
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["patient"] is None and len(document["sessions"]) == 1
    assert document["sessions"][0] == json.loads(json.dumps(session_to_json(history[0])))


def test_a_session_without_repetitions_has_no_rows(recorded: Recorded, tmp_path: Path) -> None:
    store, _ = SessionStore.open(recorded.database, clock=StepClock(FIRST_SESSION + timedelta(days=30)))
    with store:
        session_id = store.recording.start_session(None, None, "camera 0")
        store.recording.finish_session(session_id, "stopped")
        session = store.history.session_detail(session_id)
    assert session_rows(session) == []
    path = tmp_path / "empty.csv"
    assert write_csv(path, [session]) == 0
    assert path.read_text(encoding="utf-8").strip() == ",".join([*BASE_COLUMNS, *LATER_COLUMNS])
    data = session_to_json(session)
    assert data["exercises"] == [] and data["resting"] is None and data["ended_at"] is not None


def test_exports_replace_a_file_whole(history: list[SessionDetail], tmp_path: Path) -> None:
    path = tmp_path / "sessions.csv"
    path.write_text("old contents\n", encoding="utf-8")
    write_csv(path, history[:1])
    write_json(tmp_path / "sessions.json", history[:1])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sessions.csv", "sessions.json"]  # no temporary left
    assert path.read_text(encoding="utf-8").startswith("session_id,session_uid,")
