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
import time
from pathlib import Path

import numpy as np

#: how often the supervision window pauses or resumes the session in a supervised run
COMMAND_EVERY_MS = 700


def run_live_benchmark(
    path: Path, model_bytes: bytes, seconds: float = 10.0, supervised: bool = False
) -> dict[str, float | int]:
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
    watch = _Supervision(controller, bridge) if supervised else None
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

    def __init__(self, controller: object, patient_view: object) -> None:
        from PySide6.QtCore import QTimer

        from coach.gui.supervision import SupervisionWindow

        self.window = SupervisionWindow(controller, lambda patient_id: None)  # type: ignore[arg-type]
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
        return {
            "commands_seen": len(self.command_ms),
            "command_to_patient_ms_p50": round(float(np.percentile(commands, 50)), 1),
            "command_to_patient_ms_max": round(float(np.max(commands)), 1),
            "trace_redraws_per_s": round(self.redraws / wall_s, 1),
        }
