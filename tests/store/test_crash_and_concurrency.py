"""A writer SIGKILLed at random moments loses nothing it reported committed; two
processes racing for the same chairs never double-book one."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from .conftest import build_clinic, child_env

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX"),
]

# Books 5-minute blocked slots, one per transaction, keys k0, k1, ... in order; prints
# each key only after its commit returned. Starts after the highest key on file.
CRASH_CHILD = textwrap.dedent(
    """
    import sys
    from datetime import date, datetime, time, timedelta
    from dateutil import tz
    from tdm1_scheduler.clock import FixedClock
    from tdm1_scheduler.services.context import Context
    from tdm1_scheduler.services.courses import book_blocked_time
    from tdm1_scheduler.store.database import open_database
    from tdm1_scheduler.store.sqlite_store import SqliteStore

    zone = tz.gettz("America/New_York")
    db = open_database(sys.argv[1])
    ctx = Context(SqliteStore(db), FixedClock(datetime(2026, 3, 1, 8, tzinfo=zone)), "crash-child")
    row = db.execute(
        "SELECT MAX(CAST(substr(label, 2) AS INTEGER)) FROM appointments WHERE kind = 'blocked'"
    ).fetchone()
    key = 0 if row[0] is None else row[0] + 1
    days = [date(2026, 3, 2) + timedelta(days=n) for n in range(400)]
    days = [d for d in days if d.weekday() < 5]
    print("ready", flush=True)
    while True:
        chair, slot = key % 4, key // 4
        day, minute = days[slot // 108], (slot % 108) * 5
        start = datetime.combine(day, time(8), tzinfo=zone) + timedelta(minutes=minute)
        book_blocked_time(ctx, chair=f"Chair {chair + 1}", start=start, minutes=5,
                          label=f"k{key}")
        print(f"k{key}", flush=True)
        key += 1
    """
)


def test_sigkill_at_random_moments_loses_no_committed_booking(tmp_path: Path):
    path = build_clinic(tmp_path / "crash.db", with_course=False)
    script = tmp_path / "child.py"
    script.write_text(CRASH_CHILD)
    rng = random.Random(20260301)
    reported: list[str] = []
    deadline = time.monotonic() + 50
    rounds = 0
    while rounds < 15 and time.monotonic() < deadline:
        child = subprocess.Popen(
            [sys.executable, str(script), str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=child_env(),
        )
        assert child.stdout is not None
        first = child.stdout.readline()
        assert first == "ready\n", child.stderr.read() if child.stderr else first
        time.sleep(rng.uniform(0.02, 0.35))
        child.send_signal(signal.SIGKILL)
        out, err = child.communicate(timeout=30)
        assert child.returncode == -signal.SIGKILL, err
        lines = out.split("\n")
        reported += [line for line in lines[:-1] if line]  # the last piece may be cut off
        rounds += 1
    assert rounds >= 10
    assert len(reported) > 20
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        present = {
            row[0]
            for row in conn.execute(
                "SELECT label FROM appointments WHERE kind = 'blocked' AND status = 'booked'"
            )
        }
        missing = [key for key in reported if key not in present]
        assert missing == []
        keys = sorted(int(label[1:]) for label in present)
        assert keys == list(range(len(keys)))  # one transaction each: no holes
        audited = conn.execute(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'block chair time'"
        ).fetchone()[0]
        assert audited == len(present)
    finally:
        conn.close()


# Tries to book blocked time at random overlapping places in two chairs; prints one
# line per attempt: "ok <id>" or "refused <kind>: <message>".
RACE_CHILD = textwrap.dedent(
    """
    import random, sys, time
    from datetime import datetime, timedelta
    from dateutil import tz
    from tdm1_scheduler.clock import FixedClock
    from tdm1_scheduler.domain.errors import DomainError
    from tdm1_scheduler.services.context import Context
    from tdm1_scheduler.services.courses import book_blocked_time
    from tdm1_scheduler.store.database import ConflictError, StoreError, open_database
    from tdm1_scheduler.store.sqlite_store import SqliteStore

    path, seed, attempts, go = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    zone = tz.gettz("America/New_York")
    db = open_database(path)
    ctx = Context(SqliteStore(db), FixedClock(datetime(2026, 3, 1, 8, tzinfo=zone)), f"racer{seed}")
    rng = random.Random(seed)
    while time.time() < go:
        time.sleep(0.001)
    for n in range(attempts):
        day = datetime(2026, 3, 2 + rng.randrange(2), 8, tzinfo=zone)
        start = day + timedelta(minutes=5 * rng.randrange(0, 90))
        chair = f"Chair {rng.randrange(2) + 1}"
        try:
            changes = book_blocked_time(ctx, chair=chair, start=start,
                                        minutes=rng.choice([10, 15, 25]), label=f"r{seed}-{n}")
        except (DomainError, ConflictError) as error:
            print(f"refused {type(error).__name__}: {error}", flush=True)
        except StoreError as error:
            if "locked" not in str(error):
                raise
            print(f"refused StoreError: {error}", flush=True)
        else:
            print(f"ok {min(changes.appointments)}", flush=True)
    """
)


def test_two_processes_racing_for_chairs_never_double_book(tmp_path: Path):
    path = build_clinic(tmp_path / "race.db", chairs=2, with_course=False)
    script = tmp_path / "racer.py"
    script.write_text(RACE_CHILD)
    go = time.time() + 2.0
    attempts = 200
    racers = [
        subprocess.Popen(
            [sys.executable, str(script), str(path), str(seed), str(attempts), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=child_env(),
        )
        for seed in (1, 2)
    ]
    outputs = []
    for racer in racers:
        out, err = racer.communicate(timeout=55)
        assert racer.returncode == 0, err
        outputs.append(out.splitlines())
    lines = [line for out in outputs for line in out]
    assert len(lines) == 2 * attempts  # every attempt answered
    ok_ids = [int(line.split()[1]) for line in lines if line.startswith("ok ")]
    refused = [line for line in lines if line.startswith("refused ")]
    assert len(ok_ids) + len(refused) == len(lines)
    assert ok_ids and refused
    assert all(": " in line for line in refused)  # field: rule
    assert all(any(line.startswith("ok ") for line in out) for out in outputs)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        overlaps = conn.execute(
            """
            SELECT COUNT(*) FROM appointments a JOIN appointments b
              ON a.chair_id = b.chair_id AND a.id < b.id
             AND a.status IN ('booked', 'given') AND b.status IN ('booked', 'given')
             AND a.start_utc < b.end_utc AND b.start_utc < a.end_utc
            """
        ).fetchone()[0]
        assert overlaps == 0
        rows = {row[0] for row in conn.execute("SELECT id FROM appointments")}
        assert rows == set(ok_ids)
        audited = conn.execute(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'block chair time'"
        ).fetchone()[0]
        assert audited == len(ok_ids)
    finally:
        conn.close()
