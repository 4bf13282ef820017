"""The live coaching session: camera check → calibration → exercises → summary.

A plain state machine, fed one processed frame at a time (with its capture time) and
the user's commands; it decides what the person should do now, measures each
repetition on the frames of its move → hold → relax window, and tells a listener
(the session store, the sound) what happened. No Qt and no threads here: the live
pipeline runs it on its processing thread, the tests run it on recorded clips.
The words it shows and says are in `wording`, the judging of each frame in `feedback`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from coach.base.i18n import tr
from coach.measure.geometry import FaceFrame
from coach.measure.measures import static_measures
from coach.plans.exercises import Exercise
from coach.plans.programmes import Programme
from coach.session import wording
from coach.session.camera_check import Calibrator, CameraCheck, SteadyCameraCheck
from coach.session.exercise_run import ExerciseResult, ExerciseRun
from coach.session.feedback import ExerciseMeter, Feedback
from coach.session.listener import SessionListener
from coach.session.phases import NEXT_PHASE, REP_PHASES, Phase, PhaseClock, SessionTiming


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


#: each session's own number, for telling its views from an earlier session's
_SERIALS = itertools.count(1)


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
        self.listener = listener or SessionListener()
        self.timing = timing or SessionTiming()
        self.fps = fps
        self.phase = Phase.CAMERA_CHECK
        self.face_frame: FaceFrame | None = None
        self.resting: dict[str, dict[str, float]] | None = None
        self.results: list[ExerciseResult] = []
        self.pause_reason = ""
        self.finished = False
        self.end_status = ""
        self.rest_accepted = False
        self.serial = next(_SERIALS)
        self._clock = PhaseClock()
        self._camera_check = SteadyCameraCheck(self.timing.camera_ok_s)
        self._calibrator = Calibrator(self.timing.calibration_s)
        self._calibration_mm = np.zeros((0, 478, 3))
        self._index = 0
        #: the exercise under way (or whose result is showing); None before the first
        self._run: ExerciseRun | None = None
        self._face_seen_at: float | None = None
        self._feedback: Feedback | None = None
        self._message = ""  # a notice of `wording`'s, in English: translated when shown
        self._now = 0.0
        self._started = False
        self._camera_lost = False
        #: where to go once the camera check passes (calibration first; after a lost
        #: camera, back to where the session was)
        self._return_after_check = Phase.CALIBRATING

    @property
    def exercise(self) -> Exercise | None:
        exercises = self.programme.exercises
        return exercises[self._index] if self._index < len(exercises) else None

    @property
    def paused(self) -> bool:
        return self._clock.paused

    @property
    def repetitions_done(self) -> int:
        """Repetitions finished in the current exercise."""
        return len(self._run.reps) if self._run is not None else 0

    # ----- commands from the person -------------------------------------------------
    def pause(self, reason: str | None = None) -> None:
        """reason: why, in the person's language (default: they paused)."""
        if self.finished or self.paused:
            return
        self.pause_reason = wording.paused_reason() if reason is None else reason
        self._clock.pause(self._now)

    def resume(self) -> None:
        # without a camera there is nothing to resume with: source_back() ends that pause
        if not self.paused or self._camera_lost:
            return
        self._clock.resume(self._now)
        # the picture and the still face must be seen anew: what came before the pause does not count
        self._camera_check.restart_wait()
        if self.phase is Phase.CALIBRATING:
            self._calibrator.reset()
        if self.phase in REP_PHASES:
            # the repetition under way when paused is done again from its start
            self._start_phase(Phase.MOVE)
            self._message = wording.REPEAT_AFTER_PAUSE

    def skip(self) -> None:
        """Go on past the current step: relaxing ends with the face as it is (as `accept_rest`),
        an exercise is left (its finished repetitions are kept). The camera check cannot be
        skipped: without a face in the picture there is nothing to measure."""
        if self.phase is Phase.CALIBRATING:
            self.accept_rest()
            return
        if self.finished or self.exercise is None or self.phase is Phase.CAMERA_CHECK:
            return
        self._clock.end_pause()
        if self._run is None or self._run.finished:
            # the exercise is already finished (its result is showing): just move on
            self._index += 1
            self._begin_exercise()
            return
        self._finish_exercise("skipped")

    def accept_rest(self) -> bool:
        """Take the face as it has been these last seconds as the resting face, though it did
        not stay still (kept with that flag); False if not relaxing now or no face was seen."""
        if self.finished or self.phase is not Phase.CALIBRATING:
            return False
        face_frame = self._calibrator.accept()
        if face_frame is None:
            return False
        self._clock.end_pause()
        self.rest_accepted = True
        self._rest_found(face_frame)
        return True

    def stop(self) -> None:
        """End the session now; everything finished so far is kept."""
        if self.finished:
            return
        self._clock.end_pause()
        if self.exercise is not None and self._run is not None and not self._run.finished:
            self._finish_exercise("stopped", advance=False)
        self._finish_session("stopped")

    def source_lost(self, reason: str) -> None:
        """The camera stopped (`reason`, in the person's language): pause, keep everything,
        and re-check the picture on return."""
        if self.finished:
            return
        message = wording.camera_lost_reason(reason)
        if self.paused:
            self.pause_reason = message  # already paused by the person: say why nothing comes now
        else:
            self.pause(message)
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
        if self.phase is Phase.CAMERA_CHECK:
            self._on_camera_check(image_rgb, faces, chosen)
        elif self.phase is Phase.CALIBRATING:
            self._on_calibrating(chosen)
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
            self._run.start_repetition()
        prompt = wording.phase_prompt(phase, exercise, self.repetitions_done + 1)
        if prompt is not None:
            self.listener.prompt(*prompt)

    def _on_camera_check(self, image_rgb: np.ndarray, faces: list[np.ndarray], chosen: np.ndarray | None) -> None:
        if not self._camera_check.passed(image_rgb, faces, chosen, self._now):
            return
        target = self._return_after_check
        if target is Phase.CALIBRATING:
            self._calibrator.reset()
            self.listener.prompt("start", wording.calibration_prompt())
        self._start_phase(target)

    def _on_calibrating(self, chosen: np.ndarray | None) -> None:
        face_frame = self._calibrator.add(chosen, self._now)
        if face_frame is not None:
            self._rest_found(face_frame)

    def _rest_found(self, face_frame: FaceFrame) -> None:
        self.face_frame = face_frame
        self._calibration_mm = face_frame.normalise(self._calibrator.last_frames)
        self.resting = static_measures(face_frame.reference_mm)
        self.listener.resting_measured(self.resting, self.rest_accepted)
        self._begin_exercise()

    def _begin_exercise(self) -> None:
        exercise = self.exercise
        if exercise is None:
            self._finish_session("completed")
            return
        assert self.face_frame is not None
        meter = ExerciseMeter(exercise, self.face_frame, self._calibration_mm)
        self._run = ExerciseRun(meter, self.keep_snapshots)
        self.listener.exercise_started(self._index, exercise)
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
        if chosen is not None and measures is None:  # turned away: not measured
            self._message, self._feedback = wording.TURN_TOWARDS_SCREEN, None
        elif measures is not None:
            self._feedback = run.meter.judge(measures)
            if run.exercise.primary[0] == "eye_closure_mm" and self.phase is not Phase.RELAX:
                closure = measures.eye_closure
                self.listener.eye_closure(float(closure[0]), float(closure[1]), self._now)
            if self._message in (wording.FACE_LOST_MESSAGE, wording.TURN_TOWARDS_SCREEN):
                self._message = ""
        elif self._face_seen_at is None or self._now - self._face_seen_at > self.timing.face_lost_s:
            self._message = wording.FACE_LOST_MESSAGE

    def _complete_rep(self) -> None:
        run = self._run
        assert run is not None
        outcome = run.end_repetition(self.fps)
        rep = outcome.rep
        if rep is None:
            if outcome.gives_up:  # no movement in several tries: recorded as not done, and on
                self.listener.prompt("done", wording.not_done_prompt(run.exercise))
                self._finish_exercise("not_done")
                return
            self._message = wording.RETRY_MESSAGES[outcome.reason]
            self.listener.prompt("start", tr(self._message))
            self._start_phase(Phase.MOVE)
            return
        self.listener.repetition_done(self._index, len(run.reps), rep)
        if len(run.reps) < run.exercise.repetitions:
            self._start_phase(Phase.MOVE)
        else:
            self._finish_exercise("completed")

    def _finish_exercise(self, status: str, advance: bool = True) -> None:
        run = self._run
        assert run is not None
        result, snapshot = run.finish(status)
        self.results.append(result)
        if snapshot is not None:
            self.listener.peak_snapshot(self._index, snapshot)
        self.listener.exercise_finished(self._index, result)
        self._feedback = None
        if not advance:
            return
        if status == "completed":
            self.listener.prompt("done", wording.exercise_done_prompt(run.exercise))
            self._start_phase(Phase.EXERCISE_RESULT)
        else:
            self._index += 1
            self._begin_exercise()

    def _finish_session(self, status: str) -> None:
        self.finished = True
        self.end_status = status
        self.phase = Phase.SUMMARY
        self._feedback = None
        self.listener.session_finished(status)
        self.listener.prompt("done", wording.session_end_prompt(status))

    # ----- what to show ----------------------------------------------------------------
    def view(self) -> SessionView:
        return _view_of(self)


def _view_of(session: CoachingSession) -> SessionView:
    """What the screen shows of `session` now."""
    exercise = session.exercise if not session.finished else None
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
        pause_reason=session.pause_reason if session.paused else None,
        check=session._camera_check.last,
        calibration_problem=session._calibrator.last_problem,
        finished=session.finished,
        message=session._message,
        feedback=session._feedback,
        end_status=session.end_status,
    )
    rep_total = exercise.repetitions if exercise else 0
    return SessionView(
        phase=session.phase,
        headline=headline,
        detail=detail,
        programme_name=session.programme.name,
        paused=session.paused,
        pause_reason=session.pause_reason,
        exercise=exercise,
        exercise_index=session._index,
        exercise_count=len(session.programme.exercises),
        rep_number=min(session.repetitions_done + (1 if session.phase in REP_PHASES else 0), rep_total),
        rep_total=rep_total,
        phase_progress=progress,
        phase_remaining_s=remaining_s,
        feedback=session._feedback if session.phase in REP_PHASES else None,
        camera_check=session._camera_check.last if session.phase is Phase.CAMERA_CHECK else None,
        results=tuple(session.results),
        resting=session.resting,
        finished=session.finished,
        end_status=session.end_status,
        offer_accept_rest=session.phase is Phase.CALIBRATING
        and not session.paused
        and session._clock.elapsed_s(session._now) >= session.timing.offer_rest_after_s,
        session_serial=session.serial,
    )
