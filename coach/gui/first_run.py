"""The first start: what the coach does, which camera, whether the sound is heard, and who uses it.

Shown once (and again from Help); everything chosen here is remembered. The wizard only
shows and forwards: the main window switches the camera and plays the sound check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QPushButton,
    QRadioButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from coach.base.i18n import N_, tr
from coach.gui.labels import make_label, points
from coach.gui.layouts import scrolling
from coach.gui.preferences import CAMERA_NUMBERS, Preferences
from coach.gui.widgets import VideoView

if TYPE_CHECKING:
    from coach.gui.main_window import MainWindow

WELCOME_TEXT = N_(
    "This coach watches your face through the camera while you do your facial exercises. "
    "It measures how far each side of your face moves, in millimetres, and how evenly the two "
    "sides move, and shows you (and, with your eyes closed, lets you hear) how you are doing.\n\n"
    "The picture and your face never leave this computer. Nothing is recorded unless you choose "
    "to save your results, and then only numbers are kept, never video.\n\n"
    "The next pages choose your camera, check that you can hear the coach, and ask who uses "
    "this computer. You can see this again at any time from Help."
)

SOUND_FIXES = N_(
    "If you heard nothing: turn the computer's volume up and check it is not muted; choose the "
    "right output (speakers or headphones) in your system's sound settings; on Linux, sound needs "
    "PulseAudio or PipeWire (usually installed with the desktop). The coach says why it has no "
    "sound here: {reason}."
)


@dataclass(frozen=True)
class FirstRunChoices:
    """What the wizard was told; the main window remembers and applies it."""

    camera: int
    volume_pct: int
    use: str


class FirstRunWizard(QWizard):
    """Four short pages. `choose_camera(n)` switches the live picture (shown in `preview`),
    `play_sound_check()` plays the coach's sound and returns its status line."""

    def __init__(
        self,
        current: Preferences,
        choose_camera: Callable[[int], None] | None,
        play_sound_check: Callable[[], str],
        set_volume: Callable[[int], None],
        source_note: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Welcome to the Facial Symmetry Coach"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        # larger with larger text, as far as the screen allows (the pages scroll beyond that)
        grow = min(points(1.0), 1.6)
        self.resize(round(720 * grow), round(560 * grow))
        self._choose_camera = choose_camera
        self._play_sound_check = play_sound_check
        self._set_volume = set_volume
        self._status = ""
        self.addPage(self._welcome_page())
        self.addPage(self._camera_page(current.camera, source_note))
        self.addPage(self._sound_page(current.volume_pct))
        self.addPage(self._use_page(current.use))

    # ----- pages --------------------------------------------------------------------
    def _welcome_page(self) -> QWizardPage:
        page, layout = _page(tr("What this coach does"))
        layout.addWidget(make_label(tr(WELCOME_TEXT), 13))
        return page

    def _camera_page(self, camera: int, source_note: str) -> QWizardPage:
        page, layout = _page(tr("Your camera"))
        layout.addWidget(make_label(tr(
            "Sit as you will for your exercises. You should see your face below, with your own "
            "left and right labelled. If you see nothing, try another camera number."), 13))  # fmt: skip
        self.preview = VideoView()
        self.preview.setMinimumSize(400, 225)
        self.preview.setAccessibleName(tr("Camera picture"))
        layout.addWidget(self.preview, stretch=1)
        row = QHBoxLayout()
        self.camera_number = QSpinBox()
        self.camera_number.setRange(CAMERA_NUMBERS.start, CAMERA_NUMBERS.stop - 1)
        self.camera_number.setValue(camera)
        self.camera_number.setAccessibleName(tr("Camera number"))
        self.try_camera = QPushButton(tr("Show this camera"))
        self.try_camera.clicked.connect(self._camera_chosen)
        row.addWidget(make_label(tr("Camera number:"), 13, wrap=False))
        row.addWidget(self.camera_number)
        row.addWidget(self.try_camera)
        row.addStretch(1)
        layout.addLayout(row)
        if source_note or self._choose_camera is None:
            self.camera_number.setEnabled(False)
            self.try_camera.setEnabled(False)
            layout.addWidget(make_label(source_note or tr("The camera cannot be changed here."), 11))
        return page

    def _sound_page(self, volume_pct: int) -> QWizardPage:
        page, layout = _page(tr("Can you hear the coach?"))
        layout.addWidget(make_label(tr(
            "During eye-closure exercises you follow the coach by ear: beeps rise as your eyes close. "
            "Press the button and listen."), 13))  # fmt: skip
        self.play_button = QPushButton(tr("Play the sound check"))
        self.play_button.clicked.connect(self._play)
        layout.addWidget(self.play_button)
        volume_row = QHBoxLayout()
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setRange(0, 100)
        self.volume.setValue(volume_pct)
        self.volume.setAccessibleName(tr("Coach volume"))
        self.volume.valueChanged.connect(self._set_volume)
        volume_row.addWidget(make_label(tr("Coach volume:"), 13, wrap=False))
        volume_row.addWidget(self.volume, stretch=1)
        layout.addLayout(volume_row)
        self.heard_yes = QRadioButton(tr("Yes, I heard it"))
        self.heard_no = QRadioButton(tr("No, I heard nothing"))
        self._heard = QButtonGroup(page)
        for button in (self.heard_yes, self.heard_no):
            self._heard.addButton(button)
            layout.addWidget(button)
        self.heard_no.toggled.connect(self._show_fix)
        self.sound_status = make_label("", 11)
        self.sound_fix = make_label("", 13)
        self.sound_fix.hide()
        layout.addWidget(self.sound_status)
        layout.addWidget(self.sound_fix)
        layout.addStretch(1)
        return page

    def _use_page(self, use: str) -> QWizardPage:
        page, layout = _page(tr("Who uses this computer?"))
        self.use_home = QRadioButton(tr("I do my own exercises at home"))
        self.use_clinic = QRadioButton(tr("A therapist's computer: several patients and their programmes"))
        group = QButtonGroup(page)
        for button in (self.use_home, self.use_clinic):
            group.addButton(button)
            layout.addWidget(button)
        (self.use_clinic if use == "clinic" else self.use_home).setChecked(True)
        note = tr(
            "A therapist's computer shows the patients and programmes button on the main window. "
            "Either way, everything stays on this computer; you can change this from Help → Welcome."
        )
        layout.addWidget(make_label(note, 11))
        layout.addStretch(1)
        return page

    # ----- what the user does -------------------------------------------------------
    def _camera_chosen(self) -> None:
        self.preview.clear(tr("Starting the camera…"))
        if self._choose_camera is not None:
            self._choose_camera(self.camera_number.value())

    def _play(self) -> None:
        self._status = self._play_sound_check()
        self.sound_status.setText(tr("The coach says: {status}", status=self._status))
        self._show_fix(self.heard_no.isChecked())

    def _show_fix(self, shown: bool) -> None:
        self.sound_fix.setText(tr(SOUND_FIXES, reason=self._status or tr("press the button above first")))
        self.sound_fix.setVisible(shown)

    def choices(self) -> FirstRunChoices:
        return FirstRunChoices(
            camera=self.camera_number.value(),
            volume_pct=self.volume.value(),
            use="clinic" if self.use_clinic.isChecked() else "home",
        )


def run_first_run(window: MainWindow) -> None:
    """Show the wizard over `window`, its preview fed by the window's picture, and keep the answers.

    Closed early, it is not asked again at every start (Help → Welcome brings it back).
    """
    remembered = window.preferences.current
    options = window.options
    wizard = FirstRunWizard(
        remembered,
        choose_camera=window.use_camera,
        play_sound_check=options.play_sound_check,
        set_volume=options.set_volume,
        source_note=""
        if window.camera_number is not None
        else tr("Now showing: {source}.", source=window.source_label.text()),
        parent=window,
    )
    wizard.preview.set_mirrored(window.video.mirrored)
    window.previews.append(wizard.preview)
    try:
        accepted = wizard.exec() == QWizard.DialogCode.Accepted
    finally:
        window.previews.remove(wizard.preview)
    choices = wizard.choices()
    options.set_volume(choices.volume_pct if accepted else remembered.volume_pct)
    if accepted:
        window.preferences.update(volume_pct=choices.volume_pct, use=choices.use)
        window.show_therapist_button(choices.use != "home")
        if window.camera_number is not None and choices.camera != window.camera_number:
            window.use_camera(choices.camera)  # chosen but not tried: used from now on
    window.preferences.update(first_run_done=True)


def _page(title: str) -> tuple[QWizardPage, QVBoxLayout]:
    """A page titled `title`, and the layout of its content, which scrolls when taller than
    the page (large text): nothing is squeezed out of sight."""
    page = QWizardPage()
    page.setTitle(title)
    content = QWidget()
    outer = QVBoxLayout(page)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.addWidget(scrolling(content))
    return page, QVBoxLayout(content)
