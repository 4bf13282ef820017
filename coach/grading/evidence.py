"""What an examination measured, per movement: the one input the grading suggestions read.

An examination comes from a recorded video, a folder of the standard photographs, or (later)
a live session; each gives, per movement, each side's peak and co-movement, and the resting
face's static measures. Keeping that apart from where it came from lets one set of rules
(`suggestions.py`) serve every source.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from coach.measure import measures
from coach.plans.exercises import Exercise
from coach.session import engine
from coach.session.analysis import Analysis
from coach.session.engine import Repetition
from coach.session.examination import RecordedExamination


@dataclass(frozen=True)
class MovementEvidence:
    """One movement of the examination (an exercise id), as measured."""

    exercise: str
    #: each side's peak of the exercise's primary measure (mm), mean over the repetitions
    left_mm: float
    right_mm: float
    repetitions: int
    #: how far apart the sides read at rest (mm): below this they cannot be told apart
    noise_mm: float
    #: (left, right) peak of each repetition, mm
    per_repetition: tuple[tuple[float, float], ...] = ()
    #: watched region → side → unwanted movement, % of the region's size at rest (mean over repetitions)
    synkinesis_pct: dict[str, dict[str, float]] = field(default_factory=dict)
    #: eye closures: the lid gap still open at the peak, per side (mm)
    residual_gap_mm: dict[str, float] | None = None


@dataclass(frozen=True)
class ExaminationEvidence:
    """The resting face and every movement examined (a movement not examined is absent)."""

    #: static measure → {"left", "right", "difference"} of the resting face (`measures.static_measures`)
    rest: dict[str, dict[str, float]] | None
    movements: dict[str, MovementEvidence]
    #: the patient's affected side as recorded ("left"/"right"); None when not known
    affected_side: str | None = None
    #: where it came from (a file's name), for the printout
    source: str = ""
    warnings: tuple[str, ...] = ()


def _mean_sides(tables: list[dict[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
    names = {name for table in tables for name in table}
    return {
        name: {
            side: sum(table[name][side] for table in tables if name in table)
            / max(1, sum(1 for table in tables if name in table))
            for side in ("left", "right")
        }
        for name in sorted(names)
    }


def movement_from_repetitions(exercise_id: str, reps: list[Repetition], noise_mm: float) -> MovementEvidence | None:
    """A movement's evidence from its repetitions (recorded or live); None when there were none.
    Each side's peak is the mean over the repetitions, as the session's summary has it."""
    if not reps:
        return None
    gaps = [rep.measures["residual_gap_mm"] for rep in reps if "residual_gap_mm" in rep.measures]
    return MovementEvidence(
        exercise=exercise_id,
        left_mm=float(np.mean([rep.left_mm for rep in reps])),
        right_mm=float(np.mean([rep.right_mm for rep in reps])),
        repetitions=len(reps),
        noise_mm=noise_mm,
        per_repetition=tuple((rep.left_mm, rep.right_mm) for rep in reps),
        synkinesis_pct=_mean_sides([rep.synkinesis for rep in reps]),
        residual_gap_mm=_mean_sides([{"gap": gap} for gap in gaps])["gap"] if gaps else None,
    )


def movement_from_analysis(analysis: Analysis) -> MovementEvidence | None:
    """A recorded movement's evidence from its analysis; None when no repetition was found."""
    return movement_from_repetitions(analysis.exercise.id, analysis.reps, analysis.noise_mm)


def evidence_from_recording(exam: RecordedExamination, affected_side: str | None, source: str) -> ExaminationEvidence:
    """An examination video's evidence: the resting face's static measures and each movement found."""
    movements = {
        exercise_id: found
        for exercise_id, analysis in exam.movements.items()
        if (found := movement_from_analysis(analysis)) is not None
    }
    rest = exam.rest.static if exam.rest is not None else None
    return ExaminationEvidence(rest, movements, affected_side, source, exam.warnings)


def movement_from_photo(exercise: Exercise, points_mm: np.ndarray, neutral_mm: np.ndarray) -> MovementEvidence:
    """A movement from one photograph of it, against the photograph at rest (one "repetition")."""
    primary = measures.per_frame_measures(points_mm[None], neutral_mm, [exercise.primary[0]])[exercise.primary[0]][0]
    watched = measures.per_frame_measures(points_mm[None], neutral_mm, list(exercise.synkinesis_watch))
    gap = None
    if exercise.primary[0] == "eye_closure_mm":
        residual = measures.per_frame_measures(points_mm[None], neutral_mm, ["residual_gap_mm"])["residual_gap_mm"][0]
        gap = {"left": float(residual[0]), "right": float(residual[1])}
    left, right = float(primary[0]), float(primary[1])
    return MovementEvidence(
        exercise=exercise.id,
        left_mm=left,
        right_mm=right,
        repetitions=1,
        noise_mm=engine.NOISE_FLOOR_MM,
        per_repetition=((left, right),),
        synkinesis_pct={
            name: {"left": max(0.0, float(v[0, 0])), "right": max(0.0, float(v[0, 1]))} for name, v in watched.items()
        },
        residual_gap_mm=gap,
    )
