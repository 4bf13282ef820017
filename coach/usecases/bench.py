"""`facecoach bench`: the cost of our analysis on top of the landmark model.

Both passes decode the same clip from disk and run the same landmark threads; the
analysis pass also picks the face, normalises pose, measures and finds repetitions.
The passes alternate (bare, analysis, bare, analysis) and each keeps its best time,
so a shared, noisy machine affects both alike and the ratio is from one run.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

from coach.capture.sources import Frame, FrameSource, VideoFileSource
from coach.measure.landmarks import ParallelLandmarker
from coach.plans.exercises import Exercise
from coach.session.analysis import analyse_track, collect_landmarks

ROUNDS = 3


class ReplayedVideo(FrameSource):
    """A video played `times` times in a row, decoding afresh each time, with
    timestamps that keep increasing (as if the person repeated the exercise)."""

    def __init__(self, path: Path, times: int) -> None:
        self._path = path
        self._times = times
        probe = VideoFileSource(path)
        self.name = probe.name
        self.nominal_fps = probe.nominal_fps
        probe.close()

    def read(self) -> Frame | None:  # pragma: no cover - iteration goes through __iter__
        raise NotImplementedError("iterate over ReplayedVideo")

    def __iter__(self) -> Iterator[Frame]:
        index = 0
        fps = self.nominal_fps or 30.0
        for _ in range(self._times):
            with VideoFileSource(self._path) as video:
                for frame in video:
                    yield Frame(index, index / fps, frame.image_rgb)
                    index += 1


def run_benchmark(
    path: Path, model: bytes, exercise: Exercise, min_frames: int = 300, workers: int | None = None
) -> dict[str, float | int]:
    with VideoFileSource(path) as probe:
        clip_frames = sum(1 for _ in probe)
        fps = probe.nominal_fps or 30.0
    times = max(1, -(-min_frames // clip_frames))
    bare_best = analysis_best = float("inf")
    frames = 0
    with ParallelLandmarker(model, workers=workers) as landmarker:
        # warm-up: the first inferences of a fresh model are slower
        for _ in landmarker.run(ReplayedVideo(path, 1)):
            pass
        for _ in range(ROUNDS):
            start = time.perf_counter()
            frames = sum(1 for _ in landmarker.run(ReplayedVideo(path, times)))
            bare_best = min(bare_best, time.perf_counter() - start)

            start = time.perf_counter()
            track = collect_landmarks(ReplayedVideo(path, times), landmarker)
            analyse_track(track, exercise)
            analysis_best = min(analysis_best, time.perf_counter() - start)
    bare_fps = frames / bare_best
    analysis_fps = frames / analysis_best
    return {
        "frames": frames,
        "bare_fps": round(bare_fps, 2),
        "analysis_fps": round(analysis_fps, 2),
        "ratio": round(analysis_fps / bare_fps, 3),
        "realtime_factor": round(analysis_fps / fps, 2),
        "workers": landmarker.workers,
        "clip_fps": fps,
    }
