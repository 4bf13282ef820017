"""What the app remembers, the first start, and Help: real windows (offscreen), a real settings file.

Each test changes things the way a user does (menus, boxes, the wizard), closes the
window, opens a new one on the same data folder and checks that it is all as it was.
"""

from __future__ import annotations

import argparse
import threading
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWizard

from coach.base import i18n
from coach.capture.sources import VideoFileSource
from coach.gui.app import build_window
from coach.gui.help import GuideDialog, about_html
from coach.gui.main_window import MainWindow
from coach.gui.preferences import SETTINGS_FILE, Preferences, PreferenceStore
from coach.records.store import database_path
from coach.session.live import PacedSource
from coach.sound.audio_coach import AudioCoach
from coach.sound.outputs import RecordingOutput
from coach.sound.tones import prompt_tones
from coach.usecases.clinic import Clinic


def _args(data_dir: Path, **changes: object) -> argparse.Namespace:
    values: dict[str, object] = dict(exercises_dir=None, programme=None, source=None, loop=True, camera=None,
                                     data_dir=data_dir)  # fmt: skip
    values.update(changes)
    return argparse.Namespace(**values)


def _open(qtbot, data_dir: Path, model_bytes: bytes, clip: Path, audio: AudioCoach | None = None, **args: object):
    store = PreferenceStore.in_data_folder(data_dir)
    window, _, sound = build_window(
        _args(data_dir, **args), model_bytes, audio=audio or AudioCoach(RecordingOutput()),
        open_source=lambda: PacedSource(lambda: VideoFileSource(clip), loop=True), preferences=store,
    )  # fmt: skip
    qtbot.addWidget(window)
    window.show()
    return window, store, sound


def _menu_action(window, *path: str):
    """The menu entry at `path` (menu titles, then the entry's text, without the & marks)."""
    actions = window.menuBar().actions()
    for i, text in enumerate(path):
        action = next((a for a in actions if a.text().replace("&", "") == text), None)
        if action is None:
            raise AssertionError(f"no {' → '.join(path[: i + 1])} in the menus")
        if i == len(path) - 1:
            return action
        actions = action.menu().actions()


def test_every_choice_is_the_same_after_closing_and_reopening(qtbot, tmp_path, model_bytes, data_dir):
    clip = data_dir / "single_face.mp4"
    with Clinic.open(database_path(tmp_path))[0] as clinic:
        clinic.add_patient("P01")
        second = clinic.add_patient("P02", name="Sam Second")
    window, store, _ = _open(qtbot, tmp_path, model_bytes, clip)
    assert window.mirror_box.isChecked() and not window.mute_box.isChecked()  # a new computer's defaults
    _menu_action(window, "View", "Mirror").trigger()  # the menu and the box are one switch
    window.mute_box.setChecked(True)
    window.start_box.patient.setCurrentIndex(window.start_box.patient.findData(second.id))
    window.start_box.programme.setCurrentIndex(window.start_box.programme.findData("smile_and_eyes"))
    store.update(volume_pct=35)  # as the sound check's volume slider does (tested below)
    _menu_action(window, "View", "Text size", "150 %").trigger()
    _menu_action(window, "Sound", "Voice", "Tones only").trigger()
    _menu_action(window, "View", "Language", "Deutsch").trigger()
    window = _main_window_shown()  # built anew in German at once, with every choice made on it
    qtbot.addWidget(window)
    assert window.windowTitle() == "Gesichtssymmetrie-Coach" and _menu_action(window, "Ansicht", "Spiegeln")
    assert window.start_box.chosen_patient() == second.id
    assert window.start_box.chosen_programme().id == "smile_and_eyes"
    window.controller.send = lambda command: _answered()  # the session itself is not under test
    window.start_session()
    window.resize(900, 640)
    window.move(40, 50)
    geometry = window.geometry()
    window.close()
    assert (tmp_path / SETTINGS_FILE).stat().st_mode & 0o077 == 0  # private, like the sessions

    audio = AudioCoach(RecordingOutput())
    again, store_again, _ = _open(qtbot, tmp_path, model_bytes, clip, audio=audio)
    assert store_again.problems == []
    assert not again.mirror_box.isChecked() and not again.video.mirrored
    assert again.mute_box.isChecked() and audio.muted and audio.status_text == "Stumm"
    assert audio.output.volume == pytest.approx(0.35)
    assert again.start_box.chosen_patient() == second.id
    assert again.start_box.chosen_programme().id == "smile_and_eyes"
    assert (again.geometry().width(), again.geometry().height()) == (geometry.width(), geometry.height())
    assert QApplication.font().pointSizeF() == pytest.approx(11.0 * 1.5)
    assert again.windowTitle() == "Gesichtssymmetrie-Coach"
    assert _menu_action(again, "Ton", "Stimme", "Nur Töne").isChecked()
    assert store_again.current.voice == "tones"
    again.set_text_size(100)
    again.close()


@pytest.fixture(autouse=True)
def english_again():
    yield
    i18n.set_language("en")


def test_command_line_wins_over_what_was_remembered(qtbot, tmp_path, model_bytes, data_dir):
    PreferenceStore.in_data_folder(tmp_path).update(camera=3, last_programme_id="smile_and_eyes")
    from coach.gui import app

    store = PreferenceStore.in_data_folder(tmp_path)
    _, label, number = app._source(_args(tmp_path), store.current.camera)
    assert (label(), number) == ("camera 3", 3)
    _, label, number = app._source(_args(tmp_path, camera=1), store.current.camera)
    assert (label(), number) == ("camera 1", 1)
    assert app._programmes(_args(tmp_path), "smile_and_eyes")[1] == "smile_and_eyes"
    assert app._programmes(_args(tmp_path, programme="daily"), "smile_and_eyes")[1] == "daily"
    assert app._programmes(_args(tmp_path), "a_programme_since_removed")[1] == "daily"


def test_a_damaged_settings_file_names_each_bad_setting_and_uses_its_default(tmp_path):
    (tmp_path / SETTINGS_FILE).write_text(
        "[General]\ncamera=eleven\nmirrored=perhaps\nvolume_pct=250\ntext_scale_pct=130\nuse=hospital\nmuted=true\n",
        encoding="utf-8",
    )
    store = PreferenceStore.in_data_folder(tmp_path)
    prefs = store.current
    assert (prefs.camera, prefs.mirrored, prefs.volume_pct, prefs.text_scale_pct, prefs.use) == (0, True, 80, 100, "")
    assert prefs.muted  # the good one is kept
    named = {line.split("setting ")[1].split(":")[0] for line in store.problems}
    assert named == {"'camera'", "'mirrored'", "'volume_pct'", "'text_scale_pct'", "'use'"}
    assert all(str(tmp_path / SETTINGS_FILE) in line for line in store.problems)
    with pytest.raises(TypeError, match="colour"):
        store.update(colour="red")


def test_a_file_of_garbage_or_a_folder_in_its_place_never_stops_the_app(tmp_path):
    garbage = tmp_path / "garbage"
    garbage.mkdir()
    (garbage / SETTINGS_FILE).write_bytes(bytes(range(256)) * 8 + b"\n[General]\nvolume_pct=55\ncolour=red\n")
    store = PreferenceStore.in_data_folder(garbage)
    assert store.current.volume_pct == 55  # what can be read is used
    assert [line for line in store.problems if "does not know" in line and "'colour'" in line and str(garbage) in line]
    store.update(camera=2)
    assert PreferenceStore.in_data_folder(garbage).current.camera == 2  # and saving still works
    assert not any("could not be saved" in line for line in store.problems)
    folder = tmp_path / "folder"
    (folder / SETTINGS_FILE).mkdir(parents=True)  # a folder where the file should be
    store = PreferenceStore.in_data_folder(folder)
    assert store.current == Preferences() and "cannot be read" in store.problems[0]
    store.update(camera=3)  # not saved, and said so; the app goes on
    assert "could not be saved" in store.problems[-1] and store.current.camera == 3


def _drive_wizard(qtbot, window, on_each_page) -> None:
    """Walk the wizard that `show_welcome` opens (modal), calling `on_each_page(wizard)` on each page."""

    def step() -> None:
        wizard = next((w for w in QApplication.topLevelWidgets() if isinstance(w, QWizard) and w.isVisible()), None)
        if wizard is None:
            QTimer.singleShot(50, step)
            return
        on_each_page(wizard)
        if wizard.currentId() == wizard.pageIds()[-1]:
            wizard.accept()
        else:
            wizard.next()
            QTimer.singleShot(50, step)

    QTimer.singleShot(0, step)
    window.show_welcome()


def test_first_run_shows_the_camera_checks_the_sound_and_is_remembered(qtbot, tmp_path, model_bytes, data_dir):
    clip = data_dir / "single_face.mp4"
    output = RecordingOutput()
    window, _, _ = _open(qtbot, tmp_path, model_bytes, clip, audio=AudioCoach(output))
    qtbot.waitUntil(lambda: window.camera_ok, timeout=20000)
    seen: dict[str, object] = {}

    def on_page(wizard) -> None:
        page = wizard.currentId()
        if page == 1:  # the camera: the live picture reaches the wizard's preview
            qtbot.waitUntil(lambda: wizard.preview._image is not None, timeout=10000)
            seen["preview"] = wizard.preview._image.size().width()
            seen["camera_locked"] = not wizard.camera_number.isEnabled()  # a video file stands in
        if page == 2:  # the sound: the check plays, "no" names the fix and the reason
            wizard.volume.setValue(60)
            wizard.play_button.click()
            wizard.heard_no.setChecked(True)
            seen["fix"] = wizard.sound_fix.text() if wizard.sound_fix.isVisibleTo(wizard) else ""
        if page == 3:
            wizard.use_home.setChecked(True)

    _drive_wizard(qtbot, window, on_page)
    assert seen["preview"] == 640 and seen["camera_locked"]
    assert "volume" in str(seen["fix"]) and "Sound on" in str(seen["fix"])
    played = output.played
    full_volume = prompt_tones("good", played[-1].sample_rate)
    assert np.abs(played[-1].samples).max() == pytest.approx(0.6 * np.abs(full_volume).max(), rel=0.01)
    remembered = PreferenceStore.in_data_folder(tmp_path).current
    assert remembered.first_run_done and remembered.use == "home" and remembered.volume_pct == 60
    assert window.therapist_button.isHidden()  # a home user's window: no patients button
    window.close()


def test_guide_and_about_say_what_a_user_needs(qtbot, tmp_path):
    guide = GuideDialog("xx")  # no such language: English
    qtbot.addWidget(guide)
    text = guide.text.toPlainText()
    assert "Your left" in text and "Esc" in text and "never video" in text
    about = about_html(tmp_path)
    assert str(tmp_path) in about and "Apache License 2.0" in about and "0." in about


def test_help_menu_opens_the_guide_and_about(qtbot, tmp_path, model_bytes, data_dir):
    window, _, _ = _open(qtbot, tmp_path, model_bytes, data_dir / "single_face.mp4")
    opened: list[str] = []

    def close_what_opened() -> None:
        for widget in QApplication.topLevelWidgets():
            if widget.isVisible() and isinstance(widget, (GuideDialog, QMessageBox)):
                opened.append(widget.windowTitle())
                widget.close()

    for entry in ("Guide", "About"):
        QTimer.singleShot(300, close_what_opened)
        _menu_action(window, "Help", entry).trigger()
    assert opened == ["Guide — Facial Symmetry Coach", "About the Facial Symmetry Coach"]
    window.close()


def test_the_app_starts_shows_its_window_and_quits_when_asked(tmp_path, data_dir):
    """The packaged build's smoke test, on the source install: a real process, offscreen."""
    import os
    import subprocess
    import sys

    (tmp_path / SETTINGS_FILE).write_text("[General]\nvolume_pct=loud\n", encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    command = [sys.executable, "-m", "coach", "--data-dir", str(tmp_path), "--language", "de",
               "--source", str(data_dir / "single_face.mp4"), "--quit-when-shown"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines[-1] == "window shown"
    assert any("volume_pct" in line and "verwendet wird 80" in line for line in lines)  # said, in German, not a dialog


def _main_window_shown() -> MainWindow:
    (shown,) = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
    return shown


def _answered() -> threading.Event:
    """A command's answer, given at once."""
    answered = threading.Event()
    answered.set()
    return answered


def test_each_bad_setting_is_said_in_the_language_in_use(tmp_path):
    """The settings file is read against its one model; what is wrong is said in German on a
    German screen (msgspec's English is never shown), naming the setting and the default used."""
    from coach.base import i18n
    from coach.gui.preferences import SETTINGS

    from language_check import still_english

    (tmp_path / SETTINGS_FILE).write_text(
        "[General]\ncamera=eleven\nmirrored=perhaps\nvolume_pct=250\nuse=hospital\nrelay=nonsense://x\n"
        "therapist_name=a\\tb\nlast_patient_id=7\n",
        encoding="utf-8",
    )
    i18n.set_language("de")
    try:
        store = PreferenceStore.in_data_folder(tmp_path)
    finally:
        i18n.set_language("en")
    assert store.current.last_patient_id == 7 and store.current.camera == 0
    assert len(store.problems) == 6 and all("Einstellung" in line for line in store.problems), store.problems
    stored = [str(tmp_path / SETTINGS_FILE), "eleven", "perhaps", "hospital", "nonsense://x", "mqtt://localhost:1883",
              "true", "false", "home", "clinic", "mqtt://host:1883", "mqtts://host:8883", *SETTINGS]  # fmt: skip
    assert still_english([("settings", line) for line in store.problems], stored) == []
