"""The course panel's readiness strip (issue 17): the chosen booked dose's verdict and
why, and what the scheduler can do about a ``hold``.

Below the course table: the verdict of the cycle chosen there (else the next booked
one), in words; Delay dose... (the slot finder, from after the booked slot), Re-book
when the result arrives (the slot finder opens once a new result clears the hold), and
Record lab result... / Record LVEF... (also in the Tools menu).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QGridLayout, QPushButton, QVBoxLayout, QWidget

from ...domain.records import AppointmentView
from ...domain.regimen import CYCLE_LENGTH_DAYS
from ...domain.verdicts import Verdict
from ...services.context import ChangeSet
from ...services.queries import booking, course_state
from ...services.storage import Store
from ...text import cycle_label, full_time
from ..planner.controller import MoveController
from ..planner.day_scene import Chair
from ..readiness.view import (
    EBC_NOTE,
    VERDICT_COLORS,
    dose_readiness,
    ebc_unverified,
    readiness_details,
    readiness_text,
)
from ..refusals import SERVICE_ERRORS, refusal_text
from ..widgets import info_label

if TYPE_CHECKING:  # the dialogs and the services they call: when one opens (issue 19)
    from ...domain.readiness import Readiness  # read after the first paint (issue 19)
    from ...services import slots
    from ...services.preview import Preview
    from ..planner.slot_dialog import SlotDialog
    from ..readiness.dialogs import LabResultDialog, LvefDialog, ResultDialog
    from .host import PatientsHost

Row = AppointmentView
STRIP_REASON_CHARS = 160  # the strip wraps: the first reason nearly whole


def booked_row(store: Store, mrn: str, cycle: int) -> Row | None:
    """The booked cycle's chair-holding appointment, with the Day list's joined fields."""
    try:
        state = course_state(store, mrn)
    except SERVICE_ERRORS:
        return None
    dose = next((d for d in state.doses if d.cycle == cycle), None)
    appointment = None if dose is None else state.current.get(dose.id)
    return None if appointment is None else booking(store, appointment.id)


class CourseReadiness(QObject):
    """The strip, its buttons and actions, and the doses awaiting a result to re-book."""

    def __init__(self, feature: PatientsHost) -> None:
        super().__init__(feature)
        self.feature = feature
        self.window = feature.window
        self.session = feature.session
        self.ctx = feature.ctx
        self.panel = feature.panel
        self.dialog: ResultDialog | SlotDialog | None = None  # the dialog last opened
        self.awaiting: set[tuple[str, int]] = set()  # (mrn, cycle) to re-book on a result
        self.strip = QWidget(self.panel.course_layout.parentWidget())  # below the table
        self.strip.setObjectName("readinessStrip")
        self.strip.setAccessibleName("Readiness of the chosen dose")
        layout = QVBoxLayout(self.strip)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = info_label(self.strip, "readinessLabel", "Readiness of the chosen dose")
        self.label.setMargin(4)
        layout.addWidget(self.label)
        buttons = QGridLayout()  # two by two: the dock stays narrow
        layout.addLayout(buttons)
        self.delay_button = self._button(
            buttons, "&Delay dose...", "delayDoseButton", self.delay,
            "The dose is on hold: choose a later free slot (the slot finder)",
        )  # fmt: skip
        self.await_button = self._button(
            buttons, "Re-book on &result", "rebookOnResultButton", self.rebook_on_result,
            "Keep the booking for now; when the result is recorded, choose its slot",
        )  # fmt: skip
        self.lab_action = self._action("Record &lab result...", "recordLabAction", self.record_lab)
        self.lvef_action = self._action("Record L&VEF...", "recordLvefAction", self.record_lvef)
        self.lab_button = self._button(buttons, "", "recordLabButton", None, "", self.lab_action)
        self.lvef_button = self._button(buttons, "", "recordLvefButton", None, "", self.lvef_action)
        self.panel.course_layout.addWidget(self.strip)
        tools = self.window.menu("tools")
        tools.addAction(self.lab_action)
        tools.addAction(self.lvef_action)
        self.panel.sig_patient_selected.connect(self.update)
        self.panel.course_view.selectionModel().selectionChanged.connect(self.update)
        self.session.sig_changed.connect(self.update)  # after the panel re-read
        self.update()

    def _action(self, text: str, name: str, slot: Any) -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(name)
        action.triggered.connect(slot)
        return action

    def _button(
        self, grid: QGridLayout, text: str, name: str, slot: Any, tip: str,
        action: QAction | None = None,
    ) -> QPushButton:  # fmt: skip
        button = QPushButton(text or (action.text() if action else ""), self.strip)
        button.setObjectName(name)
        button.setAccessibleName(button.text().replace("&", "").rstrip("."))
        button.setToolTip(tip)
        button.clicked.connect(action.trigger if action is not None else slot)
        count = grid.count()
        grid.addWidget(button, count // 2, count % 2)
        return button

    # --- what the strip shows -----------------------------------------------------------
    def chosen(self) -> tuple[str, int, Readiness | None] | None:
        mrn = self.panel.current_mrn
        cycle = self.panel.cycle_to_mark_missed()
        if mrn is None or cycle is None:
            return None
        return mrn, cycle, self.panel.cycles_model.readiness.get(cycle)

    @Slot()
    @Slot(object)
    def update(self, _changes: object = None) -> None:
        chosen = self.chosen()
        mrn = self.panel.current_mrn
        self.lab_action.setEnabled(mrn is not None)
        self.lvef_action.setEnabled(mrn is not None)
        for button in (self.lab_button, self.lvef_button):
            button.setEnabled(mrn is not None)
        if chosen is None:
            self.label.setText("" if mrn is None else "No booked dose to check.")
            self.label.setStyleSheet("")
            self.label.setToolTip("")
            self.delay_button.setEnabled(False)
            self.await_button.setEnabled(False)
            return
        mrn, cycle, readiness = chosen
        text = readiness_text(readiness, STRIP_REASON_CHARS) or "readiness not known"
        extra = []
        if readiness is not None and readiness.labs_pending:
            extra.append("labs pending")
        if readiness is not None and readiness.lvef_due is not None:
            overdue = " (overdue)" if readiness.lvef_overdue else ""
            extra.append(f"LVEF due by {readiness.lvef_due:%Y-%m-%d}{overdue}")
        if ebc_unverified(readiness):
            extra.append(EBC_NOTE)
        if (mrn, cycle) in self.awaiting:
            extra.append("re-book when the result arrives")
        tail = f" [{'; '.join(extra)}]" if extra else ""
        self.label.setText(f"Cycle {cycle}: {text}{tail}")
        self.label.setToolTip(readiness_details(readiness))
        if readiness is not None:
            background, colour = VERDICT_COLORS[readiness.verdict]
            self.label.setStyleSheet(f"background: {background}; color: {colour};")
        else:
            self.label.setStyleSheet("")
        hold = readiness is not None and readiness.verdict is Verdict.HOLD
        self.delay_button.setEnabled(hold)
        self.await_button.setEnabled(hold and (mrn, cycle) not in self.awaiting)

    # --- a hold: delay now, or re-book when the result arrives -------------------------------
    @Slot()
    def delay(self) -> SlotDialog | None:
        chosen = self.chosen()
        if chosen is None:
            return None
        mrn, cycle, readiness = chosen
        why = readiness_text(readiness) or "not known to be ready"
        return self.open_slots(
            mrn, cycle, f"Delay cycle {cycle} ({why})", after_booking=True, ok="Delay to here"
        )

    @Slot()
    def rebook_on_result(self) -> None:
        chosen = self.chosen()
        if chosen is None:
            return
        mrn, cycle, _readiness = chosen
        self.awaiting.add((mrn, cycle))
        self.say(
            f"Cycle {cycle} of {mrn} stays booked for now; when its result is recorded here,"
            " the slot finder opens to re-book it"
        )
        self.update()

    def open_slots(
        self, mrn: str, cycle: int, title: str, *, after_booking: bool, ok: str
    ) -> SlotDialog | None:
        """The slot dialog over ``find_slots`` for a booked cycle: from after its booked
        slot (a delay) or from now (a re-booking once the result is in)."""
        from ...services import courses, slots
        from ...services.preview import preview
        from ..planner.slot_dialog import SLOT_COUNT, SlotDialog

        row = booked_row(self.ctx.store, mrn, cycle)
        if row is None:
            self.say(f"Cycle {cycle} of {mrn} is not booked")
            return None
        calendar = self.session.settings.calendar
        start, end = row.appointment.start, row.appointment.end
        now = self.ctx.clock.now()
        start_from = (end if now < start else now) if after_booking else now
        booked = f"{full_time(calendar, start)} on {row.chair_name}"
        intro = (
            f"{row.patient_name}, {cycle_label(cycle, None)}, now booked {booked}. Choose a"
            " free slot;"
            f" the later cycles keep {CYCLE_LENGTH_DAYS} days apart."
        )

        def find() -> list[slots.SlotOption]:
            return slots.find_slots(
                self.ctx, mrn=mrn, cycle=cycle, start_from=start_from, count=SLOT_COUNT
            )

        def preview_slot(option: slots.SlotOption) -> Preview:
            return preview(
                self.ctx, courses.move_appointment, mrn=mrn, cycle=cycle, to=option.start,
                chair=option.chair,
            )  # fmt: skip

        def commit(option: slots.SlotOption) -> str | None:
            return self._move(row, option)

        dialog = SlotDialog(
            title=title, intro=intro, ok_text=ok, calendar=calendar, find=find,
            preview=preview_slot, commit=commit, parent=self.window,
        )  # fmt: skip
        dialog.setObjectName("readinessSlotDialog")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._keep(dialog)
        return dialog

    def _move(self, row: Row, option: slots.SlotOption) -> str | None:
        """Through the planner's one move controller (undoable) when there is one."""
        planner = self.window.features.get("planner")
        moves = getattr(planner, "moves", None)
        if isinstance(moves, MoveController):
            chair = Chair(option.chair_id, option.chair)
            moved = moves.request_move(row, chair, option.start, confirmed=True)
            return None if moved else moves.last_refusal
        from ...services import courses

        try:
            changes = courses.move_appointment(
                self.ctx, mrn=str(row.mrn), cycle=int(row.cycle or 0), to=option.start,
                chair=option.chair,
            )  # fmt: skip
        except SERVICE_ERRORS as error:
            return f"Refused: {refusal_text(error)}"
        self.session.apply_changes(changes)
        return None

    def _keep(self, dialog: ResultDialog | SlotDialog) -> None:
        """Open ``dialog`` and keep it as the last one until it closes."""
        dialog.finished.connect(lambda _result=0, d=dialog: self._forget(d))
        self.dialog = dialog
        dialog.open()

    def _forget(self, dialog: ResultDialog | SlotDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    # --- results ----------------------------------------------------------------------------
    def _open_result(self, kind: type[LabResultDialog] | type[LvefDialog]) -> ResultDialog | None:
        mrn = self.panel.current_mrn
        if mrn is None:
            self.say("Choose a patient first")
            return None
        calendar = self.session.settings.calendar
        dialog = kind(self.ctx, calendar, mrn, self._result_saved, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._keep(dialog)
        return dialog

    @Slot()
    def record_lab(self) -> ResultDialog | None:
        from ..readiness.dialogs import LabResultDialog

        return self._open_result(LabResultDialog)

    @Slot()
    def record_lvef(self) -> ResultDialog | None:
        from ..readiness.dialogs import LvefDialog

        return self._open_result(LvefDialog)

    def _result_saved(self, changes: ChangeSet) -> None:
        self.session.apply_changes(changes)
        self.say(f"Done: {changes.action}")
        mrn = self.panel.current_mrn
        for waiting_mrn, cycle in sorted(self.awaiting):
            if waiting_mrn != mrn:
                continue
            readiness = dose_readiness(self.ctx.store, waiting_mrn, cycle)
            if readiness is not None and readiness.verdict is Verdict.HOLD:
                self.say(f"Result recorded; cycle {cycle} is still {readiness_text(readiness)}")
                continue
            self.awaiting.discard((waiting_mrn, cycle))
            now_text = readiness_text(readiness) or "readiness not known"
            self.open_slots(
                waiting_mrn, cycle, f"Re-book cycle {cycle}: the result is in ({now_text})",
                after_booking=False, ok="Re-book here",
            )  # fmt: skip
            break  # one dialog at a time
        self.update()

    def say(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 8000)


def attach(feature: PatientsHost) -> CourseReadiness:
    return CourseReadiness(feature)
