"""Export calendar... and Print appointment card... for the patient chosen in the
patients panel (next to its other actions in the Tools menu).

The calendar is written with ``interop.output`` (the safe-write rules of the day-sheet
PDF); the card is painted by ``reports.card_paint`` in a print preview.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction

from ...domain.errors import DomainError

if TYPE_CHECKING:  # the dialogs' classes are built when one opens (issue 19)
    from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
    from PySide6.QtWidgets import QMessageBox

    from .host import PatientsHost


class PatientExports(QObject):
    def __init__(self, feature: PatientsHost) -> None:
        super().__init__(feature)
        self.feature = feature
        self.window = feature.window
        self.ctx = feature.ctx
        self.refusal: QMessageBox | None = None
        self.preview: QPrintPreviewDialog | None = None
        self.preview_printer: QPrinter | None = None
        self.export_action = QAction("E&xport calendar...", self.window)
        self.export_action.setObjectName("exportCalendarAction")
        self.export_action.triggered.connect(self.ask_export_calendar)
        self.card_action = QAction("Print appointment &card...", self.window)
        self.card_action.setObjectName("printAppointmentCardAction")
        self.card_action.triggered.connect(self.print_card)
        tools = self.window.menu("tools")
        tools.addAction(self.export_action)
        tools.addAction(self.card_action)
        feature.panel.sig_patient_selected.connect(self._update)
        self._update()

    @Slot()
    def _update(self) -> None:
        chosen = self.feature.panel.current_mrn is not None
        self.export_action.setEnabled(chosen)
        self.card_action.setEnabled(chosen)

    def suggested_name(self) -> str:
        from ...interop.ical import suggested_file_name
        from ...services.exchange import patient_calendar  # on the first export

        mrn = self.feature.panel.current_mrn or ""
        return suggested_file_name(patient_calendar(self.ctx.store, mrn))

    @Slot()
    def ask_export_calendar(self) -> str | None:
        """A save dialog with a suggested name, then the .ics is written."""
        if self.feature.panel.current_mrn is None:
            self.window.statusBar().showMessage("Choose a patient first", 5000)
            return None
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getSaveFileName(
            self.window, "Export calendar", self.suggested_name(), "iCalendar (*.ics)"
        )
        return self.export_calendar(path) if path else None

    def export_calendar(self, path: str) -> str | None:
        from ...interop.ical import build_calendar
        from ...interop.output import write_output
        from ...safe_files import OutputFailed
        from ...services.storage import store_path

        mrn = self.feature.panel.current_mrn
        if mrn is None:
            return None
        try:
            from ...services.exchange import patient_calendar  # on the first export

            data = build_calendar(patient_calendar(self.ctx.store, mrn), self.ctx.clock.now())
            write_output(Path(path), data, field="file", kind="ics", force=False,
                         database=Path(store_path(self.ctx.store)))  # fmt: skip
        except (DomainError, OutputFailed) as error:
            from PySide6.QtWidgets import QMessageBox

            reason = getattr(error, "rule", None) or str(error)
            self.window.statusBar().showMessage(f"Calendar not saved: {reason}")
            box = QMessageBox(QMessageBox.Icon.Warning, "Calendar not saved", reason,
                              parent=self.window)  # fmt: skip
            box.setObjectName("calendarNotSavedMessage")
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.refusal = box
            box.open()
            return None
        count = data.count(b"BEGIN:VEVENT")
        self.window.statusBar().showMessage(f"Calendar saved to {path} ({count} visit(s))", 5000)
        return path

    @Slot()
    def print_card(self) -> None:
        """A print preview of the card: one A5 page (the printer's paper may be Letter)."""
        from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog

        from ...reports.card import build_card
        from ...reports.card_paint import card_layout, render_card

        mrn = self.feature.panel.current_mrn
        if mrn is None:
            self.window.statusBar().showMessage("Choose a patient first", 5000)
            return
        from ...services.exchange import patient_calendar  # on the first export

        card = build_card(patient_calendar(self.ctx.store, mrn), self.ctx.clock.now())
        # The dialog does not own its printer: keep it alive as long as the preview.
        self.preview_printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        self.preview_printer.setPageLayout(card_layout("a5"))
        self.preview_printer.setColorMode(QPrinter.ColorMode.GrayScale)
        self.preview = QPrintPreviewDialog(self.preview_printer, self.window)
        self.preview.setObjectName("appointmentCardPreview")
        self.preview.setWindowTitle(f"Appointment card {card.patient}")
        self.preview.paintRequested.connect(lambda device: render_card(card, device))
        self.preview.open()


def attach(feature: PatientsHost) -> PatientExports:
    return PatientExports(feature)
