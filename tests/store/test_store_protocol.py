"""The store protocol (issue 15, item 2), on every backend of the run (``--backend``):
records with aware UTC datetimes, all-or-nothing transactions, version checks, a
snapshot that writes nothing, and the change feed across connections."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from dateutil import tz

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.domain.records import (
    Appointment,
    AppointmentKind,
    CourseStatus,
    CycleStatus,
    Setting,
)
from tdm1_scheduler.services import clinic, courses, patients
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.store.database import ConflictError, DatabaseError, open_database
from tdm1_scheduler.store.protocol import ChangeFeed, Store
from tdm1_scheduler.store.sqlite_store import SqliteStore

ZONE = tz.gettz("America/New_York")
NOW = datetime(2026, 3, 1, 8, tzinfo=ZONE)


def build(store: Store) -> Context:
    """Three chairs, patient A1 with an EBC course from Mon 2 March 09:00 (clinic time)."""
    ctx = Context.over(store, FixedClock(NOW), "tester")
    clinic.init_clinic(ctx, timezone="America/New_York", chairs=3)
    patients.add_patient(ctx, mrn="A1", name="Ann Lee", weight_kg=70)
    courses.book_course(
        ctx, mrn="A1", setting="EBC", first_dose=datetime(2026, 3, 2, 9, tzinfo=ZONE)
    )
    return ctx


def is_utc(instant: datetime | None) -> bool:
    return instant is None or (instant.tzinfo is not None and instant.utcoffset() == timedelta(0))


def first_appointment(store: Store) -> Appointment:
    patient = store.patient_by_mrn("A1")
    assert patient is not None
    course = store.latest_course(patient.id)
    assert course is not None
    return store.current_appointments_of_course(course.id)[store.doses_of_course(course.id)[0].id]


def test_is_a_store(store: Store) -> None:
    assert isinstance(store, Store)


def test_records_are_typed_with_aware_utc_instants(store: Store) -> None:
    build(store)
    patient = store.patient_by_mrn("a1")  # MRNs match without case, as before
    assert patient is not None and patient.mrn == "A1" and is_utc(patient.weight_measured_at)
    assert store.patient_by_id(patient.id) == patient
    assert store.search_patients("ann") == [patient]
    course = store.latest_course(patient.id)
    assert course is not None
    assert course.setting is Setting.EBC and course.status is CourseStatus.ACTIVE
    assert store.courses_of_patient(patient.id) == [course] == [store.course_by_id(course.id)]
    assert is_utc(course.created_at) and course.preferred_time.hour == 9
    doses = store.doses_of_course(course.id)
    assert [d.cycle for d in doses] == list(range(1, 15))
    assert all(d.status is CycleStatus.BOOKED and is_utc(d.weight_measured_at) for d in doses)
    assert store.dose_by_cycle(course.id, 2) == doses[1] == store.dose_by_id(doses[1].id)
    current = store.current_appointments_of_course(course.id)
    assert set(current) == {d.id for d in doses}
    first = current[doses[0].id]
    assert first.kind is AppointmentKind.DOSE and first.holds_chair
    assert is_utc(first.start) and first.start == datetime(2026, 3, 2, 14, tzinfo=UTC)
    assert first.end - first.start == timedelta(minutes=first.prep_min + 90 + 90)
    assert store.appointment_by_id(first.id) == first == store.appointments_of_dose(doses[0].id)[0]
    chairs = store.chairs()
    assert [c.name for c in chairs] == ["Chair 1", "Chair 2", "Chair 3"]
    assert store.chair_by_id(first.chair_id) in chairs
    assert store.chair_by_name("chair 2") == chairs[1]
    settings = store.clinic()
    assert settings is not None and settings.timezone == "America/New_York"
    assert [h.weekday for h in store.opening_hours()] == [0, 1, 2, 3, 4]
    assert store.closed_dates() == [] and store.live_preparations() == []


def test_day_view_joins_names(store: Store) -> None:
    build(store)
    start = datetime(2026, 3, 2, 5, tzinfo=UTC)
    views = store.appointments_between(start, start + timedelta(hours=24))
    assert len(views) == 1
    view = views[0]
    assert (view.mrn, view.patient_name, view.cycle, view.chair_name) == (
        "A1",
        "Ann Lee",
        1,
        "Chair 1",
    )
    assert view.setting is Setting.EBC and view.dose_status is CycleStatus.BOOKED
    assert store.appointment_view(view.appointment.id) == view
    assert (
        store.appointments_between(start, start + timedelta(hours=24), [CycleStatus.MISSED]) == []
    )


def test_a_transaction_that_raises_writes_nothing(store: Store) -> None:
    build(store)
    before = first_appointment(store)
    token = store.changes().token
    with pytest.raises(RuntimeError, match="stop"), store.transaction() as tx:
        moved = tx.update_appointment(
            dataclasses.replace(
                before, start=before.start + timedelta(hours=1), end=before.end + timedelta(hours=1)
            )
        )
        assert moved.version == before.version + 1
        tx.insert_audit(
            at=NOW,
            user="t",
            action="move",
            entity="appointment",
            entity_id=before.id,
            old=None,
            new=None,
        )
        raise RuntimeError("stop")
    assert store.appointment_by_id(before.id) == before
    assert not store.changes(token)


def test_a_transaction_commits_its_writes(store: Store) -> None:
    ctx = build(store)
    token = store.changes().token
    with store.transaction() as tx:
        added = tx.insert_appointment(
            chair_id=2,
            start=datetime(2026, 3, 3, 14, 0, 0, 500_000, tzinfo=UTC),
            end=datetime(2026, 3, 3, 15, tzinfo=UTC),
            kind=AppointmentKind.BLOCKED,
            label="maintenance",
        )
        tx.insert_audit(
            at=ctx.clock.now(),
            user=ctx.user,
            action="block",
            entity="appointment",
            entity_id=added.id,
            old=None,
            new={"label": "maintenance"},
        )
    assert added.start == datetime(2026, 3, 3, 14, tzinfo=UTC)  # stored in whole seconds
    assert added.version == 1 and added.status is CycleStatus.BOOKED
    assert store.appointment_by_id(added.id) == added
    feed = store.changes(token)
    assert feed.ids("appointment") == {added.id}
    entry = store.audit_entries(1)[0]
    assert (
        entry.action == "block"
        and is_utc(entry.at)
        and entry.new_values == '{"label": "maintenance"}'
    )


def test_a_stale_update_is_refused(store: Store) -> None:
    build(store)
    read = first_appointment(store)
    later = dataclasses.replace(
        read, start=read.start + timedelta(hours=1), end=read.end + timedelta(hours=1)
    )
    with store.transaction() as tx:
        moved = tx.update_appointment(later)
    assert moved == dataclasses.replace(later, version=read.version + 1)
    stale = dataclasses.replace(read, label="edited from an old read")
    with pytest.raises(ConflictError, match="changed by someone else"), store.transaction() as tx:
        tx.update_appointment(stale)
    assert store.appointment_by_id(read.id) == moved


def test_a_double_booking_is_refused(store: Store) -> None:
    build(store)
    taken = first_appointment(store)
    with pytest.raises(ConflictError, match="chair already taken"), store.transaction() as tx:
        tx.insert_appointment(
            chair_id=taken.chair_id,
            start=taken.start,
            end=taken.end,
            kind=AppointmentKind.BLOCKED,
            label="x",
        )


def test_a_read_snapshot_writes_nothing(store: Store) -> None:
    build(store)
    with store.read() as snapshot:
        assert snapshot.patient_by_mrn("A1") is not None
        with pytest.raises(DatabaseError):
            snapshot.insert_audit(
                at=NOW, user="t", action="x", entity="x", entity_id=None, old=None, new=None
            )
    with store.transaction() as tx:  # and writing works again after it
        tx.insert_audit(
            at=NOW, user="t", action="x", entity="x", entity_id=None, old=None, new=None
        )


def test_the_feed_is_empty_when_nothing_changed(store: Store) -> None:
    build(store)
    token = store.changes().token
    feed = store.changes(token)
    assert not feed and list(feed) == [] and feed.token == token


# --- the change feed across connections (SQLite: the file, a second connection) --------
@pytest.fixture
def two_connections(tmp_path: Path) -> tuple[SqliteStore, SqliteStore]:
    path = tmp_path / "clinic.db"
    first = SqliteStore(open_database(path, create=True))
    build(first)
    second = SqliteStore(open_database(path))
    yield first, second
    second.db.close()
    first.db.close()


def test_the_feed_reports_another_connections_change(
    two_connections: tuple[SqliteStore, SqliteStore],
) -> None:
    watcher, writer = two_connections
    token = watcher.changes().token
    ctx = Context.over(writer, FixedClock(NOW), "other.desk")
    added = patients.add_patient(ctx, mrn="B2", name="Bo Chan", weight_kg=60)
    moved = writer.appointment_by_id(first_appointment(writer).id)
    assert moved is not None
    with writer.transaction() as tx:
        tx.update_appointment(dataclasses.replace(moved, label="moved"))
        tx.insert_audit(
            at=NOW,
            user=ctx.user,
            action="move",
            entity="appointment",
            entity_id=moved.id,
            old=None,
            new=None,
        )
    feed = watcher.changes(token)
    assert [(e.entity, e.user) for e in feed] == [
        ("patient", "other.desk"),
        ("appointment", "other.desk"),
    ]
    assert feed.ids("patient") == added.patients and feed.ids("appointment") == {moved.id}
    assert feed.entities == {"patient", "appointment"}
    assert feed.token.audit_id > token.audit_id
    again = watcher.changes(feed.token)
    assert isinstance(again, ChangeFeed) and not again and again.token == feed.token


def test_a_no_change_poll_runs_no_query(two_connections: tuple[SqliteStore, SqliteStore]) -> None:
    watcher, _writer = two_connections
    token = watcher.changes().token
    statements: list[str] = []
    watcher.db.conn.set_trace_callback(statements.append)
    try:
        assert not watcher.changes(token)
    finally:
        watcher.db.conn.set_trace_callback(None)
    assert statements == ["PRAGMA data_version"]


def test_the_feed_reports_this_connections_own_change(
    two_connections: tuple[SqliteStore, SqliteStore],
) -> None:
    watcher, _writer = two_connections
    token = watcher.changes().token
    ctx = Context.over(watcher, FixedClock(NOW), "me")
    patients.record_weight(ctx, mrn="A1", weight_kg=71)
    feed = watcher.changes(token)
    assert [(e.action, e.entity) for e in feed] == [("record weight", "patient")]


def test_a_patient_is_written_as_a_record_with_its_version(store: Store) -> None:
    build(store)
    with store.transaction() as tx:
        added = tx.insert_patient(
            mrn="C3", name="Cy Dee", weight_kg=55.5, weight_measured_at=NOW + timedelta(seconds=0.5)
        )
    assert added.version == 1 and added.weight_measured_at == NOW.astimezone(UTC)
    with store.transaction() as tx:
        renamed = tx.update_patient(dataclasses.replace(added, name="Cy D. Dee"))
    assert renamed == dataclasses.replace(added, name="Cy D. Dee", version=2)
    with pytest.raises(ConflictError, match="changed by someone else"), store.transaction() as tx:
        tx.update_patient(dataclasses.replace(added, weight_kg=60))
    assert store.patient_by_mrn("C3") == renamed
