"""The live coach window, driven end to end with real face clips standing in for the camera.

Offscreen Qt (QT_QPA_PLATFORM=offscreen), the real model, a real SQLite file, the real
capture/processing threads. The only stand-in is the camera itself: a real video
played at its own frame rate, which the "unplug" test can make fail and come back.
"""

from __future__ import annotations

import argparse
import dataclasses
import sqlite3
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from coach.base.errors import SourceError
from coach.capture.sources import Frame, FrameSource, VideoFileSource
from coach.gui.app import build_window
from coach.plans.exercises import get_exercise
from coach.plans.programmes import Programme
from coach.records.store import SessionStore, database_path
from coach.session.events import SessionUpdated
from coach.session.live import PacedSource
from coach.session.phases import Phase, SessionTiming
from coach.sound.audio_coach import AudioCoach
from coach.sound.outputs import RecordingOutput

FAST = SessionTiming(camera_ok_s=0.5, calibration_s=1.5, instruction_s=0.5, countdown_s=0.5, move_s=1.0, result_s=0.5)


def _programme(repetitions: int) -> Programme:
    exercise = dataclasses.replace(get_exercise("big_smile"), repetitions=repetitions, hold_s=1.5, relax_s=1.5)
    return Programme("test", "Smile test", "", (exercise,))


def _args(data_dir: Path) -> argparse.Namespace:
    return argparse.Namespace(exercises_dir=None, programme=None, source=None, loop=False, camera=0, data_dir=data_dir)


class UnpluggableCamera(FrameSource):
    """A real video played in real time, which the test can unplug and plug back in."""

    def __init__(self, path: Path, unplugged: threading.Event) -> None:
        if unplugged.is_set():
            raise SourceError("camera 0 is not connected.")
        self._video = PacedSource(lambda: VideoFileSource(path))
        self._unplugged = unplugged
        self.name, self.nominal_fps = "camera 0", self._video.nominal_fps

    def read(self) -> Frame | None:
        if self._unplugged.is_set():
            raise SourceError("camera 0 stopped delivering frames.")
        return self._video.read()

    def close(self) -> None:
        self._video.close()


def _open_window(qtbot, tmp_path, model_bytes, open_source, repetitions):
    audio = AudioCoach(RecordingOutput())
    window, _, _ = build_window(_args(tmp_path), model_bytes, FAST, audio, open_source)
    qtbot.addWidget(window)
    window.start_box.offer_programmes({"test": _programme(repetitions)}, "test")
    phases: list[Phase] = []
    # every view the session emits, heard on the stream as the window hears it (the window itself
    # shows only the newest: under load a short phase can pass between two of its paints)
    window.controller.events.subscribe(
        lambda event: isinstance(event, SessionUpdated) and phases.append(event.view.phase)
    )
    return window, audio, phases


def test_full_session_counts_the_smile_and_saves_it(qtbot, tmp_path, model_bytes, smile_sessions_clip):
    def camera() -> PacedSource:
        return PacedSource(lambda: VideoFileSource(smile_sessions_clip))

    window, audio, phases = _open_window(qtbot, tmp_path, model_bytes, camera, 1)
    qtbot.waitUntil(lambda: window.camera_ok, timeout=10_000)
    assert not window.start_box.keep_pictures.isChecked()  # pictures only by choice
    window.start_box.save_results.setChecked(False)
    assert not window.start_box.keep_pictures.isEnabled()  # no pictures without the results they belong to
    window.start_box.save_results.setChecked(True)
    window.start_box.keep_pictures.setChecked(True)
    qtbot.mouseClick(window.start_box.start_button, qtbot_button())
    qtbot.waitUntil(lambda: window.last_view is not None and window.last_view.finished, timeout=30_000)
    window.close()

    seen = list(dict.fromkeys(phases))
    assert seen[:4] == [Phase.CAMERA_CHECK, Phase.CALIBRATING, Phase.INSTRUCTION, Phase.COUNTDOWN]
    assert {Phase.MOVE, Phase.HOLD, Phase.RELAX, Phase.SUMMARY} <= set(seen)
    view = window.last_view
    (result,) = view.results
    assert result.status == "completed" and result.summary.reps == 1
    (rep,) = result.reps
    assert rep.left_mm > 8 and rep.right_mm > 8 and rep.symmetry >= 0.85  # the man's broad, even smile
    assert window.step_panel.headline.text() == "Session complete" and not window.feedback_panel.results.isHidden()
    assert window.feedback_panel.results.item(0, 1).text() == "1"
    assert len(audio.output.played) >= 4  # start, hold, relax, done: tones, as there is no speech here

    store, _ = SessionStore.open(database_path(tmp_path))
    (record,) = store.history.sessions()
    assert record.status == "completed" and record.repetition_count == 1
    detail = store.history.session_detail(record.id)
    stored = detail.exercises[0].repetitions[0].repetition
    assert stored.left_mm == pytest.approx(rep.left_mm) and stored.right_mm == pytest.approx(rep.right_mm)
    assert detail.resting is not None and "brow_height_mm" in detail.resting
    (picture,) = store.pictures.of_session(record.id).values()  # chosen: one picture, of the smile at its peak
    assert picture.measure == "commissure_excursion_mm" and picture.picture_rgb.shape[2] == 3
    store.close()


def test_a_database_another_program_holds_is_told_and_the_session_goes_on(
    qtbot, tmp_path, model_bytes, smile_sessions_clip, monkeypatch
):
    """Another program (a backup tool, a database browser) holds the write lock: the coach
    says results are not being saved, and the person's session still runs to its end."""
    import coach.records.database

    def camera() -> PacedSource:
        return PacedSource(lambda: VideoFileSource(smile_sessions_clip))

    window, _, _ = _open_window(qtbot, tmp_path, model_bytes, camera, 1)
    monkeypatch.setattr(coach.records.database, "BUSY_TIMEOUT_S", 0.3)  # give up waiting sooner than 5 s
    other_program = sqlite3.connect(database_path(tmp_path), isolation_level=None)
    other_program.execute("BEGIN IMMEDIATE")
    try:
        qtbot.waitUntil(lambda: window.camera_ok, timeout=10_000)
        window.start_box.keep_pictures.setChecked(True)
        qtbot.mouseClick(window.start_box.start_button, qtbot_button())
        qtbot.waitUntil(lambda: not window.problem.isHidden(), timeout=10_000)
        assert "another program is using the database: close it" in window.problem.text()
        assert "Your results are not being saved in this session." in window.problem.text()
        qtbot.waitUntil(lambda: window.last_view is not None and window.last_view.finished, timeout=30_000)
        Path("/tmp/coach_shots").mkdir(exist_ok=True)  # for a person to look at
        assert window.grab().save("/tmp/coach_shots/results_not_saved.png")
    finally:
        other_program.rollback()
        other_program.close()
    window.close()
    (result,) = window.last_view.results
    assert result.status == "completed" and result.summary.reps == 1  # the exercise was not stopped
    assert window.controller.failures == 0  # the recorder coped; the session never failed


def _repetitions_done(window) -> int:
    """Repetitions finished so far in the session under way (read across threads: a test's wait only)."""
    session = window.controller.session
    return 0 if session is None else sum(len(result.reps) for result in session.results) + session.repetitions_done


def qtbot_button():

    return Qt.MouseButton.LeftButton


def test_camera_pulled_mid_session_keeps_every_repetition_and_recovers(
    qtbot, tmp_path, model_bytes, smile_sessions_clip
):
    unplugged = threading.Event()
    window, _, phases = _open_window(qtbot, tmp_path, model_bytes,
                                     lambda: UnpluggableCamera(smile_sessions_clip, unplugged), 2)  # fmt: skip
    qtbot.waitUntil(lambda: window.camera_ok, timeout=10_000)
    qtbot.mouseClick(window.start_box.start_button, qtbot_button())
    # wait for the first repetition to be done and saved, then pull the camera
    qtbot.waitUntil(lambda: _repetitions_done(window) >= 1, timeout=30_000)
    unplugged.set()
    qtbot.waitUntil(lambda: window.last_view is not None and window.last_view.paused, timeout=10_000)
    detail = window.step_panel.detail.text()
    assert "saved" in detail and "camera" in detail.lower()
    store, _ = SessionStore.open(database_path(tmp_path))
    (record,) = store.history.sessions()
    assert record.repetition_count == 1 and record.status == "in_progress"  # rep 1 is already on disk
    store.close()
    unplugged.clear()  # plugged back in: camera check, then the session carries on
    qtbot.waitUntil(lambda: window.last_view is not None and window.last_view.finished, timeout=40_000)
    window.close()
    assert Phase.CAMERA_CHECK in phases[phases.index(Phase.RELAX) :]  # checked the picture again on return
    (result,) = window.last_view.results
    assert result.status == "completed" and result.summary.reps == 2
    store, _ = SessionStore.open(database_path(tmp_path))
    (record,) = store.history.sessions()
    assert record.status == "completed" and record.repetition_count == 2
    assert store.pictures.count() == 0  # nobody ticked "keep a picture"
    store.close()


def test_qt_binding_does_not_corrupt_reference_counts(qtbot):
    """PySide6 6.12.0 released a reference to None on every call returning nothing
    (QPainter.drawEllipse, …); the app then died with "none_dealloc" after minutes of
    live video. pyproject pins a sound version; this catches a binding that regresses."""
    import sys

    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QImage, QPainter

    image = QImage(64, 64, QImage.Format.Format_RGB888)
    before = sys.getrefcount(None)
    for _ in range(3000):
        painter = QPainter(image)
        painter.drawEllipse(QPointF(10.0, 10.0), 2.5, 2.5)
        painter.end()
    assert abs(sys.getrefcount(None) - before) < 100


def test_no_camera_offers_another_camera_or_a_video_file(qtbot, tmp_path, model_bytes, smile_sessions_clip):
    """There is no webcam on this machine: camera 0 really fails to open."""
    from coach.capture.sources import CameraSource

    audio = AudioCoach(RecordingOutput())
    window, _, _ = build_window(_args(tmp_path), model_bytes, FAST, audio, lambda: CameraSource(0))
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: not window.source_box.isHidden(), timeout=10_000)
    assert window.step_panel.headline.text() == "No camera picture"
    assert "video file" in window.step_panel.detail.text()
    assert "camera" in window.video.message.lower() and window.video.message[0].isupper()
    # the person picks a video file instead: the picture comes, the choices go away
    window.replace_source(lambda: PacedSource(lambda: VideoFileSource(smile_sessions_clip)), lambda: "smiles.avi")
    qtbot.waitUntil(lambda: window.camera_ok, timeout=10_000)
    assert window.source_box.isHidden() and window.source_label.text() == "smiles.avi"
    window.close()


def test_damaged_database_is_kept_and_the_app_still_starts(qtbot, tmp_path, model_bytes, smile_sessions_clip):
    database = database_path(tmp_path)
    database.write_bytes(b"not a database, but somebody's data all the same" * 100)
    window, notices, _ = build_window(_args(tmp_path), model_bytes, FAST, AudioCoach(RecordingOutput()),
                                      lambda: PacedSource(lambda: VideoFileSource(smile_sessions_clip)))  # fmt: skip
    qtbot.addWidget(window)
    (notice,) = notices
    kept = [p for p in tmp_path.iterdir() if ".corrupt-" in p.name and not p.name.endswith(("-wal", "-shm"))]
    assert len(kept) == 1 and kept[0].read_bytes().startswith(b"not a database")
    assert kept[0].name in notice
    save_results = window.start_box.save_results
    assert save_results.isEnabled() and save_results.isChecked()  # a fresh database was made
    window.close()


def test_unreadable_source_file_is_one_clear_error(tmp_path, capsys):
    from coach.cli.main import main

    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"\x00" * 5000)
    assert main(["--data-dir", str(tmp_path), "--source", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("facecoach: error:") and "broken.mp4" in err[0]


def test_live_benchmark_reports_its_figures(data_dir, tmp_path, capsys, qtbot):
    """`facecoach bench --live` runs the real capture → process → display path; the
    figures themselves are measured by running it, not asserted here."""
    import json

    from coach.cli.main import main

    out = tmp_path / "live.json"
    assert main(["bench", "--live", str(data_dir / "single_face.mp4"), "--seconds", "3", "--json", str(out)]) == 0
    figures = json.loads(out.read_text())
    assert set(figures) >= {"latency_ms_p50", "latency_ms_p95", "offered_frames", "processed_frames",
                            "dropped_for_processing", "cpu_percent"}  # fmt: skip
    assert figures["offered_frames"] >= 60  # ~3 s at 30 fps
    # every offered frame was processed or dropped, but for at most the one in flight at the end
    handled = figures["processed_frames"] + figures["dropped_for_processing"]
    assert figures["offered_frames"] - 1 <= handled <= figures["offered_frames"]
    assert 0 < figures["latency_ms_p50"] <= figures["latency_ms_p95"]


def test_mirroring_never_swaps_the_patients_sides(qtbot, data_dir):
    """Mirrored like a mirror, the patient's right appears on the screen's right; the
    picture flips, the labels follow the face, and the bars are ordered to match."""
    import numpy as np

    from coach.capture.sources import read_image_rgb
    from coach.gui.widgets import VideoView

    view = VideoView()
    qtbot.addWidget(view)
    view.resize(640, 360)
    image = read_image_rgb(data_dir / "single_face.jpg")
    view.set_frame(image, None)
    assert view.screen_side_of("right") == "right" and view.screen_side_of("left") == "left"
    mirrored = view._image.copy()
    view.set_mirrored(False)
    assert view.screen_side_of("right") == "left" and view.screen_side_of("left") == "right"
    plain = view._image
    width = plain.width()
    # the mirrored picture is the plain one flipped left-right
    for x, y in ((10, 100), (width // 3, 200)):
        assert mirrored.pixel(x, y) == plain.pixel(width - 1 - x, y)
    assert not np.array_equal(image[:, 0], image[:, -1])  # the test image is not itself symmetric


def _answer_yes_when_asked(qtbot) -> None:
    """Click Yes on the question the next click opens (it runs its own event loop)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    def click_yes() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QMessageBox):
            QTimer.singleShot(50, click_yes)
            return
        qtbot.mouseClick(dialog.button(QMessageBox.StandardButton.Yes), qtbot_button())

    QTimer.singleShot(50, click_yes)


def test_three_sessions_in_a_row_every_button_works_with_the_mouse(qtbot, tmp_path, model_bytes, smile_sessions_clip):
    """Start, pause, resume and stop (asked first) by mouse, three times: the buttons of a
    second and third session work as the first's did, and the screen says "stopped" exactly
    when the records do."""

    def camera() -> PacedSource:
        return PacedSource(lambda: VideoFileSource(smile_sessions_clip), loop=True)

    window, _, _ = _open_window(qtbot, tmp_path, model_bytes, camera, 3)
    qtbot.waitUntil(lambda: window.camera_ok, timeout=10_000)
    controls = (window.pause_button, window.stop_button)
    for number in range(1, 4):
        before = window.last_view.session_serial if window.last_view is not None else 0
        qtbot.mouseClick(window.start_box.start_button, qtbot_button())
        qtbot.waitUntil(
            lambda before=before: window.last_view is not None and window.last_view.session_serial > before,
            timeout=10_000,
        )
        assert window.start_box.isHidden(), f"session {number}: the start panel is still shown"
        assert all(button.isEnabled() for button in controls), f"session {number}: {[b.text() for b in controls]}"
        qtbot.mouseClick(window.pause_button, qtbot_button())
        qtbot.waitUntil(lambda: window.last_view.paused, timeout=5_000)
        assert window.pause_button.text() == "Resume (Space)"
        qtbot.mouseClick(window.pause_button, qtbot_button())
        qtbot.waitUntil(lambda: not window.last_view.paused, timeout=5_000)
        _answer_yes_when_asked(qtbot)
        qtbot.mouseClick(window.stop_button, qtbot_button())
        qtbot.waitUntil(lambda: window.last_view.finished, timeout=10_000)
        assert window.last_view.end_status == "stopped"
        assert window.step_panel.headline.text() == "Session stopped"
        assert not window.start_box.isHidden() and window.start_box.start_button.text() == "Start another session"
        assert not any(button.isEnabled() for button in (*controls, window.skip_button))
    window.close()
    store, _ = SessionStore.open(database_path(tmp_path))
    assert [record.status for record in store.history.sessions()] == ["stopped"] * 3
    store.close()
