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
    #: every repetition finished, those set aside included (numbered from 1 in this order)
    reps: tuple[engine.Repetition, ...]
    #: of the repetitions that count only
    summary: engine.Summary
    #: "completed" | "skipped" | "stopped" | "not_done" (no movement seen in MAX_FAILED_ATTEMPTS tries in a row)
    status: str
    #: repetition number -> why the therapist set it aside (kept, never scored)
    discarded: tuple[tuple[int, str], ...] = ()


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
    """The repetitions of one attempt at an exercise, measured frame by frame as they happen."""

    def __init__(self, meter: ExerciseMeter, keep_snapshot: bool, index: int = 0, attempt: int = 1) -> None:
        """keep_snapshot: keep the picture at the exercise's peak; index: the exercise's place in
        the programme; attempt: which attempt at an exercise in the session this is (from 1)."""
        self.exercise = meter.exercise
        self.meter = meter
        self.index, self.attempt = index, attempt
        #: every repetition finished, those set aside included
        self.reps: list[engine.Repetition] = []
        #: repetition number -> why it was set aside
        self.discarded: dict[int, str] = {}
        self.finished = False
        #: how it ended (None while under way)
        self.result: ExerciseResult | None = None
        self._buffer = RepetitionBuffer()
        self._peak = PeakKeeper(self.exercise.primary[0]) if keep_snapshot else None
        self._failed_in_a_row = 0
        #: frames of the attempt under way seen but not measured, by why (Unmeasured)
        self._unmeasured: Counter[str] = Counter()

    @property
    def counted(self) -> list[engine.Repetition]:
        """The repetitions that count: those not set aside."""
        return [rep for number, rep in enumerate(self.reps, 1) if number not in self.discarded]

    @property
    def last_counted_number(self) -> int | None:
        """The number of the last repetition that counts, if any."""
        return next((n for n in range(len(self.reps), 0, -1) if n not in self.discarded), None)

    def adjust(self, exercise: Exercise) -> None:
        """What is asked changed (a target, a hold, a feedback schedule): from now on."""
        self.exercise = self.meter.exercise = exercise

    def set_aside(self, number: int, reason: str) -> ExerciseResult | None:
        """Leave repetition `number` out of the score (kept, with `reason`); the result worked out
        again when the exercise had ended."""
        self.discarded[number] = reason
        if self.result is not None:
            self.result = self._result(self.result.status)
        return self.result

    def reopen(self) -> None:
        """Go on with an exercise whose result was showing (a repetition to be done again)."""
        self.finished, self.result = False, None
        self._failed_in_a_row = 0

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
        self.result = self._result(status)
        snapshot = self._peak.snapshot() if self._peak is not None and self.reps else None
        self._peak = None
        return self.result, snapshot

    def _result(self, status: str) -> ExerciseResult:
        summary = engine.summarise(self.counted, self.meter.noise_mm)
        discarded = tuple(sorted(self.discarded.items()))
        return ExerciseResult(self.exercise, tuple(self.reps), summary, status, discarded)
