"""One exercise under way in a live session: its repetitions so far, the frames of the one
in progress, and the picture at its peak when the person chose to keep one."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from coach.plans.exercises import Exercise
from coach.session import engine
from coach.session.feedback import ExerciseMeter, FrameMeasures, Unmeasured
from coach.session.repetition_buffer import RepetitionBuffer
from coach.session.snapshots import PeakKeeper, Snapshot

#: attempts in a row without a movement that counts, after which the exercise ends as "not_done"
#: (its repetitions so far kept): the person may be unable to make it, and is not held in it
MAX_FAILED_ATTEMPTS = 3


@dataclass(frozen=True)
class ExerciseResult:
    exercise: Exercise
    reps: tuple[engine.Repetition, ...]
    summary: engine.Summary
    #: "completed" | "skipped" | "stopped" | "not_done" (no movement seen in MAX_FAILED_ATTEMPTS tries in a row)
    status: str


@dataclass(frozen=True)
class AttemptOutcome:
    """How a move → hold → relax window ended: a repetition, or why not ("unseen": the face
    was hardly seen; "turned", "eyes hidden": it was seen but could not be measured
    (`feedback.ExerciseMeter.measure`); "no movement", "not held": `engine.counts_as_repetition`)."""

    rep: engine.Repetition | None
    reason: str = ""
    #: failed attempts in a row so far, this one included
    failed_in_a_row: int = 0

    @property
    def gives_up(self) -> bool:
        """Enough tries without a movement: end the exercise as not done."""
        return self.rep is None and self.reason != "unseen" and self.failed_in_a_row >= MAX_FAILED_ATTEMPTS


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
        self._failed_in_a_row = 0
        #: frames of the attempt under way seen but not measured, by why (Unmeasured)
        self._unmeasured: Counter[str] = Counter()

    def start_repetition(self) -> None:
        """Forget the frames of an unfinished attempt: the repetition starts again."""
        self._buffer = RepetitionBuffer()
        self._unmeasured = Counter()

    def measure(self, now_s: float, image_rgb: np.ndarray, points_px: np.ndarray) -> FrameMeasures | Unmeasured:
        """Measure one frame of the repetition under way and keep it for the repetition's score;
        why not, when it cannot be measured (nothing kept then)."""
        measures = self.meter.measure(points_px, image_rgb)
        if isinstance(measures, str):
            self._unmeasured[measures] += 1
            return measures
        self._buffer.add(now_s, measures.primary, measures.watch, measures.during_hold)
        if self._peak is not None:
            self._peak.offer(image_rgb, points_px, measures.primary[self.exercise.primary[0]])
        return measures

    def end_repetition(self, fps: float) -> AttemptOutcome:
        """Score the move → hold → relax window just ended: a repetition only where the
        movement happened and was held (the rule `analyze` follows too)."""
        buffer = self._buffer
        if not buffer.seen():
            if self._unmeasured:  # seen, but never measurable (turned away, eyes hidden): a try that failed
                self._failed_in_a_row += 1
                return AttemptOutcome(None, self._unmeasured.most_common(1)[0][0], self._failed_in_a_row)
            return AttemptOutcome(None, "unseen", self._failed_in_a_row)
        attempt = buffer.attempt(engine.onset_mm(self.exercise.min_movement_mm, self.meter.noise_mm), fps)
        if not attempt.counted:
            self._failed_in_a_row += 1
            return AttemptOutcome(None, attempt.reason, self._failed_in_a_row)
        rep = buffer.describe(self.meter.noise_mm, fps)
        assert rep is not None  # seen
        self.reps.append(rep)
        self._failed_in_a_row = 0
        return AttemptOutcome(rep)

    def finish(self, status: str) -> tuple[ExerciseResult, Snapshot | None]:
        """The exercise's result, and the picture at its peak if one was kept and a repetition done."""
        self.finished = True
        summary = engine.summarise(self.reps, self.meter.noise_mm)
        snapshot = self._peak.snapshot() if self._peak is not None and self.reps else None
        self._peak = None
        return ExerciseResult(self.exercise, tuple(self.reps), summary, status), snapshot
