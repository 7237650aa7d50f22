"""A booking whose start is before the clock's now is asked about, by name, in the GUI.

The services accept past times (data entered afterwards, as the CLI does); a person who
drops a block or books a course into the past says so explicitly first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from ...domain.calendar import ClinicCalendar
from ...text import full_time

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

Confirm = Callable[[str, str], bool]
PAST_TITLE = "Booking in the past"


def is_past(start: datetime, now: datetime) -> bool:
    return start < now


def past_move_question(what: str, where: str, start: datetime, calendar: ClinicCalendar) -> str:
    """``Move cycle 3 of Ada Lovelace (MRN1) to Chair 2 at Tue 1 Dec 08:00, which is in the
    past?``"""
    return f"Move {what} to {where} at {full_time(calendar, start)}, which is in the past?"


def past_booking_question(
    who: str, cycles: Sequence[tuple[int, datetime]], calendar: ClinicCalendar
) -> str:
    """``Book cycle 3 for Ada Lovelace at Tue 1 Dec 08:00, which is in the past?``; with
    several cycles in the past, each is named with its time."""
    named = [f"cycle {number} at {full_time(calendar, start)}" for number, start in cycles]
    if len(named) == 1:
        return f"Book {named[0].replace(' at ', f' for {who} at ', 1)}, which is in the past?"
    listed = ", ".join(named[:-1]) + f" and {named[-1]}"
    return f"Book {listed} for {who}, which are in the past?"


def ask(parent: QWidget | None, title: str, text: str) -> bool:
    """Yes books it; No (the default, also Escape) leaves everything as it was."""
    from PySide6.QtWidgets import QMessageBox  # built when asked (issue 19)

    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    box.setObjectName("pastBookingConfirm")
    box.setAccessibleName("Confirm a booking in the past")
    yes = box.addButton("Book in the past", QMessageBox.ButtonRole.YesRole)
    yes.setObjectName("pastBookingYes")
    no = box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
    no.setObjectName("pastBookingNo")
    box.setDefaultButton(no)
    box.setEscapeButton(no)
    box.exec()
    return box.clickedButton() is yes
