"""Undo steps for the planner: thin ``QUndoCommand`` wrappers around service calls.

A command never touches a widget or the database itself: redo and undo each call one
service (so the database and the audit log follow) and hand the ChangeSet to
``window.apply_changes``. The first redo, run by ``QUndoStack.push``, is skipped because
the planner already made the change (and reported a refusal) before pushing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from PySide6.QtGui import QUndoCommand

from ..domain.errors import DomainError
from ..services.context import ChangeSet
from ..store.database import ConflictError, StoreError

SERVICE_ERRORS = (DomainError, ConflictError, StoreError)


class ChangeSink(Protocol):
    """What a command reports to: the main window."""

    def apply_changes(self, changes: ChangeSet) -> None: ...


@dataclass(frozen=True)
class Placement:
    """A booking's chair (by name, as the services take it) and start."""

    chair_name: str
    start: datetime


def refusal_text(error: Exception) -> str:
    return str(getattr(error, "rule", None) or error)


class ServiceCommand(QUndoCommand):
    """Common ground: run a service call, announce its changes, report a refusal."""

    def __init__(self, window: ChangeSink, text: str, report: Callable[[str], None]) -> None:
        super().__init__(text)
        self.window = window
        self.report = report
        self._skip_first_redo = True

    def _run(self, call: Callable[[], ChangeSet], verb: str) -> bool:
        try:
            changes = call()
        except SERVICE_ERRORS as error:
            # The data moved on since this step was recorded; it cannot be replayed.
            self.setObsolete(True)
            self.report(f"Could not {verb} '{self.text()}': {refusal_text(error)}")
            return False
        self.window.apply_changes(changes)
        return True


class MoveCommand(ServiceCommand):
    """One drag or key move of a booking: redo moves it to ``after``, undo to ``before``.

    ``mover(placement)`` is the service call (``move_appointment`` for a dose,
    ``move_blocked_time`` for blocked time) bound to the booking.
    """

    def __init__(
        self,
        window: ChangeSink,
        text: str,
        mover: Callable[[Placement], ChangeSet],
        before: Placement,
        after: Placement,
        report: Callable[[str], None],
    ) -> None:
        super().__init__(window, text, report)
        self.mover = mover
        self.before = before
        self.after = after

    def redo(self) -> None:
        if self._skip_first_redo:
            self._skip_first_redo = False
            return
        self._run(lambda: self.mover(self.after), "redo")

    def undo(self) -> None:
        self._run(lambda: self.mover(self.before), "undo")


class BlockTimeCommand(ServiceCommand):
    """Blocked chair time was booked: undo cancels it, redo books it again."""

    def __init__(
        self,
        window: ChangeSink,
        text: str,
        book: Callable[[], ChangeSet],
        cancel: Callable[[int], ChangeSet],
        appointment_id: int,
        report: Callable[[str], None],
    ) -> None:
        super().__init__(window, text, report)
        self.book = book
        self.cancel = cancel
        self.appointment_id = appointment_id

    def redo(self) -> None:
        if self._skip_first_redo:
            self._skip_first_redo = False
            return

        def book_again() -> ChangeSet:
            changes = self.book()
            self.appointment_id = min(changes.appointments)
            return changes

        self._run(book_again, "redo")

    def undo(self) -> None:
        self._run(lambda: self.cancel(self.appointment_id), "undo")
