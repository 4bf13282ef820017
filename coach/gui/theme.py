"""The app's look: one palette, one type scale, a visible keyboard focus, the app icon.

Calm and plain rather than clinical. Every text colour is chosen for a contrast of at
least 4.5 : 1 on the background it is drawn on (WCAG AA; `tests/test_accessibility.py`
computes it), and no state is shown by colour alone: the words and marks beside the
colours say it too.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QIcon, QPalette
from PySide6.QtWidgets import QApplication

from coach.base.resources import assets_dir

#: the palette: (name, colour); text colours are checked against BACKGROUND and SURFACE
BACKGROUND = "#F4F7F7"
SURFACE = "#FFFFFF"
TEXT = "#1C2526"
MUTED_TEXT = "#4A5657"
ACCENT = "#00695C"  # teal: buttons, focus, selection
ON_ACCENT = "#FFFFFF"
GOOD_TEXT = "#1B6E3F"
CAUTION_TEXT = "#8A5300"
WARNING_TEXT = "#B03A2E"
ON_WARNING = "#FFFFFF"
#: what is drawn on what: (text, background) pairs that must stay readable
TEXT_PAIRS = {
    "text on the window": (TEXT, BACKGROUND),
    "text in fields and tables": (TEXT, SURFACE),
    "secondary text": (MUTED_TEXT, BACKGROUND),
    "selected text": (ON_ACCENT, ACCENT),
    "even movement": (GOOD_TEXT, BACKGROUND),
    "uneven movement": (CAUTION_TEXT, BACKGROUND),
    "a problem": (WARNING_TEXT, BACKGROUND),
    "an alert": (ON_WARNING, WARNING_TEXT),
}
#: base text size in points at 100 % (Qt's default of 9 is small for many of our users)
BASE_POINTS = 11.0

_STYLE = f"""
QPushButton {{ padding: 6px 14px; border: 1px solid #7A8B8C; border-radius: 6px; background: {SURFACE}; }}
QPushButton:hover {{ border-color: {ACCENT}; }}
QPushButton:default {{ border: 2px solid {ACCENT}; }}
QPushButton:disabled {{ color: #6B7778; background: #E9EEEE; }}
QPushButton:focus, QCheckBox:focus, QRadioButton:focus, QComboBox:focus, QSpinBox:focus, QSlider:focus,
QLineEdit:focus, QTextEdit:focus, QPlainTextEdit:focus, QTableView:focus, QListView:focus, QTabBar::tab:focus,
QTextBrowser:focus, QDateEdit:focus, QDoubleSpinBox:focus {{ outline: none; border: 2px solid {ACCENT}; }}
QMenu::item {{ padding: 0.2em 1em 0.2em 1.4em; }}
QMenu::item:selected {{ background: {ACCENT}; color: {ON_ACCENT}; }}
QMenu::item:disabled {{ color: #6B7778; }}
QMenu::indicator {{ width: 0.9em; height: 0.9em; left: 0.3em; }}
"""
# (menu entries are sized by these, in em: Fusion's own sizing left a checked entry too
# narrow at large text, drawn "De…ch")


def rgb_contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21)."""

    def luminance(colour: str) -> float:
        value = QColor(colour)
        channels = []
        for c in (value.redF(), value.greenF(), value.blueF()):
            channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def app_palette() -> QPalette:
    palette = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, BACKGROUND),
        (QPalette.ColorRole.WindowText, TEXT),
        (QPalette.ColorRole.Base, SURFACE),
        (QPalette.ColorRole.AlternateBase, "#EAF1F0"),
        (QPalette.ColorRole.Text, TEXT),
        (QPalette.ColorRole.Button, SURFACE),
        (QPalette.ColorRole.ButtonText, TEXT),
        (QPalette.ColorRole.Highlight, ACCENT),
        (QPalette.ColorRole.HighlightedText, ON_ACCENT),
        (QPalette.ColorRole.ToolTipBase, SURFACE),
        (QPalette.ColorRole.ToolTipText, TEXT),
        (QPalette.ColorRole.PlaceholderText, MUTED_TEXT),
        (QPalette.ColorRole.Link, ACCENT),
    ):
        palette.setColor(role, QColor(colour))
    return palette


def app_icon() -> QIcon:
    return QIcon(str(assets_dir() / "icons" / "facecoach.svg"))


def apply_theme(app: QApplication) -> None:
    """The palette, base font size, style and icon, once per application."""
    if app.property("facecoach_theme"):
        return
    app.setProperty("facecoach_theme", True)
    app.setStyle("Fusion")  # the same on every platform, and it honours the palette
    app.setPalette(app_palette())
    font = app.font()
    font.setPointSizeF(BASE_POINTS)
    app.setFont(font)
    app.setStyleSheet(_STYLE)
    app.setWindowIcon(app_icon())
