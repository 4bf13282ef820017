"""Screenshots of supervision from another place, under a real X server: the patient's code, the
patient's window followed (the banner, a notice from afar), the therapist's window of patients
followed and the session opened in full there.

    xvfb-run -s "-screen 0 1920x1080x24" python tests/take_remote_screenshots.py OUT_DIR [--language de]
        [--text-scale 200]

Starts its own Mosquitto on loopback; the patient's coach (a real face clip as the camera) and
the therapist's window run in one process, paired through the relay by the code as two
computers would be. Not a test: it asserts nothing, it shows.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from coach_windows import Step, grab, run_steps, screenshot_options, smile_coach  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402
from relay_broker import Broker  # noqa: E402

from coach.base import i18n  # noqa: E402
from coach.gui.preferences import PreferenceStore  # noqa: E402
from coach.gui.remote_follow import FollowingWindow  # noqa: E402
from coach.gui.remote_share import share_from  # noqa: E402
from coach.measure.landmarks import default_model_path, load_model_bytes  # noqa: E402
from coach.records.store import database_path  # noqa: E402
from coach.session.phases import Phase, SessionTiming  # noqa: E402
from coach.usecases.clinic import Clinic  # noqa: E402
from coach.usecases.remote_supervision import follow_remote_session  # noqa: E402

import synthetic  # noqa: E402


def main(out_dir: Path, language: str, text_scale_pct: int) -> int:
    out_dir.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    work = Path(tempfile.mkdtemp())
    broker = Broker(work).start()
    clip = synthetic.write_smiles_clip(HERE / "data", work / "smiles.avi")
    home, clinic_dir = work / "home", work / "clinic"
    with Clinic.open(database_path(home))[0] as records:
        at_home = records.add_patient("P07", name="Alex Example", affected_side="left")
    with Clinic.open(database_path(clinic_dir))[0] as records:
        patients = [records.add_patient("P07", name="Alex Example", affected_side="left"),
                    records.add_patient("P11", name="Sam Sample", affected_side="right")]  # fmt: skip
    timing = SessionTiming(camera_ok_s=0.5, calibration_s=1.5, instruction_s=1.0, countdown_s=0.5, move_s=1.0)
    patient_window = smile_coach(home, load_model_bytes(default_model_path()), clip, timing, repetitions=4,
                              language=language)  # fmt: skip
    patient_window.start_box.choose_patient(at_home.id)
    patient_window.resize(1280, 800)
    patient_window.set_text_size(text_scale_pct)
    patient_window.show()
    share = share_from(patient_window)
    assert share is not None
    share.relay.setText(broker.address)
    following = FollowingWindow(
        lambda relay, code, name, pid, on_status: follow_remote_session(relay, code, name, database_path(clinic_dir),
                                                                        pid, on_status),
        PreferenceStore(None), patients)  # fmt: skip
    following.resize(1100, 420)
    following.show()
    state: dict[str, QWidget] = {}

    def pair() -> None:
        dialog = following.ask_for_code()
        dialog.name.setText("Dr. Weber")
        dialog.relay.setText(broker.address)
        dialog.patient.setCurrentIndex(dialog.patient.findData(patients[0].id))
        dialog.code.setText(share.code.text())
        grab(dialog, out_dir / "41_therapist_types_code.png")
        dialog.follow_button.click()

    def open_in_full() -> None:
        share.close()
        state["supervision"] = following.open_row(0)
        state["supervision"].resize(1500, 950) if text_scale_pct <= 100 else state["supervision"].resize(1900, 1050)
        patient_window.start_session()

    def supervision_phase() -> Phase | None:
        window = state.get("supervision")
        view = getattr(window, "view", None)
        return view.phase if view is not None else None

    steps: list[Step] = [
        (lambda: share.code.text() != "", lambda: grab(share, out_dir / "40_patient_code.png")),
        (lambda: True, pair),
        (lambda: following.table.rowCount() == 1 and patient_window.camera_ok, open_in_full),
        (lambda: supervision_phase() is Phase.HOLD, lambda: state["supervision"].pause_button.click()),
        (lambda: patient_window.video.notice != "", lambda: grab(patient_window, out_dir / "42_patient_followed.png")),
        (lambda: True, lambda: state["supervision"].pause_button.click()),
        (lambda: state["supervision"].repetitions.rowCount() >= 2 and supervision_phase() is Phase.HOLD,
         lambda: grab(state["supervision"], out_dir / "43_remote_supervision.png")),
        (lambda: following.table.item(0, 4) is not None and following.table.item(0, 4).text() != "",
         lambda: grab(following, out_dir / "44_following.png")),
    ]  # fmt: skip
    share.start_button.click()

    finished = run_steps(app, steps)
    following.close()
    patient_window.close()
    broker.kill()
    i18n.set_language("en")
    return 0 if finished else 1


if __name__ == "__main__":
    options = screenshot_options()
    sys.exit(main(options.out_dir, options.language, options.text_scale))
