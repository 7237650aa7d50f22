"""``store/mapping.py``: every stored row of every table becomes a record and back
unchanged, so no column is lost or reshaped on the way (issue 15, item 1)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tdm1_scheduler.store import labs, mapping, repository as repo, view_queries, visits
from tdm1_scheduler.store.connection import Database
from tdm1_scheduler.store.database import open_database, to_utc_text
from tests.demo_files import demo_copy

NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)

MAPPERS: dict[str, Callable[[Any], Any]] = {
    "clinic": mapping.row_to_clinic,
    "opening_hours": mapping.row_to_opening_hours,
    "closed_dates": mapping.row_to_closed_date,
    "chairs": mapping.row_to_chair,
    "patients": mapping.row_to_patient,
    "courses": mapping.row_to_course,
    "doses": mapping.row_to_dose,
    "appointments": mapping.row_to_appointment,
    "preparations": mapping.row_to_preparation,
    "visits": mapping.row_to_visit,
    "visit_reactions": mapping.row_to_visit_reaction,
    "lab_results": mapping.row_to_lab_result,
    "lvef_results": mapping.row_to_lvef_result,
    "readiness_overrides": mapping.row_to_readiness_override,
    "audit_log": mapping.row_to_audit_entry,
}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """The demo clinic, plus a row in each table the demo leaves empty."""
    path: Path = tmp_path_factory.mktemp("mapping") / "demo.db"
    demo_copy(path, NOW, tmp_path_factory)
    database = open_database(path)
    at = to_utc_text(NOW)
    repo.insert_closed_date(database, "2026-12-25", "Christmas")
    labs.insert_lab(
        database,
        {
            "patient_id": 1,
            "test": "alt",
            "value": 30,
            "uln": 40,
            "sampled_at": at,
            "recorded_at": at,
        },
    )
    labs.insert_lab(
        database,
        {
            "patient_id": 1,
            "test": "platelets",
            "value": 150000,
            "sampled_at": at,
            "recorded_at": at,
        },
    )
    labs.insert_lvef(
        database,
        {"patient_id": 1, "percent": 60, "modality": "echo", "sampled_at": at, "recorded_at": at},
    )
    visit_id = database.execute("SELECT MIN(id) FROM visits").fetchone()[0]
    visits.insert_reaction(
        database,
        visit_id,
        {"at_utc": at, "grade": 2, "symptoms": "flushing", "action": "slowed", "recorded_at": at},
    )
    dose_id = database.execute("SELECT MIN(id) FROM doses").fetchone()[0]
    labs.insert_override(
        database,
        {
            "dose_id": dose_id,
            "action": "start infusion",
            "verdict": "missing",
            "reason": "labs faxed, not entered",
            "clinician": "dr.lee",
            "at_utc": at,
        },
    )
    yield database
    database.conn.close()


def rows_of(db: Database, table: str) -> list[dict[str, Any]]:
    cursor = db.execute(f"SELECT * FROM {table}")
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def aware_utc_fields(record: Any) -> list[datetime]:
    found = []
    for field in dataclasses.fields(record):
        value = getattr(record, field.name)
        if isinstance(value, datetime):
            found.append(value)
    return found


@pytest.mark.parametrize("table", sorted(MAPPERS))
def test_every_row_round_trips(db: Database, table: str) -> None:
    rows = rows_of(db, table)
    assert rows, f"the test clinic has no {table} row"
    for row in rows:
        record = MAPPERS[table](row)
        back = mapping.record_to_row(record)
        missing = sorted(set(row) - set(back))
        assert not missing, (
            f"{table}.{missing} has no field in its record: add it to domain/records.py "
            "and store/mapping.py"
        )
        assert {name: back[name] for name in row} == row
        for instant in aware_utc_fields(record):
            assert instant.tzinfo is not None and instant.utcoffset() == timedelta(0)


def test_every_table_has_a_mapping(db: Database) -> None:
    """A new table gets its record and mapping (or is named here as not a record)."""
    not_records = {"_sqlite_migrations"}
    assert set(db.table_names()) - not_records == set(MAPPERS)


def test_appointment_values_leave_out_id_and_version(db: Database) -> None:
    row = rows_of(db, "appointments")[0]
    values = mapping.appointment_values(mapping.row_to_appointment(row))
    assert values == {k: v for k, v in row.items() if k not in ("id", "version")}


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        mapping.column_value(datetime(2026, 1, 1, 9))


def test_view_tuples_map_as_the_view_rows(db: Database) -> None:
    """The schedule's tuple reads (``view_queries``) give the records that the dict rows
    of ``repository`` give through ``row_to_appointment_view``, in the same order; a row
    read again gives an equal record, and a changed row a new one."""

    start = datetime(2026, 1, 1, tzinfo=UTC)
    end = start + timedelta(days=400)
    statuses = "('booked', 'given', 'missed', 'cancelled')"
    blocked = db.execute(
        "INSERT INTO appointments (chair_id, kind, label, status, start_utc, end_utc, "
        "infusion_min) VALUES (1, 'blocked', 'Pump service', 'booked', "
        "'2027-01-31T02:00:00Z', '2027-01-31T03:00:00Z', 60)"
    ).lastrowid
    try:
        check_view_tuples(db, start, end, statuses)
    finally:
        db.execute("DELETE FROM appointments WHERE id = ?", [blocked])


def check_view_tuples(db: Database, start: datetime, end: datetime, statuses: str) -> None:
    rows = repo.appointments_between(db, start, end, statuses)
    assert {row["kind"] for row in rows} == {"dose", "blocked"}
    assert {row["status"] for row in rows} >= {"booked", "given"}
    expected = [mapping.row_to_appointment_view(row) for row in rows]
    assert view_queries.views_between(db, start, end, statuses) == expected
    again = view_queries.views_between(db, start, end, statuses)  # reused
    assert again == expected
    assert [hash(view) for view in again] == [hash(view) for view in expected]
    assert [repr(view) for view in again] == [repr(view) for view in expected]
    assert dataclasses.replace(again[0], chair_name="x") == dataclasses.replace(
        expected[0], chair_name="x"
    )
    first = rows[0]["id"]
    one = repo.appointment_view(db, first)
    assert one is not None
    assert view_queries.view_of(db, first) == mapping.row_to_appointment_view(one)
    assert view_queries.view_of(db, -1) is None
    booked = [mapping.row_to_appointment_view(row) for row in repo.booked_from(db, start)]
    assert view_queries.booked_views_from(db, start) == booked
    db.execute("UPDATE appointments SET label = 'changed', version = version + 1 WHERE id = ?",
               [first])  # fmt: skip
    try:
        changed = view_queries.view_of(db, first)
        assert changed is not None and changed.appointment.label == "changed"
        assert changed.appointment.version == one["version"] + 1
    finally:
        db.execute(
            "UPDATE appointments SET label = ?, version = ? WHERE id = ?",
            [one["label"], one["version"], first],
        )
