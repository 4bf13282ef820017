"""The "Sessions" tab: the selected patient's sessions, newest first, one shown whole with
its kept pictures; its report (PDF), CSV and JSON exports, and bundles to and from
another computer."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QSplitter,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from coach.base.errors import CoachError
from coach.base.formats import date_time_text
from coach.base.i18n import N_, Nn_, tr
from coach.gui.background import BackgroundTasks
from coach.gui.bundle_dialogs import ANY_BUNDLE_FILTER, ask_bundle_file, ask_passphrase
from coach.gui.grading_form import grade_button, open_grading_form
from coach.gui.history import DELETED, delete_pictures, show_session, status_words
from coach.gui.therapist.parts import (
    ALL_FILES,
    Messages,
    ask_open_path,
    ask_save_path,
    counted,
    escaped,
    failure_text,
    message_label,
    read_only_table,
    sides_note,
)
from coach.plans.shown_names import shown_programme_name
from coach.records.bundle_crypto import NOT_ENCRYPTED, Encryption, PassphraseNeededError
from coach.records.models import Patient, SessionDetail, SessionRecord
from coach.usecases.clinic import Clinic, export_sessions_csv, export_sessions_json, write_report_pdf

#: how each kind of session reads (translated where shown)
KIND_WORDS = {"live": N_("Live (webcam)"), "recorded": N_("Recorded video")}
NO_SESSIONS = N_(
    "No sessions yet. Sessions appear here when the patient practises with their code chosen in "
    "the main window, when a bundle from home is imported, or when a video is analysed "
    "(tab “Analyse a recorded video”)."
)
BUNDLE_FILTER = N_("Session bundles (*.zip)")
CHOOSE_FIRST = N_("Choose a session in the list first, or export the whole history.")
#: sentences about a number of things, (for one, for any other number): translated where shown, `counted`
LISTED = Nn_("{count} session, newest first.", "{count} sessions, newest first.")
REPORT_SAVED = Nn_("Report saved as {path} ({count} page).", "Report saved as {path} ({count} pages).")
CSV_WRITTEN = Nn_("Wrote {count} repetition row to {path}.", "Wrote {count} repetition rows to {path}.")
JSON_WRITTEN = Nn_("Wrote {count} session to {path}.", "Wrote {count} sessions to {path}.")
BUNDLE_WRITTEN = Nn_("Wrote {count} session of {code} to {path}.", "Wrote {count} sessions of {code} to {path}.")
IMPORTED = Nn_("Imported {count} session for patient {code}.", "Imported {count} sessions for patient {code}.")
ALREADY_HERE = Nn_("{count} session was already here.", "{count} sessions were already here.")


class SessionsTab(QWidget):
    """The patient's sessions. `history_read(sessions)` fires with every session, oldest
    first, each time they are read; `bundle_imported(patient_id)` after a bundle added some."""

    history_read = Signal(object)
    bundle_imported = Signal(int)

    def __init__(
        self, clinic: Clinic | None, messages: Messages, tasks: BackgroundTasks, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.clinic = clinic
        self.messages = messages
        self.tasks = tasks
        self.patient: Patient | None = None
        self.session_ids: list[int] = []
        self.history: list[SessionDetail] = []  # the patient's sessions, oldest first
        layout = QVBoxLayout(self)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.table = read_only_table(
            [tr("Date"), tr("Kind"), tr("Programme"), tr("Status"), tr("Reps")], tr("Sessions")
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)  # whole words; scrolls if need be
        self.detail = QTextBrowser()
        self.detail.setAccessibleName(tr("Session details"))
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setSizes([440, 420])
        layout.addWidget(splitter, 1)
        layout.addLayout(self._build_buttons())
        self.message = message_label()
        layout.addWidget(self.message)
        self.table.itemSelectionChanged.connect(self._show_selected_session)

    def _build_buttons(self) -> QVBoxLayout:
        self.report_button = QPushButton(tr("Report (PDF)…"))
        self.report_pictures = QCheckBox(tr("with pictures"))
        self.report_pictures.setChecked(True)
        self.report_pictures.setToolTip(
            tr(
                "Put the pictures kept at the peak of each exercise in the report (only where the patient chose to "
                "keep them); untick before sending the report on"
            )
        )
        self.export_scope = QComboBox()
        self.export_scope.addItem(tr("Selected session"), "session")
        self.export_scope.addItem(tr("Whole history"), "history")
        self.export_scope.setToolTip(tr("What “Export CSV…” and “Export JSON…” write"))
        self.csv_button = QPushButton(tr("Export CSV…"))
        self.json_button = QPushButton(tr("Export JSON…"))
        self.delete_pictures_button = QPushButton(tr("Delete pictures…"))
        self.delete_pictures_button.setToolTip(
            tr("Delete the pictures kept for the selected session; the numbers stay")
        )
        self._show_pictures_kept(0)  # until a session with pictures is selected
        self.grade_button = grade_button()
        self.export_bundle_button = QPushButton(tr("Export bundle…"))
        self.export_bundle_button.setToolTip(
            tr("All of this patient's sessions in one file, to import on another computer")
        )
        buttons = QVBoxLayout()  # two rows: room for longer words and larger text
        reports = (self.report_button, self.report_pictures, self.delete_pictures_button)
        exports = (self.export_scope, self.csv_button, self.json_button)
        # importing a bundle adds its patient: that button is beside the patient list (one Import)
        for row_widgets in (reports, exports, (self.grade_button, self.export_bundle_button)):
            row = QHBoxLayout()
            for widget in row_widgets:
                row.addWidget(widget)
            row.addStretch(1)
            buttons.addLayout(row)
        self.report_button.clicked.connect(lambda: self.write_report())
        self.csv_button.clicked.connect(lambda: self.export_csv())
        self.json_button.clicked.connect(lambda: self.export_json())
        self.export_bundle_button.clicked.connect(lambda: self.export_bundle())
        self.delete_pictures_button.clicked.connect(lambda: self.delete_session_pictures())
        self.grade_button.clicked.connect(lambda: open_grading_form(self))
        return buttons

    # ----- the list and the session shown --------------------------------------------
    def show_patient(self, patient: Patient | None) -> None:
        """The patient's sessions (none shown for no patient)."""
        self.patient = patient
        if patient is not None:
            self.refresh()
            return
        self.session_ids, self.history = [], []
        self.table.setRowCount(0)
        self.detail.clear()
        self.history_read.emit([])

    def refresh(self, select_id: int | None = None) -> None:
        """Read the patient's sessions again, newest first; selects `select_id` (else the newest)."""
        if self.clinic is None or self.patient is None:
            return
        left_out: list[str] = []
        try:
            stored = self.clinic.sessions(self.patient.id)
            details = self.clinic.readable_sessions(stored, left_out.append)
        except CoachError as exc:
            self.message.setText(str(exc))
            return
        readable = {detail.id for detail in details}
        records = [record for record in stored if record.id in readable]
        self.session_ids = [record.id for record in records]
        self.history = list(reversed(details))
        self._fill_table(records)
        for button in (self.report_button, self.csv_button, self.json_button, self.export_bundle_button):
            button.setEnabled(bool(records))
        if not records:
            self._show_pictures_kept(0)
        if records or left_out:
            listed = counted(len(records), *LISTED)
            self.message.setText(" ".join([listed, *left_out]))
            row = self.session_ids.index(select_id) if select_id in self.session_ids else 0
            self.table.selectRow(row)
            self._show_selected_session()
        else:
            self.message.setText("")
            self.detail.setHtml(f"<p>{escaped(tr(NO_SESSIONS))}</p>")
        self.history_read.emit(self.history)

    def _fill_table(self, records: list[SessionRecord]) -> None:
        self.table.blockSignals(True)
        try:
            self.table.clearSelection()
            self.table.setRowCount(len(records))
            for row, record in enumerate(records):
                cells = [
                    date_time_text(record.started_at.astimezone()),
                    tr(KIND_WORDS[record.kind]) if record.kind in KIND_WORDS else record.kind,
                    shown_programme_name(record.programme_id, record.programme_name) or "",
                    status_words(record.status),
                    str(record.repetition_count),
                ]
                for column, text in enumerate(cells):
                    self.table.setItem(row, column, QTableWidgetItem(text))
        finally:
            self.table.blockSignals(False)

    def selected_session_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or not 0 <= rows[0].row() < len(self.session_ids):
            return None
        return self.session_ids[rows[0].row()]

    def _selected_session(self) -> SessionDetail | None:
        session_id = self.selected_session_id()
        return next((d for d in self.history if d.id == session_id), None)

    def _show_selected_session(self) -> None:
        session_id = self.selected_session_id()
        if self.clinic is None or session_id is None:
            return
        try:
            pictures = show_session(self.detail, self.clinic, session_id, prefix=sides_note())
        except (CoachError, KeyError) as exc:
            self.detail.setPlainText(str(exc))
            pictures = 0
        self._show_pictures_kept(pictures)
        selected = self._selected_session()
        self.grade_button.setEnabled(selected is not None and selected.is_examination)

    def _show_pictures_kept(self, pictures: int) -> None:
        """What can be done with pictures: nothing while the session shown has none."""
        self.delete_pictures_button.setEnabled(pictures > 0)
        self.report_pictures.setEnabled(pictures > 0)

    def delete_session_pictures(self) -> int:
        """The selected session's kept pictures, after asking; the numbers stay."""
        session_id = self.selected_session_id()
        if self.clinic is None or session_id is None:
            return 0
        try:
            deleted = delete_pictures(self, self.clinic, session_id)
        except CoachError as exc:
            self.messages.tell(tr("The pictures could not be deleted"), str(exc))
            return 0
        if deleted:
            self.message.setText(counted(deleted, *DELETED))
        self._show_selected_session()
        return deleted

    # ----- reports and exports -------------------------------------------------------
    def _export_sessions(self) -> list[SessionDetail]:
        """The selected session, or the whole history (oldest first), as the export scope says."""
        if self.export_scope.currentData() == "history":
            return list(self.history)
        selected = self._selected_session()
        return [selected] if selected else []

    def _file_stem(self) -> str:
        code = _file_safe(self.patient.code if self.patient else "patient")
        selected = self._selected_session()
        if self.export_scope.currentData() == "history" or self.selected_session_id() is None:
            return tr("{code}_history", code=code)
        return f"{code}_{selected.started_at.astimezone():%Y-%m-%d_%H%M}" if selected else code

    def write_report(self, path: Path | None = None) -> bool:
        """The selected session's PDF report, written on a worker thread; True if started."""
        session = self._selected_session()
        if session is None or self.patient is None or self.clinic is None:
            self.messages.tell(tr("Report"), tr("Choose a session in the list first."))
            return False
        path = path or ask_save_path(self, tr("Save the session report"), self._file_stem() + ".pdf", "PDF (*.pdf)")
        if path is None:
            return False
        try:
            report = self.clinic.session_report(session.id, with_pictures=self.report_pictures.isChecked())
        except (CoachError, KeyError) as exc:
            self.messages.tell(tr("The report could not be written"), str(exc))
            return False
        self.message.setText(tr("Writing the report {file}…", file=path.name))
        self.report_button.setEnabled(False)

        def done(pages: Any) -> None:
            self.report_button.setEnabled(True)
            self.message.setText(counted(pages, *REPORT_SAVED, path=path))

        def failed(error: BaseException) -> None:
            self.report_button.setEnabled(True)
            self.message.setText("")
            self.messages.tell(tr("The report could not be written"), failure_text(error))

        self.tasks.run(lambda: write_report_pdf(path, report), done, failed)
        return True

    def export_csv(self, path: Path | None = None) -> bool:
        """The selected session or the whole history as CSV, one row per repetition."""
        sessions = self._export_sessions()
        if not sessions:
            self.messages.tell(tr("Export CSV"), tr(CHOOSE_FIRST))
            return False
        path = path or ask_save_path(self, tr("Export as CSV"), self._file_stem() + ".csv", "CSV (*.csv)")
        if path is None:
            return False
        try:
            rows = export_sessions_csv(path, sessions)
        except (OSError, CoachError, ValueError) as exc:
            self.messages.tell(tr("The CSV file could not be written"), failure_text(exc))
            return False
        self.message.setText(counted(rows, *CSV_WRITTEN, path=path))
        return True

    def export_json(self, path: Path | None = None) -> bool:
        """The selected session or the whole history as JSON, with the patient."""
        sessions = self._export_sessions()
        if not sessions or self.patient is None:
            self.messages.tell(tr("Export JSON"), tr(CHOOSE_FIRST))
            return False
        path = path or ask_save_path(self, tr("Export as JSON"), self._file_stem() + ".json", "JSON (*.json)")
        if path is None:
            return False
        try:
            whole = self.export_scope.currentData() == "history"
            export_sessions_json(path, sessions, self.patient, self.clinic.gradings(self.patient.id) if whole else ())
        except (OSError, CoachError, ValueError) as exc:
            self.messages.tell(tr("The JSON file could not be written"), failure_text(exc))
            return False
        self.message.setText(counted(len(sessions), *JSON_WRITTEN, path=path))
        return True

    def export_bundle(self, path: Path | None = None, encryption: Encryption = NOT_ENCRYPTED) -> bool:
        """All of the patient's finished sessions in one bundle file, for another computer. With no
        `path`, the person is asked how to protect it (encrypted or not), then where to write it."""
        if self.clinic is None or self.patient is None:
            return False
        if path is None:
            asked = ask_bundle_file(self, self.clinic.database.parent, _file_safe(self.patient.code), tr(BUNDLE_FILTER))
            if asked is None:
                return False
            path, encryption = asked
        try:
            count = self.clinic.export_bundle(self.patient, path, encryption=encryption)
        except (CoachError, OSError) as exc:
            self.messages.tell(tr("The bundle could not be written"), failure_text(exc))
            return False
        self.message.setText(counted(count, *BUNDLE_WRITTEN, code=self.patient.code, path=path))
        return True

    def import_bundle(self, path: Path | None = None) -> bool:
        """A bundle from another computer: checked whole, then all its new sessions or none."""
        if self.clinic is None:
            return False
        path = path or ask_open_path(self, tr("Import a session bundle"), f"{tr(ANY_BUNDLE_FILTER)};;{tr(ALL_FILES)}")
        if path is None:
            return False
        try:  # an encrypted bundle asks for its passphrase only if it has one
            imported = self.clinic.import_bundle(path, lambda: ask_passphrase(self, path))
        except PassphraseNeededError:
            return False  # the person cancelled: nothing to say
        except (CoachError, OSError) as exc:
            self.messages.tell(tr("The bundle could not be imported"), failure_text(exc))
            return False
        self.bundle_imported.emit(imported.patient.id)
        text = _imported_text(imported.added, imported.skipped, imported.patient.code)
        self.message.setText(text)
        self.messages.tell(tr("Bundle imported"), text, error=False)
        return True


def _imported_text(added: int, skipped: int, code: str) -> str:
    """What a bundle import did, in whole sentences."""
    text = counted(added, *IMPORTED, code=code)
    if not skipped:
        return text
    already = counted(skipped, *ALREADY_HERE)
    return f"{text} {already}"


def _file_safe(text: str) -> str:
    """Text for a file name: letters, digits, '_' and '-' only."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", text)
