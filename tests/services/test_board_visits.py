"""The nurse board's store reads (``protocol_nurse``): a ``BoardVisit`` holds the same
facts as the booking, dose and visit records read one by one, and the batch reads give
the newest live bag and the dose of each id asked for."""

from __future__ import annotations

from tdm1_scheduler.services import courses, nurse, pharmacy
from tdm1_scheduler.services.context import Context

from .conftest import local
from .test_nurse import appointment_of, at


def test_a_board_visit_is_the_booking_its_dose_and_its_visit(ctx: Context) -> None:
    store = ctx.store
    courses.book_course(ctx, mrn="P1", setting="EBC", first_dose=local("2026-03-02T09:00"))
    appointment_id = appointment_of(ctx, 1)
    before = store.board_visit(appointment_id)
    assert before is not None and before.visit is None  # no step recorded yet
    at(ctx, "2026-03-02T09:03")
    nurse.arrive(ctx, appointment_id=appointment_id)
    booking = store.board_visit(appointment_id)
    assert booking is not None
    appointment = store.appointment_by_id(appointment_id)
    dose = store.dose_by_id(booking.dose_id)
    assert appointment is not None and dose is not None
    assert booking.appointment == appointment
    assert (booking.cycle, booking.course_id, booking.dose_status) == (
        1,
        dose.course_id,
        dose.status,
    )
    assert (booking.given_at, booking.infusion_actual_min) == (None, None)
    assert booking.visit == store.visit_for_appointment(appointment_id)
    assert booking.visit is not None and booking.visit.arrived_at == local("2026-03-02T09:03")
    assert (booking.mrn, booking.patient_name, booking.chair_name) == ("P1", "Pat One", "Chair 1")
    start, end = local("2026-03-02T00:00"), local("2026-03-03T00:00")
    assert [b for b in store.board_visits(start, end) if b.appointment.id == appointment_id] == [
        booking
    ]
    assert store.doses_by_ids([booking.dose_id, 10_000]) == {booking.dose_id: dose}


def test_blocked_time_is_no_board_visit(ctx: Context) -> None:
    block = courses.book_blocked_time(
        ctx, chair="Chair 2", start=local("2026-03-03T13:00"), minutes=60, label="pump check"
    )
    (block_id,) = block.appointments
    assert ctx.store.board_visit(block_id) is None
    assert ctx.store.board_visit(10_000) is None


def test_the_bags_read_are_the_newest_not_discarded(ctx: Context) -> None:
    store = ctx.store
    courses.book_course(ctx, mrn="P1", setting="EBC", first_dose=local("2026-03-02T09:00"))
    booking = store.board_visit(appointment_of(ctx, 1))
    assert booking is not None
    assert store.preparations_for_doses([booking.dose_id]) == {}
    pharmacy.record_reconstitution(ctx, mrn="P1", cycle=1, at=local("2026-03-01T07:30"))
    pharmacy.discard_preparation(ctx, mrn="P1", cycle=1, reason="dropped")
    assert store.preparations_for_doses([booking.dose_id]) == {}
    pharmacy.record_reconstitution(ctx, mrn="P1", cycle=1, at=local("2026-03-02T07:30"))
    live = store.preparation_for_dose(booking.dose_id)
    assert live is not None
    assert store.preparations_for_doses([booking.dose_id, 10_000]) == {booking.dose_id: live}
