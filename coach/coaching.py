"""The live coaching session: camera check → calibration → exercises → summary.

A plain state machine, fed one processed frame at a time (with its capture time) and
the user's commands; it decides what the person should do now, measures each
repetition on the frames of its move → hold → relax window, and tells a listener
(the session store, the sound) what happened. No Qt and no threads here: the live
pipeline runs it on its processing thread, the tests run it on recorded clips.

Feedback rewards small, controlled, even movement inside the exercise's target range,
not maximum effort (design notes), and names sides as the patient's own.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from coach import engine
from coach.camera_check import Calibrator, CameraCheck, check_camera
from coach.exercises import Exercise
from coach.geometry import FaceFrame
from coach.measures import per_frame_measures, static_measures
from coach.programmes import Programme
from coach.snapshots import PeakKeeper, Snapshot

SIDES = ("left", "right")


class Phase(enum.Enum):
    CAMERA_CHECK = "camera check"
    CALIBRATING = "calibrating"
    INSTRUCTION = "instruction"
    COUNTDOWN = "countdown"
    MOVE = "move"
    HOLD = "hold"
    RELAX = "relax"
    EXERCISE_RESULT = "exercise result"
    SUMMARY = "summary"


REP_PHASES = (Phase.MOVE, Phase.HOLD, Phase.RELAX)


@dataclass(frozen=True)
class SessionTiming:
    """How long each step lasts (seconds). Tests and demos shorten them."""

    camera_ok_s: float = 1.0
    calibration_s: float = 3.0
    instruction_s: float = 6.0
    countdown_s: float = 3.0
    move_s: float = 2.0
    result_s: float = 5.0
    #: a face missing this long during a repetition is announced
    face_lost_s: float = 1.0


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


@dataclass(frozen=True)
class ExerciseResult:
    exercise: Exercise
    reps: tuple[engine.Repetition, ...]
    summary: engine.Summary
    status: str  # "completed" | "skipped" | "stopped"


@dataclass(frozen=True)
class SessionView:
    """An immutable snapshot of the session for the screen."""

    phase: Phase
    headline: str
    detail: str
    programme_name: str = ""
    paused: bool = False
    pause_reason: str = ""
    exercise: Exercise | None = None
    exercise_index: int = 0
    exercise_count: int = 0
    rep_number: int = 0
    rep_total: int = 0
    phase_progress: float = 0.0
    phase_remaining_s: float = 0.0
    feedback: Feedback | None = None
    camera_check: CameraCheck | None = None
    results: tuple[ExerciseResult, ...] = ()
    resting: dict[str, dict[str, float]] | None = None
    finished: bool = False


class SessionListener(Protocol):
    """Told about everything worth keeping or saying; called on the processing thread."""

    def session_started(self, programme: Programme) -> None: ...
    def resting_measured(self, resting: dict[str, dict[str, float]]) -> None: ...
    def exercise_started(self, index: int, exercise: Exercise) -> None: ...
    def repetition_done(self, index: int, number: int, rep: engine.Repetition) -> None: ...
    def exercise_finished(self, index: int, result: ExerciseResult) -> None: ...
    def session_finished(self, status: str) -> None: ...
    def prompt(self, kind: str, text: str) -> None: ...
    def eye_closure(self, closure_left: float, closure_right: float, now_s: float) -> None: ...
    def peak_snapshot(self, index: int, snapshot: Snapshot) -> None: ...


class NullListener:
    """A listener that keeps nothing (a practice run, or a test of the flow alone)."""

    def __getattr__(self, name: str) -> object:
        return lambda *args, **kwargs: None


_FACE_LOST_MESSAGE = "We can't see your face: look towards the screen."

_SYNKINESIS_WORDS = {
    "eye_narrowing_pct": "eye is closing: keep it open",
    "mouth_corner_pull_pct": "mouth corner is pulling: keep your mouth still",
    "brow_movement_pct": "eyebrow is moving: keep it still",
}


def feedback_for(exercise: Exercise, primary: np.ndarray, watch: dict[str, np.ndarray], noise_mm: float) -> Feedback:
    """Judge one frame: per-side movement against the target, evenness, synkinesis."""
    left, right = (float(v) for v in primary)
    stronger = max(left, right)
    sym = engine.symmetry(left, right) if stronger >= exercise.min_movement_mm else None
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
    elif sym >= exercise.target_symmetry or engine.weaker_side(left, right, noise_mm) is None:
        status, message = (
            "good",
            "Even movement: well done." if stronger >= low else "Even: a little more if it is easy.",
        )
    else:
        weaker = engine.weaker_side(left, right, noise_mm)
        status, message = "caution", f"Let your {weaker} side join in; the other side can do less."
    return Feedback(left, right, sym, status, message, exercise.target_mm, alerts)


@dataclass
class _RepBuffer:
    times: list[float] = field(default_factory=list)
    primary: dict[str, list[np.ndarray]] = field(default_factory=dict)
    watch: dict[str, list[np.ndarray]] = field(default_factory=dict)

    def add(self, t: float, primary: dict[str, np.ndarray], watch: dict[str, np.ndarray]) -> None:
        self.times.append(t)
        for name, values in primary.items():
            self.primary.setdefault(name, []).append(values)
        for name, values in watch.items():
            self.watch.setdefault(name, []).append(values)

    def describe(self, noise_mm: float, fps: float) -> engine.Repetition | None:
        """The repetition measured over the whole move → hold → relax window."""
        if len(self.times) < 3:
            return None
        times = np.array(self.times)
        primary = {name: engine.median3(np.array(v)) for name, v in self.primary.items()}
        watch = {name: engine.median3(np.array(v)) for name, v in self.watch.items()}
        return engine.describe_repetition((0, len(times) - 1, True), times, primary, watch, noise_mm, fps)


class CoachingSession:
    """Runs a programme for one person in front of the camera."""

    def __init__(
        self,
        programme: Programme,
        listener: SessionListener | None = None,
        timing: SessionTiming | None = None,
        fps: float = 30.0,
        keep_snapshots: bool = False,
    ) -> None:
        """keep_snapshots: the person chose to keep a picture of each exercise at its peak
        (told to the listener before the exercise's end); otherwise no picture is kept."""
        self.programme = programme
        self.keep_snapshots = keep_snapshots
        self._peak: PeakKeeper | None = None
        self.listener: SessionListener = listener or NullListener()
        self.timing = timing or SessionTiming()
        self.fps = fps
        self.phase = Phase.CAMERA_CHECK
        self.face_frame: FaceFrame | None = None
        self.resting: dict[str, dict[str, float]] | None = None
        self.results: list[ExerciseResult] = []
        self.paused = False
        self.pause_reason = ""
        self.finished = False
        self._calibrator = Calibrator(self.timing.calibration_s)
        self._index = 0
        self._rep = 0
        self._reps: list[engine.Repetition] = []
        self._buffer = _RepBuffer()
        self._phase_start: float | None = None
        self._paused_at: float | None = None
        self._ok_since: float | None = None
        self._face_seen_at: float | None = None
        self._last_check: CameraCheck | None = None
        self._feedback: Feedback | None = None
        self._message = ""
        self._now = 0.0
        self._noise_mm = engine.NOISE_FLOOR_MM
        self._calibration_mm = np.zeros((0, 478, 3))
        self._started = False
        self._started_exercise = False
        self._camera_lost = False
        #: where to go once the camera check passes (calibration first; after a lost
        #: camera, back to where the session was)
        self._return_after_check = Phase.CALIBRATING

    # ----- commands from the person -------------------------------------------------
    @property
    def exercise(self) -> Exercise | None:
        exercises = self.programme.exercises
        return exercises[self._index] if self._index < len(exercises) else None

    def pause(self, reason: str = "Paused.") -> None:
        if self.finished or self.paused:
            return
        self.paused, self.pause_reason, self._paused_at = True, reason, self._now

    def resume(self) -> None:
        # without a camera there is nothing to resume with: source_back() ends that pause
        if not self.paused or self._camera_lost:
            return
        self.paused = False
        if self._paused_at is not None and self._phase_start is not None:
            self._phase_start += self._now - self._paused_at
        self._paused_at = None
        # the picture and the still face must be seen anew: what came before the pause does not count
        self._ok_since = None
        if self.phase is Phase.CALIBRATING:
            self._calibrator.reset()
        if self.phase in REP_PHASES:
            # the repetition under way when paused is done again from its start
            self._start_phase(Phase.MOVE)
            self._message = "Let's do that repetition again."

    def skip(self) -> None:
        """Leave the current exercise (its finished repetitions are kept)."""
        if self.finished or self.exercise is None or self.phase in (Phase.CAMERA_CHECK, Phase.CALIBRATING):
            return
        self.paused = False
        if not self._started_exercise:
            # the exercise is already finished (its result is showing): just move on
            self._index += 1
            self._begin_exercise()
            return
        self._finish_exercise("skipped")

    def stop(self) -> None:
        """End the session now; everything finished so far is kept."""
        if self.finished:
            return
        self.paused = False
        if self.exercise is not None and self._started_exercise:
            self._finish_exercise("stopped", advance=False)
        self._finish_session("stopped")

    def source_lost(self, reason: str) -> None:
        """The camera stopped: pause, keep everything, and re-check the picture on return."""
        if self.finished:
            return
        message = f"{reason} Everything done so far is saved; waiting for the camera to come back."
        if self.paused:
            self.pause_reason = message  # already paused by the person: say why nothing comes now
        else:
            self.pause(message)
        self._camera_lost = True

    def source_back(self) -> None:
        if not self._camera_lost:
            return
        self._camera_lost = False
        self.paused = False
        self._paused_at = None
        if self.phase in REP_PHASES:
            self._phase_start = self._now
            self.phase = Phase.MOVE
        if self.phase is not Phase.CAMERA_CHECK:
            # (lost again during the check that followed an earlier loss: keep where that one returns to)
            self._return_after_check = self.phase if self.face_frame is not None else Phase.CALIBRATING
        self._start_phase(Phase.CAMERA_CHECK)

    # ----- frames --------------------------------------------------------------------
    def update(
        self, now_s: float, image_rgb: np.ndarray, faces: list[np.ndarray], chosen: np.ndarray | None
    ) -> SessionView:
        """Advance the session with one processed frame."""
        self._now = now_s
        if not self._started:
            self._started = True
            self.listener.session_started(self.programme)
            self._start_phase(Phase.CAMERA_CHECK)
        if chosen is not None:
            self._face_seen_at = now_s
        if self.finished or self.paused:
            return self.view()
        handler = {
            Phase.CAMERA_CHECK: self._on_camera_check,
            Phase.CALIBRATING: self._on_calibrating,
            Phase.INSTRUCTION: self._on_timed,
            Phase.COUNTDOWN: self._on_timed,
            Phase.MOVE: self._on_rep_phase,
            Phase.HOLD: self._on_rep_phase,
            Phase.RELAX: self._on_rep_phase,
            Phase.EXERCISE_RESULT: self._on_timed,
        }.get(self.phase)
        if handler is not None:
            handler(image_rgb, faces, chosen)
        return self.view()

    def _clock(self) -> float:
        """The session's time: it stands still while the session is paused."""
        return self._paused_at if self.paused and self._paused_at is not None else self._now

    def _elapsed(self) -> float:
        return 0.0 if self._phase_start is None else self._clock() - self._phase_start

    def _start_phase(self, phase: Phase) -> None:
        self.phase = phase
        self._phase_start = self._now
        exercise = self.exercise
        if phase is Phase.CAMERA_CHECK:
            self._ok_since, self._last_check = None, None
        elif phase in (Phase.HOLD, Phase.RELAX) and self._message != _FACE_LOST_MESSAGE:
            self._message = ""  # a notice given for the start of a repetition has served its turn
        if phase is Phase.INSTRUCTION and exercise is not None:
            self._message = ""
            self.listener.prompt("start", f"{exercise.name}. {exercise.instruction}")
        elif phase is Phase.MOVE and exercise is not None:
            self._buffer = _RepBuffer()
            self.listener.prompt("start", f"Repetition {self._rep + 1}. {exercise.name}, now.")
        elif phase is Phase.HOLD:
            self.listener.prompt("hold", "Hold.")
        elif phase is Phase.RELAX:
            self.listener.prompt("relax", "And relax.")

    def _phase_length(self) -> float:
        exercise = self.exercise
        return {
            Phase.CALIBRATING: self.timing.calibration_s,
            Phase.INSTRUCTION: self.timing.instruction_s,
            Phase.COUNTDOWN: self.timing.countdown_s,
            Phase.MOVE: self.timing.move_s,
            Phase.HOLD: exercise.hold_s if exercise else 0.0,
            Phase.RELAX: exercise.relax_s if exercise else 0.0,
            Phase.EXERCISE_RESULT: self.timing.result_s,
            Phase.CAMERA_CHECK: self.timing.camera_ok_s,
        }.get(self.phase, 0.0)

    def _on_camera_check(self, image_rgb: np.ndarray, faces: list[np.ndarray], chosen: np.ndarray | None) -> None:
        self._last_check = check_camera(image_rgb, faces, chosen)
        if not self._last_check.ok:
            self._ok_since = None
            return
        if self._ok_since is None:
            self._ok_since = self._now
        if self._now - self._ok_since >= self.timing.camera_ok_s:
            self._ok_since = None
            target = self._return_after_check
            if target is Phase.CALIBRATING:
                self._calibrator.reset()
                self.listener.prompt("start", "Relax your face and look at the screen.")
            self._start_phase(target)

    def _on_calibrating(self, image_rgb: np.ndarray, faces: list[np.ndarray], chosen: np.ndarray | None) -> None:
        face_frame = self._calibrator.add(chosen, self._now)
        if face_frame is None:
            return
        self.face_frame = face_frame
        self._calibration_mm = face_frame.normalise(self._calibrator.last_frames)
        self.resting = static_measures(face_frame.reference_mm)
        self.listener.resting_measured(self.resting)
        self._begin_exercise()

    def _begin_exercise(self) -> None:
        exercise = self.exercise
        if exercise is None:
            self._finish_session("completed")
            return
        self._rep = 0
        self._reps = []
        self._started_exercise = True
        # sides closer than the resting jitter of this exercise's measure count as even
        measure = exercise.primary[0]
        series = per_frame_measures(self._calibration_mm, self.face_frame.reference_mm, [measure])[measure]
        self._noise_mm = engine.side_noise_mm(series)
        self._peak = PeakKeeper(measure) if self.keep_snapshots else None
        self.listener.exercise_started(self._index, exercise)
        self._start_phase(Phase.INSTRUCTION)

    def _on_timed(self, image_rgb: np.ndarray, faces: list[np.ndarray], chosen: np.ndarray | None) -> None:
        if self._elapsed() < self._phase_length():
            return
        if self.phase is Phase.INSTRUCTION:
            self._start_phase(Phase.COUNTDOWN)
        elif self.phase is Phase.COUNTDOWN:
            self._start_phase(Phase.MOVE)
        elif self.phase is Phase.EXERCISE_RESULT:
            self._index += 1
            self._begin_exercise()

    def _measure(self, chosen: np.ndarray) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], np.ndarray]:
        assert self.face_frame is not None and self.exercise is not None
        exercise = self.exercise
        points_mm = self.face_frame.normalise(chosen[None])
        names = [*exercise.primary, *exercise.synkinesis_watch, "eye_closure_fraction"]
        values = {k: v[0] for k, v in per_frame_measures(points_mm, self.face_frame.reference_mm, names).items()}
        primary = {name: values[name] for name in exercise.primary}
        watch = {name: values[name] for name in exercise.synkinesis_watch}
        return primary, watch, values["eye_closure_fraction"]

    def _on_rep_phase(self, image_rgb: np.ndarray, faces: list[np.ndarray], chosen: np.ndarray | None) -> None:
        exercise = self.exercise
        assert exercise is not None
        if chosen is not None:
            primary, watch, closure = self._measure(chosen)
            self._buffer.add(self._now, primary, watch)
            if self._peak is not None:
                self._peak.offer(image_rgb, chosen, primary[exercise.primary[0]])
            self._feedback = feedback_for(exercise, primary[exercise.primary[0]], watch, self._noise_mm)
            if exercise.primary[0] == "eye_closure_mm" and self.phase is not Phase.RELAX:
                self.listener.eye_closure(float(closure[0]), float(closure[1]), self._now)
            if self._message == _FACE_LOST_MESSAGE:
                self._message = ""
        elif self._face_seen_at is None or self._now - self._face_seen_at > self.timing.face_lost_s:
            self._message = _FACE_LOST_MESSAGE
        if self._elapsed() < self._phase_length():
            return
        if self.phase is Phase.MOVE:
            self._start_phase(Phase.HOLD)
        elif self.phase is Phase.HOLD:
            self._start_phase(Phase.RELAX)
        else:
            self._complete_rep()

    def _complete_rep(self) -> None:
        exercise = self.exercise
        assert exercise is not None
        rep = self._buffer.describe(self._noise_mm, self.fps)
        if rep is None:
            self._message = "We couldn't see your face during that repetition; let's do it again."
            self._start_phase(Phase.MOVE)
            return
        self._rep += 1
        self._reps.append(rep)
        self.listener.repetition_done(self._index, self._rep, rep)
        if self._rep < exercise.repetitions:
            self._start_phase(Phase.MOVE)
        else:
            self._finish_exercise("completed")

    def _finish_exercise(self, status: str, advance: bool = True) -> None:
        exercise = self.exercise
        assert exercise is not None
        result = ExerciseResult(exercise, tuple(self._reps), engine.summarise(self._reps, self._noise_mm), status)
        self.results.append(result)
        snapshot = self._peak.snapshot() if self._peak is not None and self._reps else None
        self._peak = None
        if snapshot is not None:
            self.listener.peak_snapshot(self._index, snapshot)
        self._started_exercise = False
        self.listener.exercise_finished(self._index, result)
        self._feedback = None
        if not advance:
            return
        if status == "completed":
            self.listener.prompt("done", f"{exercise.name}: done. Well done.")
            self._start_phase(Phase.EXERCISE_RESULT)
        else:
            self._index += 1
            self._begin_exercise()

    def _finish_session(self, status: str) -> None:
        self.finished = True
        self.phase = Phase.SUMMARY
        self._feedback = None
        self.listener.session_finished(status)
        self.listener.prompt("done", "Session complete. Well done." if status == "completed" else "Session stopped.")

    # ----- what to show ----------------------------------------------------------------
    def view(self) -> SessionView:
        exercise = self.exercise if not self.finished else None
        length = self._phase_length()
        elapsed = self._elapsed()
        headline, detail = self._words(exercise, max(0.0, length - elapsed))
        return SessionView(
            phase=self.phase,
            headline=headline,
            detail=detail,
            programme_name=self.programme.name,
            paused=self.paused,
            pause_reason=self.pause_reason,
            exercise=exercise,
            exercise_index=self._index,
            exercise_count=len(self.programme.exercises),
            rep_number=min(self._rep + (1 if self.phase in REP_PHASES else 0), exercise.repetitions if exercise else 0),
            rep_total=exercise.repetitions if exercise else 0,
            phase_progress=(min(1.0, elapsed / length) if length > 0 else 1.0)
            if self.phase is not Phase.CALIBRATING
            else self._calibrator.progress(self._clock()),
            phase_remaining_s=max(0.0, length - elapsed),
            feedback=self._feedback if self.phase in REP_PHASES else None,
            camera_check=self._last_check if self.phase is Phase.CAMERA_CHECK else None,
            results=tuple(self.results),
            resting=self.resting,
            finished=self.finished,
        )

    def _words(self, exercise: Exercise | None, remaining_s: float) -> tuple[str, str]:
        if self.paused:
            return "Paused", self.pause_reason
        if self.phase is Phase.CAMERA_CHECK:
            check = self._last_check
            return "Camera check", check.guidance if check else "Looking for your face…"
        if self.phase is Phase.CALIBRATING:
            hint = self._calibrator.last_problem or "Relax your face, lips gently closed, and look at the screen."
            return "Relax your face", hint
        if self.phase is Phase.SUMMARY:
            return "Session complete" if self.finished else "Summary", "Here is how each exercise went."
        assert exercise is not None
        if self.phase is Phase.INSTRUCTION:
            return exercise.name, exercise.instruction
        if self.phase is Phase.COUNTDOWN:
            return f"Get ready: {int(remaining_s) + 1}", exercise.instruction
        if self.phase is Phase.EXERCISE_RESULT:
            return f"{exercise.name}: done", "Rest a moment before the next exercise."
        hold = f"Hold… {math.ceil(remaining_s)}"
        words = {Phase.MOVE: f"{exercise.name} now", Phase.HOLD: hold, Phase.RELAX: "Relax"}
        detail = self._message or (self._feedback.message if self._feedback else exercise.instruction)
        return words[self.phase], detail
