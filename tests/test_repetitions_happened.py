"""The coach records only what happened: a repetition is a movement that was made and held,
by one rule for the live coach and for a recorded video (`engine.counts_as_repetition`).

Real faces and the real model throughout: a still face through the whole daily programme,
healthy people talking and blinking (tests/data/PROVENANCE.md), and the smile clip both
live and through `analyze`. The records are a real SQLite file.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest

from coach.measure.geometry import turn_from_reference_deg
from coach.plans.exercises import get_exercise
from coach.plans.programmes import load_programmes
from coach.session import engine
from coach.session.analysis import analyse_track
from coach.session.phases import Phase
from coach.usecases.clinic import Clinic
from coach.usecases.live_session import LiveRecords

from coaching_driver import FAST, REST, Driver, back_and_forth, big_smile, clip_of, programme_of, track_of

TALKING = ["talking_blinking.mp4", "talking_blink_woman.mpg", "glasses_talking_blink.mpg"]


# ----- the rule itself, on signals whose timing is known -----------------------------------
def _signal(spans_mm: list[tuple[float, float, float]], fps: float = 30.0, length_s: float = 4.0):
    """A movement signal: (start s, end s, mm) stretches on a 0 mm rest, with short ramps."""
    t = np.arange(0, length_s, 1 / fps)
    signal = np.zeros_like(t)
    for start, end, mm in spans_mm:
        signal = np.maximum(signal, mm * np.clip(np.minimum(t - start, end - t) / 0.1 + 0.5, 0, 1))
    return t, signal


@pytest.mark.parametrize(
    ("spans", "counted", "reason"),
    [
        ([(1.0, 2.5, 6.0)], True, ""),  # raised and held 1.5 s
        ([(1.0, 1.7, 6.0)], True, ""),  # held 0.7 s: short, but a held movement
        ([(1.0, 1.2, 8.0)], False, "not held"),  # a blink: closed for 0.2 s
        ([(0.5, 0.7, 4.0), (1.0, 1.2, 4.0), (1.5, 1.7, 4.0), (2.0, 2.2, 4.0)], False, "not held"),  # speech
        ([(1.0, 3.0, 1.0)], False, "no movement"),  # held, but below the onset (1.5 mm)
        ([], False, "no movement"),
    ],
)
def test_a_repetition_is_a_movement_made_and_held(spans, counted, reason):
    t, signal = _signal(spans)
    attempt = engine.counts_as_repetition(signal, t, on_mm=1.5, fps=30.0)
    assert (attempt.counted, attempt.reason) == (counted, reason)


# ----- live: nothing counted where nothing happened ----------------------------------------
def test_a_still_face_through_the_whole_daily_programme_counts_nothing_and_says_so(clip, tmp_path):
    records, _ = LiveRecords.open(tmp_path)
    daily = load_programmes()["daily"]
    driver = Driver(clip, daily, FAST)
    driver.stream.subscribe(records.recorder(on_notice=lambda text: None))
    driver.feed_until(REST, lambda view: view.finished, max_s=60 * 30)

    assert driver.recorder.named("repetition_done") == []
    results = driver.views[-1].results
    assert len(results) == len(daily.exercises) >= 5
    static = [r for r in results if r.exercise.is_static]
    assert all(r.status == "not_done" and r.reps == () for r in results if not r.exercise.is_static), [
        (r.exercise.id, r.status) for r in results
    ]
    spoken = [text for _, text in driver.recorder.named("prompt")]
    assert spoken.count("No movement seen: try again.") == 2 * (len(results) - len(static))
    assert driver.views[-1].end_status == "completed" and driver.views[-1].headline == "Session complete"
    # the bars at zero are never told to hold
    assert not any(v.headline.startswith("Hold") for v in driver.views if v.phase is Phase.HOLD)

    with Clinic.open(records.database)[0] as clinic:
        (saved,) = clinic.sessions()
        detail = clinic.session(saved.id)
    assert [e.status for e in detail.exercises if e.primary_measure] == ["not_done"] * (len(results) - len(static))
    assert sum(len(e.repetitions) for e in detail.exercises) == 0
    assert detail.rest_accepted is False  # the still face was found still


@pytest.fixture(scope="module")
def talking(landmarker, data_dir):
    return {name: clip_of(landmarker, data_dir / name) for name in TALKING}


@pytest.mark.parametrize("name", TALKING)
@pytest.mark.parametrize("exercise_id", ["gentle_eye_closure", "raise_brows"])
def test_talking_and_blinking_counts_no_repetition_live_or_recorded(talking, name, exercise_id):
    clip = talking[name]
    exercise = dataclasses.replace(get_exercise(exercise_id), repetitions=3)
    driver = Driver(clip, programme_of(exercise), FAST)
    frames = back_and_forth(len(clip.images))
    # a face that talks never stays still: after a while the person takes it as it is
    offered = driver.feed_until(frames, lambda view: view.offer_accept_rest or view.phase is Phase.INSTRUCTION)
    if offered.phase is Phase.CALIBRATING:
        assert driver.session.accept_rest() is None
        assert driver.recorder.rest_accepted
    driver.feed_until(frames, lambda view: view.finished, max_s=300)
    assert driver.recorder.named("repetition_done") == []
    (result,) = driver.views[-1].results
    assert result.status == "not_done"

    frames_once = list(range(len(clip.images)))
    analysis = analyse_track(track_of(clip, [i / clip.fps for i in frames_once], frames_once), exercise)
    assert analysis.reps == []


def test_calibration_never_traps_a_face_that_keeps_moving(talking):
    clip = talking["talking_blinking.mp4"]
    driver = Driver(clip, programme_of(big_smile()), FAST)
    frames = back_and_forth(len(clip.images))
    view = driver.feed_until(frames, lambda v: v.offer_accept_rest)
    assert view.phase is Phase.CALIBRATING and driver.now >= FAST.offer_rest_after_s
    assert view.detail  # and it says why it starts again
    driver.session.skip()  # Skip works here too: the face as it is
    view = driver.session.view()
    assert view.phase is Phase.INSTRUCTION and view.resting is not None and driver.recorder.rest_accepted


def test_live_and_recorded_find_the_same_repetition_in_the_same_frames(clip):
    """The smile clip through the live coach, then the very frames the live session saw through
    `analyze`'s analysis: one repetition each, per side within 0.1 mm."""
    exercise = big_smile(repetitions=1)
    driver = Driver(clip, programme_of(exercise), FAST)
    driver.exercise_until(lambda view: view.finished)
    ((_, _, live),) = driver.recorder.named("repetition_done")

    (recorded,) = analyse_track(track_of(clip, driver.times, driver.fed), exercise).reps
    assert recorded.left_mm == pytest.approx(live.left_mm, abs=0.1)
    assert recorded.right_mm == pytest.approx(live.right_mm, abs=0.1)


# ----- no finding where the head is turned away ----------------------------------------------
def _rotated(points: np.ndarray, degrees: float, axis: int) -> np.ndarray:
    """The points turned rigidly about their centre (axis 1: yaw, the vertical axis; 2: roll)."""
    a = np.radians(degrees)
    c, s = np.cos(a), np.sin(a)
    rotation = {1: np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]]), 2: np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])}
    centre = points.mean(axis=0)
    return (points - centre) @ rotation[axis].T + centre


def test_the_turn_is_read_as_it_was_made_and_a_tilt_is_not_a_turn(clip):
    face = clip.chosen[0]
    turned = np.stack([_rotated(face, degrees, 1) for degrees in (5.0, 15.0, 30.0)])
    assert turn_from_reference_deg(turned, face) == pytest.approx([5.0, 15.0, 30.0], abs=0.5)
    tilted = _rotated(face, 30.0, 2)[None]
    assert turn_from_reference_deg(tilted, face) == pytest.approx([0.0], abs=0.5)  # roll hides nothing


@pytest.fixture(scope="module")
def turning(landmarker, data_dir):
    return clip_of(landmarker, data_dir / "turn_and_eye_closure.mp4")


@pytest.mark.parametrize("exercise_id", ["gentle_eye_closure", "raise_brows"])
def test_a_turned_head_gives_no_finding_and_the_turned_stretch_is_said(turning, exercise_id):
    """A healthy woman turned 20-30° who turns to the camera and closes her eyes: nothing is
    measured while she is turned away, and nothing uneven is found."""
    frames = list(range(len(turning.images)))
    analysis = analyse_track(track_of(turning, [i / turning.fps for i in frames], frames), get_exercise(exercise_id))
    (said,) = [w for w in analysis.warnings if "turned more than 20°" in w]
    assert "were not measured" in said
    assert all(rep.symmetry is None or rep.symmetry >= 0.8 for rep in analysis.reps)
    for rep in analysis.reps:  # a lid read open while the eyes were closed would send a patient to an eye doctor
        assert max(rep.measures.get("residual_gap_mm", {"left": 0.0, "right": 0.0}).values()) <= 1.5


def test_the_live_coach_asks_to_face_the_screen_and_does_not_measure_a_turned_head(turning):
    exercise = dataclasses.replace(get_exercise("gentle_eye_closure"), repetitions=2)
    driver = Driver(turning, programme_of(exercise), FAST)
    frontal = list(range(len(turning.images) - 40, len(turning.images)))  # she faces the camera at the end
    driver.feed_until(itertools.cycle(frontal), lambda view: view.phase is Phase.MOVE)
    turned_away = list(range(0, 40))  # at the start she is turned 20-30° away
    views = [driver.feed([i]) for i in itertools.islice(itertools.cycle(turned_away), round(3 * turning.fps))]
    assert any(v.detail == "Turn your head towards the screen: a turned face is not measured." for v in views)
    assert all(v.feedback is None for v in views[5:] if v.detail.startswith("Turn your head"))
    driver.feed_until(itertools.cycle(turned_away), lambda view: view.finished, max_s=120)
    assert driver.recorder.named("repetition_done") == []
    (result,) = driver.views[-1].results
    assert result.status == "not_done"  # never trapped: after three tries turned away, on
