"""The records' and the use cases' problems and notices, in German: each provoked for real
through the use cases (a bad bundle, a taken code, a damaged session or database, a
programme row, a busy database), and each said in German with its paths and codes filled in."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest

from coach.base import i18n
from coach.base.errors import CodeTakenError, FieldValueError, StoreBusyError, ValidationError
from coach.plans.exercises import load_exercises
from coach.records.bundle_model import BundleError
from coach.records.pending import pending_folder
from coach.records.store import SessionStore, database_path
from coach.session.engine import Repetition
from coach.usecases.clinic import Clinic, plain_patient_error
from coach.usecases.programme_editing import EditorRow, ProgrammeDraft, plain_programme_error

from language_check import still_english
from store_helpers import hold_database


@pytest.fixture(autouse=True)
def german():
    i18n.set_language("de")
    yield
    i18n.set_language("en")


def assert_german(message: str, *filled: object) -> None:
    """Every filled-in value (a path, a code) is in the message, and the rest is German.
    The values are taken out before looking for English: a path may hold any word."""
    rest = message
    for value in filled:
        assert str(value) in message, (value, message)
        rest = rest.replace(str(value), " ")
    assert still_english([rest]) == [], message


def _clinic(folder: Path) -> Clinic:
    clinic, notice = Clinic.open(database_path(folder))
    assert notice is None
    return clinic


def _recorded_session(folder: Path, code: str = "P07") -> int:
    """A finished session of one exercise and one repetition for the patient `code`; its id."""
    store, _ = SessionStore.open(database_path(folder))
    with store:
        patient = store.patients.add(code)
        session = store.recording.start_session("daily", "Daily", "camera 0", patient_id=patient.id)
        exercise = store.recording.start_exercise(session, 0, "big_smile", "Big smile", "commissure_excursion_mm", {})
        rep = Repetition(
            start_s=1.0, peak_s=2.0, end_s=3.0, left_mm=4.0, right_mm=5.0, symmetry=0.8, weaker_side="left",
            hold_s=1.0, complete=True, synkinesis={}, measures={},
        )  # fmt: skip
        store.recording.add_repetition(exercise, 1, rep)
        store.recording.finish_exercise(exercise, "completed", None)
        store.recording.finish_session(session, "completed")
    return session


def test_a_bundle_with_an_implausible_date_is_refused_in_german(tmp_path):
    _recorded_session(tmp_path / "home")
    bundle, bad = tmp_path / "p07.fcbundle", tmp_path / "bad.fcbundle"
    with _clinic(tmp_path / "home") as home:
        assert home.export_bundle(home.find_patient("P07"), bundle) == 1
    with zipfile.ZipFile(bundle) as source:
        members = {name: source.read(name) for name in source.namelist()}
    manifest = json.loads(members["manifest.json"])
    [member] = manifest["sessions"]
    session = json.loads(members[member])
    session["started_at"] = "1990-01-01T10:00:00+00:00"
    members[member] = json.dumps(session).encode()
    manifest["sha256"][member] = hashlib.sha256(members[member]).hexdigest()
    members["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(bad, "w") as out:
        for name, data in members.items():
            out.writestr(name, data)

    with _clinic(tmp_path / "clinic") as clinic, pytest.raises(BundleError) as caught:
        clinic.import_bundle(bad)
    message = str(caught.value)
    assert "Feld" in message and "kein plausibles Datum" in message and "nichts importiert" in message, message
    assert_german(message, bad, member, "session.started_at", "1990-01-01T10:00:00+00:00", "2000-01-01")

    with _clinic(tmp_path / "clinic") as clinic, pytest.raises(BundleError) as caught:
        clinic.import_bundle(tmp_path / "missing.fcbundle")
    assert_german(str(caught.value), tmp_path / "missing.fcbundle")


def test_a_taken_code_and_a_wrong_field_are_refused_in_german(tmp_path):
    with _clinic(tmp_path) as clinic:
        clinic.add_patient("P07")
        with pytest.raises(CodeTakenError) as caught:
            clinic.add_patient("p07")
        assert_german(str(caught.value), "'p07'", "'P07'", clinic.database)
        form = plain_patient_error(caught.value)
        assert str(clinic.database) not in form
        assert_german(form, "'p07'", "'P07'")

        tomorrow = date.today() + timedelta(days=2)
        with pytest.raises(FieldValueError) as caught:
            clinic.add_patient("P08", onset_date=tomorrow)
        form = plain_patient_error(caught.value)
        assert form.startswith("Erkrankungsbeginn") and "Zukunft" in form, form
        assert_german(form, tomorrow.isoformat())


def test_a_damaged_session_is_left_out_in_german(tmp_path):
    damaged = _recorded_session(tmp_path)
    connection = sqlite3.connect(database_path(tmp_path))
    connection.execute("UPDATE sessions SET started_at = '1990-01-01T10:00:00.000000+00:00' WHERE id = ?", (damaged,))
    connection.commit()
    connection.close()
    left_out: list[str] = []
    with _clinic(tmp_path) as clinic:
        assert clinic.history(clinic.find_patient("P07").id, left_out.append) == []
    [line] = left_out
    assert line.startswith(f"Sitzung {damaged} in ") and "ausgelassen" in line, line
    assert_german(line, database_path(tmp_path), "session.started_at", "1990-01-01T10:00:00+00:00", "2000-01-01")


def test_a_damaged_database_is_kept_aside_in_german(tmp_path):
    path = database_path(tmp_path)
    path.write_bytes(b"not a database at all\n" + bytes(range(256)) * 20)
    clinic, notice = Clinic.open(path)
    with clinic:
        [kept] = [p for p in tmp_path.iterdir() if ".corrupt-" in p.name]
        assert notice is not None and "beschädigt" in notice, notice
        assert_german(notice, kept, path)  # the copy's name first: it begins with the database's


def test_a_programme_row_error_is_said_in_the_editors_german_words():
    exercises = load_exercises()
    row = EditorRow("gentle_smile", 5, 3.0, 4.0, 3, 9.0, 3.0, 0.8)
    name = exercises["gentle_smile"].name
    problem = ProgrammeDraft("Mein Programm", "", [row]).problem(exercises)
    assert problem is not None and problem.startswith(f"Zeile 1 ({name}): "), problem
    assert_german(problem, name, "9 mm", "3 mm")
    assert_german(ProgrammeDraft("", "", [row]).problem(exercises) or "")
    assert_german(ProgrammeDraft("Mein Programm", "", []).problem(exercises) or "")

    # each column is named as the editor names it, whatever the problem's own words
    error = ValidationError("…", field="hold_s", entry=1, problem="muss zwischen 0 und 60 liegen")
    assert plain_programme_error(error, [name]) == f"Zeile 1 ({name}), Halten (s): muss zwischen 0 und 60 liegen"


def test_a_result_a_busy_database_cannot_take_is_kept_and_said_in_german(tmp_path, data_dir, model_bytes):
    from coach.plans.exercises import get_exercise
    from coach.usecases.recorded import analyse_recording, save_recording

    recorded = analyse_recording(data_dir / "single_face.jpg", get_exercise("rest"), model_bytes)
    path = database_path(tmp_path)
    with _clinic(tmp_path) as clinic:
        patient = clinic.add_patient("BUSY1")
    holder = hold_database(path, 9.0)
    try:
        with pytest.raises(StoreBusyError) as caught:
            save_recording(path, recorded, patient.id, busy_wait_s=1.0)
    finally:
        holder.join()
    [kept] = pending_folder(path).glob("*.sqlite3")
    message = str(caught.value)
    assert "anderes Programm" in message and "Es geht nichts verloren" in message, message
    assert_german(message, kept, path)

    clinic, notice = Clinic.open(path)
    with clinic:
        assert notice is not None and notice.startswith("1 Sitzung,"), notice
        assert_german(notice)
