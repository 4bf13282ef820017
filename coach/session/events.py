"""What a live session tells whoever follows it: typed events on one stream.

The session and its controller emit these, in order, on the thread that runs the session;
the records, the sound and every window subscribe to the one `EventStream` and none reaches
into another. Events are numbers and words only, with one exception named below (the peak
picture, sent only when the person chose to keep pictures): so the stream can be shown
beside the patient or, later, sent to a therapist elsewhere without a face in it.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coach.plans.exercises import Exercise
from coach.plans.programmes import Programme
from coach.session.camera_check import CameraCheck
from coach.session.commands import Command
from coach.session.engine import Repetition
from coach.session.exercise_run import ExerciseResult
from coach.session.phases import Phase
from coach.session.snapshots import Snapshot
from coach.session.wording import something_went_wrong

if TYPE_CHECKING:  # the view is made by the session, which emits these events
    from coach.session.coaching import SessionView


@dataclass(frozen=True)
class SideValues:
    """One value per side: the patient's anatomical left and right."""

    left: float
    right: float


# ----- the session's course -----------------------------------------------------------------
@dataclass(frozen=True)
class SessionStarted:
    """The first picture arrived: the session is under way."""

    serial: int
    programme: Programme
    patient_id: int | None
    save_results: bool
    source_name: str


@dataclass(frozen=True)
class CameraChecked:
    """The camera check's verdict changed (what the person is asked to fix, or that it is fine)."""

    check: CameraCheck


@dataclass(frozen=True)
class RestingMeasured:
    """The face at rest: measure → {"left": mm, "right": mm}; `accepted`: the person took
    their face as it was, it was not found still."""

    resting: dict[str, dict[str, float]]
    accepted: bool


@dataclass(frozen=True)
class ExerciseStarted:
    index: int  # in programme order, from 0
    exercise: Exercise
    #: the movement (mm, either side) beyond which this face counts as moving, from its resting noise
    onset_mm: float = 0.0
    #: which attempt at an exercise in this session (from 1; an exercise done again is a new one)
    attempt: int = 1


@dataclass(frozen=True)
class ExerciseAdjusted:
    """What is asked of the exercise under way changed (a target, a hold, how often the bars
    show): in force from the repetition starting now."""

    index: int
    attempt: int
    exercise: Exercise


@dataclass(frozen=True)
class FrameMeasured:
    """One measured picture during a repetition: the exercise's measures (mm), the synkinesis
    it watches for (%) and each eye's closure (0 open to 1 closed), per side."""

    at_s: float
    index: int
    phase: Phase
    measures_mm: dict[str, SideValues]
    synkinesis_pct: dict[str, SideValues]
    eye_closure: SideValues


@dataclass(frozen=True)
class RepetitionFinished:
    index: int
    number: int  # from 1 within the attempt, those set aside included
    repetition: Repetition
    attempt: int = 1


@dataclass(frozen=True)
class RepetitionDiscarded:
    """A finished repetition was set aside (kept, never scored): `result` is its exercise's result
    worked out again when that exercise had ended (None while it goes on)."""

    index: int
    attempt: int
    number: int
    reason: str
    result: ExerciseResult | None


@dataclass(frozen=True)
class RepetitionMissed:
    """A move → hold → relax window gave no repetition (exercise_run.AttemptOutcome.reason:
    "unseen", "turned", "no movement", "not held"); it is tried again, or the exercise ends
    as not done."""

    index: int
    reason: str
    tries_in_a_row: int


@dataclass(frozen=True)
class PeakPictureTaken:
    """THE ONE EVENT WITH A PICTURE: the face at the exercise's peak, sent only when the person
    chose to keep pictures, for their records on this computer; never sent anywhere else."""

    index: int
    snapshot: Snapshot


@dataclass(frozen=True)
class ExerciseFinished:
    index: int
    result: ExerciseResult  # its status: completed, skipped, stopped or not_done
    #: (an attempt whose result was showing may go on, for a repetition done again, and end anew)
    attempt: int = 1


@dataclass(frozen=True)
class SessionFinished:
    status: str  # "completed" or "stopped"


@dataclass(frozen=True)
class Prompt:
    """Something to say now; `kind` ("start", "hold", "relax", "done", "good") names its tone."""

    kind: str
    text: str


@dataclass(frozen=True)
class EyeClosure:
    """One picture's eye closure during an eye-closure exercise (what the beeps follow)."""

    left: float
    right: float
    at_s: float


@dataclass(frozen=True)
class SessionUpdated:
    """What the screen shows now (phase, timer, headline, bars): after every picture, every
    command, and a few times a second while no picture comes."""

    view: SessionView


# ----- the controller's answers and news ---------------------------------------------------------
@dataclass(frozen=True)
class Steered:
    """A command was applied, or a note made: what the session's steering log keeps
    (records.models.SteeringRecord; words in steering_words)."""

    #: seconds from the session's first picture
    at_s: float
    origin: str  # commands.Origin's value
    action: str  # the command's `action`
    #: the exercise it concerned, by its place in the programme (None: the session as a whole)
    index: int | None
    detail: dict[str, object]
    text: str | None = None


@dataclass(frozen=True)
class CommandApplied:
    command: Command


@dataclass(frozen=True)
class CommandRefused:
    command: Command
    reason: str  # in the person's language


@dataclass(frozen=True)
class CameraChanged:
    """The camera (or video) was lost, or is back; a session under way has been told."""

    lost: bool
    message: str


@dataclass(frozen=True)
class Problem:
    """Something behind the screen the person should know (a record not saved); the session goes on."""

    message: str


SessionEvent = (
    SessionStarted
    | CameraChecked
    | RestingMeasured
    | ExerciseStarted
    | ExerciseAdjusted
    | FrameMeasured
    | RepetitionFinished
    | RepetitionMissed
    | RepetitionDiscarded
    | PeakPictureTaken
    | ExerciseFinished
    | SessionFinished
    | Prompt
    | EyeClosure
    | SessionUpdated
    | Steered
    | CommandApplied
    | CommandRefused
    | CameraChanged
    | Problem
)
Subscriber = Callable[[SessionEvent], None]


class EventStream:
    """One ordered stream of a live session's events, to every subscriber in the order they
    subscribed (the records first: keeping comes before voicing and showing).

    Subscribers are called on the session's thread and must return at once (a window hands
    the event to its own thread). One that fails is told on the stream as a `Problem` and the
    others still hear the event: a window's bug must never lose a repetition's record.
    """

    def __init__(self) -> None:
        self._subscribers: tuple[Subscriber, ...] = ()
        self._lock = threading.Lock()

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Hear every event from now on; returns what to call to stop hearing them."""
        with self._lock:
            self._subscribers = (*self._subscribers, subscriber)

        def unsubscribe() -> None:
            with self._lock:
                self._subscribers = tuple(s for s in self._subscribers if s is not subscriber)

        return unsubscribe

    def emit(self, event: SessionEvent) -> None:
        for subscriber in self._subscribers:  # a snapshot: subscribing meanwhile is safe
            try:
                subscriber(event)
            except Exception as exc:
                traceback.print_exc()
                if not isinstance(event, Problem):
                    self.emit(Problem(something_went_wrong(exc)))
