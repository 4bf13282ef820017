"""The main window's menus: every action of the live coach, each with a key.

The menus only forward to the window's own actions; a check box and its menu entry are
one switch (each follows the other).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QCheckBox, QMenu, QMessageBox

from coach.base import i18n
from coach.base.i18n import LANGUAGES, tr
from coach.gui.help import GuideDialog, about_html
from coach.gui.language import use_language
from coach.gui.preferences import TEXT_SCALES_PCT
from coach.gui.remote_share import share_from

if TYPE_CHECKING:
    from coach.gui.main_window import MainWindow


def build_main_menus(window: MainWindow) -> None:
    """Session, View, Sound, Records and Help, on `window`'s menu bar."""
    bar = window.menuBar()
    session = bar.addMenu(tr("&Session"))
    add_action(session, tr("&Start session"), window.start_session, "Ctrl+Return")
    buttons = window.session_buttons
    add_action(session, tr("&Pause or resume"), buttons.toggle_pause, Qt.Key.Key_Space)
    add_action(session, tr("S&kip this exercise"), buttons.skip, Qt.Key.Key_S)
    add_action(session, tr("S&top the session…"), buttons.ask_to_stop, Qt.Key.Key_Escape)
    add_action(session, tr("Super&vise (therapist's view)…"), window.supervise, "Ctrl+Shift+V")
    share = add_action(session, tr("Let my therapist &follow from another place…"), lambda: share_from(window),
                       "Ctrl+Shift+F")  # fmt: skip
    share.setEnabled(window.options.share_remotely is not None)
    session.addSeparator()
    add_action(session, tr("Use a &video file instead of the camera…"), window.use_file)
    add_action(session, tr("&Quit"), window.close, QKeySequence.StandardKey.Quit)
    view = bar.addMenu(tr("&View"))
    add_toggle(view, window.mirror_box, tr("&Mirror"), Qt.Key.Key_F)
    add_toggle(view, window.overlay_box, tr("&Landmarks"), Qt.Key.Key_O)
    add_toggle(view, window.stats_box, tr("S&tats"), Qt.Key.Key_T)
    sizes = view.addMenu(tr("Text &size"))
    one_size = QActionGroup(window)
    for percent in TEXT_SCALES_PCT:
        action = add_action(sizes, f"&{percent} %", lambda percent=percent: window.set_text_size(percent))
        action.setCheckable(True)
        action.setChecked(percent == window.preferences.current.text_scale_pct)
        one_size.addAction(action)
    languages = view.addMenu(tr("&Language"))
    one_language = QActionGroup(window)
    for code, name in LANGUAGES.items():
        action = add_action(languages, name, lambda code=code: choose_language(window, code))
        action.setCheckable(True)
        action.setChecked(code == i18n.language())
        one_language.addAction(action)
    sound = bar.addMenu(tr("S&ound"))
    add_toggle(sound, window.mute_box, tr("&Mute"), Qt.Key.Key_M)
    add_action(sound, tr("Sound &check and volume…"), window.show_welcome)
    voices = sound.addMenu(tr("&Voice"))
    one_voice = QActionGroup(window)
    choices = [("", tr("&Automatic")), *((name, name) for name in window.options.voices), ("tones", tr("&Tones only"))]
    for voice, text in choices:
        action = add_action(voices, text, lambda voice=voice: choose_voice(window, voice))
        action.setCheckable(True)
        action.setChecked(voice == window.preferences.current.voice)
        one_voice.addAction(action)
    records = bar.addMenu(tr("&Records"))
    add_action(records, tr("My &past sessions…"), window.open_history)
    if window.options.open_therapist is not None:
        add_action(records, tr("Patients and &programmes…"), window.open_therapist)
    help_menu = bar.addMenu(tr("&Help"))
    add_action(
        help_menu,
        tr("&Guide"),
        lambda: GuideDialog(i18n.language(), window).exec(),
        QKeySequence.StandardKey.HelpContents,
    )
    add_action(help_menu, tr("&Welcome and set-up…"), window.show_welcome)
    add_action(help_menu, tr("&About"), lambda: show_about(window))


def add_action(menu: QMenu, text: str, handler: Callable[[], object],
               key: Qt.Key | str | QKeySequence.StandardKey | None = None) -> QAction:  # fmt: skip
    """A menu entry calling `handler`, with `key` as its shortcut."""
    action = menu.addAction(text)
    if key is not None:
        action.setShortcut(QKeySequence(key))
    action.triggered.connect(lambda _checked=False: handler())
    return action


def add_toggle(menu: QMenu, box: QCheckBox, text: str, key: Qt.Key) -> QAction:
    """A menu entry that is the same switch as `box` (each follows the other)."""
    action = menu.addAction(text)
    action.setCheckable(True)
    action.setChecked(box.isChecked())
    action.setShortcut(QKeySequence(key))
    action.toggled.connect(box.setChecked)
    box.toggled.connect(action.setChecked)
    return action


def choose_voice(window: MainWindow, voice: str) -> None:
    """Speak with `voice` now and at every later start."""
    window.preferences.update(voice=voice)
    window.options.choose_voice(voice)
    window.show_sound_status()


def choose_language(window: MainWindow, code: str) -> MainWindow:
    """Speak `code` now and at every later start: the windows are built anew in it (the
    session under way carries on), and the coach's voice speaks it. Returns the window now shown."""
    window.preferences.update(language=code)
    if code == i18n.language():
        return window
    from coach.gui.rebuild import rebuild_main_window  # (it builds main windows, which build these menus)

    use_language(code)
    window.options.choose_voice(window.preferences.current.voice)
    return rebuild_main_window(window)


def show_about(window: MainWindow) -> None:
    """Version, the data folder and the model's licence."""
    data_dir = window.options.data_dir or Path("?")
    QMessageBox.about(window, tr("About the Facial Symmetry Coach"), about_html(data_dir))
