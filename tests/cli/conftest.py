"""The CLI run in-process through ``tdm1_scheduler.cli.main.main`` (and a few real processes)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tdm1_scheduler.cli.main import main
from tests.pg.server import PgServer
from tests.store.postgres.conftest import OWNER

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-03-01T08:00"


@dataclass
class Result:
    code: int
    out: str
    err: str


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


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
def cli(capsys, db_path):
    """``cli("patient", "add", ...)`` -> Result, against ``db_path`` with a fixed clock."""

    def run(*argv: str, now: str | None = NOW, user: str = "nurse.kim", db: Path | None = None):
        front = ["--db", str(db or db_path), "--user", user]
        if now:
            front += ["--now", now]
        code = main([*front, *argv])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def clinic(cli, db_path):
    """New York clinic, 2 chairs; A1 on EBC in Chair 1 (cycle 1 given 2026-03-02 09:15);
    B2 on MBC in Chair 2 from 2026-03-03 09:00; C3 without a course; 2026-03-20 closed."""
    steps = [
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
    for step in steps:
        result = cli(*step)
        assert result.code == 0, (step, result.err)
    return db_path


# --- a server database of its own (the server-mode tests) --------------------------------
PASSWORD = "s3cret-pw"  # trust auth ignores it; it must never be printed


@pytest.fixture
def new_db(pg_server: PgServer) -> Callable[[], str]:
    """``new_db()``: the URL (with a password) of a new empty database owned by OWNER."""

    def make() -> str:
        name = pg_server.new_database(OWNER)
        return f"postgresql://{OWNER}:{PASSWORD}@127.0.0.1:{pg_server.port}/{name}"

    return make
