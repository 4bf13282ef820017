"""Pause, Skip and Stop: the patient's commands for the session under way.

Each button (and its key, through the Session menu) sends a typed command to the session
controller, as the patient; Stop asks first, so a stray key never ends a session. The
buttons follow what the session shows: enabled while it runs, Pause reading Resume while
paused, Skip off during the camera check (there is no face to go on with yet).
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QPushButton, QSizePolicy, QWidget

from coach.base.i18n import tr
from coach.gui.layouts import FlowLayout
from coach.session.coaching import SessionView
from coach.session.commands import Command, Origin, Pause, Resume, Skip, Stop
from coach.session.controller import SessionController
from coach.session.phases import Phase


class SessionButtons(QWidget):
    def __init__(self, controller: SessionController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        #: what the session showed last (None before the first session)
        self.view: SessionView | None = None
        row = FlowLayout(self)  # side by side, or in more rows with large text
        self.pause_button = QPushButton(tr("Pause (Space)"))
        self.skip_button = QPushButton(tr("Skip (S)"))
        self.stop_button = QPushButton(tr("Stop (Esc)"))
        for button in self.buttons:
            button.setMinimumHeight(36)
            button.setEnabled(False)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.skip_button.clicked.connect(self.skip)
        self.stop_button.clicked.connect(self.ask_to_stop)
        for button in self.buttons:
            row.addWidget(button)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    @property
    def buttons(self) -> tuple[QPushButton, QPushButton, QPushButton]:
        return self.pause_button, self.skip_button, self.stop_button

    def send(self, kind: type[Command]) -> None:
        """Ask the session for `kind` (Pause, Skip, …) as the patient, now."""
        self.controller.send(kind(origin=Origin.PATIENT))

    def running(self) -> bool:
        return self.view is not None and not self.view.finished

    def toggle_pause(self) -> None:
        if self.view is not None and self.running():
            self.send(Resume if self.view.paused else Pause)

    def skip(self) -> None:
        if self.running():
            self.send(Skip)

    def ask_to_stop(self) -> None:
        """Stop the session after asking (Esc and the Stop button): a stray key must not end it."""
        if not self.running():
            return
        answer = QMessageBox.question(
            self,
            tr("Stop the session?"),
            tr("Stop this session now? What you have done so far is kept."),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.send(Stop)

    def show_view(self, view: SessionView) -> None:
        self.view = view
        self.pause_button.setText(tr("Resume (Space)") if view.paused else tr("Pause (Space)"))
        self.pause_button.setEnabled(not view.finished)
        self.stop_button.setEnabled(not view.finished)
        self.skip_button.setEnabled(not view.finished and view.phase is not Phase.CAMERA_CHECK)
