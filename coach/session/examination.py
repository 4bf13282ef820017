"""A recorded examination: one video showing the standard movements in their standard order.

A clinic films the grading examination as one video (rest, then each movement two or three
times with rest between, in the order of the examination programme). To grade it, each
movement's repetitions must be found and measured as that movement. The order is known, so
the video is cut into bursts of movement and each burst is given to the movement, in order,
whose own measure it moves most (a monotone assignment, solved exactly); each movement is
then analysed by the same code as a single-exercise recording (`analysis.analyse_track`),
against one resting face for all of them, as a clinician compares every movement with rest.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from coach.base.errors import MeasurementError
from coach.base.i18n import tr
from coach.measure import measures
from coach.measure.geometry import RestingFace, mean_shape, rough_mm_shapes
from coach.plans.exercises import Exercise
from coach.session import engine
from coach.session.analysis import Analysis, LandmarkTrack, analyse_track

#: a movement's activation is read against its own highest level in the video (this percentile of
#: its frames, so a single glitch does not set the scale)
SCALE_PERCENTILE = 99.5
#: a frame is moving, not at rest, when some measured region of either side is this far (mm) from
#: where it was at rest: the least movement an exercise counts (1.0-1.5 mm), well above the
#: landmarks' jitter at rest (a few tenths of a mm)
BURST_MM = 1.0
#: bursts closer than this (s) are one: a dip in the middle of a hold is not two repetitions
MERGE_GAP_S = 0.3
#: a burst that fits no movement better than this share of its level is left out (a swallow, a
#: cough, a blink), never forced onto a movement
UNASSIGNED_SCORE = 0.35
#: what starting the next movement of the examination is worth: the examination asks every movement,
#: so an assignment that leaves one out must be the better fit by more than this; less than half a
#: burst's best score, so one movement's repetitions are not split over two
NEW_MOVEMENT_SCORE = 0.4
#: weight of "repetitions of one movement look alike, the next movement looks different": a smile
#: lifts the upper lip more than many a snarl does, so by its own measure alone a smile is also a
#: snarl; what tells them apart is that the snarl's bursts look unlike the smile's before them
LIKENESS_WEIGHT = 0.5
#: each movement's stretch reaches this far (s) before its first and after its last burst, so its
#: analysis sees the movement start from rest and return to it
PAD_S = 1.0


@dataclass(frozen=True)
class Burst:
    start: int  # first and last frame (indices into the frames with a face)
    end: int


@dataclass(frozen=True)
class RecordedExamination:
    """Each movement of an examination video, analysed as that movement."""

    #: the resting face (static measures); None when the video does not begin at rest
    rest: Analysis | None
    #: exercise id → its analysis, for every movement found
    movements: dict[str, Analysis]
    #: exercise id → (start_s, end_s) of the stretch analysed
    stretches: dict[str, tuple[float, float]]
    #: movements of the examination that were not found in the video
    missing: tuple[str, ...]
    warnings: tuple[str, ...]


def _region_movement_mm(points_mm: np.ndarray, neutral_mm: np.ndarray) -> np.ndarray:
    """(frames,) how far the most-moved measured region of either side is from rest (mm, face plane)."""
    regions = {tuple(side) for left_right in measures.MEASURED_REGIONS.values() for side in left_right}
    moved = [np.linalg.norm((points_mm[:, list(idx), :2] - neutral_mm[list(idx), :2]).mean(axis=1), axis=-1)
             for idx in regions]  # fmt: skip
    return engine.median3(np.max(np.stack(moved, axis=1), axis=1))


def _bursts(moved_mm: np.ndarray, times_s: np.ndarray) -> list[Burst]:
    """Stretches away from rest (BURST_MM), held long enough to be a movement and not a blink."""
    active = np.flatnonzero(moved_mm >= BURST_MM)
    if len(active) == 0:
        return []
    runs: list[list[int]] = [[int(active[0]), int(active[0])]]
    for i in active[1:]:
        if times_s[i] - times_s[runs[-1][1]] <= MERGE_GAP_S:
            runs[-1][1] = int(i)
        else:
            runs.append([int(i), int(i)])
    return [Burst(a, b) for a, b in runs if times_s[b] - times_s[a] >= engine.MIN_REPETITION_S]


def unlikeness(scores: np.ndarray) -> np.ndarray:
    """(bursts - 1,) how unlike each burst is to the one before, 0-1: half the summed difference of
    their activations, each burst's scaled to its own strongest."""
    shapes = scores / np.maximum(scores.max(axis=1, keepdims=True), 1e-6)
    return np.clip(0.5 * np.abs(np.diff(shapes, axis=0)).sum(axis=1), 0.0, 1.0)


def assign_in_order(scores: np.ndarray) -> list[int | None]:
    """Give each burst (rows, in time order) a movement (columns, in examination order) so that the
    movements never go backwards in time and the summed scores are greatest: each burst's fit to its
    movement, NEW_MOVEMENT_SCORE for each movement begun, and LIKENESS_WEIGHT times how alike two
    bursts in a row are when they share a movement (how unlike, when they do not). A burst may be
    left out at UNASSIGNED_SCORE. Exact dynamic programming over (burst, last movement)."""
    bursts, moves = scores.shape
    unlike = unlikeness(scores) if bursts > 1 else np.zeros(0)
    best = np.full((bursts + 1, moves + 1), -np.inf)  # column 0: no movement yet
    best[0, 0] = 0.0
    back: dict[tuple[int, int], tuple[int, int | None]] = {}
    for i in range(bursts):
        for last in range(moves + 1):
            if best[i, last] == -np.inf:
                continue
            if best[i, last] + UNASSIGNED_SCORE > best[i + 1, last]:
                best[i + 1, last] = best[i, last] + UNASSIGNED_SCORE
                back[(i + 1, last)] = (last, None)
            for move in range(max(last, 1), moves + 1):
                apart = unlike[i - 1] if i else 1.0
                kept = 1.0 - apart if move == last else apart
                total = best[i, last] + scores[i, move - 1] + LIKENESS_WEIGHT * kept
                total += NEW_MOVEMENT_SCORE if move != last else 0.0
                if total > best[i + 1, move]:
                    best[i + 1, move] = total
                    back[(i + 1, move)] = (last, move - 1)
    labels: list[int | None] = []
    state = int(np.argmax(best[bursts]))
    for i in range(bursts, 0, -1):
        state, label = back[(i, state)]
        labels.append(label)
    return labels[::-1]


def _sub_track(track: LandmarkTrack, rows: np.ndarray) -> LandmarkTrack:
    """The frames with a face at `rows` (indices into them) as a track of their own."""
    frames = track.frames_with_face[rows]
    return replace(
        track,
        timestamps_s=track.timestamps_s[frames],
        frames_with_face=np.arange(len(rows)),
        points_px=track.points_px[rows],
        faces_seen=track.faces_seen[frames],
        eye_glare=None if track.eye_glare is None else track.eye_glare[rows],
        warnings=[],
    )


def _activations(points_mm: np.ndarray, neutral_mm: np.ndarray, movements: list[Exercise]) -> np.ndarray:
    """(frames, movements): each movement's own measure, stronger side, as a share of its highest level."""
    columns = []
    for exercise in movements:
        signed = measures.ACTIVATION[exercise.primary[0]](points_mm, neutral_mm).max(axis=1)
        filtered = engine.median3(signed)
        scale = max(float(np.percentile(filtered, SCALE_PERCENTILE)), exercise.min_movement_mm)
        columns.append(np.clip(filtered / scale, 0.0, None))
    return np.stack(columns, axis=1)


def split_examination(
    track: LandmarkTrack, movements: list[Exercise]
) -> tuple[engine.NeutralChoice, dict[str, tuple[int, int]]]:
    """The resting stretch at the start, and each movement's stretch (first and last row of the
    frames with a face) in the video."""
    times = track.timestamps_s[track.frames_with_face]
    searched = int(np.searchsorted(times, times[0] + engine.NEUTRAL_SEARCH_S + engine.NEUTRAL_WINDOW_S)) + 1
    neutral = engine.choose_neutral(times[:searched], rough_mm_shapes(track.points_px[:searched]))
    resting_face = RestingFace.from_reference(mean_shape(track.points_px[neutral.indices]))
    points_mm = resting_face.normalise(track.points_px)
    activation = _activations(points_mm, resting_face.reference_mm, movements)
    bursts = _bursts(_region_movement_mm(points_mm, resting_face.reference_mm), times)
    scores = np.array([[np.percentile(activation[b.start : b.end + 1, k], 90) for k in range(len(movements))]
                       for b in bursts]).reshape(len(bursts), len(movements))  # fmt: skip
    labels = assign_in_order(scores)
    found: dict[int, list[Burst]] = {}
    for burst, label in zip(bursts, labels, strict=True):
        if label is not None:
            found.setdefault(label, []).append(burst)
    stretches: dict[str, tuple[int, int]] = {}
    ordered = sorted(found)
    for n, k in enumerate(ordered):
        first, last = found[k][0].start, found[k][-1].end
        earliest = found[ordered[n - 1]][-1].end + 1 if n else 0
        latest = found[ordered[n + 1]][0].start - 1 if n + 1 < len(ordered) else len(times) - 1
        start = max(earliest, int(np.searchsorted(times, times[first] - PAD_S)))
        end = min(latest, int(np.searchsorted(times, times[last] + PAD_S, side="right")) - 1)
        stretches[movements[k].id] = (start, end)
    return neutral, stretches


def analyse_examination(track: LandmarkTrack, exercises: list[Exercise]) -> RecordedExamination:
    """Every movement of `exercises` (the examination programme's, in its order; a static one is
    the resting face) found and analysed in one video of the whole examination."""
    if len(track.frames_with_face) == 0:
        raise MeasurementError(tr("no face found in {source}: face the camera, the whole face in view",
                                  source=track.source))  # fmt: skip
    movements = [e for e in exercises if not e.is_static]
    neutral, stretches = split_examination(track, movements)
    times = track.timestamps_s[track.frames_with_face]
    rest_range = (float(times[neutral.indices[0]]), float(times[neutral.indices[-1]]))
    rest_exercise = next((e for e in exercises if e.is_static), None)
    rest = None
    if rest_exercise is not None:
        rest = analyse_track(_sub_track(track, neutral.indices), rest_exercise, rest_range)
    analysed: dict[str, Analysis] = {}
    spans: dict[str, tuple[float, float]] = {}
    warnings = list(track.warnings)
    for exercise in movements:
        if exercise.id not in stretches:
            continue
        start, end = stretches[exercise.id]
        rows = np.concatenate([neutral.indices, np.arange(max(start, neutral.indices[-1] + 1), end + 1)])
        analysis = analyse_track(_sub_track(track, rows), exercise, rest_range)
        analysed[exercise.id] = analysis
        spans[exercise.id] = (float(times[start]), float(times[end]))
        warnings += [f"{exercise.name}: {w}" for w in analysis.warnings]
    missing = tuple(e.id for e in movements if e.id not in analysed or not analysed[e.id].reps)
    for exercise_id in missing:
        name = next(e.name for e in movements if e.id == exercise_id)
        warnings.append(tr("'{exercise}' was not found in the examination video; its items are left for the "
                           "clinician", exercise=name))  # fmt: skip
    return RecordedExamination(rest, analysed, spans, missing, tuple(warnings))
