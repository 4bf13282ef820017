"""Programmes: shipped ones load, a file a patient takes home round-trips, and a
malformed or impossible programme is refused with the file, entry and problem named."""

from __future__ import annotations

import pytest

from coach.base.errors import ExerciseFileError, FieldValueError
from coach.plans.exercises import load_exercises
from coach.plans.prescriptions import ProgrammeEntry, prescribed_programme
from coach.plans.programmes import (
    load_programme_file,
    load_programmes,
    programme_from_prescription,
    programme_to_toml,
)

from store_helpers import programme_entry


def test_shipped_programmes_load_with_known_exercises():
    programmes = load_programmes()
    assert {"daily", "smile_and_eyes"} <= set(programmes)
    daily = programmes["daily"]
    assert daily.name == "Daily practice" and len(daily.exercises) >= 5
    assert all(e.repetitions == 3 for e in daily.exercises)  # the programme's own prescription


def test_programme_file_round_trips_with_its_prescription(tmp_path):
    daily = load_programmes()["daily"]
    path = tmp_path / "for_mary.toml"  # a file name a therapist chooses; the id stays inside
    path.write_text(programme_to_toml(daily), encoding="utf-8")
    again = load_programme_file(path)
    assert again.id == "daily" and again.name == daily.name
    assert [(e.id, e.repetitions, e.hold_s, e.effort, e.target_mm) for e in again.exercises] == [
        (e.id, e.repetitions, e.hold_s, e.effort, e.target_mm) for e in daily.exercises
    ]


def _write(tmp_path, entry: str, header: str = 'id = "mine"\nname = "Mine"\n'):
    path = tmp_path / "mine.toml"
    path.write_text(header + "\n[[exercise]]\n" + entry, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ('id = "moonwalk"\n', "unknown exercise 'moonwalk'"),
        ('id = "gentle_smile"\nrepetitions = 0\n', "repetitions"),
        ('id = "gentle_smile"\nhold_s = -2\n', "hold_s"),
        ('id = "gentle_smile"\neffort = 11\n', "effort"),
        ('id = "gentle_smile"\ntarget_mm = [9, 3]\n', "target_mm"),
        ('id = "gentle_smile"\ntarget_symmetry = 2\n', "target_symmetry"),
        ('id = "gentle_smile"\ncolour = "red"\n', "field 'colour'"),
        ('id = "rest"\n', "resting face"),
        ("repetitions = 3\n", "needs an id"),
    ],
)
def test_impossible_programme_is_refused_naming_file_entry_and_problem(tmp_path, entry, words):
    path = _write(tmp_path, entry)
    with pytest.raises(ExerciseFileError) as caught:
        load_programme_file(path)
    message = str(caught.value)
    assert message.startswith(f"programme file {path}: exercise 1") and words in message
    assert caught.value.path == path and caught.value.entry == 1 and caught.value.problem in message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('name = "No id"\n[[exercise]]\nid = "gentle_smile"\n', "field 'id': missing"),
        ('id = "x"\nname = "No exercises"\n', "field 'exercise': missing"),
        ('id = "x"\nname = "x"\nexercise = []\n', "at least one"),
        ("id = = broken", "not valid TOML"),
    ],
)
def test_malformed_programme_file_is_explained(tmp_path, text, words):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ExerciseFileError) as caught:
        load_programme_file(path)
    assert str(caught.value).startswith(f"programme file {path}") and words in str(caught.value)


def test_a_wrong_target_range_says_its_row_field_and_values(tmp_path):
    path = _write(tmp_path, 'id = "gentle_smile"\ntarget_mm = [9, 3]\n')
    with pytest.raises(ExerciseFileError) as caught:
        load_programme_file(path)
    error = caught.value
    assert (error.path, error.entry, error.field, error.value) == (path, 1, "target_mm", [9, 3])
    assert str(error) == f"programme file {path}: exercise 1 field 'target_mm': {error.problem}"


def test_a_prescribed_programme_runs_with_its_prescription():
    known = load_exercises()
    prescribed = prescribed_programme(
        " Gentle start ",
        "Small, slow movements",
        [programme_entry("big_smile"), programme_entry("raise_brows", repetitions=3, effort=2, target_mm=[1, 4.5])],
        uid="0123456789abcdef0123456789abcdef",
    )
    assert prescribed.name == "Gentle start" and prescribed.entries[1] == ProgrammeEntry(
        "raise_brows", 3, 3.0, 4.5, 2, (1.0, 4.5), 0.8
    )
    programme = programme_from_prescription(prescribed, known)
    assert programme.id == "stored_0123456789abcdef0123456789abcdef" and programme.name == "Gentle start"
    assert [(e.id, e.repetitions, e.effort, e.target_mm) for e in programme.exercises] == [
        ("big_smile", 5, 3, (2.0, 6.5)),
        ("raise_brows", 3, 2, (1.0, 4.5)),
    ]
    assert programme.exercises[0].instruction == known["big_smile"].instruction  # the rest from the exercise file


def test_a_prescribed_exercise_that_is_gone_is_a_programme_error():
    known = {k: v for k, v in load_exercises().items() if k != "raise_brows"}
    prescribed = prescribed_programme("Gentle start", "", [programme_entry("raise_brows")])
    with pytest.raises(ExerciseFileError, match="unknown exercise 'raise_brows'") as caught:
        programme_from_prescription(prescribed, known)
    assert (caught.value.entry, caught.value.field) == (1, "id")


@pytest.mark.parametrize(
    ("entry", "field", "words"),
    [
        (programme_entry(effort=11), "effort", "effort 11 is not between 1 and 10"),
        (programme_entry(hold_s=True), "hold_s", "hold_s must be a number"),
        (programme_entry(target_mm=[6, 2]), "target_mm", "0 ≤ low < high ≤ 40"),
        ({"exercise_id": "big_smile", "repetitions": 5}, "hold_s", "hold_s is missing"),
    ],
)
def test_a_wrong_prescription_names_its_entry_and_field(entry, field, words):
    with pytest.raises(FieldValueError, match=words) as caught:
        prescribed_programme("Gentle start", "", [programme_entry(), entry])
    assert (caught.value.entry, caught.value.field) == (2, field)
    assert str(caught.value).startswith("programme entry 2 (big_smile): ")
    assert isinstance(caught.value, ValueError)
