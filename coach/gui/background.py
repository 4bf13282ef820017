"""Work that takes seconds (analysing a video, writing a PDF) off the GUI thread.

`BackgroundTasks.run(work, done, failed)` runs `work` on a worker thread; `done(result)`
or `failed(error)` then runs on the GUI thread, carried there by a queued Qt signal, so
the window never waits and no widget is touched from another thread. Every failure is
handed to `failed`, none crashes the app.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal


class BackgroundTasks(QObject):
    """The worker threads of one window. Make it on the GUI thread, as the window's child."""

    _finished = Signal(int, object, object)  # task number, result, error

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._numbers = itertools.count(1)
        self._waiting: dict[int, tuple[Callable[[Any], None], Callable[[BaseException], None]]] = {}
        self._threads: list[threading.Thread] = []
        self._finished.connect(self._finish)

    @property
    def busy(self) -> bool:
        """Whether a task has not reported back yet."""
        return bool(self._waiting)

    def run(
        self, work: Callable[[], Any], done: Callable[[Any], None], failed: Callable[[BaseException], None]
    ) -> None:
        """Run `work` on a thread; `done` or `failed` then runs on the GUI thread."""
        number = next(self._numbers)
        self._waiting[number] = (done, failed)

        def run() -> None:
            result: Any = None
            error: BaseException | None = None
            try:
                result = work()
            except BaseException as exc:  # every failure is shown, none crashes the app
                error = exc
            try:
                self._finished.emit(number, result, error)
            except RuntimeError:  # the window was closed meanwhile
                pass

        self._threads = [thread for thread in self._threads if thread.is_alive()]
        thread = threading.Thread(target=run, name=f"background-task-{number}", daemon=True)
        self._threads.append(thread)
        thread.start()

    def wait(self, timeout_s: float) -> None:
        """Wait (at most `timeout_s` for each) for the threads still running, e.g. on closing."""
        for thread in self._threads:
            thread.join(timeout=timeout_s)

    def _finish(self, number: int, result: Any, error: BaseException | None) -> None:
        done, failed = self._waiting.pop(number, (None, None))
        if done is None or failed is None:
            return
        if error is None:
            done(result)
        else:
            failed(error)
