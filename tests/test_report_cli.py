"""`facecoach report` on sessions made by the real pipeline: the PDF is read back (pages,
text) and rendered to pictures; CSV and JSON hold the same numbers as the database."""

from __future__ import annotations

import csv
import json

import numpy as np
import pypdfium2 as pdfium

from coach.cli.main import main


def test_report_of_a_recorded_session_with_history(tmp_path, data_dir, capsys):
    d = ["--data-dir", str(tmp_path)]
    assert main([*d, "patients", "add", "P21", "--side", "left", "--cause", "Bell's palsy"]) == 0
    for exercise in ("gentle_smile", "big_smile"):
        assert main([*d, "analyze", str(data_dir / "single_face.mp4"), "--exercise", exercise,
                     "--save", "--patient", "P21"]) == 0  # fmt: skip
    capsys.readouterr()
    assert main([*d, "sessions", "--patient", "P21", "--json"]) == 0
    newest = json.loads(capsys.readouterr().out)["sessions"][0]
    pdf, rows_csv, everything = tmp_path / "r.pdf", tmp_path / "r.csv", tmp_path / "r.json"
    assert main([*d, "report", "--session", str(newest["id"]), "--pdf", str(pdf), "--csv", str(rows_csv),
                 "--json", str(everything)]) == 0  # fmt: skip

    document = pdfium.PdfDocument(str(pdf))
    pages = len(document)
    assert pages >= 2
    text = "\n".join(document[i].get_textpage().get_text_range() for i in range(pages))
    for words in ("P21", "Big smile", "does not diagnose", "Left (patient's)", f"page 1 of {pages}", "Bell's palsy"):
        assert words in text, words
    picture = document[0].render(scale=1).to_numpy()
    assert picture.std() > 10  # a page with content, not blank
    document.close()

    (row,) = list(csv.DictReader(rows_csv.open(encoding="utf-8")))
    (exercise,) = newest["exercises"]
    assert row["exercise_id"] == "big_smile" and float(row["left_mm"]) == exercise["summary"]["left_mm"]
    data = json.loads(everything.read_text())
    assert data["format"] == "facecoach-history" and data["patient"]["code"] == "P21"
    rep = data["sessions"][0]["exercises"][0]["repetitions"][0]
    assert np.isclose(rep["left_mm"], float(row["left_mm"])) and rep["weaker_side"] in (None, "left", "right")
