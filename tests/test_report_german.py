"""The PDF session report in German, rendered for real and read back with PDFium: no English
left on its pages (but what the stored session itself recorded), German dates and decimal
commas, and no text running off the page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium  # the "test" extra: reads the PDFs back
import pytest

from coach import __version__
from coach.base import i18n
from coach.measure.landmarks import ParallelLandmarker
from coach.plans.exercises import load_exercises
from coach.records.models import SessionDetail
from coach.records.store import SessionStore, database_path
from coach.reports.pdf.document import write_session_report
from coach.reports.pdf.layout import MARGIN_X, PAGE_W
from coach.session.engine import Repetition, Summary

from bench_report import FIRST_SESSION, Recorded, StepClock, fill_store, make_repetition, read_history
from language_check import Finding, still_english
from report_pages import face_snapshot, pages_text


@pytest.fixture(scope="module")
def german() -> Iterator[None]:
    i18n.set_language("de")
    try:
        yield
    finally:
        i18n.set_language("en")


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Recorded:
    return fill_store(tmp_path_factory.mktemp("store"), 6, reps=5)


@pytest.fixture(scope="module")
def history(recorded: Recorded) -> list[SessionDetail]:
    return read_history(recorded.database)


@pytest.fixture(scope="module")
def report(
    german: None,
    recorded: Recorded,
    history: list[SessionDetail],
    tmp_path_factory: pytest.TempPathFactory,
    data_dir: Path,
    landmarker: ParallelLandmarker,
) -> Path:
    """The newest session's report in German, with patient, history and a snapshot (every kind of page)."""
    pdf_path = tmp_path_factory.mktemp("report") / "bericht.pdf"
    smile = history[-1].exercises[1]
    snapshot = face_snapshot(data_dir, landmarker)
    write_session_report(pdf_path, history[-1], history, recorded.patient, snapshots={smile.id: snapshot})
    return pdf_path


def _stored_words(session: SessionDetail, history: list[SessionDetail], patient: object) -> list[str]:
    """What the records themselves hold (names, sources, the patient's details): shown as stored."""
    words = [session.source, session.programme_name or "", session.programme_id or ""]
    for past in [session, *history]:
        words += [text for exercise in past.exercises for text in (exercise.exercise_name, exercise.exercise_id)]
    words += [str(getattr(patient, name, "") or "") for name in ("code", "display_name", "cause")]
    return sorted({word for word in words if word}, key=len, reverse=True)  # longest first


def english_left(texts: list[str], stored: list[str]) -> list[Finding]:
    """What is still English on the pages (language_check.still_english), the stored texts and
    the app's name with its version (as it is) left out."""
    pages = [(f"page {number}", text) for number, text in enumerate(texts, 1)]
    return still_english(pages, [*stored, f"Coach {__version__}"])


def test_the_german_report_has_no_english_left(report: Path, recorded: Recorded, history: list[SessionDetail]) -> None:
    texts = pages_text(report)
    assert len(texts) >= 5  # page 1, an exercise page per exercise (some may share), the progress pages
    assert english_left(texts, _stored_words(history[-1], history, recorded.patient)) == []


def test_the_stop_words_catch_english_but_not_the_stored_names() -> None:
    """The check itself: an English sentence is caught; an exercise name from the records is not."""
    stored = ["Wrinkle your nose"]
    assert english_left(["Seite 1 von 3\n1. Wrinkle your nose\nWrinkle your n…"], stored) == []
    caught = english_left(["page 1 of 3\nSymmetry\nZiel: 3 repetitions\nTherapist's target: 3 Wiederholungen.",
                           "Seite 2 von 3\nWarnung: Warning\nlimit 30 %"], [])  # fmt: skip
    why = {(finding.where, finding.text): finding.why for finding in caught}
    assert "an English text of the catalogue" in why["page 1", "Symmetry"]
    assert why["page 1", "page 1 of 3"] == "English word 'of', 'page'"
    assert why["page 1", "Ziel: 3 repetitions"] == "English word 'repetitions'"
    assert why["page 1", "Therapist's target: 3 Wiederholungen."] == "English word 'target'"
    assert why["page 2", "Warning limit"] == "English wording of a catalogue text"  # of "Warning limit {percent} %"
    assert "page 2" not in {where for where, text in why if text != "Warning limit"}  # the rest is German


def test_a_sparse_german_report_has_no_english_left(german: None, tmp_path: Path) -> None:
    """No patient, no resting measures, no history; a skipped exercise, one where nothing moved
    and an interrupted one: the dashes and the reasons for them are German too."""
    store, notice = SessionStore.open(database_path(tmp_path), clock=StepClock(FIRST_SESSION))
    assert notice is None
    with store:
        session_id = store.recording.start_session(None, None, "video clip.mp4", kind="recorded")
        skipped = store.recording.start_exercise(
            session_id, 0, "gentle_smile", "Gentle smile", "commissure_excursion_mm", {}
        )
        store.recording.finish_exercise(skipped, "skipped", None)
        still = store.recording.start_exercise(
            session_id, 1, "snarl", "Wrinkle your nose", "upper_lip_elevation_mm", {}
        )
        store.recording.add_repetition(still, 1, Repetition(0.0, 0.5, 1.0, 0.0, 0.0, None, None, 0.0, False, {}, {}))
        store.recording.finish_exercise(still, "completed", Summary(1, 0.0, 0.0, None, None))
        cut = store.recording.start_exercise(
            session_id, 2, "pucker", "Pucker your lips", "corner_medial_mm", {"hold_s": 3}
        )
        repetition = make_repetition(np.random.default_rng(1), load_exercises()["pucker"], 0.5, 1, complete=False)
        store.recording.add_repetition(cut, 1, repetition)
        store.recording.finish_session(session_id, "interrupted")
        session = store.history.session_detail(session_id)
    pdf_path = tmp_path / "knapp.pdf"
    write_session_report(pdf_path, session, [], None)
    texts = pages_text(pdf_path)
    everything = " ".join("\n".join(texts).split())
    assert "Kein Patient erfasst · Sitzung" in everything and "Bisher nur diese Sitzung" in everything
    assert "Wiederholungen: - (für diese Übung wurden keine erfasst)." in everything
    assert english_left(texts, _stored_words(session, [], None)) == []


def test_dates_and_numbers_are_written_the_german_way(report: Path, history: list[SessionDetail]) -> None:
    texts = pages_text(report)
    everything = "\n".join(texts)
    first = " ".join(texts[0].split())
    started = history[-1].started_at.astimezone()
    assert f"Sitzung {started:%d.%m.%Y %H:%M}" in first and "18.11.2024 (" in first  # the onset, German
    assert "11,7 mm" in first  # the iris, with a decimal comma
    assert re.search(r"\b\d{4}-\d{2}-\d{2}\b", everything) is None  # no ISO dates
    dateless = re.sub(r"\b\d{1,2}\.\d{1,2}\.(\d{4})?", "", everything.replace(__version__, ""))
    assert re.findall(r".{0,20}\d\.\d.{0,20}", dateless) == []  # no decimal points
    assert re.search(r"\d,\d mm", everything)
    for number, text in enumerate(texts, 1):
        assert f"Seite {number} von {len(texts)}" in text


def test_german_text_stays_on_the_page(report: Path) -> None:
    """Longer German words still fit: no character runs past the right margin (a little
    slack for the legends and chart labels) or off the page."""
    document = pdfium.PdfDocument(report)
    try:
        for number, page in enumerate(document, 1):
            width, height = page.get_size()
            textpage = page.get_textpage()
            for index in range(textpage.count_chars()):
                left, bottom, right, top = textpage.get_charbox(index)
                if right - left <= 0:
                    continue  # spaces and line ends
                character = textpage.get_text_range(index, 1)
                assert left >= 0.3 * 72 and bottom >= 0 and top <= height, (number, character, left, bottom, top)
                assert right <= (PAGE_W - MARGIN_X + 0.15) * 72, (number, character, right, width)
    finally:
        document.close()


def test_the_analyze_summary_speaks_german(german: None, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`facecoach analyze` prints its summary (coach/reports/text.py) in German, with decimal commas."""
    from coach.cli.main import main

    assert main(["analyze", str(data_dir / "single_face.mp4"), "--exercise", "big_smile"]) == 0
    _source, *lines = capsys.readouterr().out.splitlines()  # the file and the exercise, as named
    assert "Entspanntes Gesicht (mm; links/rechts: die eigenen Seiten des Patienten)" in lines
    assert any(line.startswith("Zusammenfassung: ") for line in lines)
    assert english_left(["\n".join(lines)], []) == []
    assert re.findall(r".{0,20}\d\.\d.{0,20}", "\n".join(lines)) == []  # no decimal points


@pytest.mark.parametrize("stored_name", ["Gentle smile", "Recorded video: Gentle smile"], ids=["now", "before"])
def test_an_analysed_video_is_named_in_german_and_an_unknown_side_too(german: None, tmp_path: Path, stored_name):
    """A recorded video's session keeps its kind apart from the exercise's name, so the German
    report says so in German (issue 22 found "Programm: Recorded video: Gentle smile" and
    "Betroffene Seite: unknown"); one saved before, with the English sentence stored, too."""
    store, _ = SessionStore.open(database_path(tmp_path), clock=StepClock(FIRST_SESSION))
    with store:
        patient = store.patients.add("P09")  # the affected side not recorded
        session_id = store.recording.start_session("recorded:gentle_smile", stored_name, "smile.mp4",
                                                   patient_id=patient.id, kind="recorded")  # fmt: skip
        store.recording.finish_session(session_id, "completed")
        session = store.history.session_detail(session_id)
    pdf_path = tmp_path / "video.pdf"
    write_session_report(pdf_path, session, [], patient)
    texts = pages_text(pdf_path)
    first = " ".join(texts[0].split())
    assert "Programm Aufgezeichnetes Video: Sanftes Lächeln" in first, first
    assert "Betroffene Seite Nicht erfasst" in first, first
    assert english_left(texts, [session.source, "P09", f"Coach {__version__}"]) == []


def test_the_spanish_report_has_no_english_left_and_writes_dates_and_numbers_the_spanish_way(
    recorded: Recorded, history: list[SessionDetail], tmp_path: Path, data_dir: Path, landmarker: ParallelLandmarker
) -> None:
    """The same report in Spanish: every page Spanish, the exercises by their files' [es] names,
    the date by CLDR (sábado, 11 de enero de 2025) and decimals with a comma."""
    i18n.set_language("es")
    try:
        pdf_path = tmp_path / "informe.pdf"
        smile = history[-1].exercises[1]
        snapshot = face_snapshot(data_dir, landmarker)
        write_session_report(pdf_path, history[-1], history, recorded.patient, snapshots={smile.id: snapshot})
        texts = pages_text(pdf_path)
        first = " ".join(texts[0].split())
        started = history[-1].started_at.astimezone()
        spanish_stored = [*_stored_words(history[-1], history, recorded.patient), recorded.patient.cause or ""]
        findings = still_english([(f"page {n}", text) for n, text in enumerate(texts, 1)],
                                 [*spanish_stored, f"Coach {__version__}"], language="es")  # fmt: skip
    finally:
        i18n.set_language("en")
    assert findings == [], "\n".join(map(str, findings))
    assert first.startswith("Informe de la sesión de ejercicios faciales")
    assert f"{started.day}/{started.month}/{started.year} {started:%H:%M}" in first  # in figures, day first (CLDR)
    assert "11,7 mm" in first  # the iris, with a decimal comma
    assert re.search(r"\b\d{4}-\d{2}-\d{2}\b", "\n".join(texts)) is None  # no ISO dates
