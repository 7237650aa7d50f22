"""Interop tests: a New York clinic in memory (services called directly), a fixed clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from dateutil import tz

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.services import clinic, courses, patients
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.store.database import open_database
from tdm1_scheduler.store.sqlite_store import SqliteStore

ZONE_NAME = "America/New_York"


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=tz.gettz(ZONE_NAME))


@pytest.fixture
def ctx() -> Iterator[Context]:
    """Two chairs; A1 (EBC, Chair 1) from Mon 2026-03-02 09:00 — cycle 1 given — and
    B2 (MBC, Chair 2) from Tue 2026-03-03 09:00. DST starts 2026-03-08."""
    db = open_database(":memory:")
    context = Context(SqliteStore(db), FixedClock(local("2026-03-01T08:00")), "nurse.kim")
    clinic.init_clinic(context, timezone=ZONE_NAME, chairs=2, name="Riverside Infusion")
    patients.add_patient(context, mrn="A1", name="Ann Lee", weight_kg=70)
    patients.add_patient(context, mrn="B2", name="Bea Cruz", weight_kg=61.5)
    courses.book_course(
        context, mrn="A1", setting="EBC", first_dose=local("2026-03-02T09:00"), chair="Chair 1"
    )
    courses.book_course(
        context, mrn="B2", setting="MBC", first_dose=local("2026-03-03T09:00"), chair="Chair 2"
    )
    courses.record_dose_given(
        context, mrn="A1", cycle=1, given_at=local("2026-03-02T09:15"), infusion_min=None,
        tolerated=True, reaction_grade=None,
    )  # fmt: skip
    yield context
    db.close()
