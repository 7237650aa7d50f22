"""The test's side of the three-workstation journey (test_three_workstations.py): a GUI
workstation process (``workstation.py``) to talk to, the commit clock, and readers that
turn the server's tables into plain tuples (straight SQL, not the app's services).

``CommitClock`` is a LISTEN of the test's own on the app's channel (``notify.CHANNEL``).
The server delivers a notification when the transaction that sent it commits, so the
moment it arrives here is the moment the commit became visible to every reader: the
"seen within" figures are measured from it (and from the writer's own note of its
COMMIT, when the writer is a GUI process: the earlier of the two).
"""

from __future__ import annotations

import contextlib
import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psycopg

from tdm1_scheduler.store.postgres.notify import CHANNEL
from tdm1_scheduler.store.postgres.pg_connection import WRITE_LOCK
from tests.cli.conftest import ROOT, subprocess_env

Json = dict[str, Any]
READY_S = 120.0  # a GUI process's start, on a busy machine: generous
ZONE = "America/New_York"


class Workstation:
    """One GUI process: ``ask`` sends a command and returns its answer; ``event`` the
    next event line (a watch's ``seen``)."""

    def __init__(self, name: str, url: str, now: str, person: str, folder: Path, **env: str):
        self.name = name
        home = folder / name
        home.mkdir(parents=True, exist_ok=True)
        self.log_path = folder / f"{name}.log"
        self._log = self.log_path.open("w")
        # A home of its own: the window's saved state is its own, never the user's.
        extra = {"QT_QPA_PLATFORM": "offscreen", "HOME": str(home),
                 "XDG_CONFIG_HOME": str(home / ".config"),
                 "TDM1_SCHEDULER_WINDOW_STATE": str(home / "window.ini"), **env}  # fmt: skip
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.journeys.workstation",
             "--db", url, "--now", now, "--user", person],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log,
            text=True, bufsize=1, cwd=ROOT, env=subprocess_env(**extra),
        )  # fmt: skip
        self._answers: queue.Queue[Json | None] = queue.Queue()
        self._events: queue.Queue[Json | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            found = json.loads(line)
            (self._events if "event" in found else self._answers).put(found)
        self._answers.put(None)
        self._events.put(None)

    def _take(self, lines: queue.Queue[Json | None], timeout: float) -> Json:
        try:
            found = lines.get(timeout=timeout)
        except queue.Empty:
            tail = self.log_tail()
            raise AssertionError(f"{self.name}: no answer in {timeout} s{tail}") from None
        if found is None:
            raise AssertionError(f"{self.name} ended ({self.process.poll()}){self.log_tail()}")
        return found

    def log_tail(self) -> str:
        self._log.flush()
        lines = self.log_path.read_text(errors="replace").splitlines()
        return "\n" + "\n".join(lines[-25:]) if lines else ""

    def ready(self, timeout: float = READY_S) -> Json:
        found = self._take(self._answers, timeout)
        assert found.get("ready"), found
        return found

    def send(self, do: str, **args: Any) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"do": do, **args}) + "\n")
        self.process.stdin.flush()

    def answer(self, timeout: float = 30.0) -> Json:
        found = self._take(self._answers, timeout)
        assert found["ok"], f"{self.name}: {found.get('trace') or found}"
        return found

    def ask(self, do: str, timeout: float = 30.0, **args: Any) -> Json:
        self.send(do, **args)
        return self.answer(timeout)

    def event(self, timeout: float = 45.0) -> Json:
        return self._take(self._events, timeout)

    def quit(self) -> None:
        """Ask the window to close, as a person closes it (``wait`` for the end)."""
        with contextlib.suppress(OSError, ValueError):
            self.send("quit")

    def wait(self) -> int | None:
        """The process's exit code; killed (None) if it hangs."""
        try:
            code = self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            code = None
        self._log.close()
        return code


class CommitClock:
    """When each commit was announced (module doc): ``(time.time(), payload)`` pairs."""

    def __init__(self, url: str) -> None:
        self.conn = psycopg.connect(url, autocommit=True)
        self.conn.execute(f"LISTEN {CHANNEL}")
        self.heard: list[tuple[float, Json]] = []
        self._stop = False
        self._thread = threading.Thread(target=self._listen, daemon=True)
        self._thread.start()

    def _listen(self) -> None:
        while not self._stop:
            for note in self.conn.notifies(timeout=0.2):
                self.heard.append((time.time(), json.loads(note.payload)))

    def mark(self) -> int:
        return len(self.heard)

    def first_after(self, mark: int, entity: str | None = None, timeout: float = 10.0) -> float:
        """The arrival of the first notification after ``mark`` (naming ``entity``, an
        audit row's entity such as "appointment", when given)."""
        deadline = time.monotonic() + timeout
        while True:
            for at, payload in self.heard[mark:]:
                if entity is None or payload.get("all") or entity in payload["changes"]:
                    return at
            assert time.monotonic() < deadline, f"no commit was announced ({entity})"
            time.sleep(0.005)

    def close(self) -> None:
        self._stop = True
        self._thread.join(timeout=5)
        self.conn.close()


class WriteGate:
    """The app's write lock (``WRITE_LOCK``, which every writer takes first), held by the
    test: writers queue behind it, each past every check it makes before writing, until
    ``open()``. So two workstations' writes are in flight at the same time."""

    def __init__(self, url: str) -> None:
        self.conn = psycopg.connect(url, autocommit=True)
        self.conn.execute("SELECT pg_advisory_lock(%s)", [WRITE_LOCK])

    def waiting(self) -> int:
        """How many other sessions wait for the write lock."""
        row = self.conn.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            " AND objid = %s AND database = (SELECT oid FROM pg_database"
            " WHERE datname = current_database())",
            [WRITE_LOCK],
        ).fetchone()
        return int(row[0]) if row else 0

    def wait_for(self, count: int, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while self.waiting() < count:
            assert time.monotonic() < deadline, f"{self.waiting()} writers waiting, not {count}"
            time.sleep(0.02)

    def open(self) -> None:
        self.conn.execute("SELECT pg_advisory_unlock(%s)", [WRITE_LOCK])
        self.conn.close()


# --- the server's tables as plain tuples ------------------------------------------------
Booking = tuple[str, int, str, str, str, str]
"""(mrn, cycle, chair, start HH:MM, end HH:MM, status), clinic wall time."""

DAY_BOOKINGS = """
    SELECT p.mrn, d.cycle, ch.name,
           to_char(a.start_utc AT TIME ZONE %(zone)s, 'HH24:MI'),
           to_char(a.end_utc AT TIME ZONE %(zone)s, 'HH24:MI'), a.status
    FROM appointments a
    JOIN doses d ON d.id = a.dose_id
    JOIN courses c ON c.id = d.course_id
    JOIN patients p ON p.id = c.patient_id
    JOIN chairs ch ON ch.id = a.chair_id
    WHERE (a.start_utc AT TIME ZONE %(zone)s)::date = %(day)s
    ORDER BY p.mrn, d.cycle, a.start_utc
"""


def day_bookings(url: str, day: str) -> list[Booking]:
    """Every appointment starting on ``day`` (YYYY-MM-DD), any status, by patient."""
    with psycopg.connect(url) as conn:
        found = conn.execute(DAY_BOOKINGS, {"zone": ZONE, "day": day}).fetchall()
    return [(str(m), int(c), str(ch), str(s), str(e), str(st)) for m, c, ch, s, e, st in found]


def everything(url: str) -> list[tuple[object, ...]]:
    """What a refused action must leave as it was: every appointment, dose, course and
    preparation, and the audit log's length."""
    with psycopg.connect(url) as conn:
        rows: list[tuple[object, ...]] = []
        for table in ("appointments", "doses", "courses", "preparations", "visits"):
            rows += conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
        rows += conn.execute("SELECT count(*) FROM audit_log").fetchall()
    return rows


def audit_people(url: str, since: int = 0) -> list[tuple[str, str]]:
    """(action, login) of each audit row after id ``since``."""
    with psycopg.connect(url) as conn:
        found = conn.execute(
            "SELECT action, db_user FROM audit_log WHERE id > %s ORDER BY id", [since]
        ).fetchall()
    return [(str(action), str(who)) for action, who in found]


def audit_head(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT COALESCE(MAX(id), 0) FROM audit_log").fetchone()
    return int(row[0]) if row else 0
