"""A recorded video (e.g. filmed in clinic) analysed into a patient's history.

The analysis becomes a session of kind "recorded" with one exercise and its
repetitions, exactly as a live session would be stored, so history, trends, reports
and bundles treat both alike. Given when it was filmed, the session is dated then
(its repetitions at their moments in the video), so trends put it in its place;
otherwise it is dated when it was analysed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta

from coach.analysis import Analysis
from coach.errors import CoachError
from coach.snapshots import Snapshot, crop_to_face, peak_frame, picture_at
from coach.sources import FrameSource
from coach.store import SessionStore


def save_analysis(
    store: SessionStore,
    analysis: Analysis,
    patient_id: int,
    *,
    filmed_at: datetime | None = None,
    snapshot: Snapshot | None = None,
) -> int:
    """Store the analysis for the patient; returns the new session's id.

    filmed_at: when the video was filmed (aware datetime; not in the future).
    snapshot: the picture at the peak, only when the user chose to keep one.
    """
    exercise = analysis.exercise
    with _dated(store, filmed_at) as at_video_time:
        session_id = store.start_session(
            f"recorded:{exercise.id}", f"Recorded video: {exercise.name}", analysis.track.source,
            patient_id=patient_id, kind="recorded",
        )  # fmt: skip
        resting = {name: dict(sides) for name, sides in analysis.static.items()}
        store.record_resting(session_id, resting)
        if exercise.is_static:
            store.finish_session(session_id, "completed")
            return session_id
        target = {
            "target_mm": list(exercise.target_mm),
            "target_symmetry": exercise.target_symmetry,
            "neutral_s": [analysis.neutral.start_s, analysis.neutral.end_s],
        }
        at_video_time(analysis.neutral.start_s)
        exercise_row = store.start_exercise(session_id, 0, exercise.id, exercise.name, exercise.primary[0], target)
        for number, rep in enumerate(analysis.reps, 1):
            at_video_time(rep.end_s)
            store.add_repetition(exercise_row, number, rep)
        if snapshot is not None:
            store.keep_snapshot(exercise_row, snapshot)
        at_video_time(float(analysis.track.timestamps_s[-1]) if analysis.track.frames else 0.0)
        store.finish_exercise(exercise_row, "completed", analysis.summary)
        store.finish_session(session_id, "completed")
    return session_id


def midday_of(day: date) -> datetime:
    """A filming day without a time: midday on this computer's clock, so that no time
    zone moves it to another day."""
    return datetime.combine(day, time(12, 0)).astimezone()


@contextmanager
def _dated(store: SessionStore, filmed_at: datetime | None) -> Iterator[Callable[[float], None]]:
    """Within it, the store writes times of the video (`at_video_time(seconds)` moves
    the clock to that moment of it); without a filming time, nothing changes."""
    if filmed_at is None:
        yield lambda seconds: None
        return
    if filmed_at.tzinfo is None:
        raise ValueError("filmed_at needs a time zone")
    if filmed_at > datetime.now(UTC):
        raise CoachError(f"the video cannot have been filmed in the future ({filmed_at.astimezone():%Y-%m-%d %H:%M})")
    offset_s = [0.0]

    def at_video_time(seconds: float) -> None:
        offset_s[0] = max(offset_s[0], seconds)

    with store.dated(lambda: filmed_at + timedelta(seconds=offset_s[0])):
        yield at_video_time


def peak_snapshot(analysis: Analysis, open_source: Callable[[], FrameSource]) -> Snapshot | None:
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
    picture = picture_at(open_source, int(track.face_frames[row]))
    return crop_to_face(picture, track.points_px[row], measure)
