"""The coach's voice: prompts (spoken, else tones) and eye-closure beeps, combined and muted as one.

During eye-closure exercises the patient cannot look at the screen, so everything the
coach shows must also be heard: spoken prompts (start, hold, relax, done) when a speech
synthesiser is installed, otherwise short tone patterns, and a beep whose pitch follows
how far the eyes are closed and which turns rough when they close unevenly. No Qt here:
this runs on the worker thread.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

import numpy as np

from coach.base.i18n import tr
from coach.sound.eye_closure import EyeClosureSonifier
from coach.sound.outputs import SoundOutput, open_sound_output
from coach.sound.speech import TONES_ONLY, Speaker, find_speaker
from coach.sound.tones import PROMPT_KINDS, prompt_tones


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
        #: the user chose tones instead of speech (the status line says so)
        self.tones_chosen = False
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

        Speech plays through our output when the program can render it, else through the
        program's own audio, so it works even where our output does not. Without `text`
        the tone is played (e.g. "good", "warning").
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
            return tr("Muted")
        speech = self._speech_usable()
        if self.output.available:
            if speech:
                return tr("Sound on: spoken prompts")
            if self.speaker is None:
                if self.tones_chosen:
                    return tr("Sound on: tones (speech turned off)")
                return tr("Sound on: tones (no speech synthesiser found)")
            return tr("Sound on: tones ({reason})", reason=self.speaker.description)
        if speech:
            return tr("Sound on: spoken prompts only, no beeps (no audio output: {reason})",
                      reason=self.output.description)  # fmt: skip
        return tr("Sound off: no audio output ({reason})", reason=self.output.description)

    @property
    def eyes_closed_cue(self) -> str:
        """How someone with closed eyes will know when to open them with the sound here: "tones"
        (beeps that follow the closure, and the prompts), "voice" (spoken prompts, no beeps: no
        audio output for them) or "none" (muted, or no sound at all)."""
        if self._muted:
            return "none"
        if self.output.available:
            return "tones"
        return "voice" if self._speech_usable() else "none"

    def use_speaker(self, speaker: Speaker | None, *, tones_chosen: bool = False) -> None:
        """Speak through `speaker` from now on (None: tones, `tones_chosen` if the user asked
        for them); the old one is stopped."""
        self.tones_chosen = tones_chosen
        old, self.speaker = self.speaker, speaker
        if old is not None and old is not speaker:
            old.close()

    def close(self) -> None:
        """Stop speech and release the device."""
        if self.speaker is not None:
            self.speaker.close()
        self.output.close()


def open_audio_coach(language: str = "en", voice: str = "") -> AudioCoach:
    """The coach's sound as found on this computer: the default device and the speech
    program chosen (`voice`, see `find_speaker`), speaking `language`, playing through it."""
    output = open_sound_output()
    coach = AudioCoach(output)
    coach.use_speaker(find_speaker(output=output, language=language, voice=voice), tones_chosen=voice == TONES_ONLY)
    return coach
