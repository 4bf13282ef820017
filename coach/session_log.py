"""Listeners that keep and voice what a coaching session does.

`SessionRecorder` writes the session to the SQLite store as it happens (a repetition
is on disk as soon as it is finished); `SoundPrompter` turns prompts and eye closure
into sound; `Listeners` fans one session out to several. They run on the processing
thread, which is why the recorder opens its own store connection there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from coach import engine
from coach.coaching import ExerciseResult, SessionListener
from coach.errors import CoachError
from coach.exercises import Exercise
from coach.programmes import Programme
from coach.snapshots import Snapshot
from coach.sound import AudioCoach
from coach.store import SessionStore


class SessionRecorder:
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
    ) -> None:
        self.database = database
        self.source_name = source_name
        #: whose session this is (chosen in the start box); None: nobody named
        self.patient_id = patient_id
        self.on_notice = on_notice
        self.store: SessionStore | None = None
        self.session_id: int | None = None
        self._exercise_ids: dict[int, int] = {}
        self._told: set[str] = set()

    @contextmanager
    def _saving(self, consequence: str) -> Iterator[None]:
        try:
            yield
        except CoachError as error:
            text = f"{consequence} Why: {error}."
            if text not in self._told:
                self._told.add(text)
                self.on_notice(text)

    def session_started(self, programme: Programme) -> None:
        with self._saving("Your results are not being saved in this session."):
            self.store, notice = SessionStore.open(self.database)
            if notice:
                self.on_notice(notice)
            self.session_id = self.store.start_session(
                programme.id, programme.name, self.source_name, patient_id=self.patient_id
            )

    def resting_measured(self, resting: dict[str, dict[str, float]]) -> None:
        if self.store is not None and self.session_id is not None:
            with self._saving("The resting measures were not saved; the session goes on."):
                self.store.record_resting(self.session_id, resting)

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
        with self._saving(f"“{exercise.name}” is not being saved; the session goes on."):
            self._exercise_ids[index] = self.store.start_exercise(
                self.session_id, index, exercise.id, exercise.name, primary, target
            )

    def repetition_done(self, index: int, number: int, rep: engine.Repetition) -> None:
        if self.store is not None and index in self._exercise_ids:
            with self._saving("A repetition was not saved; the session goes on."):
                self.store.add_repetition(self._exercise_ids[index], number, rep)

    def peak_snapshot(self, index: int, snapshot: Snapshot) -> None:
        """Only sent when the person chose to keep pictures."""
        if self.store is not None and index in self._exercise_ids:
            with self._saving("The picture of this exercise was not kept; your results are saved."):
                self.store.keep_snapshot(self._exercise_ids[index], snapshot)

    def exercise_finished(self, index: int, result: ExerciseResult) -> None:
        if self.store is not None and index in self._exercise_ids:
            with self._saving("The end of this exercise was not saved; its repetitions are."):
                self.store.finish_exercise(self._exercise_ids[index], result.status, result.summary)

    def session_finished(self, status: str) -> None:
        if self.store is None:
            return
        if self.session_id is not None:
            with self._saving("The end of the session was not saved; it will show as interrupted."):
                self.store.finish_session(self.session_id, status)
        self.store.close()
        self.store = None

    def prompt(self, kind: str, text: str) -> None:
        """Recording keeps numbers, not prompts."""

    def eye_closure(self, closure_left: float, closure_right: float, now_s: float) -> None:
        """Recording keeps numbers, not live signals."""


class SoundPrompter:
    """Speaks or sounds the session's prompts, and the eye-closure feedback."""

    def __init__(self, audio: AudioCoach) -> None:
        self.audio = audio

    def prompt(self, kind: str, text: str) -> None:
        self.audio.prompt(kind, text)

    def eye_closure(self, closure_left: float, closure_right: float, now_s: float) -> None:
        self.audio.eye_closure(closure_left, closure_right, now_s)

    def __getattr__(self, name: str) -> object:
        # every other session event needs no sound
        return lambda *args, **kwargs: None


class Listeners:
    """Tells every listener, in order (the recorder first: keeping data comes first)."""

    def __init__(self, *listeners: SessionListener) -> None:
        self.listeners = listeners

    def __getattr__(self, name: str) -> Callable[..., None]:
        def call_all(*args: object) -> None:
            for listener in self.listeners:
                getattr(listener, name)(*args)

        return call_all
