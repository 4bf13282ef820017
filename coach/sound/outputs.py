"""Where sounds go: the sound card, nowhere (with the reason why), or memory for tests.

Missing audio is never an error: without the audio library, without an output device or
when a device is lost mid-session, the output reports itself unavailable with a reason
for the status bar and plays nothing.
"""

from __future__ import annotations

import atexit
import math
import threading
import time
import wave
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from coach.base.i18n import N_, tr
from coach.sound.tones import SAMPLE_RATE, sequence


def _resample(samples: np.ndarray, rate: int, to_rate: int) -> np.ndarray:
    """Linear resampling: good enough for tones and speech, and needs nothing beyond numpy."""
    if rate == to_rate or not len(samples):
        return samples
    n = round(len(samples) * to_rate / rate)
    source_times = np.arange(len(samples)) / rate
    return np.interp(np.arange(n) / to_rate, source_times, samples).astype(np.float32)


class SoundOutput:
    """Where sounds go. `play` never blocks and never raises: no audio is not an error.

    `available` says whether anything will be heard; `description` names the device, or
    says why there is no sound (for the status bar). `volume` scales every sound played
    from then on (the user's setting).
    """

    available: bool = False
    description: str = ""
    _volume: float = 1.0

    @property
    def volume(self) -> float:
        """Loudness from 0.0 (silent) to 1.0 (the sounds as generated, the default)."""
        return self._volume

    @volume.setter
    def volume(self, value: float) -> None:
        value = float(value)
        if math.isnan(value):
            raise ValueError("volume is not a number")
        self._volume = min(max(value, 0.0), 1.0)

    def play(self, samples: np.ndarray, sample_rate: int) -> None:
        """Start playing mono float samples (-1 to 1) and return at once."""
        raise NotImplementedError

    def stop(self) -> None:
        """Silence the sound still playing, if any (the device stays open)."""

    def close(self) -> None:
        """Stop and release the device; later plays do nothing."""

    def _prepare(self, samples: np.ndarray) -> np.ndarray:
        """A new float32 copy, mono, clipped to -1..1 as a device would, at the volume."""
        data = np.clip(np.asarray(samples, dtype=np.float32).ravel(), -1.0, 1.0)
        return data * np.float32(self._volume)


class NullOutput(SoundOutput):
    """No sound, with the reason why (shown to the user instead of failing)."""

    def __init__(self, reason: str) -> None:
        self.available = False
        self.description = reason

    def play(self, samples: np.ndarray, sample_rate: int) -> None:
        """Nothing to play on."""


class MiniaudioOutput(SoundOutput):
    """The default output device through `miniaudio` (PulseAudio, ALSA or JACK on Linux, WASAPI, CoreAudio).

    miniaudio ships as a wheel and loads the system's sound libraries when it opens a
    device, so sound works from `pip install` alone (PortAudio could not be installed by
    pip). One device stays open for the session, fed by a generator that plays the queued
    sound and silence between sounds: opening a device per beep would cost more than the
    ~100 ms within which feedback must be heard. A new sound cuts off one still playing.

    Never raises: without the library, a backend or a device the output is unavailable
    with the reason. Backends do not reliably report a device lost mid-session (a stopped
    sound server just stops asking for samples), so the device counts as lost while it has
    not asked for samples for STALL_S, and as back if it asks again. `module` stands in
    for the `miniaudio` module (None: import it); `clock` is the clock that measures that.
    """

    #: how much the device asks for at a time; from `play` to the sound server took about 35 ms with 20
    #: (tests/test_sound_sink.py), and smaller periods call Python more often on the audio thread
    PERIOD_MS = 20
    #: longer than a sound server takes to start a stream (a Bluetooth sink or PulseAudio's null sink take up to 2 s)
    STALL_S = 3.0
    NO_DEVICE = N_("no audio output device (no sound server or sound card found)")
    LOST = N_("audio output stopped (device unplugged, or the sound server stopped)")

    def __init__(
        self, module: Any = None, *, sample_rate: int = SAMPLE_RATE, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.sample_rate = sample_rate
        self._clock = clock
        self._lock = threading.Lock()
        self._queue = np.zeros(0, dtype=np.float32)
        self._device: Any = None
        self._backend = ""
        self._problem = ""  # why there is no sound for good; "" while the device is open
        self._fed_at = clock()
        if module is None:
            try:
                import miniaudio as module
            except ImportError:
                self._problem = N_("no audio library (the miniaudio package is not installed)")
                return
            except Exception as exc:  # installed but broken (e.g. a damaged binary)
                self._problem = tr("no audio library (miniaudio: {problem})", problem=f"{type(exc).__name__}: {exc}")
                return
        try:
            device = module.PlaybackDevice(
                output_format=module.SampleFormat.FLOAT32,
                nchannels=1,
                sample_rate=sample_rate,
                buffersize_msec=self.PERIOD_MS,
                app_name="Facial Symmetry Coach",  # how sound settings (e.g. pavucontrol) name us
            )
        except module.MiniaudioError:  # no sound server answered and no sound card could be opened
            self._problem = self.NO_DEVICE
            return
        except Exception as exc:  # not a missing device: a broken library or binding, so say what
            self._problem = tr("audio output could not be opened ({problem})", problem=f"{type(exc).__name__}: {exc}")
            return
        if str(device.backend).lower() == "null":  # miniaudio's last resort: plays into nothing
            device.close()
            self._problem = self.NO_DEVICE
            return
        feed = self._feed()
        next(feed)
        device.stop_callback = self._on_stopped
        try:
            device.start(feed)
        except Exception as exc:
            device.close()
            self._problem = tr("audio output could not start ({problem})", problem=exc)
            return
        self._device = device
        self._backend = str(device.backend)
        # closed before the interpreter shuts down: later, the audio thread can no longer run
        # Python and closing the device would wait for it forever (the process would not exit)
        atexit.register(self.close)

    @property
    def available(self) -> bool:
        """Whether the device is open and still asking for samples."""
        return not self._why_silent()

    @property
    def description(self) -> str:
        """The backend, or why there is no sound."""
        return tr(self._why_silent()) or tr("audio output: {backend}", backend=self._backend)

    def play(self, samples: np.ndarray, sample_rate: int) -> None:
        """Queue the sound in place of anything still playing; the device picks it up within PERIOD_MS."""
        if not self.available:
            return
        data = _resample(self._prepare(samples), int(sample_rate), self.sample_rate)
        with self._lock:
            self._queue = data

    def stop(self) -> None:
        """Drop what is still queued: silent within PERIOD_MS."""
        with self._lock:
            self._queue = np.zeros(0, dtype=np.float32)

    def close(self) -> None:
        """Stop and release the device; errors here are as harmless as everywhere else."""
        with self._lock:
            device, self._device = self._device, None
            self._problem = N_("audio output closed")
            self._queue = np.zeros(0, dtype=np.float32)
        atexit.unregister(self.close)
        if device is not None:
            try:
                device.close()  # waits for the audio thread, which takes our lock: not held here
            except Exception:
                pass

    def _why_silent(self) -> str:
        with self._lock:
            if self._problem:
                return self._problem
            if self._clock() - self._fed_at > self.STALL_S:
                return self.LOST
            return ""

    def _on_stopped(self) -> None:
        """The device stopped on its own (when the backend says so; `close` sets its reason first)."""
        with self._lock:
            self._problem = self._problem or self.LOST

    def _feed(self) -> Generator[bytes, int, None]:
        """What the device plays: the queued sound, then silence. Runs on the audio thread, so it never raises."""
        frames = yield b""
        while True:
            with self._lock:
                now = self._clock()
                if now - self._fed_at > self.STALL_S:  # back after being lost: what was queued is stale
                    self._queue = self._queue[:0]
                self._fed_at = now
                chunk, self._queue = self._queue[:frames], self._queue[frames:]
            if len(chunk) < frames:
                chunk = np.concatenate((chunk, np.zeros(frames - len(chunk), dtype=np.float32)))
            frames = yield chunk.tobytes()


@dataclass(frozen=True)
class PlayedSound:
    """One sound handed to a RecordingOutput, and when (`time_s` on its clock)."""

    time_s: float
    samples: np.ndarray
    sample_rate: int


class RecordingOutput(SoundOutput):
    """Keeps every sound in memory instead of playing it: for tests and for checking the sound."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.available = True
        self.description = tr("recording (not played)")
        self._clock = clock
        self._lock = threading.Lock()
        self._played: list[PlayedSound] = []

    @property
    def played(self) -> list[PlayedSound]:
        """A copy of what was played so far, oldest first."""
        with self._lock:
            return list(self._played)

    def play(self, samples: np.ndarray, sample_rate: int) -> None:
        """Record a copy at the volume, as a device would play it (the caller may reuse its buffer)."""
        sound = PlayedSound(self._clock(), self._prepare(samples), int(sample_rate))
        with self._lock:
            self._played.append(sound)

    def clear(self) -> None:
        """Forget what was recorded."""
        with self._lock:
            self._played.clear()

    def write_wav(self, path: str | Path, gap_s: float = 0.1) -> int:
        """Write everything played, one after another with `gap_s` of silence between, as 16-bit mono WAV.

        The rate is that of the first sound (others are resampled linearly); returns the
        number of frames written.
        """
        played = self.played
        rate = played[0].sample_rate if played else SAMPLE_RATE
        parts: list[np.ndarray | float] = []
        for i, sound in enumerate(played):
            if i:
                parts.append(gap_s)
            parts.append(_resample(sound.samples, sound.sample_rate, rate))
        data = sequence(parts, rate)
        pcm = np.round(np.clip(data, -1.0, 1.0) * 32767).astype("<i2")
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
            out.writeframes(pcm.tobytes())
        return len(pcm)


def open_sound_output() -> SoundOutput:
    """The default sound device if there is one, else a NullOutput saying why."""
    output = MiniaudioOutput()
    return output if output.available else NullOutput(output.description)
