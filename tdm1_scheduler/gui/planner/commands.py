"""Undo steps for the planner: thin ``QUndoCommand`` wrappers around service calls.

A command never touches a widget or the database itself: redo and undo each call one
service (so the database and the audit log follow) and hand the ChangeSet to
``session.apply_changes``. The first redo, run by ``QUndoStack.push``, is skipped because
the planner already made the change (and reported a refusal) before pushing.

A move is undone by restoring the placements its ChangeSet recorded
(``services/restore.py``), never by moving again: a move re-plans later cycles, so a
replay would not give back what was there.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from PySide6.QtGui import QUndoCommand

from ...domain.lean import dataclass  # cheaper to define (issue 19)
from ...services.context import ChangeSet, Context
from ..refusals import SERVICE_ERRORS as SERVICE_ERRORS, refusal_text as refusal_text


class ChangeSink(Protocol):
    """What a command reports to: the session (``gui/session.py``)."""

    ctx: Context

    def apply_changes(self, changes: ChangeSet) -> None: ...


@dataclass(frozen=True)
class Placement:
    """A booking's chair (by name, as the services take it) and start."""

    chair_name: str
    start: datetime


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
    """A change already made (a move of a booking, a missed dose): undo puts back every
    row it wrote, redo puts back what the undo changed. Each step keeps the ChangeSet of
    the last one, so the next step restores exactly that (with its version check)."""

    def __init__(
        self, window: ChangeSink, changes: ChangeSet, report: Callable[[str], None]
    ) -> None:
        super().__init__(window, changes.action, report)
        self.changes = changes

    def _restore(self, verb: str) -> ChangeSet:
        # At the first undo, not at start (issue 19: with journal and domain.booking).
        from ...services.restore import restore_placements

        self.changes = restore_placements(self.window.ctx, self.changes, verb=verb)
        return self.changes

    def redo(self) -> None:
        if self._skip_first_redo:
            self._skip_first_redo = False
            return
        self._run(lambda: self._restore("redo"), "redo")

    def undo(self) -> None:
        self._run(lambda: self._restore("undo"), "undo")


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
