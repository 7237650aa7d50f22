"""``--db postgresql://...`` (or ``TDM1_SCHEDULER_DB``) runs every command on the server
(issue 16, item 1), against the throwaway server: each test makes its own database.

A workflow through the CLI gives the same JSON on the server as on a SQLite file;
``check`` is healthy, and fails once an exclusion constraint is dropped; ``backup`` and
``restore`` are refused in one line with nothing changed (and still work on a file); an
unreachable server is named by host:port, its password never printed."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from tdm1_scheduler.store.postgres.migrations import MIGRATIONS
from tests.pg.server import PgServer

from .conftest import PASSWORD, Result, file_hash, run_process

LAST, BEFORE_LAST = MIGRATIONS[-1].name, MIGRATIONS[-2].name  # what check reports
CLINIC = ("init", "--timezone", "America/New_York", "--chairs", "2")
WORKFLOW = [
    ("closed", "add", "2026-03-20"),
    ("patient", "add", "--mrn", "A1", "--name", "Ann Lee", "--weight-kg", "70"),
    ("patient", "add", "--mrn", "B2", "--name", "Bea Cruz", "--weight-kg", "61.5"),
    ("course", "start", "--mrn", "A1", "--setting", "EBC", "--first-dose",
     "2026-03-02T09:00", "--chair", "Chair 1"),
    ("course", "start", "--mrn", "B2", "--setting", "MBC", "--first-dose",
     "2026-03-03T09:00", "--chair", "Chair 2"),
    ("dose", "given", "--mrn", "A1", "--cycle", "1", "--at", "2026-03-02T09:15"),
    ("appointment", "move", "--mrn", "A1", "--cycle", "2", "--to", "2026-03-25T11:00"),
]  # fmt: skip
READS = [
    ("day-sheet", "2026-03-25", "--json"),
    ("day-sheet", "2026-03-03", "--json"),
    ("course", "show", "--mrn", "A1", "--json"),
    ("course", "show", "--mrn", "B2", "--json"),
    ("chair", "list", "--json"),
]


def on(cli: Callable[..., Result], url: str) -> Callable[..., Result]:
    """``cli`` on the server at ``url`` (``--db URL``)."""

    def run(*argv: str, now: str | None = "2026-03-01T08:00") -> Result:
        result = cli(*argv, db=url, now=now)  # type: ignore[arg-type]
        assert PASSWORD not in result.out + result.err
        return result

    return run


def run_all(run: Callable[..., Result], steps: list[tuple[str, ...]]) -> list[str]:
    outs = []
    for step in steps:
        result = run(*step)
        assert result.code == 0, (step, result.err)
        outs.append(result.out)
    return outs


def public_tables(url: str) -> list[str]:
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        )
        return [str(row[0]) for row in rows]


def server_rows(url: str) -> dict[str, object]:
    """Everything a refused command must leave as it was: counts and the audit log's head."""
    tables = public_tables(url)
    with psycopg.connect(url, autocommit=True) as conn:
        counts: dict[str, object] = {
            table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone() for table in tables
        }
        counts["audit head"] = conn.execute("SELECT max(id) FROM audit_log").fetchone()
        return counts


def test_a_workflow_on_the_server_gives_the_same_json_as_on_a_file(
    cli: Callable[..., Result], new_db: Callable[[], str], db_path: Path
) -> None:
    url = new_db()
    server = on(cli, url)
    init = server(*CLINIC)
    assert init.code == 0, init.err
    assert init.out == cli(*CLINIC).out  # the same line as SQLite's init
    assert run_all(server, WORKFLOW) == run_all(cli, WORKFLOW)
    on_server = [json.loads(out) for out in run_all(server, READS)]
    on_file = [json.loads(out) for out in run_all(cli, READS)]
    assert on_server == on_file
    sheet = on_server[0]
    assert sheet and "A1" in json.dumps(sheet)  # the moved cycle is on its new day
    assert on_server[2]["cycles"][1]["start"] == "2026-03-25T11:00:00-04:00"
    assert db_path.exists()


def test_init_on_a_database_with_a_clinic_is_refused_as_on_a_file(
    cli: Callable[..., Result], new_db: Callable[[], str]
) -> None:
    url = new_db()
    server = on(cli, url)
    assert server(*CLINIC).code == 0
    before = server_rows(url)
    again = server(*CLINIC)
    on_file = (cli(*CLINIC), cli(*CLINIC))[1]
    assert (again.code, again.out, again.err) == (2, "", on_file.err)
    assert again.err == "refused: init: this database already holds a clinic\n"
    assert server_rows(url) == before


def test_init_refuses_a_database_holding_another_programs_tables(
    cli: Callable[..., Result], new_db: Callable[[], str]
) -> None:
    url = new_db()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE invoices (id int)")
    result = on(cli, url)(*CLINIC)
    assert result.code == 2 and result.err.startswith("refused: init: ")
    assert "not empty" in result.err and "invoices" in result.err
    assert public_tables(url) == ["invoices"]  # no schema was made beside it


def catalog(url: str) -> tuple[list[str], list[str], list[str]]:
    """The database's tables, functions and extensions (what a schema is made of)."""
    with psycopg.connect(url, autocommit=True) as conn:
        tables = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        functions = conn.execute(
            "SELECT proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = 'public' ORDER BY proname"
        )
        extensions = conn.execute("SELECT extname FROM pg_extension ORDER BY extname")
        return (
            sorted(str(row[0]) for row in tables),
            [str(row[0]) for row in functions],
            [str(row[0]) for row in extensions],
        )


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (("init", "--timezone", "Mars/Olympus", "--chairs", "2"), "refused: timezone: "),
        (("init", "--timezone", "UTC", "--open", "25:00"), "refused: open: "),
    ],
)
def test_a_refused_init_leaves_the_empty_database_as_it_was(
    cli: Callable[..., Result], new_db: Callable[[], str], argv: tuple[str, ...], named: str
) -> None:
    url = new_db()
    before = catalog(url)
    assert before[0] == []  # an empty database
    result = on(cli, url)(*argv)
    assert (result.code, result.out) == (2, "") and result.err.startswith(named)
    assert cli(*argv).err == result.err  # SQLite's refusal, word for word
    assert catalog(url) == before  # no tables, functions or extensions left behind
    done = on(cli, url)(*CLINIC)  # and the database can still be made a clinic
    assert done.code == 0, done.err
    assert "appointments" in catalog(url)[0]


def test_a_command_on_an_empty_database_says_to_run_init(
    cli: Callable[..., Result], new_db: Callable[[], str]
) -> None:
    url = new_db()
    result = on(cli, url)("chair", "list", "--json")
    assert result.code == 1 and result.out == ""
    assert "create one with `tdm1-scheduler init`" in result.err
    with psycopg.connect(url, autocommit=True) as conn:  # nothing was made
        assert conn.execute("SELECT to_regclass('schema_version')").fetchone() == (None,)


def test_the_server_comes_from_the_environment(
    cli: Callable[..., Result],
    new_db: Callable[[], str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tdm1_scheduler.cli.main import main

    url = new_db().replace("postgresql://", "postgres://", 1)  # libpq's other scheme
    monkeypatch.setenv("TDM1_SCHEDULER_DB", url)
    assert main(["init", "--timezone", "UTC", "--chairs", "3"]) == 0
    capsys.readouterr()
    assert main(["chair", "list", "--json"]) == 0
    chairs = json.loads(capsys.readouterr().out)
    assert [chair["name"] for chair in chairs] == ["Chair 1", "Chair 2", "Chair 3"]
    assert server_rows(url)["chairs"] == (3,)


def test_check_is_healthy_then_fails_without_the_chair_overlap_constraint(
    cli: Callable[..., Result], new_db: Callable[[], str]
) -> None:
    url = new_db()
    server = on(cli, url)
    assert server(*CLINIC).code == 0
    healthy = server("check", now=None)
    assert healthy.code == 0, healthy.err
    assert healthy.out == f"schema: {LAST}\nintegrity: ok\n" and healthy.err == ""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ALTER TABLE appointments DROP CONSTRAINT chair_overlap")
    broken = server("check", now=None)
    assert broken.code == 1
    assert broken.out == f"schema: {LAST}\n"
    assert broken.err.startswith("error: integrity: FAILED (1 problems): ")
    assert "constraint chair_overlap on appointments is missing" in broken.err
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_delete")
    worse = server("check", now=None)
    assert worse.code == 1 and "(2 problems)" in worse.err
    assert "trigger audit_log_no_delete on audit_log is disabled" in worse.err


def test_check_reports_a_pending_migration_without_applying_it(
    cli: Callable[..., Result], new_db: Callable[[], str]
) -> None:
    url = new_db()
    server = on(cli, url)
    assert server(*CLINIC).code == 0
    with psycopg.connect(url, autocommit=True) as conn:  # as if the last came with a newer app
        conn.execute("DELETE FROM schema_version WHERE name = %s", (LAST,))
    result = server("check", now=None)
    assert result.code == 1 and result.out == f"schema: {BEFORE_LAST}\n"
    assert f"migration {LAST} is not applied" in result.err
    with psycopg.connect(url, autocommit=True) as conn:  # check wrote nothing
        assert conn.execute("SELECT count(*) FROM schema_version").fetchone() == (
            len(MIGRATIONS) - 1,
        )


def test_backup_and_restore_on_the_server_are_refused_and_change_nothing(
    cli: Callable[..., Result], new_db: Callable[[], str], tmp_path: Path
) -> None:
    url = new_db()
    server = on(cli, url)
    assert server(*CLINIC).code == 0
    assert run_all(server, WORKFLOW[:2])
    before = server_rows(url)
    target = tmp_path / "copy.db"
    backup = server("backup", str(target))
    assert (backup.code, backup.out) == (2, "")
    assert backup.err == (
        "refused: backup of a server database: use pg_dump (see docs/server.md)\n"
    )
    assert not target.exists()
    # restore refuses before it reads the file it is given
    restore = server("restore", str(tmp_path / "whatever.db"))
    assert (restore.code, restore.out) == (2, "")
    assert restore.err == (
        "refused: restore of a server database: use pg_restore (see docs/server.md)\n"
    )
    migrate = server("migrate", "--to", new_db(), now=None)  # --db is the file to copy
    assert (migrate.code, migrate.out) == (2, "") and "not a server" in migrate.err
    assert server_rows(url) == before
    # the feature itself exists, on a file
    assert cli(*CLINIC).code == 0
    on_file = cli("backup", str(target))
    assert on_file.code == 0 and on_file.out == f"backup written to {target} (integrity ok)\n"
    assert target.exists() and file_hash(target)


def test_an_unreachable_server_is_named_without_its_password(
    cli: Callable[..., Result], new_db: Callable[[], str], pg_server: PgServer
) -> None:
    url = new_db()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead_port = sock.getsockname()[1]
    dead = url.replace(f":{pg_server.port}/", f":{dead_port}/")
    for argv in (CLINIC, ("chair", "list", "--json"), ("check",)):
        result = on(cli, dead)(*argv)
        assert result.code == 1 and result.out == "", (argv, result)
        assert result.err.startswith("error: ") and result.err.count("\n") == 1, result.err
        assert f"127.0.0.1:{dead_port}" in result.err
        assert PASSWORD not in result.err
    assert on(cli, url)(*CLINIC).code == 0  # the live one works


def test_the_gui_opens_the_server_through_the_same_opener(
    cli: Callable[..., Result], new_db: Callable[[], str], pg_server: PgServer
) -> None:
    url = new_db()
    server = on(cli, url)
    assert server(*CLINIC).code == 0
    assert run_all(server, WORKFLOW[:4])
    shown = run_process("--now", "2026-03-02T08:00", "--self-check",
                        TDM1_SCHEDULER_DB=url, QT_QPA_PLATFORM="offscreen")  # fmt: skip
    assert shown.returncode == 0, shown.stderr[-2000:]
    dead = url.replace(f":{pg_server.port}/", ":1/")
    unreachable = run_process("--self-check", TDM1_SCHEDULER_DB=dead, QT_QPA_PLATFORM="offscreen")
    assert unreachable.returncode == 1
    assert unreachable.stderr.startswith("error: cannot reach the server ")
    assert "127.0.0.1:1" in unreachable.stderr and PASSWORD not in unreachable.stderr
