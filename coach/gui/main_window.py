"""The coach's main window: the camera picture, what to do now, and live feedback."""

from __future__ import annotations

import queue
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from coach.coaching import REP_PHASES, CoachingSession, Phase, SessionListener, SessionTiming, SessionView
from coach.gui.widgets import CAUTION, GOOD, STATUS_COLOURS, WARNING, ExerciseIllustration, SideBars, VideoView
from coach.live import LivePipeline, SourceEvent
from coach.programmes import Programme
from coach.sources import FrameSource


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
    choose_source: Callable[[FrameSource | None, str], None] | None = None
    #: (id, label) of every patient, for the start box; None: no patient records here
    list_patients: Callable[[], list[tuple[int, str]]] | None = None
    #: the programme a therapist assigned to a patient, if any
    patient_programme: Callable[[int], Programme | None] | None = None
    open_therapist: Callable[[QWidget], None] | None = None


def _set_style(widget: QWidget, css: str) -> None:
    """Restyle only on change: setting a style sheet re-polishes the widget (costly per frame)."""
    if widget.styleSheet() != css:
        widget.setStyleSheet(css)


def _set_text(label: QLabel, text: str) -> None:
    if label.text() != text:
        label.setText(text)


def _label(text: str = "", size: int = 13, bold: bool = False, wrap: bool = True) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSize(size)
    font.setBold(bold)
    label.setFont(font)
    label.setWordWrap(wrap)
    return label


class MainWindow(QMainWindow):
    frame_ready = Signal()
    source_event = Signal(object)

    def __init__(self, options: WindowOptions) -> None:
        super().__init__()
        self.options = options
        self.setWindowTitle("Facial Symmetry Coach")
        self.resize(1280, 720)
        self.latencies_ms: deque[float] = deque(maxlen=600)
        self.display_times: deque[float] = deque(maxlen=90)
        self.last_view: SessionView | None = None
        self.session: CoachingSession | None = None
        self.camera_ok = False
        self._build()
        self.frame_ready.connect(self._show_latest)
        self.source_event.connect(self._on_source_event)
        self.pipeline = self._new_pipeline(options.open_source)
        self.pipeline.start()

    # ----- layout ------------------------------------------------------------------
    def _build(self) -> None:
        central = QWidget()
        layout = QHBoxLayout(central)
        self.video = VideoView()
        layout.addWidget(self.video, stretch=3)
        panel = QWidget()
        panel.setFixedWidth(440)
        column = QVBoxLayout(panel)
        self.progress_label = _label("", 12)
        self.headline = _label("Welcome", 24, bold=True)
        self.detail = _label("Choose a programme and press Start. Sit facing the camera in good light.", 14)
        self.phase_bar = QProgressBar()
        self.phase_bar.setTextVisible(False)
        self.phase_bar.setFixedHeight(14)
        self.illustration = ExerciseIllustration()
        self.bars = SideBars()
        self.symmetry = _label("", 18, bold=True)
        self.symmetry.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.alert = _label("", 14, bold=True)
        self.alert.setStyleSheet(f"background: {WARNING.name()}; color: white; padding: 6px; border-radius: 6px;")
        self.alert.hide()
        #: problems from the worker threads, shown until the next session starts
        self.problem = _label("", 13)
        self.problem.setStyleSheet(f"color: {WARNING.name()};")
        self.problem.hide()
        self._problems: queue.Queue[str] = queue.Queue()
        self._last_error_shown = ""
        self.results = QTableWidget(0, 6)
        self.results.setHorizontalHeaderLabels(["Exercise", "Reps", "Left mm", "Right mm", "Symmetry", "Weaker"])
        self.results.verticalHeader().hide()
        self.results.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.results.horizontalHeader()
        header.setSectionResizeMode(0, header.ResizeMode.Stretch)
        for column_index in range(1, 6):
            header.setSectionResizeMode(column_index, header.ResizeMode.ResizeToContents)
        self.results.hide()
        # start controls
        self.start_box = QWidget()
        start_layout = QGridLayout(self.start_box)
        self.programme = QComboBox()
        for programme in self.options.programmes.values():
            self.programme.addItem(programme.name, programme.id)
        index = self.programme.findData(self.options.programme_id)
        self.programme.setCurrentIndex(max(index, 0))
        self.patient = QComboBox()
        self.patient.addItem("No patient", None)
        self.patient.setToolTip("Whose session this is: it is saved in that patient's history")
        self._assigned_programme_id: str | None = None
        self.save_results = QCheckBox("Save my results on this computer (numbers only, never video)")
        self.save_results.setChecked(True)
        self.keep_pictures = QCheckBox("Keep a picture of my face at each exercise's peak")
        self.keep_pictures.setToolTip(
            "For your reports: your face, cropped, once per exercise. It stays on this computer; never video. "
            "Off unless you tick it."
        )
        self.save_results.toggled.connect(self._saving_chosen)
        self.start_button = QPushButton("Start session")
        self.start_button.setMinimumHeight(44)
        self.patient_label = _label("Patient:", 13)
        start_layout.addWidget(self.patient_label, 0, 0)
        start_layout.addWidget(self.patient, 0, 1)
        start_layout.addWidget(_label("Programme:", 13), 1, 0)
        start_layout.addWidget(self.programme, 1, 1)
        start_layout.addWidget(self.save_results, 2, 0, 1, 2)
        start_layout.addWidget(self.keep_pictures, 3, 0, 1, 2)
        start_layout.addWidget(self.start_button, 4, 0, 1, 2)
        # shown once there is a patient to choose (a home user without records never sees it)
        self.patient_label.hide()
        self.patient.hide()
        # no-camera controls
        self.source_box = QWidget()
        source_layout = QGridLayout(self.source_box)
        self.camera_index = QSpinBox()
        self.camera_index.setRange(0, 9)
        self.use_camera = QPushButton("Use this camera")
        self.use_file = QPushButton("Use a video file…")
        source_layout.addWidget(_label("Camera number:", 13), 0, 0)
        source_layout.addWidget(self.camera_index, 0, 1)
        source_layout.addWidget(self.use_camera, 0, 2)
        source_layout.addWidget(self.use_file, 1, 0, 1, 3)
        self.source_box.hide()
        for widget in (
            self.progress_label,
            self.headline,
            self.detail,
            self.phase_bar,
            self.start_box,
            self.source_box,
        ):
            column.addWidget(widget)
        column.addWidget(self.illustration, alignment=Qt.AlignmentFlag.AlignHCenter)
        column.addWidget(self.bars, stretch=1)
        column.addWidget(self.symmetry)
        column.addWidget(self.alert)
        column.addWidget(self.problem)
        column.addWidget(self.results, stretch=1)
        buttons = QHBoxLayout()
        self.pause_button = QPushButton("Pause (Space)")
        self.skip_button = QPushButton("Skip (S)")
        self.stop_button = QPushButton("Stop (Esc)")
        for button in (self.pause_button, self.skip_button, self.stop_button):
            button.setMinimumHeight(36)
            button.setEnabled(False)
            buttons.addWidget(button)
        column.addStretch(0)
        column.addLayout(buttons)
        toggles = QHBoxLayout()
        self.mirror_box = QCheckBox("Mirror (F)")
        self.mirror_box.setChecked(True)
        self.overlay_box = QCheckBox("Landmarks (O)")
        self.mute_box = QCheckBox("Mute (M)")
        self.stats_box = QCheckBox("Stats (T)")
        for box in (self.mirror_box, self.overlay_box, self.mute_box, self.stats_box):
            toggles.addWidget(box)
        column.addLayout(toggles)
        self.history_button = QPushButton("My past sessions…")
        self.therapist_button = QPushButton("Patients and programmes…")
        self.therapist_button.setVisible(self.options.open_therapist is not None)
        records = QHBoxLayout()
        records.addWidget(self.history_button)
        records.addWidget(self.therapist_button)
        column.addLayout(records)
        layout.addWidget(panel)
        self.setCentralWidget(central)
        self.sound_label = _label(self.options.sound_status(), 11, wrap=False)
        self.source_label = _label(self.options.source_label, 11, wrap=False)
        self.stats_label = _label("", 11, wrap=False)
        self.statusBar().addWidget(self.source_label)
        self.statusBar().addWidget(self.sound_label)
        self.statusBar().addPermanentWidget(self.stats_label)
        self.illustration.hide()
        self.bars.hide()
        # wiring
        self.start_button.clicked.connect(self.start_session)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.skip_button.clicked.connect(lambda: self.pipeline.command("skip"))
        self.stop_button.clicked.connect(lambda: self.pipeline.command("stop"))
        self.mirror_box.toggled.connect(self._set_mirrored)
        self.overlay_box.toggled.connect(self._set_overlay)
        self.mute_box.toggled.connect(self._set_muted)
        self.stats_box.toggled.connect(lambda on: self.stats_label.setVisible(on))
        self.stats_label.hide()
        self.use_camera.clicked.connect(self._use_camera)
        self.use_file.clicked.connect(self._use_file)
        self.history_button.clicked.connect(self._open_history)
        self.therapist_button.clicked.connect(self._open_therapist)
        self.patient.currentIndexChanged.connect(lambda _index: self._patient_chosen())
        self.refresh_patients()
        for key, handler in (
            (Qt.Key.Key_Space, self.toggle_pause),
            (Qt.Key.Key_S, lambda: self.pipeline.command("skip")),
            (Qt.Key.Key_Escape, lambda: self.pipeline.command("stop")),
            (Qt.Key.Key_M, self.mute_box.toggle),
            (Qt.Key.Key_F, self.mirror_box.toggle),
            (Qt.Key.Key_O, self.overlay_box.toggle),
            (Qt.Key.Key_T, self.stats_box.toggle),
        ):
            action = QAction(self)
            action.setShortcut(QKeySequence(key))
            action.triggered.connect(handler)
            self.addAction(action)

    # ----- pipeline ----------------------------------------------------------------
    def _new_pipeline(self, open_source: Callable[[], FrameSource]) -> LivePipeline:
        return LivePipeline(
            open_source,
            self.options.model_bytes,
            on_frame=self.frame_ready.emit,
            on_event=self.source_event.emit,
        )

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
        programme = self.options.programmes[self.programme.currentData()]
        self.problem.hide()
        listener = self.options.listener_factory(
            self.save_results.isChecked(), self.patient.currentData(), self._problems.put
        )
        keep_pictures = self.save_results.isChecked() and self.keep_pictures.isChecked()
        self.session = CoachingSession(programme, listener, self.options.timing, keep_snapshots=keep_pictures)
        self.pipeline.command("start", self.session)
        self.start_box.hide()
        self.results.hide()
        self.bars.set_feedback(None, self.video.screen_side_of("left") == "left")
        for button in (self.pause_button, self.skip_button, self.stop_button):
            button.setEnabled(True)

    def _saving_chosen(self, saving: bool) -> None:
        """Pictures are kept with the results or not at all."""
        self.keep_pictures.setEnabled(saving)
        if not saving:
            self.keep_pictures.setChecked(False)

    def toggle_pause(self) -> None:
        view = self.last_view
        if view is None or view.finished:
            return
        self.pipeline.command("resume" if view.paused else "pause")

    def closeEvent(self, event: object) -> None:  # noqa: N802 - Qt's name
        if self.session is not None and not self.session.finished:
            self.pipeline.command("stop")
            deadline = time.monotonic() + 2.0
            while not self.session.finished and time.monotonic() < deadline:
                time.sleep(0.05)
        self.pipeline.stop()
        super().closeEvent(event)

    # ----- showing -----------------------------------------------------------------
    def _show_problems(self) -> None:
        """What went wrong behind the screen (a result or picture that could not be saved)."""
        problems = []
        while not self._problems.empty():
            problems.append(self._problems.get_nowait())
        error = self.pipeline.processing.last_error
        if error and error != self._last_error_shown:
            self._last_error_shown = error
            problems.append(error)
        if problems:
            _set_text(self.problem, "\n".join(problems))
            self.problem.show()

    def _show_latest(self) -> None:
        self._show_problems()
        frame = self.pipeline.display.take()
        if frame is None:
            return
        now = time.monotonic()
        if frame.image_rgb.shape[1] > 1:
            self.video.set_frame(frame.image_rgb, frame.face_px)
            self.latencies_ms.append((now - frame.captured_at) * 1000.0)
            self.display_times.append(now)
            self.camera_ok = True
        if frame.view is not None:
            self._show_view(frame.view)
        if self.stats_box.isChecked():
            self.stats_label.setText(self.stats_text())

    def stats_text(self) -> str:
        stats = self.pipeline.stats
        fps = 0.0
        if len(self.display_times) > 1:
            fps = (len(self.display_times) - 1) / max(self.display_times[-1] - self.display_times[0], 1e-6)
        latencies = np.array(self.latencies_ms) if self.latencies_ms else np.zeros(1)
        p50, p95 = np.percentile(latencies, [50, 95])
        return (
            f"{fps:.0f} fps · latency p50 {p50:.0f} ms, p95 {p95:.0f} ms"
            f" · dropped {stats.dropped_for_processing} of {stats.offered_frames}"
        )

    def _show_view(self, view: SessionView) -> None:
        self.last_view = view
        _set_text(self.headline, view.headline)
        _set_text(self.detail, view.detail)
        exercise = view.exercise
        if exercise is not None and view.phase not in (Phase.CAMERA_CHECK, Phase.CALIBRATING):
            rep = f" · repetition {view.rep_number} of {view.rep_total}" if view.phase in REP_PHASES else ""
            _set_text(self.progress_label, f"Exercise {view.exercise_index + 1} of {view.exercise_count}{rep}")
        else:
            stage = "finished" if view.finished else "stopped" if view.phase is Phase.SUMMARY else "getting ready"
            _set_text(self.progress_label, f"{view.programme_name} · {stage}")
        self.phase_bar.setValue(int(view.phase_progress * 100))
        self.pause_button.setText("Resume (Space)" if view.paused else "Pause (Space)")
        showing_exercise = exercise is not None and view.phase in (Phase.INSTRUCTION, Phase.COUNTDOWN, *REP_PHASES)
        self.illustration.setVisible(showing_exercise and view.phase not in REP_PHASES)
        if showing_exercise:
            self.illustration.set_measure(exercise.primary[0])
        feedback = view.feedback
        self.bars.setVisible(view.phase in REP_PHASES)
        self.bars.set_feedback(feedback, self.video.screen_side_of("left") == "left")
        if feedback is not None and feedback.symmetry is not None:
            colour = STATUS_COLOURS.get(feedback.status, CAUTION)
            self.symmetry.setText(f"Symmetry {feedback.symmetry * 100:.0f}%")
            _set_style(self.symmetry, f"color: {colour.name()};")
        elif view.phase in REP_PHASES:
            self.symmetry.setText("Symmetry –")
            _set_style(self.symmetry, "color: #555;")
        else:
            self.symmetry.setText("")
        alerts = feedback.alerts if feedback is not None else ()
        self.alert.setVisible(bool(alerts))
        if alerts:
            self.alert.setText(" ".join(dict.fromkeys(a.message for a in alerts)))
        show_results = view.phase in (Phase.EXERCISE_RESULT, Phase.SUMMARY) and bool(view.results)
        self.results.setVisible(show_results)
        if show_results:
            self._fill_results(view)
        if view.finished:
            for button in (self.pause_button, self.skip_button, self.stop_button):
                button.setEnabled(False)
            self.start_box.show()
            self.start_button.setText("Start another session")
        colour = GOOD if view.phase is Phase.CAMERA_CHECK and view.camera_check and view.camera_check.ok else None
        _set_style(self.detail, f"color: {colour.name()};" if colour else "")

    def _fill_results(self, view: SessionView) -> None:
        results = view.results if view.phase is Phase.SUMMARY else view.results[-1:]
        self.results.setRowCount(len(results))
        for row, result in enumerate(results):
            s = result.summary
            cells = [
                result.exercise.name + ("" if result.status == "completed" else f" ({result.status})"),
                str(s.reps),
                "-" if s.left_mm is None else f"{s.left_mm:.1f}",
                "-" if s.right_mm is None else f"{s.right_mm:.1f}",
                "-" if s.symmetry is None else f"{s.symmetry * 100:.0f}%",
                "even" if s.weaker_side is None and s.reps else (s.weaker_side or "-"),
            ]
            for column, text in enumerate(cells):
                self.results.setItem(row, column, QTableWidgetItem(text))

    # ----- sources and toggles -----------------------------------------------------
    def _on_source_event(self, event: SourceEvent) -> None:
        if event.lost:
            self.video.clear(event.message[:1].upper() + event.message[1:])
            if not self.camera_ok or self.session is None:
                # no picture yet: offer another camera or a video file instead of failing
                self.source_box.show()
                self.headline.setText("No camera picture")
                self.detail.setText("Connect a camera, or choose another camera number or a video file below.")
        else:
            self.source_box.hide()

    def _use_camera(self) -> None:
        from coach.sources import CameraSource

        index = self.camera_index.value()
        self.replace_source(lambda: CameraSource(index), f"camera {index}")

    def _use_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a video file", str(Path.home()),
                                              "Videos (*.mp4 *.mov *.avi *.mkv *.webm);;All files (*)")  # fmt: skip
        if path:
            from coach.live import PacedSource
            from coach.sources import VideoFileSource

            self.replace_source(lambda: PacedSource(lambda: VideoFileSource(path)), Path(path).name)

    def _set_mirrored(self, on: bool) -> None:
        self.video.set_mirrored(on)
        self.bars.set_feedback(self.bars.feedback, self.video.screen_side_of("left") == "left")

    def _set_overlay(self, on: bool) -> None:
        self.video.show_overlay = on
        self.video.update()

    def _set_muted(self, on: bool) -> None:
        self.options.set_muted(on)
        self.sound_label.setText(self.options.sound_status())

    def _open_history(self) -> None:
        if self.options.open_history is not None:
            self.options.open_history(self)

    def _open_therapist(self) -> None:
        if self.options.open_therapist is not None:
            self.options.open_therapist(self)

    # ----- patients ----------------------------------------------------------------
    def refresh_patients(self) -> None:
        """Re-read the patients for the start box (after the therapist's window changed them)."""
        if self.options.list_patients is None:
            return
        chosen = self.patient.currentData()
        self.patient.blockSignals(True)
        try:
            self.patient.clear()
            self.patient.addItem("No patient", None)
            for patient_id, label in self.options.list_patients():
                self.patient.addItem(label, int(patient_id))
            self.patient.setCurrentIndex(max(self.patient.findData(chosen), 0))
        finally:
            self.patient.blockSignals(False)
        self.patient_label.setVisible(self.patient.count() > 1)
        self.patient.setVisible(self.patient.count() > 1)
        self._patient_chosen()

    def _patient_chosen(self) -> None:
        """Offer the chosen patient's assigned programme first in the programme list, and choose it."""
        if self._assigned_programme_id is not None:
            index = self.programme.findData(self._assigned_programme_id)
            if index >= 0:
                was_chosen = index == self.programme.currentIndex()
                self.programme.removeItem(index)
                if was_chosen:
                    self.programme.setCurrentIndex(max(self.programme.findData(self.options.programme_id), 0))
            self.options.programmes.pop(self._assigned_programme_id, None)
            self._assigned_programme_id = None
        patient_id = self.patient.currentData()
        if patient_id is None or self.options.patient_programme is None:
            return
        programme = self.options.patient_programme(patient_id)
        if programme is None:
            return
        self.options.programmes[programme.id] = programme
        self._assigned_programme_id = programme.id
        self.programme.insertItem(0, f"{programme.name} (assigned)", programme.id)
        self.programme.setItemData(
            0, f"Assigned to {self.patient.currentText()} by the therapist", Qt.ItemDataRole.ToolTipRole
        )
        self.programme.setCurrentIndex(0)
