"""The live coaching session on a recorded smile: every step, the measures, the feedback
and the calibration, driven offline frame by frame with real faces and the real model
(see coaching_driver)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from coach.plans.exercises import get_exercise
from coach.session.feedback import feedback_for
from coach.session.phases import Phase

from coaching_driver import (
    FAST,
    REST,
    SMILE,
    Driver,
    big_smile,
    calibrating,
    phases_of,
    programme_of,
    reached,
    rest_frames,
)

# ---------------------------------------------------------------------------------------------
# the whole session on a recorded smile
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def full_run(clip) -> Driver:
    """3.5 s rest + the real smile + 3 s rest through a one-smile programme."""
    driver = Driver(clip, programme_of(big_smile()))
    driver.feed(rest_frames(3.5) + SMILE + rest_frames(3.0))
    return driver


def test_full_session_goes_through_every_step_and_measures_the_smile(full_run):
    assert phases_of(full_run.views) == [
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
    driver = Driver(clip, programme_of(big_smile()), keep_snapshots=True)
    driver.feed(rest_frames(3.5) + SMILE + rest_frames(3.0))
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
    exercise = get_exercise("big_smile")  # min movement 1.5 mm, target 5 to 18 mm, symmetry 0.8, limit 35 %
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
    # within this person's resting jitter the sides cannot be told apart: even if the ratio
    # reaches the target, and no symmetry at all below it (never "60 % · even")
    assert judge(6.0, 5.0, noise=2.0).status == "good"
    within_noise = judge(6.0, 4.6, noise=2.0)
    assert within_noise.status == "idle" and within_noise.symmetry is None
    assert "cannot tell" in within_noise.message
    assert judge(6.0, 4.6, noise=0.5).status == "caution"
    # a movement no larger than the resting noise is no movement: nothing is compared
    assert judge(1.8, 0.2, noise=2.0).symmetry is None

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
    driver = Driver(clip, programme_of(big_smile()))
    driver.feed_until(REST, reached(Phase.MOVE))
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


def test_calibration_restarts_when_the_person_smiles(clip, full_run):
    driver = calibrating(clip)
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
    """Halfway through, a closed-lip smile starts (frames 12 to 18, lips still together):
    the stretch is not still, so it is rejected at its end and begun again."""
    driver = calibrating(clip)
    onset = [*rest_frames(0.75), *range(12, 19)]
    held = list(itertools.islice(itertools.cycle([16, 17, 18, 17]), 60))
    views = [driver.feed([i]) for i in onset + held]
    assert all(v.phase is Phase.CALIBRATING for v in views)
    assert views[-1].detail == "Keep your face still and relaxed, starting again."
    assert driver.recorder.named("resting_measured") == []
    driver.feed_until(REST, reached(Phase.INSTRUCTION), max_s=4.0)
    assert len(driver.recorder.named("resting_measured")) == 1


def test_calibration_restarts_when_the_face_is_lost(clip):
    driver = calibrating(clip)
    halfway = driver.feed(rest_frames(0.8))
    assert halfway.phase is Phase.CALIBRATING and 0.4 < halfway.phase_progress < 0.7
    lost = driver.feed(clip.no_face[:5])
    assert lost.phase is Phase.CALIBRATING and lost.phase_progress == 0.0
    assert lost.detail == "We lost sight of your face: look at the screen, starting again."
    back_at = driver.now
    driver.feed_until(REST, reached(Phase.INSTRUCTION))
    assert driver.now - back_at >= FAST.calibration_s  # the half done before does not count


@pytest.mark.parametrize(
    ("cue", "said"),
    [
        ("tones", "Listen for the tones: they tell you when to open your eyes."),
        ("voice", "Listen for the coach's voice: it tells you when to open your eyes."),
        ("none", "No sound can play here: keep your eyes closed for 5 seconds, then open them."),
    ],
)
def test_eyes_closed_the_instruction_says_what_the_sound_here_can_do(clip, cue, said):
    """Nobody is told to listen for tones that cannot play: the eye-closure instruction says
    how the person will know to open their eyes with the sound this computer has."""
    exercise = get_exercise("gentle_eye_closure")
    driver = Driver(clip, programme_of(exercise), eyes_closed_cue=cue)
    view = driver.feed_until(REST, reached(Phase.INSTRUCTION))
    assert view.detail.endswith(said) and view.detail.startswith(exercise.instruction)
    (spoken,) = [text for kind, text in driver.recorder.named("prompt") if text.startswith(exercise.name)]
    assert spoken.endswith(said)
    assert sum("Listen for" in text or "No sound can play" in text for _, text in driver.recorder.named("prompt")) == 1


def test_the_sound_here_decides_the_cue():
    from coach.sound.audio_coach import AudioCoach
    from coach.sound.outputs import NullOutput, RecordingOutput

    with_tones = AudioCoach(RecordingOutput())
    assert with_tones.eyes_closed_cue == "tones"
    with_tones.muted = True
    assert with_tones.eyes_closed_cue == "none"
    assert AudioCoach(NullOutput("no device")).eyes_closed_cue == "none"  # no output and no speech: nothing
