"""The receiving end of ``notify``: one connection of its own that LISTENs on
``notify.CHANNEL`` and hands over what the other connections committed.

``ChangeListener.poll(timeout)`` returns the ``Notice``s that arrived (none when
nothing did, waiting at most ``timeout`` seconds). A dropped connection is reopened
with back-off (``BACKOFF``: 0.1 s doubling to 5 s between tries) and LISTENs again;
what was sent meanwhile is never replayed, so the first poll after a reconnect returns
one ``Notice`` with ``read_all``: read everything again. ``connected`` says whether the
server is reachable now (the GUI's banner); ``fileno()`` is the socket to watch (a
``QSocketNotifier``), -1 while disconnected.

A notice sent by ``own_pid()`` (the store's own connection) is not news and is dropped.

``poll`` reconnects on the caller's thread, which a connect timeout may hold for
seconds. A GUI must not wait so: it polls only while ``connected``, has ``dial()`` (a
new connection, LISTENing) called on a thread of its own, and hands the result to
``adopt`` (``services.live_server.ServerLink``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .notify import CHANNEL

if TYPE_CHECKING:
    import psycopg

__all__ = ["BACKOFF", "ChangeListener", "Notice", "notice_of"]

BACKOFF = (0.1, 5.0)  # first and longest wait between reconnect attempts, seconds


@dataclass(frozen=True)
class Notice:
    """One committed change: ``changes`` maps an entity kind to the ids it names;
    ``read_all`` when the payload named too much, or notices may have been missed."""

    changes: dict[str, tuple[int, ...]] = field(default_factory=dict)
    read_all: bool = False
    sender: int = 0  # the sender's backend pid (0: the listener's own reconnect)

    def ids(self, entity: str) -> frozenset[int]:
        return frozenset(self.changes.get(entity, ()))


def notice_of(text: str, sender: int = 0) -> Notice:
    """The ``Notice`` a payload of ``notify.payload`` says (garbage: read all)."""
    try:
        body = json.loads(text)
        if body.get("all"):
            return Notice(read_all=True, sender=sender)
        changes = {str(k): tuple(int(i) for i in v) for k, v in body["changes"].items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        return Notice(read_all=True, sender=sender)
    return Notice(changes, sender=sender)


class ChangeListener:
    """LISTEN on a connection made by ``connect`` (autocommit); module doc."""

    def __init__(
        self,
        connect: Callable[[], psycopg.Connection[Any]],
        *,
        own_pid: Callable[[], int] = lambda: 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._connect = connect
        self.own_pid = own_pid
        self._clock = clock
        self._conn: psycopg.Connection[Any] | None = None
        self._wait = BACKOFF[0]
        self._next_try = 0.0
        self._missed = False  # notices may have been sent while disconnected
        self.reconnects = 0
        self._open()

    @property
    def connected(self) -> bool:
        return self._conn is not None and not self._conn.closed

    def fileno(self) -> int:
        return self._conn.fileno() if self._conn is not None and not self._conn.closed else -1

    def backend_pid(self) -> int:
        return self._conn.info.backend_pid if self._conn is not None else 0

    def dial(self) -> psycopg.Connection[Any]:
        """A new connection that LISTENs (``psycopg.Error`` if the server does not
        answer). It changes nothing here: any thread may call it; ``adopt`` the result."""
        conn = self._connect()
        try:
            conn.execute(f"LISTEN {CHANNEL}")
        except BaseException:
            with suppress(Exception):
                conn.close()
            raise
        return conn

    def adopt(self, conn: psycopg.Connection[Any]) -> None:
        """Listen on ``conn`` (from ``dial``) from now on; the next ``poll`` says
        ``read_all`` if the old connection was lost."""
        if self._conn is not None and self._conn is not conn:
            with suppress(Exception):
                self._conn.close()
        self._conn = conn
        self._wait = BACKOFF[0]
        self.reconnects += 1

    def _open(self) -> bool:
        import psycopg

        try:
            conn = self.dial()
        except psycopg.Error:
            self._next_try = self._clock() + self._wait
            self._wait = min(self._wait * 2, BACKOFF[1])
            return False
        self._conn = conn
        self._wait = BACKOFF[0]
        return True

    def _drop(self) -> None:
        if self._conn is not None:
            with suppress(Exception):  # it is gone already
                self._conn.close()
        self._conn = None
        self._missed = True
        self._next_try = self._clock() + self._wait

    def poll(self, timeout: float = 0.0) -> list[Notice]:
        """What arrived (module doc); waits at most ``timeout`` seconds for the first."""
        import psycopg

        if self._conn is None:
            if self._clock() < self._next_try or not self._open():
                if timeout:
                    time.sleep(min(timeout, max(0.0, self._next_try - self._clock())))
                return []
            self.reconnects += 1
        found: list[Notice] = []
        if self._missed:
            self._missed = False
            found.append(Notice(read_all=True))
        assert self._conn is not None
        try:
            for note in self._conn.notifies(timeout=timeout, stop_after=1):
                found.append(notice_of(note.payload, note.pid))
            # then whatever else is already there, without waiting
            for note in self._conn.notifies(timeout=0.0):
                found.append(notice_of(note.payload, note.pid))
        except psycopg.Error:
            self._drop()
        own = self.own_pid()
        return [n for n in found if n.sender == 0 or n.sender != own]

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._conn = None
