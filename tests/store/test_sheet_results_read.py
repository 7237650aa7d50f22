"""``appointments_with_results`` (issue 19): the day sheet's readiness under ``warn``
reads the bookings of only the patients with a lab or LVEF result on record. One
statement, by primary keys and the results' patient indexes, never a scan; the ids
are those whose patient the results tables name."""

from __future__ import annotations

from pathlib import Path

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.reports.day_sheet import build_day_sheet
from tdm1_scheduler.services import readiness
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.store.sqlite_store import SqliteStore
from tests.reports.conftest import DAY, build_day, local


def test_the_ids_whose_patient_has_a_result_in_one_indexed_statement(tmp_path: Path) -> None:
    db = build_day(tmp_path / "results.db")
    store = SqliteStore(db)
    ctx = Context(store, FixedClock(local("2027-01-11T08:00")), "test")
    at = local("2027-01-11T08:00")
    sheet = build_day_sheet(store, DAY, FixedClock(local("2027-01-12T08:00")))
    ids = [a.appointment_id for a in sheet.doses if a.appointment_id]
    blocked = [a.appointment_id for c in sheet.chairs for a in c.appointments
               if a.appointment_id and a.appointment_id not in ids]  # fmt: skip
    assert store.appointments_with_results([*ids, *blocked]) == []  # no result recorded yet
    assert store.appointments_with_results([]) == []
    readiness.add_lab(ctx, mrn="C3", test="platelets", value=40000, uln=None, at=at)
    readiness.add_lvef(ctx, mrn="D4", percent=45, modality="echo", at=at)
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    found = store.appointments_with_results([*reversed(ids), *blocked, *ids])
    db.conn.set_trace_callback(None)
    bookings = store.dose_bookings(ids)
    expected = sorted(b.appointment.id for b in bookings if b.patient.mrn in ("C3", "D4"))
    assert found == expected and len(found) >= 2
    assert len(statements) == 1
    plan = [str(row[3]) for row in db.conn.execute("EXPLAIN QUERY PLAN " + statements[0])]
    assert not any(step.startswith("SCAN") for step in plan), plan
    assert any("lab_results_by_patient (patient_id=?)" in step for step in plan), plan
    assert any("lvef_results_by_patient (patient_id=?)" in step for step in plan), plan
    db.close()
