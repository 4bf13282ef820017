"""The words of a live session: what the screen says at each step, and what the coach says aloud.

Kept apart from the state machine so the wording can be read (and changed) in one place.
"""

from __future__ import annotations

import math

from coach.plans.exercises import Exercise
from coach.session.camera_check import CameraCheck
from coach.session.feedback import Feedback
from coach.session.phases import Phase

FACE_LOST_MESSAGE = "We can't see your face: look towards the screen."
REPEAT_AFTER_PAUSE = "Let's do that repetition again."
REPEAT_UNSEEN = "We couldn't see your face during that repetition; let's do it again."
CALIBRATION_PROMPT = "Relax your face and look at the screen."
CALIBRATION_HINT = "Relax your face, lips gently closed, and look at the screen."


def camera_lost_reason(reason: str) -> str:
    """Why the session paused when the camera stopped."""
    return f"{reason} Everything done so far is saved; waiting for the camera to come back."


def phase_prompt(phase: Phase, exercise: Exercise | None, rep_number: int) -> tuple[str, str] | None:
    """What is said as `phase` starts, as (prompt kind, text); None when nothing is.

    rep_number: the repetition about to start, from 1.
    """
    if phase is Phase.INSTRUCTION and exercise is not None:
        return "start", f"{exercise.name}. {exercise.instruction}"
    if phase is Phase.MOVE and exercise is not None:
        return "start", f"Repetition {rep_number}. {exercise.name}, now."
    if phase is Phase.HOLD:
        return "hold", "Hold."
    if phase is Phase.RELAX:
        return "relax", "And relax."
    return None


def exercise_done_prompt(exercise: Exercise) -> str:
    return f"{exercise.name}: done. Well done."


def session_end_prompt(status: str) -> str:
    return "Session complete. Well done." if status == "completed" else "Session stopped."


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
    """(headline, detail) for the screen. pause_reason: None unless paused; message: a notice
    that takes the place of the feedback's advice during a repetition."""
    if pause_reason is not None:
        return "Paused", pause_reason
    if phase is Phase.CAMERA_CHECK:
        return "Camera check", check.guidance if check else "Looking for your face…"
    if phase is Phase.CALIBRATING:
        return "Relax your face", calibration_problem or CALIBRATION_HINT
    if phase is Phase.SUMMARY:
        return "Session complete" if finished else "Summary", "Here is how each exercise went."
    assert exercise is not None
    if phase is Phase.INSTRUCTION:
        return exercise.name, exercise.instruction
    if phase is Phase.COUNTDOWN:
        return f"Get ready: {int(remaining_s) + 1}", exercise.instruction
    if phase is Phase.EXERCISE_RESULT:
        return f"{exercise.name}: done", "Rest a moment before the next exercise."
    hold = f"Hold… {math.ceil(remaining_s)}"
    words = {Phase.MOVE: f"{exercise.name} now", Phase.HOLD: hold, Phase.RELAX: "Relax"}
    detail = message or (feedback.message if feedback else exercise.instruction)
    return words[phase], detail
