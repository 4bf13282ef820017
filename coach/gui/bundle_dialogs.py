"""Asking how a bundle is protected before it is written, and for the passphrase of one that
needs it: two small dialogs, for every window that exports or imports bundles.

Why: a bundle holds the patient's name, cause and notes and travels by e-mail or on a USB
stick, so the export asks first whether to encrypt it: for a therapist this computer paired
with (only their computer opens it, nothing to tell them), or with a passphrase (to be told
another way than the file). The dialogs only ask; the encryption is `records.bundle_crypto`'s,
reached through the use case (`usecases.clinic.Clinic.export_bundle` / `import_bundle`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from coach.base.errors import CoachError
from coach.base.i18n import N_, tr
from coach.gui.labels import make_label, points
from coach.gui.therapist.parts import ERROR_STYLE, ask_save_path
from coach.records.bundle_crypto import (
    NOT_ENCRYPTED,
    Encryption,
    ForTherapist,
    NotEncrypted,
    WithPassphrase,
    passphrase_problem,
)
from coach.records.keyring import PairedTherapist, paired_therapists

#: what a bundle holds and why to encrypt it (above the choices)
WHY_ENCRYPT = N_(
    "A bundle holds the patient's name, cause and notes with every session, and travels by e-mail or on a "
    "USB stick. Encrypted, a lost file tells a finder nothing."
)
#: how wide the dialogs are at least, in points of text: a sentence wraps onto a few lines, not many
WIDTH_EMS = 30 * 11
#: the file-dialog filter of an encrypted bundle (a plain one is a ZIP: the sessions tab's filter)
ENCRYPTED_FILTER = N_("Encrypted session bundles (*.fcbundle)")
#: the file-dialog filter when importing: either kind
ANY_BUNDLE_FILTER = N_("Session bundles, encrypted or not (*.zip *.fcbundle)")


class BundleExportDialog(QDialog):
    """Not encrypted, for a paired therapist, or with a passphrase (typed twice). `encryption()`
    is the choice once it is complete; Continue is offered only then, and the line under the
    choices says what is missing."""

    def __init__(
        self, therapists: Sequence[PairedTherapist], problem: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("How to protect the bundle"))
        self.therapists = list(therapists)
        layout = QVBoxLayout(self)
        layout.addWidget(make_label(tr(WHY_ENCRYPT), 11))
        self.plain_choice = QRadioButton(tr("Not encrypted: whoever has the file can read it"))
        self.therapist_choice = QRadioButton(self._therapist_words())
        self.therapist_box = QComboBox()
        self.therapist_box.setAccessibleName(tr("The therapist to encrypt for"))
        for therapist in self.therapists:
            self.therapist_box.addItem(tr("{name} (key {fingerprint})", name=therapist.name,
                                          fingerprint=therapist.fingerprint))  # fmt: skip
        self.passphrase_choice = QRadioButton(tr("With a passphrase: whoever imports it is asked for it"))
        self.passphrase_edit = _secret_field(tr("The bundle's passphrase"))
        self.repeat_edit = _secret_field(tr("The passphrase again"))
        self.choices = QButtonGroup(self)
        for button in (self.plain_choice, self.therapist_choice, self.passphrase_choice):
            self.choices.addButton(button)
        self.therapist_choice.setEnabled(bool(self.therapists))
        layout.addWidget(self.plain_choice)
        layout.addWidget(self.therapist_choice)
        layout.addWidget(self.therapist_box)
        if problem:
            said = make_label(problem, 10)
            said.setStyleSheet(ERROR_STYLE)
            layout.addWidget(said)
        layout.addWidget(self.passphrase_choice)
        layout.addWidget(self.passphrase_edit)
        layout.addWidget(self.repeat_edit)
        self.missing = make_label("", 10)
        self.missing.setStyleSheet(ERROR_STYLE)
        layout.addWidget(self.missing)
        self.continue_button, cancel = QPushButton(tr("Continue…")), QPushButton(tr("Cancel"))
        self.continue_button.setDefault(True)
        _answer_row(self, layout, self.continue_button, cancel)
        (self.therapist_choice if self.therapists else self.passphrase_choice).setChecked(
            True
        )  # encrypted unless asked
        self.choices.buttonToggled.connect(lambda *_: self._update())
        self.passphrase_edit.textChanged.connect(self._update)
        self.repeat_edit.textChanged.connect(self._update)
        self.setMinimumWidth(round(points(WIDTH_EMS)))
        self._update()

    def _therapist_words(self) -> str:
        if not self.therapists:
            return tr("For my therapist (no therapist is paired with this computer yet)")
        if len(self.therapists) == 1:
            return tr("For my therapist {name}: only their computer can open it", name=self.therapists[0].name)
        return tr("For my therapist: only their computer can open it")

    def encryption(self) -> Encryption | None:
        """The protection chosen, or None while the choice is not complete."""
        if self.plain_choice.isChecked():
            return NOT_ENCRYPTED
        if self.therapist_choice.isChecked() and self.therapists:
            therapist = self.therapists[max(0, self.therapist_box.currentIndex())]
            return ForTherapist(therapist.name, therapist.public_key)
        if self.passphrase_choice.isChecked() and not self._passphrase_missing():
            return WithPassphrase(self.passphrase_edit.text())
        return None

    def _passphrase_missing(self) -> str:
        """What stops the passphrase typed from being used, in a sentence ("" if nothing)."""
        passphrase = self.passphrase_edit.text()
        problem = passphrase_problem(passphrase)
        if problem is not None:
            return problem[:1].upper() + problem[1:] + "."
        if self.repeat_edit.text() != passphrase:
            return tr("The two passphrases are not the same.")
        return ""

    def _update(self) -> None:
        by_passphrase = self.passphrase_choice.isChecked()
        self.therapist_box.setEnabled(self.therapist_choice.isChecked() and len(self.therapists) > 1)
        self.therapist_box.setVisible(len(self.therapists) > 1)
        self.passphrase_edit.setEnabled(by_passphrase)
        self.repeat_edit.setEnabled(by_passphrase)
        self.missing.setText(self._passphrase_missing() if by_passphrase else "")
        self.continue_button.setEnabled(self.encryption() is not None)
        self.adjustSize()  # room for the wrapped lines as they come and go


class PassphraseDialog(QDialog):
    """The passphrase of an encrypted bundle, typed in to import it."""

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Passphrase of the bundle"))
        layout = QVBoxLayout(self)
        layout.addWidget(make_label(tr("{file} is encrypted with a passphrase. Type it in to import its sessions.",
                                       file=path.name), 11))  # fmt: skip
        self.passphrase_edit = _secret_field(tr("The bundle's passphrase"))
        layout.addWidget(self.passphrase_edit)
        self.import_button, cancel = QPushButton(tr("Import the bundle")), QPushButton(tr("Cancel"))
        self.import_button.setDefault(True)
        self.import_button.setEnabled(False)
        self.passphrase_edit.textChanged.connect(lambda text: self.import_button.setEnabled(bool(text)))
        _answer_row(self, layout, self.import_button, cancel)
        self.setMinimumWidth(round(points(WIDTH_EMS)))
        self.adjustSize()  # the wrapped sentence whole, at any text size


def _secret_field(name: str) -> QLineEdit:
    """A line for a passphrase: its characters hidden, its name said by screen readers."""
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setPlaceholderText(name)
    field.setAccessibleName(name)
    return field


def ask_bundle_file(parent: QWidget, data_dir: Path, stem: str, plain_filter: str) -> tuple[Path, Encryption] | None:
    """How to protect a bundle (the therapists paired with the data folder `data_dir` offered),
    then where to write it; None if the person cancelled either. `stem`: the file's suggested
    name without its ending; `plain_filter`: the file dialog's filter for a plain bundle."""
    try:
        therapists, problem = paired_therapists(data_dir), None
    except CoachError as error:  # a damaged list: said in the dialog; the other two choices still work
        therapists, problem = [], str(error)
    dialog = BundleExportDialog(therapists, problem, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted or (encryption := dialog.encryption()) is None:
        return None
    plain = isinstance(encryption, NotEncrypted)
    name, filters = (f"{stem}.facecoach.zip", plain_filter) if plain else (f"{stem}.fcbundle", tr(ENCRYPTED_FILTER))
    path = ask_save_path(parent, tr("Export the patient's sessions as a bundle"), name, filters)
    return None if path is None else (path, encryption)


def ask_passphrase(parent: QWidget, path: Path) -> str | None:
    """The passphrase of the encrypted bundle `path`, typed in; None if the person cancelled."""
    dialog = PassphraseDialog(path, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.passphrase_edit.text()


def _answer_row(dialog: QDialog, layout: QVBoxLayout, go: QPushButton, cancel: QPushButton) -> None:
    """The dialog's answer buttons, at the right: `go` accepts, `cancel` rejects."""
    go.clicked.connect(dialog.accept)
    cancel.clicked.connect(dialog.reject)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(go)
    row.addWidget(cancel)
    layout.addLayout(row)
