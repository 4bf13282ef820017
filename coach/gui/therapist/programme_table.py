"""The programme editor's table: one row per exercise, each value in its own spin box.

The table holds the rows being edited (`EditorRow`, plain numbers as typed) and tells
`edited` after every change, so the tab checks the programme as the therapist types.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDoubleSpinBox,
    QHeaderView,
    QSpinBox,
    QTableWidget,
    QWidget,
)

from coach.base.i18n import N_, tr
from coach.gui.labels import points
from coach.plans.exercises import FEEDBACK_SCHEDULES, Exercise
from coach.session.steering_words import feedback_word
from coach.usecases.programme_editing import EditorRow

#: editor columns: header (translated where shown), row field, spin box range and decimals (None: whole numbers)
PROGRAMME_COLUMNS: tuple[tuple[str, str, float, float, int | None], ...] = (
    (N_("Repetitions"), "repetitions", 0, 99, None),
    (N_("Hold\n(s)"), "hold_s", 0.0, 300.0, 1),
    (N_("Relax\n(s)"), "relax_s", 0.0, 300.0, 1),
    (N_("Effort\n(1\N{EN DASH}10)"), "effort", 0, 10, None),
    (N_("Target low\n(mm)"), "target_low", 0.0, 60.0, 1),
    (N_("Target high\n(mm)"), "target_high", 0.0, 60.0, 1),
    (N_("Target\nsymmetry"), "target_symmetry", 0.0, 1.0, 2),
)
#: the last column: how often the live bars show, chosen from the schedules
FEEDBACK_HEADER = N_("Feedback")
#: the narrowest a number column is
COLUMN_WIDTH_PX = 70
#: the row fields typed as whole numbers
WHOLE_NUMBER_FIELDS = ("repetitions", "effort")


def _one_line(header: str) -> str:
    """A column header as a screen reader says it: on one line, a word broken with a hyphen joined again."""
    return " ".join(re.sub(r"-\n(?=[a-zäöüß])", "", header).split())


class _FocusRow(QObject):
    """For the editor's cell widgets: the table's current row follows the focus (for Remove and
    Move), and the mouse wheel scrolls the table instead of silently changing a value it passes over."""

    def __init__(self, table: QTableWidget, row: int) -> None:
        super().__init__(table)
        self._table = table
        self.row = row

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.FocusIn and self._table.currentRow() != self.row:
            self._table.setCurrentCell(self.row, 0)
        if event.type() == QEvent.Type.Wheel and isinstance(watched, QWidget) and not watched.hasFocus():
            QApplication.sendEvent(self._table.viewport(), event)
            return True
        return False


class ProgrammeTable(QTableWidget):
    """The exercises of the programme being edited, in order; choosing another exercise in
    a row starts it from that exercise's own prescription."""

    edited = Signal()

    def __init__(self, exercises: dict[str, Exercise], parent: QWidget | None = None) -> None:
        headers = [tr("Exercise"), *(tr(column[0]) for column in PROGRAMME_COLUMNS), tr(FEEDBACK_HEADER)]
        super().__init__(0, len(headers), parent)
        #: the exercises a row may be: movements only (the resting face is measured in every session)
        self.exercises = exercises
        self.setAccessibleName(tr("Exercises in the programme"))
        self.rows: list[EditorRow] = []
        self._row_widgets: list[dict[str, QWidget]] = []
        self.setHorizontalHeaderLabels(headers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.horizontalHeader()
        # as wide as its longest exercise name (the table scrolls sideways if need be)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for index in range(1, len(headers) - 1):
            header.setSectionResizeMode(index, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.ResizeToContents)
        self.text_scale_changed()

    def text_scale_changed(self) -> None:
        """Columns wide enough for their titles' longest line, rows for a box, at the text size in use."""
        header = self.horizontalHeader()
        bold = QFont(header.font())
        bold.setBold(True)  # (a highlighted title is drawn bold)
        metrics = QFontMetrics(bold)
        for index in range(1, self.columnCount() - 1):
            title = self.horizontalHeaderItem(index).text()
            widest = max(metrics.horizontalAdvance(line) for line in title.split("\n"))
            self.setColumnWidth(index, max(round(COLUMN_WIDTH_PX * points(1.0)), widest + 20))
        self.verticalHeader().setDefaultSectionSize(QSpinBox().sizeHint().height() + 4)

    def set_rows(self, rows: list[EditorRow]) -> None:
        """Edit these rows (those of an exercise that is not offered are left out)."""
        self.rows = [row for row in rows if row.exercise_id in self.exercises]
        self._fill()

    def add_row(self, exercise_id: str | None = None) -> None:
        """Add an exercise (by default the first one not yet in the programme) after the current row."""
        used = {row.exercise_id for row in self.rows}
        chosen = exercise_id or next((key for key in self.exercises if key not in used), None)
        chosen = chosen or next(iter(self.exercises), None)
        if chosen is None or chosen not in self.exercises:
            return
        current = self.currentRow()
        at = current + 1 if 0 <= current < len(self.rows) else len(self.rows)
        self.rows.insert(at, EditorRow.of(self.exercises[chosen]))
        self._fill(current=at)

    def remove_row(self) -> None:
        """Remove the current row."""
        current = self.currentRow()
        if 0 <= current < len(self.rows):
            del self.rows[current]
            self._fill(current=min(current, len(self.rows) - 1))

    def move_row(self, step: int) -> None:
        """Move the current row up (-1) or down (+1)."""
        current = self.currentRow()
        target = current + step
        if 0 <= current < len(self.rows) and 0 <= target < len(self.rows):
            self.rows[current], self.rows[target] = self.rows[target], self.rows[current]
            self._fill(current=target)

    def set_value(self, row: int, key: str, value: float | str) -> None:
        """Type a value into a row (tests and scripts): the widget changes as if typed."""
        widget = self._row_widgets[row][key]
        if isinstance(widget, QComboBox):
            widget.setCurrentIndex(widget.findData(value))
        elif isinstance(widget, QSpinBox):
            widget.setValue(int(value))
        elif isinstance(widget, QDoubleSpinBox):
            widget.setValue(float(value))

    def _fill(self, current: int | None = None) -> None:
        self.setRowCount(0)
        self._row_widgets = []
        self.setRowCount(len(self.rows))
        for index, row in enumerate(self.rows):
            focus = _FocusRow(self, index)
            widgets: dict[str, QWidget] = {"exercise_id": self._exercise_chooser(index, row)}
            for key, spin in self._spin_boxes(index, row).items():
                widgets[key] = spin
            widgets["feedback"] = self._feedback_chooser(index, row)
            for column, widget in enumerate(widgets.values()):
                self.setCellWidget(index, column, widget)
                widget.installEventFilter(focus)
            self._row_widgets.append(widgets)
        if current is not None and 0 <= current < len(self.rows):
            self.setCurrentCell(current, 0)
        self.edited.emit()

    def _exercise_chooser(self, index: int, row: EditorRow) -> QComboBox:
        chooser = QComboBox()
        for exercise in self.exercises.values():
            chooser.addItem(exercise.name, exercise.id)
        chooser.setCurrentIndex(chooser.findData(row.exercise_id))
        chooser.setAccessibleName(tr("Exercise, row {row}", row=index + 1))
        chooser.currentIndexChanged.connect(lambda _i, at=index, box=chooser: self._exercise_chosen(at, box))
        return chooser

    def _feedback_chooser(self, index: int, row: EditorRow) -> QComboBox:
        chooser = QComboBox()
        for schedule in FEEDBACK_SCHEDULES:
            chooser.addItem(feedback_word(schedule), schedule)
        chooser.setCurrentIndex(max(0, chooser.findData(row.feedback)))
        chooser.setAccessibleName(tr("{column}, row {row}", column=tr(FEEDBACK_HEADER), row=index + 1))
        chooser.currentIndexChanged.connect(
            lambda _i, at=index, box=chooser: self._value_typed(at, "feedback", box.currentData())
        )
        return chooser

    def _spin_boxes(self, index: int, row: EditorRow) -> dict[str, QSpinBox | QDoubleSpinBox]:
        """One spin box per column after the exercise, in column order."""
        spins: dict[str, QSpinBox | QDoubleSpinBox] = {}
        for header, key, low, high, decimals in PROGRAMME_COLUMNS:
            spin: QSpinBox | QDoubleSpinBox
            if decimals is None:
                spin = QSpinBox()
                spin.setRange(int(low), int(high))
                spin.setValue(int(getattr(row, key)))
            else:
                spin = QDoubleSpinBox()
                spin.setDecimals(decimals)
                spin.setSingleStep(0.05 if decimals == 2 else 0.5)
                spin.setRange(float(low), float(high))
                spin.setValue(float(getattr(row, key)))
            spin.setAlignment(Qt.AlignmentFlag.AlignRight)
            spin.setAccessibleName(tr("{column}, row {row}", column=_one_line(tr(header)), row=index + 1))
            spin.valueChanged.connect(lambda value, at=index, name=key: self._value_typed(at, name, value))
            spins[key] = spin
        return spins

    def _value_typed(self, index: int, key: str, value: float | str) -> None:
        if 0 <= index < len(self.rows):
            kind = int if key in WHOLE_NUMBER_FIELDS else str if key == "feedback" else float
            setattr(self.rows[index], key, kind(value))
        self.edited.emit()

    def _exercise_chosen(self, index: int, chooser: QComboBox) -> None:
        """Another exercise in a row: its own prescription becomes the row's starting values."""
        exercise = self.exercises.get(chooser.currentData())
        if exercise is None or not 0 <= index < len(self.rows):
            return
        self.rows[index] = EditorRow.of(exercise)
        for key, widget in self._row_widgets[index].items():
            widget.blockSignals(True)
            if isinstance(widget, QSpinBox | QDoubleSpinBox):
                widget.setValue(getattr(self.rows[index], key))
            elif key == "feedback" and isinstance(widget, QComboBox):
                widget.setCurrentIndex(max(0, widget.findData(self.rows[index].feedback)))
            widget.blockSignals(False)
        self.edited.emit()
