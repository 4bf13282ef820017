"""The PDF session report, rendered for real from a real SQLite store and read back with
PDFium: its pages, its words and numbers, and pictures that are not blank."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium  # the "test" extra: reads the PDFs back
import pytest

from coach.measure.landmarks import ParallelLandmarker
from coach.plans.exercises import load_exercises
from coach.records.models import SessionDetail
from coach.records.store import SessionStore
from coach.reports.pdf.document import write_session_report
from coach.session.engine import Repetition, Summary
from coach.session.snapshots import Snapshot

from bench_report import FIRST_SESSION, Recorded, StepClock, fill_store, make_repetition, read_history
from report_pages import face_snapshot, pages_text

SESSIONS = 6
REPS = 5


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Recorded:
    return fill_store(tmp_path_factory.mktemp("store"), SESSIONS, reps=REPS)


@pytest.fixture(scope="module")
def history(recorded: Recorded) -> list[SessionDetail]:
    return read_history(recorded.database)


@pytest.fixture(scope="module")
def report(
    recorded: Recorded,
    history: list[SessionDetail],
    tmp_path_factory: pytest.TempPathFactory,
    data_dir: Path,
    landmarker: ParallelLandmarker,
) -> tuple[Path, int]:
    """The newest session's report, with the patient, the full history and one snapshot
    (the smile), rendered once for the tests that read it."""
    pdf_path = tmp_path_factory.mktemp("report") / "report.pdf"
    smile = history[-1].exercises[1]
    pages = write_session_report(
        pdf_path, history[-1], history, recorded.patient, snapshots={smile.id: face_snapshot(data_dir, landmarker)}
    )
    return pdf_path, pages


def _flat(text: str) -> str:
    """Words joined by single spaces: wrapped lines read as one sentence."""
    return " ".join(text.split())


def _render(pdf_path: Path, index: int, png_path: Path) -> np.ndarray:
    document = pdfium.PdfDocument(pdf_path)
    try:
        image = document[index].render(scale=1.0).to_pil().convert("RGB")
    finally:
        document.close()
    image.save(png_path)
    return np.asarray(image)


def _open_later(recorded: Recorded, days: int) -> tuple[SessionStore, StepClock]:
    clock = StepClock(FIRST_SESSION + timedelta(days=days))
    store, notice = SessionStore.open(recorded.database, clock=clock)
    assert notice is None
    return store, clock


def test_report_has_the_patient_the_exercises_and_every_repetition(
    report: tuple[Path, int], history: list[SessionDetail]
) -> None:
    session = history[-1]
    pdf_path, pages = report
    texts = pages_text(pdf_path)
    assert pages == len(texts) >= 1 + len(session.exercises) + 1
    everything = _flat("\n".join(texts))
    first = _flat(texts[0])
    assert "P-0042" in first and "Alex Example" in first and "Bell's palsy" in first
    assert "Affected side Left (patient's)" in first
    assert "does not diagnose or grade facial palsy and does not replace clinical assessment" in first
    assert "11.7 mm" in first and "0.5 mm" in first
    for number, text in enumerate(texts, 1):
        assert f"page {number} of {pages}" in text
        assert "Patient P-0042" in text and f"session {session.started_at.astimezone():%Y-%m-%d %H:%M}" in text
    for name, sides in session.resting.items():
        assert f"{sides['left']:.1f}" in first and f"{sides['right']:.1f}" in first, name
    for exercise in session.exercises:
        assert exercise.exercise_name in everything
        page = next(text for text in texts[1:] if _flat(exercise.exercise_name) in _flat(text))
        assert "Left (patient's)" in page and "Right (patient's)" in page
        band = exercise.target["target_mm"]
        assert f"movement {band[0]:.1f}–{band[1]:.1f} mm on each side" in _flat(page)
        for record in exercise.repetitions:
            rep = record.repetition
            row = rf"^{record.number} {rep.left_mm:.1f} {rep.right_mm:.1f} {100 * rep.symmetry:.0f} % "
            assert re.search(row, page, re.MULTILINE), (exercise.exercise_id, record.number)
    snapshot_pages = [text for text in texts if "Snapshot at the peak, kept at the patient's request." in _flat(text)]
    assert len(snapshot_pages) == 1 and session.exercises[1].exercise_name in snapshot_pages[0]
    assert "Progress over time" in everything and f"{SESSIONS} sessions from" in everything
    assert "Resting face: difference between the patient's sides" in everything


def test_pages_render_to_pictures_that_are_not_blank(report: tuple[Path, int], tmp_path: Path) -> None:
    pdf_path, _ = report
    first = _render(pdf_path, 0, tmp_path / "page-1.png")
    exercise = _render(pdf_path, 1, tmp_path / "page-2.png")
    assert (tmp_path / "page-1.png").stat().st_size > 0 and (tmp_path / "page-2.png").stat().st_size > 0
    for picture in (first, exercise):
        assert picture.shape[0] > picture.shape[1]  # portrait
        assert picture.astype(float).var() > 100.0
        assert (picture < 100).all(axis=2).mean() > 0.005  # black text
    # the patient's left in blue, the right in vermillion: both bar colours are on the exercise page
    blue = (np.abs(exercise.astype(int) - (0, 114, 178)) < 25).all(axis=2).mean()
    vermillion = (np.abs(exercise.astype(int) - (213, 94, 0)) < 25).all(axis=2).mean()
    assert blue > 0.002 and vermillion > 0.001


def test_page_is_a4(report: tuple[Path, int]) -> None:
    pdf_path, _ = report
    document = pdfium.PdfDocument(pdf_path)
    try:
        sizes = {tuple(round(points / 72 * 25.4) for points in page.get_size()) for page in document}
    finally:
        document.close()
    assert sizes == {(210, 297)}


def test_missing_values_read_as_a_dash(recorded: Recorded, tmp_path: Path) -> None:
    """No resting measures, a skipped exercise, a repetition where nothing moved, an
    interrupted exercise without summary, no patient and no history: all drawn, '-' shown."""
    exercises = load_exercises()
    store, clock = _open_later(recorded, SESSIONS + 1)
    with store:
        session_id = store.recording.start_session(None, None, "video clip.mp4", kind="recorded")
        skipped = store.recording.start_exercise(
            session_id, 0, "gentle_smile", "Gentle smile", "commissure_excursion_mm", {}
        )
        store.recording.finish_exercise(skipped, "skipped", None)
        still = store.recording.start_exercise(
            session_id, 1, "snarl", "Wrinkle your nose", "upper_lip_elevation_mm", {}
        )
        clock.advance(seconds=5)
        nothing = Repetition(0.0, 0.5, 1.0, 0.0, 0.0, None, None, 0.0, False, {}, {})
        store.recording.add_repetition(still, 1, nothing)
        store.recording.finish_exercise(still, "completed", Summary(1, 0.0, 0.0, None, None))
        cut = store.recording.start_exercise(
            session_id, 2, "pucker", "Pucker your lips", "corner_medial_mm", {"hold_s": 3}
        )
        rng = np.random.default_rng(1)
        store.recording.add_repetition(cut, 1, make_repetition(rng, exercises["pucker"], 0.5, 1, complete=False))
        store.recording.finish_session(session_id, "interrupted")
        session = store.history.session_detail(session_id)
    cut_rep = session.exercises[2].repetitions[0].repetition
    pdf_path = tmp_path / "sparse.pdf"
    pages = write_session_report(pdf_path, session, [], None)
    texts = pages_text(pdf_path)
    everything = _flat("\n".join(texts))
    assert pages == len(texts)
    assert "Patient code -" in everything and "No patient recorded · session" in everything
    assert "Resting measures: - (none were recorded in this session)" in everything
    assert "Repetitions: - (none were recorded for this exercise)" in everything
    assert "Therapist's target: -." in everything
    assert re.search(r"^1 0\.0 0\.0 - - 0\.0 no$", "\n".join(texts), re.MULTILINE)
    assert "symmetry -; weaker side: -" in everything
    assert "Kind recorded video" in everything and "interrupted" in everything
    # measured afterwards from a video (in a clinic, or sent in): not called a home practice record
    assert "recorded video, measured afterwards" in everything and "home practice record" not in everything
    assert "Only this session so far" in everything
    # the interrupted exercise has no stored summary: its saved repetition still gives the means
    assert session.exercises[2].summary is None
    assert f"Summary: 1 repetition; mean peak Left (patient's) {cut_rep.left_mm:.1f} mm" in everything


def test_an_exercise_not_done_and_a_resting_face_accepted_are_said(recorded: Recorded, tmp_path: Path) -> None:
    store, _ = _open_later(recorded, SESSIONS + 4)
    with store:
        session_id = store.recording.start_session("daily", "Daily practice", "camera 0")
        store.recording.save_resting(session_id, {"brow_height_mm": {"left": 21.0, "right": 22.0}}, accepted=True)
        brows = store.recording.start_exercise(session_id, 0, "raise_brows", "Raise your eyebrows", "brow_lift_mm", {})
        store.recording.finish_exercise(brows, "not_done", Summary(0, None, None, None, None))
        store.recording.finish_session(session_id, "completed")
        session = store.history.session_detail(session_id)
    assert session.rest_accepted and session.exercises[0].status == "not_done"
    pdf_path = tmp_path / "not_done.pdf"
    write_session_report(pdf_path, session, [session])
    everything = _flat("\n".join(pages_text(pdf_path)))
    assert "status: not done: no movement was seen in several tries" in everything
    assert "This resting face was accepted as it was" in everything
    assert "home practice record" in everything


def test_a_session_without_exercises(recorded: Recorded, history: list[SessionDetail], tmp_path: Path) -> None:
    """Nothing but page 1; and the trends leave out the sessions of P-0042, another patient."""
    store, _ = _open_later(recorded, SESSIONS + 2)
    with store:
        session_id = store.recording.start_session("daily", "Daily practice", "camera 1")
        store.recording.finish_session(session_id, "stopped")
        session = store.history.session_detail(session_id)
    pdf_path = tmp_path / "empty.pdf"
    assert write_session_report(pdf_path, session, [*history, session]) == 1
    text = _flat(pages_text(pdf_path)[0])
    assert "Exercises: - (none were started)." in text and "Only this session so far" in text


def test_long_tables_continue_on_the_next_page_with_their_header(recorded: Recorded, tmp_path: Path) -> None:
    exercise = load_exercises()["gentle_smile"]
    rng = np.random.default_rng(3)
    store, clock = _open_later(recorded, SESSIONS + 3)
    with store:
        session_id = store.recording.start_session("smile_and_eyes", "Smile and eyes", "camera 0")
        exercise_id = store.recording.start_exercise(
            session_id, 0, exercise.id, exercise.name, "commissure_excursion_mm", {"target_mm": [2.0, 7.0]}
        )
        for number in range(1, 61):
            clock.advance(seconds=10)
            store.recording.add_repetition(exercise_id, number, make_repetition(rng, exercise, 0.8, number))
        store.recording.finish_exercise(exercise_id, "completed", None)
        store.recording.finish_session(session_id, "completed")
        session = store.history.session_detail(session_id)
    pdf_path = tmp_path / "long.pdf"
    pages = write_session_report(pdf_path, session, [session])
    texts = pages_text(pdf_path)
    table_pages = [text for text in texts if re.search(r"^\d+ \d+\.\d \d+\.\d \d+ % ", text, re.MULTILINE)]
    assert len(table_pages) >= 2 and pages == len(texts)
    for text in table_pages:
        assert "Symmetry" in text and "(patient's)" in text  # the header, repeated
    for text in table_pages[1:]:
        assert "1. Gentle smile: repetitions (continued)" in text
    rows = [int(m) for text in table_pages for m in re.findall(r"^(\d+) \d+\.\d ", text, re.MULTILINE)]
    assert rows == list(range(1, 61))


def test_trends_use_the_history_up_to_this_session(history: list[SessionDetail], tmp_path: Path) -> None:
    """Later sessions are left out, this one is counted once, the order given does not
    matter; and no snapshot is drawn when none is given."""
    session = history[2]
    pdf_path = tmp_path / "third.pdf"
    write_session_report(pdf_path, session, list(reversed(history)), {"code": "P-7"})
    texts = pages_text(pdf_path)
    everything = _flat("\n".join(texts))
    first = history[0].started_at.astimezone()
    assert f"3 sessions from {first:%Y-%m-%d} to {session.started_at.astimezone():%Y-%m-%d}" in everything
    assert "Snapshot" not in everything
    assert "Name -" in everything and "Onset -" in everything
    picture = _render(pdf_path, len(texts) - 1, tmp_path / "trend.png")
    assert picture.astype(float).var() > 100.0


def test_trend_pages_chart_synkinesis_with_the_warning_limit(report: tuple[Path, int]) -> None:
    """Each exercise with synkinesis data gets its synkinesis chart: per watched measure,
    left vs right (patient's), with the exercise's warning limit (raise_brows 25 %)."""
    pdf_path, pages = report
    texts = pages_text(pdf_path)
    trend_pages = _flat("\n".join(text for text in texts if "Synkinesis: unwanted movement" in text))
    assert trend_pages.count("Synkinesis: unwanted movement as % of the region at rest") == 3  # three exercises
    assert "Eye narrowing" in trend_pages and "Mouth-corner pull" in trend_pages
    assert "warning limit" in trend_pages.lower() and "Warning limit 25 %" in trend_pages
    assert "Left (patient's)" in trend_pages and "Right (patient's)" in trend_pages
    for number, text in enumerate(texts, 1):
        assert f"page {number} of {pages}" in text


def test_a_failed_report_leaves_no_file(history: list[SessionDetail], tmp_path: Path) -> None:
    pdf_path = tmp_path / "broken.pdf"
    with pytest.raises(ValueError):
        write_session_report(
            pdf_path,
            history[-1],
            history,
            snapshots={history[-1].exercises[0].id: Snapshot(np.zeros(3), np.zeros((478, 3)), "brow_lift_mm")},
        )
    assert list(tmp_path.iterdir()) == []
