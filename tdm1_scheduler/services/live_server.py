"""Live updates on a server store (issue 16): the store's notifications instead of a
poll every second.

``server_link(ctx)`` is None for a store without notifications (SQLite: the session
polls its change feed as before). For a server store it is a ``ServerLink`` over the
store's listener (``store.postgres.listener``): ``fileno()`` is the socket to watch,
``take()`` says what arrived, ``connected`` whether the server is reachable.

``clock_for(store)`` is the clock a session on a server store should be given (the
server's "now", ``clock.ServerClock``): the opener of ``--db postgresql://`` wires it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..clock import Clock, ServerClock, SystemClock
from ..domain.lean import dataclass
from .context import Context

if TYPE_CHECKING:
    from ..store.postgres.listener import ChangeListener

__all__ = ["Arrived", "ServerLink", "clock_for", "server_link"]


@dataclass(frozen=True)
class Arrived:
    """What a look at the listener found: ``news`` (another connection committed; the
    change feed names what), ``read_all`` (notices may have been missed: read
    everything again), and whether the server came ``back`` since the last look."""

    news: bool = False
    read_all: bool = False
    back: bool = False


class ServerLink:
    """The listener of ``ctx``'s server store (module doc)."""

    def __init__(self, ctx: Context, listener: ChangeListener) -> None:
        self.ctx = ctx
        self.listener = listener
        self._was_connected = listener.connected

    @property
    def connected(self) -> bool:
        return self.listener.connected

    def fileno(self) -> int:
        return self.listener.fileno()

    def take(self) -> Arrived:
        """Drain the listener without waiting (a reconnect is tried, with back-off, while
        the server is away). When it is back, the store's own connection is reopened."""
        notices = self.listener.poll(0.0)
        back = self.listener.connected and not self._was_connected
        self._was_connected = self.listener.connected
        if back:
            revive = getattr(self.ctx.store, "revive", None)
            if revive is not None and not revive():
                self._was_connected = False  # the listener is, the store is not yet
                return Arrived()
        return Arrived(
            news=any(not n.read_all for n in notices),
            read_all=any(n.read_all for n in notices) or back,
            back=back,
        )

    def close(self) -> None:
        self.listener.close()


def server_link(ctx: Context) -> ServerLink | None:
    """The link for a store that sends notifications; None for one that does not."""
    listen = getattr(ctx.store, "listen", None)
    if listen is None:
        return None
    listener: ChangeListener = listen()
    return ServerLink(ctx, listener)


def clock_for(store: object, local: Clock | None = None) -> Clock:
    """The clock a session on ``store`` takes "now" from: the server's on a server store
    (``ServerClock`` over ``store.server_now``), else ``local`` (the system clock)."""
    server_now = getattr(store, "server_now", None)
    if server_now is not None:
        return ServerClock(server_now)
    return local if local is not None else SystemClock()
