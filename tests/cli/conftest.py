"""The CLI run in-process through ``tdm1_scheduler.cli.main.main`` (and a few real processes).

``cli`` runs against ``db_target``: on the ``sqlite`` backend the file ``db_path``, on
``postgres`` the URL of a new empty database on the test server (tests/cli/targets.py),
dropped after the test. A test that starts from ``clinic`` gets, on the server, a copy
of the clinic the same steps built once per process; a test of ``init`` itself starts
from an empty database. ``db_hash`` is what "nothing was written" compares on either.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from tdm1_scheduler.cli.main import main
from tests.pg.server import PgServer
from tests.store.postgres.conftest import OWNER

from . import targets
from .targets import ServerDatabases, Target

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-03-01T08:00"


@dataclass
class Result:
    code: int
    out: str
    err: str


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def db_hash(target: Target) -> str:
    """The clinic's state: the file's bytes, or every row on the server (targets.state)."""
    return targets.state(target)


def subprocess_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.pop("TDM1_SCHEDULER_DB", None)
    env.update(extra)
    return env


def run_process(*argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tdm1_scheduler", *argv],
        capture_output=True,
        text=True,
        env=subprocess_env(**env),
        timeout=60,
    )


@pytest.fixture(autouse=True)
def _no_env_db(monkeypatch):
    monkeypatch.delenv("TDM1_SCHEDULER_DB", raising=False)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "clinic.db"


@pytest.fixture
def db_target(backend: str, db_path: Path, server_dbs: ServerDatabases, request) -> Target:
    """The clinic ``cli`` runs on: ``db_path``, or a new server database (a copy of the
    ``clinic`` template when the test starts from ``clinic``, else empty)."""
    if backend != "postgres":
        return db_path
    if "clinic" in request.fixturenames:
        return server_dbs.new(template=targets.template("clinic", build_clinic))
    return server_dbs.new()


@pytest.fixture
def new_target(
    backend: str, tmp_path: Path, server_dbs: ServerDatabases
) -> Callable[[str], Target]:
    """``new_target("other")``: another empty clinic on this test's backend."""

    def make(name: str) -> Target:
        return server_dbs.new() if backend == "postgres" else tmp_path / f"{name}.db"

    return make


@pytest.fixture
def copy_target(server_dbs: ServerDatabases, tmp_path: Path) -> Callable[[Target, str], Target]:
    """``copy_target(clinic, "copy1")``: a copy of the clinic on the same backend."""

    def copy(target: Target, name: str) -> Target:
        if targets.is_server(target):
            return server_dbs.copy(str(target))
        copied = tmp_path / f"{name}.db"
        shutil.copy(target, copied)
        return copied

    return copy


@pytest.fixture
def cli(capsys, db_target):
    """``cli("patient", "add", ...)`` -> Result, against ``db_target`` with a fixed clock."""

    def run(*argv: str, now: str | None = NOW, user: str = "nurse.kim", db: Target | None = None):
        front = ["--db", str(db or db_target), "--user", user]
        if now:
            front += ["--now", now]
        code = main([*front, *argv])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


CLINIC_STEPS = [
        ("init", "--timezone", "America/New_York", "--chairs", "2"),
        ("closed", "add", "2026-03-20"),
        ("patient", "add", "--mrn", "A1", "--name", "Ann Lee", "--weight-kg", "70"),
        ("patient", "add", "--mrn", "B2", "--name", "Bea Cruz", "--weight-kg", "61.5"),
        ("patient", "add", "--mrn", "C3", "--name", "Cy Dunn", "--weight-kg", "80"),
        ("course", "start", "--mrn", "A1", "--setting", "EBC", "--first-dose",
         "2026-03-02T09:00", "--chair", "Chair 1"),
        ("course", "start", "--mrn", "B2", "--setting", "MBC", "--first-dose",
         "2026-03-03T09:00", "--chair", "Chair 2"),
        ("dose", "given", "--mrn", "A1", "--cycle", "1", "--at", "2026-03-02T09:15"),
]  # fmt: skip


def build_clinic(url: str) -> None:
    """The ``clinic`` steps on the database ``url`` (a server's or a file: once per
    process, a template the tests copy)."""
    for step in CLINIC_STEPS:
        with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()) as err:
            code = main(["--db", url, "--user", "nurse.kim", "--now", NOW, *step])
        assert code == 0, (step, err.getvalue())


@pytest.fixture
def clinic(db_target: Target, backend: str, tmp_path_factory: pytest.TempPathFactory) -> Target:
    """New York clinic, 2 chairs; A1 on EBC in Chair 1 (cycle 1 given 2026-03-02 09:15);
    B2 on MBC in Chair 2 from 2026-03-03 09:00; C3 without a course; 2026-03-20 closed.
    On the server ``db_target`` is already a copy of it (``build_clinic``)."""
    if backend == "postgres":
        return db_target
    shutil.copy2(clinic_file(tmp_path_factory), db_target)  # its mode (0600) with it
    return db_target


_clinic_file: list[Path] = []  # this process's clinic, built once by CLINIC_STEPS


def clinic_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``clinic`` steps run once per process on a file of its own, through ``main``
    as every test's CLI runs (the tests copy it, as the server's copy a template)."""
    if not _clinic_file:
        path = tmp_path_factory.mktemp("clinic_template") / "clinic.db"
        build_clinic(str(path))
        side_files = [side for side in path.parent.iterdir() if side != path]
        assert not side_files, side_files  # all of it is in the one file, to copy
        _clinic_file.append(path)
    return _clinic_file[0]


# --- a server database of its own (the server-mode tests) --------------------------------
PASSWORD = "s3cret-pw"  # trust auth ignores it; it must never be printed


@pytest.fixture
def new_db(pg_server: PgServer) -> Callable[[], str]:
    """``new_db()``: the URL (with a password) of a new empty database owned by OWNER."""

    def make() -> str:
        name = pg_server.new_database(OWNER)
        return f"postgresql://{OWNER}:{PASSWORD}@127.0.0.1:{pg_server.port}/{name}"

    return make


def patch_openers(monkeypatch: pytest.MonkeyPatch, opener: Callable[..., object]) -> None:
    """Replace the CLI's openers of the clinic, the file's (``main.open_clinic``) and
    the server's (``server_mode.open_clinic_store``), with ``opener(real, *args)``."""
    import tdm1_scheduler.cli.main as cli_module
    import tdm1_scheduler.cli.server_mode as server_mode

    for module, name in ((cli_module, "open_clinic"), (server_mode, "open_clinic_store")):
        real = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, real=real, **k: opener(real, *a, **k))
