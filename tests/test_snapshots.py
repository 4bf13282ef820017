"""Pictures at the peak of an exercise, kept only by choice: taken from a real recording by
the real pipeline, stored in a real SQLite file, drawn with their measured regions, put in
the PDF report, left out of bundles, and deleted for good when asked."""

from __future__ import annotations

import json
import shutil
import sqlite3
import zipfile
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from coach.base.errors import StoreError
from coach.base.palette import LEFT_COLOUR, RIGHT_COLOUR, rgb
from coach.capture.sources import Frame, VideoFileSource, read_image_rgb
from coach.cli.main import main
from coach.measure.measures import MEASURED_REGIONS, MOUTH_CORNER
from coach.records.store import SessionStore, database_path
from coach.reports.pictures import draw_measured_regions
from coach.session.snapshots import MAX_SIDE_PX, Snapshot, crop_to_face, encode_picture

FILMED_ON = "2026-03-02"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def kept(tmp_path_factory, data_dir) -> Path:
    """A patient with two analyses of the real smile clip: one filmed earlier, with a picture
    kept; one today, without."""
    folder = tmp_path_factory.mktemp("kept")
    d = ["--data-dir", str(folder)]
    assert main([*d, "patients", "add", "P30", "--side", "right"]) == 0
    clip = str(data_dir / "single_face.mp4")
    assert main([*d, "analyze", clip, "--exercise", "big_smile", "--save", "--patient", "P30",
                 "--keep-picture", "--filmed-on", FILMED_ON]) == 0  # fmt: skip
    assert main([*d, "analyze", clip, "--exercise", "big_smile", "--save", "--patient", "P30"]) == 0
    return folder


def _sessions(folder: Path) -> list[dict]:
    with SessionStore.open(database_path(folder))[0] as store:
        return [
            {
                "record": record,
                "detail": store.history.session_detail(record.id),
                "pictures": store.pictures.of_session(record.id),
            }
            for record in store.history.sessions()
        ]


def test_a_recorded_video_is_dated_when_filmed_and_keeps_its_picture_only_when_asked(kept: Path, data_dir: Path):
    today, filmed = _sessions(kept)  # newest first: the one filmed in March comes after today's
    assert today["record"].started_at.astimezone().date() == date.today() and not today["pictures"]
    detail = filmed["detail"]
    assert detail.started_at.astimezone().date() == date.fromisoformat(FILMED_ON)
    assert detail.started_at.astimezone().hour == 12  # a day without a time: midday, on no other day anywhere
    with VideoFileSource(data_dir / "single_face.mp4") as video:
        length_s = video.frame_count_hint / video.nominal_fps
    assert detail.ended_at - detail.started_at == pytest.approx(timedelta(seconds=length_s), abs=timedelta(seconds=1))
    (exercise,) = detail.exercises
    for record in exercise.repetitions:  # each repetition at its moment in the video
        assert record.recorded_at - detail.started_at == pytest.approx(
            timedelta(seconds=record.repetition.end_s), abs=timedelta(milliseconds=1)
        )
    (picture,) = filmed["pictures"].items()
    assert picture[0] == exercise.id and picture[1].measure == "commissure_excursion_mm"


def test_the_picture_is_the_face_at_the_peak_with_its_own_landmarks(kept: Path, landmarker, data_dir: Path):
    (snapshot,) = _sessions(kept)[1]["pictures"].values()
    rows, cols = snapshot.picture_rgb.shape[:2]
    assert max(rows, cols) <= MAX_SIDE_PX and snapshot.face_px.shape == (478, 3)
    # cropped to the face: the landmarks fill the middle, with a margin all round
    low, high = snapshot.face_px[:, :2].min(axis=0), snapshot.face_px[:, :2].max(axis=0)
    assert (low > 0.1 * np.array([cols, rows])).all() and (high < 0.9 * np.array([cols, rows])).all()
    # the model, run again on the kept picture, finds the face where the kept landmarks say
    ((found,),) = [result.faces for result in landmarker.run([Frame(0, 0.0, snapshot.picture_rgb)])]
    assert np.median(np.linalg.norm(found[:, :2] - snapshot.face_px[:, :2], axis=1)) < 0.02 * max(rows, cols)

    # it is the peak: the mouth is wider (against the eyes' spacing) than in the first, resting frame
    def mouth_width(face: np.ndarray) -> float:
        corners = face[[MOUTH_CORNER[0][0], MOUTH_CORNER[1][0]], :2]
        eyes = face[[133, 362], :2]
        return float(np.linalg.norm(corners[0] - corners[1]) / np.linalg.norm(eyes[0] - eyes[1]))

    with VideoFileSource(data_dir / "single_face.mp4") as video:
        first = video.read()
    ((resting,),) = [result.faces for result in landmarker.run([first])]
    assert mouth_width(snapshot.face_px) > 1.15 * mouth_width(resting)


def test_the_measured_regions_are_drawn_on_the_patients_own_sides(data_dir: Path, landmarker):
    picture = read_image_rgb(data_dir / "single_face.jpg")
    ((face,),) = [result.faces for result in landmarker.run([Frame(0, 0.0, picture)])]
    for measure, (left, right) in MEASURED_REGIONS.items():
        snapshot = crop_to_face(picture, face, measure)
        drawn = draw_measured_regions(snapshot).astype(int)
        assert not np.shares_memory(drawn, snapshot.picture_rgb)
        size = max(drawn.shape[:2])
        columns = {}
        for indices, colour in ((left, LEFT_COLOUR), (right, RIGHT_COLOUR)):
            ys, xs = np.nonzero(np.abs(drawn - np.array(rgb(colour))).sum(axis=2) < 40)
            assert len(xs) > 20, (measure, colour)
            centre = snapshot.face_px[list(indices), :2].mean(axis=0)
            # the outline of that side's region is drawn around that region, in that side's colour
            assert np.linalg.norm([xs.mean() - centre[0], ys.mean() - centre[1]]) < 0.08 * size, (measure, colour)
            columns[colour] = xs.mean()
        # the camera's view: the patient's left is on the right of the picture
        assert columns[LEFT_COLOUR] > columns[RIGHT_COLOUR], measure
    # the camera's view: the patient's left mouth corner is on the right of the picture
    assert face[MOUTH_CORNER[0][0], 0] > face[MOUTH_CORNER[1][0], 0]


def test_the_report_shows_the_picture_unless_asked_not_to(kept: Path, tmp_path: Path, capsys):
    filmed_id = _sessions(kept)[1]["record"].id
    d = ["--data-dir", str(kept)]
    with_pictures, without = tmp_path / "with.pdf", tmp_path / "without.pdf"
    code, out, _ = run(capsys, *d, "report", "--session", str(filmed_id), "--pdf", str(with_pictures))
    assert code == 0 and "1 picture)" in out
    code, out, _ = run(capsys, *d, "report", "--session", str(filmed_id), "--pdf", str(without), "--no-pictures")
    assert code == 0 and "picture" not in out

    def pages(path: Path) -> list[tuple[str, list[np.ndarray]]]:
        """Each page's words, and the pictures embedded in it (as RGB)."""
        document = pdfium.PdfDocument(str(path))
        try:
            return [
                (
                    " ".join(page.get_textpage().get_text_range().split()),
                    [np.asarray(image.get_bitmap().to_pil().convert("RGB")).astype(int)
                     for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3)],
                )
                for page in document
            ]  # fmt: skip
        finally:
            document.close()

    shown = [(text, images) for text, images in pages(with_pictures) if "Snapshot at the peak" in text]
    assert len(shown) == 1 and "Big smile" in shown[0][0] and "not mirrored" in shown[0][0]
    (picture,) = shown[0][1]
    assert picture.shape[0] > 200 and picture.shape[1] > 150
    for colour in (LEFT_COLOUR, RIGHT_COLOUR):  # the outlines of both sides' regions are drawn in it
        assert (np.abs(picture - np.array(rgb(colour))).sum(axis=2) < 40).sum() > 50, colour
    assert all(not images and "Snapshot" not in text for text, images in pages(without))


def test_pictures_never_travel_in_bundles_or_exports(kept: Path, tmp_path: Path, capsys):
    d = ["--data-dir", str(kept)]
    bundle, everything = tmp_path / "p30.zip", tmp_path / "p30.json"
    assert run(capsys, *d, "export", "--patient", "P30", "--bundle", str(bundle), "--json", str(everything))[0] == 0
    with zipfile.ZipFile(bundle) as archive:
        contents = b"".join(archive.read(name) for name in archive.namelist())
    assert b"\xff\xd8\xff" not in contents and b"JFIF" not in contents  # no JPEG inside
    assert "picture" not in everything.read_text(encoding="utf-8").lower()
    clinic = tmp_path / "clinic"
    assert run(capsys, "--data-dir", str(clinic), "import", str(bundle))[0] == 0
    with SessionStore.open(database_path(clinic))[0] as store:
        assert len(store.history.sessions()) == 2 and store.pictures.count() == 0


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--keep-picture"], "add `--save --patient CODE`"),
        (["--filmed-on", "2026-01-01"], "add `--save --patient CODE`"),
        (["--save", "--patient", "P1", "--filmed-on", "last tuesday"], "not a date"),
        (["--save", "--patient", "P1", "--filmed-on", "2999-01-01"], "in the future"),
    ],
)
def test_picture_and_date_options_explain_bad_input(tmp_path, data_dir, capsys, args, words):
    try:
        code = main(["--data-dir", str(tmp_path), "analyze", str(data_dir / "single_face.jpg"),
                     "--exercise", "big_smile", *args])  # fmt: skip
    except SystemExit as exit_:  # a usage error, from the argument parser
        code = exit_.code
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and words in lines[0], err
    assert not database_path(tmp_path).exists() or SessionStore.open(database_path(tmp_path))[0].pictures.count() == 0


# --------------------------------------------------------------------------- the store


def _picture(seed: int) -> Snapshot:
    rng = np.random.default_rng(seed)
    gradient = np.linspace(0, 255, 160 * 120 * 3).reshape(120, 160, 3)
    picture = np.clip(gradient + rng.normal(0, 3, gradient.shape), 0, 255).astype(np.uint8)
    return Snapshot(picture, rng.uniform(0, 120, (478, 3)), "brow_lift_mm")


def _two_patients_with_pictures(path: Path) -> tuple[SessionStore, list[int], list[int]]:
    store, _ = SessionStore.open(path)
    patients: list[int] = []
    sessions: list[int] = []
    for number, code in enumerate(("A1", "B2")):
        patient = store.patients.add(code=code)
        patients.append(patient.id)
        session = store.recording.start_session("daily", "Daily", "camera 0", patient_id=patient.id)
        for position in range(2):
            exercise = store.recording.start_exercise(
                session, position, "raise_brows", "Raise brows", "brow_lift_mm", {}
            )
            store.pictures.keep(exercise, _picture(10 * number + position))
        store.recording.finish_session(session, "completed")
        sessions.append(session)
    return store, sessions, patients


def test_pictures_are_kept_read_back_and_deleted_for_good(tmp_path: Path):
    path = database_path(tmp_path)
    store, sessions, patients = _two_patients_with_pictures(path)
    with store:
        kept = store.pictures.of_session(sessions[0])
        assert len(kept) == 2 and store.pictures.count() == 4 and store.pictures.count(patient_id=patients[1]) == 2
        original = _picture(0)
        first = kept[min(kept)]
        assert first.measure == "brow_lift_mm" and first.picture_rgb.shape == original.picture_rgb.shape
        assert np.abs(first.picture_rgb.astype(int) - original.picture_rgb).mean() < 3  # JPEG, nearly exact
        assert np.array_equal(first.face_px, original.face_px.astype(np.float32))  # landmarks exact
        jpeg = encode_picture(_picture(10).picture_rgb)
        assert len(_pieces_in_files(jpeg, path)) > 10  # a long blob is split over pages: look for pieces

        assert store.pictures.delete(session_id=sessions[1]) == 2
        assert store.pictures.count(patient_id=patients[1]) == 0 and store.pictures.count() == 2
        assert store.history.session_detail(sessions[1]).exercises[0].exercise_id == "raise_brows"  # the numbers stay
        assert store.pictures.delete(patient_id=patients[0]) == 2 and store.pictures.count() == 0
        assert store.pictures.delete() == 0
    # what was deleted is gone from the file itself, not only from the table
    assert _pieces_in_files(jpeg, path) == []


def _pieces_in_files(blob: bytes, database: Path) -> list[bytes]:
    """The 48-byte pieces of `blob` (every 256 bytes) found in the database or its journal."""
    files = b"".join(p.read_bytes() for p in (database, Path(f"{database}-wal")) if p.exists())
    pieces = [blob[i : i + 48] for i in range(64, len(blob) - 48, 256)]
    return [piece for piece in pieces if piece in files]


def test_a_damaged_picture_is_named_and_the_numbers_still_read(tmp_path: Path):
    path = database_path(tmp_path)
    store, sessions, _ = _two_patients_with_pictures(path)
    store.close()
    connection = sqlite3.connect(path)
    connection.execute("UPDATE snapshots SET picture_jpeg = x'00112233'")
    connection.commit()
    connection.close()
    with SessionStore.open(path)[0] as store:
        with pytest.raises(StoreError, match=rf"damaged .*session {sessions[0]} .*delete its pictures"):
            store.pictures.of_session(sessions[0])
        assert store.history.session_detail(sessions[0]).status == "completed"
        assert store.pictures.delete(session_id=sessions[0]) == 2


def test_a_picture_for_an_unknown_exercise_is_refused(tmp_path: Path):
    with SessionStore.open(database_path(tmp_path))[0] as store:
        with pytest.raises(KeyError, match="no exercise 999"):
            store.pictures.keep(999, _picture(1))
        assert store.pictures.count() == 0


def test_patient_json_has_no_pictures(kept: Path, capsys):
    code, out, _ = run(capsys, "--data-dir", str(kept), "sessions", "--patient", "P30", "--json")
    assert code == 0 and len(json.loads(out)["sessions"]) == 2 and "jpeg" not in out.lower()


def test_the_patient_sees_and_can_delete_their_pictures_in_their_history(kept: Path, tmp_path: Path, qtbot,
                                                                          monkeypatch):  # fmt: skip
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QImage, QTextDocument
    from PySide6.QtWidgets import QMessageBox

    from coach.gui.history import HistoryDialog

    copy = tmp_path / "copy"
    shutil.copytree(kept, copy, ignore=shutil.ignore_patterns("*.lock"))
    filmed = _sessions(copy)[1]["detail"]
    dialog = HistoryDialog(database_path(copy))
    qtbot.addWidget(dialog)
    assert not dialog.delete_pictures_button.isEnabled()  # the newest session has no picture
    dialog.table.setCurrentCell(1, 0)
    assert "Picture at the peak" in dialog.detail.toPlainText() and dialog.delete_pictures_button.isEnabled()
    shown = dialog.detail.document().resource(QTextDocument.ResourceType.ImageResource,
                                              QUrl(f"snapshot:{filmed.exercises[0].id}"))  # fmt: skip
    assert isinstance(shown, QImage) and not shown.isNull()
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *args: QMessageBox.StandardButton.Yes))
    assert dialog.delete_pictures() == 1
    assert "the numbers are kept" in dialog.message.text() and not dialog.delete_pictures_button.isEnabled()
    assert "Picture at the peak" not in dialog.detail.toPlainText()
    dialog.done(0)
    (_, after) = _sessions(copy)
    assert not after["pictures"] and after["detail"].exercises[0].repetitions


def test_a_face_at_the_edge_is_cropped_to_the_picture_and_one_outside_gives_no_picture(data_dir: Path, landmarker):
    from coach.session.snapshots import PeakKeeper

    picture = read_image_rgb(data_dir / "single_face.jpg")
    ((face,),) = [result.faces for result in landmarker.run([Frame(0, 0.0, picture)])]
    cols = picture.shape[1]
    at_edge = face.copy()
    at_edge[:, 0] += cols - face[:, 0].mean()  # half the face beyond the right edge
    cropped = crop_to_face(picture, at_edge, "brow_lift_mm")
    width = cropped.picture_rgb.shape[1]
    assert 0 < width <= MAX_SIDE_PX and cropped.face_px[:, 0].max() > width  # the picture ends at its edge
    keeper = PeakKeeper("brow_lift_mm")
    assert keeper.snapshot() is None  # nothing offered
    outside = face + np.array([2.0 * cols, 0.0, 0.0])
    keeper.offer(picture, outside, np.array([3.0, 2.5]))
    keeper.offer(picture, face, np.array([1.0, np.nan]))  # smaller: not kept
    assert keeper.snapshot() is None
    keeper.offer(picture, face, np.array([4.0, 2.5]))
    assert keeper.snapshot() is not None and keeper.best_mm == 6.5


def test_a_picture_that_cannot_be_saved_is_told_and_the_numbers_are_kept(tmp_path: Path, monkeypatch):
    """The database is held by another program just when the picture is saved: the recorder
    says so and goes on; the exercise's end is saved once the database is free again."""
    import coach.records.database
    from coach.plans.exercises import get_exercise
    from coach.plans.programmes import Programme
    from coach.session import events
    from coach.session.engine import summarise
    from coach.session.exercise_run import ExerciseResult
    from coach.usecases.live_session import SessionRecorder

    monkeypatch.setattr(coach.records.database, "BUSY_TIMEOUT_S", 0.3)
    notices: list[str] = []
    path = database_path(tmp_path)
    recorder = SessionRecorder(path, notices.append)
    exercise = get_exercise("raise_brows")
    recorder(events.SessionStarted(1, Programme("t", "T", "", (exercise,)), None, True, "camera 0"))
    recorder(events.ExerciseStarted(0, exercise))
    other_program = sqlite3.connect(path, isolation_level=None)
    other_program.execute("BEGIN IMMEDIATE")
    recorder(events.PeakPictureTaken(0, _picture(3)))
    recorder(events.PeakPictureTaken(0, _picture(4)))  # the same problem is told once
    other_program.rollback()
    other_program.close()
    recorder(events.ExerciseFinished(0, ExerciseResult(exercise, (), summarise([], 0.5), "completed")))
    recorder(events.SessionFinished("completed"))
    assert len(notices) == 1 and "another program is using the database" in notices[0]
    assert "The picture of this exercise was not kept; your results are saved." in notices[0]
    with SessionStore.open(path)[0] as store:
        (record,) = store.history.sessions()
        assert record.status == "completed" and store.pictures.count() == 0
        assert store.history.session_detail(record.id).exercises[0].status == "completed"
