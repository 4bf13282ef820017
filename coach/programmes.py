"""Programmes: an ordered list of exercises with their repetitions, hold and relax times.

Stored as TOML files in `exercises/programmes/` (a therapist can read and edit them);
each entry names an exercise file and may override its repetitions, hold and relax
seconds for this programme. Validated on load like the exercises themselves.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coach.errors import ExerciseFileError
from coach.exercises import Exercise, exercise_from_dict, load_exercises
from coach.resources import exercises_dir

#: what a programme may set per exercise for a patient (the rest comes from the exercise file)
_OVERRIDABLE = ("repetitions", "hold_s", "relax_s", "effort", "target_mm", "target_symmetry")


@dataclass(frozen=True)
class Programme:
    id: str
    name: str
    description: str
    exercises: tuple[Exercise, ...]
    source_file: Path | None = None


def programmes_dir(exercises_folder: Path | None = None) -> Path:
    return (exercises_folder or exercises_dir()) / "programmes"


def _problem(path: Path, where: str | None, message: str) -> ExerciseFileError:
    location = f"{path}: {where}" if where else str(path)
    return ExerciseFileError(f"programme file {location}: {message}")


def programme_from_dict(data: dict[str, Any], path: Path, known: dict[str, Exercise]) -> Programme:
    """Validate a programme table against the known exercises; errors name file and entry."""
    for field in ("id", "name", "exercise"):
        if field not in data:
            raise _problem(path, f"field '{field}'", "missing")
    unknown = sorted(set(data) - {"id", "name", "description", "exercise"})
    if unknown:
        raise _problem(path, f"field '{unknown[0]}'", "unknown field (allowed: id, name, description, exercise)")
    if not isinstance(data["id"], str) or not data["id"].isidentifier() or data["id"] != data["id"].lower():
        raise _problem(path, "field 'id'", f"{data['id']!r} must be lower_case_with_underscores")
    if not isinstance(data["name"], str) or not data["name"].strip():
        raise _problem(path, "field 'name'", "must be non-empty text in quotes")
    entries = data["exercise"]
    if not isinstance(entries, list) or not entries:
        raise _problem(path, "field 'exercise'", "needs at least one [[exercise]] entry")
    chosen: list[Exercise] = []
    for number, entry in enumerate(entries, 1):
        where = f"exercise {number}"
        if not isinstance(entry, dict) or "id" not in entry:
            raise _problem(path, where, 'needs an id, e.g. id = "gentle_smile"')
        extra = sorted(set(entry) - {"id", *_OVERRIDABLE})
        if extra:
            raise _problem(
                path, f"{where} field '{extra[0]}'", f"cannot be set here (allowed: id, {', '.join(_OVERRIDABLE)})"
            )
        base = known.get(entry["id"]) if isinstance(entry["id"], str) else None
        if base is None:
            raise _problem(
                path, f"{where} field 'id'", f"unknown exercise {entry['id']!r}; known: {', '.join(sorted(known))}"
            )
        if base.is_static:
            raise _problem(path, f"{where} field 'id'", f"{base.id!r} is the resting face, measured at calibration")
        # Re-validate the exercise with the overrides so ranges are checked in one place.
        merged = {
            field.name: getattr(base, field.name) for field in dataclasses.fields(base) if field.name != "source_file"
        }
        merged["primary"], merged["synkinesis_watch"] = list(base.primary), list(base.synkinesis_watch)
        merged["target_mm"] = list(base.target_mm)
        merged.update({k: entry[k] for k in _OVERRIDABLE if k in entry})
        try:
            exercise = exercise_from_dict(merged, base.source_file or path.with_name(f"{base.id}.toml"))
        except ExerciseFileError as exc:
            field = getattr(exc, "field", None)
            raise _problem(
                path, f"{where} field '{field}'" if field else where, getattr(exc, "problem", str(exc))
            ) from None
        chosen.append(exercise)
    return Programme(data["id"], data["name"].strip(), str(data.get("description", "")).strip(), tuple(chosen), path)


def load_programme_file(path: Path, known: dict[str, Exercise] | None = None) -> Programme:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise _problem(path, None, f"cannot be read ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise _problem(path, None, f"is not valid TOML ({exc})") from exc
    return programme_from_dict(data, path, known if known is not None else load_exercises())


def load_programmes(exercises_folder: Path | None = None) -> dict[str, Programme]:
    """All programmes shipped with (or beside) the exercises, by id."""
    known = load_exercises(exercises_folder)
    folder = programmes_dir(exercises_folder)
    programmes: dict[str, Programme] = {}
    for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
        programme = load_programme_file(path, known)
        if programme.id != path.stem:
            raise _problem(path, "field 'id'", f"{programme.id!r} does not match the file name {path.name}")
        programmes[programme.id] = programme
    return programmes


def single_exercise_programme(exercise: Exercise) -> Programme:
    """A programme of just one exercise (for `--exercise` and quick practice)."""
    return Programme(exercise.id, exercise.name, exercise.instruction, (exercise,))


def _toml_value(value: object) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, float):
        return repr(round(value, 3))
    return str(value)


def programme_to_toml(programme: Programme) -> str:
    """A programme as a file a patient can take home (and `load_programme_file` reads back)."""
    lines = [
        "# Facial Symmetry Coach programme. Each [[exercise]] names an exercise file;",
        "# the values below are what this programme prescribes for it.",
        f"id = {_toml_value(programme.id)}",
        f"name = {_toml_value(programme.name)}",
        f"description = {_toml_value(programme.description)}",
    ]
    for exercise in programme.exercises:
        lines += ["", "[[exercise]]", f"id = {_toml_value(exercise.id)}"]
        lines += [f"{field} = {_toml_value(getattr(exercise, field))}" for field in _OVERRIDABLE]
    return "\n".join(lines) + "\n"
