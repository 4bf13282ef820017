"""Per-side region measures, in the resting face's axes (mm, +x = patient's left, +y = down).

Two kinds:

* **movement** measures: how far a region of each side has moved from the neutral
  reference, signed so the exercise's intended direction is positive (a brow that
  rises, a mouth corner that moves out, an eye that closes). Each is an (N, 2) array
  with columns [left, right].
* **static** measures on one shape (the neutral reference or a photo): brow height,
  palpebral fissure, commissure height, mouth half-width, per side.

Synkinesis measures express unwanted movement of a region as a percentage of that
region's neutral size (design notes), so that eye narrowing and mouth pull compare
across faces.

Left/right comparisons use landmarks, never blendshape scores: blendshapes read a
fully one-sided smile as 0.72 vs 0.69 (design notes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from coach.base.i18n import N_, tr
from coach.measure.crosstalk import side_mix

SIDES = ("left", "right")

# MediaPipe face-mesh indices per side, as (left, right) of the patient.
BROW = ((300, 293, 334, 296, 336, 276, 283, 282, 295, 285), (70, 63, 105, 66, 107, 46, 53, 52, 65, 55))
BROW_MEDIAL = ((336, 285, 296, 295), (107, 55, 66, 65))
UPPER_LID = ((386, 385, 387), (159, 158, 160))
LOWER_LID = ((374, 373, 380), (145, 144, 153))
IRIS_CENTRE = ((473,), (468,))
MOUTH_CORNER = ((291,), (61,))
UPPER_LIP_LATERAL = ((267, 269, 270), (37, 39, 40))
NASAL_ALA = ((358, 294, 327), (129, 64, 98))
LOWER_LIP_LATERAL = ((314, 405, 321), (84, 181, 91))
LIP_CENTRE = (0, 17, 13, 14)

#: +1 for the patient's left (x > 0), −1 for the right: "outward" is +side along x.
SIDE_SIGN = np.array([1.0, -1.0])

#: Regions whose movement is measured as a displacement, with their cross-talk undone (crosstalk.py).
DISPLACED_REGIONS = {"mouth_corner": MOUTH_CORNER, "brow": BROW}


def _region(points: np.ndarray, indices: tuple[tuple[int, ...], tuple[int, ...]]) -> np.ndarray:
    """Mean position of a region on each side: (…, 2, 3) as [left, right]."""
    return np.stack([points[..., list(idx), :].mean(axis=-2) for idx in indices], axis=-2)


def _eye_aperture_mm(points: np.ndarray) -> np.ndarray:
    """Upper to lower lid distance per side (palpebral fissure height), (N, 2)."""
    return np.linalg.norm(_region(points, UPPER_LID)[..., :2] - _region(points, LOWER_LID)[..., :2], axis=-1)


def raw_displacement_mm(points: np.ndarray, neutral: np.ndarray, region: str) -> np.ndarray:
    """How far a region of each side moved from rest in the face plane, as the landmarks say:
    (N, 2 sides, 2) x/y in mm, before the cross-talk between the sides is undone."""
    indices = DISPLACED_REGIONS[region]
    return _region(points, indices)[..., :2] - _region(neutral, indices)[..., :2]


def side_axes(delta_xy: np.ndarray) -> np.ndarray:
    """Face-frame x/y per side ↔ (outward, down) per side: x flips sign on the right. Its own inverse."""
    out = np.array(delta_xy, dtype=float, copy=True)
    out[..., 0] *= SIDE_SIGN
    return out


def displacement_mm(points: np.ndarray, neutral: np.ndarray, region: str) -> np.ndarray:
    """`raw_displacement_mm` with the landmarker's left-right cross-talk undone per axis (see crosstalk.py)."""
    per_side = side_axes(raw_displacement_mm(points, neutral, region))
    for k, axis in enumerate(("outward", "vertical")):
        per_side[..., k] = side_mix(region, axis).unmix(per_side[..., k])
    return side_axes(per_side)


def raw_eye_closure_mm(points: np.ndarray, neutral: np.ndarray) -> np.ndarray:
    """How much each lid gap narrowed from rest, as the landmarks say (before cross-talk is undone)."""
    return _eye_aperture_mm(neutral) - _eye_aperture_mm(points)


def _brow_lift_mm(points: np.ndarray, neutral: np.ndarray) -> np.ndarray:
    """How far each brow rose from rest."""
    return -displacement_mm(points, neutral, "brow")[..., 1]


def _brow_frown_mm(points: np.ndarray, neutral: np.ndarray) -> np.ndarray:
    """Medial brow heads moving towards the midline and down (corrugator, frown)."""
    delta = _region(points, BROW_MEDIAL) - _region(neutral, BROW_MEDIAL)
    medial = -SIDE_SIGN * delta[..., 0]
    down = delta[..., 1]
    return np.hypot(np.clip(medial, 0, None), np.clip(down, 0, None))


def _eye_closure_mm(points: np.ndarray, neutral: np.ndarray) -> np.ndarray:
    """How much each lid gap closed from rest."""
    return side_mix("eyelids", "closure").unmix(raw_eye_closure_mm(points, neutral))


def _eye_closure_fraction(points: np.ndarray, neutral: np.ndarray) -> np.ndarray:
    """0 = as open as at rest, 1 = lids touching."""
    return _eye_closure_mm(points, neutral) / np.maximum(_eye_aperture_mm(neutral), 1e-6)


def _residual_gap_mm(points: np.ndarray, neutral: np.ndarray) -> np.ndarray:
    """What is left open between the lids, for eyes that do not close (lagophthalmos)."""
    return np.clip(_eye_aperture_mm(neutral) - _eye_closure_mm(points, neutral), 0.0, None)


def _corner_delta(points: np.ndarray, neutral: np.ndarray) -> np.ndarray:
    return displacement_mm(points, neutral, "mouth_corner")


def _commissure_excursion_mm(points: np.ndarray, neutral: np.ndarray) -> np.ndarray:
    """How far each mouth corner moved from rest, in the face plane."""
    return np.linalg.norm(_corner_delta(points, neutral), axis=-1)


def _smile_angle_deg(points: np.ndarray, neutral: np.ndarray) -> np.ndarray:
    """Direction of the corner's movement: 0° straight out, +90° straight up."""
    delta = _corner_delta(points, neutral)
    return np.degrees(np.arctan2(-delta[..., 1], SIDE_SIGN * delta[..., 0]))


def _corner_medial_mm(points: np.ndarray, neutral: np.ndarray) -> np.ndarray:
    """Mouth corner moving towards the midline (pucker)."""
    return -SIDE_SIGN * _corner_delta(points, neutral)[..., 0]


def _upper_lip_elevation_mm(points: np.ndarray, neutral: np.ndarray) -> np.ndarray:
    """Upper lip and nasal ala rising (snarl)."""
    now = (_region(points, UPPER_LIP_LATERAL) + _region(points, NASAL_ALA)) / 2
    rest = (_region(neutral, UPPER_LIP_LATERAL) + _region(neutral, NASAL_ALA)) / 2
    return rest[..., 1] - now[..., 1]


def _lower_lip_depression_mm(points: np.ndarray, neutral: np.ndarray) -> np.ndarray:
    """Lower lip pulled down on each side ("eee", showing the lower teeth)."""
    return _region(points, LOWER_LIP_LATERAL)[..., 1] - _region(neutral, LOWER_LIP_LATERAL)[..., 1]


def _mouth_half_width_mm(points: np.ndarray) -> np.ndarray:
    """Distance of each mouth corner from the facial midline."""
    return SIDE_SIGN * _region(points, MOUTH_CORNER)[..., 0]


def _brow_height_mm(points: np.ndarray) -> np.ndarray:
    """Brow above the iris centre, per side (Emotrics' brow height)."""
    return _region(points, IRIS_CENTRE)[..., 1] - _region(points, BROW)[..., 1]


def _commissure_height_mm(points: np.ndarray) -> np.ndarray:
    """Mouth corner below the line through the iris centres."""
    return _region(points, MOUTH_CORNER)[..., 1]


def _eye_narrowing_pct(points: np.ndarray, neutral: np.ndarray) -> np.ndarray:
    return 100.0 * _eye_closure_fraction(points, neutral)


def _mouth_corner_pull_pct(points: np.ndarray, neutral: np.ndarray) -> np.ndarray:
    return 100.0 * _commissure_excursion_mm(points, neutral) / np.maximum(_mouth_half_width_mm(neutral), 1e-6)


def _brow_movement_pct(points: np.ndarray, neutral: np.ndarray) -> np.ndarray:
    delta = np.linalg.norm(displacement_mm(points, neutral, "brow"), axis=-1)
    return 100.0 * delta / np.maximum(_brow_height_mm(neutral), 1e-6)


#: A measure's label is translated where shown (`measure_label`), like every constant marked N_.
@dataclass(frozen=True)
class MeasureInfo:
    """What a measure is, for exercise files, reports, charts and CSV headers: the one place a
    measure is named, so adding a measure is adding one of these to a table below."""

    name: str
    unit: str
    description: str
    #: (points, neutral) → (N, 2) for a per-frame measure; (shape) → (2,) for a static one
    compute: Callable[..., np.ndarray]
    #: what people read (marked N_; translated where shown)
    label: str
    #: where room is short (a chart's legend); the label when it is short already
    short_label: str
    #: True when a value below zero means something (the side moved the opposite way: a brow
    #: that fell when asked to rise); False for sizes and distances, where it is only noise
    below_zero: bool


def _info(
    name: str,
    unit: str,
    compute: Callable[..., np.ndarray],
    label: str,
    *,
    short_label: str = "",
    below_zero: bool = False,
) -> MeasureInfo:
    description = (compute.__doc__ or "").strip().split("\n")[0]
    return MeasureInfo(name, unit, description, compute, label, short_label or label, below_zero)


#: Movement measures an exercise can name as its primary measure.
MOVEMENT_MEASURES: dict[str, MeasureInfo] = {
    m.name: m
    for m in (
        _info("brow_lift_mm", "mm", _brow_lift_mm, N_("brow lift"), below_zero=True),
        _info("brow_frown_mm", "mm", _brow_frown_mm, N_("frown (medial brow)")),
        _info("eye_closure_mm", "mm", _eye_closure_mm, N_("eye closure"), below_zero=True),
        _info("commissure_excursion_mm", "mm", _commissure_excursion_mm, N_("mouth-corner movement")),
        _info("corner_medial_mm", "mm", _corner_medial_mm, N_("mouth corner towards the midline"), below_zero=True),
        _info("upper_lip_elevation_mm", "mm", _upper_lip_elevation_mm, N_("upper lip and nose lift"), below_zero=True),
        _info("lower_lip_depression_mm", "mm", _lower_lip_depression_mm, N_("lower lip lowering"), below_zero=True),
    )
}

#: The landmarks each movement measure reads, as (left, right) of the patient: what a
#: snapshot draws, so a reader sees where the numbers come from.
MEASURED_REGIONS: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "brow_lift_mm": BROW,
    "brow_frown_mm": BROW_MEDIAL,
    "eye_closure_mm": (UPPER_LID[0] + LOWER_LID[0], UPPER_LID[1] + LOWER_LID[1]),
    "commissure_excursion_mm": MOUTH_CORNER,
    "corner_medial_mm": MOUTH_CORNER,
    "upper_lip_elevation_mm": (UPPER_LIP_LATERAL[0] + NASAL_ALA[0], UPPER_LIP_LATERAL[1] + NASAL_ALA[1]),
    "lower_lip_depression_mm": LOWER_LIP_LATERAL,
}

#: Further per-frame signals reported alongside (CSV, per repetition).
DETAIL_MEASURES: dict[str, MeasureInfo] = {
    m.name: m
    for m in (
        _info("eye_closure_fraction", "fraction", _eye_closure_fraction, N_("eye closure (fraction of the opening)")),
        _info("residual_gap_mm", "mm", _residual_gap_mm, N_("lids still open while held closed")),
        _info("smile_angle_deg", "deg", _smile_angle_deg, N_("smile angle"), below_zero=True),
    )
}

#: Unwanted movement of a region, % of its neutral size; exercises list what to watch. Below
#: zero the region moved the other way (an eye opened wider): that is no unwanted movement.
SYNKINESIS_MEASURES: dict[str, MeasureInfo] = {
    m.name: m
    for m in (
        _info("eye_narrowing_pct", "%", _eye_narrowing_pct, N_("Eye narrowing")),
        _info("mouth_corner_pull_pct", "%", _mouth_corner_pull_pct, N_("Mouth-corner pull")),
        _info("brow_movement_pct", "%", _brow_movement_pct, N_("Brow movement")),
    )
}

#: Static (resting) measures of one shape, computed from (…, 478, 3) → (…, 2) [left, right].
STATIC_MEASURES: dict[str, MeasureInfo] = {
    m.name: m
    for m in (
        _info("brow_height_mm", "mm", _brow_height_mm, N_("Brow height above the iris"), short_label=N_("Brow height")),
        _info(
            "palpebral_fissure_mm",
            "mm",
            _eye_aperture_mm,
            N_("Eye opening (palpebral fissure)"),
            short_label=N_("Eye opening"),
        ),
        _info(
            "commissure_height_mm",
            "mm",
            _commissure_height_mm,
            N_("Mouth corner below the eyes"),
            short_label=N_("Mouth-corner height"),
        ),
        _info(
            "mouth_half_width_mm",
            "mm",
            _mouth_half_width_mm,
            N_("Mouth corner to the midline"),
            short_label=N_("Mouth corner to midline"),
        ),
    )
}


def measure_info(name: str) -> MeasureInfo | None:
    """The measure of that name from whichever table holds it, looked up at the time of asking
    (so a measure added at run time is found); None for a name no table knows (an old record)."""
    for table in (MOVEMENT_MEASURES, SYNKINESIS_MEASURES, DETAIL_MEASURES, STATIC_MEASURES):
        if name in table:
            return table[name]
    return None


def measure_label(name: str, short: bool = False) -> str:
    """What the measure is called in the user's language (`short`: where room is short); a name
    no table knows any more reads as its words ("jaw_drop_mm" → "jaw drop")."""
    info = measure_info(name)
    if info is None:
        return name.removesuffix("_mm").removesuffix("_pct").replace("_", " ")
    return tr(info.short_label if short else info.label)


def _corner_activation_mm(points: np.ndarray, neutral: np.ndarray) -> np.ndarray:
    per_side = side_axes(raw_displacement_mm(points, neutral, "mouth_corner"))
    return per_side[..., 0] - per_side[..., 1]  # out and up


def _frown_activation_mm(points: np.ndarray, neutral: np.ndarray) -> np.ndarray:
    delta = _region(points, BROW_MEDIAL) - _region(neutral, BROW_MEDIAL)
    return -SIDE_SIGN * delta[..., 0] + delta[..., 1]  # in and down


#: Per movement measure, a signed and linear reading of the same movement (positive in the
#: exercise's direction, negative beyond rest), used to find the resting face in a recording:
#: from a held expression, going back to rest reads negative, so rest is where it is lowest.
ACTIVATION: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "brow_lift_mm": lambda points, neutral: -raw_displacement_mm(points, neutral, "brow")[..., 1],
    "brow_frown_mm": _frown_activation_mm,
    "eye_closure_mm": raw_eye_closure_mm,
    "commissure_excursion_mm": _corner_activation_mm,
    "corner_medial_mm": lambda points, neutral: (
        -side_axes(raw_displacement_mm(points, neutral, "mouth_corner"))[..., 0]
    ),
    "upper_lip_elevation_mm": _upper_lip_elevation_mm,
    "lower_lip_depression_mm": _lower_lip_depression_mm,
}


#: What a therapist reads while a movement is held near its peak, per primary measure: for an
#: eye closure, the lid gap still open (incomplete closure, lagophthalmos).
DURING_HOLD: dict[str, tuple[str, ...]] = {"eye_closure_mm": ("residual_gap_mm",)}

ALL_PER_FRAME: dict[str, MeasureInfo] = {**MOVEMENT_MEASURES, **DETAIL_MEASURES, **SYNKINESIS_MEASURES}


def per_frame_measures(
    points_mm: np.ndarray, neutral_mm: np.ndarray, names: list[str] | None = None
) -> dict[str, np.ndarray]:
    """Compute the named (default: all) per-frame measures: name → (N, 2) [left, right]."""
    selected = names if names is not None else list(ALL_PER_FRAME)
    return {name: ALL_PER_FRAME[name].compute(points_mm, neutral_mm) for name in selected}


def static_measures(shape_mm: np.ndarray) -> dict[str, dict[str, float]]:
    """Resting measures of one face shape (478, 3): name → {"left", "right", "difference"}."""
    out: dict[str, dict[str, float]] = {}
    for name, info in STATIC_MEASURES.items():
        left, right = (float(v) for v in info.compute(shape_mm))
        out[name] = {"left": left, "right": right, "difference": left - right}
    return out


def lip_centre_deviation_mm(points_mm: np.ndarray, neutral_mm: np.ndarray) -> np.ndarray:
    """Sideways shift of the lip centre from rest, (N,); + = towards the patient's left."""
    return points_mm[..., list(LIP_CENTRE), 0].mean(axis=-1) - lip_centre_offset_mm(neutral_mm)


def lip_centre_offset_mm(shape_mm: np.ndarray) -> float:
    """Resting lip centre relative to the facial midline; + = towards the patient's left."""
    return float(shape_mm[list(LIP_CENTRE), 0].mean())
