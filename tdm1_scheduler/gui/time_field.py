"""A time of day typed as a person types it: ``13:00``, ``1300``, ``930`` or ``9:30``.

``TimeField`` is a QLineEdit with a validator; it keeps QTimeEdit's ``time()``,
``setTime()`` and ``timeChanged`` so a form can use either. ``timeChanged`` fires when
the text reads as a new valid time; text that does not (yet) read as one keeps the last
valid time, and ``problem()`` says why.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QRegularExpression, QTime, Signal, Slot
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QLineEdit, QWidget

TYPED_TIME = re.compile(r"^\s*(\d{1,2}):?(\d{2})\s*$")
HINT = "type a time like 13:00 or 1300"


def parse_time(text: str) -> QTime | None:
    """``13:00``, ``1300``, ``930``, ``9:30`` -> that wall time; anything else -> None."""
    match = TYPED_TIME.match(text)
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    return QTime(hour, minute) if hour < 24 and minute < 60 else None


class TimeField(QLineEdit):
    timeChanged = Signal(QTime)

    def __init__(self, value: QTime, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._time = QTime(value.hour(), value.minute())
        pattern = QRegularExpression(r"\d{0,2}:?\d{0,2}")
        self.setValidator(QRegularExpressionValidator(pattern, self))
        self.setPlaceholderText("HH:MM")
        self.setText(self._time.toString("HH:mm"))
        self.textEdited.connect(self._typed)
        self.editingFinished.connect(self._tidy)

    def time(self) -> QTime:
        return QTime(self._time)

    def setTime(self, value: QTime) -> None:
        self.setText(value.toString("HH:mm"))
        self._typed(self.text())

    def problem(self) -> str | None:
        return None if parse_time(self.text()) is not None else HINT

    @Slot(str)
    def _typed(self, text: str) -> None:
        value = parse_time(text)
        if value is not None and value != self._time:
            self._time = value
            self.timeChanged.emit(QTime(value))

    @Slot()
    def _tidy(self) -> None:
        if parse_time(self.text()) is not None:
            self.setText(self._time.toString("HH:mm"))
