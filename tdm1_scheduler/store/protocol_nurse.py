"""The nurse station's part of the store protocol: the board's reads of a day's dose
bookings (``BoardVisit``, one statement for the day), and the writes of a visit's steps
and reactions. ``protocol.Store`` extends it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from ..domain.records import BoardVisit, Dose, Preparation, ReactionAction, Visit, VisitReaction


class NurseStore(Protocol):
    """The reads and writes of the nurse board (``services.nurse``, ``nurse_reads``)."""

    def board_visits(self, start: datetime, end: datetime) -> list[BoardVisit]:
        """The dose bookings (booked or given) starting in [start, end), in chair order
        then start, each with its names, dose and visit."""
        ...

    def board_visit(self, appointment_id: int) -> BoardVisit | None:
        """The dose booking ``appointment_id`` whatever its status (None: no such dose
        booking, or blocked time)."""
        ...

    def doses_by_ids(self, dose_ids: Iterable[int]) -> dict[int, Dose]:
        """Dose id -> the dose (unknown ids left out)."""
        ...

    def preparations_for_doses(self, dose_ids: Iterable[int]) -> dict[int, Preparation]:
        """Dose id -> its newest preparation not discarded (doses without one left out)."""
        ...

    def insert_visit(
        self,
        *,
        appointment_id: int,
        arrived_at: datetime | None = None,
        infusion_started_at: datetime | None = None,
        infusion_ended_at: datetime | None = None,
        discharged_at: datetime | None = None,
    ) -> Visit:
        """The appointment's new visit (version 1) with the instants already known."""
        ...

    def update_visit(self, visit: Visit) -> Visit:
        """Store ``visit`` as wanted (its ``version`` as read) and return it at its new
        version; ``ConflictError`` when the row changed since that version."""
        ...

    def insert_reaction(
        self,
        *,
        visit_id: int,
        at: datetime,
        grade: int,
        symptoms: str,
        action: ReactionAction | None,
        note: str,
        recorded_at: datetime,
        recorded_by: str,
    ) -> VisitReaction:
        """One reaction of the visit, as stored."""
        ...
