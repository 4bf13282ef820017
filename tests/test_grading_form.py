"""The clinician's form, driven through the therapist's window (offscreen Qt, a real SQLite file, the
real model on a generated examination of a real face whose left side does not move).

A recorded examination is saved for a patient; in the sessions tab its "Grade this examination…"
opens the form pre-filled with the measured suggestions; the clinician changes an item and files
it; the filing is kept with who graded, beside the suggestions, and the agreement table shows,
item by item, how often the suggestion was kept. An older database (schema 5) opens with its
sessions and gains the gradings.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from test_therapist_gui import _revive_event_loop

from coach.grading import scales
from coach.gui.grading_form import open_grading_form
from coach.gui.therapist.window import TherapistWindow
from coach.records.store import SessionStore, database_path

from test_inputs import run_cli

EXAM = Path(__file__).parent / "data" / "exam_weak_left_blink_face.mp4"


@pytest.fixture(scope="module")
def clinic_folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("grading_clinic")


@pytest.fixture(scope="module")
def saved(clinic_folder: Path) -> tuple[int, int]:
    """(patient id, session id) of a saved examination of patient P07 (affected side left)."""
    from coach.cli.main import main

    data = ["--data-dir", str(clinic_folder)]
    assert main([*data, "patients", "add", "P07", "--side", "left"]) == 0
    assert main([*data, "analyze", str(EXAM), "--examination", "--save", "--patient", "P07"]) == 0
    store, _ = SessionStore.open(database_path(clinic_folder))
    try:
        patient = store.patients.get("P07")
        session = store.history.sessions(patient_id=patient.id)[0]
    finally:
        store.close()
    return patient.id, session.id


@pytest.fixture(scope="module")
def window(qapp, clinic_folder, saved, model_bytes):
    _revive_event_loop(qapp)
    therapist = TherapistWindow(database_path(clinic_folder), model_bytes)
    therapist.resize(1280, 800)
    therapist.show()
    yield therapist
    therapist.close()
    therapist.deleteLater()


def test_the_form_is_prefilled_and_a_filed_grading_is_kept_beside_the_suggestions(window, saved, qtbot) -> None:
    patient_id, session_id = saved
    window.select_patient(patient_id)
    tab = window.sessions_tab
    tab.table.selectRow(0)
    assert tab.grade_button.isEnabled()
    form = open_grading_form(tab)
    assert form is not None
    sunnybrook, eface = form.scales[scales.SUNNYBROOK], form.scales[scales.EFACE]
    # every field starts at the suggestion; items for the clinician start empty
    assert sunnybrook.values() == sunnybrook.suggested and eface.values() == eface.suggested
    assert sunnybrook.values()["resting_cheek"] is None
    assert sunnybrook.values()["voluntary_brow_lift"] in (1, 2)  # the left brow does not move
    assert form.aid.text().startswith("Suggested grading: a measurement aid, not a diagnosis.")
    # nobody named: nothing is filed, and the form says why
    assert not form.file()
    assert "who graded" in form.message.text()
    assert window.clinic.gradings(patient_id) == []
    # the clinician grades the cheek and changes the brow, then files
    form.graded_by.setText("Dr Weber")
    suggested_brow = sunnybrook.suggested["voluntary_brow_lift"]
    sunnybrook.set_value("resting_cheek", 1)
    sunnybrook.set_value("voluntary_brow_lift", 1 if suggested_brow != 1 else 2)
    assert form.file()
    assert not form.save_button.isEnabled()  # filed: a second click would file it twice
    sunnybrook.set_value("voluntary_lip_pucker", sunnybrook.values()["voluntary_lip_pucker"])  # no change
    assert not form.save_button.isEnabled()
    filed = window.clinic.gradings(patient_id)
    assert [g.scale for g in filed] == [scales.SUNNYBROOK, scales.EFACE]
    kept = filed[0]
    assert kept.graded_by == "Dr Weber" and kept.session_id == session_id
    assert kept.values["resting_cheek"] == 1 and kept.suggested["resting_cheek"] is None
    assert kept.values["voluntary_brow_lift"] != kept.suggested["voluntary_brow_lift"]
    assert kept.total == scales.scores(scales.SUNNYBROOK, kept.values).total
    # agreement: the brow was changed once, the smile kept once; the cheek had no suggestion
    rows = {(a.scale, a.item): a for a in window.clinic.grading_agreement(patient_id)}
    brow = rows[(scales.SUNNYBROOK, "voluntary_brow_lift")]
    assert (brow.compared, brow.kept) == (1, 0)
    assert brow.mean_difference == kept.values["voluntary_brow_lift"] - kept.suggested["voluntary_brow_lift"]
    assert rows[(scales.SUNNYBROOK, "voluntary_open_mouth_smile")].kept == 1
    assert (scales.SUNNYBROOK, "resting_cheek") not in rows
    # and on the totals: the cheek had no suggestion (counted as filed), the brow's step is 4 composite points
    composite = rows[(scales.SUNNYBROOK, "total")]
    assert (composite.compared, composite.kept, composite.mean_difference) == (1, 0, 4 * brow.mean_difference)
    eface_total = rows[(scales.EFACE, "total")]
    assert (eface_total.compared, eface_total.kept, eface_total.mean_difference) == (1, 1, 0.0)
    assert form.agreement.rowCount() == len(rows)
    form.close()


def test_a_session_that_is_not_an_examination_cannot_be_graded(window, clinic_folder, data_dir) -> None:
    from coach.cli.main import main

    assert main(["--data-dir", str(clinic_folder), "analyze", str(data_dir / "single_face.mp4"), "--exercise",
                 "big_smile", "--save", "--patient", "P07"]) == 0  # fmt: skip
    tab = window.sessions_tab
    tab.refresh()
    rows = tab.table.rowCount()
    kinds = [tab.table.item(r, 2).text() for r in range(rows)]
    for row in range(rows):
        tab.table.selectRow(row)
        assert tab.grade_button.isEnabled() == ("examination" in kinds[row].lower()), kinds[row]


def test_a_filing_with_a_value_the_scale_does_not_have_is_refused(window, saved) -> None:
    from coach.base.errors import FieldValueError

    patient_id, _ = saved
    with pytest.raises(FieldValueError, match="voluntary_snarl cannot be 7"):
        window.clinic.file_grading(patient_id, scales.SUNNYBROOK, {"voluntary_snarl": 7}, "Dr Weber")
    with pytest.raises(FieldValueError, match="not an item"):
        window.clinic.file_grading(patient_id, scales.EFACE, {"voluntary_snarl": 3}, "Dr Weber")


def test_an_older_database_opens_with_nothing_lost_and_gains_the_gradings(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "old"
    data = ["--data-dir", folder]
    assert run_cli(capsys, *data, "patients", "add", "P01")[0] == 0
    path = database_path(folder)
    with sqlite3.connect(path) as connection:  # back to schema 5: the gradings table did not exist
        connection.execute("DROP TABLE gradings")
        connection.execute("PRAGMA user_version = 5")
    code, out, err = run_cli(capsys, *data, "patients", "list")
    assert code == 0 and "P01" in out, err
    store, _ = SessionStore.open(path)
    try:
        assert store.gradings.for_patient(store.patients.all()[0].id) == []
    finally:
        store.close()


def test_the_gradings_travel_in_the_patients_bundle_once(window, saved, tmp_path: Path, capsys) -> None:
    """Exported with the patient's sessions, imported beside the same session elsewhere; importing the
    bundle again adds nothing; a bundle whose grading has a value the scale does not have is refused
    whole, naming the field."""
    import json
    import zipfile

    patient_id, _ = saved
    filed = window.clinic.gradings(patient_id)
    assert filed, "the first test filed a grading"
    bundle = tmp_path / "p07.fcbundle"
    window.clinic.export_bundle(window.clinic.find_patient("P07"), bundle)
    elsewhere = ["--data-dir", tmp_path / "elsewhere"]
    for _ in range(2):
        code, _out, err = run_cli(capsys, *elsewhere, "import", bundle)
        assert code == 0, err
    store, _ = SessionStore.open(database_path(tmp_path / "elsewhere"))
    try:
        patient = store.patients.get("P07")
        arrived = store.gradings.for_patient(patient.id)
        (session,) = [s for s in store.history.sessions(patient_id=patient.id) if s.uid == filed[0].session_uid]
    finally:
        store.close()
    assert [(g.uid, g.scale, g.graded_by, g.values, g.suggested, g.total) for g in arrived] == [
        (g.uid, g.scale, g.graded_by, g.values, g.suggested, g.total) for g in filed
    ]
    assert {g.session_id for g in arrived} == {session.id}  # tied to the same examination, by its uid
    # a damaged grading: the whole bundle is refused, nothing is added
    damaged = tmp_path / "damaged.fcbundle"
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "manifest.json":
                manifest = json.loads(data)
                manifest["gradings"][0]["values"]["voluntary_snarl"] = 9
                data = json.dumps(manifest).encode()
            target.writestr(item, data)
    code, _out, err = run_cli(capsys, "--data-dir", tmp_path / "third", "import", damaged)
    assert code == 2 and "gradings[1].values" in err and "voluntary_snarl cannot be 9" in err, err


def test_the_gradings_are_in_the_json_and_their_own_csv(window, saved, clinic_folder: Path, tmp_path: Path, capsys):
    import csv
    import json

    patient_id, _ = saved
    filed = window.clinic.gradings(patient_id)
    out_json, out_csv = tmp_path / "p07.json", tmp_path / "gradings.csv"
    code, out, err = run_cli(capsys, "--data-dir", clinic_folder, "export", "--patient", "P07", "--json", out_json,
                             "--gradings-csv", out_csv)  # fmt: skip
    assert code == 0, err
    document = json.loads(out_json.read_text())
    assert [g["values"] for g in document["gradings"]] == [g.values for g in filed]
    assert all(g["suggested_is"] == "a measurement aid, not a diagnosis" for g in document["gradings"])
    rows = list(csv.DictReader(out_csv.open()))
    assert len(rows) == sum(len(g.values) for g in filed) and f"({len(rows)} graded items" in out
    cheek = next(r for r in rows if r["item"] == "resting_cheek")
    assert (cheek["scale"], cheek["section"], cheek["value"], cheek["suggested"]) == ("sunnybrook", "resting", "1", "")
    assert cheek["graded_by"] == "Dr Weber"


def test_the_examinations_report_has_the_grading_as_filed_beside_the_suggestions(window, saved, tmp_path: Path):
    import pypdfium2 as pdfium

    from coach.usecases.clinic import write_report_pdf

    _, session_id = saved
    pdf_path = tmp_path / "exam.pdf"
    write_report_pdf(pdf_path, window.clinic.session_report(session_id, with_pictures=False))
    pdf = pdfium.PdfDocument(pdf_path)
    text = " ".join(" ".join(pdf[i].get_textpage().get_text_range().split()) for i in range(len(pdf)))
    pdf.close()
    assert "Grading: Sunnybrook Facial Grading System" in text and "Grading: eFACE" in text
    assert "a measurement aid, not a diagnosis" in text
    assert "Graded by Dr Weber on" in text and "Gradings over time" in text
    filed = window.clinic.gradings(saved[0])[0]
    assert f"Composite: graded: {filed.total:.0f}; suggested:" in text


def test_the_trends_tab_charts_the_gradings_filed(window, saved, qtbot) -> None:
    from coach.gui.trends import GRADING_ENTRY
    from coach.reports.charts import grading_chart

    patient_id, _ = saved
    window.select_patient(patient_id)  # reads the history, and with it the gradings
    filed = window.clinic.gradings(patient_id)
    trends = window.trends
    qtbot.waitUntil(lambda: trends.exercise.findData(GRADING_ENTRY) >= 0, timeout=10_000)
    assert trends.select_exercise(GRADING_ENTRY)
    chart = grading_chart(filed)
    assert chart is not None and [s.role for s in chart.series] == [scales.SUNNYBROOK, scales.EFACE]
    (axes,) = trends.figure.axes
    assert axes.get_title(loc="left") == chart.title
    drawn = {line.get_label(): list(line.get_ydata()) for line in axes.get_lines()}
    for scale, series in zip((scales.SUNNYBROOK, scales.EFACE), chart.series, strict=True):
        assert drawn[series.label] == [g.total for g in filed if g.scale == scale]
    assert grading_chart([]) is None
