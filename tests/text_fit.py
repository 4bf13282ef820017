"""Finding text that does not fit: every label, button, box, tab, table header and menu entry
of a window, measured against the text it shows in the font it shows it in.

`unfit(window)` lists what is clipped, elided or broken inside a word, in words a person can
find on the screen ("QPushButton 'Pause (Leertaste)' in MainWindow: 120 < 168 px wide").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from PySide6 import QtGui
from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetrics, QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMenuBar,
    QStyle,
    QStyleOptionComboBox,
    QTabBar,
    QToolButton,
    QWidget,
)

#: pixels a measurement may be short by (rounding between Qt's metrics and layouts)
SLACK_PX = 2


def _plain(text: str) -> str:
    """What a label shows of its text (rich text as plain, accelerator marks gone)."""
    if QtGui.Qt.mightBeRichText(text):
        document = QTextDocument()
        document.setHtml(text)
        text = document.toPlainText()
    return re.sub(r"&(?!&)", "", text)


def _where(widget: QWidget, text: str) -> str:
    return f"{type(widget).__name__} {text[:60]!r} in {type(widget.window()).__name__}"


def _shown(root: QWidget) -> Iterator[QWidget]:
    for widget in root.findChildren(QWidget):
        if widget.isVisible() and widget.window() is root and not widget.objectName().startswith("qt_"):
            yield widget


def _longest_word_px(metrics: QFontMetrics, text: str) -> int:
    return max((metrics.horizontalAdvance(word) for word in text.split()), default=0)


def _label(label: QLabel) -> list[str]:
    text = _plain(label.text())
    if not text.strip() or (label.pixmap() is not None and not label.pixmap().isNull()):
        return []
    metrics, inside = label.fontMetrics(), label.contentsRect()
    if label.wordWrap():
        problems = []
        if _longest_word_px(metrics, text) > inside.width() + SLACK_PX:
            problems.append(f"{_where(label, text)}: a word is wider than the label ({inside.width()} px)")
        if (
            not QtGui.Qt.mightBeRichText(label.text())
            and label.heightForWidth(label.width()) > label.height() + SLACK_PX
        ):
            problems.append(f"{_where(label, text)}: {label.height()} < {label.heightForWidth(label.width())} px high")
        return problems
    needed = label.sizeHint()
    if needed.width() > label.width() + SLACK_PX or needed.height() > label.height() + SLACK_PX:
        return [f"{_where(label, text)}: {label.width()}×{label.height()} < {needed.width()}×{needed.height()} px"]
    return []


def _button(button: QAbstractButton) -> list[str]:
    text = _plain(button.text())
    if not text.strip() or (
        isinstance(button, QToolButton) and button.toolButtonStyle() is Qt.ToolButtonStyle.ToolButtonIconOnly
    ):
        return []
    needed = button.sizeHint()
    if needed.width() > button.width() + SLACK_PX or needed.height() > button.height() + SLACK_PX:
        return [f"{_where(button, text)}: {button.width()}×{button.height()} < {needed.width()}×{needed.height()} px"]
    return []


def _combo(combo: QComboBox) -> list[str]:
    """The chosen entry must show whole (a combo box elides what does not fit)."""
    text = combo.currentText()
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    field = combo.style().subControlRect(
        QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, combo
    )
    needed = combo.fontMetrics().horizontalAdvance(text)
    if text and needed > field.width() + SLACK_PX:
        return [f"{_where(combo, text)}: {field.width()} < {needed} px for the chosen entry"]
    return []


def _line_edit(edit: QLineEdit) -> list[str]:
    """The hint shown in an empty field must show whole: it says what to type."""
    hint = edit.placeholderText()
    if edit.text() or not hint:
        return []
    room = edit.contentsRect().width() - edit.textMargins().left() - edit.textMargins().right() - 6
    needed = edit.fontMetrics().horizontalAdvance(hint)
    if needed > room + SLACK_PX:
        return [f"{_where(edit, hint)}: the hint needs {needed} px, has {room}"]
    return []


def _tabs(bar: QTabBar) -> list[str]:
    problems = []
    for i in range(bar.count()):
        text = _plain(bar.tabText(i))
        if bar.tabRect(i).width() + SLACK_PX < bar.tabSizeHint(i).width():
            problems.append(f"{_where(bar, text)}: tab {bar.tabRect(i).width()} < {bar.tabSizeHint(i).width()} px")
    return problems


def _header(header: QHeaderView) -> list[str]:
    """Each column's title whole, broken (if at all) between words, never inside one."""
    model, problems = header.model(), []
    if model is None:
        return []
    bold = QFont(header.font())
    bold.setBold(True)  # (a highlighted section's title is drawn bold: the wider of the two)
    metrics = QFontMetrics(bold)
    margin = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
    for section in range(header.count()):
        if header.isSectionHidden(section):
            continue
        text = str(model.headerData(section, header.orientation(), Qt.ItemDataRole.DisplayRole) or "")
        width = header.sectionSize(section) - 2 * margin
        if not text or header.orientation() is Qt.Orientation.Vertical:
            continue
        if _longest_word_px(metrics, text) > width + SLACK_PX:
            problems.append(f"{_where(header, text)}: a word is wider than its column ({width} px)")
            continue
        lines = metrics.boundingRect(QRect(0, 0, max(width, 1), 10_000), Qt.TextFlag.TextWordWrap, text).height()
        if lines > header.height() + SLACK_PX:
            problems.append(f"{_where(header, text)}: needs {lines} px of height, has {header.height()}")
    return problems


def _menu(menu: QMenu, owner: str) -> list[str]:
    """Every entry whole, with its key, in the menu as it opens: drawn at the menu's own width
    and drawn with room to spare, its entries must look the same (an entry cut short is drawn
    "De…ch" where there is room for "Deutsch")."""
    menu.ensurePolished()
    menu.adjustSize()
    problems = []
    natural = menu.grab().toImage()
    menu.setFixedWidth(natural.width() + 300)
    roomy = menu.grab().toImage()
    menu.setMinimumWidth(0)
    menu.setMaximumWidth(16_777_215)
    menu.adjustSize()
    text_columns = round(natural.width() * 0.6)  # (keys are drawn at the right edge: they move)
    for action in menu.actions():
        if action.isSeparator() or not action.isVisible():
            continue
        row = menu.actionGeometry(action)
        if any(natural.pixel(x, y) != roomy.pixel(x, y) for y in range(row.top(), row.bottom(), 2)
               for x in range(0, text_columns)):  # fmt: skip
            problems.append(f"menu entry {_plain(action.text())!r} in {owner}: cut short at {natural.width()} px")
        if action.menu() is not None:
            problems += _menu(action.menu(), owner)
    return problems


def _menu_bar(bar: QMenuBar) -> list[str]:
    owner, problems = type(bar.window()).__name__, []
    metrics = bar.fontMetrics()
    for action in bar.actions():
        text = _plain(action.text())
        if metrics.horizontalAdvance(text) > bar.actionGeometry(action).width() + SLACK_PX:
            problems.append(f"menu title {text!r} in {owner}: {bar.actionGeometry(action).width()} px")
        if action.menu() is not None:
            problems += _menu(action.menu(), owner)
    return problems


#: what to check, by kind of widget (the first kind a widget is of)
_CHECKS = (
    (QLabel, _label),
    (QAbstractButton, _button),
    (QComboBox, _combo),
    (QLineEdit, _line_edit),
    (QTabBar, _tabs),
    (QHeaderView, _header),
    (QMenuBar, _menu_bar),
)


def unfit(window: QWidget) -> list[str]:
    """Everything shown in `window` whose text does not fit, in words."""
    problems: list[str] = []
    for widget in _shown(window):
        if isinstance(widget, QLineEdit) and isinstance(widget.parentWidget(), QComboBox | QAbstractSpinBox):
            continue  # the box's own text, checked as the box
        check = next((check for kind, check in _CHECKS if isinstance(widget, kind)), None)
        if check is not None:
            problems += check(widget)
        text_boxes = getattr(widget, "text_boxes", None)
        if text_boxes is not None:
            problems += _painted(widget, text_boxes())
    return problems


def _painted(widget: QWidget, boxes: list[tuple[str, QRectF, QFont]]) -> list[str]:
    """Text a widget draws itself: each inside the widget, whole in its box, none over another."""
    problems, inside = [], QRectF(widget.rect())
    for i, (text, box, font) in enumerate(boxes):
        needed = QFontMetrics(font).boundingRect(box.toRect(), Qt.TextFlag.TextWordWrap, text)
        fits = needed.width() <= box.width() + SLACK_PX and needed.height() <= box.height() + SLACK_PX
        if not inside.contains(box) or not fits:
            problems.append(f"{_where(widget, text)}: drawn in {box.width():.0f}×{box.height():.0f} px, "
                            f"needs {needed.width()}×{needed.height()}")  # fmt: skip
        over = [other for other, other_box, _ in boxes[i + 1 :] if other_box.intersects(box)]
        problems += [f"{_where(widget, text)}: drawn over {other!r}" for other in over]
    return problems
