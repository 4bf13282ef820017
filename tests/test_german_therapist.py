"""The therapist's window and the history window speak German, end to end.

With German chosen, the real windows are built offscreen on a real database holding a
patient and four recorded sessions (tests/bench_report.py), the patient is selected so
every tab fills, and every text a person sees or a screen reader says is collected:
window titles, labels, buttons, tab names, table headers and cells, combo box items,
tool tips, placeholder texts, group box titles, the session shown, and every text drawn
in the trend charts. A text still in English fails the test, listed with where it is.

What counts as English is language_check.still_english's to say (a text of the catalogue
shown untranslated, an English-only word, a catalogue text's English wording). Names that
are data (exercises and programmes as recorded, the patient's own entries) are taken out
first: they stay in the words they were stored in.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from matplotlib.text import Text

from coach.base import i18n
from coach.gui.history import HistoryDialog
from coach.gui.therapist.window import TherapistWindow
from coach.plans.exercises import load_exercises
from coach.plans.programmes import load_programmes

from bench_report import Recorded, fill_store
from language_check import po_entries, still_english, texts_of


@pytest.fixture(params=["de", "es"])
def german(request) -> Iterator[dict[str, str]]:
    """German (then Spanish) in use for the test (English again afterwards, whatever happens); the catalogue."""
    i18n.set_language(request.param)
    try:
        yield dict(po_entries(request.param))
    finally:
        i18n.set_language("en")


@pytest.fixture()
def recorded(tmp_path: Path) -> Recorded:
    return fill_store(tmp_path, sessions=4, reps=3)


def chart_texts(window: TherapistWindow) -> Iterator[tuple[str, str]]:
    """Every text drawn in the trend charts: titles, axis labels, legends, date ticks."""
    window.trends.figure.canvas.draw()  # tick labels exist once drawn
    for artist in window.trends.figure.findobj(Text):
        if artist.get_visible() and artist.get_text().strip():
            yield "trend chart", artist.get_text()


def data_names(recorded: Recorded) -> list[str]:
    """Names that are data (the patient's details as typed), and the exercises' and programmes' names
    in the language in use: they are taken out of the texts checked. A shipped exercise's English name
    shown on a German or Spanish screen is English left (the Trends tab showed "Big smile")."""
    names = {recorded.patient.code, recorded.patient.name or "", recorded.patient.cause or ""}
    for thing in [*load_exercises().values(), *load_programmes().values()]:
        names |= {thing.name}
    return sorted((name for name in names if name), key=len, reverse=True)


def test_the_therapist_window_speaks_german(german, recorded, qtbot, model_bytes, tmp_path):
    window = TherapistWindow(recorded.database, model_bytes)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    window.select_patient(recorded.patient.id)
    assert window.sessions_tab.table.rowCount() == 4 and window.programme_tab.table.rowCount() > 0
    window.patient_form.clear()
    window.patient_form.add_patient()  # no code: a problem told under the form
    window.select_patient(recorded.patient.id)
    window.programme_tab.validate()
    window.tabs.setCurrentWidget(window.trends)
    assert window.trends.select_exercise("gentle_smile")
    texts = [*texts_of(window), *chart_texts(window)]
    assert len(texts) > 150  # the walk really reached the tabs, the tables and the charts
    assert window.windowTitle() == german["Patients and programmes — Facial Symmetry Coach"]
    english = still_english(texts, data_names(recorded), language=i18n.language())
    assert english == [], "texts still in English:\n" + "\n".join(map(str, english))
    # a message box's title too (its text may hold a lower layer's words, in their own language)
    assert not window.programme_tab.import_programme(tmp_path / "missing.toml")
    assert window.messages.last is not None
    assert window.messages.last[0] == german["The programme file could not be imported"]
    window.messages.close()
    window.close()


def test_the_history_window_speaks_german(german, recorded, qtbot):
    dialog = HistoryDialog(recorded.database)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.table.rowCount() == 4
    shown = dialog.detail.toPlainText()
    month = {"de": "Januar", "es": "enero"}[i18n.language()]
    assert month in shown and german["completed"] in shown  # the session's date (CLDR's month) and status
    english = still_english(texts_of(dialog), data_names(recorded), language=i18n.language())
    assert english == [], "texts still in English:\n" + "\n".join(map(str, english))
    dialog.done(0)
