"""How well the head's turn is seen: the pose fit the product uses, and a 2D foreshortening cue
that was tried beside it (not in the product), on planar turns and on real faces.

    .venv/bin/python benchmarks/turn_cues.py

A planar turn is a photo turned like a card (a homography the script knows): the truth is
its angle. The real clips are healthy people facing the camera, talking and blinking (truth:
no turn), and a woman turned 20-30° who then faces the camera (`turn_and_eye_closure.mp4`).
Prints, for each, what the product's 3D pose fit reads and what the 2D cue (the eye-corner
width over the nose length, against the resting face) reads.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from coach.capture.sources import Frame  # noqa: E402
from coach.measure.geometry import turn_from_reference_deg  # noqa: E402
from coach.measure.landmarks import FaceSelector, ParallelLandmarker, default_model_path, load_model_bytes  # noqa: E402

import synthetic  # noqa: E402

DATA = REPO / "tests" / "data"
REAL_CLIPS = ["single_face.mp4", "talking_blinking.mp4", "talking_blink_woman.mpg", "glasses_talking_blink.mpg",
              "blink_face.mp4", "head_motion_face.mp4", "turn_and_eye_closure.mp4"]  # fmt: skip


def planar_turn(image: np.ndarray, degrees: float, focal_per_width: float = 0.9) -> np.ndarray:
    """The picture as a card turned `degrees` about its vertical centre line, seen by a camera
    with the given focal length (a webcam's field of view is about 60°)."""
    height, width = image.shape[:2]
    f, cx, cy = focal_per_width * width, width / 2, height / 2
    c, s = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
    card = np.array([[f * c, 0, 0], [0, f, 0], [-s, 0, f]])  # plane point (X, Y, 0) turned, at depth f
    centred = np.array([[1, 0, -cx], [0, 1, -cy], [0, 0, 1.0]])
    back = np.array([[1, 0, cx], [0, 1, cy], [0, 0, 1.0]])
    return cv2.warpPerspective(image, back @ card @ centred, (width, height), borderMode=cv2.BORDER_REPLICATE)


def foreshortening_deg(points: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """The 2D cue: how much narrower the eye corners are, for the nose's length, than at rest."""
    width = np.linalg.norm(points[:, 263, :2] - points[:, 33, :2], axis=1)
    length = np.linalg.norm(points[:, 168, :2] - points[:, 4, :2], axis=1)
    at_rest = np.linalg.norm(reference[263, :2] - reference[33, :2]) / np.linalg.norm(
        reference[168, :2] - reference[4, :2]
    )
    return np.degrees(np.arccos(np.clip(width / length / at_rest, 0, 1)))


def main() -> None:
    with ParallelLandmarker(load_model_bytes(default_model_path())) as landmarker:

        def faces(images: list[np.ndarray]) -> np.ndarray:
            selector = FaceSelector()
            chosen = [
                selector.choose(r.faces) for r in landmarker.run(Frame(i, i / 30, im) for i, im in enumerate(images))
            ]
            return np.stack([c for c in chosen if c is not None])

        print("planar turns (truth = the angle):")
        for name in ("frontal_neutral.jpg", "single_face.jpg"):
            image = cv2.cvtColor(cv2.imread(str(DATA / name)), cv2.COLOR_BGR2RGB)
            angles = (10, 20, 35, 45)
            found = faces([image, *(planar_turn(image, a) for a in angles)])
            pose, cue = turn_from_reference_deg(found[1:], found[0]), foreshortening_deg(found[1:], found[0])
            for angle, p, q in zip(angles, pose, cue, strict=True):
                print(f"  {name:22s} {angle:3d}°: pose fit {p:5.1f}°, 2D cue {q:5.1f}°")
        print("real clips (against the first frame; the last for the turned woman, who ends facing the camera):")
        for name in REAL_CLIPS:
            frames, _ = synthetic.read_clip(DATA / name)
            found = faces(frames)
            reference = found[-1] if name == "turn_and_eye_closure.mp4" else found[0]
            pose, cue = turn_from_reference_deg(found, reference), foreshortening_deg(found, reference)
            print(f"  {name:28s} pose fit p95 {np.percentile(pose, 95):5.1f}° max {pose.max():5.1f}° | "
                  f"2D cue p95 {np.percentile(cue, 95):5.1f}° max {cue.max():5.1f}°")  # fmt: skip


if __name__ == "__main__":
    main()
