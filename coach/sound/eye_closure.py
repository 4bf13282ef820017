"""Eye-closure sonification: how far and how evenly the eyes close, as beeps heard with eyes shut."""

from __future__ import annotations

import math

import numpy as np

from coach.measure.sides import symmetry
from coach.sound.tones import A5, E4, E6, SAMPLE_RATE, chime, mix, tone


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
        """Beep pitch for a mean closure (0 to 1), exponential so equal steps sound equal."""
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
