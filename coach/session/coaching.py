"""The live coaching session: camera check → calibration → exercises → summary.

A plain state machine, fed one processed frame at a time (with its capture time) and
the commands the controller applies; it decides what the person should do now, measures
each repetition on the frames of its move → hold → relax window, and emits what happened
as typed events (`events`) for the records, the sound and the windows. No Qt and no
threads here: the controller runs it on the processing thread, the tests on recorded
clips. Each command method returns None once applied, or why it cannot apply now (in the
person's language). The words it shows and says are in `wording`, the judging of each
frame in `feedback`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from coach.base.i18n import tr
from coach.measure.geometry import RestingFace
from coach.measure.measures import static_measures
from coach.plans.exercises import Exercise
from coach.plans.programmes import Programme
from coach.session import wording
from coach.session.camera_check import Calibrator, CameraCheck, SteadyCameraCheck
from coach.session.engine import onset_mm
from coach.session.events import (
    CameraChecked,
    ExerciseFinished,
    ExerciseStarted,
    EyeClosure,
    FrameMeasured,
    PeakPictureTaken,
    Prompt,
    RepetitionFinished,
    RepetitionMissed,
    RestingMeasured,
    SessionEvent,
    SessionFinished,
    SideValues,
    Steered,
)
from coach.session.exercise_run import ExerciseResult, ExerciseRun
from coach.session.feedback import ExerciseMeter, Feedback, FrameMeasures
from coach.session.phases import NEXT_PHASE, REP_PHASES, Phase, PhaseClock, SessionTiming
from coach.session.steering import SteeringCommands, bars_shown


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
    #: how the session ended: "completed" or "stopped" ("" while it runs)
    end_status: str = ""
    #: "use this face as my resting face" may be offered now (calibrating for a while)
    offer_accept_rest: bool = False
    #: which session this view is of (a window ignores the views of a session before its own)
    session_serial: int = 0
    #: the movement (mm) beyond which this face counts as moving in the exercise shown (0: none)
    onset_mm: float = 0.0
    #: the live bars show in this repetition (the exercise's feedback schedule: steering.bars_shown)
    bars_shown: bool = True
    #: with feedback faded and the bars hidden, the last repetition's result in words ("" otherwise)
    last_result: str = ""
    #: what a therapist just changed, in plain words for the patient ("" when nothing to tell)
    notice: str = ""


#: each session's own number, for telling its views from an earlier session's
_SERIALS = itertools.count(1)


class CoachingSession(SteeringCommands):
    """Runs a programme for one person in front of the camera (its commands: `steering`)."""

    def __init__(
        self,
        programme: Programme,
        emit: Callable[[SessionEvent], None] | None = None,
        timing: SessionTiming | None = None,
        fps: float = 30.0,
        keep_snapshots: bool = False,
        eyes_closed_cue: str = "tones",
    ) -> None:
        """emit: where the session's events go (the controller's stream); keep_snapshots: the
        person chose to keep a picture of each exercise at its peak (emitted before the
        exercise's end), otherwise no picture is kept; eyes_closed_cue: commands.Start's."""
        self.programme, self.keep_snapshots, self.eyes_closed_cue = programme, keep_snapshots, eyes_closed_cue
        self.emit = emit or (lambda event: None)
        self.timing = timing or SessionTiming()
        self.fps = fps
        self.phase = Phase.CAMERA_CHECK
        self.resting_face: RestingFace | None = None
        self.resting: dict[str, dict[str, float]] | None = None
        self.end_status = ""  # "completed" or "stopped" once finished
        self.pause_words: Callable[[], str] = wording.paused_reason  # why paused, in the language when shown
        self.finished = self.rest_accepted = False
        self.serial = next(_SERIALS)
        self._clock = PhaseClock()
        self._camera_check = SteadyCameraCheck(self.timing.camera_ok_s)
        self._calibrator = Calibrator(self.timing.calibration_s)
        self._calibration_mm = np.zeros((0, 478, 3))
        self._index = 0
        #: the programme's exercises as asked now (a therapist may change what is asked)
        self._exercises = list(programme.exercises)
        #: a change to what is asked of exercise [0], waiting for the next repetition
        self._pending: tuple[int, Exercise] | None = None
        #: every attempt at an exercise so far, in order (an exercise done again is a new one)
        self._runs: list[ExerciseRun] = []
        #: the exercise under way (or whose result is showing); None before the first
        self._run: ExerciseRun | None = None
        self._notice: Callable[[], str] | None = None  # the last change a therapist made, for the patient
        self._notice_until_s = 0.0
        self._first_picture_s = 0.0
        self.steered: list[Steered] = []
        self._face_seen_at: float | None = None
        self._feedback: Feedback | None = None
        self._message = ""  # a notice of `wording`'s, in English: translated when shown
        self._now = 0.0
        #: a first picture has come (the controller tells `SessionStarted` before it)
        self.started = False
        self._camera_lost = False
        #: where to go once the camera check passes (calibration first; after a lost camera, back)
        self._return_after_check = Phase.CALIBRATING

    @property
    def exercise(self) -> Exercise | None:
        """The exercise under way, as asked now."""
        return self._exercises[self._index] if self._index < len(self._exercises) else None

    @property
    def results(self) -> list[ExerciseResult]:
        """Every attempt at an exercise that has ended, in order."""
        return [run.result for run in self._runs if run.result is not None]

    @property
    def paused(self) -> bool:
        return self._clock.paused

    @property
    def repetitions_done(self) -> int:
        """Repetitions finished in the current exercise that count (not set aside)."""
        return len(self._run.counted) if self._run is not None else 0

    def source_lost(self, reason: str) -> None:
        """The camera stopped (`reason`, in the person's language): pause, keep everything,
        and re-check the picture on return."""
        if self.finished:
            return
        if not self.paused:  # (paused by the person already: the reason now says why nothing comes)
            self._clock.pause(self._now)
        self.pause_words = lambda: wording.camera_lost_reason(reason)
        self._camera_lost = True

    def source_back(self) -> None:
        if not self._camera_lost:
            return
        self._camera_lost = False
        self._clock.end_pause()
        if self.phase in REP_PHASES:
            self.phase = Phase.MOVE  # the repetition under way is done again once the picture is back
        if self.phase is not Phase.CAMERA_CHECK:
            # (lost again during the check that followed an earlier loss: keep where that one returns to)
            self._return_after_check = self.phase if self.resting_face is not None else Phase.CALIBRATING
        self._start_phase(Phase.CAMERA_CHECK)

    # ----- frames --------------------------------------------------------------------
    def update(
        self, now_s: float, image_rgb: np.ndarray, faces: list[np.ndarray], chosen: np.ndarray | None
    ) -> SessionView:
        """Advance the session with one processed frame."""
        self._now = now_s
        if not self.started:
            self.started, self._first_picture_s = True, now_s
            self._start_phase(Phase.CAMERA_CHECK)
        if chosen is not None:
            self._face_seen_at = now_s
        if self.finished or self.paused:
            return self.view()
        if self.phase is Phase.CAMERA_CHECK:
            self._on_camera_check(image_rgb, faces, chosen)
        elif self.phase is Phase.CALIBRATING:
            resting_face = self._calibrator.add(chosen, now_s)
            if resting_face is not None:
                self._rest_found(resting_face)
        else:  # a timed phase (the summary comes only once finished)
            if self.phase in REP_PHASES:
                self._on_rep_frame(image_rgb, chosen)
            if self._clock.elapsed_s(now_s) >= self.timing.length_s(self.phase, self.exercise):
                self._on_time_up()
        return self.view()

    def _start_phase(self, phase: Phase) -> None:
        self.phase = phase
        self._clock.start_phase(self._now)
        exercise = self.exercise
        if phase is Phase.CAMERA_CHECK:
            self._camera_check.reset()
        elif phase in (Phase.HOLD, Phase.RELAX) and self._message != wording.FACE_LOST_MESSAGE:
            self._message = ""  # a notice given for the start of a repetition has served its turn
        if phase is Phase.INSTRUCTION and exercise is not None:
            self._message = ""
        elif phase is Phase.MOVE and self._run is not None:
            self._apply_pending()  # a change to what is asked applies from the repetition starting now
            self._run.start_repetition()
        prompt = wording.phase_prompt(phase, exercise, self.repetitions_done + 1, self.eyes_closed_cue)
        if prompt is not None:
            self.emit(Prompt(*prompt))

    def _on_camera_check(self, image_rgb: np.ndarray, faces: list[np.ndarray], chosen: np.ndarray | None) -> None:
        passed = self._camera_check.passed(image_rgb, faces, chosen, self._now)
        if self._camera_check.changed and self._camera_check.last is not None:
            self.emit(CameraChecked(self._camera_check.last))
        if not passed:
            return
        target = self._return_after_check
        if target is Phase.CALIBRATING:
            self._calibrator.reset()
            self.emit(Prompt("start", wording.calibration_prompt()))
        self._start_phase(target)

    def _rest_found(self, resting_face: RestingFace) -> None:
        self.resting_face = resting_face
        self._calibration_mm = resting_face.normalise(self._calibrator.last_frames)
        self.resting = static_measures(resting_face.reference_mm)
        self.emit(RestingMeasured(self.resting, self.rest_accepted))
        self._begin_exercise()

    def _begin_exercise(self) -> None:
        self._apply_pending()  # (made for an exercise left before its next repetition: kept for it)
        exercise = self.exercise
        if exercise is None:
            self._finish_session("completed")
            return
        assert self.resting_face is not None
        meter = ExerciseMeter(exercise, self.resting_face, self._calibration_mm)
        self._run = ExerciseRun(meter, self.keep_snapshots, self._index, len(self._runs) + 1)
        self._runs.append(self._run)
        onset = onset_mm(exercise.min_movement_mm, meter.noise_mm)
        self.emit(ExerciseStarted(self._index, exercise, onset, self._run.attempt))
        self._start_phase(Phase.INSTRUCTION)

    def _on_time_up(self) -> None:
        """The phase has lasted its time: on to what follows it."""
        if self.phase is Phase.EXERCISE_RESULT:
            self._index += 1
            self._begin_exercise()
        elif self.phase is Phase.RELAX:
            self._complete_rep()
        else:
            self._start_phase(NEXT_PHASE[self.phase])

    def _on_rep_frame(self, image_rgb: np.ndarray, chosen: np.ndarray | None) -> None:
        run = self._run
        assert run is not None
        measures = run.measure(self._now, image_rgb, chosen) if chosen is not None else None
        if isinstance(measures, str):  # seen, but not measurable: say what to do
            self._message, self._feedback = wording.RETRY_MESSAGES[measures], None
        elif measures is not None:
            self._feedback = run.meter.judge(measures)
            for event in _measured(self._now, self._index, self.phase, run.exercise, measures):
                self.emit(event)
            if self._message in (wording.FACE_LOST_MESSAGE, wording.TURN_TOWARDS_SCREEN, wording.EYES_HIDDEN):
                self._message = ""
        elif self._face_seen_at is None or self._now - self._face_seen_at > self.timing.face_lost_s:
            self._message = wording.FACE_LOST_MESSAGE

    def _complete_rep(self) -> None:
        run = self._run
        assert run is not None
        outcome = run.end_repetition(self.fps)
        rep = outcome.rep
        if rep is None:
            self.emit(RepetitionMissed(self._index, outcome.reason, outcome.failed_in_a_row))
            if outcome.gives_up:  # no movement in several tries: recorded as not done, and on
                self.emit(Prompt("done", wording.not_done_prompt(run.exercise)))
                self._finish_exercise("not_done")
                return
            self._message = wording.RETRY_MESSAGES[outcome.reason]
            self.emit(Prompt("start", tr(self._message)))
            self._start_phase(Phase.MOVE)
            return
        self.emit(RepetitionFinished(self._index, len(run.reps), rep, run.attempt))
        if len(run.counted) < run.exercise.repetitions:
            self._start_phase(Phase.MOVE)
        else:
            self._finish_exercise("completed")

    def _finish_exercise(self, status: str, advance: bool = True) -> None:
        run = self._run
        assert run is not None
        result, snapshot = run.finish(status)
        if snapshot is not None:
            self.emit(PeakPictureTaken(self._index, snapshot))
        self.emit(ExerciseFinished(self._index, result, run.attempt))
        self._feedback = None
        if not advance:
            return
        if status == "completed":
            self.emit(Prompt("done", wording.exercise_done_prompt(run.exercise)))
            self._start_phase(Phase.EXERCISE_RESULT)
        else:
            self._index += 1
            self._begin_exercise()

    def _finish_session(self, status: str) -> None:
        self.finished = True
        self.end_status = status
        self.phase = Phase.SUMMARY
        self._feedback = None
        self.emit(SessionFinished(status))
        self.emit(Prompt("done", wording.session_end_prompt(status)))

    # ----- what to show ----------------------------------------------------------------
    def view(self) -> SessionView:
        return _view_of(self)


def _measured(
    at_s: float, index: int, phase: Phase, exercise: Exercise, measures: FrameMeasures
) -> list[FrameMeasured | EyeClosure]:
    """One measured picture as numbers for whoever follows the session; during an eye-closure
    exercise (but not while relaxing) also the closure the beeps follow."""

    def sides(values: np.ndarray) -> SideValues:
        return SideValues(float(values[0]), float(values[1]))

    measured: list[FrameMeasured | EyeClosure] = [FrameMeasured(
        at_s=at_s,
        index=index,
        phase=phase,
        measures_mm={name: sides(values) for name, values in measures.primary.items()},
        synkinesis_pct={name: sides(values) for name, values in measures.watch.items()},
        eye_closure=sides(measures.eye_closure),
    )]  # fmt: skip
    if exercise.primary[0] == "eye_closure_mm" and phase is not Phase.RELAX:
        closure = measures.eye_closure
        measured.append(EyeClosure(float(closure[0]), float(closure[1]), at_s))
    return measured


def _view_of(session: CoachingSession) -> SessionView:
    """What the screen shows of `session` now."""
    exercise = session.exercise if not session.finished else None
    rep_total = exercise.repetitions if exercise else 0
    rep_number = min(session.repetitions_done + (1 if session.phase in REP_PHASES else 0), rep_total)
    shown = exercise is None or bars_shown(exercise.feedback, rep_number)
    length = session.timing.length_s(session.phase, session.exercise)
    elapsed = session._clock.elapsed_s(session._now)
    remaining_s = max(0.0, length - elapsed)
    if session.phase is Phase.CALIBRATING:
        progress = session._calibrator.progress(session._clock.time_s(session._now))
    else:
        progress = min(1.0, elapsed / length) if length > 0 else 1.0
    headline, detail = wording.screen_words(
        session.phase,
        exercise,
        remaining_s,
        pause_reason=session.pause_words() if session.paused else None,
        check=session._camera_check.last,
        calibration_problem=session._calibrator.last_problem,
        finished=session.finished,
        message=session._message,
        feedback=session._feedback if shown else None,
        end_status=session.end_status,
        eyes_closed_cue=session.eyes_closed_cue,
    )
    run = session._run
    last_result = ""
    if exercise is not None and exercise.feedback == "faded" and not shown and run is not None and run.counted:
        last_result = wording.repetition_result(run.last_counted_number or 0, run.counted[-1])
    return SessionView(
        phase=session.phase,
        headline=headline,
        detail=detail,
        programme_name=session.programme.name,
        paused=session.paused,
        pause_reason=session.pause_words() if session.paused else "",
        exercise=exercise,
        exercise_index=session._index,
        exercise_count=len(session.programme.exercises),
        rep_number=rep_number,
        rep_total=rep_total,
        phase_progress=progress,
        phase_remaining_s=remaining_s,
        feedback=session._feedback if session.phase in REP_PHASES and shown else None,
        camera_check=session._camera_check.last if session.phase is Phase.CAMERA_CHECK else None,
        results=tuple(session.results),
        resting=session.resting,
        finished=session.finished,
        end_status=session.end_status,
        offer_accept_rest=session.phase is Phase.CALIBRATING
        and not session.paused
        and session._clock.elapsed_s(session._now) >= session.timing.offer_rest_after_s,
        session_serial=session.serial,
        onset_mm=onset_mm(exercise.min_movement_mm, session._run.meter.noise_mm)
        if exercise is not None and session._run is not None
        else 0.0,
        bars_shown=shown,
        last_result=last_result,
        notice=session.notice(),
    )
