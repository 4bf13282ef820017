"""A date a person can type (YYYY-MM-DD, as printed everywhere in the app) or pick from a calendar.

Why not QDateEdit: its sections reject digits typed where the mouse put the cursor (a click
in the middle lands in the month, and "2025" there is refused keystroke by keystroke), so
therapists could only step dates with the arrows. Here the text is the date: typed, pasted
or picked, then read whole, with one plain problem when it is not a date or lies ahead.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QLocale, Signal
from PySide6.QtWidgets import QCalendarWidget, QHBoxLayout, QMenu, QToolButton, QWidget, QWidgetAction

from coach.base import i18n
from coach.base.i18n import tr
from coach.gui.labels import HintedEdit

#: no onset or filming before this: a typing slip, not a date in a patient's record
EARLIEST = date(1900, 1, 1)


class DateField(QWidget):
    """A typed date, empty allowed when `optional`; never after today."""

    #: the text changed (typed or picked)
    changed = Signal()

    def __init__(self, accessible_name: str, optional: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.optional = optional
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.edit = HintedEdit(tr("YYYY-MM-DD"))
        self.edit.setAccessibleName(accessible_name)
        if optional:
            self.edit.setToolTip(tr("Empty if not known"))
        self.edit.setMaxLength(10)
        self.calendar_button = QToolButton()
        self.calendar_button.setText(tr("Calendar…"))
        self.calendar_button.setAccessibleName(tr("Choose {what} from a calendar", what=accessible_name))
        self.calendar_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.calendar = QCalendarWidget()
        self.calendar.setLocale(QLocale(i18n.language()))  # month and day names in the app's language
        self.calendar.setMinimumDate(QDate(EARLIEST.year, EARLIEST.month, EARLIEST.day))
        menu = QMenu(self.calendar_button)
        holder = QWidgetAction(menu)
        holder.setDefaultWidget(self.calendar)
        menu.addAction(holder)
        menu.aboutToShow.connect(self._open_calendar)
        self.calendar_button.setMenu(menu)
        self.calendar.clicked.connect(lambda picked: (self.set_date(picked.toPython()), menu.close()))
        self.edit.textChanged.connect(self.changed)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.calendar_button)

    def set_date(self, value: date | None) -> None:
        self.edit.setText("" if value is None else value.isoformat())

    def date(self) -> date | None:
        """The date typed, or None (empty, or not a date: see `problem`)."""
        text = self.edit.text().strip()
        try:
            return date.fromisoformat(text) if len(text) == 10 else None
        except ValueError:
            return None

    def problem(self) -> str | None:
        """What is wrong with the text, in the person's words; None when it is a date (or empty and optional)."""
        text = self.edit.text().strip()
        if not text:
            return None if self.optional else tr("Enter a date as YYYY-MM-DD.")
        value = self.date()
        if value is None:
            return tr("{typed} is not a date: type it as YYYY-MM-DD, for example 2026-03-14.", typed=text)
        if value > date.today():
            return tr("{date} is in the future.", date=value.isoformat())
        if value < EARLIEST:
            return tr("{date} is before {earliest}: check the year.", date=value.isoformat(), earliest=EARLIEST)
        return None

    def _open_calendar(self) -> None:
        today = date.today()
        self.calendar.setMaximumDate(QDate(today.year, today.month, today.day))
        shown = self.date() or today
        self.calendar.setSelectedDate(QDate(shown.year, shown.month, shown.day))
