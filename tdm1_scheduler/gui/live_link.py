"""The session's live link to a server store (issue 16): a ``QSocketNotifier`` on the
listener's socket wakes the session when another workstation commits, instead of the
poll timer (the SQLite session keeps polling, unchanged).

When the server cannot be reached, the banner (``serverBannerLabel``) says so and the
session stops reading; a write tried meanwhile is refused whole by the store (nothing
half-written, nothing kept that was not committed). The reconnect attempts never run on
the GUI thread (each may wait for libpq's connect timeout, seconds, on a server that
does not answer): ``ServerLink`` makes them on a thread of its own, which emits
``woken`` (queued to this thread) when the server answers. Then, on this thread, the
listener and the store take the new connections, the banner goes, and everything is
read again (what was sent meanwhile is not replayed). A check every ``CHECK_MS`` also
looks, for the banner and for a read-all that failed (it is tried again).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QLabel, QWidget

from ..services.context import Context
from ..services.errors import StoreError

if TYPE_CHECKING:  # a server store's only: SQLite's session polls (issue 19)
    from PySide6.QtCore import QSocketNotifier

    from ..services.live_server import ServerLink

__all__ = ["CHECK_MS", "SERVER_AWAY", "LiveLink", "attach"]

CHECK_MS = 1000
SERVER_AWAY = (
    "The server cannot be reached. Nothing is saved until it is back; "
    "what is shown may be out of date."
)


class Announces(Protocol):
    """What the link asks of the session (``session.Session``)."""

    def reload(self) -> None: ...

    def poll(self) -> bool: ...


class LiveLink(QObject):
    """``session``'s notifications from ``link`` (module doc)."""

    woken = Signal()  # from the reconnect thread: the server answers again

    def __init__(self, session: Announces, link: ServerLink, parent: QObject) -> None:
        super().__init__(parent)
        self.setObjectName("liveLink")
        self.session = session
        self.link = link
        self.woken.connect(self.look)  # queued: emitted on the reconnect thread
        self._read_all_due = False  # a read-all the server's going away cut short
        self._notifier: QSocketNotifier | None = None
        self._banners: list[QLabel] = []
        self.check_timer = QTimer(self)
        self.check_timer.setObjectName("liveCheck")
        self.check_timer.setInterval(CHECK_MS)
        self.check_timer.timeout.connect(self.look)
        self._watch()
        self.check_timer.start()

    def banner(self, parent: QWidget) -> QLabel:
        """A banner for the main window's banner area, shown while the server is away."""
        label = QLabel(SERVER_AWAY, parent)
        label.setObjectName("serverBannerLabel")
        label.setAccessibleName("Server unreachable notice")
        label.setWordWrap(True)
        label.setStyleSheet(
            "background: #fde2e1; color: #7a1010; border: 1px solid #c62828; padding: 4px;"
        )
        label.setVisible(not self.link.connected)
        self._banners.append(label)
        return label

    @property
    def connected(self) -> bool:
        return self.link.connected

    def _watch(self) -> None:
        """A notifier on the listener's current socket (a new one after a reconnect)."""
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        socket = self.link.fileno()
        if socket >= 0:
            from PySide6.QtCore import QSocketNotifier

            self._notifier = QSocketNotifier(socket, QSocketNotifier.Type.Read, self)
            self._notifier.activated.connect(self.look)

    @Slot()
    def look(self) -> None:
        """Drain the listener; announce what it says; show or hide the banner."""
        before = self.link.fileno()
        if self._notifier is not None:
            self._notifier.setEnabled(False)  # the socket may close in take()
        arrived = self.link.take()
        if self.link.fileno() != before:
            self._watch()
        elif self._notifier is not None:
            self._notifier.setEnabled(True)
        for label in self._banners:
            label.setVisible(not self.link.connected)
        if not self.link.connected:
            return
        try:
            if arrived.read_all or self._read_all_due:
                self._read_all_due = True
                self.session.reload()
                self._read_all_due = False
            elif arrived.news and not self.session.poll():
                self.session.reload()  # a notice the feed does not show yet: read it all
        except StoreError:  # gone again meanwhile: the next look shows the banner
            return

    def stop(self) -> None:
        self.check_timer.stop()
        if self._notifier is not None:
            self._notifier.setEnabled(False)
        self.link.close()


def attach(ctx: Context, session: Announces, parent: QObject) -> LiveLink | None:
    """The live link for ``ctx``'s store; None (the poll timer) for SQLite."""
    if getattr(ctx.store, "listen", None) is None:
        return None  # no notifications (SQLite): live_server is not imported (issue 19)
    from ..services.live_server import server_link

    waker = _Waker()
    link = server_link(ctx, waker.wake)
    if link is None:
        return None
    live = LiveLink(session, link, parent)
    waker.target = live
    return live


class _Waker:
    """``wake()`` for the reconnect thread: ``LiveLink.woken`` once there is a link."""

    def __init__(self) -> None:
        self.target: LiveLink | None = None

    def wake(self) -> None:
        if self.target is not None:
            self.target.woken.emit()
