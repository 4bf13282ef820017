"""The files a therapist writes (exercises, programmes), each held to one typed model.

Why: the fields of an exercise file were listed four times over (types, required ones,
defaults, ranges) by hand-written checks, and a programme file's again. Here each field is
said once, with its type, range and default, and msgspec checks a whole file against it in one
pass, as it checks bundles (`records.bundle_model`). What msgspec says in English (an
"Expected `int` <= 50 - at `$.repetitions`") is said again in the user's language, naming the
field, the entry and the value (`explain`). What one field cannot say alone (an id matching its
file's name, known measure names, a target band's order) is checked where the model is read.

The language tables of a file (`[de]`) are taken out first (`exercises.split_translations`);
the models hold the file's own fields.
"""

from __future__ import annotations

import typing
import unicodedata
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

from coach.base import model_problems
from coach.base.i18n import tr
from coach.base.model_problems import UNKNOWN_FIELD, Problem, between

__all__ = ["UNKNOWN_FIELD", "Problem"]  # the words of a problem, for the readers of these files

#: the range of each numeric field; a programme prescribing an exercise is held to the same
BOUNDS: dict[str, tuple[float, float]] = {
    "repetitions": (1, 50),
    "hold_s": (0.0, 60.0),
    "relax_s": (0.0, 120.0),
    "min_movement_mm": (0.2, 20.0),
    "target_symmetry": (0.5, 1.0),
    "synkinesis_limit_pct": (1.0, 100.0),
    "effort": (1, 10),
}


def _within(field: str, kind: type) -> Any:
    low, high = BOUNDS[field]
    return Annotated[kind, Meta(ge=kind(low), le=kind(high))]


Feedback = Literal["full", "faded", "summary"]
Kind = Literal["movement", "static"]


class PrescribedValues(Struct, kw_only=True, forbid_unknown_fields=True):
    """What a programme may set for each exercise it names (and every exercise file has)."""

    repetitions: _within("repetitions", int)  # type: ignore[valid-type]
    hold_s: _within("hold_s", float)  # type: ignore[valid-type]
    relax_s: _within("relax_s", float)  # type: ignore[valid-type]
    #: how hard to try, 1 to 10 (retraining asks for 2 or 3: small, controlled movements)
    effort: _within("effort", int) = 3  # type: ignore[valid-type]
    #: movement range (mm, each side) the live coach rewards: small and controlled, not maximal
    #: (0 ≤ low < high ≤ 40: checked when read, see `exercises.target_mm_is_valid`)
    target_mm: tuple[float, float] = (2.0, 8.0)
    #: weaker ÷ stronger at or above which the movement counts as even
    target_symmetry: _within("target_symmetry", float) = 0.8  # type: ignore[valid-type]
    #: how often the live bars show (exercises.FEEDBACK_SCHEDULES)
    feedback: Feedback = "full"


class ExerciseFile(PrescribedValues, kw_only=True, forbid_unknown_fields=True):
    """One exercise file (`exercises/*.toml`), its own fields (English texts)."""

    id: str
    name: str
    instruction: str
    primary: list[str]
    synkinesis_watch: list[str]
    kind: Kind = "movement"
    #: smallest movement (mm, on the stronger side) counted as a repetition
    min_movement_mm: _within("min_movement_mm", float) = 1.5  # type: ignore[valid-type]
    #: unwanted movement of a watched region (% of its size at rest) that triggers a warning
    synkinesis_limit_pct: _within("synkinesis_limit_pct", float) = 25.0  # type: ignore[valid-type]


#: the fields a programme may set for an exercise, in the order files write them
PRESCRIBED_FIELDS: tuple[str, ...] = PrescribedValues.__struct_fields__
_PRESCRIBED_TYPES = typing.get_type_hints(PrescribedValues, include_extras=True)

#: one exercise of a programme file: its id, and any of the prescribed values (each as typed
#: as in an exercise file; left out: the exercise file's own value)
ProgrammeEntryFile = msgspec.defstruct(
    "ProgrammeEntryFile",
    [("id", str), *((field, _PRESCRIBED_TYPES[field] | UnsetType, UNSET) for field in PRESCRIBED_FIELDS)],
    kw_only=True,
    forbid_unknown_fields=True,
)


class ProgrammeFile(Struct, kw_only=True, forbid_unknown_fields=True):
    """One programme file (`exercises/programmes/*.toml`), its own fields (English texts)."""

    id: str
    name: str
    description: str = ""
    exercise: Annotated[list[ProgrammeEntryFile], Meta(min_length=1)]  # type: ignore[valid-type]


def read(data: dict[str, Any], model: type[Any]) -> tuple[Any, Problem | None]:
    """`data` checked against `model`: (the model, None), or (None, what is wrong, in the
    user's language); a target band is always said whole, with its rule."""
    found, problem = model_problems.read(data, model)
    if problem is not None and problem.field == "target_mm":
        table = data if problem.entry is None else data["exercise"][problem.entry - 1]
        target = table.get("target_mm")
        problem = Problem("target_mm", problem.entry, target_mm_problem(target), target)
    return found, problem


def text_problem(text: str, *, one_line: bool) -> str | None:
    """What is wrong with a text a person typed for a file (a name: one line; an instruction
    or description: lines), or None. Control characters (a carriage return, a NUL, an escape)
    show as nothing or as boxes on the screen and in reports: refused, named by their code."""
    allowed = "" if one_line else "\n\t"
    bad = next((c for c in text if unicodedata.category(c) in ("Cc", "Cs") and c not in allowed), None)
    if bad is None:
        return None
    if one_line and bad in "\r\n":
        return tr("must be one line (it has a line break)")
    return tr("has a control character ({code}) that cannot be shown; type it again without",
              code=f"U+{ord(bad):04X}")  # fmt: skip


def bounds_problem(field: str, value: float) -> str | None:
    """What is wrong with a number for one of the BOUNDS fields, or None if it is in range."""
    low, high = BOUNDS[field]
    return None if low <= value <= high else between(value, low, high)


def target_mm_problem(target: object) -> str:
    """What is wrong with a `target_mm` that is not valid, in the language in use."""
    return tr("{target} must be [low, high] in mm with 0 ≤ low < high ≤ 40", target=repr(target))
