"""The session every page works in: the services' context, the clinic's settings, the day
shown, the undo stack, and one announcement per change.

``sig_changed(ChangeSet)`` is emitted once per change: after a service call made here
(``apply_changes``, by whoever made the call: a dialog, the move controller, an undo
step) and when another connection committed (one poll of the store's change feed
through ``services.live``, every ``POLL_INTERVAL_MS``, or on a server store when its
notification arrives, ``live_link``; that ChangeSet is a ``ReadAgain``). The settings
are read again before each announcement, so a page that
reads ``session.settings`` in its slot sees the new ones.

``sig_day_changed(date)`` says the day shown changed (``show_day``). ``day_bookings``
reads a day's bookings once while nothing is committed: the Day list and the planner
show one read.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtGui import QUndoStack

from ..domain.records import AppointmentView
from ..services import queries
from ..services.context import ChangeSet, ClinicSettings, Context, load_settings
from ..services.live import ChangeWatch, ReadAgain, data_mark, read_all, refresh
from .live_link import LiveLink, attach

__all__ = ["POLL_INTERVAL_MS", "ReadAgain", "Session", "day_bookings", "read_all"]

POLL_INTERVAL_MS = 1000  # another connection's change shows within about a second


class Session(QObject):
    """What the pages share (typed): ``ctx``, ``settings``, ``shown_day``, ``undo_stack``,
    and the two signals."""

    sig_changed = Signal(object)
    """The data changed: the ``ChangeSet`` (a ``ReadAgain`` for another connection's
    commits or a refresh: read everything shown again)."""

    sig_day_changed = Signal(object)
    """The day shown changed (a ``datetime.date``)."""

    def __init__(self, ctx: Context, parent: QObject | None = None, *, poll: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("session")
        self.ctx = ctx
        self.settings: ClinicSettings = load_settings(ctx.store)
        self.undo_stack = QUndoStack(self)
        self._shown_day = self.clinic_today()
        self._day_read: tuple[object, list[AppointmentView]] | None = None
        self.watch = ChangeWatch(ctx)
        self.poll_timer = QTimer(self)
        self.poll_timer.setObjectName("changeFeedPoll")
        self.poll_timer.setInterval(POLL_INTERVAL_MS)
        self.poll_timer.timeout.connect(self.poll)
        # A server store notifies instead (live_link); SQLite is polled, as before.
        self.live: LiveLink | None = attach(ctx, self, self) if poll else None
        if poll and self.live is None:
            self.poll_timer.start()

    # --- the day shown ----------------------------------------------------------------
    def clinic_today(self) -> date:
        """The clinic's today from ``ctx.clock``; the next open day when closed today."""
        calendar = self.settings.calendar
        return calendar.next_open_day(calendar.local_date(self.ctx.clock.now()))

    @property
    def shown_day(self) -> date:
        return self._shown_day

    def day_bookings(self, day: date) -> list[AppointmentView]:
        """``day``'s chair-holding bookings (``queries.day_bookings``), read again only
        when something was committed since, or for another day or database."""
        key = (day, id(self.ctx.store), self.settings.timezone, *data_mark(self.ctx))
        if self._day_read is None or self._day_read[0] != key:
            self._day_read = (key, queries.day_bookings(self.ctx.store, self.settings, day))
        return list(self._day_read[1])

    def show_day(self, day: date) -> bool:
        """Show ``day``; True (and ``sig_day_changed``) when it is another day."""
        if day == self._shown_day:
            return False
        self._shown_day = day
        self.sig_day_changed.emit(day)
        return True

    # --- changes ----------------------------------------------------------------------
    def apply_changes(self, changes: ChangeSet) -> None:
        """A change was made (a service call here, or another connection's commits):
        read the settings again and announce it, once."""
        self.settings = load_settings(self.ctx.store)
        self.sig_changed.emit(changes)

    @Slot()
    def reload(self) -> None:
        """Read everything again (View > Refresh, or after a refused move)."""
        self.apply_changes(refresh())

    @Slot()
    def poll(self) -> bool:
        """Announce another connection's commits since the last look; True when any."""
        changes = self.watch.poll()
        if changes is None:
            return False
        self.apply_changes(changes)
        return True

    def stop(self) -> None:
        """Stop polling (before the database closes)."""
        self.poll_timer.stop()
        if self.live is not None:
            self.live.stop()


def day_bookings(session: Session, day: date) -> list[AppointmentView]:
    """``session.day_bookings(day)``: the read the planner draws from."""
    return session.day_bookings(day)
