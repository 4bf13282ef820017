"""Finding English left in a window, a report or a session shown in German.

One check for every test that shows something in German (`still_english`). A text is still
English when
  (a) it, or one of its lines, is an English text of the catalogue whose German differs;
  (b) it holds a word only English has (STOP_WORDS: whole words, any case, "patient's" one word;
      code every language writes alike, such as --options or lower_case_ids, left out);
  (c) it holds the fixed English wording of a catalogue text whose German says it otherwise
      ("Therapist's target:" of "Therapist's target: {target}."), even wrapped over lines.
What came from the records or was typed (names, codes, notes) is shown as stored: such texts,
passed as `stored`, are taken out first. `texts_of` collects what a person can read in a window.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTabBar,
    QTableWidget,
    QTabWidget,
    QTextEdit,
    QWidget,
)

from coach.base import i18n

#: words that are English and never German: none of them is in a German text the app ships
#: (test_german_gui checks it). Left out on purpose, as German uses them too: "video",
#: "analyse", "programme", "status", "patient" ("Video", "Analyse", "Programme", "Status").
STOP_WORDS = frozenset(
    """the and your you with of to is are this that for from on not yet session sessions exercise exercises
    choose save delete export import patients patient's programmes history picture pictures repetition
    repetitions camera closer face sound help about stop skip mirror move hold relax smile left right side
    sides symmetry report trends target page welcome guide quit view records settings volume heard
    nothing""".split()
)
#: a word: letters and digits, with an apostrophe ("patient's") or a hyphen ("Face-Landmarker-Modell") inside
_WORD = re.compile(r"[\w'-]+")
#: what stays as written in any language: placeholders, `commands`, --options, [[tables]] and 'values'
_CODE = re.compile(r"""\{\w*\}|`[^`]*`|(?<![\w-])--[\w-]+|\[\[?[\w.]+\]\]?|(?<!\w)(['"])[\w.-]+\1(?!\w)""")


class Finding(NamedTuple):
    """A text (or the part of it) still in English, where it is shown and why it counts."""

    where: str
    text: str
    why: str

    def __str__(self) -> str:
        return f"{self.where + ': ' if self.where else ''}{self.text!r} ({self.why})"


def words_of(text: str) -> set[str]:
    """The whole words of a text, lower case ("&" of mnemonics, code and identifiers like "face_landmarker"
    left out)."""
    plain = _CODE.sub(" ", text.replace("&", "").replace("’", "'"))
    words = (word.strip("'-").lower() for word in _WORD.findall(plain) if "_" not in word)
    return {word for word in words if word}


class _Catalogue(NamedTuple):
    untranslated: frozenset[str]  #: the English texts whose German differs
    wordings: tuple[tuple[str, re.Pattern[str]], ...]  #: their fixed English wording German does not use


def po_entries(code: str, folder: Path | None = None) -> list[tuple[str, str]]:
    """(English, translation) of every text of a language's catalogue (its .po, as translators
    edit it): a plural's English forms each with each of its translated forms."""
    from babel.messages.pofile import read_po

    with i18n.catalogue_path(code, folder, ".po").open("rb") as file:
        catalogue = read_po(file)
    pairs = []
    for message in catalogue:
        if not message.id:
            continue
        english = message.id if isinstance(message.id, tuple) else (message.id,)
        translated = message.string if isinstance(message.string, tuple) else (message.string,)
        pairs += [(source, text) for source in english for text in translated]
    return pairs


@functools.cache
def _catalogue(folder: Path | None, code: str = "de") -> _Catalogue:
    untranslated = frozenset(source for source, german in po_entries(code, folder) if german != source)
    fragments = {
        literal.strip()
        for source in untranslated
        for literal, *_ in string.Formatter().parse(source)
        if re.search(r"[A-Za-z]{3,}", literal)
    }
    patterns = [(fragment, re.compile(rf"(?<!\w){re.escape(fragment)}(?!\w)")) for fragment in sorted(fragments)]
    german = "\n".join(text for _source, text in po_entries(code, folder))
    return _Catalogue(untranslated, tuple((text, pattern) for text, pattern in patterns if not pattern.search(german)))


def without_stored(text: str, stored: Iterable[str]) -> str:
    """The text with the stored texts taken out, also where a table cell cut them short ("Gentle sm…")."""
    for name in stored:
        text = text.replace(name, " ")
        for end in range(len(name) - 1, 2, -1):
            text = text.replace(name[:end].rstrip() + "…", " ")
    return text


def still_english(
    texts: Iterable[str | tuple[str, str]],
    stored: Iterable[str] = (),
    *,
    folder: Path | None = None,
    language: str = "de",
) -> list[Finding]:
    """What is still English in `texts` (each a text, or (where, text)) shown in `language`,
    `stored` texts left out; `folder` holds the catalogues (the app's own by default)."""
    catalogue = _catalogue(folder, language)
    stored = sorted({line for name in stored for line in name.splitlines() if line.strip()}, key=len, reverse=True)
    found: dict[tuple[str, str], dict[str, None]] = {}
    for where, text in (item if isinstance(item, tuple) else ("", item) for item in texts):
        for part, why in _english_parts(text, stored, catalogue):
            found.setdefault((where, part), {})[why] = None
    return sorted(Finding(where, part, "; ".join(whys)) for (where, part), whys in found.items())


def _english_parts(text: str, stored: list[str], catalogue: _Catalogue) -> list[tuple[str, str]]:
    """(the English part, why) of one text: its lines, then the catalogue's wording anywhere else in it."""
    found = list(_english_lines(text, stored, catalogue))
    flagged = "\n".join(part for part, _why in found)
    flat = " ".join(without_stored(text, stored).split())  # a text may be wrapped over lines
    found += [
        (wording, "English wording of a catalogue text")
        for wording, pattern in catalogue.wordings
        if wording not in flagged and pattern.search(flat)
    ]
    return found


def _english_lines(text: str, stored: list[str], catalogue: _Catalogue) -> Iterator[tuple[str, str]]:
    """(line, why) of each line of a text (or the whole text) that is English."""
    if text.strip() in catalogue.untranslated:
        yield text.strip(), "an English text of the catalogue"
    for line in text.splitlines():
        left = without_stored(line, stored)
        if line.strip() in catalogue.untranslated or left.strip() in catalogue.untranslated:
            yield line.strip(), "an English text of the catalogue"
        if english := sorted(words_of(left) & STOP_WORDS):
            yield line.strip(), "English word " + ", ".join(map(repr, english))


# ---------------------------------------------------------------------------------------------
# what a person can read in a window
# ---------------------------------------------------------------------------------------------

#: widgets whose inner parts are Qt's own (a tab bar's scroll buttons): Qt's translations name them
QT_COMPOUNDS = (QTabBar, QComboBox, QAbstractSpinBox)


def texts_of(root: QWidget) -> list[tuple[str, str]]:
    """(where, text) of every text a person can read, or a screen reader says, in `root` and its
    children (shown or on other pages), Qt's own parts left out."""
    texts = [(type(root).__name__, root.windowTitle())]
    for widget in [root, *root.findChildren(QWidget)]:
        if widget.objectName().startswith("qt_") or isinstance(widget.parentWidget(), QT_COMPOUNDS):
            continue
        where = f"{type(widget).__name__} {widget.objectName()!r} in {type(root).__name__}"
        own = [widget.toolTip(), widget.accessibleName(), widget.accessibleDescription()]
        own += [action.text() for action in widget.actions()]
        own += [text for kind, read in _OWN_TEXTS if isinstance(widget, kind) for text in read(widget)]
        texts += [(where, text) for text in own if text and text.strip()]
    return texts


def _label_texts(label: QLabel) -> list[str]:
    """A label's text as written and, for rich text, as shown (without its markup)."""
    text = label.text()
    if "<" not in text:
        return [text]
    document = QTextDocument()
    document.setHtml(text)
    return [text, document.toPlainText()]


def _table_texts(table: QTableWidget) -> list[str]:
    """A table's headers and cells."""
    items = [table.horizontalHeaderItem(column) for column in range(table.columnCount())]
    items += [table.item(row, column) for row in range(table.rowCount()) for column in range(table.columnCount())]
    return [item.text() for item in items if item is not None]


#: the texts each kind of widget shows of its own
_OWN_TEXTS: tuple[tuple[type[QWidget], Callable[..., list[str]]], ...] = (
    (QLabel, _label_texts),
    (QAbstractButton, lambda button: [button.text()]),
    (QLineEdit, lambda edit: [edit.text(), edit.placeholderText()]),
    (QAbstractSpinBox, lambda box: [box.text(), box.specialValueText()]),
    (QTextEdit, lambda edit: [edit.placeholderText(), edit.toPlainText()]),
    (QPlainTextEdit, lambda edit: [edit.placeholderText(), edit.toPlainText()]),
    (QGroupBox, lambda box: [box.title()]),
    (QComboBox, lambda box: [box.placeholderText(), *(box.itemText(i) for i in range(box.count()))]),
    (QTabWidget, lambda tabs: [text for i in range(tabs.count()) for text in (tabs.tabText(i), tabs.tabToolTip(i))]),
    (QTableWidget, _table_texts),
    (QMenu, lambda menu: [menu.title()]),
)
