"""Patients and their history from the command line, on a real database file."""

from __future__ import annotations

import json

import pytest

from coach.cli.main import main


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_patient_history_from_a_recorded_video(tmp_path, data_dir, capsys):
    d = ["--data-dir", str(tmp_path)]
    assert run(capsys, *d, "patients", "add", "P07", "--side", "left", "--onset", "2026-09-01")[0] == 0
    code, _, _ = run(capsys, *d, "analyze", str(data_dir / "single_face.mp4"), "--exercise", "big_smile",
                     "--save", "--patient", "P07")  # fmt: skip
    assert code == 0
    code, out, _ = run(capsys, *d, "sessions", "--patient", "P07", "--json")
    assert code == 0
    listing = json.loads(out)
    assert listing["patient"]["code"] == "P07" and listing["patient"]["affected_side"] == "left"
    (session,) = listing["sessions"]
    assert session["kind"] == "recorded" and session["status"] == "completed" and session["id"] >= 1
    (exercise,) = session["exercises"]
    assert exercise["id"] == "big_smile" and exercise["summary"]["reps"] == 1
    assert exercise["summary"]["symmetry"] >= 0.85
    code, out, _ = run(capsys, *d, "patients", "list", "--json")
    assert [p["code"] for p in json.loads(out)] == ["P07"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["sessions", "--patient", "nobody"], "unknown patient 'nobody'"),
        (["patients", "add", "P1", "--onset", "yesterday"], "not a date"),
        (["patients", "add", "P1", "--onset", "2999-01-01"], "future"),
        (["analyze", "x.mp4", "--exercise", "big_smile", "--save"], "--save and --patient go together"),
        (["analyze", "x.mp4", "--exercise", "big_smile", "--save", "--patient", "ghost"], "unknown patient"),
    ],
)
def test_record_commands_explain_bad_input(tmp_path, capsys, args, words):
    code, _, err = run(capsys, "--data-dir", str(tmp_path), *args)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("facecoach: error:") and words in lines[0]


def test_duplicate_patient_code_is_refused_and_the_first_is_kept(tmp_path, capsys):
    d = ["--data-dir", str(tmp_path)]
    assert run(capsys, *d, "patients", "add", "P2", "--name", "First")[0] == 0
    code, _, err = run(capsys, *d, "patients", "add", "P2", "--name", "Second")
    assert code == 2 and "P2" in err
    _, out, _ = run(capsys, *d, "patients", "list", "--json")
    assert [p["name"] for p in json.loads(out)] == ["First"]
