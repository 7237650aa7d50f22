"""A throwaway PostgreSQL server for the tests (issue 16).

``initdb`` and ``pg_ctl`` from the installed PostgreSQL (``/usr/lib/postgresql/*/bin``,
or ``PATH``) make a cluster in a temporary folder that listens on 127.0.0.1 only, on a
free port, with its unix socket in that folder. Durability is off (``fsync``,
``synchronous_commit``, ``full_page_writes``): a test server never outlives its run.
``stop()`` ends it with ``pg_ctl stop -m immediate`` and removes the folder.
``initdb`` runs once per machine and options: its output is kept in memory or the temp directory
(``tdm1-pg-initdb-*``, never started) and copied for each server, which saves seconds.

The server refuses to run as root. When the tests run as root, ``initdb`` and
``pg_ctl`` run as an unprivileged user instead: the Debian package's ``postgres`` user
if it exists, else one made with ``useradd --system``. The folder is chowned to it.
Authentication is ``trust`` (nothing but this machine can reach the port), except for
the login roles ``require_password`` gives a password: a ``scram-sha-256`` line for each
comes before the trust lines (then ``pg_reload_conf()``), so the login dialog's tests
meet a server that asks, on the same shared server, at no cost to the others.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pwd  # POSIX only: imported where used, so this module loads anywhere

SUPERUSER = "postgres"  # the cluster's bootstrap superuser (initdb -U)
FALLBACK_OS_USER = "tdm1-postgres"  # made with useradd when there is no ``postgres`` user
# Settings for a disposable server: no durability, few resources, quiet log.
SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "40",
    "shared_buffers": "16MB",
    "max_wal_senders": "0",
    "wal_level": "minimal",
    "log_min_messages": "warning",
}


INITDB_OPTIONS = (
    "-U", SUPERUSER, "--auth=trust", "--no-sync", "--encoding=UTF8", "--locale=C",
    "--no-instructions",
)  # fmt: skip


def base_dir() -> str:
    """Where the servers' folders go: memory (``/dev/shm``) where there is one, since
    nothing here need survive, else the temp directory."""
    shm = "/dev/shm"
    usable = os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK)
    return shm if usable else tempfile.gettempdir()


class PgServerError(RuntimeError):
    """The server could not be found, made or started (one clear line)."""


def find_bin_dir() -> Path | None:
    """The folder holding ``pg_ctl`` and ``initdb``: the newest PostgreSQL, else PATH."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0,
    )
    if candidates:
        return Path(candidates[-1]).parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_os_user() -> pwd.struct_passwd | None:
    """As root, the unprivileged user the server runs as (made if missing); else None."""
    if os.name != "posix" or os.geteuid() != 0:
        return None
    import pwd

    for name in ("postgres", FALLBACK_OS_USER):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
         FALLBACK_OS_USER],
        check=True, capture_output=True,
    )  # fmt: skip
    return pwd.getpwnam(FALLBACK_OS_USER)


class PgServer:
    """One cluster in its own temporary folder; ``start()``, then ``stop()`` (idempotent)."""

    def __init__(self, bin_dir: Path | None = None, *, durable: bool = False) -> None:
        """``durable``: a commit is written out before the client hears of it
        (``synchronous_commit=on``), for tests that kill the server."""
        self.settings = {**SETTINGS, "synchronous_commit": "on"} if durable else SETTINGS
        found = bin_dir or find_bin_dir()
        if found is None:
            raise PgServerError(
                "PostgreSQL's pg_ctl was not found (install the Debian package "
                "'postgresql', or run the tests with: python3 dev.py test)"
            )
        self.bin_dir = found
        self.os_user = server_os_user()
        self.folder = Path(tempfile.mkdtemp(prefix="tdm1-pg-", dir=base_dir()))
        self.data = self.folder / "data"
        self.socket_dir = self.folder  # the unix socket lives in the temp folder too
        self.log = self.folder / "server.log"
        self.port = 0
        self.pid: int | None = None
        if self.os_user is not None:
            os.chown(self.folder, self.os_user.pw_uid, self.os_user.pw_gid)
        atexit.register(self.stop)  # a session that dies still leaves nothing behind

    # --- running the server's tools ---------------------------------------------------
    def _run(self, tool: str, *args: str, timeout: float = 60) -> None:
        command = [str(self.bin_dir / tool) if tool != "cp" else "cp", *args]
        user = self.os_user
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            user=user.pw_uid if user else None,
            group=user.pw_gid if user else None,
            extra_groups=[] if user else None,
            cwd=self.folder,
            env={**os.environ, "HOME": str(self.folder), "LC_ALL": "C", "TZ": "UTC"},
        )
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()
            raise PgServerError(f"{tool} failed: {detail[-1] if detail else result.returncode}")

    def start(self, attempts: int = 3) -> PgServer:
        self._run("cp", "-a", str(self._template()), str(self.data))
        for attempt in range(attempts):
            # A free port can be taken between the probe and the bind: then try another.
            self.port = free_port()
            try:
                self._pg_ctl_start()
                break
            except PgServerError:
                if attempt == attempts - 1:
                    raise PgServerError(f"postgres did not start: {self.log_tail()}") from None
        self.pid = self._postmaster_pid()
        return self

    def _pg_ctl_start(self) -> None:
        options = " ".join(f"-c {name}={value}" for name, value in self.settings.items())
        self._run(
            "pg_ctl", "start", "-w", "-t", "30", "-D", str(self.data), "-l", str(self.log),
            "-o", f"-p {self.port} -k {self.socket_dir} {options}",
        )  # fmt: skip

    def kill(self) -> None:
        """SIGKILL the server, as a power cut would (the data stays for ``resume``)."""
        pid = self.pid or self._postmaster_pid()
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            wait_gone(pid)
        self.pid = None

    def resume(self, timeout: float = 30) -> PgServer:
        """Start again on the same data and port (after ``kill``: crash recovery runs).
        Its backends may outlive a killed postmaster a moment: retry until they are gone."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._pg_ctl_start()
                break
            except PgServerError:
                if time.monotonic() > deadline:
                    tail = self.log_tail()
                    raise PgServerError(f"postgres did not start again: {tail}") from None
                time.sleep(0.2)
        self.pid = self._postmaster_pid()
        return self

    def _template(self) -> Path:
        """A fresh ``initdb`` output for these options, made once per machine and copied
        for each server (``initdb`` takes seconds; a copy, a fraction). The cache is a
        never-started cluster: it holds no data, and a server never runs in it."""
        key = hashlib.sha256(" ".join((str(self.bin_dir), *INITDB_OPTIONS)).encode())
        owner = self.os_user.pw_name if self.os_user else str(os.geteuid())
        cache = Path(base_dir()) / f"tdm1-pg-initdb-{owner}-{key.hexdigest()[:12]}"
        if (cache / "PG_VERSION").exists():
            return cache
        made = self.folder / "template"
        self._run("initdb", "-D", str(made), *INITDB_OPTIONS)
        try:
            made.rename(cache)  # atomic: a parallel worker's own copy loses, harmlessly
        except OSError:
            if not (cache / "PG_VERSION").exists():
                return made  # no cache to be had (odd): use this one, removed with the folder
            shutil.rmtree(made, ignore_errors=True)
        return cache

    def _postmaster_pid(self) -> int | None:
        pid_file = self.data / "postmaster.pid"
        with contextlib.suppress(OSError, ValueError, IndexError):
            return int(pid_file.read_text().splitlines()[0])
        return None

    def log_tail(self) -> str:
        with contextlib.suppress(OSError):
            lines = self.log.read_text(errors="replace").strip().splitlines()
            return lines[-1] if lines else "(empty log)"
        return "(no log)"

    def stop(self) -> None:
        """Stop at once (no checkpoint: nothing here is kept) and remove the folder."""
        # postmaster.pid is there while a server runs, even one whose start timed out.
        pid = self.pid or self._postmaster_pid()
        if pid is not None:
            try:
                self._run("pg_ctl", "stop", "-m", "immediate", "-w", "-D", str(self.data))
            except (PgServerError, subprocess.TimeoutExpired):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            wait_gone(pid)
        self.pid = None
        shutil.rmtree(self.folder, ignore_errors=True)
        atexit.unregister(self.stop)

    # --- connecting ---------------------------------------------------------------------
    def url(self, dbname: str = "postgres", user: str = SUPERUSER) -> str:
        """A libpq URL to a database on this server (TCP on 127.0.0.1)."""
        return f"postgresql://{user}@127.0.0.1:{self.port}/{dbname}"

    def new_database(self, owner: str) -> str:
        """A new empty database owned by the login role ``owner`` (made if missing, able
        to create the group roles, not a superuser): its name."""
        import uuid

        import psycopg

        name = f"clinic_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as admin:
            if not admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [owner]).fetchone():
                admin.execute(f'CREATE ROLE "{owner}" LOGIN CREATEROLE NOSUPERUSER')
            admin.execute(f'CREATE DATABASE "{name}" OWNER "{owner}"')
        return name

    def require_password(self, role: str, password: str, options: str = "LOGIN") -> None:
        """Make the login role ``role`` (``options``; with ``password``) connect over TCP
        only with that password (scram-sha-256), the other roles keep ``trust``."""
        import psycopg
        from psycopg import sql

        hba = self.data / "pg_hba.conf"
        line = f"host all {role} 127.0.0.1/32 scram-sha-256\n"
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute("SET password_encryption = 'scram-sha-256'")
            exists = admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone()
            verb = "ALTER ROLE {}" if exists else f"CREATE ROLE {{}} {options}"
            statement = sql.SQL(verb + " PASSWORD {}")
            admin.execute(statement.format(sql.Identifier(role), sql.Literal(password)))
            text = hba.read_text()
            if line not in text:
                hba.write_text(line + text)  # first: before the trust lines
                admin.execute("SELECT pg_reload_conf()")

    def __enter__(self) -> PgServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (a child not yet reaped) counts as gone.
    with contextlib.suppress(OSError):
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    return True


def wait_gone(pid: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
