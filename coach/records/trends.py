"""A patient's progress over sessions: the one trend computation behind the PDF report and the app's charts.

Each point belongs to the session it was measured in and is dated by that session's start
(`SessionDetail.started_at`; for a recorded video, when it was filmed), in the patient's
wall-clock time, so the report and the app put every result on the same day. Nothing here
draws: the views turn these series into charts.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from coach.base.errors import CoachError
from coach.measure.measures import STATIC_MEASURES
from coach.plans.exercises import load_exercises
from coach.records.models import ExerciseRecord, SessionDetail
from coach.session import engine

#: an exercise's synkinesis warning limit when neither its target nor its file says otherwise
DEFAULT_SYNKINESIS_LIMIT_PCT = 25.0


def wall_clock(moment: datetime) -> datetime:
    """The patient's local wall-clock time, naive: what a date axis shows (one time zone for every point)."""
    return moment.astimezone().replace(tzinfo=None)


def exercise_means(exercise: ExerciseRecord) -> engine.Summary:
    """The stored summary; for an exercise stopped or interrupted before one was kept,
    the same means worked out from its saved repetitions."""
    if exercise.summary is not None and exercise.summary.reps:
        return exercise.summary
    return engine.summarise([record.repetition for record in exercise.counted_repetitions], engine.NOISE_FLOOR_MM)


def target_band_mm(exercise: ExerciseRecord) -> tuple[float, float] | None:
    """The therapist's target movement range (low, high) in mm, if one was set."""
    band = exercise.target.get("target_mm")
    if isinstance(band, list | tuple) and len(band) == 2:
        return float(band[0]), float(band[1])
    return None


def target_symmetry(exercise: ExerciseRecord) -> float | None:
    """The therapist's target symmetry as a fraction (0–1), if one was set."""
    value = exercise.target.get("target_symmetry")
    return None if value is None else float(value)


@functools.cache
def _shipped_limits_pct() -> dict[str, float]:
    """Each shipped exercise's `synkinesis_limit_pct` (read once; none if the files cannot be read)."""
    try:
        return {key: exercise.synkinesis_limit_pct for key, exercise in load_exercises().items()}
    except (CoachError, OSError):
        return {}


def synkinesis_limit_pct(exercise: ExerciseRecord) -> float:
    """The warning limit (%) for this exercise: its session target, else its exercise file, else 25 %."""
    value = exercise.target.get("synkinesis_limit_pct")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return _shipped_limits_pct().get(exercise.exercise_id, DEFAULT_SYNKINESIS_LIMIT_PCT)


def synkinesis_means_pct(exercise: ExerciseRecord) -> dict[str, tuple[float, float]]:
    """Per watched measure, the mean (left %, right %) over the exercise's repetitions
    (NaN for a side never measured); measures without any value are left out."""
    values: dict[str, tuple[list[float], list[float]]] = {}
    for record in exercise.counted_repetitions:
        for name, sides in (record.repetition.synkinesis or {}).items():
            left, right = values.setdefault(name, ([], []))
            for side, into in (("left", left), ("right", right)):
                value = sides.get(side) if isinstance(sides, Mapping) else None
                if isinstance(value, int | float) and math.isfinite(value):
                    into.append(float(value))
    return {
        name: (float(np.mean(left)) if left else math.nan, float(np.mean(right)) if right else math.nan)
        for name, (left, right) in values.items()
        if left or right
    }


def _nan(value: float | None) -> float:
    return math.nan if value is None else float(value)


@dataclass
class ExerciseTrend:
    """One point per session in which the exercise was done with repetitions, oldest first.

    Missing values are NaN, so every series lines up with `when`.
    """

    exercise_id: str
    #: the name it was last done under
    name: str
    #: the primary measure it was last measured by (`left_mm`, `right_mm` and the targets are in it)
    measure: str = ""
    #: the session's start, local wall-clock time (naive)
    when: list[datetime] = field(default_factory=list)
    left_mm: list[float] = field(default_factory=list)
    right_mm: list[float] = field(default_factory=list)
    symmetry_pct: list[float] = field(default_factory=list)
    target_low_mm: list[float] = field(default_factory=list)
    target_high_mm: list[float] = field(default_factory=list)
    target_symmetry_pct: list[float] = field(default_factory=list)
    #: per point, the mean (left %, right %) synkinesis of each watched measure
    synkinesis_pct: list[dict[str, tuple[float, float]]] = field(default_factory=list)
    synkinesis_limit_pct: list[float] = field(default_factory=list)

    def add(self, session: SessionDetail, exercise: ExerciseRecord, means: engine.Summary) -> None:
        """One more point: this exercise as done in this session."""
        band = target_band_mm(exercise)
        self.name = exercise.exercise_name
        self.measure = exercise.primary_measure or self.measure
        self.when.append(wall_clock(session.started_at))
        self.left_mm.append(_nan(means.left_mm))
        self.right_mm.append(_nan(means.right_mm))
        self.symmetry_pct.append(100.0 * _nan(means.symmetry))
        self.target_low_mm.append(math.nan if band is None else band[0])
        self.target_high_mm.append(math.nan if band is None else band[1])
        self.target_symmetry_pct.append(100.0 * _nan(target_symmetry(exercise)))
        self.synkinesis_pct.append(synkinesis_means_pct(exercise))
        self.synkinesis_limit_pct.append(synkinesis_limit_pct(exercise))

    def synkinesis_series(self) -> dict[str, tuple[list[float], list[float]]]:
        """Per watched measure (in order of first appearance), left and right % aligned with `when`."""
        names = list(dict.fromkeys(name for point in self.synkinesis_pct for name in point))
        nan = (math.nan, math.nan)
        return {
            name: (
                [point.get(name, nan)[0] for point in self.synkinesis_pct],
                [point.get(name, nan)[1] for point in self.synkinesis_pct],
            )
            for name in names
        }


@dataclass
class RestingTrend:
    """|left − right| of each resting measure (mm), one point per session that measured any of them.

    Measures are in `STATIC_MEASURES` order; one never measured on both sides is left out.
    """

    when: list[datetime] = field(default_factory=list)
    difference_mm: dict[str, list[float]] = field(default_factory=dict)


def oldest_first(sessions: Iterable[SessionDetail]) -> list[SessionDetail]:
    """Sessions in the order they started (the same order whatever order they came in)."""
    return sorted(sessions, key=lambda session: (session.started_at, session.id))


def exercise_trends(sessions: Iterable[SessionDetail]) -> dict[str, ExerciseTrend]:
    """Per exercise id, in order of first appearance; `sessions` (one patient's) in any order.
    Exercises without repetitions, and resting-face exercises, add no point."""
    trends: dict[str, ExerciseTrend] = {}
    for session in oldest_first(sessions):
        for exercise in session.exercises:
            means = exercise_means(exercise)
            if not means.reps or exercise.primary_measure is None:
                continue
            trend = trends.setdefault(exercise.exercise_id, ExerciseTrend(exercise.exercise_id, exercise.exercise_name))
            trend.add(session, exercise, means)
    return trends


def _side_difference_mm(sides: object) -> float:
    if not isinstance(sides, Mapping):
        return math.nan
    left, right = sides.get("left"), sides.get("right")
    return math.nan if left is None or right is None else abs(float(left) - float(right))


def resting_trend(sessions: Iterable[SessionDetail]) -> RestingTrend:
    """How uneven the resting face was in each session; `sessions` in any order."""
    trend = RestingTrend()
    for session in oldest_first(sessions):
        resting = session.resting or {}
        if not any(isinstance(resting.get(name), Mapping) for name in STATIC_MEASURES):
            continue
        trend.when.append(wall_clock(session.started_at))
        for name in STATIC_MEASURES:
            trend.difference_mm.setdefault(name, []).append(_side_difference_mm(resting.get(name)))
    trend.difference_mm = {
        name: values for name, values in trend.difference_mm.items() if any(math.isfinite(v) for v in values)
    }
    return trend
