"""Live feedback on one frame: the exercise's movement per side, measured and judged.

Feedback rewards small, controlled, even movement inside the exercise's target range,
not maximum effort (design notes), and names sides as the patient's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from coach.measure.geometry import FaceFrame
from coach.measure.measures import DURING_HOLD, per_frame_measures
from coach.measure.sides import symmetry, weaker_side
from coach.plans.exercises import Exercise
from coach.session import engine

SIDES = ("left", "right")

_SYNKINESIS_WORDS = {
    "eye_narrowing_pct": "eye is closing: keep it open",
    "mouth_corner_pull_pct": "mouth corner is pulling: keep your mouth still",
    "brow_movement_pct": "eyebrow is moving: keep it still",
}


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
    sym = symmetry(left, right) if stronger >= exercise.min_movement_mm else None
    alerts = tuple(
        SynkinesisAlert(name, side, float(values[i]), f"Your {side} {_SYNKINESIS_WORDS.get(name, name)}.")
        for name, values in watch.items()
        for i, side in enumerate(SIDES)
        if values[i] > exercise.synkinesis_limit_pct
    )
    low, high = exercise.target_mm
    if sym is None:
        status, message = "idle", "Move gently, both sides together."
    elif stronger > high:
        status, message = "too_much", "Gently: a smaller movement is enough."
    elif sym >= exercise.target_symmetry or weaker_side(left, right, noise_mm) is None:
        status, message = (
            "good",
            "Even movement: well done." if stronger >= low else "Even: a little more if it is easy.",
        )
    else:
        weaker = weaker_side(left, right, noise_mm)
        status, message = "caution", f"Let your {weaker} side join in; the other side can do less."
    return Feedback(left, right, sym, status, message, exercise.target_mm, alerts)


@dataclass(frozen=True)
class FrameMeasures:
    """One frame of the exercise under way, per side (left, right) in face-frame units."""

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

    def __init__(self, exercise: Exercise, face_frame: FaceFrame, calibration_mm: np.ndarray) -> None:
        """calibration_mm: the calibration frames, normalised; they give the resting jitter."""
        self.exercise = exercise
        self.face_frame = face_frame
        measure = exercise.primary[0]
        series = per_frame_measures(calibration_mm, face_frame.reference_mm, [measure])[measure]
        #: sides closer than the resting jitter of this exercise's measure count as even
        self.noise_mm = engine.side_noise_mm(series)

    def measure(self, points_px: np.ndarray) -> FrameMeasures:
        """The exercise's measures on one frame's chosen face (pixels)."""
        exercise = self.exercise
        points_mm = self.face_frame.normalise(points_px[None])
        held = DURING_HOLD.get(exercise.primary[0], ())
        names = list(dict.fromkeys([*exercise.primary, *exercise.synkinesis_watch, *held, "eye_closure_fraction"]))
        values = {k: v[0] for k, v in per_frame_measures(points_mm, self.face_frame.reference_mm, names).items()}
        return FrameMeasures(
            primary={name: values[name] for name in exercise.primary},
            watch={name: values[name] for name in exercise.synkinesis_watch},
            eye_closure=values["eye_closure_fraction"],
            during_hold={name: values[name] for name in held},
        )

    def judge(self, measures: FrameMeasures) -> Feedback:
        """What to show for this frame (see feedback_for)."""
        return feedback_for(self.exercise, measures.primary[self.exercise.primary[0]], measures.watch, self.noise_mm)
