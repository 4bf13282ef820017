"""Text on the live window: labels made one way, and changed only when their text or style
really changes (the live window updates them on every frame)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget


def make_label(text: str = "", size: int = 13, bold: bool = False, wrap: bool = True) -> QLabel:
    """A label in `size` points, word-wrapped unless told otherwise."""
    label = QLabel(text)
    font = label.font()
    font.setPointSize(size)
    font.setBold(bold)
    label.setFont(font)
    label.setWordWrap(wrap)
    return label


def set_text(label: QLabel, text: str) -> None:
    if label.text() != text:
        label.setText(text)


def set_style(widget: QWidget, css: str) -> None:
    """Restyle only on change: setting a style sheet re-polishes the widget (costly per frame)."""
    if widget.styleSheet() != css:
        widget.setStyleSheet(css)
