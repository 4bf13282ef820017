"""Faces coming and going, and more than one face, on real footage."""

from __future__ import annotations

import json

import cv2
import numpy as np

from coach.capture.sources import read_image_rgb
from coach.cli.main import main
from coach.measure.landmarks import FaceSelector

import synthetic


def _run(video, tmp_path, capsys) -> tuple[dict, str]:
    out = tmp_path / "result.json"
    assert main(["analyze", str(video), "--exercise", "big_smile", "--json", str(out)]) == 0
    return json.loads(out.read_text()), capsys.readouterr().err


def test_face_that_leaves_and_returns_is_measured_before_and_after(data_dir, tmp_path, capsys):
    smile, fps = synthetic.read_clip(data_dir / "single_face.mp4")
    empty, _ = synthetic.read_clip(data_dir / "no_face.mp4")
    away = [cv2.resize(frame, (640, 360)) for frame in empty[:20]]
    clip = smile[:30] + away + smile[30:]
    result, err = _run(synthetic.write_clip(tmp_path / "leave_return.avi", clip, fps), tmp_path, capsys)
    assert result["frames"] == 92
    assert result["frames_with_face"] >= 70  # the face frames, before and after
    assert "no face in" in err
    gap_start, gap_end = 30 / fps, 50 / fps
    assert result["reps"], "the smile before and after the gap is still measured"
    for rep in result["reps"]:
        # no repetition is stitched across the time the face was away
        assert rep["end_s"] < gap_start or rep["start_s"] >= gap_end - 1e-6, rep
        assert rep["left_mm"] > 5 and rep["right_mm"] > 5


def test_two_faces_measure_the_largest_consistently(data_dir, tmp_path, capsys):
    smile, fps = synthetic.read_clip(data_dir / "single_face.mp4")
    # a second, smaller person (the photo's man) in the corner of every frame
    other = cv2.resize(read_image_rgb(data_dir / "single_face.jpg"), (220, 220))
    clip = []
    for frame in smile:
        canvas = frame.copy()
        canvas[-220:, -220:] = other
        clip.append(canvas)
    alone, _ = _run(synthetic.write_clip(tmp_path / "alone.avi", smile, fps), tmp_path, capsys)
    together, err = _run(synthetic.write_clip(tmp_path / "two.avi", clip, fps), tmp_path, capsys)
    assert "more than one face" in err and "largest" in err
    assert together["frames_with_face"] == alone["frames_with_face"] == 72
    assert together["summary"]["reps"] == alone["summary"]["reps"] == 1
    for side in ("left_mm", "right_mm"):
        assert abs(together["summary"][side] - alone["summary"][side]) < 1.0


def _face(centre_x: float, size: float) -> np.ndarray:
    grid = np.linspace(-0.5, 0.5, 478)
    return np.stack([centre_x + size * grid, 100 + size * grid[::-1], np.zeros(478)], axis=1)


def test_selector_keeps_following_a_face_unless_another_is_clearly_larger():
    selector = FaceSelector()
    big, small = _face(100, 100), _face(400, 80)
    assert selector.choose([small, big]) is big  # the largest first
    slightly_bigger = _face(400, 105)
    assert selector.choose([slightly_bigger, _face(102, 100)])[0, 0] < 200  # stays with the same person
    much_bigger = _face(400, 140)
    assert selector.choose([_face(102, 100), much_bigger]) is much_bigger
    assert selector.choose([]) is None


def test_a_false_detection_after_the_face_left_is_not_measured(data_dir, tmp_path, capsys):
    """face_noface.mov: the man smiles, the camera turns to a cartoon, where the model
    finds one small "face" in a cloud. That frame must not become a repetition."""
    result, err = _run(data_dir / "face_noface.mov", tmp_path, capsys)
    assert result["summary"]["reps"] == 1
    assert result["summary"]["left_mm"] < 20 and result["summary"]["right_mm"] < 20
    assert "false detection" in err and "no face in" in err
