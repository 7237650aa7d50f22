"""The same actions through ``SqliteStore`` and ``PgStore`` give the same records and the
same audit entries, ids and instants included (issue 16): booking two courses, a move, a
missed dose, blocked time moved, undo and redo; and a whole nurse visit (arrive, start,
pause, resume, a reaction, end, discharge). The scenarios are the seam tests' own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.domain.records import CycleStatus
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.store.postgres.pg_store import PgStore
from tdm1_scheduler.store.protocol import ChangeToken, Store
from tdm1_scheduler.store.sqlite_store import SqliteStore
from tests.services.conftest import USER, local
from tests.services.test_store_seam import nurse_scenario, scenario
from tests.store import backends

EVERY_STATUS = tuple(CycleStatus)
EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


@pytest.fixture
def stores() -> Iterator[tuple[Store, Store]]:
    pair = (backends.open_store("sqlite"), backends.open_store("postgres"))
    yield pair
    for store in pair:
        backends.close_store(store)


def records(store: Store) -> dict[str, Any]:
    """Everything the store holds, as records read through the protocol."""
    with store.read():
        patients = [p for p in (store.patient_by_id(i) for i in range(1, 10)) if p]
        courses = [c for p in patients for c in store.courses_of_patient(p.id)]
        doses = [d for c in courses for d in store.doses_of_course(c.id)]
        views = store.appointments_between(*EVER, statuses=EVERY_STATUS)
        return {
            "clinic": store.clinic(),
            "hours": store.opening_hours(),
            "closed": store.closed_dates(),
            "chairs": store.chairs(active_only=False),
            "patients": patients,
            "courses": courses,
            "doses": doses,
            "appointments": views,
            "history": [store.appointments_of_dose(d.id) for d in doses],
            "preparations": [store.preparation_for_dose(d.id) for d in doses],
            "visits": [store.visit_for_appointment(v.appointment.id) for v in views],
            "reactions": store.reactions_of_appointments(v.appointment.id for v in views),
            "audit": store.audit_entries(limit=10_000),
            "feed": store.changes(ChangeToken(0)).entries,  # every entry, oldest first
            "token": store.changes().token.audit_id,
        }


@pytest.mark.parametrize("run", [scenario, nurse_scenario], ids=["courses", "nurse"])
def test_sqlite_and_the_server_store_the_same(
    stores: tuple[Store, Store], run: Callable[[Context], list[Any]]
) -> None:
    lite, server = stores
    assert isinstance(lite, SqliteStore) and isinstance(server, PgStore)
    start = local("2026-03-01T08:00")
    seen = [run(Context.over(store, FixedClock(start), USER)) for store in (lite, server)]
    assert seen[0] == seen[1]
    on_lite, on_server = records(lite), records(server)
    assert on_lite["audit"] and on_lite["appointments"]
    for name, value in on_lite.items():
        assert on_server[name] == value, name
    middle = ChangeToken(on_lite["token"] // 2)
    assert server.changes(middle).entries == lite.changes(middle).entries
    assert not server.changes(server.changes().token)  # nothing since now
    assert backends.rows(lite) == backends.rows(server)  # row for row, under the records
