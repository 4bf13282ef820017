"""Finding English left in a window, a report or a session shown in another language.

A text is still English when it is a catalogue text shown untranslated, or when it
holds a word only English has. Shared by every test that walks something in German.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QTableWidget,
    QTabWidget,
    QTextBrowser,
    QWidget,
)

from coach.base import i18n

#: common words that are English and not German (nor names the app shows in both)
ENGLISH_ONLY = frozenset(
    "the and your you with of to is are this that for from session sessions exercise exercises choose save "
    "delete export import patients history picture pictures repetition repetitions camera sound help about "
    "stop skip mirror move hold relax smile left right symmetry report page welcome guide quit view "
    "records settings volume heard nothing".split()
)
_WORD = re.compile(r"[A-Za-zÄÖÜäöüß]+")


def still_english(texts: Iterable[str], language: str = "de") -> list[str]:
    """The texts that are not in `language` (sorted, each once)."""
    catalogue = i18n.load_catalogue(language)
    untranslated = {source for source, translated in catalogue.items() if source != translated}
    found = set()
    for text in texts:
        text = text.strip()
        if not text:
            continue
        words = {word.lower() for word in _WORD.findall(text.replace("&", ""))}
        if text in untranslated or words & ENGLISH_ONLY:
            found.add(text)
    return sorted(found)


def texts_of(root: QWidget) -> list[str]:
    """Every text a person can read in `root` and its children (visible or on other pages)."""
    texts = [root.windowTitle()]
    for widget in [root, *root.findChildren(QWidget)]:
        texts += [widget.toolTip(), widget.accessibleName(), *(action.text() for action in widget.actions())]
        texts += _own_texts(widget)
    return [text for text in texts if text]


def _own_texts(widget: QWidget) -> list[str]:
    """The texts a widget of its kind shows."""
    texts: list[str] = []
    if isinstance(widget, (QLabel, QAbstractButton)):
        texts.append(widget.text())
    if isinstance(widget, QLineEdit):
        texts += [widget.text(), widget.placeholderText()]
    if isinstance(widget, QGroupBox):
        texts.append(widget.title())
    if isinstance(widget, QComboBox):
        texts += [widget.itemText(i) for i in range(widget.count())]
    if isinstance(widget, QTabWidget):
        texts += [widget.tabText(i) for i in range(widget.count())]
    if isinstance(widget, QTableWidget):
        headers = (widget.horizontalHeaderItem(column) for column in range(widget.columnCount()))
        texts += [item.text() for item in headers if item is not None]
    if isinstance(widget, QTextBrowser):
        texts.append(widget.toPlainText())
    if isinstance(widget, QMenu):
        texts.append(widget.title())
    return texts
