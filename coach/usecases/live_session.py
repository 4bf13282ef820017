"""The live session's records and sound: what keeps and voices a coaching session.

`SessionRecorder` writes each saved session to the SQLite store as it happens (a
repetition is on disk as soon as it is finished); `SoundPrompter` turns prompts and eye
closure into sound. Both subscribe to the session controller's events, records first;
they run on the processing thread, which is why the recorder opens its own store there.
`LiveRecords` is what the live window reads back: the patients and their programmes.

What the person is told is in their language (`coach.base.i18n`); what is kept (the names
of the programme and its exercises, the status) stays English, so the records read the
same whatever language they were made in. The lines told to `on_saved` are for whoever
runs the app (a log), and stay English too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from coach.base.errors import CoachError
from coach.base.i18n import tr
from coach.plans.prescriptions import PrescribedProgramme
from coach.records.models import Patient, SteeringRecord
from coach.records.store import SessionStore, database_path
from coach.session.events import (
    ExerciseFinished,
    ExerciseStarted,
    EyeClosure,
    PeakPictureTaken,
    Prompt,
    RepetitionDiscarded,
    RepetitionFinished,
    RestingMeasured,
    SessionEvent,
    SessionFinished,
    SessionStarted,
    Steered,
)
from coach.sound.audio_coach import AudioCoach

T = TypeVar("T")


class SessionRecorder:
    """Keeps each saved session in the database: a subscriber of the controller's events,
    opening the store on the thread that emits them (the processing thread).

    A write that fails (a full disk, a database another program holds) is told through
    `on_notice`, once per problem, and the session goes on: the person's exercise is never
    stopped by the record of it. If the session itself could not be started, nothing
    more is attempted for it.
    """

    def __init__(
        self,
        database: Path,
        on_notice: Callable[[str], None] = lambda text: None,
        on_saved: Callable[[str], None] = lambda text: None,
    ) -> None:
        self.database = database
        #: told one line each time a repetition or the session's end is safely on disk
        self.on_saved = on_saved
        self.on_notice = on_notice
        self.store: SessionStore | None = None
        self.session_id: int | None = None
        #: the session that ended last: a note made after its end still goes into it
        self.ended_session_id: int | None = None
        #: each attempt at an exercise (ExerciseStarted.attempt) -> its record, and its name
        self._exercise_ids: dict[int, int] = {}
        self._exercise_names: dict[int, str] = {}
        self._attempt = 0  # the attempt under way (a peak picture is of it)
        self._told: set[str] = set()

    def __call__(self, event: SessionEvent) -> None:
        match event:
            case SessionStarted():
                self._session_started(event)
            case RestingMeasured():
                self._resting_measured(event)
            case ExerciseStarted():
                self._exercise_started(event)
            case RepetitionFinished():
                self._repetition_finished(event)
            case RepetitionDiscarded():
                self._repetition_discarded(event)
            case Steered():
                self._steered(event)
            case PeakPictureTaken():
                self._peak_picture(event)
            case ExerciseFinished():
                self._exercise_finished(event)
            case SessionFinished():
                self._session_finished(event)

    @contextmanager
    def _saving(self, consequence: str) -> Iterator[None]:
        """Tell `consequence` (in the person's language), and why, if what is inside fails."""
        try:
            yield
        except CoachError as error:
            text = tr("{consequence} Why: {reason}.", consequence=consequence, reason=error)
            if text not in self._told:
                self._told.add(text)
                self.on_notice(text)

    def _session_started(self, event: SessionStarted) -> None:
        self._close()  # (a session that never ended leaves its store open: it shows as interrupted)
        self._exercise_ids, self._exercise_names, self._told = {}, {}, set()
        self.ended_session_id = None
        if not event.save_results:
            return
        programme = event.programme
        with self._saving(tr("Your results are not being saved in this session.")):
            self.store, notice = SessionStore.open(self.database)
            if notice:
                self.on_notice(notice)
            self.session_id = self.store.recording.start_session(
                programme.id, programme.english_name, event.source_name, patient_id=event.patient_id
            )

    def _resting_measured(self, event: RestingMeasured) -> None:
        if self.store is not None and self.session_id is not None:
            with self._saving(tr("The resting measures were not saved; the session goes on.")):
                self.store.recording.save_resting(self.session_id, event.resting, event.accepted)

    def _exercise_started(self, event: ExerciseStarted) -> None:
        if self.store is None or self.session_id is None:
            return
        exercise = event.exercise
        target = {
            "target_mm": list(exercise.target_mm),
            "target_symmetry": exercise.target_symmetry,
            "repetitions": exercise.repetitions,
            "hold_s": exercise.hold_s,
            "relax_s": exercise.relax_s,
        }
        primary = exercise.primary[0] if exercise.primary else None
        self._attempt = event.attempt
        with self._saving(tr("“{exercise}” is not being saved; the session goes on.", exercise=exercise.name)):
            # an exercise done again is a record of its own at the same place in the programme
            self._exercise_ids[event.attempt] = self.store.recording.start_exercise(
                self.session_id, event.index, exercise.id, exercise.english_name, primary, target
            )
            self._exercise_names[event.attempt] = exercise.english_name

    def _repetition_finished(self, event: RepetitionFinished) -> None:
        if self.store is not None and event.attempt in self._exercise_ids:
            rep = event.repetition
            with self._saving(tr("A repetition was not saved; the session goes on.")):
                self.store.recording.add_repetition(self._exercise_ids[event.attempt], event.number, rep)
                self.on_saved(
                    f"saved session {self.session_id}: {self._exercise_names[event.attempt]}, "
                    f"repetition {event.number} (left {rep.left_mm:.1f} mm, right {rep.right_mm:.1f} mm)"
                )

    def _repetition_discarded(self, event: RepetitionDiscarded) -> None:
        if self.store is not None and event.attempt in self._exercise_ids:
            summary = event.result.summary if event.result is not None else None
            with self._saving(tr("A repetition set aside is not marked so in the records.")):
                self.store.recording.set_aside_repetition(
                    self._exercise_ids[event.attempt], event.number, event.reason, summary
                )

    def _steered(self, event: Steered) -> None:
        """Every command applied and every note, into the session's steering log; a note made
        after the session's end still goes into it (the store opened briefly for it)."""
        session_id = self.session_id if self.store is not None else self.ended_session_id
        if session_id is None:
            return
        with self._saving(tr("What the therapist did was not saved; the session goes on.")):
            store = self.store or SessionStore.open(self.database)[0]
            try:
                record = SteeringRecord(event.at_s, event.origin, event.action, event.index, event.detail,
                                        event.text, store.now())  # fmt: skip
                store.recording.log_steering(session_id, record)
            finally:
                if store is not self.store:
                    store.close()

    def _peak_picture(self, event: PeakPictureTaken) -> None:
        """Only sent when the person chose to keep pictures."""
        if self.store is not None and self._attempt in self._exercise_ids:
            with self._saving(tr("The picture of this exercise was not kept; your results are saved.")):
                self.store.pictures.keep(self._exercise_ids[self._attempt], event.snapshot)

    def _exercise_finished(self, event: ExerciseFinished) -> None:
        if self.store is not None and event.attempt in self._exercise_ids:
            result = event.result
            with self._saving(tr("The end of this exercise was not saved; its repetitions are.")):
                self.store.recording.finish_exercise(self._exercise_ids[event.attempt], result.status, result.summary)

    def _session_finished(self, event: SessionFinished) -> None:
        if self.store is not None and self.session_id is not None:
            with self._saving(tr("The end of the session was not saved; it will show as interrupted.")):
                self.store.recording.finish_session(self.session_id, event.status)
                self.on_saved(f"saved session {self.session_id}: {event.status}")
        self._close()

    def _close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.ended_session_id = self.session_id
        self.store, self.session_id = None, None


class SoundPrompter:
    """Speaks or sounds the session's prompts, and the eye-closure feedback: a subscriber of
    the controller's events (every other event needs no sound)."""

    def __init__(self, audio: AudioCoach) -> None:
        self.audio = audio

    def __call__(self, event: SessionEvent) -> None:
        match event:
            case Prompt(kind=kind, text=text):
                self.audio.prompt(kind, text)
            case EyeClosure(left=left, right=right, at_s=at_s):
                self.audio.eye_closure(left, right, at_s)


@dataclass(frozen=True)
class LiveRecords:
    """The records on this computer as the live coach uses them. Each call opens the database
    briefly (so any thread may make it); one that cannot be read right now gives nothing."""

    database: Path
    #: False when the database could not be opened at start: nothing is saved then
    writable: bool = True

    @classmethod
    def open(cls, data_dir: Path) -> tuple[LiveRecords, list[str]]:
        """The records in `data_dir`, checked once, and what to tell the person about them
        (a damaged file kept aside, an upgrade, or that nothing will be saved)."""
        database = database_path(data_dir)
        try:
            store, notice = SessionStore.open(database)
            store.close()
        except CoachError as exc:
            return cls(database, writable=False), [
                tr("{problem} Your results will not be saved in this session.", problem=exc)
            ]
        return cls(database), [notice] if notice else []

    def recorder(
        self, on_notice: Callable[[str], None], on_saved: Callable[[str], None] = lambda text: None
    ) -> SessionRecorder:
        """What keeps every saved session of a live controller here (subscribe it to its events)."""
        return SessionRecorder(self.database, on_notice, on_saved=on_saved)

    def patients(self) -> list[Patient]:
        return self._read(lambda store: store.patients.all(), [])

    def patient(self, patient_id: int | None) -> Patient | None:
        """One patient, or None if nobody is named, they are gone, or the records cannot be read now."""
        if patient_id is None:
            return None
        return next((patient for patient in self.patients() if patient.id == patient_id), None)

    def assigned_programme(self, patient_id: int) -> PrescribedProgramme | None:
        """The programme the therapist assigned to the patient last, if any."""
        return self._read(lambda store: store.programmes.current(patient_id), None)

    def _read(self, query: Callable[[SessionStore], T], otherwise: T) -> T:
        """`query` on a briefly opened store; `otherwise` when the database cannot be read now."""
        try:
            store, _notice = SessionStore.open(self.database)
        except CoachError:
            return otherwise
        try:
            return query(store)
        except CoachError:
            return otherwise
        finally:
            store.close()
