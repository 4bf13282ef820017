"""The therapist's window: the patient list and form on the left, the selected patient's
sessions, trends, programme and recorded-video analysis as tabs on the right.

The window is the shell: it opens the records, lists the patients and tells each view
which patient is selected; each tab is its own module in this package and does its
own work through `coach.usecases`. Opened from the main window on the same session
database. Its `Clinic` belongs to the GUI thread and only ever reads, adds patients and
saves programmes: it never starts a session, so it never holds the recording lock that
a live session in the main window needs. A recorded video is saved by a worker thread
through its own short-lived connection.

Left and right are always the patient's anatomical sides, and labelled so.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPushButton,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from coach.base.errors import CoachError
from coach.base.i18n import N_, tr
from coach.gui.background import BackgroundTasks
from coach.gui.labels import points
from coach.gui.layouts import flow_of, scrolling
from coach.gui.therapist.analysis_tab import AnalysisTab
from coach.gui.therapist.parts import Messages, heading, read_only_table, side_words
from coach.gui.therapist.patient_form import PatientForm
from coach.gui.therapist.programme_tab import ProgrammeTab
from coach.gui.therapist.sessions_tab import SessionsTab
from coach.gui.trends import TrendsView
from coach.plans.exercises import Exercise, load_exercises
from coach.records.models import Patient
from coach.usecases.clinic import Clinic, patient_label

NO_PATIENT = N_("Choose a patient on the left, or add one.")
#: the patient list and form's width at normal text size
LEFT_COLUMN_PX = 440
#: how long closing waits for each worker still running (an analysis stops at the next frame)
CLOSING_WAIT_S = 10.0


class TherapistWindow(QMainWindow):
    """Patients and programmes. `changed` fires when patients or assigned programmes change."""

    changed = Signal()

    def __init__(
        self,
        database: Path,
        model_bytes: bytes,
        exercises_folder: Path | None = None,
        parent: QWidget | None = None,
        supervise: Callable[[], None] | None = None,
        follow_remote: Callable[[QWidget, list[Patient]], None] | None = None,
    ) -> None:
        """supervise: opens the supervision view of the live session beside this window (None: none
        here); follow_remote: opens the patients followed from another place (`gui/remote_follow.py`)."""
        super().__init__(parent)
        self._supervise, self._follow_remote = supervise, follow_remote
        self.setWindowTitle(tr("Patients and programmes — Facial Symmetry Coach"))
        self.resize(1280, 720)
        self.messages = Messages(self)
        self.tasks = BackgroundTasks(self)
        self.patients: list[Patient] = []
        self.patient: Patient | None = None
        self.clinic: Clinic | None = None
        exercises, problem = _read_exercises(exercises_folder)
        notice = None
        if problem is None:
            self.clinic, notice, problem = _open_clinic(Path(database))
        self._build(exercises, exercises_folder, model_bytes)
        if problem is not None:
            self.patient_title.setText(problem)
            self.setEnabled(exercises is not None)  # without exercises nothing here can work
            return
        if notice:
            self.patient_facts.setText(notice)
        self.refresh_patients()

    def follow_remote(self) -> None:
        if self._follow_remote is not None:
            self._follow_remote(self, self.patients)

    # ----- building ----------------------------------------------------------------
    def _build(self, exercises: dict[str, Exercise] | None, exercises_folder: Path | None, model_bytes: bytes) -> None:
        exercises = exercises or {}
        self.sessions_tab = SessionsTab(self.clinic, self.messages, self.tasks)
        self.trends = TrendsView()
        self.programme_tab = ProgrammeTab(self.clinic, exercises, exercises_folder, self.messages)
        self.analysis_tab = AnalysisTab(self.clinic, model_bytes, exercises, self.messages, self.tasks)
        central = QWidget()
        layout = QHBoxLayout(central)
        self.left_column = scrolling(self._build_patient_list())
        self.text_scale_changed()
        layout.addWidget(self.left_column)
        right = QWidget()
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(6, 0, 0, 0)
        self.patient_title = heading(tr(NO_PATIENT), 14)
        self.patient_title.setWordWrap(True)
        self.patient_facts = QLabel("")
        self.patient_facts.setWordWrap(True)
        right_column.addWidget(self.patient_title)
        right_column.addWidget(self.patient_facts)
        self.supervise_button = QPushButton(tr("Supervise the live session…"))
        self.supervise_button.setToolTip(tr("Follow and steer the session under way in the coach's window"))
        self.supervise_button.setVisible(self._supervise is not None)
        self.supervise_button.clicked.connect(lambda: self._supervise() if self._supervise else None)
        self.follow_button = QPushButton(tr("Follow a patient from another place…"))
        self.follow_button.setToolTip(tr("Follow and steer a patient's session at home, paired by a code"))
        self.follow_button.setVisible(self._follow_remote is not None)
        self.follow_button.clicked.connect(self.follow_remote)
        right_column.addWidget(flow_of(self.supervise_button, self.follow_button))
        self.tabs = QTabWidget()
        # each page scrolls rather than squeeze its controls (large text, a small screen)
        self.tabs.addTab(scrolling(self.sessions_tab), tr("Sessions"))
        self.tabs.addTab(scrolling(self.trends), tr("Trends"))
        self.tabs.addTab(scrolling(self.programme_tab), tr("Programme"))
        self.tabs.addTab(scrolling(self.analysis_tab), tr("Analyse a recorded video"))
        self.tabs.setEnabled(False)
        right_column.addWidget(self.tabs, 1)
        layout.addWidget(right, 1)
        self.setCentralWidget(central)
        self.sessions_tab.history_read.connect(self.trends.set_sessions)
        self.sessions_tab.history_read.connect(lambda _sessions: self._show_gradings())
        self.sessions_tab.bundle_imported.connect(self._patient_saved)
        self.programme_tab.assigned.connect(self.changed.emit)
        self.analysis_tab.session_added.connect(lambda session_id: self.sessions_tab.refresh(select_id=session_id))

    def _show_gradings(self) -> None:
        """The patient's filed gradings in the Trends tab (read with the history)."""
        patient = self.sessions_tab.patient
        if self.clinic is not None and patient is not None:
            self.trends.set_gradings(self.clinic.gradings(patient.id))

    def text_scale_changed(self) -> None:
        """The patient list and form grow with the text (up to 1.6 times, and to at most 45 %
        of the window: the patient's tabs keep their room), then scroll."""
        wanted = round(LEFT_COLUMN_PX * min(points(1.0), 1.6))
        self.left_column.setFixedWidth(max(min(wanted, round(self.width() * 0.45)), LEFT_COLUMN_PX // 2))

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.text_scale_changed()

    def _build_patient_list(self) -> QWidget:
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 6, 0)
        row = QHBoxLayout()
        row.addWidget(heading(tr("Patients")), 1)
        self.import_patient_button = QPushButton(tr("Import bundle…"))
        self.import_patient_button.setToolTip(
            tr("A patient's sessions exported on another computer (adds the patient)")
        )
        self.import_patient_button.setEnabled(self.clinic is not None)
        self.import_patient_button.clicked.connect(lambda: self.sessions_tab.import_bundle())
        row.addWidget(self.import_patient_button)
        column.addLayout(row)
        self.patient_table = read_only_table([tr("Code"), tr("Name"), tr("Affected side")], tr("Patients"))
        self.patient_table.setToolTip(tr("The affected side is the patient's own (anatomical) side."))
        header = self.patient_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        column.addWidget(self.patient_table, 1)
        self.patient_form = PatientForm(self.clinic)
        column.addWidget(self.patient_form)
        self.patient_table.itemSelectionChanged.connect(self._patient_selection_changed)
        self.patient_form.cleared.connect(self.patient_table.clearSelection)
        self.patient_form.saved.connect(self._patient_saved)
        return left

    # ----- closing -------------------------------------------------------------------
    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        self.analysis_tab.cancel_analysis()
        self.tasks.wait(CLOSING_WAIT_S)
        if self.clinic is not None:
            self.clinic.close()
            self.clinic = None
        super().closeEvent(event)

    @property
    def busy(self) -> bool:
        """Whether background work (an analysis or a report) is still running."""
        return self.tasks.busy

    # ----- patients ------------------------------------------------------------------
    def refresh_patients(self, select_id: int | None = None) -> None:
        """Re-read the patient list; keeps (or moves to) the given selection."""
        if self.clinic is None:
            return
        keep = select_id if select_id is not None else (self.patient.id if self.patient else None)
        self.patients = self.clinic.patients()
        self.patient_table.blockSignals(True)
        try:
            self.patient_table.clearSelection()
            self.patient_table.setRowCount(len(self.patients))
            for row, patient in enumerate(self.patients):
                cells = [patient.code, patient.name or "", side_words(patient.affected_side)]
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

    def select_patient(self, patient_id: int) -> None:
        """Select a patient in the list by id (as a click would)."""
        self.refresh_patients(select_id=patient_id)

    def _patient_saved(self, patient_id: int) -> None:
        """A patient was added or changed (in the form, or by a bundle): list and select them."""
        self.refresh_patients(select_id=patient_id)
        self.changed.emit()

    def _patient_selection_changed(self) -> None:
        rows = self.patient_table.selectionModel().selectedRows()
        patient = self.patients[rows[0].row()] if rows else None
        if patient is None and self.patient is None:
            return
        if patient is not None and self.patient is not None and patient.id == self.patient.id:
            return
        self._select_patient(patient)

    def _select_patient(self, patient: Patient | None) -> None:
        self.patient = patient
        self.patient_form.show_patient(patient)
        self.tabs.setEnabled(patient is not None)
        self._show_patient_header(patient)
        self.sessions_tab.show_patient(patient)
        self.programme_tab.show_patient(patient)
        self.analysis_tab.show_patient(patient)

    def _show_patient_header(self, patient: Patient | None) -> None:
        if patient is None:
            self.patient_title.setText(tr(NO_PATIENT))
            self.patient_facts.setText("")
            return
        self.patient_title.setText(patient_label(patient))
        facts = [tr("Affected side: {side}", side=side_words(patient.affected_side))]
        if patient.onset_date is not None:
            facts.append(tr("onset {date}", date=patient.onset_date.isoformat()))
        if patient.cause:
            facts.append(patient.cause)
        self.patient_facts.setText(" · ".join(facts))


def _read_exercises(folder: Path | None) -> tuple[dict[str, Exercise] | None, str | None]:
    """The exercises, or None and why not."""
    try:
        return load_exercises(folder), None
    except CoachError as exc:
        return None, tr("The exercises cannot be read: {problem}", problem=exc)


def _open_clinic(database: Path) -> tuple[Clinic | None, str | None, str | None]:
    """The records, their notice, or None and why they cannot be used."""
    try:
        clinic, notice = Clinic.open(database)
    except CoachError as exc:
        return None, None, tr("The session database cannot be used: {problem}", problem=exc)
    return clinic, notice, None
