"""Switching the app's language: our catalogue (`coach.base.i18n`) and Qt's own words.

Qt's standard buttons and dialogs (OK, Cancel, Back, Next) are translated by Qt's own
catalogue, shipped with Qt; everything else by ours. A change reaches the open windows by
building them anew (`gui/rebuild.py`); the session under way carries on.
"""

from __future__ import annotations

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from coach.base import i18n

_installed: dict[str, QTranslator] = {}


def use_language(code: str) -> None:
    """Speak `code` from now on (ours and Qt's); English needs no catalogue."""
    i18n.set_language(code)
    app = QApplication.instance()
    old = _installed.pop("qt", None)
    if old is not None and app is not None:
        app.removeTranslator(old)
    if code == i18n.SOURCE_LANGUAGE or app is None:
        return
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(QLocale(code), "qtbase", "_", folder):
        app.installTranslator(translator)
        _installed["qt"] = translator
