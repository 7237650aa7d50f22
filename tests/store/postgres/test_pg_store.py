"""``PgStore``'s units of work and refusals, as SQLite's: a taken chair and a stale
version are ``ConflictError`` worded as on SQLite, a row still pointed at is
``IntegrityError``, a refused statement leaves the transaction usable, a nested
transaction is a savepoint, a read is a snapshot that writes nothing. And the app does
not load psycopg unless a server store is opened."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tdm1_scheduler.domain.records import Appointment, AppointmentKind
from tdm1_scheduler.store.database import ConflictError, IntegrityError, StoreError
from tdm1_scheduler.store.postgres.pg_connection import translate
from tdm1_scheduler.store.postgres.pg_store import PgStore, open_pg_store
from tests.store import backends

NINE = datetime(2026, 3, 2, 14, tzinfo=UTC)


def block(store: PgStore, chair: int = 1, start: datetime = NINE, hours: int = 1) -> Appointment:
    return store.insert_appointment(
        chair_id=chair, start=start, end=start + timedelta(hours=hours),
        kind=AppointmentKind.BLOCKED, label="b",
    )  # fmt: skip


def test_a_taken_chair_is_a_conflict_and_the_transaction_goes_on(pg: PgStore) -> None:
    with pg.transaction():
        first = block(pg)
        with pytest.raises(ConflictError, match=r"^chair: chair already taken at that time$"):
            block(pg, start=NINE + timedelta(minutes=30))
        second = block(pg, start=NINE + timedelta(hours=1))  # back to back is allowed
        assert block(pg, chair=2).chair_id == 2
    assert [first.id, second.id] == [1, 2]
    assert pg.appointment_by_id(2) == second and second.start == NINE + timedelta(hours=1)


def test_a_stale_version_is_refused(pg: PgStore) -> None:
    with pg.transaction():
        booked = block(pg)
        pg.update_appointment(booked)
    with pytest.raises(ConflictError, match="changed by someone else since it was read"):
        pg.update_appointment(booked)  # still at version 1
    with pg.transaction():
        patient = pg.insert_patient(mrn="M1", name="N", weight_kg=60, weight_measured_at=NINE)
        pg.update_patient(patient)
    with pytest.raises(ConflictError, match=r"^patients: #1 was changed by someone else"):
        pg.update_patient(patient)


def test_write_back_over_a_taken_place_and_a_row_in_use(pg: PgStore) -> None:
    with pg.transaction():
        moved = block(pg)
        block(pg, start=NINE + timedelta(hours=2))
        later = pg.update_appointment(
            replace(moved, start=NINE + timedelta(hours=3), end=NINE + timedelta(hours=4))
        )
    with pg.transaction(), pytest.raises(IntegrityError, match="chair_overlap"):
        back = replace(moved, start=NINE + timedelta(hours=2), end=NINE + timedelta(hours=3))
        pg.write_back(back, later.version)
    assert pg.appointment_by_id(moved.id) == later


def test_nesting_rolls_back_only_the_inner_block(pg: PgStore) -> None:
    with pg.transaction():
        block(pg)
        with pytest.raises(RuntimeError), pg.transaction():
            block(pg, chair=2)
            raise RuntimeError("inner")
        assert pg.in_transaction()
    assert len(pg.busy_rows(NINE, NINE + timedelta(hours=1))) == 1
    with pytest.raises(RuntimeError), pg.transaction():
        block(pg, chair=2)
        raise RuntimeError("outer")
    assert not pg.in_transaction()
    assert len(pg.busy_rows(NINE, NINE + timedelta(hours=1))) == 1


def test_a_read_is_a_snapshot_that_writes_nothing(pg: PgStore) -> None:
    other = open_pg_store(pg.pg.where, migrate=False)
    try:
        with pg.read():
            before = pg.chairs()
            with other.transaction():
                other.insert_chair("Chair 3")
            assert pg.chairs() == before  # the snapshot, not the other writer's commit
            with pytest.raises(Exception, match="readonly"):
                pg.insert_chair("Chair 4")
        assert [chair.name for chair in pg.chairs()] == ["Chair 1", "Chair 2", "Chair 3"]
    finally:
        other.close()


def test_the_change_feed_sees_another_writer(pg: PgStore) -> None:
    token = pg.changes().token
    other = open_pg_store(pg.pg.where, migrate=False)
    try:
        with other.transaction():
            other.insert_audit(
                at=NINE, user="u", action="x", entity="chair", entity_id=1, old=None, new={}
            )  # fmt: skip
        feed = pg.changes(token)
        assert feed.ids("chair") == {1} and feed.token.audit_id == token.audit_id + 1
        assert not pg.changes(feed.token)
    finally:
        other.close()


def test_an_unreachable_server_is_a_store_error() -> None:
    with pytest.raises(
        StoreError, match=r"cannot reach the server postgresql://u@127\.0\.0\.1:1/x"
    ):
        open_pg_store("postgresql://u:secret@127.0.0.1:1/x?connect_timeout=2")


def test_the_statements_are_sqlites_translated() -> None:
    assert translate("SELECT * FROM t WHERE a = ? AND b LIKE ?") == (
        "SELECT * FROM t WHERE a = %s AND b ILIKE %s", False
    )  # fmt: skip
    assert translate("INSERT INTO chairs ([name], position) VALUES (?, ?)") == (
        'INSERT INTO chairs (id, "name", position) VALUES ('
        "(SELECT COALESCE(MAX(id), 0) + 1 FROM chairs), %s, %s) RETURNING id",
        True,
    )
    assert translate("INSERT INTO doses (id, cycle) VALUES (?, ?)")[0].endswith("RETURNING id")
    assert translate("INSERT INTO closed_dates (day) VALUES (?)") == (
        "INSERT INTO closed_dates (day) VALUES (%s)", False
    )  # fmt: skip


def test_the_app_does_not_load_psycopg_at_start() -> None:
    code = (
        "import sys, tdm1_scheduler.store.postgres.pg_store, tdm1_scheduler.services.context;"
        "assert 'psycopg' not in sys.modules, 'psycopg loaded'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_writers_queue_and_a_long_wait_says_locked(
    pg: PgStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TDM1_SCHEDULER_BUSY_TIMEOUT_MS", "100")
    other = open_pg_store(pg.pg.where, migrate=False)
    try:
        with pg.transaction():
            block(pg)
            locked = r"is locked by another program \(waited 0\.1 s\)"
            with pytest.raises(StoreError, match=locked), other.transaction():
                pass
            assert not other.in_transaction()
        with other.transaction():  # the lock is free again; the other sees the commit
            assert not other.chair_free_between(1, NINE, NINE + timedelta(minutes=1))
    finally:
        other.close()


def test_a_deferred_overlap_is_refused_at_commit_and_nothing_is_kept(pg: PgStore) -> None:
    with pg.transaction():
        first = block(pg)
    with pytest.raises(IntegrityError, match=r"^chair_overlap$"), pg.transaction():
        backends.execute(pg, "SET CONSTRAINTS chair_overlap DEFERRED")
        block(pg, start=NINE + timedelta(minutes=30))  # checked only at the commit
    assert not pg.in_transaction()
    assert [row[0] for row in pg.busy_rows(NINE, NINE + timedelta(hours=2))] == [first.id]
    with pg.transaction():  # a swap: each takes the other's place, checked at commit
        backends.execute(pg, "SET CONSTRAINTS chair_overlap DEFERRED")
        second = block(pg, chair=2)
        pg.update_appointment(replace(first, chair_id=2))
        pg.update_appointment(replace(second, chair_id=1))
    assert {row[0]: row[1] for row in pg.busy_rows(NINE, NINE + timedelta(hours=2))} == {
        first.id: 2,
        second.id: 1,
    }
