"""Stage-by-stage symmetry error of the product's pipeline on generated clips.

Why: to see where the pull toward symmetry comes from. Each stage swaps one piece of the truth for the
product's own computation, cumulatively:
(a) landmarks of the generated clip, posed with the *true* pose (fitted on the unmodified frames) and
    measured from the *true* neutral, with a signed linear measure (corner displacement projected on the
    true healthy direction; brow lift as the product);
(b) + the product's 3D pose fit (``RestingFace.normalise``) on the clip's own landmarks;
(c) + the product's neutral choice and reference (``analyse_track``);
(d) + the product's per-side measure (``commissure_excursion_mm``, ``brow_lift_mm``);
(e) + the repetition peak / summary (``engine``) = what ``analyze`` reports.
(a)-(d) are means over the hold frames. Tuning face: frontal_neutral; held back: the others (generator.py).
Truth per side = the stage-(a) linear measure applied to the true landmark positions, posed with the pose of
the unmodified frames, against their neutral. On videos the unmodified frames are the model's reading of the original
footage, so a weak side's truth at p = 1 is not zero there (see generator.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from benchmarks.accuracy import generator as gen
from coach.measure import measures
from coach.measure.geometry import RestingFace, mean_shape, rigid_pose
from coach.measure.sides import symmetry
from coach.plans.exercises import get_exercise
from coach.session.analysis import Analysis, LandmarkTrack, analyse_track

EXERCISE_ID = {"smile": "big_smile", "brow": "raise_brows", "eye": "gentle_eye_closure"}
MEASURE = {"smile": "commissure_excursion_mm", "brow": "brow_lift_mm", "eye": "eye_closure_mm"}
REGION = {"smile": measures.MOUTH_CORNER, "brow": measures.BROW, "eye": measures.UPPER_LID}
STAGES = ["a_raw", "b_pose", "c_neutral", "d_measure", "e_summary"]
STAGE_NAMES = {
    "a_raw": "(a) raw landmarks (true pose, true neutral)",
    "b_pose": "(b) + product 3D pose fit",
    "c_neutral": "(c) + product neutral reference",
    "d_measure": "(d) + product per-side measure (cross-talk undone; norm / mean)",
    "e_summary": "(e) + repetition peak / summary (= analyze)",
}
Pose = tuple[np.ndarray, np.ndarray, np.ndarray]


def true_pose(points_px: np.ndarray, reference_px: np.ndarray) -> Pose:
    """The product's own pose fit (`rigid_pose`), kept as a transform so that the pose of the
    unmodified frames can be applied to other points."""
    return rigid_pose(points_px, reference_px)


def apply_pose(pose: Pose, points_px: np.ndarray) -> np.ndarray:
    """Apply per-frame similarity transforms to (N, 478, 3) points."""
    scale, rotation, translation = pose
    return scale[:, None, None] * (points_px @ rotation.transpose(0, 2, 1)) + translation[:, None]


def track_of(points_px: np.ndarray, fps: float = gen.FPS) -> LandmarkTrack:
    """A LandmarkTrack of detected landmarks, as analyse_track expects from a clip."""
    n = len(points_px)
    return LandmarkTrack(
        source="generated",
        fps=fps,
        image_size=(480, 480),
        timestamps_s=np.arange(n) / fps,
        frames_with_face=np.arange(n),
        points_px=points_px,
        faces_seen=np.ones(n, int),
    )


def linear_measure(exercise: str, points_mm: np.ndarray, neutral_mm: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """Signed, linear version of the measure as the landmarks give it (no rectification, cross-talk not undone):
    smile = corner displacement projected on the true healthy direction (mirrored per side); brow = lift."""
    if exercise == "brow":
        return -measures.raw_displacement_mm(points_mm, neutral_mm, "brow")[..., 1]
    if exercise == "eye":
        return measures.raw_eye_closure_mm(points_mm, neutral_mm)
    delta = measures.raw_displacement_mm(points_mm, neutral_mm, "mouth_corner")  # (N, 2 sides, 2)
    return (delta * direction[None]).sum(-1)


@dataclass
class Reading:
    """Per-side reading in mm (patient's anatomical sides)."""

    left: float
    right: float

    @property
    def sym(self) -> float:
        """The product's symmetry index (1.0 when neither side moves)."""
        s = symmetry(self.left, self.right)
        return 1.0 if s is None else s

    def side(self, name: str) -> float:
        """The reading of side `name` ("left" / "right")."""
        return self.left if name == "left" else self.right


def _measured(analysis: Analysis, frames: np.ndarray) -> np.ndarray:
    """Rows of the product's series for those of the clip's `frames` it measured (it leaves out
    frames whose head is turned too far from rest)."""
    row_of = {int(frame): row for row, frame in enumerate(analysis.track.frames_with_face)}
    return np.array([row_of[int(f)] for f in frames if int(f) in row_of], dtype=int)


def _hold_mean(series: np.ndarray, hold: np.ndarray) -> Reading:
    left, right = series[hold].mean(0)
    return Reading(float(left), float(right))


@dataclass
class TruthFrame:
    """The unmodified frames' pose and neutral, and the true landmark positions in that resting face's axes (mm)."""

    resting_face: RestingFace
    pose: Pose
    true_mm: np.ndarray


def truth_frame(clip: gen.Clip) -> TruthFrame:
    """True positions posed with the pose of the unmodified frames, against their neutral."""
    ref_true = mean_shape(clip.orig_px[list(clip.neutral)])
    resting_face = RestingFace.from_reference(ref_true)
    pose = true_pose(clip.orig_px, ref_true)
    return TruthFrame(resting_face, pose, resting_face.to_mm(apply_pose(pose, clip.true_px)))


def _healthy_direction(true_mm: np.ndarray, neutral_mm: np.ndarray, hold: np.ndarray) -> np.ndarray:
    """(2 sides, 2) unit direction of the stronger corner's true movement, mirrored for the other side."""
    delta = measures.raw_displacement_mm(true_mm[hold], neutral_mm, "mouth_corner").mean(0)
    strong = int(np.argmax(np.linalg.norm(delta, axis=1)))
    unit = delta[strong] / np.linalg.norm(delta[strong])
    mirrored = unit * np.array([-1.0, 1.0])
    return np.stack([unit, mirrored]) if strong == 0 else np.stack([mirrored, unit])


@dataclass
class StageRow:
    """Readings of one clip at every stage, with its truth and the pixel-level landmark displacements."""

    face: str
    exercise: str
    weak: str | None
    p: float
    truth: Reading
    stages: dict[str, Reading]
    reps: int
    pixels: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)  # side -> (true, landmark)
    #: hold frames the product did not measure (the head turned too far from its resting pose)
    unmeasured_hold_frames: int = 0


def _pixel_displacements(clip: gen.Clip, detected_px: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Mean hold-frame displacement in px of the measured landmarks, true vs detected, per side."""
    neutral, hold = list(clip.neutral), clip.hold
    out = {}
    for k, side in enumerate(("left", "right")):
        idx = list(REGION[clip.exercise][k])
        true_d = (clip.true_px[hold][:, idx, :2] - clip.true_px[neutral].mean(0)[idx, :2]).mean((0, 1))
        lm_d = (detected_px[hold][:, idx, :2] - detected_px[neutral].mean(0)[idx, :2]).mean((0, 1))
        out[side] = (true_d, lm_d)
    return out


def stage_readings(clip: gen.Clip, detected_px: np.ndarray) -> tuple[StageRow, Analysis]:
    """Per-side readings (mean over the hold frames) at each stage, the truth, and the product's analysis."""
    ex, hold = clip.exercise, clip.hold
    truth = truth_frame(clip)
    neutral_mm = truth.resting_face.reference_mm
    direction = _healthy_direction(truth.true_mm, neutral_mm, hold) if ex == "smile" else np.zeros((2, 2))
    stages = {}
    stages["a_raw"] = _hold_mean(
        linear_measure(ex, truth.resting_face.to_mm(apply_pose(truth.pose, detected_px)), neutral_mm, direction), hold
    )
    stages["b_pose"] = _hold_mean(
        linear_measure(ex, truth.resting_face.normalise(detected_px), neutral_mm, direction), hold
    )
    analysis = analyse_track(track_of(detected_px), get_exercise(EXERCISE_ID[ex]))
    product_mm = analysis.resting_face.normalise(detected_px)
    stages["c_neutral"] = _hold_mean(
        linear_measure(ex, product_mm, analysis.resting_face.reference_mm, direction), hold
    )
    measured_hold = _measured(analysis, hold)
    stages["d_measure"] = _hold_mean(analysis.series[MEASURE[ex]], measured_hold)
    summary = analysis.summary
    stages["e_summary"] = Reading(summary.left_mm or 0.0, summary.right_mm or 0.0)
    row = StageRow(
        face=clip.face,
        exercise=ex,
        weak=clip.weak,
        p=clip.p,
        truth=_hold_mean(linear_measure(ex, truth.true_mm, neutral_mm, direction), hold),
        stages=stages,
        reps=summary.reps,
        pixels=_pixel_displacements(clip, detected_px),
        unmeasured_hold_frames=len(hold) - len(measured_hold),
    )
    return row, analysis


# ---------------------------------------------------------------- tables
def _other(side: str | None) -> str:
    return "right" if side == "left" else "left"


def _stage_line(rows: list[StageRow], stage: str, prev: float, final: float) -> tuple[str, float]:
    err = float(np.mean([abs(r.stages[stage].sym - r.truth.sym) for r in rows]))
    still = [r.stages[stage].side(r.weak) for r in rows if r.p == 1.0]
    healthy = [r.stages[stage].side(_other(r.weak)) - r.truth.side(_other(r.weak)) for r in rows if r.p > 0]
    at_zero = [r.stages[stage].side(s) - r.truth.side(s) for r in rows if r.p == 0 for s in ("left", "right")]
    line = (
        f"| {STAGE_NAMES[stage]} | {err:.3f} | {100 * (err - prev) / final:+.0f} % | {np.mean(still):+.2f} "
        f"| {np.mean(healthy):+.2f} | {np.mean(at_zero):+.2f} |"
    )
    return line, err


def _pixel_line(rows: list[StageRow]) -> str:
    follows, err_px = [], []
    for r in rows:
        if r.p != 1.0:
            continue
        true_d, lm_d = r.pixels[r.weak]
        err_px.append(np.linalg.norm(lm_d - true_d))
        true_h, lm_h = r.pixels[_other(r.weak)]
        follows.append(float(lm_h @ true_h / (true_h @ true_h)))
    return (
        f"pixel level, p = 1: weak-side landmark displacement error {np.mean(err_px):.2f} px "
        f"(range {np.min(err_px):.2f}-{np.max(err_px):.2f}); healthy-side landmark follows "
        f"{100 * np.mean(follows):.0f} % of its true pixel displacement"
    )


def stage_table(rows: list[StageRow], faces: list[str], group: str, exercise: str) -> str:
    """Markdown: mean |symmetry error| per stage, its share of the final error, still/healthy side errors."""
    rs = [r for r in rows if r.face in faces and r.exercise == exercise]
    if not rs:
        return ""
    names = ", ".join(f for f in faces if any(r.face == f for r in rs))
    lines = [
        f"#### {exercise}, {group} faces ({names}; {len(rs)} clips)",
        "",
        "| stage | mean abs symmetry error | share of final error | still side mm (p=1; truth ~0) "
        "| healthy side error mm (p>0) | healthy error at p=0 mm |",
        "|---|---|---|---|---|---|",
    ]
    final = float(np.mean([abs(r.stages["e_summary"].sym - r.truth.sym) for r in rs]))
    prev = 0.0
    for stage in STAGES:
        line, prev = _stage_line(rs, stage, prev, final)
        lines.append(line)
    lines += ["", _pixel_line(rs)]
    return "\n".join(lines)


def per_face_table(rows: list[StageRow], faces: list[str]) -> str:
    """Markdown: the final (analyze) symmetry vs truth per face, exercise and p, mean over weak sides."""
    lines = [
        "#### per face: final (analyze) symmetry vs truth, mean over weak sides",
        "",
        "| face | exercise | " + " | ".join(f"p={p:g}" for p in gen.PS) + " |",
        "|---|---|" + "---|" * len(gen.PS),
    ]
    for face in faces:
        for exercise in dict.fromkeys(r.exercise for r in rows if r.face == face):
            cells = []
            for p in gen.PS:
                rs = [r for r in rows if r.face == face and r.exercise == exercise and r.p == p]
                read = np.mean([r.stages["e_summary"].sym for r in rs])
                cells.append(f"{read:.2f} (truth {np.mean([r.truth.sym for r in rs]):.2f})")
            lines.append(f"| {face} | {exercise} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
