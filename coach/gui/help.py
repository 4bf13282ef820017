"""Help: the short guide (a text file a therapist can read and translate) and About."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from coach import __version__
from coach.base.errors import CoachError
from coach.base.i18n import tr
from coach.base.resources import assets_dir

#: the face model shipped in assets/models/, and its licence (see the README's provenance)
MODEL_NOTE = "MediaPipe Face Landmarker (face_landmarker, float16, version 1) by Google, Apache License 2.0"


def guide_path(language: str = "en") -> Path:
    """The guide in `language`, else in English."""
    folder = assets_dir() / "help"
    wanted = folder / f"guide_{language}.md"
    return wanted if wanted.is_file() else folder / "guide_en.md"


class GuideDialog(QDialog):
    """The guide, scrollable, closed with Esc or the button."""

    def __init__(self, language: str = "en", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Guide — Facial Symmetry Coach"))
        self.resize(720, 640)
        layout = QVBoxLayout(self)
        self.text = QTextBrowser()
        self.text.setAccessibleName(tr("Guide"))
        path = guide_path(language)
        try:
            self.text.setMarkdown(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise CoachError(tr("{path}: the guide cannot be read ({problem}); reinstall the app", path=path,
                                problem=exc)) from exc  # fmt: skip
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def about_html(data_dir: Path) -> str:
    """What About says: version, where the user's data is, and what the app is built on."""
    return tr(
        "<h3>Facial Symmetry Coach {version}</h3>"
        "<p>Measures how each side of the face moves during facial exercises, and how evenly.</p>"
        "<p><b>Your data</b> (sessions, settings, backups) is kept only on this computer, in<br>"
        "<code>{data_dir}</code></p>"
        "<p><b>Face model:</b> {model}.<br>"
        "<b>Built with</b> MediaPipe and OpenCV (Apache License 2.0), PySide6 and Qt (LGPL 3), "
        "NumPy, Matplotlib, miniaudio, msgspec.</p>"
        "<p>This is an exercise aid, not a diagnosis: your therapist interprets the numbers.</p>",
        version=html.escape(__version__),
        data_dir=html.escape(str(data_dir)),
        model=html.escape(MODEL_NOTE),
    )
