"""Whether the eyes can be seen in the picture: light that whites out the eye region (a lamp
reflected in glasses, sun on the face) leaves no lid edge in the pixels to be found.

The landmarker still places the lids there, by guesswork from the rest of the face: a lid
"read" open under a reflection would be a finding that is not there. So where much of an
eye's region is blown out to white, its lids are not measured. Pixels at the top of the
range carry no information: this needs no tuning to any face, only the share of the region
that may be lost (a catchlight in the iris or a glint on a frame is a few pixels).
"""

from __future__ import annotations

import cv2
import numpy as np

#: the contour of each eye (upper and lower lid, corner to corner), the patient's left then right
EYE_CONTOURS = (
    (263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466),
    (33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246),
)
#: the region judged, around each eye contour: wider than the eye a little, and tall enough to
#: hold both lids of an open eye and their edges (× the contour's own extent)
REGION_SCALE = (1.3, 2.2)
#: a pixel this bright (0-255 grey) is blown out: the camera saw nothing but light there
BLOWN_OUT_GREY = 245
#: the share of an eye's region that may be blown out before its lids are not measured: a
#: catchlight or a glint on a spectacle frame is a few per cent; a reflection over the lens, far more
MAX_GLARE_FRACTION = 0.2


def glare_fraction(image_rgb: np.ndarray, points_px: np.ndarray) -> np.ndarray:
    """The share of each eye's region (left, right) that is blown out to white, 0 to 1."""
    height, width = image_rgb.shape[:2]
    shares = np.zeros(2)
    for side, contour in enumerate(EYE_CONTOURS):
        eye = points_px[list(contour), :2]
        centre = eye.mean(axis=0)
        region = (eye - centre) * np.array(REGION_SCALE) + centre
        x0, y0 = np.clip(np.floor(region.min(axis=0)).astype(int), 0, [width - 1, height - 1])
        x1, y1 = np.clip(np.ceil(region.max(axis=0)).astype(int) + 1, 1, [width, height])
        if x1 <= x0 or y1 <= y0:
            continue
        crop = cv2.cvtColor(np.ascontiguousarray(image_rgb[y0:y1, x0:x1]), cv2.COLOR_RGB2GRAY)
        mask = np.zeros(crop.shape, np.uint8)
        cv2.fillPoly(mask, [np.round(region - (x0, y0)).astype(np.int32)], 1)
        inside = crop[mask > 0]
        if inside.size:
            shares[side] = float(np.mean(inside >= BLOWN_OUT_GREY))
    return shares


def eyes_hidden(glare: np.ndarray) -> bool:
    """Either eye whited out beyond what a glint explains (`glare_fraction`'s result)."""
    return bool(np.max(glare) > MAX_GLARE_FRACTION)
