"""Accessible to people who use a keyboard, a screen reader, large text or cannot tell colours apart.

Walks the real windows (offscreen): every control has a name a screen reader says and
takes the keyboard focus; every menu entry has a key; the largest text size clips no
control; the palette's text colours are readable; the symmetry state is said in words.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest
from PySide6.QtGui import QAccessible, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
    QTabBar,
    QTextEdit,
    QWidget,
)

from coach.capture.sources import VideoFileSource
from coach.gui.app import build_window
from coach.gui.first_run import FirstRunWizard
from coach.gui.help import GuideDialog
from coach.gui.history import HistoryDialog
from coach.gui.remote_follow import FollowDialog, FollowingWindow
from coach.gui.remote_share import share_from
from coach.gui.session_panels import FeedbackPanel
from coach.gui.theme import TEXT_PAIRS, app_palette, rgb_contrast
from coach.gui.therapist.window import TherapistWindow
from coach.records.store import database_path
from coach.session.feedback import Feedback
from coach.session.live import PacedSource
from coach.sound.audio_coach import AudioCoach
from coach.sound.outputs import RecordingOutput
from coach.usecases.clinic import Clinic

CONTROLS = (QAbstractButton, QComboBox, QAbstractSpinBox, QAbstractSlider, QLineEdit, QTextEdit, QPlainTextEdit,
            QAbstractItemView, QTabBar)  # fmt: skip
#: parts of a compound control, named and focused through the control itself
INNER_PARTS = (QScrollBar, QHeaderView)
INSIDE_OF = (QComboBox, QAbstractSpinBox, QTabBar)


def controls_of(root: QWidget) -> Iterator[QWidget]:
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, CONTROLS) or isinstance(widget, INNER_PARTS):
            continue
        parent = widget.parentWidget()
        if isinstance(parent, INSIDE_OF) or widget.window() is not root or widget.objectName().startswith("qt_"):
            continue  # a combo box's list, a spin box's line edit, a popup, Qt's own parts
        yield widget


def _name(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name).strip() if interface is not None else ""


def _describe(widget: QWidget) -> str:
    text = widget.text() if hasattr(widget, "text") and callable(widget.text) else ""
    return f"{type(widget).__name__} {widget.objectName()!r} {text!r} in {type(widget.window()).__name__}"


@pytest.fixture()
def windows(qtbot, tmp_path, model_bytes, data_dir):
    clip = data_dir / "single_face.mp4"
    with Clinic.open(database_path(tmp_path))[0] as clinic:
        clinic.add_patient("P01", name="Alex Example")
    args = argparse.Namespace(exercises_dir=None, programme=None, source=None, loop=True, camera=None,
                              data_dir=tmp_path)  # fmt: skip
    main, _, _ = build_window(args, model_bytes, audio=AudioCoach(RecordingOutput()),
                              open_source=lambda: PacedSource(lambda: VideoFileSource(clip), loop=True))  # fmt: skip
    qtbot.addWidget(main)
    main.show()
    wizard = FirstRunWizard(main.preferences.current, main.use_camera, lambda: "Sound on", lambda pct: None)
    therapist = TherapistWindow(database_path(tmp_path), model_bytes, None)
    therapist.patient_table.selectRow(0)  # the patient's tabs, with the programme table's rows
    assert therapist.programme_tab.table.rowCount() > 0
    history = HistoryDialog(database_path(tmp_path))
    guide = GuideDialog("en")
    following = FollowingWindow(lambda *args: None, main.preferences, [])
    every = [main, wizard, therapist, history, guide, share_from(main), following, FollowDialog(following)]
    for window in every[1:]:
        qtbot.addWidget(window)
    yield every
    main.close()


def test_every_control_has_a_name_and_takes_the_keyboard(windows):
    unnamed, unfocusable, counted = [], [], 0
    for window in windows:
        for control in controls_of(window):
            counted += 1
            if not _name(control):
                unnamed.append(_describe(control))
            if not control.focusPolicy() & control.focusPolicy().TabFocus:
                unfocusable.append(_describe(control))
    assert counted > 60  # the walk really reached the windows' controls
    assert unnamed == [], "controls a screen reader cannot name:\n" + "\n".join(unnamed)
    assert unfocusable == [], "controls the Tab key never reaches:\n" + "\n".join(unfocusable)


def test_every_menu_entry_has_a_key(windows):
    main = windows[0]
    missing = []
    for menu_action in main.menuBar().actions():
        title = menu_action.text()
        if "&" not in title:
            missing.append(title)
        for action in menu_action.menu().actions():
            if action.isSeparator() or action.menu() is not None:
                continue
            if "&" not in action.text() and action.shortcut().isEmpty():
                missing.append(f"{title} → {action.text()}")
    assert len(main.menuBar().actions()) >= 5 and missing == []


def test_text_colours_are_readable_on_their_backgrounds():
    ratios = {name: rgb_contrast(text, background) for name, (text, background) in TEXT_PAIRS.items()}
    palette = app_palette()
    for text_role, background_role in (
        (QPalette.ColorRole.WindowText, QPalette.ColorRole.Window),
        (QPalette.ColorRole.Text, QPalette.ColorRole.Base),
        (QPalette.ColorRole.ButtonText, QPalette.ColorRole.Button),
        (QPalette.ColorRole.HighlightedText, QPalette.ColorRole.Highlight),
        (QPalette.ColorRole.ToolTipText, QPalette.ColorRole.ToolTipBase),
        (QPalette.ColorRole.PlaceholderText, QPalette.ColorRole.Base),
    ):
        ratios[text_role.name] = rgb_contrast(palette.color(text_role).name(), palette.color(background_role).name())
    too_faint = {name: round(ratio, 2) for name, ratio in ratios.items() if ratio < 4.5}
    assert too_faint == {}
    assert rgb_contrast("#777777", "#FFFFFF") < 4.5 < rgb_contrast("#595959", "#FFFFFF")  # the formula itself


def test_the_symmetry_state_is_said_in_words_not_only_colour(qtbot):
    panel = FeedbackPanel()
    qtbot.addWidget(panel)
    said = {}
    for status, (left, right) in {"good": (5.0, 4.8), "caution": (5.0, 2.0), "too_much": (14.0, 13.5)}.items():
        feedback = Feedback(left, right, min(left, right) / max(left, right), status, "", (3.0, 9.0))
        panel._show_symmetry(feedback, True)
        said[status] = panel.symmetry.text()
    assert said == {"good": "\N{CHECK MARK} Symmetry 96% · even", "caution": "! Symmetry 40% · uneven",
                    "too_much": "! Symmetry 96% · too much"}  # fmt: skip


def test_largest_text_clips_no_control(windows, qtbot):
    main = windows[0]
    main.set_text_size(200)
    try:
        qtbot.wait(200)
        clipped = []
        for widget in main.findChildren(QWidget):
            if not widget.isVisible() or not isinstance(widget, (QAbstractButton, QLabel, QComboBox)):
                continue
            if isinstance(widget, QLabel) and widget.wordWrap():
                continue  # wraps: grows in height instead
            if widget.width() < widget.minimumSizeHint().width() or widget.width() < widget.sizeHint().width() - 1:
                clipped.append(f"{_describe(widget)}: {widget.width()} < {widget.sizeHint().width()} px")
        assert clipped == []
        assert QApplication.font().pointSizeF() == pytest.approx(22.0)
    finally:
        main.set_text_size(100)
