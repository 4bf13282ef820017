"""Where the picture comes from, when there is none: another camera number, or a video file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QGridLayout, QPushButton, QSpinBox, QWidget

from coach.base.i18n import tr
from coach.capture.sources import FrameSource, VideoFileSource
from coach.gui.labels import make_label
from coach.session.live import PacedSource


class SourceBox(QWidget):
    """Offered when there is no camera picture. `camera_chosen(number)` when a camera is asked
    for; its `use_file` button asks for a video file (the window decides what follows)."""

    camera_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QGridLayout(self)
        self.camera_index = QSpinBox()
        self.camera_index.setRange(0, 9)
        self.camera_index.setAccessibleName(tr("Camera number"))
        self.use_camera = QPushButton(tr("Use this camera"))
        self.use_file = QPushButton(tr("Use a video file…"))
        layout.addWidget(make_label(tr("Camera number:"), 13), 0, 0)
        layout.addWidget(self.camera_index, 0, 1)
        layout.addWidget(self.use_camera, 0, 2)
        layout.addWidget(self.use_file, 1, 0, 1, 3)
        self.use_camera.clicked.connect(lambda: self.camera_chosen.emit(self.camera_index.value()))


def ask_video_file(parent: QWidget) -> tuple[Callable[[], FrameSource], Callable[[], str]] | None:
    """A video file chosen to stand in for the camera, as (how to open it, played at its own
    rate; its name); None if the person cancelled."""
    chosen, _ = QFileDialog.getOpenFileName(parent, tr("Choose a video file"), str(Path.home()),
                                            tr("Videos ({patterns});;All files (*)",
                                               patterns="*.mp4 *.mov *.avi *.mkv *.webm"))  # fmt: skip
    if not chosen:
        return None
    path = Path(chosen)
    return (lambda: PacedSource(lambda: VideoFileSource(path))), (lambda: path.name)
