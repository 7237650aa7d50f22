"""``BookingStore``: what the slot search asks the store beyond ``Store``'s own reads
(issue 19). ``Store`` extends it; ``sqlite_booking.BookingSqlite`` implements it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol


class BookingStore(Protocol):
    def chairs_busy_between(
        self,
        chair_ids: Sequence[int],
        start: datetime,
        end: datetime,
        exclude: Iterable[int] = (),
    ) -> set[int]:
        """The chairs of ``chair_ids`` that a chair-holding appointment overlaps in
        [start, end), leaving out the appointment ids in ``exclude``: one question for
        many chairs, each answered as ``chair_free_between`` answers it (negated)."""
        ...
