"""The windows built anew in the language now chosen, while the session and the camera carry on.

The windows' words are chosen as they are built (`tr`), so a new language is a new build
rather than a restart: the main window is built again around the same session controller
and camera pipeline, with what the person had chosen on it (patient, programme, switches),
the session's current view and the problems it showed; the patients window and the
supervision window, if open, are built again (the patients window at the same patient and
tab). Nothing of the session is touched: it is not paused, and its records and sound go on.
"""

from __future__ import annotations

from coach.gui.main_window import MainWindow
from coach.gui.supervision import SupervisionWindow


def rebuild_main_window(old: MainWindow) -> MainWindow:
    """`old` built anew in the current language, in its place; `old` is closed."""
    new = MainWindow(old.options, pipeline=old.pipeline)
    old.detached = True
    _carry_choices(old, new)
    new.setGeometry(old.geometry())
    if old.isMaximized():
        new.showMaximized()
    elif old.isVisible():
        new.show()
    supervision = old.findChild(SupervisionWindow)
    if supervision is not None and supervision.isVisible():  # the therapist's view, in the new language too
        supervision.close()
        new.supervise()
    reopen = getattr(old.options.open_therapist, "reopen", None)
    if reopen is not None:  # the patients window, if open, in the new language too, under the new window
        reopen(new, new.start_box.refresh_patients)
    old.close()
    old.deleteLater()
    return new


def _carry_choices(old: MainWindow, new: MainWindow) -> None:
    """What the person chose or was shown on `old` that the settings do not keep."""
    new.start_box.take_choices_from(old.start_box)
    for box in ("overlay_box", "stats_box"):
        getattr(new, box).setChecked(getattr(old, box).isChecked())
    new.camera_ok, new.camera_number = old.camera_ok, old.camera_number
    new.describe_source = old.describe_source  # (the camera or file chosen since, named anew)
    new.source_label.setText(new.describe_source())
    new.source_box.setVisible(not old.source_box.isHidden())
    new.old_sessions_upto = old.old_sessions_upto
    for problem in old.problems_shown:
        new.show_problem(problem)
    view = old.last_view
    if view is not None:  # the session as it is now, until its next view comes
        new.show_view(view)
        new.show_session_running(not view.finished)
