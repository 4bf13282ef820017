"""Starting the desktop app: source, model, sound, database, then the window.

Qt is imported only once a display is known to exist (Qt would abort the whole process
without one), so this module imports nothing of it at the top.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coach.base import i18n
from coach.base.errors import CoachError
from coach.base.i18n import tr
from coach.base.userdirs import default_data_dir
from coach.capture.sources import CameraSource, FrameSource, VideoFileSource
from coach.plans.exercises import load_exercises
from coach.plans.programmes import Programme, load_programmes, programme_from_prescription
from coach.remote.therapist_side import FollowedSession
from coach.session.controller import SessionController
from coach.session.live import PacedSource
from coach.session.phases import SessionTiming
from coach.sound.audio_coach import AudioCoach, open_audio_coach
from coach.sound.speech import TONES_ONLY, available_voices, find_speaker
from coach.usecases.clinic import patient_label
from coach.usecases.live_session import LiveRecords, SoundPrompter
from coach.usecases.remote_supervision import follow_remote_session, share_live_session

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QDialog, QWidget

    from coach.gui.main_window import MainWindow
    from coach.gui.preferences import PreferenceStore
    from coach.gui.therapist.window import TherapistWindow


def run_app(args: argparse.Namespace, model_bytes: bytes) -> int:
    """Open the main window on the chosen camera or video file; returns the exit status."""
    from coach.gui.display_check import window_problem

    problem = window_problem()
    if problem:  # Qt would abort the whole process with a page of text: say what to do instead
        raise CoachError(problem)
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from coach.gui.preferences import PreferenceStore

    app = QApplication.instance() or _open_application()
    preferences = PreferenceStore.in_data_folder(_data_dir(args))
    window, notices, audio = build_window(args, model_bytes, preferences=preferences)
    notices = [*preferences.problems, *notices]
    window.show()
    hold_shown_s = getattr(args, "quit_when_shown", None)
    unattended = getattr(args, "start", False) or hold_shown_s is not None
    if unattended:  # no dialog may wait for a click that never comes: say it on the terminal
        for notice in notices:
            print(f"facecoach: {notice}", flush=True)
        notices = []
    elif not preferences.current.first_run_done:
        QTimer.singleShot(0, window.show_welcome)
    if getattr(args, "supervise", False):
        QTimer.singleShot(0, window.supervise)
    if getattr(args, "start", False):
        QTimer.singleShot(0, window.start_session)
    if hold_shown_s is not None:  # once the event loop, so the window, is up
        QTimer.singleShot(0, lambda: _quit_when_shown(app, window, hold_shown_s))
    for notice in notices:
        QMessageBox.information(window, tr("Facial Symmetry Coach"), notice)
    try:
        return app.exec()
    finally:
        audio.close()


def _open_application() -> QApplication:
    """The QApplication; if Qt still cannot open a window (a display that does not answer,
    a plugin that fails in a way not foreseen), one line and exit status 2, not an abort."""
    import os

    from PySide6.QtCore import QtMsgType, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    said: list[str] = []

    def on_qt_message(kind: QtMsgType, _context: object, message: str) -> None:
        if kind == QtMsgType.QtFatalMsg:  # Qt aborts after this call: leave first, with the reasons it gave
            # (not Qt's hint about xcb-cursor0, which it gives whatever the cause)
            reasons = [text for text in said if "xcb-cursor0" not in text] or [message.splitlines()[0]]
            reason = "; ".join(dict.fromkeys(reasons))
            line = tr("cannot open a window: {reason}", reason=reason)
            print(f"facecoach: error: {line}", file=sys.stderr, flush=True)
            os._exit(2)
        said.append(message)

    qInstallMessageHandler(on_qt_message)
    try:
        return QApplication(sys.argv[:1])
    finally:
        qInstallMessageHandler(None)
        for message in said:  # what Qt said on the way is still shown, as Qt would
            print(message, file=sys.stderr)


def _quit_when_shown(app: QApplication, window: QWidget, after_s: float) -> None:
    """`--quit-when-shown [SECONDS]`: say the window is up (smoke tests time this line), then
    quit cleanly, at once or after SECONDS (so that a screenshot can be taken of it)."""
    from PySide6.QtCore import QTimer

    def close() -> None:
        window.close()
        app.quit()

    try:
        print("window shown", flush=True)
    finally:  # quit even when nobody reads the line any more
        QTimer.singleShot(round(after_s * 1000), close)


def build_window(
    args: argparse.Namespace,
    model_bytes: bytes,
    timing: SessionTiming | None = None,
    audio: AudioCoach | None = None,
    open_source: Callable[[], FrameSource] | None = None,
    preferences: PreferenceStore | None = None,
) -> tuple[MainWindow, list[str], AudioCoach]:
    """The main window for these options, plus what to tell the user about their data.

    Tests pass `timing`, `audio` and `open_source` (a video standing in for a camera
    that can be unplugged); the app uses what the computer has. `preferences`: what the
    user chose last time (None: remember nothing); the command line's options win.
    """
    from PySide6.QtWidgets import QApplication

    from coach.gui.history import HistoryDialog
    from coach.gui.language import use_language
    from coach.gui.main_window import MainWindow, WindowOptions
    from coach.gui.preferences import PreferenceStore
    from coach.gui.theme import apply_theme

    apply_theme(QApplication.instance())
    preferences = preferences or PreferenceStore(None)
    use_language(getattr(args, "language", None) or preferences.current.language)
    programmes, programme_id = _programmes(args, preferences.current.last_programme_id)
    camera_number = None
    if open_source is not None:

        def source_label() -> str:
            return tr("test source")

    else:
        open_source, source_label, camera_number = _source(args, preferences.current.camera)
    records, notices = LiveRecords.open(_data_dir(args))
    sound = audio or open_audio_coach(i18n.language(), preferences.current.voice)
    sound.muted = preferences.current.muted
    sound.output.volume = preferences.current.volume_pct / 100.0
    start = _PatientStart(records, args.exercises_dir)
    controller = SessionController(timing or (SessionTiming.quick() if getattr(args, "quick", False) else None))
    recorder = None
    if records.writable:  # keeping the data comes first, then voicing it, then showing it
        on_saved = _print_line if getattr(args, "start", False) else (lambda text: None)
        recorder = records.recorder(controller.report_problem, on_saved)
        controller.events.subscribe(recorder)
    controller.events.subscribe(SoundPrompter(sound))
    options = WindowOptions(
        open_source=open_source,
        source_label=source_label,
        model_bytes=model_bytes,
        programmes=programmes,
        programme_id=programme_id,
        controller=controller,
        can_save=records.writable,
        sound_status=lambda: sound.status_text,
        eyes_closed_cue=lambda: sound.eyes_closed_cue,
        set_muted=lambda muted: setattr(sound, "muted", muted),
        open_history=lambda parent: _show_history(HistoryDialog(records.database, parent), preferences),
        list_patients=start.patient_choices if records.writable else None,
        patient_programme=start.assigned_programme if records.writable else None,
        patient_of=records.patient,
        open_therapist=_TherapistWindowOpener(records, model_bytes, args.exercises_dir, preferences),
        preferences=preferences,
        play_sound_check=lambda: _sound_check(sound),
        set_volume=lambda pct: setattr(sound.output, "volume", pct / 100.0),
        data_dir=_data_dir(args),
        camera_number=camera_number,
        voices=available_voices(),
        choose_voice=lambda voice: _choose_voice(sound, voice),
        share_remotely=lambda relay, name, on_state: share_live_session(
            relay, controller, name, on_state, recorder, _data_dir(args)
        ),
    )
    window = MainWindow(options)
    if not records.writable:
        window.start_box.forbid_saving()
    return window, notices, sound


def _show_history(dialog: QDialog, preferences: PreferenceStore) -> None:
    preferences.keep_window("history", dialog)
    dialog.exec()


def _data_dir(args: argparse.Namespace) -> Path:
    return Path(args.data_dir) if args.data_dir else default_data_dir()


def _choose_voice(sound: AudioCoach, voice: str) -> None:
    """Speak with `voice` from now on ("" = the first found, "tones" = tones only)."""
    speaker = find_speaker(output=sound.output, language=i18n.language(), voice=voice)
    sound.use_speaker(speaker, tones_chosen=voice == TONES_ONLY)


def _sound_check(sound: AudioCoach) -> str:
    """Play what the coach plays (a spoken prompt, else its tone) and say what was used."""
    sound.prompt("good", tr("This is how the coach sounds."))
    return sound.status_text


def _programmes(args: argparse.Namespace, last_used: str = "") -> tuple[dict[str, Programme], str]:
    """The programmes to offer, and the one chosen first: asked for, else the last used, else daily."""
    programmes = load_programmes(args.exercises_dir)
    if not programmes:
        raise CoachError("no programmes found in exercises/programmes/; reinstall or add one")
    if not args.programme and last_used in programmes:
        return programmes, last_used
    programme_id = args.programme or ("daily" if "daily" in programmes else next(iter(programmes)))
    if programme_id not in programmes:
        raise CoachError(f"unknown programme {programme_id!r}; known: {', '.join(programmes)}")
    return programmes, programme_id


def _source(
    args: argparse.Namespace, last_camera: int = 0
) -> tuple[Callable[[], FrameSource], Callable[[], str], int | None]:
    """How to open the camera, or the video standing in for it, its name for the status bar
    (in the language in use when asked), and the camera's number (None for a video)."""
    if args.source:
        path = Path(args.source)
        VideoFileSource(path).close()  # an unreadable file is an error now, not a blank window

        def open_video() -> PacedSource:
            return PacedSource(lambda: VideoFileSource(path), loop=args.loop)

        return open_video, lambda: tr("video {name} (standing in for the camera)", name=path.name), None
    index = last_camera if args.camera is None else args.camera

    def open_camera() -> CameraSource:
        return CameraSource(index)

    return open_camera, lambda: tr("camera {number}", number=index), index


def _print_line(text: str) -> None:
    """One line on standard output at once (`--start`: whoever runs the app follows the saves)."""
    print(text, flush=True)


class _PatientStart:
    """The start box's patients, and the programme a therapist assigned each."""

    def __init__(self, records: LiveRecords, exercises_dir: Path | None) -> None:
        self.records = records
        self.exercises_dir = exercises_dir

    def patient_choices(self) -> list[tuple[int, str]]:
        """(id, label) of every patient; none if the database cannot be read right now."""
        return [(patient.id, patient_label(patient)) for patient in self.records.patients()]

    def assigned_programme(self, patient_id: int) -> Programme | None:
        """The programme the therapist assigned last, as the coach runs it; None if none (or unusable)."""
        record = self.records.assigned_programme(patient_id)
        if record is None:
            return None
        try:
            return programme_from_prescription(record, load_exercises(self.exercises_dir))
        except (CoachError, KeyError):
            return None


class _TherapistWindowOpener:
    """One therapist's window at a time; opening it again brings it to the front."""

    def __init__(
        self, records: LiveRecords, model_bytes: bytes, exercises_dir: Path | None, preferences: PreferenceStore
    ) -> None:
        self.records = records
        self.model_bytes = model_bytes
        self.exercises_dir = exercises_dir
        self.preferences = preferences
        self.window: TherapistWindow | None = None

    def __call__(self, parent: QWidget, patients_changed: Callable[[], None]) -> None:
        from PySide6.QtCore import Qt

        from coach.gui.therapist.window import TherapistWindow

        if self._raise_open_window():
            return
        window = TherapistWindow(self.records.database, self.model_bytes, self.exercises_dir, parent,
                                 supervise=getattr(parent, "supervise", None),
                                 follow_remote=self.follow_remote)  # fmt: skip
        self.window = window
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.changed.connect(patients_changed)
        self.preferences.keep_window("therapist", window)
        window.show()

    def follow_remote(self, parent: QWidget, patients: list[Any]) -> None:
        """The patients followed from another place (`gui/remote_follow.py`), their sessions filed here."""
        from coach.gui.remote_follow import open_following

        database = self.records.database

        def follow(relay: str, code: str, name: str, patient_id: int | None, on_status: Callable) -> FollowedSession:
            return follow_remote_session(relay, code, name, database, patient_id, on_status)

        open_following(parent, follow, self.preferences, patients)

    def reopen(self, parent: QWidget, patients_changed: Callable[[], None]) -> None:
        """The open window built anew (in the language now chosen) under `parent`, at the same
        patient and tab. One with work under way (an analysis, a report) is left as it is: it
        changes at its next opening."""
        old = self._open_window()
        if old is None or old.busy:
            return
        patient_id, tab = (old.patient.id if old.patient else None), old.tabs.currentIndex()
        old.close()
        self(parent, patients_changed)
        new = self.window
        if new is not None:
            if patient_id is not None:
                new.select_patient(patient_id)
            new.tabs.setCurrentIndex(tab)

    def _open_window(self) -> TherapistWindow | None:
        existing = self.window
        try:
            return existing if existing is not None and existing.isVisible() else None
        except RuntimeError:  # closed: Qt deleted it (WA_DeleteOnClose)
            return None

    def _raise_open_window(self) -> bool:
        existing = self._open_window()
        if existing is not None:
            existing.raise_()
            existing.activateWindow()
        return existing is not None
