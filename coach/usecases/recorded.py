"""A recording (e.g. a video filmed in clinic) measured, and saved into a patient's history.

`analyse_recording` measures one exercise in a video, photo or folder of images;
`save_recording` adds the result to a patient's history. The command line
(`facecoach analyze [--save]`) and the therapist's window call both, so a recording is
measured and kept one way.

The analysis becomes a finished session of kind "recorded" with one exercise and its
repetitions, exactly as a live session would be stored, so history, trends, reports
and bundles treat both alike; it is saved in one transaction by the path an imported
session takes. Given when it was filmed, the session is dated then (its repetitions at
their moments in the video), so trends put it in its place; otherwise it is dated when
it was analysed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from time import monotonic

from coach import __version__
from coach.base.errors import CoachError, StoreBusyError
from coach.base.formats import date_time_text
from coach.base.i18n import tr
from coach.capture.sources import Frame, FrameSource, open_source
from coach.measure.landmarks import FrameLandmarks, ParallelLandmarker
from coach.plans.exercises import Exercise
from coach.plans.shown_names import RECORDED_PREFIX
from coach.records.encoding import new_uid
from coach.records.models import PATIENT_FIELDS, ExerciseRecord, Patient, RepetitionRecord, SessionDetail
from coach.records.pending import new_pending_file
from coach.records.store import SessionStore
from coach.session.analysis import Analysis, LandmarkTrack, analyse_track, collect_landmarks
from coach.session.snapshots import Snapshot, crop_to_face, peak_frame, picture_at

#: progress is told every this many frames
PROGRESS_EVERY_FRAMES = 4
#: how long a save keeps trying, in all, while another program holds the database
BUSY_WAIT_S = 30.0


class AnalysisCancelledError(CoachError):
    """The person cancelled the analysis; nothing was saved."""

    def __init__(self) -> None:
        super().__init__(tr("the analysis was cancelled; nothing was saved"))


@dataclass(frozen=True)
class RecordedAnalysis:
    """One exercise measured in a recording, and what the person should know about it."""

    #: the recording as the person named it (read again for the picture at the peak)
    source: str | Path
    analysis: Analysis
    #: what was skipped or doubtful: the recording's own warnings, then the analysis's
    warnings: list[str]


@dataclass(frozen=True)
class SavedRecording:
    """Where a recorded analysis went: its new session, and whether a picture was kept."""

    session_id: int
    picture_kept: bool


def analyse_recording(
    source: str | Path,
    exercise: Exercise,
    model_bytes: bytes,
    *,
    neutral_s: tuple[float, float] | None = None,
    workers: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> RecordedAnalysis:
    """Measure `exercise` in the recording at `source` (a video, image, folder or camera index).

    neutral_s: the resting stretch (start, end) in seconds, if the person chose it.
    on_progress(frames_done, frames_expected): told as frames are measured (expected 0: unknown).
    cancel: when set, the analysis stops with AnalysisCancelledError.
    """
    track, source_warnings = landmarks_of_recording(source, model_bytes, workers, on_progress, cancel)
    analysis = analyse_track(track, exercise, neutral_s)
    return RecordedAnalysis(source, analysis, [*source_warnings, *analysis.warnings])


def landmarks_of_recording(
    source: str | Path,
    model_bytes: bytes,
    workers: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> tuple[LandmarkTrack, list[str]]:
    """The face in every frame of the recording at `source`, and what its reader warned of
    (progress and cancel as `analyse_recording`): the one way a recording is read."""
    with open_source(source) as frames:
        expected = int(frames.frame_count_hint or 0)
        if on_progress is not None:
            on_progress(0, expected)
        with ParallelLandmarker(model_bytes, workers=workers) as landmarker:
            watched = _WatchedLandmarker(landmarker, expected, on_progress, cancel)
            track = collect_landmarks(frames, watched)  # type: ignore[arg-type]
        return track, frames.warnings


def save_recording(
    database: Path,
    recorded: RecordedAnalysis,
    patient_id: int,
    *,
    filmed_at: datetime | None = None,
    keep_picture: bool = False,
    cancel: threading.Event | None = None,
    on_notice: Callable[[str], None] | None = None,
    busy_wait_s: float = BUSY_WAIT_S,
) -> SavedRecording:
    """Add the analysis to the patient's history in the session database at `database`.

    filmed_at: when the recording was filmed (aware; not in the future), else now.
    keep_picture: keep a picture of the face at the peak (only with the patient's consent).
    cancel: when set before anything is written, nothing is (AnalysisCancelledError).
    on_notice: told what opening the database had to say (an upgrade, a damaged file kept aside).
    busy_wait_s: how long to keep trying while another program holds the database; after that
    the session is kept in a pending file (`coach.records.pending`), saved at the next opening,
    and StoreBusyError says so. Opens its own connection, so it may run on any thread.
    """
    analysis = recorded.analysis
    snapshot = peak_snapshot(analysis, lambda: open_source(recorded.source)) if keep_picture else None
    if cancel is not None and cancel.is_set():
        raise AnalysisCancelledError()
    session_id = save_session(
        database,
        lambda now: recorded_session(analysis, filmed_at, now),
        patient_id,
        snapshots={0: snapshot} if snapshot is not None else None,
        cancel=cancel,
        on_notice=on_notice,
        busy_wait_s=busy_wait_s,
    )
    return SavedRecording(session_id, snapshot is not None)


def save_session(
    database: Path,
    session_of: Callable[[datetime], SessionDetail],
    patient_id: int,
    *,
    snapshots: dict[int, Snapshot] | None = None,
    cancel: threading.Event | None = None,
    on_notice: Callable[[str], None] | None = None,
    busy_wait_s: float = BUSY_WAIT_S,
) -> int:
    """Add a session made from a recording (`session_of(now)`) to the patient's history, in one
    transaction, by the path an imported session takes; its new id. While another program holds
    the database it keeps trying (longer each time) for `busy_wait_s`, then keeps the session in a
    pending file (`coach.records.pending`) saved at the next opening, and StoreBusyError says so."""
    started, delay, patient = monotonic(), 0.5, None
    while True:
        try:
            store, notice = SessionStore.open(database)
            try:
                if notice and on_notice is not None:
                    on_notice(notice)
                patient = store.patients.get(patient_id)
                session_id = store.imports.session(session_of(store.now()), patient_id, snapshots)
                assert session_id is not None  # a new uid is never already here
                return session_id
            finally:
                store.close()
        except StoreBusyError as error:
            if monotonic() - started >= busy_wait_s or patient is None:
                raise _kept_for_later(database, session_of, patient, error) from error
            (cancel or threading.Event()).wait(delay)  # another program holds the file: wait, longer each time
            delay = min(2 * delay, 8.0)


class _WatchedLandmarker:
    """A ParallelLandmarker that tells how many frames are done, and stops on cancel."""

    def __init__(
        self,
        inner: ParallelLandmarker,
        expected: int,
        on_progress: Callable[[int, int], None] | None,
        cancel: threading.Event | None,
    ) -> None:
        self._inner = inner
        self._expected = expected
        self._on_progress = on_progress
        self._cancel = cancel

    def run(self, frames: Iterable[Frame]) -> Iterator[FrameLandmarks]:
        for done, result in enumerate(self._inner.run(frames), 1):
            if self._cancel is not None and self._cancel.is_set():
                raise AnalysisCancelledError()
            if self._on_progress is not None and done % PROGRESS_EVERY_FRAMES == 0:
                self._on_progress(done, self._expected)
            yield result


def recording_clock(filmed_at: datetime | None, now: datetime) -> Callable[[float], datetime]:
    """When a moment of the recording happened: `filmed_at` plus the video's seconds, or `now` for
    every moment when the filming time is not known (raises if it is in the future)."""
    if filmed_at is not None:
        if filmed_at.tzinfo is None:
            raise ValueError("filmed_at needs a time zone")
        if filmed_at > now:
            raise CoachError(tr("the video cannot have been filmed in the future ({when})",
                                when=date_time_text(filmed_at.astimezone())))  # fmt: skip

    def at(video_s: float) -> datetime:
        return now if filmed_at is None else filmed_at + timedelta(seconds=video_s)

    return at


def recorded_exercise(analysis: Analysis, at: Callable[[float], datetime], position: int = 0) -> ExerciseRecord:
    """One analysed movement as a session's exercise, each repetition at its moment in the video;
    "not_done" when no repetition happened, as live."""
    exercise, track = analysis.exercise, analysis.track
    end_s = float(track.timestamps_s[-1]) if track.frames else 0.0
    target = {
        "target_mm": list(exercise.target_mm),
        "target_symmetry": exercise.target_symmetry,
        "neutral_s": [analysis.neutral.start_s, analysis.neutral.end_s],
    }
    repetitions = tuple(RepetitionRecord(0, n, at(rep.end_s), rep) for n, rep in enumerate(analysis.reps, 1))
    return ExerciseRecord(
        0, position, exercise.id, exercise.english_name, exercise.primary[0], target, at(analysis.neutral.start_s),
        at(end_s), "completed" if repetitions else "not_done", analysis.summary, repetitions,
    )  # fmt: skip


def recorded_session(analysis: Analysis, filmed_at: datetime | None, now: datetime) -> SessionDetail:
    """The analysis as a finished session of kind "recorded", with one exercise (none for a
    resting-face exercise), as a live session of it would be kept. Dated when it was filmed,
    each repetition at its moment in the video; without a filming time, all is dated `now`."""
    at = recording_clock(filmed_at, now)
    exercise, track = analysis.exercise, analysis.track
    end_s = float(track.timestamps_s[-1]) if track.frames else 0.0
    return SessionDetail(
        id=0,
        started_at=at(0.0),
        ended_at=at(end_s),
        status="completed",
        programme_id=f"{RECORDED_PREFIX}{exercise.id}",
        programme_name=exercise.english_name,  # the kind is its own field: shown in the language in use
        source=track.source,
        resting={name: dict(sides) for name, sides in analysis.static.items()},
        app_version=__version__,
        exercises=() if exercise.is_static else (recorded_exercise(analysis, at),),
        patient_id=None,
        kind="recorded",
        uid=new_uid(),
    )


def _kept_for_later(
    database: Path, session_of: Callable[[datetime], SessionDetail], patient: Patient | None, busy: StoreBusyError
) -> StoreBusyError:
    """Write the session, by the same code, into a pending file of its own; the error to raise says where."""
    if patient is None:
        return busy
    kept = new_pending_file(database, datetime.now())
    store, _ = SessionStore.open(kept)
    try:
        fields = {name: getattr(patient, name) for name in PATIENT_FIELDS}
        waiting_patient = store.patients.add(**fields)
        store.imports.session(session_of(store.now()), waiting_patient.id)
    finally:
        store.close()
    return StoreBusyError(
        tr(
            "{problem}. Nothing is lost: the result is kept in {path} and goes into the history the next time "
            "FaceCoach opens the database (the picture, if one was to be kept, is not)",
            problem=busy,
            path=kept,
        )
    )


def filmed_at_of(day: date) -> datetime | None:
    """A recording's date as chosen on a calendar: None (now) for today, else midday of that day."""
    return None if day >= date.today() else midday_of(day)


def midday_of(day: date) -> datetime:
    """A filming day without a time: midday on this computer's clock, so that no time
    zone moves it to another day."""
    return datetime.combine(day, time(12, 0)).astimezone()


def peak_snapshot(analysis: Analysis, reopen: Callable[[], FrameSource]) -> Snapshot | None:
    """The picture where the exercise moved most, read again from the recording (None for
    a resting exercise, or when no frame could be measured)."""
    exercise = analysis.exercise
    if exercise.is_static or not exercise.primary:
        return None
    measure = exercise.primary[0]
    row = peak_frame(analysis.series[measure])
    if row is None:
        return None
    track = analysis.track
    picture = picture_at(reopen, int(track.frames_with_face[row]))
    return crop_to_face(picture, track.points_px[row], measure)
