"""Accuracy benchmark entry point: generate, detect, and print the markdown tables.

    python benchmarks/accuracy/run.py [--faces ...] [--cache DIR]

Why: the product's symmetry against a known truth, stage by stage, on one TUNING face (frontal_neutral)
and held-back faces (astronaut, blink_face, head_motion, single_face) that nothing may be tuned on; with
blink_face come the real eye closures of eyes.py (blink_face's first blink tunes the lids; its second and
the closures of turn_and_eye_closure and talking_blink_woman are held back).
See generator.py for how the clips and the truth are made (on videos the truth is the model's reading of
the unmodified frames, so a "still" side is not exactly zero there). Landmarks are cached per clip in
--cache (default: a folder under the system temp dir, never in the repo); a cold run detects ~120 clips
with one worker (about 7 minutes on a 2-core machine). Not part of the pytest suite (too slow).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
for _path in (REPO / "tests", REPO):  # the product and tests/synthetic.py, from this checkout
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from benchmarks.accuracy import crosstalk, droop, eyes, stages, targets  # noqa: E402
from benchmarks.accuracy import generator as gen  # noqa: E402
from coach.measure.geometry import MAX_MEASURED_TURN_DEG  # noqa: E402


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _clips(generator: gen.Generator, faces: list[str]) -> list[tuple[gen.Clip, np.ndarray]]:
    """Every clip of `faces` with its landmarks: the warped movements, and (with blink_face) the real eye closures."""
    specs: list = list(gen.movement_specs(faces))
    if "blink_face" in faces:
        specs += eyes.eye_specs()
    eye_clips = eyes.EyeClips(generator)
    out, start = [], time.perf_counter()
    for i, spec in enumerate(specs, 1):
        if len(spec) == 3:
            clip = eye_clips.make_clip(*spec, images=False)
            detected = eye_clips.detected(clip)
        else:
            clip = generator.make_clip(*spec, images=False)
            detected = generator.detected(clip)
        out.append((clip, detected))
        _progress(f"[{i}/{len(specs)}] {clip.key} {time.perf_counter() - start:.0f}s")
    return out


def measure_all(generator: gen.Generator, faces: list[str]) -> tuple[list[stages.StageRow], list[crosstalk.SeriesRow]]:
    """Stage readings and product series of every clip of `faces` (detecting on a cache miss)."""
    stage_rows, series_rows = [], []
    for clip, detected in _clips(generator, faces):
        row, analysis = stages.stage_readings(clip, detected)
        stage_rows.append(row)
        series_rows.append(crosstalk.series_row(clip, detected, analysis))
    return stage_rows, series_rows


def report(generator: gen.Generator, faces: list[str]) -> str:
    """All tables as one markdown text."""
    with_eyes = "blink_face" in faces
    tune = [f for f in gen.TUNE if f in faces] + (eyes.EYE_TUNE if with_eyes else [])
    held = [f for f in gen.HELD if f in faces] + (eyes.EYE_HELD if with_eyes else [])
    stage_rows, series_rows = measure_all(generator, faces)
    droop_readings = droop.droop_readings(generator, faces)
    parts = ["# Accuracy benchmark", "", f"tuning faces: {', '.join(tune) or '-'}; held back: {', '.join(held) or '-'}"]
    parts += ["", "## Targets (issue 12), held-back faces", ""]
    parts += [targets.targets_table(series_rows, held, droop_readings, [f for f in held if f in gen.DROOP_FACES]), ""]
    parts += ["## Stage-by-stage symmetry error", ""]
    for group, group_faces in (("tuning", tune), ("held-back", held)):
        for exercise in crosstalk.FIT_AXES:
            table = stages.stage_table(stage_rows, group_faces, group, exercise)
            if table:
                parts += [table, ""]
    parts += [stages.per_face_table(stage_rows, tune + held), ""]
    unmeasured = [f"{r.face} {r.exercise} {r.weak} {r.p}: {r.unmeasured_hold_frames}" for r in stage_rows
                  if r.unmeasured_hold_frames]  # fmt: skip
    parts += [
        "Hold frames the product left out (head turned more than "
        f"{MAX_MEASURED_TURN_DEG:.0f}° from its resting pose): {'; '.join(unmeasured) or 'none'}",
        "",
    ]
    parts += ["## The product against the truth (cross-talk fitted on the tuning face only)", ""]
    parts += [crosstalk.report(series_rows, tune, held), ""]
    parts += ["## Static droop (product static measure commissure_height_mm)", ""]
    parts += [droop.droop_table(droop_readings)]
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run the benchmark, print the tables to stdout (progress to stderr)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faces", nargs="+", choices=gen.FACES, default=gen.FACES, help="faces to run (default all)")
    parser.add_argument(
        "--cache", type=Path, default=gen.DEFAULT_CACHE, help=f"landmark cache (default {gen.DEFAULT_CACHE})"
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    landmarks = gen.Landmarks(args.cache)
    faces = [f for f in gen.FACES if f in args.faces]
    try:
        print(report(gen.Generator(landmarks), faces))
    finally:
        landmarks.close()
    _progress(f"done in {time.perf_counter() - start:.0f}s (cache {args.cache})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
