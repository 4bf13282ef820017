"""Camera check and neutral calibration: is the picture good enough to measure?

Plain guidance a patient can act on ("move a little closer"), worked out from the
landmarks of the face we will measure. Directions are the person's own: someone seen
on the left of the (unmirrored) camera image is off to *their* right, so they are
asked to move to their left, whatever the screen shows. The guidance is in the person's
language (`coach.base.i18n`); the kinds of problem stay English.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from coach.base.errors import MeasurementError
from coach.base.i18n import tr
from coach.measure.geometry import (
    LEFT_IRIS_CENTRE,
    MIN_IRIS_DIAMETER_PX,
    RIGHT_IRIS_CENTRE,
    RestingFace,
    iris_diameter_px,
    mean_shape,
    shape_spread_mm,
)

#: iris size (px) below which we ask the person to come closer: measurable from 8 px,
#: comfortable from 10 (≈ 1.2 mm per pixel)
CLOSE_ENOUGH_IRIS_PX = 10.0
#: the face's height may fill at most this much of the picture (or chin/brow get cut)
MAX_FACE_HEIGHT_FRACTION = 0.85
#: the face centre must lie within this central part of the picture, each way
CENTRE_BOX = (0.25, 0.75)
#: mean brightness (0 to 255) of the face below which the picture is too dark
MIN_FACE_BRIGHTNESS = 60.0
MAX_FACE_BRIGHTNESS = 235.0
MAX_ROLL_DEG = 10.0
MAX_YAW_DEG = 12.0


@dataclass(frozen=True)
class CameraCheck:
    """One frame's verdict: ok, or the first thing to fix, in the person's words."""

    ok: bool
    guidance: str
    problems: tuple[str, ...] = ()
    faces_seen: int = 0
    roll_deg: float | None = None
    yaw_deg: float | None = None


def head_roll_yaw_deg(points_px: np.ndarray) -> tuple[float, float]:
    """Head tilt (roll) from the line through the irises; turn (yaw) from the depth
    difference between the outer eye corners, both in degrees. Positive roll: the
    patient's left eye is lower in the image; positive yaw: their left side is further."""
    right_eye, left_eye = points_px[RIGHT_IRIS_CENTRE], points_px[LEFT_IRIS_CENTRE]
    dx, dy = left_eye[0] - right_eye[0], left_eye[1] - right_eye[1]
    roll = float(np.degrees(np.arctan2(dy, dx)))
    outer_right, outer_left = points_px[33], points_px[263]
    span = float(np.linalg.norm(outer_left[:2] - outer_right[:2]))
    depth = float(outer_left[2] - outer_right[2])
    yaw = float(np.degrees(np.arctan2(depth, span)))
    return roll, yaw


#: one thing to fix: (kind, what to tell the person)
Problem = tuple[str, str]


def _off_centre_problems(centre_x: float, centre_y: float) -> list[Problem]:
    """Which way to move, from the face centre as a fraction of the picture's width and height."""
    problems: list[Problem] = []
    if centre_x < CENTRE_BOX[0]:
        # seen on the image's left = off to the person's right
        problems.append(("off centre", tr("Move a little to your left, into the middle of the picture.")))
    elif centre_x > CENTRE_BOX[1]:
        problems.append(("off centre", tr("Move a little to your right, into the middle of the picture.")))
    # high in the picture = above the camera: bring the camera up to the face, or the face down to it
    if centre_y < CENTRE_BOX[0]:
        problems.append(("off centre", tr("Raise the camera a little, or sit a little lower.")))
    elif centre_y > CENTRE_BOX[1]:
        problems.append(("off centre", tr("Lower the camera a little, or sit a little higher.")))
    return problems


def _lighting_problems(image_rgb: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> list[Problem]:
    """Too dark or too bright, judged on the face's box inside the picture."""
    height, width = image_rgb.shape[:2]
    x0, x1 = int(max(xs.min(), 0)), int(min(xs.max(), width))
    y0, y1 = int(max(ys.min(), 0)), int(min(ys.max(), height))
    if x1 <= x0 or y1 <= y0:
        return []
    brightness = float(image_rgb[y0:y1, x0:x1].mean())
    if brightness < MIN_FACE_BRIGHTNESS:
        return [("too dark", tr("It is too dark: turn on a light in front of you."))]
    if brightness > MAX_FACE_BRIGHTNESS:
        return [("too bright", tr("Your face is too bright: move away from the light behind the camera."))]
    return []


def _pose_problems(roll_deg: float, yaw_deg: float) -> list[Problem]:
    problems: list[Problem] = []
    if abs(yaw_deg) > MAX_YAW_DEG:
        problems.append(("head turned", tr("Turn your head towards the screen.")))
    if abs(roll_deg) > MAX_ROLL_DEG:
        problems.append(("head tilted", tr("Hold your head level.")))
    return problems


def check_camera(image_rgb: np.ndarray, faces: list[np.ndarray], chosen: np.ndarray | None) -> CameraCheck:
    """Is the picture good to measure? Guidance names the most important fix first."""
    if chosen is None:
        guidance = tr("We can't see your face. Sit facing the camera with your whole face in view.")
        return CameraCheck(False, guidance, ("no face",), len(faces))
    height, width = image_rgb.shape[:2]
    problems: list[Problem] = []
    xs, ys = chosen[:, 0], chosen[:, 1]
    iris = float(iris_diameter_px(chosen).mean())
    off_centre = _off_centre_problems((xs.min() + xs.max()) / 2 / width, (ys.min() + ys.max()) / 2 / height)
    cut_off = xs.min() < 0 or ys.min() < 0 or xs.max() > width or ys.max() > height
    # a face cut off at the edge because it is off centre needs moving over, not back
    if (ys.max() - ys.min()) / height > MAX_FACE_HEIGHT_FRACTION or (cut_off and not off_centre):
        problems.append(("too close", tr("Move back a little so your whole face fits in the picture.")))
    elif iris < CLOSE_ENOUGH_IRIS_PX:
        problems.append(("too far", tr("Move a little closer to the camera.")))
    problems += off_centre + _lighting_problems(image_rgb, xs, ys)
    roll, yaw = head_roll_yaw_deg(chosen)
    problems += _pose_problems(roll, yaw)
    if iris < MIN_IRIS_DIAMETER_PX and not any(kind == "too far" for kind, _ in problems):
        problems.append(("too far", tr("Move a little closer to the camera.")))
    kinds = tuple(kind for kind, _ in problems)
    if problems:
        return CameraCheck(False, problems[0][1], kinds, len(faces), roll, yaw)
    if len(faces) > 1:
        good = tr("Good: your face is clearly in view. (more than one face is in view: the coach follows the largest)")
    else:
        good = tr("Good: your face is clearly in view.")
    return CameraCheck(True, good, kinds, len(faces), roll, yaw)


class SteadyCameraCheck:
    """The camera check a session waits on: passed once the picture has stayed good for `hold_s`."""

    def __init__(self, hold_s: float) -> None:
        self.hold_s = hold_s
        #: the verdict on the latest frame, None before one was checked
        self.last: CameraCheck | None = None
        #: the latest verdict says something else than the one before (or is the first)
        self.changed = False
        self._ok_since_s: float | None = None

    def reset(self) -> None:
        """Check afresh: nothing seen so far counts."""
        self.last, self._ok_since_s, self.changed = None, None, False

    def restart_wait(self) -> None:
        """The good picture must be seen again for the whole `hold_s` (after a pause)."""
        self._ok_since_s = None

    def passed(self, image_rgb: np.ndarray, faces: list[np.ndarray], chosen: np.ndarray | None, now_s: float) -> bool:
        """Check one frame; True once the picture has been good for `hold_s` without a break."""
        before, self.last = self.last, check_camera(image_rgb, faces, chosen)
        self.changed = before is None or (before.ok, before.guidance) != (self.last.ok, self.last.guidance)
        if not self.last.ok:
            self._ok_since_s = None
            return False
        if self._ok_since_s is None:
            self._ok_since_s = now_s
        if now_s - self._ok_since_s < self.hold_s:
            return False
        self._ok_since_s = None
        return True


#: shape spread (mm) above which the face was not still during calibration
MAX_CALIBRATION_SPREAD_MM = 0.8
#: lips further apart than this fraction of the mouth width are not at rest
MAX_LIP_GAP_FRACTION = 0.12


@dataclass
class Calibrator:
    """Collects a few seconds of relaxed face; returns the neutral RestingFace, or why not.

    Rejected (and restarted) if the face is lost, moves, or the mouth is open.
    """

    duration_s: float = 3.0
    _points: list[np.ndarray] = field(default_factory=list)
    _start_s: float | None = None
    #: the faces of the last `duration_s`, still or not: what "use this face" takes
    _recent: list[tuple[float, np.ndarray]] = field(default_factory=list)
    #: how many times calibration started again (each with its reason)
    restarts: int = 0
    last_problem: str = ""
    #: the frames (pixels) the last neutral reference was made from
    last_frames: np.ndarray = field(default_factory=lambda: np.zeros((0, 478, 3)))

    def reset(self, reason: str = "") -> None:
        self._points.clear()
        self._start_s = None
        self.last_problem = reason
        if reason:
            self.restarts += 1
        else:
            self.restarts = 0
            self._recent.clear()

    def accept(self) -> RestingFace | None:
        """The face as it has been over the last few seconds, taken as the resting face
        though it did not stay still (the person accepts it); None without enough face."""
        if len(self._recent) < 3:
            return None
        stack = np.stack([points for _, points in self._recent])
        try:
            resting_face = RestingFace.from_reference(mean_shape(stack))
        except MeasurementError:
            return None
        self.last_frames = stack
        self.reset()
        return resting_face

    def progress(self, now_s: float) -> float:
        """0 to 1 through the calibration."""
        if self._start_s is None:
            return 0.0
        return min(1.0, (now_s - self._start_s) / self.duration_s)

    def add(self, points_px: np.ndarray | None, now_s: float) -> RestingFace | None:
        """Feed one frame's chosen face; returns the neutral reference once complete."""
        if points_px is not None:
            self._recent = [(t, p) for t, p in self._recent if now_s - t < self.duration_s]
            self._recent.append((now_s, points_px))
        if points_px is None:
            self.reset(tr("We lost sight of your face: look at the screen, starting again."))
            return None
        lip_gap = np.linalg.norm(points_px[13, :2] - points_px[14, :2])
        mouth_width = np.linalg.norm(points_px[61, :2] - points_px[291, :2])
        if lip_gap > MAX_LIP_GAP_FRACTION * mouth_width:
            self.reset(tr("Close your lips gently and relax your face."))
            return None
        if self._start_s is None:
            self._start_s = now_s
        self._points.append(points_px)
        if now_s - self._start_s < self.duration_s or len(self._points) < 5:
            return None
        stack = np.stack(self._points)
        spread_mm = shape_spread_mm(stack)
        if spread_mm > MAX_CALIBRATION_SPREAD_MM:
            self.reset(tr("Keep your face still and relaxed, starting again."))
            return None
        try:
            resting_face = RestingFace.from_reference(mean_shape(stack))
        except MeasurementError:
            # the face shrank below what can be measured (moved back) while calibrating
            self.reset(tr("Move a little closer to the camera, starting again."))
            return None
        self.last_frames = stack
        self.reset()
        return resting_face
