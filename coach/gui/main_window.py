"""The coach's main window: the camera picture, what to do now, and live feedback.

The window hears the live pipeline through one `PipelineBridge` (frames, camera lost or
back, problems), on its own thread; it asks the session for things only through the
pipeline's commands, applied on the processing thread.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from coach.base.i18n import tr
from coach.capture.sources import FrameSource
from coach.gui.first_run import run_first_run
from coach.gui.labels import make_label, points, set_text, set_text_scale
from coach.gui.main_menus import build_main_menus
from coach.gui.pipeline_bridge import PipelineBridge
from coach.gui.preferences import PreferenceStore
from coach.gui.session_panels import FeedbackPanel, StepPanel
from coach.gui.start_box import StartBox
from coach.gui.widgets import WARNING, VideoView
from coach.plans.programmes import Programme
from coach.session.coaching import CoachingSession, SessionView
from coach.session.listener import SessionListener
from coach.session.live import LivePipeline, PipelineStats, SourceEvent
from coach.session.phases import Phase, SessionTiming

#: how long closing waits for the session under way to end and be saved
CLOSE_WAIT_S = 2.0


@dataclass
class WindowOptions:
    """What the window needs from the command line."""

    open_source: Callable[[], FrameSource]
    source_label: str
    model_bytes: bytes
    programmes: dict[str, Programme]
    programme_id: str
    #: (save results?, the chosen patient's id or None, where to tell a problem from any
    #: thread) -> what hears the session
    listener_factory: Callable[[bool, int | None, Callable[[str], None]], SessionListener]
    sound_status: Callable[[], str] = lambda: "Sound off"
    set_muted: Callable[[bool], None] = lambda muted: None
    timing: SessionTiming = field(default_factory=SessionTiming)
    open_history: Callable[[QWidget], None] | None = None
    #: (id, label) of every patient, for the start box; None: no patient records here
    list_patients: Callable[[], list[tuple[int, str]]] | None = None
    #: the programme a therapist assigned to a patient, if any
    patient_programme: Callable[[int], Programme | None] | None = None
    #: (parent, what to call when the therapist changed the patients) -> opens their window
    open_therapist: Callable[[QWidget, Callable[[], None]], None] | None = None
    #: what the user chose last time, kept as they change it
    preferences: PreferenceStore = field(default_factory=lambda: PreferenceStore(None))
    #: plays the coach's sound and returns the status line (the first run's sound check)
    play_sound_check: Callable[[], str] = lambda: "Sound off"
    set_volume: Callable[[int], None] = lambda pct: None
    #: where the user's data is kept (shown in About)
    data_dir: Path | None = None
    #: the camera shown at start; None when a video file stands in for it
    camera_number: int | None = None
    #: the speech programs found here, and how to switch to one ("" = automatic, "tones" = none)
    voices: list[str] = field(default_factory=list)
    choose_voice: Callable[[str], None] = lambda voice: None


def stats_line(stats: PipelineStats, display_times: deque[float], latencies_ms: deque[float]) -> str:
    """The stats line (T): frames shown per second, capture-to-screen latency, frames dropped."""
    fps = 0.0
    if len(display_times) > 1:
        fps = (len(display_times) - 1) / max(display_times[-1] - display_times[0], 1e-6)
    latencies = np.array(latencies_ms) if latencies_ms else np.zeros(1)
    p50, p95 = np.percentile(latencies, [50, 95])
    return (
        f"{fps:.0f} fps · latency p50 {p50:.0f} ms, p95 {p95:.0f} ms"
        f" · dropped {stats.dropped_for_processing} of {stats.offered_frames}"
    )


class SourceBox(QWidget):
    """Offered when there is no camera picture: another camera number, or a video file."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QGridLayout(self)
        self.camera_index = QSpinBox()
        self.camera_index.setRange(0, 9)
        self.camera_index.setAccessibleName(tr("Camera number"))
        self.use_camera = QPushButton(tr("Use this camera"))
        self.use_file = QPushButton(tr("Use a video file…"))
        layout.addWidget(make_label(tr("Camera number:"), 13), 0, 0)
        layout.addWidget(self.camera_index, 0, 1)
        layout.addWidget(self.use_camera, 0, 2)
        layout.addWidget(self.use_file, 1, 0, 1, 3)


class MainWindow(QMainWindow):
    def __init__(self, options: WindowOptions) -> None:
        super().__init__()
        self.options = options
        self.setWindowTitle(tr("Facial Symmetry Coach"))
        self.resize(1280, 720)
        self.preferences = options.preferences
        set_text_scale(self.preferences.current.text_scale_pct)
        #: other pictures of the camera (the first run's preview) fed with every frame
        self.previews: list[VideoView] = []
        self.camera_number = options.camera_number
        self.latencies_ms: deque[float] = deque(maxlen=600)
        self.display_times: deque[float] = deque(maxlen=90)
        self.last_view: SessionView | None = None
        self.session: CoachingSession | None = None
        self.camera_ok = False
        #: problems shown since the session started, oldest first
        self._problems: list[str] = []
        self.bridge = PipelineBridge(self)
        self._build()
        self.bridge.frame_arrived.connect(self._show_latest)
        self.bridge.source_event.connect(self._on_source_event)
        self.bridge.problem_reported.connect(self._show_problem)
        self.pipeline = self._new_pipeline(options.open_source)
        self.pipeline.start()
        self.preferences.keep_window("main", self)

    # ----- layout ------------------------------------------------------------------
    def _build(self) -> None:
        central = QWidget()
        layout = QHBoxLayout(central)
        self.video = VideoView()
        layout.addWidget(self.video, stretch=3)
        panel = QWidget()
        column = QVBoxLayout(panel)
        options = self.options
        self.step_panel = StepPanel()
        self.start_box = StartBox(options.programmes, options.programme_id, options.list_patients,
                                  options.patient_programme)  # fmt: skip
        self.start_box.choose_patient(self.preferences.current.last_patient_id)
        self.source_box = SourceBox()
        self.source_box.hide()
        self.feedback_panel = FeedbackPanel()
        #: problems from the worker threads, shown until the next session starts
        self.problem = make_label("", 13)
        self.problem.setStyleSheet(f"color: {WARNING.name()};")
        self.problem.hide()
        for widget in (self.step_panel, self.start_box, self.source_box):
            column.addWidget(widget)
        column.addWidget(self.feedback_panel, stretch=1)
        column.addWidget(self.problem)
        column.addStretch(0)
        column.addLayout(self._build_controls())
        # large text makes the panel wider, then taller: it scrolls rather than clip
        self.panel = QScrollArea()
        self.panel.setWidget(panel)
        self.panel.setWidgetResizable(True)
        self.panel.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.panel.setFrameShape(QFrame.Shape.NoFrame)
        self._fit_panel()
        layout.addWidget(self.panel)
        self.setCentralWidget(central)
        self.sound_label = make_label(options.sound_status(), 11, wrap=False)
        self.source_label = make_label(options.source_label, 11, wrap=False)
        self.stats_label = make_label("", 11, wrap=False)
        self.stats_label.hide()
        self.statusBar().addWidget(self.source_label)
        self.statusBar().addWidget(self.sound_label)
        self.statusBar().addPermanentWidget(self.stats_label)
        self.start_box.start_button.clicked.connect(self.start_session)
        self.step_panel.accept_rest_button.clicked.connect(lambda: self.pipeline.command("accept_rest"))
        self.source_box.use_camera.clicked.connect(self._use_camera)
        self.source_box.use_file.clicked.connect(self.use_file)

    def _build_controls(self) -> QVBoxLayout:
        """The session's buttons, the display toggles and the records buttons, with their keys."""
        controls = QVBoxLayout()
        self.session_buttons = QGridLayout()
        self.pause_button = QPushButton(tr("Pause (Space)"))
        self.skip_button = QPushButton(tr("Skip (S)"))
        self.stop_button = QPushButton(tr("Stop (Esc)"))
        for button in (self.pause_button, self.skip_button, self.stop_button):
            button.setMinimumHeight(36)
            button.setEnabled(False)
        toggles = QGridLayout()  # two by two: room for large text
        remembered = self.preferences.current
        self.mirror_box = QCheckBox(tr("Mirror (F)"))
        self.mirror_box.setChecked(remembered.mirrored)
        self.video.set_mirrored(remembered.mirrored)
        self.overlay_box = QCheckBox(tr("Landmarks (O)"))
        self.mute_box = QCheckBox(tr("Mute (M)"))
        self.mute_box.setChecked(remembered.muted)
        self.stats_box = QCheckBox(tr("Stats (T)"))
        for i, box in enumerate((self.mirror_box, self.overlay_box, self.mute_box, self.stats_box)):
            toggles.addWidget(box, i // 2, i % 2)
        self.history_button = QPushButton(tr("My past sessions…"))
        self.therapist_button = QPushButton(tr("Patients and programmes…"))
        self.show_therapist_button(remembered.use != "home")
        records = QVBoxLayout()
        records.addWidget(self.history_button)
        records.addWidget(self.therapist_button)
        for row in (self.session_buttons, toggles, records):
            controls.addLayout(row)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.skip_button.clicked.connect(lambda: self.pipeline.command("skip"))
        self.stop_button.clicked.connect(self.ask_to_stop)
        self.mirror_box.toggled.connect(self._set_mirrored)
        self.overlay_box.toggled.connect(self._set_overlay)
        self.mute_box.toggled.connect(self._set_muted)
        self.stats_box.toggled.connect(lambda on: self.stats_label.setVisible(on))
        self.history_button.clicked.connect(self.open_history)
        self.therapist_button.clicked.connect(self.open_therapist)
        build_main_menus(self)
        return controls

    # ----- pipeline ----------------------------------------------------------------
    def _new_pipeline(self, open_source: Callable[[], FrameSource]) -> LivePipeline:
        return LivePipeline(open_source, self.options.model_bytes, self.bridge)

    def replace_source(self, open_source: Callable[[], FrameSource], label: str) -> None:
        """Switch camera or file; a session under way continues with the new source."""
        session = self.pipeline.processing.session
        self.pipeline.stop()
        self.pipeline = self._new_pipeline(open_source)
        if session is not None:
            self.pipeline.command("start", session)
        self.pipeline.start()
        self.source_label.setText(label)
        self.source_box.hide()

    def start_session(self) -> None:
        start = self.start_box
        self._problems.clear()
        self.problem.hide()
        self.preferences.update(last_patient_id=start.chosen_patient(), last_programme_id=start.chosen_programme().id)
        listener = self.options.listener_factory(start.saves_results(), start.chosen_patient(), self.bridge.problem)
        self.session = CoachingSession(start.chosen_programme(), listener, self.options.timing,
                                       keep_snapshots=start.keeps_pictures())  # fmt: skip
        self.pipeline.command("start", self.session)
        start.hide()
        self.feedback_panel.clear(self._left_on_screen_left())
        for button in (self.pause_button, self.skip_button, self.stop_button):
            button.setEnabled(True)

    def ask_to_stop(self) -> None:
        """Stop the session after asking (Esc and the Stop button): a stray key must not end it."""
        view = self.last_view
        if self.session is None or view is None or view.finished:
            return
        answer = QMessageBox.question(
            self,
            tr("Stop the session?"),
            tr("Stop this session now? What you have done so far is kept."),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.pipeline.command("stop")

    def toggle_pause(self) -> None:
        view = self.last_view
        if view is None or view.finished:
            return
        self.pipeline.command("resume" if view.paused else "pause")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        """End the session under way (so it is saved as stopped), then stop the threads."""
        self.pipeline.end_session(CLOSE_WAIT_S)
        self.pipeline.stop()
        super().closeEvent(event)

    # ----- showing -----------------------------------------------------------------
    def _show_problem(self, message: str) -> None:
        """What went wrong behind the screen (a result or picture that could not be saved)."""
        if message not in self._problems:
            self._problems.append(message)
        set_text(self.problem, "\n".join(self._problems))
        self.problem.show()

    def _show_latest(self) -> None:
        frame = self.pipeline.display.take()
        if frame is None:
            return
        now = time.monotonic()
        if frame.image_rgb.shape[1] > 1:
            self.video.set_frame(frame.image_rgb, frame.face_px)
            for preview in self.previews:
                preview.set_frame(frame.image_rgb, frame.face_px)
            self.latencies_ms.append((now - frame.captured_at) * 1000.0)
            self.display_times.append(now)
            self.camera_ok = True
        if frame.view is not None:
            self._show_view(frame.view)
        if self.stats_box.isChecked():
            self.stats_label.setText(self.stats_text())

    def stats_text(self) -> str:
        return stats_line(self.pipeline.stats, self.display_times, self.latencies_ms)

    def _show_view(self, view: SessionView) -> None:
        if self.session is not None and view.session_serial != self.session.serial:
            return  # a frame of the session before this one, still on its way to the screen
        self.last_view = view
        self.step_panel.show_view(view)
        self.feedback_panel.show_view(view, self._left_on_screen_left())
        self.pause_button.setText(tr("Resume (Space)") if view.paused else tr("Pause (Space)"))
        # nothing to skip while the camera is checked: there is no face to go on with yet
        self.skip_button.setEnabled(not view.finished and view.phase is not Phase.CAMERA_CHECK)
        if view.finished:
            for button in (self.pause_button, self.skip_button, self.stop_button):
                button.setEnabled(False)
            self.start_box.show()
            self.start_box.start_button.setText(tr("Start another session"))

    def _left_on_screen_left(self) -> bool:
        return self.video.screen_side_of("left") == "left"

    # ----- sources and toggles -----------------------------------------------------
    def _on_source_event(self, event: SourceEvent) -> None:
        if not event.lost:
            self.source_box.hide()
            return
        self.video.clear(event.message[:1].upper() + event.message[1:])
        if not self.camera_ok or self.session is None:
            # no picture yet: offer another camera or a video file instead of failing
            self.source_box.show()
            self.step_panel.say(
                tr("No camera picture"), tr("Connect a camera, or choose another camera number or a video file below.")
            )

    def _use_camera(self) -> None:
        self.use_camera(self.source_box.camera_index.value())

    def use_camera(self, index: int) -> None:
        """Switch to camera `index` and remember it for the next start."""
        from coach.capture.sources import CameraSource

        self.preferences.update(camera=index)
        self.camera_number = index
        self.replace_source(lambda: CameraSource(index), tr("camera {number}", number=index))

    def use_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Choose a video file"), str(Path.home()),
                                              tr("Videos ({patterns});;All files (*)",
                                                 patterns="*.mp4 *.mov *.avi *.mkv *.webm"))  # fmt: skip
        if path:
            from coach.capture.sources import VideoFileSource
            from coach.session.live import PacedSource

            self.replace_source(lambda: PacedSource(lambda: VideoFileSource(path)), Path(path).name)

    def _set_mirrored(self, on: bool) -> None:
        self.preferences.update(mirrored=on)
        self.video.set_mirrored(on)
        for preview in self.previews:
            preview.set_mirrored(on)
        self.feedback_panel.set_sides(self._left_on_screen_left())

    def _set_overlay(self, on: bool) -> None:
        self.video.show_overlay = on
        self.video.update()

    def _set_muted(self, on: bool) -> None:
        self.preferences.update(muted=on)
        self.options.set_muted(on)
        self.sound_label.setText(self.options.sound_status())

    def show_therapist_button(self, shown: bool) -> None:
        """A therapist's computer shows the patients button; at home it stays in the Records menu."""
        self.therapist_button.setVisible(shown and self.options.open_therapist is not None)

    def open_history(self) -> None:
        if self.options.open_history is not None:
            self.options.open_history(self)

    def open_therapist(self) -> None:
        if self.options.open_therapist is not None:
            self.options.open_therapist(self, self.start_box.refresh_patients)

    def set_text_size(self, percent: int) -> None:
        """All text at `percent` % (100-200), now and at every later start."""
        self.preferences.update(text_scale_pct=percent)
        set_text_scale(percent)
        self._fit_panel()

    def _fit_panel(self) -> None:
        """The side panel grows with the text (up to 1.5×), then wraps and scrolls."""
        self.panel.setFixedWidth(round(480 * min(points(1.0), 1.5)))
        across = points(1.0) < 1.5  # side by side, or one under another with large text
        for i, button in enumerate((self.pause_button, self.skip_button, self.stop_button)):
            self.session_buttons.addWidget(button, 0 if across else i, i if across else 0)

    # ----- help and set-up ---------------------------------------------------------
    def show_welcome(self) -> None:
        """The first-run pages again: camera, sound check, who uses this computer."""
        run_first_run(self)
