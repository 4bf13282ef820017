"""A programme as a therapist prescribes it for a patient: exercises by id, in order, each
with how many, how long, how hard, and the movement range and evenness the coach rewards.

This one model is what the therapist's editor makes, what the session database keeps and
gives back, and what `coach.plans.programmes.programme_from_prescription` turns into the
`Programme` the coach runs. It is checked here, with the bounds exercise files have.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from coach.base.errors import FieldValueError
from coach.base.i18n import tr
from coach.plans.exercises import bounds_problem, feedback_problem, target_mm_is_valid, target_mm_problem
from coach.plans.file_models import PRESCRIBED_FIELDS

#: what a programme prescribes for each of its exercises (the rest comes from the exercise file);
#: a programme file may set any of them, a kept programme sets them all
#: what an entry kept before a field existed means by its absence
ENTRY_DEFAULTS: dict[str, object] = {"feedback": "full"}
#: the keys of one entry, as `ProgrammeEntry.to_json` writes them (the database keeps these)
ENTRY_KEYS = ("exercise_id", *PRESCRIBED_FIELDS)


@dataclass(frozen=True)
class ProgrammeEntry:
    """One exercise of a programme, as prescribed."""

    exercise_id: str
    repetitions: int
    hold_s: float
    relax_s: float
    effort: int  # 1 (barely move) to 10 (as hard as possible); gentle is usual in facial palsy
    target_mm: tuple[float, float]
    target_symmetry: float
    #: how often the live bars show (exercises.FEEDBACK_SCHEDULES)
    feedback: str = "full"

    def to_json(self) -> dict[str, object]:
        return {
            "exercise_id": self.exercise_id,
            "repetitions": self.repetitions,
            "hold_s": self.hold_s,
            "relax_s": self.relax_s,
            "effort": self.effort,
            "target_mm": list(self.target_mm),
            "target_symmetry": self.target_symmetry,
            "feedback": self.feedback,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ProgrammeEntry:
        """An entry as `to_json` wrote it (read back from the database, which checked it)."""
        return cls(
            exercise_id=data["exercise_id"],
            repetitions=data["repetitions"],
            hold_s=data["hold_s"],
            relax_s=data["relax_s"],
            effort=data["effort"],
            target_mm=(data["target_mm"][0], data["target_mm"][1]),
            target_symmetry=data["target_symmetry"],
            feedback=data.get("feedback", "full"),
        )


@dataclass(frozen=True)
class PrescribedProgramme:
    """A named programme of prescribed exercises. Once kept in a session database it has
    `id` (its row there), `uid` (the same programme on every device) and `created_at`;
    a kept programme never changes, so what a patient was given keeps its meaning."""

    name: str
    description: str
    entries: tuple[ProgrammeEntry, ...]
    id: int | None = None
    uid: str | None = None
    created_at: datetime | None = None


def prescribed_programme(
    name: str, description: str, entries: Sequence[Mapping[str, Any]], *, uid: str | None = None
) -> PrescribedProgramme:
    """A programme checked from plain values: `entries` in order, each with every key of
    ENTRY_KEYS, within the ranges exercise files have. Whether each exercise_id exists is
    the caller's to check (the exercises live in files). Raises FieldValueError (a
    ValueError) naming the entry and key. `uid` keeps the identity of a programme from
    another database."""
    if not isinstance(name, str) or not name.strip():
        raise FieldValueError(tr("a programme needs a name"), field="name", problem=tr("needs a name"), value=name)
    if not isinstance(description, str):
        message = tr("a programme's description is text, not {value}", value=repr(description))
        problem = tr("is text, not {value}", value=repr(description))
        raise FieldValueError(message, field="description", problem=problem)
    if isinstance(entries, str | bytes | Mapping) or not entries:
        message, problem = tr("a programme needs at least one exercise entry"), tr("needs at least one exercise entry")
        raise FieldValueError(message, field="entries", problem=problem)
    checked = tuple(programme_entry(number, entry) for number, entry in enumerate(entries, 1))
    return PrescribedProgramme(name.strip(), description.strip(), checked, uid=uid)


def programme_entry(number: int, entry: object) -> ProgrammeEntry:
    """Entry `number` (1-based) of a programme, checked."""
    if not isinstance(entry, Mapping):
        problem = tr("must be a table of {keys}, not {value}", keys=", ".join(ENTRY_KEYS), value=repr(entry))
        message = tr("programme entry {number} {problem}", number=number, problem=problem)
        raise FieldValueError(message, problem=problem, entry=number, value=entry)
    exercise_id = entry.get("exercise_id")
    if not isinstance(exercise_id, str) or not exercise_id.isidentifier() or exercise_id != exercise_id.lower():
        problem = tr("must be an exercise's id (lower_case_with_underscores), not {value}", value=repr(exercise_id))
        raise _entry_error(number, None, "exercise_id", problem, exercise_id)
    _check_keys(number, exercise_id, entry)
    target = entry["target_mm"]
    if not target_mm_is_valid(target):
        raise _entry_error(number, exercise_id, "target_mm", target_mm_problem(target), target)
    return ProgrammeEntry(
        exercise_id=exercise_id,
        repetitions=int(_number(number, exercise_id, entry, "repetitions", whole=True)),
        hold_s=float(_number(number, exercise_id, entry, "hold_s")),
        relax_s=float(_number(number, exercise_id, entry, "relax_s")),
        effort=int(_number(number, exercise_id, entry, "effort", whole=True)),
        target_mm=(float(target[0]), float(target[1])),
        target_symmetry=float(_number(number, exercise_id, entry, "target_symmetry")),
        feedback=_feedback(number, exercise_id, entry),
    )


def _feedback(number: int, exercise_id: str, entry: Mapping[str, Any]) -> str:
    value = entry.get("feedback", ENTRY_DEFAULTS["feedback"])
    problem = feedback_problem(value)
    if problem:
        raise _entry_error(number, exercise_id, "feedback", problem, value)
    return str(value)


def _entry_error(number: int, exercise_id: str | None, key: str, problem: str, value: object) -> FieldValueError:
    """A refused value of entry `number` (of exercise `exercise_id`, once its id is known)."""
    if exercise_id is None:
        message = tr("programme entry {number}: {field} {problem}", number=number, field=key, problem=problem)
    else:
        message = tr(
            "programme entry {number} ({exercise}): {field} {problem}",
            number=number,
            exercise=exercise_id,
            field=key,
            problem=problem,
        )
    return FieldValueError(message, field=key, problem=problem, entry=number, value=value)


def _check_keys(number: int, exercise_id: str, entry: Mapping[str, Any]) -> None:
    missing = [key for key in ENTRY_KEYS if key not in entry and key not in ENTRY_DEFAULTS]
    if missing:
        problem = tr("is missing (each entry has {keys})", keys=", ".join(ENTRY_KEYS))
        raise _entry_error(number, exercise_id, missing[0], problem, None)
    unknown = sorted(set(entry) - set(ENTRY_KEYS))
    if unknown:
        problem = tr("unknown key {key} (allowed: {keys})", key=repr(unknown[0]), keys=", ".join(ENTRY_KEYS))
        message = tr(
            "programme entry {number} ({exercise}): {problem}", number=number, exercise=exercise_id, problem=problem
        )
        raise FieldValueError(message, field=unknown[0], problem=problem, entry=number)


def _number(number: int, exercise_id: str, entry: Mapping[str, Any], key: str, whole: bool = False) -> float:
    value = entry[key]
    kind = int if whole else int | float
    if isinstance(value, bool) or not isinstance(value, kind):
        if whole:
            problem = tr("must be a whole number, not {value}", value=repr(value))
        else:
            problem = tr("must be a number, not {value}", value=repr(value))
        raise _entry_error(number, exercise_id, key, problem, value)
    problem = bounds_problem(key, value)
    if problem:
        raise _entry_error(number, exercise_id, key, problem, value)
    return value
