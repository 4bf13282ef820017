"""Analyse a recording: source → landmarks → geometry → measures → exercise engine.

`collect_landmarks` runs the model over a source once; `analyse_track` turns the
landmarks into per-side numbers for one exercise. Keeping them apart lets the
benchmark time the model alone, and lets tests re-analyse without re-detecting.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from coach.base.errors import MeasurementError
from coach.base.i18n import tr, trn
from coach.base.private_files import atomic_private_open, write_private_text
from coach.capture.sources import FrameSource
from coach.measure import measures
from coach.measure.eye_visibility import eyes_hidden
from coach.measure.geometry import (
    MAX_MEASURED_TURN_DEG,
    RestingFace,
    mean_shape,
    rough_mm_shapes,
)
from coach.measure.landmarks import FaceSelector, ParallelLandmarker
from coach.plans.exercises import Exercise
from coach.session import engine

#: frames whose face is this many times larger or smaller than at rest are left out
MAX_SIZE_CHANGE = 1.6


@dataclass
class LandmarkTrack:
    """The measured face in every frame of one recording (pixel units)."""

    source: str
    fps: float
    image_size: tuple[int, int]
    timestamps_s: np.ndarray  # (frames,) every frame read
    frames_with_face: np.ndarray  # (M,) indices of frames where a face was measured
    points_px: np.ndarray  # (M, 478, 3) the chosen face in those frames
    faces_seen: np.ndarray  # (frames,) how many faces the landmarker found
    warnings: list[str] = field(default_factory=list)
    #: (M, 2) the share of each eye's region (left, right) whited out by light; None: not known
    eye_glare: np.ndarray | None = None

    @property
    def frames(self) -> int:
        return len(self.timestamps_s)


def collect_landmarks(source: FrameSource, landmarker: ParallelLandmarker) -> LandmarkTrack:
    """Run the landmarker over every frame; keep the largest face, consistently."""
    selector = FaceSelector()
    timestamps: list[float] = []
    counts: list[int] = []
    frames_with_face: list[int] = []
    points: list[np.ndarray] = []
    glare: list[np.ndarray] = []
    image_size = (0, 0)
    for result in landmarker.run(source):
        image_size = result.image_size
        timestamps.append(result.timestamp_s)
        counts.append(len(result.faces))
        chosen = selector.choose(result.faces)
        if chosen is not None:
            frames_with_face.append(result.index)
            points.append(chosen)
            which = next(i for i, face in enumerate(result.faces) if face is chosen)
            glare.append(result.eye_glare[which] if result.eye_glare else np.zeros(2))
    track = LandmarkTrack(
        source=source.name,
        fps=source.nominal_fps or 0.0,
        image_size=image_size,
        timestamps_s=np.array(timestamps),
        frames_with_face=np.array(frames_with_face, dtype=int),
        points_px=np.array(points).reshape(-1, 478, 3),
        faces_seen=np.array(counts, dtype=int),
        eye_glare=np.array(glare).reshape(-1, 2),
    )
    skipped = getattr(source, "skipped", [])
    if skipped:
        track.warnings.append(
            trn(
                "skipped {count} unreadable image, e.g. {file}",
                "skipped {count} unreadable images, e.g. {file}",
                len(skipped),
                file=skipped[0].name,
            )
        )
    multi = int((track.faces_seen > 1).sum())
    if multi:
        track.warnings.append(
            trn(
                "{count} frame showed more than one face; measured the largest one",
                "{count} frames showed more than one face; measured the largest one",
                multi,
            )
        )
    return track


@dataclass
class Analysis:
    """Everything `facecoach analyze` reports for one recording and exercise."""

    track: LandmarkTrack
    exercise: Exercise
    neutral: engine.NeutralChoice
    resting_face: RestingFace
    static: dict[str, dict[str, float]]
    lip_centre_offset_mm: float
    series: dict[str, np.ndarray]  # per-frame measures over the frames with a face, (M, 2)
    lip_centre_deviation_mm: np.ndarray  # (M,)
    noise_mm: float
    reps: list[engine.Repetition]
    summary: engine.Summary
    warnings: list[str]

    def to_json(self) -> dict[str, object]:
        track = self.track
        return {
            "source": track.source,
            "exercise": self.exercise.id,
            "fps": round(track.fps, 3),
            "frames": track.frames,
            "frames_with_face": len(track.frames_with_face),
            "neutral": {"start_s": round(self.neutral.start_s, 3), "end_s": round(self.neutral.end_s, 3)},
            "mm_per_px": round(self.resting_face.mm_per_px, 4),
            "static": {name: {k: round(v, 2) for k, v in sides.items()} for name, sides in self.static.items()}
            | {"lip_centre_offset_mm": round(self.lip_centre_offset_mm, 2)},
            "primary_measure": self.exercise.primary[0] if self.exercise.primary else None,
            "side_noise_mm": round(self.noise_mm, 2),
            "reps": [rep.to_json() for rep in self.reps],
            "summary": self.summary.to_json(),
            "warnings": self.warnings,
        }

    def write_json(self, path: Path) -> None:
        """`to_json` as an indented UTF-8 file, private and complete or not written at all."""
        write_private_text(path, json.dumps(self.to_json(), indent=2) + "\n")

    def write_csv(self, path: Path) -> None:
        """Per-frame, per-side measures; frames without a face have empty cells. Private, and
        complete or not written at all (`coach.base.private_files`)."""
        names = list(self.series)
        header = ["frame", "time_s", "faces_seen", "face_measured"]
        for name in names:
            header += [f"{name}_left", f"{name}_right"]
        header.append("lip_centre_deviation_mm")
        row_of_frame = {int(f): i for i, f in enumerate(self.track.frames_with_face)}
        with atomic_private_open(path, newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            for frame, t in enumerate(self.track.timestamps_s):
                row: list[object] = [frame, f"{t:.3f}", int(self.track.faces_seen[frame])]
                i = row_of_frame.get(frame)
                if i is None:
                    writer.writerow(row + [0] + [""] * (2 * len(names) + 1))
                    continue
                row.append(1)
                for name in names:
                    row += [f"{self.series[name][i, 0]:.3f}", f"{self.series[name][i, 1]:.3f}"]
                row.append(f"{self.lip_centre_deviation_mm[i]:.3f}")
                writer.writerow(row)


def neutral_from_range(track: LandmarkTrack, start_s: float, end_s: float) -> engine.NeutralChoice:
    """The frames with a face inside an explicit --neutral START:END range (seconds)."""
    times = track.timestamps_s[track.frames_with_face]
    chosen = np.nonzero((times >= start_s - 1e-6) & (times <= end_s + 1e-6))[0]
    if len(chosen) == 0:
        last = track.timestamps_s[-1] if track.frames else 0.0
        raise MeasurementError(
            tr(
                "no face was found between {start} s and {end} s (the recording lasts {length} s); "
                "choose a --neutral range where the face is visible and at rest",
                start=f"{start_s:g}",
                end=f"{end_s:g}",
                length=f"{last:.2f}",
            )
        )
    return engine.NeutralChoice(chosen, float(times[chosen[0]]), float(times[chosen[-1]]), 0.0)


def _choose_rest(track: LandmarkTrack, exercise: Exercise, times: np.ndarray) -> engine.NeutralChoice:
    """The resting face: by expression (least of the exercise's own movement) for a movement,
    the calmest stretch at the start for the resting face itself."""
    if exercise.is_static:
        searched = int(np.searchsorted(times, times[0] + engine.NEUTRAL_SEARCH_S + engine.NEUTRAL_WINDOW_S)) + 1
        return engine.choose_neutral(times[:searched], rough_mm_shapes(track.points_px[:searched]))
    shapes_mm = rough_mm_shapes(track.points_px)
    activation = measures.ACTIVATION[exercise.primary[0]](shapes_mm, shapes_mm[0]).mean(axis=1)
    return engine.choose_rest_by_expression(times, shapes_mm, activation)


def _turned_warning(turned_times_s: np.ndarray) -> str:
    """Which stretch of the recording was left out because the head was turned away."""
    return trn(
        "the head was turned more than {degrees}° from its resting pose in {count} frame, "
        "between {start} s and {end} s; those frames were not measured (face the camera for the "
        "exercise)",
        "the head was turned more than {degrees}° from its resting pose in {count} frames, "
        "between {start} s and {end} s; those frames were not measured (face the camera for the "
        "exercise)",
        len(turned_times_s),
        degrees=f"{MAX_MEASURED_TURN_DEG:.0f}",
        start=f"{turned_times_s[0]:.1f}",
        end=f"{turned_times_s[-1]:.1f}",
    )


def _measurable(
    track: LandmarkTrack,
    exercise: Exercise,
    times: np.ndarray,
    relative_size: np.ndarray,
    turn_deg: np.ndarray,
    warnings: list[str],
) -> np.ndarray:
    """Which frames with a face (M,) can be measured; each kind left out is said in `warnings`."""
    implausible = np.abs(np.log(relative_size)) > np.log(MAX_SIZE_CHANGE)
    if implausible.any():
        # A face half or twice the size of the neutral one within a session is a false
        # detection or somebody else, not the patient moving: leave those frames out.
        warnings.append(
            trn(
                "left out {count} frame where the face found was much larger or smaller than at rest (a "
                "false detection or another person)",
                "left out {count} frames where the face found was much larger or smaller than at rest (a "
                "false detection or another person)",
                int(implausible.sum()),
            )
        )
    turned = turn_deg > MAX_MEASURED_TURN_DEG
    if turned.any():
        # a head turned away from its resting pose is not measured: a number there would be a finding
        # that is not there (the far side reads weaker on a healthy face)
        warnings.append(_turned_warning(times[turned]))
    hidden = _eyes_hidden(track, exercise)
    if hidden.any():
        # a lid under a reflection is placed by guesswork: not measured rather than "read open"
        warnings.append(_hidden_warning(times[hidden]))
    return ~(implausible | turned | hidden)


def _eyes_hidden(track: LandmarkTrack, exercise: Exercise) -> np.ndarray:
    """Frames (M,) where light whited out an eye, for an exercise measured at the lids."""
    if track.eye_glare is None or not exercise.measures_lids:
        return np.zeros(len(track.frames_with_face), dtype=bool)
    return np.array([eyes_hidden(glare) for glare in track.eye_glare], dtype=bool)


def _hidden_warning(hidden_times_s: np.ndarray) -> str:
    """Which stretch of the recording was left out because light hid the eyes."""
    return trn(
        "light whited out the eyes (a reflection in glasses, or a lamp) in {count} frame, "
        "between {start} s and {end} s; those frames were not measured (turn the light away or "
        "tilt the glasses)",
        "light whited out the eyes (a reflection in glasses, or a lamp) in {count} frames, "
        "between {start} s and {end} s; those frames were not measured (turn the light away or "
        "tilt the glasses)",
        len(hidden_times_s),
        start=f"{hidden_times_s[0]:.1f}",
        end=f"{hidden_times_s[-1]:.1f}",
    )


def analyse_track(
    track: LandmarkTrack, exercise: Exercise, neutral_range: tuple[float, float] | None = None
) -> Analysis:
    """Per-side measures and repetitions for one exercise from a landmark track."""
    if len(track.frames_with_face) == 0:
        raise MeasurementError(
            trn(
                "no face found in {source} ({count} frame): face the camera in good light, with the whole face in view",
                "no face found in {source} ({count} frames): face the camera in good light, with the "
                "whole face in view",
                track.frames,
                source=track.source,
            )
        )
    warnings = list(track.warnings)
    times = track.timestamps_s[track.frames_with_face]
    if neutral_range is not None:
        neutral = neutral_from_range(track, *neutral_range)
    else:
        neutral = _choose_rest(track, exercise, times)
        if neutral.spread_mm > 1.0:
            warnings.append(
                tr(
                    "the face was not still at the start (moved {distance} mm); "
                    "give a resting stretch with --neutral START:END",
                    distance=f"{neutral.spread_mm:.1f}",
                )
            )
    lost = track.frames - len(track.frames_with_face)  # no face found (frames left out below are said apart)
    resting_face = RestingFace.from_reference(mean_shape(track.points_px[neutral.indices]))
    points_mm, relative_size, turn_deg = resting_face.normalise_with_pose(track.points_px)
    keep = _measurable(track, exercise, times, relative_size, turn_deg, warnings)
    if not keep.all():
        glare = None if track.eye_glare is None else track.eye_glare[keep]
        track = replace(track, frames_with_face=track.frames_with_face[keep], points_px=track.points_px[keep],
                        eye_glare=glare)  # fmt: skip
        points_mm, times = points_mm[keep], times[keep]
        neutral = replace(neutral, indices=np.searchsorted(np.nonzero(keep)[0], neutral.indices))
    neutral_mm = resting_face.reference_mm
    static = measures.static_measures(neutral_mm)
    lip_offset = measures.lip_centre_offset_mm(neutral_mm)
    if lost and track.frames > 1:
        warnings.append(
            tr("no face in {lost} of {count} frames; those frames were left out", lost=lost, count=track.frames)
        )

    series = measures.per_frame_measures(points_mm, neutral_mm)
    lip_deviation = measures.lip_centre_deviation_mm(points_mm, neutral_mm)
    reps: list[engine.Repetition] = []
    noise = engine.NOISE_FLOOR_MM
    if not exercise.is_static:
        primary = {name: series[name] for name in exercise.primary}
        watch = {name: series[name] for name in exercise.synkinesis_watch}
        noise = engine.side_noise_mm(primary[exercise.primary[0]][neutral.indices])
        fps = track.fps or 30.0
        during_hold = {name: series[name] for name in measures.DURING_HOLD.get(exercise.primary[0], ())}
        reps = engine.find_repetitions(times, primary, watch, exercise.min_movement_mm, noise, fps, during_hold)
        if not reps:
            warnings.append(
                tr(
                    "no repetition of '{exercise}' was found (no movement of at least {distance} mm "
                    "in {measure} held near its peak for {seconds} s or more; blinks, speech and twitches "
                    "are not counted)",
                    exercise=exercise.name,
                    distance=f"{engine.onset_mm(exercise.min_movement_mm, noise):.1f}",
                    measure=exercise.primary[0],
                    seconds=f"{engine.MIN_HELD_S:g}",
                )
            )
    return Analysis(
        track=track,
        exercise=exercise,
        neutral=neutral,
        resting_face=resting_face,
        static=static,
        lip_centre_offset_mm=lip_offset,
        series=series,
        lip_centre_deviation_mm=lip_deviation,
        noise_mm=noise,
        reps=reps,
        summary=engine.summarise(reps, noise),
        warnings=warnings,
    )
