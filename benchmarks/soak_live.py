"""An hour of live coaching from a looping clip: memory, threads and frame latency, start vs end.

    python benchmarks/soak_live.py [--minutes 60] [--clip tests/data/single_face.mp4] [--every 60]

Why: issue 10's soak target (memory growth < 5 MB after the first 5 minutes, threads constant,
p95 frame latency within 10 % of the first 5 minutes). The app's own live path runs offscreen,
as `facecoach bench --live` does (paced capture → landmarks and a coaching session → the real
video widget painted), with the daily programme at 50 repetitions per exercise so the session
lasts the hour; a new session starts if it ends sooner. Prints one line per interval and a verdict.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import threading
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def _rss_mb() -> float:
    """Resident memory of this process (Linux /proc; elsewhere the peak from resource)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _long_programme():
    from coach.plans.programmes import load_programmes

    daily = load_programmes()["daily"]
    return dataclasses.replace(daily, exercises=tuple(dataclasses.replace(e, repetitions=50) for e in daily.exercises))


def main(argv: list[str] | None = None) -> int:
    """Run the soak; exit 1 if a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--clip", type=Path, default=REPO / "tests" / "data" / "single_face.mp4")
    parser.add_argument("--every", type=float, default=60.0, help="seconds between report lines")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from coach.capture.sources import VideoFileSource
    from coach.gui.session_bridge import SessionBridge
    from coach.gui.widgets import VideoView
    from coach.measure.landmarks import default_model_path, load_model_bytes
    from coach.session.commands import Origin, Start
    from coach.session.controller import SessionController
    from coach.session.live import LivePipeline, PacedSource

    app = QApplication.instance() or QApplication([])
    controller = SessionController()
    bridge, view = SessionBridge(), VideoView()
    controller.events.subscribe(bridge)
    view.resize(960, 540)
    view.show()
    window: list[float] = []
    rows: list[tuple[float, float, int, float, int]] = []  # minute, rss MB, threads, p95 ms, frames
    pipeline = LivePipeline(
        lambda: PacedSource(lambda: VideoFileSource(args.clip), loop=True),
        load_model_bytes(default_model_path()),
        controller,
        bridge.picture_ready,
    )
    programme = _long_programme()

    def start() -> None:
        controller.send(Start(origin=Origin.APP, programme=programme, save_results=False))

    def show() -> None:
        frame = pipeline.display.take()
        if frame is None:
            return
        view.set_frame(frame.image_rgb, frame.face_px)
        view.repaint()
        window.append((time.monotonic() - frame.captured_at) * 1000.0)

    started = time.monotonic()

    def report() -> None:
        if not window:
            return
        latencies = np.array(window)
        row = ((time.monotonic() - started) / 60.0, _rss_mb(), threading.active_count(),
               float(np.percentile(latencies, 95)), len(window))  # fmt: skip
        rows.append(row)
        window.clear()
        print(f"{row[0]:6.1f} min  rss {row[1]:7.1f} MB  threads {row[2]:3d}  p95 {row[3]:6.1f} ms  frames {row[4]}",
              flush=True)  # fmt: skip
        if controller.session is not None and controller.session.finished:  # ended early: the next one starts
            start()

    bridge.picture_arrived.connect(show)
    start()
    pipeline.start()
    timer = QTimer()
    timer.timeout.connect(report)
    timer.start(int(args.every * 1000))
    loop = QEventLoop()
    QTimer.singleShot(int(args.minutes * 60_000), loop.quit)
    loop.exec()
    timer.stop()
    pipeline.stop()
    app.processEvents()
    return _verdict(rows)


def _verdict(rows: list[tuple[float, float, int, float, int]]) -> int:
    """Compare the end with the first five minutes."""
    early = [r for r in rows if r[0] <= 5.5] or rows[:1]
    late = rows[-5:]
    base_rss, base_p95 = early[-1][1], float(np.median([r[3] for r in early]))
    growth = late[-1][1] - base_rss
    p95_change = float(np.median([r[3] for r in late])) / base_p95 - 1.0
    threads = {r[2] for r in rows}
    print(f"\nmemory after 5 min {base_rss:.1f} MB, at the end {late[-1][1]:.1f} MB: growth {growth:+.1f} MB (< 5)")
    print(f"threads seen: {sorted(threads)} (constant: {len(threads) == 1})")
    print(f"p95 latency first 5 min {base_p95:.1f} ms, last 5 reports {base_p95 * (1 + p95_change):.1f} ms: "
          f"{100 * p95_change:+.0f} % (no more than +10 %)")  # fmt: skip
    return 0 if growth < 5.0 and len(threads) == 1 and p95_change <= 0.10 else 1


if __name__ == "__main__":
    sys.exit(main())
