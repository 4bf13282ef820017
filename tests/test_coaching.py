"""The live coaching session, driven offline frame by frame with real faces and the real model.

The man in single_face.mp4 rests (frames 0–11), smiles broadly (≈15–60) and rests
again. Landmarks are found once per module; each test then feeds a CoachingSession
those real frames and landmarks in whatever order it needs, with synthetic timestamps
(frame number ÷ fps), exactly as the live pipeline's processing thread would.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import cv2
import numpy as np
import pytest

from coach.coaching import CoachingSession, Phase, SessionTiming, SessionView, feedback_for
from coach.exercises import Exercise, get_exercise
from coach.landmarks import FaceSelector
from coach.programmes import Programme
from coach.sources import Frame

import synthetic

FAST = SessionTiming(camera_ok_s=0.5, calibration_s=1.5, instruction_s=0.5, countdown_s=0.5, move_s=1.0, result_s=0.5)
#: the resting frames played back and forth, as long as needed
REST = list(range(12)) + list(range(10, 0, -1))
SMILE = list(range(12, 72))


def _rest(seconds: float, fps: float = 30.0) -> list[int]:
    return list(itertools.islice(itertools.cycle(REST), round(seconds * fps)))


def _big_smile(repetitions: int = 1) -> Exercise:
    return dataclasses.replace(get_exercise("big_smile"), repetitions=repetitions, hold_s=1.0, relax_s=1.5)


def _programme(*exercises: Exercise) -> Programme:
    return Programme("t", "T", "", exercises)


@dataclass
class Clip:
    """Real frames and what the real model found in them, by index: 0–71 the man,
    72–81 the empty room, then frame 40 (broad smile) with one side weakened."""

    images: list[np.ndarray]
    faces: list[list[np.ndarray]]
    chosen: list[np.ndarray | None]
    fps: float
    no_face: list[int]
    weakened: dict[str, int]


PEAK = 40


def _detect(landmarker, images: list[np.ndarray], fps: float) -> tuple[list, list]:
    selector = FaceSelector()
    faces, chosen = [], []
    for result in landmarker.run(Frame(i, i / fps, image) for i, image in enumerate(images)):
        faces.append(result.faces)
        chosen.append(selector.choose(result.faces))
    return faces, chosen


@pytest.fixture(scope="module")
def clip(landmarker, data_dir) -> Clip:
    frames, fps = synthetic.read_clip(data_dir / "single_face.mp4")
    empty, _ = synthetic.read_clip(data_dir / "no_face.mp4")
    images = frames + [cv2.resize(frame, (640, 360)) for frame in empty[:10]]
    faces, chosen = _detect(landmarker, images, fps)
    assert all(face is not None for face in chosen[:72]), "the man is found in every frame"
    assert not any(faces[72:]), "nobody in the empty room"
    # the broad smile with the patient's left, or right, half pulled 80 % back toward rest
    base = [*range(12), PEAK]  # the warp's resting reference is the first 12 frames
    weak = [
        synthetic.weaken_side([frames[i] for i in base], [chosen[i] for i in base], side, 0.8, range(12))[-1]
        for side in ("left", "right")
    ]
    weak_faces, weak_chosen = _detect(landmarker, weak, fps)
    assert all(face is not None for face in weak_chosen)
    weakened = {"left": len(images), "right": len(images) + 1}
    return Clip(images + weak, faces + weak_faces, chosen + weak_chosen, fps, list(range(72, 82)), weakened)


class Recorder:
    """A SessionListener that keeps every event, in order."""

    def __init__(self) -> None:
        self.events: list[tuple[str, tuple]] = []

    def session_started(self, programme):
        self.events.append(("session_started", (programme,)))

    def resting_measured(self, resting):
        self.events.append(("resting_measured", (resting,)))

    def exercise_started(self, index, exercise):
        self.events.append(("exercise_started", (index, exercise)))

    def repetition_done(self, index, number, rep):
        self.events.append(("repetition_done", (index, number, rep)))

    def exercise_finished(self, index, result):
        self.events.append(("exercise_finished", (index, result)))

    def session_finished(self, status):
        self.events.append(("session_finished", (status,)))

    def prompt(self, kind, text):
        self.events.append(("prompt", (kind, text)))

    def eye_closure(self, closure_left, closure_right, now_s):
        self.events.append(("eye_closure", (closure_left, closure_right, now_s)))

    def peak_snapshot(self, index, snapshot):
        self.events.append(("peak_snapshot", (index, snapshot)))

    def named(self, name: str) -> list[tuple]:
        return [args for event, args in self.events if event == name]

    def names(self) -> list[str]:
        return [event if event != "prompt" else f"prompt:{args[0]}" for event, args in self.events]


class Driver:
    """Feeds a session real frames by clip index, one per 1/fps seconds."""

    def __init__(
        self, clip: Clip, programme: Programme, timing: SessionTiming = FAST, keep_snapshots: bool = False
    ) -> None:
        self.clip = clip
        self.recorder = Recorder()
        self.session = CoachingSession(programme, self.recorder, timing, clip.fps, keep_snapshots=keep_snapshots)
        self.frame_number = 0
        self.offset_s = 0.0
        self.views: list[SessionView] = []
        self.times: list[float] = []

    @property
    def now(self) -> float:
        return self.offset_s + self.frame_number / self.clip.fps

    def feed(self, indices: Iterable[int]) -> SessionView:
        for i in indices:
            self.times.append(self.now)
            image, faces, chosen = self.clip.images[i], self.clip.faces[i], self.clip.chosen[i]
            self.views.append(self.session.update(self.now, image, faces, chosen))
            self.frame_number += 1
        return self.views[-1]

    def feed_until(
        self, indices: Iterable[int], done: Callable[[SessionView], bool], max_s: float = 15.0
    ) -> SessionView:
        """Feed frames from `indices` (cycled) until `done(view)`; fail if it never happens."""
        for count, i in enumerate(itertools.cycle(indices)):
            if count > max_s * self.clip.fps:
                raise AssertionError(f"not reached after {max_s} s; stuck in {self.views[-1].phase}")
            if done(self.feed([i])):
                return self.views[-1]
        raise AssertionError("unreachable")

    def wait_without_frames(self, seconds: float) -> None:
        """The camera delivers nothing for a while (unplugged)."""
        self.offset_s += seconds


def _phases(views: list[SessionView]) -> list[Phase]:
    return [phase for phase, _ in itertools.groupby(view.phase for view in views)]


def _in(*phases: Phase) -> Callable[[SessionView], bool]:
    return lambda view: view.phase in phases


# ---------------------------------------------------------------------------------------------
# the whole session on a recorded smile
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def full_run(clip) -> Driver:
    """3.5 s rest + the real smile + 3 s rest through a one-smile programme."""
    driver = Driver(clip, _programme(_big_smile()))
    driver.feed(_rest(3.5) + SMILE + _rest(3.0))
    return driver


def test_full_session_goes_through_every_step_and_measures_the_smile(full_run):
    assert _phases(full_run.views) == [
        Phase.CAMERA_CHECK,
        Phase.CALIBRATING,
        Phase.INSTRUCTION,
        Phase.COUNTDOWN,
        Phase.MOVE,
        Phase.HOLD,
        Phase.RELAX,
        Phase.EXERCISE_RESULT,
        Phase.SUMMARY,
    ]
    recorder = full_run.recorder
    assert recorder.names() == [
        "session_started",
        "prompt:start",  # relax your face (calibration)
        "resting_measured",
        "exercise_started",
        "prompt:start",  # the exercise's instruction
        "prompt:start",  # repetition 1, now
        "prompt:hold",
        "prompt:relax",
        "repetition_done",
        "exercise_finished",
        "prompt:done",
        "session_finished",
        "prompt:done",
    ]
    prompts = [text for _, text in recorder.named("prompt")]
    assert prompts[1].startswith("Big smile. Smile broadly") and prompts[2].startswith("Repetition 1.")
    (resting,) = recorder.named("resting_measured")
    assert set(resting[0]) >= {"brow_height_mm", "palpebral_fissure_mm", "mouth_half_width_mm"}
    assert all(15 < resting[0]["mouth_half_width_mm"][side] < 30 for side in ("left", "right"))

    ((index, number, rep),) = recorder.named("repetition_done")
    assert (index, number) == (0, 1)
    # the man's broad, even smile: both corners well over 8 mm, sides within 15 %
    assert rep.left_mm > 8 and rep.right_mm > 8 and rep.symmetry >= 0.85 and rep.weaker_side is None
    assert rep.complete
    move_start = next(v for v in full_run.views if v.phase is Phase.MOVE)
    smile_start_s = 3.5
    assert smile_start_s < rep.peak_s < smile_start_s + 2.0  # the peak lies inside the smile frames
    assert rep.end_s - rep.start_s == pytest.approx(1.0 + 1.0 + 1.5, abs=0.1)  # move + hold + relax
    assert move_start.rep_number == 1 and move_start.rep_total == 1

    ((finished_index, result),) = recorder.named("exercise_finished")
    assert finished_index == 0 and result.status == "completed" and result.reps == (rep,)
    assert recorder.named("session_finished") == [("completed",)]

    view = full_run.views[-1]
    assert view.finished and view.phase is Phase.SUMMARY and view.headline == "Session complete"
    assert view.feedback is None and view.exercise is None
    assert view.results == (result,)
    summary = view.results[0].summary
    assert summary.reps == 1 and summary.left_mm == pytest.approx(rep.left_mm)
    assert summary.symmetry == pytest.approx(rep.symmetry)
    assert view.resting == resting[0]


def test_a_picture_is_kept_at_the_peak_of_the_exercise_only_when_chosen(clip, full_run):
    assert "peak_snapshot" not in full_run.recorder.names()  # not chosen: no picture is even taken
    driver = Driver(clip, _programme(_big_smile()), keep_snapshots=True)
    driver.feed(_rest(3.5) + SMILE + _rest(3.0))
    names = driver.recorder.names()
    assert names.index("peak_snapshot") == names.index("exercise_finished") - 1  # saved with its exercise
    ((index, snapshot),) = driver.recorder.named("peak_snapshot")
    assert index == 0 and snapshot.measure == "commissure_excursion_mm"

    def mouth_to_eyes(face: np.ndarray) -> float:
        return float(np.linalg.norm(face[291, :2] - face[61, :2]) / np.linalg.norm(face[362, :2] - face[133, :2]))

    # the widest smile of the clip, give or take the landmarks' jitter
    widest = max(mouth_to_eyes(clip.chosen[i]) for i in SMILE)
    resting = np.median([mouth_to_eyes(clip.chosen[i]) for i in REST])
    assert mouth_to_eyes(snapshot.face_px) > resting + 0.9 * (widest - resting)
    assert snapshot.picture_rgb.shape[0] < clip.images[0].shape[0]  # the face, cropped


def test_feedback_during_the_hold_of_an_even_smile_is_good(full_run):
    exercise = full_run.session.programme.exercises[0]
    holding = [view for view in full_run.views if view.phase is Phase.HOLD]
    assert len(holding) == pytest.approx(30, abs=1)  # hold_s = 1 s at 30 fps
    for view in holding:
        feedback = view.feedback
        assert feedback is not None and feedback.status == "good", feedback
        assert feedback.symmetry is not None and feedback.symmetry >= 0.85
        assert feedback.left_mm > 8 and feedback.right_mm > 8  # both bars well up
        assert feedback.target_mm == exercise.target_mm
        assert view.detail == feedback.message == "Even movement: well done."
        assert view.headline.startswith("Hold")
    # before the smile starts, the face at rest is "idle": no symmetry from noise
    resting_move = [v for v in full_run.views if v.phase is Phase.MOVE][1:10]
    assert all(v.feedback.status == "idle" and v.feedback.symmetry is None for v in resting_move)
    # outside the repetition phases there are no bars
    assert all(v.feedback is None for v in full_run.views if v.phase not in (Phase.MOVE, Phase.HOLD, Phase.RELAX))


def test_feedback_for_judges_range_evenness_and_names_sides():
    exercise = get_exercise("big_smile")  # min movement 1.5 mm, target 5–18 mm, symmetry 0.8, limit 35 %
    assert exercise.min_movement_mm == 1.5 and exercise.target_mm == (5.0, 18.0)

    def judge(left: float, right: float, noise: float = 0.5, watch: dict | None = None):
        return feedback_for(exercise, np.array([left, right]), watch or {}, noise)

    idle = judge(1.2, 0.3)
    assert idle.status == "idle" and idle.symmetry is None
    assert judge(19.0, 18.5).status == "too_much"
    assert "smaller" in judge(19.0, 18.5).message

    caution = judge(12.0, 4.0)  # the patient's right moves a third as much as the left
    assert caution.status == "caution" and caution.symmetry == pytest.approx(1 / 3)
    assert "your right side" in caution.message and "left" not in caution.message
    mirrored = judge(4.0, 12.0)
    assert mirrored.status == "caution" and "your left side" in mirrored.message

    even = judge(10.0, 9.5)
    assert even.status == "good" and even.message == "Even movement: well done."
    small = judge(3.0, 2.8)  # even but below the target range
    assert small.status == "good" and "a little more" in small.message
    # uneven by ratio, but the difference is within this person's resting jitter
    assert judge(6.0, 4.6, noise=2.0).status == "good"
    assert judge(6.0, 4.6, noise=0.5).status == "caution"

    # synkinesis: a watched region moving more than the exercise allows (35 % here)
    alerted = judge(10.0, 9.5, watch={"eye_narrowing_pct": np.array([40.0, 10.0])})
    (alert,) = alerted.alerts
    assert (alert.measure, alert.side, alert.percent) == ("eye_narrowing_pct", "left", 40.0)
    assert alert.message == "Your left eye is closing: keep it open."
    (right_alert,) = judge(10.0, 9.5, watch={"mouth_corner_pull_pct": np.array([0.0, 50.0])}).alerts
    assert right_alert.side == "right" and "right mouth corner" in right_alert.message
    assert judge(10.0, 9.5, watch={"eye_narrowing_pct": np.array([34.0, 30.0])}).alerts == ()
    # the limit is the exercise's own: 30 % is fine in a big smile, not in a gentle one (25 %)
    gentle = get_exercise("gentle_smile")
    assert feedback_for(gentle, np.array([3.0, 3.0]), {"eye_narrowing_pct": np.array([10.0, 30.0])}, 0.5).alerts


@pytest.mark.parametrize("weak_side", ["left", "right"])
def test_live_feedback_names_the_patients_weaker_side(clip, weak_side):
    """A real smile frame with one anatomical side pulled back toward rest (pixels warped,
    landmarks found again by the model): the coach must ask *that* side to join in.
    The patient's left is the image's right in this unmirrored clip."""
    driver = Driver(clip, _programme(_big_smile()))
    driver.feed_until(REST, _in(Phase.MOVE))
    view = driver.feed([clip.weakened[weak_side]] * 5)
    feedback = view.feedback
    strong = "right" if weak_side == "left" else "left"
    assert getattr(feedback, f"{strong}_mm") > 8  # the healthy side smiles broadly
    assert getattr(feedback, f"{weak_side}_mm") < 0.5 * getattr(feedback, f"{strong}_mm")
    assert feedback.status == "caution"
    assert f"Let your {weak_side} side join in" in feedback.message and view.detail == feedback.message


# ---------------------------------------------------------------------------------------------
# calibration
# ---------------------------------------------------------------------------------------------


def _calibrating(clip: Clip, programme: Programme | None = None) -> Driver:
    driver = Driver(clip, programme or _programme(_big_smile()))
    driver.feed_until(REST, _in(Phase.CALIBRATING))
    return driver


def test_calibration_restarts_when_the_person_smiles(clip, full_run):
    driver = _calibrating(clip)
    views = [driver.feed([i]) for i in SMILE]
    smile_times = driver.times[-len(SMILE) :]
    assert all(v.phase is Phase.CALIBRATING for v in views)
    open_lips = views[30]  # mid-smile, teeth showing
    assert open_lips.detail == "Close your lips gently and relax your face." and open_lips.phase_progress == 0.0
    assert driver.recorder.named("resting_measured") == []
    # once the lips are closed again, calibration takes its full time from there
    done = driver.feed_until(REST, lambda v: v.phase is not Phase.CALIBRATING)
    assert done.phase is Phase.INSTRUCTION
    # (the last restart: the calibration's progress was back at zero, after the smile's last open-lip frame)
    timeline = list(zip(driver.times, driver.views, strict=True))
    last_restart = max(t for t, v in timeline if v.phase is Phase.CALIBRATING and v.phase_progress == 0.0)
    assert last_restart >= smile_times[SMILE.index(69)]  # frame 69: the last with the lips apart
    assert driver.times[-1] - last_restart >= FAST.calibration_s
    # and the resting face is the relaxed one, not the smile
    (resting,) = driver.recorder.named("resting_measured")
    clean = full_run.recorder.named("resting_measured")[0][0]
    for side in ("left", "right"):
        assert resting[0]["mouth_half_width_mm"][side] == pytest.approx(clean["mouth_half_width_mm"][side], abs=0.5)


def test_calibration_restarts_when_the_face_moves_with_closed_lips(clip):
    """Halfway through, a closed-lip smile starts (frames 12–18, lips still together):
    the stretch is not still, so it is rejected at its end and begun again."""
    driver = _calibrating(clip)
    onset = [*_rest(0.75), *range(12, 19)]
    held = list(itertools.islice(itertools.cycle([16, 17, 18, 17]), 60))
    views = [driver.feed([i]) for i in onset + held]
    assert all(v.phase is Phase.CALIBRATING for v in views)
    assert views[-1].detail == "Keep your face still and relaxed, starting again."
    assert driver.recorder.named("resting_measured") == []
    driver.feed_until(REST, _in(Phase.INSTRUCTION), max_s=4.0)
    assert len(driver.recorder.named("resting_measured")) == 1


def test_calibration_restarts_when_the_face_is_lost(clip):
    driver = _calibrating(clip)
    halfway = driver.feed(_rest(0.8))
    assert halfway.phase is Phase.CALIBRATING and 0.4 < halfway.phase_progress < 0.7
    lost = driver.feed(clip.no_face[:5])
    assert lost.phase is Phase.CALIBRATING and lost.phase_progress == 0.0
    assert lost.detail == "We lost sight of your face: look at the screen, starting again."
    back_at = driver.now
    driver.feed_until(REST, _in(Phase.INSTRUCTION))
    assert driver.now - back_at >= FAST.calibration_s  # the half done before does not count


# ---------------------------------------------------------------------------------------------
# the person's commands and a camera that goes away
# ---------------------------------------------------------------------------------------------


def test_pause_freezes_the_hold_and_resume_repeats_the_repetition(clip):
    driver = Driver(clip, _programme(_big_smile()))
    driver.feed_until(REST, _in(Phase.HOLD))
    before = driver.feed(_rest(0.2))
    events_before = len(driver.recorder.events)
    driver.session.pause()
    paused = [driver.feed([i]) for i in _rest(3.0)]  # longer than the hold and the relax together
    for view in paused:
        assert view.paused and view.phase is Phase.HOLD and view.headline == "Paused"
        assert view.phase_remaining_s == pytest.approx(before.phase_remaining_s, abs=1e-6)
    assert len(driver.recorder.events) == events_before  # nothing happens while paused

    driver.session.resume()
    resume_s = driver.now
    view = driver.session.view()
    assert not view.paused and view.phase is Phase.MOVE and view.rep_number == 1
    assert view.detail == "Let's do that repetition again."
    assert driver.recorder.events[-1] == ("prompt", ("start", "Repetition 1. Big smile, now."))
    # the notice stays on screen while the person starts again, not for one frame only
    assert driver.feed(_rest(0.5)).detail == "Let's do that repetition again."

    driver.feed_until(REST, lambda v: v.finished)
    ((_, number, rep),) = driver.recorder.named("repetition_done")
    assert number == 1 and rep.start_s >= resume_s  # measured from the restart only
    assert driver.views[-1].results[0].status == "completed"


def test_a_pause_during_the_camera_check_or_calibration_starts_that_step_again(clip):
    driver = Driver(clip, _programme(_big_smile()))
    driver.feed(_rest(0.3))  # the picture has been good for 0.3 of the 0.5 s needed
    driver.session.pause()
    driver.feed(_rest(2.0))
    driver.session.resume()
    resumed_s = driver.now
    driver.feed_until(REST, _in(Phase.CALIBRATING))
    assert driver.times[-1] - resumed_s >= FAST.camera_ok_s  # a full check after the pause

    halfway = driver.feed(_rest(0.75))
    driver.session.pause()
    frozen = [driver.feed([i]) for i in _rest(3.0)]
    assert all(v.phase is Phase.CALIBRATING and v.phase_progress == halfway.phase_progress for v in frozen)
    driver.session.resume()
    resumed_s = driver.now
    driver.feed_until(REST, _in(Phase.INSTRUCTION))
    # the relaxed face is measured over a whole, uninterrupted calibration after the pause
    assert driver.times[-1] - resumed_s >= FAST.calibration_s


def test_a_camera_lost_while_paused_says_so_and_checks_again_on_return(clip):
    driver = Driver(clip, _programme(_big_smile()))
    driver.feed_until(REST, _in(Phase.INSTRUCTION))
    driver.session.pause()
    driver.feed(_rest(0.5))
    driver.session.source_lost("camera 0 was unplugged.")
    view = driver.session.view()
    assert view.paused and "camera 0 was unplugged" in view.pause_reason and "saved" in view.pause_reason
    driver.wait_without_frames(2.0)
    driver.session.source_back()
    assert driver.session.view().phase is Phase.CAMERA_CHECK
    view = driver.feed_until(REST, lambda v: v.phase is not Phase.CAMERA_CHECK, max_s=2.0)
    assert view.phase is Phase.INSTRUCTION and not view.paused and view.exercise_index == 0


def test_skip_moves_on_and_keeps_the_skipped_exercise_as_skipped(clip):
    gentle = dataclasses.replace(get_exercise("gentle_smile"), repetitions=1, hold_s=1.0, relax_s=1.0)
    driver = Driver(clip, _programme(_big_smile(), gentle))
    driver.feed_until(REST, _in(Phase.INSTRUCTION))
    driver.session.skip()
    view = driver.session.view()
    assert view.phase is Phase.INSTRUCTION and view.exercise.id == "gentle_smile" and view.exercise_index == 1
    (skipped,) = view.results
    assert skipped.exercise.id == "big_smile" and skipped.status == "skipped" and skipped.reps == ()
    assert skipped.summary.reps == 0
    assert driver.recorder.names()[-3:] == ["exercise_finished", "exercise_started", "prompt:start"]
    assert driver.recorder.named("exercise_started")[-1] == (1, gentle)

    driver.feed_until(REST, _in(Phase.EXERCISE_RESULT))
    assert [r.status for r in driver.session.view().results] == ["skipped", "completed"]
    # skipping the short rest after a finished exercise only moves on: the result stays "completed"
    driver.session.skip()
    view = driver.session.view()
    assert view.finished and [r.status for r in view.results] == ["skipped", "completed"]
    assert [args[0] for args in driver.recorder.named("exercise_finished")] == [0, 1]
    assert driver.recorder.named("session_finished") == [("completed",)]


def test_stop_keeps_the_finished_repetitions(clip):
    driver = Driver(clip, _programme(_big_smile(repetitions=2)))
    driver.feed_until(REST, _in(Phase.MOVE))
    driver.feed(SMILE)
    driver.feed_until(REST, lambda v: v.phase is Phase.MOVE and v.rep_number == 2)
    driver.feed(_rest(0.3))
    ((_, _, first),) = driver.recorder.named("repetition_done")
    driver.session.stop()
    view = driver.session.view()
    assert view.finished and view.phase is Phase.SUMMARY
    (result,) = view.results
    assert result.status == "stopped" and result.reps == (first,) and result.summary.reps == 1
    assert result.summary.left_mm > 8 and result.summary.right_mm > 8
    assert driver.recorder.named("session_finished") == [("stopped",)]
    assert driver.recorder.events[-1] == ("prompt", ("done", "Session stopped."))
    events = len(driver.recorder.events)
    driver.feed(SMILE[:30])  # nothing more is measured after a stop
    assert len(driver.recorder.events) == events and driver.views[-1].results == view.results


def test_lost_camera_pauses_and_the_repetition_resumes_after_a_new_check(clip):
    driver = Driver(clip, _programme(_big_smile(repetitions=2)))
    driver.feed_until(REST, lambda v: v.phase is Phase.MOVE and v.rep_number == 2)
    driver.feed(_rest(0.3))
    assert len(driver.recorder.named("repetition_done")) == 1

    driver.session.source_lost("camera 0 stopped delivering frames.")
    view = driver.session.view()
    assert view.paused and view.headline == "Paused"
    assert "saved" in view.pause_reason and "camera 0 stopped" in view.pause_reason
    driver.session.resume()  # pressing Resume cannot resume without a camera
    assert driver.session.view().paused
    driver.wait_without_frames(4.0)

    driver.session.source_back()
    view = driver.session.view()
    assert view.phase is Phase.CAMERA_CHECK and not view.paused
    driver.feed(_rest(0.2))
    # the camera drops out again during the check, and comes back once more
    driver.session.source_lost("camera 0 stopped delivering frames.")
    driver.wait_without_frames(1.0)
    driver.session.source_back()
    check_from = driver.now
    view = driver.feed_until(REST, lambda v: v.phase is not Phase.CAMERA_CHECK, max_s=3.0)
    assert driver.now - check_from >= FAST.camera_ok_s  # a full check after the second return
    assert view.phase is Phase.MOVE and view.rep_number == 2  # the same repetition, from its start
    assert driver.recorder.named("prompt")[-1] == ("start", "Repetition 2. Big smile, now.")

    driver.feed_until(REST, lambda v: v.finished)
    assert [number for _, number, _ in driver.recorder.named("repetition_done")] == [1, 2]
    (result,) = driver.views[-1].results
    assert result.status == "completed" and result.summary.reps == 2


def test_a_repetition_without_any_face_is_not_counted_and_is_repeated(clip):
    driver = Driver(clip, _programme(_big_smile()))
    driver.feed_until(REST, _in(Phase.MOVE))
    empty = itertools.cycle(clip.no_face)
    views = [driver.feed([next(empty)])]
    while not (views[-1].phase is Phase.MOVE and Phase.RELAX in _phases(views)) and len(views) < 5 * clip.fps:
        views.append(driver.feed([next(empty)]))
    assert _phases(views) == [Phase.MOVE, Phase.HOLD, Phase.RELAX, Phase.MOVE]
    # a short dropout is not announced; a face missing for over a second is
    lost_after = round(FAST.face_lost_s * clip.fps) + 2
    assert all("can't see your face" not in view.detail for view in views[: lost_after - 4])
    assert all(view.detail == "We can't see your face: look towards the screen." for view in views[lost_after:-1])
    repeated = views[-1]
    assert repeated.rep_number == 1 and driver.recorder.named("repetition_done") == []
    assert repeated.detail == "We couldn't see your face during that repetition; let's do it again."
    assert [text for _, text in driver.recorder.named("prompt")].count("Repetition 1. Big smile, now.") == 2

    restart_s = driver.now
    driver.feed_until(REST, lambda v: v.finished)
    ((_, number, rep),) = driver.recorder.named("repetition_done")
    assert number == 1 and rep.start_s >= restart_s
    (result,) = driver.views[-1].results
    assert result.status == "completed" and result.summary.reps == 1
