"""The live coaching session when the person pauses, skips or stops, and when the camera
goes away or sees nobody, driven offline frame by frame with real faces (see coaching_driver)."""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from coach.plans.exercises import get_exercise
from coach.session.phases import Phase

from coaching_driver import (
    FAST,
    REST,
    SMILE,
    Driver,
    big_smile,
    phases_of,
    programme_of,
    reached,
    rest_frames,
)

# ---------------------------------------------------------------------------------------------
# the person's commands and a camera that goes away
# ---------------------------------------------------------------------------------------------


def test_pause_freezes_the_hold_and_resume_repeats_the_repetition(clip):
    driver = Driver(clip, programme_of(big_smile()))
    driver.feed_until(REST, reached(Phase.HOLD))
    before = driver.feed(rest_frames(0.2))
    events_before = len(driver.recorder.events)
    driver.session.pause()
    paused = [driver.feed([i]) for i in rest_frames(3.0)]  # longer than the hold and the relax together
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
    assert driver.feed(rest_frames(0.5)).detail == "Let's do that repetition again."

    driver.feed(SMILE)  # and now smiles
    driver.exercise_until(lambda v: v.finished)
    ((_, number, rep),) = driver.recorder.named("repetition_done")
    assert number == 1 and rep.start_s >= resume_s  # measured from the restart only
    assert driver.views[-1].results[0].status == "completed"


def test_a_pause_during_the_camera_check_or_calibration_starts_that_step_again(clip):
    driver = Driver(clip, programme_of(big_smile()))
    driver.feed(rest_frames(0.3))  # the picture has been good for 0.3 of the 0.5 s needed
    driver.session.pause()
    driver.feed(rest_frames(2.0))
    driver.session.resume()
    resumed_s = driver.now
    driver.feed_until(REST, reached(Phase.CALIBRATING))
    assert driver.times[-1] - resumed_s >= FAST.camera_ok_s  # a full check after the pause

    halfway = driver.feed(rest_frames(0.75))
    driver.session.pause()
    frozen = [driver.feed([i]) for i in rest_frames(3.0)]
    assert all(v.phase is Phase.CALIBRATING and v.phase_progress == halfway.phase_progress for v in frozen)
    driver.session.resume()
    resumed_s = driver.now
    driver.feed_until(REST, reached(Phase.INSTRUCTION))
    # the relaxed face is measured over a whole, uninterrupted calibration after the pause
    assert driver.times[-1] - resumed_s >= FAST.calibration_s


def test_a_camera_lost_while_paused_says_so_and_checks_again_on_return(clip):
    driver = Driver(clip, programme_of(big_smile()))
    driver.feed_until(REST, reached(Phase.INSTRUCTION))
    driver.session.pause()
    driver.feed(rest_frames(0.5))
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
    driver = Driver(clip, programme_of(big_smile(), gentle))
    driver.feed_until(REST, reached(Phase.INSTRUCTION))
    driver.session.skip()
    view = driver.session.view()
    assert view.phase is Phase.INSTRUCTION and view.exercise.id == "gentle_smile" and view.exercise_index == 1
    (skipped,) = view.results
    assert skipped.exercise.id == "big_smile" and skipped.status == "skipped" and skipped.reps == ()
    assert skipped.summary.reps == 0
    assert driver.recorder.names()[-3:] == ["exercise_finished", "exercise_started", "prompt:start"]
    assert driver.recorder.named("exercise_started")[-1] == (1, gentle)

    driver.exercise_until(reached(Phase.EXERCISE_RESULT))
    assert [r.status for r in driver.session.view().results] == ["skipped", "completed"]
    # skipping the short rest after a finished exercise only moves on: the result stays "completed"
    driver.session.skip()
    view = driver.session.view()
    assert view.finished and [r.status for r in view.results] == ["skipped", "completed"]
    assert [args[0] for args in driver.recorder.named("exercise_finished")] == [0, 1]
    assert driver.recorder.named("session_finished") == [("completed",)]


def test_stop_keeps_the_finished_repetitions(clip):
    driver = Driver(clip, programme_of(big_smile(repetitions=2)))
    driver.feed_until(REST, reached(Phase.MOVE))
    driver.feed(SMILE)
    driver.feed_until(REST, lambda v: v.phase is Phase.MOVE and v.rep_number == 2)
    driver.feed(rest_frames(0.3))
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
    driver = Driver(clip, programme_of(big_smile(repetitions=2)))
    driver.exercise_until(lambda v: v.phase is Phase.MOVE and v.rep_number == 2)
    driver.feed(rest_frames(0.3))
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
    driver.feed(rest_frames(0.2))
    # the camera drops out again during the check, and comes back once more
    driver.session.source_lost("camera 0 stopped delivering frames.")
    driver.wait_without_frames(1.0)
    driver.session.source_back()
    check_from = driver.now
    view = driver.feed_until(REST, lambda v: v.phase is not Phase.CAMERA_CHECK, max_s=3.0)
    assert driver.now - check_from >= FAST.camera_ok_s  # a full check after the second return
    assert view.phase is Phase.MOVE and view.rep_number == 2  # the same repetition, from its start
    assert driver.recorder.named("prompt")[-1] == ("start", "Repetition 2. Big smile, now.")

    driver.feed(SMILE)
    driver.exercise_until(lambda v: v.finished)
    assert [number for _, number, _ in driver.recorder.named("repetition_done")] == [1, 2]
    (result,) = driver.views[-1].results
    assert result.status == "completed" and result.summary.reps == 2


def test_a_repetition_without_any_face_is_not_counted_and_is_repeated(clip):
    driver = Driver(clip, programme_of(big_smile()))
    driver.feed_until(REST, reached(Phase.MOVE))
    empty = itertools.cycle(clip.no_face)
    views = [driver.feed([next(empty)])]
    while not (views[-1].phase is Phase.MOVE and Phase.RELAX in phases_of(views)) and len(views) < 5 * clip.fps:
        views.append(driver.feed([next(empty)]))
    assert phases_of(views) == [Phase.MOVE, Phase.HOLD, Phase.RELAX, Phase.MOVE]
    # a short dropout is not announced; a face missing for over a second is
    lost_after = round(FAST.face_lost_s * clip.fps) + 2
    assert all("can't see your face" not in view.detail for view in views[: lost_after - 4])
    assert all(view.detail == "We can't see your face: look towards the screen." for view in views[lost_after:-1])
    repeated = views[-1]
    assert repeated.rep_number == 1 and driver.recorder.named("repetition_done") == []
    assert repeated.detail == "We couldn't see your face during that repetition; let's do it again."
    assert [text for _, text in driver.recorder.named("prompt")].count("Repetition 1. Big smile, now.") == 2

    restart_s = driver.now
    driver.feed(SMILE)
    driver.exercise_until(lambda v: v.finished)
    ((_, number, rep),) = driver.recorder.named("repetition_done")
    assert number == 1 and rep.start_s >= restart_s
    (result,) = driver.views[-1].results
    assert result.status == "completed" and result.summary.reps == 1
