"""The words of a live session: what the screen says at each step, and what the coach says aloud.

Kept apart from the state machine so the wording can be read (and changed) in one place.
Every text is in the language in use (`coach.base.i18n`), looked up when it is shown or
said; the notices below are kept in English (the session compares them) and translated
where shown, by `screen_words`.
"""

from __future__ import annotations

import math

from coach.base.i18n import N_, tr
from coach.plans.exercises import Exercise
from coach.session.camera_check import CameraCheck
from coach.session.feedback import Feedback
from coach.session.phases import Phase

#: notices shown in place of the feedback's advice (English here, translated where shown)
FACE_LOST_MESSAGE = N_("We can't see your face: look towards the screen.")
REPEAT_AFTER_PAUSE = N_("Let's do that repetition again.")
REPEAT_UNSEEN = N_("We couldn't see your face during that repetition; let's do it again.")
CALIBRATION_HINT = N_("Relax your face, lips gently closed, and look at the screen.")


def paused_reason() -> str:
    """Why the session is paused when the person paused it."""
    return tr("Paused.")


def camera_lost_reason(reason: str) -> str:
    """Why the session paused when the camera stopped; `reason` is already in the person's language."""
    return tr("{reason} Everything done so far is saved; waiting for the camera to come back.", reason=reason)


def calibration_prompt() -> str:
    """What is said as the calibration starts."""
    return tr("Relax your face and look at the screen.")


def phase_prompt(phase: Phase, exercise: Exercise | None, rep_number: int) -> tuple[str, str] | None:
    """What is said as `phase` starts, as (prompt kind, text); None when nothing is.

    rep_number: the repetition about to start, from 1.
    """
    if phase is Phase.INSTRUCTION and exercise is not None:
        return "start", f"{exercise.name}. {exercise.instruction}"  # two sentences, each in the person's language
    if phase is Phase.MOVE and exercise is not None:
        return "start", tr("Repetition {number}. {exercise}, now.", number=rep_number, exercise=exercise.name)
    if phase is Phase.HOLD:
        return "hold", tr("Hold.")
    if phase is Phase.RELAX:
        return "relax", tr("And relax.")
    return None


def exercise_done_prompt(exercise: Exercise) -> str:
    return tr("{exercise}: done. Well done.", exercise=exercise.name)


def session_end_prompt(status: str) -> str:
    """status: "completed" or "stopped" (kept in English)."""
    return tr("Session complete. Well done.") if status == "completed" else tr("Session stopped.")


def screen_words(
    phase: Phase,
    exercise: Exercise | None,
    remaining_s: float,
    *,
    pause_reason: str | None,
    check: CameraCheck | None,
    calibration_problem: str,
    finished: bool,
    message: str,
    feedback: Feedback | None,
) -> tuple[str, str]:
    """(headline, detail) for the screen, in the person's language. pause_reason: None unless
    paused (already in their language); calibration_problem: likewise; message: one of the
    notices above (in English), which takes the place of the feedback's advice during a repetition."""
    if pause_reason is not None:
        return tr("Paused"), pause_reason
    if phase is Phase.CAMERA_CHECK:
        return tr("Camera check"), check.guidance if check else tr("Looking for your face…")
    if phase is Phase.CALIBRATING:
        return tr("Relax your face"), calibration_problem or tr(CALIBRATION_HINT)
    if phase is Phase.SUMMARY:
        return tr("Session complete") if finished else tr("Summary"), tr("Here is how each exercise went.")
    assert exercise is not None
    if phase is Phase.INSTRUCTION:
        return exercise.name, exercise.instruction
    if phase is Phase.COUNTDOWN:
        return tr("Get ready: {seconds}", seconds=int(remaining_s) + 1), exercise.instruction
    if phase is Phase.EXERCISE_RESULT:
        return tr("{exercise}: done", exercise=exercise.name), tr("Rest a moment before the next exercise.")
    detail = tr(message) if message else (feedback.message if feedback else exercise.instruction)
    return _repetition_headline(phase, exercise, remaining_s), detail


def _repetition_headline(phase: Phase, exercise: Exercise, remaining_s: float) -> str:
    """The headline during a repetition: move, hold (with its seconds left), relax."""
    if phase is Phase.MOVE:
        return tr("{exercise} now", exercise=exercise.name)
    if phase is Phase.HOLD:
        return tr("Hold… {seconds}", seconds=math.ceil(remaining_s))
    return tr("Relax")
