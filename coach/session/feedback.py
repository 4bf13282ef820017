"""Live feedback on one frame: the exercise's movement per side, measured and judged.

Feedback rewards small, controlled, even movement inside the exercise's target range,
not maximum effort (design notes), except in the grading examination, whose exercises ask for
the most the face can do (FULL_EFFORT); it names sides as the patient's own. Its messages are
in the person's language (`coach.base.i18n`); the status, measure and side stay English.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from coach.base.i18n import N_, tr
from coach.measure.eye_visibility import eyes_hidden, glare_fraction
from coach.measure.geometry import MAX_MEASURED_TURN_DEG, RestingFace
from coach.measure.measures import DURING_HOLD, per_frame_measures
from coach.measure.sides import symmetry, weaker_side
from coach.plans.exercises import Exercise
from coach.session import engine

SIDES = ("left", "right")

#: what to tell the patient when a watched region moves: (measure, their side) -> words
_SYNKINESIS_WORDS = {
    ("eye_narrowing_pct", "left"): N_("Your left eye is closing: keep it open."),
    ("eye_narrowing_pct", "right"): N_("Your right eye is closing: keep it open."),
    ("mouth_corner_pull_pct", "left"): N_("Your left mouth corner is pulling: keep your mouth still."),
    ("mouth_corner_pull_pct", "right"): N_("Your right mouth corner is pulling: keep your mouth still."),
    ("brow_movement_pct", "left"): N_("Your left eyebrow is moving: keep it still."),
    ("brow_movement_pct", "right"): N_("Your right eyebrow is moving: keep it still."),
}
#: the same for a watched measure without words of its own: the measure's name is shown
_UNNAMED_SYNKINESIS = {
    "left": N_("Your left side is moving too ({measure}): keep it still."),
    "right": N_("Your right side is moving too ({measure}): keep it still."),
}
#: which side to ask to join in when the movement is uneven (the patient's own side)
_JOIN_IN = {
    "left": N_("Let your left side join in; the other side can do less."),
    "right": N_("Let your right side join in; the other side can do less."),
}


#: an exercise asking for this much effort (of 10) or more wants the most the face can do (the
#: grading examination, effort 10): the coach asks for more, never for "gently" as in retraining
FULL_EFFORT = 8


def synkinesis_message(measure: str, side: str) -> str:
    """What to tell the patient when `measure` moves too much on their `side`, in their language."""
    words = _SYNKINESIS_WORDS.get((measure, side))
    return tr(words) if words else tr(_UNNAMED_SYNKINESIS[side], measure=measure)


@dataclass(frozen=True)
class SynkinesisAlert:
    measure: str
    side: str
    percent: float
    message: str


@dataclass(frozen=True)
class Feedback:
    """What the bars and the symmetry readout show for the current frame."""

    left_mm: float
    right_mm: float
    symmetry: float | None
    status: str  # "idle" | "caution" | "good" | "too_much"
    message: str
    target_mm: tuple[float, float]
    alerts: tuple[SynkinesisAlert, ...] = ()


def feedback_for(exercise: Exercise, primary: np.ndarray, watch: dict[str, np.ndarray], noise_mm: float) -> Feedback:
    """Judge one frame: per-side movement against the target, evenness, synkinesis."""
    left, right = (float(v) for v in primary)
    stronger = max(left, right)
    weaker = weaker_side(left, right, noise_mm)
    # a symmetry only for a movement beyond the resting noise, and never a low one for sides
    # the noise cannot tell apart ("16 % · even"): then there is nothing to compare yet
    moving = stronger >= engine.onset_mm(exercise.min_movement_mm, noise_mm)
    sym = symmetry(left, right) if moving else None
    too_close_to_tell = sym is not None and weaker is None and sym < exercise.target_symmetry
    if too_close_to_tell:
        sym = None
    alerts = tuple(
        SynkinesisAlert(name, side, float(values[i]), synkinesis_message(name, side))
        for name, values in watch.items()
        for i, side in enumerate(SIDES)
        if values[i] > exercise.synkinesis_limit_pct
    )
    low, high = exercise.target_mm
    full_effort = exercise.effort >= FULL_EFFORT
    if too_close_to_tell:
        status, message = "idle", tr("The coach cannot tell your sides apart yet: a little more if it is easy.")
    elif sym is None:
        message = (
            tr("As far as you can, both sides together.") if full_effort else tr("Move gently, both sides together.")
        )
        status = "idle"
    elif stronger > high:
        status, message = "too_much", tr("Gently: a smaller movement is enough.")
    elif sym >= exercise.target_symmetry or weaker is None:
        status, message = (
            "good",
            tr("Even movement: well done.")
            if stronger >= low
            else (tr("Even: further if you can.") if full_effort else tr("Even: a little more if it is easy.")),
        )
    else:
        status, message = "caution", tr(_JOIN_IN[weaker])
    return Feedback(left, right, sym, status, message, exercise.target_mm, alerts)


#: why a frame was not measured (ExerciseMeter.measure)
Unmeasured = Literal["turned", "eyes hidden"]


@dataclass(frozen=True)
class FrameMeasures:
    """One frame of the exercise under way, per side (left, right), in the resting face's axes."""

    #: the exercise's primary measures (mm); the first one drives the repetition
    primary: dict[str, np.ndarray]
    #: the synkinesis it watches for (%)
    watch: dict[str, np.ndarray]
    #: how far each eye is closed, 0 open to 1 closed
    eye_closure: np.ndarray
    #: what is read while the movement is held (measures.DURING_HOLD)
    during_hold: dict[str, np.ndarray] = field(default_factory=dict)


class ExerciseMeter:
    """Measures one exercise on one person's face, against that face at rest."""

    def __init__(self, exercise: Exercise, resting_face: RestingFace, calibration_mm: np.ndarray) -> None:
        """calibration_mm: the calibration frames, normalised; they give the resting jitter."""
        self.exercise = exercise
        self.resting_face = resting_face
        measure = exercise.primary[0]
        series = per_frame_measures(calibration_mm, resting_face.reference_mm, [measure])[measure]
        #: sides closer than the resting jitter of this exercise's measure count as even
        self.noise_mm = engine.side_noise_mm(series)

    def measure(self, points_px: np.ndarray, image_rgb: np.ndarray | None = None) -> FrameMeasures | Unmeasured:
        """The exercise's measures on one frame's chosen face (pixels), or why it cannot be
        measured: "turned" when the head is turned too far from its resting pose
        (geometry.MAX_MEASURED_TURN_DEG: a turned head reads the far side weaker on any face);
        "eyes hidden" when light whites out an eye of an exercise read at the lids
        (`eye_visibility`: the lid would be placed by guesswork)."""
        exercise = self.exercise
        points_mm, _, turn_deg = self.resting_face.normalise_with_pose(points_px[None])
        if turn_deg[0] > MAX_MEASURED_TURN_DEG:
            return "turned"
        if exercise.measures_lids and image_rgb is not None and eyes_hidden(glare_fraction(image_rgb, points_px)):
            return "eyes hidden"
        held = DURING_HOLD.get(exercise.primary[0], ())
        names = list(dict.fromkeys([*exercise.primary, *exercise.synkinesis_watch, *held, "eye_closure_fraction"]))
        values = {k: v[0] for k, v in per_frame_measures(points_mm, self.resting_face.reference_mm, names).items()}
        return FrameMeasures(
            primary={name: values[name] for name in exercise.primary},
            watch={name: values[name] for name in exercise.synkinesis_watch},
            eye_closure=values["eye_closure_fraction"],
            during_hold={name: values[name] for name in held},
        )

    def judge(self, measures: FrameMeasures) -> Feedback:
        """What to show for this frame (see feedback_for)."""
        return feedback_for(self.exercise, measures.primary[self.exercise.primary[0]], measures.watch, self.noise_mm)
