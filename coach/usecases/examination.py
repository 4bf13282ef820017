"""A grading examination measured: suggested Sunnybrook and eFACE values from a recording.

Two kinds of recording are graded, by the same rules (`coach.grading.suggestions`):

* one **video of the whole examination** (rest, then each standard movement two or three times,
  in the examination's order; `coach.session.examination` finds each movement in it);
* a **folder of the standard photographs**, one per movement, named by it (`rest.jpg`,
  `raise_brows.jpg` or `brow.jpg`, `smile.jpg`, ...; see PHOTO_NAMES), each measured against the
  photograph at rest.

The command line (`facecoach analyze --examination`) calls `examine_recording`; the windows
will call the same.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from coach.base.errors import CoachError, MeasurementError
from coach.base.i18n import tr
from coach.capture.sources import IMAGE_SUFFIXES, ImageSource
from coach.grading.evidence import ExaminationEvidence, evidence_from_recording, movement_from_photo
from coach.grading.scales import EXAMINATION_ORDER
from coach.grading.suggestions import GradingSuggestions, suggest_grading
from coach.measure import measures
from coach.measure.geometry import RestingFace
from coach.measure.landmarks import ParallelLandmarker
from coach.plans.exercises import Exercise, get_exercise
from coach.session.analysis import collect_landmarks
from coach.session.examination import RecordedExamination, analyse_examination
from coach.usecases.recorded import landmarks_of_recording

#: what a standard photograph may be called (its name without the number or extension), per movement
PHOTO_NAMES: dict[str, tuple[str, ...]] = {
    "rest": ("rest", "neutral", "resting", "repose"),
    "raise_brows": ("raise_brows", "brow", "brows", "brow_lift", "eyebrows"),
    "gentle_eye_closure": ("gentle_eye_closure", "eyes_gentle", "eye_closure", "gentle_eyes", "eyes_closed"),
    "big_smile": ("big_smile", "smile", "open_mouth_smile", "smile_open"),
    "snarl": ("snarl", "nose", "wrinkle_nose"),
    "pucker": ("pucker", "lip_pucker", "kiss"),
    "tight_eye_closure": ("tight_eye_closure", "eyes_tight", "full_eye_closure", "eyes_squeezed"),
    "lower_lip": ("lower_lip", "lower_teeth", "eee", "lower_lip_depression"),
}


@dataclass(frozen=True)
class ExaminedRecording:
    """What the examination measured and the grading it suggests."""

    suggestions: GradingSuggestions
    evidence: ExaminationEvidence
    #: the video's analysis per movement (None for photographs)
    recorded: RecordedExamination | None


def examination_exercises(exercises_dir: Path | None = None) -> list[Exercise]:
    """The examination's exercises in the order they are asked."""
    return [get_exercise(exercise_id, exercises_dir) for exercise_id in EXAMINATION_ORDER]


def _photo_movement(path: Path) -> str | None:
    stem = re.sub(r"^[\d\s._-]+", "", path.stem.lower()).replace("-", "_").replace(" ", "_")
    return next((movement for movement, names in PHOTO_NAMES.items() if stem in names), None)


def standard_photographs(folder: Path) -> tuple[dict[str, Path], list[str]]:
    """Each movement's photograph in `folder`, and warnings for pictures named for no movement."""
    found: dict[str, Path] = {}
    warnings: list[str] = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            continue
        movement = _photo_movement(path)
        if movement is None:
            warnings.append(tr("{file} is named for no movement of the examination; it was left out", file=path.name))
        elif movement in found:
            warnings.append(tr("{file} and {other} are both '{movement}'; {other} was used",
                               file=path.name, other=found[movement].name, movement=movement))  # fmt: skip
        else:
            found[movement] = path
    if "rest" not in found:
        raise CoachError(
            tr("{folder} has no photograph at rest: name one rest.jpg (the others: {names})",
               folder=folder, names=", ".join(f"{names[0]}.jpg" for names in PHOTO_NAMES.values()))
        )  # fmt: skip
    return found, warnings


def _examine_photographs(
    folder: Path, exercises: list[Exercise], model_bytes: bytes, affected_side: str | None, workers: int | None
) -> ExaminationEvidence:
    photos, warnings = standard_photographs(folder)
    points: dict[str, object] = {}
    with ParallelLandmarker(model_bytes, workers=workers) as landmarker:
        for movement, path in photos.items():
            track = collect_landmarks(ImageSource(path), landmarker)
            if len(track.frames_with_face) == 0:
                if movement == "rest":
                    raise MeasurementError(tr("no face found in {file}, the photograph at rest", file=path))
                warnings.append(tr("no face found in {file}; '{movement}' was left out", file=path.name,
                                   movement=movement))  # fmt: skip
                continue
            points[movement] = track.points_px[0]
    resting = RestingFace.from_reference(points.pop("rest"))  # type: ignore[arg-type]
    neutral_mm = resting.reference_mm
    movements = {
        exercise.id: movement_from_photo(exercise, resting.normalise(points[exercise.id][None])[0], neutral_mm)  # type: ignore[index]
        for exercise in exercises
        if exercise.id in points
    }
    return ExaminationEvidence(
        measures.static_measures(neutral_mm), movements, affected_side, str(folder), tuple(warnings)
    )


def examine_recording(
    source: str | Path,
    model_bytes: bytes,
    *,
    affected_side: str | None = None,
    exercises_dir: Path | None = None,
    workers: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> ExaminedRecording:
    """Suggested grading of the examination in a video, or in a folder of the standard photographs.

    affected_side: the patient's affected side as recorded ("left"/"right"), else None (the
    suggestions then read the side weaker in more of the movements as affected, and say so).
    """
    exercises = examination_exercises(exercises_dir)
    path = Path(source)
    if path.is_dir():
        evidence = _examine_photographs(path, exercises, model_bytes, affected_side, workers)
        return ExaminedRecording(suggest_grading(evidence), evidence, None)
    track, source_warnings = landmarks_of_recording(source, model_bytes, workers, on_progress, cancel)
    recorded = analyse_examination(track, exercises)
    evidence = evidence_from_recording(recorded, affected_side, str(source))
    if source_warnings:
        evidence = ExaminationEvidence(evidence.rest, evidence.movements, evidence.affected_side, evidence.source,
                                       (*source_warnings, *evidence.warnings))  # fmt: skip
    return ExaminedRecording(suggest_grading(evidence), evidence, recorded)
