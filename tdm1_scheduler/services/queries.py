"""Read-only views for the CLI, the GUI and reports: records, and read models such as
``course_view``'s ``CourseView`` (aware UTC instants; the rooms make its text and JSON).

Each view reads typed records through the store (``Store``) and writes nothing.
"""

from __future__ import annotations

from datetime import date

from ..domain.day_blocks import DayBlock
from ..domain.errors import DomainError
from ..domain.lean import dataclass
from ..domain.records import (
    Appointment,
    AppointmentView,
    Chair,
    Clinic,
    ClosedDate,
    Course,
    CycleStatus,
    Dose,
    OpeningHoursRow,
    Patient,
)
from ..domain.regimen import total_cycles
from ..domain.regimens import regimen_for
from ..store.protocol import Store
from .context import ClinicSettings, patient_record, settings_from
from .course_views import CourseView, CycleView, MissedBooking


@dataclass(frozen=True)
class CourseState:
    """A patient's latest course as read: its doses by cycle and, per dose id, the
    chair-holding booking (``current``) and every booking it ever had (``history``)."""

    patient: Patient
    course: Course
    doses: list[Dose]
    current: dict[int, Appointment]
    history: dict[int, list[Appointment]]

    def shown(self, dose: Dose) -> Appointment | None:
        """The booking a view shows for ``dose``: the current one, else its last."""
        bookings = self.history.get(dose.id, [])
        return self.current.get(dose.id) or (bookings[-1] if bookings else None)


def course_state(store: Store, mrn: str) -> CourseState:
    """The patient's active (else latest) course; ``DomainError`` naming ``mrn`` when
    there is no such patient or no course."""
    patient = patient_record(store, mrn)
    course = store.latest_course(patient.id)
    if course is None:
        raise DomainError("mrn", f"patient {mrn} has no course")
    doses = store.doses_of_course(course.id)
    history = {dose.id: store.appointments_of_dose(dose.id) for dose in doses}
    return CourseState(
        patient, course, doses, store.current_appointments_of_course(course.id), history
    )


def course_view(store: Store, mrn: str) -> CourseView:
    """The patient's course as ``course show`` shows it (``cli.course_json`` makes its
    JSON); ``DomainError`` naming ``mrn`` when there is no such patient or no course."""
    settings = settings_from(store)
    state = course_state(store, mrn)
    chair_names = {chair.id: chair.name for chair in store.chairs(active_only=False)}

    def chair(chair_id: int) -> str:
        return chair_names.get(chair_id, f"#{chair_id}")

    # every booking's recorded reactions in one read, not one per cycle
    reactions = store.reactions_of_appointments(
        [a.id for bookings in state.history.values() for a in bookings]
    )
    cycles = []
    for dose in state.doses:
        bookings = state.history[dose.id]
        shown = state.shown(dose)
        cycles.append(
            CycleView(
                cycle=dose.cycle,
                status=dose.status,
                start=shown.start if shown else None,
                end=shown.end if shown else None,
                chair=chair(shown.chair_id) if shown else None,
                prep_min=shown.prep_min if shown else None,
                infusion_min=shown.infusion_min if shown else None,
                observation_min=shown.observation_min if shown else None,
                given_at=dose.given_at,
                infusion_actual_min=dose.infusion_actual_min,
                tolerated=dose.tolerated,
                infusion_completed=dose.infusion_completed,
                reaction_grade=dose.reaction_grade,
                reactions=tuple(r for a in bookings for r in reactions.get(a.id, [])),
                dose_level_mg_per_kg=dose.dose_level_mg_per_kg,
                missed=tuple(
                    MissedBooking(a.start, chair(a.chair_id))
                    for a in bookings
                    if a.status is CycleStatus.MISSED
                ),
            )
        )
    course = state.course
    return CourseView(
        mrn=state.patient.mrn,
        name=state.patient.name,
        setting=course.setting,
        status=course.status,
        stop_reason=course.stop_reason,
        dose_level_mg_per_kg=course.dose_level_mg_per_kg,
        cycles_given=sum(1 for d in state.doses if d.status is CycleStatus.GIVEN),
        cycles_total=total_cycles(course.setting, regimen_for(course.regimen_code)),
        cycles=tuple(cycles),
        zone=settings.calendar.zone,
    )


def chairs(store: Store) -> list[Chair]:
    """The chairs in service, in their order (records)."""
    return store.chairs()


def day_bookings(
    store: Store, settings: ClinicSettings, day: date
) -> list[AppointmentView]:
    """Every chair-holding appointment on ``day``, names joined, in chair order then
    start."""
    start, end = settings.calendar.day_bounds(day)
    return store.appointments_between(start, end)


def day_blocks(store: Store, settings: ClinicSettings, day: date) -> list[DayBlock]:
    """``day_bookings`` lean: the same rows in the same order, each the ``DayBlock`` of
    its record (what the planner's grid and the Day list show)."""
    start, end = settings.calendar.day_bounds(day)
    return store.day_blocks(start, end)


def booking(store: Store, appointment_id: int) -> AppointmentView | None:
    """One appointment with the same joined fields as ``day_bookings`` gives."""
    return store.appointment_view(appointment_id)


def search_patients(store: Store, text: str, limit: int) -> list[Patient]:
    """Patients whose name or MRN contains ``text`` (all when empty), by name."""
    return store.search_patients(text, limit=limit)


def patient_name(store: Store, mrn: str) -> str | None:
    """The name of the patient with exactly ``mrn``, or None when there is none."""
    patient = store.patient_by_mrn(mrn)
    return None if patient is None else patient.name


def clinic(store: Store) -> Clinic | None:
    """The clinic's settings record, or None before ``init``."""
    return store.clinic()


def opening_hours(store: Store) -> list[OpeningHoursRow]:
    """Each open weekday's hours, by weekday."""
    return store.opening_hours()


def closed_dates(store: Store) -> list[ClosedDate]:
    """Every closed date with its reason, by day."""
    return store.closed_dates()
