"""Each person at the command line does only their group's work (issue 16, "Roles"): a
nurse's `appointment move` and a scheduler's `prep dilute` are refused with exit 2,
naming the person, the group and the action, and change nothing; the same commands by
the group whose work they are succeed."""

from __future__ import annotations

from collections.abc import Callable

import psycopg

from tests.pg.server import PgServer
from tests.store.postgres.conftest import OWNER, ensure_role

from .conftest import Result

STAFF = {"nurse.kim": "nurse", "sam.sched": "scheduler", "pat.pharm": "pharmacist"}


def table_rows(url: str) -> list[tuple[object, ...]]:
    """Every appointment and preparation, and the audit log's length."""
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT * FROM appointments ORDER BY id").fetchall()
        rows += conn.execute("SELECT * FROM preparations ORDER BY id").fetchall()
        rows += conn.execute("SELECT count(*) FROM audit_log").fetchall()
    return rows


def test_each_person_runs_only_their_groups_commands(
    cli: Callable[..., Result], pg_server: PgServer
) -> None:
    name = pg_server.new_database(OWNER)
    owner = pg_server.url(name, OWNER)
    assert cli("init", "--timezone", "America/New_York", "--chairs", "2", db=owner).code == 0
    with psycopg.connect(pg_server.url(), autocommit=True) as admin:  # groups made by init
        for person, group in STAFF.items():
            ensure_role(admin, person, f'LOGIN IN ROLE "{group}"')
    url = {person: pg_server.url(name, person) for person in STAFF}

    def as_(person: str, *argv: str) -> Result:
        return cli(*argv, db=url[person], user="someone")  # type: ignore[arg-type]

    assert as_("sam.sched", "patient", "add", "--mrn", "P1", "--name", "Pat", "--weight-kg",
               "70").code == 0  # fmt: skip
    booked = as_("sam.sched", "course", "start", "--mrn", "P1", "--setting", "EBC",
                 "--first-dose", "2026-03-02T09:00")  # fmt: skip
    assert booked.code == 0, booked.err
    move = ("appointment", "move", "--mrn", "P1", "--cycle", "2", "--to", "2026-03-24T10:00")

    before = table_rows(url["sam.sched"])
    refused = as_("nurse.kim", *move)
    assert refused.code == 2
    assert refused.err == "refused: nurse.kim (nurse) may not run appointment move\n"
    assert table_rows(url["sam.sched"]) == before  # nothing written
    moved = as_("sam.sched", *move)  # the scheduler's work: allowed
    assert moved.code == 0, moved.err

    made = as_("pat.pharm", "prep", "reconstitute", "--mrn", "P1", "--cycle", "1", "--at",
               "2026-03-02T07:30", "--lot", "L1")  # fmt: skip
    assert made.code == 0, made.err
    before = table_rows(url["sam.sched"])
    dilute = ("prep", "dilute", "--mrn", "P1", "--cycle", "1", "--at", "2026-03-02T08:00")
    refused = as_("sam.sched", *dilute)
    assert refused.code == 2
    assert refused.err == "refused: sam.sched (scheduler) may not run prep dilute\n"
    assert table_rows(url["sam.sched"]) == before
    diluted = as_("pat.pharm", *dilute)  # the pharmacist's work: allowed
    assert diluted.code == 0, diluted.err

    with psycopg.connect(url["sam.sched"]) as conn:  # the login, whatever --user says
        people = conn.execute(
            "SELECT action, db_user FROM audit_log WHERE action IN"
            " ('move appointment', 'record dilution') ORDER BY id"
        ).fetchall()
    assert people == [("move appointment", "sam.sched"), ("record dilution", "pat.pharm")]
