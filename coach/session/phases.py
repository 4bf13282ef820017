"""The steps of a live session and how long each lasts.

Camera check → calibration → for each exercise: instruction, countdown, then move → hold
→ relax per repetition, the exercise's result; finally the summary.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from coach.plans.exercises import Exercise


class Phase(enum.Enum):
    CAMERA_CHECK = "camera check"
    CALIBRATING = "calibrating"
    INSTRUCTION = "instruction"
    COUNTDOWN = "countdown"
    MOVE = "move"
    HOLD = "hold"
    RELAX = "relax"
    EXERCISE_RESULT = "exercise result"
    SUMMARY = "summary"


#: the phases of one repetition, measured as one window
REP_PHASES = (Phase.MOVE, Phase.HOLD, Phase.RELAX)
#: what follows a phase once its time is up, where that is always the same
NEXT_PHASE = {
    Phase.INSTRUCTION: Phase.COUNTDOWN,
    Phase.COUNTDOWN: Phase.MOVE,
    Phase.MOVE: Phase.HOLD,
    Phase.HOLD: Phase.RELAX,
}


@dataclass(frozen=True)
class SessionTiming:
    """How long each step lasts (seconds). Tests and demos shorten them."""

    camera_ok_s: float = 1.0
    calibration_s: float = 3.0
    instruction_s: float = 6.0
    countdown_s: float = 3.0
    move_s: float = 2.0
    result_s: float = 5.0
    #: a face missing this long during a repetition is announced
    face_lost_s: float = 1.0
    #: after this long relaxing without a still face, "use this face as my resting face" is offered
    #: (a face that cannot stay still, or lips that cannot close, must not hold the person there)
    offer_rest_after_s: float = 10.0

    @classmethod
    def quick(cls) -> SessionTiming:
        """Short pauses between the steps, for demos and tests (holds and relaxes stay the exercise's)."""
        return cls(
            camera_ok_s=0.3, calibration_s=1.0, instruction_s=0.5, countdown_s=0.5, move_s=0.5, result_s=0.5,
            offer_rest_after_s=4.0,
        )  # fmt: skip

    def length_s(self, phase: Phase, exercise: Exercise | None) -> float:
        """How long `phase` lasts; hold and relax last as long as the exercise asks."""
        return {
            Phase.CALIBRATING: self.calibration_s,
            Phase.INSTRUCTION: self.instruction_s,
            Phase.COUNTDOWN: self.countdown_s,
            Phase.MOVE: self.move_s,
            Phase.HOLD: exercise.hold_s if exercise else 0.0,
            Phase.RELAX: exercise.relax_s if exercise else 0.0,
            Phase.EXERCISE_RESULT: self.result_s,
            Phase.CAMERA_CHECK: self.camera_ok_s,
        }.get(phase, 0.0)


class PhaseClock:
    """How long the current phase has run, on the session's time, which stands still while paused."""

    def __init__(self) -> None:
        self._phase_start_s: float | None = None
        self._paused_at_s: float | None = None

    @property
    def paused(self) -> bool:
        return self._paused_at_s is not None

    def start_phase(self, now_s: float) -> None:
        self._phase_start_s = now_s

    def pause(self, now_s: float) -> None:
        self._paused_at_s = now_s

    def resume(self, now_s: float) -> None:
        """Go on where the pause began: the time spent paused does not count."""
        if self._paused_at_s is not None and self._phase_start_s is not None:
            self._phase_start_s += now_s - self._paused_at_s
        self._paused_at_s = None

    def end_pause(self) -> None:
        """Unpause for a new start (the phase under way is left or begun again)."""
        self._paused_at_s = None

    def time_s(self, now_s: float) -> float:
        """The session's time now: the moment of the pause while paused."""
        return self._paused_at_s if self._paused_at_s is not None else now_s

    def elapsed_s(self, now_s: float) -> float:
        return 0.0 if self._phase_start_s is None else self.time_s(now_s) - self._phase_start_s
