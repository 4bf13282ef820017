"""Tone synthesis: the notes, chimes and prompt patterns the coach plays when it cannot speak.

Everything is generated here as float32 mono samples (no sound files to ship), with a
fade at both ends of every note so nothing clicks on cheap speakers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

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
    done = three notes going up (C, E, G arpeggio), warning = two short low notes (A3),
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
