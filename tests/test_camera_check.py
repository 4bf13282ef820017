"""Camera check guidance and neutral calibration, on real frames seen by the real model.

Every picture is made from real footage (single_face.mp4, no_face.mp4, single_face.jpg)
by moving, shrinking, darkening or rotating its pixels; the model then finds (or does not
find) the face in it, and check_camera must say what the person should do.

Directions are the person's own. The camera image is not mirrored, so someone seen on
the image's left is off to *their* right and must move to *their* left.
"""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import pytest

from coach.capture.sources import Frame, read_image_rgb
from coach.measure.geometry import IRIS_DIAMETER_MM, iris_diameter_px
from coach.measure.landmarks import FaceSelector
from coach.session.camera_check import Calibrator, CameraCheck, check_camera, head_roll_yaw_deg

import synthetic

GOOD = 5  # a frame of the man at rest, facing the camera, in the middle of the picture
PEAK = 40  # the broad smile, lips apart


def _on_canvas(image: np.ndarray, width: int, where: str, pad: str) -> np.ndarray:
    """The picture placed at the left or right end of a wider one (black or edge pixels beside it)."""
    extra = width - image.shape[1]
    left, right = (0, extra) if where == "left" else (extra, 0)
    mode = "constant" if pad == "black" else "edge"
    return np.pad(image, ((0, 0), (left, right), (0, 0)), mode=mode)


def _shifted(image: np.ndarray, dx: int) -> np.ndarray:
    """The same size of picture with its content moved sideways by dx pixels (black comes in)."""
    out = np.zeros_like(image)
    if dx < 0:
        out[:, :dx] = image[:, -dx:]
    else:
        out[:, dx:] = image[:, : image.shape[1] - dx]
    return out


def _shrunk(image: np.ndarray, factor: int) -> np.ndarray:
    """The picture shrunk by `factor` in the middle of a black one of the original size: the person far away."""
    height, width = image.shape[:2]
    small = cv2.resize(image, (width // factor, height // factor), interpolation=cv2.INTER_AREA)
    canvas = np.zeros_like(image)
    y0, x0 = (height - small.shape[0]) // 2, (width - small.shape[1]) // 2
    canvas[y0 : y0 + small.shape[0], x0 : x0 + small.shape[1]] = small
    return canvas


def _zoomed(image: np.ndarray, face: np.ndarray, fraction: float) -> np.ndarray:
    """A crop around the face blown up to the full size: the person much too close."""
    height, width = image.shape[:2]
    cx, cy = (face[:, 0].min() + face[:, 0].max()) / 2, (face[:, 1].min() + face[:, 1].max()) / 2
    w, h = int(width * fraction), int(height * fraction)
    x0, y0 = max(int(cx - w / 2), 0), max(int(cy - h / 2), 0)
    return cv2.resize(image[y0 : y0 + h, x0 : x0 + w], (width, height), interpolation=cv2.INTER_CUBIC)


@pytest.fixture(scope="module")
def seen(landmarker, data_dir) -> dict[str, tuple[np.ndarray, list[np.ndarray], np.ndarray | None]]:
    """name → (picture, every face the model found, the face the coach would measure)."""
    frames, fps = synthetic.read_clip(data_dir / "single_face.mp4")
    empty, _ = synthetic.read_clip(data_dir / "no_face.mp4")
    good = frames[GOOD]
    (face,) = next(landmarker.run([Frame(0, 0.0, good)])).faces
    rolled = synthetic.rotate_clip([good] * 3, [face] * 3, np.array([20.0, 15.0, -15.0]))
    turned = synthetic.turn_clip([good] * 2, [face] * 2, np.array([20.0, -20.0]))
    other = cv2.resize(read_image_rgb(data_dir / "single_face.jpg"), (220, 220))
    two = good.copy()
    two[-220:, -220:] = other  # a second, smaller person in the bottom right corner
    pictures = {
        "good": good,
        "no face": cv2.resize(empty[0], (640, 360)),
        "image left": _on_canvas(good, 1600, "left", "black"),
        "image right": _on_canvas(good, 1600, "right", "edge"),
        # a face of normal size, partly out of the picture on the image's left
        "cut at left edge": _shifted(good, -230),
        # the picture at the top (bottom) of a tall one: the face high (low) in the picture
        "image top": np.pad(good, ((0, 740), (0, 0), (0, 0))),
        "image bottom": np.pad(good, ((740, 0), (0, 0), (0, 0))),
        "third size": _shrunk(good, 3),
        "half size": _shrunk(good, 2),
        "too close": _zoomed(good, face, 0.55),
        "dark": (good * 0.15).astype(np.uint8),
        "tilted 20": rolled[0],
        "rolled +15": rolled[1],
        "rolled -15": rolled[2],
        "turned +20": turned[0],
        "turned -20": turned[1],
        "two faces": two,
        **{f"frame {i}": frames[i] for i in [*range(12), PEAK]},
    }
    results = landmarker.run(Frame(i, i / fps, image) for i, image in enumerate(pictures.values()))
    return {
        name: (image, result.faces, FaceSelector().choose(result.faces))
        for (name, image), result in zip(pictures.items(), results, strict=True)
    }


def _check(seen, name: str) -> CameraCheck:
    image, faces, chosen = seen[name]
    return check_camera(image, faces, chosen)


def _centre_x(seen, name: str) -> float:
    image, _, chosen = seen[name]
    return float((chosen[:, 0].min() + chosen[:, 0].max()) / 2 / image.shape[1])


def test_a_good_frame_is_ok(seen):
    check = _check(seen, "good")
    assert check.ok and check.problems == () and check.faces_seen == 1
    assert check.guidance == "Good: your face is clearly in view."
    assert abs(check.roll_deg) < 5 and abs(check.yaw_deg) < 5


def test_no_face(seen):
    check = _check(seen, "no face")
    assert not check.ok and check.problems == ("no face",) and check.faces_seen == 0
    assert check.guidance.startswith("We can't see your face")
    assert check.roll_deg is None and check.yaw_deg is None


def test_off_centre_guidance_uses_the_persons_own_directions(seen):
    # Seen on the image's LEFT (the unmirrored camera's left) = off to the person's own RIGHT,
    # so they are asked to move to their LEFT.
    assert _centre_x(seen, "image left") < 0.25
    left = _check(seen, "image left")
    assert not left.ok and left.problems == ("off centre",)
    assert left.guidance == "Move a little to your left, into the middle of the picture."
    # and the mirror case: seen on the image's right = off to their left → move to their right
    assert _centre_x(seen, "image right") > 0.75
    right = _check(seen, "image right")
    assert not right.ok and right.problems == ("off centre",)
    assert right.guidance == "Move a little to your right, into the middle of the picture."


def test_a_face_cut_off_at_the_side_is_asked_to_move_over_not_back(seen):
    image, _, chosen = seen["cut at left edge"]
    assert chosen[:, 0].min() < 0  # the model places part of the face outside the picture
    assert (chosen[:, 1].max() - chosen[:, 1].min()) / image.shape[0] < 0.6  # not a big face
    check = _check(seen, "cut at left edge")
    assert not check.ok and "too close" not in check.problems
    assert check.guidance == "Move a little to your left, into the middle of the picture."


def test_vertical_guidance_brings_camera_and_face_level(seen):
    # The face high in the picture is above the camera: raise the camera (or sit lower).
    high = _check(seen, "image top")
    assert not high.ok and high.problems == ("off centre",)
    assert high.guidance == "Raise the camera a little, or sit a little lower."
    low = _check(seen, "image bottom")
    assert not low.ok and low.problems == ("off centre",)
    assert low.guidance == "Lower the camera a little, or sit a little higher."


def test_too_far_and_too_close(seen):
    # At a third of the size (iris ≈ 4 px) this model no longer finds the face at all:
    # the person is told we can't see them, which also brings them closer.
    assert seen["third size"][2] is None
    assert _check(seen, "third size").guidance.startswith("We can't see your face")
    # At half the size the face is found, with an iris of about 6.5 px: come closer.
    _, _, half = seen["half size"]
    assert half is not None and 5 < float(iris_diameter_px(half).mean()) < 10
    far = _check(seen, "half size")
    assert not far.ok and far.problems == ("too far",)
    assert far.guidance == "Move a little closer to the camera."
    close = _check(seen, "too close")  # the face fills the whole height of the picture
    assert not close.ok and close.problems[0] == "too close"
    assert close.guidance == "Move back a little so your whole face fits in the picture."


def test_too_dark(seen):
    check = _check(seen, "dark")
    assert seen["dark"][2] is not None  # still found, but too dark to measure well
    assert not check.ok and check.problems == ("too dark",)
    assert check.guidance == "It is too dark: turn on a light in front of you."


def test_head_tilted(seen):
    check = _check(seen, "tilted 20")
    assert not check.ok and check.problems == ("head tilted",)
    assert check.guidance == "Hold your head level."
    assert abs(check.roll_deg - _check(seen, "good").roll_deg) == pytest.approx(20, abs=3)


def test_two_faces_follow_the_largest(seen):
    _, faces, chosen = seen["two faces"]
    check = _check(seen, "two faces")
    assert check.ok and check.faces_seen == 2
    assert "more than one face" in check.guidance and "largest" in check.guidance
    # the face measured is the man in the middle, not the small photo in the corner
    (alone,) = seen["good"][1]
    assert np.abs(chosen[:, :2] - alone[:, :2]).mean() < 3.0
    assert any(face[:, 0].min() > 640 - 220 for face in faces)


def test_roll_sign_follows_the_patients_eyes(seen):
    """Positive roll: the patient's left eye (the image's right) is lower. OpenCV's positive
    angle turns the picture anticlockwise on screen, lifting the image's right side, so
    it makes the roll more negative; -15° the other way."""
    base = head_roll_yaw_deg(seen["good"][2])[0]
    plus = head_roll_yaw_deg(seen["rolled +15"][2])[0]
    minus = head_roll_yaw_deg(seen["rolled -15"][2])[0]
    assert plus - base == pytest.approx(-15, abs=3) and minus - base == pytest.approx(15, abs=3)
    assert plus < 0 < minus  # opposite signs (the man's own slight tilt is about -3°)
    # a pure roll is not read as a turn
    for name in ("rolled +15", "rolled -15"):
        assert abs(head_roll_yaw_deg(seen[name][2])[1]) < 5


def test_yaw_sign_follows_which_side_is_further(seen):
    """Positive yaw: the patient's left side is further from the camera. turn_clip's +20°
    brings the image's right (the patient's left) nearer, so yaw goes down; -20° up.
    Only the direction is checked: a turned *flat picture* (all turn_clip can make)
    gives the model little depth to see, so the degrees come out far smaller than 20."""
    base = head_roll_yaw_deg(seen["good"][2])[1]
    assert (
        head_roll_yaw_deg(seen["turned +20"][2])[1] < base - 1 < base + 1 < head_roll_yaw_deg(seen["turned -20"][2])[1]
    )


def test_calibrator_returns_the_neutral_face_after_a_still_stretch(seen):
    rest = [seen[f"frame {i}"][2] for i in itertools.chain(range(12), range(10, 0, -1))]
    calibrator = Calibrator(duration_s=1.0)
    results = [calibrator.add(rest[k % len(rest)], k / 30) for k in range(30)]
    assert all(result is None for result in results) and calibrator.progress(29 / 30) > 0.9
    resting_face = calibrator.add(rest[30 % len(rest)], 1.0)  # a full second after the first frame
    assert resting_face is not None and len(calibrator.last_frames) == 31
    iris_px = float(iris_diameter_px(resting_face.reference_px).mean())
    assert resting_face.mm_per_px == pytest.approx(IRIS_DIAMETER_MM / iris_px)
    assert calibrator.last_problem == "" and calibrator.progress(2.0) == 0.0  # ready for another

    # lips apart (the broad smile) or no face: start again, saying why
    calibrator.add(rest[0], 3.0)
    assert calibrator.add(seen[f"frame {PEAK}"][2], 3.1) is None
    assert calibrator.last_problem == "Close your lips gently and relax your face."
    assert calibrator.progress(3.1) == 0.0
    calibrator.add(rest[0], 3.2)
    assert calibrator.add(None, 3.3) is None and calibrator.progress(3.3) == 0.0
    assert calibrator.last_problem.startswith("We lost sight of your face")


def test_calibrator_asks_to_come_closer_when_the_face_is_too_small_to_measure(seen):
    """A still face whose iris is below 8 px (half size) cannot give a reference: the
    calibrator says so and starts again, instead of raising in the middle of a session."""
    _, _, small = seen["half size"]
    calibrator = Calibrator(duration_s=0.5)
    results = [calibrator.add(small, k / 30) for k in range(20)]
    assert all(result is None for result in results)
    assert calibrator.last_problem == "Move a little closer to the camera, starting again."
