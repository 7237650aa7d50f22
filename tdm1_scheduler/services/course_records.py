"""A course as the services read it (``CourseRecord``) and the writes every course
action shares: placing bookings (``_write_slots``), re-planning the later cycles
(``replan_after``) and the placement check of a move (``check_move``).

Everything is read and written through the store (``ctx.store``, or the ``Store`` a
caller hands over) as records."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time

from ..domain import booking
from ..domain.booking import ChairProbe, LoadLookup, Slot
from ..domain.calendar import ClinicCalendar
from ..domain.course import GivenDose, check_active
from ..domain.errors import DomainError
from ..domain.lean import dataclass
from ..domain.move_plan import BookedCycle, CyclePlacement, replan_later
from ..domain.records import Appointment, Course, CycleStatus, Dose, Patient
from ..domain.regimen import ChairTime, Setting, check_cycle_number
from ..domain.tolerance import InfusionOutcome
from ..store.protocol import Store
from . import journal
from .context import (
    ChangeSet,
    ClinicSettings,
    Context,
    CycleMove,
    chair_ids_in_order,
    patient_record,
)
from .day_loads import chair_free_probe, day_load_lookup


def outcome_of(dose: Dose) -> InfusionOutcome:
    """A given dose's outcome; one from before m003 (no outcome recorded) counts as
    completed (as a dose row is read)."""
    completed = dose.infusion_completed is not False
    return InfusionOutcome(
        dose.infusion_actual_min,  # type: ignore[arg-type]  # None before m003, as a row gave
        bool(dose.tolerated) and completed,
        planned_min=dose.infusion_planned_min,
        completed=completed,
    )


@dataclass
class CourseRecord:
    """A course as read inside a transaction: records plus what the domain needs."""

    patient: Patient
    course: Course
    doses: list[Dose]
    current: dict[int, Appointment]  # dose id -> its chair-holding appointment

    @property
    def setting(self) -> Setting:
        return self.course.setting

    @property
    def given(self) -> list[GivenDose]:
        return [
            GivenDose(d.cycle, _given_at(d), outcome_of(d))
            for d in self.doses
            if d.status is CycleStatus.GIVEN
        ]

    @property
    def booked(self) -> list[Dose]:
        return [d for d in self.doses if d.status is CycleStatus.BOOKED]

    @property
    def next_cycle(self) -> int:
        return len(self.given) + 1

    def dose(self, cycle: int) -> Dose:
        check_cycle_number(self.setting, cycle)
        for dose in self.doses:
            if dose.cycle == cycle:
                return dose
        raise DomainError("cycle", f"cycle {cycle} is not planned in this course")

    def next_dose(self, cycle: int) -> Dose:
        """``cycle`` must be the course's next dose to give, still booked."""
        self.require_active()
        dose = self.dose(cycle)
        if dose.status is CycleStatus.GIVEN:
            raise DomainError("cycle", f"cycle {cycle} was already given")
        if dose.status is not CycleStatus.BOOKED:
            raise DomainError("cycle", f"cycle {cycle} is {dose.status}; only a booked one")
        if cycle != self.next_cycle:
            raise DomainError(
                "cycle", f"cycle {cycle} is not the next dose; cycle {self.next_cycle} is"
            )
        return dose

    def require_active(self) -> None:
        check_active(self.course.status)


def _given_at(dose: Dose) -> datetime:
    assert dose.given_at is not None  # a given dose records when (a CHECK in the schema)
    return dose.given_at


def load_course(store: Store, mrn: str) -> CourseRecord:
    patient = patient_record(store, mrn)
    course = store.latest_course(patient.id)
    if course is None:
        raise DomainError("mrn", f"patient {mrn} has no course")
    doses = store.doses_of_course(course.id)
    current = store.current_appointments_of_course(course.id)
    return CourseRecord(patient, course, doses, current)


def slot_of(appointment: Appointment) -> Slot:
    return Slot(
        appointment.chair_id,
        appointment.start,
        ChairTime(appointment.prep_min, appointment.infusion_min, appointment.observation_min),
    )


def whole_seconds(instant: datetime) -> datetime:
    """``instant`` as a booking stores it: UTC, whole seconds."""
    return instant.astimezone(UTC).replace(microsecond=0)


def chair_name(store: Store, chair_id: int) -> str:
    chair = store.chair_by_id(chair_id)
    return chair.name if chair else f"#{chair_id}"


def day_loads(
    store: Store, calendar: ClinicCalendar, exclude: set[int] | None = None
) -> LoadLookup:
    """What is booked per chair on a day, through ``store`` (``day_loads``)."""
    return day_load_lookup(store, calendar, exclude)


def free_probe(store: Store, exclude: set[int] | None = None) -> ChairProbe:
    """Is one chair free in an interval, through ``store`` (``day_loads``)."""
    return chair_free_probe(store, exclude)


def _write_slots(
    ctx: Context, placements: list[tuple[Dose, Slot]], record: CourseRecord, changes: ChangeSet
) -> None:
    """Put each dose's booking at its new slot. Moving bookings are first released,
    then placed, so two of one course never trip over each other's old places."""
    tx = ctx.store
    moving: list[tuple[Dose, Appointment, Slot]] = []
    for dose, slot in placements:
        old = record.current.get(dose.id)
        if old is None:
            journal.insert_appointment(tx, changes, slot, dose_id=dose.id)
            changes.moves.append(
                CycleMove(dose.cycle, None, slot.start, None, chair_name(tx, slot.chair))
            )
        elif slot_of(old) != slot:
            moving.append((dose, old, slot))
    cancel = CycleStatus.CANCELLED
    released = [journal.update_appointment(tx, changes, old, status=cancel) for _, old, _ in moving]
    for (dose, old, slot), free in zip(moving, released, strict=True):
        journal.place_appointment(tx, changes, free, slot)
        changes.moves.append(
            CycleMove(
                dose.cycle,
                old.start,
                slot.start,
                chair_name(tx, old.chair_id),
                chair_name(tx, slot.chair),
            )
        )


def _preferred_time(record: CourseRecord) -> time:
    return record.course.preferred_time


def replan_after(
    ctx: Context,
    settings: ClinicSettings,
    record: CourseRecord,
    anchor_cycle: int,
    anchor_day: date,
    changes: ChangeSet,
) -> None:
    """Re-anchor every booked cycle after ``anchor_cycle`` 21 days apart, starting from
    ``anchor_day``; book cycles not booked yet (an MBC horizon that rolls on). The
    domain plans it (``move_plan.replan_later``), reading the days as it asks."""
    calendar, store = settings.calendar, ctx.store
    later = [d for d in record.booked if d.cycle > anchor_cycle]
    moving_ids = {record.current[d.id].id for d in later if d.id in record.current}
    lookup = day_loads(store, calendar, moving_ids)
    probe = free_probe(store, moving_ids)
    preferred_chair = record.course.preferred_chair_id
    prefs = settings.prefs(chair_ids_in_order(store, preferred_chair), _preferred_time(record))
    placements = replan_later(
        calendar,
        settings.rules,
        record.setting,
        record.given,
        booked_cycles(record),
        anchor_cycle,
        anchor_day,
        prefs,
        lookup,
        probe,
    )
    write_later(ctx, record, placements, changes)


def booked_cycles(record: CourseRecord) -> list[BookedCycle]:
    """Each booked cycle of the course with its chair booking (None when it has none)."""
    return [
        BookedCycle(d.cycle, slot_of(record.current[d.id]) if d.id in record.current else None)
        for d in record.booked
    ]


def write_later(
    ctx: Context,
    record: CourseRecord,
    placements: Sequence[CyclePlacement],
    changes: ChangeSet,
) -> None:
    """Write a re-plan's placements: a cycle without a dose gets one first."""
    by_cycle = {d.cycle: d for d in record.booked}
    doses = [
        (by_cycle[p.cycle] if p.has_dose else _new_dose(ctx.store, record, p.cycle, changes), p.new)
        for p in placements
    ]
    _write_slots(ctx, doses, record, changes)


def _new_dose(store: Store, record: CourseRecord, cycle: int, changes: ChangeSet) -> Dose:
    dose = store.insert_dose(
        course_id=record.course.id,
        cycle=cycle,
        dose_level_mg_per_kg=record.course.dose_level_mg_per_kg,
        weight_kg=record.patient.weight_kg,
        weight_measured_at=record.patient.weight_measured_at,
    )
    record.doses.append(dose)
    journal.inserted_dose(changes, dose)
    return dose


def previous_dose(record: CourseRecord, cycle: int) -> booking.PreviousDose | None:
    """The cycle before ``cycle``: its given time, else its booking (None for cycle 1)."""
    if cycle == 1:
        return None
    previous = record.dose(cycle - 1)
    if previous.status is CycleStatus.GIVEN:
        return booking.PreviousDose(cycle - 1, _given_at(previous))
    booked = record.current.get(previous.id)
    return booking.PreviousDose(cycle - 1, booked.start) if booked else None


def check_move(
    store: Store,
    settings: ClinicSettings,
    record: CourseRecord,
    cycle: int,
    slot: Slot,
    appointment_id: int,
) -> str | None:
    """Why a move of ``cycle`` to ``slot`` is refused, or None when allowed."""
    calendar, skip = settings.calendar, {appointment_id}
    holder = booking.chair_holder(
        calendar, free_probe(store, skip), day_loads(store, calendar, skip)
    )
    previous = previous_dose(record, cycle)
    return booking.placement_problem(calendar, settings.rules, slot, holder, previous)
