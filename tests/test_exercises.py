"""Exercise files: the shipped set is complete, and a malformed file is explained.

A therapist edits these TOML files by hand, so every mistake must come back naming
the file, the field and what is wrong, never as a silent default or a traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.base.errors import ExerciseFileError
from coach.base.resources import exercises_dir
from coach.cli.main import main
from coach.measure.measures import MOVEMENT_MEASURES, SYNKINESIS_MEASURES
from coach.plans.exercises import STANDARD_EXERCISE_IDS, Exercise, get_exercise, load_exercise_file, load_exercises

# A valid exercise file; each malformed case below changes exactly one thing in it.
VALID = {
    "id": '"my_smile"',
    "name": '"My smile"',
    "instruction": '"Smile, then relax."',
    "primary": '["commissure_excursion_mm"]',
    "synkinesis_watch": '["eye_narrowing_pct"]',
    "repetitions": "4",
    "hold_s": "2.5",
    "relax_s": "3",
}


def toml_text(fields: dict[str, str]) -> str:
    return "".join(f"{key} = {value}\n" for key, value in fields.items())


def write_exercise(folder: Path, changes: dict[str, str | None], file_name: str = "my_smile.toml") -> Path:
    """VALID with `changes` applied (None removes a field), written to folder/file_name."""
    fields = dict(VALID)
    for key, value in changes.items():
        if value is None:
            fields.pop(key)
        else:
            fields[key] = value
    path = folder / file_name
    path.write_text(toml_text(fields), encoding="utf-8")
    return path


# --- the shipped exercises -------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> dict[str, Exercise]:
    return load_exercises()


def test_every_shipped_file_loads_and_the_required_ids_exist(shipped):
    files = sorted(exercises_dir().glob("*.toml"))
    assert len(files) == len(shipped)  # no file was silently dropped or overwritten
    assert STANDARD_EXERCISE_IDS <= set(shipped)
    for exercise_id, exercise in shipped.items():
        assert exercise.id == exercise_id
        assert exercise.source_file is not None and exercise.source_file.stem == exercise_id


@pytest.mark.parametrize("exercise_id", sorted(STANDARD_EXERCISE_IDS))
def test_shipped_exercise_is_complete(shipped, exercise_id):
    exercise = shipped[exercise_id]
    assert exercise.name.strip() and exercise.instruction.strip()
    assert len(exercise.instruction) >= 20  # a sentence a patient can follow, not a placeholder
    assert isinstance(exercise.repetitions, int) and 1 <= exercise.repetitions <= 50
    assert exercise.hold_s > 0 and exercise.relax_s >= 0
    assert all(name in MOVEMENT_MEASURES for name in exercise.primary)
    assert all(name in SYNKINESIS_MEASURES for name in exercise.synkinesis_watch)
    if exercise_id == "rest":
        assert exercise.primary == () and exercise.is_static
    else:
        assert exercise.primary, f"{exercise_id} has no primary measure"
        assert not exercise.is_static and exercise.relax_s > 0
        assert exercise.min_movement_mm > 0


def test_get_exercise_reads_the_same_as_load_exercises(shipped):
    assert get_exercise("snarl") == shipped["snarl"]


# --- malformed files -------------------------------------------------------------------


def test_the_base_file_is_valid(tmp_path):
    """The control: without a change the file loads, with the documented defaults."""
    exercise = load_exercise_file(write_exercise(tmp_path, {}))
    assert exercise.id == "my_smile" and exercise.primary == ("commissure_excursion_mm",)
    assert exercise.repetitions == 4 and exercise.hold_s == 2.5 and exercise.relax_s == 3.0
    assert exercise.kind == "movement" and exercise.min_movement_mm == 1.5


MALFORMED = [
    # (case id, changes, field named in the message, words saying what is wrong)
    ("missing-instruction", {"instruction": None}, "instruction", "missing"),
    ("missing-primary", {"primary": None}, "primary", "missing"),
    ("repetitions-text", {"repetitions": '"five"'}, "repetitions", "whole number, got 'five'"),
    ("repetitions-bool", {"repetitions": "true"}, "repetitions", "whole number, got True"),
    ("repetitions-float", {"repetitions": "2.5"}, "repetitions", "whole number, got 2.5"),
    ("hold-text", {"hold_s": '"long"'}, "hold_s", "number, got 'long'"),
    ("primary-not-a-list", {"primary": '"brow_lift_mm"'}, "primary", "list"),
    ("unknown-primary", {"primary": '["smile_mm"]'}, "primary", "unknown measure 'smile_mm'"),
    ("unknown-watch", {"synkinesis_watch": '["blink_pct"]'}, "synkinesis_watch", "unknown measure 'blink_pct'"),
    ("movement-as-watch", {"synkinesis_watch": '["eye_closure_mm"]'}, "synkinesis_watch", "unknown measure"),
    ("unknown-field", {"colour": '"blue"'}, "colour", "unknown field"),
    ("repetitions-zero", {"repetitions": "0"}, "repetitions", "not between 1 and 50"),
    ("repetitions-huge", {"repetitions": "500"}, "repetitions", "not between 1 and 50"),
    ("hold-negative", {"hold_s": "-1"}, "hold_s", "not between 0 and 60"),
    ("hold-nan", {"hold_s": "nan"}, "hold_s", "not between 0 and 60"),
    ("relax-negative", {"relax_s": "-0.5"}, "relax_s", "not between 0 and 120"),
    ("min-movement-zero", {"min_movement_mm": "0"}, "min_movement_mm", "not between 0.2 and 20"),
    ("id-not-file-name", {"id": '"big_smile"'}, "id", "does not match the file name my_smile.toml"),
    ("id-capitals", {"id": '"My_Smile"'}, "id", "lower_case_with_underscores"),
    ("empty-instruction", {"instruction": '"   "'}, "instruction", "must not be empty"),
    ("empty-name", {"name": '""'}, "name", "must not be empty"),
    ("bad-kind", {"kind": '"dance"'}, "kind", "not one of movement, static"),
    ("movement-without-primary", {"primary": "[]"}, "primary", "at least one primary measure"),
    ("static-with-primary", {"kind": '"static"'}, "primary", "leave it empty"),
    ("target-reversed", {"target_mm": "[8, 2]"}, "target_mm", "low < high"),
    ("target-one-number", {"target_mm": "[8]"}, "target_mm", "[low, high]"),
    ("target-text", {"target_mm": '["a", "b"]'}, "target_mm", "[low, high]"),
    ("target-symmetry-above-one", {"target_symmetry": "1.5"}, "target_symmetry", "not between 0.5 and 1"),
    ("synkinesis-limit-zero", {"synkinesis_limit_pct": "0"}, "synkinesis_limit_pct", "not between 1 and 100"),
]


@pytest.mark.parametrize(("changes", "field", "problem"), [c[1:] for c in MALFORMED], ids=[c[0] for c in MALFORMED])
def test_malformed_file_names_file_field_and_problem(tmp_path, changes, field, problem):
    path = write_exercise(tmp_path, changes)
    with pytest.raises(ExerciseFileError) as caught:
        load_exercise_file(path)
    message = str(caught.value)
    assert message.startswith(f"exercise file {path}: ")
    assert f"field '{field}'" in message
    assert problem in message
    # the same, for code that words it again: no need to take the message apart
    assert (caught.value.path, caught.value.field) == (path, field) and problem in caught.value.problem
    assert message.endswith(f"field '{field}': {caught.value.problem}")


def test_invalid_toml_names_file_and_line(tmp_path):
    path = tmp_path / "my_smile.toml"
    path.write_text(toml_text(VALID) + 'hold_s = "unterminated\n', encoding="utf-8")
    with pytest.raises(ExerciseFileError) as caught:
        load_exercise_file(path)
    message = str(caught.value)
    assert str(path) in message and "not valid TOML" in message and "line 9" in message


def test_file_that_is_not_text(tmp_path):
    path = tmp_path / "my_smile.toml"
    path.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(ExerciseFileError, match="cannot be read") as caught:
        load_exercise_file(path)
    assert str(path) in str(caught.value)


def test_one_bad_file_in_a_folder_is_named(tmp_path):
    write_exercise(tmp_path, {})
    bad = write_exercise(tmp_path, {"id": '"zz_bad"', "repetitions": '"five"'}, "zz_bad.toml")
    with pytest.raises(ExerciseFileError) as caught:
        load_exercises(tmp_path)
    assert str(bad) in str(caught.value) and "field 'repetitions'" in str(caught.value)


def test_folder_of_custom_exercises(tmp_path):
    write_exercise(tmp_path, {})
    write_exercise(tmp_path, {"id": '"calm"', "kind": '"static"', "primary": "[]"}, "calm.toml")
    loaded = load_exercises(tmp_path)
    assert sorted(loaded) == ["calm", "my_smile"]
    assert loaded["calm"].is_static
    assert get_exercise("calm", tmp_path) == loaded["calm"]


def test_missing_or_empty_exercise_folder(tmp_path):
    with pytest.raises(ExerciseFileError, match="does not exist"):
        load_exercises(tmp_path / "nowhere")
    with pytest.raises(ExerciseFileError, match="does not exist"):
        get_exercise("rest", tmp_path / "nowhere")
    with pytest.raises(ExerciseFileError, match=r"holds no exercise files"):
        load_exercises(tmp_path)
    with pytest.raises(ExerciseFileError, match="unknown exercise 'rest'"):
        get_exercise("rest", tmp_path)


@pytest.mark.parametrize("bad_id", ["nope", "../exercises/rest", "rest.toml", ""])
def test_unknown_id_lists_the_known_ones(bad_id):
    with pytest.raises(ExerciseFileError) as caught:
        get_exercise(bad_id)
    message = str(caught.value)
    assert "unknown exercise" in message
    for exercise_id in STANDARD_EXERCISE_IDS:
        assert exercise_id in message


# --- the command line with --exercises-dir -------------------------------------------------


def run_cli(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_error(code: int, err: str, *needles: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("facecoach: error: "), err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


def test_cli_exercises_lists_the_shipped_ones(capsys):
    code, out, err = run_cli(capsys, "exercises")
    assert code == 0 and err == ""
    listed = {line.split()[0] for line in out.splitlines()}
    assert listed == STANDARD_EXERCISE_IDS | set(load_exercises())


def test_cli_analyze_with_a_malformed_exercise_file(capsys, tmp_path, data_dir):
    bad = write_exercise(tmp_path, {"id": '"big_smile"', "repetitions": '"five"'}, "big_smile.toml")
    code, out, err = run_cli(
        capsys, "--exercises-dir", tmp_path, "analyze", data_dir / "single_face.jpg", "--exercise", "big_smile"
    )
    assert out == ""
    assert_one_error(code, err, str(bad), "field 'repetitions'", "'five'")


def test_cli_bench_and_exercises_use_the_folder_too(capsys, tmp_path, data_dir):
    bad = write_exercise(tmp_path, {"id": '"big_smile"', "hold_s": "-1"}, "big_smile.toml")
    code, _, err = run_cli(capsys, "--exercises-dir", tmp_path, "bench", data_dir / "single_face.mp4")
    assert_one_error(code, err, str(bad), "field 'hold_s'")
    code, _, err = run_cli(capsys, "--exercises-dir", tmp_path, "exercises")
    assert_one_error(code, err, str(bad), "field 'hold_s'")


def test_cli_missing_exercises_dir(capsys, tmp_path, data_dir):
    missing = tmp_path / "not_here"
    code, _, err = run_cli(capsys, "--exercises-dir", missing, "exercises")
    assert_one_error(code, err, str(missing), "does not exist")
    code, _, err = run_cli(
        capsys, "--exercises-dir", missing, "analyze", data_dir / "single_face.jpg", "--exercise", "rest"
    )
    assert_one_error(code, err, str(missing), "does not exist")


def test_cli_uses_a_custom_exercise(capsys, tmp_path, data_dir):
    write_exercise(
        tmp_path,
        {"id": '"face_at_rest"', "name": '"Face at rest, custom"', "kind": '"static"', "primary": "[]"},
        "face_at_rest.toml",
    )
    code, out, err = run_cli(capsys, "--exercises-dir", tmp_path, "exercises")
    assert code == 0 and out.split()[0] == "face_at_rest" and len(out.splitlines()) == 1
    code, out, err = run_cli(
        capsys, "--exercises-dir", tmp_path, "analyze", data_dir / "single_face.jpg", "--exercise", "face_at_rest"
    )
    assert code == 0, err
    assert "Face at rest, custom (face_at_rest)" in out
    # the shipped exercises are not in that folder
    code, _, err = run_cli(
        capsys, "--exercises-dir", tmp_path, "analyze", data_dir / "single_face.jpg", "--exercise", "rest"
    )
    assert_one_error(code, err, "unknown exercise 'rest'", "face_at_rest")
