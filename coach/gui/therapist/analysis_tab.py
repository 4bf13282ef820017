"""The "Analyse a recorded video" tab: a video filmed in clinic (or sent by the patient)
measured for one exercise and added to the patient's history, dated when it was filmed.

The analysis and the saving run on a worker thread (`coach.usecases.recorded`), which
opens its own connection to the database; progress comes back through a queued signal,
and the analysis can be cancelled until the moment it is saved.
"""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from coach.base.errors import CoachError
from coach.base.i18n import N_, Nn_, tr
from coach.gui.background import BackgroundTasks
from coach.gui.date_field import DateField
from coach.gui.history import show_session
from coach.gui.labels import HintedEdit
from coach.gui.layouts import flow_of
from coach.gui.therapist.parts import (
    ALL_FILES,
    ERROR_STYLE,
    OK_STYLE,
    Messages,
    ask_open_path,
    counted,
    escaped,
    failure_text,
    message_label,
    sides_note,
)
from coach.plans.exercises import Exercise
from coach.records.models import Patient
from coach.usecases.clinic import Clinic
from coach.usecases.recorded import (
    AnalysisCancelledError,
    RecordedAnalysis,
    SavedRecording,
    analyse_recording,
    filmed_at_of,
    save_recording,
)

VIDEO_FILTER = N_("Videos (*.mp4 *.mov *.avi *.mkv *.webm *.m4v)")
INTRO = N_(
    "Measure a video filmed in clinic (or sent by the patient) and add it to this patient's history as a "
    "“recorded” session. The video is analysed on this computer; only the numbers are kept (and one picture of "
    "the face at the peak, if ticked), never the video. "
    "Start the video with 2\N{EN DASH}3 seconds of the resting face."
)
#: what an analysis found: (for one repetition, for any other number), with and without the patient's code
FOUND_FOR = Nn_(
    "{source}: {count} repetition found; added to the history of {code}.",
    "{source}: {count} repetitions found; added to the history of {code}.",
)
FOUND = Nn_(
    "{source}: {count} repetition found; added to the patient's history.",
    "{source}: {count} repetitions found; added to the patient's history.",
)
#: the exercise chosen at first
FIRST_EXERCISE_ID = "big_smile"


class AnalysisTab(QWidget):
    """A recorded video into the patient's history. `session_added(session_id)` fires once it is saved."""

    session_added = Signal(int)
    _progress = Signal(int, int)  # frames done, frames expected (0: unknown)

    def __init__(
        self,
        clinic: Clinic | None,
        model_bytes: bytes,
        exercises: dict[str, Exercise],
        messages: Messages,
        tasks: BackgroundTasks,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.clinic = clinic
        self.model_bytes = model_bytes
        self.exercises = exercises
        self.messages = messages
        self.tasks = tasks
        self.patient: Patient | None = None
        self.running = False
        self._cancel = threading.Event()
        layout = QVBoxLayout(self)
        intro = QLabel(tr(INTRO))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(self._build_form())
        layout.addWidget(self._build_buttons())
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        layout.addWidget(self.progress)
        self.status = message_label()
        layout.addWidget(self.status)
        self.result = QTextBrowser()
        self.result.setAccessibleName(tr("Analysis result"))
        layout.addWidget(self.result, 1)
        self._progress.connect(self._show_progress)

    def _build_form(self) -> QFormLayout:
        video_row = QHBoxLayout()
        self.video_path = HintedEdit(tr("no video chosen"))
        self.video_path.setReadOnly(True)
        self.video_path.setAccessibleName(tr("Video file"))
        self.choose_video_button = QPushButton(tr("Choose video…"))
        self.choose_video_button.clicked.connect(self._choose_video)
        video_row.addWidget(self.video_path, 1)
        video_row.addWidget(self.choose_video_button)
        self.exercise = QComboBox()
        for exercise in self.exercises.values():
            name = tr("{exercise} (resting face only)", exercise=exercise.name) if exercise.is_static else exercise.name
            self.exercise.addItem(name, exercise.id)
        self.exercise.setCurrentIndex(max(self.exercise.findData(FIRST_EXERCISE_ID), 0))
        self.filmed_on = DateField(tr("Filmed on"))
        self.filmed_on.set_date(date.today())
        self.filmed_on.setToolTip(tr("The session is dated on this day, so the trends put it in its place"))
        self.keep_picture = QCheckBox(tr("Keep a picture of the peak"))
        self.keep_picture.setToolTip(
            tr(
                "Only with the patient's consent. Cropped to the face, kept in this computer's database, "
                "shown in reports"
            )
        )
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # the label above, when long
        form.addRow(tr("Video:"), video_row)
        form.addRow(tr("Exercise shown:"), self.exercise)
        form.addRow(tr("Filmed on:"), self.filmed_on)
        form.addRow("", self.keep_picture)
        return form

    def _build_buttons(self) -> QWidget:
        self.analyse_button = QPushButton(tr("Analyse and add to history"))
        self.analyse_button.setMinimumHeight(36)
        self.cancel_button = QPushButton(tr("Cancel"))
        self.cancel_button.setEnabled(False)
        buttons = flow_of(self.analyse_button, self.cancel_button)
        self.analyse_button.clicked.connect(lambda: self.analyse_video())
        self.cancel_button.clicked.connect(self.cancel_analysis)
        return buttons

    def show_patient(self, patient: Patient | None) -> None:
        """A new patient starts with an empty result."""
        self.patient = patient
        if patient is not None:
            self.status.setText("")
            self.result.clear()
            self.progress.setValue(0)

    def _choose_video(self) -> None:
        path = ask_open_path(self, tr("Choose a video of the exercise"), _video_filter())
        if path is not None:
            self.video_path.setText(str(path))

    def analyse_video(self, path: Path | None = None, exercise_id: str | None = None) -> bool:
        """Measure a video on a worker thread and add it to the selected patient's history.

        The button calls it with the chosen file (asking for one if none was chosen);
        returns True if the analysis started. Progress and the result appear in the tab.
        """
        if self.patient is None or self.clinic is None or self.running:
            return False
        if path is None:
            path = Path(self.video_path.text()) if self.video_path.text() else ask_open_path(
                self, tr("Choose a video of the exercise"), _video_filter()
            )  # fmt: skip
            if path is None:
                return False
        if exercise_id is not None:
            self.exercise.setCurrentIndex(max(self.exercise.findData(exercise_id), 0))
        exercise = self.exercises.get(exercise_id or self.exercise.currentData())
        if exercise is None:
            return False
        filmed_on_problem = self.filmed_on.problem()
        if filmed_on_problem is not None:
            self.status.setStyleSheet(ERROR_STYLE)
            self.status.setText(tr("Filmed on: {problem}", problem=filmed_on_problem))
            return False
        self.status.setStyleSheet("")
        self.video_path.setText(str(path))
        database, model, patient_id = self.clinic.database, self.model_bytes, self.patient.id
        filmed_on = self.filmed_on.date()
        assert filmed_on is not None  # no problem: a date
        filmed_at, keep_picture = filmed_at_of(filmed_on), self.keep_picture.isChecked()
        self._cancel = cancel = threading.Event()

        def work() -> tuple[RecordedAnalysis, SavedRecording]:
            recorded = analyse_recording(path, exercise, model, on_progress=self._emit_progress, cancel=cancel)
            saved = save_recording(
                database, recorded, patient_id, filmed_at=filmed_at, keep_picture=keep_picture, cancel=cancel
            )
            return recorded, saved

        self._started()
        self.status.setText(tr("Analysing {file} for “{exercise}”…", file=path.name, exercise=exercise.name))
        self.tasks.run(work, self._done, self._failed)
        return True

    def cancel_analysis(self) -> None:
        """Stop the analysis running, if any: at the next frame, or before it is saved."""
        self._cancel.set()
        if self.running:
            self.status.setText(tr("Cancelling…"))

    def _emit_progress(self, done: int, total: int) -> None:
        try:
            self._progress.emit(int(done), int(total))
        except RuntimeError:  # the window is gone
            pass

    def _show_progress(self, done: int, total: int) -> None:
        if not self.running:
            return
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
            self.progress.setFormat(tr("frame {done} of {total}", done=min(done, total), total=total))
        else:
            self.progress.setRange(0, 0)

    def _started(self) -> None:
        self.running = True
        self.analyse_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.choose_video_button.setEnabled(False)
        self.progress.setRange(0, 0)  # busy until the frame count is known
        self.status.setStyleSheet("")
        self.result.clear()

    def _finished(self) -> None:
        self.running = False
        self.analyse_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.choose_video_button.setEnabled(True)

    def _done(self, outcome: tuple[RecordedAnalysis, SavedRecording]) -> None:
        recorded, saved = outcome
        self._finished()
        maximum = max(self.progress.maximum(), 1)
        self.progress.setRange(0, maximum)
        self.progress.setValue(maximum)
        self.progress.setFormat(tr("done"))
        self.status.setStyleSheet(OK_STYLE)
        count, source = len(recorded.analysis.reps), recorded.analysis.track.source
        if self.patient is not None:
            self.status.setText(counted(count, *FOUND_FOR, source=source, code=self.patient.code))
        else:
            self.status.setText(counted(count, *FOUND, source=source))
        parts = []
        if recorded.warnings:
            items = "".join(f"<li>{escaped(w)}</li>" for w in recorded.warnings)
            note = escaped(tr("Please note:"))
            parts.append(f"<p><b>{note}</b></p><ul>{items}</ul>")
        if self.clinic is not None:
            try:
                show_session(self.result, self.clinic, saved.session_id, prefix="".join([*parts, sides_note()]))
            except (CoachError, KeyError) as exc:
                self.result.setHtml("".join([*parts, f"<p>{escaped(str(exc))}</p>"]))
        else:
            self.result.setHtml("".join(parts))
        self.session_added.emit(saved.session_id)

    def _failed(self, error: BaseException) -> None:
        self._finished()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("")
        text = failure_text(error)
        cancelled = isinstance(error, AnalysisCancelledError)
        self.status.setStyleSheet("" if cancelled else ERROR_STYLE)
        self.status.setText(tr("Nothing was added to the history. {problem}", problem=text))
        if not cancelled:
            self.messages.tell(tr("The video could not be analysed"), text)


def _video_filter() -> str:
    """The file dialog's filters for a video: videos, or any file."""
    return f"{tr(VIDEO_FILTER)};;{tr(ALL_FILES)}"
