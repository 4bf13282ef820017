"""The therapist's window and the history window speak German, end to end.

With German chosen, the real windows are built offscreen on a real database holding a
patient and four recorded sessions (tests/bench_report.py), the patient is selected so
every tab fills, and every text a person sees or a screen reader says is collected:
window titles, labels, buttons, tab names, table headers and cells, combo box items,
tool tips, placeholder texts, group box titles, the session shown, and every text drawn
in the trend charts. A text still in English fails the test, listed with where it is.

A text counts as English if it is an English text of the catalogue whose German
differs, or if it holds an English-only word (STOP_WORDS, whole words, any case). Names
that are data (exercises and programmes as recorded, the patient's own entries) are
taken out first: they stay in the words they were stored in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from matplotlib.text import Text
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTableWidget,
    QTabWidget,
    QTextEdit,
    QWidget,
)

from coach.base import i18n
from coach.gui.history import HistoryDialog
from coach.gui.therapist.window import TherapistWindow
from coach.plans.exercises import load_exercises
from coach.plans.programmes import load_programmes

from bench_report import Recorded, fill_store

#: words that are English and never German; "video", "analyse", "programme" and "status"
#: are left out on purpose: German uses them too ("Video", "Analyse", "Programme", "Status")
STOP_WORDS = frozenset(
    """the and your with of to is this for from on not yet session sessions exercise exercises choose save
    delete export import patients programmes history picture pictures repetition repetitions report
    trends target side sides left right""".split()
)
_WORDS = re.compile(r"[A-Za-z]+")
#: widgets whose inner parts are Qt's own
QT_COMPOUNDS = (QTabBar, QComboBox, QAbstractSpinBox)


@pytest.fixture()
def german() -> Iterator[dict[str, str]]:
    """German in use for the test (English again afterwards, whatever happens); the catalogue."""
    i18n.set_language("de")
    try:
        yield i18n.load_catalogue("de")
    finally:
        i18n.set_language("en")


@pytest.fixture()
def recorded(tmp_path: Path) -> Recorded:
    return fill_store(tmp_path, sessions=4, reps=3)


def _plain(text: str) -> str:
    """A label's text as shown: rich text without its markup."""
    if "<" not in text:
        return text
    document = QTextDocument()
    document.setHtml(text)
    return document.toPlainText()


def _widget_texts(widget: QWidget) -> Iterator[str]:
    """What one widget shows (or a screen reader says) of its own."""
    yield from (widget.toolTip(), widget.accessibleName(), widget.accessibleDescription())
    if isinstance(widget, QLabel):
        yield _plain(widget.text())
    elif isinstance(widget, QAbstractButton):
        yield widget.text()
    elif isinstance(widget, QGroupBox):
        yield widget.title()
    elif isinstance(widget, QTabWidget):
        yield from (widget.tabText(i) for i in range(widget.count()))
    elif isinstance(widget, QComboBox):
        yield from (widget.itemText(i) for i in range(widget.count()))
    elif isinstance(widget, QLineEdit):
        yield widget.placeholderText()
    elif isinstance(widget, QTextEdit | QPlainTextEdit):
        yield from (widget.placeholderText(), widget.toPlainText())
    if isinstance(widget, QTableWidget):
        yield from _table_texts(widget)


def _table_texts(table: QTableWidget) -> Iterator[str]:
    """A table's headers and cells."""
    for column in range(table.columnCount()):
        items = [table.horizontalHeaderItem(column), *(table.item(row, column) for row in range(table.rowCount()))]
        yield from (item.text() for item in items if item is not None)


def visible_texts(window: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) of every text the window and its widgets show, Qt's own parts left out."""
    yield type(window).__name__, window.windowTitle()
    for widget in [window, *window.findChildren(QWidget)]:
        if widget.objectName().startswith("qt_") or isinstance(widget.parentWidget(), QT_COMPOUNDS):
            continue  # Qt's own parts (a tab bar's scroll buttons): Qt's translations name them
        where = f"{type(widget).__name__} {widget.objectName()!r} in {type(window).__name__}"
        for text in _widget_texts(widget):
            if text and text.strip():
                yield where, text


def chart_texts(window: TherapistWindow) -> Iterator[tuple[str, str]]:
    """Every text drawn in the trend charts: titles, axis labels, legends, date ticks."""
    window.trends.figure.canvas.draw()  # tick labels exist once drawn
    for artist in window.trends.figure.findobj(Text):
        if artist.get_visible() and artist.get_text().strip():
            yield "trend chart", artist.get_text()


def data_names(recorded: Recorded) -> list[str]:
    """Names that are data, in English and in German: they are taken out of the texts checked."""
    names = {recorded.patient.code, recorded.patient.name or "", recorded.patient.cause or "", "Smile and eyes"}
    for thing in [*load_exercises().values(), *load_programmes().values()]:
        names |= {thing.english_name, thing.name}
    return sorted((name for name in names if name), key=len, reverse=True)


def english_texts(texts: Iterator[tuple[str, str]], german: dict[str, str], data: list[str]) -> list[str]:
    """The texts still in English, each with where it is shown."""
    untranslated = {english for english, translated in german.items() if translated != english}
    found = []
    for where, text in texts:
        left = text
        for name in data:
            left = left.replace(name, " ")
        words = {word.lower() for word in _WORDS.findall(left)}
        if text in untranslated or left.strip() in untranslated or words & STOP_WORDS:
            found.append(f"{where}: {text!r}")
    return sorted(set(found))


def test_no_stop_word_is_german_the_catalogue_uses(german):
    """The stop list must not catch German: none of its words is in any German translation."""
    words = (_WORDS.findall(re.sub(r"\{\w*\}", " ", translated)) for translated in german.values())
    used = {word.lower() for found in words for word in found}  # placeholders' names left out
    assert not (STOP_WORDS & used), sorted(STOP_WORDS & used)


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
    texts = [*visible_texts(window), *chart_texts(window)]
    assert len(texts) > 150  # the walk really reached the tabs, the tables and the charts
    assert window.windowTitle() == german["Patients and programmes — Facial Symmetry Coach"]
    english = english_texts(iter(texts), german, data_names(recorded))
    assert english == [], "texts still in English:\n" + "\n".join(english)
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
    assert german["January"] in shown and german["completed"] in shown  # the session's date and status
    english = english_texts(visible_texts(dialog), german, data_names(recorded))
    assert english == [], "texts still in English:\n" + "\n".join(english)
    dialog.done(0)
