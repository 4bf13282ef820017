"""The live session's events as Qt signals, so a window hears them on its own thread.

A subscriber of the controller's event stream (called on the processing thread): what the
screen shows (`SessionUpdated`) and the newest picture are kept in one-item slots (the
newest wins, so a busy screen never falls behind); every other event is queued to the
window in order, as `event_arrived`.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from coach.session.coaching import SessionView
from coach.session.events import FrameMeasured, SessionEvent, SessionUpdated
from coach.session.live import LatestSlot


class SessionBridge(QObject):
    """Hands the session's events to the thread this object lives on."""

    #: a new picture is in the pipeline's display slot
    picture_arrived = Signal()
    #: a new view is in `views` (take it: the newest wins)
    view_arrived = Signal()
    #: any other event (a SessionEvent), in the order emitted
    event_arrived = Signal(object)

    def __init__(self, parent: QObject | None = None, measured_frames: bool = False) -> None:
        """measured_frames: also forward every picture's measures (a view that draws traces)."""
        super().__init__(parent)
        self.views: LatestSlot[SessionView] = LatestSlot()
        self._measured_frames = measured_frames

    def __call__(self, event: SessionEvent) -> None:
        if isinstance(event, SessionUpdated):
            self.views.put(event.view)
            self.view_arrived.emit()
        elif self._measured_frames or not isinstance(event, FrameMeasured):
            self.event_arrived.emit(event)

    def picture_ready(self) -> None:
        """Called by the pipeline on its processing thread."""
        self.picture_arrived.emit()
