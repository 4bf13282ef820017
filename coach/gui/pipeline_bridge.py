"""The live pipeline's news as Qt signals, so the window hears it on its own thread.

The capture and processing threads call the listener methods; each emits a signal, which
Qt queues to the thread of the widgets connected to it. Frames themselves stay in the
pipeline's one-frame display slot (the newest wins): the signal only says one is there.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from coach.session.live import PipelineListener, SourceEvent


class PipelineBridge(QObject, PipelineListener):
    """A PipelineListener whose every call becomes a Qt signal."""

    #: a new frame is in the pipeline's display slot
    frame_arrived = Signal()
    #: the camera was lost or is back (a SourceEvent)
    source_event = Signal(object)
    #: a problem to show the person (also the session recorder's notices)
    problem_reported = Signal(str)

    def frame_ready(self) -> None:
        self.frame_arrived.emit()

    def source_changed(self, event: SourceEvent) -> None:
        self.source_event.emit(event)

    def problem(self, message: str) -> None:
        self.problem_reported.emit(message)
