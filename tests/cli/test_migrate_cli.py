"""``tdm1-scheduler migrate --to URL`` against the throwaway server (issue 16, item 5):
the counts per table and a total, exit 0; each refusal is one line, exit 2, nothing
written, and never shows the URL's password. Every refusal beside the case allowed."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from tdm1_scheduler.store.postgres.copy_clinic import TABLES, mask_url
from tests.pg.server import PgServer
from tests.store.postgres.clinic_to_copy import build_clinic_to_copy

from .conftest import PASSWORD, Result


@pytest.fixture(scope="module")
def clinic_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_clinic_to_copy(tmp_path_factory.mktemp("migrate") / "clinic.db")


def rows_on(url: str) -> dict[str, int]:
    with psycopg.connect(url, autocommit=True) as conn:
        present = {
            str(row[0])
            for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        }
        return {
            table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # type: ignore[index]
            for table in TABLES
            if table in present
        }


def counts_printed(out: str) -> dict[str, int]:
    lines = [line.split() for line in out.splitlines()]
    return {words[0]: int(words[1]) for words in lines}


def assert_refused(result: Result, *words: str) -> None:
    assert result.code == 2, result
    assert result.out == ""
    assert result.err.startswith("refused: ") and result.err.count("\n") == 1, result.err
    assert PASSWORD not in result.err
    for word in words:
        assert word in result.err, (word, result.err)


def test_migrate_prints_each_table_and_the_total(
    cli: Callable[..., Result], clinic_file: Path, new_db: Callable[[], str]
) -> None:
    url = new_db()
    result = cli("migrate", "--to", url, db=clinic_file, now=None)
    assert result.code == 0, result.err
    assert result.err == ""
    printed = counts_printed(result.out)
    on_server = rows_on(url)
    assert list(printed) == [*TABLES, "total"]
    assert {table: printed[table] for table in TABLES} == on_server
    assert printed["patients"] == 3 and printed["audit_log"] >= 20
    assert printed["total"] == sum(on_server.values())
    assert PASSWORD not in result.out and mask_url(url) in result.out


def test_a_second_migrate_into_the_same_database_is_refused(
    cli: Callable[..., Result], clinic_file: Path, new_db: Callable[[], str]
) -> None:
    url = new_db()
    first = cli("migrate", "--to", url, db=clinic_file, now=None)
    assert first.code == 0, first.err  # the first one worked
    before = rows_on(url)
    assert before["appointments"] > 0
    second = cli("migrate", "--to", url, db=clinic_file, now=None)
    assert_refused(second, "not empty", "clinic has 1 row")
    assert rows_on(url) == before


def test_the_clinic_file_comes_from_the_environment(
    cli: Callable[..., Result],
    clinic_file: Path,
    new_db: Callable[[], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TDM1_SCHEDULER_DB", str(clinic_file))
    url = new_db()
    from tdm1_scheduler.cli.main import main

    assert main(["migrate", "--to", url]) == 0
    assert rows_on(url)["patients"] == 3


def test_an_unreachable_server_is_named_without_its_password(
    cli: Callable[..., Result], clinic_file: Path, new_db: Callable[[], str], pg_server: PgServer
) -> None:
    url = new_db()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead_port = sock.getsockname()[1]
    dead = url.replace(f":{pg_server.port}/", f":{dead_port}/")
    result = cli("migrate", "--to", dead, db=clinic_file, now=None)
    assert_refused(result, f"127.0.0.1:{dead_port}", "cannot reach")
    assert cli("migrate", "--to", url, db=clinic_file, now=None).code == 0  # the live one


@pytest.mark.parametrize(
    "url", ["sqlite:///tmp/x.db", "mysql://root:s3cret-pw@db/clinic", "/tmp/clinic.db", ""]
)
def test_a_url_that_is_not_postgresql_is_refused(
    cli: Callable[..., Result], clinic_file: Path, url: str, new_db: Callable[[], str]
) -> None:
    result = cli("migrate", "--to", url, db=clinic_file, now=None)
    assert_refused(result, "postgresql://")
    if url:
        assert url.replace(PASSWORD, "***") in result.err  # the URL named, masked
    # libpq's two schemes are allowed
    allowed = new_db()
    assert cli("migrate", "--to", allowed, db=clinic_file, now=None).code == 0
    short = new_db().replace("postgresql://", "postgres://", 1)
    assert cli("migrate", "--to", short, db=clinic_file, now=None).code == 0


def test_a_missing_clinic_file_is_refused_and_nothing_is_written(
    cli: Callable[..., Result], tmp_path: Path, clinic_file: Path, new_db: Callable[[], str]
) -> None:
    url = new_db()
    missing = tmp_path / "nowhere.db"
    assert_refused(cli("migrate", "--to", url, db=missing, now=None), str(missing))
    assert not missing.exists()
    assert rows_on(url) == {}  # not even migrated
    assert cli("migrate", "--to", url, db=clinic_file, now=None).code == 0


def test_mask_url_hides_only_the_password() -> None:
    assert mask_url("postgresql://ann:pw@h:5433/db") == "postgresql://ann:***@h:5433/db"
    assert mask_url("postgresql://ann@h/db") == "postgresql://ann@h/db"
