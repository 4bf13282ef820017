"""The therapist's steering of a live session, as a panel of the supervision view: the target
band, the hold, how often the bars show, setting a repetition aside (with why) or having it
done again, back an exercise, and a note; plus the log of what was done, as it is kept.

Shows and forwards only: every control sends a typed command (origin: therapist) through
`send`, and the session answers on its stream (applied or refused, with the reason). What
is shown of the exercise comes from its events (`follow`).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QListView,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from coach.base.i18n import tr
from coach.gui.labels import HintedEdit, make_label
from coach.gui.layouts import flow_of
from coach.plans.exercises import BOUNDS, FEEDBACK_SCHEDULES, Exercise
from coach.session import commands
from coach.session.events import Steered
from coach.session.steering import DISCARD_REASONS, MIN_SET_HOLD_S
from coach.session.steering_words import feedback_word, log_line

#: the steering keys (while the supervision window has the focus and no text field takes them)
KEYS = {
    "target": Qt.Key.Key_T,
    "target_from_last": Qt.Key.Key_L,
    "hold": Qt.Key.Key_H,
    "feedback": Qt.Key.Key_F,
    "discard": Qt.Key.Key_D,
    "redo": Qt.Key.Key_U,
    "previous": Qt.Key.Key_B,
    "note": Qt.Key.Key_N,
}


def _spin(low: float, high: float, suffix: str, name: str) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(low, high)
    box.setSingleStep(0.5)
    box.setDecimals(1)
    box.setSuffix(suffix)
    box.setAccessibleName(name)
    return box


class _WheelGuard(QObject):
    """A box's value changes only once it has the focus: a wheel turned over it while the panel
    scrolls must not set a repetition aside for another reason, or move a target."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Wheel and isinstance(watched, QWidget) and not watched.hasFocus():
            parent = watched.parentWidget()
            if parent is not None:  # on to whatever scrolls
                QApplication.sendEvent(parent, event)
            return True
        return False


class SteeringPanel(QWidget):
    """Controls that change the session under way without stopping it, and the log of what was
    done (`log`, placed by the window)."""

    def __init__(
        self,
        send: Callable[[commands.Command], None],
        chosen_repetition: Callable[[], tuple[int, int] | None],
        parent: QWidget | None = None,
    ) -> None:
        """send: hands a command to the session; chosen_repetition: the (attempt, number) of the
        repetition chosen in the table (None: the last that counts)."""
        super().__init__(parent)
        self._send, self._chosen_repetition = send, chosen_repetition
        self._wheel_guard = _WheelGuard(self)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self._build_asked())
        column.addWidget(self._build_repetitions())
        column.addWidget(self._build_note())
        #: what was done, as it is kept (the window shows it beside the repetitions)
        self.log = QListWidget(self)  # (parented: Qt owns it once the window places it in a tab)
        self.log.setAccessibleName(tr("What was done in this session"))
        self.log.setWordWrap(True)  # long lines wrap, never run off to the right
        self.log.setResizeMode(QListView.ResizeMode.Adjust)
        self.log.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # a value changes only when chosen: a wheel turned over the panel scrolls it instead
        for box in (self.low_mm, self.high_mm, self.hold_s, self.feedback, self.reason):
            box.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            box.installEventFilter(self._wheel_guard)

    # ----- building ------------------------------------------------------------------
    def _build_asked(self) -> QGroupBox:
        box = QGroupBox(tr("What is asked of this exercise (from the next repetition)"))
        grid = QGridLayout(box)
        self.low_mm = _spin(0.0, 39.5, " mm", tr("Target from"))
        self.high_mm = _spin(0.5, 40.0, " mm", tr("Target up to"))
        self.target_button = QPushButton(tr("Set target (T)"))
        self.from_last_button = QPushButton(tr("Target from last repetition (L)"))
        self.hold_s = _spin(MIN_SET_HOLD_S, BOUNDS["hold_s"][1], " s", tr("Hold"))
        self.hold_button = QPushButton(tr("Set hold (H)"))
        self.feedback = QComboBox()
        self.feedback.setAccessibleName(tr("Feedback"))
        # as wide as the room, not as its longest choice (the open list shows each whole)
        self.feedback.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.feedback.setMinimumContentsLength(16)
        for schedule in FEEDBACK_SCHEDULES:
            self.feedback.addItem(feedback_word(schedule), schedule)
        # one control or two per row: at large text and in long languages each row still fits
        grid.addWidget(make_label(tr("Target"), 12), 0, 0)
        grid.addWidget(flow_of(self.low_mm, make_label("–", 12), self.high_mm, self.target_button), 0, 1)
        grid.addWidget(flow_of(self.from_last_button), 1, 1)
        grid.addWidget(make_label(tr("Hold"), 12), 2, 0)
        grid.addWidget(flow_of(self.hold_s, self.hold_button), 2, 1)
        grid.addWidget(make_label(tr("Feedback (F)"), 12), 3, 0)
        grid.addWidget(self.feedback, 3, 1)
        grid.setColumnStretch(1, 1)
        self._act(self.target_button, self.set_target, KEYS["target"])
        self._act(self.from_last_button, lambda: self._send_now(commands.TargetFromLastRepetition),
                  KEYS["target_from_last"])  # fmt: skip
        self._act(self.hold_button, self.set_hold, KEYS["hold"])
        self.feedback.activated.connect(lambda _index: self.set_feedback())
        QShortcut(QKeySequence(KEYS["feedback"]), self, activated=self.next_feedback)
        return box

    def _build_repetitions(self) -> QGroupBox:
        box = QGroupBox(tr("Set a repetition aside, or have it done again"))
        column = QVBoxLayout(box)
        self.reason = QComboBox()
        self.reason.setEditable(True)
        self.reason.setAccessibleName(tr("Why it is set aside"))
        self.reason.lineEdit().setPlaceholderText(tr("Why it is set aside"))
        for reason in DISCARD_REASONS:
            self.reason.addItem(tr(reason), reason)
        self.discard_button = QPushButton(tr("Set aside (D)"))
        self.redo_button = QPushButton(tr("Do the last one again (U)"))
        self.previous_button = QPushButton(tr("Previous exercise (B)"))
        column.addWidget(make_label(tr("The repetition chosen in the table, or the last one:"), 11))
        column.addWidget(flow_of(self.reason, self.discard_button))
        column.addWidget(flow_of(self.redo_button, self.previous_button))
        self._act(self.discard_button, self.discard, KEYS["discard"])
        self._act(self.redo_button, lambda: self._send_now(commands.RedoRepetition), KEYS["redo"])
        self._act(self.previous_button, lambda: self._send_now(commands.PreviousExercise), KEYS["previous"])
        return box

    def _build_note(self) -> QGroupBox:
        box = QGroupBox(tr("Note (N)"))
        column = QVBoxLayout(box)
        self.note = HintedEdit(tr("What you see (Enter keeps it)"))
        self.note.setAccessibleName(tr("Note"))
        self.note_button = QPushButton(tr("Add note"))
        column.addWidget(flow_of(self.note, self.note_button))
        self.note.returnPressed.connect(self.add_note)
        self.note_button.clicked.connect(self.add_note)
        QShortcut(QKeySequence(KEYS["note"]), self, activated=self.note.setFocus)
        return box

    def _act(self, button: QPushButton, act: Callable[[], None], key: Qt.Key) -> None:
        button.clicked.connect(act)
        QShortcut(QKeySequence(key), self, activated=act)

    # ----- sending -------------------------------------------------------------------
    def _send_now(self, kind: type[commands.Command]) -> None:
        self._send(kind(origin=commands.Origin.THERAPIST))

    def set_target(self) -> None:
        self._send(commands.SetTargetBand(origin=commands.Origin.THERAPIST, low_mm=self.low_mm.value(),
                                          high_mm=self.high_mm.value()))  # fmt: skip

    def set_hold(self) -> None:
        self._send(commands.SetHoldTime(origin=commands.Origin.THERAPIST, hold_s=self.hold_s.value()))

    def set_feedback(self) -> None:
        schedule = self.feedback.currentData()
        self._send(commands.SetFeedbackSchedule(origin=commands.Origin.THERAPIST, schedule=schedule))

    def next_feedback(self) -> None:
        """(F) The next feedback schedule, sent at once."""
        self.feedback.setCurrentIndex((self.feedback.currentIndex() + 1) % self.feedback.count())
        self.set_feedback()

    def discard(self) -> None:
        """Set the chosen repetition (or the last that counts) aside, with the reason given:
        one offered is sent as offered (kept in English, shown translated), one typed as typed."""
        text = self.reason.currentText().strip()
        offered = self.reason.findText(text)
        reason = self.reason.itemData(offered) if offered >= 0 else text
        attempt, number = self._chosen_repetition() or (0, 0)
        self._send(commands.DiscardRepetition(origin=commands.Origin.THERAPIST, attempt=attempt, number=number,
                                              reason=reason or ""))  # fmt: skip

    def add_note(self) -> None:
        text = self.note.text().strip()
        if text:
            self._send(commands.AddNote(origin=commands.Origin.THERAPIST, text=text))
            self.note.clear()

    # ----- showing -------------------------------------------------------------------
    def follow(self, exercise: Exercise) -> None:
        """What is asked of the exercise now (a new exercise, or a change in force)."""
        self.low_mm.setValue(exercise.target_mm[0])
        self.high_mm.setValue(exercise.target_mm[1])
        self.hold_s.setValue(max(MIN_SET_HOLD_S, exercise.hold_s))
        self.feedback.setCurrentIndex(max(0, self.feedback.findData(exercise.feedback)))

    def logged(self, event: Steered) -> None:
        """One more line of what was done (as the records keep it)."""
        self.log.addItem(log_line(event.at_s, event.origin, event.action, event.detail, event.text))
        self.log.scrollToBottom()

    def clear(self) -> None:
        """A new session: nothing done in it yet."""
        self.log.clear()

    def set_session_running(self, running: bool) -> None:
        """Steering needs a session under way; a note may still be added at its end."""
        for widget in (self.target_button, self.from_last_button, self.hold_button, self.feedback,
                       self.discard_button, self.redo_button, self.previous_button):  # fmt: skip
            widget.setEnabled(running)
