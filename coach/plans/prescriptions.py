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
from coach.plans.exercises import TARGET_MM_RULE, bounds_problem, target_mm_is_valid

#: what a programme prescribes for each of its exercises (the rest comes from the exercise file);
#: a programme file may set any of them, a kept programme sets them all
PRESCRIBED_FIELDS = ("repetitions", "hold_s", "relax_s", "effort", "target_mm", "target_symmetry")
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

    def to_json(self) -> dict[str, object]:
        return {
            "exercise_id": self.exercise_id,
            "repetitions": self.repetitions,
            "hold_s": self.hold_s,
            "relax_s": self.relax_s,
            "effort": self.effort,
            "target_mm": list(self.target_mm),
            "target_symmetry": self.target_symmetry,
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
        raise FieldValueError("a programme needs a name", field="name", problem="needs a name", value=name)
    if not isinstance(description, str):
        problem = f"is text, not {description!r}"
        raise FieldValueError(f"a programme's description {problem}", field="description", problem=problem)
    if isinstance(entries, str | bytes | Mapping) or not entries:
        problem = "needs at least one exercise entry"
        raise FieldValueError(f"a programme {problem}", field="entries", problem=problem)
    checked = tuple(programme_entry(number, entry) for number, entry in enumerate(entries, 1))
    return PrescribedProgramme(name.strip(), description.strip(), checked, uid=uid)


def programme_entry(number: int, entry: object) -> ProgrammeEntry:
    """Entry `number` (1-based) of a programme, checked."""
    where = f"programme entry {number}"
    if not isinstance(entry, Mapping):
        problem = f"must be a table of {', '.join(ENTRY_KEYS)}, not {entry!r}"
        raise FieldValueError(f"{where} {problem}", problem=problem, entry=number, value=entry)
    exercise_id = entry.get("exercise_id")
    if not isinstance(exercise_id, str) or not exercise_id.isidentifier() or exercise_id != exercise_id.lower():
        problem = f"must be an exercise's id (lower_case_with_underscores), not {exercise_id!r}"
        raise _entry_error(where, "exercise_id", problem, number, exercise_id)
    where = f"{where} ({exercise_id})"
    _check_keys(where, number, entry)
    target = entry["target_mm"]
    if not target_mm_is_valid(target):
        raise _entry_error(where, "target_mm", f"{target!r} must be {TARGET_MM_RULE}", number, target)
    return ProgrammeEntry(
        exercise_id=exercise_id,
        repetitions=int(_number(where, number, entry, "repetitions", whole=True)),
        hold_s=float(_number(where, number, entry, "hold_s")),
        relax_s=float(_number(where, number, entry, "relax_s")),
        effort=int(_number(where, number, entry, "effort", whole=True)),
        target_mm=(float(target[0]), float(target[1])),
        target_symmetry=float(_number(where, number, entry, "target_symmetry")),
    )


def _entry_error(where: str, key: str, problem: str, number: int, value: object) -> FieldValueError:
    return FieldValueError(f"{where}: {key} {problem}", field=key, problem=problem, entry=number, value=value)


def _check_keys(where: str, number: int, entry: Mapping[str, Any]) -> None:
    missing = [key for key in ENTRY_KEYS if key not in entry]
    if missing:
        problem = f"is missing (each entry has {', '.join(ENTRY_KEYS)})"
        raise _entry_error(where, missing[0], problem, number, None)
    unknown = sorted(set(entry) - set(ENTRY_KEYS))
    if unknown:
        problem = f"unknown key {unknown[0]!r} (allowed: {', '.join(ENTRY_KEYS)})"
        raise FieldValueError(f"{where}: {problem}", field=unknown[0], problem=problem, entry=number)


def _number(where: str, number: int, entry: Mapping[str, Any], key: str, whole: bool = False) -> float:
    value = entry[key]
    kind = int if whole else int | float
    if isinstance(value, bool) or not isinstance(value, kind):
        problem = f"must be {'a whole number' if whole else 'a number'}, not {value!r}"
        raise _entry_error(where, key, problem, number, value)
    problem = bounds_problem(key, value)
    if problem:
        raise _entry_error(where, key, problem, number, value)
    return value
