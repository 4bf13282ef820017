"""Exercise definitions: TOML files in `exercises/` that a therapist can read and edit.

Each file is validated on load; every problem is reported with the file, the field
and what is wrong, so a typo in a prescription never turns into a silent default.

The texts a patient reads (name, instruction) are written in English at the top of the
file, and may be given again per language in a table named by its code (`[de]`, with
`name = "…"` and `instruction = "…"`); `Exercise.name` and `.instruction` are in the
language in use (`coach.base.i18n`) where the file has it, else in English.
"""

from __future__ import annotations

import re
import tomllib
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from coach.base import i18n
from coach.base.errors import ExerciseFileError
from coach.base.i18n import tr
from coach.base.resources import exercises_dir
from coach.base.toml_text import parse_toml
from coach.measure.measures import MOVEMENT_MEASURES, SYNKINESIS_MEASURES
from coach.plans.file_models import (
    BOUNDS,
    UNKNOWN_FIELD,
    ExerciseFile,
    Feedback,
    Kind,
    bounds_problem,
    target_mm_problem,
    text_problem,
)
from coach.plans.file_models import read as read_model

__all__ = ["BOUNDS", "bounds_problem", "target_mm_problem"]  # said here too: where callers look for them

#: an exercise file's own fields (the model's, said there once)
EXERCISE_FIELDS: tuple[str, ...] = ExerciseFile.__struct_fields__

KINDS: tuple[str, ...] = typing.get_args(Kind)

#: The standard set every installation ships (Sunnybrook's five expressions, both eye
#: closures, the two smiles, "eee" and frown, and the resting face).
STANDARD_EXERCISE_IDS = frozenset(
    {
        "rest",
        "raise_brows",
        "gentle_eye_closure",
        "tight_eye_closure",
        "gentle_smile",
        "big_smile",
        "snarl",
        "pucker",
        "lower_lip",
        "frown",
    }
)


#: a file's texts in other languages: (language code, field, text), from its `[de]`-style tables
Translations = tuple[tuple[str, str, str], ...]
#: the texts an exercise file may give again in another language
EXERCISE_TEXTS = ("name", "instruction")


def localised(english: str, translations: Translations, field: str, language: str | None = None) -> str:
    """`field`'s text in `language` (default: the one in use) if it was given, else `english`."""
    code = language or i18n.language()
    return next((text for lang, name, text in translations if lang == code and name == field), english)


def language_tables(translations: Translations) -> dict[str, dict[str, str]]:
    """The translations as a file writes them: language code -> {field: text}."""
    tables: dict[str, dict[str, str]] = {}
    for language, field, text in translations:
        tables.setdefault(language, {})[field] = text
    return tables


@dataclass(frozen=True)
class Exercise:
    """One prompted movement (or the resting face) and how to count and judge it."""

    id: str
    #: the file's own (English) texts; `name` and `instruction` give them in the language in use
    english_name: str
    english_instruction: str
    kind: str  # "movement" or "static" (rest: resting symmetry only)
    primary: tuple[str, ...]  # movement measures; the first drives repetition detection
    synkinesis_watch: tuple[str, ...]
    repetitions: int
    hold_s: float
    relax_s: float
    #: smallest movement (mm, on the stronger side) counted as a repetition
    min_movement_mm: float
    #: movement range (mm, each side) the live coach rewards: small and controlled, not maximal
    target_mm: tuple[float, float] = (2.0, 8.0)
    #: weaker ÷ stronger at or above which the movement counts as even
    target_symmetry: float = 0.8
    #: unwanted movement of a watched region (% of its size at rest) that triggers a warning
    synkinesis_limit_pct: float = 25.0
    #: how hard to try, 1 to 10 (retraining asks for 2 or 3: small, controlled movements)
    effort: int = 3
    #: how often the live bars show (FEEDBACK_SCHEDULES): "full", "faded" or "summary"
    feedback: str = "full"
    source_file: Path | None = None
    translations: Translations = ()

    @property
    def name(self) -> str:
        """The exercise's name in the language in use (English if the file does not give it)."""
        return localised(self.english_name, self.translations, "name")

    @property
    def measures_lids(self) -> bool:
        """Its movement is read at the eyelids (where light in glasses can hide them)."""
        return self.primary[:1] == ("eye_closure_mm",)

    @property
    def instruction(self) -> str:
        """What to do, in the language in use (English if the file does not give it)."""
        return localised(self.english_instruction, self.translations, "instruction")

    @property
    def is_static(self) -> bool:
        return self.kind == "static"


#: how often the live bars show during an exercise. Motor learning: feedback on every repetition
#: breeds dependence on it, so a therapist fades it as the movement is learnt. "full": on every
#: repetition; "faded": on some (coach.session.steering.bars_shown), with a result after each;
#: "summary": none, the result at the exercise's end
FEEDBACK_SCHEDULES: tuple[str, ...] = typing.get_args(Feedback)


def feedback_problem(value: object) -> str | None:
    """What is wrong with a feedback schedule, or None if it is one of FEEDBACK_SCHEDULES."""
    if value in FEEDBACK_SCHEDULES:
        return None
    return tr("{value} is not one of {known}", value=repr(value), known=", ".join(FEEDBACK_SCHEDULES))


#: what a valid `target_mm` is, in the words of every message about it
TARGET_MM_RULE = "[low, high] in mm with 0 ≤ low < high ≤ 40"


def target_mm_is_valid(target: object) -> bool:
    """Two numbers (mm), low below high, both within 0 to 40 (see TARGET_MM_RULE)."""
    return (
        isinstance(target, Sequence)
        and not isinstance(target, str)
        and len(target) == 2
        and all(not isinstance(v, bool) and isinstance(v, int | float) for v in target)
        and 0.0 <= target[0] < target[1] <= 40.0
    )


def _problem(path: Path, field: str | None, message: str, value: object = None) -> ExerciseFileError:
    if field:
        text = tr("exercise file {path}: field '{field}': {problem}", path=path, field=field, problem=message)
    else:
        text = tr("exercise file {path}: {problem}", path=path, problem=message)
    return ExerciseFileError(text, path=path, field=field, problem=message, value=value)


def _check_names(path: Path, field: str, values: list[Any], known: dict[str, Any]) -> tuple[str, ...]:
    for value in values:
        if not isinstance(value, str) or value not in known:
            problem = tr(
                "unknown measure {measure}; known: {known}", measure=repr(value), known=", ".join(sorted(known))
            )
            raise _problem(path, field, problem, value)
    return tuple(values)


#: a key that names a language (a table of texts), as a therapist might write one: de, fr, pt_br, de-AT
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}([_-][a-zA-Z]{2,4})?")


def translated_languages() -> tuple[str, ...]:
    """The language codes a file may give texts in (every language the app speaks but English)."""
    return tuple(code for code in i18n.LANGUAGES if code != i18n.SOURCE_LANGUAGE)


def split_translations(
    data: dict[str, Any],
    fields: Sequence[str],
    texts: tuple[str, ...],
    fail: Callable[[str, str, object], Exception],
) -> tuple[dict[str, Any], Translations]:
    """A file's table without its language tables (`[de]`), and their texts, checked.

    fields: the file's own fields (never a language); texts: the fields a language table may
    give; fail(field, problem, value): the error to raise, its field as in the file ("de.name")."""
    own = {key: value for key, value in data.items() if key in fields or not _is_language_table(key, value)}
    translations: list[tuple[str, str, str]] = []
    for code in sorted(set(data) - set(own)):
        translations += _language_table(code, data[code], texts, fail)
    return own, tuple(translations)


def _is_language_table(key: str, value: object) -> bool:
    return key in i18n.LANGUAGES or (isinstance(value, dict) and _LANGUAGE_CODE.fullmatch(key) is not None)


def _language_table(
    code: str, table: object, texts: tuple[str, ...], fail: Callable[[str, str, object], Exception]
) -> list[tuple[str, str, str]]:
    """The (code, field, text) of one language table, each text checked."""
    known = ", ".join(f"[{language}]" for language in translated_languages())
    fields = ", ".join(texts)
    if code == i18n.SOURCE_LANGUAGE:
        problem = tr(
            "English is written in the file's own fields ({fields}), not in an [{code}] table", fields=fields, code=code
        )
        raise fail(code, problem, table)
    if code not in i18n.LANGUAGES:
        raise fail(code, tr("unknown language {code} (known: {known})", code=repr(code), known=known), table)
    if not isinstance(table, dict):
        raise fail(
            code, tr('must be a table of {fields}, e.g. [{code}] then name = "…"', fields=fields, code=code), table
        )
    if not table:
        either = " " + tr("and/or") + " "
        either = either.join(texts)
        raise fail(
            code, tr("is empty: give {fields}, or leave the [{code}] table out", fields=either, code=code), table
        )
    for field, text in table.items():
        where = f"{code}.{field}"
        if field not in texts:
            raise fail(where, tr("unknown field (allowed in [{code}]: {fields})", code=code, fields=fields), text)
        if not isinstance(text, str):
            raise fail(where, tr("must be text in quotes, got {value}", value=repr(text)), text)
        if not text.strip():
            raise fail(where, tr("must not be empty"), text)
        if problem := text_problem(text, one_line=field == "name"):
            raise fail(where, problem, text)
    return [(code, field, text.strip()) for field, text in table.items()]


def _read_model(data: dict[str, Any], path: Path) -> ExerciseFile:
    """The file's own fields against the one model of an exercise file (defaults filled in)."""
    model, problem = read_model(data, ExerciseFile)
    if problem is None:
        return model
    if problem.problem == UNKNOWN_FIELD:
        tables = ", ".join(f"[{code}]" for code in translated_languages())
        words = tr(
            "unknown field (allowed: {fields}; and a table per language: {tables})",
            fields=", ".join(EXERCISE_FIELDS),
            tables=tables,
        )
        raise _problem(path, problem.field, words)
    raise _problem(path, problem.field, problem.problem, problem.value)


def _check_words(values: ExerciseFile, path: Path) -> None:
    """The id (matching the file name) and the texts, which the model holds as any text."""
    if not values.id.isidentifier() or values.id != values.id.lower():
        raise _problem(path, "id", id_case_problem(values.id), values.id)
    if path.stem != values.id:
        raise _problem(path, "id", file_name_problem(values.id, path), values.id)
    for field in ("name", "instruction"):
        text = getattr(values, field)
        problem = tr("must not be empty") if not text.strip() else text_problem(text, one_line=field == "name")
        if problem:
            raise _problem(path, field, problem, text)


def id_case_problem(value: object) -> str:
    """The problem of an id that is not lower_case_with_underscores (exercise and programme files)."""
    return tr("{id} must be lower_case_with_underscores", id=repr(value))


def file_name_problem(value: object, path: Path) -> str:
    """The problem of an id that differs from its file's name (exercise and programme files)."""
    return tr("{id} does not match the file name {file}", id=repr(value), file=path.name)


def _measures(values: ExerciseFile, path: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The primary and watched measures, known ones only, as the kind needs them."""
    primary = _check_names(path, "primary", values.primary, MOVEMENT_MEASURES)
    watch = _check_names(path, "synkinesis_watch", values.synkinesis_watch, SYNKINESIS_MEASURES)
    if values.kind == "movement" and not primary:
        raise _problem(path, "primary", tr("a movement exercise needs at least one primary measure"), primary)
    if values.kind == "static" and primary:
        raise _problem(path, "primary", tr("a static exercise measures the resting face; leave it empty"), primary)
    return primary, watch


def exercise_from_dict(data: dict[str, Any], path: Path) -> Exercise:
    """Validate one exercise table; raises ExerciseFileError naming file and field."""
    own, translations = split_translations(
        data, EXERCISE_FIELDS, EXERCISE_TEXTS, lambda field, message, value: _problem(path, field, message, value)
    )
    values = _read_model(own, path)
    _check_words(values, path)
    primary, watch = _measures(values, path)
    if not target_mm_is_valid(values.target_mm):
        raise _problem(path, "target_mm", target_mm_problem(list(values.target_mm)), list(values.target_mm))
    return Exercise(
        id=values.id,
        english_name=values.name.strip(),
        english_instruction=values.instruction.strip(),
        kind=values.kind,
        primary=primary,
        synkinesis_watch=watch,
        repetitions=values.repetitions,
        hold_s=values.hold_s,
        relax_s=values.relax_s,
        min_movement_mm=values.min_movement_mm,
        target_mm=values.target_mm,
        target_symmetry=values.target_symmetry,
        synkinesis_limit_pct=values.synkinesis_limit_pct,
        effort=values.effort,
        feedback=values.feedback,
        source_file=path,
        translations=translations,
    )


def exercise_table(exercise: Exercise) -> dict[str, Any]:
    """The exercise as its file's table: what `exercise_from_dict` reads back into the same exercise."""
    own = {field: getattr(exercise, field) for field in EXERCISE_FIELDS if field not in ("name", "instruction")}
    model = ExerciseFile(**own, name=exercise.english_name, instruction=exercise.english_instruction)
    return {**msgspec.to_builtins(model), **language_tables(exercise.translations)}


def load_exercise_file(path: Path) -> Exercise:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _problem(path, None, tr("cannot be read ({problem})", problem=exc)) from exc
    try:
        data = parse_toml(text)
    except tomllib.TOMLDecodeError as exc:
        raise _problem(path, None, tr("is not valid TOML ({problem})", problem=exc)) from exc
    return exercise_from_dict(data, path)


def _exercise_folder(folder: Path | None) -> Path:
    """The folder to read exercises from (default: the shipped one); it must exist."""
    if folder is None:
        return exercises_dir()
    folder = Path(folder).expanduser()
    if folder.is_dir():
        return folder
    if folder.exists():
        message, problem = tr("exercises folder {folder} is not a folder", folder=folder), tr("is not a folder")
    else:
        message, problem = tr("exercises folder {folder} does not exist", folder=folder), tr("does not exist")
    raise ExerciseFileError(message, path=folder, problem=problem)


def load_exercises(folder: Path | None = None) -> dict[str, Exercise]:
    """All exercises in a folder (default: the shipped `exercises/`), by id.

    A folder without any exercise file is an error, not an empty programme."""
    folder = _exercise_folder(folder)
    exercises: dict[str, Exercise] = {}
    for path in sorted(folder.glob("*.toml")):
        exercise = load_exercise_file(path)
        exercises[exercise.id] = exercise
    if not exercises:
        message = tr("exercises folder {folder} holds no exercise files (*.toml)", folder=folder)
        raise ExerciseFileError(message, path=folder, problem=tr("holds no exercise files (*.toml)"))
    return exercises


def get_exercise(exercise_id: str, folder: Path | None = None) -> Exercise:
    """One exercise by id; an unknown id is an error listing the known ones."""
    folder = _exercise_folder(folder)
    path = folder / f"{exercise_id}.toml"
    if not exercise_id.isidentifier() or not path.is_file():
        known = ", ".join(sorted(p.stem for p in folder.glob("*.toml")))
        known = known or tr("none (no *.toml files in {folder})", folder=folder)
        problem = tr("unknown exercise {id}; known exercises: {known}", id=repr(exercise_id), known=known)
        raise ExerciseFileError(problem, path=path, field="id", problem=problem, value=exercise_id)
    return load_exercise_file(path)
