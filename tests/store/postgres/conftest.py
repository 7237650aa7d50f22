"""Databases on the throwaway server (``pg_server``): each test gets its own, owned by a
login role that is not a superuser and migrated by it, as a clinic's would be."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest

from tdm1_scheduler.store.postgres.migrations import GROUP_ROLES
from tdm1_scheduler.store.postgres.pg_store import PgStore
from tdm1_scheduler.store.postgres.runner import apply_pending
from tests.pg.server import PgServer
from tests.store import backends

OWNER = "tdm1_owner"  # runs the migrations, owns the schema; CREATEROLE for the groups
# One login role per person, each a member of one group role.
PEOPLE = {"nina": "nurse", "sam": "scheduler", "phil": "pharmacist"}

Connect = Callable[..., "psycopg.Connection[Any]"]


def ensure_role(admin: psycopg.Connection[Any], name: str, options: str) -> None:
    if not admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name]).fetchone():
        admin.execute(f'CREATE ROLE "{name}" {options}')


@pytest.fixture(scope="session")
def pg_admin(pg_server: PgServer) -> Iterator[psycopg.Connection[Any]]:
    """The server's superuser (autocommit): makes roles and databases, nothing else."""
    with psycopg.connect(pg_server.url(), autocommit=True) as admin:
        ensure_role(admin, OWNER, "LOGIN CREATEROLE NOSUPERUSER")
        yield admin


@pytest.fixture
def empty_db(pg_server: PgServer, pg_admin: psycopg.Connection[Any]) -> str:
    """A new, empty database owned by ``OWNER``; its name."""
    name = f"clinic_{uuid.uuid4().hex[:12]}"
    pg_admin.execute(f'CREATE DATABASE "{name}" OWNER "{OWNER}"')
    return name


@pytest.fixture
def connect(pg_server: PgServer) -> Iterator[Connect]:
    """``connect(dbname, user=OWNER)``: an autocommit connection, closed after the test."""
    opened: list[psycopg.Connection[Any]] = []

    def open_one(dbname: str, user: str = OWNER) -> psycopg.Connection[Any]:
        conn = psycopg.connect(pg_server.url(dbname, user), autocommit=True)
        opened.append(conn)
        return conn

    yield open_one
    for conn in opened:
        conn.close()


@pytest.fixture
def clinic_db(empty_db: str, connect: Connect, pg_admin: psycopg.Connection[Any]) -> str:
    """``empty_db`` with every server migration applied by the owner, and the people's
    login roles in their groups."""
    apply_pending(connect(empty_db))
    for person, group in PEOPLE.items():
        assert group in GROUP_ROLES
        ensure_role(pg_admin, person, f'LOGIN IN ROLE "{group}"')
    return empty_db


@pytest.fixture
def pg() -> Iterator[PgStore]:
    """A store on a new server database: a UTC clinic "C" with Chair 1 and Chair 2."""
    store = backends.open_store("postgres")
    assert isinstance(store, PgStore)
    with store.transaction() as tx:
        tx.insert_clinic(name="C", timezone="UTC")
        tx.insert_chair("Chair 1")
        tx.insert_chair("Chair 2")
    yield store
    backends.close_store(store)
