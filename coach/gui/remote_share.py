"""The patient lets their therapist follow from another place: a code to read out, then a
banner, always in view beside the session, saying who follows and whether the link is up.

The window only shows and forwards: the link is `usecases.remote_supervision.share_live_session`
(`WindowOptions.share_remotely`). What the link says arrives on its threads and is handed to
this window's thread by a queued signal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from coach.base.errors import CoachError
from coach.base.i18n import tr
from coach.gui.labels import make_label, points, set_text
from coach.gui.preferences import PreferenceStore
from coach.remote.link import LinkState
from coach.remote.patient_side import SharedSession, ShareState

if TYPE_CHECKING:
    from coach.gui.main_window import MainWindow

#: starts sharing: (relay address, the patient's name as the therapist sees it, where states go)
StartSharing = Callable[[str, str, Callable[[ShareState], None]], SharedSession]


def share_words(state: ShareState, brief: bool = False) -> str:
    """What the patient is told about the link, in their words (`brief`: the banner's, beside the
    session, where room is short; the dialog says what travels)."""
    if state.connecting:
        return tr("Connecting to your clinic's relay…")
    if state.code and not state.therapist:
        told = tr("Read this code to your therapist: {code}", code=state.code)
        if state.code_was_tried:
            told = tr("A code that was not right was typed, so it can no longer be used.") + " " + told
        return told
    name = state.therapist or tr("your therapist")
    if state.link is LinkState.ENDED:
        return tr("The link with {name} has ended.", name=name)
    if state.link is LinkState.NO_RELAY:
        return tr("Followed by {name}: the relay cannot be reached just now, trying again. "
                  "Your session goes on and is kept here.", name=name)  # fmt: skip
    if state.link is LinkState.AWAY:
        return tr("Followed by {name}: their app cannot be reached just now. "
                  "Your session goes on and is kept here.", name=name)  # fmt: skip
    if brief:
        return tr("{name} is following your session from another place.", name=name)
    return tr("{name} is following your session from another place (numbers only, never your picture).", name=name)


class RemoteShare(QObject):
    """One window's sharing: the link, its banner in the window, and the dialog that starts it."""

    state_arrived = Signal(object)

    def __init__(self, window: QWidget, start_sharing: StartSharing, preferences: PreferenceStore,
                 banner_column: QVBoxLayout) -> None:  # fmt: skip
        super().__init__(window)
        self.window, self.start_sharing, self.preferences = window, start_sharing, preferences
        self.shared: SharedSession | None = None
        self.state = ShareState()
        self.banner = QWidget()
        row = QHBoxLayout(self.banner)
        self.banner_text = make_label("", 11, bold=True)
        self.banner_text.setStyleSheet("color: #0b3d91;")
        self.banner_text.setAccessibleName(tr("Who follows your session"))
        self.end_button = QPushButton(tr("End the link"))
        self.end_button.clicked.connect(self.end)
        row.addWidget(self.banner_text, stretch=1)
        row.addWidget(self.end_button, alignment=Qt.AlignmentFlag.AlignTop)
        self.banner.setStyleSheet("background: #e8f0fe;")
        self.banner.hide()
        banner_column.insertWidget(0, self.banner)
        self.state_arrived.connect(self._show_state)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.end)

    def start(self, relay: str, patient_name: str) -> None:
        """Show a code and wait for the therapist (CoachError: the relay address is not one)."""
        self.end()
        self.shared = self.start_sharing(relay, patient_name, self.state_arrived.emit)

    def end(self) -> None:
        if self.shared is not None:
            shared, self.shared = self.shared, None
            shared.end()
            self._show_state(ShareState(therapist=self.state.therapist, link=LinkState.ENDED))

    @property
    def active(self) -> bool:
        return self.shared is not None

    def _show_state(self, state: ShareState) -> None:
        self.state = state
        set_text(self.banner_text, share_words(state, brief=True))
        self.banner.setVisible(self.shared is not None)
        dialog = self.window.findChild(RemoteShareDialog)
        if dialog is not None:
            dialog.show_state(state)


class RemoteShareDialog(QDialog):
    """Let my therapist follow from another place: the relay, my name, the code, End."""

    def __init__(self, share: RemoteShare, patient_name: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.share = share
        self.setWindowTitle(tr("Let my therapist follow from another place"))
        self.setMinimumWidth(round(560 * points(1.0)))
        column = QVBoxLayout(self)
        # as tall as the wrapped words need, at any text size (a dialog never cuts its own text)
        column.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        column.addWidget(make_label(tr(
            "Your therapist sees how each side of your face moves, as numbers, while you exercise, and can "
            "change your exercise from where they are. Your picture never leaves this computer. Talk with "
            "them on the phone or a video call as usual."), 12))  # fmt: skip
        form = QFormLayout()
        self.relay = QLineEdit(share.preferences.current.relay)
        self.relay.setAccessibleName(tr("Relay (from your clinic)"))
        self.name = QLineEdit(patient_name)
        self.name.setAccessibleName(tr("Your name, as your therapist will see it"))
        form.addRow(tr("Relay (from your clinic)"), self.relay)
        form.addRow(tr("Your name, as your therapist will see it"), self.name)
        column.addLayout(form)
        self.start_button = QPushButton(tr("Show my code"))
        self.start_button.clicked.connect(self.start)
        column.addWidget(self.start_button, alignment=Qt.AlignmentFlag.AlignLeft)
        self.code = make_label("", 26, bold=True)
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code.setAccessibleName(tr("The code to read to your therapist"))
        self.told = make_label("", 13)
        self.problem = make_label("", 12)
        self.problem.setStyleSheet("color: #a4262c;")
        for label in (self.code, self.told, self.problem):
            column.addWidget(label)
        buttons = QHBoxLayout()
        self.end_button = QPushButton(tr("End the link"))
        self.end_button.clicked.connect(self.end)
        close = QPushButton(tr("Close (the link stays)"))
        close.clicked.connect(self.accept)
        buttons.addWidget(self.end_button)
        buttons.addWidget(close)
        column.addLayout(buttons)
        self.show_state(share.state if share.active else ShareState())

    def start(self) -> None:
        relay = self.relay.text().strip()
        try:
            self.share.start(relay, self.name.text().strip())
        except CoachError as exc:
            set_text(self.problem, str(exc))
            return
        set_text(self.problem, "")
        self.share.preferences.update(relay=relay)

    def end(self) -> None:
        self.share.end()

    def show_state(self, state: ShareState) -> None:
        waiting = bool(state.code) and not state.therapist
        set_text(self.code, state.code if waiting else "")
        self.code.setVisible(waiting)
        set_text(self.told, share_words(state) if (state.code or state.therapist or state.connecting) else "")
        self.end_button.setEnabled(self.share.active)
        self.start_button.setEnabled(not self.share.active)
        self._fit()

    def _fit(self) -> None:
        """Tall enough for every wrapped line at this width (Qt's own guess leaves some out)."""
        layout = self.layout()
        if layout is not None and self.isVisible():
            needed = layout.totalHeightForWidth(self.width())
            if needed > self.height():
                self.resize(self.width(), needed)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self._fit()


def share_from(window: MainWindow) -> RemoteShareDialog | None:
    """The dialog over the coach's `window` (its sharing made on first use, the banner at the top
    of the window's side panel); None where this app cannot share (`WindowOptions.share_remotely`)."""
    start_sharing = window.options.share_remotely
    if start_sharing is None:
        return None
    share = window.findChild(RemoteShare)
    if share is None:
        column = window.side.layout()
        assert isinstance(column, QVBoxLayout)
        share = RemoteShare(window, start_sharing, window.preferences, column)
    dialog = window.findChild(RemoteShareDialog)
    if dialog is None:
        patient = window.options.patient_of(window.start_box.chosen_patient())
        dialog = RemoteShareDialog(share, (patient.name or patient.code) if patient else "", window)
    dialog.show()
    dialog.raise_()
    return dialog
