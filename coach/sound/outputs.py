"""Where sounds go: the sound card, nowhere (with the reason why), or memory for tests.

Missing audio is never an error: without PortAudio, without an output device or when a
device is unplugged mid-session, the output reports itself unavailable with a reason for
the status bar and plays nothing.
"""

from __future__ import annotations

import threading
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from coach.sound.tones import SAMPLE_RATE, sequence


class SoundOutput:
    """Where sounds go. `play` never blocks and never raises: no audio is not an error.

    `available` says whether anything will be heard; `description` names the device, or
    says why there is no sound (for the status bar).
    """

    available: bool = False
    description: str = ""

    def play(self, samples: np.ndarray, sample_rate: int) -> None:
        """Start playing mono float samples (-1 to 1) and return at once."""
        raise NotImplementedError

    def close(self) -> None:
        """Stop and release the device; later plays do nothing."""


class NullOutput(SoundOutput):
    """No sound, with the reason why (shown to the user instead of failing)."""

    def __init__(self, reason: str) -> None:
        self.available = False
        self.description = reason

    def play(self, samples: np.ndarray, sample_rate: int) -> None:
        """Nothing to play on."""


class SoundDeviceOutput(SoundOutput):
    """The default output device through `sounddevice` (PortAudio).

    A new sound cuts off one still playing (`sounddevice.play` semantics). Any failure
    (library missing, no device, device unplugged mid-session) makes the output
    unavailable with the reason instead of raising. `module` stands in for the
    `sounddevice` module (None: import it).
    """

    def __init__(self, module: Any = None) -> None:
        self.available = False
        self.description = ""
        self._sd: Any = None
        self._lock = threading.Lock()
        if module is None:
            try:
                import sounddevice as module
            except OSError:  # sounddevice loads the PortAudio library when imported
                self.description = "no audio library (PortAudio) found"
                return
            except Exception as exc:  # not installed, or broken
                self.description = f"no audio library ({type(exc).__name__}: {exc})"
                return
        try:
            device = module.query_devices(kind="output")
        except Exception:  # PortAudioError / ValueError when there is no default output
            self.description = "no audio output device"
            return
        if not device or int(device.get("max_output_channels", 0)) < 1:
            self.description = "no audio output device"
            return
        self._sd = module
        self.available = True
        self.description = f"audio output: {device.get('name', 'default device')}"

    def play(self, samples: np.ndarray, sample_rate: int) -> None:
        """Start playback; on any error from the library, stop trying and say why."""
        if not self.available:
            return
        data = np.ascontiguousarray(np.clip(samples, -1.0, 1.0), dtype=np.float32)
        with self._lock:
            if not self.available:
                return
            try:
                self._sd.play(data, int(sample_rate))
            except Exception as exc:
                self.available = False
                self.description = f"audio output failed: {exc}"

    def close(self) -> None:
        """Stop playback; errors here are as harmless as everywhere else."""
        with self._lock:
            if self._sd is not None and self.available:
                try:
                    self._sd.stop()
                except Exception:
                    pass
            self.available = False
            self.description = "audio output closed"


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
        self.description = "recording (not played)"
        self._clock = clock
        self._lock = threading.Lock()
        self._played: list[PlayedSound] = []

    @property
    def played(self) -> list[PlayedSound]:
        """A copy of what was played so far, oldest first."""
        with self._lock:
            return list(self._played)

    def play(self, samples: np.ndarray, sample_rate: int) -> None:
        """Record a copy (the caller may reuse its buffer)."""
        sound = PlayedSound(self._clock(), np.array(samples, dtype=np.float32).ravel(), int(sample_rate))
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
            samples = sound.samples
            if sound.sample_rate != rate and len(samples):
                n = round(len(samples) * rate / sound.sample_rate)
                source_times = np.arange(len(samples)) / sound.sample_rate
                samples = np.interp(np.arange(n) / rate, source_times, samples).astype(np.float32)
            parts.append(samples)
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
    output = SoundDeviceOutput()
    return output if output.available else NullOutput(output.description)
