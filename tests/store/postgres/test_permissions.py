"""Who may do what on the server (issue 16): each person's login role is a member of one
group; the store refuses a service the person's group may not run before it writes
anything (``PermissionRefused``, a refusal: exit 2), and the server's grants refuse a
direct write outside the group's tables. On SQLite everything stays allowed."""

from __future__ import annotations

import ast
import io
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import errors

from tdm1_scheduler.cli.common import EXIT_REFUSED
from tdm1_scheduler.cli.main import refused as cli_refused
from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.services import clinic, courses, nurse, patients, pharmacy
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.services.permissions import SERVICES
from tdm1_scheduler.store.access import PermissionRefused
from tdm1_scheduler.store.postgres.pg_store import PgStore, open_pg_store
from tests.pg.server import PgServer
from tests.services.conftest import ZONE_NAME, local
from tests.services.test_store_seam import scenario
from tests.store import backends
from tests.store.postgres.conftest import OWNER, Connect, ensure_role

FIRST = "2026-03-02T09:00"  # a Monday
STAFF = {"nurse.kim": "nurse", "sam.sched": "scheduler", "pat.pharm": "pharmacist"}
SERVICES_DIR = Path(__file__).parents[3] / "tdm1_scheduler" / "services"


@pytest.fixture
def clinic_url(
    pg_server: PgServer, clinic_db: str, pg_admin: psycopg.Connection[Any]
) -> Iterator[dict[str, str]]:
    """A clinic set up by the owner (3 chairs, P1 on a 14-cycle EBC course, cycle 1's
    bag reconstituted), and each person's URL on it (the owner's under ``OWNER``)."""
    for person, group in STAFF.items():
        ensure_role(pg_admin, person, f'LOGIN IN ROLE "{group}"')
    urls = {person: pg_server.url(clinic_db, person) for person in (*STAFF, OWNER)}
    with opened(urls[OWNER]) as ctx:
        clinic.init_clinic(ctx, timezone=ZONE_NAME, chairs=3)
        patients.add_patient(ctx, mrn="P1", name="Pat One", weight_kg=70)
        courses.book_course(ctx, mrn="P1", setting="EBC", first_dose=local(FIRST))
    yield urls


class opened:
    """``with opened(url, user) as ctx``: a context on a PgStore, closed after."""

    def __init__(self, url: str, user: str = "front desk") -> None:
        self.store: PgStore = open_pg_store(url)
        self.ctx = Context.over(self.store, FixedClock(local("2026-03-02T07:00")), user)

    def __enter__(self) -> Context:
        return self.ctx

    def __exit__(self, *exc: object) -> None:
        self.store.close()


def refused_line(error: Exception) -> str:
    """What the CLI prints for a refusal (cli.main.refused, exit 2)."""
    err = io.StringIO()
    with redirect_stderr(err):
        assert cli_refused(error) == EXIT_REFUSED
    return err.getvalue().strip()


def snapshot(store: Any) -> str:
    return backends.dump(store)


def test_a_nurse_may_not_move_the_scheduler_may(clinic_url: dict[str, str]) -> None:
    to = local("2026-03-24T13:00")
    with opened(clinic_url["nurse.kim"]) as ctx:
        before = snapshot(ctx.store)
        with pytest.raises(PermissionRefused) as refused:
            courses.move_appointment(ctx, mrn="P1", cycle=2, to=to)
        assert isinstance(refused.value, DomainError)  # the CLI's exit 2, as it prints it:
        assert (
            refused_line(refused.value) == "refused: nurse.kim (nurse) may not run appointment move"
        )
        assert snapshot(ctx.store) == before
    with opened(clinic_url["sam.sched"]) as ctx:
        moved = courses.move_appointment(ctx, mrn="P1", cycle=2, to=to)
        assert moved.moves[0].new_start == to


def test_a_scheduler_may_not_dilute_the_pharmacist_may(clinic_url: dict[str, str]) -> None:
    with opened(clinic_url["pat.pharm"]) as ctx:
        pharmacy.record_reconstitution(ctx, mrn="P1", cycle=1, at=local("2026-03-02T07:30"))
    dilute: dict[str, Any] = {"mrn": "P1", "cycle": 1, "at": local("2026-03-02T08:00")}
    with opened(clinic_url["sam.sched"]) as ctx:
        before = snapshot(ctx.store)
        with pytest.raises(PermissionRefused, match=r"^sam\.sched \(scheduler\) "
                           "may not run prep dilute$"):  # fmt: skip
            pharmacy.record_dilution(ctx, **dilute)
        assert snapshot(ctx.store) == before
    with opened(clinic_url["pat.pharm"]) as ctx:
        assert pharmacy.record_dilution(ctx, **dilute).preparations


def test_a_nurses_dose_given_re_times_the_later_bookings(clinic_url: dict[str, str]) -> None:
    """The grants are the union of what a group's services write: dose given writes the
    dose, its bag and the later cycles' bookings."""
    with opened(clinic_url["pat.pharm"]) as ctx:
        pharmacy.record_reconstitution(ctx, mrn="P1", cycle=1, at=local("2026-03-03T07:30"))
        pharmacy.record_dilution(ctx, mrn="P1", cycle=1, at=local("2026-03-03T08:00"))
    late = local(FIRST) + timedelta(days=1)
    with opened(clinic_url["nurse.kim"], user="someone else") as ctx:
        given = courses.record_dose_given(ctx, mrn="P1", cycle=1, given_at=late)
        assert given.later_moves  # the later cycles re-anchored on the late dose
        entries = ctx.store.audit_entries(5)
    # The audit row carries the login role, whatever --user (ctx.user) says.
    conn = psycopg.connect(clinic_url[OWNER], autocommit=True)
    with conn:
        row = conn.execute(
            'SELECT "user", db_user FROM audit_log WHERE id = %s', [entries[0].id]
        ).fetchone()
    assert row == ("someone else", "nurse.kim")


def test_the_server_refuses_a_write_outside_the_grants(
    clinic_url: dict[str, str], clinic_db: str, connect: Connect
) -> None:
    """Not only the app: a person's direct UPDATE of a table outside their group's."""
    refused = {
        "pat.pharm": "UPDATE appointments SET label = 'x'",
        "nurse.kim": "UPDATE clinic SET name = 'x'",
        "sam.sched": "DELETE FROM visits",
    }
    for person, statement in refused.items():
        with pytest.raises(errors.InsufficientPrivilege, match="permission denied"):
            connect(clinic_db, person).execute(statement)
    connect(clinic_db, "sam.sched").execute("UPDATE clinic SET name = 'x'")  # its own
    connect(clinic_db, "nurse.kim").execute("UPDATE appointments SET label = 'x'")


def test_each_group_does_its_own_work_through_its_grants(
    pg_server: PgServer, clinic_db: str, pg_admin: psycopg.Connection[Any]
) -> None:
    """The grants cover what each group's services write: the scheduler's bookings
    (book, preview, move, missed, blocked time, undo, redo), the pharmacist's bag, and a
    whole chair visit by the nurse (its end re-plans the later cycles)."""
    for person, group in STAFF.items():
        ensure_role(pg_admin, person, f'LOGIN IN ROLE "{group}"')
    with opened(pg_server.url(clinic_db, "sam.sched")) as ctx:
        assert scenario(ctx)
        patients.add_patient(ctx, mrn="P3", name="Pat Three", weight_kg=60)
        courses.book_course(ctx, mrn="P3", setting="EBC", first_dose=local(FIRST), chair="Chair 3")
    with opened(pg_server.url(clinic_db, "pat.pharm")) as ctx:
        pharmacy.record_reconstitution(ctx, mrn="P3", cycle=1, at=local("2026-03-02T07:30"))
        pharmacy.record_dilution(ctx, mrn="P3", cycle=1, at=local("2026-03-02T08:00"))
    with opened(pg_server.url(clinic_db, "nurse.kim")) as ctx:
        booked = ctx.store.booked_from(local(FIRST))
        booking = next(view.appointment.id for view in booked if view.mrn == "P3")
        clock = ctx.clock
        assert isinstance(clock, FixedClock)
        steps: list[tuple[str, Callable[..., Any], dict[str, Any]]] = [
            ("09:02", nurse.arrive, {}),
            ("09:16", nurse.start_infusion, {}),
            ("10:00", nurse.record_reaction, {"grade": 1, "action": "slowed", "symptoms": "x"}),
            ("11:00", nurse.end_infusion, {}),
            ("11:05", nurse.acknowledge_alert, {"kind": "observation_complete"}),
            ("12:35", nurse.end_observation, {}),
            ("12:40", nurse.discharge, {}),
        ]
        for wall, step, options in steps:
            clock.current = local(f"2026-03-02T{wall}")
            step(ctx, appointment_id=booking, **options)


def test_sqlite_allows_everything() -> None:
    store = backends.open_store("sqlite")
    ctx = Context.over(store, FixedClock(local("2026-03-02T07:00")), "nurse.kim")
    clinic.init_clinic(ctx, timezone=ZONE_NAME, chairs=3)
    patients.add_patient(ctx, mrn="P1", name="Pat One", weight_kg=70)
    courses.book_course(ctx, mrn="P1", setting="EBC", first_dose=local(FIRST))
    courses.move_appointment(ctx, mrn="P1", cycle=2, to=local("2026-03-24T13:00"))
    backends.close_store(store)


def test_every_writing_service_declares_its_groups() -> None:
    """Each public service function that opens a transaction is in the table."""
    missing = []
    for path in sorted(SERVICES_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            key = f"{path.stem}.{node.name}"
            writes = "transaction()" in ast.unparse(node) and path.stem != "preview"
            if writes and key not in SERVICES:
                missing.append(key)
    assert missing == []
