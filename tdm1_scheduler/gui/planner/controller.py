"""One way to move a booking, shared by the day grid, the week view, the day list and the
context menu: preview through the service, a confirmation only when later cycles move,
the service call, an undo step, and ``session.apply_changes``.

The views only say where a block should go (a ``MoveTarget``); this decides nothing
about the rules either: the services do.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

from ...domain.calendar import ClinicCalendar
from ...domain.records import AppointmentView
from ...services.context import ChangeSet, Context
from ...text import cycle_label
from ..refusals import SERVICE_ERRORS, refusal_text
from ..session import Session
from .day_model import blocked_label, is_blocked
from .day_scene import Chair, MoveTarget
from .day_view import MoveRequest

if TYPE_CHECKING:  # the undo steps and the past-time question: when a move is made (issue 19)
    from PySide6.QtGui import QUndoCommand

    from ...services.preview import Preview
    from .commands import Placement

Row = AppointmentView
Confirm = Callable[[str, str], bool]


def later_cycles_moving(changes: ChangeSet | None) -> bool:
    """True when the move shifts or re-chairs a later booked cycle (new bookings of a
    rolling MBC horizon are not moves)."""
    if changes is None:
        return False
    return any(
        m.old_start is not None and (m.shift or m.old_chair != m.new_chair)
        for m in changes.later_moves
    )


def what_text(row: Row) -> str:
    """The booking in words for messages: the patient's name and the cycle."""
    if is_blocked(row):
        return f"blocked time '{blocked_label(row)}'"
    name = row.patient_name
    who = f"{name} ({row.mrn})" if name else str(row.mrn)
    return f"{cycle_label(int(row.cycle or 0), None)} of {who}"


class MoveController(QObject):
    """Preview, confirm, commit and undo for every move in the main window."""

    sig_moved = Signal(int)
    """A booking was moved (its appointment id): the view that asked selects it."""

    def __init__(self, session: Session, say: Callable[[str], None], parent: QWidget) -> None:
        super().__init__(parent)
        self.session = session
        self.ctx: Context = session.ctx
        self.say = say
        self.parent_widget = parent
        self.confirm: Confirm = self._ask_confirmation
        self.pushing = False  # True while a new step is pushed (not an undo or redo)
        self.last_refusal = ""  # why the last move was not made ("" when it was)
        self._undo_texts: list[str] = []
        self._undo_index = 0
        session.undo_stack.indexChanged.connect(self._index_changed)

    # --- helpers ----------------------------------------------------------------------
    def local(self, instant: datetime) -> datetime:
        """An instant in the clinic's zone (what the services and messages use)."""
        calendar: ClinicCalendar = self.session.settings.calendar
        return calendar.local(instant)

    def _ask_confirmation(self, title: str, text: str) -> bool:
        from PySide6.QtWidgets import QMessageBox  # built when asked (issue 19)

        answer = QMessageBox.question(
            self.parent_widget,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def mover(self, row: Row) -> Callable[[Placement], ChangeSet]:
        """The service call that puts this booking at a placement."""
        from ...services import courses  # when a move is made, not at start (issue 19)

        ctx = self.ctx
        if is_blocked(row):
            appointment_id = row.appointment.id
            return lambda p: courses.move_blocked_time(
                ctx, appointment_id=appointment_id, to=p.start, chair=p.chair_name
            )
        mrn, cycle = str(row.mrn), int(row.cycle or 0)
        return lambda p: courses.move_appointment(
            ctx, mrn=mrn, cycle=cycle, to=p.start, chair=p.chair_name
        )

    def push(self, command: QUndoCommand) -> None:
        """Push a step that is already done (its first redo is skipped)."""
        self.pushing = True
        try:
            self.session.undo_stack.push(command)
        finally:
            self.pushing = False

    def record(self, changes: ChangeSet, text: str) -> None:
        """A change made here (a missed dose re-booked, say) becomes one undo step."""
        from .commands import MoveCommand

        self.push(MoveCommand(self.session, changes, self.say))
        self.session.apply_changes(changes)
        self.say("; ".join([text, *changes.notes]))

    def _index_changed(self, index: int) -> None:
        """After an undo or redo, say what was undone or redone (a new step says what
        it did itself)."""
        stack = self.session.undo_stack
        if not isValid(stack) or not isValid(self):
            return  # the window is being destroyed
        texts = [stack.text(number) for number in range(stack.count())]
        before, self._undo_texts = self._undo_texts, texts
        last, self._undo_index = self._undo_index, index
        if self.pushing or len(texts) < len(before):
            return  # a new step, or a step that failed and was dropped (it said why)
        if index < last and index < len(texts):
            self.say(f"Undone: {texts[index]}")
        elif index > last and index - 1 < len(texts):
            self.say(f"Redone: {texts[index - 1]}")

    # --- the move ---------------------------------------------------------------------
    def preview_move(self, target: MoveTarget) -> Preview:
        from ...services import courses
        from ...services.preview import preview

        row = target.row
        if is_blocked(row):
            return preview(
                self.ctx,
                courses.move_blocked_time,
                appointment_id=row.appointment.id,
                to=target.start,
                chair=target.chair.name,
            )
        return preview(
            self.ctx,
            courses.move_appointment,
            mrn=str(row.mrn),
            cycle=int(row.cycle or 0),
            to=target.start,
            chair=target.chair.name,
        )

    def shift_summary(self, seen: Preview) -> str:
        from ...services import courses

        return courses.later_shift_summary(seen.changes) if seen.changes else ""

    def request_move(
        self, row: Row, chair: Chair, start: datetime, *, confirmed: bool = False
    ) -> bool:
        """Move a booking to ``chair`` at ``start`` (a key press, a menu, a script);
        ``confirmed``: the later-cycle shift was already shown (the slot dialog)."""
        target = MoveTarget(row, chair, self.local(start))
        request = MoveRequest(target, self.preview_move(target))
        return self.handle_request(request, confirmed=confirmed)

    def _refuse(self, text: str) -> bool:
        self.last_refusal = text
        self.say(text)
        return False

    def handle_request(self, request: MoveRequest, *, confirmed: bool = False) -> bool:
        """Commit a move the scheduler asked for; True when it was made."""
        from ...services import courses
        from .commands import MoveCommand, Placement
        from .past_booking import PAST_TITLE, is_past, past_move_question

        target, seen = request.target, request.preview
        row = target.row
        what = what_text(row)
        where = f"{target.chair.name} {target.start:%a %d %b %H:%M}"
        self.last_refusal = ""
        if not seen.allowed:
            return self._refuse(f"Not moved: {what} to {where}: {seen.reason}")
        if is_past(target.start, self.ctx.clock.now()):  # issue 12: asked, by name
            calendar = self.session.settings.calendar
            question = past_move_question(what, target.chair.name, target.start, calendar)
            if not self.confirm(PAST_TITLE, question):
                return self._refuse(f"Not moved: {what} (cancelled: the time is in the past)")
        if not confirmed and later_cycles_moving(seen.changes):
            assert seen.changes is not None
            summary = courses.later_shift_summary(seen.changes)
            question = f"Move {what} to {where}?\n\n{summary}."
            if not self.confirm("Later cycles move", question):
                return self._refuse(f"Not moved: {what} (cancelled)")
        mover = self.mover(row)
        after = Placement(target.chair.name, target.start)
        try:
            changes = mover(after)
        except SERVICE_ERRORS as error:
            self.session.reload()
            return self._refuse(f"Not moved: {what} to {where}: {refusal_text(error)}")
        command = MoveCommand(self.session, changes, self.say)  # undo restores ``changes``
        self.push(command)
        self.session.apply_changes(changes)
        self.sig_moved.emit(row.appointment.id)
        text = f"Moved {what} to {where}"
        summary = courses.later_shift_summary(changes)
        self.say("; ".join([text, *([summary] if summary else []), *changes.notes]))
        return True
