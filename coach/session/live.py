"""The live pipeline: capture and processing on their own threads, feeding the session controller.

Capture (one thread) reads the camera, or a video played at its own frame rate, into a
one-frame slot: the newest frame wins, an older one not yet taken is dropped, never
queued, so when processing falls behind the picture stays current. Processing (a
second thread) takes the newest frame, finds the landmarks, hands them to the session
controller (`controller.SessionController`, whose events tell everyone what happened) and
puts the picture in a second one-frame slot for the screen. The GUI thread only takes
from that slot when told a picture is ready: it never waits on the camera or the model.
Every picture carries the monotonic time it was captured, so capture-to-display latency
is measured where it is shown.

No Qt here. Pictures never enter the controller's event stream (which carries numbers):
they go to the screen through `display` alone.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import numpy as np

from coach.base.errors import CoachError, SourceError
from coach.base.i18n import tr
from coach.capture.sources import Frame, FrameSource
from coach.measure.landmarks import FaceSelector, LandmarkDetector
from coach.session.commands import Origin, Stop
from coach.session.controller import SessionController

T = TypeVar("T")


class LatestSlot(Generic[T]):
    """A one-item mailbox between two threads: put replaces, take waits briefly."""

    def __init__(self) -> None:
        self._item: T | None = None
        self._ready = threading.Condition()

    def put(self, item: T) -> bool:
        """Store the newest item; True if it replaced one nobody had taken (a drop)."""
        with self._ready:
            dropped = self._item is not None
            self._item = item
            self._ready.notify()
            return dropped

    def take(self, timeout_s: float = 0.0) -> T | None:
        with self._ready:
            if self._item is None and timeout_s > 0:
                self._ready.wait(timeout_s)
            item, self._item = self._item, None
            return item


class PacedSource(FrameSource):
    """A video file played at its own frame rate, as a webcam would deliver it.

    `loop` replays it from the start (demonstrations); otherwise the end of the file
    is reported like a camera that stopped.
    """

    def __init__(self, open_file: Callable[[], FrameSource], loop: bool = False) -> None:
        self._open_file = open_file
        self._source = open_file()
        self.name = self._source.name
        self.nominal_fps = self._source.nominal_fps or 30.0
        self._loop = loop
        self._start: float | None = None
        self._delivered = 0

    def read(self) -> Frame | None:
        frame = self._source.read()
        if frame is None and self._loop:
            self._source.close()
            self._source = self._open_file()
            frame = self._source.read()
        if frame is None:
            return None
        if self._start is None:
            self._start = time.monotonic()
        due = self._start + self._delivered / self.nominal_fps
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self._delivered += 1
        return frame

    def close(self) -> None:
        self._source.close()


@dataclass(frozen=True)
class Arrival:
    """A frame as it arrived from the source."""

    frame: Frame
    captured_at: float  # time.monotonic() when the frame was read


@dataclass(frozen=True)
class ScreenPicture:
    """What the screen shows of one frame: the picture and the measured face."""

    image_rgb: np.ndarray
    captured_at: float
    processed_at: float
    faces_seen: int
    face_px: np.ndarray | None


@dataclass
class PipelineStats:
    """Counters shared by the threads (each counter written by one thread only)."""

    offered_frames: int = 0
    dropped_for_processing: int = 0
    processed_frames: int = 0
    source_errors: int = 0
    started_at: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class SourceEvent:
    lost: bool
    message: str


class CaptureThread(threading.Thread):
    """Reads frames into the slot; when the source fails, reports it and keeps trying
    to reopen it, so an unplugged camera comes back without restarting the app."""

    def __init__(
        self,
        open_source: Callable[[], FrameSource],
        slot: LatestSlot[Arrival],
        events: queue.Queue[SourceEvent],
        stats: PipelineStats,
        retry_s: float = 1.0,
    ) -> None:
        super().__init__(name="capture", daemon=True)
        self._open_source = open_source
        self._slot = slot
        self._events = events
        self._stats = stats
        self._retry_s = retry_s
        self._stopping = threading.Event()
        self.source_name = ""

    def stop(self) -> None:
        self._stopping.set()

    def run(self) -> None:
        source: FrameSource | None = None
        lost = False
        while not self._stopping.is_set():
            try:
                if source is None:
                    source = self._open_source()
                    self.source_name = source.name
                    if lost:
                        self._events.put(SourceEvent(False, tr("{source} is back.", source=source.name)))
                        lost = False
                frame = source.read()
                if frame is None:
                    raise SourceError(tr("{source} ended.", source=source.name))
            except CoachError as exc:
                self._stats.source_errors += 1
                if source is not None:
                    source.close()
                    source = None
                if not lost:
                    self._events.put(SourceEvent(True, str(exc)))
                    lost = True
                self._stopping.wait(self._retry_s)
                continue
            self._stats.offered_frames += 1
            if self._slot.put(Arrival(frame, time.monotonic())):
                self._stats.dropped_for_processing += 1
        if source is not None:
            source.close()


class ProcessingThread(threading.Thread):
    """Landmarks for the newest frame, the controller fed with them, the picture to the screen.

    The controller's queued commands are applied here too, so the session is only ever
    touched by this thread.
    """

    def __init__(
        self,
        model_bytes: bytes,
        frames: LatestSlot[Arrival],
        display: LatestSlot[ScreenPicture],
        events: queue.Queue[SourceEvent],
        stats: PipelineStats,
        controller: SessionController,
        picture_ready: Callable[[], None],
    ) -> None:
        super().__init__(name="processing", daemon=True)
        self._detector = LandmarkDetector(model_bytes)  # load errors surface in the caller
        self._frames = frames
        self._display = display
        self._events = events
        self._stats = stats
        self._controller = controller
        #: told each time `display` holds a new picture (replaced when a new window takes over)
        self.picture_ready = picture_ready
        self._stopping = threading.Event()
        self._selector = FaceSelector()

    def stop(self) -> None:
        self._stopping.set()

    def _apply_source_events(self) -> None:
        while True:
            try:
                event = self._events.get_nowait()
            except queue.Empty:
                return
            self._controller.camera_changed(event.lost, event.message)

    def run(self) -> None:
        try:
            while not self._stopping.is_set():
                self._apply_source_events()
                arrival = self._frames.take(timeout_s=0.05)
                if arrival is None:
                    self._controller.tick(time.monotonic())
                    continue
                self._process(arrival)
        finally:
            self._detector.close()

    def _process(self, arrival: Arrival) -> None:
        image = arrival.frame.image_rgb
        faces = self._detector.detect(image)
        chosen = self._selector.choose(faces)
        self._controller.process(arrival.captured_at, image, faces, chosen)
        self._stats.processed_frames += 1
        self._display.put(ScreenPicture(image, arrival.captured_at, time.monotonic(), len(faces), chosen))
        self.picture_ready()


class LivePipeline:
    """Capture → processing (→ the controller) → display, started and stopped together."""

    def __init__(
        self,
        open_source: Callable[[], FrameSource],
        model_bytes: bytes,
        controller: SessionController,
        picture_ready: Callable[[], None] = lambda: None,
        retry_s: float = 1.0,
    ) -> None:
        """picture_ready: called on the processing thread each time `display` holds a new picture."""
        self.stats = PipelineStats()
        self.controller = controller
        self.display: LatestSlot[ScreenPicture] = LatestSlot()
        self._frames: LatestSlot[Arrival] = LatestSlot()
        self._events: queue.Queue[SourceEvent] = queue.Queue()
        self.processing = ProcessingThread(
            model_bytes, self._frames, self.display, self._events, self.stats, controller, picture_ready
        )
        self.capture = CaptureThread(open_source, self._frames, self._events, self.stats, retry_s)

    def start(self) -> None:
        self.processing.start()
        self.capture.start()

    def redirect(self, picture_ready: Callable[[], None]) -> None:
        """Tell another screen when a picture is ready (a window built anew takes over)."""
        self.processing.picture_ready = picture_ready

    def stop(self) -> None:
        self.capture.stop()
        self.processing.stop()
        self.capture.join(timeout=5)
        self.processing.join(timeout=5)

    def end_session(self, timeout_s: float = 2.0) -> bool:
        """Stop the session under way and wait until it has ended, so its records are kept;
        False if that took longer than `timeout_s`."""
        if not self.processing.is_alive():
            return True
        return self.controller.send(Stop(origin=Origin.APP)).wait(timeout_s)
