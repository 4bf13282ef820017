"""Whatever a therapist types into an exercise, programme or settings file (any script, quotes, line
breaks, control characters, numbers out of range, nan) reads back the same or is refused with
a message naming the file and the field: never a traceback, never a file written that cannot
be read back. Hypothesis draws the files (a fixed seed, so a CI run is repeatable); each
drawn file is written by the TOML library, read, and, when accepted, written again by the
app's own writer and read back equal.

The issue's count: at least 500 cases: 300 exercise files, 300 programme files, 200 settings.
"""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from coach.base.errors import ExerciseFileError
from coach.measure.measures import MOVEMENT_MEASURES, SYNKINESIS_MEASURES
from coach.plans.exercises import exercise_table, load_exercise_file, load_exercises
from coach.plans.programmes import load_programme_file, programme_to_toml

CASES = settings(max_examples=300, deadline=None, derandomize=True, database=None,
                 suppress_health_check=list(HealthCheck))  # fmt: skip


def _mostly(fine: st.SearchStrategy, wrong: st.SearchStrategy) -> st.SearchStrategy:
    """`fine` nine times in ten: a file has a mistake in one field or two, not in all of them."""
    return st.integers(min_value=0, max_value=9).flatmap(lambda n: wrong if n == 0 else fine)


#: what a person types: any character (other scripts, emoji, quotes, backslashes, control
#: characters, a carriage return, a lone surrogate), the ones that broke writers before often
NASTY = st.text(
    alphabet=st.characters(codec=None)
    | st.sampled_from(['"', "'", "\\", "\r", "\n", "\t", "\x00", "\x1b", "\u2028", " "]),
    max_size=40,
)
#: text as usually typed: letters of any script, digits, punctuation, symbols (emoji), spaces
WORDS = st.text(st.characters(categories=("L", "M", "N", "P", "S", "Zs")), min_size=1, max_size=40)
TYPED = _mostly(WORDS, NASTY)
#: numbers out of range, not whole, nan, infinite, or not numbers at all
WRONG_NUMBER = (
    st.integers(min_value=-5, max_value=500)
    | st.floats(min_value=-10, max_value=500)
    | st.sampled_from([float("nan"), float("inf"), "3", True])
)
REPETITIONS = _mostly(st.integers(min_value=1, max_value=50), WRONG_NUMBER)
SECONDS = _mostly(st.floats(min_value=0, max_value=60) | st.integers(min_value=0, max_value=60), WRONG_NUMBER)
EFFORT = _mostly(st.integers(min_value=1, max_value=10), WRONG_NUMBER)
SYMMETRY = _mostly(st.floats(min_value=0.5, max_value=1.0), WRONG_NUMBER)
TARGET = _mostly(
    st.tuples(st.floats(min_value=0, max_value=20), st.floats(min_value=20.5, max_value=40)).map(list),
    st.lists(WRONG_NUMBER, max_size=3),
)
FEEDBACK = _mostly(st.sampled_from(["full", "faded", "summary"]), st.sampled_from(["Full", "", "none"]))
KNOWN = load_exercises()
MOVEMENTS = sorted(exercise_id for exercise_id, exercise in KNOWN.items() if not exercise.is_static)


def _written(folder: Path, name: str, table: dict) -> Path | None:
    """The table as a file, as the TOML library writes it (None: TOML cannot hold it, as a NUL
    key; nobody can type that into a file either)."""
    try:
        text = tomli_w.dumps(table)
        encoded = text.encode("utf-8")  # a lone surrogate cannot be in a file (nor typed into one)
    except (TypeError, ValueError):
        return None
    assert tomllib.loads(text) is not None  # what the library writes, it reads
    path = folder / name
    path.write_bytes(encoded)
    return path


def _refused_clearly(error: ExerciseFileError, path: Path) -> None:
    event(f"refused: field {error.field}")
    message = str(error)
    assert str(path) in message and error.problem and error.problem in message, message
    assert "Traceback" not in message and "Expected `" not in message, message  # msgspec's English, said again


@given(
    name=TYPED,
    instruction=TYPED,
    german_name=st.none() | TYPED,
    primary=_mostly(
        st.lists(st.sampled_from(sorted(MOVEMENT_MEASURES)), min_size=1, max_size=2),
        st.lists(st.sampled_from(["smile_mm", ""]), max_size=2),
    ),
    watch=_mostly(st.lists(st.sampled_from(sorted(SYNKINESIS_MEASURES)), max_size=2), st.just(["blink_pct"])),
    repetitions=REPETITIONS,
    hold_s=SECONDS,
    target=TARGET,
    feedback=FEEDBACK,
    kind=_mostly(st.just("movement"), st.sampled_from(["static", "dance"])),
)
@CASES
def test_any_exercise_file_reads_back_the_same_or_is_refused_clearly(tmp_path_factory, name, instruction,
                                                                      german_name, primary, watch, repetitions,
                                                                      hold_s, target, feedback, kind):  # fmt: skip
    folder = tmp_path_factory.mktemp("exercise")
    table = {"id": "typed", "name": name, "instruction": instruction, "kind": kind, "primary": primary,
             "synkinesis_watch": watch, "repetitions": repetitions, "hold_s": hold_s, "relax_s": 2,
             "target_mm": target, "feedback": feedback}  # fmt: skip
    if german_name is not None:
        table["de"] = {"name": german_name}
    path = _written(folder, "typed.toml", table)
    if path is None:
        event("TOML cannot hold it")
        return
    try:
        exercise = load_exercise_file(path)
    except ExerciseFileError as error:
        _refused_clearly(error, path)
        return
    event("accepted, read back the same")
    (folder / "again").mkdir()
    again = _written(folder / "again", "typed.toml", exercise_table(exercise))
    assert again is not None
    assert load_exercise_file(again) == dataclasses.replace(exercise, source_file=again)


@given(
    name=TYPED,
    description=TYPED,
    german=st.none() | st.fixed_dictionaries({"name": TYPED}, optional={"description": TYPED}),
    entries=_mostly(
        st.lists(
            st.fixed_dictionaries(
                {"id": _mostly(st.sampled_from(MOVEMENTS), st.sampled_from(["rest", "moonwalk"]))},
                optional={
                    "repetitions": REPETITIONS,
                    "hold_s": SECONDS,
                    "relax_s": SECONDS,
                    "effort": EFFORT,
                    "target_symmetry": SYMMETRY,
                    "target_mm": TARGET,
                    "feedback": FEEDBACK,
                },
            ),
            min_size=1,
            max_size=4,
        ),
        st.just([]),
    ),
)
@CASES
def test_any_programme_file_reads_back_the_same_or_is_refused_clearly(tmp_path_factory, name, description, german,
                                                                       entries):  # fmt: skip
    folder = tmp_path_factory.mktemp("programme")
    table: dict = {"id": "typed", "name": name, "description": description}
    if german is not None:
        table["de"] = german
    table["exercise"] = entries
    path = _written(folder, "typed.toml", table)
    if path is None:
        event("TOML cannot hold it")
        return
    try:
        programme = load_programme_file(path, KNOWN)
    except ExerciseFileError as error:
        _refused_clearly(error, path)
        return
    event("accepted, read back the same")
    # the app's own writer (what the therapist's window saves for a patient to take home)
    again = folder / "again.toml"
    again.write_text(programme_to_toml(programme), encoding="utf-8")
    read_back = load_programme_file(again, KNOWN)
    assert (read_back.id, read_back.english_name, read_back.english_description, read_back.translations) == (
        programme.id, programme.english_name, programme.english_description, programme.translations)  # fmt: skip
    assert read_back.exercises == programme.exercises


@pytest.mark.parametrize("typed", ["Smile\rplan", "Plan \x00", "Plan\x1b[31m"])
def test_a_name_with_a_control_character_is_refused_naming_it(tmp_path, typed):
    """The hand-written writer left a carriage return raw: its file could not be read back."""
    path = _written(tmp_path, "typed.toml", {"id": "typed", "name": typed, "exercise": [{"id": "gentle_smile"}]})
    assert path is not None
    with pytest.raises(ExerciseFileError) as refused:
        load_programme_file(path, KNOWN)
    assert refused.value.field == "name"
    assert "line break" in str(refused.value) or "control character (U+" in str(refused.value)


@given(
    therapist_name=TYPED,
    voice=TYPED,
    relay=_mostly(
        st.sampled_from(["mqtt://clinic.example:1883", "mqtts://user:pw@relay.example", "localhost:1883"]), TYPED
    ),
    camera=_mostly(st.integers(min_value=0, max_value=9), st.integers(min_value=-3, max_value=40)),
    volume_pct=_mostly(st.integers(min_value=0, max_value=100), st.integers(min_value=-50, max_value=500)),
    mirrored=st.booleans(),
    text_scale_pct=st.sampled_from([100, 125, 150, 175, 200, 130]),
    last_patient_id=st.none() | st.integers(min_value=-2, max_value=2**63),
)
@settings(max_examples=200, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
def test_any_setting_is_remembered_as_chosen_or_not_at_all(tmp_path_factory, **chosen):
    """The settings file (Qt's INI) is written only with values its model takes, so reopening
    it gives exactly what was remembered and names no problem."""
    from coach.gui.preferences import PreferenceStore

    folder = tmp_path_factory.mktemp("settings")
    store = PreferenceStore.in_data_folder(folder)
    remembered = store.update(**chosen)
    refused = {line.split("setting ")[1].split(" ")[0].strip("'") for line in store.problems}
    event(f"{len(refused)} refused")
    for name, value in chosen.items():
        assert (getattr(remembered, name) == value) != (name in refused), (name, value, store.problems)
    again = PreferenceStore.in_data_folder(folder)
    assert again.problems == [] and again.current == remembered
