"""The therapist follows patients from another place: a code the patient reads out pairs their
app with this one, and each patient followed has a compact row (a group session), any of them
opened in full in the same supervision window as beside the patient (without the picture,
which never leaves the patient's computer).

The window shows and forwards: following is `usecases.remote_supervision.follow_remote_session`
(a `FollowRemote` given by the app); what the links say arrives on their threads and is handed
to this window's thread by queued signals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from coach.base.errors import CoachError
from coach.base.formats import number_text
from coach.base.i18n import N_, tr
from coach.gui.labels import make_label, set_text
from coach.gui.layouts import flow_of
from coach.gui.preferences import PreferenceStore
from coach.gui.session_bridge import SessionBridge
from coach.gui.supervision import SupervisionWindow
from coach.records.models import Patient
from coach.remote.link import LinkState, LinkStatus
from coach.remote.therapist_side import FollowedSession
from coach.session.events import RepetitionFinished, SessionEvent

#: follows a patient: (relay, code, therapist's name, patient id or None, where statuses go) -> the session
FollowRemote = Callable[[str, str, str, int | None, Callable[[LinkStatus | str], None]], FollowedSession]
#: the link's state, as the therapist reads it in a patient's row
LINK_WORDS = {
    LinkState.LIVE: N_("following"),
    LinkState.AWAY: N_("the patient's app cannot be reached: waiting"),
    LinkState.NO_RELAY: N_("the relay cannot be reached: trying again"),
    LinkState.ENDED: N_("ended"),
}
#: why pairing failed (therapist_side), in the therapist's words
PAIRING_WORDS = {
    "wrong code": N_("The code was not right. The patient's screen now shows a new one: ask for it."),
    "no answer": N_(
        "No patient's app answered this code. Check the code, that the patient chose "
        "“Let my therapist follow from another place”, and the relay address."
    ),
}
_COLUMNS = (N_("Patient"), N_("Link"), N_("Exercise"), N_("Repetition"), N_("Last symmetry"))


@dataclass
class Followed:
    session: FollowedSession
    patient: Patient | None
    bridge: SessionBridge
    row: int
    window: SupervisionWindow | None = None


class _Statuses(QObject):
    """A link's statuses (or why pairing failed), handed to the window's thread."""

    arrived = Signal(object, object)  # (FollowedSession or None while pairing, status)


class FollowingWindow(QMainWindow):
    """Every patient followed from another place, a row each."""

    def __init__(self, follow: FollowRemote, preferences: PreferenceStore, patients: list[Patient],
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle(tr("Patients followed from another place — Facial Symmetry Coach"))
        self.resize(980, 420)
        self.follow_remote, self.preferences, self.patients = follow, preferences, patients
        self.followed: list[Followed] = []
        #: the pairing under way: its session and the patient it is for
        self._pairing: tuple[FollowedSession | None, Patient | None] = (None, None)
        self.statuses = _Statuses(self)
        self.statuses.arrived.connect(self._status_arrived)
        central = QWidget()
        column = QVBoxLayout(central)
        told = tr("Each patient reads you the code their app shows. Only numbers travel, end-to-end encrypted; "
                  "their picture stays on their computer.")  # fmt: skip
        column.addWidget(make_label(told, 12))
        self.table = QTableWidget(0, len(_COLUMNS))
        self.table.setAccessibleName(tr("Patients followed from another place"))
        self.table.setHorizontalHeaderLabels([tr(words) for words in _COLUMNS])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        # every heading whole, on one line, at any text size (the table scrolls sideways if it must)
        header.setSectionResizeMode(header.ResizeMode.ResizeToContents)
        self.table.cellDoubleClicked.connect(lambda row, _column: self.open_row(row))
        column.addWidget(self.table, stretch=1)
        self.add_button = QPushButton(tr("Follow a patient…"))
        self.open_button = QPushButton(tr("Open in full"))
        self.end_button = QPushButton(tr("End the link"))
        self.add_button.clicked.connect(self.ask_for_code)
        self.open_button.clicked.connect(lambda: self.open_row(self.table.currentRow()))
        self.end_button.clicked.connect(lambda: self.end_row(self.table.currentRow()))
        column.addWidget(flow_of(self.add_button, self.open_button, self.end_button))
        self.setCentralWidget(central)

    # ----- pairing ---------------------------------------------------------------------
    def ask_for_code(self) -> FollowDialog:
        dialog = FollowDialog(self)
        dialog.show()
        return dialog

    def follow(self, relay: str, code: str, name: str, patient: Patient | None) -> FollowedSession:
        """Pair with the code (CoachError: a relay address or code that is not one); the row appears once paired."""
        holder: list[FollowedSession] = []
        session = self.follow_remote(relay, code, name, patient.id if patient else None,
                                     lambda status: self.statuses.arrived.emit(holder[0] if holder else None,
                                                                               status))  # fmt: skip
        holder.append(session)
        self.preferences.update(relay=relay, therapist_name=name)
        self._pairing = (session, patient)
        return session

    def _status_arrived(self, session: FollowedSession | None, status: LinkStatus | str) -> None:
        session = session or self._pairing[0]  # (told before `follow` had it: the pairing under way)
        entry = next((f for f in self.followed if f.session is session), None)
        if entry is None and isinstance(status, LinkStatus) and session is not None:
            entry = self._add(session, self._pairing[1] if self._pairing[0] is session else None)
        if entry is not None and isinstance(status, LinkStatus):
            self._cell(entry.row, 1, tr(LINK_WORDS[status.state]))
            if entry.window is not None:
                entry.window.show_link(tr(LINK_WORDS[status.state]))
        dialog = self.findChild(FollowDialog)
        if dialog is not None and dialog.isVisible() and session is self._pairing[0]:  # not another patient's news
            dialog.answered(status)

    def _add(self, session: FollowedSession, patient: Patient | None) -> Followed:
        row = self.table.rowCount()
        self.table.insertRow(row)
        bridge = SessionBridge(self)
        entry = Followed(session, patient, bridge, row)
        bridge.view_arrived.connect(lambda: self._view_arrived(entry))
        bridge.event_arrived.connect(lambda event: self._event_arrived(entry, event))
        session.events.subscribe(bridge)
        said = session.patient.name if session.patient else ""
        shown = (patient.code + (f" ({said})" if said else "")) if patient else said or tr("not in the records")
        for column, text in enumerate((shown, tr(LINK_WORDS[LinkState.LIVE]), "", "", "")):
            self._cell(row, column, text)
        self.followed.append(entry)
        self.table.selectRow(row)
        return entry

    # ----- the rows --------------------------------------------------------------------
    def _cell(self, row: int, column: int, text: str) -> None:
        item = self.table.item(row, column)
        if item is None:
            self.table.setItem(row, column, QTableWidgetItem(text))
        elif item.text() != text:
            item.setText(text)

    def _view_arrived(self, entry: Followed) -> None:
        view = entry.bridge.views.take()
        if view is None:
            return
        exercise = view.exercise.name if view.exercise is not None else view.headline
        self._cell(entry.row, 2, tr("finished") if view.finished else exercise)
        self._cell(entry.row, 3, f"{view.rep_number} / {view.rep_total}" if view.rep_total else "")

    def _event_arrived(self, entry: Followed, event: SessionEvent) -> None:
        if isinstance(event, RepetitionFinished):
            symmetry = event.repetition.symmetry
            self._cell(entry.row, 4, "-" if symmetry is None else f"{number_text(symmetry * 100, 0)} %")

    def open_row(self, row: int) -> SupervisionWindow | None:
        """The patient of `row` in the supervision window (brought to the front if open)."""
        entry = next((f for f in self.followed if f.row == row), None)
        if entry is None:
            return None
        if entry.window is None or not entry.window.isVisible():
            patient = entry.patient
            entry.window = SupervisionWindow(entry.session, lambda _id: patient, self, remote=True)
            entry.window.setWindowFlag(Qt.WindowType.Window)
            entry.window.show_link(self.table.item(row, 1).text())
        entry.window.show()
        entry.window.raise_()
        return entry.window

    def end_row(self, row: int) -> None:
        entry = next((f for f in self.followed if f.row == row), None)
        if entry is not None:
            entry.session.end()
            self._cell(row, 1, tr(LINK_WORDS[LinkState.ENDED]))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        for entry in self.followed:
            entry.session.end()
        super().closeEvent(event)


class FollowDialog(QDialog):
    """Who I am, whom I follow, and the code the patient reads out."""

    def __init__(self, window: FollowingWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle(tr("Follow a patient from another place"))
        column = QVBoxLayout(self)
        form = QFormLayout()
        prefs = window.preferences.current
        self.name = QLineEdit(prefs.therapist_name)
        self.relay = QLineEdit(prefs.relay)
        self.patient = QComboBox()
        self.patient.addItem(tr("(not in my records: follow only)"), None)
        for patient in window.patients:
            self.patient.addItem(f"{patient.code} — {patient.name}" if patient.name else patient.code, patient.id)
        self.code = QLineEdit()
        self.code.setPlaceholderText("417-3829-1057")
        for label, field in ((tr("Your name, as the patient will see it"), self.name),
                             (tr("Relay (your clinic's)"), self.relay), (tr("Patient"), self.patient),
                             (tr("The code the patient reads to you"), self.code)):  # fmt: skip
            field.setAccessibleName(label)
            form.addRow(label, field)
        column.addLayout(form)
        self.told = make_label("", 12)
        column.addWidget(self.told)
        self.follow_button = QPushButton(tr("Follow"))
        self.follow_button.setDefault(True)
        self.follow_button.clicked.connect(self.follow)
        cancel = QPushButton(tr("Close"))
        cancel.clicked.connect(self.reject)
        column.addWidget(flow_of(self.follow_button, cancel))

    def follow(self) -> None:
        patient_id = self.patient.currentData()
        patient = next((p for p in self.window_.patients if p.id == patient_id), None)
        try:
            self.window_.follow(self.relay.text().strip(), self.code.text(), self.name.text().strip(), patient)
        except CoachError as exc:
            set_text(self.told, str(exc))
            return
        self.follow_button.setEnabled(False)
        set_text(self.told, tr("Pairing…"))

    def answered(self, status: LinkStatus | str) -> None:
        if isinstance(status, LinkStatus):
            self.accept()
            return
        set_text(self.told, tr(PAIRING_WORDS.get(status, status)))
        self.follow_button.setEnabled(True)


def open_following(parent: QWidget, follow: FollowRemote, preferences: PreferenceStore,
                   patients: list[Patient]) -> FollowingWindow:  # fmt: skip
    """The window of patients followed from elsewhere (the one open brought to the front), asking for a code."""
    window = parent.findChild(FollowingWindow)
    if window is None:
        window = FollowingWindow(follow, preferences, patients, parent)
        window.setWindowFlag(Qt.WindowType.Window)
    window.show()
    window.raise_()
    if not window.followed:
        window.ask_for_code()
    return window
