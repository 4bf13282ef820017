"""The therapist's view beside the patient: the real windows (offscreen), a clip as the camera.

The supervision window follows the patient's session as one more subscriber (traces of both
sides, the repetitions as they come, whose session it is) and steers it with the session's
own commands, as the therapist; the patient's window shows what it asked.
"""

from __future__ import annotations

import pytest
from coach_windows import smile_coach
from PySide6.QtCore import Qt

from coach.gui.history import HistoryDialog
from coach.gui.supervision import SupervisionWindow
from coach.plans.exercises import get_exercise
from coach.records.bundle import export_bundle, import_bundle
from coach.records.store import SessionStore, database_path
from coach.reports.pdf.document import write_session_report
from coach.session.phases import Phase, SessionTiming
from coach.usecases.clinic import Clinic

from report_pages import pages_text
from store_helpers import open_quiet

FAST = SessionTiming(camera_ok_s=0.5, calibration_s=1.5, instruction_s=0.5, countdown_s=0.5, move_s=1.0, result_s=0.5)


@pytest.fixture()
def coach_and_supervision(qtbot, tmp_path, model_bytes, smile_sessions_clip):
    with Clinic.open(database_path(tmp_path))[0] as clinic:
        patient = clinic.add_patient("P07", name="Alex Example", affected_side="left")
    main = smile_coach(tmp_path, model_bytes, smile_sessions_clip, FAST, repetitions=3)
    qtbot.addWidget(main)
    main.start_box.choose_patient(patient.id)
    main.show()
    action = next(a for menu in main.menuBar().actions() for a in menu.menu().actions()
                  if a.text().replace("&", "") == "Supervise (therapist's view)…")  # fmt: skip
    action.trigger()
    (supervision,) = main.findChildren(SupervisionWindow)
    yield main, supervision
    main.close()


def test_the_therapist_follows_both_sides_and_the_repetitions_as_they_come(qtbot, coach_and_supervision):
    main, supervision = coach_and_supervision
    assert supervision.isVisible() and supervision.isWindow()
    qtbot.waitUntil(lambda: main.camera_ok, timeout=10_000)
    qtbot.mouseClick(main.start_box.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: supervision.patient_line.text().startswith("P07"), timeout=10_000)
    assert supervision.patient_line.text() == "P07 — Alex Example · affected side: left (patient's)"
    qtbot.waitUntil(lambda: supervision.repetitions.rowCount() >= 1, timeout=40_000)
    cells = [supervision.repetitions.item(0, c).text() for c in range(supervision.repetitions.columnCount())]
    assert cells[0] == "1" and float(cells[1]) > 8 and float(cells[2]) > 8 and cells[6].startswith("counted")
    traces = supervision.movement.samples
    assert len(traces) > 20 and set(traces[-1][1]) == {"commissure_excursion_mm"}
    lines = supervision.movement._lines  # both sides drawn, from the pictures measured
    assert {side for _, side in lines} == {"left", "right"}
    assert all(len(line.getData()[0]) > 20 for line in lines.values())
    band = supervision.movement.band.getRegion()
    assert band == pytest.approx(get_exercise("big_smile").target_mm)
    assert supervision.video._image is not None  # the patient's picture, on this same computer


def test_the_therapist_pauses_and_the_patient_window_says_so(qtbot, coach_and_supervision):
    main, supervision = coach_and_supervision
    qtbot.waitUntil(lambda: main.camera_ok, timeout=10_000)
    qtbot.mouseClick(supervision.skip_button, Qt.MouseButton.LeftButton)  # no session yet: refused, said
    qtbot.waitUntil(lambda: supervision.statusBar().currentMessage() != "", timeout=5_000)
    assert supervision.statusBar().currentMessage() == "Not done: skip. No session is under way."
    main.start_session()
    qtbot.waitUntil(lambda: supervision.view is not None and supervision.view.phase is not Phase.CAMERA_CHECK,
                    timeout=20_000)  # fmt: skip
    qtbot.mouseClick(supervision.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: main.last_view is not None and main.last_view.paused, timeout=5_000)
    assert main.step_panel.headline.text() == "Paused" and main.pause_button.text() == "Resume (Space)"
    qtbot.waitUntil(lambda: supervision.statusBar().currentMessage().startswith("Done by"), timeout=5_000)
    assert supervision.statusBar().currentMessage() == "Done by the therapist: paused."
    qtbot.mouseClick(main.pause_button, Qt.MouseButton.LeftButton)  # the patient resumes: both windows follow
    qtbot.waitUntil(lambda: supervision.view is not None and not supervision.view.paused, timeout=5_000)
    assert supervision.pause_button.text() == "Pause (Space)"


def test_closing_the_view_stops_it_hearing_the_session(qtbot, coach_and_supervision):
    main, supervision = coach_and_supervision
    heard = len(main.controller.events._subscribers)
    assert supervision.video in main.previews
    supervision.close()
    assert len(main.controller.events._subscribers) == heard - 1 and supervision.video not in main.previews
    main.supervise()  # opened again from the menu's action: a new view
    (again,) = [w for w in main.findChildren(SupervisionWindow) if w.isVisible()]
    assert again is not supervision and len(main.controller.events._subscribers) == heard


def test_the_therapist_steers_with_the_panel_and_keys_and_everything_is_kept(qtbot, coach_and_supervision, tmp_path):
    """The therapist lowers the target, fades the feedback, sets a repetition aside with a reason
    and writes a note, with the mouse and the keys; the patient's window says what changed, and
    the saved session holds exactly those."""
    main, supervision = coach_and_supervision
    panel = supervision.steering
    qtbot.waitUntil(lambda: main.camera_ok, timeout=10_000)
    main.start_session()
    qtbot.waitUntil(lambda: supervision.view is not None and supervision.view.phase is Phase.INSTRUCTION,
                    timeout=30_000)  # fmt: skip
    assert (panel.low_mm.value(), panel.high_mm.value()) == get_exercise("big_smile").target_mm
    panel.low_mm.setValue(2.0)
    panel.high_mm.setValue(6.0)
    qtbot.mouseClick(panel.target_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: main.video.notice != "", timeout=5_000)  # over the picture the patient looks at
    assert main.video.notice == "Your therapist set a smaller target: from the next repetition."
    supervision.activateWindow()
    panel.feedback.setCurrentIndex(0)
    qtbot.keyClick(supervision, Qt.Key.Key_F)  # the next schedule: faded
    qtbot.waitUntil(lambda: panel.log.count() == 2, timeout=5_000)
    table = supervision.repetitions
    qtbot.waitUntil(lambda: table.rowCount() >= 1 and table.item(0, 0).text() == "1", timeout=40_000)
    # the broad smile (about 15 mm) is more than the 2-6 mm now asked: counted, and said to be above it
    assert table.item(0, 6).text().startswith("counted · above the target")
    supervision.repetitions.selectRow(0)
    panel.reason.setCurrentIndex(1)  # "another part of the face helped"
    qtbot.keyClick(supervision, Qt.Key.Key_D)
    qtbot.waitUntil(lambda: supervision.repetitions.item(0, 6).text().startswith("set aside"), timeout=5_000)
    assert supervision.repetitions.item(0, 6).text() == "set aside: another part of the face helped"
    qtbot.keyClick(supervision, Qt.Key.Key_N)
    assert panel.note.hasFocus()  # (N) the note field, ready to type in
    qtbot.keyClicks(panel.note, "smiles with the eye; S and D typed here do nothing else")
    qtbot.keyClick(panel.note, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.log.count() == 4, timeout=5_000)
    lines = [panel.log.item(i).text() for i in range(panel.log.count())]
    assert [line.split(" · ", 2)[1:] for line in lines] == [
        ["therapist", "set the target to 2.0–6.0 mm (was 5.0–18.0 mm)"],
        [
            "therapist",
            "set the feedback to bars on some repetitions, a result after each (was bars on every repetition)",
        ],
        ["therapist", "set repetition 1 aside: another part of the face helped"],
        ["therapist", "note: smiles with the eye; S and D typed here do nothing else"],
    ]
    assert supervision.view is not None and not supervision.view.finished  # typing S in the note skipped nothing
    qtbot.waitUntil(lambda: main.last_view is not None and main.last_view.finished, timeout=60_000)
    with SessionStore.open(database_path(tmp_path))[0] as store:
        (record,) = store.history.sessions()
        detail = store.history.session_detail(record.id)
    assert [(s.origin, s.action) for s in detail.steering] == [
        ("therapist", "set_target"), ("therapist", "set_feedback"), ("therapist", "discard_repetition"),
        ("therapist", "note"),
    ]  # fmt: skip
    (smile,) = detail.exercises
    assert smile.repetitions[0].discarded_reason == "another part of the face helped"
    assert smile.summary is not None and smile.summary.reps == 3 == len(smile.counted_repetitions)
    # the history, the report and a bundle to another computer show exactly those
    whats = [line.split(" · ", 2)[2] for line in lines]
    history = HistoryDialog(database_path(tmp_path))
    qtbot.addWidget(history)
    history.show_session(history.session_ids.index(record.id))
    shown = history.detail.toPlainText()
    assert all(what in shown for what in whats)
    with SessionStore.open(database_path(tmp_path))[0] as store:
        patient = store.patients.get(detail.patient_id)
        pdf, bundle = tmp_path / "report.pdf", tmp_path / "p07.facecoach.zip"
        write_session_report(pdf, detail, [detail], patient)
        export_bundle(store, patient, bundle)
    report = "".join("".join(pages_text(pdf)).split())
    assert all("".join(what.split()) in report for what in whats)
    with open_quiet(database_path(tmp_path / "elsewhere")) as clinic:
        import_bundle(clinic, bundle)
    with SessionStore.open(database_path(tmp_path / "elsewhere"))[0] as store:
        there = store.history.session_detail(store.history.sessions()[0].id)

    def kept(reps: tuple) -> list[tuple]:
        return [(r.number, r.repetition, r.discarded_reason) for r in reps]

    assert there.steering == detail.steering and kept(there.exercises[0].repetitions) == kept(smile.repetitions)
