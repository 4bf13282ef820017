"""The one live session: steered by typed commands, followed through one stream of events.

Whoever steers (the patient's window, a therapist's view) sends a `commands.Command`;
whoever follows (the records, the sound, every window) subscribes to `events`. The
controller owns the session, applies the commands queued from any thread on the one thread
that feeds it pictures (the live pipeline's processing thread, or a test's loop), answers
each with `CommandApplied` or `CommandRefused`, and emits what the screen shows after every
picture and command. No Qt and no threads of its own: `docs/architecture.md` runs one on a
video file with no window at all.
"""

from __future__ import annotations

import queue
import threading
import traceback
from collections.abc import Callable
from typing import TypeVar

import numpy as np

from coach.base.errors import CoachError
from coach.base.i18n import tr
from coach.session import wording
from coach.session.coaching import CoachingSession
from coach.session.commands import Command, Start
from coach.session.events import (
    CameraChanged,
    CommandApplied,
    CommandRefused,
    EventStream,
    Problem,
    SessionStarted,
    SessionUpdated,
)
from coach.session.phases import SessionTiming

#: while no picture comes (a pause without a camera), the screen is brought up to date this often:
#: often enough for a countdown in whole seconds, rarely enough to cost nothing
TICK_S = 0.2

T = TypeVar("T")


class SessionController:
    """Runs one session after another for whoever sits in front of the camera."""

    def __init__(self, timing: SessionTiming | None = None, fps: float = 30.0) -> None:
        self.events = EventStream()
        self.timing = timing or SessionTiming()
        self.fps = fps
        #: the session under way, or the last one (finished); None before the first
        self.session: CoachingSession | None = None
        #: what started it: whose session it is and whether it is kept
        self.started_by: Start | None = None
        #: pictures on which the session failed (a bug): said on the stream, never frozen on
        self.failures = 0
        self._commands: queue.Queue[tuple[Command, threading.Event]] = queue.Queue()
        self._last_problem = ""
        self._ticked_at_s = float("-inf")

    # ----- from any thread ---------------------------------------------------------------------
    def send(self, command: Command) -> threading.Event:
        """Queue `command` for the session's thread; the returned event is set once it has been
        applied or refused (see the stream for which, and why)."""
        answered = threading.Event()
        self._commands.put((command, answered))
        return answered

    # ----- on the session's thread ---------------------------------------------------------------
    def apply_commands(self) -> None:
        """Apply every command sent so far, in order."""
        while True:
            try:
                command, answered = self._commands.get_nowait()
            except queue.Empty:
                return
            try:
                reason = self._guarded(lambda command=command: self._apply(command), tr(wording.NO_SESSION))
                self.events.emit(CommandApplied(command) if reason is None else CommandRefused(command, reason))
                self._show()
            finally:
                answered.set()

    def process(
        self, captured_at_s: float, image_rgb: np.ndarray, faces: list[np.ndarray], chosen: np.ndarray | None
    ) -> None:
        """One picture, with the faces found in it and the one measured (None: nobody)."""
        self.apply_commands()
        session, start = self.session, self.started_by
        if session is None or start is None:
            return
        if not session.started:  # its first picture: under way from now, told before anything it says
            self.events.emit(SessionStarted(session.serial, start.programme, start.patient_id, start.save_results,
                                            start.source_name))  # fmt: skip
        self._guarded(lambda: session.update(captured_at_s, image_rgb, faces, chosen), None)
        self._show()

    def tick(self, now_s: float) -> None:
        """No picture came: commands still apply, and the screen stays current (a pause)."""
        self.apply_commands()
        if now_s - self._ticked_at_s >= TICK_S:
            self._ticked_at_s = now_s
            self._show()

    def camera_changed(self, lost: bool, message: str) -> None:
        """The camera was lost (`message` says why, in the person's language), or is back."""
        session = self.session
        if session is not None:
            if lost:
                session.source_lost(message)
            else:
                session.source_back()
        self.events.emit(CameraChanged(lost, message))
        self._show()

    def report_problem(self, message: str) -> None:
        """Tell the stream about a problem the person should know of, once while it lasts."""
        if message != self._last_problem:
            self._last_problem = message
            self.events.emit(Problem(message))

    # ----- inside -----------------------------------------------------------------------------
    def _apply(self, command: Command) -> str | None:
        if isinstance(command, Start):
            if self.session is not None and not self.session.finished:
                return tr(wording.SESSION_UNDER_WAY)
            self.session = CoachingSession(command.programme, self.events.emit, self.timing, self.fps,
                                           command.keep_pictures, command.eyes_closed_cue)  # fmt: skip
            self.started_by = command
            return None
        if self.session is None:
            return tr(wording.NO_SESSION)
        return self.session.apply(command)

    def _guarded(self, work: Callable[[], T], otherwise: T) -> T:
        """`work`, or `otherwise` after telling what failed: a record that could not be written
        (the person's words), or a bug (said on screen and in the log) rather than a freeze."""
        try:
            return work()
        except CoachError as exc:
            self.failures += 1
            self.report_problem(str(exc))
        except Exception as exc:
            traceback.print_exc()
            self.failures += 1
            self.report_problem(wording.something_went_wrong(exc))
        return otherwise

    def _show(self) -> None:
        """What the screen shows now, to everyone following."""
        if self.session is not None:
            self.events.emit(SessionUpdated(self.session.view()))
