"""What the therapist did to a live session, everywhere a saved session is shown: the PDF report's
page of notes and changes and its repetitions set aside, the CSV and JSON exports, a bundle to
another computer, `facecoach sessions`, the history window and the therapist's sessions tab.

One real SQLite store holds a patient's session of two exercises in which the therapist set one
repetition aside (with why) and paused, changed a target, changed the feedback and wrote a note,
as the live session keeps them (`Recording.set_aside_repetition`, `Recording.log_steering`); and a
later session nobody steered. The expected words are written out here, not made by the code tested.
"""

from __future__ import annotations

import csv
import ctypes
import hashlib
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium  # the "test" extra: reads the PDFs back
import pypdfium2.raw as pdfium_c
import pytest
from PySide6.QtGui import QFont

from coach.base import i18n
from coach.cli.main import main
from coach.gui.history import HistoryDialog
from coach.gui.therapist.window import TherapistWindow
from coach.plans.exercises import load_exercises
from coach.records.bundle import export_bundle, import_bundle
from coach.records.models import Patient, SessionDetail, SteeringRecord
from coach.records.store import SessionStore, database_path
from coach.reports.exports import LATER_COLUMNS, write_csv, write_json
from coach.reports.pdf.document import write_session_report
from coach.session.engine import Repetition, summarise

from bench_report import NOISE_MM, make_repetition
from language_check import still_english
from report_pages import pages_text
from store_helpers import SetClock, open_quiet

START = datetime(2025, 3, 3, 9, 15, tzinfo=UTC)
REASON = "pushed with the jaw"
NOTE = "Left brow tires after the second repetition; try a shorter hold next week."
SMILE, BROWS = "gentle_smile", "raise_brows"
SMILE_REPS, BROWS_REPS = 4, 3
SET_ASIDE = 2  # the smile's repetition the therapist set aside
HEADING = "The therapist's notes and changes"
#: the report's notes page and the smile's page, as PNG, for a person to look at
SHOTS = Path("/tmp/steering_shots")


def _steering(at: datetime) -> list[SteeringRecord]:
    """What was done while the session ran, in order: the patient paused, the therapist changed the
    smile's target and set a repetition of it aside, a remote therapist changed the feedback of the
    brow lift, and the therapist wrote a note about it."""
    return [
        SteeringRecord(5.0, "patient", "pause", None, {}, None, at),
        SteeringRecord(9.4, "patient", "resume", None, {}, None, at),
        SteeringRecord(64.0, "therapist", "set_target", 0, {"target_mm": [2.0, 5.0], "was": [2.0, 8.0]}, None, at),
        SteeringRecord(70.5, "therapist", "discard_repetition", 0, {"number": SET_ASIDE}, REASON, at),
        SteeringRecord(95.0, "therapist_remote", "set_feedback", 1, {"feedback": "faded", "was": "full"}, None, at),
        SteeringRecord(187.2, "therapist", "note", 1, {}, NOTE, at),
    ]


def _names() -> tuple[str, str]:
    exercises = load_exercises()
    return exercises[SMILE].name, exercises[BROWS].name


def expected_rows() -> list[tuple[str, str, str, str]]:
    """(time, who, exercise, what) of each change and note, as a therapist reads them in English."""
    smile, brows = _names()
    return [
        ("00:05", "patient", "", "paused"),
        ("00:09", "patient", "", "resumed"),
        ("01:04", "therapist", f"1. {smile}", "set the target to 2.0–5.0 mm (was 2.0–8.0 mm)"),
        ("01:10", "therapist", f"1. {smile}", f"set repetition {SET_ASIDE} aside: {REASON}"),
        ("01:35", "therapist (remote)", f"2. {brows}",
         "set the feedback to bars on some repetitions, a result after each (was bars on every repetition)"),
        ("03:07", "therapist", f"2. {brows}", f"note: {NOTE}"),
    ]  # fmt: skip


def expected_lines() -> list[str]:
    """The log lines, as the supervision view showed them while the session ran."""
    return [f"{clock} · {who} · {what}" for clock, who, _exercise, what in expected_rows()]


@dataclass(frozen=True)
class Steered:
    """The store, its patient, the steered session and the later one nobody steered."""

    database: Path
    patient: Patient
    steered_id: int
    plain_id: int
    #: the smile's repetitions as recorded, in order
    smile_reps: list[Repetition]


def _record_exercise(
    store: SessionStore, clock: SetClock, session_id: int, position: int, exercise_id: str, reps: int
) -> tuple[int, list[Repetition]]:
    exercise = load_exercises()[exercise_id]
    target = {"target_mm": list(exercise.target_mm), "repetitions": reps, "hold_s": exercise.hold_s}
    record_id = store.recording.start_exercise(
        session_id, position, exercise.id, exercise.english_name, exercise.primary[0], target
    )
    rng = np.random.default_rng(position + 3)
    done = []
    for number in range(1, reps + 1):
        clock.advance(12)
        rep = make_repetition(rng, exercise, 0.5, number)
        store.recording.add_repetition(record_id, number, rep)
        done.append(rep)
    return record_id, done


def fill(folder: Path) -> Steered:
    """Record the steered session and a plain one a day later into a new store in `folder`."""
    clock = SetClock(START)
    store = open_quiet(database_path(folder), clock=clock)
    with store:
        patient = store.patients.add("P-31", "Sam Sample", affected_side="left", cause="Bell's palsy")
        steered = store.recording.start_session("smile_and_eyes", "Smile and eyes", "camera 0", patient_id=patient.id)
        smile_id, smile_reps = _record_exercise(store, clock, steered, 0, SMILE, SMILE_REPS)
        store.recording.set_aside_repetition(smile_id, SET_ASIDE, REASON)  # while the exercise ran
        counted = [rep for number, rep in enumerate(smile_reps, 1) if number != SET_ASIDE]
        store.recording.finish_exercise(smile_id, "completed", summarise(counted, NOISE_MM))
        brows_id, brows_reps = _record_exercise(store, clock, steered, 1, BROWS, BROWS_REPS)
        store.recording.finish_exercise(brows_id, "completed", summarise(brows_reps, NOISE_MM))
        for record in _steering(clock.now):
            store.recording.log_steering(steered, record)
        store.recording.finish_session(steered, "completed")
        clock.now = START + timedelta(days=1)
        plain = store.recording.start_session("smile_and_eyes", "Smile and eyes", "camera 0", patient_id=patient.id)
        plain_smile, plain_reps = _record_exercise(store, clock, plain, 0, SMILE, 3)
        store.recording.finish_exercise(plain_smile, "completed", summarise(plain_reps, NOISE_MM))
        store.recording.finish_session(plain, "completed")
    return Steered(database_path(folder), patient, steered, plain, smile_reps)


@pytest.fixture(scope="module")
def steered(tmp_path_factory: pytest.TempPathFactory) -> Steered:
    return fill(tmp_path_factory.mktemp("steered"))


def read_sessions(database: Path) -> list[SessionDetail]:
    """Every session of the store, oldest first."""
    store, _ = SessionStore.open(database)
    with store:
        return [store.history.session_detail(record.id) for record in reversed(store.history.sessions())]


@pytest.fixture(scope="module")
def sessions(steered: Steered) -> list[SessionDetail]:
    return read_sessions(steered.database)


def test_the_store_gives_back_what_was_kept(steered: Steered, sessions: list[SessionDetail]) -> None:
    # the ground the other tests stand on: the records hold exactly what the session kept
    session, plain = sessions
    assert session.id == steered.steered_id and plain.id == steered.plain_id and plain.steering == ()
    assert [r.discarded_reason for r in session.exercises[0].repetitions] == [None, REASON, None, None]
    assert [(r.at_s, r.origin, r.action, r.position, r.text) for r in session.steering] == [
        (r.at_s, r.origin, r.action, r.position, r.text) for r in _steering(START)
    ]
    assert session.exercises[0].summary is not None and session.exercises[0].summary.reps == SMILE_REPS - 1


# ---------------------------------------------------------------------------------------------
# the PDF report
# ---------------------------------------------------------------------------------------------


def _flat(text: str) -> str:
    """Words joined by single spaces: wrapped lines and table cells read as one run."""
    return " ".join(text.split())


def _chars(pdf_path: Path, index: int) -> Iterator[tuple[str, tuple[int, int, int], str]]:
    """(character, fill colour, font name) of every character on page `index` ("…DejaVuSans-Bold")."""
    document = pdfium.PdfDocument(pdf_path)
    try:
        textpage = document[index].get_textpage()
        red, green, blue, alpha = (ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint())
        name, flags = ctypes.create_string_buffer(256), ctypes.c_int()
        for number in range(textpage.count_chars()):
            character = chr(pdfium_c.FPDFText_GetUnicode(textpage, number))
            pdfium_c.FPDFText_GetFillColor(textpage, number, red, green, blue, alpha)
            name.value = b""
            pdfium_c.FPDFText_GetFontInfo(textpage, number, name, len(name), flags)
            yield character, (red.value, green.value, blue.value), name.value.decode()
    finally:
        document.close()


def _runs(pdf_path: Path, index: int, keep: Callable[[tuple[int, int, int], str], bool]) -> list[str]:
    """The runs of text on a page whose characters `keep(colour, font name)` chooses, each flattened."""
    runs, current = [], ""
    for character, colour, font in _chars(pdf_path, index):
        if character.isspace():
            current += " " if current else ""
        elif keep(colour, font):
            current += character
        elif current.strip():
            runs.append(_flat(current))
            current = ""
    return [*runs, _flat(current)] if current.strip() else runs


GREY = (0x70, 0x70, 0x70)


@pytest.fixture(scope="module")
def report(steered: Steered, sessions: list[SessionDetail], tmp_path_factory: pytest.TempPathFactory) -> Path:
    pdf_path = tmp_path_factory.mktemp("report") / "steered.pdf"
    write_session_report(pdf_path, sessions[0], sessions, steered.patient)
    return pdf_path


def _notes_page(texts: list[str], session: SessionDetail) -> str:
    """The notes page's text without its footer (whose clock would read as a time in the session)."""
    (index,) = [number for number, text in enumerate(texts) if text.lstrip().startswith(HEADING)]
    assert index == 1  # right after page 1
    stamp = f"{session.started_at.astimezone():%Y-%m-%d %H:%M}"
    return texts[index].replace(stamp, "")


def test_the_report_lists_the_notes_and_changes_on_a_page_of_their_own(
    report: Path, sessions: list[SessionDetail]
) -> None:
    texts = pages_text(report)
    page = _notes_page(texts, sessions[0])
    flat = _flat(page)
    rows = [_flat(f"{clock} {who} {exercise or '-'} {what}") for clock, who, exercise, what in expected_rows()]
    places = [flat.find(row) for row in rows]
    assert all(place >= 0 for place in places), [row for row, place in zip(rows, places, strict=True) if place < 0]
    assert places == sorted(places)  # in the order they happened
    # exactly these rows: one time in the session per change or note, and no other
    assert re.findall(r"(?<![\d:])\d\d:\d\d(?![\d:])", page) == [row[0] for row in expected_rows()]
    # the note stands out: in bold, and no change is
    bold = " ".join(_runs(report, 1, lambda colour, font: font.endswith("-Bold")))
    assert _flat(f"note: {NOTE}") in bold
    assert not any(_flat(what) in bold for _clock, _who, _exercise, what in expected_rows()[:-1])
    first = _flat(texts[0])
    assert "Changes 5 changes, 1 note while it ran" in first
    # for a person to look at
    SHOTS.mkdir(parents=True, exist_ok=True)
    document = pdfium.PdfDocument(report)
    try:
        for number in (1, 2):
            document[number].render(scale=150 / 72).to_pil().save(SHOTS / f"report-page-{number + 1}.png")
    finally:
        document.close()


def test_a_repetition_set_aside_is_struck_through_in_grey_and_left_out_of_the_result(
    report: Path, steered: Steered, sessions: list[SessionDetail]
) -> None:
    texts = pages_text(report)
    smile_name, _ = _names()
    (index,) = [number for number, text in enumerate(texts) if f"1. {smile_name}\nExercise {SMILE};" in text]
    page = _flat(texts[index])
    assert f"set aside: {REASON}" in page and "Right (patient's) Not counted" in page  # the legend of the grey bars
    assert "Grey and struck through: set aside by the therapist during the session" in page
    # its target was changed while it ran: the page does not pass the one at its start off as the one in force
    assert "Therapist's target at the start: movement " in page and "changed while it ran" in page
    counted = [rep for number, rep in enumerate(steered.smile_reps, 1) if number != SET_ASIDE]
    means = summarise(counted, NOISE_MM)
    assert (
        f"Summary: {SMILE_REPS - 1} repetitions; mean peak Left (patient's) {means.left_mm:.1f} mm, "
        f"Right (patient's) {means.right_mm:.1f} mm" in page
    )
    # grey: the set-aside repetition's row of the table and its number under the chart, nothing else
    aside = steered.smile_reps[SET_ASIDE - 1]
    (row,) = re.findall(rf"^{SET_ASIDE} {aside.left_mm:.1f} {aside.right_mm:.1f} .*$", texts[index], re.MULTILINE)
    grey = " ".join(_runs(report, index, lambda colour, font: colour == GREY)).split()
    assert sorted(grey) == sorted([*row.split(), str(SET_ASIDE)])
    # page 1: the smile counts three repetitions, and says one was set aside
    first = _flat(texts[0])
    assert re.search(rf"1 {re.escape(smile_name)} completed {SMILE_REPS - 1} ", first)
    assert f"2 exercises, {SMILE_REPS + BROWS_REPS} repetitions, 1 of them set aside" in first
    assert "Reps and means leave out the 1 repetition the therapist set aside" in first


def test_a_session_nobody_steered_has_no_notes_page(
    steered: Steered, sessions: list[SessionDetail], tmp_path: Path
) -> None:
    plain = sessions[1]
    pdf_path = tmp_path / "plain.pdf"
    write_session_report(pdf_path, plain, sessions, steered.patient)
    everything = _flat("\n".join(pages_text(pdf_path)))
    assert HEADING not in everything and "while it ran" not in everything
    assert "set aside" not in everything.lower() and "changed while it ran" not in everything


# ---------------------------------------------------------------------------------------------
# exports, bundles and the command line
# ---------------------------------------------------------------------------------------------


def test_the_csv_holds_why_a_repetition_was_set_aside_in_a_column_at_the_end(
    sessions: list[SessionDetail], tmp_path: Path
) -> None:
    path = tmp_path / "sessions.csv"
    assert write_csv(path, sessions) == SMILE_REPS + BROWS_REPS + 3
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        header = reader.fieldnames or []
    assert header[-len(LATER_COLUMNS) :] == list(LATER_COLUMNS) == ["discarded_reason"]
    reasons = [(row["session_id"], row["exercise_id"], row["rep_number"], row["discarded_reason"]) for row in rows]
    steered, plain = (str(session.id) for session in sessions)
    assert reasons == [
        *((steered, SMILE, str(n), REASON if n == SET_ASIDE else "") for n in range(1, SMILE_REPS + 1)),
        *((steered, BROWS, str(n), "") for n in range(1, BROWS_REPS + 1)),
        *((plain, SMILE, str(n), "") for n in range(1, 4)),
    ]


def test_the_json_holds_the_changes_and_notes_and_why_a_repetition_was_set_aside(
    steered: Steered, sessions: list[SessionDetail], tmp_path: Path
) -> None:
    path = tmp_path / "sessions.json"
    write_json(path, sessions, steered.patient)
    data = json.loads(path.read_text(encoding="utf-8"))
    session, plain = data["sessions"]
    assert [rep["discarded_reason"] for rep in session["exercises"][0]["repetitions"]] == [None, REASON, None, None]
    assert all(rep["discarded_reason"] is None for rep in session["exercises"][1]["repetitions"])
    assert session["exercises"][0]["summary"]["reps"] == SMILE_REPS - 1
    kept = [{key: value for key, value in record.items() if key != "recorded_at"} for record in session["steering"]]
    assert kept == [
        {"at_s": 5.0, "origin": "patient", "action": "pause", "position": None, "detail": {}, "text": None},
        {"at_s": 9.4, "origin": "patient", "action": "resume", "position": None, "detail": {}, "text": None},
        {"at_s": 64.0, "origin": "therapist", "action": "set_target", "position": 0,
         "detail": {"target_mm": [2.0, 5.0], "was": [2.0, 8.0]}, "text": None},
        {"at_s": 70.5, "origin": "therapist", "action": "discard_repetition", "position": 0,
         "detail": {"number": SET_ASIDE}, "text": REASON},
        {"at_s": 95.0, "origin": "therapist_remote", "action": "set_feedback", "position": 1,
         "detail": {"feedback": "faded", "was": "full"}, "text": None},
        {"at_s": 187.2, "origin": "therapist", "action": "note", "position": 1, "detail": {}, "text": NOTE},
    ]  # fmt: skip
    recorded_at = {datetime.fromisoformat(record["recorded_at"]) for record in session["steering"]}
    assert recorded_at == {sessions[0].steering[0].recorded_at}
    assert plain["steering"] == []


def test_a_bundle_carries_the_changes_and_the_reasons_to_another_database(
    steered: Steered, sessions: list[SessionDetail], tmp_path: Path
) -> None:
    bundle = tmp_path / "p31.facecoach.zip"
    store, _ = SessionStore.open(steered.database)
    with store:
        assert export_bundle(store, steered.patient, bundle) == 2
    clinic = open_quiet(database_path(tmp_path / "clinic"))
    with clinic:
        patient, added, skipped = import_bundle(clinic, bundle)
    assert (patient.code, added, skipped) == ("P-31", 2, 0)
    for here, there in zip(sessions, read_sessions(database_path(tmp_path / "clinic")), strict=True):
        assert there.uid == here.uid and there.steering == here.steering
        assert [[r.discarded_reason for r in e.repetitions] for e in there.exercises] == [
            [r.discarded_reason for r in e.repetitions] for e in here.exercises
        ]
        assert [e.summary for e in there.exercises] == [e.summary for e in here.exercises]


def test_a_bundle_from_before_the_steering_log_imports_with_every_repetition_counting(
    steered: Steered, sessions: list[SessionDetail], tmp_path: Path
) -> None:
    """A bundle written by a version before schema 5 has neither key: it imports whole, nothing
    steered, nothing set aside."""
    bundle, older = tmp_path / "new.facecoach.zip", tmp_path / "older.facecoach.zip"
    with SessionStore.open(steered.database)[0] as store:
        export_bundle(store, steered.patient, bundle)
    with zipfile.ZipFile(bundle) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(members["manifest.json"])
    for name in manifest["sessions"]:
        session = json.loads(members[name])
        assert session.pop("steering") is not None
        for exercise in session["exercises"]:
            for record in exercise["repetitions"]:
                record.pop("discarded_reason")
        members[name] = json.dumps(session).encode()
        manifest["sha256"][name] = hashlib.sha256(members[name]).hexdigest()
    members["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(older, "w") as archive:
        for name, payload in members.items():
            archive.writestr(name, payload)
    with open_quiet(database_path(tmp_path / "clinic")) as clinic:
        assert import_bundle(clinic, older)[1:] == (2, 0)
    imported = read_sessions(database_path(tmp_path / "clinic"))
    assert [s.uid for s in imported] == [s.uid for s in sessions]
    assert all(s.steering == () for s in imported)
    assert all(r.counts for s in imported for e in s.exercises for r in e.repetitions)
    assert [len(e.repetitions) for s in imported for e in s.exercises] == [
        len(e.repetitions) for s in sessions for e in s.exercises
    ]


def test_the_session_list_prints_the_changes_and_what_was_set_aside(
    steered: Steered, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = ["--data-dir", str(steered.database.parent)]
    assert main([*data_dir, "sessions", "--patient", "P-31", "--json"]) == 0
    plain, session = json.loads(capsys.readouterr().out)["sessions"]  # newest first
    assert [e["set_aside"] for e in session["exercises"]] == [[{"number": SET_ASIDE, "reason": REASON}], []]
    assert [(r["at_s"], r["action"], r["text"]) for r in session["steering"]] == [
        (r.at_s, r.action, r.text) for r in _steering(START)
    ]
    assert plain["steering"] == [] and plain["exercises"][0]["set_aside"] == []
    assert main([*data_dir, "sessions", "--patient", "P-31"]) == 0
    printed = [line.strip() for line in capsys.readouterr().out.splitlines()]
    rows = expected_rows()
    shown = [
        f"{line} ({exercise})" if exercise else line
        for line, (*_, exercise, _what) in zip(expected_lines(), rows, strict=True)
    ]
    start = printed.index(shown[0])
    assert printed[start : start + len(shown)] == shown


# ---------------------------------------------------------------------------------------------
# the windows
# ---------------------------------------------------------------------------------------------


def _shown_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_the_history_window_shows_the_notes_and_changes_and_marks_the_repetition_set_aside(
    qtbot, steered: Steered, sessions: list[SessionDetail]
) -> None:
    dialog = HistoryDialog(steered.database)
    qtbot.addWidget(dialog)
    row = dialog.session_ids.index(steered.steered_id)
    dialog.table.selectRow(row)
    dialog.show_session(row)
    shown = _shown_lines(dialog.detail.toPlainText())
    for line, (*_, exercise, _what) in zip(expected_lines(), expected_rows(), strict=True):
        assert (f"{line} ({exercise})" if exercise else line) in shown
    assert f"set aside: {REASON}" in shown
    assert "Struck through: set aside by the therapist, not part of the result above." in shown
    html = dialog.detail.toHtml()
    assert html.count("line-through") == 6  # each cell of the one row set aside, and no other
    note = dialog.detail.document().find(NOTE)
    assert not note.isNull() and note.charFormat().fontWeight() >= QFont.Weight.Bold
    change = dialog.detail.document().find("set the target to")
    assert not change.isNull() and change.charFormat().fontWeight() < QFont.Weight.Bold
    dialog.show_session(dialog.session_ids.index(steered.plain_id))
    plain = dialog.detail.toPlainText()
    assert HEADING not in plain and "set aside" not in plain
    dialog.done(0)


def test_the_therapists_sessions_tab_shows_the_note_and_the_reason(qtbot, steered: Steered, model_bytes: bytes) -> None:
    window = TherapistWindow(steered.database, model_bytes)
    qtbot.addWidget(window)
    window.select_patient(steered.patient.id)
    tab = window.sessions_tab
    tab.table.selectRow(tab.session_ids.index(steered.steered_id))
    shown = _shown_lines(tab.detail.toPlainText())
    assert HEADING in shown
    assert f"03:07 · therapist · note: {NOTE} (2. {_names()[1]})" in shown
    assert f"set aside: {REASON}" in shown
    window.close()


# ---------------------------------------------------------------------------------------------
# in German
# ---------------------------------------------------------------------------------------------


@pytest.fixture()
def german() -> Iterator[None]:
    i18n.set_language("de")
    try:
        yield
    finally:
        i18n.set_language("en")


def test_the_notes_page_and_the_session_shown_speak_german(
    german: None, qtbot, steered: Steered, sessions: list[SessionDetail], tmp_path: Path
) -> None:
    pdf_path = tmp_path / "bericht.pdf"
    write_session_report(pdf_path, sessions[0], sessions, steered.patient)
    texts = pages_text(pdf_path)
    german_heading = i18n.tr(HEADING)
    assert german_heading != HEADING
    (index,) = [number for number, text in enumerate(texts) if text.lstrip().startswith(german_heading)]
    stored = [REASON, NOTE, "P-31", "Sam Sample", "Bell's palsy", "camera 0", *_names()]
    # flattened: a note or reason as typed is taken out whole, wherever the table wrapped it
    assert still_english([("notes page", _flat(texts[index]))], stored) == []
    assert "Notiz: " + NOTE in _flat(texts[index]) and "Therapeut/in (aus der Ferne)" in _flat(texts[index])
    smile_page = next(text for text in texts if "beiseitegelegt, nicht gewertet: " + REASON in _flat(text))
    assert still_english([("exercise page", _flat(smile_page))], stored) == []
    dialog = HistoryDialog(steered.database)
    qtbot.addWidget(dialog)
    dialog.show_session(dialog.session_ids.index(steered.steered_id))
    assert still_english([("history", dialog.detail.toPlainText())], stored) == []
    dialog.done(0)
