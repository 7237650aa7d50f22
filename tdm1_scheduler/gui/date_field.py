"""A date typed as a person types it, with a calendar to pick from.

``DateField`` reads ``2027-01-12``, ``20270112``, ``12 Jan 2027`` and ``Jan 12 2027``,
each optionally after a weekday name (``Tue 2027-01-12``, as it shows a date). It keeps
QDateEdit's ``date()``, ``setDate()`` and ``dateChanged`` so a form can use either:
``dateChanged`` fires when the text reads as a new valid date; text that does not (yet)
read as one keeps the last valid date, and ``problem()`` says why. The button beside it
opens a calendar.
"""

from __future__ import annotations

import re
from datetime import date

from PySide6.QtCore import QDate, Signal, Slot
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QToolButton,
    QWidget,
    QWidgetAction,
)

HINT = "type a date like 2027-01-12 or 12 Jan 2027"
MONTHS = {name: number for number, name in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
)}
WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?"
ISO = re.compile(rf"^\s*{WEEKDAY}(\d{{4}})-?(\d{{2}})-?(\d{{2}})\s*$", re.IGNORECASE)
DAY_MONTH = re.compile(rf"^\s*{WEEKDAY}(\d{{1,2}})\s+([a-z]{{3}})[a-z]*\.?,?\s+(\d{{4}})\s*$", re.I)
MONTH_DAY = re.compile(rf"^\s*{WEEKDAY}([a-z]{{3}})[a-z]*\.?\s+(\d{{1,2}}),?\s+(\d{{4}})\s*$", re.I)


def parse_date(text: str) -> date | None:
    """A typed date in one of the forms above, or None."""
    parts: tuple[int, int, int] | None = None
    if match := ISO.match(text):
        parts = (int(match.group(1)), int(match.group(2)), int(match.group(3)))
    elif (match := DAY_MONTH.match(text)) and match.group(2).lower() in MONTHS:
        parts = (int(match.group(3)), MONTHS[match.group(2).lower()], int(match.group(1)))
    elif (match := MONTH_DAY.match(text)) and match.group(1).lower() in MONTHS:
        parts = (int(match.group(3)), MONTHS[match.group(1).lower()], int(match.group(2)))
    if parts is None:
        return None
    try:
        return date(*parts)
    except ValueError:
        return None


def shown(value: QDate) -> str:
    return value.toString("ddd yyyy-MM-dd")


class DateField(QWidget):
    dateChanged = Signal(QDate)

    def __init__(self, value: QDate, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._date = QDate(value)
        self.edit = QLineEdit(shown(value), self)
        self.edit.setPlaceholderText("YYYY-MM-DD")
        self.setFocusProxy(self.edit)
        self.calendar = QCalendarWidget()
        self.calendar.setSelectedDate(value)
        self.calendar.clicked.connect(self._picked)
        popup = QMenu(self)
        holder = QWidgetAction(popup)
        holder.setDefaultWidget(self.calendar)
        popup.addAction(holder)
        self.popup = popup
        self.button = QToolButton(self)
        self.button.setText("▾")
        self.button.setAccessibleName("Pick a date from a calendar")
        self.button.setMenu(popup)
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.button)
        self.edit.textEdited.connect(self._typed)
        self.edit.editingFinished.connect(self._tidy)

    def date(self) -> QDate:
        return QDate(self._date)

    def setDate(self, value: QDate) -> None:
        self.edit.setText(shown(value))
        self._typed(self.edit.text())

    def text(self) -> str:
        return self.edit.text()

    def setAccessibleName(self, name: str) -> None:
        super().setAccessibleName(name)
        self.edit.setAccessibleName(name)

    def problem(self) -> str | None:
        return None if parse_date(self.edit.text()) is not None else HINT

    @Slot(str)
    def _typed(self, text: str) -> None:
        value = parse_date(text)
        if value is None:
            return
        typed = QDate(value.year, value.month, value.day)
        if typed != self._date:
            self._date = typed
            self.calendar.setSelectedDate(typed)
            self.dateChanged.emit(QDate(typed))

    @Slot()
    def _tidy(self) -> None:
        if parse_date(self.edit.text()) is not None:
            self.edit.setText(shown(self._date))

    @Slot(QDate)
    def _picked(self, value: QDate) -> None:
        self.popup.hide()
        self.setDate(value)
        self._tidy()
