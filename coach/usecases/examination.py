"""A grading examination measured: suggested Sunnybrook and eFACE values from a recording.

Two kinds of recording are graded, by the same rules (`coach.grading.suggestions`):

* one **video of the whole examination** (rest, then each standard movement two or three times,
  in the examination's order; `coach.session.examination` finds each movement in it);
* a **folder of the standard photographs**, one per movement, named by it (`rest.jpg`,
  `brow.jpg`, `smile.jpg`, ...; see PHOTO_NAMES), each measured against the
  photograph at rest.

The command line (`facecoach analyze --examination`) calls `examine_recording`; the windows
will call the same.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from coach import __version__
from coach.base.errors import CoachError, MeasurementError
from coach.base.i18n import tr
from coach.capture.sources import IMAGE_SUFFIXES, ImageSource
from coach.grading.evidence import (
    ExaminationEvidence,
    evidence_from_recording,
    movement_from_photo,
    movement_from_repetitions,
)
from coach.grading.scales import EXAMINATION_PROGRAMME
from coach.grading.suggestions import GradingSuggestions, suggest_grading
from coach.measure import measures
from coach.measure.geometry import RestingFace
from coach.measure.landmarks import ParallelLandmarker
from coach.plans.exercises import Exercise, get_exercise
from coach.plans.programmes import load_programmes
from coach.records.encoding import new_uid
from coach.records.models import SessionDetail
from coach.session.analysis import collect_landmarks
from coach.session.engine import NOISE_FLOOR_MM
from coach.session.examination import RecordedExamination, analyse_examination
from coach.usecases.recorded import landmarks_of_recording, recorded_exercise, recording_clock, save_session

#: what a standard photograph may be called (its name without the number or extension), per movement
PHOTO_NAMES: dict[str, tuple[str, ...]] = {
    "rest": ("rest", "neutral", "resting", "repose"),
    "exam_brow_lift": ("brow", "brows", "brow_lift", "raise_brows", "eyebrows", "exam_brow_lift"),
    "exam_gentle_eye_closure": ("gentle_eye_closure", "eyes_gentle", "eye_closure", "gentle_eyes", "eyes_closed",
                                "exam_gentle_eye_closure"),
    "exam_smile": ("smile", "big_smile", "open_mouth_smile", "smile_open", "exam_smile"),
    "exam_snarl": ("snarl", "nose", "wrinkle_nose", "exam_snarl"),
    "exam_pucker": ("pucker", "lip_pucker", "kiss", "exam_pucker"),
    "exam_full_eye_closure": ("full_eye_closure", "tight_eye_closure", "eyes_tight", "eyes_squeezed",
                              "exam_full_eye_closure"),
    "exam_lower_lip": ("lower_lip", "lower_teeth", "eee", "lower_lip_depression", "exam_lower_lip"),
}  # fmt: skip


@dataclass(frozen=True)
class ExaminedRecording:
    """What the examination measured and the grading it suggests."""

    suggestions: GradingSuggestions
    evidence: ExaminationEvidence
    #: the video's analysis per movement (None for photographs)
    recorded: RecordedExamination | None


def examination_exercises(exercises_dir: Path | None = None) -> list[Exercise]:
    """The face at rest, then the examination programme's exercises in the order they are asked."""
    programmes = load_programmes(exercises_dir)
    if EXAMINATION_PROGRAMME not in programmes:
        raise CoachError(tr("the examination programme ({id}.toml) is missing from the programmes folder",
                            id=EXAMINATION_PROGRAMME))  # fmt: skip
    return [get_exercise("rest", exercises_dir), *programmes[EXAMINATION_PROGRAMME].exercises]


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


def examination_session(examined: ExaminedRecording, filmed_at: datetime | None, now: datetime) -> SessionDetail:
    """A recorded examination video as a finished session of the examination programme: the resting
    face, and each movement as one of its exercises, as a live examination would be kept."""
    recorded = examined.recorded
    if recorded is None or recorded.rest is None:
        raise CoachError(tr("only an examination video can be saved (photographs have no repetitions to keep)"))
    at = recording_clock(filmed_at, now)
    exercises = tuple(recorded_exercise(analysis, at, n) for n, analysis in enumerate(recorded.movements.values()))
    track = recorded.rest.track
    end_s = max((float(a.track.timestamps_s[-1]) for a in recorded.movements.values()), default=0.0)
    return SessionDetail(
        id=0,
        started_at=at(0.0),
        ended_at=at(end_s),
        status="completed",
        programme_id=EXAMINATION_PROGRAMME,
        programme_name=load_programmes()[EXAMINATION_PROGRAMME].english_name,
        source=track.source,
        resting={name: dict(sides) for name, sides in recorded.rest.static.items()},
        app_version=__version__,
        exercises=exercises,
        patient_id=None,
        kind="recorded",
        uid=new_uid(),
    )


def save_examination(
    database: Path,
    examined: ExaminedRecording,
    patient_id: int,
    *,
    filmed_at: datetime | None = None,
    on_notice: Callable[[str], None] | None = None,
) -> int:
    """Add an examination video to the patient's history as one session; its id."""
    return save_session(
        database, lambda now: examination_session(examined, filmed_at, now), patient_id, on_notice=on_notice
    )


def suggest_for_session(session: SessionDetail, affected_side: str | None) -> GradingSuggestions:
    """The suggested grading of an examination kept in the records (done live, or a saved video):
    the same rules as for a recording, from the session's resting face and repetitions (those the
    therapist discarded left out)."""
    if not session.is_examination:
        raise CoachError(tr("session {uid} is not a grading examination", uid=session.id or session.uid))
    movements = {}
    for record in session.exercises:
        reps = [r.repetition for r in record.repetitions if r.discarded_reason is None]
        found = movement_from_repetitions(record.exercise_id, reps, NOISE_FLOOR_MM)
        if found is not None:
            movements[record.exercise_id] = found
    side = affected_side if affected_side in ("left", "right") else None
    evidence = ExaminationEvidence(session.resting, movements, side, tr("session {id}", id=session.id))
    return suggest_grading(evidence)
