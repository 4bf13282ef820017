"""One exercise under way in a live session: its repetitions so far, the frames of the one
in progress, and the picture at its peak when the person chose to keep one."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coach.plans.exercises import Exercise
from coach.session import engine
from coach.session.feedback import ExerciseMeter, FrameMeasures
from coach.session.repetition_buffer import RepetitionBuffer
from coach.session.snapshots import PeakKeeper, Snapshot


@dataclass(frozen=True)
class ExerciseResult:
    exercise: Exercise
    reps: tuple[engine.Repetition, ...]
    summary: engine.Summary
    status: str  # "completed" | "skipped" | "stopped"


class ExerciseRun:
    """The repetitions of one exercise, measured frame by frame as they happen."""

    def __init__(self, meter: ExerciseMeter, keep_snapshot: bool) -> None:
        """keep_snapshot: keep the picture at the exercise's peak."""
        self.exercise = meter.exercise
        self.meter = meter
        self.reps: list[engine.Repetition] = []
        self.finished = False
        self._buffer = RepetitionBuffer()
        self._peak = PeakKeeper(self.exercise.primary[0]) if keep_snapshot else None

    def start_repetition(self) -> None:
        """Forget the frames of an unfinished attempt: the repetition starts again."""
        self._buffer = RepetitionBuffer()

    def measure(self, now_s: float, image_rgb: np.ndarray, points_px: np.ndarray) -> FrameMeasures:
        """Measure one frame of the repetition under way and keep it for the repetition's score."""
        measures = self.meter.measure(points_px)
        self._buffer.add(now_s, measures.primary, measures.watch, measures.during_hold)
        if self._peak is not None:
            self._peak.offer(image_rgb, points_px, measures.primary[self.exercise.primary[0]])
        return measures

    def end_repetition(self, fps: float) -> engine.Repetition | None:
        """Score the repetition just ended; None (nothing kept) if its frames hardly saw a face."""
        rep = self._buffer.describe(self.meter.noise_mm, fps)
        if rep is not None:
            self.reps.append(rep)
        return rep

    def finish(self, status: str) -> tuple[ExerciseResult, Snapshot | None]:
        """The exercise's result, and the picture at its peak if one was kept and a repetition done."""
        self.finished = True
        summary = engine.summarise(self.reps, self.meter.noise_mm)
        snapshot = self._peak.snapshot() if self._peak is not None and self.reps else None
        self._peak = None
        return ExerciseResult(self.exercise, tuple(self.reps), summary, status), snapshot
