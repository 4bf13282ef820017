"""The coach's real window on a clip, as the supervision tests and screenshot scripts open it:
a smile programme, a video standing in for the camera, sound recorded rather than played."""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

from coach.capture.sources import VideoFileSource
from coach.gui.app import build_window
from coach.gui.main_window import MainWindow
from coach.plans.exercises import get_exercise
from coach.plans.programmes import Programme
from coach.session.live import PacedSource
from coach.session.phases import SessionTiming
from coach.sound.audio_coach import AudioCoach
from coach.sound.outputs import RecordingOutput


def smile_coach(
    data_dir: Path,
    model_bytes: bytes,
    clip: Path,
    timing: SessionTiming,
    repetitions: int,
    hold_s: float = 1.5,
    language: str | None = None,
) -> MainWindow:
    """The coach keeping its records in `data_dir`, offering one broad smile `repetitions` times."""
    args = argparse.Namespace(exercises_dir=None, programme=None, source=None, loop=True, camera=None,
                              data_dir=data_dir, **({"language": language} if language else {}))  # fmt: skip
    main, _, _ = build_window(args, model_bytes, timing, AudioCoach(RecordingOutput()),
                              lambda: PacedSource(lambda: VideoFileSource(clip), loop=True))  # fmt: skip
    smile = dataclasses.replace(get_exercise("big_smile"), repetitions=repetitions, hold_s=hold_s, relax_s=1.5)
    main.start_box.offer_programmes({"smile": Programme("smile", "Smile", "", (smile,))}, "smile")
    return main


def grab(widget: QWidget, path: Path) -> None:
    """A screenshot of `widget` as it is now, its path printed."""
    widget.grab().save(str(path))
    print(path)


def screenshot_options() -> argparse.Namespace:
    """OUT_DIR, --language and --text-scale, as every screenshot script takes them."""
    parser = argparse.ArgumentParser()
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--language", default="en")
    parser.add_argument("--text-scale", type=int, default=100, help="percent, 100 to 200")
    return parser.parse_args()


#: one step of a screenshot script: when `ready()` holds, `act()` (a click, a grab)
Step = tuple[Callable[[], bool], Callable[[], None]]


def run_steps(app: QApplication, steps: list[Step], timeout_ms: int = 120_000) -> bool:
    """Take `steps` in turn as each becomes ready (checked ten times a second) while the app runs;
    whether all were taken before `timeout_ms`."""

    def advance() -> None:
        if steps and steps[0][0]():
            steps.pop(0)[1]()
        if not steps:
            app.quit()

    timer = QTimer()
    timer.timeout.connect(advance)
    timer.start(100)
    QTimer.singleShot(timeout_ms, app.quit)
    app.exec()
    timer.stop()
    return not steps
