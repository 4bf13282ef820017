"""Pose normalisation and the face frame, on real landmarks moved by known transforms."""

from __future__ import annotations

import numpy as np
import pytest

from coach.capture.sources import ImageSource
from coach.measure.geometry import RestingFace, align_to, mean_shape, similarity_transforms
from coach.measure.measures import per_frame_measures, raw_displacement_mm, static_measures


@pytest.fixture(scope="module")
def real_face(landmarker, data_dir) -> np.ndarray:
    """The 478 landmarks (pixels) the real model finds on a real photo."""
    with ImageSource(data_dir / "single_face.jpg") as source:
        (result,) = list(landmarker.run(source))
    assert len(result.faces) == 1
    return result.faces[0]


def _rotation(yaw_deg: float, pitch_deg: float, roll_deg: float) -> np.ndarray:
    y, p, r = np.radians([yaw_deg, pitch_deg, roll_deg])
    ry = np.array([[np.cos(y), 0, np.sin(y)], [0, 1, 0], [-np.sin(y), 0, np.cos(y)]])
    rx = np.array([[1, 0, 0], [0, np.cos(p), -np.sin(p)], [0, np.sin(p), np.cos(p)]])
    rz = np.array([[np.cos(r), -np.sin(r), 0], [np.sin(r), np.cos(r), 0], [0, 0, 1]])
    return rz @ rx @ ry


def test_similarity_fit_recovers_a_known_3d_transform(real_face):
    rotation = _rotation(15, -10, 25)
    moved = 1.3 * real_face @ rotation.T + np.array([40.0, -25.0, 7.0])
    scale, fitted_rotation, translation = similarity_transforms(moved[None], real_face)
    back = scale[0] * moved @ fitted_rotation[0].T + translation[0]
    assert scale[0] == pytest.approx(1 / 1.3, rel=1e-9)
    assert np.abs(back - real_face).max() < 1e-8


def test_head_turn_and_tilt_do_not_change_the_measures(real_face):
    """The same face turned 15°, tilted 25° and nodded 10° reads the same, in mm."""
    frame = RestingFace.from_reference(real_face)
    poses = np.stack(
        [1.1 * real_face @ _rotation(yaw, pitch, roll).T for yaw, pitch, roll in [(15, 0, 0), (-15, 10, 25)]]
    )
    normalised = frame.normalise(poses)
    assert np.abs(normalised - frame.reference_mm).max() < 1e-6
    for values in per_frame_measures(
        normalised, frame.reference_mm, ["commissure_excursion_mm", "brow_lift_mm"]
    ).values():
        assert np.abs(values).max() < 1e-6


def test_resting_face_puts_the_patients_left_at_positive_x(real_face):
    """Anatomical sides: the patient's left eye (MediaPipe 263) is on the image's right."""
    frame = RestingFace.from_reference(real_face)
    shape = frame.reference_mm
    assert shape[263, 0] > 0 > shape[33, 0]  # left outer eye corner vs right
    assert shape[291, 0] > 0 > shape[61, 0]  # left mouth corner vs right
    assert shape[152, 1] > shape[168, 1]  # chin below the nasion: +y is down
    # iris scale: both irises about 11.7 mm across after scaling
    across = np.linalg.norm(shape[469] - shape[471]), np.linalg.norm(shape[474] - shape[476])
    assert np.mean(across) == pytest.approx(11.7, rel=1e-6)


def test_mirrored_picture_keeps_anatomical_sides(landmarker, data_dir):
    """Flipping the image left-right swaps which side is which in the picture; our
    static measures must swap left/right values accordingly, not stay put."""
    from coach.capture.sources import Frame, read_image_rgb

    image = read_image_rgb(data_dir / "single_face.jpg")
    plain, flipped = (
        r.faces[0] for r in landmarker.run([Frame(0, 0.0, image), Frame(1, 0.0, np.ascontiguousarray(image[:, ::-1]))])
    )
    a = static_measures(RestingFace.from_reference(plain).reference_mm)["mouth_half_width_mm"]
    b = static_measures(RestingFace.from_reference(flipped).reference_mm)["mouth_half_width_mm"]
    # the model is not exactly mirror-equivariant: the same face flipped reads within 1 mm
    assert a["left"] - a["right"] == pytest.approx(-(b["left"] - b["right"]), abs=1.0)
    assert abs(a["left"] - a["right"]) > 1.0  # this face's mouth sits off-centre at rest


def test_one_sided_brow_lift_is_read_on_that_side_only(real_face):
    """Landmarks moved directly (no model in between, so no cross-talk to undo): the pose fit and
    the face frame must not pass any of the movement to the other side."""
    frame = RestingFace.from_reference(real_face)
    lifted = real_face.copy()
    left_brow = [300, 293, 334, 296, 336, 276, 283, 282, 295, 285]
    lifted[left_brow, 1] -= 5.0  # 5 px up in the image
    lift = -raw_displacement_mm(frame.normalise(lifted[None]), frame.reference_mm, "brow")[0, :, 1]
    assert lift[0] == pytest.approx(5.0 * frame.mm_per_px, rel=0.1)  # left
    assert abs(lift[1]) < 0.05  # right


def test_mean_shape_ignores_one_outlier_frame(real_face):
    shapes = np.stack([real_face] * 4 + [real_face + 30.0 * (np.arange(478) % 2)[:, None]])
    assert np.abs(mean_shape(shapes) - real_face).max() < 1e-6


def test_alignment_is_robust_to_one_displaced_rigid_point(real_face):
    disturbed = real_face.copy()
    disturbed[234] += np.array([25.0, 0.0, 0.0])  # one contour point slipped
    aligned = align_to(disturbed[None], real_face)[0]
    assert np.abs(aligned[[33, 263, 61, 291]] - real_face[[33, 263, 61, 291]]).max() < 1.0


def test_fast_landmark_path_matches_mediapipes_public_api(model_bytes, data_dir):
    """The detector reads landmarks from MediaPipe's C result directly for speed; it must
    give exactly what the public `FaceLandmarker.detect` gives."""
    import mediapipe as mp

    from coach.capture.sources import read_image_rgb
    from coach.measure.landmarks import LandmarkDetector

    image_rgb = read_image_rgb(data_dir / "single_face.jpg")
    with LandmarkDetector(model_bytes) as detector:
        assert detector._fast is not None, "this mediapipe should offer the fast path"
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=image_rgb)
        fast, public = detector._detect_fast(image), detector._detect_public(image)
        assert len(fast) == len(public) == 1
        np.testing.assert_array_equal(fast[0], public[0])
