"""The therapist's window, driven through its own widgets and actions.

Offscreen Qt, a real SQLite file, the real model on a real clip (tests/data/single_face.mp4,
a man at rest, then a broad smile). One window is shared by the module so the clip is
analysed once; the tests run in order and build on each other (patient, then session,
then trends, then programme). Screenshots of each tab go to /tmp/therapist_shots/ for a
person to look at.
"""

from __future__ import annotations

import argparse
import dataclasses
import uuid
from datetime import date, timedelta
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QImage, QTextDocument
from PySide6.QtWidgets import QMessageBox

from coach.gui.therapist.window import TherapistWindow
from coach.plans.programmes import Programme
from coach.records.models import SessionDetail
from coach.records.store import SessionStore, database_path
from coach.session import engine
from coach.session.commands import Origin, Start
from coach.session.events import SessionFinished, SessionStarted

SHOTS = Path("/tmp/therapist_shots")


def _shoot(widget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(SHOTS / f"{name}.png"))


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Path:
    return database_path(tmp_path_factory.mktemp("therapist"))


def _revive_event_loop(qapp) -> None:
    """Undo a stuck quit: after `facecoach bench --live` (tests/test_gui.py) ran `app.exec()` and
    `app.quit()` on the shared QApplication, every QEventLoop returns at once, so no queued signal
    (a worker's result) would ever arrive. A short exec of our own clears the flag."""
    from PySide6.QtCore import QEventLoop, QTimer

    QTimer.singleShot(0, qapp.quit)
    qapp.exec()
    probe = QEventLoop()
    QTimer.singleShot(0, probe.quit)
    assert probe.exec() == 0, "the Qt event loop does not run"


@pytest.fixture(scope="module")
def window(qapp, database, model_bytes):
    _revive_event_loop(qapp)
    therapist = TherapistWindow(database, model_bytes)
    therapist.resize(1280, 720)
    therapist.show()
    yield therapist
    therapist.close()
    therapist.deleteLater()


def _type_date(field, when: date | str | None) -> None:
    """Type a date as a person does: click into the field, select what is there, type."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    QTest.mouseClick(field.edit, Qt.MouseButton.LeftButton)
    field.edit.selectAll()
    QTest.keyClick(field.edit, Qt.Key.Key_Delete)
    if when is not None:
        QTest.keyClicks(field.edit, when if isinstance(when, str) else when.isoformat())


def _fill_form(window: TherapistWindow, code: str, name: str, side: str, onset: date | None, cause: str) -> None:
    form = window.patient_form
    form.clear()
    form.code_edit.setText(code)
    form.name_edit.setText(name)
    form.side_edit.setCurrentIndex(form.side_edit.findData(side))
    _type_date(form.onset_edit, onset)
    form.cause_edit.setCurrentText(cause)
    form.notes_edit.setPlainText("Eye protection at night.")


def test_add_patient_through_the_form_and_a_duplicate_code_is_refused_inline(window, database):
    _fill_form(window, "P07", "Alex Example", "left", date(2024, 11, 3), "Bell's palsy")
    window.patient_form.add_button.click()
    assert window.patient is not None and window.patient.code == "P07"
    assert window.patient.affected_side == "left" and window.patient.onset_date == date(2024, 11, 3)
    assert window.patient_table.rowCount() == 1
    assert "Left (patient's)" in window.patient_table.item(0, 2).text()
    assert window.tabs.isEnabled()

    # the same code in another case: refused under the form, the form keeps what was typed
    _fill_form(window, "p07", "Someone Else", "right", None, "")
    window.patient_form.add_button.click()
    message = window.patient_form.message.text()
    assert "already exists" in message and "p07" in message.lower()
    assert str(database) not in message
    assert window.patient_form.code_edit.text() == "p07" and window.patient_form.name_edit.text() == "Someone Else"
    _shoot(window, "0_duplicate_code")
    with SessionStore.open(database)[0] as store:
        patients = store.patients.all()
    assert [(p.code, p.name) for p in patients] == [("P07", "Alex Example")]

    # an onset in the future: refused in plain words
    _fill_form(window, "P08", "", "right", date.today() + timedelta(days=30), "")
    window.patient_form.add_button.click()
    assert "future" in window.patient_form.message.text() and "onset date" in window.patient_form.message.text().lower()
    assert window.patient_table.rowCount() == 1

    # not a date: said, and nothing added
    _fill_form(window, "P08", "", "right", None, "")
    _type_date(window.patient_form.onset_edit, "2024-13-40")
    window.patient_form.add_button.click()
    assert "not a date" in window.patient_form.message.text() and window.patient_table.rowCount() == 1

    window.select_patient(patients[0].id)
    assert window.patient_form.code_edit.text() == "P07"
    assert window.patient_form.onset_edit.edit.text() == "2024-11-03"
    window.patient_form.clear()
    assert window.patient_form.onset_edit.edit.text() == ""  # a new patient's onset is not known, not "today"
    window.select_patient(patients[0].id)


def test_one_import_button_and_no_picture_action_without_pictures(window):
    from PySide6.QtWidgets import QPushButton

    imports = [button for button in window.findChildren(QPushButton) if button.text() == "Import bundle…"]
    assert imports == [window.import_patient_button]  # importing adds a patient: beside the patient list
    tab = window.sessions_tab
    assert tab.table.rowCount() == 0  # the new patient has no session yet
    assert not tab.delete_pictures_button.isEnabled() and not tab.report_pictures.isEnabled()


def test_analyse_a_recorded_video_into_the_history(window, qtbot, data_dir, database):
    assert window.patient is not None
    analysis = window.analysis_tab
    assert analysis.filmed_on.date() == date.today() and not analysis.keep_picture.isChecked()
    filmed = date.today() - timedelta(days=9)
    _type_date(window.analysis_tab.filmed_on, filmed)
    window.analysis_tab.keep_picture.setChecked(True)  # the patient agreed
    assert window.analysis_tab.analyse_video(data_dir / "single_face.mp4", "big_smile")
    assert window.analysis_tab.running and not window.analysis_tab.analyse_button.isEnabled()
    qtbot.waitUntil(lambda: not window.analysis_tab.running, timeout=60_000)
    assert window.messages.last is None, window.messages.last
    assert window.sessions_tab.table.rowCount() == 1
    assert window.sessions_tab.table.item(0, 1).text() == "Recorded video"
    assert "Big smile" in window.sessions_tab.table.item(0, 2).text()
    assert int(window.sessions_tab.table.item(0, 4).text()) >= 1
    assert "added to the history of P07" in window.analysis_tab.status.text()
    assert "Left" in window.sessions_tab.detail.toPlainText()
    with SessionStore.open(database)[0] as store:
        (record,) = store.history.sessions(patient_id=window.patient.id)
        assert store.pictures.count(session_id=record.id) == 1
    assert record.kind == "recorded" and record.repetition_count >= 1
    assert record.started_at.astimezone().date() == filmed  # dated when filmed, not when analysed
    assert window.sessions_tab.table.item(0, 0).text().startswith(f"{filmed:%Y-%m-%d}")
    # the picture is shown with the session, and can be deleted or left out of the report
    assert "Picture at the peak" in window.sessions_tab.detail.toPlainText()
    exercise_id = next(iter(_session(database, record.id).exercises)).id
    shown = window.sessions_tab.detail.document().resource(QTextDocument.ResourceType.ImageResource,
                                                       QUrl(f"snapshot:{exercise_id}"))  # fmt: skip
    assert isinstance(shown, QImage) and shown.width() > 100 and shown.height() > 100
    assert window.sessions_tab.delete_pictures_button.isEnabled() and window.sessions_tab.report_pictures.isEnabled()
    window.tabs.setCurrentIndex(3)
    _shoot(window, "4_analyse")
    window.tabs.setCurrentIndex(0)
    _shoot(window, "1_sessions")


def test_a_video_without_a_face_is_told_plainly_and_saves_nothing(window, qtbot, data_dir):
    assert window.analysis_tab.analyse_video(data_dir / "no_face.mp4", "big_smile")
    qtbot.waitUntil(lambda: not window.analysis_tab.running, timeout=60_000)
    assert window.messages.last is not None and "no face" in window.messages.last[1].lower()
    assert "Nothing was added" in window.analysis_tab.status.text()
    assert window.sessions_tab.table.rowCount() == 1
    window.messages.close()
    window.messages.last = None


def test_an_analysis_can_be_cancelled(window, qtbot, data_dir):
    assert window.analysis_tab.analyse_video(data_dir / "single_face.mp4", "big_smile")
    window.analysis_tab.cancel_button.click()
    qtbot.waitUntil(lambda: not window.analysis_tab.running, timeout=60_000)
    assert "cancelled" in window.analysis_tab.status.text() and window.messages.last is None
    assert window.sessions_tab.table.rowCount() == 1


def test_exports_and_bundles_from_the_sessions_tab(window, qtbot, tmp_path):
    window.sessions_tab.export_scope.setCurrentIndex(window.sessions_tab.export_scope.findData("history"))
    assert window.sessions_tab.export_csv(tmp_path / "history.csv")
    assert (tmp_path / "history.csv").read_text(encoding="utf-8").count("\n") >= 2
    assert window.sessions_tab.export_json(tmp_path / "history.json")
    assert '"code": "P07"' in (tmp_path / "history.json").read_text(encoding="utf-8")
    assert window.sessions_tab.export_bundle(tmp_path / "p07.zip")
    assert window.sessions_tab.import_bundle(tmp_path / "p07.zip")  # everything already here: nothing added
    assert "already here" in window.sessions_tab.message.text()
    window.messages.close()
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"not a zip at all")
    assert not window.sessions_tab.import_bundle(broken)
    assert window.messages.last is not None and "bundle" in window.messages.last[1].lower()
    window.messages.close()
    window.messages.last = None
    assert window.sessions_tab.write_report(tmp_path / "report.pdf")
    qtbot.waitUntil(lambda: not window.busy, timeout=30_000)
    assert window.messages.last is None, window.messages.last
    assert "Snapshot at the peak" in _pdf_text(tmp_path / "report.pdf")
    window.sessions_tab.report_pictures.setChecked(False)  # e.g. before sending the report on
    assert window.sessions_tab.write_report(tmp_path / "report-without.pdf")
    qtbot.waitUntil(lambda: not window.busy, timeout=30_000)
    assert "Snapshot" not in _pdf_text(tmp_path / "report-without.pdf")
    window.sessions_tab.report_pictures.setChecked(True)


def test_pictures_are_deleted_only_when_confirmed(window, database, monkeypatch):
    session_id = window.sessions_tab.selected_session_id()
    answers = iter([QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes])
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *args: next(answers)))
    assert window.sessions_tab.delete_session_pictures() == 0  # "No": kept
    with SessionStore.open(database)[0] as store:
        assert store.pictures.count(session_id=session_id) == 1
    assert window.sessions_tab.delete_session_pictures() == 1
    assert "Deleted 1 picture; the numbers are kept." in window.sessions_tab.message.text()
    with SessionStore.open(database)[0] as store:
        assert store.pictures.count(session_id=session_id) == 0
        assert store.history.session_detail(session_id).exercises[0].repetitions  # the numbers stay
    sessions = window.sessions_tab
    assert not sessions.delete_pictures_button.isEnabled() and not sessions.report_pictures.isEnabled()
    assert "Picture at the peak" not in window.sessions_tab.detail.toPlainText()


def _pdf_text(path: Path) -> str:
    document = pdfium.PdfDocument(str(path))
    try:
        return " ".join(" ".join(page.get_textpage().get_text_range().split()) for page in document)
    finally:
        document.close()


def _session(database: Path, session_id: int) -> SessionDetail:
    with SessionStore.open(database)[0] as store:
        return store.history.session_detail(session_id)


def test_trend_tab_draws_big_smile(window):
    window.tabs.setCurrentIndex(1)
    trends = window.trends
    assert trends.select_exercise("big_smile")
    assert trends.stack.currentWidget() is trends.canvas
    axes = trends.figure.axes
    assert len(axes) >= 4, "movement, symmetry, resting face and synkinesis"
    labels = {line.get_label() for ax in axes for line in ax.get_lines()}
    assert {"Left (patient's)", "Right (patient's)", "Symmetry (weaker ÷ stronger)"} <= labels
    left = next(line for line in axes[0].get_lines() if line.get_label() == "Left (patient's)")
    right = next(line for line in axes[0].get_lines() if line.get_label() == "Right (patient's)")
    assert len(left.get_xdata()) == 1 and left.get_ydata()[0] > 1.0
    assert left.get_color() != right.get_color() and left.get_marker() != right.get_marker()
    assert axes[0].patches, "the target range is drawn as a band"
    assert any(len(line.get_xdata()) for line in axes[2].get_lines()), "resting symmetry has data"
    synkinesis = [ax for ax in axes if ax.get_title(loc="left").startswith("Synkinesis: ")]
    assert synkinesis, "a synkinesis panel per watched measure"
    assert "Synkinesis: Eye narrowing" in {ax.get_title(loc="left") for ax in synkinesis}
    for ax in synkinesis:
        by_label = {line.get_label(): line for line in ax.get_lines()}
        assert {"Left (patient's)", "Right (patient's)", "Warning limit"} <= set(by_label)
        assert list(by_label["Warning limit"].get_ydata()) == [35.0, 35.0]  # big_smile's own limit
        assert len(by_label["Left (patient's)"].get_xdata()) == 1
        assert by_label["Left (patient's)"].get_marker() != by_label["Right (patient's)"].get_marker()
    legend_texts = {text.get_text() for legend in trends.figure.legends for text in legend.get_texts()}
    legend_texts |= {t.get_text() for sub in trends.figure.subfigs for s in [sub, *sub.subfigs] for lg in s.legends
                     for t in lg.get_texts()}  # fmt: skip
    assert "Warning limit 35 %" in legend_texts
    window.trends.canvas.draw()
    _shoot(window, "2_trends")


def test_trend_tab_with_no_history_shows_a_message(qapp):
    from coach.gui.trends import TrendsView

    view = TrendsView()
    view.set_sessions([])
    assert view.stack.currentWidget() is view.message
    assert "No sessions" in view.message.text()
    assert not view.figure.axes
    view.deleteLater()


def test_programme_editor_validates_saves_and_assigns(window, database, tmp_path):
    window.tabs.setCurrentIndex(2)
    assert "No programme assigned yet" in window.programme_tab.assigned_label.text()
    window.programme_tab.name_edit.setText("Smile and eyes, gentle")
    while window.programme_tab.table.rows:
        window.programme_tab.table.setCurrentCell(0, 0)
        window.programme_tab.table.remove_row()
    assert "at least one exercise" in window.programme_tab.message.text()
    assert not window.programme_tab.save_button.isEnabled()
    window.programme_tab.table.add_row("big_smile")
    window.programme_tab.table.add_row("gentle_eye_closure")
    assert window.programme_tab.save_button.isEnabled()

    window.programme_tab.table.set_value(0, "repetitions", 0)
    assert "Row 1 (Big smile), repetitions: 0 is not between 1 and 50" in window.programme_tab.message.text()
    assert not window.programme_tab.save_button.isEnabled()
    window.programme_tab.table.set_value(0, "repetitions", 5)
    assert window.programme_tab.save_button.isEnabled()

    window.programme_tab.table.set_value(1, "target_low", 9.0)
    window.programme_tab.table.set_value(1, "target_high", 4.0)
    assert "Row 2 (Close your eyes gently): the target low (9 mm) must be below the target high (4 mm)" in (
        window.programme_tab.message.text()
    )
    assert not window.programme_tab.save_button.isEnabled()
    _shoot(window, "3a_programme_invalid")
    window.programme_tab.table.set_value(1, "target_high", 12.0)
    window.programme_tab.table.set_value(1, "effort", 2)
    window.programme_tab.table.set_value(1, "repetitions", 4)
    assert window.programme_tab.problem() is None and window.programme_tab.save_button.isEnabled()

    window.programme_tab.table.setCurrentCell(1, 0)
    window.programme_tab.table.move_row(-1)
    assert [row.exercise_id for row in window.programme_tab.table.rows] == ["gentle_eye_closure", "big_smile"]
    _shoot(window, "3_programme")

    record = window.programme_tab.save()
    assert record is not None
    with SessionStore.open(database)[0] as store:
        current = store.programmes.current(window.patient.id)
    assert current is not None and current.id == record.id and current.name == "Smile and eyes, gentle"
    assert [(e.exercise_id, e.repetitions, e.effort) for e in current.entries] == [
        ("gentle_eye_closure", 4, 2),
        ("big_smile", 5, 3),
    ]
    assert current.entries[0].target_mm == (9.0, 12.0)
    assert "Assigned now" in window.programme_tab.assigned_label.text()

    # round trip through a programme file; a broken file is refused with the reason
    exported = tmp_path / "smile.toml"
    assert window.programme_tab.export_programme(exported)
    assert window.programme_tab.import_programme(exported)
    assert [row.exercise_id for row in window.programme_tab.table.rows] == ["gentle_eye_closure", "big_smile"]
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "bad"\nname = "Bad"\n[[exercise]]\nid = "big_smile"\nrepetitions = 0\n', encoding="utf-8")
    assert not window.programme_tab.import_programme(bad)
    message = window.programme_tab.message.text()
    assert "repetitions" in message and "not imported" in message
    window.messages.close()
    window.messages.last = None


def test_patient_chosen_in_the_start_box_is_recorded_with_the_session(qtbot, database, model_bytes, window):
    from coach.gui.app import build_window
    from coach.sound.audio_coach import AudioCoach
    from coach.sound.outputs import RecordingOutput

    args = argparse.Namespace(
        exercises_dir=None, programme=None, source=None, loop=False, camera=0, data_dir=database.parent
    )
    main, _, _ = build_window(args, model_bytes, audio=AudioCoach(RecordingOutput()), open_source=_no_camera)
    qtbot.addWidget(main)
    assert not main.therapist_button.isHidden() and not main.start_box.patient.isHidden()
    labels = [main.start_box.patient.itemText(i) for i in range(main.start_box.patient.count())]
    assert labels == ["No patient", "P07 — Alex Example"]
    main.start_box.patient.setCurrentIndex(1)
    # the therapist's programme is offered first, and chosen
    assert main.start_box.programme.currentText() == "Smile and eyes, gentle (assigned)"
    programme: Programme = main.start_box.chosen_programme()
    assert [e.id for e in programme.exercises] == ["gentle_eye_closure", "big_smile"]
    assert programme.exercises[1].repetitions == 5

    started = []
    main.controller.send = started.append  # the command the window sends, not yet applied
    main.start_session()
    del main.controller.send
    (start,) = started
    assert isinstance(start, Start) and start.origin is Origin.PATIENT
    assert start.patient_id == window.patient.id and start.save_results
    # the records are a subscriber of the app's session events: a session started for the patient is theirs
    main.controller.events.emit(SessionStarted(0, start.programme, start.patient_id, True, start.source_name))
    main.controller.events.emit(SessionFinished("stopped"))
    with SessionStore.open(database)[0] as store:
        newest = store.history.sessions(limit=1)[0]
    assert newest.patient_id == window.patient.id and newest.kind == "live"
    assert newest.programme_name == "Smile and eyes, gentle"

    main.start_box.show()
    _shoot(main, "5_main_window_start_box")
    main.start_box.patient.setCurrentIndex(0)
    assert main.start_box.programme.findText("Smile and eyes, gentle", flags=Qt.MatchFlag.MatchContains) < 0

    # the button opens the therapist's window; a patient added there appears in the start box
    main.therapist_button.click()
    (opened,) = main.findChildren(TherapistWindow)
    assert opened.isWindow() and opened.isVisible()
    _fill_form(opened, "P09", "", "right", None, "")
    opened.patient_form.add_button.click()
    assert [main.start_box.patient.itemText(i) for i in range(main.start_box.patient.count())][-1] == "P09"
    opened.close()
    main.close()


def _no_camera():
    from coach.base.errors import SourceError

    raise SourceError("camera 0 is not connected.")


def _earlier(session: SessionDetail, weeks: int, left_factor: float, resting_offset_mm: float) -> SessionDetail:
    """The real recorded session as if filmed `weeks` earlier with a weaker left side (for the picture)."""
    exercises = []
    for exercise in session.exercises:
        reps = []
        for record in exercise.repetitions:
            rep = record.repetition
            left = rep.left_mm * left_factor
            symmetry = min(left, rep.right_mm) / max(left, rep.right_mm)
            rep = dataclasses.replace(rep, left_mm=left, symmetry=symmetry, weaker_side="left")
            reps.append(dataclasses.replace(record, repetition=rep))
        summary = engine.summarise([r.repetition for r in reps], engine.NOISE_FLOOR_MM)
        exercises.append(dataclasses.replace(exercise, repetitions=tuple(reps), summary=summary))
    resting = {
        name: {**sides, "left": sides["left"] + resting_offset_mm * (1 + i / 3)}
        for i, (name, sides) in enumerate((session.resting or {}).items())
    }
    return dataclasses.replace(
        session,
        started_at=session.started_at - timedelta(weeks=weeks),
        ended_at=session.ended_at - timedelta(weeks=weeks) if session.ended_at else None,
        exercises=tuple(exercises),
        resting=resting,
        uid=uuid.uuid4().hex,
    )


def test_screenshot_of_a_longer_history(window, database):
    """Not a check of numbers: a picture of the trend charts with ten weeks of recovery."""
    patient_id = window.patient.id
    with SessionStore.open(database)[0] as store:
        recorded = next(r for r in store.history.sessions(patient_id=patient_id) if r.kind == "recorded")
        real = store.history.session_detail(recorded.id)
        for weeks, factor, offset in ((10, 0.35, 2.5), (8, 0.5, 2.0), (6, 0.62, 1.4), (4, 0.75, 1.0), (2, 0.88, 0.6)):
            store.imports.session(_earlier(real, weeks, factor, offset), patient_id)
    window.sessions_tab.refresh()
    assert window.sessions_tab.table.rowCount() == 7
    window.tabs.setCurrentIndex(1)
    assert window.trends.select_exercise("big_smile")
    assert len(window.trends.figure.axes[0].get_lines()[0].get_xdata()) == 6
    window.trends.canvas.draw()
    _shoot(window, "2b_trends_ten_weeks")
    synkinesis = [ax for ax in window.trends.figure.axes if ax.get_title(loc="left").startswith("Synkinesis: ")]
    assert synkinesis and len(synkinesis[0].get_lines()[1].get_xdata()) == 6
    _shoot(window, "2c_trends_synkinesis")
    window.tabs.setCurrentIndex(0)
    _shoot(window, "1b_sessions_ten_weeks")
