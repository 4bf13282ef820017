"""The "Programme" tab: the patient's programme edited, checked as the therapist types,
saved and assigned to them, or written to and read from a programme file.

A patient without a programme starts from a shipped one. Saving always makes a new
programme and assigns it; the earlier one stays in the records.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from coach.base.errors import ExerciseFileError, StoreError, ValidationError
from coach.base.formats import date_text
from coach.base.i18n import N_, Nn_, tr
from coach.gui.layouts import flow_of
from coach.gui.therapist.parts import (
    ALL_FILES,
    ERROR_STYLE,
    OK_STYLE,
    Messages,
    ask_open_path,
    ask_save_path,
    counted,
    escaped,
    failure_text,
    message_label,
)
from coach.gui.therapist.programme_table import ProgrammeTable
from coach.plans.exercises import Exercise
from coach.plans.prescriptions import PrescribedProgramme
from coach.records.models import Patient
from coach.usecases.clinic import Clinic
from coach.usecases.programme_editing import (
    ProgrammeDraft,
    draft_of,
    plain_programme_error,
    read_programme_file,
    starting_programme,
    write_programme_file,
)

PROGRAMME_FILTER = N_("Programmes (*.toml)")


class ProgrammeTab(QWidget):
    """The programme editor. `assigned` fires when a programme was saved and assigned."""

    assigned = Signal()

    def __init__(
        self,
        clinic: Clinic | None,
        exercises: dict[str, Exercise],
        exercises_folder: Path | None,
        messages: Messages,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.clinic = clinic
        self.exercises = exercises
        self.exercises_folder = exercises_folder
        self.messages = messages
        self.patient: Patient | None = None
        self._opened = ProgrammeDraft("", "")
        layout = QVBoxLayout(self)
        self.assigned_label = QLabel("")
        self.assigned_label.setWordWrap(True)
        layout.addWidget(self.assigned_label)
        names = QFormLayout()
        self.name_edit = QLineEdit()
        self.description_edit = QLineEdit()
        self.description_edit.setPlaceholderText(tr("optional: what the programme is for, how often to do it"))
        names.addRow(tr("Programme name:"), self.name_edit)
        names.addRow(tr("Description:"), self.description_edit)
        layout.addLayout(names)
        movements = {key: exercise for key, exercise in exercises.items() if not exercise.is_static}
        self.table = ProgrammeTable(movements)
        layout.addWidget(self.table, 1)
        self.table.setMinimumHeight(self.table.fontMetrics().lineSpacing() * 12)
        layout.addWidget(self._build_row_buttons())
        self.message = message_label()
        layout.addWidget(self.message)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        self.save_button = QPushButton(tr("Save and assign to patient"))
        self.save_button.setMinimumHeight(36)
        save_row.addWidget(self.save_button)
        layout.addLayout(save_row)
        self.name_edit.textChanged.connect(lambda _text: self.validate())
        self.description_edit.textChanged.connect(lambda _text: self.validate())
        self.table.edited.connect(self.validate)
        self.save_button.clicked.connect(self.save)

    def _build_row_buttons(self) -> QWidget:
        """The rows' buttons and the file buttons, in rows that wrap (longer words, larger text)."""
        self.add_row_button = QPushButton(tr("Add exercise"))
        self.remove_row_button = QPushButton(tr("Remove"))
        self.up_button = QPushButton(tr("Move up"))
        self.down_button = QPushButton(tr("Move down"))
        self.import_button = QPushButton(tr("Import programme file…"))
        self.export_button = QPushButton(tr("Export programme file…"))
        both = flow_of(self.add_row_button, self.remove_row_button, self.up_button, self.down_button,
                       self.import_button, self.export_button)  # fmt: skip
        self.add_row_button.clicked.connect(lambda: self.table.add_row())
        self.remove_row_button.clicked.connect(self.table.remove_row)
        self.up_button.clicked.connect(lambda: self.table.move_row(-1))
        self.down_button.clicked.connect(lambda: self.table.move_row(1))
        self.export_button.clicked.connect(lambda: self.export_programme())
        self.import_button.clicked.connect(lambda: self.import_programme())
        return both

    def show_patient(self, patient: Patient | None) -> None:
        """Put the patient's current programme in the editor, or a starting point if they have none."""
        self.patient = patient
        if self.clinic is None or patient is None:
            return
        kept = self.clinic.assigned_programme(patient.id)
        if kept is not None:
            self._edit(draft_of(kept))
            self.assigned_label.setText(
                tr(
                    "Assigned now: <b>{name}</b> (saved {date}). "
                    "Saving makes a new programme and assigns it; the earlier one stays in the records.",
                    name=escaped(kept.name),
                    date=date_text(kept.created_at.astimezone()),
                )
            )
            return
        start = starting_programme(self.exercises_folder)
        name = tr("{code}'s programme", code=patient.code)
        self._edit(draft_of(start, name) if start else ProgrammeDraft(name, ""))
        if start is None:
            self.assigned_label.setText(tr("No programme assigned yet. Add exercises, then save and assign."))
            return
        self.assigned_label.setText(
            tr(
                "No programme assigned yet. The exercises below are a starting point taken from “{name}”. "
                "Adjust them, then save and assign.",
                name=escaped(start.name),
            )
        )

    def draft(self) -> ProgrammeDraft:
        """The programme as it stands in the editor."""
        return dataclasses.replace(self._opened, name=self.name_edit.text(),
                                   description=self.description_edit.text(), rows=self.table.rows)  # fmt: skip

    def _edit(self, draft: ProgrammeDraft) -> None:
        self._opened = draft  # what was opened: its other languages are kept when saved
        for edit, text in ((self.name_edit, draft.name), (self.description_edit, draft.description)):
            edit.blockSignals(True)
            edit.setText(text)
            edit.setCursorPosition(0)  # a long description shows its beginning
            edit.blockSignals(False)
        self.table.set_rows(draft.rows)

    def problem(self) -> str | None:
        """What is wrong with the programme being edited, in plain words; None if it can be saved."""
        return self.draft().problem(self.table.exercises)

    def validate(self) -> bool:
        """Check as the therapist types: the problem under the table, Save disabled while there is one."""
        problem = self.problem()
        total = len(self.table.rows)
        ready = counted(
            total,
            *Nn_(
                "{count} exercise; ready to save and assign to the patient.",
                "{count} exercises; ready to save and assign to the patient.",
            ),
        )
        self._tell(problem or ready, problem is None)
        self.save_button.setEnabled(problem is None and self.patient is not None)
        self.export_button.setEnabled(problem is None)
        self.remove_row_button.setEnabled(bool(self.table.rows))
        self.up_button.setEnabled(total > 1)
        self.down_button.setEnabled(total > 1)
        return problem is None

    def save(self) -> PrescribedProgramme | None:
        """Keep the programme and make it the patient's current one."""
        if self.clinic is None or self.patient is None or not self.validate():
            return None
        draft = self.draft()
        try:
            kept = self.clinic.assign_programme(self.patient.id, draft.prescription())
        except (StoreError, ValueError, KeyError) as exc:
            if isinstance(exc, ValidationError):
                names = [self.table.exercises[row.exercise_id].name for row in draft.rows]
                self._tell(plain_programme_error(exc, names), ok=False)
            else:
                self._tell(failure_text(exc), ok=False)
            return None
        self.show_patient(self.patient)
        self._tell(
            tr(
                "Saved “{name}” and assigned it to {code}. It is offered in the main window "
                "when this patient is chosen.",
                name=kept.name,
                code=self.patient.code,
            ),
            ok=True,
        )
        self.assigned.emit()
        return kept

    def export_programme(self, path: Path | None = None) -> bool:
        """The programme being edited as a TOML file (for the exercises folder of another computer)."""
        if not self.validate():
            return False
        draft = self.draft()
        name = f"{draft.programme(self.table.exercises).id}.toml"
        path = path or ask_save_path(self, tr("Export the programme"), name, tr(PROGRAMME_FILTER))
        if path is None:
            return False
        try:
            write_programme_file(path, draft, self.table.exercises)
        except OSError as exc:
            self.messages.tell(
                tr("The programme file could not be written"),
                tr("Cannot write {path}: {problem}", path=path, problem=exc.strerror or exc),
            )
            return False
        self._tell(tr("Programme written to {path}.", path=path), ok=True)
        return True

    def import_programme(self, path: Path | None = None) -> bool:
        """A programme file into the editor (not saved until “Save and assign”)."""
        path = path or ask_open_path(self, tr("Import a programme file"), f"{tr(PROGRAMME_FILTER)};;{tr(ALL_FILES)}")
        if path is None:
            return False
        try:
            draft = read_programme_file(path, self.exercises)
        except ExerciseFileError as exc:
            text = plain_programme_error(exc, [])
            self._tell(tr("{file} was not imported: {problem}", file=path.name, problem=text), ok=False)
            self.messages.tell(tr("The programme file could not be imported"), f"{path}:\n{text}")
            return False
        self._edit(draft)
        if self.problem() is None:
            self.message.setText(
                counted(
                    len(draft.rows),
                    *Nn_(
                        "Imported {file} ({count} exercise). Check it, then save and assign.",
                        "Imported {file} ({count} exercises). Check it, then save and assign.",
                    ),
                    file=path.name,
                )
            )
        return True

    def _tell(self, text: str, ok: bool) -> None:
        self.message.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)
        self.message.setText(text)
