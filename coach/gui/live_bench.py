"""`facecoach bench --live`: the clip played in real time through the app's own path.

Capture (paced at the clip's frame rate) → processing (landmarks and a coaching
session) → display (the real VideoView widget, painted offscreen). Latency is from
the moment a frame was read to the moment it was painted; CPU is this process's CPU
time over the wall time (100 % = one core busy).

`supervised`: the therapist's supervision window is open as well (its traces redrawn on
their timer, every measured picture sent to it), and pauses and resumes the session every
COMMAND_EVERY_MS; how long each command takes to show in the patient's view is measured
(from the click to the patient's window thread holding the paused or resumed view).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

#: how often the supervision window pauses or resumes the session in a supervised run
COMMAND_EVERY_MS = 700


def run_live_benchmark(
    path: Path,
    model_bytes: bytes,
    seconds: float = 10.0,
    supervised: bool = False,
    relay: str | None = None,
    commands: bool = True,
) -> dict[str, float | int]:
    """relay (with `supervised`): the supervision window follows from another place, through this
    relay (paired by code as a therapist elsewhere would be), instead of beside the patient;
    commands: it pauses and resumes the session (False: it only follows, so the session gets as
    far as its repetitions, whose measured pictures are timed on their way)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from coach.capture.sources import VideoFileSource
    from coach.gui.session_bridge import SessionBridge
    from coach.gui.widgets import VideoView
    from coach.plans.programmes import load_programmes
    from coach.session.commands import Origin, Start
    from coach.session.controller import SessionController
    from coach.session.live import LivePipeline, PacedSource

    VideoFileSource(path).close()  # unreadable: a clear error before anything starts
    app = QApplication.instance() or QApplication([])

    controller = SessionController()
    bridge = SessionBridge()
    controller.events.subscribe(bridge)  # the session's events reach the GUI thread, as in the app
    view = VideoView()
    view.resize(960, 540)
    view.show()
    latencies_ms: list[float] = []

    pipeline = LivePipeline(
        lambda: PacedSource(lambda: VideoFileSource(path), loop=True), model_bytes, controller, bridge.picture_ready
    )

    def show() -> None:
        frame = pipeline.display.take()
        if frame is None:
            return
        view.set_frame(frame.image_rgb, frame.face_px)
        view.repaint()  # paint now, synchronously: the picture is on screen when this returns
        latencies_ms.append((time.monotonic() - frame.captured_at) * 1000.0)

    bridge.picture_arrived.connect(show)
    programme = next(iter(load_programmes().values()))
    controller.send(Start(origin=Origin.APP, programme=programme, save_results=False))
    watch: _Supervision | _FollowerProcess | None = None
    if supervised and relay and not commands:  # elsewhere: the therapist's window in a process of its own
        watch = _FollowerProcess(controller, relay, seconds)
    elif supervised:
        watch = _Supervision(controller, bridge, relay)
    cpu_start, wall_start = time.process_time(), time.monotonic()
    pipeline.start()
    # a local loop: quitting the application's own loop would leave it unusable afterwards
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()
    app.processEvents()  # deliver what the threads sent before they stopped
    pipeline.stop()
    extra = watch.figures(time.monotonic() - wall_start) if watch is not None else {}
    cpu, wall = time.process_time() - cpu_start, time.monotonic() - wall_start
    stats = pipeline.stats
    latencies = np.array(latencies_ms) if latencies_ms else np.array([float("nan")])
    return {
        "latency_ms_p50": round(float(np.percentile(latencies, 50)), 2),
        "latency_ms_p95": round(float(np.percentile(latencies, 95)), 2),
        "offered_frames": stats.offered_frames,
        "processed_frames": stats.processed_frames,
        "dropped_for_processing": stats.dropped_for_processing,
        "displayed_frames": len(latencies_ms),
        "cpu_percent": round(100.0 * cpu / wall, 1),
        "seconds": round(wall, 2),
        **extra,
    }


class _Supervision:
    """The supervision window over the benchmark's session, pausing and resuming it, and the
    time each command takes to reach the patient's view."""

    def __init__(self, controller: object, patient_view: object, relay: str | None = None) -> None:
        from PySide6.QtCore import QTimer

        from coach.gui.supervision import SupervisionWindow

        self.frame_ms: list[float] = []
        self.remote = _follow_from_afar(controller, relay, self.frame_ms) if relay else None
        watched = self.remote[1] if self.remote else controller
        self.window = SupervisionWindow(watched, lambda patient_id: None, remote=self.remote is not None)  # type: ignore[arg-type]
        self.window.resize(1280, 760)
        self.window.show()
        self.sent_at: float | None = None
        self.paused = False
        self.command_ms: list[float] = []
        self.redraws = 0
        redraw = self.window._redraw

        def counted_redraw() -> None:
            self.redraws += 1
            redraw()

        self.window.timer.timeout.disconnect()
        self.window.timer.timeout.connect(counted_redraw)
        patient_view.view_arrived.connect(self._patient_saw)  # type: ignore[attr-defined]
        self._patient_views = patient_view.views  # type: ignore[attr-defined]
        self.timer = QTimer()
        self.timer.timeout.connect(self._command)
        self.timer.start(COMMAND_EVERY_MS)

    def _command(self) -> None:
        if self.window.view is None or self.sent_at is not None:
            return
        self.sent_at = time.monotonic()
        self.window.toggle_pause()

    def _patient_saw(self) -> None:
        view = self._patient_views.take()
        if view is None or self.sent_at is None or view.paused == self.paused:
            return
        self.paused = view.paused
        self.command_ms.append((time.monotonic() - self.sent_at) * 1000.0)
        self.sent_at = None

    def figures(self, wall_s: float) -> dict[str, float | int]:
        self.timer.stop()
        self.window.close()
        commands = np.array(self.command_ms) if self.command_ms else np.array([float("nan")])
        remote: dict[str, float | int] = {}
        if self.remote is not None:
            shared, followed, _bridge = self.remote
            remote = {
                **_frame_figures(self.frame_ms),
                "command_to_patient_ms_p95": round(float(np.percentile(commands, 95)), 1),
                "messages_refused": followed.link.refused + shared.link.refused,
            }
            followed.end()
            shared.end()
        return {
            **remote,
            "commands_seen": len(self.command_ms),
            "command_to_patient_ms_p50": round(float(np.percentile(commands, 50)), 1),
            "command_to_patient_ms_max": round(float(np.max(commands)), 1),
            "trace_redraws_per_s": round(self.redraws / wall_s, 1),
        }


class _FollowerProcess:
    """The benchmark's session followed through the relay by a therapist's window in another
    process (as on another computer: its drawing costs the patient's computer nothing), which
    times each measured picture from capture to its window thread (CLOCK_MONOTONIC is the same
    for every process on a machine) and reports when the run ends."""

    def __init__(self, controller: object, relay: str, seconds: float) -> None:
        import subprocess
        import sys

        self.shared, states = _share(controller, relay)
        self.report = Path(tempfile.mkdtemp()) / "therapist.json"
        code = "import sys; from coach.gui.live_bench import follow_for; follow_for(*sys.argv[1:])"
        self.process = subprocess.Popen([sys.executable, "-c", code, relay, states[-1].code, str(seconds),
                                         str(self.report)])  # fmt: skip
        _wait(lambda: states[-1].therapist, "the therapist's process did not pair", timeout_s=30.0)

    def figures(self, wall_s: float) -> dict[str, float | int]:
        import json

        self.process.wait(timeout=60)
        self.shared.end()
        return {**json.loads(self.report.read_text()), "messages_refused_patient": self.shared.link.refused}


def follow_for(relay: str, code: str, seconds: str, report: str) -> None:
    """The therapist's side of `_FollowerProcess`: pair, follow in the supervision window for
    `seconds` (plus a little), write the figures to `report` (JSON)."""
    import json

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from coach.gui.supervision import SupervisionWindow

    app = QApplication.instance() or QApplication([])
    frame_ms: list[float] = []
    followed, _bridge = _follow(relay, code, frame_ms)
    window = SupervisionWindow(followed, lambda patient_id: None, remote=True)  # type: ignore[arg-type]
    window.resize(1280, 760)
    window.show()
    loop = QEventLoop()
    QTimer.singleShot(int(float(seconds) * 1000) + 1000, loop.quit)
    loop.exec()
    app.processEvents()
    figures = {
        **_frame_figures(frame_ms),
        "messages_refused": followed.link.refused if followed.link else -1,
    }
    window.close()
    followed.end()
    Path(report).write_text(json.dumps(figures))


def _follow(relay: str, code: str, frame_ms: list[float]) -> tuple:
    """Follow the session showing `code`; each measured picture's time from capture to this
    thread (ms) is added to `frame_ms`."""
    from coach.gui.session_bridge import SessionBridge
    from coach.session.events import FrameMeasured
    from coach.usecases.remote_supervision import follow_remote_session

    unused = Path(tempfile.mkdtemp()) / "unused.sqlite3"  # nothing is filed: the session is not saved
    followed = follow_remote_session(relay, code, "bench", unused, None, lambda status: None)
    _wait(followed.paired.is_set, "pairing through the relay failed")
    bridge = SessionBridge(measured_frames=True)

    def arrived(event: object) -> None:
        if isinstance(event, FrameMeasured):
            frame_ms.append((time.monotonic() - event.at_s) * 1000.0)

    bridge.event_arrived.connect(arrived)
    followed.events.subscribe(bridge)
    return followed, bridge


def _follow_from_afar(controller: object, relay: str, frame_ms: list[float]) -> tuple:
    """The benchmark's session shared through `relay` and followed by a therapist's app in this
    process (paired by the code, as from elsewhere): its commands are timed to the patient's view."""

    shared, states = _share(controller, relay)
    followed, bridge = _follow(relay, states[-1].code, frame_ms)
    _wait(lambda: states[-1].therapist, "the patient's side did not learn it was paired")
    return shared, followed, bridge


def _share(controller: object, relay: str) -> tuple:
    """The benchmark's session shared through `relay`, once its code is shown: (shared, its states)."""
    from coach.usecases.remote_supervision import share_live_session

    states: list = []
    shared = share_live_session(relay, controller, "bench", states.append, None)  # type: ignore[arg-type]
    _wait(lambda: states and states[-1].code, "the relay gave no code")
    return shared, states


def _frame_figures(frame_ms: list[float]) -> dict[str, float | int]:
    """How many measured pictures reached the therapist's window, and how soon after capture."""
    frames = np.array(frame_ms) if frame_ms else np.array([float("nan")])
    return {
        "frames_at_therapist": len(frame_ms),
        "capture_to_therapist_ms_p50": round(float(np.percentile(frames, 50)), 1),
        "capture_to_therapist_ms_p95": round(float(np.percentile(frames, 95)), 1),
    }


def _wait(condition: Callable[[], object], failure: str, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(failure)
        time.sleep(0.02)
