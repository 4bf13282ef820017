"""Pictures of each exercise at its peak, kept only when the person chooses to.

A snapshot is the face cropped from one camera picture (as the camera saw it, never
mirrored) at the moment the exercise's movement was largest, with that frame's
landmarks, so a report can draw the regions the numbers were measured from. Cropping
to the face keeps the room behind the person out of the record.

Nothing here runs unless the person ticked "keep a picture" for a live session, or the
therapist asked for pictures of a recorded video. Pictures stay on this computer: they
go into the SQLite store and into PDF reports, never into bundles, CSV or JSON exports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from coach.base.errors import CoachError, SourceError
from coach.base.i18n import tr
from coach.capture.sources import FrameSource

#: room around the landmarks' box, as a fraction of the face's size (hair, chin, ears)
CROP_MARGIN = 0.3
#: the longer side of a kept picture: enough for a printed report, small on disk
MAX_SIDE_PX = 512
JPEG_QUALITY = 90


class SnapshotError(CoachError):
    """A kept picture cannot be read back (damaged data)."""


@dataclass(frozen=True)
class Snapshot:
    """A face at the peak of an exercise.

    `picture_rgb`: (rows, cols, 3) uint8, as the camera saw it (the patient's right side
    is on the left of the picture). `face_px`: the frame's (478, 3) landmarks in the
    picture's own pixels. `measure`: the movement measure whose regions are drawn.
    """

    picture_rgb: np.ndarray
    face_px: np.ndarray
    measure: str


def crop_to_face(image_rgb: np.ndarray, face_px: np.ndarray, measure: str) -> Snapshot:
    """The face with a margin around it, no larger than MAX_SIDE_PX, landmarks moved along."""
    rows, cols = image_rgb.shape[:2]
    low, high = face_px[:, :2].min(axis=0), face_px[:, :2].max(axis=0)
    margin = CROP_MARGIN * (high - low).max()
    left, top = (max(0, int(v)) for v in np.floor(low - margin))
    right, bottom = int(min(cols, np.ceil(high[0] + margin))), int(min(rows, np.ceil(high[1] + margin)))
    if right - left < 2 or bottom - top < 2:
        raise ValueError("the face lies outside the picture")
    picture = image_rgb[top:bottom, left:right]
    points = face_px.astype(np.float32).copy()
    points[:, 0] -= left
    points[:, 1] -= top
    scale = min(1.0, MAX_SIDE_PX / max(picture.shape[:2]))
    if scale < 1.0:
        size = (max(1, round(picture.shape[1] * scale)), max(1, round(picture.shape[0] * scale)))
        picture = cv2.resize(picture, size, interpolation=cv2.INTER_AREA)
        points *= scale
    return Snapshot(np.ascontiguousarray(picture, dtype=np.uint8), points, measure)


class PeakKeeper:
    """Follows one exercise's frames and keeps the one where it moved most (both sides together).

    Both sides count, so the picture shows the exercise at its fullest even when one side
    barely moves; the frame is copied only when it beats the one kept.
    """

    def __init__(self, measure: str) -> None:
        self.measure = measure
        self.best_mm = -np.inf
        self._image: np.ndarray | None = None
        self._face_px: np.ndarray | None = None

    def offer(self, image_rgb: np.ndarray, face_px: np.ndarray, movement_mm: np.ndarray) -> None:
        """movement_mm: this frame's [left, right] of the exercise's primary measure."""
        total = float(np.nansum(movement_mm))
        if np.isfinite(total) and total > self.best_mm:
            self.best_mm = total
            self._image, self._face_px = image_rgb.copy(), face_px.copy()

    def snapshot(self) -> Snapshot | None:
        if self._image is None or self._face_px is None:
            return None
        try:
            return crop_to_face(self._image, self._face_px, self.measure)
        except ValueError:  # the face found lay outside the picture: no picture rather than a wrong one
            return None


def peak_frame(movement_mm: np.ndarray) -> int | None:
    """Index of the row of an (N, 2) [left, right] series where both sides moved most together."""
    totals = np.nansum(np.asarray(movement_mm, dtype=float), axis=1)
    if totals.size == 0 or np.isnan(np.asarray(movement_mm, dtype=float)).all():
        return None
    return int(np.argmax(totals))


def picture_at(open_source: Callable[[], FrameSource], frame_index: int) -> np.ndarray:
    """Read a recording again up to one frame (it was analysed without keeping pictures)."""
    with open_source() as source:
        for frame in source:
            if frame.index == frame_index:
                return frame.image_rgb
    raise SourceError(
        tr(
            "{source} has no frame {frame} any more; was it changed since it was analysed?",
            source=source.name,
            frame=frame_index,
        )
    )


# --------------------------------------------------------------------------- storage


def encode_picture(picture_rgb: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".jpg", cv2.cvtColor(picture_rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY,
                                                                                    JPEG_QUALITY])  # fmt: skip
    if not ok:
        raise SnapshotError(tr("could not compress the picture"))
    return data.tobytes()


def decode_picture(data: bytes) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) if data else None
    if image is None:
        raise SnapshotError(tr("a kept picture is damaged and cannot be shown"))
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def encode_landmarks(face_px: np.ndarray) -> bytes:
    return np.asarray(face_px, dtype="<f4").reshape(-1, 3).tobytes()


def decode_landmarks(data: bytes) -> np.ndarray:
    points = np.frombuffer(data, dtype="<f4")
    if points.size == 0 or points.size % 3:
        raise SnapshotError(tr("the landmarks kept with a picture are damaged"))
    return points.reshape(-1, 3).astype(np.float64)
