"""The coach's main window: the camera picture, what to do now, and live feedback.

The window is one subscriber of the session controller's events, heard on its own thread
through a `SessionBridge` (what to show, the camera lost or back, problems, refusals); it
asks the session for things only by sending typed commands (origin: the patient).
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
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from coach.base.i18n import tr
from coach.capture.sources import CameraSource, FrameSource
from coach.gui.first_run import run_first_run
from coach.gui.labels import make_label, points, set_text, set_text_scale
from coach.gui.main_menus import build_main_menus
from coach.gui.preferences import PreferenceStore
from coach.gui.remote_share import StartSharing
from coach.gui.session_bridge import SessionBridge
from coach.gui.session_buttons import SessionButtons
from coach.gui.session_panels import FeedbackPanel, StepPanel
from coach.gui.source_box import SourceBox, ask_video_file
from coach.gui.start_box import StartBox
from coach.gui.supervision import open_supervision
from coach.gui.widgets import WARNING, VideoView
from coach.plans.programmes import Programme
from coach.records.models import Patient
from coach.session.coaching import SessionView
from coach.session.commands import AcceptRest, Origin, Start
from coach.session.controller import SessionController
from coach.session.events import CameraChanged, CommandRefused, Problem, SessionEvent
from coach.session.live import LivePipeline, PipelineStats

#: how long closing waits for the session under way to end and be saved
CLOSE_WAIT_S = 2.0
#: how long a refused command's reason stays in the status bar
REFUSAL_SHOWN_MS = 6000


@dataclass
class WindowOptions:
    """What the window needs from the command line."""

    open_source: Callable[[], FrameSource]
    #: the source's name for the status bar and the records, in the language in use when asked
    source_label: Callable[[], str]
    model_bytes: bytes
    programmes: dict[str, Programme]
    programme_id: str
    #: the live sessions (the records and the sound already subscribed to its events)
    controller: SessionController = field(default_factory=SessionController)
    #: results can be kept here (False: the database could not be opened)
    can_save: bool = True
    sound_status: Callable[[], str] = lambda: "Sound off"
    #: how someone with closed eyes will know when to open them here (commands.Start.eyes_closed_cue)
    eyes_closed_cue: Callable[[], str] = lambda: "tones"
    set_muted: Callable[[bool], None] = lambda muted: None
    open_history: Callable[[QWidget], None] | None = None
    #: (id, label) of every patient, for the start box; None: no patient records here
    list_patients: Callable[[], list[tuple[int, str]]] | None = None
    #: the programme a therapist assigned to a patient, if any
    patient_programme: Callable[[int], Programme | None] | None = None
    #: a patient from the records by id (the supervision view names whose session it is)
    patient_of: Callable[[int | None], Patient | None] = lambda patient_id: None
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
    #: shares the live sessions with a therapist elsewhere: (relay, patient's name, on_state) ->
    #: the shared link (`gui/remote_share.py`); None: not offered
    share_remotely: StartSharing | None = None


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


class MainWindow(QMainWindow):
    def __init__(self, options: WindowOptions, pipeline: LivePipeline | None = None) -> None:
        """pipeline: the camera pipeline of a window this one takes over from (`gui/rebuild.py`);
        None: open the camera anew."""
        super().__init__()
        self.options = options
        self.setWindowTitle(tr("Facial Symmetry Coach"))
        self.resize(1280, 720)
        self.preferences = options.preferences
        set_text_scale(self.preferences.current.text_scale_pct)
        self.previews: list[VideoView] = []  # other pictures of the camera fed with every frame
        self.camera_number = options.camera_number
        self.latencies_ms: deque[float] = deque(maxlen=600)
        self.display_times: deque[float] = deque(maxlen=90)
        self.last_view: SessionView | None = None
        self.old_sessions_upto = 0  # views of sessions up to this serial are old news
        self.camera_ok = False
        #: problems shown since the session started, oldest first
        self.problems_shown: list[str] = []
        #: a window built anew took over the session and the camera: closing this one keeps both
        self.detached = False
        self.controller = options.controller
        self.bridge = SessionBridge(self)
        self._build()
        self.bridge.picture_arrived.connect(self._show_picture)
        self.bridge.view_arrived.connect(self._show_newest_view)
        self.bridge.event_arrived.connect(self._on_event)
        self._unsubscribe = self.controller.events.subscribe(self.bridge)
        self.destroyed.connect(self._unsubscribe)
        if pipeline is None:
            self.pipeline = self._new_pipeline(options.open_source)
            self.pipeline.start()
        else:
            self.pipeline = pipeline
            pipeline.redirect(self.bridge.picture_ready)
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
        self.step_panel = StepPanel(self.video)
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
        # large text makes the panel wider, then taller: it scrolls rather than clip; the
        # session's buttons stay in view under it (a patient never scrolls to find Pause)
        self.panel = QScrollArea()
        self.panel.setWidget(panel)
        self.panel.setWidgetResizable(True)
        self.panel.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.panel.setFrameShape(QFrame.Shape.NoFrame)
        side = QWidget()
        side_column = QVBoxLayout(side)
        side_column.setContentsMargins(0, 0, 0, 0)
        side_column.addWidget(self.panel, stretch=1)
        # in view whatever the text size: Start while no session runs, then Pause, Skip and Stop
        side_column.addWidget(self.start_box.start_button)
        side_column.addWidget(self.session_buttons)
        self.show_session_running(False)
        self.side = side
        self._fit_panel()
        layout.addWidget(side)
        self.setCentralWidget(central)
        # (they wrap: the status bar grows a line rather than cut a long notice short)
        self.sound_label = make_label("", 11)
        self.show_sound_status()
        #: what the source is called, in the language in use when asked
        self.describe_source = options.source_label
        self.source_label = make_label(self.describe_source(), 11)
        self.stats_label = make_label("", 11, wrap=False)
        self.stats_label.hide()
        self.statusBar().addWidget(self.source_label)
        self.statusBar().addWidget(self.sound_label)
        self.statusBar().addPermanentWidget(self.stats_label)
        self.start_box.start_button.clicked.connect(self.start_session)
        self.step_panel.accept_rest_button.clicked.connect(lambda: self.session_buttons.send(AcceptRest))
        self.source_box.camera_chosen.connect(self.use_camera)
        self.source_box.use_file.clicked.connect(self.use_file)

    def _build_controls(self) -> QVBoxLayout:
        """The session's buttons, the display toggles and the records buttons, with their keys."""
        controls = QVBoxLayout()
        self.session_buttons = SessionButtons(self.controller)
        self.pause_button, self.skip_button, self.stop_button = self.session_buttons.buttons
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
        for row in (toggles, records):
            controls.addLayout(row)
        self.mirror_box.toggled.connect(self._set_mirrored)
        self.overlay_box.toggled.connect(self.video.set_overlay)
        self.mute_box.toggled.connect(self._set_muted)
        self.stats_box.toggled.connect(lambda on: self.stats_label.setVisible(on))
        self.history_button.clicked.connect(self.open_history)
        self.therapist_button.clicked.connect(self.open_therapist)
        build_main_menus(self)
        return controls

    # ----- pipeline ----------------------------------------------------------------
    def _new_pipeline(self, open_source: Callable[[], FrameSource]) -> LivePipeline:
        return LivePipeline(open_source, self.options.model_bytes, self.controller, self.bridge.picture_ready)

    def replace_source(self, open_source: Callable[[], FrameSource], describe: Callable[[], str]) -> None:
        """Switch camera or file; a session under way continues with the new source."""
        self.pipeline.stop()
        self.pipeline = self._new_pipeline(open_source)
        self.pipeline.start()
        self.describe_source = describe
        self.source_label.setText(describe())
        self.source_box.hide()

    def start_session(self) -> None:
        start = self.start_box
        if self.last_view is not None and not self.last_view.finished:
            return  # one session at a time (the start box is hidden meanwhile; its key is not)
        self.problems_shown.clear()
        self.problem.hide()
        self.preferences.update(last_patient_id=start.chosen_patient(), last_programme_id=start.chosen_programme().id)
        self.old_sessions_upto = self.last_view.session_serial if self.last_view is not None else 0
        self.controller.send(Start(
            origin=Origin.PATIENT, programme=start.chosen_programme(), patient_id=start.chosen_patient(),
            save_results=start.saves_results() and self.options.can_save, keep_pictures=start.keeps_pictures(),
            source_name=self.source_label.text(), eyes_closed_cue=self.options.eyes_closed_cue(),
        ))  # fmt: skip
        self.show_session_running(True)
        affected = getattr(self.options.patient_of(start.chosen_patient()), "affected_side", None)  # (None: nobody)
        self.feedback_panel.clear(self._left_on_screen_left(), affected)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        """End the session (saved as stopped) and the threads; a window taken over only stops listening."""
        self._unsubscribe()
        if not self.detached:
            self.pipeline.end_session(CLOSE_WAIT_S)
            self.pipeline.stop()
        super().closeEvent(event)

    # ----- showing -----------------------------------------------------------------
    def show_problem(self, message: str) -> None:
        """What went wrong behind the screen (a result or picture that could not be saved)."""
        if message not in self.problems_shown:
            self.problems_shown.append(message)
        set_text(self.problem, "\n".join(self.problems_shown))
        self.problem.show()

    def _on_event(self, event: SessionEvent) -> None:
        match event:
            case CameraChanged():
                self._on_source_event(event)
            case Problem(message=message):
                self.show_problem(message)
            case CommandRefused(reason=reason):
                self.statusBar().showMessage(reason, REFUSAL_SHOWN_MS)

    def _show_picture(self) -> None:
        picture = self.pipeline.display.take()
        if picture is None:
            return
        now = time.monotonic()
        self.video.set_frame(picture.image_rgb, picture.face_px)
        for preview in self.previews:
            preview.set_frame(picture.image_rgb, picture.face_px)
        self.latencies_ms.append((now - picture.captured_at) * 1000.0)
        self.display_times.append(now)
        self.camera_ok = True
        if self.stats_box.isChecked():
            self.stats_label.setText(self.stats_text())

    def stats_text(self) -> str:
        return stats_line(self.pipeline.stats, self.display_times, self.latencies_ms)

    def _show_newest_view(self) -> None:
        view = self.bridge.views.take()
        if view is not None:
            self.show_view(view)

    def show_view(self, view: SessionView) -> None:
        if view.session_serial <= self.old_sessions_upto:
            return  # the session before this one, still on its way to the screen
        self.last_view = view
        self.step_panel.show_view(view)
        self.feedback_panel.show_view(view, self._left_on_screen_left())
        self.session_buttons.show_view(view)
        if view.finished:
            self.show_session_running(False)
            self.start_box.start_button.setText(tr("Start another session"))

    def show_session_running(self, running: bool) -> None:
        """The start box and its button while no session runs; the session's buttons while one does."""
        self.start_box.setVisible(not running)
        self.start_box.start_button.setVisible(not running)
        self.session_buttons.setVisible(running)

    def _left_on_screen_left(self) -> bool:
        return self.video.screen_side_of("left") == "left"

    # ----- sources and toggles -----------------------------------------------------
    def _on_source_event(self, event: CameraChanged) -> None:
        if not event.lost:
            self.source_box.hide()
            return
        self.video.clear(event.message[:1].upper() + event.message[1:])
        if not self.camera_ok or self.last_view is None or self.last_view.finished:
            # no picture yet: offer another camera or a video file instead of failing
            self.source_box.show()
            self.step_panel.say(
                tr("No camera picture"), tr("Connect a camera, or choose another camera number or a video file below.")
            )

    def use_camera(self, index: int) -> None:
        """Switch to camera `index` and remember it for the next start."""
        self.preferences.update(camera=index)
        self.camera_number = index
        self.replace_source(lambda: CameraSource(index), lambda: tr("camera {number}", number=index))

    def use_file(self) -> None:
        chosen = ask_video_file(self)
        if chosen is not None:
            self.replace_source(*chosen)

    def _set_mirrored(self, on: bool) -> None:
        self.preferences.update(mirrored=on)
        self.video.set_mirrored(on)
        for preview in self.previews:
            preview.set_mirrored(on)
        self.feedback_panel.set_sides(self._left_on_screen_left())

    def _set_muted(self, on: bool) -> None:
        self.preferences.update(muted=on)
        self.options.set_muted(on)
        self.show_sound_status()

    def show_sound_status(self) -> None:
        """What sound there is, in a few words; why (which device is missing), when pointed at."""
        status = self.options.sound_status()
        self.sound_label.setText(status.partition(" (")[0])
        self.sound_label.setToolTip(status)

    def show_therapist_button(self, shown: bool) -> None:
        """A therapist's computer shows the patients button; at home it stays in the Records menu."""
        self.therapist_button.setVisible(shown and self.options.open_therapist is not None)

    def supervise(self) -> None:
        """The therapist's view of this window's session, on a second screen (`gui/supervision.py`)."""
        open_supervision(self, self.controller, self.options.patient_of, self.previews)

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
        self.side.setFixedWidth(round(480 * min(points(1.0), 1.5)))

    # ----- help and set-up ---------------------------------------------------------
    def show_welcome(self) -> None:
        """The first-run pages again: camera, sound check, who uses this computer."""
        run_first_run(self)
