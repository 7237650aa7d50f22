"""Pharmacy reads: ``prep show`` (preparation_view), the bag check and the queue.

Reads take ``now`` from the caller's clock; nothing here writes. Each returns a frozen
read model (pharmacy_views.py): the CLI makes its JSON, the GUI its text.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ..domain.errors import require_aware
from ..domain.infusion_start import bag_matches_dose
from ..domain.move_plan import bag_outlook
from ..domain.records import (
    Appointment,
    AppointmentKind,
    CycleStatus,
    Dose,
    Preparation as PreparationRecord,
)
from ..domain.stability import (
    Preparation,
    PrepStatus,
    bag_usable_at,
    status_at,
)
from ..store.protocol import Store
from .context import ClinicSettings, settings_from
from .course_records import load_course
from .moves import bag_message
from .pharmacy_plan import (
    EXPIRED,
    infusion_start_of,
    plan_for_dose,
    prep_time_left,
    weight_check,
)
from .pharmacy_views import BagCheck, PrepAction, PreparationView, PrepQueueItem


def _lots(prep: PreparationRecord) -> tuple[str, ...]:
    return tuple(lot for lot in (prep.vial_lots or "").split(",") if lot)


# --- Reads ---------------------------------------------------------------------------------------
def preparation_view(store: Store, mrn: str, cycle: int, now: datetime) -> PreparationView:
    """``prep show``: the dose plan and the preparation at ``now``."""
    require_aware("now", now)
    settings = settings_from(store)
    record = load_course(store, mrn)
    dose = record.dose(cycle)
    plan = plan_for_dose(dose)
    check = weight_check(settings, dose, record.patient)
    found = store.preparation_for_dose(dose.id)
    prep = found.instants() if found else Preparation(None, None)
    start = infusion_start_of(record.current.get(dose.id))
    warnings = [check.reason] if check.reason else []
    # a bag the given dose used needs no advice about serving or re-preparing it
    used = prep.used_at is not None or dose.status is CycleStatus.GIVEN
    if found is not None and not used and not bag_matches_dose(found, dose):
        warnings.append(
            f"prepared {found.dose_mg:g} mg but the dose is now {plan.dose_mg:g} mg:"
            " discard and prepare again"
        )
    bag = None
    if start is not None and prep.diluted_at is not None:
        bag = bag_usable_at(prep, start)
        if not bag and not used:
            warnings.append("the bag cannot serve the booked infusion start")
    return PreparationView(
        mrn=record.patient.mrn,
        name=record.patient.name,
        cycle=cycle,
        dose_status=dose.status,
        infusion_start=start,
        weight_measured_at=dose.weight_measured_at,
        plan=plan,
        check=check,
        prepared_dose_mg=found.dose_mg if found else None,
        vial_lots=_lots(found) if found else (),
        diluent_used=found.diluent if found else None,
        prep=prep,
        bag_usable_at_infusion_start=bag,
        status=status_at(prep, now),
        time_left=prep_time_left(prep, now),
        warnings=tuple(warnings),
    )


def bag_check(store: Store, dose_id: int, infusion_start: datetime) -> BagCheck | None:
    """Can the dose's diluted bag serve an infusion starting at ``infusion_start``?

    None when the dose has no bag (no live preparation, or not diluted yet). Otherwise
    whether it is usable, when it expires (UTC) and the message in clinic wall time,
    e.g. "bag good until Tue 09:40". ``infusion_start`` is when the
    infusion itself starts (a chair booking's start plus its prep minutes).
    """
    require_aware("infusion_start", infusion_start)
    found = store.preparation_for_dose(dose_id)
    # the one bag rule: moves.bag_message
    bag = bag_outlook(None if found is None else found.instants(), infusion_start)
    if bag is None:
        return None
    settings = settings_from(store)
    return BagCheck(bag.usable, bag.expires_at, bag_message(settings, bag))


def _action(status: PrepStatus, appointment: Appointment | None) -> PrepAction:
    if status in EXPIRED or (appointment is None and status is not PrepStatus.NOT_PREPARED):
        return PrepAction.DISCARD
    return {
        PrepStatus.NOT_PREPARED: PrepAction.RECONSTITUTE,
        PrepStatus.RECONSTITUTED: PrepAction.DILUTE,
        PrepStatus.DILUTED: PrepAction.READY,
    }.get(status) or PrepAction(status.value)


def _queue_item(
    store: Store,
    settings: ClinicSettings,
    dose: Dose,
    appointment: Appointment | None,
    found: PreparationRecord | None,
    now: datetime,
) -> PrepQueueItem:
    course = store.course_by_id(dose.course_id)
    assert course is not None
    patient = store.patient_by_id(course.patient_id)
    assert patient is not None
    plan = plan_for_dose(dose)
    prep = found.instants() if found else Preparation(None, None)
    status = status_at(prep, now)
    start = infusion_start_of(appointment)
    expiry = prep.bag_expires_at or prep.vial_expires_at
    action = _action(status, appointment)
    # The deadline: the infusion start, or the vial/bag expiry if that comes first.
    candidates = [t for t in (start, expiry) if t is not None]
    due = (min(candidates) if candidates else now).astimezone(UTC)
    chair = store.chair_by_id(appointment.chair_id) if appointment else None
    check = weight_check(settings, dose, patient)
    return PrepQueueItem(
        mrn=patient.mrn,
        name=patient.name,
        cycle=dose.cycle,
        dose_id=dose.id,
        dose_status=dose.status,
        chair=chair.name if chair else None,
        infusion_start=start,
        plan=plan,
        prep=prep,
        status=status,
        action=action,
        time_left=prep_time_left(prep, now),
        due=due,
        due_in=due - now,
        recalculate=check.recalculate,
    )


def queue_order(item: PrepQueueItem) -> tuple[int, datetime, str, int]:
    """The queue's order: discards first, then by deadline, MRN and cycle."""
    return (0 if item.action is PrepAction.DISCARD else 1, item.due, item.mrn, item.cycle)


def _current_appointment(store: Store, dose_id: int) -> Appointment | None:
    """The dose's chair booking that still counts (booked or given): the newest."""
    holding = [a for a in store.appointments_of_dose(dose_id) if a.holds_chair]
    return holding[-1] if holding else None


def pharmacy_queue(store: Store, now: datetime) -> list[PrepQueueItem]:
    """Doses to prepare today and tomorrow (clinic-local days) and every live
    preparation on the shelf, most urgent first.

    Order: preparations to discard (expired, or their dose no longer booked) first, then
    by deadline: the infusion start, or the vial/bag expiry when that comes sooner.
    """
    require_aware("now", now)
    settings = settings_from(store)
    calendar = settings.calendar
    today = calendar.local_date(now)
    start, end = calendar.day_bounds(today, days=2)  # today and tomorrow
    items: dict[int, PrepQueueItem] = {}
    for view in store.appointments_between(start, end):
        booked = view.appointment
        if booked.kind is not AppointmentKind.DOSE or view.dose_status is not CycleStatus.BOOKED:
            continue
        if not start <= booked.start < end:
            continue
        assert booked.dose_id is not None
        dose = store.dose_by_id(booked.dose_id)
        assert dose is not None
        found = store.preparation_for_dose(dose.id)
        items[dose.id] = _queue_item(store, settings, dose, booked, found, now)
    for shelved in store.live_preparations():
        if shelved.dose_id in items:
            continue
        dose = store.dose_by_id(shelved.dose_id)
        if dose is None or dose.status is CycleStatus.GIVEN:
            continue
        live = store.preparation_for_dose(dose.id)
        if live is None or live.id != shelved.id:
            continue
        appointment = (
            _current_appointment(store, dose.id) if dose.status is CycleStatus.BOOKED else None
        )
        items[dose.id] = _queue_item(store, settings, dose, appointment, shelved, now)
    return sorted(items.values(), key=queue_order)
