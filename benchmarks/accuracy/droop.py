"""Static mouth-corner droop (2 / 4 mm at rest) on the still faces: the product's static measure vs truth.

Why: a resting asymmetry is measured from one face shape, with no movement to compare, so it is checked
on its own. Reading = change of ``commissure_height_mm``'s difference (weak − healthy side) from the
unmodified face, mean shape of 6 noisy frames. Truth = the same measure on the true landmark positions
(below the nominal 2 / 4 mm because the product's mm scale uses the 3D iris diameter). Stills only, so
the truth has no model noise in it; frontal_neutral is the tuning face, astronaut and blink_face held back.
"""

from __future__ import annotations

import numpy as np

from benchmarks.accuracy import generator as gen
from coach.measure.geometry import RestingFace, mean_shape
from coach.measure.measures import static_measures


def _difference(shape_px: np.ndarray) -> float:
    """commissure_height_mm difference (left − right) of one face shape (478, 3) in px."""
    return static_measures(RestingFace.from_reference(shape_px).reference_mm)["commissure_height_mm"]["difference"]


DroopReading = tuple[str, float, str, float, float]  # face, droop mm, weak side, read mm, truth mm


def droop_readings(generator: gen.Generator, faces: list[str]) -> list[DroopReading]:
    """Per still face, droop size and weak side: what the product reads and the truth (mm)."""
    out = []
    for face in [f for f in faces if f in gen.DROOP_FACES]:
        base = generator.make_clip(face, "droop", "left", 1.0, droop_mm=0.0, images=False)
        base_read = _difference(mean_shape(generator.detected(base)))
        for droop_mm in gen.DROOPS_MM:
            for weak in ("left", "right"):
                clip = generator.make_clip(face, "droop", weak, 1.0, droop_mm=droop_mm, images=False)
                sign = 1 if weak == "left" else -1
                read = sign * (_difference(mean_shape(generator.detected(clip))) - base_read)
                truth = sign * (_difference(clip.true_px[0]) - _difference(clip.orig_px[0]))
                out.append((face, droop_mm, weak, read, truth))
    return out


def droop_table(readings: list[DroopReading]) -> str:
    """Markdown: per still face, droop size and weak side, what the product reads vs the truth (mm)."""
    lines = [
        "| face | droop mm | weak side | product reads (mm) | truth at the landmarks (mm) |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {face} | {mm:g} | {weak} | {read:.2f} | {truth:.2f} |" for face, mm, weak, read, truth in readings]
    return "\n".join(lines)
