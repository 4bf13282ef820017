"""A patient's past sessions, newest first, each opening to its exercises and repetitions."""

from __future__ import annotations

import html
from collections.abc import Collection
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
from coach.records.models import SessionDetail
from coach.reports.pictures import draw_measured_regions
from coach.usecases.clinic import Clinic


def _mm(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


#: the newest sessions listed in the person's own history
SESSIONS_SHOWN = 100
#: how wide a kept picture is shown beside the numbers
PICTURE_WIDTH_PX = 260
PICTURES_NOTE = (
    "<p><small>Picture at the peak, kept at the patient's request, as the camera saw it (not mirrored): the "
    "patient's right side is on the left of the picture. Outlined: the regions measured, the patient's left in "
    "blue, their right in orange.</small></p>"
)


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
    answer = QMessageBox.question(
        parent,
        "Delete pictures",
        f"Delete the {count} picture{'s' * (count != 1)} kept for this session? The numbers stay. "
        "This cannot be undone.",
    )
    if answer != QMessageBox.StandardButton.Yes:
        return 0
    return clinic.delete_pictures(session_id)


def session_html(detail: SessionDetail, pictures: Collection[int] = ()) -> str:
    """One session as a readable page: exercises, per-side numbers (the patient's sides), and
    for the exercise ids in `pictures` the picture added to the document by `show_session`."""
    parts = [
        f"<h2>{html.escape(detail.programme_name or 'Session')}</h2>",
        f"<p>{detail.started_at.astimezone():%A %d %B %Y, %H:%M} · {detail.status}</p>",
    ]
    for exercise in detail.exercises:
        summary = exercise.summary
        line = f"<h3>{html.escape(exercise.exercise_name)} <small>({exercise.status})</small></h3>"
        if summary is not None and summary.reps:
            sym = "-" if summary.symmetry is None else f"{summary.symmetry * 100:.0f}%"
            line += (
                f"<p>Left (patient's) {_mm(summary.left_mm)} mm · right (patient's) {_mm(summary.right_mm)} mm · "
                f"symmetry {sym} · "
                f"weaker side: {summary.weaker_side or 'even'}</p>"
            )
        rows = "".join(
            f"<tr><td>{r.number}</td><td>{_mm(r.repetition.left_mm)}</td><td>{_mm(r.repetition.right_mm)}</td>"
            f"<td>{'-' if r.repetition.symmetry is None else f'{r.repetition.symmetry * 100:.0f}%'}</td>"
            f"<td>{r.repetition.weaker_side or 'even'}</td><td>{r.repetition.hold_s:.1f} s</td></tr>"
            for r in exercise.repetitions
        )
        if rows:
            line += (
                "<table border='1' cellpadding='4' cellspacing='0'><tr><th>#</th><th>Left (patient's) mm</th>"
                "<th>Right (patient's) mm</th>"
                f"<th>Symmetry</th><th>Weaker</th><th>Hold</th></tr>{rows}</table>"
            )
        if exercise.id in pictures:
            line += f"<p><img src='snapshot:{exercise.id}' width='{PICTURE_WIDTH_PX}'></p>"
        parts.append(line)
    if pictures:
        parts.append(PICTURES_NOTE)
    return "".join(parts)


class HistoryDialog(QDialog):
    def __init__(self, database: Path, parent: object = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("My past sessions")
        self.resize(1000, 600)
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["Date", "Programme", "Status", "Exercises", "Repetitions"])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(header.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, header.ResizeMode.Stretch)
        self.detail = QTextBrowser()
        row = QHBoxLayout()
        row.addWidget(self.table, 1)
        row.addWidget(self.detail, 1)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        layout.addLayout(row)
        self.delete_pictures_button = QPushButton("Delete this session's pictures…")
        self.delete_pictures_button.setToolTip("Pictures are kept only if you chose to; the numbers stay")
        self.delete_pictures_button.setEnabled(False)
        self.delete_pictures_button.clicked.connect(self.delete_pictures)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.delete_pictures_button)
        layout.addLayout(buttons)
        self.clinic: Clinic | None = None
        self.session_ids: list[int] = []
        if not database.exists():
            self.message.setText("No sessions saved yet.")
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
            self.message.setText("No sessions saved yet.")
        self.table.setRowCount(len(sessions))
        for i, record in enumerate(sessions):
            self.session_ids.append(record.id)
            cells = [
                f"{record.started_at.astimezone():%Y-%m-%d %H:%M}",
                record.programme_name or "",
                record.status,
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
            self.message.setText(f"Deleted {deleted} picture{'s' * (deleted != 1)}; the numbers are kept.")
        self.show_session(row)
        return deleted

    def done(self, result: int) -> None:
        if self.clinic is not None:
            self.clinic.close()
            self.clinic = None
        super().done(result)
