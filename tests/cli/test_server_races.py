"""Several workstations at once on one server (issue 16, "Races"): four processes run the
CLI at the same instant. They never double-book a chair, and every loser gets exit 2 with
the conflict named, in one line."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable

import psycopg

from tests.pg.checks import chair_overlaps as overlaps

from .conftest import Result
from .test_server_url import on

NOW = "2026-03-01T08:00"
PATIENTS = ("P1", "P2", "P3", "P4")
# Each child imports the CLI and opens nothing until ``go``, then runs one command.
CHILD = """
import sys, time
from tdm1_scheduler.cli.main import main
import tdm1_scheduler.store.postgres.pg_store, psycopg  # loaded before the start line
go, argv = float(sys.argv[1]), sys.argv[2:]
time.sleep(max(0.0, go - time.time()))
sys.exit(main(argv))
"""


def clinic_of_four(run: Callable[..., Result]) -> None:
    assert run("init", "--timezone", "America/New_York", "--chairs", "4").code == 0
    for number, mrn in enumerate(PATIENTS, start=1):
        assert run("patient", "add", "--mrn", mrn, "--name", f"Pat {mrn}", "--weight-kg", "70")
        started = run(
            "course", "start", "--mrn", mrn, "--setting", "MBC",
            "--first-dose", "2026-03-02T09:00", "--chair", f"Chair {number}",
        )  # fmt: skip
        assert started.code == 0, started.err


def race(url: str, commands: list[list[str]]) -> list[tuple[int, str]]:
    """Each command in its own process, all started at one instant: (exit code, stderr)."""
    go = time.time() + 3.0
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(go), "--db", url, "--now", NOW, *command],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for command in commands
    ]
    results = []
    for child in children:
        _, err = child.communicate(timeout=60)
        results.append((child.returncode, err.strip()))
    return results


def moves_audited(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'move appointment'"
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_four_workstations_moving_onto_one_chair_book_it_once(
    cli: Callable[..., Result], new_db: Callable[[], str]
) -> None:
    url = new_db()
    clinic_of_four(on(cli, url))
    before = moves_audited(url)
    onto_chair_1 = ["--to", "2026-03-24T10:00", "--chair", "Chair 1"]
    move = ["appointment", "move", "--cycle", "2", *onto_chair_1]
    results = race(url, [[*move, "--mrn", mrn] for mrn in PATIENTS])
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2, 2, 2], results
    for code, err in results:
        if code == 2:
            assert err.startswith("refused: ") and "\n" not in err, err
            assert "chair" in err, err  # the conflict is named
    assert overlaps(url) == 0
    assert moves_audited(url) == before + 1  # one move written, with its audit row


def test_four_workstations_moving_one_appointment_leave_one_booking(
    cli: Callable[..., Result], new_db: Callable[[], str]
) -> None:
    url = new_db()
    run = on(cli, url)
    clinic_of_four(run)
    before = moves_audited(url)
    targets = ["2026-03-24T10:00", "2026-03-24T12:00", "2026-03-25T10:00", "2026-03-25T12:00"]
    results = race(
        url,
        [["appointment", "move", "--mrn", "P1", "--cycle", "2", "--to", to] for to in targets],
    )
    assert all(code in (0, 2) for code, _ in results), results  # never a crash (exit 1)
    for code, err in results:
        if code == 2:
            assert err.startswith("refused: ") and "\n" not in err, err
    won = sum(1 for code, _ in results if code == 0)
    assert won >= 1
    assert moves_audited(url) == before + won
    shown = run("course", "show", "--mrn", "P1", "--json")
    assert shown.code == 0
    assert overlaps(url) == 0
