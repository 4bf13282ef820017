"""Text size and language changed while the app runs, both ways, and every text still fits.

The real windows (offscreen) with a session under way on the smile clip: the text size is
changed live 100 → 150 → 200 → 150 → 100 %, in English, then the language is changed live
to German (the session carries on) and the sizes walked again. At each step every label,
button, box, tab, table header, menu entry and drawn side label of the main window and the
patients window must fit its text (`text_fit.unfit`), and so must the dialogs opened then.
"""

from __future__ import annotations

import argparse

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication, QWidget

from coach.base import i18n
from coach.capture.sources import VideoFileSource
from coach.gui.app import build_window
from coach.gui.first_run import FirstRunWizard
from coach.gui.help import GuideDialog
from coach.gui.history import HistoryDialog
from coach.gui.main_menus import choose_language
from coach.gui.main_window import MainWindow
from coach.gui.remote_follow import FollowDialog, FollowingWindow
from coach.gui.remote_share import share_from
from coach.gui.supervision import SupervisionWindow
from coach.gui.therapist.window import TherapistWindow
from coach.records.store import database_path
from coach.remote.therapist_side import FollowedSession
from coach.session.live import PacedSource
from coach.session.phases import Phase, SessionTiming
from coach.sound.audio_coach import AudioCoach
from coach.sound.outputs import RecordingOutput
from coach.usecases.clinic import Clinic

from language_check import still_english, texts_of
from text_fit import unfit

SIZES_PCT = (100, 150, 200, 150, 100)
FAST = SessionTiming(camera_ok_s=0.5, calibration_s=1.5, instruction_s=0.5, countdown_s=0.5, move_s=3.0, result_s=0.5)


@pytest.fixture()
def english_again():
    yield
    i18n.set_language("en")


def _therapist(main: MainWindow) -> TherapistWindow:
    (window,) = [w for w in main.findChildren(TherapistWindow) if w.isVisible()]
    return window


def _dialogs(main: MainWindow, qtbot) -> list[QWidget]:
    """The dialogs as the menus open them now (each built in the language and size in use)."""
    wizard = FirstRunWizard(main.preferences.current, main.use_camera, lambda: "Sound on", lambda pct: None)
    following = FollowingWindow(_no_relay, main.preferences, [])
    dialogs = [wizard, HistoryDialog(main.options.data_dir and database_path(main.options.data_dir)),
               GuideDialog(i18n.language()), share_from(main), following, FollowDialog(following)]  # fmt: skip
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        dialog.show()
    return dialogs


def _no_relay(*args: object) -> FollowedSession:
    raise AssertionError("nothing is followed while the windows are measured")


def _walk(main: MainWindow, qtbot, where: str) -> list[str]:
    """Everything that does not fit, in the open windows (each tab, each wizard page) and the dialogs."""
    qtbot.wait(60)  # the layouts settle
    problems = [f"{where}: {p}" for p in unfit(main)]
    therapist = _therapist(main)
    for tab in range(therapist.tabs.count()):
        therapist.tabs.setCurrentIndex(tab)
        QApplication.processEvents()
        problems += [f"{where}, tab {tab}: {p}" for p in unfit(therapist)]
    therapist.tabs.setCurrentIndex(0)
    (supervision,) = [w for w in main.findChildren(SupervisionWindow) if w.isVisible()]
    problems += [f"{where}: {p}" for p in unfit(supervision)]
    for dialog in _dialogs(main, qtbot):
        pages = dialog.pageIds() if isinstance(dialog, FirstRunWizard) else [None]
        for page in pages:
            if page is not None:
                dialog.setCurrentId(page)
            QApplication.processEvents()
            problems += [f"{where}: {p}" for p in unfit(dialog)]
        dialog.close()
    return problems


def test_every_text_fits_at_every_size_changed_live_in_english_german_and_spanish(
    english_again, qtbot, tmp_path, model_bytes, smile_sessions_clip
):
    clip = smile_sessions_clip
    with Clinic.open(database_path(tmp_path))[0] as clinic:
        clinic.add_patient("P01", name="Alex Beispiel-Langername", affected_side="left")
    args = argparse.Namespace(exercises_dir=None, programme=None, source=None, loop=True, camera=None,
                              data_dir=tmp_path)  # fmt: skip
    main, _, _ = build_window(args, model_bytes, FAST, AudioCoach(RecordingOutput()),
                              lambda: PacedSource(lambda: VideoFileSource(clip), loop=True))  # fmt: skip
    main.resize(1280, 720)
    main.show()
    try:
        main.open_therapist()
        main.supervise()
        _therapist(main).select_patient(1)
        qtbot.waitUntil(lambda: main.camera_ok, timeout=10_000)
        main.start_session()  # under way, with its bars and side labels, while everything changes
        qtbot.waitUntil(lambda: main.last_view is not None and main.last_view.phase is Phase.HOLD, timeout=30_000)
        main.session_buttons.toggle_pause()
        qtbot.waitUntil(lambda: main.last_view.paused, timeout=5_000)

        problems: list[str] = []
        for language in ("en", "de", "es"):
            if language != i18n.language():
                carried = main.last_view
                main = choose_language(main, language)  # live: the window is built anew, the session goes on
                qtbot.waitUntil(lambda m=main, c=carried: m.last_view is not c, timeout=5_000)  # the next view
                assert main.last_view is not None and main.last_view.paused and main.start_box.isHidden()
                supervision = next(w for w in main.findChildren(SupervisionWindow) if w.isVisible())
                qtbot.waitUntil(lambda s=supervision: bool(s.movement.legend.items), timeout=5_000)
                # (the view built anew mid-exercise draws that exercise's traces, named in the new language)
                legend = [("legend", label.text) for plot in (supervision.movement, supervision.synkinesis)
                          for _, label in plot.legend.items]  # fmt: skip
                texts = [*texts_of(main), *texts_of(_therapist(main)), *texts_of(supervision), *legend]
                english = still_english(texts, language=language)
                first = {"de": "Augenbrauen heben: links", "es": "elevación de la ceja: izquierdo"}[language]
                assert ("legend", first) in legend, legend  # the daily programme's first
                assert english == [], f"left in English after the change: {english}"
            for size in SIZES_PCT:
                main.set_text_size(size)
                problems += _walk(main, qtbot, f"{language} {size} %")
        assert QApplication.font().pointSizeF() == pytest.approx(11.0)  # back where it started
        assert main.windowTitle() == "Entrenador de Simetría Facial" and _therapist(main).tabs.tabText(0) == "Sesiones"
        # built anew at 200 % (as after a restart at that size): menus and all, whole
        main.set_text_size(200)
        main = choose_language(main, "en")
        problems += _walk(main, qtbot, "en 200 % built at that size")
        main.set_text_size(100)
        assert problems == [], f"{len(problems)} texts do not fit:\n" + "\n".join(problems)
    finally:  # the window shown last (each language change replaced the one before)
        main.close()


def test_the_walk_finds_text_that_does_not_fit(qtbot):
    """The check itself: a squeezed button, a narrow column, a cut entry, side labels drawn
    over each other are each found."""
    from PySide6.QtWidgets import QComboBox, QPushButton, QTableWidget, QVBoxLayout

    from coach.gui.widgets import VideoView

    window = QWidget()
    layout = QVBoxLayout(window)
    button = QPushButton("Start another session now")
    button.setFixedWidth(60)
    table = QTableWidget(1, 1)
    table.setHorizontalHeaderLabels(["Repetitions"])
    table.setColumnWidth(0, 30)
    box = QComboBox()
    box.addItem("Close your eyes gently")
    box.setFixedWidth(70)
    video = VideoView()
    video.setFixedSize(80, 45)
    video.set_frame(np.zeros((45, 80, 3), np.uint8), None)
    for widget in (button, table, box, video):
        layout.addWidget(widget)
    qtbot.addWidget(window)
    window.show()
    found = "\n".join(unfit(window))
    assert "QPushButton 'Start another session now'" in found
    assert "QHeaderView 'Repetitions'" in found and "QComboBox 'Close your eyes gently'" in found
    assert "VideoView 'Your right'" in found  # no room for it in so small a picture
