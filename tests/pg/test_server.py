"""The throwaway PostgreSQL of the tests: it runs, listens where it says, and leaves
nothing behind (issue 16); ``dev.py test`` installs it where it is missing."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import psycopg
import pytest

from tests.pg import server as pg
from tests.pg.server import PgServer, alive

ROOT = Path(__file__).resolve().parents[2]


def test_the_session_server_answers(pg_server: PgServer) -> None:
    with psycopg.connect(pg_server.url()) as conn:
        (version,) = conn.execute("SELECT version()").fetchone()
        settings = dict(
            conn.execute(
                "SELECT name, setting FROM pg_settings WHERE name IN "
                "('listen_addresses', 'port', 'unix_socket_directories', 'fsync')"
            ).fetchall()
        )
        (superuser,) = conn.execute("SELECT current_setting('is_superuser')").fetchone()
    assert version.startswith("PostgreSQL ")
    assert settings == {
        "listen_addresses": "127.0.0.1",
        "port": str(pg_server.port),
        "unix_socket_directories": str(pg_server.socket_dir),
        "fsync": "off",
    }
    assert superuser == "on"
    # The server runs as an unprivileged user, never as root.
    assert pg_server.pid is not None
    assert os.stat(f"/proc/{pg_server.pid}").st_uid != 0


def listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_a_server_stops_and_leaves_nothing_behind() -> None:
    server = PgServer().start()
    folder, pid, port = server.folder, server.pid, server.port
    assert pid is not None and alive(pid) and listening(port) and folder.is_dir()
    assert (folder / f".s.PGSQL.{port}").exists()  # the unix socket, in the folder
    with psycopg.connect(server.url()) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)

    server.stop()
    assert not folder.exists()
    assert not alive(pid)
    assert not listening(port)
    server.stop()  # twice is harmless


def test_dev_py_installs_postgres_only_where_pg_ctl_is_missing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.syspath_prepend(str(ROOT))
    import dev

    ran: list[list[str]] = []
    monkeypatch.setattr(dev.subprocess, "run", lambda cmd, **_: ran.append(cmd))
    assert dev.ensure_postgres() == 0 and ran == []  # here pg_ctl is installed

    # A machine without it, and without apt-get: one clear line, and a failure.
    monkeypatch.setattr(dev, "find_pg_ctl", lambda: None)
    monkeypatch.setattr(dev.shutil, "which", lambda name: None)
    assert dev.ensure_postgres() == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "pg_ctl is missing" in out[0]

    # With apt-get: it installs the Debian package and says so; a failure is one line.
    monkeypatch.setattr(dev.shutil, "which", lambda name: f"/usr/bin/{name}")
    assert dev.ensure_postgres() == 1
    installs = [cmd for cmd in ran if "install" in cmd]
    assert installs and installs[0][-4:] == [
        "-y", "--no-install-recommends", "postgresql", "postgresql-contrib",
    ]  # fmt: skip
    printed = capsys.readouterr().out
    assert "$ " in printed and printed.strip().splitlines()[-1].startswith("dev.py: could not")


def test_a_missing_postgres_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pg, "find_bin_dir", lambda: None)
    with pytest.raises(pg.PgServerError, match="pg_ctl was not found"):
        PgServer()
