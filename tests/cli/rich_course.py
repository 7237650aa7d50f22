"""Rich courses for the ``course show --json`` before/after check: every field the JSON
holds has a value somewhere (given, slowed, reactions with action, symptoms and note, a
reduced level, a missed booking, a stopped course, an MBC course with no total)."""

from __future__ import annotations

from datetime import datetime

from dateutil import tz

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.services import clinic, courses, nurse, patients, pharmacy, queries
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.store.database import open_database
from tdm1_scheduler.store.sqlite_store import SqliteStore

ZONE_NAME = "America/New_York"
MRNS = ("R1", "R2", "R3")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=tz.gettz(ZONE_NAME))


def _at(ctx: Context, text: str) -> None:
    clock = ctx.clock
    assert isinstance(clock, FixedClock)
    clock.current = local(text)


def _appointment(ctx: Context, mrn: str, cycle: int) -> int:
    state = queries.course_state(ctx.store, mrn)
    dose = next(d for d in state.doses if d.cycle == cycle)
    return state.current[dose.id].id


def build_rich_clinic(path: str) -> None:
    """A new clinic file at ``path`` holding R1 (EBC, active), R2 (EBC, stopped) and
    R3 (MBC, active)."""
    db = open_database(path, create=True)
    try:
        ctx = Context(SqliteStore(db), FixedClock(local("2026-02-20T08:00")), "nurse.kim")
        clinic.init_clinic(ctx, timezone=ZONE_NAME, chairs=3)
        patients.add_patient(ctx, mrn="R1", name="Rita One", weight_kg=70)
        patients.add_patient(ctx, mrn="R2", name="Rosa Two", weight_kg=61.5)
        patients.add_patient(ctx, mrn="R3", name="Ruth Three", weight_kg=82)
        courses.book_course(
            ctx, mrn="R1", setting="EBC", first_dose=local("2026-03-02T09:00"), chair="Chair 1"
        )
        courses.book_course(ctx, mrn="R2", setting="EBC", first_dose=local("2026-03-03T10:00"))
        courses.book_course(ctx, mrn="R3", setting="MBC", first_dose=local("2026-03-04T11:00"))
        # R1 cycle 1 through the nurse board: a slowed reaction with symptoms and a note
        _at(ctx, "2026-03-02T07:30")
        pharmacy.record_reconstitution(ctx, mrn="R1", cycle=1, at=local("2026-03-02T07:30"))
        pharmacy.record_dilution(ctx, mrn="R1", cycle=1, at=local("2026-03-02T08:00"))
        appointment = _appointment(ctx, "R1", 1)
        _at(ctx, "2026-03-02T09:05")
        nurse.arrive(ctx, appointment_id=appointment)
        _at(ctx, "2026-03-02T09:15")
        nurse.start_infusion(ctx, appointment_id=appointment)
        _at(ctx, "2026-03-02T09:40")
        nurse.record_reaction(
            ctx,
            appointment_id=appointment,
            grade=2,
            action="slowed",
            symptoms="flushing, chills",
            note="rate halved",
        )
        _at(ctx, "2026-03-02T11:15")
        nurse.end_infusion(ctx, appointment_id=appointment)
        # R1 cycle 2 missed, then given later; the level reduced after it
        _at(ctx, "2026-03-23T17:30")
        courses.mark_dose_missed(ctx, mrn="R1", cycle=2)
        second = queries.course_view(ctx.store, "R1").cycles[1]
        assert second.start is not None
        start = second.start.astimezone(tz.gettz(ZONE_NAME))
        _at(ctx, f"{start:%Y-%m-%dT%H:%M}")
        courses.record_dose_given(
            ctx, mrn="R1", cycle=2, given_at=start, infusion_min=45, completed=False,
            tolerated=False, reaction_grade=1,
        )  # fmt: skip
        courses.reduce_dose_level(ctx, mrn="R1", mg_per_kg=3.0)
        # R2 cycle 1 given plainly, then stopped
        _at(ctx, "2026-03-03T13:00")
        courses.record_dose_given(ctx, mrn="R2", cycle=1, given_at=local("2026-03-03T10:30"))
        courses.stop_course(ctx, mrn="R2", reason="other")
        # R3 cycle 1 given plainly
        _at(ctx, "2026-03-04T14:00")
        courses.record_dose_given(ctx, mrn="R3", cycle=1, given_at=local("2026-03-04T11:30"))
    finally:
        db.conn.close()
