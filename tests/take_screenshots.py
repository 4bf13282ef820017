"""Screenshots of every screen of the live coach, under a real X server.

    xvfb-run -s "-screen 0 1280x720x24" python tests/take_screenshots.py OUT_DIR

Plays a real face clip as the camera (rest, then smiles) through the app's own window
and saves a picture of the camera check, calibration, an exercise mid-repetition, the
exercise result, the session summary, the history window and the no-camera screen,
for a person to look at. Not a test: it asserts nothing, it shows.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from coach.capture.sources import VideoFileSource  # noqa: E402
from coach.gui.app import build_window  # noqa: E402
from coach.gui.history import HistoryDialog  # noqa: E402
from coach.measure.landmarks import default_model_path, load_model_bytes  # noqa: E402
from coach.plans.exercises import get_exercise  # noqa: E402
from coach.plans.programmes import Programme  # noqa: E402
from coach.records.store import database_path  # noqa: E402
from coach.session.live import PacedSource  # noqa: E402
from coach.session.phases import Phase, SessionTiming  # noqa: E402
from coach.sound.audio_coach import AudioCoach  # noqa: E402
from coach.sound.outputs import RecordingOutput  # noqa: E402

import synthetic  # noqa: E402


def main(out_dir: Path) -> int:
    out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp())
    frames, fps = synthetic.read_clip(HERE / "data" / "single_face.mp4")
    rest = [frames[i] for i in (list(range(12)) + list(range(11, -1, -1))) * 10]
    clip = synthetic.write_clip(work / "clip.avi", rest[:120] + (frames[12:] + rest[:75]) * 6, fps)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    args = argparse.Namespace(exercises_dir=None, programme=None, source=None, loop=True, camera=0, data_dir=work)
    timing = SessionTiming(camera_ok_s=1.5, calibration_s=2.0, instruction_s=1.5, countdown_s=1.0, move_s=1.0,
                           result_s=2.0)  # fmt: skip
    model = load_model_bytes(default_model_path())
    window, _, _ = build_window(args, model, timing, AudioCoach(RecordingOutput()),
                                lambda: PacedSource(lambda: VideoFileSource(clip), loop=True))  # fmt: skip
    smile = dataclasses.replace(get_exercise("big_smile"), repetitions=2, hold_s=2.0, relax_s=2.0)
    window.start_box.offer_programmes({"demo": Programme("demo", "Smile practice", "", (smile,))}, "demo")
    window.overlay_box.setChecked(True)
    window.stats_box.setChecked(True)
    window.start_box.keep_pictures.setChecked(True)  # so the history shows a kept picture
    window.show()
    taken: set[str] = set()

    def shoot(name: str, widget: object = None) -> None:
        screen = app.primaryScreen()
        target = widget or window
        screen.grabWindow(target.winId()).save(str(out_dir / f"{name}.png"))
        taken.add(name)
        print("saved", out_dir / f"{name}.png", flush=True)

    started = {"done": False}

    def tick() -> None:
        view = window.last_view
        if "00_start" not in taken and window.camera_ok:
            shoot("00_start")
            window.start_session()
            started["done"] = True
            return
        if view is None or not started["done"]:
            return
        wanted = {
            Phase.CAMERA_CHECK: "01_camera_check",
            Phase.CALIBRATING: "02_calibration",
            Phase.INSTRUCTION: "03_instruction",
            Phase.EXERCISE_RESULT: "05_exercise_result",
        }
        name = wanted.get(view.phase)
        if name and name not in taken and (view.phase is not Phase.CALIBRATING or view.phase_progress > 0.5):
            shoot(name)
        moving = view.feedback is not None and max(view.feedback.left_mm, view.feedback.right_mm) > 5
        if view.phase is Phase.HOLD and moving and "04_mid_repetition" not in taken:
            shoot("04_mid_repetition")
        if view.finished and "06_summary" not in taken:
            shoot("06_summary")
            history = HistoryDialog(database_path(work), window)
            history.show()
            QTimer.singleShot(800, lambda: (shoot("07_history", history), history.close(), no_camera()))

    def no_camera() -> None:
        window.close()
        from coach.capture.sources import CameraSource

        other, _, _ = build_window(args, model, timing, AudioCoach(RecordingOutput()), lambda: CameraSource(7))
        other.show()
        QTimer.singleShot(
            2500, lambda: (shoot("08_no_camera", other), other.close(), set_up_pages(app, new_window, shoot))
        )

    def new_window(language: str = "en"):
        return build_window(argparse.Namespace(**{**vars(args), "language": language}), model, timing,
                            AudioCoach(RecordingOutput()),
                            lambda: PacedSource(lambda: VideoFileSource(clip), loop=True))[0]  # fmt: skip

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(100)
    QTimer.singleShot(180_000, app.quit)
    app.exec()
    return 0 if len(taken) >= 18 else 1


def set_up_pages(app, new_window, shoot) -> None:
    """The first-run pages, Help's guide and About, then the main window with the largest text."""
    from coach.gui.first_run import FirstRunWizard
    from coach.gui.help import GuideDialog
    from coach.gui.main_menus import show_about

    big = new_window()
    big.show()
    wizard = FirstRunWizard(big.preferences.current, big.use_camera, lambda: "Sound on: spoken prompts",
                            lambda pct: None, parent=big)  # fmt: skip
    big.previews.append(wizard.preview)
    wizard.show()
    guide = GuideDialog("en", big)
    steps = [(f"1{page}_welcome_page{page + 1}", wizard, wizard.next) for page in range(4)]
    steps += [("14_guide", guide, guide.close), ("15_about", None, big.raise_)]

    def about() -> None:
        dialog = QApplication.activeModalWidget()
        shoot("15_about", dialog)
        dialog.close()

    def step(index: int = 0) -> None:
        if index == len(steps):
            big.set_text_size(200)
            QTimer.singleShot(1500, lambda: (shoot("16_text_200_percent", big), big.set_text_size(100), big.close(),
                                             therapist_and_german(app, new_window, shoot)))  # fmt: skip
            return
        name, widget, after = steps[index]
        if name == "14_guide":
            wizard.close()
            guide.show()
        if name == "15_about":
            QTimer.singleShot(500, about)
            QTimer.singleShot(100, lambda: show_about(big))
            QTimer.singleShot(1500, lambda: step(index + 1))
            return
        shoot(name, widget)
        after()
        QTimer.singleShot(1200, lambda: step(index + 1))

    QTimer.singleShot(2500, step)


def therapist_and_german(app, new_window, shoot) -> None:
    """The therapist's window with a patient and their sessions, then the live window in German."""
    from coach.gui.therapist.window import TherapistWindow
    from coach.usecases.clinic import Clinic

    main = new_window()
    database = database_path(main.options.data_dir)
    with Clinic.open(database)[0] as clinic:
        if not clinic.patients():
            clinic.add_patient("P07", name="Alex Example", affected_side="left")
    therapist = TherapistWindow(database, main.options.model_bytes, None)
    therapist.resize(1280, 720)
    therapist.show()
    therapist.patient_table.selectRow(0)

    def german() -> None:
        shoot("20_therapist", therapist)
        therapist.close()
        main.close()
        window = new_window(language="de")
        window.show()
        QTimer.singleShot(2500, lambda: (shoot("21_german", window), window.close(), app.quit()))

    QTimer.singleShot(1500, german)


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")))
