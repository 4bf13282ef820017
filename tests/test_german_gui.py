"""The live coach in German: its window, menus, first-run pages, guide and About.

The real windows (offscreen) are built with `--language de`; every text a person can
read must be German (`language_check.still_english`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from language_check import still_english, texts_of
from PySide6.QtWidgets import QWizard

from coach.base import i18n
from coach.capture.sources import VideoFileSource
from coach.gui.app import build_window
from coach.gui.first_run import FirstRunWizard
from coach.gui.help import GuideDialog, about_html
from coach.session.live import PacedSource
from coach.sound.audio_coach import AudioCoach
from coach.sound.outputs import RecordingOutput


@pytest.fixture()
def german():
    yield
    i18n.set_language("en")


def test_the_live_window_and_its_pages_speak_german(german, qtbot, tmp_path, model_bytes, data_dir):
    clip = data_dir / "single_face.mp4"
    args = argparse.Namespace(exercises_dir=None, programme=None, source=None, loop=True, camera=None,
                              data_dir=tmp_path, language="de")  # fmt: skip
    window, _, _ = build_window(args, model_bytes, audio=AudioCoach(RecordingOutput()),
                                open_source=lambda: PacedSource(lambda: VideoFileSource(clip), loop=True))  # fmt: skip
    qtbot.addWidget(window)
    window.show()
    wizard = FirstRunWizard(window.preferences.current, window.use_camera, lambda: "", lambda pct: None)
    guide = GuideDialog(i18n.language())
    for widget in (wizard, guide):
        qtbot.addWidget(widget)
    about = about_html(Path("/home/anna/.local/share/facecoach"))
    texts = texts_of(window) + texts_of(wizard) + texts_of(guide) + [about]
    texts += [wizard.page(page).title() for page in wizard.pageIds()]
    assert "Sitzung starten" in texts and "Ihre Kamera" in texts  # the walk reads German where it should
    assert wizard.buttonText(QWizard.WizardButton.NextButton).replace("&", "").startswith("Weiter")  # Qt's own
    assert still_english(texts) == []
    window.close()


def test_the_check_finds_english_left_behind():
    assert still_english(["Sitzung starten", "Start session", "Press the button", "Übung 2 von 5"]) == [
        "Press the button", "Start session"]  # fmt: skip
