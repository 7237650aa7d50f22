"""A real clinic file on disk, built through the services."""

from __future__ import annotations

import hashlib
import os
from datetime import datetime
from pathlib import Path

import pytest
from dateutil import tz

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.services import clinic, courses, patients
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.store.database import open_database
from tdm1_scheduler.store.sqlite_store import SqliteStore

ROOT = Path(__file__).resolve().parents[2]
ZONE = tz.gettz("America/New_York")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.pop("TDM1_SCHEDULER_DB", None)
    env.update(extra)
    return env


def build_clinic(path: Path, chairs: int = 4, with_course: bool = True) -> Path:
    db = open_database(path, create=True)
    ctx = Context(SqliteStore(db), FixedClock(datetime(2026, 3, 1, 8, tzinfo=ZONE)), "setup")
    clinic.init_clinic(ctx, timezone="America/New_York", chairs=chairs)
    if with_course:
        patients.add_patient(ctx, mrn="A1", name="Ann Lee", weight_kg=70)
        courses.book_course(
            ctx, mrn="A1", setting="EBC", first_dose=datetime(2026, 3, 2, 9, tzinfo=ZONE)
        )
    db.close()
    return path


@pytest.fixture
def clinic_file(tmp_path: Path) -> Path:
    return build_clinic(tmp_path / "clinic.db")
