"""The board's header: its title, the clinic date and a clock (clinic wall time, from the
app's clock, so a fixed ``--now`` shows), and "overdue and ready to leave first"."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QEvent
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QCheckBox, QHBoxLayout, QLabel, QWidget

from ...domain.calendar import ClinicCalendar
from ...domain.regimen import DRUG_NAME
from ...text import clock_time

DATE_SCALE = 1.3
CLOCK_SCALE = 2.0


class BoardHeader(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("nurseBoardHeader")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.title_label = QLabel(f"Nurse board - {DRUG_NAME}", self)
        self.title_label.setObjectName("nurseBoardTitle")
        self.title_label.setAccessibleName("Nurse board title")
        self.date_label = QLabel(self)
        self.date_label.setObjectName("boardDateLabel")
        self.date_label.setAccessibleName("Clinic date")
        self.clock_label = QLabel(self)
        self.clock_label.setObjectName("boardClockLabel")
        self.clock_label.setAccessibleName("Clinic time")
        self.overdue_first = QCheckBox("Overdue and ready to leave first", self)
        self.overdue_first.setObjectName("overdueFirstCheck")
        self.overdue_first.setAccessibleName("List overdue and ready-to-leave chairs first")
        self.overdue_first.setToolTip(
            "Put chairs flagged late, infusion due to end or ready to leave before the others"
            " (off: every chair keeps its place)"
        )
        # The title and the date wrap rather than widen the window (a page of the main
        # window must not force its minimum width).
        for label in (self.title_label, self.date_label):
            label.setWordWrap(True)
        layout.addWidget(self.title_label, 3)
        layout.addSpacing(16)
        layout.addWidget(self.date_label, 2)
        layout.addStretch(1)
        layout.addWidget(self.overdue_first)
        layout.addSpacing(16)
        layout.addWidget(self.clock_label)
        self.apply_fonts()

    def apply_fonts(self) -> None:
        base = QApplication.font()
        size = base.pointSizeF() if base.pointSizeF() > 0 else 10.0
        for label, scale in (
            (self.title_label, DATE_SCALE),
            (self.date_label, DATE_SCALE),
            (self.clock_label, CLOCK_SCALE),
        ):
            font = QFont(base)
            font.setPointSizeF(size * scale)
            font.setBold(True)
            label.setFont(font)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ApplicationFontChange:
            self.apply_fonts()  # follow the desktop's font
        return super().event(event)

    def show_time(self, calendar: ClinicCalendar, now: datetime) -> None:
        local = calendar.local(now)
        self.date_label.setText(f"{local:%A} {local.day} {local:%B %Y}")
        self.clock_label.setText(clock_time(calendar, now))
