"""The coaching session, the exercise files and the programmes in German.

A session driven in German (real frames, the real model, see coaching_driver) must show and
say German at every step: every headline, detail, feedback message, alert, camera guidance
and spoken prompt is collected and checked for English. Every shipped exercise and programme
file gives its texts in German (a `[de]` table), and a wrong `[de]` table is refused naming
the file, the field and the problem.
"""

from __future__ import annotations

import dataclasses
import functools
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from coach.base import i18n
from coach.base.errors import ExerciseFileError
from coach.base.i18n import tr
from coach.base.resources import exercises_dir
from coach.plans.exercises import Exercise, get_exercise, load_exercise_file, load_exercises
from coach.plans.prescriptions import prescribed_programme
from coach.plans.programmes import (
    load_programme_file,
    load_programmes,
    programme_from_prescription,
    programme_to_toml,
    programmes_dir,
    single_exercise_programme,
)
from coach.session.camera_check import check_camera
from coach.session.coaching import SessionView
from coach.session.feedback import feedback_for
from coach.session.phases import Phase

from coaching_driver import REST, SMILE, Driver, big_smile, programme_of, reached
from language_check import Finding, still_english
from store_helpers import programme_entry


@pytest.fixture(scope="module")
def catalogues() -> Path | None:
    """The catalogues the session speaks from: the app's own (one catalogue for every layer)."""
    return None


@pytest.fixture
def speak_german(catalogues) -> Iterator[None]:
    """German from the start of the test; English again after it, as the rest of the suite expects."""
    i18n.set_language("de", catalogues)
    yield
    i18n.set_language("en")


@pytest.fixture(autouse=True)
def back_to_english() -> Iterator[None]:
    """Every test leaves the app speaking English."""
    yield
    i18n.set_language("en")


@pytest.fixture(scope="module")
def english_texts(catalogues) -> Callable[..., list[Finding]]:
    """What is still English (language_check.still_english), judged by the session's catalogue alone."""
    return functools.partial(still_english, folder=catalogues)


# ---------------------------------------------------------------------------------------------
# (a) a coaching session in German
# ---------------------------------------------------------------------------------------------


def words_of(view: SessionView) -> list[str]:
    """Every text the screen shows for one view."""
    texts = [view.headline, view.detail, view.pause_reason]
    if view.feedback is not None:
        texts += [view.feedback.message, *(alert.message for alert in view.feedback.alerts)]
    if view.camera_check is not None:
        texts.append(view.camera_check.guidance)
    if view.exercise is not None:
        texts += [view.exercise.name, view.exercise.instruction]
    return [text for text in texts if text]


def raise_brows() -> Exercise:
    return dataclasses.replace(get_exercise("raise_brows"), repetitions=1, hold_s=1.0, relax_s=1.0)


@pytest.fixture(scope="module")
def german_run(clip, catalogues) -> Driver:
    return every_step(clip, "de", catalogues)


def every_step(clip, language: str, catalogues: Path | None = None) -> Driver:
    """A session in `language` through every step: no face at first, a smile during calibration,
    an uneven and an even smile, a pause, a repetition unseen, the camera unplugged, a skip;
    then a second one, stopped."""
    i18n.set_language(language, catalogues)
    try:
        driver = Driver(clip, programme_of(big_smile(repetitions=2), raise_brows()))
        driver.feed(clip.no_face[:5])  # the camera check: nobody there
        driver.feed_until(REST, reached(Phase.CALIBRATING))
        driver.feed(SMILE[25:35])  # lips apart: calibration starts again
        driver.feed_until(REST, reached(Phase.MOVE))
        driver.feed([clip.weakened["left"]] * 10)  # uneven: the weaker side is asked to join in
        driver.feed(SMILE[10:50])  # even and broad through the hold
        driver.feed_until(REST, lambda view: view.phase is Phase.MOVE and view.rep_number == 2)
        driver.session.pause()
        driver.feed(REST[:5])
        driver.session.resume()  # the repetition is done again
        driver.feed(clip.no_face[:3])
        driver.feed_until(clip.no_face, reached(Phase.RELAX))  # a repetition without a face: lost ...
        driver.feed_until(clip.no_face, reached(Phase.MOVE))  # ... and done again
        driver.feed(REST[:10])
        driver.session.source_lost({"de": "Kamera 0 wurde getrennt.", "es": "Se desconectó la cámara 0."}[language])
        driver.wait_without_frames(1.0)
        driver.views.append(driver.session.view())  # shown while the camera is away
        driver.session.source_back()
        driver.feed_until(REST, reached(Phase.MOVE))  # the camera check again, then back to the repetition
        driver.feed(SMILE[10:50])
        driver.feed_until(REST, reached(Phase.INSTRUCTION))  # the smile's result, then the brows
        driver.session.skip()
        driver.feed(REST[:3])
        stopped = Driver(clip, programme_of(big_smile()))
        stopped.feed_until(REST, reached(Phase.COUNTDOWN))
        stopped.session.stop()
        stopped.feed(REST[:3])
        driver.views += stopped.views
        driver.recorder.events += stopped.recorder.events
    finally:
        i18n.set_language("en")
    return driver


def test_a_session_in_german_goes_through_every_step(german_run):
    phases = {view.phase for view in german_run.views}
    assert phases == set(Phase)
    statuses = {view.feedback.status for view in german_run.views if view.feedback is not None}
    assert {"idle", "caution", "good"} <= statuses  # the machine's words stay English
    assert [args[0] for args in german_run.recorder.named("session_finished")] == ["completed", "stopped"]


def test_a_session_in_german_shows_and_says_only_german(german_run, speak_german, english_texts):
    """(German still in use: the exercise in each view gives its name as it is shown.)"""
    shown = [text for view in german_run.views for text in words_of(view)]
    said = [text for _kind, text in german_run.recorder.named("prompt")]
    assert english_texts([("shown", text) for text in shown]) == []
    assert english_texts([("said", text) for text in said]) == []
    # and it really was German, at each step
    details = set(shown)
    for expected in (
        "Kameraprüfung",
        "Wir sehen Ihr Gesicht nicht. Setzen Sie sich so vor die Kamera, dass Ihr ganzes Gesicht im Bild ist.",
        "Schließen Sie die Lippen sanft und entspannen Sie Ihr Gesicht.",
        "Lächeln mit Zähnen",
        "Lassen Sie Ihre linke Seite mitmachen; die andere Seite darf weniger tun.",
        "Gleichmäßige Bewegung: gut gemacht.",
        "Pausiert",
        "Die Sitzung ist pausiert.",
        "Wir machen diese Wiederholung noch einmal.",
        "Wir sehen Ihr Gesicht nicht: Schauen Sie zum Bildschirm.",
        "Während dieser Wiederholung war Ihr Gesicht nicht zu sehen; wir machen sie noch einmal.",
        "Lächeln mit Zähnen: geschafft",
        "Augenbrauen heben",
        "Sitzung abgeschlossen",
        "So sind Ihre Übungen gelaufen.",
    ):
        assert expected in details, expected
    assert any(text.startswith("Kamera 0 wurde getrennt. Alles, was Sie bisher") for text in details)
    assert any(text.startswith("Gleich geht es los: ") for text in details)
    assert any(text.startswith("Halten … ") for text in details)
    assert "Wiederholung 1. Lächeln mit Zähnen, jetzt." in said
    assert "Lächeln mit Zähnen: geschafft. Gut gemacht." in said
    assert said[-1] == "Sitzung abgebrochen." and "Sitzung abgeschlossen. Gut gemacht." in said


def test_feedback_alerts_and_camera_guidance_in_german(speak_german, english_texts):
    exercise = get_exercise("raise_brows")  # watches the eye and the mouth corner
    watch = {
        name: np.array(values)
        for name, values in {
            "eye_narrowing_pct": [60.0, 60.0],
            "mouth_corner_pull_pct": [60.0, 60.0],
            "brow_movement_pct": [60.0, 60.0],
            "some_new_measure_pct": [60.0, 0.0],
        }.items()
    }
    judged = [
        feedback_for(exercise, np.array(sides), watch, 0.5)
        for sides in ([0.5, 0.2], [30.0, 29.0], [6.0, 5.8], [2.0, 1.9], [6.0, 2.0], [2.0, 6.0])
    ]
    assert {f.status for f in judged} == {"idle", "too_much", "good", "caution"}
    alerts = [alert.message for f in judged for alert in f.alerts]
    assert "Ihr linkes Auge schließt sich: Halten Sie es offen." in alerts
    assert "Ihr rechter Mundwinkel zieht mit: Halten Sie den Mund ruhig." in alerts
    assert "Ihre linke Augenbraue bewegt sich: Halten Sie sie ruhig." in alerts
    # a measure without words of its own is named, in a German sentence
    assert "Ihre linke Seite bewegt sich mit (some_new_measure_pct): Halten Sie sie ruhig." in alerts
    no_face = check_camera(np.zeros((360, 640, 3), np.uint8), [], None)
    assert not no_face.ok and no_face.problems == ("no face",)  # the kind stays English
    texts = [f.message for f in judged] + alerts + [no_face.guidance]
    assert english_texts(texts, ["some_new_measure_pct"]) == []  # the measure's own name, as it is


# ---------------------------------------------------------------------------------------------
# (b) the exercise and programme files in German
# ---------------------------------------------------------------------------------------------


def file_table(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


EXERCISE_FILES = sorted(exercises_dir().glob("*.toml"))
PROGRAMME_FILES = sorted(programmes_dir().glob("*.toml"))


@pytest.mark.parametrize("path", EXERCISE_FILES, ids=[p.stem for p in EXERCISE_FILES])
def test_every_exercise_file_has_a_complete_german_table(path, english_texts):
    german = file_table(path).get("de")
    assert isinstance(german, dict) and set(german) == {"name", "instruction"}, f"{path.name}: [de] name, instruction"
    assert english_texts([(f"{path.name} de.{field}", german[field]) for field in ("name", "instruction")]) == []


@pytest.mark.parametrize("path", PROGRAMME_FILES, ids=[p.stem for p in PROGRAMME_FILES])
def test_every_programme_file_has_a_complete_german_table(path, english_texts):
    german = file_table(path).get("de")
    assert isinstance(german, dict) and set(german) == {"name", "description"}, f"{path.name}: [de] name, description"
    assert english_texts([(f"{path.name} de.{field}", german[field]) for field in ("name", "description")]) == []


def test_exercises_and_programmes_load_with_their_german_texts_in_german(catalogues):
    exercises, programmes = load_exercises(), load_programmes()
    english = {key: (e.name, e.instruction) for key, e in exercises.items()}
    i18n.set_language("de", catalogues)
    for key, exercise in exercises.items():
        table = file_table(exercise.source_file)
        assert (exercise.name, exercise.instruction) == (table["de"]["name"], table["de"]["instruction"])
        assert (
            exercise.name != english[key][0] and (exercise.english_name, exercise.english_instruction) == english[key]
        )
    assert exercises["raise_brows"].name == "Augenbrauen heben"
    assert exercises["gentle_eye_closure"].name == "Sanfter Augenschluss"
    assert exercises["big_smile"].name == "Lächeln mit Zähnen"
    assert exercises["snarl"].name == "Naserümpfen" and exercises["pucker"].name == "Lippen spitzen"
    for programme in programmes.values():
        table = file_table(programme.source_file)
        assert (programme.name, programme.description) == (table["de"]["name"], table["de"]["description"])
        assert all(e.name == exercises[e.id].name for e in programme.exercises)  # prescribed, still German
    assert load_programmes()["daily"].name == "Tägliche Übungen"
    # the same objects speak English again once English is in use
    i18n.set_language("en")
    assert exercises["raise_brows"].name == "Raise your eyebrows" and programmes["daily"].name == "Daily practice"


def test_german_texts_survive_a_programme_file_a_prescription_and_a_single_exercise(catalogues, tmp_path):
    known = load_exercises()
    daily = load_programmes()["daily"]
    path = tmp_path / "for_anna.toml"
    path.write_text(programme_to_toml(daily), encoding="utf-8")
    again = load_programme_file(path)
    assert again == dataclasses.replace(daily, source_file=path)  # English fields and [de] table alike
    assert file_table(path)["name"] == "Daily practice" and file_table(path)["de"]["name"] == "Tägliche Übungen"
    prescribed = programme_from_prescription(
        prescribed_programme("Meine Übungen", "", [programme_entry("big_smile")]), known
    )
    single = single_exercise_programme(known["gentle_smile"])
    i18n.set_language("de", catalogues)
    assert again.name == "Tägliche Übungen"
    assert prescribed.name == "Meine Übungen" and prescribed.exercises[0].name == "Lächeln mit Zähnen"
    assert (single.name, single.description) == ("Sanftes Lächeln", known["gentle_smile"].instruction)


def test_an_exercise_without_german_texts_is_shown_in_english(catalogues, tmp_path):
    path = write_exercise(tmp_path, "")
    i18n.set_language("de", catalogues)
    exercise = load_exercise_file(path)
    assert (exercise.name, exercise.instruction) == ("My smile", "Smile, then relax.")


def test_a_partly_translated_exercise_falls_back_per_text(catalogues, tmp_path):
    path = write_exercise(tmp_path, '[de]\nname = "Mein Lächeln"\n')
    i18n.set_language("de", catalogues)
    exercise = load_exercise_file(path)
    assert (exercise.name, exercise.instruction) == ("Mein Lächeln", "Smile, then relax.")


# ---------------------------------------------------------------------------------------------
# (c) a wrong [de] table is refused naming the file, the field and the problem
# ---------------------------------------------------------------------------------------------

EXERCISE = """id = "my_smile"
name = "My smile"
instruction = "Smile, then relax."
primary = ["commissure_excursion_mm"]
synkinesis_watch = ["eye_narrowing_pct"]
repetitions = 4
hold_s = 2.5
relax_s = 3
"""


def write_exercise(folder: Path, tables: str) -> Path:
    path = folder / "my_smile.toml"
    path.write_text(EXERCISE + "\n" + tables, encoding="utf-8")
    return path


BAD_TABLES = [
    # (case id, what follows the valid fields, field named, words saying what is wrong)
    ("unknown-language", '[xx]\nname = "Mon sourire"\n', "xx", "unknown language 'xx' (known: [de], [es])"),
    ("english-table", '[en]\nname = "My smile"\n', "en", "English is written in the file's own fields"),
    ("unknown-field", '[de]\nname = "Mein Lächeln"\ncolour = "blau"\n', "de.colour", "unknown field (allowed in [de]"),
    ("name-a-number", "[de]\nname = 3\n", "de.name", "must be text in quotes, got 3"),
    ("instruction-a-list", '[de]\ninstruction = ["Lächeln"]\n', "de.instruction", "must be text in quotes"),
    ("name-empty", '[de]\nname = "   "\n', "de.name", "must not be empty"),
    ("not-a-table", 'de = "Mein Lächeln"\n', "de", "must be a table of name, instruction"),
    ("empty-table", "[de]\n", "de", "is empty"),
]


@pytest.mark.parametrize(("tables", "field", "problem"), [c[1:] for c in BAD_TABLES], ids=[c[0] for c in BAD_TABLES])
def test_a_wrong_german_table_in_an_exercise_file_is_explained(tmp_path, tables, field, problem):
    if tables.startswith("de ="):  # a plain value must come before the tables: put it among the fields
        path = tmp_path / "my_smile.toml"
        path.write_text(tables + EXERCISE, encoding="utf-8")
    else:
        path = write_exercise(tmp_path, tables)
    with pytest.raises(ExerciseFileError) as caught:
        load_exercise_file(path)
    error = caught.value
    assert str(error).startswith(f"exercise file {path}: field '{field}': ") and problem in str(error)
    assert (error.path, error.field) == (path, field) and problem in error.problem


PROGRAMME = 'id = "mine"\nname = "Mine"\ndescription = "Gentle."\n'
BAD_PROGRAMME_TABLES = [
    ("unknown-language", '[fr]\nname = "Le mien"\n', "fr", "unknown language 'fr'"),
    ("unknown-field", '[de]\ninstruction = "Sanft."\n', "de.instruction", "allowed in [de]: name, description"),
    ("description-a-number", "[de]\ndescription = 2\n", "de.description", "must be text in quotes, got 2"),
    ("name-empty", '[de]\nname = ""\n', "de.name", "must not be empty"),
]


@pytest.mark.parametrize(
    ("tables", "field", "problem"), [c[1:] for c in BAD_PROGRAMME_TABLES], ids=[c[0] for c in BAD_PROGRAMME_TABLES]
)
def test_a_wrong_german_table_in_a_programme_file_is_explained(tmp_path, tables, field, problem):
    path = tmp_path / "mine.toml"
    path.write_text(PROGRAMME + "\n" + tables + '\n[[exercise]]\nid = "gentle_smile"\n', encoding="utf-8")
    with pytest.raises(ExerciseFileError) as caught:
        load_programme_file(path)
    error = caught.value
    assert str(error).startswith(f"programme file {path}: field '{field}': ") and problem in str(error)
    assert (error.path, error.field) == (path, field) and problem in error.problem


def test_a_good_german_table_in_a_programme_file_is_read(catalogues, tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(PROGRAMME + '\n[de]\nname = "Meins"\n\n[[exercise]]\nid = "gentle_smile"\n', encoding="utf-8")
    programme = load_programme_file(path)
    i18n.set_language("de", catalogues)
    assert (programme.name, programme.description) == ("Meins", "Gentle.")  # no German description: English


def test_a_programme_edited_in_german_keeps_its_english_texts(catalogues, tmp_path):
    from coach.usecases.programme_editing import draft_of, write_programme_file

    known = load_exercises()
    i18n.set_language("de", catalogues)
    draft = draft_of(load_programmes()["daily"])
    assert draft.name == "Tägliche Übungen"  # the editor shows the language in use
    draft = dataclasses.replace(draft, name="Tägliche Übungen, sanft")
    write_programme_file(tmp_path / "daily.toml", draft, known)
    table = file_table(tmp_path / "daily.toml")
    assert (table["id"], table["name"], table["description"]) == (
        "daily_practice", "Daily practice", load_programmes()["daily"].english_description)  # fmt: skip
    assert table["de"]["name"] == "Tägliche Übungen, sanft"
    i18n.set_language("en")
    copy = draft_of(load_programmes()["daily"], name="Mine").as_file_table()  # a new name: no old translations
    assert copy["name"] == "Mine" and "de" not in copy


def test_names_saved_with_past_sessions_are_shown_in_the_language_in_use():
    from coach.plans.shown_names import shown_exercise_name, shown_programme_name

    i18n.set_language("de")
    assert shown_exercise_name("big_smile", "Big smile") == "Lächeln mit Zähnen"  # the shipped name, translated
    assert shown_exercise_name("big_smile", "Anna's smile") == "Anna's smile"  # typed by a therapist: theirs
    assert shown_exercise_name("no_such_exercise", "Old exercise") == "Old exercise"
    assert shown_programme_name("daily", "Daily practice") == "Tägliche Übungen"
    assert shown_programme_name(None, None) is None
    i18n.set_language("en")
    assert shown_exercise_name("big_smile", "Big smile") == "Big smile"


@pytest.fixture(scope="module")
def spanish_run(clip) -> Driver:
    return every_step(clip, "es")


def test_a_session_in_spanish_shows_and_says_only_spanish(spanish_run):
    """The same session in Spanish: every word shown and spoken is Spanish (the catalogue's, the
    exercise files' [es] tables), and really so at each step."""
    i18n.set_language("es")
    shown = [text for view in spanish_run.views for text in words_of(view)]
    said = [text for _kind, text in spanish_run.recorder.named("prompt")]
    assert still_english([("shown", text) for text in shown], language="es") == []
    assert still_english([("said", text) for text in said], language="es") == []
    for expected in ("Camera check", "Paused", "Session complete", "Here is how each exercise went."):
        assert tr(expected) != expected and tr(expected) in set(shown), expected
    assert {"Sonrisa amplia", "Levante las cejas"} <= set(shown)  # the exercise files' own Spanish
    assert any(text.startswith("Sonrisa amplia") for text in said)
