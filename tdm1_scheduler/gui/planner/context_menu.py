"""The context menu of a visit, on every planner block and every Day list row: Move
to..., Mark missed..., Open course, Cancel visit..., Show preparation.

Right click, the Menu key or Shift+F10 opens it (``menu_sources.MenuSources`` is the
event filter on the views; the page builds ``VisitMenus`` at the first menu). Each
action goes through the planner's one move controller, so it is previewed, confirmed,
committed and undone like a drag.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from PySide6.QtCore import QObject, QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QLineEdit,
    QMenu,
    QWidget,
)

from ...domain.records import AppointmentKind, AppointmentView
from ...domain.regimen import CYCLE_LENGTH_DAYS
from ...text import cycle_label, full_time
from .commands import SERVICE_ERRORS, refusal_text
from .controller import what_text
from .day_model import blocked_label, is_booked
from .day_scene import Chair

if TYPE_CHECKING:  # the services and the dialog: imported when an action runs (issue 19)
    from ...services import slots
    from .host import PlannerHost
    from .slot_dialog import SlotDialog

Row = AppointmentView


@runtime_checkable
class OpensCourse(Protocol):
    """The patients page, as Open course uses it."""

    def open_course(self, mrn: str, cycle: int | None) -> bool: ...


@runtime_checkable
class SelectsDose(Protocol):
    """The pharmacy page, as Show preparation uses it."""

    def select(self, mrn: str, cycle: int) -> bool: ...


class VisitMenus(QObject):
    """Builds and opens the visit menu; runs what it offers."""

    def __init__(self, planner: PlannerHost) -> None:
        super().__init__(planner)
        self.planner = planner
        self.window = planner.main_window
        self.menu: QMenu | None = None  # the menu last opened (tests click in it)
        self.dialog: SlotDialog | None = None  # the slot dialog last opened

    # --- the menu ---------------------------------------------------------------------
    def open_for(self, widget: QWidget, row: Row | None, where: QPoint | None) -> QMenu | None:
        if row is None:
            self.planner.say("Select a visit first (click it, or Tab to it)")
            return None
        menu = self.build(row, widget)
        if where is None:  # from the keyboard: at the widget's centre
            where = widget.mapToGlobal(widget.rect().center())
        self.menu = menu
        menu.popup(where)
        return menu

    def build(self, row: Row, parent: QWidget) -> QMenu:
        menu = QMenu(parent)
        menu.setObjectName("visitMenu")
        menu.setAccessibleName(f"Actions for {what_text(row)}")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dose = row.appointment.kind is AppointmentKind.DOSE
        booked = is_booked(row)
        cycle_given = not booked and dose
        entries: list[tuple[str, str, Callable[[], object], bool, str]] = [
            (
                "&Move to...",
                "moveToAction",
                lambda: self.move_to(row),
                booked and dose,
                "The next free slots for this dose",
            ),
            (
                "Mark &missed...",
                "markMissedFromMenuAction",
                lambda: self.mark_missed(row),
                booked and dose,
                "The patient did not come: re-book in a free slot",
            ),
            (
                "Open &course",
                "openCourseAction",
                lambda: self.open_course(row),
                dose,
                "Show this patient's course in the Patients panel",
            ),
            (
                "&Cancel visit...",
                "cancelVisitAction",
                lambda: self.cancel_visit(row),
                booked,
                "With a reason: frees blocked time; a dose is re-booked like a missed one",
            ),
            (
                "Show &preparation",
                "showPreparationAction",
                lambda: self.show_preparation(row),
                dose,
                "This dose's vials and bag in the Pharmacy queue",
            ),
        ]
        for text, name, slot, enabled, tip in entries:
            action = QAction(text, menu)
            action.setObjectName(name)
            action.setEnabled(enabled)
            action.setToolTip(tip if enabled or not cycle_given else "Given: it stays where it was")
            action.setStatusTip(action.toolTip())
            action.triggered.connect(slot)
            menu.addAction(action)
        return menu

    # --- the actions ------------------------------------------------------------------
    def _slot_dialog(self, row: Row, missed: bool, reason: str | None = None) -> SlotDialog:
        """Move to... (``missed`` False), Mark missed..., or, with a ``reason``, Cancel
        visit... of a dose: re-booked like a missed one, the reason in the audit."""
        from ...services import courses, slots, visits
        from ...services.preview import preview
        from .slot_dialog import SLOT_COUNT, SlotDialog

        ctx = self.planner.ctx
        calendar = self.planner.session.settings.calendar
        mrn, cycle = str(row.mrn), int(row.cycle or 0)
        what = what_text(row)
        booked = f"booked {full_time(calendar, row.appointment.start)} on {row.chair_name}"
        name = row.patient_name
        cancel = reason is not None
        if cancel:
            title = f"Cancel visit: {what}"
            intro = (
                f"{cycle_label(cycle, None, word='Cycle ')} of {name} ({booked}) is "
                f"cancelled: {reason}. "
                "The dose is not skipped: choose where to re-book it, as for a missed "
                "dose (or stop the course in the Patients panel)."
            )
            ok = "Cancel visit and re-book here"
        elif missed:
            title = f"Mark {what} missed"
            intro = (
                f"{name} did not come for {cycle_label(cycle, None)} ({booked}). Choose "
                f"where to re-book it; the later cycles keep {CYCLE_LENGTH_DAYS} days apart."
            )
            ok = "Mark missed and re-book here"
        else:
            title = f"Move {what}"
            intro = f"Now {booked}. Choose a free slot; the earliest is chosen."
            ok = "Move here"

        missed = missed or cancel
        extra: dict[str, Any] = {"reason": reason} if cancel else {}
        action: Any = visits.cancel_dose_visit if cancel else courses.mark_dose_missed

        def find() -> list[slots.SlotOption]:
            # A miss is listed from where mark_dose_missed accepts (the finder knows).
            return slots.find_slots(ctx, mrn=mrn, cycle=cycle, count=SLOT_COUNT, missed=missed)

        def preview_slot(option: slots.SlotOption) -> Any:
            chosen = action if missed else courses.move_appointment
            where = {"to": option.start, "chair": option.chair}
            return preview(ctx, chosen, mrn=mrn, cycle=cycle, **where, **extra)

        def commit(option: slots.SlotOption) -> str | None:
            if not missed:
                chair = Chair(option.chair_id, option.chair)
                moved = self.planner.moves.request_move(row, chair, option.start, confirmed=True)
                return None if moved else self.planner.moves.last_refusal
            try:
                changes = action(
                    ctx, mrn=mrn, cycle=cycle, to=option.start, chair=option.chair, **extra
                )
            except SERVICE_ERRORS as error:
                return f"Refused: {refusal_text(error)}"
            where = f"{option.chair} {full_time(calendar, option.start)}"
            summary = courses.later_shift_summary(changes)
            done = f"Cancelled {what} ({reason})" if cancel else f"Marked {what} missed"
            text = f"{done}; re-booked {where}"
            self.planner.moves.record(changes, "; ".join([text, *([summary] if summary else [])]))
            return None

        dialog = SlotDialog(
            title=title,
            intro=intro,
            ok_text=ok,
            calendar=calendar,
            find=find,
            preview=preview_slot,
            commit=commit,
            parent=self.window,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._forget_dialog)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _forget_dialog(self, _result: int = 0) -> None:
        self.dialog = None

    def move_to(self, row: Row) -> SlotDialog:
        return self._slot_dialog(row, missed=False)

    def mark_missed(self, row: Row) -> SlotDialog:
        return self._slot_dialog(row, missed=True)

    def open_course(self, row: Row) -> bool:
        patients = self.window.features.get("patients_panel")
        if not isinstance(patients, OpensCourse):
            return False
        return patients.open_course(str(row.mrn), row.cycle)

    def show_preparation(self, row: Row) -> bool:
        pharmacy = self.window.features.get("pharmacy_view")
        if not isinstance(pharmacy, QWidget) or not isinstance(pharmacy, SelectsDose):
            return False
        self.window.pages.setCurrentWidget(pharmacy)
        found = bool(pharmacy.select(str(row.mrn), int(row.cycle or 0)))
        if not found:
            self.planner.say(f"No preparation in the pharmacy queue for {what_text(row)}")
        return found

    def ask_reason(self, row: Row) -> str | None:
        """The reason for a cancel, asked (tests replace this); None when not given."""
        from PySide6.QtWidgets import QInputDialog  # built when asked (issue 19)

        text, ok = QInputDialog.getText(
            self.window,
            f"Cancel visit: {what_text(row)}",
            "Reason:",
            QLineEdit.EchoMode.Normal,
            "",
        )
        return text if ok else None

    def cancel_visit(self, row: Row, reason: str | None = None) -> bool:
        """Cancel a visit, with a reason: blocked time is freed; a dose's visit opens the
        slot choice to re-book the dose as a missed one (``visits.cancel_dose_visit``)."""
        from ...services import visits

        reason = self.ask_reason(row) if reason is None else reason
        if reason is None:
            return False
        try:
            why = visits.cancel_reason(reason)
            if row.appointment.kind is AppointmentKind.DOSE:
                self._slot_dialog(row, missed=True, reason=why)
                return True
            changes = visits.cancel_blocked_time(
                self.planner.ctx, appointment_id=row.appointment.id, reason=why
            )
        except SERVICE_ERRORS as error:
            self.planner.say(f"Not cancelled: {refusal_text(error)}")
            return False
        label = blocked_label(row)
        self.planner.moves.record(changes, f"Cancelled blocked time '{label}': {why}")
        return True
