"""Programmes: an ordered list of exercises with their repetitions, hold and relax times.

Stored as TOML files in `exercises/programmes/` (a therapist can read and edit them);
each entry names an exercise file and may override its repetitions, hold and relax
seconds for this programme. Validated on load like the exercises themselves.

A `Programme` is what the coach runs: the exercises themselves, with the programme's
values. A programme a therapist prescribed and saved (`PrescribedProgramme`) becomes one
through `programme_from_prescription`, checked the same way as a file.

Like an exercise file, a programme file may give its name and description again per
language, in a table named by its code (`[de]`); `Programme.name` and `.description` are
in the language in use where the file has it, else in English.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import tomli_w
from msgspec import UNSET

from coach.base.errors import ExerciseFileError
from coach.base.i18n import tr
from coach.base.resources import exercises_dir
from coach.base.toml_text import parse_toml
from coach.plans.exercises import (
    Exercise,
    Translations,
    exercise_from_dict,
    exercise_table,
    file_name_problem,
    id_case_problem,
    language_tables,
    load_exercises,
    localised,
    split_translations,
    translated_languages,
)
from coach.plans.file_models import (
    PRESCRIBED_FIELDS,
    UNKNOWN_FIELD,
    Problem,
    ProgrammeEntryFile,
    ProgrammeFile,
    text_problem,
)
from coach.plans.file_models import read as read_model
from coach.plans.prescriptions import PrescribedProgramme


@dataclass(frozen=True)
class Programme:
    """A programme ready to run: its exercises in order, with the prescribed values in them."""

    id: str
    #: the file's own (English) texts; `name` and `description` give them in the language in use
    english_name: str
    english_description: str
    exercises: tuple[Exercise, ...]
    source_file: Path | None = None
    translations: Translations = ()

    @property
    def name(self) -> str:
        """The programme's name in the language in use (English if the file does not give it)."""
        return localised(self.english_name, self.translations, "name")

    @property
    def description(self) -> str:
        """What the programme is for, in the language in use (English if the file does not give it)."""
        return localised(self.english_description, self.translations, "description")


def programmes_dir(exercises_folder: Path | None = None) -> Path:
    return (exercises_folder or exercises_dir()) / "programmes"


def _problem(
    path: Path, message: str, *, field: str | None = None, entry: int | None = None, value: object = None
) -> ExerciseFileError:
    if entry is not None and field is not None:
        text = tr(
            "programme file {path}: exercise {entry} field '{field}': {problem}",
            path=path,
            entry=entry,
            field=field,
            problem=message,
        )
    elif entry is not None:
        text = tr("programme file {path}: exercise {entry}: {problem}", path=path, entry=entry, problem=message)
    elif field is not None:
        text = tr("programme file {path}: field '{field}': {problem}", path=path, field=field, problem=message)
    else:
        text = tr("programme file {path}: {problem}", path=path, problem=message)
    return ExerciseFileError(text, path=path, field=field, problem=message, entry=entry, value=value)


def problem_location(field: str | None, entry: int | None) -> str | None:
    """Where in a programme a problem is, as its messages say it: "exercise 2 field 'hold_s'"
    (in the language in use)."""
    if entry is not None and field is not None:
        return tr("exercise {entry} field '{field}'", entry=entry, field=field)
    if entry is not None:
        return tr("exercise {entry}", entry=entry)
    if field is not None:
        return tr("field '{field}'", field=field)
    return None


#: a programme file's own fields (the model's, said there once), and the texts it may give again per language
PROGRAMME_FIELDS: tuple[str, ...] = ProgrammeFile.__struct_fields__
PROGRAMME_TEXTS = ("name", "description")


def _read_model(data: dict[str, Any], path: Path) -> ProgrammeFile:
    """The file's own fields against the one model of a programme file, problems in the file's words."""
    model, problem = read_model(data, ProgrammeFile)
    if problem is not None:
        raise _refusal(problem, path)
    if not model.id.isidentifier() or model.id != model.id.lower():
        raise _problem(path, id_case_problem(model.id), field="id", value=model.id)
    if not model.name.strip():
        raise _problem(path, tr("must be non-empty text in quotes"), field="name", value=model.name)
    for field, text in (("name", model.name), ("description", model.description)):
        if problem := text_problem(text, one_line=field == "name"):
            raise _problem(path, problem, field=field, value=text)
    return model


def _refusal(problem: Problem, path: Path) -> ExerciseFileError:
    """What the model found wrong with the programme's own fields, as this file's message."""
    field = problem.field
    if problem.entry is not None:
        return _entry_refusal(problem, path)
    if problem.problem == UNKNOWN_FIELD:
        tables = ", ".join(f"[{code}]" for code in translated_languages())
        words = tr("unknown field (allowed: {fields}; and a table per language: {tables})",
                   fields=", ".join(PROGRAMME_FIELDS), tables=tables)  # fmt: skip
        return _problem(path, words, field=field)
    if problem.value is not None and field == "exercise":
        return _problem(path, tr("needs at least one [[exercise]] entry"), field=field, value=problem.value)
    if problem.value is not None and field == "id":
        return _problem(path, id_case_problem(problem.value), field=field, value=problem.value)
    if problem.value is not None and field in PROGRAMME_TEXTS:
        return _problem(path, tr("must be non-empty text in quotes"), field=field, value=problem.value)
    return _problem(path, problem.problem, field=field, value=problem.value)


def _entry_refusal(problem: Problem, path: Path) -> ExerciseFileError:
    """What the model found wrong with one [[exercise]] entry."""
    if problem.field is None or (problem.field == "id" and problem.value is None):
        return _problem(path, tr('needs an id, e.g. id = "gentle_smile"'), entry=problem.entry)
    if problem.problem == UNKNOWN_FIELD:
        allowed = tr("cannot be set here (allowed: id, {fields})", fields=", ".join(PRESCRIBED_FIELDS))
        return _problem(path, allowed, field=problem.field, entry=problem.entry)
    return _problem(path, problem.problem, field=problem.field, entry=problem.entry, value=problem.value)


def _prescribed_exercise(number: int, entry: Any, path: Path, known: dict[str, Exercise]) -> Exercise:
    """Entry `number` of a programme: a known movement exercise with the programme's values."""
    base = known.get(entry.id)
    if base is None:
        problem = tr("unknown exercise {id}; known: {known}", id=repr(entry.id), known=", ".join(sorted(known)))
        raise _problem(path, problem, field="id", entry=number, value=entry.id)
    if base.is_static:
        problem = tr("{id} is the resting face, measured at calibration", id=repr(base.id))
        raise _problem(path, problem, field="id", entry=number, value=entry.id)
    # Re-validate the exercise with the overrides so its own rules (the target band) hold too.
    merged = exercise_table(base)
    merged.update({k: v for k in PRESCRIBED_FIELDS if (v := getattr(entry, k)) is not UNSET})
    try:
        return exercise_from_dict(merged, base.source_file or path.with_name(f"{base.id}.toml"))
    except ExerciseFileError as exc:
        raise _problem(path, exc.problem or str(exc), field=exc.field, entry=number, value=exc.value) from None


def programme_from_dict(data: dict[str, Any], path: Path, known: dict[str, Exercise]) -> Programme:
    """Validate a programme table against the known exercises; errors name file and entry."""
    data, translations = split_translations(
        data,
        PROGRAMME_FIELDS,
        PROGRAMME_TEXTS,
        lambda field, message, value: _problem(path, message, field=field, value=value),
    )
    model = _read_model(data, path)
    chosen = tuple(_prescribed_exercise(number, entry, path, known) for number, entry in enumerate(model.exercise, 1))
    return Programme(model.id, model.name.strip(), model.description.strip(), chosen, path, translations)


def programme_from_prescription(prescribed: PrescribedProgramme, known: dict[str, Exercise]) -> Programme:
    """A prescribed programme as the coach runs it: each exercise with the prescribed values.

    Checked with `programme_from_dict`, like a programme file, so an exercise that has
    since disappeared from the exercises folder is an ExerciseFileError, not a crash.
    """
    data = {
        "id": f"stored_{prescribed.uid}" if prescribed.uid else "prescribed",
        "name": prescribed.name,
        "description": prescribed.description,
        "exercise": [
            {"id": entry.exercise_id, **{key: value for key, value in entry.to_json().items() if key != "exercise_id"}}
            for entry in prescribed.entries
        ],
    }
    return programme_from_dict(data, Path(tr("stored programme {name}", name=repr(prescribed.name))), known)


def load_programme_file(path: Path, known: dict[str, Exercise] | None = None) -> Programme:
    try:
        data = parse_toml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise _problem(path, tr("cannot be read ({problem})", problem=exc)) from exc
    except tomllib.TOMLDecodeError as exc:
        raise _problem(path, tr("is not valid TOML ({problem})", problem=exc)) from exc
    return programme_from_dict(data, path, known if known is not None else load_exercises())


def load_programmes(exercises_folder: Path | None = None) -> dict[str, Programme]:
    """All programmes shipped with (or beside) the exercises, by id."""
    known = load_exercises(exercises_folder)
    folder = programmes_dir(exercises_folder)
    programmes: dict[str, Programme] = {}
    for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
        programme = load_programme_file(path, known)
        if programme.id != path.stem:
            raise _problem(path, file_name_problem(programme.id, path), field="id", value=programme.id)
        programmes[programme.id] = programme
    return programmes


def single_exercise_programme(exercise: Exercise) -> Programme:
    """A programme of just one exercise (for `--exercise` and quick practice): named and
    described by the exercise, in every language it has."""
    renamed = {"name": "name", "instruction": "description"}
    translations = tuple((code, renamed[field], text) for code, field, text in exercise.translations)
    return Programme(
        exercise.id, exercise.english_name, exercise.english_instruction, (exercise,), translations=translations
    )


#: what a programme file begins with, for whoever opens it
_FILE_HEADER = (
    "# Facial Symmetry Coach programme. Each [[exercise]] names an exercise file;\n"
    "# the values below are what this programme prescribes for it.\n"
)


def programme_to_toml(programme: Programme) -> str:
    """A programme as a file a patient can take home (and `load_programme_file` reads back the
    same): written by a TOML library, so any text typed (quotes, line breaks, control characters,
    any script) is written so it reads back as typed."""
    model = ProgrammeFile(
        id=programme.id,
        name=programme.english_name,
        description=programme.english_description,
        exercise=[
            ProgrammeEntryFile(id=exercise.id, **{field: getattr(exercise, field) for field in PRESCRIBED_FIELDS})
            for exercise in programme.exercises
        ],
    )
    table = {**msgspec.to_builtins(model), **language_tables(programme.translations)}
    table["exercise"] = table.pop("exercise")  # the entries last: after them, a [de] table would be theirs
    return _FILE_HEADER + tomli_w.dumps(table)
