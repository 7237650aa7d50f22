"""``BookingStore``: what the slot search asks the store beyond ``Store``'s own reads
(issue 19). ``Store`` extends it; ``sqlite_booking.BookingSqlite`` implements it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..domain.span_search import ChairSpans

# A day load's row when no appointment is left out: (chair_id, start_utc, end_utc,
# prep_min), prep_min None for blocked time; ``Store.busy_rows`` without id and kind.
BusySpan = tuple[int, str, str, int | None]


class BookingStore(Protocol):
    def first_free_chair(
        self,
        chair_ids: Sequence[int],
        start: datetime,
        end: datetime,
        exclude: Iterable[int] = (),
    ) -> int | None:
        """The first chair of ``chair_ids``, in their order, that no chair-holding
        appointment overlaps in [start, end) (leaving out the appointment ids in
        ``exclude``), or None when every one is taken: one question for several chairs,
        each answered as ``chair_free_between`` answers it."""
        ...

    def busy_spans(self, start: datetime, end: datetime) -> list[BusySpan]:
        """``busy_rows(start, end)`` as ``BusySpan`` tuples: the same rows in the same
        order, two columns fewer to make for each (a day load reads ~600 on a busy day)."""
        ...

    def busy_seconds(
        self, start: datetime, end: datetime, origin: datetime, exclude: Iterable[int] = ()
    ) -> ChairSpans:
        """``busy_spans(start, end)`` (leaving out the appointment ids in ``exclude``) as
        whole seconds from ``origin``: each row's chair, start and end, sorted by chair,
        then start, then end (``span_search.ChairSpans``). One row comes back from SQLite
        for the whole day, not one per booking (issue 19: a busy day's ~530 rows cost
        about 6,000 instructions each to fetch and load into Python)."""
        ...
