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

from coach.plans.programmes import Programme


class Origin(enum.Enum):
    """Who asked."""

    #: the person exercising: their window, keys and mouse
    PATIENT = "patient"
    #: a therapist supervising the session
    THERAPIST = "therapist"
    #: the app itself (closing the window ends the session under way)
    APP = "app"


@dataclass(frozen=True, kw_only=True)
class Command:
    origin: Origin
    #: time.monotonic() when it was asked (the session's clock), kept with what it did
    issued_at_s: float = field(default_factory=time.monotonic)


@dataclass(frozen=True, kw_only=True)
class Start(Command):
    """Begin a programme (refused while another session is under way)."""

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


@dataclass(frozen=True, kw_only=True)
class Resume(Command):
    """Go on after a pause (not while the camera is gone: its return ends that pause)."""


@dataclass(frozen=True, kw_only=True)
class Skip(Command):
    """Go past the current step: relaxing ends with the face as it is, an exercise is left
    (its finished repetitions kept)."""


@dataclass(frozen=True, kw_only=True)
class RepeatExercise(Command):
    """Do the current exercise (or the one whose result is showing) again from its first
    repetition; an attempt under way is kept as skipped, with its repetitions."""


@dataclass(frozen=True, kw_only=True)
class Stop(Command):
    """End the session now; everything finished so far is kept."""


@dataclass(frozen=True, kw_only=True)
class AcceptRest(Command):
    """Take the face as it has been these last seconds as the resting face, though it did
    not stay still (kept with that flag)."""
