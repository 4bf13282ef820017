"""The start box of the live window: whose session, which programme, and what to keep.

A patient's assigned programme is offered first (and chosen) when that patient is picked;
pictures are kept only with the results they belong to.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QGridLayout, QPushButton, QWidget

from coach.base.i18n import tr
from coach.gui.labels import make_label
from coach.plans.programmes import Programme


class StartBox(QWidget):
    """Chooses what the next session is; its `start_button` (placed by the window, always in
    view) starts it."""

    def __init__(
        self,
        programmes: dict[str, Programme],
        programme_id: str,
        list_patients: Callable[[], list[tuple[int, str]]] | None = None,
        patient_programme: Callable[[int], Programme | None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """list_patients: (id, label) of every patient, None where there are no patient records;
        patient_programme: the programme a therapist assigned to a patient, if any."""
        super().__init__(parent)
        self._list_patients = list_patients
        self._patient_programme = patient_programme
        self._programmes: dict[str, Programme] = {}
        self._default_programme_id = programme_id
        self._assigned_programme_id: str | None = None
        layout = QGridLayout(self)
        self.programme = QComboBox()
        self.patient = QComboBox()
        layout.setColumnStretch(1, 1)
        for box in (self.programme, self.patient):  # a long name (in a longer language) never widens the panel
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(12)
        self.patient.addItem(tr("No patient"), None)
        self.patient.setToolTip(tr("Whose session this is: it is saved in that patient's history"))
        self.save_results = QCheckBox(tr("Save my results"))
        self.save_results.setChecked(True)
        self.saving_note = make_label(tr("Numbers only, on this computer; never video."), 11)
        self.keep_pictures = QCheckBox(tr("Keep a picture of each peak"))
        self.keep_pictures.setToolTip(
            tr(
                "For your reports: your face at each exercise's peak, cropped, once per exercise. "
                "It stays on this computer; never video. Off unless you tick it."
            )
        )
        self.start_button = QPushButton(tr("Start session"))
        self.start_button.setMinimumHeight(44)
        self.patient_label = make_label(tr("Patient:"), 13)
        layout.addWidget(self.patient_label, 0, 0)
        layout.addWidget(self.patient, 0, 1)
        layout.addWidget(make_label(tr("Programme:"), 13), 1, 0)
        layout.addWidget(self.programme, 1, 1)
        layout.addWidget(self.save_results, 2, 0, 1, 2)
        layout.addWidget(self.saving_note, 3, 0, 1, 2)
        layout.addWidget(self.keep_pictures, 4, 0, 1, 2)
        # shown once there is a patient to choose (a home user without records never sees it)
        self.patient_label.hide()
        self.patient.hide()
        self.save_results.toggled.connect(self._saving_chosen)
        self.patient.currentIndexChanged.connect(lambda _index: self._patient_chosen())
        self.offer_programmes(programmes, programme_id)
        self.refresh_patients()

    # ----- what was chosen -----------------------------------------------------------
    def chosen_programme(self) -> Programme:
        return self._programmes[self.programme.currentData()]

    def chosen_patient(self) -> int | None:
        return self.patient.currentData()

    def saves_results(self) -> bool:
        return self.save_results.isChecked()

    def keeps_pictures(self) -> bool:
        return self.save_results.isChecked() and self.keep_pictures.isChecked()

    def choose_patient(self, patient_id: int | None) -> None:
        """Choose this patient if they are still on the list (the last one, at start)."""
        index = self.patient.findData(patient_id) if patient_id is not None else -1
        if index >= 0:
            self.patient.setCurrentIndex(index)

    def take_choices_from(self, other: StartBox) -> None:
        """What was chosen in `other` (the same box before the window was built anew)."""
        offered = {key: p for key, p in other._programmes.items() if key != other._assigned_programme_id}
        self.offer_programmes(offered, other._default_programme_id)
        self.choose_patient(other.chosen_patient())  # (offers their assigned programme, and chooses it)
        self.programme.setCurrentIndex(max(self.programme.findData(other.programme.currentData()), 0))
        if not other.save_results.isEnabled():
            self.forbid_saving()
        self.save_results.setChecked(other.save_results.isChecked())
        self.keep_pictures.setChecked(other.keep_pictures.isChecked())

    def forbid_saving(self) -> None:
        """Nothing can be saved on this computer now (the database cannot be opened)."""
        self.save_results.setChecked(False)
        self.save_results.setEnabled(False)

    # ----- choices offered -----------------------------------------------------------
    def offer_programmes(self, programmes: dict[str, Programme], chosen_id: str) -> None:
        """Offer these programmes, `chosen_id` first chosen (the first one if it is not among them)."""
        self._programmes = dict(programmes)
        self._default_programme_id = chosen_id
        self._assigned_programme_id = None
        self.programme.clear()
        for programme in self._programmes.values():
            self.programme.addItem(programme.name, programme.id)
        self.programme.setCurrentIndex(max(self.programme.findData(chosen_id), 0))

    def refresh_patients(self) -> None:
        """Re-read the patients (after the therapist's window changed them)."""
        if self._list_patients is None:
            return
        chosen = self.patient.currentData()
        self.patient.blockSignals(True)
        try:
            self.patient.clear()
            self.patient.addItem(tr("No patient"), None)
            for patient_id, label in self._list_patients():
                self.patient.addItem(label, int(patient_id))
            self.patient.setCurrentIndex(max(self.patient.findData(chosen), 0))
        finally:
            self.patient.blockSignals(False)
        self.patient_label.setVisible(self.patient.count() > 1)
        self.patient.setVisible(self.patient.count() > 1)
        self._patient_chosen()

    def _saving_chosen(self, saving: bool) -> None:
        """Pictures are kept with the results or not at all."""
        self.keep_pictures.setEnabled(saving)
        if not saving:
            self.keep_pictures.setChecked(False)

    def _patient_chosen(self) -> None:
        """Offer the chosen patient's assigned programme first in the programme list, and choose it."""
        self._withdraw_assigned_programme()
        patient_id = self.patient.currentData()
        if patient_id is None or self._patient_programme is None:
            return
        programme = self._patient_programme(patient_id)
        if programme is None:
            return
        self._programmes[programme.id] = programme
        self._assigned_programme_id = programme.id
        self.programme.insertItem(0, tr("{programme} (assigned)", programme=programme.name), programme.id)
        tip = tr("Assigned to {patient} by the therapist", patient=self.patient.currentText())
        self.programme.setItemData(0, tip, Qt.ItemDataRole.ToolTipRole)
        self.programme.setCurrentIndex(0)

    def _withdraw_assigned_programme(self) -> None:
        """The previous patient's assigned programme is no longer offered."""
        if self._assigned_programme_id is None:
            return
        index = self.programme.findData(self._assigned_programme_id)
        if index >= 0:
            was_chosen = index == self.programme.currentIndex()
            self.programme.removeItem(index)
            if was_chosen:
                self.programme.setCurrentIndex(max(self.programme.findData(self._default_programme_id), 0))
        self._programmes.pop(self._assigned_programme_id, None)
        self._assigned_programme_id = None
