"""Speech: short prompts said by a speech program installed on the computer, when there is one."""

from __future__ import annotations

import io
import math
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import wave
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from coach.sound.outputs import SoundOutput


class Speaker:
    """Says short prompts through a speech program (the text is its last argument).

    Non-blocking. When the program can write the speech as WAV to stdout (`render`, the
    arguments that make it do so, e.g. espeak-ng's `--stdout`) and `output` is available,
    it renders each prompt on a background thread and the samples play through `output`:
    the volume setting applies and speech comes from the same device as the tones.
    Otherwise (spd-say, macOS say, or no working output) the program plays on its own.

    A new prompt ends an utterance still rendering or playing (stale prompts are worse
    than none). Never raises: if the program cannot start, or fails twice in a row (exits
    with an error, e.g. spd-say without a speech server, or writes no readable WAV), the
    speaker becomes unavailable with the reason, so the coach falls back to tones.
    """

    MAX_FAILURES = 2

    def __init__(
        self,
        command: Sequence[str],
        name: str | None = None,
        *,
        render: Sequence[str] = (),
        output: SoundOutput | None = None,
    ) -> None:
        if not command:
            raise ValueError("speech command is empty")
        self.command = list(command)
        self.name = name or Path(self.command[0]).name
        self.render = list(render)
        self.output = output
        self.available = True
        self.failure: str | None = None
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None  # playing on its own
        self._rendering: subprocess.Popen[bytes] | None = None  # writing WAV for `output`
        self._utterance = 0  # counts ended utterances, so a rendering that ended meanwhile is not played
        self._playing_until = -math.inf  # when the rendered speech handed to `output` ends (monotonic)
        self._dying: list[subprocess.Popen[bytes]] = []
        self._failures = 0

    @property
    def description(self) -> str:
        """The program, or why it is not used."""
        return self.name if self.failure is None else f"{self.name} failed: {self.failure}"

    @property
    def speaking(self) -> bool:
        """Whether an utterance is still being rendered or said (polled, never waited for)."""
        with self._lock:
            if self._rendering is not None or time.monotonic() < self._playing_until:
                return True
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
            output = self.output if self.render and self.output is not None and self.output.available else None
            rendered = output is not None
            try:
                process = subprocess.Popen(
                    [*self.command, *(self.render if rendered else ()), text],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE if rendered else subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=os.name == "posix",  # its own group, so helpers it starts die with it
                )
            except (OSError, ValueError, subprocess.SubprocessError) as exc:
                self._fail(f"cannot run it ({exc})")
                return False
            if rendered:
                self._rendering = process
                worker = threading.Thread(
                    target=self._play_rendered, args=(process, self._utterance, output), name="speech", daemon=True
                )
                worker.start()
            else:
                self._process = process
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

    def _play_rendered(self, process: subprocess.Popen[bytes], utterance: int, output: SoundOutput) -> None:
        """Background thread: read the program's WAV, then play it unless the utterance has ended meanwhile."""
        assert process.stdout is not None
        with process.stdout:
            try:
                data = process.stdout.read()
            except (OSError, ValueError):  # the pipe broke
                data = b""
        status = process.wait()
        sound = _read_wav(data) if status == 0 else None
        with self._lock:
            if utterance != self._utterance:
                return  # replaced or stopped: the killed program is reaped with the others
            self._rendering = None
            if status != 0:
                self._note_failure(f"exit status {status}")
            elif sound is None:
                self._note_failure("it wrote no readable WAV")
            else:
                self._failures = 0
                samples, rate = sound
                output.play(_as_loud_as_the_tones(samples), rate)
                self._playing_until = time.monotonic() + len(samples) / rate

    def _fail(self, reason: str) -> None:
        self.available = False
        self.failure = reason

    def _note_failure(self, reason: str) -> None:
        self._failures += 1
        if self._failures >= self.MAX_FAILURES:
            self._fail(reason)

    def _end_current(self) -> None:
        """End the running utterance, or learn how the finished one ended (lock held)."""
        self._dying = [p for p in self._dying if p.poll() is None]
        self._utterance += 1
        rendering, self._rendering = self._rendering, None
        if rendering is not None and rendering.poll() is None:
            self._kill(rendering)
            self._dying.append(rendering)
        if time.monotonic() < self._playing_until and self.output is not None:
            self.output.stop()
        self._playing_until = -math.inf
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
            self._note_failure(f"exit status {status}")

    @staticmethod
    def _kill(process: subprocess.Popen[bytes]) -> None:
        try:
            if os.name == "posix":
                os.killpg(process.pid, signal.SIGKILL)
            else:
                process.kill()
        except OSError:
            pass  # it ended meanwhile


#: the loudest a spoken prompt plays (the tones peak at 0.3): a patient who set the volume
#: for the beeps is not startled by the voice
SPEECH_PEAK = 0.45


def _as_loud_as_the_tones(samples: np.ndarray) -> np.ndarray:
    """Speech scaled down (never up) to peak at SPEECH_PEAK."""
    peak = float(np.max(np.abs(samples))) if len(samples) else 0.0
    return samples * (SPEECH_PEAK / peak) if peak > SPEECH_PEAK else samples


def _read_wav(data: bytes) -> tuple[np.ndarray, int] | None:
    """Mono float samples and rate from 16-bit PCM WAV bytes, or None if they are not that.

    A program writing WAV to a pipe cannot seek back to fill in the length, so the header's
    length is ignored: the samples are whatever follows it.
    """
    try:
        with wave.open(io.BytesIO(data)) as wav:
            channels, rate = wav.getnchannels(), wav.getframerate()
            if wav.getsampwidth() != 2 or channels < 1 or rate < 1:
                return None
            raw = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError):
        return None
    pcm = np.frombuffer(raw[: len(raw) // (2 * channels) * (2 * channels)], dtype="<i2")
    return (pcm.reshape(-1, channels).mean(axis=1) / 32768).astype(np.float32), rate


#: speech programs tried in order: the arguments before the text, and those that make it write WAV to stdout
SPEECH_PROGRAMS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("espeak-ng", ("-s", "150"), ("--stdout",)),  # a little slower than the default 175 words/min
    ("espeak", ("-s", "150"), ("--stdout",)),
    ("spd-say", ("-w",), ()),  # wait, so `speaking` is true while it speaks; new text cancels old
)
#: how each program is told the language to speak
LANGUAGE_OPTION = {"espeak-ng": "-v", "espeak": "-v", "spd-say": "-l"}
#: the voice setting that means "no speech, tones only"
TONES_ONLY = "tones"


def _programs() -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    programs = list(SPEECH_PROGRAMS)
    if sys.platform == "darwin":
        programs.append(("say", (), ()))
    return programs


def available_voices(search_path: str | None = None) -> list[str]:
    """The speech programs found on this computer, in the order they are preferred."""
    return [name for name, _arguments, _render in _programs() if shutil.which(name, path=search_path)]


def find_speaker(
    search_path: str | None = None,
    output: SoundOutput | None = None,
    *,
    language: str = "en",
    voice: str = "",
) -> Speaker | None:
    """The speech program chosen (`voice`; "" = the first found, "tones" = none), speaking
    `language`, or None; it plays through `output` if it can.

    macOS `say` is used on macOS only (elsewhere a `say` may be something else) and speaks
    the system's language. Windows speech (PowerShell System.Speech) is not supported:
    tones are used there.
    """
    if voice == TONES_ONLY:
        return None
    for name, arguments, render in _programs():
        if voice and name != voice:
            continue
        path = shutil.which(name, path=search_path)
        if path:
            option = LANGUAGE_OPTION.get(name)
            spoken = (option, language) if option else ()
            return Speaker([path, *arguments, *spoken], name=name, render=render, output=output)
    return None
