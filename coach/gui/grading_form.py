"""The clinician's form: Sunnybrook and eFACE, pre-filled with the measured suggestions, every item
editable, filed with who graded and when; and how often the suggestions were kept.

The window shows and forwards: the suggestions come from `Clinic.examination_grading`, the
scales' items and totals from `coach.grading.scales`, filing and agreement from the clinic's
use cases. Each row shows the suggested value, the number it was read from and how sure it is,
with the rule as the row's tooltip; "—" is an item not graded (counted as normal in the total,
and the total says so).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from coach.base.errors import CoachError
from coach.base.formats import number_text
from coach.base.i18n import N_, tr, trn
from coach.grading import scales
from coach.gui.therapist.parts import ERROR_STYLE, message_label, read_only_table
from coach.reports.grading_text import AID, certainty_text, reading_text, rule_text
from coach.usecases.clinic import Clinic

if TYPE_CHECKING:
    from coach.gui.therapist.sessions_tab import SessionsTab

_NOT_GRADED = "—"
_AGREEMENT_HEADERS = (N_("Scale"), N_("Item"), N_("Compared"), N_("Suggestion kept"), N_("Mean difference"))


class _ScaleTab(QWidget):
    """One scale's items: a value field per item beside the suggestion, and the live total."""

    def __init__(self, scale: str, suggestions: object, on_change: Callable[[], None]) -> None:
        super().__init__()
        self.scale = scale
        self._on_change = on_change
        self.fields: dict[str, QComboBox | QSpinBox] = {}
        self.suggested: dict[str, int | None] = {}
        grid = QGridLayout()
        for column, header in enumerate((tr("Item"), tr("Graded"), tr("Suggested"), tr("Read"), tr("How sure"))):
            grid.addWidget(QLabel(f"<b>{header}</b>"), 0, column)
        row, section = 1, ""
        for item_id, item in scales.ITEMS[scale].items():
            if item.section != section:
                section = item.section
                grid.addWidget(QLabel(f"<b>{tr(scales.SECTION_NAMES[section])}</b>"), row, 0, 1, 5)
                row += 1
            s = suggestions.items[scale][item_id]  # type: ignore[attr-defined]
            self.suggested[item_id] = s.value
            field = self._field(item, s.value)
            label = QLabel(tr(item.label))
            label.setBuddy(field)
            label.setWordWrap(True)
            rule = tr("Rule")
            tip = f"{tr(item.definition)}\n{rule}: {rule_text(s.rule)}"
            for widget in (label, field):
                widget.setToolTip(tip)
            suggested = QLabel(_NOT_GRADED if s.value is None else str(s.value))
            suggested.setAccessibleName(tr("Suggested for {item}", item=tr(item.label)))
            grid.addWidget(label, row, 0)
            grid.addWidget(field, row, 1)
            grid.addWidget(suggested, row, 2)
            grid.addWidget(QLabel(reading_text(s)), row, 3)
            how = QLabel(certainty_text(s))
            how.setWordWrap(True)
            grid.addWidget(how, row, 4)
            self.fields[item_id] = field
            row += 1
        grid.setColumnStretch(4, 1)
        inner = QWidget()
        inner.setLayout(grid)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        self.total = QLabel()
        self.total.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.total)
        self.show_total()

    def _field(self, item: scales.Item, suggested: int | None) -> QComboBox | QSpinBox:
        if len(item.values) > 6:  # eFACE's 0-100: a number; below 0 reads "—", not graded
            spin = QSpinBox()
            spin.setRange(-1, item.values[-1])
            spin.setSpecialValueText(_NOT_GRADED)
            spin.setValue(-1 if suggested is None else suggested)
            spin.valueChanged.connect(self._changed)
            return spin
        combo = QComboBox()
        combo.addItem(_NOT_GRADED, None)
        for value in item.values:
            combo.addItem(str(value), value)
        combo.setCurrentIndex(0 if suggested is None else combo.findData(suggested))
        combo.currentIndexChanged.connect(self._changed)
        return combo

    def _changed(self) -> None:
        self.show_total()
        self._on_change()

    def values(self) -> dict[str, int | None]:
        out: dict[str, int | None] = {}
        for item_id, field in self.fields.items():
            if isinstance(field, QSpinBox):
                out[item_id] = None if field.value() < 0 else field.value()
            else:
                out[item_id] = field.currentData()
        return out

    def set_value(self, item_id: str, value: int | None) -> None:
        """What a clinician does by hand (tests and scripts use it too)."""
        field = self.fields[item_id]
        if isinstance(field, QSpinBox):
            field.setValue(-1 if value is None else value)
        else:
            field.setCurrentIndex(field.findData(value) if value is not None else 0)

    def graded_any(self) -> bool:
        return any(value is not None for value in self.values().values())

    def show_total(self) -> None:
        total = scales.scores(self.scale, self.values())
        parts = [f"{tr(scales.SECTION_NAMES[k])} {number_text(v, 0)}" for k, v in total.sections.items()]
        parts.append(f"<b>{tr(scales.TOTAL_NAMES[self.scale])} {number_text(total.total, 0)}</b>")
        text = " · ".join(parts)
        if total.counted_normal:
            text += "<br>" + trn(
                "counted as normal until graded: {count} item",
                "counted as normal until graded: {count} items",
                len(total.counted_normal),
            )
        self.total.setText(text)


class GradingForm(QDialog):
    """Grade one examination session of one patient; `filed` holds what was saved, and
    `graded` fires after each filing."""

    graded = Signal()

    def __init__(self, clinic: Clinic, patient_id: int, session_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clinic, self.patient_id, self.session_id = clinic, patient_id, session_id
        self.filed: list[object] = []
        self.setWindowTitle(tr("Grading: session {session}", session=session_id))
        suggestions = clinic.examination_grading(session_id)
        self.aid = QLabel(tr(AID))
        self.aid.setWordWrap(True)
        self.graded_by = QLineEdit()
        self.graded_by.setPlaceholderText(tr("your name or initials"))
        who = QHBoxLayout()
        who_label = QLabel(tr("Graded by"))
        who_label.setBuddy(self.graded_by)
        who.addWidget(who_label)
        who.addWidget(self.graded_by, 1)
        self.tabs = QTabWidget()
        # filed once: the button comes back when something is changed (a second click files nothing twice)
        self.scales = {scale: _ScaleTab(scale, suggestions, self._edited) for scale in scales.ITEMS}
        for scale, tab in self.scales.items():
            self.tabs.addTab(tab, tr(scales.SCALE_NAMES[scale]))
        self.agreement = read_only_table([tr(h) for h in _AGREEMENT_HEADERS], tr("Agreement with the suggestions"))
        header = self.agreement.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)  # the item's name, whole
        self.tabs.addTab(self.agreement, tr("Agreement"))
        self.message = message_label()
        self.save_button = QPushButton(tr("File the grading"))
        cancel = QPushButton(tr("Close"))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.aid)
        layout.addLayout(who)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.save_button.clicked.connect(self.file)
        self.graded_by.textChanged.connect(self._edited)
        cancel.clicked.connect(self.reject)
        self.show_agreement()
        self._fit_to_screen()

    def _fit_to_screen(self) -> None:
        """About 60 × 42 lines of text, as far as the screen allows: the items stay readable at 200 % text."""
        em = self.fontMetrics().height()
        available = self.screen().availableGeometry()
        self.resize(min(int(0.95 * available.width()), 60 * em), min(int(0.9 * available.height()), 42 * em))

    def file(self) -> bool:
        """File every scale with a value graded; says what went wrong (nothing is filed then)."""
        graded = [tab for tab in self.scales.values() if tab.graded_any()]
        if not graded:
            self._problem(tr("Grade at least one item first."))
            return False
        try:
            for tab in graded:
                self.filed.append(self.clinic.file_grading(
                    self.patient_id, tab.scale, tab.values(), self.graded_by.text(), suggested=tab.suggested,
                    session_id=self.session_id,
                ))  # fmt: skip
        except CoachError as exc:
            self._problem(str(exc))
            return False
        self.message.setStyleSheet("")
        self.message.setText(tr("Filed: {scales}.", scales=", ".join(tr(scales.SCALE_NAMES[t.scale]) for t in graded)))
        self.show_agreement()
        self.save_button.setEnabled(False)
        self.graded.emit()
        return True

    def _edited(self) -> None:
        self.save_button.setEnabled(True)

    def _problem(self, text: str) -> None:
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(text)

    def show_agreement(self) -> None:
        """This patient's gradings: per item, how often the suggestion was kept, and the mean difference."""
        rows = self.clinic.grading_agreement(self.patient_id)
        self.agreement.setRowCount(len(rows))
        for row, agreement in enumerate(rows):
            item = scales.ITEMS[agreement.scale].get(agreement.item)
            cells = (
                tr(scales.SCALE_NAMES[agreement.scale]),
                f"{tr(scales.SECTION_NAMES[item.section])}: {tr(item.label)}"
                if item is not None
                else tr(scales.TOTAL_NAMES[agreement.scale]),
                str(agreement.compared),
                f"{agreement.kept} ({number_text(100 * agreement.kept / agreement.compared, 0)} %)",
                ("+" if agreement.mean_difference >= 0 else "−") + number_text(abs(agreement.mean_difference), 1),
            )
            for column, text in enumerate(cells):
                self.agreement.setItem(row, column, QTableWidgetItem(text))


def grade_button() -> QPushButton:
    """The sessions tab's "Grade this examination…", off until an examination is selected."""
    button = QPushButton(tr("Grade this examination…"))
    button.setToolTip(
        tr("Sunnybrook and eFACE, filled in with the measured suggestions: you grade, and the grading is filed")
    )
    button.setEnabled(False)
    return button


def open_grading_form(tab: SessionsTab) -> GradingForm | None:
    """The form for the examination selected in the sessions tab (None when there is none to grade)."""
    session_id = tab.selected_session_id()
    if tab.clinic is None or tab.patient is None or session_id is None:
        return None
    try:
        form = GradingForm(tab.clinic, tab.patient.id, session_id, tab)
    except CoachError as exc:
        tab.messages.tell(tr("Grading"), str(exc))
        return None
    form.graded.connect(lambda: tab.refresh(select_id=session_id))  # the Trends tab shows the new grading
    form.open()
    return form
