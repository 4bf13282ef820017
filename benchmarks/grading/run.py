"""Grading benchmark: the suggested Sunnybrook and eFACE items against what the definitions give.

    python benchmarks/grading/run.py [--part graded|healthy|exams|all] [--cache DIR]

Why: a suggestion is only worth showing if, where the truth is known, it is the value the published
definition gives. Three parts:

* **graded**: the accuracy benchmark's graded one-sided weakness (benchmarks/accuracy: smile and brow
  warps, real lid closures; tuning and held-back faces kept apart). The weak side moves (1 - p) of
  the healthy side, so the definition gives Sunnybrook step 5/4/3/2/1 for p = 0/.25/.5/.75/1 and
  eFACE 100 x (1 - p). Reported: how often the suggested step is the definition's, how far off at
  worst, and the eFACE item's error.
* **healthy**: every real healthy clip in tests/data that shows a standard movement, measured as
  that movement: its voluntary item should be complete (5 / 100) and its synkinesis none (0).
* **exams**: whole generated examinations (benchmarks/grading/examination.py): a healthy face, frontal
  and turned 15 degrees, scores Sunnybrook composite and eFACE total; graded weakness item by item;
  an eye narrowing during the smile raises the synkinesis items; and the time a 60 s video takes.

Nothing here is tuned: the rules live in coach/grading/suggestions.py with their reasons.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
for _path in (REPO / "tests", REPO):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from benchmarks.accuracy import eyes, stages  # noqa: E402
from benchmarks.accuracy import generator as gen  # noqa: E402
from benchmarks.accuracy import run as accuracy  # noqa: E402
from coach.grading import scales  # noqa: E402
from coach.grading.evidence import ExaminationEvidence, movement_from_analysis  # noqa: E402
from coach.grading.suggestions import NEAR_EDGE, VOLUNTARY_STEP_EDGES, suggest_grading  # noqa: E402
from coach.plans.exercises import get_exercise  # noqa: E402
from coach.session.analysis import Analysis, analyse_track  # noqa: E402

#: the accuracy benchmark's movements and the items they are graded on (Sunnybrook, eFACE)
#: the accuracy benchmark's movements as the examination's exercises
EXAM_EXERCISE = {"smile": "exam_smile", "brow": "exam_brow_lift", "eye": "exam_gentle_eye_closure"}
ITEMS = {
    "smile": ("voluntary_open_mouth_smile", "dynamic_oral_commissure_smile"),
    "brow": ("voluntary_brow_lift", "dynamic_brow_elevation"),
    "eye": ("voluntary_gentle_eye_closure", "dynamic_gentle_eye_closure"),
}


def definition_step(share: float) -> int:
    """The Sunnybrook step the definition gives for the weak side moving `share` of the healthy side."""
    return 1 + sum(1 for edge in VOLUNTARY_STEP_EDGES if share >= edge)


@dataclass(frozen=True)
class GradedRow:
    face: str
    exercise: str
    weak: str | None
    p: float
    sunnybrook: int | None
    eface: int | None
    certainty: str

    @property
    def expected(self) -> int:
        return definition_step(1 - self.p)

    @property
    def off(self) -> int | None:
        return None if self.sunnybrook is None else abs(self.sunnybrook - self.expected)


def suggested_items(analysis: Analysis, exercise: str, weak: str | None) -> tuple[int | None, int | None, str]:
    """The clip's Sunnybrook and eFACE items as the product suggests them (weak side as the record)."""
    movement = movement_from_analysis(analysis)
    exercise_id = analysis.exercise.id
    evidence = ExaminationEvidence(analysis.static, {exercise_id: movement} if movement else {}, weak)
    suggested = suggest_grading(evidence)
    sb_item, ef_item = ITEMS[exercise]
    sb = suggested.items[scales.SUNNYBROOK][sb_item]
    return sb.value, suggested.items[scales.EFACE][ef_item].value, sb.certainty


def graded_rows(generator: gen.Generator, faces: list[str]) -> list[GradedRow]:
    rows = []
    for clip, detected in accuracy._clips(generator, faces):
        if clip.exercise not in ITEMS:
            continue
        analysis = analyse_track(stages.track_of(detected), get_exercise(EXAM_EXERCISE[clip.exercise]))
        sb, ef, certainty = suggested_items(analysis, clip.exercise, clip.weak)
        rows.append(GradedRow(clip.face, clip.exercise, clip.weak, clip.p, sb, ef, certainty))
    return rows


def graded_table(rows: list[GradedRow], title: str) -> list[str]:
    out = [
        f"#### {title}",
        "",
        "| exercise | clips | step = definition's | off by one (of them flagged near an edge) | off by more | none "
        "| by p (hits/clips) | eFACE item: mean abs error | worst |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for exercise in ITEMS:
        mine = [r for r in rows if r.exercise == exercise]
        if not mine:
            continue
        hits = sum(1 for r in mine if r.off == 0)
        by_p = " ".join(
            f"{p:g}: {sum(1 for r in mine if r.p == p and r.off == 0)}/{sum(1 for r in mine if r.p == p)}"
            for p in gen.PS
        )
        errors = [abs(r.eface - 100 * (1 - r.p)) for r in mine if r.eface is not None]
        flagged = sum(1 for r in mine if r.off == 1 and r.certainty == NEAR_EDGE)
        out.append(
            f"| {exercise} | {len(mine)} | {hits} ({100 * hits / len(mine):.0f} %) "
            f"| {sum(1 for r in mine if r.off == 1)} ({flagged}) "
            f"| {sum(1 for r in mine if (r.off or 0) > 1)} "
            f"| {sum(1 for r in mine if r.off is None)} | {by_p} "
            f"| {np.mean(errors):.1f} | {max(errors):.0f} |"
        )
    return out


def graded_report(cache: Path) -> str:
    generator = gen.Generator(gen.Landmarks(cache))
    faces = gen.TUNE + gen.HELD
    rows = graded_rows(generator, faces)
    tuning = set(gen.TUNE) | set(eyes.EYE_TUNE)
    lines = graded_table([r for r in rows if r.face not in tuning], "held-back faces")
    lines += ["", *graded_table([r for r in rows if r.face in tuning], "tuning faces (for comparison)")]
    misses = [r for r in rows if r.face not in tuning and (r.off or 0) > 1]
    lines += ["", "held-back clips off by more than one step:" if misses else "no held-back clip off by more than one."]
    lines += [
        f"- {r.face} {r.exercise} weak {r.weak} p={r.p:g}: {r.sunnybrook} (definition {r.expected})" for r in misses
    ]
    return "\n".join(lines)


#: real healthy clips in tests/data and the movements they show (None: the resting face only)
HEALTHY_CLIPS: dict[str, tuple[str, ...]] = {
    "single_face.mp4": ("exam_smile",),
    "expression_happy.flv": ("exam_smile",),
    "expression_fear_brows.flv": ("exam_brow_lift",),
    "turn_and_eye_closure.mp4": ("exam_gentle_eye_closure",),
    "blink_face.mp4": ("exam_gentle_eye_closure",),
    "talking_blink_woman.mpg": ("exam_gentle_eye_closure", "exam_smile"),
    "glasses_talking_blink.mpg": ("exam_gentle_eye_closure", "exam_smile"),
    "talking_blinking.mp4": ("exam_gentle_eye_closure", "exam_smile"),
    "head_motion_face.mp4": (),
    "frontal_neutral.jpg": (),
    "astronaut.png": (),
    "single_face.jpg": (),
}
_EXERCISE_ITEMS = {
    "exam_smile": ("voluntary_open_mouth_smile", "synkinesis_open_mouth_smile", "dynamic_oral_commissure_smile"),
    "exam_brow_lift": ("voluntary_brow_lift", "synkinesis_brow_lift", "dynamic_brow_elevation"),
    "exam_gentle_eye_closure": (
        "voluntary_gentle_eye_closure",
        "synkinesis_gentle_eye_closure",
        "dynamic_gentle_eye_closure",
    ),
}


def healthy_report() -> str:
    """Each real healthy clip measured as the movement it shows: items and resting items."""
    from coach.measure.landmarks import load_model_bytes, resolve_model_path
    from coach.plans.exercises import get_exercise
    from coach.session.analysis import analyse_track
    from coach.usecases.recorded import landmarks_of_recording

    model = load_model_bytes(resolve_model_path(None))
    lines = [
        "| clip | movement | repetitions | Sunnybrook voluntary | synkinesis | eFACE dynamic | how sure "
        "| resting eye / mouth | eFACE static brow / fissure / commissure |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, exercise_ids in HEALTHY_CLIPS.items():
        path = REPO / "tests" / "data" / name
        if not path.exists():
            lines.append(f"| {name} | (missing from tests/data) | | | | | | | |")
            continue
        track, _ = landmarks_of_recording(path, model, workers=1)
        for exercise_id in exercise_ids or ("rest",):
            analysis = analyse_track(track, get_exercise(exercise_id))
            movement = movement_from_analysis(analysis)
            evidence = ExaminationEvidence(analysis.static, {exercise_id: movement} if movement else {})
            suggested = suggest_grading(evidence)
            sb, ef = suggested.items[scales.SUNNYBROOK], suggested.items[scales.EFACE]
            rest = f"{sb['resting_eye'].value} / {sb['resting_mouth'].value}"
            static = " / ".join(str(ef[k].value) for k in ("static_brow", "static_palpebral_fissure",
                                                            "static_oral_commissure"))  # fmt: skip
            if exercise_id == "rest":
                lines.append(f"| {name} | rest | | | | | | {rest} | {static} |")
                continue
            voluntary_id, synkinesis_id, dynamic_id = _EXERCISE_ITEMS[exercise_id]
            voluntary, synkinesis, dynamic = sb[voluntary_id], sb[synkinesis_id], ef[dynamic_id]
            lines.append(
                f"| {name} | {exercise_id} | {len(analysis.reps)} | {voluntary.value} | {synkinesis.value} "
                f"| {dynamic.value} | {voluntary.certainty} | {rest} | {static} |"
            )
    return "\n".join(lines)


EXAM_FACES = ["frontal_neutral", "astronaut", "blink_face", "head_motion"]
EXAM_PS = [0.0, 0.25, 0.5, 0.75, 1.0]
TURN_DEG = 15.0


def _turned(clip_path: Path, degrees: float) -> Path:
    """The examination video turned by `degrees` of yaw (tests/synthetic.turn_clip), cached beside it."""
    import cv2

    from synthetic import turn_clip

    out = clip_path.with_name(f"turned{degrees:g}.mp4")
    if out.exists():
        return out
    capture = cv2.VideoCapture(str(clip_path))
    fps = capture.get(cv2.CAP_PROP_FPS)
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    capture.release()
    landmarks = gen.Landmarks(gen.DEFAULT_CACHE)
    try:
        face = landmarks.detect_all(frames[:1])[0]
    finally:
        landmarks.close()
    turned = turn_clip(frames, [face] * len(frames), np.full(len(frames), degrees))
    partial = out.with_suffix(".partial.mp4")
    writer = cv2.VideoWriter(str(partial), cv2.VideoWriter_fourcc(*"mp4v"), fps, frames[0].shape[1::-1])
    for frame in turned:
        writer.write(frame)
    writer.release()
    partial.replace(out)
    return out


@dataclass(frozen=True)
class ExamResult:
    face: str
    weak: str | None
    p: float
    synkinesis: bool
    turned: bool
    video_s: float
    took_s: float
    suggestions: object  # GradingSuggestions


def _exam_results(model: bytes) -> list[ExamResult]:
    import time

    from benchmarks.grading import examination as exam
    from coach.usecases.examination import examine_recording

    clips = [(c, False) for c in exam.examinations(EXAM_FACES, EXAM_PS, ["left"])]
    clips += [(c, True) for c in exam.examinations(EXAM_FACES, [0.5, 1.0], ["left"], synkinesis=True)]
    results = []
    for clip, synkinesis in clips:
        truth = clip.truth
        paths = [(clip.path, False)] + ([(_turned(clip.path, TURN_DEG), True)] if truth["p"] == 0 else [])
        for path, turned in paths:
            start = time.perf_counter()
            examined = examine_recording(path, model, affected_side=truth["weak"])
            took = time.perf_counter() - start
            results.append(ExamResult(truth["face"], truth["weak"], truth["p"], synkinesis, turned,
                                      truth["duration_s"], took, examined.suggestions))  # fmt: skip
            print(f"exam {path.parent.name}/{path.name}: {took:.1f} s", file=sys.stderr, flush=True)
    return results


def _movement_items() -> dict[str, tuple[str, str]]:
    """Exercise id → (its Sunnybrook voluntary item, its eFACE dynamic item; "" where a scale has none)."""
    out: dict[str, tuple[str, str]] = {}
    for item in scales.SUNNYBROOK_ITEMS:
        if item.section == "voluntary" and item.movement:
            out[item.movement] = (item.id, "")
    for item in scales.EFACE_ITEMS:
        if item.section == "dynamic" and item.movement and "nasolabial" not in item.id:
            out[item.movement] = (out.get(item.movement, ("", ""))[0], item.id)
    return out


def exams_report() -> str:
    from coach.measure.landmarks import load_model_bytes, resolve_model_path

    results = _exam_results(load_model_bytes(resolve_model_path(None)))
    lines = ["#### healthy examinations (p = 0): totals with the clinician's items counted normal", "",
             "| face | role | view | Sunnybrook composite | eFACE total | items not found |",
             "|---|---|---|---|---|---|"]  # fmt: skip
    for r in (r for r in results if r.p == 0):
        sb, ef = r.suggestions.scores(scales.SUNNYBROOK), r.suggestions.scores(scales.EFACE)
        not_found = [k for k, v in r.suggestions.items[scales.EFACE].items() if v.certainty == "not_examined"]
        role = "tuning" if r.face in gen.TUNE else "held back"
        view = f"turned {TURN_DEG:g}°" if r.turned else "frontal"
        lines.append(
            f"| {r.face} | {role} | {view} | {sb.total:.0f} | {ef.total:.0f} | {', '.join(not_found) or '-'} |"
        )
    lines += ["", "#### voluntary items on graded weakness (weak side left, held-back faces)", "",
              "| movement | Sunnybrook step = definition's | off by one | off by more | not found "
              "| eFACE mean abs error |",
              "|---|---|---|---|---|---|"]  # fmt: skip
    graded = [r for r in results if not r.synkinesis and not r.turned and r.face not in gen.TUNE]
    for movement, (sb_item, ef_item) in _movement_items().items():
        offs, errors, missing = [], [], 0
        for r in graded:
            if sb_item:
                value = r.suggestions.items[scales.SUNNYBROOK][sb_item].value
                if value is None:
                    missing += 1
                else:
                    offs.append(abs(value - definition_step(1 - r.p)))
            eface = r.suggestions.items[scales.EFACE][ef_item].value if ef_item else None
            if eface is not None:
                errors.append(abs(eface - 100 * (1 - r.p)))
            elif ef_item and not sb_item:
                missing += 1
        hits = sum(1 for o in offs if o == 0)
        cases = len(offs) + missing
        step = f"{hits}/{cases}" if sb_item else "(eFACE only)"
        lines.append(f"| {movement} | {step} | {sum(1 for o in offs if o == 1)} | {sum(1 for o in offs if o > 1)} "
                     f"| {missing} | {f'{np.mean(errors):.1f}' if errors else '-'} |")  # fmt: skip
    lines += ["", "#### synkinesis: the weak eye narrows 40 % of its opening during the smile", "",
              "| face | p | synkinesis in the clip | Sunnybrook smile synkinesis | eFACE ocular synkinesis |",
              "|---|---|---|---|---|"]  # fmt: skip
    for r in (r for r in results if r.p in (0.5, 1.0) and not r.turned):
        sb = r.suggestions.items[scales.SUNNYBROOK]["synkinesis_open_mouth_smile"]
        ef = r.suggestions.items[scales.EFACE]["synkinesis_ocular"]
        lines.append(f"| {r.face} | {r.p:g} | {'yes' if r.synkinesis else 'no'} | {sb.value} | {ef.value} |")
    took = [r.took_s for r in results]
    per_min = [60.0 * r.took_s / r.video_s for r in results if not r.turned]
    lines += ["", f"time from video file to suggestions (detection included, 2 workers): median "
              f"{np.median(took):.1f} s "
              f"for {results[0].video_s:.0f} s of 480x480 video; per 60 s of video: median {np.median(per_min):.1f} s, "
              f"worst {max(per_min):.1f} s ({len(results)} videos)"]  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=("graded", "healthy", "exams", "all"), default="all")
    parser.add_argument("--cache", type=Path, default=gen.DEFAULT_CACHE)
    args = parser.parse_args(argv)
    if args.part in ("graded", "all"):
        print(graded_report(args.cache))
    if args.part in ("healthy", "all"):
        print(healthy_report())
    if args.part in ("exams", "all"):
        print(exams_report())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
