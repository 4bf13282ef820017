"""Supervision from another place in the real windows (offscreen): the patient's coach with a
clip as the camera shares its session through a real Mosquitto relay; the therapist's window
of patients followed from elsewhere pairs by the code, opens the session in full, pauses it,
and receives the finished session into their own records.
"""

from __future__ import annotations

import pytest
from coach_windows import smile_coach
from PySide6.QtCore import Qt
from relay_broker import Broker

from coach.gui.preferences import PreferenceStore
from coach.gui.remote_follow import FollowDialog, FollowingWindow
from coach.gui.remote_share import RemoteShare, RemoteShareDialog
from coach.records.store import database_path
from coach.session.phases import SessionTiming
from coach.usecases.clinic import Clinic
from coach.usecases.remote_supervision import follow_remote_session

FAST = SessionTiming(camera_ok_s=0.5, calibration_s=1.5, instruction_s=0.5, countdown_s=0.5, move_s=1.0, result_s=0.5)


@pytest.fixture
def broker(tmp_path):
    relay = Broker(tmp_path).start()
    yield relay
    relay.kill()


def _action(window, text: str):
    return next(a for menu in window.menuBar().actions() for a in menu.menu().actions()
                if a.text().replace("&", "") == text)  # fmt: skip


def test_a_therapist_elsewhere_pairs_follows_pauses_and_files_the_session(
    qtbot, tmp_path, model_bytes, smile_sessions_clip, broker
):
    home, clinic_dir = tmp_path / "home", tmp_path / "clinic"
    with Clinic.open(database_path(home))[0] as records:
        at_home = records.add_patient("P07", name="Alex Example", affected_side="left")
    with Clinic.open(database_path(clinic_dir))[0] as records:
        patient = records.add_patient("P07", name="Alex Example", affected_side="left")
        other = records.add_patient("P11", name="Someone Else")
    main = smile_coach(home, model_bytes, smile_sessions_clip, FAST, repetitions=2)
    qtbot.addWidget(main)
    main.start_box.choose_patient(at_home.id)
    main.show()
    # the patient asks for a code, on their clinic's relay
    _action(main, "Let my therapist follow from another place…").trigger()
    (share_dialog,) = main.findChildren(RemoteShareDialog)
    share_dialog.relay.setText(broker.address)
    qtbot.mouseClick(share_dialog.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: share_dialog.code.text() != "", timeout=5_000)
    code = share_dialog.code.text()
    assert share_dialog.told.text() == f"Read this code to your therapist: {code}"
    # the therapist, elsewhere, types it for their patient P07
    prefs = PreferenceStore(None)
    following = FollowingWindow(
        lambda relay, code, name, pid, on_status: follow_remote_session(relay, code, name, database_path(clinic_dir),
                                                                        pid, on_status),
        prefs, [patient, other])  # fmt: skip
    qtbot.addWidget(following)
    following.show()
    dialog = following.ask_for_code()
    assert isinstance(dialog, FollowDialog)
    dialog.name.setText("Dr Weber")
    dialog.relay.setText(broker.address)
    dialog.patient.setCurrentIndex(dialog.patient.findData(patient.id))
    dialog.code.setText(code)
    qtbot.mouseClick(dialog.follow_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: following.table.rowCount() == 1, timeout=10_000)
    assert following.table.item(0, 0).text() == "P07 (Alex Example)"
    assert following.table.item(0, 1).text() == "following"
    assert not dialog.isVisible()
    # the patient sees, beside the session, who follows
    (share,) = main.findChildren(RemoteShare)
    qtbot.waitUntil(lambda: share.banner.isVisible(), timeout=5_000)
    assert share.banner_text.text() == "Dr Weber is following your session from another place."
    share_dialog.close()
    # the session, opened in full on the therapist's screen: no picture, the link's state said
    supervision = following.open_row(0)
    assert not supervision.video.isVisibleTo(supervision) and supervision.link_line.text() == (
        "From another place: following"
    )
    assert supervision.patient_line.text().startswith("P07")  # whose session, before it even starts
    qtbot.waitUntil(lambda: main.camera_ok, timeout=10_000)
    qtbot.mouseClick(main.start_box.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: supervision.view is not None and supervision.view.exercise is not None, timeout=30_000)
    qtbot.mouseClick(supervision.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: main.last_view is not None and main.last_view.paused, timeout=5_000)
    qtbot.waitUntil(lambda: main.video.notice != "", timeout=5_000)  # over the picture: who paused it
    assert main.video.notice == "Your therapist paused the session."
    qtbot.waitUntil(lambda: supervision.statusBar().currentMessage().startswith("Done by"), timeout=5_000)
    assert supervision.statusBar().currentMessage() == "Done by the therapist (remote): paused."
    qtbot.waitUntil(lambda: supervision.pause_button.text() == "Resume (Space)", timeout=5_000)
    qtbot.mouseClick(supervision.pause_button, Qt.MouseButton.LeftButton)  # resumed from afar
    qtbot.waitUntil(lambda: main.last_view is not None and not main.last_view.paused, timeout=5_000)
    qtbot.waitUntil(lambda: supervision.repetitions.rowCount() >= 1, timeout=40_000)
    qtbot.waitUntil(lambda: following.table.item(0, 4).text().endswith("%"), timeout=5_000)
    qtbot.waitUntil(lambda: main.last_view is not None and main.last_view.finished, timeout=60_000)
    # the finished session is in the therapist's records, for P07 only
    followed = following.followed[0].session
    qtbot.waitUntil(lambda: bool(followed.filed), timeout=10_000)
    with Clinic.open(database_path(clinic_dir))[0] as records:
        assert len(records.sessions(patient.id)) == 1 and records.sessions(other.id) == []
    # the patient ends the link: the therapist's row says so
    qtbot.mouseClick(share.end_button, Qt.MouseButton.LeftButton)
    assert not share.banner.isVisible()
    qtbot.waitUntil(lambda: following.table.item(0, 1).text() == "ended", timeout=5_000)
    following.close()
    main.close()
