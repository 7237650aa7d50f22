"""Live refresh: what another connection committed since this one last looked, as one
ChangeSet made from the store's change feed (``store.changes``).

A commit by this connection is not news: the service that made it returned its own
ChangeSet, and the GUI's session announced that one. So ``ChangeWatch.poll`` reports
only when another connection (a second window, the CLI, another workstation) committed,
and then once, for everything since the last look.

What another connection changed is known only by its audit rows, and they name less
than was written (a move's row names the booking moved, not the later cycles it
shifted). So such a change is a ``ReadAgain``: the views read what they show again; the
ids it names are a hint, never the whole.
"""

from __future__ import annotations

from ..domain.lean import dataclass
from ..domain.records import AuditEntry
from ..store.protocol import ChangeFeed, ChangeToken
from .context import ChangeSet, Context

__all__ = ["ChangeWatch", "ReadAgain", "data_mark", "read_all", "refresh"]

ELSEWHERE = "changed elsewhere"


@dataclass
class ReadAgain(ChangeSet):
    """A change that cannot be shown piece by piece: another connection's commits, or a
    refresh asked for. ``settings`` is always True (a whole re-read includes them);
    ``entries`` are the audit rows behind it, oldest first."""

    entries: tuple[AuditEntry, ...] = ()


def read_all(changes: object) -> bool:
    """Whether a view must read everything it shows again for ``changes`` (anything but
    a ChangeSet of a service call made here)."""
    return not isinstance(changes, ChangeSet) or isinstance(changes, ReadAgain)


def refresh() -> ReadAgain:
    """View > Refresh: read everything again."""
    return ReadAgain("refresh", settings=True)


def _outside_mark(ctx: Context) -> int:
    """Moves when another connection commits, never for this one's own writes (the
    store's ``outside_mark``: SQLite's ``data_version``; a server backend tells it by the
    sender of its notification)."""
    return ctx.store.outside_mark()


def elsewhere(feed: ChangeFeed) -> ReadAgain:
    """Another connection's commits as one ChangeSet: the ids its audit rows name."""
    return ReadAgain(
        ELSEWHERE,
        appointments=feed.ids("appointment"),
        patients=feed.ids("patient"),
        courses=feed.ids("course"),
        chairs=feed.ids("chair"),
        preparations=feed.ids("preparation"),
        settings=True,
        entries=feed.entries,
    )


class ChangeWatch:
    """Follows the change feed of ``ctx``'s store from now on."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._token: ChangeToken = ctx.store.changes().token
        self._outside = _outside_mark(ctx)

    def poll(self) -> ReadAgain | None:
        """Another connection's commits since the last poll (None when there were none).
        Cheap when nothing changed: no query beyond the store's own marks."""
        outside = _outside_mark(self.ctx)
        feed = self.ctx.store.changes(self._token)
        self._token = feed.token  # our own rows in it were announced when they were made
        if outside == self._outside:
            return None
        self._outside = outside
        return elsewhere(feed)


def data_mark(ctx: Context) -> tuple[int, int]:
    """Moves whenever anything is committed, by this connection or another: the key a
    view keeps of what it last read, to skip reading again (the store's ``data_mark``,
    no query: SQLite's ``data_version`` and this connection's count of changes)."""
    return ctx.store.data_mark()
