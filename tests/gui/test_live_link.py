"""The live link of a session on a server store (gui/live_link.py): another
workstation's commit is announced (``sig_changed``) within a second of its notification,
without the poll timer; while the server is stopped the banner says so and a write is
refused whole; when the server is back the banner goes and everything is read again."""

from __future__ import annotations

import time as clock
from collections.abc import Iterator
from datetime import UTC, datetime, time
from typing import Any

import pytest
from PySide6.QtWidgets import QWidget

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.domain.records import OpeningHoursRow
from tdm1_scheduler.gui.session import ReadAgain, Session
from tdm1_scheduler.services.context import ChangeSet, Context
from tdm1_scheduler.store.database import StoreError
from tdm1_scheduler.store.postgres.pg_store import PgStore, open_pg_store
from tests.pg.server import PgServer
from tests.store import backends

from .conftest import OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

NINE = datetime(2026, 3, 2, 14, tzinfo=UTC)


def seed(store: PgStore) -> None:
    with store.transaction() as tx:
        tx.insert_clinic(name="C", timezone="UTC")
        tx.insert_chair("Chair 1")
        tx.replace_opening_hours(OpeningHoursRow(day, time(8), time(17)) for day in range(5))


def add_chair(store: PgStore, name: str) -> int:
    with store.transaction() as tx:
        chair = tx.insert_chair(name)
        tx.insert_audit(
            at=NINE, user="w", action="add", entity="chair", entity_id=chair.id,
            old=None, new={},
        )  # fmt: skip
    return chair.id


def chairs(store: PgStore) -> int:
    return int(store.pg.execute("SELECT COUNT(*) FROM chairs").fetchone()[0])


@pytest.fixture
def pg() -> Iterator[PgStore]:
    store = backends.open_store("postgres")
    assert isinstance(store, PgStore)
    seed(store)
    yield store
    backends.close_store(store)


def session_on(store: PgStore) -> Session:
    return Session(Context.over(store, FixedClock(NINE), "tester"))


def test_a_notification_refreshes_the_session_within_a_second(qtbot: Any, pg: PgStore) -> None:
    session = session_on(pg)
    try:
        assert session.live is not None and not session.poll_timer.isActive()
        seen: list[ChangeSet] = []
        session.sig_changed.connect(seen.append)
        writer = open_pg_store(pg._conninfo, migrate=False)
        chair = add_chair(writer, "Chair 2")
        committed = clock.monotonic()
        qtbot.waitUntil(lambda: bool(seen), timeout=1000)
        assert clock.monotonic() - committed < 1.0
        writer.close()
        assert len(seen) == 1 and isinstance(seen[0], ReadAgain)
        assert seen[0].chairs == {chair}  # what the notice named, from the change feed
        add_chair(pg, "Chair 3")  # this session's own write: not news
        qtbot.wait(300)
        assert len(seen) == 1
    finally:
        session.stop()


def test_the_banner_shows_while_the_server_is_stopped(qtbot: Any) -> None:
    with PgServer() as server:
        store = open_pg_store(server.url())
        seed(store)
        session = session_on(store)
        try:
            assert session.live is not None
            parent = QWidget()
            qtbot.addWidget(parent)
            banner = session.live.banner(parent)
            assert banner.isHidden()
            seen: list[ChangeSet] = []
            session.sig_changed.connect(seen.append)

            server._run("pg_ctl", "stop", "-m", "fast", "-w", "-D", str(server.data))
            qtbot.waitUntil(lambda: not banner.isHidden(), timeout=5000)
            mark = store.data_mark()
            assert store.data_mark() == mark  # a view's key while away: no error
            with pytest.raises(StoreError):
                add_chair(store, "Chair 2")  # refused whole: nothing half-written

            server.resume()
            qtbot.waitUntil(banner.isHidden, timeout=15000)
            assert seen and isinstance(seen[-1], ReadAgain)  # everything read again
            assert chairs(store) == 1
            add_chair(store, "Chair 2")  # the store's connection was reopened
            assert chairs(store) == 2
        finally:
            session.stop()
            store.close()


def test_the_main_window_on_a_server_store_has_the_banner_hidden(qtbot: Any, pg: PgStore) -> None:
    from PySide6.QtWidgets import QLabel

    from tdm1_scheduler.gui.main_window import MainWindow

    window = MainWindow(Context.over(pg, FixedClock(NINE), "tester"))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    banner = window.findChild(QLabel, "serverBannerLabel")
    assert banner is not None and banner.isHidden()
    seen: list[ChangeSet] = []
    window.sig_data_changed.connect(seen.append)
    writer = open_pg_store(pg._conninfo, migrate=False)
    add_chair(writer, "Chair 2")
    writer.close()
    qtbot.waitUntil(lambda: bool(seen), timeout=1000)
    window.close()
    assert window.session.live is not None
    assert not window.session.live.check_timer.isActive()  # closing stopped the link
