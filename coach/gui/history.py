"""A patient's past sessions, newest first, each opening to its exercises and repetitions, and to
what the therapist noted and changed while it ran (repetitions set aside shown struck through)."""

from __future__ import annotations

import html
from collections.abc import Collection, Sequence
from datetime import datetime
from pathlib import Path

import numpy as np
from PySide6.QtCore import QUrl
from PySide6.QtGui import QImage, QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from coach.base.errors import CoachError
from coach.base.formats import date_time_text, long_date_text, number_text
from coach.base.i18n import N_, Nn_, tr, trn
from coach.base.palette import weaker_side_word
from coach.plans.shown_names import shown_exercise_name, shown_programme_name
from coach.records.models import RepetitionRecord, SessionDetail
from coach.reports.pictures import draw_measured_regions
from coach.reports.steering_log import SET_ASIDE_GREY, STEERING_HEADING, set_aside_words, steering_entries
from coach.session.engine import Summary
from coach.usecases.clinic import Clinic


def _mm(value: float | None) -> str:
    return "-" if value is None else number_text(value, 1)


#: the newest sessions listed in the person's own history
SESSIONS_SHOWN = 100
#: how wide a kept picture is shown beside the numbers
PICTURE_WIDTH_PX = 260
PICTURES_NOTE = N_(
    "Picture at the peak, kept at the patient's request, as the camera saw it (not mirrored): the "
    "patient's right side is on the left of the picture. Outlined: the regions measured, the patient's left in "
    "blue, their right in orange."
)
#: under an exercise's repetitions when the therapist set some aside
SET_ASIDE_NOTE = N_("Struck through: set aside by the therapist, not part of the result above.")
#: how a session's or an exercise's stored status reads (translated where shown, `status_words`)
STATUS_WORDS = {
    "in_progress": N_("in progress"),
    "completed": N_("completed"),
    "skipped": N_("skipped"),
    "stopped": N_("stopped"),
    "interrupted": N_("interrupted"),
    "not_done": N_("not done: no movement seen"),
}
DELETE_QUESTION = Nn_(
    "Delete the {count} picture kept for this session? The numbers stay. This cannot be undone.",
    "Delete the {count} pictures kept for this session? The numbers stay. This cannot be undone.",
)
DELETED = Nn_("Deleted {count} picture; the numbers are kept.", "Deleted {count} pictures; the numbers are kept.")


def status_words(status: str) -> str:
    """How a stored status ("completed", "stopped") reads, in the user's language."""
    return tr(STATUS_WORDS[status]) if status in STATUS_WORDS else status


def session_date(moment: datetime) -> str:
    """A session's start as the user reads it: weekday, day, month, year and time, local."""
    local = moment.astimezone()
    return tr("{date}, {time}", date=long_date_text(local), time=f"{local:%H:%M}")


def show_session(browser: QTextBrowser, clinic: Clinic, session_id: int, prefix: str = "") -> int:
    """Put one session in `browser`, with the pictures kept for it; returns how many."""
    pictures = clinic.pictures(session_id)
    document = browser.document()
    for exercise_id, snapshot in pictures.items():
        drawn = np.ascontiguousarray(draw_measured_regions(snapshot))
        rows, cols = drawn.shape[:2]
        image = QImage(drawn.data, int(cols), int(rows), int(drawn.strides[0]), QImage.Format.Format_RGB888).copy()
        document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(f"snapshot:{exercise_id}"), image)
    browser.setHtml(prefix + session_html(clinic.session(session_id), set(pictures)))
    return len(pictures)


def delete_pictures(parent: QWidget, clinic: Clinic, session_id: int) -> int:
    """Ask, then delete the pictures kept for a session (the numbers stay); returns how many."""
    count = clinic.picture_count(session_id)
    if not count:
        return 0
    answer = QMessageBox.question(parent, tr("Delete pictures"), trn(*DELETE_QUESTION, count))
    if answer != QMessageBox.StandardButton.Yes:
        return 0
    return clinic.delete_pictures(session_id)


def session_html(detail: SessionDetail, pictures: Collection[int] = ()) -> str:
    """One session as a readable page: exercises, per-side numbers (the patient's sides), and
    for the exercise ids in `pictures` the picture added to the document by `show_session`."""
    parts = [
        "<h2>"
        + html.escape(shown_programme_name(detail.programme_id, detail.programme_name) or tr("Session"))
        + "</h2>",
        f"<p>{html.escape(session_date(detail.started_at))} · {html.escape(status_words(detail.status))}</p>",
        _steering_html(detail),
    ]
    for exercise in detail.exercises:
        status = html.escape(status_words(exercise.status))
        name = shown_exercise_name(exercise.exercise_id, exercise.exercise_name)
        line = f"<h3>{html.escape(name)} <small>({status})</small></h3>"
        line += _summary_html(exercise.summary) + _repetitions_html(exercise.repetitions)
        if exercise.id in pictures:
            line += f"<p><img src='snapshot:{exercise.id}' width='{PICTURE_WIDTH_PX}'></p>"
        parts.append(line)
    if pictures:
        parts.append(f"<p><small>{html.escape(tr(PICTURES_NOTE))}</small></p>")
    return "".join(parts)


def _symmetry(value: float | None) -> str:
    return "-" if value is None else f"{number_text(value * 100, 0)} %"


def _summary_html(summary: Summary | None) -> str:
    """An exercise's means: each side's movement, the symmetry and the weaker side."""
    if summary is None or not summary.reps:
        return ""
    text = tr(
        "Left (patient's) {left} mm · right (patient's) {right} mm · symmetry {symmetry} · weaker side: {weaker}",
        left=_mm(summary.left_mm),
        right=_mm(summary.right_mm),
        symmetry=_symmetry(summary.symmetry),
        weaker=weaker_side_word(summary.weaker_side),
    )
    return f"<p>{html.escape(text)}</p>"


def _steering_html(detail: SessionDetail) -> str:
    """The notes and changes made while the session ran, one log line each (notes in bold), with
    the exercise each concerned; nothing for a session nobody steered."""
    entries = steering_entries(detail)
    if not entries:
        return ""
    items = []
    for entry in entries:
        line = f"<b>{html.escape(entry.line)}</b>" if entry.is_note else html.escape(entry.line)
        if entry.exercise:
            line += f" <small>({html.escape(entry.exercise)})</small>"
        items.append(f"<li>{line}</li>")
    return f"<h3>{html.escape(tr(STEERING_HEADING))}</h3><ul>{''.join(items)}</ul>"


def _repetition_row(record: RepetitionRecord, columns: int) -> str:
    """One repetition's table row; one set aside greyed and struck through, with why on a row under it."""
    rep = record.repetition
    cells = [
        str(record.number), _mm(rep.left_mm), _mm(rep.right_mm), _symmetry(rep.symmetry),
        weaker_side_word(rep.weaker_side), f"{number_text(rep.hold_s, 1)} s",
    ]  # fmt: skip
    set_aside = set_aside_words(record)
    if set_aside is None:
        return "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in cells) + "</tr>"
    struck = "".join(f"<td><font color='{SET_ASIDE_GREY}'><s>{html.escape(cell)}</s></font></td>" for cell in cells)
    return f"<tr>{struck}</tr><tr><td></td><td colspan='{columns - 1}'><i>{html.escape(set_aside)}</i></td></tr>"


def _repetitions_html(repetitions: Sequence[RepetitionRecord]) -> str:
    """One table row per repetition (nothing without repetitions); under the table, when some were set
    aside, that they are not part of the result."""
    if not repetitions:
        return ""
    headers = ["#", tr("Left (patient's) mm"), tr("Right (patient's) mm"), tr("Symmetry"), tr("Weaker"), tr("Hold")]
    head = "".join(f"<th>{html.escape(text)}</th>" for text in headers)
    rows = "".join(_repetition_row(record, len(headers)) for record in repetitions)
    table = f"<table border='1' cellpadding='4' cellspacing='0'><tr>{head}</tr>{rows}</table>"
    if all(record.counts for record in repetitions):
        return table
    return table + f"<p><small>{html.escape(tr(SET_ASIDE_NOTE))}</small></p>"


class HistoryDialog(QDialog):
    def __init__(self, database: Path, parent: object = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("My past sessions"))
        self.resize(1000, 600)
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 5)
        self.table.setAccessibleName(tr("Saved sessions"))
        self.table.setHorizontalHeaderLabels(
            [tr("Date"), tr("Programme"), tr("Status"), tr("Exercises"), tr("Repetitions")]
        )
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(header.ResizeMode.ResizeToContents)  # whole words; scrolls if need be
        self.detail = QTextBrowser()
        self.detail.setAccessibleName(tr("Session details"))
        row = QHBoxLayout()
        row.addWidget(self.table, 1)
        row.addWidget(self.detail, 1)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        layout.addLayout(row)
        self.delete_pictures_button = QPushButton(tr("Delete this session's pictures…"))
        self.delete_pictures_button.setToolTip(tr("Pictures are kept only if you chose to; the numbers stay"))
        self.delete_pictures_button.setEnabled(False)
        self.delete_pictures_button.clicked.connect(self.delete_pictures)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.delete_pictures_button)
        layout.addLayout(buttons)
        self.clinic: Clinic | None = None
        self.session_ids: list[int] = []
        if not database.exists():
            self.message.setText(tr("No sessions saved yet."))
            return
        try:
            self.clinic, notice = Clinic.open(database)
        except CoachError as exc:
            self.message.setText(str(exc))
            return
        if notice:
            self.message.setText(notice)
        sessions = self.clinic.sessions(limit=SESSIONS_SHOWN)
        if not sessions:
            self.message.setText(tr("No sessions saved yet."))
        self.table.setRowCount(len(sessions))
        for i, record in enumerate(sessions):
            self.session_ids.append(record.id)
            cells = [
                date_time_text(record.started_at.astimezone()),
                shown_programme_name(record.programme_id, record.programme_name) or "",
                status_words(record.status),
                str(record.exercise_count),
                str(record.repetition_count),
            ]
            for column, text in enumerate(cells):
                self.table.setItem(i, column, QTableWidgetItem(text))
        self.table.currentCellChanged.connect(lambda row, *_: self.show_session(row))
        if sessions:
            self.table.selectRow(0)
            self.show_session(0)

    def show_session(self, row: int) -> None:
        if self.clinic is None or not 0 <= row < len(self.session_ids):
            return
        try:
            pictures = show_session(self.detail, self.clinic, self.session_ids[row])
        except CoachError as exc:
            self.detail.setPlainText(str(exc))
            pictures = 0
        self.delete_pictures_button.setEnabled(pictures > 0)

    def delete_pictures(self) -> int:
        """The selected session's kept pictures, after asking."""
        row = self.table.currentRow()
        if self.clinic is None or not 0 <= row < len(self.session_ids):
            return 0
        try:
            deleted = delete_pictures(self, self.clinic, self.session_ids[row])
        except CoachError as exc:
            self.message.setText(str(exc))
            return 0
        if deleted:
            self.message.setText(trn(*DELETED, deleted))
        self.show_session(row)
        return deleted

    def done(self, result: int) -> None:
        if self.clinic is not None:
            self.clinic.close()
            self.clinic = None
        super().done(result)
