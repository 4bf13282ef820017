"""A programme as the therapist edits it: a draft of rows checked as they type, saved and
assigned to a patient, or written to (and read from) a programme file.

The therapist's window shows a draft and forwards what is typed; the rules live here.
A draft is checked by the same validation as programme files (`programme_from_dict`),
and its problems are worded again for the editor from the error's fields (row numbers
and column names instead of file and field names).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coach.base import i18n
from coach.base.errors import CoachError, ExerciseFileError, ValidationError
from coach.base.i18n import N_, tr
from coach.base.private_files import write_private_text
from coach.plans.exercises import Exercise, Translations, language_tables
from coach.plans.prescriptions import PrescribedProgramme, ProgrammeEntry, prescribed_programme
from coach.plans.programmes import (
    Programme,
    load_programme_file,
    load_programmes,
    problem_location,
    programme_from_dict,
    programme_to_toml,
)

#: the made-up file name a draft's problems are reported against while editing
EDITOR_PATH = Path("this programme")
#: the programme offered as a starting point to a patient who has none
STARTING_PROGRAMME_ID = "daily"
#: the editor's column names for a programme's fields (shown with `tr`)
FIELD_WORDS = {
    "repetitions": N_("repetitions"),
    "hold_s": N_("hold (s)"),
    "relax_s": N_("relax (s)"),
    "effort": N_("effort"),
    "target_mm": N_("target range (mm)"),
    "target_symmetry": N_("target symmetry"),
    "feedback": N_("feedback"),
    "id": N_("exercise"),
}


@dataclass
class EditorRow:
    """One exercise of the programme being edited (plain Python numbers, as typed)."""

    exercise_id: str
    repetitions: int
    hold_s: float
    relax_s: float
    effort: int
    target_low: float
    target_high: float
    target_symmetry: float
    #: how often the live bars show (exercises.FEEDBACK_SCHEDULES)
    feedback: str = "full"

    @classmethod
    def of(cls, exercise: Exercise | ProgrammeEntry) -> EditorRow:
        """A row with an exercise's own prescription, or with a kept programme's entry."""
        exercise_id = exercise.id if isinstance(exercise, Exercise) else exercise.exercise_id
        return cls(
            exercise_id,
            int(exercise.repetitions),
            float(exercise.hold_s),
            float(exercise.relax_s),
            int(exercise.effort),
            float(exercise.target_mm[0]),
            float(exercise.target_mm[1]),
            float(exercise.target_symmetry),
            str(exercise.feedback),
        )

    def prescribed(self) -> dict[str, Any]:
        """The row's values as a programme file and a kept programme both name them, without the exercise."""
        return {
            "repetitions": self.repetitions,
            "hold_s": self.hold_s,
            "relax_s": self.relax_s,
            "effort": self.effort,
            "target_mm": [self.target_low, self.target_high],
            "target_symmetry": self.target_symmetry,
            "feedback": self.feedback,
        }


@dataclass
class ProgrammeDraft:
    """The programme in the editor: its name and description as typed (in the language in
    use), and its rows in order. A programme opened from a file keeps its English texts and
    its other languages' (`english`, `translations`): typing in German changes the German
    name, never the English one, and saving loses no language."""

    name: str
    description: str
    rows: list[EditorRow] = field(default_factory=list)
    #: the file's own (English) name and description, if it had them
    english: tuple[str, str] | None = None
    translations: Translations = ()

    def as_file_table(self) -> dict[str, Any]:
        """The draft as a programme file's table (what `programme_from_dict` checks)."""
        name, description = self.name.strip(), self.description.strip()
        tables = language_tables(self.translations)
        language = i18n.language()
        if language != i18n.SOURCE_LANGUAGE:
            tables[language] = {"name": name, "description": description} if description else {"name": name}
            name, description = self.english or (name, description)
        return {
            "id": programme_slug(name) if name else "programme",
            "name": name,
            "description": description,
            **tables,
            "exercise": [{"id": row.exercise_id, **row.prescribed()} for row in self.rows],
        }

    def problem(self, exercises: dict[str, Exercise]) -> str | None:
        """What is wrong with the draft, in the editor's words; None if it can be saved."""
        if not self.name.strip():
            return tr("Give the programme a name.")
        if not self.rows:
            return tr("Add at least one exercise.")
        try:
            self.programme(exercises)
        except ExerciseFileError as exc:
            return plain_programme_error(exc, [exercises[row.exercise_id].name for row in self.rows])
        return None

    def programme(self, exercises: dict[str, Exercise]) -> Programme:
        """The draft as the coach would run it; ExerciseFileError if it breaks a rule."""
        return programme_from_dict(self.as_file_table(), EDITOR_PATH, exercises)

    def prescription(self) -> PrescribedProgramme:
        """The draft as a programme to keep for a patient (FieldValueError if it breaks a rule)."""
        entries = [{"exercise_id": row.exercise_id, **row.prescribed()} for row in self.rows]
        return prescribed_programme(self.name, self.description, entries)


def draft_of(programme: Programme | PrescribedProgramme, name: str | None = None) -> ProgrammeDraft:
    """A programme (from a file, the shipped ones or the records) in the editor, optionally renamed."""
    if isinstance(programme, Programme):
        rows = [EditorRow.of(exercise) for exercise in programme.exercises]
        if name is not None:  # a copy under a new name: the other languages' old name would be wrong
            return ProgrammeDraft(name, programme.description, rows)
        english = (programme.english_name, programme.english_description)
        return ProgrammeDraft(programme.name, programme.description, rows, english, programme.translations)
    rows = [EditorRow.of(entry) for entry in programme.entries]
    return ProgrammeDraft(programme.name if name is None else name, programme.description, rows)


def starting_programme(exercises_folder: Path | None) -> Programme | None:
    """The shipped programme offered to a patient who has none yet (None if none can be read)."""
    try:
        shipped = load_programmes(exercises_folder)
    except CoachError:
        return None
    return shipped.get(STARTING_PROGRAMME_ID) or next(iter(shipped.values()), None)


def write_programme_file(path: Path, draft: ProgrammeDraft, exercises: dict[str, Exercise]) -> None:
    """The draft as a programme file (for the exercises folder of another computer): complete
    or not written, so an existing file is never left half-overwritten."""
    write_private_text(path, programme_to_toml(draft.programme(exercises)))


def read_programme_file(path: Path, exercises: dict[str, Exercise]) -> ProgrammeDraft:
    """A programme file as a draft; ExerciseFileError names what is wrong with it."""
    return draft_of(load_programme_file(path, exercises))


def programme_slug(name: str) -> str:
    """A programme id (lower_case_with_underscores) made from its name, for files."""
    slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    return slug if slug.isidentifier() else f"programme_{slug}".rstrip("_")


def plain_programme_error(error: ValidationError, exercise_names: list[str]) -> str:
    """A programme's validation error in the editor's words (row numbers, column names)."""
    problem = error.problem or str(error)
    if error.entry is not None and error.field is not None:
        row = error.entry
        name = exercise_names[row - 1] if 0 < row <= len(exercise_names) else ""
        band = _two_numbers(error.value) if error.field == "target_mm" else None
        if band:
            low, high = band
            return tr(
                "Row {row} ({name}): the target low ({low} mm) must be below the target high ({high} mm), "
                "both between 0 and 40 mm.",
                row=row,
                name=name,
                low=f"{low:g}",
                high=f"{high:g}",
            )
        field_words = tr(FIELD_WORDS[error.field]) if error.field in FIELD_WORDS else error.field
        return tr("Row {row} ({name}), {field}: {problem}", row=row, name=name, field=field_words, problem=problem)
    where = problem_location(error.field, error.entry)
    text = f"{where}: {problem}" if where else problem
    return text[:1].upper() + text[1:]


def _two_numbers(value: object) -> tuple[float, float] | None:
    """A target range as typed, [low, high], when it is two numbers (in whatever order)."""
    if isinstance(value, list | tuple) and len(value) == 2:
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
            return float(value[0]), float(value[1])
    return None
