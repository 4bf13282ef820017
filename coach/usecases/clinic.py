"""The records a therapist works with, as both front-ends use them: patients, their
sessions and pictures, the programmes assigned to them, bundles, reports and exports.

`Clinic` is one open session database narrowed to what a person does with it: the
therapist's window and the `facecoach` record commands call these methods and
functions, and neither reaches into the store, the bundle format or the report
writers itself. Like the store underneath, a `Clinic` belongs to the thread that
opened it; a report is read here (`Clinic.session_report`) and may then be written on
any thread (`write_report_pdf`), since writing a PDF takes seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from coach.base.errors import CoachError, DamagedSessionError, StoreError, ValidationError
from coach.base.i18n import N_, tr
from coach.plans.prescriptions import PrescribedProgramme
from coach.records.bundle_crypto import NOT_ENCRYPTED, BundleKeys, Encryption
from coach.records.models import AffectedSide, FiledGrading, ItemAgreement, Patient, SessionDetail, SessionRecord
from coach.records.store import SessionStore
from coach.session.snapshots import Snapshot

if TYPE_CHECKING:  # measured only when asked for: opening the records stays quick
    from coach.grading.suggestions import GradingSuggestions

#: "all of them" for a patient's sessions: nobody has this many
ALL_SESSIONS = 100_000
#: a patient's fields as a sentence names them (shown with `tr`); the problem of a field not
#: named here reads whole
PATIENT_FIELD_NAMES = {
    "name": N_("display name"),
    "affected_side": N_("affected side"),
    "onset_date": N_("onset date"),
    "cause": N_("cause"),
    "notes": N_("notes"),
}


@dataclass(frozen=True)
class ImportedBundle:
    """What importing a bundle did: whose sessions, how many were new, how many already here."""

    patient: Patient
    added: int
    skipped: int


@dataclass(frozen=True)
class SessionReport:
    """Everything one session's PDF report shows, read from the records: the session, the
    patient's sessions for the trend pages, the patient, and the pictures to put in."""

    session: SessionDetail
    history: list[SessionDetail]
    patient: Patient | None
    pictures: dict[int, Snapshot]
    #: for an examination, its suggested grading; the patient's filed gradings
    suggestions: GradingSuggestions | None = None
    gradings: tuple[FiledGrading, ...] = ()


class Clinic:
    """One open session database, as the front-ends use it. Use `Clinic.open`."""

    def __init__(self, store: SessionStore) -> None:
        self._store = store

    @classmethod
    def open(cls, database: Path, *, reading: bool = False) -> tuple[Clinic, str | None]:
        """Open (creating or upgrading) the database; also what to tell the user about it
        (a damaged file kept aside, an upgrade, interrupted sessions), or None.

        `reading`: the caller only reads (a list, an export, a report). When the database
        cannot be opened for writing (a full disk, a read-only folder), it is then opened as
        it is on disk, read-only, and the notice says so: nobody is kept from their data by
        a full disk. Raises StoreError when the file cannot be used."""
        try:
            store, notice = SessionStore.open(database)
        except StoreError as error:
            if not reading or not database.is_file():
                raise
            try:
                store = SessionStore.open_read_only(database)
            except StoreError:
                raise error from None
            notice = tr("{problem}; showing what is saved, read-only: nothing can be saved until then", problem=error)
        return cls(store), notice

    @property
    def database(self) -> Path:
        return self._store.path

    def close(self) -> None:
        """Close the database (idempotent)."""
        self._store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # ----- patients ------------------------------------------------------------
    def patients(self) -> list[Patient]:
        """Every patient, by code."""
        return self._store.patients.all()

    def add_patient(
        self,
        code: str,
        name: str | None = None,
        affected_side: AffectedSide = "unknown",
        onset_date: date | None = None,
        cause: str | None = None,
        notes: str | None = None,
    ) -> Patient:
        """A new patient; a bad field is a FieldValueError, a code already used a CodeTakenError."""
        return self._store.patients.add(code, name, affected_side, onset_date, cause, notes)

    def update_patient(self, patient_id: int, **fields: Any) -> Patient:
        """Change a patient's fields (`coach.records.models.PATIENT_FIELDS`)."""
        return self._store.patients.update(patient_id, **fields)

    def find_patient(self, reference: str) -> Patient:
        """A patient by code, or by number when no code matches."""
        for key in (reference, int(reference) if reference.isdigit() else None):
            if key is None:
                continue
            try:
                return self._store.patients.get(key)
            except KeyError:
                continue
        raise CoachError(
            tr(
                "unknown patient {reference}: add one with `facecoach patients add {code}`",
                reference=repr(reference),
                code=reference,
            )
        )

    # ----- sessions and pictures -------------------------------------------------
    def sessions(self, patient_id: int | None = None, limit: int = ALL_SESSIONS) -> list[SessionRecord]:
        """The patient's sessions (None: everyone's), newest first, at most `limit`."""
        return self._store.history.sessions(limit=limit, patient_id=patient_id)

    def session(self, session_id: int) -> SessionDetail:
        """One session whole; KeyError if there is none."""
        return self._store.history.session_detail(session_id)

    def examination_grading(self, session_id: int) -> GradingSuggestions:
        """The suggested grading of an examination session, read with the patient's recorded affected
        side; KeyError if there is no such session, CoachError if it is not an examination."""
        from coach.usecases.examination import suggest_for_session

        session = self.session(session_id)
        patient = self._store.patients.get(session.patient_id) if session.patient_id is not None else None
        return suggest_for_session(session, patient.affected_side if patient is not None else None)

    def file_grading(
        self,
        patient_id: int,
        scale: str,
        values: dict[str, int | None],
        graded_by: str,
        *,
        suggested: dict[str, int | None] | None = None,
        session_id: int | None = None,
    ) -> FiledGrading:
        """Keep a clinician's grading on one scale, beside the suggestions it was made with."""
        return self._store.gradings.file(
            patient_id, scale, values, graded_by, suggested=suggested, session_id=session_id
        )

    def gradings(self, patient_id: int) -> list[FiledGrading]:
        """The patient's filed gradings, oldest first."""
        return self._store.gradings.for_patient(patient_id)

    def grading_agreement(self, patient_id: int | None = None) -> list[ItemAgreement]:
        """Item by item, how often clinicians kept the suggestion (one patient, or everyone: None)."""
        return self._store.gradings.agreement(patient_id)

    def history(self, patient_id: int, on_left_out: Callable[[str], None] = lambda text: None) -> list[SessionDetail]:
        """Every session of the patient, whole, oldest first. A session whose stored values are
        damaged is left out and `on_left_out` told why: the rest can always be exported."""
        return self.readable_sessions(list(reversed(self.sessions(patient_id))), on_left_out)

    def readable_sessions(
        self, records: list[SessionRecord], on_left_out: Callable[[str], None] = lambda text: None
    ) -> list[SessionDetail]:
        """These sessions whole, in the order given, without any whose stored values are damaged."""
        details = []
        for record in records:
            try:
                details.append(self.session(record.id))
            except DamagedSessionError as damaged:
                on_left_out(str(damaged))
        return details

    def pictures(self, session_id: int) -> dict[int, Snapshot]:
        """The pictures kept at the peak of the session's exercises, by exercise record id."""
        return self._store.pictures.of_session(session_id)

    def picture_count(self, session_id: int) -> int:
        return self._store.pictures.count(session_id=session_id)

    def delete_pictures(self, session_id: int) -> int:
        """Delete the session's pictures (its numbers stay); returns how many."""
        return self._store.pictures.delete(session_id=session_id)

    def session_report(self, session_id: int, *, with_pictures: bool = True) -> SessionReport:
        """What the session's report shows; KeyError if there is no such session."""
        session = self.session(session_id)
        patient = self._store.patients.get(session.patient_id) if session.patient_id is not None else None
        history = self.history(patient.id) if patient else [session]
        pictures = self.pictures(session.id) if with_pictures else {}
        suggestions = self.examination_grading(session_id) if session.is_examination else None
        gradings = tuple(self.gradings(patient.id)) if patient else ()
        return SessionReport(session, history, patient, pictures, suggestions, gradings)

    # ----- programmes ------------------------------------------------------------
    def assigned_programme(self, patient_id: int) -> PrescribedProgramme | None:
        """The programme the patient was given last, if any."""
        return self._store.programmes.current(patient_id)

    def assign_programme(self, patient_id: int, programme: PrescribedProgramme) -> PrescribedProgramme:
        """Keep the programme and make it the patient's current one; returns it as kept."""
        kept = self._store.programmes.save(programme)
        self._store.programmes.assign(patient_id, kept.id)
        return kept

    # ----- bundles ---------------------------------------------------------------
    def export_bundle(
        self,
        patient: Patient,
        path: Path,
        on_left_out: Callable[[str], None] = lambda text: None,
        *,
        encryption: Encryption = NOT_ENCRYPTED,
    ) -> int:
        """All of the patient's readable finished sessions in one bundle file, encrypted as chosen
        (records.bundle_crypto: for a paired therapist, with a passphrase); returns how many."""
        from coach.records.bundle import export_bundle

        return export_bundle(self._store, patient, path, on_left_out, encryption)

    def import_bundle(self, path: Path, passphrase: Callable[[], str | None] = lambda: None) -> ImportedBundle:
        """A bundle from another computer: opened (with this computer's key, or `passphrase`, asked
        only if the file needs one), checked whole, then all its new sessions or none (BundleError,
        a CoachError, says why not)."""
        from coach.records.bundle import import_bundle
        from coach.records.keyring import existing_own_key

        data_dir = self.database.parent
        keys = BundleKeys(own_key=lambda: existing_own_key(data_dir), passphrase=passphrase)
        patient, added, skipped = import_bundle(self._store, path, keys)
        return ImportedBundle(patient, added, skipped)


# The writers load matplotlib and the PDF library: only when something is written.


def write_report_pdf(path: Path, report: SessionReport) -> int:
    """The session's PDF report (with the patient's trends); returns its page count."""
    from coach.reports.pdf.document import write_session_report

    return write_session_report(path, report.session, report.history, report.patient, snapshots=report.pictures,
                                grading=(report.suggestions, report.gradings))  # fmt: skip


def export_sessions_csv(path: Path, sessions: list[SessionDetail]) -> int:
    """The sessions as CSV, one row per repetition; returns how many rows."""
    from coach.reports.exports import write_csv

    return write_csv(path, sessions)


def export_sessions_json(
    path: Path, sessions: list[SessionDetail], patient: Patient | None, gradings: Sequence[FiledGrading] = ()
) -> None:
    """The sessions, whole, as JSON, with the patient (and the gradings filed, for a whole history)."""
    from coach.reports.exports import write_json

    write_json(path, sessions, patient, gradings)


def export_gradings_csv(path: Path, gradings: Sequence[FiledGrading]) -> int:
    """The gradings filed as CSV, one row per item; returns how many rows."""
    from coach.reports.exports import write_gradings_csv

    return write_gradings_csv(path, gradings)


def patient_label(patient: Patient) -> str:
    """How a patient is named in lists: code, then the name if there is one."""
    return patient.code + (f" — {patient.name}" if patient.name else "")


def plain_patient_error(error: BaseException) -> str:
    """A refused patient as a sentence for the therapist's form, worded from the error's
    field and problem: no file paths, no field names as the code spells them."""
    if isinstance(error, ValidationError) and error.problem:
        name = PATIENT_FIELD_NAMES.get(error.field or "")
        text = tr("{field} {problem}", field=tr(name), problem=error.problem) if name else error.problem
    else:
        text = str(error)
    return text[:1].upper() + text[1:]
