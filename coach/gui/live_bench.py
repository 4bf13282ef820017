"""`facecoach bench --live`: the clip played in real time through the app's own path.

Capture (paced at the clip's frame rate) → processing (landmarks and a coaching
session) → display (the real VideoView widget, painted offscreen). Latency is from
the moment a frame was read to the moment it was painted; CPU is this process's CPU
time over the wall time (100 % = one core busy).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np


def run_live_benchmark(path: Path, model_bytes: bytes, seconds: float = 10.0) -> dict[str, float | int]:
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
    cpu_start, wall_start = time.process_time(), time.monotonic()
    pipeline.start()
    # a local loop: quitting the application's own loop would leave it unusable afterwards
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()
    app.processEvents()  # deliver what the threads sent before they stopped
    pipeline.stop()
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
    }
