"""Starting the desktop app: source, model, sound, database, then the window."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from coach.coaching import SessionTiming
from coach.errors import CoachError
from coach.sources import FrameSource

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from coach.gui.main_window import MainWindow
    from coach.gui.therapist import TherapistWindow
    from coach.programmes import Programme
    from coach.sound import AudioCoach


def run_app(args: argparse.Namespace, model_bytes: bytes) -> int:
    """Open the main window on the chosen camera or video file; returns the exit status."""
    import os

    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM")
    ):
        # Qt would abort the whole process here; say what is wrong instead
        raise CoachError(
            "no graphical display found (DISPLAY is not set): run facecoach from your desktop, "
            "or use `facecoach analyze FILE --exercise ID` to measure a recording"
        )
    from PySide6.QtWidgets import QApplication, QMessageBox

    app = QApplication.instance() or QApplication(sys.argv[:1])
    window, notices, audio = build_window(args, model_bytes)
    window.show()
    for notice in notices:
        QMessageBox.information(window, "Your saved sessions", notice)
    try:
        return app.exec()
    finally:
        audio.close()


def build_window(
    args: argparse.Namespace,
    model_bytes: bytes,
    timing: SessionTiming | None = None,
    audio: AudioCoach | None = None,
    open_source: Callable[[], FrameSource] | None = None,
) -> tuple[MainWindow, list[str], AudioCoach]:
    """The main window for these options, plus what to tell the user about their data.

    Tests pass `timing`, `audio` and `open_source` (a video standing in for a camera
    that can be unplugged); the app uses what the computer has.
    """
    from coach.gui.history import HistoryDialog
    from coach.gui.main_window import MainWindow, WindowOptions
    from coach.live import PacedSource
    from coach.programmes import load_programmes
    from coach.session_log import Listeners, SessionRecorder, SoundPrompter
    from coach.sound import open_audio_coach
    from coach.sources import CameraSource, VideoFileSource
    from coach.store import SessionStore, database_path
    from coach.userdirs import default_data_dir

    programmes = load_programmes(args.exercises_dir)
    if not programmes:
        raise CoachError("no programmes found in exercises/programmes/; reinstall or add one")
    programme_id = args.programme or ("daily" if "daily" in programmes else next(iter(programmes)))
    if programme_id not in programmes:
        raise CoachError(f"unknown programme {programme_id!r}; known: {', '.join(programmes)}")
    if open_source is not None:
        source_label = "test source"
    elif args.source:
        path = Path(args.source)
        VideoFileSource(path).close()  # an unreadable file is an error now, not a blank window

        def open_source() -> PacedSource:
            return PacedSource(lambda: VideoFileSource(path), loop=args.loop)

        source_label = f"video {path.name} (standing in for the camera)"
    else:
        index = args.camera

        def open_source() -> CameraSource:
            return CameraSource(index)

        source_label = f"camera {index}"

    database = database_path(Path(args.data_dir) if args.data_dir else default_data_dir())
    can_save = True
    notices: list[str] = []
    try:
        store, notice = SessionStore.open(database)
        store.close()
        if notice:
            notices.append(notice)
    except CoachError as exc:
        can_save = False
        notices.append(f"{exc} Your results will not be saved in this session.")
    audio = audio or open_audio_coach()

    def listener_factory(
        save: bool, patient_id: int | None = None, on_notice: Callable[[str], None] = lambda text: None
    ) -> Listeners:
        listeners = [SoundPrompter(audio)]
        if save and can_save:
            listeners.insert(0, SessionRecorder(database, source_label, on_notice, patient_id=patient_id))
        return Listeners(*listeners)

    def list_patients() -> list[tuple[int, str]]:
        """The patients for the start box; none if the database cannot be read right now."""
        from coach.gui.therapist import patient_label

        try:
            store, _notice = SessionStore.open(database)
        except CoachError:
            return []
        try:
            return [(patient.id, patient_label(patient)) for patient in store.list_patients()]
        except CoachError:
            return []
        finally:
            store.close()

    def patient_programme(patient_id: int) -> Programme | None:
        """The programme the therapist assigned last, as the coach runs it; None if none (or unusable)."""
        from coach.exercises import load_exercises
        from coach.gui.therapist import programme_from_record

        try:
            store, _notice = SessionStore.open(database)
        except CoachError:
            return None
        try:
            record = store.current_programme(patient_id)
            return None if record is None else programme_from_record(record, load_exercises(args.exercises_dir))
        except (CoachError, KeyError):
            return None
        finally:
            store.close()

    therapist: dict[str, TherapistWindow] = {}

    def open_therapist(parent: QWidget) -> None:
        """One therapist's window at a time; opening it again brings it to the front."""
        from PySide6.QtCore import Qt

        from coach.gui.therapist import TherapistWindow

        existing = therapist.get("window")
        try:
            if existing is not None and existing.isVisible():
                existing.raise_()
                existing.activateWindow()
                return
        except RuntimeError:  # closed: Qt deleted it (WA_DeleteOnClose)
            pass
        window = TherapistWindow(database, model_bytes, args.exercises_dir, parent)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        refresh = getattr(parent, "refresh_patients", None)
        if refresh is not None:
            window.changed.connect(refresh)
        therapist["window"] = window
        window.show()

    def set_muted(muted: bool) -> None:
        audio.muted = muted

    options = WindowOptions(
        open_source=open_source,
        source_label=source_label,
        model_bytes=model_bytes,
        programmes=programmes,
        programme_id=programme_id,
        listener_factory=listener_factory,
        sound_status=lambda: audio.status_text,
        set_muted=set_muted,
        timing=timing or SessionTiming(),
        open_history=lambda parent: HistoryDialog(database, parent).exec(),
        list_patients=list_patients if can_save else None,
        patient_programme=patient_programme if can_save else None,
        open_therapist=open_therapist,
    )
    window = MainWindow(options)
    if not can_save:
        window.save_results.setChecked(False)
        window.save_results.setEnabled(False)
    return window, notices, audio
