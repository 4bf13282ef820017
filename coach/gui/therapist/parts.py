"""What every view of the therapist's window is made of: headings, message lines, read-only
tables, the words for the patient's sides, message boxes that never block, file dialogs,
and a failure told in plain words."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QFileDialog, QLabel, QMessageBox, QTableWidget, QWidget

from coach.base.errors import CoachError

#: how each affected side reads: always the patient's own side
SIDE_WORDS = {
    "left": "Left (patient's)",
    "right": "Right (patient's)",
    "both": "Both sides",
    "unknown": "Not recorded",
}
#: above every session shown: the numbers' left and right are the patient's own sides
SIDES_NOTE = "<p style='color:#555'><i>Left and right are the patient's own (anatomical) sides.</i></p>"
ERROR_STYLE = "color: #B00020;"
OK_STYLE = "color: #1B5E20;"


def heading(text: str, size: int = 13) -> QLabel:
    """A bold label in `size` points."""
    label = QLabel(text)
    font = label.font()
    font.setPointSize(size)
    font.setBold(True)
    label.setFont(font)
    return label


def message_label() -> QLabel:
    """A line that tells what just happened: wraps, and its text can be copied."""
    label = QLabel("")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def read_only_table(headers: list[str]) -> QTableWidget:
    """A list of records, one selected row at a time."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    return table


def plural(count: int, word: str) -> str:
    """'1 session', '2 sessions'."""
    return f"{count} {word}{'s' * (count != 1)}"


def escaped(text: str) -> str:
    """Text to put into HTML as it is."""
    return html.escape(text)


def failure_text(error: BaseException) -> str:
    """A failure in plain words: the message of a problem the user can act on, else what went wrong."""
    if isinstance(error, CoachError | OSError):
        text = str(error)
        return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
    return f"Something unexpected went wrong ({type(error).__name__}: {error}). Nothing was changed."


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
