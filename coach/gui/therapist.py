"""The therapist's window: patients, their sessions, trends, programme and recorded videos.

Opened from the main window on the same session database. Patients are listed on the
left with a form to add or edit one; the selected patient's sessions (with reports
and exports), progress charts, prescribed programme and the analysis of a video
filmed in clinic are tabs on the right.

Why the care with threads: analysing a video or writing a PDF takes seconds, so it runs
on a worker thread and reports back through queued Qt signals; the GUI never waits.
The window's own `SessionStore` belongs to the GUI thread and only ever reads, adds
patients and saves programmes: it never starts a session, so it never holds the
recording lock that a live session in the main window needs. A recorded video is
saved by the worker through its own short-lived store.

Left and right are always the patient's anatomical sides, and labelled so.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from coach.errors import CoachError, ExerciseFileError
from coach.exercises import Exercise, load_exercises
from coach.gui.history import delete_pictures, show_session
from coach.gui.trends import TrendsView
from coach.programmes import Programme, programme_from_dict
from coach.store import AFFECTED_SIDES, PatientRecord, ProgrammeRecord, SessionDetail, SessionStore, StoreError

#: how each affected side reads: always the patient's own side
SIDE_WORDS = {
    "left": "Left (patient's)",
    "right": "Right (patient's)",
    "both": "Both sides",
    "unknown": "Not recorded",
}
KIND_WORDS = {"live": "Live (webcam)", "recorded": "Recorded video"}
COMMON_CAUSES = ("", "Bell's palsy", "Ramsay Hunt syndrome", "After surgery", "Trauma", "Congenital", "Other")
#: above every session shown: the numbers' left and right are the patient's own sides
SIDES_NOTE = "<p style='color:#555'><i>Left and right are the patient's own (anatomical) sides.</i></p>"
ERROR_STYLE = "color: #B00020;"
OK_STYLE = "color: #1B5E20;"
#: the made-up file name programme errors are reported against while editing
EDITOR_PATH = Path("this programme")
VIDEO_FILTER = "Videos (*.mp4 *.mov *.avi *.mkv *.webm *.m4v);;All files (*)"
#: editor columns: header, programme key, spin box range and decimals (None: whole numbers)
PROGRAMME_COLUMNS: tuple[tuple[str, str, float, float, int | None], ...] = (
    ("Repetitions", "repetitions", 0, 99, None),
    ("Hold\n(s)", "hold_s", 0.0, 300.0, 1),
    ("Relax\n(s)", "relax_s", 0.0, 300.0, 1),
    ("Effort\n(1–10)", "effort", 0, 10, None),
    ("Target low\n(mm)", "target_low", 0.0, 60.0, 1),
    ("Target high\n(mm)", "target_high", 0.0, 60.0, 1),
    ("Target\nsymmetry", "target_symmetry", 0.0, 1.0, 2),
)
FIELD_WORDS = {
    "repetitions": "repetitions",
    "hold_s": "hold (s)",
    "relax_s": "relax (s)",
    "effort": "effort",
    "target_mm": "target range (mm)",
    "target_symmetry": "target symmetry",
    "id": "exercise",
}


# --------------------------------------------------------------------------- helpers shared with the main window


def programme_from_record(record: ProgrammeRecord, known: dict[str, Exercise]) -> Programme:
    """A stored programme as the coach runs it (the exercises with the prescribed values).

    Checked with `programme_from_dict`, like a programme file, so an exercise that has
    since disappeared from the exercises folder is an ExerciseFileError, not a crash.
    """
    data = {
        "id": f"stored_{record.uid}",
        "name": record.name,
        "description": record.description,
        "exercise": [
            {
                "id": entry.exercise_id,
                "repetitions": entry.repetitions,
                "hold_s": entry.hold_s,
                "relax_s": entry.relax_s,
                "effort": entry.effort,
                "target_mm": list(entry.target_mm),
                "target_symmetry": entry.target_symmetry,
            }
            for entry in record.entries
        ],
    }
    return programme_from_dict(data, Path(f"stored programme {record.name!r}"), known)


def filmed_at_of(day: QDate) -> datetime | None:
    """A recorded video's date: None (now) for today, else midday of that day."""
    from coach.recorded import midday_of

    chosen = date(day.year(), day.month(), day.day())
    return None if chosen >= date.today() else midday_of(chosen)


def patient_label(patient: PatientRecord) -> str:
    """How a patient is named in lists: code, then the name if there is one."""
    return patient.code + (f" — {patient.display_name}" if patient.display_name else "")


def programme_slug(name: str) -> str:
    """A programme id (lower_case_with_underscores) made from its name, for files."""
    slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    return slug if slug.isidentifier() else f"programme_{slug}".rstrip("_")


def plain_programme_error(message: str, exercise_names: list[str]) -> str:
    """A validation message of `programme_from_dict` in the editor's words (row numbers, column names)."""
    text = re.sub(r"^programme file [^:]*: ", "", message)
    text = re.sub(r"^exercise file [^:]*: ", "", text)
    match = re.match(r"exercise (\d+) field '(\w+)': (.*)$", text, flags=re.DOTALL)
    if match:
        row = int(match.group(1))
        name = exercise_names[row - 1] if 0 < row <= len(exercise_names) else ""
        field_words = FIELD_WORDS.get(match.group(2), match.group(2))
        problem = match.group(3)
        band = re.match(r"\[([-\d.]+), ([-\d.]+)\] must be \[low, high\]", problem)
        if band:
            low, high = (float(v) for v in band.groups())
            return (
                f"Row {row} ({name}): the target low ({low:g} mm) must be below the target high ({high:g} mm), "
                "both between 0 and 40 mm."
            )
        return f"Row {row} ({name}), {field_words}: {problem}"
    return text[:1].upper() + text[1:]


def _plain_store_error(error: BaseException, store: SessionStore | None) -> str:
    """A store or validation error as a sentence for the therapist (no file paths, no field names)."""
    text = str(error)
    if store is not None:
        text = text.replace(f" is already in {store.path}", " already exists").replace(f" in {store.path}", "")
    text = text.replace("onset_date", "onset date").replace("affected_side", "affected side")
    return text[:1].upper() + text[1:]


class _CancelledError(CoachError):
    """The therapist cancelled the analysis."""


class _ProgressLandmarker:
    """Wraps a ParallelLandmarker to report how many frames are done, and to stop on cancel."""

    def __init__(self, inner: Any, report: Callable[[int], None], cancel: threading.Event) -> None:
        self._inner = inner
        self._report = report
        self._cancel = cancel

    def run(self, frames: Iterable[Any]) -> Iterator[Any]:
        for done, result in enumerate(self._inner.run(frames), 1):
            if self._cancel.is_set():
                raise _CancelledError("the analysis was cancelled; nothing was saved")
            if done % 4 == 0:
                self._report(done)
            yield result


@dataclass
class AnalysisOutcome:
    """What the worker hands back after a recorded video was analysed and saved."""

    session_id: int
    source: str
    exercise_name: str
    reps: int
    warnings: list[str] = field(default_factory=list)


@dataclass
class _EditorRow:
    """One exercise of the programme being edited (plain Python numbers, as typed)."""

    exercise_id: str
    repetitions: int
    hold_s: float
    relax_s: float
    effort: int
    target_low: float
    target_high: float
    target_symmetry: float

    @classmethod
    def of(cls, exercise: Exercise) -> _EditorRow:
        return cls(
            exercise.id,
            int(exercise.repetitions),
            float(exercise.hold_s),
            float(exercise.relax_s),
            int(exercise.effort),
            float(exercise.target_mm[0]),
            float(exercise.target_mm[1]),
            float(exercise.target_symmetry),
        )

    def entry(self) -> dict[str, Any]:
        """The row as a programme file's [[exercise]] table."""
        return {
            "id": self.exercise_id,
            "repetitions": self.repetitions,
            "hold_s": self.hold_s,
            "relax_s": self.relax_s,
            "effort": self.effort,
            "target_mm": [self.target_low, self.target_high],
            "target_symmetry": self.target_symmetry,
        }


class _FocusRow(QObject):
    """For the editor's cell widgets: the table's current row follows the focus (for Remove and
    Move), and the mouse wheel scrolls the table instead of silently changing a value it passes over."""

    def __init__(self, table: QTableWidget, row: int) -> None:
        super().__init__(table)
        self._table = table
        self.row = row

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.FocusIn and self._table.currentRow() != self.row:
            self._table.setCurrentCell(self.row, 0)
        if event.type() == QEvent.Type.Wheel and isinstance(watched, QWidget) and not watched.hasFocus():
            QApplication.sendEvent(self._table.viewport(), event)
            return True
        return False


def _bold(text: str, size: int = 13) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSize(size)
    font.setBold(True)
    label.setFont(font)
    return label


def _message_label() -> QLabel:
    label = QLabel("")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    return table


# --------------------------------------------------------------------------- the window


class TherapistWindow(QMainWindow):
    """Patients and programmes. `changed` fires when patients or assigned programmes change."""

    changed = Signal()
    _progress = Signal(int, int)  # frames done, frames expected (0: unknown)
    _task_finished = Signal(int, object, object)  # task number, result, error

    def __init__(
        self,
        database: Path,
        model_bytes: bytes,
        exercises_folder: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Patients and programmes — Facial Symmetry Coach")
        self.resize(1280, 720)
        self.database = Path(database)
        self.model_bytes = model_bytes
        self.exercises_folder = exercises_folder
        self.store: SessionStore | None = None
        self.patients: list[PatientRecord] = []
        self.patient: PatientRecord | None = None
        self.session_ids: list[int] = []
        self.history: list[SessionDetail] = []  # the selected patient's sessions, oldest first
        self.last_message: tuple[str, str] | None = None  # the last (title, text) told in a message box
        self.analysis_running = False
        self._message_box: QMessageBox | None = None
        self._task_numbers = itertools.count(1)
        self._tasks: dict[int, tuple[Callable[[Any], None], Callable[[BaseException], None]]] = {}
        self._threads: list[threading.Thread] = []
        self._cancel_analysis = threading.Event()
        self._rows: list[_EditorRow] = []
        self._row_widgets: list[dict[str, QWidget]] = []
        self.exercises: dict[str, Exercise] = {}
        self.movement_exercises: dict[str, Exercise] = {}
        self._build()
        self._progress.connect(self._show_progress)
        self._task_finished.connect(self._finish_task)
        self._open()

    # ----- building ----------------------------------------------------------------
    def _build(self) -> None:
        central = QWidget()
        layout = QHBoxLayout(central)
        left = QWidget()
        left.setFixedWidth(380)
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 6, 0)
        heading = QHBoxLayout()
        heading.addWidget(_bold("Patients"), 1)
        self.import_patient_button = QPushButton("Import bundle…")
        self.import_patient_button.setToolTip("A patient's sessions exported on another computer (adds the patient)")
        self.import_patient_button.clicked.connect(lambda: self.import_bundle())
        heading.addWidget(self.import_patient_button)
        column.addLayout(heading)
        self.patient_table = _table(["Code", "Name", "Affected side"])
        self.patient_table.setToolTip("The affected side is the patient's own (anatomical) side.")
        header = self.patient_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        column.addWidget(self.patient_table, 1)
        column.addWidget(self._build_patient_form())
        # under the form, not in it: a wrapped message then takes the room it needs from the list
        self.form_message = _message_label()
        self.form_message.setMinimumHeight(self.form_message.fontMetrics().lineSpacing() * 2 + 4)
        self.form_message.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        column.addWidget(self.form_message)
        layout.addWidget(left)

        right = QWidget()
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(6, 0, 0, 0)
        self.patient_title = _bold("Choose a patient on the left, or add one.", 14)
        self.patient_title.setWordWrap(True)
        self.patient_facts = QLabel("")
        self.patient_facts.setWordWrap(True)
        right_column.addWidget(self.patient_title)
        right_column.addWidget(self.patient_facts)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_sessions_tab(), "Sessions")
        self.trends = TrendsView()
        self.tabs.addTab(self.trends, "Trends")
        self.tabs.addTab(self._build_programme_tab(), "Programme")
        self.tabs.addTab(self._build_analysis_tab(), "Analyse a recorded video")
        self.tabs.setEnabled(False)
        right_column.addWidget(self.tabs, 1)
        layout.addWidget(right, 1)
        self.setCentralWidget(central)
        self.patient_table.itemSelectionChanged.connect(self._patient_selection_changed)

    def _build_patient_form(self) -> QGroupBox:
        self.form_box = QGroupBox("New patient")
        form = QFormLayout(self.form_box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.code_edit = QLineEdit()
        self.code_edit.setPlaceholderText("a name or a code, e.g. P07")
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("optional")
        self.side_edit = QComboBox()
        for side in AFFECTED_SIDES:
            self.side_edit.addItem(SIDE_WORDS[side], side)
        self.side_edit.setCurrentIndex(self.side_edit.findData("unknown"))
        self.onset_known = QCheckBox("Known:")
        self.onset_edit = QDateEdit()
        self.onset_edit.setCalendarPopup(True)
        self.onset_edit.setDisplayFormat("yyyy-MM-dd")
        self.onset_edit.setDate(QDate.currentDate())
        self.onset_edit.setEnabled(False)
        self.onset_known.toggled.connect(self.onset_edit.setEnabled)
        onset_row = QHBoxLayout()
        onset_row.addWidget(self.onset_known)
        onset_row.addWidget(self.onset_edit, 1)
        self.cause_edit = QComboBox()
        self.cause_edit.setEditable(True)
        self.cause_edit.addItems(list(COMMON_CAUSES))
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setFixedHeight(58)
        form.addRow("Code:", self.code_edit)
        form.addRow("Name:", self.name_edit)
        form.addRow("Affected side:", self.side_edit)
        form.addRow("Onset date:", onset_row)
        form.addRow("Cause:", self.cause_edit)
        form.addRow("Notes:", self.notes_edit)
        buttons = QHBoxLayout()
        self.add_patient_button = QPushButton("Add patient")
        self.save_patient_button = QPushButton("Save changes")
        self.save_patient_button.setEnabled(False)
        self.new_patient_button = QPushButton("Clear form")
        for button in (self.add_patient_button, self.save_patient_button, self.new_patient_button):
            buttons.addWidget(button)
        form.addRow(buttons)
        self.add_patient_button.clicked.connect(self.add_patient)
        self.save_patient_button.clicked.connect(self.save_patient)
        self.new_patient_button.clicked.connect(self.clear_patient_form)
        return self.form_box

    def _build_sessions_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.sessions_table = _table(["Date", "Kind", "Programme", "Status", "Reps"])
        header = self.sessions_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.session_detail = QTextBrowser()
        splitter.addWidget(self.sessions_table)
        splitter.addWidget(self.session_detail)
        splitter.setSizes([440, 420])
        layout.addWidget(splitter, 1)
        buttons = QHBoxLayout()
        self.report_button = QPushButton("Report (PDF)…")
        self.export_scope = QComboBox()
        self.export_scope.addItem("Selected session", "session")
        self.export_scope.addItem("Whole history", "history")
        self.export_scope.setToolTip("What “Export CSV…” and “Export JSON…” write")
        self.csv_button = QPushButton("Export CSV…")
        self.json_button = QPushButton("Export JSON…")
        self.export_bundle_button = QPushButton("Export bundle…")
        self.export_bundle_button.setToolTip(
            "All of this patient's sessions in one file, to import on another computer"
        )
        self.import_bundle_button = QPushButton("Import bundle…")
        self.report_pictures = QCheckBox("with pictures")
        self.report_pictures.setChecked(True)
        self.report_pictures.setToolTip(
            "Put the pictures kept at the peak of each exercise in the report (only where the patient chose to keep "
            "them); untick before sending the report on"
        )
        self.delete_pictures_button = QPushButton("Delete pictures…")
        self.delete_pictures_button.setToolTip("Delete the pictures kept for the selected session; the numbers stay")
        buttons.addWidget(self.report_button)
        buttons.addWidget(self.report_pictures)
        buttons.addSpacing(12)
        buttons.addWidget(self.export_scope)
        buttons.addWidget(self.csv_button)
        buttons.addWidget(self.json_button)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_pictures_button)
        buttons.addWidget(self.export_bundle_button)
        buttons.addWidget(self.import_bundle_button)
        layout.addLayout(buttons)
        self.sessions_message = _message_label()
        layout.addWidget(self.sessions_message)
        self.sessions_table.itemSelectionChanged.connect(self._show_selected_session)
        self.report_button.clicked.connect(lambda: self.write_report())
        self.csv_button.clicked.connect(lambda: self.export_csv())
        self.json_button.clicked.connect(lambda: self.export_json())
        self.export_bundle_button.clicked.connect(lambda: self.export_bundle())
        self.import_bundle_button.clicked.connect(lambda: self.import_bundle())
        self.delete_pictures_button.clicked.connect(lambda: self.delete_session_pictures())
        return tab

    def _build_programme_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        self.assigned_label = QLabel("")
        self.assigned_label.setWordWrap(True)
        layout.addWidget(self.assigned_label)
        names = QFormLayout()
        self.programme_name = QLineEdit()
        self.programme_description = QLineEdit()
        self.programme_description.setPlaceholderText("optional: what the programme is for, how often to do it")
        names.addRow("Programme name:", self.programme_name)
        names.addRow("Description:", self.programme_description)
        layout.addLayout(names)
        headers = ["Exercise", *(column[0] for column in PROGRAMME_COLUMNS)]
        self.programme_table = QTableWidget(0, len(headers))
        self.programme_table.setHorizontalHeaderLabels(headers)
        self.programme_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.programme_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.programme_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.programme_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for index in range(1, len(headers)):
            header.setSectionResizeMode(index, QHeaderView.ResizeMode.Fixed)
            self.programme_table.setColumnWidth(index, 84)
        self.programme_table.verticalHeader().setDefaultSectionSize(34)
        layout.addWidget(self.programme_table, 1)
        rows = QHBoxLayout()
        self.add_row_button = QPushButton("Add exercise")
        self.remove_row_button = QPushButton("Remove")
        self.up_button = QPushButton("Move up")
        self.down_button = QPushButton("Move down")
        for button in (self.add_row_button, self.remove_row_button, self.up_button, self.down_button):
            rows.addWidget(button)
        rows.addStretch(1)
        self.import_programme_button = QPushButton("Import programme file…")
        self.export_programme_button = QPushButton("Export programme file…")
        rows.addWidget(self.import_programme_button)
        rows.addWidget(self.export_programme_button)
        layout.addLayout(rows)
        self.programme_message = _message_label()
        layout.addWidget(self.programme_message)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        self.save_programme_button = QPushButton("Save and assign to patient")
        self.save_programme_button.setMinimumHeight(36)
        save_row.addWidget(self.save_programme_button)
        layout.addLayout(save_row)
        self.programme_name.textChanged.connect(lambda _text: self.validate_programme())
        self.programme_description.textChanged.connect(lambda _text: self.validate_programme())
        self.add_row_button.clicked.connect(lambda: self.add_programme_row())
        self.remove_row_button.clicked.connect(self.remove_programme_row)
        self.up_button.clicked.connect(lambda: self.move_programme_row(-1))
        self.down_button.clicked.connect(lambda: self.move_programme_row(1))
        self.save_programme_button.clicked.connect(self.save_programme)
        self.export_programme_button.clicked.connect(lambda: self.export_programme())
        self.import_programme_button.clicked.connect(lambda: self.import_programme())
        return tab

    def _build_analysis_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        intro = QLabel(
            "Measure a video filmed in clinic (or sent by the patient) and add it to this patient's history as a "
            "“recorded” session. The video is analysed on this computer; only the numbers are kept (and one picture of "
            "the face at the peak, if ticked), never the video. "
            "Start the video with 2–3 seconds of the resting face."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        video_row = QHBoxLayout()
        self.video_path = QLineEdit()
        self.video_path.setReadOnly(True)
        self.video_path.setPlaceholderText("no video chosen")
        self.choose_video_button = QPushButton("Choose video…")
        video_row.addWidget(self.video_path, 1)
        video_row.addWidget(self.choose_video_button)
        self.analysis_exercise = QComboBox()
        self.filmed_on = QDateEdit()
        self.filmed_on.setCalendarPopup(True)
        self.filmed_on.setDisplayFormat("yyyy-MM-dd")
        self.filmed_on.setDate(QDate.currentDate())
        self.filmed_on.setMaximumDate(QDate.currentDate())
        self.filmed_on.setToolTip("The session is dated on this day, so the trends put it in its place")
        self.keep_picture = QCheckBox("Keep a picture of the face at the peak (only with the patient's consent)")
        self.keep_picture.setToolTip("Cropped to the face, kept in this computer's database, shown in reports")
        form.addRow("Video:", video_row)
        form.addRow("Exercise shown:", self.analysis_exercise)
        form.addRow("Filmed on:", self.filmed_on)
        form.addRow("", self.keep_picture)
        layout.addLayout(form)
        buttons = QHBoxLayout()
        self.analyse_button = QPushButton("Analyse and add to history")
        self.analyse_button.setMinimumHeight(36)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        buttons.addWidget(self.analyse_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.analysis_progress = QProgressBar()
        self.analysis_progress.setRange(0, 1)
        self.analysis_progress.setValue(0)
        layout.addWidget(self.analysis_progress)
        self.analysis_status = _message_label()
        layout.addWidget(self.analysis_status)
        self.analysis_result = QTextBrowser()
        layout.addWidget(self.analysis_result, 1)
        self.choose_video_button.clicked.connect(self._choose_video)
        self.analyse_button.clicked.connect(lambda: self.analyse_video())
        self.cancel_button.clicked.connect(self.cancel_analysis)
        return tab

    # ----- opening and closing -----------------------------------------------------
    def _open(self) -> None:
        try:
            self.exercises = load_exercises(self.exercises_folder)
        except CoachError as exc:
            self.patient_title.setText(f"The exercises cannot be read: {exc}")
            self.setEnabled(False)
            return
        self.movement_exercises = {key: ex for key, ex in self.exercises.items() if not ex.is_static}
        for exercise in self.exercises.values():
            suffix = " (resting face only)" if exercise.is_static else ""
            self.analysis_exercise.addItem(exercise.name + suffix, exercise.id)
        index = self.analysis_exercise.findData("big_smile")
        self.analysis_exercise.setCurrentIndex(max(index, 0))
        try:
            self.store, notice = SessionStore.open(self.database)
        except CoachError as exc:
            self.patient_title.setText(f"The session database cannot be used: {exc}")
            self.form_box.setEnabled(False)
            self.import_bundle_button.setEnabled(False)
            self.import_patient_button.setEnabled(False)
            return
        if notice:
            self.patient_facts.setText(notice)
        self.refresh_patients()

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        self._cancel_analysis.set()
        for thread in self._threads:
            thread.join(timeout=10.0)
        if self.store is not None:
            self.store.close()
            self.store = None
        super().closeEvent(event)

    # ----- messages ----------------------------------------------------------------
    def _tell(self, title: str, text: str, error: bool = True) -> None:
        """A message box that does not block the event loop (open(), not exec())."""
        self.last_message = (title, text)
        if self._message_box is not None:
            self._message_box.close()
        icon = QMessageBox.Icon.Warning if error else QMessageBox.Icon.Information
        self._message_box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self)
        self._message_box.open()

    def _ask_save_path(self, title: str, name: str, filters: str) -> Path | None:
        chosen, _ = QFileDialog.getSaveFileName(self, title, str(Path.home() / name), filters)
        return Path(chosen) if chosen else None

    def _ask_open_path(self, title: str, filters: str) -> Path | None:
        chosen, _ = QFileDialog.getOpenFileName(self, title, str(Path.home()), filters)
        return Path(chosen) if chosen else None

    # ----- patients ----------------------------------------------------------------
    def refresh_patients(self, select_id: int | None = None) -> None:
        """Re-read the patient list; keeps (or moves to) the given selection."""
        if self.store is None:
            return
        keep = select_id if select_id is not None else (self.patient.id if self.patient else None)
        self.patients = self.store.list_patients()
        self.patient_table.blockSignals(True)
        try:
            self.patient_table.clearSelection()
            self.patient_table.setRowCount(len(self.patients))
            for row, patient in enumerate(self.patients):
                cells = [patient.code, patient.display_name or "", SIDE_WORDS[patient.affected_side]]
                for column, text in enumerate(cells):
                    self.patient_table.setItem(row, column, QTableWidgetItem(text))
        finally:
            self.patient_table.blockSignals(False)
        row = next((i for i, p in enumerate(self.patients) if p.id == keep), None)
        if row is None:
            self._select_patient(None)
        else:
            self.patient_table.selectRow(row)
            self._select_patient(self.patients[row])

    def _patient_selection_changed(self) -> None:
        rows = self.patient_table.selectionModel().selectedRows()
        patient = self.patients[rows[0].row()] if rows else None
        if patient is None and self.patient is None:
            return
        if patient is not None and self.patient is not None and patient.id == self.patient.id:
            return
        self._select_patient(patient)

    def select_patient(self, patient_id: int) -> None:
        """Select a patient in the list by id (as a click would)."""
        self.refresh_patients(select_id=patient_id)

    def _select_patient(self, patient: PatientRecord | None) -> None:
        self.patient = patient
        self.form_message.setText("")
        self.save_patient_button.setEnabled(patient is not None)
        self.tabs.setEnabled(patient is not None)
        if patient is None:
            self.form_box.setTitle("New patient")
            self.patient_title.setText("Choose a patient on the left, or add one.")
            self.patient_facts.setText("")
            self.session_ids, self.history = [], []
            self.sessions_table.setRowCount(0)
            self.session_detail.clear()
            self.trends.set_sessions([])
            return
        self._fill_patient_form(patient)
        self._show_patient_header(patient)
        self.refresh_sessions()
        self.load_patient_programme()
        self.analysis_status.setText("")
        self.analysis_result.clear()
        self.analysis_progress.setValue(0)

    def _show_patient_header(self, patient: PatientRecord) -> None:
        self.form_box.setTitle(f"Patient {patient.code}")
        self.patient_title.setText(patient_label(patient))
        facts = [f"Affected side: {SIDE_WORDS[patient.affected_side]}"]
        if patient.onset_date is not None:
            facts.append(f"onset {patient.onset_date.isoformat()}")
        if patient.cause:
            facts.append(patient.cause)
        self.patient_facts.setText(" · ".join(facts))

    def _fill_patient_form(self, patient: PatientRecord) -> None:
        self.code_edit.setText(patient.code)
        self.name_edit.setText(patient.display_name or "")
        self.side_edit.setCurrentIndex(self.side_edit.findData(patient.affected_side))
        self.onset_known.setChecked(patient.onset_date is not None)
        if patient.onset_date is not None:
            onset = patient.onset_date
            self.onset_edit.setDate(QDate(int(onset.year), int(onset.month), int(onset.day)))
        self.cause_edit.setCurrentText(patient.cause or "")
        self.notes_edit.setPlainText(patient.notes or "")

    def clear_patient_form(self) -> None:
        """Empty the form for a new patient (and leave the selected one alone)."""
        self.patient_table.clearSelection()
        for edit in (self.code_edit, self.name_edit):
            edit.clear()
        self.side_edit.setCurrentIndex(self.side_edit.findData("unknown"))
        self.onset_known.setChecked(False)
        self.onset_edit.setDate(QDate.currentDate())
        self.cause_edit.setCurrentText("")
        self.notes_edit.clear()
        self.form_message.setText("")
        self.code_edit.setFocus()

    def _form_fields(self) -> dict[str, Any]:
        onset: date | None = None
        if self.onset_known.isChecked():
            chosen = self.onset_edit.date()
            onset = date(chosen.year(), chosen.month(), chosen.day())
        return {
            "code": self.code_edit.text(),
            "display_name": self.name_edit.text(),
            "affected_side": self.side_edit.currentData(),
            "onset_date": onset,
            "cause": self.cause_edit.currentText(),
            "notes": self.notes_edit.toPlainText(),
        }

    def _form_error(self, text: str) -> None:
        self.form_message.setStyleSheet(ERROR_STYLE)
        self.form_message.setText(text)

    def add_patient(self) -> PatientRecord | None:
        """Add the form as a new patient; a problem is shown under the form and nothing is lost."""
        if self.store is None:
            return None
        fields = self._form_fields()
        if not fields["code"].strip():
            self._form_error("Enter a code: the patient's name or a pseudonymous code such as P07.")
            return None
        try:
            patient = self.store.add_patient(**fields)
        except (StoreError, ValueError) as exc:
            self._form_error(_plain_store_error(exc, self.store))
            return None
        self.refresh_patients(select_id=patient.id)
        self.form_message.setStyleSheet(OK_STYLE)
        self.form_message.setText(f"Patient {patient.code} added.")
        self.changed.emit()
        return patient

    def save_patient(self) -> PatientRecord | None:
        """Save the form over the selected patient."""
        if self.store is None or self.patient is None:
            return None
        try:
            patient = self.store.update_patient(self.patient.id, **self._form_fields())
        except (StoreError, ValueError, KeyError) as exc:
            self._form_error(_plain_store_error(exc, self.store))
            return None
        self.refresh_patients(select_id=patient.id)
        self.form_message.setStyleSheet(OK_STYLE)
        self.form_message.setText(f"Changes to {patient.code} saved.")
        self.changed.emit()
        return patient

    # ----- sessions ----------------------------------------------------------------
    def refresh_sessions(self, select_id: int | None = None) -> None:
        """The selected patient's sessions, newest first; also feeds the trend charts."""
        if self.store is None or self.patient is None:
            return
        try:
            records = self.store.list_sessions(limit=100_000, patient_id=self.patient.id)
            details = [self.store.session_detail(record.id) for record in records]
        except CoachError as exc:
            self.sessions_message.setText(str(exc))
            return
        self.session_ids = [record.id for record in records]
        self.history = list(reversed(details))
        self.sessions_table.blockSignals(True)
        try:
            self.sessions_table.clearSelection()
            self.sessions_table.setRowCount(len(records))
            for row, record in enumerate(records):
                cells = [
                    f"{record.started_at.astimezone():%Y-%m-%d %H:%M}",
                    KIND_WORDS.get(record.kind, record.kind),
                    record.programme_name or "",
                    record.status,
                    str(record.repetition_count),
                ]
                for column, text in enumerate(cells):
                    self.sessions_table.setItem(row, column, QTableWidgetItem(text))
        finally:
            self.sessions_table.blockSignals(False)
        for button in (self.report_button, self.csv_button, self.json_button, self.export_bundle_button):
            button.setEnabled(bool(records))
        if records:
            self.sessions_message.setText(f"{len(records)} session{'s' * (len(records) != 1)}, newest first.")
            row = self.session_ids.index(select_id) if select_id in self.session_ids else 0
            self.sessions_table.selectRow(row)
            self._show_selected_session()
        else:
            self.sessions_message.setText("")
            self.session_detail.setHtml(
                "<p>No sessions yet. Sessions appear here when the patient practises with their code chosen in "
                "the main window, when a bundle from home is imported, or when a video is analysed "
                "(tab “Analyse a recorded video”).</p>"
            )
        self.trends.set_sessions(self.history)

    def selected_session_id(self) -> int | None:
        rows = self.sessions_table.selectionModel().selectedRows()
        if not rows or not 0 <= rows[0].row() < len(self.session_ids):
            return None
        return self.session_ids[rows[0].row()]

    def _show_selected_session(self) -> None:
        session_id = self.selected_session_id()
        if self.store is None or session_id is None:
            return
        try:
            pictures = show_session(self.session_detail, self.store, session_id, prefix=SIDES_NOTE)
        except (CoachError, KeyError) as exc:
            self.session_detail.setPlainText(str(exc))
            pictures = 0
        self.delete_pictures_button.setEnabled(pictures > 0)
        self.report_pictures.setEnabled(pictures > 0)

    def delete_session_pictures(self) -> int:
        """The selected session's kept pictures, after asking; the numbers stay."""
        session_id = self.selected_session_id()
        if self.store is None or session_id is None:
            return 0
        try:
            deleted = delete_pictures(self, self.store, session_id)
        except CoachError as exc:
            self._tell("The pictures could not be deleted", str(exc))
            return 0
        if deleted:
            self.sessions_message.setText(f"Deleted {deleted} picture{'s' * (deleted != 1)}; the numbers are kept.")
        self._show_selected_session()
        return deleted

    def _export_sessions(self) -> list[SessionDetail]:
        """The selected session, or the whole history (oldest first), as the export scope says."""
        if self.export_scope.currentData() == "history":
            return list(self.history)
        session_id = self.selected_session_id()
        return [d for d in self.history if d.id == session_id]

    def _file_stem(self) -> str:
        code = re.sub(r"[^A-Za-z0-9_-]+", "_", self.patient.code if self.patient else "patient")
        session_id = self.selected_session_id()
        if self.export_scope.currentData() == "history" or session_id is None:
            return f"{code}_history"
        detail = next((d for d in self.history if d.id == session_id), None)
        return f"{code}_{detail.started_at.astimezone():%Y-%m-%d_%H%M}" if detail else code

    def write_report(self, path: Path | None = None) -> bool:
        """The selected session's PDF report, written on a worker thread; True if started."""
        session_id = self.selected_session_id()
        session = next((d for d in self.history if d.id == session_id), None)
        if session is None or self.patient is None:
            self._tell("Report", "Choose a session in the list first.")
            return False
        path = path or self._ask_save_path("Save the session report", self._file_stem() + ".pdf", "PDF (*.pdf)")
        if path is None:
            return False
        history, patient = list(self.history), self.patient
        try:
            pictures = self.store.session_snapshots(session.id) if self.report_pictures.isChecked() else {}
        except CoachError as exc:
            self._tell("The report could not be written", str(exc))
            return False

        def work() -> int:
            from coach.report import write_session_report

            return write_session_report(path, session, history, patient, snapshots=pictures)

        self.sessions_message.setText(f"Writing the report {path.name}…")
        self.report_button.setEnabled(False)

        def done(pages: Any) -> None:
            self.report_button.setEnabled(True)
            self.sessions_message.setText(f"Report saved as {path} ({pages} page{'s' * (pages != 1)}).")

        def failed(error: BaseException) -> None:
            self.report_button.setEnabled(True)
            self.sessions_message.setText("")
            self._tell("The report could not be written", _error_text(error))

        self._run_in_background(work, done, failed)
        return True

    def export_csv(self, path: Path | None = None) -> bool:
        """The selected session or the whole history as CSV, one row per repetition."""
        sessions = self._export_sessions()
        if not sessions:
            self._tell("Export CSV", "Choose a session in the list first, or export the whole history.")
            return False
        path = path or self._ask_save_path("Export as CSV", self._file_stem() + ".csv", "CSV (*.csv)")
        if path is None:
            return False
        try:
            from coach.exports import write_csv

            rows = write_csv(path, sessions)
        except (OSError, CoachError, ValueError) as exc:
            self._tell("The CSV file could not be written", _error_text(exc))
            return False
        self.sessions_message.setText(f"Wrote {rows} repetition row{'s' * (rows != 1)} to {path}.")
        return True

    def export_json(self, path: Path | None = None) -> bool:
        """The selected session or the whole history as JSON, with the patient."""
        sessions = self._export_sessions()
        if not sessions or self.patient is None:
            self._tell("Export JSON", "Choose a session in the list first, or export the whole history.")
            return False
        path = path or self._ask_save_path("Export as JSON", self._file_stem() + ".json", "JSON (*.json)")
        if path is None:
            return False
        try:
            from coach.exports import write_json

            write_json(path, sessions, self.patient)
        except (OSError, CoachError, ValueError) as exc:
            self._tell("The JSON file could not be written", _error_text(exc))
            return False
        self.sessions_message.setText(f"Wrote {len(sessions)} session{'s' * (len(sessions) != 1)} to {path}.")
        return True

    def export_bundle(self, path: Path | None = None) -> bool:
        """All of the patient's finished sessions in one bundle file, for another computer."""
        from coach.bundle import BundleError, export_bundle

        if self.store is None or self.patient is None:
            return False
        code = re.sub(r"[^A-Za-z0-9_-]+", "_", self.patient.code)
        path = path or self._ask_save_path(
            "Export the patient's sessions as a bundle", f"{code}.facecoach.zip", "Session bundles (*.zip)"
        )
        if path is None:
            return False
        try:
            count = export_bundle(self.store, self.patient, path)
        except (BundleError, CoachError, OSError) as exc:
            self._tell("The bundle could not be written", _error_text(exc))
            return False
        self.sessions_message.setText(f"Wrote {count} session{'s' * (count != 1)} of {self.patient.code} to {path}.")
        return True

    def import_bundle(self, path: Path | None = None) -> bool:
        """A bundle from another computer: checked whole, then all its new sessions or none."""
        from coach.bundle import BundleError, import_bundle

        if self.store is None:
            return False
        path = path or self._ask_open_path("Import a session bundle", "Session bundles (*.zip);;All files (*)")
        if path is None:
            return False
        try:
            patient, added, skipped = import_bundle(self.store, path)
        except (BundleError, CoachError, OSError) as exc:
            self._tell("The bundle could not be imported", _error_text(exc))
            return False
        self.refresh_patients(select_id=patient.id)
        already = f"; {skipped} were already here" if skipped else ""
        text = f"Imported {added} session{'s' * (added != 1)} for patient {patient.code}{already}."
        self.sessions_message.setText(text)
        self._tell("Bundle imported", text, error=False)
        self.changed.emit()
        return True

    # ----- programme editor --------------------------------------------------------
    def load_patient_programme(self) -> None:
        """Put the patient's current programme in the editor, or a starting point if they have none."""
        if self.store is None or self.patient is None:
            return
        record = self.store.current_programme(self.patient.id)
        if record is not None:
            rows = [
                _EditorRow(
                    e.exercise_id,
                    int(e.repetitions),
                    float(e.hold_s),
                    float(e.relax_s),
                    int(e.effort),
                    float(e.target_mm[0]),
                    float(e.target_mm[1]),
                    float(e.target_symmetry),
                )
                for e in record.entries
            ]
            self._set_editor(record.name, record.description, rows)
            self.assigned_label.setText(
                f"Assigned now: <b>{_html(record.name)}</b> (saved {record.created_at.astimezone():%Y-%m-%d}). "
                "Saving makes a new programme and assigns it; the earlier one stays in the records."
            )
            return
        start = self._starting_programme()
        rows = [_EditorRow.of(exercise) for exercise in start.exercises] if start else []
        self._set_editor(f"{self.patient.code}'s programme", start.description if start else "", rows)
        self.assigned_label.setText(
            "No programme assigned yet. "
            + (f"The exercises below are a starting point taken from “{_html(start.name)}”. " if start else "")
            + "Adjust them, then save and assign."
        )

    def _starting_programme(self) -> Programme | None:
        from coach.programmes import load_programmes

        try:
            shipped = load_programmes(self.exercises_folder)
        except CoachError:
            return None
        return shipped.get("daily") or next(iter(shipped.values()), None)

    def _set_editor(self, name: str, description: str, rows: list[_EditorRow]) -> None:
        for edit, text in ((self.programme_name, name), (self.programme_description, description)):
            edit.blockSignals(True)
            edit.setText(text)
            edit.blockSignals(False)
        self._rows = [row for row in rows if row.exercise_id in self.movement_exercises]
        self._fill_programme_table()

    def _fill_programme_table(self, current: int | None = None) -> None:
        table = self.programme_table
        table.setRowCount(0)
        self._row_widgets = []
        table.setRowCount(len(self._rows))
        for index, row in enumerate(self._rows):
            focus = _FocusRow(table, index)
            widgets: dict[str, QWidget] = {}
            chooser = QComboBox()
            for exercise in self.movement_exercises.values():
                chooser.addItem(exercise.name, exercise.id)
            chooser.setCurrentIndex(chooser.findData(row.exercise_id))
            chooser.currentIndexChanged.connect(lambda _i, at=index, box=chooser: self._exercise_chosen(at, box))
            widgets["exercise_id"] = chooser
            table.setCellWidget(index, 0, chooser)
            for column, (_header, key, low, high, decimals) in enumerate(PROGRAMME_COLUMNS, 1):
                spin: QSpinBox | QDoubleSpinBox
                if decimals is None:
                    spin = QSpinBox()
                    spin.setRange(int(low), int(high))
                    spin.setValue(int(getattr(row, key)))
                else:
                    spin = QDoubleSpinBox()
                    spin.setDecimals(decimals)
                    spin.setSingleStep(0.05 if decimals == 2 else 0.5)
                    spin.setRange(float(low), float(high))
                    spin.setValue(float(getattr(row, key)))
                spin.setAlignment(Qt.AlignmentFlag.AlignRight)
                spin.valueChanged.connect(lambda value, at=index, name=key: self._value_typed(at, name, value))
                widgets[key] = spin
                table.setCellWidget(index, column, spin)
            for widget in widgets.values():
                widget.installEventFilter(focus)
            self._row_widgets.append(widgets)
        if current is not None and 0 <= current < len(self._rows):
            table.setCurrentCell(current, 0)
        self.validate_programme()

    def _value_typed(self, index: int, key: str, value: float) -> None:
        if 0 <= index < len(self._rows):
            kind = int if key in ("repetitions", "effort") else float
            setattr(self._rows[index], key, kind(value))
        self.validate_programme()

    def _exercise_chosen(self, index: int, chooser: QComboBox) -> None:
        """Another exercise in a row: its own prescription becomes the row's starting values."""
        exercise = self.movement_exercises.get(chooser.currentData())
        if exercise is None or not 0 <= index < len(self._rows):
            return
        self._rows[index] = _EditorRow.of(exercise)
        for key, widget in self._row_widgets[index].items():
            if isinstance(widget, QSpinBox | QDoubleSpinBox):
                widget.blockSignals(True)
                widget.setValue(getattr(self._rows[index], key))
                widget.blockSignals(False)
        self.validate_programme()

    def set_programme_value(self, row: int, key: str, value: float | str) -> None:
        """Type a value into the editor (tests and scripts): the widget changes as if typed."""
        widget = self._row_widgets[row][key]
        if isinstance(widget, QComboBox):
            widget.setCurrentIndex(widget.findData(value))
        elif isinstance(widget, QSpinBox):
            widget.setValue(int(value))
        elif isinstance(widget, QDoubleSpinBox):
            widget.setValue(float(value))

    def add_programme_row(self, exercise_id: str | None = None) -> None:
        """Add an exercise (by default the first one not yet in the programme) after the current row."""
        used = {row.exercise_id for row in self._rows}
        chosen = exercise_id or next((key for key in self.movement_exercises if key not in used), None)
        chosen = chosen or next(iter(self.movement_exercises), None)
        if chosen is None or chosen not in self.movement_exercises:
            return
        current = self.programme_table.currentRow()
        at = current + 1 if 0 <= current < len(self._rows) else len(self._rows)
        self._rows.insert(at, _EditorRow.of(self.movement_exercises[chosen]))
        self._fill_programme_table(current=at)

    def remove_programme_row(self) -> None:
        current = self.programme_table.currentRow()
        if 0 <= current < len(self._rows):
            del self._rows[current]
            self._fill_programme_table(current=min(current, len(self._rows) - 1))

    def move_programme_row(self, step: int) -> None:
        current = self.programme_table.currentRow()
        target = current + step
        if 0 <= current < len(self._rows) and 0 <= target < len(self._rows):
            self._rows[current], self._rows[target] = self._rows[target], self._rows[current]
            self._fill_programme_table(current=target)

    def _programme_dict(self) -> dict[str, Any]:
        name = self.programme_name.text().strip()
        return {
            "id": programme_slug(name) if name else "programme",
            "name": name,
            "description": self.programme_description.text().strip(),
            "exercise": [row.entry() for row in self._rows],
        }

    def programme_problem(self) -> str | None:
        """What is wrong with the programme being edited, in plain words; None if it can be saved."""
        if not self.programme_name.text().strip():
            return "Give the programme a name."
        if not self._rows:
            return "Add at least one exercise."
        try:
            programme_from_dict(self._programme_dict(), EDITOR_PATH, self.movement_exercises)
        except ExerciseFileError as exc:
            names = [self.movement_exercises[row.exercise_id].name for row in self._rows]
            return plain_programme_error(str(exc), names)
        return None

    def validate_programme(self) -> bool:
        """Check as the therapist types: the problem under the table, Save disabled while there is one."""
        problem = self.programme_problem()
        self.programme_message.setStyleSheet(ERROR_STYLE if problem else OK_STYLE)
        total = len(self._rows)
        self.programme_message.setText(
            problem or f"{total} exercise{'s' * (total != 1)}; ready to save and assign to the patient."
        )
        self.save_programme_button.setEnabled(problem is None and self.patient is not None)
        self.export_programme_button.setEnabled(problem is None)
        self.remove_row_button.setEnabled(bool(self._rows))
        self.up_button.setEnabled(total > 1)
        self.down_button.setEnabled(total > 1)
        return problem is None

    def save_programme(self) -> ProgrammeRecord | None:
        """Store the programme and make it the patient's current one."""
        if self.store is None or self.patient is None or not self.validate_programme():
            return None
        entries = [
            {
                "exercise_id": row.exercise_id,
                "repetitions": row.repetitions,
                "hold_s": row.hold_s,
                "relax_s": row.relax_s,
                "effort": row.effort,
                "target_mm": [row.target_low, row.target_high],
                "target_symmetry": row.target_symmetry,
            }
            for row in self._rows
        ]
        try:
            record = self.store.save_programme(self.programme_name.text(), self.programme_description.text(), entries)
            self.store.assign_programme(self.patient.id, record.id)
        except (StoreError, ValueError, KeyError) as exc:
            self.programme_message.setStyleSheet(ERROR_STYLE)
            self.programme_message.setText(_plain_store_error(exc, self.store))
            return None
        self.load_patient_programme()
        self.programme_message.setStyleSheet(OK_STYLE)
        self.programme_message.setText(
            f"Saved “{record.name}” and assigned it to {self.patient.code}. It is offered in the main window "
            "when this patient is chosen."
        )
        self.changed.emit()
        return record

    def export_programme(self, path: Path | None = None) -> bool:
        """The programme being edited as a TOML file (for the exercises folder of another computer)."""
        from coach.programmes import programme_to_toml

        if not self.validate_programme():
            return False
        programme = programme_from_dict(self._programme_dict(), EDITOR_PATH, self.movement_exercises)
        path = path or self._ask_save_path("Export the programme", f"{programme.id}.toml", "Programmes (*.toml)")
        if path is None:
            return False
        try:
            path.write_text(programme_to_toml(programme), encoding="utf-8")
        except OSError as exc:
            self._tell("The programme file could not be written", f"Cannot write {path}: {exc.strerror or exc}")
            return False
        self.programme_message.setStyleSheet(OK_STYLE)
        self.programme_message.setText(f"Programme written to {path}.")
        return True

    def import_programme(self, path: Path | None = None) -> bool:
        """A programme file into the editor (not saved until “Save and assign”)."""
        from coach.programmes import load_programme_file

        path = path or self._ask_open_path("Import a programme file", "Programmes (*.toml);;All files (*)")
        if path is None:
            return False
        try:
            programme = load_programme_file(path, self.exercises)
        except ExerciseFileError as exc:
            text = plain_programme_error(str(exc), [])
            self.programme_message.setStyleSheet(ERROR_STYLE)
            self.programme_message.setText(f"{path.name} was not imported: {text}")
            self._tell("The programme file could not be imported", f"{path}:\n{text}")
            return False
        self._set_editor(programme.name, programme.description, [_EditorRow.of(e) for e in programme.exercises])
        if self.programme_problem() is None:
            self.programme_message.setText(
                f"Imported {path.name} ({len(programme.exercises)} exercises). Check it, then save and assign."
            )
        return True

    # ----- recorded video ----------------------------------------------------------
    def _choose_video(self) -> None:
        path = self._ask_open_path("Choose a video of the exercise", VIDEO_FILTER)
        if path is not None:
            self.video_path.setText(str(path))

    def analyse_video(self, path: Path | None = None, exercise_id: str | None = None) -> bool:
        """Measure a video on a worker thread and add it to the selected patient's history.

        The button calls it with the chosen file (asking for one if none was chosen);
        returns True if the analysis started. Progress and the result appear in the tab.
        """
        if self.patient is None or self.analysis_running:
            return False
        if path is None:
            path = Path(self.video_path.text()) if self.video_path.text() else self._ask_open_path(
                "Choose a video of the exercise", VIDEO_FILTER
            )  # fmt: skip
            if path is None:
                return False
        if exercise_id is not None:
            self.analysis_exercise.setCurrentIndex(max(self.analysis_exercise.findData(exercise_id), 0))
        exercise = self.exercises.get(exercise_id or self.analysis_exercise.currentData())
        if exercise is None:
            return False
        self.video_path.setText(str(path))
        patient_id, database, model = self.patient.id, self.database, self.model_bytes
        filmed_at, keep_picture = filmed_at_of(self.filmed_on.date()), self.keep_picture.isChecked()
        self._cancel_analysis = cancel = threading.Event()

        def work() -> AnalysisOutcome:
            from coach.analysis import analyse_track, collect_landmarks
            from coach.landmarks import ParallelLandmarker
            from coach.recorded import peak_snapshot, save_analysis
            from coach.sources import open_source

            with open_source(path) as source:
                total = int(source.frame_count_hint or 0)
                self._emit_progress(0, total)
                with ParallelLandmarker(model) as landmarker:
                    counted = _ProgressLandmarker(landmarker, lambda done: self._emit_progress(done, total), cancel)
                    track = collect_landmarks(source, counted)  # type: ignore[arg-type]
                warnings = list(source.warnings)
            analysis = analyse_track(track, exercise)
            snapshot = peak_snapshot(analysis, lambda: open_source(path)) if keep_picture else None
            if cancel.is_set():
                raise _CancelledError("the analysis was cancelled; nothing was saved")
            store, _notice = SessionStore.open(database)
            try:
                session_id = save_analysis(store, analysis, patient_id, filmed_at=filmed_at, snapshot=snapshot)
            finally:
                store.close()
            return AnalysisOutcome(session_id, track.source, exercise.name, len(analysis.reps),
                                   [*warnings, *analysis.warnings])  # fmt: skip

        self.analysis_running = True
        self.analyse_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.choose_video_button.setEnabled(False)
        self.analysis_progress.setRange(0, 0)  # busy until the frame count is known
        self.analysis_status.setStyleSheet("")
        self.analysis_status.setText(f"Analysing {path.name} for “{exercise.name}”…")
        self.analysis_result.clear()
        self._run_in_background(work, self._analysis_done, self._analysis_failed)
        return True

    def cancel_analysis(self) -> None:
        self._cancel_analysis.set()
        self.analysis_status.setText("Cancelling…")

    def _emit_progress(self, done: int, total: int) -> None:
        try:
            self._progress.emit(int(done), int(total))
        except RuntimeError:  # the window is gone
            pass

    def _show_progress(self, done: int, total: int) -> None:
        if not self.analysis_running:
            return
        if total > 0:
            self.analysis_progress.setRange(0, total)
            self.analysis_progress.setValue(min(done, total))
            self.analysis_progress.setFormat(f"frame {min(done, total)} of {total}")
        else:
            self.analysis_progress.setRange(0, 0)

    def _analysis_finished(self) -> None:
        self.analysis_running = False
        self.analyse_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.choose_video_button.setEnabled(True)

    def _analysis_done(self, outcome: AnalysisOutcome) -> None:
        self._analysis_finished()
        maximum = max(self.analysis_progress.maximum(), 1)
        self.analysis_progress.setRange(0, maximum)
        self.analysis_progress.setValue(maximum)
        self.analysis_progress.setFormat("done")
        found = f"{outcome.reps} repetition{'s' * (outcome.reps != 1)} found"
        self.analysis_status.setStyleSheet(OK_STYLE)
        whose = self.patient.code if self.patient else "the patient"
        self.analysis_status.setText(f"{outcome.source}: {found}; added to the history of {whose}.")
        parts = []
        if outcome.warnings:
            items = "".join(f"<li>{_html(w)}</li>" for w in outcome.warnings)
            parts.append(f"<p><b>Please note:</b></p><ul>{items}</ul>")
        if self.store is not None:
            try:
                show_session(self.analysis_result, self.store, outcome.session_id, prefix="".join([*parts, SIDES_NOTE]))
            except (CoachError, KeyError) as exc:
                self.analysis_result.setHtml("".join([*parts, f"<p>{_html(str(exc))}</p>"]))
        else:
            self.analysis_result.setHtml("".join(parts))
        self.refresh_sessions(select_id=outcome.session_id)

    def _analysis_failed(self, error: BaseException) -> None:
        self._analysis_finished()
        self.analysis_progress.setRange(0, 1)
        self.analysis_progress.setValue(0)
        self.analysis_progress.setFormat("")
        text = _error_text(error)
        self.analysis_status.setStyleSheet(ERROR_STYLE if not isinstance(error, _CancelledError) else "")
        self.analysis_status.setText(f"Nothing was added to the history. {text}")
        if not isinstance(error, _CancelledError):
            self._tell("The video could not be analysed", text)

    # ----- background work ---------------------------------------------------------
    def _run_in_background(
        self, work: Callable[[], Any], done: Callable[[Any], None], failed: Callable[[BaseException], None]
    ) -> None:
        """Run `work` on a thread; `done` or `failed` then runs on the GUI thread (queued signal)."""
        number = next(self._task_numbers)
        self._tasks[number] = (done, failed)

        def run() -> None:
            result: Any = None
            error: BaseException | None = None
            try:
                result = work()
            except BaseException as exc:  # every failure is shown, none crashes the app
                error = exc
            try:
                self._task_finished.emit(number, result, error)
            except RuntimeError:  # the window was closed meanwhile
                pass

        self._threads = [thread for thread in self._threads if thread.is_alive()]
        thread = threading.Thread(target=run, name=f"therapist-task-{number}", daemon=True)
        self._threads.append(thread)
        thread.start()

    def _finish_task(self, number: int, result: Any, error: BaseException | None) -> None:
        done, failed = self._tasks.pop(number, (None, None))
        if done is None or failed is None:
            return
        if error is None:
            done(result)
        else:
            failed(error)

    @property
    def busy(self) -> bool:
        """Whether background work (an analysis or a report) is still running."""
        return bool(self._tasks)


def _html(text: str) -> str:
    import html

    return html.escape(text)


def _error_text(error: BaseException) -> str:
    """A failure in plain words: the message of a problem the user can act on, else what went wrong."""
    if isinstance(error, CoachError | OSError):
        text = str(error)
        return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
    return f"Something unexpected went wrong ({type(error).__name__}: {error}). Nothing was changed."
