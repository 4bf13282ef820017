"""The live session's records and sound: what keeps and voices a coaching session.

`SessionRecorder` writes the session to the SQLite store as it happens (a repetition
is on disk as soon as it is finished); `SoundPrompter` turns prompts and eye closure
into sound. The app hears a session through both, as one `ListenerGroup`. They run on
the processing thread, which is why the recorder opens its own store connection there.
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
from coach.plans.exercises import Exercise
from coach.plans.prescriptions import PrescribedProgramme
from coach.plans.programmes import Programme
from coach.records.models import Patient
from coach.records.store import SessionStore, database_path
from coach.session import engine
from coach.session.exercise_run import ExerciseResult
from coach.session.listener import SessionListener
from coach.session.snapshots import Snapshot
from coach.sound.audio_coach import AudioCoach

T = TypeVar("T")


class SessionRecorder(SessionListener):
    """Keeps one session in the database, opened on first use by the calling thread.

    A write that fails (a full disk, a database another program holds) is told through
    `on_notice`, once per problem, and the session goes on: the person's exercise is never
    stopped by the record of it. If the session itself could not be started, nothing
    more is attempted for it.
    """

    def __init__(
        self,
        database: Path,
        source_name: str,
        on_notice: Callable[[str], None] = lambda text: None,
        patient_id: int | None = None,
        on_saved: Callable[[str], None] = lambda text: None,
    ) -> None:
        self.database = database
        self.source_name = source_name
        #: told one line each time a repetition or the session's end is safely on disk
        self.on_saved = on_saved
        #: whose session this is (chosen in the start box); None: nobody named
        self.patient_id = patient_id
        self.on_notice = on_notice
        self.store: SessionStore | None = None
        self.session_id: int | None = None
        self._exercise_ids: dict[int, int] = {}
        self._exercise_names: dict[int, str] = {}
        self._told: set[str] = set()

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

    def session_started(self, programme: Programme) -> None:
        with self._saving(tr("Your results are not being saved in this session.")):
            self.store, notice = SessionStore.open(self.database)
            if notice:
                self.on_notice(notice)
            self.session_id = self.store.recording.start_session(
                programme.id, programme.english_name, self.source_name, patient_id=self.patient_id
            )

    def resting_measured(self, resting: dict[str, dict[str, float]], accepted: bool = False) -> None:
        if self.store is not None and self.session_id is not None:
            with self._saving(tr("The resting measures were not saved; the session goes on.")):
                self.store.recording.save_resting(self.session_id, resting, accepted)

    def exercise_started(self, index: int, exercise: Exercise) -> None:
        if self.store is None or self.session_id is None:
            return
        target = {
            "target_mm": list(exercise.target_mm),
            "target_symmetry": exercise.target_symmetry,
            "repetitions": exercise.repetitions,
            "hold_s": exercise.hold_s,
            "relax_s": exercise.relax_s,
        }
        primary = exercise.primary[0] if exercise.primary else None
        with self._saving(tr("“{exercise}” is not being saved; the session goes on.", exercise=exercise.name)):
            self._exercise_ids[index] = self.store.recording.start_exercise(
                self.session_id, index, exercise.id, exercise.english_name, primary, target
            )
            self._exercise_names[index] = exercise.english_name

    def repetition_done(self, index: int, number: int, rep: engine.Repetition) -> None:
        if self.store is not None and index in self._exercise_ids:
            with self._saving(tr("A repetition was not saved; the session goes on.")):
                self.store.recording.add_repetition(self._exercise_ids[index], number, rep)
                self.on_saved(
                    f"saved session {self.session_id}: {self._exercise_names[index]}, repetition {number} "
                    f"(left {rep.left_mm:.1f} mm, right {rep.right_mm:.1f} mm)"
                )

    def peak_snapshot(self, index: int, snapshot: Snapshot) -> None:
        """Only sent when the person chose to keep pictures."""
        if self.store is not None and index in self._exercise_ids:
            with self._saving(tr("The picture of this exercise was not kept; your results are saved.")):
                self.store.pictures.keep(self._exercise_ids[index], snapshot)

    def exercise_finished(self, index: int, result: ExerciseResult) -> None:
        if self.store is not None and index in self._exercise_ids:
            with self._saving(tr("The end of this exercise was not saved; its repetitions are.")):
                self.store.recording.finish_exercise(self._exercise_ids[index], result.status, result.summary)

    def session_finished(self, status: str) -> None:
        if self.store is None:
            return
        if self.session_id is not None:
            with self._saving(tr("The end of the session was not saved; it will show as interrupted.")):
                self.store.recording.finish_session(self.session_id, status)
                self.on_saved(f"saved session {self.session_id}: {status}")
        self.store.close()
        self.store = None


class SoundPrompter(SessionListener):
    """Speaks or sounds the session's prompts, and the eye-closure feedback; every other
    session event needs no sound."""

    def __init__(self, audio: AudioCoach) -> None:
        self.audio = audio

    def prompt(self, kind: str, text: str) -> None:
        self.audio.prompt(kind, text)

    def eye_closure(self, closure_left: float, closure_right: float, now_s: float) -> None:
        self.audio.eye_closure(closure_left, closure_right, now_s)


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
        self,
        source_name: str,
        on_notice: Callable[[str], None],
        patient_id: int | None = None,
        on_saved: Callable[[str], None] = lambda text: None,
    ) -> SessionRecorder:
        return SessionRecorder(self.database, source_name, on_notice, patient_id=patient_id, on_saved=on_saved)

    def patients(self) -> list[Patient]:
        return self._read(lambda store: store.patients.all(), [])

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
