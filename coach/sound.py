"""Audible coaching: prompts and eye-closure feedback the patient can follow with eyes shut.

During eye-closure exercises the patient cannot look at the screen, so everything the
coach shows must also be heard: spoken prompts (start, hold, relax, done) when a speech
synthesiser is installed, otherwise short tone patterns we generate ourselves, and a
beep whose pitch follows how far the eyes are closed and which turns rough when they
close unevenly.

Missing audio is never an error: without PortAudio, without an output device or when a
device is unplugged mid-session, the output reports itself unavailable with a reason for
the status bar and plays nothing. No Qt here: this runs on the worker thread.
"""

from __future__ import annotations

import math
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import wave
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from coach.engine import symmetry

SAMPLE_RATE = 22050
#: raised-cosine fade at both ends of every tone, so no tone starts or stops with a click
FADE_S = 0.01

# Notes (Hz, equal temperament, A4 = 440) the prompt patterns are built from.
A3 = 220.0
E4 = 329.63
A4 = 440.0
C5 = 523.25
E5 = 659.26
G5 = 783.99
A5 = 880.0
E6 = 1318.51

PROMPT_KINDS = ("start", "hold", "relax", "done", "warning", "good")


# ---------------------------------------------------------------- tone synthesis


def _fade_envelope(n: int, fade_n: int) -> np.ndarray:
    """Raised-cosine ramps at both ends: a tone starting or ending at full level clicks."""
    envelope = np.ones(n)
    fade_n = min(fade_n, n // 2)
    if fade_n > 0:
        ramp = 0.5 * (1.0 - np.cos(np.pi * np.arange(fade_n) / fade_n))
        envelope[:fade_n] = ramp
        envelope[n - fade_n :] = ramp[::-1]
    return envelope


def tone(
    frequency_hz: float,
    duration_s: float,
    volume: float = 0.3,
    sample_rate: int = SAMPLE_RATE,
    *,
    harmonics: Sequence[float] = (),
    fade_s: float = FADE_S,
) -> np.ndarray:
    """One note, float32 mono, peak about `volume`, faded in and out so it does not click.

    `harmonics` are the relative amplitudes of the 2nd, 3rd… partials: low notes need them
    to be heard at all on laptop speakers. The fundamental stays the strongest partial as
    long as each amplitude is below 1.
    """
    if not 0 < frequency_hz < sample_rate / 2:
        raise ValueError(f"frequency {frequency_hz} Hz is not between 0 and {sample_rate / 2} Hz")
    if duration_s < 0:
        raise ValueError(f"duration {duration_s} s is negative")
    n = round(duration_s * sample_rate)
    t = np.arange(n) / sample_rate
    wave_ = np.sin(2 * np.pi * frequency_hz * t)
    total = 1.0
    for order, amplitude in enumerate(harmonics, start=2):
        if order * frequency_hz < sample_rate / 2:
            wave_ += amplitude * np.sin(2 * np.pi * order * frequency_hz * t)
            total += abs(amplitude)
    wave_ *= (volume / total) * _fade_envelope(n, round(fade_s * sample_rate))
    return wave_.astype(np.float32)


def chime(
    frequency_hz: float = E6, duration_s: float = 0.35, volume: float = 0.3, sample_rate: int = SAMPLE_RATE
) -> np.ndarray:
    """A bright, quickly decaying bell-like note: the "well done" sound, unlike any beep."""
    n = round(duration_s * sample_rate)
    t = np.arange(n) / sample_rate
    wave_ = np.zeros(n)
    # (partial, amplitude, decay time): upper partials die away first, as on a bell
    for order, amplitude, decay_s in ((1, 1.0, 0.12), (2, 0.4, 0.06), (3, 0.2, 0.04)):
        if order * frequency_hz < sample_rate / 2:
            wave_ += amplitude * np.sin(2 * np.pi * order * frequency_hz * t) * np.exp(-t / decay_s)
    wave_ *= _fade_envelope(n, round(FADE_S * sample_rate))  # no click at either end
    peak = float(np.max(np.abs(wave_))) if n else 0.0
    if peak > 0:
        wave_ *= volume / peak
    return wave_.astype(np.float32)


def silence(duration_s: float, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """A pause between notes (notes need gaps to be heard as separate notes)."""
    return np.zeros(max(0, round(duration_s * sample_rate)), dtype=np.float32)


def sequence(parts: Iterable[np.ndarray | float], sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Join sounds one after another; a number in `parts` is a silence of that many seconds."""
    pieces = [
        silence(part, sample_rate) if isinstance(part, int | float) else np.asarray(part, dtype=np.float32)
        for part in parts
    ]
    return np.concatenate(pieces).astype(np.float32) if pieces else np.zeros(0, dtype=np.float32)


def mix(*sounds: np.ndarray) -> np.ndarray:
    """Play sounds at the same time (summed, the shorter ones padded with silence)."""
    length = max((len(s) for s in sounds), default=0)
    total = np.zeros(length, dtype=np.float32)
    for s in sounds:
        total[: len(s)] += s
    return total


def prompt_tones(kind: str, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """The tone pattern for a prompt, used when no speech synthesiser can say it.

    Each kind has its own shape so they can be told apart without looking:
    start = two notes going up (C5→G5), hold = one steady note (E5, longer),
    relax = the same two notes going down (G5→C5, softer and slower),
    done = three notes going up (C–E–G arpeggio), warning = two short low notes (A3),
    good = a bright chime (E6).
    """
    v = 0.3
    if kind == "start":
        parts: list[np.ndarray | float] = [tone(C5, 0.15, v, sample_rate), 0.05, tone(G5, 0.22, v, sample_rate)]
    elif kind == "hold":
        parts = [tone(E5, 0.5, v, sample_rate)]
    elif kind == "relax":
        parts = [tone(G5, 0.2, 0.8 * v, sample_rate), 0.08, tone(C5, 0.32, 0.8 * v, sample_rate)]
    elif kind == "done":
        parts = [tone(C5, 0.12, v, sample_rate), 0.04, tone(E5, 0.12, v, sample_rate), 0.04]
        parts += [tone(G5, 0.3, v, sample_rate)]
    elif kind == "warning":
        low = tone(A3, 0.1, v, sample_rate, harmonics=(0.5, 0.3))
        parts = [low, 0.08, low]
    elif kind == "good":
        parts = [chime(E6, 0.35, v, sample_rate)]
    else:
        raise ValueError(f"unknown prompt kind {kind!r}; expected one of {', '.join(PROMPT_KINDS)}")
    return sequence(parts, sample_rate)


# ---------------------------------------------------------------- eye-closure sonification


class EyeClosureSonifier:
    """Turns the eyes' closure into a beep every 0.4 s that the patient hears with eyes shut.

    What the beeps mean (for explaining to users); closure is 0 with the eyes open as at
    rest and 1 fully closed:

    - Pitch follows how far the eyes are closed (the mean of both): 330 Hz (E4) open,
      rising smoothly to 880 Hz (A5) closed — the higher the beep, the more closed. The
      rise is even in musical steps (each 0.1 of closure is about 1.7 semitones).
    - A rough, buzzing double beep (the same pitch with a note a semitone above it) means
      the eyes are closing unevenly: the two differ by more than 0.2, or the weaker eye
      closes less than 80 % of the stronger (counted only once the stronger is at least
      0.25 closed, so resting jitter never buzzes).
    - A bright chime means both eyes are at least 0.9 closed: well done. It plays once;
      while the eyes stay closed a soft steady 880 Hz beep follows. The chime comes again
      only after the eyes have opened (either eye below 0.7) and closed again.
    - Silence: no face (closure not a number).
    """

    PITCH_OPEN_HZ = E4
    PITCH_CLOSED_HZ = A5
    UNEVEN_DIFFERENCE = 0.2
    UNEVEN_SYMMETRY = 0.8
    SYMMETRY_FROM = 0.25
    CLOSED = 0.9
    REARM = 0.7
    BEEP_S = 0.15
    BEEP_VOLUME = 0.25
    HELD_VOLUME = 0.1
    #: the second note of the uneven beep: a minor second above, which beats against the first
    ROUGH_RATIO = 16 / 15

    def __init__(self, interval_s: float = 0.4, sample_rate: int = SAMPLE_RATE) -> None:
        self.interval_s = interval_s
        self.sample_rate = sample_rate
        self.reset()

    def reset(self) -> None:
        """Start afresh (new exercise): the next update beeps and may chime again."""
        self._last_beep_s: float | None = None
        self._chimed = False

    def pitch_hz(self, closure: float) -> float:
        """Beep pitch for a mean closure (0–1), exponential so equal steps sound equal."""
        c = min(max(closure, 0.0), 1.0)
        return self.PITCH_OPEN_HZ * (self.PITCH_CLOSED_HZ / self.PITCH_OPEN_HZ) ** c

    def is_uneven(self, closure_left: float, closure_right: float) -> bool:
        """Whether the eyes close unevenly enough to be told so (the rule in the class doc)."""
        if abs(closure_left - closure_right) > self.UNEVEN_DIFFERENCE:
            return True
        if max(closure_left, closure_right) < self.SYMMETRY_FROM:
            return False
        ratio = symmetry(closure_left, closure_right)
        return ratio is not None and ratio < self.UNEVEN_SYMMETRY

    def update(self, closure_left: float, closure_right: float, now_s: float) -> np.ndarray | None:
        """The beep to play now (float32 at `sample_rate`), or None between beeps.

        `closure_left`/`closure_right` are the patient's anatomical sides; `now_s` any
        clock in seconds (a clock going backwards, e.g. a new clip, beeps at once).
        """
        if not (math.isfinite(closure_left) and math.isfinite(closure_right)):
            return None
        left = min(max(closure_left, 0.0), 1.0)
        right = min(max(closure_right, 0.0), 1.0)
        if min(left, right) < self.REARM:
            self._chimed = False
        last = self._last_beep_s
        if last is not None and 0 <= now_s - last < self.interval_s - 1e-9:
            return None
        self._last_beep_s = now_s
        sr = self.sample_rate
        if min(left, right) >= self.CLOSED:
            if not self._chimed:
                self._chimed = True
                return chime(E6, 0.35, 0.3, sr)
            return tone(self.PITCH_CLOSED_HZ, self.BEEP_S, self.HELD_VOLUME, sr)
        pitch = self.pitch_hz((left + right) / 2)
        if self.is_uneven(left, right):
            half = self.BEEP_VOLUME / 2
            return mix(tone(pitch, self.BEEP_S, half, sr), tone(pitch * self.ROUGH_RATIO, self.BEEP_S, half, sr))
        return tone(pitch, self.BEEP_S, self.BEEP_VOLUME, sr)


# ---------------------------------------------------------------- outputs


class SoundOutput:
    """Where sounds go. `play` never blocks and never raises: no audio is not an error.

    `available` says whether anything will be heard; `description` names the device, or
    says why there is no sound (for the status bar).
    """

    available: bool = False
    description: str = ""

    def play(self, samples: np.ndarray, sample_rate: int) -> None:
        """Start playing mono float samples (−1…1) and return at once."""
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


# ---------------------------------------------------------------- speech


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


# ---------------------------------------------------------------- the coach's voice


class AudioCoach:
    """What the app uses: prompts (spoken, else tones), eye-closure beeps, mute, status.

    Called from the worker thread while the GUI thread may set `muted` or read
    `status_text`. Beeps are held back while a prompt is still being played or spoken, so
    the patient hears the instruction whole; the sonifier is not advanced meanwhile, so a
    chime due is not lost. `clock` measures how long a tone prompt plays.
    """

    def __init__(
        self,
        output: SoundOutput,
        speaker: Speaker | None = None,
        *,
        sonifier: EyeClosureSonifier | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.output = output
        self.speaker = speaker
        self.sonifier = sonifier or EyeClosureSonifier()
        self._clock = clock
        self._lock = threading.Lock()
        self._muted = False
        self._busy_until = -math.inf

    @property
    def muted(self) -> bool:
        """Muted: nothing is played or said (and whatever is being said stops)."""
        return self._muted

    @muted.setter
    def muted(self, value: bool) -> None:
        self._muted = bool(value)
        if self._muted and self.speaker is not None:
            self.speaker.stop()

    def _speech_usable(self) -> bool:
        return self.speaker is not None and self.speaker.available

    def prompt(self, kind: str, text: str | None = None) -> bool:
        """Say `text` if a speaker works, else play the tone pattern for `kind`; True if anything started.

        Speech uses the speech program's own audio, so it works even where our output
        does not. Without `text` the tone is played (e.g. "good", "warning").
        """
        if kind not in PROMPT_KINDS:
            raise ValueError(f"unknown prompt kind {kind!r}; expected one of {', '.join(PROMPT_KINDS)}")
        if self._muted:
            return False
        speaker = self.speaker
        if text and speaker is not None and speaker.available and speaker.say(text):
            return True
        if not self.output.available:
            return False
        samples = prompt_tones(kind, self.sonifier.sample_rate)
        with self._lock:
            self._busy_until = self._clock() + len(samples) / self.sonifier.sample_rate
        self.output.play(samples, self.sonifier.sample_rate)
        return True

    def eye_closure(self, closure_left: float, closure_right: float, now_s: float) -> np.ndarray | None:
        """Feed one frame's eye closure (see EyeClosureSonifier); returns the beep played, if any."""
        if self._muted:
            return None
        if self.speaker is not None and self.speaker.speaking:
            return None
        with self._lock:
            if self._clock() < self._busy_until:
                return None
            beep = self.sonifier.update(closure_left, closure_right, now_s)
        if beep is None or not self.output.available:
            return None
        self.output.play(beep, self.sonifier.sample_rate)
        return beep

    def reset(self) -> None:
        """A new exercise: the eye-closure beeps start afresh."""
        with self._lock:
            self.sonifier.reset()

    @property
    def status_text(self) -> str:
        """One line for the status bar: whether there is sound, of which kind, and why not."""
        if self._muted:
            return "Muted"
        speech = self._speech_usable()
        if self.output.available:
            if speech:
                return "Sound on: spoken prompts"
            if self.speaker is None:
                return "Sound on: tones (no speech synthesiser found)"
            return f"Sound on: tones ({self.speaker.description})"
        if speech:
            return f"Sound on: spoken prompts only, no beeps (no audio output: {self.output.description})"
        return f"Sound off: no audio output ({self.output.description})"

    def close(self) -> None:
        """Stop speech and release the device."""
        if self.speaker is not None:
            self.speaker.close()
        self.output.close()


def open_audio_coach() -> AudioCoach:
    """The coach's sound as found on this computer: the default device and any speech program."""
    return AudioCoach(open_sound_output(), find_speaker())
