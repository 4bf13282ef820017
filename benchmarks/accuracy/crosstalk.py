"""Left-right cross-talk of the product's per-side readings: a measured DIAGNOSTIC, never applied to the product.

Why: design note 9 models each side's reading as a·own + b·other movement. Here (a, b) are fitted per
exercise by least squares over all frames of the TUNING face's clips (frontal_neutral; truth from the
generator), and the per-frame series are inverted with them and passed through the product's own
repetition/summary stage, to see how much of the error that model explains on the held-back faces.
Per-face fits are printed for information only (they are never used). The product itself is unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from benchmarks.accuracy import stages
from coach.measure.sides import symmetry
from coach.session import engine
from coach.session.analysis import Analysis


@dataclass
class SeriesRow:
    """One clip: the product's per-frame series and summary, and the truth (product measure on the truth)."""

    face: str
    exercise: str
    weak: str | None
    p: float
    truth: tuple[float, float]  # hold-frame mean, left / right
    truth_series: np.ndarray  # (N, 2)
    series: np.ndarray  # (N, 2) the product's per-frame reading
    analysis: Analysis
    read: tuple[float, float] | None  # summary (repetition peaks) or None without a repetition
    noise_ratio: float = 1.0  # std(L − R) at rest after / before the inverse


def series_row(row: stages.StageRow, analysis: Analysis, truth_series: np.ndarray, hold: np.ndarray) -> SeriesRow:
    """The product's reading of one clip as the cross-talk fit needs it."""
    summary = analysis.summary
    left, right = truth_series[hold].mean(0)
    return SeriesRow(
        face=row.face,
        exercise=row.exercise,
        weak=row.weak,
        p=row.p,
        truth=(float(left), float(right)),
        truth_series=truth_series,
        series=analysis.series[stages.MEASURE[row.exercise]],
        analysis=analysis,
        read=None if summary.reps == 0 else (summary.left_mm, summary.right_mm),
    )


def fit(rows: list[SeriesRow], faces: list[str]) -> dict[str, tuple[float, float, float]]:
    """Per exercise (a, b, rms mm): reading_L = a·true_L + b·true_R (and mirrored), all frames of `faces`."""
    params = {}
    for exercise in ("smile", "brow"):
        design, target = [], []
        for r in rows:
            if r.face in faces and r.exercise == exercise:
                t, m = r.truth_series, r.series
                design += [np.stack([t[:, 0], t[:, 1]], 1), np.stack([t[:, 1], t[:, 0]], 1)]
                target += [m[:, 0], m[:, 1]]
        if not design:
            continue
        design_matrix, readings = np.concatenate(design), np.concatenate(target)
        (a, b), *_ = np.linalg.lstsq(design_matrix, readings, rcond=None)
        rms = float(np.sqrt(np.mean((design_matrix @ [a, b] - readings) ** 2)))
        params[exercise] = (float(a), float(b), rms)
    return params


def rerun_engine(analysis: Analysis, primary_series: np.ndarray, name: str) -> engine.Summary:
    """The product's repetition + summary stage on a (corrected) primary series."""
    exercise = analysis.exercise
    times = analysis.track.timestamps_s[analysis.track.face_frames]
    watch = {n: analysis.series[n] for n in exercise.synkinesis_watch}
    noise = engine.side_noise_mm(primary_series[analysis.neutral.indices])
    reps = engine.find_repetitions(
        times, {name: primary_series}, watch, exercise.min_movement_mm, noise, analysis.track.fps
    )
    return engine.summarise(reps, noise)


def apply_inverse(rows: list[SeriesRow], params: dict[str, tuple[float, float, float]]) -> list[SeriesRow]:
    """Invert the fitted mix per frame, then the product's repetition/summary stage (diagnostic only)."""
    out = []
    for r in rows:
        a, b, _ = params[r.exercise]
        corrected = r.series @ np.linalg.inv(np.array([[a, b], [b, a]])).T
        summary = rerun_engine(r.analysis, corrected, stages.MEASURE[r.exercise])
        rest = r.analysis.neutral.indices
        before = float(np.std(r.series[rest] @ [1, -1]))
        after = float(np.std(corrected[rest] @ [1, -1]))
        read = None if summary.reps == 0 else (summary.left_mm, summary.right_mm)
        out.append(replace(r, series=corrected, read=read, noise_ratio=after / max(before, 1e-9)))
    return out


# ---------------------------------------------------------------- metrics table
@dataclass
class _Metrics:
    errors: list[float]
    still: list[float]
    still_sym: list[float]
    healthy: list[float]
    amplitude: list[float]
    missed: int = 0


def _metrics(rows: list[SeriesRow]) -> _Metrics:
    m = _Metrics([], [], [], [], [])
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
        m.healthy.append((rl, rr)[1 - weak] / (tl, tr)[1 - weak])
        if r.p == 1.0:
            m.still.append((rl, rr)[weak])
            m.still_sym.append(s)
    return m


def _spread(values: list[float]) -> str:
    return f"{np.mean(values):.2f} ({np.min(values):.2f}..{np.max(values):.2f})" if values else "-"


TABLE_HEADER = (
    "| method | faces | exercise | MAE symmetry | max err | still side mm (p=1) | still side symmetry (p=1) "
    "| healthy side ÷ truth (p>0) | healthy amplitude ÷ truth (p=0) | missed reps |\n"
    "|---|---|---|---|---|---|---|---|---|---|"
)


def table_rows(rows: list[SeriesRow], faces: list[str], method: str) -> list[str]:
    """Markdown rows (see TABLE_HEADER) of the summary vs truth for `faces`, per exercise."""
    lines = []
    for exercise in ("smile", "brow"):
        rs = [r for r in rows if r.face in faces and r.exercise == exercise]
        if not rs:
            continue
        m = _metrics(rs)
        lines.append(
            f"| {method} | {'+'.join(faces)} | {exercise} | {np.mean(m.errors):.3f} | {np.max(m.errors):.2f} "
            f"| {_spread(m.still)} | {_spread(m.still_sym)} | {_spread(m.healthy)} | {_spread(m.amplitude)} "
            f"| {m.missed}/{len(rs)} |"
        )
    return lines


def _fmt_params(params: dict[str, tuple[float, float, float]]) -> str:
    return ", ".join(f"{ex} a={a:.3f} b={b:.3f} rms={rms:.2f} mm" for ex, (a, b, rms) in params.items())


def report(rows: list[SeriesRow], tune: list[str], held: list[str]) -> str:
    """Markdown: fitted (a, b), per-face fits (info), noise cost, product vs the inverse per face group and face."""
    params = fit(rows, tune)
    if not params:
        return "(cross-talk: no tuning-face clips, nothing fitted)"
    corrected = apply_inverse(rows, params)
    lines = [f"cross-talk fitted on {'+'.join(tune)} (tuning): {_fmt_params(params)}"]
    lines.append(
        "noise amplification 1/(a−b): " + ", ".join(f"{ex} {1 / (a - b):.2f}" for ex, (a, b, _) in params.items())
    )
    for face in held + tune:
        lines.append(f"fitted on {face} alone (information only, never used): {_fmt_params(fit(rows, [face]))}")
    ratios = [r.noise_ratio for r in corrected if r.face in held]
    if ratios:
        lines.append(
            f"measured std(L−R) at rest, after/before the inverse, held-back clips: median {np.median(ratios):.2f}"
        )
    lines += ["", TABLE_HEADER]
    groups = [tune, held] + [[f] for f in held]
    for method, rs in (("product as is", rows), ("cross-talk inverse (diagnostic)", corrected)):
        for faces in groups:
            if faces:
                lines += table_rows(rs, faces, method)
    return "\n".join(lines)
