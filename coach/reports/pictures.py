"""Kept pictures drawn for a reader: the face at an exercise's peak with the measured regions outlined.

Shared by the PDF report and the app's windows, so paper and screen show the same picture.
"""

from __future__ import annotations

import cv2
import numpy as np

from coach.base.palette import LEFT_COLOUR, RIGHT_COLOUR, rgb
from coach.measure.measures import MEASURED_REGIONS
from coach.session.snapshots import Snapshot


def draw_measured_regions(snapshot: Snapshot) -> np.ndarray:
    """The picture with the measured regions outlined: the patient's left in LEFT_COLOUR,
    their right in RIGHT_COLOUR (the report's colours), on a copy."""
    picture = snapshot.picture_rgb.copy()
    regions = MEASURED_REGIONS.get(snapshot.measure)
    if regions is None or len(snapshot.face_px) <= max(max(side) for side in regions):
        return picture
    size = max(picture.shape[:2])
    line = max(2, round(size / 120))  # thick enough to survive the report's print size
    dot = max(2, round(size / 140))
    for indices, colour in zip(regions, (LEFT_COLOUR, RIGHT_COLOUR), strict=True):
        points = snapshot.face_px[list(indices), :2]
        colour_rgb = rgb(colour)  # the picture is RGB, so the colour goes in as RGB
        if len(points) >= 3:
            hull = cv2.convexHull(np.round(points).astype(np.int32))
            centre = points.mean(axis=0)
            # a little room around the region, so the outline does not hide it
            grown = centre + (hull.reshape(-1, 2) - centre) * 1.25 + np.sign(hull.reshape(-1, 2) - centre) * dot
            cv2.polylines(picture, [np.round(grown).astype(np.int32)], True, colour_rgb, line, cv2.LINE_AA)
        else:
            centre = points.mean(axis=0)
            cv2.circle(picture, tuple(int(v) for v in np.round(centre)), 4 * dot, colour_rgb, line, cv2.LINE_AA)
        for x, y in points:
            cv2.circle(picture, (round(float(x)), round(float(y))), dot, colour_rgb, -1, cv2.LINE_AA)
            cv2.circle(picture, (round(float(x)), round(float(y))), dot, (255, 255, 255), 1, cv2.LINE_AA)
    return picture
