"""Live updates across workstations (issue 16): a committed write is heard by another
connection's listener within a second, naming its entities; a rolled-back one sends
nothing; a listener whose backend is killed reconnects, LISTENs again and says "read
everything again"; ``ServerClock`` follows the server's clock."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest

from tdm1_scheduler.clock import ServerClock
from tdm1_scheduler.store.postgres import notify
from tdm1_scheduler.store.postgres.listener import ChangeListener, Notice, notice_of
from tdm1_scheduler.store.postgres.pg_store import PgStore
from tests.store import backends

NINE = datetime(2026, 3, 2, 14, tzinfo=UTC)


def audited(store: PgStore, entity: str, entity_id: int) -> None:
    store.insert_audit(
        at=NINE, user="t", action="test", entity=entity, entity_id=entity_id, old=None, new={}
    )


def heard(listener: ChangeListener, within: float = 2.0) -> list[Notice]:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        found = listener.poll(0.1)
        if found:
            return found
    return []


WRITER = """
import sys, time
from datetime import UTC, datetime
from tdm1_scheduler.store.postgres.pg_store import open_pg_store
store = open_pg_store(sys.argv[1], migrate=False)
with store.transaction() as tx:
    chair = tx.insert_chair("Chair 9")
    tx.insert_audit(at=datetime.now(UTC), user="w", action="add", entity="chair",
                    entity_id=chair.id, old=None, new={})
    tx.insert_audit(at=datetime.now(UTC), user="w", action="add", entity="patient",
                    entity_id=7, old=None, new={})
print(time.time(), chair.id, flush=True)
store.close()
"""


def test_a_commit_in_another_process_is_heard_within_a_second(pg: PgStore) -> None:
    listener = pg.listen()
    try:
        done = subprocess.run(
            [sys.executable, "-c", WRITER, pg._conninfo],
            capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
        found = heard(listener)
        arrived = time.time()
        committed, chair_id = done.stdout.split()
        # the subprocess's exit came after its commit; the notice was waiting by then
        assert arrived - float(committed) < 1.0
        assert len(found) == 1 and not found[0].read_all
        assert found[0].ids("chair") == {int(chair_id)} and found[0].ids("patient") == {7}
    finally:
        listener.close()


def test_the_listener_hears_within_a_second_of_the_commit(pg: PgStore) -> None:
    listener = pg.listen()
    from tdm1_scheduler.store.postgres.pg_store import open_pg_store

    writer = open_pg_store(pg._conninfo, migrate=False)
    try:
        with writer.transaction() as tx:
            audited(tx, "appointment", 5)
        committed = time.monotonic()
        found = heard(listener)
        assert time.monotonic() - committed < 1.0
        assert [n.ids("appointment") for n in found] == [{5}]
        assert found[0].sender == writer.pg.pg.info.backend_pid
    finally:
        writer.close()
        listener.close()


def test_a_rolled_back_write_sends_nothing_and_own_writes_are_not_news(pg: PgStore) -> None:
    listener = pg.listen()
    try:
        with pytest.raises(RuntimeError), pg.transaction() as tx:
            audited(tx, "appointment", 1)
            raise RuntimeError("no")
        with pg.transaction() as tx:
            audited(tx, "appointment", 2)  # this store's own: dropped by its listener
        assert heard(listener, within=0.5) == []
        raw = ChangeListener(pg._listen_connection)  # one that keeps every notice
        with pg.transaction() as tx:
            audited(tx, "appointment", 3)
        assert [n.ids("appointment") for n in heard(raw)] == [{3}]
        raw.close()
    finally:
        listener.close()


def test_outside_mark_moves_only_for_another_connections_commit(pg: PgStore) -> None:
    from tdm1_scheduler.store.postgres.pg_store import open_pg_store

    mark, data = pg.outside_mark(), pg.data_mark()
    with pg.transaction() as tx:
        audited(tx, "chair", 1)
    assert pg.outside_mark() == mark and pg.data_mark() != data
    writer = open_pg_store(pg._conninfo, migrate=False)
    with writer.transaction() as tx:
        audited(tx, "chair", 1)
    writer.close()
    assert pg.outside_mark() == mark + 1


def test_a_big_write_says_all() -> None:
    rows = [(i, "appointment", i) for i in range(1, 3000)]
    assert notice_of(notify.payload(rows)).read_all
    assert notice_of(notify.payload(rows[:3])).ids("appointment") == {1, 2, 3}
    assert notice_of("not json").read_all


def test_a_killed_listener_reconnects_relistens_and_says_read_all(pg: PgStore) -> None:
    listener = pg.listen()
    try:
        victim = listener.backend_pid()
        pg.pg.pg.execute("SELECT pg_terminate_backend(%s)", [victim])
        found = heard(listener, within=5.0)
        assert [n.read_all for n in found] == [True]
        assert listener.connected and listener.reconnects == 1
        assert listener.backend_pid() != victim
        from tdm1_scheduler.store.postgres.pg_store import open_pg_store

        writer = open_pg_store(pg._conninfo, migrate=False)
        with writer.transaction() as tx:
            audited(tx, "course", 4)
        writer.close()
        assert [n.ids("course") for n in heard(listener)] == [{4}]
    finally:
        listener.close()


def test_server_clock_follows_the_servers_offset() -> None:
    local = [1000.0]
    server_at = [datetime(2026, 3, 2, 9, tzinfo=UTC)]  # the server is hours off ours

    def ask() -> datetime:
        return server_at[0]

    clock = ServerClock(ask, resync_s=300, monotonic=lambda: local[0])
    assert clock.now() == server_at[0]
    local[0] += 90.5
    assert clock.now() == server_at[0] + timedelta(seconds=90.5)
    server_at[0] += timedelta(seconds=400)  # the server's clock was stepped meanwhile
    local[0] += 300
    assert clock.now() == server_at[0]  # re-synced: the new offset


def test_server_clock_on_the_server_agrees_with_it(pg: PgStore) -> None:
    clock = ServerClock(pg.server_now)
    assert abs((clock.now() - pg.server_now()).total_seconds()) < 0.5


def test_a_server_store_gets_the_servers_clock(pg: PgStore) -> None:
    from tdm1_scheduler.clock import FixedClock, SystemClock
    from tdm1_scheduler.services.live_server import clock_for

    assert isinstance(clock_for(pg), ServerClock)
    local = FixedClock(NINE)
    sqlite = backends.open_store("sqlite")
    assert clock_for(sqlite, local) is local
    sqlite.close()
    assert isinstance(clock_for(object()), SystemClock)
