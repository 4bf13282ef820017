"""Text on the windows: labels made one way, sized by the user's text-size setting, and
changed only when their text or style really changes (the live window updates them on
every frame).

Every font size in the app is given in points at 100 % and goes through `points`, so the
text-size setting (up to 200 %) reaches labels, painted widgets and Qt's own controls
alike, and can change while the windows are open (`set_text_scale`); a widget with sizes
of its own that follow the text defines `text_scale_changed()`, called after each change.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QWidget

#: the property on a widget that holds its font size at 100 %
BASE_POINTS = "base_points"
_scale = {"factor": 1.0, "app_points": 0.0}


def points(size: float) -> float:
    """`size` points at 100 %, in the user's text size."""
    return size * _scale["factor"]


def sized_font(base: QFont, size: float, bold: bool = False) -> QFont:
    """A copy of `base` in `size` points at 100 % (scaled), bold or not: for painted text."""
    font = QFont(base)
    font.setPointSizeF(points(size))
    font.setBold(bold)
    return font


def set_font_size(widget: QWidget, size: float, bold: bool = False) -> None:
    """Give `widget` its own size (points at 100 %); it follows later text-size changes."""
    widget.setProperty(BASE_POINTS, float(size))
    widget.setFont(sized_font(widget.font(), size, bold))


def make_label(text: str = "", size: int = 13, bold: bool = False, wrap: bool = True) -> QLabel:
    """A label in `size` points (at 100 %), word-wrapped unless told otherwise."""
    label = QLabel(text)
    set_font_size(label, size, bold)
    label.setWordWrap(wrap)
    return label


@contextmanager
def _no_collection_meanwhile() -> Iterator[None]:
    """Walk every widget safely. `allWidgets()` hands out a wrapper for each widget, its inner
    parts included; were Python's collector to free a closed window's garbage in the middle of
    the walk, the wrappers of that window's inner parts would point at freed memory (a crash
    seen after a window was closed). So the garbage goes first, and none is freed meanwhile."""
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def set_text_scale(percent: int) -> None:
    """Make all text `percent` % of its normal size, in every open window and every new one."""
    app = QApplication.instance()
    if not _scale["app_points"] and isinstance(app, QApplication):
        _scale["app_points"] = app.font().pointSizeF()
    _scale["factor"] = percent / 100.0
    if not isinstance(app, QApplication):
        return
    font = app.font()
    font.setPointSizeF(_scale["app_points"] * _scale["factor"])
    app.setFont(font)  # Qt's own controls, and every widget without a size of its own
    # a style sheet keeps the fonts widgets had when it was applied: applied again, every
    # button, box, table and menu takes the new size (both ways), then our own sizes follow
    app.setStyleSheet(app.styleSheet())
    with _no_collection_meanwhile():
        for widget in app.allWidgets():
            base = widget.property(BASE_POINTS)
            if base is not None:
                widget.setFont(sized_font(widget.font(), float(base), widget.font().bold()))
            widget.updateGeometry()
            widget.update()
        for widget in app.allWidgets():  # sizes of their own that follow the text (a panel's width)
            follow = getattr(widget, "text_scale_changed", None)
            if callable(follow):
                follow()


class HintedEdit(QLineEdit):
    """A text field whose hint (shown while it is empty) always shows whole: it says what to
    type, so it is never cut short, at any text size."""

    def __init__(self, hint: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(hint)
        self.text_scale_changed()

    def text_scale_changed(self) -> None:
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance(self.placeholderText()) + 24)


def set_text(label: QLabel, text: str) -> None:
    if label.text() != text:
        label.setText(text)


def set_style(widget: QWidget, css: str) -> None:
    """Restyle only on change: setting a style sheet re-polishes the widget (costly per frame)."""
    if widget.styleSheet() != css:
        widget.setStyleSheet(css)
