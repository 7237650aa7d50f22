"""Where "now" comes from. The domain never reads the clock; services get one of these."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from .domain.lean import dataclass


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, time zone-aware."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock that reads what it is told (tests, ``--now``, benchmarks)."""

    current: datetime

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


class ServerClock:
    """The server's "now" on a server store (issue 16): every workstation's nurse timers
    agree whatever its own clock says. ``ask()`` asks the server once (``select now()``,
    ``PgStore.server_now``); after that the time follows the local monotonic clock with
    the offset measured then (half the round trip counted), asked again every
    ``resync_s`` seconds. A failed re-sync keeps the last offset (the server may be
    away for a while: the timers go on)."""

    def __init__(
        self,
        ask: Callable[[], datetime],
        *,
        resync_s: float = 300.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ask = ask
        self._monotonic = monotonic
        self.resync_s = resync_s
        self._base: datetime | None = None  # the server's time at ``_at`` (monotonic)
        self._at = 0.0
        self.sync()

    def sync(self) -> bool:
        """Ask the server now; False (the last offset kept) when it cannot answer."""
        before = self._monotonic()
        try:
            answer = self._ask()
        except Exception:  # an unreachable server keeps the offset
            if self._base is None:
                raise
            return False
        after = self._monotonic()
        self._base = answer.astimezone(UTC)
        self._at = (before + after) / 2
        return True

    def now(self) -> datetime:
        if self._monotonic() - self._at >= self.resync_s:
            self.sync()
        assert self._base is not None
        return self._base + timedelta(seconds=self._monotonic() - self._at)
