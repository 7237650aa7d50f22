"""Live updates on a server store (issue 16): the store's notifications instead of a
poll every second.

``server_link(ctx)`` is None for a store without notifications (SQLite: the session
polls its change feed as before). For a server store it is a ``ServerLink`` over the
store's listener (``store.postgres.listener``): ``fileno()`` is the socket to watch,
``take()`` says what arrived, ``connected`` whether the server is reachable.

While the server is away, ``take()`` never waits for it: the reconnect attempts (a new
listener connection and a new connection for the store, each up to libpq's connect
timeout) run on a thread of their own (``Redial``), with back-off, and ``wake()`` is
called from that thread when they succeed (the GUI: a queued Qt signal). The next
``take()``, on the caller's thread, hands both connections over (quick) and says
``read_all``: notices sent meanwhile are not replayed.

``clock_for(store)`` is the clock a session on a server store should be given (the
server's "now", ``clock.ServerClock``): the opener of ``--db postgresql://`` wires it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from ..clock import Clock, ServerClock, SystemClock
from ..domain.lean import dataclass
from .context import Context
from .errors import StoreError

if TYPE_CHECKING:
    from ..store.postgres.listener import ChangeListener

__all__ = ["Arrived", "Redial", "ServerLink", "clock_for", "server_link"]

Made = tuple[Any, Any]  # a listener connection and a store connection (or None)


@dataclass(frozen=True)
class Arrived:
    """What a look at the listener found: ``news`` (another connection committed; the
    change feed names what), ``read_all`` (notices may have been missed: read
    everything again), and whether the server came ``back`` since the last look."""

    news: bool = False
    read_all: bool = False
    back: bool = False


class Redial:
    """``attempt()`` on a daemon thread until it returns, waiting ``backoff`` (first,
    longest; doubling) between failures; then ``wake()``. ``take()`` hands over what
    it made (once), ``stop()`` ends it (what it makes after is closed by ``discard``)."""

    def __init__(
        self,
        attempt: Callable[[], Made],
        discard: Callable[[Made], None],
        wake: Callable[[], None],
        backoff: tuple[float, float],
    ) -> None:
        self._attempt = attempt
        self._discard = discard
        self._wake = wake
        self._backoff = backoff
        self._lock = threading.Lock()
        self._made: Made | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.attempts = 0

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Begin trying, unless already trying or done (``take`` first)."""
        with self._lock:
            if self.running or self._made is not None or self._stop.is_set():
                return
            self._thread = threading.Thread(target=self._run, name="tdm1-redial", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        wait = self._backoff[0]
        while not self._stop.is_set():
            self.attempts += 1
            try:
                made = self._attempt()
            except Exception:  # not there yet: wait, then try again
                self._stop.wait(wait)
                wait = min(wait * 2, self._backoff[1])
                continue
            with self._lock:
                stopped = self._stop.is_set()
                if not stopped:
                    self._made = made
            if stopped:  # stopped while it was dialling
                self._discard(made)
            else:
                with suppress(RuntimeError):  # the receiver may be gone (window closed)
                    self._wake()
            return

    def take(self) -> Made | None:
        with self._lock:
            made, self._made = self._made, None
        return made

    def stop(self) -> None:
        with self._lock:
            self._stop.set()
            made, self._made = self._made, None
        if made is not None:
            self._discard(made)


class ServerLink:
    """The listener of ``ctx``'s server store (module doc)."""

    def __init__(
        self,
        ctx: Context,
        listener: ChangeListener,
        wake: Callable[[], None] = lambda: None,
        backoff: tuple[float, float] = (0.1, 5.0),
    ) -> None:
        self.ctx = ctx
        self.listener = listener
        self._was_connected = listener.connected
        self._redial = Redial(self._dial, _discard, wake, backoff)

    @property
    def connected(self) -> bool:
        return self.listener.connected

    @property
    def redialling(self) -> bool:
        """Whether reconnect attempts are running (on their own thread) now."""
        return self._redial.running

    def fileno(self) -> int:
        return self.listener.fileno()

    def take(self) -> Arrived:
        """Drain the listener without waiting (module doc: while the server is away, the
        reconnect attempts run on their own thread; this hands their result over)."""
        if not self.listener.connected and not self._hand_over():
            self._was_connected = False
            return Arrived()
        notices = self.listener.poll(0.0)  # connected: it never dials here
        back = self.listener.connected and not self._was_connected
        self._was_connected = self.listener.connected
        if not self.listener.connected:
            self._redial.start()  # just lost: begin trying at once, not at the next look
        return Arrived(
            news=any(not n.read_all for n in notices),
            read_all=any(n.read_all for n in notices) or back,
            back=back,
        )

    def _hand_over(self) -> bool:
        """Adopt what the reconnect thread made (True), else make sure it is trying."""
        made = self._redial.take()
        if made is None:
            self._redial.start()
            return False
        conn, fresh = made
        adopt = getattr(self.ctx.store, "adopt", None)
        if fresh is not None and adopt is not None:
            try:
                adopt(fresh)
            except StoreError:  # a transaction open (a nested loop): next time
                _discard((conn, None))
                self._redial.start()
                return False
        self.listener.adopt(conn)
        return True

    def _dial(self) -> Made:
        """On the reconnect thread: a listener connection, then one for the store."""
        conn = self.listener.dial()
        dial = getattr(self.ctx.store, "dial", None)
        try:
            return conn, (dial() if dial is not None else None)
        except BaseException:
            _discard((conn, None))
            raise

    def close(self) -> None:
        self._redial.stop()
        self.listener.close()


def _discard(made: Made) -> None:
    for conn in made:
        if conn is not None:
            with suppress(Exception):
                conn.close()


def server_link(ctx: Context, wake: Callable[[], None] = lambda: None) -> ServerLink | None:
    """The link for a store that sends notifications; None for one that does not.
    ``wake`` is called, from the reconnect thread, when the server answers again."""
    listen = getattr(ctx.store, "listen", None)
    if listen is None:
        return None
    from ..store.postgres.listener import BACKOFF

    listener: ChangeListener = listen()
    return ServerLink(ctx, listener, wake, BACKOFF)


def clock_for(store: object, local: Clock | None = None) -> Clock:
    """The clock a session on ``store`` takes "now" from: the server's on a server store
    (``ServerClock`` over ``store.server_now``), else ``local`` (the system clock)."""
    server_now = getattr(store, "server_now", None)
    if server_now is not None:
        return ServerClock(server_now)
    return local if local is not None else SystemClock()
