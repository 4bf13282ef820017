"""The live window's view of the session: the step the person is at, and how they are doing.

`StepPanel` says what to do now and how far through the step they are; `FeedbackPanel`
shows the exercise, the per-side bars, the symmetry, synkinesis alerts and the results.
Both redraw from one `SessionView` at a time, and only what changed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressBar, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from coach.base.formats import number_text
from coach.base.i18n import N_, tr
from coach.base.palette import weaker_side_word
from coach.gui.labels import make_label, set_style, set_text
from coach.gui.widgets import CAUTION, GOOD, STATUS_COLOURS, WARNING, ExerciseIllustration, SideBars, VideoView
from coach.session.coaching import SessionView
from coach.session.feedback import Feedback
from coach.session.phases import REP_PHASES, Phase

#: the symmetry readout's state in a mark and a word, never in its colour alone
STATUS_WORDS = {
    "good": ("\N{CHECK MARK}", N_("even")),
    "caution": ("!", N_("uneven")),
    "too_much": ("!", N_("too much")),
}

#: how an exercise ended, as shown (the records keep the codes)
RESULT_WORDS = {
    "completed": N_("completed"),
    "skipped": N_("skipped"),
    "stopped": N_("stopped"),
    "not_done": N_("not done: no movement seen"),
}


class StepPanel(QWidget):
    """Where the person is in the programme, what to do now, and how long this step has left."""

    def __init__(self, video: VideoView | None = None, parent: QWidget | None = None) -> None:
        """video: where a therapist's change is told, over the picture the patient looks at
        (it moves nothing on this panel and is never cut short)."""
        super().__init__(parent)
        self.video = video
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.progress_label = make_label("", 12)
        self.headline = make_label(tr("Welcome"), 24, bold=True)
        self.detail = make_label(tr("Choose a programme and press Start. Sit facing the camera in good light."), 14)
        self.phase_bar = QProgressBar()
        self.phase_bar.setTextVisible(False)
        self.phase_bar.setFixedHeight(14)
        #: offered after a while relaxing without a still face: go on with the face as it is
        self.accept_rest_button = QPushButton(tr("Use this face as my resting face"))
        self.accept_rest_button.setMinimumHeight(36)
        self.accept_rest_button.hide()
        for widget in (self.progress_label, self.headline, self.detail, self.phase_bar, self.accept_rest_button):
            layout.addWidget(widget)

    def say(self, headline: str, detail: str) -> None:
        """Words from the window itself (no session is speaking)."""
        self.headline.setText(headline)
        self.detail.setText(detail)

    def show_view(self, view: SessionView) -> None:
        set_text(self.headline, view.headline)
        if self.video is not None:
            self.video.set_notice(view.notice)
        set_text(self.detail, view.detail)
        exercise = view.exercise
        if exercise is not None and view.phase not in (Phase.CAMERA_CHECK, Phase.CALIBRATING):
            number, count = view.exercise_index + 1, view.exercise_count
            if view.phase in REP_PHASES:
                progress = tr("Exercise {number} of {count} · repetition {rep} of {reps}", number=number,
                              count=count, rep=view.rep_number, reps=view.rep_total)  # fmt: skip
            else:
                progress = tr("Exercise {number} of {count}", number=number, count=count)
            set_text(self.progress_label, progress)
        else:
            stage = (
                tr("finished")
                if view.finished
                else tr("stopped")
                if view.phase is Phase.SUMMARY
                else tr("getting ready")
            )
            set_text(self.progress_label, f"{view.programme_name} · {stage}")
        self.phase_bar.setValue(int(view.phase_progress * 100))
        self.accept_rest_button.setVisible(view.offer_accept_rest)
        camera_good = view.phase is Phase.CAMERA_CHECK and view.camera_check is not None and view.camera_check.ok
        set_style(self.detail, f"color: {GOOD.name()};" if camera_good else "")


class FeedbackPanel(QWidget):
    """How the exercise goes: what to move, each side's movement, evenness, alerts, results."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.illustration = ExerciseIllustration()
        self.bars = SideBars()
        self.symmetry = make_label("", 18, bold=True)
        self.symmetry.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.alert = make_label("", 14, bold=True)
        self.alert.setStyleSheet(f"background: {WARNING.name()}; color: white; padding: 6px; border-radius: 6px;")
        self.results = QTableWidget(0, 6)
        self.results.setAccessibleName(tr("Results"))
        self.results.setHorizontalHeaderLabels(
            [tr("Exercise"), tr("Reps"), tr("Left\nmm"), tr("Right\nmm"), tr("Sym-\nmetry"), tr("Weaker\nside")]
        )
        self.results.verticalHeader().hide()
        self.results.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.results.horizontalHeader()
        header.setSectionResizeMode(0, header.ResizeMode.Stretch)
        for column_index in range(1, 6):
            header.setSectionResizeMode(column_index, header.ResizeMode.ResizeToContents)
        layout.addWidget(self.illustration, alignment=Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.bars, stretch=1)
        layout.addWidget(self.symmetry)
        layout.addWidget(self.alert)
        layout.addWidget(self.results, stretch=1)
        for widget in (self.illustration, self.bars, self.alert, self.results):
            widget.hide()

    def clear(self, left_on_screen_left: bool, affected_side: str | None = None) -> None:
        """A new session (of someone whose palsy is on `affected_side`, if known): no results and
        no movement yet."""
        self.results.hide()
        self.bars.affected_side = affected_side if affected_side in ("left", "right") else None
        self.bars.set_feedback(None, left_on_screen_left)

    def set_sides(self, left_on_screen_left: bool) -> None:
        """The picture was flipped: the bars follow the face."""
        self.bars.set_feedback(self.bars.feedback, left_on_screen_left)

    def show_view(self, view: SessionView, left_on_screen_left: bool) -> None:
        """left_on_screen_left: the patient's left side appears on the left of the screen."""
        exercise = view.exercise
        showing_exercise = exercise is not None and view.phase in (Phase.INSTRUCTION, Phase.COUNTDOWN, *REP_PHASES)
        self.illustration.setVisible(showing_exercise and view.phase not in REP_PHASES)
        if showing_exercise:
            self.illustration.set_measure(exercise.primary[0])
        self.bars.setVisible(view.phase in REP_PHASES and view.bars_shown)
        self.bars.set_feedback(view.feedback, left_on_screen_left)
        if view.phase in REP_PHASES and not view.bars_shown:  # feedback faded or at the end only
            set_text(self.symmetry, view.last_result or tr("Your result comes at the end of the exercise."))
            set_style(self.symmetry, "color: #333;")
        else:
            self._show_symmetry(view.feedback, view.phase in REP_PHASES)
        alerts = view.feedback.alerts if view.feedback is not None else ()
        self.alert.setVisible(bool(alerts))
        if alerts:
            self.alert.setText(" ".join(dict.fromkeys(a.message for a in alerts)))
        show_results = view.phase in (Phase.EXERCISE_RESULT, Phase.SUMMARY) and bool(view.results)
        self.results.setVisible(show_results)
        if show_results:
            self._fill_results(view)

    def _show_symmetry(self, feedback: Feedback | None, in_repetition: bool) -> None:
        if feedback is not None and feedback.symmetry is not None:
            colour = STATUS_COLOURS.get(feedback.status, CAUTION)
            mark, word = STATUS_WORDS.get(feedback.status, ("", ""))
            readout = tr("Symmetry {percent}% · {state}", percent=f"{feedback.symmetry * 100:.0f}", state=tr(word))
            set_text(self.symmetry, f"{mark} {readout}")
            set_style(self.symmetry, f"color: {colour.name()};")
        elif in_repetition:
            self.symmetry.setText(tr("Symmetry") + " \N{EN DASH}")
            set_style(self.symmetry, "color: #555;")
        else:
            self.symmetry.setText("")

    def _fill_results(self, view: SessionView) -> None:
        """The finished exercise's result, or every exercise's in the summary."""
        results = view.results if view.phase is Phase.SUMMARY else view.results[-1:]
        self.results.setRowCount(len(results))
        for row, result in enumerate(results):
            s = result.summary
            cells = [
                result.exercise.name
                if result.status == "completed"
                else tr("{exercise} ({status})", exercise=result.exercise.name, status=tr(RESULT_WORDS[result.status])),
                str(s.reps),
                "-" if s.left_mm is None else number_text(s.left_mm, 1),
                "-" if s.right_mm is None else number_text(s.right_mm, 1),
                "-" if s.symmetry is None else f"{number_text(s.symmetry * 100, 0)} %",
                weaker_side_word(s.weaker_side) if s.reps or s.weaker_side else "-",
            ]
            for column, text in enumerate(cells):
                self.results.setItem(row, column, QTableWidgetItem(text))
