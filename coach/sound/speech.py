"""Speech: short prompts said by a speech program installed on the computer, when there is one."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path


class Speaker:
    """Says short prompts through a speech program (the text is its last argument).

    Non-blocking: the program runs on its own while the coach goes on. A new prompt kills
    an utterance still running (stale prompts are worse than none). Never raises: if the
    program cannot start, or exits with an error twice in a row (e.g. espeak-ng without a
    sound device), the speaker becomes unavailable with the reason, so the coach falls
    back to tones.
    """

    MAX_FAILURES = 2

    def __init__(self, command: Sequence[str], name: str | None = None) -> None:
        if not command:
            raise ValueError("speech command is empty")
        self.command = list(command)
        self.name = name or Path(self.command[0]).name
        self.available = True
        self.failure: str | None = None
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._dying: list[subprocess.Popen[bytes]] = []
        self._failures = 0

    @property
    def description(self) -> str:
        """The program, or why it is not used."""
        return self.name if self.failure is None else f"{self.name} failed: {self.failure}"

    @property
    def speaking(self) -> bool:
        """Whether an utterance is still running (polled, never waited for)."""
        with self._lock:
            return self._process is not None and self._process.poll() is None

    def say(self, text: str) -> bool:
        """Start saying `text`, replacing anything still being said; False if it could not start."""
        text = " ".join(str(text).split()).lstrip("-")  # one line; a leading '-' would read as an option
        if not text:
            return False
        with self._lock:
            self._end_current()
            if not self.available:
                return False
            try:
                self._process = subprocess.Popen(
                    [*self.command, text],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=os.name == "posix",  # its own group, so helpers it starts die with it
                )
            except (OSError, ValueError, subprocess.SubprocessError) as exc:
                self._fail(f"cannot run it ({exc})")
                return False
            return True

    def stop(self) -> None:
        """Silence the current utterance, if any."""
        with self._lock:
            self._end_current()

    def close(self) -> None:
        """Stop speaking and reap the killed programs (briefly waits; call when closing)."""
        with self._lock:
            self._end_current()
            for process in self._dying:
                try:
                    process.wait(timeout=0.5)
                except (subprocess.TimeoutExpired, OSError):
                    pass
            self._dying.clear()

    def _fail(self, reason: str) -> None:
        self.available = False
        self.failure = reason

    def _end_current(self) -> None:
        """Kill the running utterance, or learn how the finished one ended (lock held)."""
        self._dying = [p for p in self._dying if p.poll() is None]
        process, self._process = self._process, None
        if process is None:
            return
        status = process.poll()
        if status is None:
            self._kill(process)
            self._dying.append(process)  # reaped by a later poll, so no zombie and no ResourceWarning
        elif status == 0:
            self._failures = 0
        else:
            self._failures += 1
            if self._failures >= self.MAX_FAILURES:
                self._fail(f"exit status {status}")

    @staticmethod
    def _kill(process: subprocess.Popen[bytes]) -> None:
        try:
            if os.name == "posix":
                os.killpg(process.pid, signal.SIGKILL)
            else:
                process.kill()
        except OSError:
            pass  # it ended meanwhile


#: speech programs tried in order, with the arguments before the text
SPEECH_PROGRAMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("espeak-ng", ("-s", "150")),  # a little slower than the default 175 words/min
    ("espeak", ("-s", "150")),
    ("spd-say", ("-w",)),  # wait, so `speaking` is true while it speaks; new text cancels old
)


def find_speaker(search_path: str | None = None) -> Speaker | None:
    """The first speech program on the PATH (or on `search_path`), or None.

    macOS `say` is used on macOS only (elsewhere a `say` may be something else). Windows
    speech (PowerShell System.Speech) is not supported: tones are used there.
    """
    programs = list(SPEECH_PROGRAMS)
    if sys.platform == "darwin":
        programs.append(("say", ()))
    for name, arguments in programs:
        path = shutil.which(name, path=search_path)
        if path:
            return Speaker([path, *arguments], name=name)
    return None
