"""What was done to a saved session while it ran, ready to be shown: one entry per change or note,
with the exercise it concerned, and the words for a repetition the therapist set aside.

Shared by the PDF report, the history window, the therapist's window and the command line, so
paper and screen say the same. The changes themselves are worded once, in
`coach.session.steering_words`; this module only adds which exercise each one concerned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from coach.base.i18n import N_, tr
from coach.plans.shown_names import shown_exercise_name
from coach.records.models import ExerciseRecord, RepetitionRecord, SessionDetail
from coach.session.steering_words import clock_words, log_line, origin_word, reason_words, steering_words

#: the grey of a repetition set aside, on paper and on screen: clearly not black, still readable in print
SET_ASIDE_GREY = "#707070"
#: the heading wherever a session's changes and notes are listed (translated where shown)
STEERING_HEADING = N_("The therapist's notes and changes")


@dataclass(frozen=True)
class SteeringEntry:
    """One change or note of a session, in the language in use."""

    #: minutes and seconds from the session's start ("03:07")
    clock: str
    #: who did it ("therapist")
    who: str
    #: the exercise it concerned, numbered as the session's exercises are ("2. Gentle smile"); "" for
    #: the session as a whole
    exercise: str
    #: what was done ("set the target to 2.0–5.0 mm (was 2.0–8.0 mm)")
    what: str
    #: the whole log line: time, who and what, as the supervision view showed it
    line: str
    #: a therapist's note (shown with more weight than a change)
    is_note: bool


def exercise_label(session: SessionDetail, position: int | None) -> str:
    """The exercise at `position` in the programme as the session's pages name it ("2. Gentle smile"):
    numbered in the order done, as the report's exercise pages are. "" for the session as a whole;
    an exercise never started is named by its place in the programme."""
    if position is None:
        return ""
    for number, exercise in enumerate(session.exercises, 1):
        if exercise.position == position:
            return f"{number}. {shown_exercise_name(exercise.exercise_id, exercise.exercise_name)}"
    return tr("exercise {number} of the programme", number=position + 1)


def steering_entries(session: SessionDetail) -> list[SteeringEntry]:
    """Every change and note of the session, in the order they happened."""
    return [
        SteeringEntry(
            clock=clock_words(record.at_s),
            who=origin_word(record.origin),
            exercise=exercise_label(session, record.position),
            what=steering_words(record.action, record.detail, record.text),
            line=log_line(record.at_s, record.origin, record.action, record.detail, record.text),
            is_note=record.action == "note",
        )
        for record in session.steering
    ]


def set_aside_words(record: RepetitionRecord) -> str | None:
    """The words "set aside: <why>" for a repetition the therapist set aside; None for one that counts."""
    if record.discarded_reason is None:
        return None
    reason = reason_words(record.discarded_reason.strip()) or tr("no reason given")
    return tr("set aside: {reason}", reason=reason)


def set_aside_count(exercises: Sequence[ExerciseRecord]) -> int:
    """How many repetitions of these exercises were set aside (kept, but not counted)."""
    return sum(len(exercise.repetitions) - len(exercise.counted_repetitions) for exercise in exercises)
