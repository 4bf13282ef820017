"""Who hears what a live session does: the listener every hearer subclasses, and a group of them.

The session tells its listener everything worth keeping (the store) or saying (the
sound), on the processing thread. Each method here does nothing, so a listener names
only the events it cares about, and a misspelt event is an AttributeError, not silence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coach.plans.exercises import Exercise
    from coach.plans.programmes import Programme
    from coach.session.engine import Repetition
    from coach.session.exercise_run import ExerciseResult
    from coach.session.snapshots import Snapshot


class SessionListener:
    """Hears a live session and, unless a subclass says otherwise, keeps and says nothing
    (a practice run, or a test of the flow alone)."""

    def session_started(self, programme: Programme) -> None:
        """The first frame arrived: the session is under way."""

    def resting_measured(self, resting: dict[str, dict[str, float]], accepted: bool = False) -> None:
        """Calibration is done: the face at rest, measure → {"left": mm, "right": mm};
        `accepted`: the person took their face as it was, it was not found still."""

    def exercise_started(self, index: int, exercise: Exercise) -> None:
        """Exercise `index` (in programme order) begins with its instruction."""

    def repetition_done(self, index: int, number: int, rep: Repetition) -> None:
        """Repetition `number` (from 1) of exercise `index` is measured."""

    def peak_snapshot(self, index: int, snapshot: Snapshot) -> None:
        """The picture at exercise `index`'s peak, sent only when the person chose to keep pictures."""

    def exercise_finished(self, index: int, result: ExerciseResult) -> None:
        """Exercise `index` is over: completed, skipped or stopped."""

    def session_finished(self, status: str) -> None:
        """The session is over: "completed" or "stopped"."""

    def prompt(self, kind: str, text: str) -> None:
        """Something to say now; `kind` ("start", "hold", "relax", "done") names the tone for it."""

    def eye_closure(self, closure_left: float, closure_right: float, now_s: float) -> None:
        """One frame's eye closure (0 open to 1 closed) per side, during eye-closure exercises."""


class ListenerGroup(SessionListener):
    """Several listeners heard as one: each event goes to every listener, in the order given
    (put the recorder first: keeping the data comes before voicing it)."""

    def __init__(self, *listeners: SessionListener) -> None:
        self.listeners = listeners

    def session_started(self, programme: Programme) -> None:
        for listener in self.listeners:
            listener.session_started(programme)

    def resting_measured(self, resting: dict[str, dict[str, float]], accepted: bool = False) -> None:
        for listener in self.listeners:
            listener.resting_measured(resting, accepted)

    def exercise_started(self, index: int, exercise: Exercise) -> None:
        for listener in self.listeners:
            listener.exercise_started(index, exercise)

    def repetition_done(self, index: int, number: int, rep: Repetition) -> None:
        for listener in self.listeners:
            listener.repetition_done(index, number, rep)

    def peak_snapshot(self, index: int, snapshot: Snapshot) -> None:
        for listener in self.listeners:
            listener.peak_snapshot(index, snapshot)

    def exercise_finished(self, index: int, result: ExerciseResult) -> None:
        for listener in self.listeners:
            listener.exercise_finished(index, result)

    def session_finished(self, status: str) -> None:
        for listener in self.listeners:
            listener.session_finished(status)

    def prompt(self, kind: str, text: str) -> None:
        for listener in self.listeners:
            listener.prompt(kind, text)

    def eye_closure(self, closure_left: float, closure_right: float, now_s: float) -> None:
        for listener in self.listeners:
            listener.eye_closure(closure_left, closure_right, now_s)
