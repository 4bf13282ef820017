"""The readable summary `facecoach analyze` prints: anatomical sides, mm, plain words."""

from __future__ import annotations

from coach.measure.measures import DURING_HOLD
from coach.session.analysis import Analysis

_STATIC_LABELS = {
    "brow_height_mm": "brow height above iris",
    "palpebral_fissure_mm": "eye opening (fissure)",
    "commissure_height_mm": "mouth corner below eyes",
    "mouth_half_width_mm": "mouth corner to midline",
}


#: How `analyze` names what is read while a movement is held.
DURING_HOLD_LABELS = {"residual_gap_mm": "lids still open while held closed"}


def _num(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _weaker(side: str | None) -> str:
    return "even" if side is None else side


def format_analysis(result: Analysis) -> str:
    track, exercise = result.track, result.exercise
    # a photo has no frame rate: say "1 image", not "1 frame(s) at 0.0 fps"
    frames = f"{track.frames} frame(s) at {track.fps:.1f} fps" if track.fps > 0 else f"{track.frames} image(s)"
    lines = [
        f"{track.source}: {exercise.name} ({exercise.id})",
        f"{frames}, face measured in {len(track.face_frames)}; "
        f"neutral {result.neutral.start_s:.2f}-{result.neutral.end_s:.2f} s; "
        f"scale {result.face_frame.mm_per_px:.3f} mm/px (iris = 11.7 mm)",
        "",
        "Resting face (mm; left/right are the patient's own)",
        f"  {'':26}{'left':>7}{'right':>7}{'L-R':>7}",
    ]
    for name, label in _STATIC_LABELS.items():
        sides = result.static[name]
        lines.append(f"  {label:26}{sides['left']:7.1f}{sides['right']:7.1f}{sides['difference']:+7.1f}")
    offset = result.lip_centre_offset_mm
    towards = "left" if offset > 0 else "right"
    lines.append(f"  {'lip centre off midline':26}{abs(offset):7.1f} mm towards the {towards}")
    if exercise.is_static:
        return "\n".join(lines)
    lines += ["", f"Repetitions ({exercise.primary[0]}, peak per side)"]
    if not result.reps:
        lines.append("  none found")
    else:
        lines.append(
            f"  {'#':>2} {'start':>6} {'peak':>6} {'end':>6} {'left':>6} {'right':>6} {'sym':>5} "
            f"{'weaker':>6} {'hold':>5}  synkinesis (% of rest)"
        )
    for number, rep in enumerate(result.reps, 1):
        synk = ", ".join(
            f"{name.removesuffix('_pct').replace('_', ' ')} L{sides['left']:.0f} R{sides['right']:.0f}"
            for name, sides in rep.synkinesis.items()
        )
        flag = "" if rep.complete else " (cut off)"
        lines.append(
            f"  {number:>2} {rep.start_s:6.2f} {rep.peak_s:6.2f} {rep.end_s:6.2f} {rep.left_mm:6.1f} "
            f"{rep.right_mm:6.1f} {_num(rep.symmetry, 2):>5} {_weaker(rep.weaker_side):>6} "
            f"{rep.hold_s:5.1f}  {synk}{flag}"
        )
        for name in DURING_HOLD.get(exercise.primary[0], ()):
            if name in rep.measures:
                sides = rep.measures[name]
                lines.append(
                    f"{'':6}{DURING_HOLD_LABELS[name]}: left {sides['left']:.1f} mm, right {sides['right']:.1f} mm"
                )
    s = result.summary
    if s.reps:
        lines += [
            "",
            f"Summary: {s.reps} repetition(s); left {_num(s.left_mm)} mm, right {_num(s.right_mm)} mm; "
            f"symmetry {_num(s.symmetry, 2)}; weaker side: {_weaker(s.weaker_side)} "
            f"(sides within measurement noise, {result.noise_mm:.1f} mm or 5 % of the movement, count as even)",
        ]
    return "\n".join(lines)
