"""A refused permission in the window (issue 16, "who may do what"): a nurse's login
dragging a booking on the planner is told, in the status bar, who she is, her group and
the action, in the CLI's words ("nina (nurse) may not run appointment move"); the server
database is unchanged (no booking moved, no audit row)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.gui.main_window import MainWindow
from tdm1_scheduler.gui.planner.page import Planner
from tdm1_scheduler.services import courses
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.store.access import PermissionRefused
from tdm1_scheduler.store.postgres.pg_store import PgStore, open_pg_store
from tests.pg.server import PgServer
from tests.store.postgres.conftest import OWNER, ensure_role

from .conftest import DEMO_NOW, OFFSCREEN_NOISE
from .server_clinic import demo_on_server
from .test_planner import BUSY_DAY, FIRST_INFUSION_MRN, ConfirmRecorder, block_of, drag, local

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

NURSE = "nina"


@pytest.fixture(scope="module")
def clinic_db(pg_server: PgServer, demo_template: Path) -> str:
    name = demo_on_server(pg_server, demo_template)
    with psycopg.connect(pg_server.url(), autocommit=True) as admin:
        ensure_role(admin, NURSE, 'LOGIN IN ROLE "nurse"')
    return name


def snapshot(server: PgServer, name: str) -> tuple[Any, ...]:
    """The bookings and the audit log, as the owner reads them."""
    with psycopg.connect(server.url(name, OWNER)) as owner:
        bookings = owner.execute("SELECT * FROM appointments ORDER BY id").fetchall()
        audit = owner.execute("SELECT COUNT(*), MAX(id) FROM audit_log").fetchone()
    return tuple(bookings), audit


@pytest.fixture
def nurse_window(qtbot: Any, pg_server: PgServer, clinic_db: str) -> Iterator[MainWindow]:
    store = open_pg_store(pg_server.url(clinic_db, NURSE), migrate=False)
    window = MainWindow(Context(store, FixedClock(DEMO_NOW), NURSE))
    qtbot.addWidget(window)
    window.resize(1400, 1000)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()
    qtbot.wait(20)  # what the window queued runs on the open store
    store.close()


def test_a_nurse_s_drag_on_the_planner_is_refused_naming_her_role_and_the_action(
    nurse_window: MainWindow, pg_server: PgServer, clinic_db: str
) -> None:
    store = nurse_window.ctx.store
    assert isinstance(store, PgStore) and store.session().login == NURSE
    planner = nurse_window.features["planner"]
    assert isinstance(planner, Planner)
    planner.confirm = ConfirmRecorder()
    nurse_window.pages.setCurrentWidget(planner)
    planner.reload(force=True)
    before = snapshot(pg_server, clinic_db)
    hints: list[str] = []
    planner.view.sig_hint_changed.connect(hints.append)
    block = block_of(planner, FIRST_INFUSION_MRN)
    drag(planner, block, lane=8, start=local(planner, BUSY_DAY, 10, 30))  # Chair 9: free

    refusal = f"{NURSE} (nurse) may not run appointment move"  # the CLI's words, after "refused: "
    message = nurse_window.statusBar().currentMessage()
    assert refusal in message, message
    # "Not moved: cycle 1 of Quinn Dimitrova (MRN100207) to Chair 9 Wed 18 Nov 10:30: " ...
    assert message.startswith("Not moved: cycle 1 of ") and FIRST_INFUSION_MRN in message
    assert any(refusal in hint for hint in hints), hints  # said while dragging, too
    assert nurse_window.undo_stack.count() == 0
    assert snapshot(pg_server, clinic_db) == before  # nothing moved, no audit row
    # Past the drag's preview, the commit itself is refused in the same words.
    with pytest.raises(PermissionRefused) as refused:
        courses.move_appointment(
            nurse_window.ctx, mrn=FIRST_INFUSION_MRN, cycle=1,
            to=local(planner, BUSY_DAY, 10, 30), chair="Chair 9",
        )  # fmt: skip
    assert str(refused.value) == refusal
    assert snapshot(pg_server, clinic_db) == before
