"""The bench's PostgreSQL server (issue 16): the generated clinic loaded through the real
``tdm1-scheduler migrate --to URL``, cached.

``loaded_server(history, log)`` starts a throwaway server (``tests/pg/server.py``'s
``PgServer``: ``initdb`` once, ``pg_ctl``, 127.0.0.1 on a free port; as root it runs as
the ``postgres`` user) whose database ``clinic`` holds the SQLite clinic ``history``:

- **cached**: the data folder of a server that loaded it before is copied (``cp -a``)
  from ``bench/.cache/pg-<clinic>-<schema>-l<load>-pg<major>/``. The key names the
  SQLite file (size, chairs, days, seed, generator version), the server schema (its
  last migration and a hash of every migration's SQL) and ``LOAD_VERSION``, so a change
  to any of them loads again;
- **migrated**: a fresh cluster, the owner role, an empty database, then ``python -m
  tdm1_scheduler --db HISTORY migrate --to URL`` (about 150 s on the 5-year clinic,
  with durability off while it loads). The server is then stopped cleanly (a
  checkpoint), its data folder copied into the cache, and started again.

The bench then runs the server with PostgreSQL's own defaults for durability
(``fsync``, ``synchronous_commit`` and ``full_page_writes`` on, ``shared_buffers``
128 MB), its data folder on disk (the temp directory, not ``/dev/shm``): a commit waits
for its WAL flush, as on a clinic's server. ``FAST`` (durability off, as the tests run)
is for the load only.

Roles: ``OWNER`` (``tdm1_owner``, owns the schema, runs ``migrate``) and one scheduler,
``SCHEDULER`` (``sam``), who makes the bench's moves and bookings, so the store checks a
real group's permission and the grants as a front desk would meet them.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.pg.server import SETTINGS, PgServer  # noqa: E402

OWNER = "tdm1_owner"
SCHEDULER = "sam"
CLINIC_DB = "clinic"
# PostgreSQL's defaults for durability: what a clinic's server runs with.
DURABLE = {
    **SETTINGS,
    "fsync": "on",
    "synchronous_commit": "on",
    "full_page_writes": "on",
    "shared_buffers": "128MB",
}
FAST = SETTINGS  # the tests' settings (no durability): the load only
# Bump when what ``migrate`` leaves on the server changes without a new migration
# (2: ``copy_clinic`` ANALYZEs the copied tables).
LOAD_VERSION = 2


def schema_key() -> str:
    """The server schema's last migration and a hash of every migration's SQL."""
    from tdm1_scheduler.store.postgres.migrations import MIGRATIONS

    digest = hashlib.sha256("".join(m.name + m.sql for m in MIGRATIONS).encode())
    return f"{MIGRATIONS[-1].name.split('_')[0]}-{digest.hexdigest()[:8]}"


class BenchServer(PgServer):
    """A ``PgServer`` on disk whose data folder starts as ``seed_data`` when given (a
    cached loaded cluster) instead of a fresh ``initdb``."""

    def __init__(self, seed_data: Path | None = None) -> None:
        super().__init__()
        # Move the folder from /dev/shm to the disk: a commit's WAL flush is real there.
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = Path(tempfile.mkdtemp(prefix="tdm1-bench-pg-"))
        self.data = self.folder / "data"
        self.socket_dir = self.folder
        self.log = self.folder / "server.log"
        if self.os_user is not None:
            import os

            os.chown(self.folder, self.os_user.pw_uid, self.os_user.pw_gid)
        self.seed_data = seed_data

    def _template(self) -> Path:
        return self.seed_data if self.seed_data is not None else super()._template()

    def restart(self, settings: dict[str, str]) -> None:
        """Stop cleanly (a checkpoint: the folder is whole) and start with ``settings``."""
        self.stop_cleanly()
        self.settings = settings
        self.resume()

    def stop_cleanly(self) -> None:
        self._run("pg_ctl", "stop", "-m", "fast", "-w", "-t", "120", "-D", str(self.data))
        self.pid = None

    def major(self) -> str:
        return self.bin_dir.parent.name  # /usr/lib/postgresql/15/bin -> "15"


def cache_folder(history: Path, major: str) -> Path:
    name = f"pg-{history.stem}-{schema_key()}-l{LOAD_VERSION}-pg{major}"
    return BENCH_DIR / ".cache" / name


def admin(server: PgServer) -> Any:
    import psycopg

    return psycopg.connect(server.url(), autocommit=True)


def make_roles(server: PgServer) -> None:
    """The owner (with its database ``clinic``) before the load; roles live in the
    cluster, so the cached folder keeps them."""
    with admin(server) as conn:
        conn.execute(f'CREATE ROLE "{OWNER}" LOGIN CREATEROLE NOSUPERUSER')
        conn.execute(f'CREATE DATABASE "{CLINIC_DB}" OWNER "{OWNER}"')


def make_scheduler(server: PgServer) -> None:
    """The scheduler's login role, once the load made the group roles."""
    with admin(server) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [SCHEDULER]).fetchone():
            conn.execute(f'CREATE ROLE "{SCHEDULER}" LOGIN IN ROLE scheduler')


def migrate(server: PgServer, history: Path, log: Callable[[str], None]) -> float:
    """``tdm1-scheduler --db HISTORY migrate --to URL``: its seconds (its output logged)."""
    url = server.url(CLINIC_DB, OWNER)
    command = [sys.executable, "-m", "tdm1_scheduler", "--db", str(history), "migrate", "--to", url]
    log(f"migrating: {' '.join(command[1:])}")
    began = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - began
    if result.returncode != 0:
        raise RuntimeError(f"migrate failed ({result.returncode}): {result.stderr.strip()}")
    for line in result.stdout.strip().splitlines()[-3:]:
        log(f"  migrate: {line}")
    return seconds


def loaded_server(history: Path, log: Callable[[str], None]) -> tuple[BenchServer, dict[str, Any]]:
    """A running server holding ``history`` in ``CLINIC_DB`` (module doc), and how it
    came to: ``{"loaded": "cached" | "migrated", "seconds": ..., "cache": ...}``."""
    probe = BenchServer()
    major = probe.major()
    probe.stop()
    cache = cache_folder(history, major)
    began = time.perf_counter()
    if (cache / "PG_VERSION").exists():
        log(f"server: copying the loaded cluster from {cache} (no migrate)")
        server = BenchServer(cache)
        server.settings = DURABLE
        server.start()
        how: dict[str, Any] = {"loaded": "cached", "cache": str(cache)}
    else:
        log(f"server: no cached cluster at {cache}: loading through migrate")
        server = BenchServer()
        server.settings = FAST
        server.start()
        make_roles(server)
        how = {"loaded": "migrated", "cache": str(cache)}
        how["migrate_seconds"] = round(migrate(server, history, log), 1)
        make_scheduler(server)
        server.stop_cleanly()
        partial = cache.with_name(cache.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        cache.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["cp", "-a", str(server.data), str(partial)], check=True)
        for leftover in ("postmaster.pid", "postmaster.opts"):
            (partial / leftover).unlink(missing_ok=True)
        partial.rename(cache)
        log(f"server: cached the loaded cluster in {cache}")
        server.settings = DURABLE
        server.resume()
    how["seconds"] = round(time.perf_counter() - began, 1)
    shown = ("fsync", "synchronous_commit", "shared_buffers")
    how["settings"] = {name: server.settings[name] for name in shown}
    how["data_folder"] = str(server.folder)
    return server, how


def new_empty_database(server: PgServer) -> str:
    """A new empty database owned by ``OWNER`` (the booking's empty-clinic floor)."""
    name = f"empty_{int(time.time() * 1000)}"
    with admin(server) as conn:
        conn.execute(f'CREATE DATABASE "{name}" OWNER "{OWNER}"')
    return name
