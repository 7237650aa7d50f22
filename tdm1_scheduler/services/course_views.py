"""A patient's course as ``queries.course_view`` reads it: a frozen read model.

``CourseView`` holds what ``course show`` prints and the patients panel shows, typed:
enums for the statuses, aware UTC instants (``local`` puts one on the clinic's wall
clock), chair names resolved. The CLI turns it into its JSON (``cli.course_json``), the
GUI into text; neither gets a dict from here.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from ..domain.course import CourseStatus
from ..domain.lean import dataclass
from ..domain.records import CycleStatus, VisitReaction
from ..domain.regimen import Setting

__all__ = ["CourseView", "CycleView", "MissedBooking"]


@dataclass(frozen=True, slots=True)
class MissedBooking:
    """A booking of the dose that was marked missed: when it was and on which chair."""

    start: datetime
    chair: str


@dataclass(frozen=True, slots=True)
class CycleView:
    """One cycle: its dose and the booking shown for it (the current one, else its last;
    the booking's fields None when the dose never had one)."""

    cycle: int
    status: CycleStatus
    start: datetime | None
    end: datetime | None
    chair: str | None
    prep_min: int | None
    infusion_min: int | None
    observation_min: int | None
    given_at: datetime | None
    infusion_actual_min: int | None
    tolerated: bool | None
    infusion_completed: bool | None
    reaction_grade: int | None
    reactions: tuple[VisitReaction, ...]  # recorded at any of the dose's bookings
    dose_level_mg_per_kg: float
    missed: tuple[MissedBooking, ...]


@dataclass(frozen=True, slots=True)
class CourseView:
    """The patient's active (else latest) course, every cycle in order."""

    mrn: str
    name: str
    setting: Setting
    status: CourseStatus
    stop_reason: str | None
    dose_level_mg_per_kg: float
    cycles_given: int
    cycles_total: int | None  # None: an MBC course runs on
    cycles: tuple[CycleView, ...]
    zone: tzinfo  # the clinic's

    @property
    def is_active(self) -> bool:
        return self.status is CourseStatus.ACTIVE

    def local(self, instant: datetime) -> datetime:
        """``instant`` on the clinic's wall clock (aware, with its offset)."""
        return instant.astimezone(self.zone)

    def cycle(self, number: int) -> CycleView | None:
        return next((c for c in self.cycles if c.cycle == number), None)

    def booked(self) -> list[CycleView]:
        return [c for c in self.cycles if c.status is CycleStatus.BOOKED]
