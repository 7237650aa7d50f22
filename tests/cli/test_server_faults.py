"""The server killed in the middle of a write (issue 16, "Faults"): nothing is
half-written, the client says so in one line, and the next command works once the server
is back."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import psycopg
import pytest

from tests.pg.server import PgServer
from tests.store.postgres.conftest import OWNER

from .conftest import Result

NOW = "2026-03-01T08:00"
# The child loads the CLI first, then runs one command from ``go`` on.
CHILD = """
import sys, time
from tdm1_scheduler.cli.main import main
import tdm1_scheduler.store.postgres.pg_store, psycopg
go, argv = float(sys.argv[1]), sys.argv[2:]
time.sleep(max(0.0, go - time.time()))
sys.exit(main(argv))
"""
# When, after the command starts, the server dies: before it connects, while it books
# the fourteen cycles, and after it is done.
KILL_AFTER_S = (0.0, 0.05, 0.12, 0.25, 0.5, 1.5)


@pytest.fixture
def own_server() -> Iterator[PgServer]:
    """A server of this test's own, durable (a commit is on disk before the client hears
    of it): it is killed and started again."""
    with PgServer(durable=True) as server:
        yield server


def counts(url: str) -> tuple[int, int, int]:
    """(courses, booked appointments, 'book course' audit rows) on the server."""
    with psycopg.connect(url) as conn:
        found = conn.execute(
            "SELECT (SELECT count(*) FROM courses),"
            " (SELECT count(*) FROM appointments WHERE status = 'booked'),"
            " (SELECT count(*) FROM audit_log WHERE action = 'book course')"
        ).fetchone()
    assert found is not None
    return int(found[0]), int(found[1]), int(found[2])


def test_a_server_killed_mid_write_leaves_all_or_nothing(
    cli: Callable[..., Result], own_server: PgServer
) -> None:
    name = own_server.new_database(OWNER)
    url = f"postgresql://{OWNER}@127.0.0.1:{own_server.port}/{name}"
    # A chair for every course, so each one fits at 09:00 whatever the kills cut off.
    chairs = str(len(KILL_AFTER_S))
    assert cli("init", "--timezone", "America/New_York", "--chairs", chairs, db=url).code == 0
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    outcomes, previous = [], 0
    for number, delay in enumerate(KILL_AFTER_S):
        mrn = f"K{number}"
        added = cli("patient", "add", "--mrn", mrn, "--name", f"Kay {number}", "--weight-kg",
                    "70", db=url)  # fmt: skip
        assert added.code == 0, added.err
        go = time.time() + 2.0
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(go), "--db", url, "--now", NOW, "course",
             "start", "--mrn", mrn, "--setting", "EBC", "--first-dose", "2026-03-02T09:00"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip
        time.sleep(max(0.0, go + delay - time.time()))
        own_server.kill()
        _, err = child.communicate(timeout=60)
        own_server.resume()
        outcomes.append(child.returncode)
        courses, booked, audited = counts(url)
        assert booked == 14 * courses and audited == courses, err  # whole courses only
        if child.returncode == 0:
            assert courses == previous + 1  # the whole course, with its audit row
        else:
            assert child.returncode == 1, err  # a failure, not a refusal nor a crash
            lines = err.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("error: "), err
            assert "Traceback" not in err
            assert courses in (previous, previous + 1), err  # committed or not: never a part
        previous = courses
        # The next command works once the server is back.
        listed = cli("chair", "list", "--json", db=url)
        assert listed.code == 0 and "Chair 3" in listed.out, listed.err
    assert 1 in outcomes, outcomes  # at least one write was cut off by the kill
