"""The command line's errors and results in German (`facecoach --language de …`).

Each case runs the real command on real bad input (a missing video, an unknown exercise,
damaged exercise files, a clip without a face, a programme file with a value out of range)
and checks the one error line: German (`language_check.still_english` finds no English in
it once the path and the names a file spells are taken out), naming the file and field,
exit status 2. What scripts read stays the same in every language: the "facecoach: error:"
prefix, the exit status and `--json` output.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import cv2
import numpy as np
import pytest

from coach.base import i18n
from coach.base.errors import ExerciseFileError
from coach.base.formats import date_time_text
from coach.base.resources import exercises_dir
from coach.cli.main import main
from coach.measure.landmarks import MODEL_ENV_VAR
from coach.plans.exercises import load_exercises
from coach.plans.programmes import load_programme_file

from language_check import still_english
from test_inputs import assert_one_error

REPO = Path(__file__).resolve().parents[1]
FACECOACH = REPO / ".venv" / "bin" / "facecoach"
PREFIX = "facecoach: error: "


@pytest.fixture(autouse=True)
def back_to_english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test leaves the app speaking English, and sees the shipped model."""
    monkeypatch.delenv(MODEL_ENV_VAR, raising=False)
    yield
    i18n.set_language("en")


def run_cli(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    """`facecoach ARGV` in-process: (exit status, stdout, stderr)."""
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:  # argparse's usage errors leave through SystemExit(2)
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def german_error(code: int, out: str, err: str, *named: str) -> str:
    """The one error line: status 2, nothing on stdout, the prefix kept, `named` in it; returns
    its words after the prefix with every `named` thing (a path, an id) taken out."""
    words = assert_one_error(code, out, err, *named).removeprefix(PREFIX)
    for thing in named:
        words = words.replace(thing, " ")
    return words


def assert_german(words: str, technical: tuple[str, ...] = ()) -> None:
    """No English in `words`; `technical`: names a file spells (field names), not prose."""
    found = still_english([words], technical)
    assert found == [], f"English left in {words!r}: " + "; ".join(map(str, found))


@pytest.fixture
def exercises_folder(tmp_path: Path) -> Path:
    """A folder with one shipped exercise file in it (its id is a German-neutral word)."""
    folder = tmp_path / "übungen"
    folder.mkdir()
    shutil.copy(exercises_dir() / "pucker.toml", folder / "pucker.toml")
    return folder


def test_a_missing_video_is_said_in_german(capsys, tmp_path):
    video = tmp_path / "fehlt.mp4"
    words = german_error(*run_cli(capsys, "--language", "de", "analyze", video, "--exercise", "big_smile"), str(video))
    assert "nicht gefunden" in words
    assert_german(words)


def test_in_english_the_same_error_is_unchanged(capsys, tmp_path):
    video = tmp_path / "missing.mp4"
    code, out, err = run_cli(capsys, "analyze", video, "--exercise", "big_smile")
    assert (code, out, err) == (2, "", f"facecoach: error: cannot open {video}: no such file or folder\n")


def test_a_missing_video_in_a_real_process_is_one_german_line(tmp_path):
    video = tmp_path / "fehlt.mp4"
    done = subprocess.run(
        [str(FACECOACH), "--language", "de", "analyze", str(video), "--exercise", "big_smile"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert_german(german_error(done.returncode, done.stdout, done.stderr, str(video)))


def test_an_unknown_exercise_is_said_in_german_with_the_known_ones(capsys, tmp_path, exercises_folder):
    argv = ("--language", "de", "--exercises-dir", exercises_folder, "analyze", tmp_path, "--exercise", "nope")
    words = german_error(*run_cli(capsys, *argv), "'nope'", "pucker")
    assert "unbekannte Übung" in words
    assert_german(words)


@pytest.mark.parametrize(
    ("change", "field", "german"),
    [
        (("repetitions = 5", 'repetitions = "five"'), "repetitions", "muss eine ganze Zahl sein, nicht 'five'"),
        (("hold_s = 5", "hold_s = 500"), "hold_s", "500 liegt nicht zwischen 0 und 60"),
        (("relax_s = 5", 'relax_s = 5\ncolour = "blue"'), "colour", "unbekanntes Feld (erlaubt: "),
        (('primary = ["corner_medial_mm"]', 'primary = ["nose_mm"]'), "primary", "unbekannte Messgröße 'nose_mm'"),
        (("[de]", "[xx]"), "xx", "unbekannte Sprache 'xx'"),
    ],
    ids=["wrong-type", "out-of-range", "unknown-field", "unknown-measure", "unknown-language"],
)
def test_a_damaged_exercise_file_is_said_in_german(capsys, exercises_folder, change, field, german):
    path = exercises_folder / "pucker.toml"
    old, new = change
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    code, out, err = run_cli(capsys, "--language", "de", "--exercises-dir", exercises_folder, "exercises")
    words = german_error(code, out, err, str(path), f"'{field}'")
    assert words.startswith("Übungsdatei") and "Feld" in words and german in err
    # the field names an "allowed" list gives are the file's own words, not English prose
    allowed = re.search(r"\(erlaubt: ([^;)]*)", words)
    assert_german(words, tuple(allowed.group(1).split(", ")) if allowed else ())


def test_an_exercise_file_that_is_not_toml_is_said_in_german(capsys, exercises_folder):
    path = exercises_folder / "pucker.toml"
    path.write_text("id = [\n", encoding="utf-8")
    words = german_error(*run_cli(capsys, "--language", "de", "--exercises-dir", exercises_folder, "exercises"),
                         str(path))  # fmt: skip
    assert "ist kein gültiges TOML" in words  # the parser's own words in brackets stay as they are
    assert_german(words.partition("(")[0])


def test_a_missing_exercises_folder_is_said_in_german(capsys, tmp_path):
    folder = tmp_path / "nirgends"
    words = german_error(*run_cli(capsys, "--language", "de", "--exercises-dir", folder, "exercises"), str(folder))
    assert "existiert nicht" in words
    assert_german(words)


def write_black_clip(path: Path, frames: int = 8) -> Path:
    """A short video of black frames: readable, but with no face in it."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (320, 240))
    assert writer.isOpened()
    for _ in range(frames):
        writer.write(np.zeros((240, 320, 3), dtype=np.uint8))
    writer.release()
    return path


def test_a_clip_without_a_face_is_said_in_german(capsys, tmp_path):
    clip = write_black_clip(tmp_path / "schwarz.avi")
    code, out, err = run_cli(capsys, "--language", "de", "analyze", clip, "--exercise", "big_smile")
    words = german_error(code, out, err, clip.name)
    assert "kein Gesicht" in words and "8 Einzelbilder" in words
    assert_german(words)


def test_a_usage_error_keeps_its_prefix_and_says_our_words_in_german(capsys, tmp_path):
    code, out, err = run_cli(capsys, "--language", "de", "analyze", tmp_path, "--exercise", "big_smile",
                             "--neutral", "3:1")  # fmt: skip
    words = german_error(code, out, err, "'3:1'")
    # "argument --neutral:" is argparse's own (English) framing; the rest is ours
    assert "START muss ≥ 0 sein und vor END liegen" in words and words.endswith("(siehe facecoach --help)")


def test_an_output_in_a_missing_folder_is_said_in_german(capsys, tmp_path):
    target = tmp_path / "fehlt" / "bericht.json"
    code, out, err = run_cli(capsys, "--language", "de", "--data-dir", tmp_path / "daten", "export",
                             "--patient", "P1", "--json", target)  # fmt: skip
    words = german_error(code, out, err, str(target), str(target.parent))
    assert "kann nicht geschrieben werden" in words
    assert_german(words)


def test_a_programme_file_names_the_entry_and_field_in_german(tmp_path):
    path = tmp_path / "mein.toml"
    path.write_text('id = "mein"\nname = "Mein"\n\n[[exercise]]\nid = "pucker"\nhold_s = 999\n', encoding="utf-8")
    i18n.set_language("de")
    with pytest.raises(ExerciseFileError) as caught:
        load_programme_file(path, load_exercises())
    message = str(caught.value)
    assert message == f"Programmdatei {path}: Übung 1, Feld 'hold_s': 999 liegt nicht zwischen 0 und 60"
    assert caught.value.problem == "999 liegt nicht zwischen 0 und 60" and caught.value.field == "hold_s"


def test_printed_results_are_german_and_json_stays_english(capsys, tmp_path):
    data = tmp_path / "daten"
    code, out, err = run_cli(capsys, "--language", "de", "--data-dir", data, "patients", "add", "P7", "--side", "left")
    assert code == 0 and out == "Patient/in P7 angelegt (Nummer 1)\n", err
    code, out, _err = run_cli(capsys, "--language", "de", "--data-dir", data, "patients", "list")
    assert code == 0 and "betroffen: links" in out and "affected" not in out
    code, out, _err = run_cli(capsys, "--language", "de", "--data-dir", data, "sessions", "--patient", "P7")
    assert code == 0 and out == "P7: 0 Sitzungen, neueste zuerst\n"
    code, out, _err = run_cli(capsys, "--language", "de", "--data-dir", data, "patients", "list", "--json")
    assert code == 0 and json.loads(out)[0]["affected_side"] == "left"


def test_the_command_line_speaks_spanish_results_errors_and_numbers(capsys, tmp_path, data_dir):
    """`--language es`: what is printed and what goes wrong is Spanish, counts by Spanish plural
    rules, numbers with a decimal comma (CLDR); JSON stays as it is."""
    data = tmp_path / "datos"
    code, out, err = run_cli(capsys, "--language", "es", "--data-dir", data, "patients", "add", "P7", "--side", "left")
    assert code == 0 and still_english([out], ["P7"], language="es") == [], out + err
    code, out, _err = run_cli(capsys, "--language", "es", "--data-dir", data, "sessions", "--patient", "P7")
    assert code == 0 and out == "P7: 0 sesiones, la más reciente primero\n"
    code, out, err = run_cli(capsys, "--language", "es", "--data-dir", data, "analyze", data_dir / "single_face.jpg",
                             "--exercise", "gentle_smile", "--save", "--patient", "P7")  # fmt: skip
    assert code == 0, err
    code, out, _err = run_cli(capsys, "--language", "es", "--data-dir", data, "sessions", "--patient", "P7")
    assert code == 0 and out.startswith("P7: 1 sesión, la más reciente primero\n"), out
    assert "Sonrisa suave" in out and "Recorded video" not in out  # the kind and the exercise, in Spanish
    assert re.search(r"\d\.\d", out.replace(date_time_text(datetime.now()), "")) is None, out  # decimal commas
    assert still_english([out], ["P7", "single_face.jpg"], language="es") == [], out
    video = tmp_path / "falta.mp4"
    words = german_error(*run_cli(capsys, "--language", "es", "analyze", video, "--exercise", "big_smile"), str(video))
    assert "no se encontró" in words or "no existe" in words or "no se puede abrir" in words, words
    assert still_english([words], language="es") == [], words
