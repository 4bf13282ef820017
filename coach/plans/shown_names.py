"""Names of exercises and programmes saved with past sessions, shown in the language in use.

A session keeps the English name it was recorded under (records are data, the same in
every language). When that is the shipped exercise's or programme's own English name, it
is shown in the shipped file's translation; a name a therapist typed is theirs and is
shown as typed.
"""

from __future__ import annotations

from functools import cache

from coach.base.errors import CoachError
from coach.plans.exercises import Exercise, load_exercises
from coach.plans.programmes import Programme, load_programmes


@cache
def _shipped() -> tuple[dict[str, Exercise], dict[str, Programme]]:
    try:
        return load_exercises(), load_programmes()
    except CoachError:  # a damaged installation: the stored names are still right
        return {}, {}


def shown_exercise_name(exercise_id: str, stored: str) -> str:
    """The stored name, in the language in use if it is a shipped exercise's own name."""
    exercise = _shipped()[0].get(exercise_id)
    return exercise.name if exercise is not None and exercise.english_name == stored else stored


def shown_programme_name(programme_id: str | None, stored: str | None) -> str | None:
    """The stored programme name, in the language in use if it is a shipped programme's own name."""
    programme = _shipped()[1].get(programme_id or "")
    return programme.name if programme is not None and programme.english_name == stored else stored
