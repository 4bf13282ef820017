"""Sound: tones checked as signals (FFT, edges), the eye-closure beeps, outputs, speech, the coach.

Speech is tested with a real tiny program (a shell script recording its arguments and
writing a WAV as espeak-ng does), and the miniaudio output with a stand-in module, so the
tests need no speech synthesiser and no sound card (tests/test_sound_sink.py plays into
a real sink).
"""

from __future__ import annotations

import itertools
import os
import shutil
import stat
import subprocess
import sys
import time
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from coach.sound.audio_coach import AudioCoach, open_audio_coach
from coach.sound.eye_closure import EyeClosureSonifier
from coach.sound.outputs import MiniaudioOutput, NullOutput, RecordingOutput, open_sound_output
from coach.sound.speech import SPEECH_PEAK, TONES_ONLY, Speaker, available_voices, find_speaker
from coach.sound.tones import PROMPT_KINDS, SAMPLE_RATE, prompt_tones, sequence, tone

posix_only = pytest.mark.skipif(os.name != "posix", reason="the stand-in speech program is a shell script")


# ---------------------------------------------------------------- signal helpers


def _spectrum(x: np.ndarray, sr: int) -> tuple[np.ndarray, np.ndarray]:
    """Hann-windowed, zero-padded magnitude spectrum (fine frequency steps for peak picking)."""
    n = max(1 << 18, 1 << int(np.ceil(np.log2(len(x) * 8))))
    magnitude = np.abs(np.fft.rfft(x * np.hanning(len(x)), n))
    return np.fft.rfftfreq(n, 1 / sr), magnitude


def dominant_frequency(x: np.ndarray, sr: int = SAMPLE_RATE) -> float:
    freqs, magnitude = _spectrum(x, sr)
    return float(freqs[np.argmax(magnitude)])


def spectral_peaks(x: np.ndarray, sr: int = SAMPLE_RATE, relative: float = 0.3) -> list[float]:
    """Frequencies of local spectral maxima at least `relative` of the highest."""
    freqs, m = _spectrum(x, sr)
    is_peak = (m[1:-1] > m[:-2]) & (m[1:-1] >= m[2:]) & (m[1:-1] >= relative * m.max())
    return [float(f) for f in freqs[1:-1][is_peak]]


def segments(x: np.ndarray, sr: int = SAMPLE_RATE) -> list[np.ndarray]:
    """The separate notes of a pattern: stretches whose 5 ms envelope is above 2 % of the peak."""
    window = int(0.005 * sr)
    padded = np.pad(np.abs(x), (window // 2, window - window // 2 - 1))
    envelope = np.lib.stride_tricks.sliding_window_view(padded, window).max(axis=1)
    loud = np.concatenate([[False], envelope > 0.02 * np.abs(x).max(), [False]])
    edges = np.flatnonzero(np.diff(loud.astype(int)))
    return [x[start:end] for start, end in zip(edges[::2], edges[1::2], strict=True)]


def note_frequencies(x: np.ndarray) -> list[float]:
    return [dominant_frequency(s) for s in segments(x)]


def _clicks(x: np.ndarray, volume: float) -> bool:
    """Whether a note starts or ends abruptly: anything loud within 1 ms of either end."""
    edge = int(0.001 * SAMPLE_RATE)
    return bool(max(np.abs(x[:edge]).max(), np.abs(x[-edge:]).max()) > 0.03 * volume)


# ---------------------------------------------------------------- tones


@pytest.mark.parametrize("frequency", [440.0, 880.0])
def test_tone_has_the_asked_frequency_rate_length_and_level(frequency):
    x = tone(frequency, 1.0, volume=0.3)
    assert x.dtype == np.float32 and x.ndim == 1 and len(x) == SAMPLE_RATE
    assert abs(dominant_frequency(x) - frequency) < 2.0
    assert 0.29 < np.abs(x).max() <= 0.3 + 1e-6


def test_tone_fades_in_and_out_without_clicks():
    volume = 0.3
    for frequency in (440.0, 880.0):
        x = tone(frequency, 0.2513, volume)  # ends mid-cycle: without a fade it would stop abruptly
        assert abs(x[0]) < 1e-3 and abs(x[-1]) < 1e-3
        assert not _clicks(x, volume)
        # no sample-to-sample jump beyond what the sine itself does
        assert np.abs(np.diff(x)).max() <= volume * 2 * np.pi * frequency / SAMPLE_RATE * 1.01
        # the same check catches a tone that is not faded
        assert _clicks(tone(frequency, 0.2513, volume, fade_s=0.0), volume)


def test_sequence_joins_tones_and_silences_in_order():
    a, b = tone(440, 0.1), tone(880, 0.2)
    x = sequence([a, 0.05, b])
    assert len(x) == len(a) + round(0.05 * SAMPLE_RATE) + len(b)
    assert np.array_equal(x[: len(a)], a) and not x[len(a) : len(a) + 1102].any()
    assert note_frequencies(x) == pytest.approx([440, 880], abs=3)
    assert len(sequence([])) == 0


def test_tone_rejects_frequencies_it_cannot_represent():
    with pytest.raises(ValueError):
        tone(0, 0.1)
    with pytest.raises(ValueError):
        tone(SAMPLE_RATE, 0.1)


def test_prompt_patterns_have_their_shapes_and_are_all_different():
    notes = {kind: note_frequencies(prompt_tones(kind)) for kind in PROMPT_KINDS}
    assert len(notes["start"]) == 2 and notes["start"][0] < notes["start"][1]
    assert len(notes["relax"]) == 2 and notes["relax"][0] > notes["relax"][1]
    assert len(notes["hold"]) == 1
    assert len(notes["done"]) == 3 and notes["done"][0] < notes["done"][1] < notes["done"][2]
    assert len(notes["warning"]) == 2 and all(f < 300 for f in notes["warning"])
    assert len(notes["good"]) == 1 and notes["good"][0] > 1000
    # told apart by their note sequences (to the nearest semitone)
    shapes = {tuple(round(12 * np.log2(f / 440)) for f in fs) for fs in notes.values()}
    assert len(shapes) == len(PROMPT_KINDS)
    for kind in PROMPT_KINDS:
        x = prompt_tones(kind)
        assert x.dtype == np.float32 and 0.1 < np.abs(x).max() <= 0.31
        assert 0.2 <= len(x) / SAMPLE_RATE <= 0.8, "prompts are short"
        assert not _clicks(x, 0.3)
        for note in segments(x):
            assert len(note) / SAMPLE_RATE >= 0.08, f"{kind}: every note long enough to hear its pitch"
    with pytest.raises(ValueError, match="unknown prompt kind"):
        prompt_tones("louder")


# ---------------------------------------------------------------- eye-closure sonifier


def _run(sonifier: EyeClosureSonifier, left: float, right: float, start_s: float, seconds: float, fps: float = 30):
    """Feed a steady closure at `fps`; the (time, beep) pairs that came out."""
    beeps = []
    for i in range(round(seconds * fps)):
        now = start_s + i / fps
        beep = sonifier.update(left, right, now)
        if beep is not None:
            beeps.append((now, beep))
    return beeps


def test_sonifier_beeps_about_every_0_4_s_and_is_silent_between():
    beeps = _run(EyeClosureSonifier(), 0.3, 0.3, 0.0, 2.0)
    times = np.array([t for t, _ in beeps])
    assert times[0] == 0.0, "the first frame beeps at once"
    assert 5 <= len(beeps) <= 6
    gaps = np.diff(times)
    assert np.all(gaps >= 0.4 - 1e-9) and np.all(gaps <= 0.4 + 1 / 30 + 1e-9)
    # a clock going backwards (a new clip) beeps at once instead of staying silent
    assert EyeClosureSonifier().update(0.3, 0.3, 0.0) is not None
    sonifier = EyeClosureSonifier()
    sonifier.update(0.3, 0.3, 10.0)
    assert sonifier.update(0.3, 0.3, 10.1) is None
    assert sonifier.update(0.3, 0.3, 1.0) is not None
    # no face: silence
    assert EyeClosureSonifier().update(float("nan"), 0.3, 0.0) is None


def test_beep_pitch_rises_with_closure_from_330_to_880_hz():
    pitches = []
    for closure in (0.0, 0.2, 0.4, 0.6, 0.8, 0.89):
        beep = EyeClosureSonifier().update(closure, closure, 0.0)
        assert len(spectral_peaks(beep)) == 1, "even eyes: a clean single tone"
        pitches.append(dominant_frequency(beep))
    assert all(b > a + 20 for a, b in itertools.pairwise(pitches))
    assert pitches[0] == pytest.approx(330, abs=3)
    assert pitches[-1] == pytest.approx(330 * (880 / 330) ** 0.89, abs=3)


@pytest.mark.parametrize(
    ("left", "right"),
    [(0.9, 0.3), (0.2, 0.8), (0.5, 0.35)],  # the last: close in mm (0.15) but symmetry 0.7
)
def test_uneven_eyes_give_a_rough_two_tone_beep(left, right):
    beep = EyeClosureSonifier().update(left, right, 0.0)
    peaks = spectral_peaks(beep)
    assert len(peaks) == 2, peaks
    assert 1.03 < peaks[1] / peaks[0] < 1.1, "about a semitone apart, so they beat (rough)"
    # the same mean closure with even eyes is one clean tone
    mean = (left + right) / 2
    assert len(spectral_peaks(EyeClosureSonifier().update(mean, mean, 0.0))) == 1


def test_resting_jitter_on_open_eyes_is_not_called_uneven():
    beep = EyeClosureSonifier().update(0.1, 0.0, 0.0)  # symmetry 0, but both essentially open
    assert len(spectral_peaks(beep)) == 1


def test_both_eyes_closed_chime_once_then_soft_beeps_and_again_after_reopening():
    sonifier = EyeClosureSonifier()
    closed = _run(sonifier, 0.95, 0.92, 0.0, 2.0)
    chime, *held = [beep for _, beep in closed]
    assert dominant_frequency(chime) > 1000
    assert len(held) >= 4
    for beep in held:
        assert dominant_frequency(beep) == pytest.approx(880, abs=3)
        assert np.abs(beep).max() < 0.5 * np.abs(chime).max(), "soft while held"
    # open, then close again: one more chime
    _run(sonifier, 0.1, 0.1, 2.0, 1.0)
    again = [beep for _, beep in _run(sonifier, 0.95, 0.95, 3.0, 1.0)]
    assert dominant_frequency(again[0]) > 1000
    assert all(dominant_frequency(b) < 1000 for b in again[1:])
    # closed but one eye short of 0.9: no chime, a beep
    assert dominant_frequency(EyeClosureSonifier().update(0.95, 0.8, 0.0)) < 1000


# ---------------------------------------------------------------- outputs


def test_recording_output_writes_a_wav_that_reads_back(tmp_path):
    times = iter([1.0, 2.5, 3.0])
    recording = RecordingOutput(clock=lambda: next(times))
    a, b = tone(440, 0.2), tone(880, 0.3)
    recording.play(a, SAMPLE_RATE)
    recording.play(b, SAMPLE_RATE)
    recording.play(tone(660, 0.2, sample_rate=11025), 11025)  # resampled to the first rate
    assert [p.time_s for p in recording.played] == [1.0, 2.5, 3.0]
    frames = recording.write_wav(tmp_path / "session.wav", gap_s=0.1)
    expected = round(0.2 * SAMPLE_RATE) + 2 * round(0.1 * SAMPLE_RATE) + round(0.3 * SAMPLE_RATE) + 4410
    assert frames == expected
    with wave.open(str(tmp_path / "session.wav"), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, SAMPLE_RATE)
        assert wav.getnframes() == expected
        data = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2") / 32767
    assert np.allclose(data[: len(a)], a, atol=1 / 32767)
    assert not data[len(a) : len(a) + 2205].any()
    assert dominant_frequency(data[-4410:]) == pytest.approx(660, abs=3)


def test_recording_output_keeps_its_own_copy():
    recording = RecordingOutput()
    buffer = tone(440, 0.1)
    recording.play(buffer, SAMPLE_RATE)
    buffer[:] = 0
    assert np.abs(recording.played[0].samples).max() > 0.2


def test_volume_scales_what_is_played_and_stays_between_0_and_1():
    recording = RecordingOutput()
    assert recording.volume == 1.0
    beep = tone(440, 0.1)
    recording.volume = 0.25
    recording.play(beep, SAMPLE_RATE)
    assert np.allclose(recording.played[0].samples, 0.25 * beep, atol=1e-7)
    recording.volume = 1.7
    assert recording.volume == 1.0
    recording.volume = -1
    assert recording.volume == 0.0
    recording.play(beep, SAMPLE_RATE)
    assert not recording.played[1].samples.any()
    with pytest.raises(ValueError):
        recording.volume = float("nan")
    assert NullOutput("no audio output device").volume == 1.0


def test_open_sound_output_here_plays_without_raising_and_says_why_if_silent():
    output = open_sound_output()
    try:
        output.play(tone(440, 0.05), SAMPLE_RATE)
        if not output.available:
            assert isinstance(output, NullOutput)
            assert output.description.startswith(("no audio library", "no audio output device"))
        else:
            assert isinstance(output, MiniaudioOutput) and output.description.startswith("audio output: ")
    finally:
        output.close()


class _FakeMiniaudio:
    """Stands in for the third-party `miniaudio` module: a device the test pulls samples from, or none at all.

    A real device pulls from its own thread; here `pull` does, so the test decides when
    (and whether) the device asks for samples, as a sound server that died would not.
    """

    class MiniaudioError(Exception):
        pass

    class SampleFormat:
        FLOAT32 = "float32"

    def __init__(
        self, open_error: Exception | None = None, start_error: Exception | None = None, backend: str = "PulseAudio"
    ) -> None:
        self.open_error = open_error
        self.start_error = start_error
        self.backend = backend
        self.devices: list[_FakeMiniaudio._Device] = []

    def PlaybackDevice(self, **settings):  # noqa: N802 -- the name of the class it stands in for
        if self.open_error is not None:
            raise self.open_error
        device = _FakeMiniaudio._Device(self.backend, settings, self.start_error)
        self.devices.append(device)
        return device

    class _Device:
        def __init__(self, backend: str, settings: dict, start_error: Exception | None) -> None:
            self.backend = backend
            self.settings = settings
            self.start_error = start_error
            self.stop_callback: Callable[[], None] | None = None
            self.feed = None
            self.closed = False

        def start(self, feed) -> None:
            if self.start_error is not None:
                raise self.start_error
            self.feed = feed

        def close(self) -> None:
            if self.stop_callback is not None and self.feed is not None:
                self.stop_callback()  # as miniaudio does when it stops the device
            self.closed = True

        def pull(self, frames: int) -> np.ndarray:
            data = self.feed.send(frames)
            assert len(data) == 4 * frames, "always exactly what was asked for"
            return np.frombuffer(data, dtype=np.float32)


def test_miniaudio_output_plays_the_newest_sound_then_silence():
    module = _FakeMiniaudio()
    output = MiniaudioOutput(module)
    device = module.devices[0]
    assert output.available and output.description == "audio output: PulseAudio"
    assert device.settings["output_format"] == "float32" and device.settings["nchannels"] == 1
    assert device.settings["sample_rate"] == SAMPLE_RATE
    assert device.settings["buffersize_msec"] <= 50, "small periods: the beep must come within ~100 ms"
    assert not device.pull(441).any(), "silence while idle"
    first, second = tone(440, 0.1), tone(880, 0.1)
    output.play(first, SAMPLE_RATE)
    assert np.array_equal(device.pull(441), first[:441])
    output.play(second, SAMPLE_RATE)  # cuts off the first
    heard = np.concatenate([device.pull(441) for _ in range(6)])
    assert np.array_equal(heard[: len(second)], second) and not heard[len(second) :].any()
    output.volume = 0.5
    output.play(tone(660, 0.2, sample_rate=11025), 11025)  # resampled to the device's rate
    heard = np.concatenate([device.pull(441) for _ in range(11)])
    assert dominant_frequency(heard[: round(0.2 * SAMPLE_RATE)]) == pytest.approx(660, abs=3)
    assert np.abs(heard).max() == pytest.approx(0.5 * 0.3, rel=0.01)
    assert not heard[round(0.2 * SAMPLE_RATE) :].any()
    output.play(tone(440, 0.1), SAMPLE_RATE)
    output.stop()
    assert not device.pull(441).any()
    output.close()
    assert device.closed and not output.available and output.description == "audio output closed"
    output.play(first, SAMPLE_RATE)  # nothing, no error


def test_device_lost_mid_session_makes_the_output_unavailable_not_a_crash():
    now = [0.0]
    module = _FakeMiniaudio()
    output = MiniaudioOutput(module, clock=lambda: now[0])
    device = module.devices[0]
    coach = AudioCoach(output)
    assert coach.prompt("start")
    assert np.array_equal(device.pull(441), prompt_tones("start")[:441])
    # the sound server dies: the device stops asking for samples; no error is reported anywhere
    now[0] += 1.0
    assert output.available, "a pause shorter than a stream takes to start is not a lost device"
    now[0] += MiniaudioOutput.STALL_S
    assert not output.available and output.description == MiniaudioOutput.LOST
    assert coach.status_text == f"Sound off: no audio output ({MiniaudioOutput.LOST})"
    assert not coach.prompt("relax")
    assert coach.eye_closure(0.5, 0.5, 10.0) is None
    # it asks again (the server is back): sound again, and nothing stale was queued meanwhile
    device.pull(441)
    assert output.available and coach.status_text == "Sound on: tones (no speech synthesiser found)"
    assert not device.pull(22050).any()
    # a backend that does say its device stopped: unavailable at once, for good
    device.stop_callback()
    device.pull(441)
    assert not output.available and output.description == MiniaudioOutput.LOST
    output.close()


def test_no_output_device_is_reported():
    output = MiniaudioOutput(_FakeMiniaudio(open_error=_FakeMiniaudio.MiniaudioError("failed to init device", -401)))
    assert not output.available and output.description == MiniaudioOutput.NO_DEVICE
    output.play(tone(440, 0.05), SAMPLE_RATE)
    output.close()
    # miniaudio's last resort is its "Null" backend, which plays into nothing
    module = _FakeMiniaudio(backend="Null")
    output = MiniaudioOutput(module)
    assert not output.available and output.description == MiniaudioOutput.NO_DEVICE
    assert module.devices[0].closed
    # a device that opens but will not start
    module = _FakeMiniaudio(start_error=_FakeMiniaudio.MiniaudioError("failed to start audio device", -1))
    output = MiniaudioOutput(module)
    assert not output.available and output.description.startswith("audio output could not start")
    assert module.devices[0].closed
    # anything else is not a missing device: it is named
    output = MiniaudioOutput(_FakeMiniaudio(open_error=TypeError("unexpected keyword argument 'app_name'")))
    assert output.description == "audio output could not be opened (TypeError: unexpected keyword argument 'app_name')"
    output.play(tone(440, 0.05), SAMPLE_RATE)


def test_no_audio_library_is_reported(monkeypatch):
    monkeypatch.setitem(sys.modules, "miniaudio", None)  # `import miniaudio` raises ImportError
    output = open_sound_output()
    assert isinstance(output, NullOutput)
    assert output.description == "no audio library (the miniaudio package is not installed)"
    output.play(tone(440, 0.05), SAMPLE_RATE)


def test_module_imports_without_qt():
    code = (
        "import sys, coach.sound.audio_coach, coach.sound.eye_closure, coach.sound.outputs, "
        "coach.sound.speech, coach.sound.tones; "
        "print(any(m.split('.')[0] in ('PySide6', 'PyQt5', 'PyQt6') for m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


# ---------------------------------------------------------------- speech


SPEECH_SCRIPT = """#!/bin/sh
echo "start $$ $*" >> "{log}"
case "$*" in *slow*) sleep 5 ;; esac
case "$*" in *--stdout*) cat "{wav}" 2>/dev/null ;; esac
echo "end $*" >> "{log}"
exit {status}
"""


def _speech_program(
    directory: Path, name: str = "speak", status: int = 0, speech: np.ndarray | None = None
) -> tuple[Path, Path]:
    """A real program that 'speaks' by logging its arguments (and takes 5 s for text with 'slow').

    Given `--stdout` it writes `speech` as WAV to stdout, as espeak-ng does (nothing without `speech`).
    """
    log = directory / f"{name}.log"
    wav = directory / f"{name}.wav"
    if speech is not None:
        _write_piped_wav(wav, speech)
    program = directory / name
    program.write_text(SPEECH_SCRIPT.format(log=log, wav=wav, status=status))
    program.chmod(program.stat().st_mode | stat.S_IEXEC)
    return program, log


def _write_piped_wav(path: Path, samples: np.ndarray) -> None:
    """16-bit mono WAV as espeak-ng writes it to a pipe: it cannot seek back, so the lengths say 'very long'."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(np.round(samples * 32767).astype("<i2").tobytes())
    data = bytearray(path.read_bytes())
    data[4:8] = (0x7FFFF024).to_bytes(4, "little")  # RIFF length
    data[40:44] = (0x7FFFF000).to_bytes(4, "little")  # data length
    path.write_bytes(bytes(data))


class _StopCountingOutput(RecordingOutput):
    """A RecordingOutput that also counts how often what it plays was silenced."""

    def __init__(self) -> None:
        super().__init__()
        self.stops = 0

    def stop(self) -> None:
        self.stops += 1


def _lines(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def wait_for(condition: Callable[[], bool], timeout_s: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


@posix_only
def test_speaker_passes_the_text_and_does_not_wait(tmp_path):
    program, log = _speech_program(tmp_path)
    speaker = Speaker([str(program), "-s", "150"])
    try:
        started = time.monotonic()
        assert speaker.say("Close your eyes\n gently")
        assert time.monotonic() - started < 0.5
        assert wait_for(lambda: any(line.startswith("end") for line in _lines(log)))
        assert _lines(log)[-1] == "end -s 150 Close your eyes gently"
        assert wait_for(lambda: not speaker.speaking)
    finally:
        speaker.close()


@posix_only
def test_a_new_prompt_replaces_one_still_being_said(tmp_path):
    program, log = _speech_program(tmp_path)
    speaker = Speaker([str(program)])
    try:
        assert speaker.say("slow first prompt")
        assert wait_for(lambda: any("slow first prompt" in line for line in _lines(log)))
        slow_pid = int(_lines(log)[0].split()[1])
        assert speaker.speaking
        assert speaker.say("Relax")
        assert wait_for(lambda: "end Relax" in _lines(log))
    finally:
        speaker.close()  # reaps what was killed
    with pytest.raises(ProcessLookupError):
        os.kill(slow_pid, 0)
    assert not any(line.startswith("end slow") for line in _lines(log))
    assert not speaker.speaking


@posix_only
def test_a_speech_program_that_keeps_failing_is_given_up_and_tones_play_instead(tmp_path):
    program, log = _speech_program(tmp_path, status=3)
    speaker = Speaker([str(program)], name="espeak-ng")
    recording = RecordingOutput()
    coach = AudioCoach(recording, speaker)
    try:
        for text in ("one", "two"):
            assert coach.prompt("start", text)
            assert wait_for(lambda t=text: f"end {t}" in _lines(log))
            assert wait_for(lambda: not speaker.speaking)
        assert recording.played == []
        assert coach.prompt("start", "three")  # the failures are noticed: a tone instead
        assert not speaker.available and speaker.description == "espeak-ng failed: exit status 3"
        assert len(recording.played) == 1
        assert np.array_equal(recording.played[0].samples, prompt_tones("start"))
        assert coach.status_text == "Sound on: tones (espeak-ng failed: exit status 3)"
    finally:
        coach.close()


@posix_only
def test_speech_a_program_can_write_as_wav_plays_through_the_output_at_its_volume(tmp_path):
    speech = tone(440, 1.0, 0.4)  # quieter than SPEECH_PEAK: played as rendered, at the volume
    program, log = _speech_program(tmp_path, speech=speech)
    recording = RecordingOutput()
    recording.volume = 0.5
    speaker = Speaker([str(program), "-s", "150"], render=["--stdout"], output=recording)
    try:
        started = time.monotonic()
        assert speaker.say("Close your eyes")
        assert time.monotonic() - started < 0.5
        assert speaker.speaking, "rendering counts as speaking"
        assert wait_for(lambda: len(recording.played) == 1)
        assert speaker.speaking, "so does playing"
        assert _lines(log)[-1] == "end -s 150 --stdout Close your eyes"
        played = recording.played[0]
        assert played.sample_rate == SAMPLE_RATE and len(played.samples) == len(speech)
        assert np.allclose(played.samples, 0.5 * speech, atol=1 / 32767)
        assert wait_for(lambda: not speaker.speaking, 2.0), "done once its samples have played"
    finally:
        speaker.close()


@posix_only
def test_a_new_prompt_replaces_speech_still_rendering_and_stop_silences_it_playing(tmp_path):
    program, log = _speech_program(tmp_path, speech=tone(440, 1.0, 0.5))
    output = _StopCountingOutput()
    speaker = Speaker([str(program)], render=["--stdout"], output=output)
    try:
        assert speaker.say("slow first prompt")
        assert wait_for(lambda: any("slow first prompt" in line for line in _lines(log)))
        slow_pid = int(_lines(log)[0].split()[1])
        assert speaker.say("Relax")
        assert wait_for(lambda: "end --stdout Relax" in _lines(log))
        assert wait_for(lambda: len(output.played) == 1)
        assert output.stops == 0, "nothing of ours was playing yet"
        assert speaker.speaking
        speaker.stop()
        assert output.stops == 1 and not speaker.speaking
        assert speaker.say("Hold")
        assert wait_for(lambda: len(output.played) == 2)
    finally:
        speaker.close()
    assert output.stops == 2, "closing silences it too"
    with pytest.raises(ProcessLookupError):
        os.kill(slow_pid, 0)
    assert not any(line.startswith("end slow") for line in _lines(log))
    assert len(output.played) == 2, "the replaced prompt was never played"


@posix_only
@pytest.mark.parametrize(
    ("status", "speech", "reason"),
    [(3, tone(440, 0.2), "exit status 3"), (0, None, "it wrote no readable WAV")],
)
def test_speech_that_keeps_failing_to_render_is_given_up_and_tones_play_instead(tmp_path, status, speech, reason):
    program, _ = _speech_program(tmp_path, status=status, speech=speech)
    recording = RecordingOutput()
    speaker = Speaker([str(program)], name="espeak-ng", render=["--stdout"], output=recording)
    coach = AudioCoach(recording, speaker)
    try:
        for text in ("one", "two"):
            assert coach.prompt("start", text)
            assert wait_for(lambda: not speaker.speaking)
        assert recording.played == []
        assert not speaker.available and speaker.description == f"espeak-ng failed: {reason}"
        assert coach.prompt("start", "three")
        assert np.array_equal(recording.played[0].samples, prompt_tones("start"))
    finally:
        coach.close()


@posix_only
def test_without_a_working_output_the_program_plays_on_its_own(tmp_path):
    program, log = _speech_program(tmp_path, speech=tone(440, 0.2))
    speaker = Speaker([str(program), "-s", "150"], render=["--stdout"], output=NullOutput("no audio output device"))
    try:
        assert speaker.say("Hold")
        assert wait_for(lambda: "end -s 150 Hold" in _lines(log))
    finally:
        speaker.close()


@pytest.mark.parametrize(
    ("language", "prompt"), [("en", "Close your eyes gently"), ("de", "Schließen Sie sanft die Augen")]
)
def test_real_espeak_ng_renders_speech_for_the_output(language, prompt):
    assert shutil.which("espeak-ng"), "this test speaks through the real espeak-ng: apt-get install espeak-ng"
    recording = RecordingOutput()
    speaker = find_speaker(output=recording, language=language)
    assert speaker is not None and speaker.name == "espeak-ng"
    try:
        assert speaker.say(prompt)
        assert wait_for(lambda: len(recording.played) == 1)
    finally:
        speaker.close()
    played = recording.played[0]
    assert played.sample_rate == 22050  # espeak-ng's own rate; the output resamples if it differs
    assert 0.8 < len(played.samples) / played.sample_rate < 4.0
    assert np.sqrt(np.mean(played.samples**2)) > 0.02, "speech, not silence"
    assert np.abs(played.samples).max() <= SPEECH_PEAK + 1e-6  # no louder than the beeps call for


def test_a_missing_speech_program_does_not_raise(tmp_path):
    speaker = Speaker([str(tmp_path / "no-such-program")])
    assert not speaker.say("Hold")
    assert not speaker.available and "cannot run" in speaker.description
    assert not speaker.say("Hold")
    assert not speaker.speaking


@posix_only
def test_find_speaker_looks_on_the_path(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert find_speaker(str(empty)) is None
    _, log = _speech_program(tmp_path, name="espeak-ng", speech=tone(440, 0.2))
    speaker = find_speaker(str(tmp_path))
    assert speaker is not None and speaker.name == "espeak-ng"
    try:
        assert speaker.say("Done")
        assert wait_for(lambda: "end -s 150 -v en Done" in _lines(log))
    finally:
        speaker.close()
    recording = RecordingOutput()
    speaker = find_speaker(str(tmp_path), output=recording)
    try:
        assert speaker.say("Done")  # espeak-ng can write WAV: through our output
        assert wait_for(lambda: len(recording.played) == 1)
        assert _lines(log)[-1] == "end -s 150 -v en --stdout Done"
    finally:
        speaker.close()


@posix_only
def test_the_chosen_voice_speaks_the_chosen_language(tmp_path):
    _speech_program(tmp_path, name="espeak-ng", speech=tone(440, 0.2))
    _, log = _speech_program(tmp_path, name="spd-say", speech=tone(440, 0.2))
    assert available_voices(str(tmp_path)) == ["espeak-ng", "spd-say"]
    assert find_speaker(str(tmp_path), voice=TONES_ONLY) is None
    assert find_speaker(str(tmp_path), voice="espeak") is None  # chosen once, not on this computer
    speaker = find_speaker(str(tmp_path), language="de", voice="spd-say")
    assert speaker is not None and speaker.name == "spd-say"
    try:
        assert speaker.say("Halten")
        assert wait_for(lambda: "end -w -l de Halten" in _lines(log))
    finally:
        speaker.close()


# ---------------------------------------------------------------- the coach


def test_coach_without_speech_plays_the_tone_pattern_and_nothing_when_muted():
    recording = RecordingOutput()
    coach = AudioCoach(recording)
    assert coach.status_text == "Sound on: tones (no speech synthesiser found)"
    assert coach.prompt("start", "Close your eyes")
    assert np.array_equal(recording.played[0].samples, prompt_tones("start"))
    assert recording.played[0].sample_rate == SAMPLE_RATE
    coach.muted = True
    assert coach.status_text == "Muted"
    assert not coach.prompt("done", "Well done")
    assert coach.eye_closure(0.5, 0.5, 100.0) is None
    assert len(recording.played) == 1
    coach.muted = False
    assert coach.status_text == "Sound on: tones (no speech synthesiser found)"
    assert coach.prompt("done")
    assert np.array_equal(recording.played[1].samples, prompt_tones("done"))
    with pytest.raises(ValueError):
        coach.prompt("louder")


def test_coach_holds_beeps_back_while_a_prompt_plays():
    now = [0.0]
    recording = RecordingOutput(clock=lambda: now[0])
    coach = AudioCoach(recording, clock=lambda: now[0])
    coach.prompt("hold")  # 0.5 s
    now[0] = 0.3
    assert coach.eye_closure(0.95, 0.95, 0.3) is None
    now[0] = 0.6
    beep = coach.eye_closure(0.95, 0.95, 0.6)
    assert beep is not None and dominant_frequency(beep) > 1000, "the chime was kept, not lost"
    assert np.array_equal(recording.played[-1].samples, beep)
    now[0] = 0.7
    assert coach.eye_closure(0.95, 0.95, 0.7) is None  # rate limit
    assert len(recording.played) == 2


def test_coach_status_without_any_output():
    coach = AudioCoach(NullOutput("no audio library (PortAudio) found"))
    assert coach.status_text == "Sound off: no audio output (no audio library (PortAudio) found)"
    assert not coach.prompt("start", "Close your eyes")
    assert coach.eye_closure(0.5, 0.5, 0.0) is None


@posix_only
def test_coach_with_a_speaker_says_the_text_and_pauses_beeps_meanwhile(tmp_path):
    program, log = _speech_program(tmp_path)
    recording = RecordingOutput()
    coach = AudioCoach(recording, Speaker([str(program)]))
    try:
        assert coach.status_text == "Sound on: spoken prompts"
        assert coach.prompt("start", "Close your eyes slowly")
        assert wait_for(lambda: any("Close your eyes slowly" in line for line in _lines(log)))
        assert recording.played == [], "spoken, not beeped"
        assert coach.eye_closure(0.5, 0.5, 0.0) is None, "no beep over the speech"
        coach.muted = True  # stops the speech
        assert wait_for(lambda: not coach.speaker.speaking, 1.0)
        coach.muted = False
        assert coach.eye_closure(0.5, 0.5, 1.0) is not None
        assert coach.prompt("good")  # no text: the chime
        assert np.array_equal(recording.played[-1].samples, prompt_tones("good"))
    finally:
        coach.close()
    assert not any(line.startswith("end Close") for line in _lines(log))
    no_output = AudioCoach(NullOutput("no audio output device"), Speaker([str(program)]))
    assert no_output.status_text == "Sound on: spoken prompts only, no beeps (no audio output: no audio output device)"


@posix_only
def test_coach_holds_beeps_back_while_speech_plays_through_the_output(tmp_path):
    program, _ = _speech_program(tmp_path, speech=tone(440, 1.0))
    recording = RecordingOutput()
    coach = AudioCoach(recording, Speaker([str(program)], render=["--stdout"], output=recording))
    try:
        assert coach.status_text == "Sound on: spoken prompts"
        assert coach.prompt("start", "Close your eyes")
        assert wait_for(lambda: len(recording.played) == 1)
        assert coach.eye_closure(0.5, 0.5, 0.0) is None, "no beep over the speech"
        assert wait_for(lambda: coach.eye_closure(0.5, 0.5, 1.0) is not None, 3.0), "beeps once it has been said"
        assert len(recording.played) == 2
    finally:
        coach.close()


def test_open_audio_coach_here_never_raises():
    coach = open_audio_coach()
    try:
        coach.prompt("start")
        coach.eye_closure(0.5, 0.4, 0.0)
        assert coach.status_text.startswith(("Sound on", "Sound off"))
    finally:
        coach.close()


@posix_only
@pytest.mark.parametrize(("language", "prompt"), [("es", "Relaje la cara."), ("de", "Entspannen Sie Ihr Gesicht.")])
def test_the_real_espeak_ng_speaks_each_language_with_its_own_voice(language, prompt):
    """espeak-ng (installed with the app, README) has the language's voice: the prompt is spoken
    (rendered and played through the output), by the voice of that language, not the English one."""
    rendered = {}
    for voice in (language, "en"):
        recording = RecordingOutput()
        speaker = find_speaker(language=voice, voice="espeak-ng", output=recording)
        assert speaker is not None, "espeak-ng is not installed (README: the set-up installs it)"
        try:
            assert speaker.say(prompt)
            assert wait_for(lambda r=recording: len(r.played) == 1, 10.0)
        finally:
            speaker.close()
        rendered[voice] = recording.played[0].samples
    assert len(rendered[language]) > 0.5 * SAMPLE_RATE  # a sentence, not a click
    assert len(rendered[language]) != len(rendered["en"])  # read by another voice's rules
