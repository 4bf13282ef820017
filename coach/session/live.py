"""The live pipeline: capture, processing and display on separate threads.

Capture (one thread) reads the camera, or a video played at its own frame rate, into a
one-frame slot: the newest frame wins, an older one not yet taken is dropped, never
queued, so when processing falls behind the picture stays current. Processing (a
second thread) takes the newest frame, finds the landmarks, runs the coaching session
and puts the result in a second one-frame slot for the screen. The GUI thread only
takes from that slot when told a frame is ready: it never waits on the camera or the
model. Every frame carries the monotonic time it was captured, so capture-to-display
latency is measured where it is shown.

No Qt here: the threads tell a `PipelineListener` what happened (a frame is ready, the
camera was lost or is back, a problem to show); the GUI's listener turns each call into
a Qt signal for its own thread.
"""

from __future__ import annotations

import queue
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import numpy as np

from coach.base.errors import CoachError, SourceError
from coach.base.i18n import tr
from coach.capture.sources import Frame, FrameSource
from coach.measure.landmarks import FaceSelector, LandmarkDetector
from coach.session.coaching import CoachingSession, SessionView

T = TypeVar("T")

#: what the GUI may ask of the session, applied on the processing thread
SESSION_COMMANDS = ("pause", "resume", "skip", "stop", "accept_rest")


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
class LiveFrame:
    frame: Frame
    captured_at: float  # time.monotonic() when the frame was read


@dataclass(frozen=True)
class DisplayFrame:
    """What the screen shows: the picture, the measured face, the session's state."""

    image_rgb: np.ndarray
    captured_at: float
    processed_at: float
    faces_seen: int
    face_px: np.ndarray | None
    view: SessionView | None


@dataclass
class PipelineStats:
    """Counters shared by the threads (each counter written by one thread only)."""

    offered_frames: int = 0
    dropped_for_processing: int = 0
    processed_frames: int = 0
    source_errors: int = 0
    #: frames on which the session failed (a record that could not be written, or a bug)
    session_errors: int = 0
    started_at: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class SourceEvent:
    lost: bool
    message: str


class PipelineListener:
    """Hears the live pipeline; called on its worker threads, so each call must return at once.

    Every method does nothing here: a listener overrides what it shows.
    """

    def frame_ready(self) -> None:
        """A new frame for the screen is in `LivePipeline.display` (the newest wins)."""

    def source_changed(self, event: SourceEvent) -> None:
        """The camera (or video) was lost, or is back; the session has been told already."""

    def problem(self, message: str) -> None:
        """Something went wrong behind the screen that the person should know; the session goes on."""


class CaptureThread(threading.Thread):
    """Reads frames into the slot; when the source fails, reports it and keeps trying
    to reopen it, so an unplugged camera comes back without restarting the app."""

    def __init__(
        self,
        open_source: Callable[[], FrameSource],
        slot: LatestSlot[LiveFrame],
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
            if self._slot.put(LiveFrame(frame, time.monotonic())):
                self._stats.dropped_for_processing += 1
        if source is not None:
            source.close()


class ProcessingThread(threading.Thread):
    """Landmarks and the coaching session for the newest frame, then hands it to display.

    Commands from the GUI (SESSION_COMMANDS, or starting a session) arrive on a queue and
    are applied here, so the session is only ever touched by this thread.
    """

    def __init__(
        self,
        model_bytes: bytes,
        frames: LatestSlot[LiveFrame],
        display: LatestSlot[DisplayFrame],
        events: queue.Queue[SourceEvent],
        stats: PipelineStats,
        listener: PipelineListener,
    ) -> None:
        super().__init__(name="processing", daemon=True)
        self._detector = LandmarkDetector(model_bytes)  # load errors surface in the caller
        self._frames = frames
        self._display = display
        self._events = events
        self._stats = stats
        self._listener = listener
        #: (command, its argument, set once it is applied)
        self._commands: queue.Queue[tuple[str, object, threading.Event | None]] = queue.Queue()
        self._stopping = threading.Event()
        self._selector = FaceSelector()
        self._last_problem = ""
        self.session: CoachingSession | None = None

    def stop(self) -> None:
        self._stopping.set()

    def command(self, name: str, argument: object = None, applied: threading.Event | None = None) -> None:
        """Ask for one of SESSION_COMMANDS or ("start", session); thread-safe. `applied` is set
        once the command has been carried out."""
        self._commands.put((name, argument, applied))

    def _apply_commands(self) -> None:
        while True:
            try:
                name, argument, applied = self._commands.get_nowait()
            except queue.Empty:
                return
            try:
                if name == "start":
                    assert isinstance(argument, CoachingSession)
                    self.session = argument
                elif self.session is not None and name in SESSION_COMMANDS:
                    getattr(self.session, name)()
            finally:
                if applied is not None:
                    applied.set()

    def _apply_source_events(self) -> None:
        while True:
            try:
                event = self._events.get_nowait()
            except queue.Empty:
                return
            if self.session is not None:
                if event.lost:
                    self.session.source_lost(event.message)
                else:
                    self.session.source_back()
            self._listener.source_changed(event)

    def run(self) -> None:
        try:
            while not self._stopping.is_set():
                self._apply_commands()
                self._apply_source_events()
                live = self._frames.take(timeout_s=0.05)
                if live is None:
                    if self.session is not None and self.session.paused:
                        # keep the screen's paused state current without frames
                        self._display.put(DisplayFrame(np.zeros((1, 1, 3), np.uint8), time.monotonic(),
                                                       time.monotonic(), 0, None, self.session.view()))  # fmt: skip
                        self._listener.frame_ready()
                        self._stopping.wait(0.2)
                    continue
                self._process(live)
        finally:
            self._detector.close()

    def _process(self, live: LiveFrame) -> None:
        image = live.frame.image_rgb
        faces = self._detector.detect(image)
        chosen = self._selector.choose(faces)
        view = None if self.session is None else self._update_session(self.session, live, faces, chosen)
        self._stats.processed_frames += 1
        self._display.put(DisplayFrame(image, live.captured_at, time.monotonic(), len(faces), chosen, view))
        self._listener.frame_ready()

    def _update_session(
        self, session: CoachingSession, live: LiveFrame, faces: list[np.ndarray], chosen: np.ndarray | None
    ) -> SessionView:
        """The session advanced by one frame; a failure is told (once while it lasts), never frozen on."""
        try:
            return session.update(live.captured_at, live.frame.image_rgb, faces, chosen)
        except CoachError as exc:  # e.g. the store cannot be written: say so, keep going
            self._report_problem(str(exc))
        except Exception as exc:  # a bug: say so on screen and in the log, rather than freeze
            traceback.print_exc()
            self._report_problem(
                tr(
                    "Something went wrong inside the coach ({error}). What was saved is safe; "
                    "please stop the session, restart FaceCoach and report this.",
                    error=f"{type(exc).__name__}: {exc}",
                )
            )
        return session.view()

    def _report_problem(self, message: str) -> None:
        self._stats.session_errors += 1
        if message != self._last_problem:
            self._last_problem = message
            self._listener.problem(message)


class LivePipeline:
    """Capture → processing → display, started and stopped together."""

    def __init__(
        self,
        open_source: Callable[[], FrameSource],
        model_bytes: bytes,
        listener: PipelineListener | None = None,
        retry_s: float = 1.0,
    ) -> None:
        self.stats = PipelineStats()
        self.display: LatestSlot[DisplayFrame] = LatestSlot()
        self._frames: LatestSlot[LiveFrame] = LatestSlot()
        self._events: queue.Queue[SourceEvent] = queue.Queue()
        self.processing = ProcessingThread(
            model_bytes, self._frames, self.display, self._events, self.stats, listener or PipelineListener()
        )
        self.capture = CaptureThread(open_source, self._frames, self._events, self.stats, retry_s)

    def start(self) -> None:
        self.processing.start()
        self.capture.start()

    def stop(self) -> None:
        self.capture.stop()
        self.processing.stop()
        self.capture.join(timeout=5)
        self.processing.join(timeout=5)

    def command(self, name: str, argument: object = None) -> None:
        self.processing.command(name, argument)

    def end_session(self, timeout_s: float = 2.0) -> bool:
        """Stop the session under way and wait until it has ended, so its listener has kept
        everything; False if that took longer than `timeout_s`."""
        if not self.processing.is_alive():
            return True
        ended = threading.Event()
        self.processing.command("stop", applied=ended)
        return ended.wait(timeout_s)
