"""The server's audit log is append-only for everyone, and records who wrote each row as
the server knows them; the group roles get what the migrations grant (issue 16)."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg import errors

from tdm1_scheduler.store.postgres.migrations import (
    AUDIT_APPEND_ONLY,
    DATA_TABLES,
    GROUP_ROLES,
    GROUP_TABLES,
)
from tests.pg.server import SUPERUSER
from tests.store.postgres.conftest import OWNER, PEOPLE, Connect
from tests.store.postgres.seed import DAY, book, chair

AUDIT_ROW = (
    'INSERT INTO audit_log (at_utc, "user", action, entity, entity_id) '
    "VALUES (%s, %s, 'appointment move', 'appointment', 1) RETURNING id"
)


def audit(conn: psycopg.Connection[Any], app_user: str = "front desk") -> int:
    row = conn.execute(AUDIT_ROW, [DAY, app_user]).fetchone()
    assert row is not None
    return int(row[0])


def writer_of(conn: psycopg.Connection[Any], audit_id: int) -> tuple[str, str]:
    row = conn.execute('SELECT "user", db_user FROM audit_log WHERE id = %s', [audit_id])
    found = row.fetchone()
    assert found is not None
    return found[0], found[1]


def test_each_audit_row_records_the_server_user(clinic_db: str, connect: Connect) -> None:
    nurse = connect(clinic_db, "nina")
    written = audit(nurse, app_user="someone else")  # --user says anything it likes
    assert writer_of(nurse, written) == ("someone else", "nina")
    assert writer_of(nurse, audit(connect(clinic_db))) == ("front desk", OWNER)

    # Naming another writer is overruled, not stored.
    spoofed = nurse.execute(
        'INSERT INTO audit_log (at_utc, "user", action, entity, db_user) '
        "VALUES (%s, 'x', 'y', 'z', 'sam') RETURNING db_user", [DAY],
    ).fetchone()  # fmt: skip
    assert spoofed == ("nina",)


@pytest.mark.parametrize("person", sorted(PEOPLE))
def test_the_app_roles_may_not_change_the_audit_log(
    clinic_db: str, connect: Connect, person: str
) -> None:
    conn = connect(clinic_db, person)
    written = audit(conn)  # INSERT is granted
    assert conn.execute("SELECT count(*) FROM audit_log").fetchone() == (1,)  # and SELECT
    with pytest.raises(errors.InsufficientPrivilege, match="permission denied"):
        conn.execute("UPDATE audit_log SET action = 'nothing' WHERE id = %s", [written])
    with pytest.raises(errors.InsufficientPrivilege, match="permission denied"):
        conn.execute("DELETE FROM audit_log WHERE id = %s", [written])
    with pytest.raises(errors.InsufficientPrivilege, match="permission denied"):
        conn.execute("TRUNCATE audit_log")
    assert writer_of(conn, written) == ("front desk", person)  # untouched


def test_the_trigger_refuses_even_the_owner(clinic_db: str, connect: Connect) -> None:
    """The owner holds every privilege on its tables: the trigger still refuses it."""
    owner = connect(clinic_db)
    written = audit(owner)
    grants = owner.execute(
        "SELECT has_table_privilege('audit_log', 'UPDATE'), "
        "has_table_privilege('audit_log', 'DELETE')"
    ).fetchone()
    assert grants == (True, True)
    for statement in (
        "UPDATE audit_log SET action = 'nothing'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ):
        with pytest.raises(errors.InsufficientPrivilege, match=AUDIT_APPEND_ONLY):
            owner.execute(statement)
    assert writer_of(owner, written) == ("front desk", OWNER)
    superuser = connect(clinic_db, SUPERUSER)  # a superuser too (short of disabling it)
    with pytest.raises(errors.InsufficientPrivilege, match=AUDIT_APPEND_ONLY):
        superuser.execute("DELETE FROM audit_log")
    assert writer_of(superuser, audit(superuser)) == ("front desk", SUPERUSER)
    # What the trigger guards is the audit log alone: the owner's other writes go through.
    booking = book(owner, chair(owner, "Chair 1"), 9, 10)
    owner.execute("UPDATE appointments SET label = 'x' WHERE id = %s", [booking])
    owner.execute("DELETE FROM appointments WHERE id = %s", [booking])


def test_the_groups_read_everything_and_write_their_own_tables(
    clinic_db: str, connect: Connect
) -> None:
    conn = connect(clinic_db, "nina")
    tables = [
        name
        for (name,) in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        )
    ]
    assert set(tables) == {*DATA_TABLES, "audit_log", "schema_version"}
    privileges = {
        group: {
            table: conn.execute(
                "SELECT has_table_privilege(%s, %s, 'SELECT'), "
                "has_table_privilege(%s, %s, 'INSERT, UPDATE, DELETE')",
                [group, table, group, table],
            ).fetchone()
            for table in tables
        }
        for group in GROUP_ROLES
    }
    for group in GROUP_ROLES:
        for table in DATA_TABLES:
            writes = table in GROUP_TABLES[group]
            assert privileges[group][table] == (True, writes), (group, table)
        assert privileges[group]["schema_version"] == (True, False)
    assert {t for group in GROUP_ROLES for t in GROUP_TABLES[group]} == set(DATA_TABLES)
    # Through the grants, as a person: the nurse books and edits a slot.
    booking = book(conn, chair(connect(clinic_db), "Chair 1"), 9, 10)
    conn.execute("UPDATE appointments SET label = 'x' WHERE id = %s", [booking])
    with pytest.raises(errors.InsufficientPrivilege):
        conn.execute("INSERT INTO schema_version (name) VALUES ('p999')")


def test_only_the_owner_changes_the_schema(clinic_db: str, connect: Connect) -> None:
    connect(clinic_db).execute("CREATE TABLE owner_scratch (id integer)")  # the owner may
    for person in PEOPLE:
        with pytest.raises(errors.InsufficientPrivilege):
            connect(clinic_db, person).execute("CREATE TABLE scratch (id integer)")
        with pytest.raises(errors.InsufficientPrivilege):
            connect(clinic_db, person).execute("ALTER TABLE audit_log DISABLE TRIGGER ALL")
