"""Programmes: shipped ones load, a file a patient takes home round-trips, and a
malformed or impossible programme is refused with the file, entry and problem named."""

from __future__ import annotations

import pytest

from coach.errors import ExerciseFileError
from coach.programmes import load_programme_file, load_programmes, programme_to_toml


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
