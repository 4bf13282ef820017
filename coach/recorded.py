"""A recorded video (e.g. filmed in clinic) analysed into a patient's history.

The analysis becomes a session of kind "recorded" with one exercise and its
repetitions, exactly as a live session would be stored, so history, trends, reports
and bundles treat both alike.
"""

from __future__ import annotations

from coach.analysis import Analysis
from coach.store import SessionStore


def save_analysis(store: SessionStore, analysis: Analysis, patient_id: int) -> int:
    """Store the analysis for the patient; returns the new session's id."""
    exercise = analysis.exercise
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
    exercise_row = store.start_exercise(session_id, 0, exercise.id, exercise.name, exercise.primary[0], target)
    for number, rep in enumerate(analysis.reps, 1):
        store.add_repetition(exercise_row, number, rep)
    store.finish_exercise(exercise_row, "completed", analysis.summary)
    store.finish_session(session_id, "completed")
    return session_id
