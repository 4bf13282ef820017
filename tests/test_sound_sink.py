"""Sound reaching a real audio sink: the app's own output plays into a private PulseAudio server.

The server has only a null sink, on a socket in a temporary directory that PULSE_SERVER
points the client at, so no user's sound session is touched. `parec` records the null
sink's monitor; the recording must carry the eye-closure beep's energy at the beep's pitch.
PulseAudio is a test requirement on Linux (`.ci/run` installs it): without it these tests
fail, naming the fix.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from coach.sound.audio_coach import AudioCoach
from coach.sound.outputs import MiniaudioOutput, SoundOutput, open_sound_output
from coach.sound.tones import SAMPLE_RATE

from test_sound import wait_for

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="PulseAudio and ALSA are Linux's sound systems")

SINK = "coach_test"
#: the mean closure of the beeps played: both eyes half closed, an even single tone
CLOSURE = 0.5
#: a recorded sample this loud is the beep, not the null sink's silence (the beep peaks at 0.25)
HEARD = 0.01


@pytest.fixture
def pulse_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[subprocess.Popen[bytes]]:
    """A private PulseAudio server with one null sink; the client (this process, parec) is pointed at it."""
    missing = [program for program in ("pulseaudio", "parec") if shutil.which(program) is None]
    if missing:
        pytest.fail(
            f"{' and '.join(missing)} not found: the sound tests need PulseAudio "
            "(apt-get install pulseaudio pulseaudio-utils)",
            pytrace=False,
        )
    with tempfile.TemporaryDirectory(prefix="coach-pulse-") as directory:  # short: a socket path has 108 bytes
        home = Path(directory)
        address = home / "native"
        script = home / "test.pa"
        script.write_text(
            f"load-module module-null-sink sink_name={SINK} rate=48000\n"
            f"load-module module-native-protocol-unix socket={address} auth-anonymous=1\n"
            f"set-default-sink {SINK}\n"
        )
        server_env = {
            **os.environ,
            "HOME": str(home),  # no user daemon.conf, cookie or state
            "XDG_RUNTIME_DIR": str(home),
            "PULSE_RUNTIME_PATH": str(home / "runtime"),
            "PULSE_STATE_PATH": str(home / "state"),
            "DBUS_SESSION_BUS_ADDRESS": f"unix:path={home / 'no-bus'}",  # not announced on the user's bus
        }
        server_env.pop("DISPLAY", None)
        with (home / "pulseaudio.log").open("wb") as log:
            server = subprocess.Popen(
                [
                    "pulseaudio",
                    "-n",  # no default configuration: only the modules in our script
                    f"--file={script}",
                    "--daemonize=no",
                    "--exit-idle-time=-1",
                    "--use-pid-file=no",
                    "--system=no",
                    "--realtime=no",
                    "--high-priority=no",
                    "--disable-shm=yes",
                    "--log-target=stderr",
                ],
                env=server_env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            _wait_for_socket(address, server, home / "pulseaudio.log")
            monkeypatch.setenv("PULSE_SERVER", f"unix:{address}")
            monkeypatch.setenv("PULSE_COOKIE", str(home / "cookie"))  # else libpulse creates one in the user's home
            yield server
        finally:
            server.terminate()
            try:
                server.wait(timeout=5)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_for_socket(address: Path, server: subprocess.Popen[bytes], log: Path, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"pulseaudio exited with status {server.returncode}:\n{log.read_text()}", pytrace=False)
        try:
            with socket.socket(socket.AF_UNIX) as client:
                client.connect(str(address))
            return
        except OSError:
            time.sleep(0.02)
    pytest.fail(f"pulseaudio did not open {address} within {timeout_s} s:\n{log.read_text()}", pytrace=False)


class _Recorder:
    """`parec` recording the null sink's monitor, as mono float32 at the beep's rate; each sample timestamped.

    The timestamp is when the sample arrived here: the arrival of the first loud sample
    minus the time `play` was called bounds the latency from `play` to the sink.
    """

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [
                "parec",
                f"--device={SINK}.monitor",
                f"--rate={SAMPLE_RATE}",
                "--channels=1",
                "--format=float32le",
                "--raw",
                "--latency-msec=10",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
        )
        self._lock = threading.Lock()
        self._chunks: list[tuple[float, bytes]] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self._process.stdout is not None
        while chunk := self._process.stdout.read1(4096):
            arrived = time.monotonic()
            with self._lock:
                self._chunks.append((arrived, chunk))

    def recording(self) -> tuple[np.ndarray, np.ndarray]:
        """The samples so far, and when each arrived (monotonic seconds)."""
        with self._lock:
            chunks = list(self._chunks)
        data = b"".join(chunk for _, chunk in chunks)
        byte_arrival = np.repeat([t for t, _ in chunks], [len(chunk) for _, chunk in chunks])
        n = len(data) // 4
        return np.frombuffer(data[: 4 * n], dtype="<f4"), byte_arrival[3 : 4 * n : 4]

    def first_heard(self, since: float) -> int | None:
        """Index of the first loud sample that arrived at or after `since`."""
        samples, arrival = self.recording()
        loud = np.flatnonzero((arrival >= since) & (np.abs(samples) > HEARD))
        return int(loud[0]) if len(loud) else None

    def close(self) -> None:
        self._process.terminate()
        self._process.wait(timeout=5)
        self._reader.join(timeout=5)
        assert self._process.stdout is not None
        self._process.stdout.close()


def _warm_up(coach: AudioCoach, recorder: _Recorder) -> None:
    """Beep until the sink has one: a null sink takes up to 2 s to start playing a new stream."""
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline:
        played_at = time.monotonic()
        coach.reset()
        assert coach.eye_closure(CLOSURE, CLOSURE, 0.0) is not None
        if wait_for(lambda t=played_at: recorder.first_heard(t) is not None, 0.3):
            time.sleep(0.3)  # let it end
            return
    pytest.fail("nothing reached the null sink within 5 s of beeping")


def _beep_and_measure(coach: AudioCoach, recorder: _Recorder, now_s: float) -> tuple[np.ndarray, np.ndarray, float]:
    """Play the coach's eye-closure beep; the beep, what the sink got (from just before it), and the latency."""
    played_at = time.monotonic()
    beep = coach.eye_closure(CLOSURE, CLOSURE, now_s)
    assert beep is not None
    assert wait_for(lambda: recorder.first_heard(played_at) is not None, 1.0), "the beep never reached the sink"
    time.sleep(len(beep) / SAMPLE_RATE + 0.1)
    samples, arrival = recorder.recording()
    start = recorder.first_heard(played_at)
    assert start is not None
    margin = round(0.02 * SAMPLE_RATE)
    return beep, samples[max(0, start - margin) : start + len(beep) + margin], float(arrival[start] - played_at)


def _band_energy_share(x: np.ndarray, frequency: float, half_width: float = 30.0) -> float:
    """How much of the signal's energy lies within `half_width` Hz of `frequency`."""
    power = np.abs(np.fft.rfft(x * np.hanning(len(x)))) ** 2
    freqs = np.fft.rfftfreq(len(x), 1 / SAMPLE_RATE)
    return float(power[np.abs(freqs - frequency) <= half_width].sum() / power.sum())


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def test_the_eye_closure_beep_reaches_the_sink_at_its_pitch_level_and_volume(pulse_server):
    recorder = _Recorder()
    output: SoundOutput | None = None
    try:
        assert wait_for(lambda: len(recorder.recording()[0]) > 0, 5.0), "parec recorded nothing"
        assert np.abs(recorder.recording()[0]).max() <= HEARD, "the sink is silent before we play"
        output = open_sound_output()
        assert isinstance(output, MiniaudioOutput), output.description
        assert output.description == "audio output: PulseAudio"
        coach = AudioCoach(output)
        pitch = coach.sonifier.pitch_hz(CLOSURE)
        _warm_up(coach, recorder)
        latencies, levels = [], []
        for i in range(4):
            beep, heard, latency = _beep_and_measure(coach, recorder, now_s=10.0 + i)
            latencies.append(latency)
            freqs = np.fft.rfftfreq(len(heard), 1 / SAMPLE_RATE)
            spectrum = np.abs(np.fft.rfft(heard * np.hanning(len(heard))))
            assert freqs[np.argmax(spectrum)] == pytest.approx(pitch, abs=SAMPLE_RATE / len(heard))
            assert _band_energy_share(heard, pitch) > 0.9, "the energy is the beep's, not noise"
            assert _rms(heard) == pytest.approx(_rms(beep), rel=0.2), "at the level it was played"
            levels.append(_rms(heard))
        output.volume = 0.5
        _, heard, _ = _beep_and_measure(coach, recorder, now_s=20.0)
        assert _rms(heard) / np.mean(levels) == pytest.approx(0.5, rel=0.1), "the volume setting reaches the sink"
        latency_ms = 1000 * float(np.median(latencies))
        print(f"play() to null sink (as recorded from its monitor): median {latency_ms:.0f} ms, {latencies}")
        assert latency_ms < 100, "feedback must be heard within ~100 ms"
    finally:
        if output is not None:
            output.close()
        recorder.close()


def test_the_output_says_so_when_the_sound_server_dies_mid_session(pulse_server):
    recorder = _Recorder()
    output = open_sound_output()
    try:
        assert isinstance(output, MiniaudioOutput), output.description
        coach = AudioCoach(output)
        _warm_up(coach, recorder)  # the session is under way: the sink has had a beep
        pulse_server.send_signal(signal.SIGKILL)
        pulse_server.wait()
        assert wait_for(lambda: not output.available, MiniaudioOutput.STALL_S + 2.0)
        assert output.description == MiniaudioOutput.LOST
        assert coach.status_text == f"Sound off: no audio output ({MiniaudioOutput.LOST})"
        output.play(np.ones(100, dtype=np.float32), SAMPLE_RATE)  # nothing, no error
        assert coach.eye_closure(CLOSURE, CLOSURE, 100.0) is None
    finally:
        output.close()
        recorder.close()


FORGETFUL_PROGRAM = """
import time
from coach.sound.outputs import open_sound_output
from coach.sound.tones import tone
output = open_sound_output()
output.play(tone(440, 1.0), 22050)
time.sleep(0.3)
print(output.description)
"""


def test_a_process_that_does_not_close_the_output_still_exits(pulse_server):
    """The device must be closed before the interpreter shuts down: later, closing it waits forever."""
    result = subprocess.run(
        [sys.executable, "-c", FORGETFUL_PROGRAM], capture_output=True, text=True, timeout=20, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "audio output: PulseAudio"


NO_SOUND_PROGRAM = """
import json
from coach.sound.outputs import open_sound_output
from coach.sound.tones import tone
output = open_sound_output()
output.play(tone(440, 0.1), 22050)
print(json.dumps([type(output).__name__, output.available, output.description]))
output.close()
"""


def test_without_a_sound_server_or_sound_card_the_output_says_why_and_plays_nothing(tmp_path):
    empty = tmp_path / "empty.conf"
    empty.write_text("")
    env = {
        **os.environ,
        "PULSE_SERVER": f"unix:{tmp_path / 'no-server'}",  # nothing listens there
        "PULSE_COOKIE": str(tmp_path / "cookie"),
        "ALSA_CONFIG_PATH": str(empty),  # ALSA knows no device at all, whatever sound cards there are
        "JACK_NO_START_SERVER": "1",
        "JACK_DEFAULT_SERVER": "coach-test-no-server",
        "PIPEWIRE_REMOTE": "coach-test-no-server",  # PipeWire's JACK library
        "XDG_RUNTIME_DIR": str(tmp_path),
    }
    # a fresh process: ALSA reads its configuration once per process
    result = subprocess.run(
        [sys.executable, "-c", NO_SOUND_PROGRAM], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["NullOutput", False, MiniaudioOutput.NO_DEVICE]
