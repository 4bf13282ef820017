"""What is wrong with a file against its typed model, said in the user's language.

Why: every file from outside (exercise and programme files, the settings, bundles) is checked
against one msgspec model, which says what is wrong in English ("Expected `int` <= 50 - at
`$.repetitions`"). A therapist reading German or Spanish gets the same problem in their
language, naming the field, the entry (of a list of tables, as a programme's exercises) and the
value found; the ranges and choices come from the model itself, so they are said once.
"""

from __future__ import annotations

import re
import types
import typing
from typing import Any, NamedTuple

import msgspec

from coach.base.i18n import N_, tr

#: a field the model does not have (the caller says which fields the file may have)
UNKNOWN_FIELD = "unknown field"
#: a field the model needs and the file does not have
MISSING = N_("missing")

#: how each type msgspec names is said to the person editing the file (translated where shown)
TYPE_WORDS: dict[str, str] = {
    "str": N_("text in quotes"),
    "array": N_('a list in brackets, e.g. ["brow_lift_mm"]'),
    "int": N_("a whole number"),
    "float": N_("a number"),
    "bool": N_("true or false"),
    "object": N_("a table"),
}

_AT = re.compile(r"^(?P<problem>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)
_STEP = re.compile(r"\.(\w+)|\[(\d+)\]")


class Problem(NamedTuple):
    """What is wrong, where: the field (as in the file), the entry of a list of tables
    (1-based, or None), the problem in the user's language, and the value found."""

    field: str | None
    entry: int | None
    problem: str
    value: object


def read(data: Any, model: type[Any], *, strict: bool = True) -> tuple[Any, Problem | None]:
    """`data` checked against `model`: (the model, None), or (None, what is wrong).
    strict=False reads text as numbers and flags (an INI file holds only text)."""
    try:
        return msgspec.convert(data, model, strict=strict), None
    except msgspec.ValidationError as error:
        return None, explain(str(error), data, model)


def explain(message: str, data: Any, model: type[Any]) -> Problem:
    """msgspec's `message` about `data` (read as `model`) as a `Problem` in the user's language."""
    match = _AT.match(message)
    said, path = (match["problem"], match["path"] or "") if match else (message, "")
    field, entry, whole, value, kind = _locate(path, data, model)
    if missing := re.fullmatch(r"Object missing required field `(\w+)`", said):
        return Problem(missing[1], entry, tr(MISSING), None)
    if unknown := re.fullmatch(r"Object contains unknown field `(\w+)`", said):
        return Problem(unknown[1], entry, UNKNOWN_FIELD, None)
    if wrong := re.fullmatch(r"Expected `(\w+)`, got `\w+`", said):
        words = tr(TYPE_WORDS[wrong[1]]) if wrong[1] in TYPE_WORDS else wrong[1]
        return Problem(field, entry, tr("must be {kind}, got {value}", kind=words, value=repr(value)), value)
    meta = _meta(kind)
    if re.fullmatch(r"Expected `(int|float)` [<>]=? .*", said) and meta is not None:
        return Problem(field, entry, between(value, meta.ge, meta.le), value)
    if said.startswith("Invalid enum value") and (choices := _choices(kind)):
        known = ", ".join(str(choice) if choice != "" else '""' for choice in choices)
        return Problem(field, entry, tr("{value} is not one of {known}", value=repr(value), known=known), value)
    if said.startswith("Expected `str` of length") or said.startswith("Expected `str` matching"):
        return Problem(field, entry, tr("must be one line of text, at most {count} characters",
                                        count=meta.max_length if meta else "?"), value)  # fmt: skip
    return Problem(field, entry, said, whole)


def between(value: object, low: float | None, high: float | None) -> str:
    """A number outside its range, in the user's language."""
    return tr("{value} is not between {low} and {high}", value=f"{value}", low=f"{low:g}", high=f"{high:g}")


def _locate(path: str, data: Any, model: Any) -> tuple[str | None, int | None, object, object, Any]:
    """What a msgspec path names: the field (`.exercise[1].hold_s`: hold_s of entry 2), the
    field's whole value, the value at the very place, and the type the model gives that place."""
    field: str | None = None
    entry: int | None = None
    whole: object = None
    value: object = data
    kind: Any = model
    for name, index in _STEP.findall(path):
        if name:
            value = value.get(name) if isinstance(value, dict) else None
            kind = _hints(kind).get(name)
            if field is None:
                field, whole = name, value
        else:
            position = int(index)
            value = value[position] if isinstance(value, list) and position < len(value) else None
            kind = _element(kind)
            if entry is None and _is_struct(kind):  # a list of tables: its fields are the fields
                entry, field = position + 1, None
    return field, entry, whole, value, kind


def _plain(kind: Any) -> Any:
    """`kind` without Annotated, Optional and msgspec's UNSET."""
    while True:
        origin = typing.get_origin(kind)
        if origin is typing.Annotated:
            kind = typing.get_args(kind)[0]
        elif origin in (typing.Union, types.UnionType):
            rest = [arg for arg in typing.get_args(kind) if arg not in (type(None), msgspec.UnsetType)]
            if len(rest) != 1:
                return kind
            kind = rest[0]
        else:
            return kind


def _hints(kind: Any) -> dict[str, Any]:
    plain = _plain(kind)
    return typing.get_type_hints(plain, include_extras=True) if _is_struct(plain) else {}


def _element(kind: Any) -> Any:
    args = typing.get_args(_plain(kind))
    return args[0] if args else None


def _is_struct(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, msgspec.Struct)


def _meta(kind: Any) -> msgspec.Meta | None:
    """The constraints (`Meta`) the model puts on a place, looked for through Optional."""
    for candidate in (kind, *typing.get_args(kind)):
        if typing.get_origin(candidate) is typing.Annotated:
            metas = [arg for arg in typing.get_args(candidate)[1:] if isinstance(arg, msgspec.Meta)]
            if metas:
                return metas[0]
    return None


def _choices(kind: Any) -> tuple[Any, ...]:
    plain = _plain(kind)
    return typing.get_args(plain) if typing.get_origin(plain) is typing.Literal else ()
