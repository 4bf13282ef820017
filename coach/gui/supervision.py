"""The therapist's view of a live session, beside the patient (a second window, for a second screen).

One more subscriber of the session's events, hearing every measured picture too, and one more
sender of its commands, each as the therapist: the per-side traces of the exercise's own
measure and of the synkinesis it watches over the last 30 s (target band and the face's onset
threshold drawn), the repetitions as they come (counted or missed, and why), the phase and
timer, whose session it is and their affected side, the session's own controls with keys, and
the therapist's steering (`steering_panel`: target, hold, feedback, repetitions set aside or done
again, notes) with the log of what was done. It shows the camera picture too: it is on the same
computer as the patient.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from coach.base.formats import number_text, short_number_text
from coach.base.i18n import N_, tr
from coach.base.palette import weaker_side_word
from coach.gui.labels import make_label, set_text
from coach.gui.layouts import flow_of, scrolling
from coach.gui.session_bridge import SessionBridge
from coach.gui.steering_panel import SteeringPanel
from coach.gui.trace_plot import TracePlot
from coach.gui.widgets import VideoView
from coach.measure.measures import measure_label
from coach.plans.exercises import Exercise
from coach.records.models import Patient
from coach.remote.therapist_side import FollowedSession
from coach.session import commands
from coach.session.coaching import SessionView
from coach.session.commands import AcceptRest, Command, Origin, Pause, RepeatExercise, Resume, Skip, Stop
from coach.session.controller import SessionController
from coach.session.engine import Repetition
from coach.session.events import (
    CommandRefused,
    ExerciseAdjusted,
    FrameMeasured,
    RepetitionDiscarded,
    RepetitionFinished,
    RepetitionMissed,
    SessionEvent,
    SessionStarted,
    Steered,
)
from coach.session.phases import Phase
from coach.session.steering_words import reason_words, steering_words

#: the traces are redrawn this often (ms): 20 a second, smooth to the eye, cheap to draw
REDRAW_MS = 50
#: a missed attempt's reason (exercise_run.AttemptOutcome.reason) in the therapist's words
MISSED_WORDS = {
    "unseen": N_("not counted: face not seen"),
    "turned": N_("not counted: head turned away"),
    "eyes hidden": N_("not counted: eyes hidden by light"),
    "no movement": N_("not counted: no movement"),
    "not held": N_("not counted: not held"),
}
#: who asked, in the words shown beside what was done
ORIGIN_WORDS = {
    Origin.PATIENT: N_("the patient"),
    Origin.THERAPIST: N_("the therapist"),
    Origin.THERAPIST_REMOTE: N_("the therapist (remote)"),
    Origin.APP: N_("the app"),
}
#: what was asked, in the words shown
COMMAND_WORDS = {
    Pause: N_("pause"),
    Resume: N_("resume"),
    Skip: N_("skip"),
    RepeatExercise: N_("repeat the exercise"),
    Stop: N_("stop"),
    AcceptRest: N_("use this face as the resting face"),
    commands.SetTargetBand: N_("set the target"),
    commands.TargetFromLastRepetition: N_("set the target from the last repetition"),
    commands.SetHoldTime: N_("set the hold"),
    commands.SetFeedbackSchedule: N_("change the feedback"),
    commands.DiscardRepetition: N_("set a repetition aside"),
    commands.RedoRepetition: N_("do the last repetition again"),
    commands.PreviousExercise: N_("go back an exercise"),
    commands.AddNote: N_("add a note"),
}
#: a hold shorter than this share of the one asked is pointed out (a frame or two short is not)
HELD_SHARE = 0.8
#: where a repetition's (attempt, number) is kept in the table's first column
_REPETITION_ROLE = Qt.ItemDataRole.UserRole
AFFECTED_WORDS = {
    "left": N_("affected side: left (patient's)"),
    "right": N_("affected side: right (patient's)"),
    "both": N_("affected side: both"),
    "unknown": N_("affected side: not recorded"),
}


class SupervisionWindow(QMainWindow):
    #: the window closed (it no longer needs the camera picture)
    closed = Signal()

    def __init__(
        self,
        controller: SessionController | FollowedSession,
        patient_of: Callable[[int], Patient | None],
        parent: QWidget | None = None,
        remote: bool = False,
    ) -> None:
        """patient_of: the patient a session is for, from the records (None: not known); remote:
        the session runs on the patient's computer elsewhere (`remote_follow`): no picture, the link's state shown."""
        super().__init__(parent)
        self.setWindowTitle(tr("Supervision — Facial Symmetry Coach"))
        self.resize(1280, 760)
        self.controller = controller
        self.patient_of = patient_of
        self.view: SessionView | None = None
        #: what was asked of the exercise shown, as the repetitions are judged against it
        self._asked: Exercise | None = None
        #: (session, exercise) the traces and table are of
        self._plotted: tuple[int, int] | None = None
        self._build()
        self.video.setVisible(not remote)
        self.link_line.setVisible(remote)
        self.bridge = SessionBridge(self, measured_frames=True)
        self.bridge.view_arrived.connect(self._show_newest_view)
        self.bridge.event_arrived.connect(self._on_event)
        self._unsubscribe = controller.events.subscribe(self.bridge)
        self.destroyed.connect(self._unsubscribe)  # (deleted with its parent, never closed: stop hearing too)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._redraw)
        self.timer.start(REDRAW_MS)
        session = controller.session
        if session is not None and controller.started_by is not None:  # opened during a session
            self._show_patient(controller.started_by.patient_id)
            for steered in list(session.steered):
                self.steering.logged(steered)
        elif remote:  # a session elsewhere: the patient chosen when pairing, from the start
            self._show_patient(getattr(controller, "patient_id", None))

    # ----- layout --------------------------------------------------------------------
    def _build(self) -> None:
        central = QWidget()
        column = QVBoxLayout(central)
        self.patient_line = make_label(tr("No patient named for this session"), 15, bold=True)
        self.phase_line = make_label("", 13)
        #: the link to the patient's computer elsewhere (hidden beside the patient)
        self.link_line = make_label("", 12)
        column.addWidget(self.patient_line)
        column.addWidget(self.link_line)
        column.addWidget(self.phase_line)
        #: the traces beside the rest; the therapist may move the line between them
        self.row = row = QSplitter(Qt.Orientation.Horizontal)
        plots = QSplitter(Qt.Orientation.Vertical)
        self.movement = TracePlot(tr("Movement, per side"), "mm")
        self.synkinesis = TracePlot(tr("Synkinesis, per side"), "%")
        plots.addWidget(self.movement)
        plots.addWidget(self.synkinesis)
        row.addWidget(plots)
        # every widget is made inside its parent: one Qt deletes with the window, never Python too
        self._side = holder = QWidget()
        side = QVBoxLayout(holder)
        self.video = VideoView()
        self.video.setMinimumSize(320, 180)
        self.video.setMaximumHeight(240)  # the therapist sits beside the patient: the traces and controls come first
        self.video.setAccessibleName(tr("Camera picture"))
        side.addWidget(self.video, stretch=1)
        self.repetitions = QTableWidget(0, 7)
        self.repetitions.setAccessibleName(tr("Repetitions of this exercise"))
        self.repetitions.setHorizontalHeaderLabels(["#", tr("Left\nmm"), tr("Right\nmm"), tr("Sym-\nmetry"),
                                                    tr("Synki-\nnesis %"), tr("Hold\ns"), tr("State")])  # fmt: skip
        self.repetitions.verticalHeader().hide()
        self.repetitions.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.repetitions.horizontalHeader()
        header.setSectionResizeMode(header.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)  # the state (and why set aside) has the room that is left
        self.repetitions.setWordWrap(True)
        self.repetitions.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.repetitions.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.repetitions.setMinimumHeight(120)
        self.steering = SteeringPanel(self.controller.send, self.chosen_repetition)
        self.tables = QTabWidget()
        self.tables.addTab(self.repetitions, tr("Repetitions of this exercise"))
        self.tables.addTab(self.steering.log, tr("What was done in this session"))
        side.addWidget(self.tables, stretch=1)
        side.addWidget(self.steering)
        row.addWidget(scrolling(holder))
        row.setChildrenCollapsible(False)
        column.addWidget(row, stretch=1)
        column.addWidget(self._build_controls())
        self.setCentralWidget(central)

    def _build_controls(self) -> QWidget:
        """The session's controls, as the therapist, each with its key (while this window has the focus)."""
        self.pause_button = QPushButton(tr("Pause (Space)"))
        self.skip_button = QPushButton(tr("Skip (S)"))
        self.repeat_button = QPushButton(tr("Repeat exercise (R)"))
        self.accept_rest_button = QPushButton(tr("Use this face as the resting face (A)"))
        self.stop_button = QPushButton(tr("Stop (Esc)"))
        actions = [
            (self.pause_button, self.toggle_pause, Qt.Key.Key_Space),
            (self.skip_button, lambda: self.send(Skip), Qt.Key.Key_S),
            (self.repeat_button, lambda: self.send(RepeatExercise), Qt.Key.Key_R),
            (self.accept_rest_button, lambda: self.send(AcceptRest), Qt.Key.Key_A),
            (self.stop_button, self.ask_to_stop, Qt.Key.Key_Escape),
        ]
        for button, act, key in actions:
            button.clicked.connect(act)
            QShortcut(QKeySequence(key), self, activated=act)
        return flow_of(*(button for button, _, _ in actions))

    # ----- steering ------------------------------------------------------------------
    def send(self, kind: type[Command]) -> None:
        """Ask the session for `kind` as the therapist, now."""
        self.controller.send(kind(origin=Origin.THERAPIST))

    def toggle_pause(self) -> None:
        if self.view is not None and not self.view.finished:
            self.send(Resume if self.view.paused else Pause)

    def ask_to_stop(self) -> None:
        if self.view is None or self.view.finished:
            return
        answer = QMessageBox.question(self, tr("Stop the session?"),
                                      tr("Stop this session now? What was done so far is kept."))  # fmt: skip
        if answer == QMessageBox.StandardButton.Yes:
            self.send(Stop)

    # ----- showing -------------------------------------------------------------------
    def _on_event(self, event: SessionEvent) -> None:
        match event:
            case FrameMeasured():
                self.movement.add(event.at_s, {k: (v.left, v.right) for k, v in event.measures_mm.items()})
                self.synkinesis.add(event.at_s, {k: (v.left, v.right) for k, v in event.synkinesis_pct.items()})
            case SessionStarted(patient_id=patient_id):
                self._show_patient(patient_id)
                self.steering.clear()
            case RepetitionFinished(number=number, repetition=rep, attempt=attempt):
                self._add_row(_row_of(number, rep, self._asked), (attempt, number))
            case RepetitionMissed(reason=reason):
                self._add_row(["-", "-", "-", "-", "-", "-", tr(MISSED_WORDS.get(reason, reason))])
            case RepetitionDiscarded(attempt=attempt, number=number, reason=reason):
                self._mark_set_aside((attempt, number), reason)
            case ExerciseAdjusted(exercise=exercise):
                self._asked = exercise
                self.steering.follow(exercise)
                self.movement.set_band(exercise.target_mm, self.view.onset_mm or None if self.view else None)
            case Steered(origin=origin, action=action, detail=detail, text=text):
                self.steering.logged(event)
                self.statusBar().showMessage(tr("Done by {origin}: {what}.", origin=tr(ORIGIN_WORDS[Origin(origin)]),
                                                what=steering_words(action, detail, text)), 6000)  # fmt: skip
            case CommandRefused(command=command, reason=reason):
                self.statusBar().showMessage(tr("Not done: {command}. {reason}", command=_words(command),
                                                reason=reason), 8000)  # fmt: skip

    def _show_patient(self, patient_id: int | None) -> None:
        patient = self.patient_of(patient_id) if patient_id is not None else None
        if patient is None:
            set_text(self.patient_line, tr("No patient named for this session"))
            return
        name = f"{patient.code} — {patient.name}" if patient.name else patient.code
        set_text(self.patient_line, f"{name} · {tr(AFFECTED_WORDS.get(patient.affected_side, patient.affected_side))}")

    def _follow_exercise(self, view: SessionView) -> None:
        """Traces and table for the exercise the view shows, once per exercise (also when the
        window opens, or is built anew, in the middle of one)."""
        exercise = view.exercise
        shown = (view.session_serial, view.exercise_index) if exercise is not None else None
        if shown == self._plotted or exercise is None:
            return
        self._plotted = shown
        self._asked = exercise
        self.repetitions.setRowCount(0)
        self.steering.follow(exercise)
        self.movement.set_measures({m: measure_label(m) for m in exercise.primary[:1]})
        self.movement.set_band(exercise.target_mm, view.onset_mm or None)
        self.synkinesis.set_measures({m: measure_label(m) for m in exercise.synkinesis_watch})
        self.synkinesis.set_band(None, exercise.synkinesis_limit_pct)

    def _add_row(self, cells: list[str], repetition: tuple[int, int] | None = None) -> None:
        """One row of the table; `repetition`: the (attempt, number) of a finished repetition."""
        row = self.repetitions.rowCount()
        self.repetitions.insertRow(row)
        for column, text in enumerate(cells):
            self.repetitions.setItem(row, column, QTableWidgetItem(text))
        # kept as text, a plain Qt value (a Python object inside Qt is freed by Qt, on any thread)
        self.repetitions.item(row, 0).setData(
            _REPETITION_ROLE, "" if repetition is None else f"{repetition[0]}:{repetition[1]}"
        )
        self.repetitions.resizeRowToContents(row)  # a long state wraps, never elided
        self.repetitions.scrollToBottom()

    def chosen_repetition(self) -> tuple[int, int] | None:
        """The (attempt, number) of the repetition chosen in the table (None: none chosen)."""
        rows = self.repetitions.selectionModel().selectedRows()
        return _repetition_of(self.repetitions.item(rows[0].row(), 0) if rows else None)

    def _mark_set_aside(self, repetition: tuple[int, int], reason: str) -> None:
        """The repetition's row says it was set aside, and why (it stays in the table, greyed)."""
        for row in range(self.repetitions.rowCount()):
            if _repetition_of(self.repetitions.item(row, 0)) == repetition:
                self.repetitions.item(row, 6).setText(tr("set aside: {reason}", reason=reason_words(reason)))
                for column in range(self.repetitions.columnCount()):
                    self.repetitions.item(row, column).setForeground(Qt.GlobalColor.gray)
                self.repetitions.resizeRowToContents(row)

    def _show_newest_view(self) -> None:
        view = self.bridge.views.take()
        if view is None:
            return
        self.view = view
        self._follow_exercise(view)
        self.pause_button.setText(tr("Resume (Space)") if view.paused else tr("Pause (Space)"))
        for button in (self.pause_button, self.skip_button, self.repeat_button, self.stop_button):
            button.setEnabled(not view.finished)
        self.steering.set_session_running(not view.finished and view.exercise is not None)
        self.accept_rest_button.setEnabled(view.phase is Phase.CALIBRATING and not view.paused and not view.finished)
        where = ""
        if view.exercise is not None:
            where = tr("Exercise {index} of {count}: {exercise}", index=view.exercise_index + 1,
                       count=view.exercise_count, exercise=view.exercise.name)  # fmt: skip
            if view.rep_total:
                where += " · " + tr("repetition {number} of {total}", number=view.rep_number, total=view.rep_total)
        timer = f" ({view.phase_remaining_s:.0f} s)" if view.phase_remaining_s >= 1 and not view.finished else ""
        set_text(self.phase_line, " · ".join(part for part in (where, view.headline + timer, view.detail) if part))

    def show_link(self, words: str) -> None:
        """The state of the link to a patient elsewhere, in words."""
        set_text(self.link_line, tr("From another place: {state}", state=words))

    def text_scale_changed(self) -> None:
        """Larger text: the steering side gets the width its controls need (up to 60 %), the traces the rest."""
        total = max(self.row.width(), self.width() - 20)
        side = min(max(self._side.minimumSizeHint().width() + 24, round(0.4 * total)), round(0.6 * total))
        self.row.setSizes([max(200, total - side), side])

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.text_scale_changed()

    def _redraw(self) -> None:
        if self.isVisible():
            self.movement.redraw()
            self.synkinesis.redraw()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.timer.stop()
        self._unsubscribe()
        self.closed.emit()
        super().closeEvent(event)


def _repetition_of(item: QTableWidgetItem | None) -> tuple[int, int] | None:
    """The (attempt, number) a row of the table is of (None: a try that did not count)."""
    kept = item.data(_REPETITION_ROLE) if item is not None else None
    if not kept:
        return None
    attempt, number = str(kept).split(":")
    return int(attempt), int(number)


def _row_of(number: int, rep: Repetition, asked: Exercise | None) -> list[str]:
    """A counted repetition as the table shows it: each side, evenness, the most synkinesis, hold;
    its state says where it was against what was `asked` (the target band, the hold): a repetition
    counts once made and held at all, which is not the same as doing what was asked."""
    synkinesis = max((max(sides.values()) for sides in rep.synkinesis.values()), default=None)
    state = [tr("counted")]
    if asked is not None:
        stronger = max(rep.left_mm, rep.right_mm)
        if stronger > asked.target_mm[1]:
            state.append(tr("above the target"))
        elif stronger < asked.target_mm[0]:
            state.append(tr("below the target"))
        if rep.hold_s < HELD_SHARE * asked.hold_s:
            state.append(
                tr("held {held} of {asked} s", held=number_text(rep.hold_s, 1), asked=short_number_text(asked.hold_s))
            )
    if rep.weaker_side is not None:
        state.append(tr("weaker: {side}", side=weaker_side_word(rep.weaker_side)))
    return [
        str(number),
        number_text(rep.left_mm, 1),
        number_text(rep.right_mm, 1),
        "-" if rep.symmetry is None else f"{number_text(rep.symmetry * 100, 0)} %",
        "-" if synkinesis is None else f"{synkinesis:.0f}",
        number_text(rep.hold_s, 1),
        " · ".join(state),
    ]


def _words(command: Command) -> str:
    """What a command asked, in the words shown (a start is not shown here)."""
    words = COMMAND_WORDS.get(type(command))
    return tr(words) if words else tr("start a session")


def open_supervision(
    window: QWidget,
    controller: SessionController,
    patient_of: Callable[[int], Patient | None],
    previews: list[VideoView],
) -> SupervisionWindow:
    """The supervision window over `window`'s session (the one already open, brought to the front),
    fed with the camera picture `window` shows (`previews`) while it is open."""
    existing = window.findChild(SupervisionWindow)
    if existing is not None and existing.isVisible():
        existing.raise_()
        existing.activateWindow()
        return existing
    supervision = SupervisionWindow(controller, patient_of, window)
    supervision.setWindowFlag(Qt.WindowType.Window)
    supervision.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    previews.append(supervision.video)
    supervision.closed.connect(lambda: previews.remove(supervision.video))
    supervision.show()
    return supervision
