"""Reports: the day sheet as data (``day_sheet``), as HTML (``html``), and painted onto
pages for print preview, printer, PDF and PNG (``paint``, the only module here that
imports Qt; import it explicitly). Importing this package never loads Qt."""

from __future__ import annotations

from .day_sheet import DaySheet, SheetAppointment, SheetChair, build_day_sheet, sheet_to_json

__all__ = ["DaySheet", "SheetAppointment", "SheetChair", "build_day_sheet", "sheet_to_json"]
