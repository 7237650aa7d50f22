"""The login dialog (gui/login_dialog.py, issue 16): a server that asks for a password
libpq's usual places do not hold gets one typed into the dialog, real key presses; a
wrong one is said there and tried again; Cancel is exit 1 with one line naming the URL
(no password). The typed password is nowhere the app writes: not the window state
file, not QSettings, not the audit log, not the window title, not stdout or stderr."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tdm1_scheduler import app as app_module
from tdm1_scheduler.gui.login_dialog import LoginDialog
from tdm1_scheduler.gui.main_window import MainWindow
from tdm1_scheduler.store.postgres.pg_store import PgStore
from tests.pg.server import PgServer

from .conftest import DEMO_NOW, OFFSCREEN_NOISE
from .server_clinic import demo_on_server

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

PERSON = "lena.sched"  # a scheduler whose login needs a password
PASSWORD = "Tr0ub4dor-&3-typed"  # what she types; never written anywhere
NOW = DEMO_NOW.strftime("%Y-%m-%dT%H:%M:%SZ")

Step = Callable[[LoginDialog], None]


@pytest.fixture(scope="module")
def server_clinic(pg_server: PgServer, demo_template: Path) -> str:
    """The demo clinic on the server (``migrate --to``), and PERSON, a scheduler who
    must give her password: the database's URL as she is given it (no password)."""
    name = demo_on_server(pg_server, demo_template)
    pg_server.require_password(PERSON, PASSWORD, 'LOGIN IN ROLE "scheduler"')
    return pg_server.url(name, PERSON)


@pytest.fixture(autouse=True)
def no_stored_passwords(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No ``.pgpass``, service file or PGPASSWORD: the server must ask; the user's own
    settings folders are this test's (QSettings, caches), to be searched afterwards."""
    for name in ("PGPASSWORD", "PGSERVICE", "PGUSER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no.pgpass"))
    monkeypatch.setenv("PGSERVICEFILE", str(tmp_path / "no.pg_service.conf"))
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        folder = tmp_path / name.lower()
        folder.mkdir()
        monkeypatch.setenv(name, str(folder))
    yield


@pytest.fixture(autouse=True)
def application_style_restored(qapp: Any) -> Iterator[None]:
    """``open_window`` styles the whole application: put it back for the tests after."""
    sheet, icon = qapp.styleSheet(), qapp.windowIcon()
    yield
    qapp.setStyleSheet(sheet)
    qapp.setWindowIcon(icon)


def answering(steps: list[Step]) -> QTimer:
    """Each time a login dialog is up, the next of ``steps`` is done to it."""
    pending = list(steps)

    def look() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, LoginDialog) and widget.isVisible() and pending:
                pending.pop(0)(widget)
                return

    timer = QTimer()
    timer.setInterval(30)
    timer.timeout.connect(look)
    timer.start()
    return timer


def type_password(password: str) -> Step:
    def step(dialog: LoginDialog) -> None:
        QTest.keyClicks(dialog.password_edit, password)
        QTest.keyClick(dialog.password_edit, Qt.Key.Key_Return)

    return step


def open_with(url: str, steps: list[Step]) -> tuple[MainWindow, PgStore] | int:
    timer = answering(steps)
    try:
        args = argparse.Namespace(db=url, demo=False, now=NOW, user=None, self_check=False)
        opened = app_module.open_window(args)
    finally:
        timer.stop()
    if isinstance(opened, int):
        return opened
    window, store, _demo, _path = opened
    assert isinstance(store, PgStore)
    return window, store


def shut(qtbot: Any, window: MainWindow, store: PgStore) -> None:
    window.close()
    qtbot.wait(20)  # what the window had queued runs on the open store
    store.close()


def test_the_right_password_opens_the_window_on_the_server(qtbot: Any, server_clinic: str) -> None:
    seen: list[tuple[str, str, str, bool]] = []

    def look_then_type(dialog: LoginDialog) -> None:
        seen.append((
            dialog.server_label.text(), dialog.database_label.text(),
            dialog.user_edit.text(), dialog.error_label.isVisible(),
        ))  # fmt: skip
        assert dialog.password_edit.echoMode() == dialog.password_edit.EchoMode.Password
        type_password(PASSWORD)(dialog)

    opened = open_with(server_clinic, [look_then_type])
    assert not isinstance(opened, int)
    window, store = opened
    qtbot.addWidget(window)
    try:
        host_port = server_clinic.split("@")[1].split("/")[0]
        assert seen == [(host_port, server_clinic.rsplit("/", 1)[1], PERSON, False)]
        assert store.session().login == PERSON  # she is who the server says she is
        window.show()
        qtbot.waitExposed(window)
        assert window.session.live is not None and window.session.live.connected
    finally:
        shut(qtbot, window, store)


def test_a_wrong_password_is_said_and_the_right_one_then_opens(
    qtbot: Any, server_clinic: str
) -> None:
    said: list[str] = []

    def read_the_error(dialog: LoginDialog) -> None:
        said.append(dialog.error_label.text() if dialog.error_label.isVisible() else "")
        assert dialog.password_edit.text() == ""  # the wrong one is not kept in the field
        type_password(PASSWORD)(dialog)

    opened = open_with(server_clinic, [type_password("not-it"), read_the_error])
    assert not isinstance(opened, int)
    window, store = opened
    qtbot.addWidget(window)
    shut(qtbot, window, store)
    assert said == [f"password authentication failed for user {PERSON}"]


def test_cancel_exits_1_with_one_line_naming_the_url(
    qtbot: Any, server_clinic: str, capfd: pytest.CaptureFixture[str]
) -> None:
    def cancel(dialog: LoginDialog) -> None:
        QTest.keyClick(dialog, Qt.Key.Key_Escape)

    assert open_with(server_clinic, [cancel]) == 1
    out, err = capfd.readouterr()
    assert out == ""
    assert err == f"error: login cancelled for {server_clinic}\n"


def test_the_password_is_nowhere_the_app_writes(
    qtbot: Any, server_clinic: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    opened = open_with(server_clinic, [type_password("wrong-" + PASSWORD), type_password(PASSWORD)])
    assert not isinstance(opened, int)
    window, store = opened
    qtbot.addWidget(window)
    try:
        window.show()
        qtbot.waitExposed(window)
        assert PASSWORD not in window.windowTitle()
        assert PASSWORD not in repr(store) and PASSWORD not in repr(window.ctx)
        with store.transaction() as tx:  # a write: its audit row names her, nothing more
            chair = tx.insert_chair("Chair login")
            tx.insert_audit(
                at=DEMO_NOW, user=PERSON, action="add", entity="chair", entity_id=chair.id,
                old=None, new={"name": "Chair login"},
            )  # fmt: skip
        audit = store.pg.execute("SELECT * FROM audit_log ORDER BY id DESC LIMIT 5").fetchall()
        assert audit and PERSON in str(audit[0]) and PASSWORD not in str(audit)
    finally:
        shut(qtbot, window, store)  # closing writes the window state
    written = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert any(path.name == "window.ini" for path in written)  # it was written, and
    for path in written:
        assert PASSWORD.encode() not in path.read_bytes(), path
    out, err = capfd.readouterr()
    assert PASSWORD not in out and PASSWORD not in err


def test_the_cli_never_asks_it_says_so_in_one_line(
    server_clinic: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from tdm1_scheduler.cli.main import main

    assert main(["--db", server_clinic, "chair", "list"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and "fe_sendauth: no password supplied" in err, err
    assert err.startswith(f"error: cannot reach the server {server_clinic}: ")


def test_the_reconnects_use_the_typed_password(
    qtbot: Any, server_clinic: str, pg_server: PgServer
) -> None:
    """Her connections cut by the server: the listener and the store reconnect (on
    their own thread) with the password she typed, kept in memory only."""
    import psycopg

    opened = open_with(server_clinic, [type_password(PASSWORD)])
    assert not isinstance(opened, int)
    window, store = opened
    qtbot.addWidget(window)
    try:
        live = window.session.live
        assert live is not None and live.connected
        listener = live.link.listener
        before = listener.reconnects
        with psycopg.connect(pg_server.url(), autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s",
                [PERSON],
            )
        qtbot.waitUntil(lambda: listener.reconnects > before and live.connected, timeout=10000)
        assert store.session().login == PERSON
        row = store.pg.execute("SELECT current_user").fetchone()
        assert row is not None and row[0] == PERSON  # the store's connection is a new one
    finally:
        shut(qtbot, window, store)


def test_a_wrong_password_in_the_url_is_asked_again_and_never_shown(
    qtbot: Any, server_clinic: str, capfd: pytest.CaptureFixture[str]
) -> None:
    in_url = server_clinic.replace(f"{PERSON}@", f"{PERSON}:left-in-the-url@")
    said: list[str] = []

    def read_then_cancel(dialog: LoginDialog) -> None:
        said.append(dialog.error_label.text())
        QTest.keyClick(dialog, Qt.Key.Key_Escape)

    assert open_with(in_url, [read_then_cancel]) == 1
    assert said == [f"password authentication failed for user {PERSON}"]
    out, err = capfd.readouterr()
    assert (out, err) == ("", f"error: login cancelled for {server_clinic}\n")


def test_the_user_name_can_be_changed_in_the_dialog(
    qtbot: Any, server_clinic: str, pg_server: PgServer
) -> None:
    pg_server.require_password("lena.other", "other-pw", 'LOGIN IN ROLE "nurse"')
    as_other = server_clinic.replace(f"{PERSON}@", "lena.other@")

    def change_user(dialog: LoginDialog) -> None:
        assert dialog.user_edit.text() == "lena.other"
        dialog.user_edit.setFocus()
        QTest.keyClick(dialog.user_edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        QTest.keyClicks(dialog.user_edit, PERSON)
        QTest.keyClick(dialog.user_edit, Qt.Key.Key_Tab)
        type_password(PASSWORD)(dialog)

    opened = open_with(as_other, [change_user])
    assert not isinstance(opened, int)
    window, store = opened
    qtbot.addWidget(window)
    try:
        assert store.session().login == PERSON
    finally:
        shut(qtbot, window, store)
