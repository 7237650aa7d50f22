"""The live link of a session on a server store (gui/live_link.py): another
workstation's commit is announced (``sig_changed``) within a second of its notification,
without the poll timer; while the server is stopped the banner says so and a write is
refused whole; when the server is back the banner goes and everything is read again."""

from __future__ import annotations

import socket
import threading
import time as clock
from collections.abc import Iterator
from datetime import UTC, datetime, time
from typing import Any

import pytest
from PySide6.QtCore import QTimer
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


def hung_server_on(port: int) -> socket.socket:
    """A server that takes the connection and never answers, on ``port`` (a killed
    server's): libpq then waits for its connect timeout, as for a host that is down."""
    hole = socket.socket()
    hole.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    deadline = clock.monotonic() + 10
    while True:
        try:
            hole.bind(("127.0.0.1", port))
            break
        except OSError:  # the killed server's backends still hold it a moment
            if clock.monotonic() > deadline:
                raise
            clock.sleep(0.05)
    hole.listen(64)
    return hole


def test_the_event_loop_never_waits_for_a_server_that_does_not_answer(qtbot: Any) -> None:
    with PgServer(durable=True) as server:  # killed: its commits must have been written
        store = open_pg_store(server.url())
        seed(store)
        session = session_on(store)
        hole: socket.socket | None = None
        ticker = QTimer()
        try:
            assert session.live is not None
            link = session.live.link
            parent = QWidget()
            qtbot.addWidget(parent)
            banner = session.live.banner(parent)
            seen: list[ChangeSet] = []
            session.sig_changed.connect(seen.append)
            dialled_on: list[threading.Thread] = []
            dial = link.listener.dial

            def dial_noted() -> Any:
                dialled_on.append(threading.current_thread())
                return dial()

            link.listener.dial = dial_noted  # type: ignore[method-assign]
            gaps: list[float] = []
            last = [clock.monotonic()]

            def tick() -> None:
                now = clock.monotonic()
                gaps.append((now - last[0]) * 1000)
                last[0] = now

            ticker.setInterval(20)
            ticker.timeout.connect(tick)
            ticker.start()

            server.kill()
            hole = hung_server_on(server.port)
            qtbot.waitUntil(lambda: not banner.isHidden(), timeout=5000)
            gaps.clear()
            qtbot.wait(4500)  # past libpq's 3 s connect timeout: attempts hang, then fail
            assert dialled_on and threading.main_thread() not in dialled_on
            assert link.redialling and not banner.isHidden()
            assert max(gaps) < 250, f"the event loop waited {max(gaps):.0f} ms"
            with pytest.raises(StoreError):
                add_chair(store, "Chair 2")  # refused whole: nothing half-written

            hole.close()
            hole = None
            server.resume()
            qtbot.waitUntil(banner.isHidden, timeout=15000)
            qtbot.waitUntil(lambda: bool(seen) and isinstance(seen[-1], ReadAgain), timeout=2000)
            assert chairs(store) == 1
            add_chair(store, "Chair 2")  # the store took the reconnect thread's connection
            assert chairs(store) == 2
            assert threading.main_thread() not in dialled_on
        finally:
            ticker.stop()
            if hole is not None:
                hole.close()
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
