"""Undo the face-mesh model's left-right cross-talk in per-side movements.

Why: the landmarker (and the pose fit that follows it) pulls one-sided movement toward
symmetry: a corner that does not move reads some of the other corner's movement, and the
moving side reads less than it moves (design notes 5-9, docs/accuracy.md). Per region and
axis the readings follow

    reading_left  = own · true_left  + other · true_right
    reading_right = own · true_right + other · true_left

and this module inverts that mix. The coefficients are data (`assets/landmark_crosstalk.toml`),
fitted by `benchmarks/accuracy/fit_crosstalk.py` on the tuning face only and judged on faces
never used to fit them. A region or axis the file does not list is left as measured.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from coach.base.errors import ResourceError
from coach.base.i18n import tr
from coach.base.resources import assets_dir
from coach.base.toml_text import parse_toml

CROSSTALK_FILE = "landmark_crosstalk.toml"
#: The regions and axes the file may name (axes in side coordinates: "outward" away from the
#: midline, "vertical" down the face, "closure" the lid gap closing).
REGION_AXES = {
    "mouth_corner": ("outward", "vertical"),
    "brow": ("outward", "vertical"),
    "eyelids": ("closure",),
}


@dataclass(frozen=True)
class SideMix:
    """How much of its own side's movement (`own`) and of the other side's (`other`) a side reads."""

    own: float
    other: float

    def unmix(self, per_side: np.ndarray) -> np.ndarray:
        """Invert the mix along the last axis ([left, right]); noise on left − right grows by 1 / (own − other)."""
        det = self.own**2 - self.other**2
        left, right = per_side[..., 0], per_side[..., 1]
        return np.stack([self.own * left - self.other * right, self.own * right - self.other * left], -1) / det


IDENTITY = SideMix(1.0, 0.0)


def _mix_from(path: Path, field: str, value: object) -> SideMix:
    if not isinstance(value, dict) or set(value) != {"own", "other"}:
        raise ResourceError(
            tr("{path}: field '{field}' must be a table with exactly 'own' and 'other'", path=path, field=field)
        )
    own, other = value["own"], value["other"]
    for name, number in (("own", own), ("other", other)):
        if isinstance(number, bool) or not isinstance(number, int | float) or not math.isfinite(number):
            raise ResourceError(
                tr(
                    "{path}: field '{field}' must be a finite number, not {value}",
                    path=path,
                    field=f"{field}.{name}",
                    value=repr(number),
                )
            )
    if not (0.2 <= own <= 2.0 and abs(other) < 0.8 * own):
        raise ResourceError(
            tr(
                "{path}: field '{field}' ({own}, {other}) is not a usable mix: 'own' must be 0.2-2 and "
                "'other' smaller than 0.8 × 'own' (refit with benchmarks/accuracy/fit_crosstalk.py)",
                path=path,
                field=field,
                own=f"{own}",
                other=f"{other}",
            )
        )
    return SideMix(float(own), float(other))


def load_mixes(path: Path) -> dict[tuple[str, str], SideMix]:
    """The (region, axis) → mix table of one coefficients file, validated (file, field, problem)."""
    try:
        data = parse_toml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ResourceError(
            tr(
                "{path}: cannot read the cross-talk coefficients ({problem}); reinstall the package",
                path=path,
                problem=exc,
            )
        ) from exc
    mixes = {}
    for region, axes in data.get("regions", {}).items():
        if region not in REGION_AXES or not isinstance(axes, dict):
            raise ResourceError(
                tr(
                    "{path}: '{field}' is not one of {known}",
                    path=path,
                    field=f"regions.{region}",
                    known=", ".join(REGION_AXES),
                )
            )
        for axis, value in axes.items():
            if axis not in REGION_AXES[region]:
                raise ResourceError(
                    tr(
                        "{path}: '{field}' is not an axis of {region} ({known})",
                        path=path,
                        field=f"regions.{region}.{axis}",
                        region=region,
                        known=", ".join(REGION_AXES[region]),
                    )
                )
            mixes[(region, axis)] = _mix_from(path, f"regions.{region}.{axis}", value)
    return mixes


@cache
def shipped_mixes() -> dict[tuple[str, str], SideMix]:
    """The coefficients that ship with the app (read once)."""
    return load_mixes(assets_dir() / CROSSTALK_FILE)


def side_mix(region: str, axis: str) -> SideMix:
    """The shipped mix of one region and axis; the identity where none was fitted."""
    return shipped_mixes().get((region, axis), IDENTITY)
