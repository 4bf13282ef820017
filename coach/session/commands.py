"""What may be asked of a live session: typed commands, each with who asked and when.

Every front-end asks through these (the patient's window and keys today; a therapist's view
beside the patient or far away next), never by calling into the session: a command is data,
so it can be queued to the thread that runs the session, logged, checked and sent. The
controller (`session/controller.py`) applies each one between two frames and answers with
`CommandApplied` or `CommandRefused` (with the reason, in the person's language).
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass, field
from typing import ClassVar, Literal

from coach.plans.programmes import Programme


class Origin(enum.Enum):
    """Who asked."""

    #: the person exercising: their window, keys and mouse
    PATIENT = "patient"
    #: a therapist supervising the session beside the patient
    THERAPIST = "therapist"
    #: a therapist following from another place, through the paired link (coach.remote)
    THERAPIST_REMOTE = "therapist_remote"
    #: the app itself (closing the window ends the session under way)
    APP = "app"


#: how often the live bars show during an exercise (motor learning: feedback on every repetition
#: breeds dependence on it): "full" on every repetition; "faded" on some, with a result after
#: each; "summary" none, a result at the exercise's end (coach.session.steering.bars_shown)
FeedbackSchedule = Literal["full", "faded", "summary"]
FEEDBACK_SCHEDULES: tuple[FeedbackSchedule, ...] = ("full", "faded", "summary")


@dataclass(frozen=True, kw_only=True)
class Command:
    origin: Origin
    #: time.monotonic() when it was asked (the session's clock), kept with what it did
    issued_at_s: float = field(default_factory=time.monotonic)
    #: what the records call it once applied (the session's steering log)
    action: ClassVar[str] = ""


@dataclass(frozen=True, kw_only=True)
class Start(Command):
    """Begin a programme (refused while another session is under way)."""

    action: ClassVar[str] = "start"

    programme: Programme
    #: whose session it is (None: nobody named)
    patient_id: int | None = None
    #: keep the results in the records (False: a practice run, nothing kept)
    save_results: bool = True
    #: keep a picture of each exercise at its peak (the person's choice)
    keep_pictures: bool = False
    #: where the pictures come from, as the records name it ("camera 0", a file name)
    source_name: str = ""
    #: how someone with closed eyes will know when to open them, by the sound this computer can
    #: make: "tones" (beeps and prompts), "voice" (spoken prompts, no beeps), "none" (no sound)
    eyes_closed_cue: str = "tones"


@dataclass(frozen=True, kw_only=True)
class Pause(Command):
    """Hold the session where it is; the repetition under way is done again on resuming."""

    action: ClassVar[str] = "pause"


@dataclass(frozen=True, kw_only=True)
class Resume(Command):
    """Go on after a pause (not while the camera is gone: its return ends that pause)."""

    action: ClassVar[str] = "resume"


@dataclass(frozen=True, kw_only=True)
class Skip(Command):
    """Go past the current step: relaxing ends with the face as it is, an exercise is left
    (its finished repetitions kept)."""

    action: ClassVar[str] = "skip"


@dataclass(frozen=True, kw_only=True)
class RepeatExercise(Command):
    """Do the current exercise (or the one whose result is showing) again from its first
    repetition; an attempt under way is kept as skipped, with its repetitions."""

    action: ClassVar[str] = "repeat_exercise"


@dataclass(frozen=True, kw_only=True)
class Stop(Command):
    """End the session now; everything finished so far is kept."""

    action: ClassVar[str] = "stop"


@dataclass(frozen=True, kw_only=True)
class AcceptRest(Command):
    """Take the face as it has been these last seconds as the resting face, though it did
    not stay still (kept with that flag)."""

    action: ClassVar[str] = "accept_rest"


# ----- steering by a therapist (any origin may send them; the window for them is the therapist's) -----
@dataclass(frozen=True, kw_only=True)
class SetTargetBand(Command):
    """The movement range (mm, each side) the coach rewards in the current exercise, from its
    next repetition on (and whenever it is done again in this session)."""

    low_mm: float
    high_mm: float
    action: ClassVar[str] = "set_target"


@dataclass(frozen=True, kw_only=True)
class TargetFromLastRepetition(Command):
    """Centre the target on the last repetition that counts (coach.session.steering.target_around)."""

    action: ClassVar[str] = "target_from_last_repetition"


@dataclass(frozen=True, kw_only=True)
class SetHoldTime(Command):
    """How long to hold the movement in the current exercise, from its next repetition on."""

    hold_s: float
    action: ClassVar[str] = "set_hold"


@dataclass(frozen=True, kw_only=True)
class SetFeedbackSchedule(Command):
    """How often the live bars show in the current exercise (FeedbackSchedule), from its next
    repetition on."""

    schedule: FeedbackSchedule
    action: ClassVar[str] = "set_feedback"


@dataclass(frozen=True, kw_only=True)
class DiscardRepetition(Command):
    """Set a finished repetition aside, with why: kept and shown, never scored. While its
    exercise is under way one more is asked for in its place."""

    #: which attempt at an exercise in this session (ExerciseStarted.attempt); 0: the current one
    attempt: int = 0
    #: its number within that attempt (RepetitionFinished.number); 0: the last finished
    number: int = 0
    reason: str
    action: ClassVar[str] = "discard_repetition"


@dataclass(frozen=True, kw_only=True)
class RedoRepetition(Command):
    """Set the last finished repetition of the current exercise aside ("done again") and do it
    again now; its result showing, the exercise goes on for that one."""

    action: ClassVar[str] = "redo_repetition"


@dataclass(frozen=True, kw_only=True)
class PreviousExercise(Command):
    """Go back to the exercise before the current one (an attempt under way is kept as skipped)."""

    action: ClassVar[str] = "previous_exercise"


@dataclass(frozen=True, kw_only=True)
class AddNote(Command):
    """A therapist's note, kept with its time in the session (and the exercise under way)."""

    text: str
    action: ClassVar[str] = "note"
