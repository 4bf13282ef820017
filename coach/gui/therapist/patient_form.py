"""The form under the patient list: a new patient, or the selected one's details changed.

A problem (a code already used, an onset in the future) is told under the form in plain
words, and what was typed stays, so nothing is lost.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from coach.base.errors import StoreError
from coach.base.i18n import N_, tr
from coach.gui.date_field import DateField
from coach.gui.layouts import flow_of
from coach.gui.therapist.parts import ERROR_STYLE, OK_STYLE, message_label, side_words
from coach.records.models import AFFECTED_SIDES, Patient
from coach.usecases.clinic import Clinic, plain_patient_error

#: offered in the cause box (translated where shown); the cause is kept as the therapist's own words
COMMON_CAUSES = (
    "",
    N_("Bell's palsy"),
    N_("Ramsay Hunt syndrome"),
    N_("After surgery"),
    N_("Trauma"),
    N_("Congenital"),
    N_("Other"),
)


class PatientForm(QWidget):
    """Code, name, affected side, onset, cause and notes. `saved(patient_id)` fires when a
    patient was added or changed; `cleared` just before the form is emptied for a new one."""

    saved = Signal(int)
    cleared = Signal()

    def __init__(self, clinic: Clinic | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clinic = clinic
        self.patient: Patient | None = None
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        self.box = QGroupBox(tr("New patient"))
        self.box.setEnabled(clinic is not None)
        form = QFormLayout(self.box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # the label above, when long
        self._build_fields(form)
        form.addRow(self._build_buttons())
        column.addWidget(self.box)
        # under the form, not in it: a wrapped message then takes the room it needs from the list
        self.message = message_label()
        self.message.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        column.addWidget(self.message)
        self.text_scale_changed()

    def text_scale_changed(self) -> None:
        """Two lines of notes and of message, at the text size in use."""
        lines = self.notes_edit.fontMetrics().lineSpacing()
        self.notes_edit.setFixedHeight(lines * 2 + 14)
        self.message.setMinimumHeight(self.message.fontMetrics().lineSpacing() * 2 + 4)

    def _build_fields(self, form: QFormLayout) -> None:
        self.code_edit = QLineEdit()
        self.code_edit.setPlaceholderText(tr("a name or a code, e.g. P07"))
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText(tr("optional"))
        self.side_edit = QComboBox()
        for side in AFFECTED_SIDES:
            self.side_edit.addItem(side_words(side), side)
        self.side_edit.setCurrentIndex(self.side_edit.findData("unknown"))
        # typed or picked; empty while not known (never today by default: a date nobody gave)
        self.onset_edit = DateField(tr("Onset date"), optional=True)
        self.cause_edit = QComboBox()
        self.cause_edit.setEditable(True)
        self.cause_edit.addItems([tr(cause) if cause else "" for cause in COMMON_CAUSES])
        self.notes_edit = QPlainTextEdit()
        form.addRow(tr("Code:"), self.code_edit)
        form.addRow(tr("Name:"), self.name_edit)
        form.addRow(tr("Affected side:"), self.side_edit)
        form.addRow(tr("Onset date:"), self.onset_edit)
        form.addRow(tr("Cause:"), self.cause_edit)
        form.addRow(tr("Notes:"), self.notes_edit)

    def _build_buttons(self) -> QWidget:
        self.add_button = QPushButton(tr("Add patient"))
        self.save_button = QPushButton(tr("Save changes"))
        self.save_button.setEnabled(False)
        self.clear_button = QPushButton(tr("Clear form"))
        buttons = flow_of(self.add_button, self.save_button, self.clear_button)
        self.add_button.clicked.connect(self.add_patient)
        self.save_button.clicked.connect(self.save_patient)
        self.clear_button.clicked.connect(self.clear)
        return buttons

    def show_patient(self, patient: Patient | None) -> None:
        """The selected patient's details in the form (None: a new patient; what was typed stays)."""
        self.patient = patient
        self.message.setText("")
        self.save_button.setEnabled(patient is not None)
        if patient is None:
            self.box.setTitle(tr("New patient"))
            return
        self.box.setTitle(tr("Patient {code}", code=patient.code))
        self.code_edit.setText(patient.code)
        self.name_edit.setText(patient.name or "")
        self.side_edit.setCurrentIndex(self.side_edit.findData(patient.affected_side))
        self.onset_edit.set_date(patient.onset_date)
        self.cause_edit.setCurrentText(patient.cause or "")
        self.notes_edit.setPlainText(patient.notes or "")

    def clear(self) -> None:
        """Empty the form for a new patient (and leave the selected one alone)."""
        self.cleared.emit()
        for edit in (self.code_edit, self.name_edit):
            edit.clear()
        self.side_edit.setCurrentIndex(self.side_edit.findData("unknown"))
        self.onset_edit.set_date(None)
        self.cause_edit.setCurrentText("")
        self.notes_edit.clear()
        self.message.setText("")
        self.code_edit.setFocus()

    def add_patient(self) -> Patient | None:
        """Add the form as a new patient; a problem is shown under the form and nothing is lost."""
        if self.clinic is None:
            return None
        fields = self._fields()
        if not fields["code"].strip():
            self._tell_problem(tr("Enter a code: the patient's name or a pseudonymous code such as P07."))
            return None
        if not self._onset_is_a_date():
            return None
        try:
            patient = self.clinic.add_patient(**fields)
        except (StoreError, ValueError) as exc:
            self._tell_problem(plain_patient_error(exc))
            return None
        self.saved.emit(patient.id)
        self._tell_done(tr("Patient {code} added.", code=patient.code))
        return patient

    def save_patient(self) -> Patient | None:
        """Save the form over the selected patient."""
        if self.clinic is None or self.patient is None or not self._onset_is_a_date():
            return None
        try:
            patient = self.clinic.update_patient(self.patient.id, **self._fields())
        except (StoreError, ValueError, KeyError) as exc:
            self._tell_problem(plain_patient_error(exc))
            return None
        self.saved.emit(patient.id)
        self._tell_done(tr("Changes to {code} saved.", code=patient.code))
        return patient

    def _onset_is_a_date(self) -> bool:
        """The onset typed is a date (or empty); if not, says so under the form."""
        problem = self.onset_edit.problem()
        if problem is not None:
            self._tell_problem(tr("Onset date: {problem}", problem=problem))
        return problem is None

    def _fields(self) -> dict[str, Any]:
        onset = self.onset_edit.date()
        return {
            "code": self.code_edit.text(),
            "name": self.name_edit.text(),
            "affected_side": self.side_edit.currentData(),
            "onset_date": onset,
            "cause": self.cause_edit.currentText(),
            "notes": self.notes_edit.toPlainText(),
        }

    def _tell_problem(self, text: str) -> None:
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(text)

    def _tell_done(self, text: str) -> None:
        self.message.setStyleSheet(OK_STYLE)
        self.message.setText(text)
