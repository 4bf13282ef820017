"""Left-right cross-talk of the landmark readings: the fit the product's coefficients come from, and the table.

Why: design note 9 models each side's reading as own·(own movement) + other·(other side's movement).
`fit` finds (own, other) per region and axis by least squares over every frame of the given faces' clips:
the reading is the raw landmark displacement (the product's pose fit and neutral, cross-talk not undone),
the truth is the generator's. `fit_crosstalk.py` fits on the TUNING face only and writes
assets/landmark_crosstalk.toml, which `coach.measure.crosstalk` applies. Fits on single held-back faces are
printed for information only (never used), to show whether the mix carries over between faces.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from benchmarks.accuracy import generator as gen
from benchmarks.accuracy import stages
from coach.measure import measures
from coach.measure.crosstalk import SideMix
from coach.measure.sides import symmetry
from coach.session.analysis import Analysis

#: exercise → (region in the coefficients file, the axes its truth moves along)
FIT_AXES = {
    "smile": ("mouth_corner", ("outward", "vertical")),
    "brow": ("brow", ("vertical",)),
    "eye": ("eyelids", ("closure",)),
}
_AXIS_INDEX = {"outward": 0, "vertical": 1}


def raw_side_series(exercise: str, points_mm: np.ndarray, neutral_mm: np.ndarray) -> np.ndarray:
    """(N, 2 sides, axes) the raw reading per side in side axes (outward, down), cross-talk not undone."""
    region, axes = FIT_AXES[exercise]
    if exercise == "eye":
        return measures.raw_eye_closure_mm(points_mm, neutral_mm)[..., None]
    per_side = measures.side_axes(measures.raw_displacement_mm(points_mm, neutral_mm, region))
    return per_side[..., [_AXIS_INDEX[a] for a in axes]]


def true_measure(exercise: str, true_mm: np.ndarray, neutral_mm: np.ndarray) -> np.ndarray:
    """(N, 2) the product's measure of the true positions (they carry no cross-talk: nothing to undo)."""
    region, _ = FIT_AXES[exercise]
    if exercise == "eye":
        return measures.raw_eye_closure_mm(true_mm, neutral_mm)
    delta = measures.raw_displacement_mm(true_mm, neutral_mm, region)
    return np.linalg.norm(delta, axis=-1) if exercise == "smile" else -delta[..., 1]


@dataclass
class SeriesRow:
    """One clip: the product's summary, and the raw vs true per-side series the mix is fitted on."""

    face: str
    exercise: str
    weak: str | None
    p: float
    truth: tuple[float, float]  # hold-frame mean of the product's measure on the truth, left / right
    read: tuple[float, float] | None  # summary (repetition peaks) or None without a repetition
    raw: np.ndarray  # (N, 2, axes) raw landmark reading in side axes
    true: np.ndarray  # (N, 2, axes) the truth in side axes
    #: eye closure only: lid gap still open while held closed, read (first repetition) − truth, per side
    residual_gap_error_mm: tuple[float, float] | None = None


def _residual_gap_error(clip: gen.Clip, truth: stages.TruthFrame, analysis: Analysis) -> tuple[float, float] | None:
    """Read − true lid gap while held closed (truth: the median true gap over the generated hold)."""
    if clip.exercise != "eye" or not analysis.reps:
        return None
    true_gap = measures.STATIC_MEASURES["palpebral_fissure_mm"].compute(truth.true_mm)[clip.hold]
    true_gap = np.median(true_gap, axis=0)
    read = analysis.reps[0].measures["residual_gap_mm"]
    return (read["left"] - float(true_gap[0]), read["right"] - float(true_gap[1]))


def series_row(clip: gen.Clip, detected_px: np.ndarray, analysis: Analysis) -> SeriesRow:
    """The product's reading of one clip as the table and the fit need it."""
    truth = stages.truth_frame(clip)
    neutral_mm = truth.resting_face.reference_mm
    left, right = true_measure(clip.exercise, truth.true_mm, neutral_mm)[clip.hold].mean(0)
    summary = analysis.summary
    product_mm = analysis.resting_face.normalise(detected_px)
    return SeriesRow(
        face=clip.face,
        exercise=clip.exercise,
        weak=clip.weak,
        p=clip.p,
        truth=(float(left), float(right)),
        read=None if summary.reps == 0 else (summary.left_mm, summary.right_mm),
        raw=raw_side_series(clip.exercise, product_mm, analysis.resting_face.reference_mm),
        true=raw_side_series(clip.exercise, truth.true_mm, neutral_mm),
        residual_gap_error_mm=_residual_gap_error(clip, truth, analysis),
    )


def fit(rows: list[SeriesRow], faces: list[str]) -> dict[tuple[str, str], tuple[SideMix, float]]:
    """(region, axis) → (mix, rms mm of the fit): reading_L = own·true_L + other·true_R (and mirrored)."""
    out = {}
    for exercise, (region, axes) in FIT_AXES.items():
        chosen = [r for r in rows if r.face in faces and r.exercise == exercise]
        for k, axis in enumerate(axes):
            if not chosen:
                continue
            design = np.concatenate(
                [np.stack([r.true[:, s, k], r.true[:, 1 - s, k]], 1) for r in chosen for s in (0, 1)]
            )
            reading = np.concatenate([r.raw[:, s, k] for r in chosen for s in (0, 1)])
            ok = np.isfinite(design).all(1) & np.isfinite(reading)
            (own, other), *_ = np.linalg.lstsq(design[ok], reading[ok], rcond=None)
            rms = float(np.sqrt(np.mean((design[ok] @ [own, other] - reading[ok]) ** 2)))
            out[(region, axis)] = (SideMix(float(own), float(other)), rms)
    return out


# ---------------------------------------------------------------- metrics table
@dataclass
class ClipMetrics:
    errors: list[float] = field(default_factory=list)
    still_minus_truth: list[float] = field(default_factory=list)
    still_sym: list[float] = field(default_factory=list)
    healthy_vs_truth: list[float] = field(default_factory=list)
    healthy_vs_own_p0: list[float] = field(default_factory=list)
    amplitude: list[float] = field(default_factory=list)
    missed: int = 0


def clip_metrics(rows: list[SeriesRow]) -> ClipMetrics:
    """Per-clip figures of the product vs truth (see TABLE_HEADER for what each is)."""
    m = ClipMetrics()
    unweakened = {(r.face, r.exercise): r.read for r in rows if r.weak is None and r.read is not None}
    for r in rows:
        (tl, tr), true_sym = r.truth, symmetry(*r.truth)
        if r.read is None:
            m.missed += 1
            m.errors.append(abs(true_sym - 1.0) if r.p < 1 else 1.0)
            continue
        rl, rr = r.read
        s = symmetry(rl, rr)
        s = 1.0 if s is None else s
        m.errors.append(abs(s - true_sym))
        if r.weak is None:
            m.amplitude += [rl / tl, rr / tr]
            continue
        weak = 0 if r.weak == "left" else 1
        m.healthy_vs_truth.append((rl, rr)[1 - weak] / (tl, tr)[1 - weak])
        own = unweakened.get((r.face, r.exercise))
        if own is not None:
            m.healthy_vs_own_p0.append((rl, rr)[1 - weak] / own[1 - weak])
        if r.p == 1.0:
            m.still_minus_truth.append((rl, rr)[weak] - (tl, tr)[weak])
            m.still_sym.append(s)
    return m


def _spread(values: list[float], digits: int = 2) -> str:
    if not values:
        return "-"
    return f"{np.mean(values):.{digits}f} ({np.min(values):.{digits}f}..{np.max(values):.{digits}f})"


TABLE_HEADER = (
    "| faces | exercise | clips | symmetry error: mean | worst | still side: mm above its truth (p=1) "
    "| still side: symmetry (p=1) | other side ÷ its reading at p=0 | other side ÷ truth | amplitude ÷ truth (p=0) "
    "| missed repetitions |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|"
)


def table_rows(rows: list[SeriesRow], faces: list[str]) -> list[str]:
    """Markdown rows (see TABLE_HEADER) of the summary vs truth for `faces`, per exercise."""
    lines = []
    for exercise in FIT_AXES:
        rs = [r for r in rows if r.face in faces and r.exercise == exercise]
        if not rs:
            continue
        m = clip_metrics(rs)
        lines.append(
            f"| {' + '.join(f for f in faces if any(r.face == f for r in rs))} | {exercise} | {len(rs)} "
            f"| {np.mean(m.errors):.3f} | {np.max(m.errors):.2f} | {_spread(m.still_minus_truth)} "
            f"| {_spread(m.still_sym)} | {_spread(m.healthy_vs_own_p0)} | {_spread(m.healthy_vs_truth)} "
            f"| {_spread(m.amplitude)} | {m.missed}/{len(rs)} |"
        )
    return lines


def fmt_mixes(mixes: dict[tuple[str, str], tuple[SideMix, float]]) -> str:
    """One line: region.axis own/other (rms) for each fitted mix."""
    return ", ".join(
        f"{region}.{axis} own={mix.own:.3f} other={mix.other:.3f} (rms {rms:.2f} mm)"
        for (region, axis), (mix, rms) in mixes.items()
    )


def report(rows: list[SeriesRow], tune: list[str], held: list[str]) -> str:
    """Markdown: the mix per face (information), and the product's summary vs truth per face group and face."""
    lines = []
    for face in tune + held:
        role = "tuning" if face in tune else "held back, information only"
        lines.append(f"- mix fitted on {face} ({role}): {fmt_mixes(fit(rows, [face]))}")
    gaps = [abs(e) for r in rows if r.face in held and r.residual_gap_error_mm for e in r.residual_gap_error_mm]
    if gaps:
        lines.append(
            f"- eye closure, held back: lid gap still open while held closed, |read − truth| mean "
            f"{np.mean(gaps):.2f} mm, worst {np.max(gaps):.2f} mm ({len(gaps)} eyes)"
        )
    lines += ["", TABLE_HEADER]
    for faces in [tune, held] + [[f] for f in held]:
        if faces:
            lines += table_rows(rows, faces)
    return "\n".join(lines)
