"""Clips with a *known* one-sided weakness or head pose, made from real face footage.

The measuring core must be right on real faces, so these generators start from the
real clips in tests/data/ and move their real pixels:

* `weaken_side`: the affected half of a real smile pulled back toward rest by a
  fraction p (0 = healthy, 1 = that side does not move at all). The pull is defined
  on the landmarks the real model finds in each frame and applied to the pixels by a
  smooth warp; the measurement then re-detects everything from the warped pixels.
* `brow_raise_clip`: a real resting face whose brows are lifted by a known amount
  (both sides alike, or one side weakened by p), for a brow exercise we have no
  footage of.
* `rotate_clip` / `turn_clip`: the head rolled (in-plane, exact) or turned (yaw,
  approximated by the perspective of a rotating plane) while the person smiles.

Sides are the patient's anatomical sides: the patient's right is the image's left in
these (unmirrored) clips. The generators use OpenCV and NumPy only, not the code
under test, apart from the real landmarker to find the face.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import matplotlib.tri as mtri
import numpy as np

from coach.capture.sources import Frame, VideoFileSource
from coach.measure.landmarks import FaceSelector, ParallelLandmarker

# Landmarks used only to place the warps (MediaPipe face-mesh indices).
_RIGHT_IRIS, _LEFT_IRIS = 468, 473
_MIDLINE = (168, 6, 197, 195, 5, 4, 1, 2, 164, 0, 13, 14, 17, 152)
_STABLE = (168, 6, 197, 195, 5, 4, 133, 362, 10, 151, 9, 234, 454, 127, 356)
_RIGHT_BROW = (70, 63, 105, 66, 107, 46, 53, 52, 65, 55)
_LEFT_BROW = (300, 293, 334, 296, 336, 276, 283, 282, 295, 285)
_RIGHT_UPPER_LID, _LEFT_UPPER_LID = (159, 158, 160, 161, 157), (386, 385, 387, 388, 384)


def read_clip(path: Path) -> tuple[list[np.ndarray], float]:
    with VideoFileSource(path) as video:
        frames = [frame.image_rgb for frame in video]
        return frames, video.nominal_fps or 30.0


def write_smiles_clip(data_dir: Path, path: Path) -> Path:
    """The man of single_face.mp4: 3.5 s at rest, then his broad smile (2 s, held about 1.7 s)
    and 2 s of rest, four times: real frames, for live sessions that need real repetitions."""
    frames, fps = read_clip(data_dir / "single_face.mp4")
    rest_order = list(range(12)) + list(range(11, -1, -1))
    rest = [frames[i] for i in (rest_order * 10)]
    return write_clip(path, rest[:105] + (frames[12:] + rest[:60]) * 4, fps)


def write_clip(path: Path, frames: list[np.ndarray], fps: float) -> Path:
    """Write RGB frames as an MJPEG AVI at high quality (near-lossless, decodes everywhere)."""
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (width, height))
    writer.set(cv2.VIDEOWRITER_PROP_QUALITY, 98)
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    return path


def detect_faces(frames: list[np.ndarray], landmarker: ParallelLandmarker) -> list[np.ndarray]:
    """Landmarks (478, 3) in pixels of the largest face in every frame (must be present)."""
    selector = FaceSelector()
    found = []
    for result in landmarker.run(Frame(i, i / 30.0, f) for i, f in enumerate(frames)):
        face = selector.choose(result.faces)
        assert face is not None, f"generator needs a face in frame {result.index}"
        found.append(face)
    return found


def warp(image: np.ndarray, displacement: np.ndarray) -> np.ndarray:
    """Move pixels by a field defined on the output: out(x) = in(x − d(x)). d: (H, W, 2)."""
    height, width = image.shape[:2]
    grid_x, grid_y = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    map_x = grid_x - displacement[..., 0].astype(np.float32)
    map_y = grid_y - displacement[..., 1].astype(np.float32)
    return cv2.remap(image, map_x, map_y, cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT)


def interpolate_field(points: np.ndarray, moves: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """A displacement field (H, W, 2) through control points, exact at each of them.

    points: (K, 2) where the moved content must end up; moves: (K, 2). Linear inside
    the Delaunay triangles of the points (a piecewise-affine warp, as face morphing
    tools do), so neighbouring lip points that move in opposite directions are not
    averaged away. Points with zero move pin the image; include the image border.
    """
    height, width = shape
    _, unique = np.unique(np.round(points, 2), axis=0, return_index=True)
    points, moves = points[unique], moves[unique]
    triangulation = mtri.Triangulation(points[:, 0], points[:, 1])
    # Only triangles with a moving corner need evaluating (exact: the rest are zero).
    field = np.zeros((height, width, 2), np.float32)
    moving = np.abs(moves).sum(axis=1) > 0
    touched = triangulation.triangles[moving[triangulation.triangles].any(axis=1)]
    if len(touched) == 0:
        return field
    corners = points[np.unique(touched)]
    x0, y0 = np.clip(np.floor(corners.min(axis=0)), 0, None).astype(int)
    x1, y1 = np.minimum(np.ceil(corners.max(axis=0)) + 1, (width, height)).astype(int)
    grid_x, grid_y = np.meshgrid(np.arange(x0, x1, dtype=np.float64), np.arange(y0, y1, dtype=np.float64))
    for axis in (0, 1):
        values = mtri.LinearTriInterpolator(triangulation, moves[:, axis])(grid_x, grid_y)
        field[y0:y1, x0:x1, axis] = np.ma.filled(values, 0.0)
    return field


def _pose_map(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """2D similarity (2x3) taking stable landmarks of one frame onto another."""
    matrix, _ = cv2.estimateAffinePartial2D(
        source[list(_STABLE), :2].astype(np.float32), target[list(_STABLE), :2].astype(np.float32)
    )
    return matrix


def _side_weight(face: np.ndarray, side: str) -> np.ndarray:
    """1 on the given anatomical side, 0 on the other, ramping across the midline.

    Signed distance from the midline (the line fitted through nose and lip-centre
    landmarks), positive towards the patient's left (the image's right here).
    """
    mid = face[list(_MIDLINE), :2]
    centre = mid.mean(axis=0)
    _, _, vt = np.linalg.svd(mid - centre)
    direction = vt[0]
    normal = np.array([-direction[1], direction[0]])
    towards_left = face[_LEFT_IRIS, :2] - face[_RIGHT_IRIS, :2]
    if normal @ towards_left < 0:
        normal = -normal
    signed = (face[:, :2] - centre) @ normal
    ramp = 0.12 * np.linalg.norm(towards_left)
    weight = np.clip(signed / ramp, 0.0, 1.0)
    return weight if side == "left" else np.clip(-signed / ramp, 0.0, 1.0)


def _pins(face: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Points that must not move: a ring well outside the face, and the image border."""
    height, width = shape
    centre = face[:, :2].mean(axis=0)
    radius = np.linalg.norm(face[:, :2] - centre, axis=1).max() * 1.35
    angles = np.linspace(0, 2 * np.pi, 48, endpoint=False)
    ring = centre + radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    xs, ys = np.linspace(0, width - 1, 16), np.linspace(0, height - 1, 10)
    border = np.array([(x, y) for x in xs for y in (0, height - 1)] + [(x, y) for y in ys for x in (0, width - 1)])
    return np.vstack([ring, border])


def weaken_side(
    frames: list[np.ndarray], faces: list[np.ndarray], side: str, p: float, neutral_frames: range
) -> list[np.ndarray]:
    """Pull the `side` half of the face back toward its resting position by fraction p."""
    neutral = np.median(np.stack([faces[i] for i in neutral_frames]), axis=0)
    out = []
    for image, face in zip(frames, faces, strict=True):
        if p == 0:
            out.append(image.copy())
            continue
        matrix = _pose_map(neutral, face)
        rest = neutral[:, :2] @ matrix[:, :2].T + matrix[:, 2]
        weight = _side_weight(face, side)[:, None]
        moves = p * weight * (rest - face[:, :2])
        # The moved content ends up at face + moves; pins hold the background still.
        pins = _pins(face, image.shape[:2])
        points = np.vstack([face[:, :2] + moves, pins])
        all_moves = np.vstack([moves, np.zeros_like(pins)])
        out.append(warp(image, interpolate_field(points, all_moves, image.shape[:2])))
    return out


def movement_profile(
    n_frames: int, fps: float, rise_s: float = 0.4, hold_s: float = 1.2, start_s: float = 0.6
) -> np.ndarray:
    """0 → 1 → 0 with a hold: a smooth (raised-cosine) repetition, per frame."""
    t = np.arange(n_frames) / fps
    up = np.clip((t - start_s) / rise_s, 0, 1)
    down = np.clip((t - start_s - rise_s - hold_s) / rise_s, 0, 1)
    return 0.5 - 0.5 * np.cos(np.pi * (up - down))


def brow_raise_clip(
    frames: list[np.ndarray], faces: list[np.ndarray], fps: float, lift_px: float, weak_side: str | None, p: float
) -> list[np.ndarray]:
    """Lift both brows (and the forehead above them) by up to lift_px; the weak side by (1 − p) of that.

    Landmarks below the brows (lids, eyes, nose, cheeks) are pinned, so only the brow
    region moves, as in a frontalis contraction.
    """
    profile = movement_profile(len(frames), fps)
    out = []
    for image, face, amount in zip(frames, faces, profile, strict=True):
        iris_gap = np.linalg.norm(face[_LEFT_IRIS, :2] - face[_RIGHT_IRIS, :2])
        up = face[_LEFT_IRIS, :2] - face[_RIGHT_IRIS, :2]
        up = np.array([up[1], -up[0]]) / iris_gap  # perpendicular to the eye line, pointing up the face
        points, moves = [], []
        for side, brow, lid in (("right", _RIGHT_BROW, _RIGHT_UPPER_LID), ("left", _LEFT_BROW, _LEFT_UPPER_LID)):
            scale = (1.0 - p) if side == weak_side else 1.0
            shift = up * lift_px * amount * scale
            brow_pts = face[list(brow), :2]
            # the brow and two rows of forehead skin above it travel together
            for rows_up in (0.0, 0.18, 0.36):
                points.append(brow_pts + up * iris_gap * rows_up + shift)
                moves.append(np.repeat(shift[None], len(brow_pts), axis=0) * (1.0 - rows_up))
            points.append(face[list(lid), :2] + 0.25 * shift)
            moves.append(np.repeat(0.25 * shift[None], len(lid), axis=0))
        pinned = [i for i in range(468) if i not in set(_RIGHT_BROW + _LEFT_BROW + _RIGHT_UPPER_LID + _LEFT_UPPER_LID)]
        # pin everything at or below the eyes (y below the brow line in face terms)
        brow_line = np.mean([face[list(_RIGHT_BROW), :2].mean(axis=0), face[list(_LEFT_BROW), :2].mean(axis=0)], axis=0)
        below = [i for i in pinned if (face[i, :2] - brow_line) @ up < -0.12 * iris_gap]
        pins = np.vstack([face[below, :2], _pins(face, image.shape[:2])])
        all_points = np.vstack([*points, pins])
        all_moves = np.vstack([*moves, np.zeros_like(pins)])
        out.append(warp(image, interpolate_field(all_points, all_moves, image.shape[:2])))
    return out


def rotate_clip(frames: list[np.ndarray], faces: list[np.ndarray], roll_deg: np.ndarray) -> list[np.ndarray]:
    """Roll the head in the image plane by roll_deg[i] about the face centre (exact)."""
    out = []
    for image, face, angle in zip(frames, faces, roll_deg, strict=True):
        centre = tuple(float(v) for v in face[:, :2].mean(axis=0))
        matrix = cv2.getRotationMatrix2D(centre, float(angle), 1.0)
        height, width = image.shape[:2]
        out.append(cv2.warpAffine(image, matrix, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT))
    return out


def turn_clip(frames: list[np.ndarray], faces: list[np.ndarray], yaw_deg: np.ndarray) -> list[np.ndarray]:
    """Turn the head by yaw_deg[i]: the face treated as a plane rotating about its
    vertical axis, seen by a pinhole camera (focal length ≈ image width)."""
    out = []
    for image, face, angle in zip(frames, faces, yaw_deg, strict=True):
        height, width = image.shape[:2]
        focal = float(width)
        cx, cy = face[:, 0].mean(), face[:, 1].mean()
        camera = np.array([[focal, 0, width / 2], [0, focal, height / 2], [0, 0, 1]])
        # place the face plane so its image is where it is now: depth from face width ≈ 150 mm
        face_px = face[:, 0].max() - face[:, 0].min()
        depth = focal * 150.0 / face_px
        centre = np.linalg.inv(camera) @ np.array([cx, cy, 1.0]) * depth
        a = np.radians(angle)
        rotation = np.array([[np.cos(a), 0, np.sin(a)], [0, 1, 0], [-np.sin(a), 0, np.cos(a)]])
        normal = np.array([0.0, 0.0, 1.0])
        distance = normal @ centre
        # X' = R (X − C) + C for X on the plane n·X = d  →  H = K (R + (C − R C) nᵀ / d) K⁻¹
        homography = (
            camera @ (rotation + np.outer(centre - rotation @ centre, normal) / distance) @ np.linalg.inv(camera)
        )
        out.append(
            cv2.warpPerspective(
                image, homography, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT
            )
        )
    return out
