"""Where light whites out the eyes (a lamp reflected in glasses), the lids are not measured:
the live coach says it cannot see the eyes, `analyze` leaves the stretch out and says so.

The glare is painted onto real faces by the test, so it knows which eye it covered and how
much; the real clips (people talking and blinking, one with glasses, a turned head) show that
nothing ordinary is taken for glare.
"""

from __future__ import annotations

import dataclasses
import itertools

import cv2
import numpy as np
import pytest

from coach.capture.sources import VideoFileSource
from coach.measure.eye_visibility import EYE_CONTOURS, MAX_GLARE_FRACTION, glare_fraction
from coach.plans.exercises import get_exercise
from coach.session import wording
from coach.session.analysis import analyse_track, collect_landmarks
from coach.session.phases import Phase

import synthetic
from coaching_driver import FAST, Clip, Driver, _detect, programme_of

CLIPS = ["talking_blinking.mp4", "talking_blink_woman.mpg", "glasses_talking_blink.mpg", "turn_and_eye_closure.mp4",
         "blink_face.mp4", "single_face.mp4"]  # fmt: skip


def _glared(image: np.ndarray, face: np.ndarray, sides: tuple[int, ...], share: float = 0.7) -> np.ndarray:
    """`image` with a white reflection over the given eyes (0: the patient's left, 1: right),
    an ellipse covering about `share` of the region judged."""
    out = image.copy()
    for side in sides:
        eye = face[list(EYE_CONTOURS[side]), :2]
        centre, extent = eye.mean(axis=0), np.ptp(eye, axis=0)
        axes = (int(extent[0] * 0.65 * share**0.5 + 1), int(max(extent[1], extent[0] / 3) * 1.1 * share**0.5 + 1))
        cv2.ellipse(out, (int(centre[0]), int(centre[1])), axes, 0, 0, 360, (255, 255, 255), -1)
    return out


@pytest.mark.parametrize("name", CLIPS)
def test_no_ordinary_clip_is_taken_for_glare(landmarker, data_dir, name):
    track = collect_landmarks(VideoFileSource(data_dir / name), landmarker)
    assert track.eye_glare is not None and len(track.eye_glare) == len(track.frames_with_face) > 0
    assert track.eye_glare.max() <= MAX_GLARE_FRACTION / 2, f"{name}: {track.eye_glare.max():.2f} of an eye whited out"


def test_the_glare_is_found_on_the_eye_it_covers_and_a_glint_is_not(clip):
    image, face = clip.images[0], clip.chosen[0]
    left = glare_fraction(_glared(image, face, (0,)), face)
    assert left[0] > MAX_GLARE_FRACTION and left[1] == pytest.approx(0.0, abs=0.01)
    right = glare_fraction(_glared(image, face, (1,)), face)
    assert right[1] > MAX_GLARE_FRACTION and right[0] == pytest.approx(0.0, abs=0.01)
    glint = image.copy()
    x, y = face[473, :2].astype(int)  # a catchlight in the iris: a few pixels
    cv2.circle(glint, (x, y), 2, (255, 255, 255), -1)
    assert glare_fraction(glint, face).max() < MAX_GLARE_FRACTION


@pytest.fixture(scope="module")
def glaring(clip, landmarker):
    """The man at rest, then the same frames with a reflection over his left eye."""
    images = [_glared(clip.images[i], clip.chosen[i], (0,)) for i in range(12)]
    faces, chosen = _detect(landmarker, images, clip.fps)
    assert all(face is not None for face in chosen), "the face is still found under the glare"
    rest = list(range(12))
    return Clip(clip.images[:12] + images, clip.faces[:12] + faces, clip.chosen[:12] + chosen, clip.fps, [], {}), rest


def test_the_live_coach_says_it_cannot_see_the_eyes_and_counts_nothing(glaring):
    clip, rest = glaring
    glared = [i + 12 for i in rest]
    exercise = dataclasses.replace(get_exercise("gentle_eye_closure"), repetitions=2)
    driver = Driver(clip, programme_of(exercise), FAST)
    driver.feed_until(itertools.cycle(rest), lambda view: view.phase is Phase.MOVE)
    views = [driver.feed([i]) for i in itertools.islice(itertools.cycle(glared), round(2 * clip.fps))]
    said = [view.detail for view in views]
    assert wording.EYES_HIDDEN in said and all(v.feedback is None for v in views if v.detail == wording.EYES_HIDDEN)
    driver.feed_until(itertools.cycle(glared), lambda view: view.finished, max_s=120)
    assert driver.recorder.named("repetition_done") == []
    (result,) = driver.views[-1].results
    assert result.status == "not_done"  # never trapped: after three tries it moves on


def test_analyze_leaves_the_glared_stretch_out_and_says_so(glaring, landmarker, tmp_path):
    clip, rest = glaring
    order = [*rest, *rest, *(i + 12 for i in rest), *rest]  # at rest, then the reflection, then rest again
    path = synthetic.write_clip(tmp_path / "glare.avi", [clip.images[i] for i in order], clip.fps)
    track = collect_landmarks(VideoFileSource(path), landmarker)
    analysis = analyse_track(track, get_exercise("gentle_eye_closure"))
    (said,) = [w for w in analysis.warnings if w.startswith("light whited out the eyes")]
    assert "in 12 frames" in said and "not measured" in said
    assert len(analysis.track.frames_with_face) == len(order) - 12
    brows = analyse_track(track, get_exercise("raise_brows"))  # the brows are not read at the lids
    assert not any(w.startswith("light whited out") for w in brows.warnings)
