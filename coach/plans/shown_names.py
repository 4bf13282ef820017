"""Names of exercises and programmes saved with past sessions, shown in the language in use.

A session keeps the English name it was recorded under (records are data, the same in
every language). When that is the shipped exercise's or programme's own English name, it
is shown in the shipped file's translation; a name a therapist typed is theirs and is
shown as typed. A recorded video's session (programme id `recorded:<exercise>`) keeps the
exercise's name and is shown as a recorded video of it, in the language in use (sessions
saved before 2026-12 kept "Recorded video: …" in English in the name: shown the same way).
"""

from __future__ import annotations

from functools import cache

from coach.base.errors import CoachError
from coach.base.i18n import N_, tr
from coach.plans.exercises import Exercise, load_exercises
from coach.plans.programmes import Programme, load_programmes

#: a recorded video's session as a programme id: this prefix, then the exercise filmed
RECORDED_PREFIX = "recorded:"
#: how such a session is named on screen and in reports
RECORDED_NAME = N_("Recorded video: {exercise}")
#: what sessions saved before the kind was kept apart put before the exercise's name
_OLD_RECORDED_NAME = "Recorded video: "


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
    if programme_id and programme_id.startswith(RECORDED_PREFIX):
        english = (stored or "").removeprefix(_OLD_RECORDED_NAME)
        return tr(RECORDED_NAME, exercise=shown_exercise_name(programme_id.removeprefix(RECORDED_PREFIX), english))
    programme = _shipped()[1].get(programme_id or "")
    return programme.name if programme is not None and programme.english_name == stored else stored
