"""A session whose stored values are damaged (on disk, or put there by an older version that
let a bad bundle in) is left out, and said so, by every reading command: the patient's other
sessions can still be listed, exported and reported."""

from __future__ import annotations

import json
import sqlite3

from coach.cli.main import main
from coach.records.store import database_path


def test_a_damaged_session_is_left_out_and_named_the_others_still_work(tmp_path, data_dir, capsys):
    d = ["--data-dir", str(tmp_path)]
    assert main([*d, "patients", "add", "R1"]) == 0
    for _ in range(2):
        assert main([*d, "analyze", str(data_dir / "single_face.jpg"), "--exercise", "rest", "--save",
                     "--patient", "R1"]) == 0  # fmt: skip
    connection = sqlite3.connect(database_path(tmp_path))
    connection.execute("UPDATE sessions SET resting_json = '\"calm\"' WHERE id = 1")
    connection.commit()
    connection.close()
    capsys.readouterr()

    assert main([*d, "sessions", "--patient", "R1", "--json"]) == 0
    out = capsys.readouterr()
    assert [s["id"] for s in json.loads(out.out)["sessions"]] == [2]
    assert "session 1" in out.err and "resting" in out.err, out.err

    assert main([*d, "export", "--patient", "R1", "--json", str(tmp_path / "r1.json"),
                 "--bundle", str(tmp_path / "r1.fcbundle")]) == 0  # fmt: skip
    out = capsys.readouterr()
    assert "wrote 1 session " in out.out and "session 1" in out.err, out
    assert len(json.loads((tmp_path / "r1.json").read_text())["sessions"]) == 1

    assert main([*d, "report", "--session", "1", "--json", str(tmp_path / "1.json")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "session 1" in err[0] and "resting" in err[0], err
    assert main([*d, "report", "--session", "2", "--pdf", str(tmp_path / "2.pdf")]) == 0
