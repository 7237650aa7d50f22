"""The Block chair time dialog (Tools > Block chair time...), imported when it opens
(issue 19: its form, combo box and button box are not built at start)."""

from __future__ import annotations

from datetime import time

from PySide6.QtCore import QTime
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QTimeEdit,
    QWidget,
)

__all__ = ["BlockTimeDialog"]


class BlockTimeDialog(QDialog):
    """Chair, start, minutes and what for: blocked time on the day shown."""

    def __init__(self, parent: QWidget, chair_names: list[str]) -> None:
        super().__init__(parent)
        self.setObjectName("blockTimeDialog")
        self.setWindowTitle("Block chair time")
        self.setAccessibleName("Block chair time")
        form = QFormLayout(self)
        self.chair = QComboBox(self)
        self.chair.addItems(chair_names)
        self.chair.setAccessibleName("Chair")
        self.start = QTimeEdit(QTime(12, 0), self)
        self.start.setDisplayFormat("HH:mm")
        self.start.setAccessibleName("Start (clinic time)")
        self.minutes = QSpinBox(self)
        self.minutes.setRange(5, 600)
        self.minutes.setSingleStep(15)
        self.minutes.setValue(60)
        self.minutes.setSuffix(" min")
        self.minutes.setAccessibleName("Minutes")
        self.label = QLineEdit("maintenance", self)
        self.label.setAccessibleName("What the chair is blocked for")
        form.addRow("&Chair", self.chair)
        form.addRow("&Start", self.start)
        form.addRow("&Minutes", self.minutes)
        form.addRow("&For", self.label)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.setAccessibleName("Book or cancel")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def wall_time(self) -> time:
        value = self.start.time()
        return time(value.hour(), value.minute())
