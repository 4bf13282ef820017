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
from coach.session.engine import Repetition
from coach.session.feedback import Feedback
from coach.session.phases import Phase

#: notices shown in place of the feedback's advice (English here, translated where shown)
FACE_LOST_MESSAGE = N_("We can't see your face: look towards the screen.")
REPEAT_AFTER_PAUSE = N_("Let's do that repetition again.")
REPEAT_UNSEEN = N_("We couldn't see your face during that repetition; let's do it again.")
NO_MOVEMENT = N_("No movement seen: try again.")
TURN_TOWARDS_SCREEN = N_("Turn your head towards the screen: a turned face is not measured.")
NOT_HELD = N_("Too short to count: hold the movement until you hear relax.")
EYES_HIDDEN = N_("I can't see your eyes well: light is reflecting on them. Turn a lamp away or tilt your glasses.")
#: why a move → hold → relax window gave no repetition (exercise_run.AttemptOutcome.reason) -> notice
RETRY_MESSAGES = {
    "unseen": REPEAT_UNSEEN,
    "turned": TURN_TOWARDS_SCREEN,
    "eyes hidden": EYES_HIDDEN,
    "no movement": NO_MOVEMENT,
    "not held": NOT_HELD,
}
#: why a command cannot apply now (session/commands.py; English here, translated where refused)
SESSION_OVER = N_("The session is over.")
ALREADY_PAUSED = N_("The session is already paused.")
NOT_PAUSED = N_("The session is not paused.")
WAITING_FOR_CAMERA = N_("Waiting for the camera: the session goes on when the picture is back.")
NO_SKIPPING_THE_CAMERA_CHECK = N_("The camera check cannot be skipped: there is no face to measure yet.")
NO_EXERCISE_YET = N_("No exercise has started yet.")
ONLY_WHILE_RELAXING = N_("That is only possible while the coach finds your resting face.")
NO_FACE_YET = N_("No face has been seen yet: look at the screen.")
SESSION_UNDER_WAY = N_("A session is under way: stop it first.")
NO_REPETITION_YET = N_("No repetition has finished yet in this exercise.")
NO_SUCH_REPETITION = N_("There is no such repetition in this session.")
#: shown when a therapist has a repetition done again
REDO_MESSAGE = REPEAT_AFTER_PAUSE
NO_SESSION = N_("No session is under way.")
#: how a person with closed eyes knows when to open them, by the sound this computer can make
#: (commands.Start.eyes_closed_cue); added to an eye-closure exercise's instruction
EYES_CLOSED_CUES = {
    "tones": N_("Listen for the tones: they tell you when to open your eyes."),
    "voice": N_("Listen for the coach's voice: it tells you when to open your eyes."),
    "none": N_("No sound can play here: keep your eyes closed for {seconds} seconds, then open them."),
}
CALIBRATION_HINT = N_("Relax your face, lips gently closed, and look at the screen.")


def something_went_wrong(error: Exception) -> str:
    """Said when a bug stopped part of the coach; the session goes on."""
    return tr(
        "Something went wrong inside the coach ({error}). What was saved is safe; "
        "please stop the session, restart FaceCoach and report this.",
        error=f"{type(error).__name__}: {error}",
    )


def paused_reason() -> str:
    """Why the session is paused when the person paused it."""
    return tr("Paused.")


def camera_lost_reason(reason: str) -> str:
    """Why the session paused when the camera stopped; `reason` is already in the person's language."""
    return tr("{reason} Everything done so far is saved; waiting for the camera to come back.", reason=reason)


def calibration_prompt() -> str:
    """What is said as the calibration starts."""
    return tr("Relax your face and look at the screen.")


def instruction_for(exercise: Exercise, eyes_closed_cue: str) -> str:
    """The exercise's instruction; for one done with the eyes closed, with how the person will
    know when to open them (what the sound here can do: "tones", "voice" or "none")."""
    if exercise.primary[:1] != ("eye_closure_mm",):
        return exercise.instruction
    cue = tr(EYES_CLOSED_CUES[eyes_closed_cue], seconds=f"{exercise.hold_s:g}")
    return f"{exercise.instruction} {cue}"


def phase_prompt(
    phase: Phase, exercise: Exercise | None, rep_number: int, eyes_closed_cue: str = "tones"
) -> tuple[str, str] | None:
    """What is said as `phase` starts, as (prompt kind, text); None when nothing is.

    rep_number: the repetition about to start, from 1.
    """
    if phase is Phase.INSTRUCTION and exercise is not None:
        # sentences each in the person's language
        return "start", f"{exercise.name}. {instruction_for(exercise, eyes_closed_cue)}"
    if phase is Phase.MOVE and exercise is not None:
        return "start", tr("Repetition {number}. {exercise}, now.", number=rep_number, exercise=exercise.name)
    if phase is Phase.HOLD:
        return "hold", tr("Hold.")
    if phase is Phase.RELAX:
        return "relax", tr("And relax.")
    return None


def exercise_done_prompt(exercise: Exercise) -> str:
    return tr("{exercise}: done. Well done.", exercise=exercise.name)


def not_done_prompt(exercise: Exercise) -> str:
    """Said when an exercise ends because no movement was seen in several tries."""
    return tr("{exercise}: no movement seen, so we move on. That is fine: try it again next time.",
              exercise=exercise.name)  # fmt: skip


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
    end_status: str = "",
    eyes_closed_cue: str = "tones",
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
        if not finished:
            return tr("Summary"), tr("Here is how each exercise went.")
        if end_status == "stopped":  # what the records say, word for word
            return tr("Session stopped"), tr("What you did before stopping is kept. Here is how each exercise went.")
        return tr("Session complete"), tr("Here is how each exercise went.")
    assert exercise is not None
    if phase is Phase.INSTRUCTION:
        return exercise.name, instruction_for(exercise, eyes_closed_cue)
    if phase is Phase.COUNTDOWN:
        return tr("Get ready: {seconds}", seconds=int(remaining_s) + 1), instruction_for(exercise, eyes_closed_cue)
    if phase is Phase.EXERCISE_RESULT:
        return tr("{exercise}: done", exercise=exercise.name), tr("Rest a moment before the next exercise.")
    detail = tr(message) if message else (feedback.message if feedback else exercise.instruction)
    return _repetition_headline(phase, exercise, remaining_s, feedback), detail


def _repetition_headline(phase: Phase, exercise: Exercise, remaining_s: float, feedback: Feedback | None) -> str:
    """The headline during a repetition: move, hold (with its seconds left), relax. "Hold"
    only while there is a movement to hold: the bars at zero are not told to hold."""
    if phase is Phase.MOVE:
        return tr("{exercise} now", exercise=exercise.name)
    if phase is Phase.HOLD:
        if feedback is None or feedback.symmetry is None:
            return tr("No movement seen yet… {seconds}", seconds=math.ceil(remaining_s))
        return tr("Hold… {seconds}", seconds=math.ceil(remaining_s))
    return tr("Relax")


def repetition_result(number: int, rep: Repetition) -> str:
    """A repetition's result in words, for feedback given after it rather than during it."""
    evenness = "" if rep.symmetry is None else tr(" · {percent}% even", percent=f"{rep.symmetry * 100:.0f}")
    return tr("Repetition {number}: your left {left} mm · your right {right} mm", number=number,
              left=f"{rep.left_mm:.1f}", right=f"{rep.right_mm:.1f}") + evenness  # fmt: skip
