"""What every view of the therapist's window is made of: headings, message lines, read-only
tables, the words for the patient's sides, message boxes that never block, file dialogs,
and a failure told in plain words."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QLabel,
    QMessageBox,
    QTableWidget,
    QWidget,
)

from coach.base.errors import CoachError
from coach.base.i18n import N_, tr, trn
from coach.gui.labels import set_font_size

#: how each affected side reads (translated where shown, `side_words`): always the patient's own side
SIDE_WORDS = {
    "left": N_("Left (patient's)"),
    "right": N_("Right (patient's)"),
    "both": N_("Both sides"),
    "unknown": N_("Not recorded"),
}
#: above every session shown (`sides_note`): the numbers' left and right are the patient's own sides
SIDES_NOTE = N_("Left and right are the patient's own (anatomical) sides.")
#: the file-dialog filter that shows every file
ALL_FILES = N_("All files (*)")
ERROR_STYLE = "color: #B00020;"
OK_STYLE = "color: #1B5E20;"


def side_words(side: str) -> str:
    """How an affected side (a stored value: "left", "unknown") reads, in the user's language."""
    return tr(SIDE_WORDS[side]) if side in SIDE_WORDS else side


def sides_note() -> str:
    """The note above every session shown, as HTML."""
    return f"<p style='color:#555'><i>{html.escape(tr(SIDES_NOTE))}</i></p>"


def heading(text: str, size: int = 13) -> QLabel:
    """A bold label in `size` points."""
    label = QLabel(text)
    set_font_size(label, size, bold=True)
    return label


def message_label() -> QLabel:
    """A line that tells what just happened: wraps, and its text can be copied."""
    label = QLabel("")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def read_only_table(headers: list[str], name: str) -> QTableWidget:
    """A list of records, one selected row at a time; `name` is what a screen reader calls it."""
    table = QTableWidget(0, len(headers))
    table.setAccessibleName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    return table


def counted(count: int, one: str, many: str, **fields: object) -> str:
    """A whole sentence about `count` things, in the user's language by its plural rule (`one`
    and `many`, marked together with Nn_ where called, both filling in `{count}` and `fields`)."""
    return trn(one, many, count, **fields)


def escaped(text: str) -> str:
    """Text to put into HTML as it is."""
    return html.escape(text)


def failure_text(error: BaseException) -> str:
    """A failure in plain words: the message of a problem the user can act on, else what went wrong."""
    if isinstance(error, CoachError | OSError):
        text = str(error)
        return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
    return tr(
        "Something unexpected went wrong ({kind}: {problem}). Nothing was changed.",
        kind=type(error).__name__,
        problem=error,
    )


class Messages:
    """Message boxes over one window that do not block the event loop (open(), not exec()).
    The last (title, text) told is kept in `last`, for tests and scripts."""

    def __init__(self, parent: QWidget) -> None:
        self._parent = parent
        self.last: tuple[str, str] | None = None
        self._box: QMessageBox | None = None

    def tell(self, title: str, text: str, error: bool = True) -> None:
        """Show a message (replacing the one shown, if any)."""
        self.last = (title, text)
        self.close()
        icon = QMessageBox.Icon.Warning if error else QMessageBox.Icon.Information
        self._box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self._parent)
        self._box.open()

    def close(self) -> None:
        """Close the message shown, if any."""
        if self._box is not None:
            self._box.close()


def ask_save_path(parent: QWidget, title: str, name: str, filters: str) -> Path | None:
    """A file to write, suggested in the home folder under `name`; None if the user cancelled."""
    chosen, _ = QFileDialog.getSaveFileName(parent, title, str(Path.home() / name), filters)
    return Path(chosen) if chosen else None


def ask_open_path(parent: QWidget, title: str, filters: str) -> Path | None:
    """A file to read; None if the user cancelled."""
    chosen, _ = QFileDialog.getOpenFileName(parent, title, str(Path.home()), filters)
    return Path(chosen) if chosen else None
