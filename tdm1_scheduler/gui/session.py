"""The session every page works in: the services' context, the clinic's settings, the day
shown, the undo stack, and one announcement per change.

``sig_changed(ChangeSet)`` is emitted once per change: after a service call made here
(``apply_changes``, by whoever made the call: a dialog, the move controller, an undo
step) and when another connection committed (one poll of the store's change feed
through ``services.live``, every ``POLL_INTERVAL_MS``, or on a server store when its
notification arrives, ``live_link``; that ChangeSet is a ``ReadAgain``). The settings
are read again before each announcement, so a page that
reads ``session.settings`` in its slot sees the new ones.

``sig_day_changed(date)`` says the day shown changed (``show_day``). ``day_blocks``
reads a day's bookings once while nothing is committed, lean (``DayBlock``, issue 19: a
day switch): the Day list and the planner show one read, and read a booking's whole
record (``booking``) when it is acted on. A change made here that names every
appointment it wrote (a move, blocked time: ``names_its_rows``) patches that read from
those appointments alone (``booking``, read
once for every page) instead of reading the whole day again (issue 19: a drag commit).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtGui import QUndoStack

from ..domain.day_blocks import DayBlock, block_of
from ..domain.records import AppointmentView
from ..services import queries
from ..services.context import ChangeSet, ClinicSettings, Context, load_settings
from ..services.live import ChangeWatch, ReadAgain, data_mark, read_all, refresh
from .live_link import LiveLink, attach

__all__ = ["POLL_INTERVAL_MS", "ReadAgain", "Session", "day_blocks", "read_all"]

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
        self._settings_mark = ctx.store.outside_mark()  # before the read: never too new
        self.settings: ClinicSettings = load_settings(ctx.store)
        self.undo_stack = QUndoStack(self)
        self._shown_day = self.clinic_today()
        self._blocks_read: tuple[tuple[object, ...], list[DayBlock]] | None = None
        self._ranks: dict[int, int] | None = None  # chair id -> place in the clinic's order
        self._named: tuple[object, dict[int, AppointmentView | None]] = ((), {})
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

    def _day_key(self, day: date) -> tuple[object, ...]:
        return (day, id(self.ctx.store), self.settings.timezone, *data_mark(self.ctx))

    def day_blocks(self, day: date) -> list[DayBlock]:
        """``day``'s chair-holding bookings lean (``queries.day_blocks``: what the grid
        and the Day list show): the read of the day shown, shared by the pages, read
        again when something was committed since (and not patched), or for another day
        or database. Only the last day read is kept."""
        key = self._day_key(day)
        if self._blocks_read is None or self._blocks_read[0] != key:
            self._blocks_read = (key, queries.day_blocks(self.ctx.store, self.settings, day))
        return list(self._blocks_read[1])

    def booking(self, appointment_id: int) -> AppointmentView | None:
        """One appointment (``queries.booking``), read once while nothing else is
        committed: the pages redraw a change's appointments from the session's reads."""
        mark, found = self._named
        now = data_mark(self.ctx)
        if mark != now:
            found = {}
            self._named = (now, found)
        if appointment_id not in found:
            found[appointment_id] = queries.booking(self.ctx.store, appointment_id)
        return found[appointment_id]

    def _patch_day_read(self, changes: object) -> None:
        """After ``changes`` (made here, just committed): the day read, when it is the
        last thing read from the clinic but for those changes, with their appointments
        read again (``booking``, the record the pages redraw from, made lean by
        ``block_of``); otherwise it is read again when next asked."""
        if not names_its_rows(changes):
            self._ranks = None  # chairs or anything else may have changed
            return
        assert isinstance(changes, ChangeSet)
        read = self._blocks_read
        if read is None:
            return
        key, rows = read
        day = key[0]
        assert isinstance(day, date)
        fresh = self._day_key(day)
        if key[1:4] != fresh[1:4]:
            return  # another connection's commit or other settings: read again
        start, end = self.settings.calendar.day_bounds(day)
        by_id = {row.id: row for row in rows}
        for appointment_id in changes.appointments:
            by_id.pop(appointment_id, None)
            view = self.booking(appointment_id)
            if view is not None:
                booked = view.appointment
                if booked.holds_chair and booked.start < end and booked.end > start:
                    by_id[appointment_id] = block_of(view)
        ranks = self._chair_ranks()
        if any(row.chair_id not in ranks for row in by_id.values()):
            return
        # The day query's order: chair (position, id), then start.
        patched = sorted(by_id.values(), key=lambda row: (ranks[row.chair_id], row.start))
        self._blocks_read = (fresh, patched)

    def _chair_ranks(self) -> dict[int, int]:
        if self._ranks is None:
            chairs = self.ctx.store.chairs(active_only=False)
            self._ranks = {chair.id: number for number, chair in enumerate(chairs)}
        return self._ranks

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
        read the settings again and announce it, once. A change that wrote appointments
        only (``names_its_rows``) keeps the settings read when no other connection has
        committed since: nothing can have changed them."""
        outside = self.ctx.store.outside_mark()
        if not names_its_rows(changes) or outside != self._settings_mark:
            self.settings = load_settings(self.ctx.store)
            self._settings_mark = outside
        self._patch_day_read(changes)
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


def names_its_rows(changes: object) -> bool:
    """A change made here that names every appointment row it wrote, and wrote nothing
    else a day's bookings show (no dose, patient, chair or setting; a course only as the
    course whose cycles moved): its appointments, read again, are all that changed."""
    if read_all(changes) or not isinstance(changes, ChangeSet) or not changes.appointments:
        return False
    if changes.settings or changes.chairs or changes.patients or changes.preparations:
        return False
    if changes.courses and not changes.moves:
        return False
    return all(
        table == "appointments" and row_id in changes.appointments for table, row_id in changes.rows
    )


def day_blocks(session: Session, day: date) -> list[DayBlock]:
    """``session.day_blocks(day)``: the lean read the planner draws from."""
    return session.day_blocks(day)
