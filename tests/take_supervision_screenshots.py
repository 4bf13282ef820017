"""Screenshots of a supervised session, under a real X server: the therapist's supervision window
and the patient's window, after the therapist has steered (a smaller target, faded feedback, a
repetition set aside, a note).

    xvfb-run -s "-screen 0 1920x1080x24" python tests/take_supervision_screenshots.py OUT_DIR [--language de]
        [--text-scale 200]

Plays a real face clip as the camera (rest, then smiles) through the app's own windows; the
therapist's commands go through the supervision window's own controls, as clicks would. Not a
test: it asserts nothing, it shows.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from coach_windows import Step, grab, run_steps, screenshot_options, smile_coach  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from coach.gui.steering_panel import SteeringPanel  # noqa: E402
from coach.gui.supervision import SupervisionWindow  # noqa: E402
from coach.measure.landmarks import default_model_path, load_model_bytes  # noqa: E402
from coach.records.store import database_path  # noqa: E402
from coach.session.phases import Phase, SessionTiming  # noqa: E402
from coach.usecases.clinic import Clinic  # noqa: E402

import synthetic  # noqa: E402


def main(out_dir: Path, language: str, text_scale_pct: int) -> int:
    out_dir.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    work = Path(tempfile.mkdtemp())
    clip = synthetic.write_smiles_clip(HERE / "data", work / "smiles.avi")
    with Clinic.open(database_path(work))[0] as clinic:
        patient = clinic.add_patient("P07", name="Alex Example", affected_side="left")
    timing = SessionTiming(camera_ok_s=0.5, calibration_s=1.5, instruction_s=1.0, countdown_s=0.5, move_s=1.0)
    main_window = smile_coach(work, load_model_bytes(default_model_path()), clip, timing, repetitions=4,
                              language=language)  # fmt: skip
    main_window.start_box.choose_patient(patient.id)
    main_window.resize(1280, 800)
    main_window.set_text_size(text_scale_pct)
    main_window.show()
    main_window.supervise()
    (supervision,) = main_window.findChildren(SupervisionWindow)
    supervision.resize(1500, 950) if text_scale_pct <= 100 else supervision.resize(1900, 1050)
    panel = supervision.steering
    steps: list[Step] = [
        (lambda: main_window.camera_ok, main_window.start_session),
        (lambda: _phase(supervision) is Phase.INSTRUCTION, lambda: _target(panel, 3.0, 9.0)),
        (lambda: True, lambda: _faded(panel)),
        (lambda: supervision.repetitions.rowCount() >= 2, lambda: _discard(supervision)),
        (lambda: True, lambda: _note(panel, "smiles with the eye closing on the left; slower next time")),
        (lambda: main_window.video.notice != "", lambda: grab(main_window, out_dir / "31_patient_notice.png")),
        (lambda: _phase(supervision) is Phase.HOLD, lambda: grab(supervision, out_dir / "30_supervision.png")),
            ]  # fmt: skip

    finished = run_steps(app, steps)
    main_window.close()
    return 0 if finished else 1


def _phase(window: SupervisionWindow) -> Phase | None:
    return window.view.phase if window.view is not None else None


def _target(panel: SteeringPanel, low: float, high: float) -> None:
    panel.low_mm.setValue(low)
    panel.high_mm.setValue(high)
    panel.target_button.click()


def _faded(panel: SteeringPanel) -> None:
    panel.feedback.setCurrentIndex(panel.feedback.findData("faded"))
    panel.set_feedback()


def _discard(window: SupervisionWindow) -> None:
    window.repetitions.selectRow(window.repetitions.rowCount() - 1)
    window.steering.reason.setCurrentIndex(0)
    window.steering.discard_button.click()


def _note(panel: SteeringPanel, text: str) -> None:
    panel.note.setText(text)
    panel.note_button.click()


if __name__ == "__main__":
    options = screenshot_options()
    sys.exit(main(options.out_dir, options.language, options.text_scale))
