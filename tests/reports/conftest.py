"""A hand-built clinic day for the day sheet, made through the services only.

Tue 2027-01-12, America/New_York, open 08:00-17:00 (540 min), 4 chairs, prep 15 min.
A cycle 1 takes 15 + 90 + 90 = 195 min; a later cycle 15 + 30 + 30 = 75 min.

    chair    who                          chair time    infusion start  cycle
    Chair 1  A  Ann Able   (EBC)          09:00-10:15   09:15           2/14
    Chair 1  B  Bea Baker  (EBC)          10:30-13:45   10:45           1/14 first
    Chair 2  C  Cy Cole    (MBC)          09:10-10:25   09:25           2
    Chair 2  blocked "maintenance"        13:00-14:00   -
    Chair 3  D  Dee Dunn   (EBC)          09:20-12:35   09:35           1/14 first
    Chair 3  E  Eve Evans  (EBC)          13:45-17:00   14:00           1/14 first
    Chair 4  (empty)

A and C had cycle 1 three weeks before (2026-12-22), so their cycle 2 falls on this day.
The start cap (1 per 30 min) is set after booking, so levelling never moved anything.

Preparations (the sheet's clock reads 2027-01-12 08:00):
    D: reconstituted 07:00, diluted 07:30 today -> bag ready, expires tomorrow 07:30
    B: reconstituted 2027-01-11 09:00, never diluted -> vial expires today 09:00
    A, C, E: nothing -> not prepared
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from dateutil import tz
from sqlite_utils import Database

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.services import clinic, courses, patients, queries
from tdm1_scheduler.services.context import Context, load_settings
from tdm1_scheduler.store import repository as repo
from tdm1_scheduler.store.database import open_database, to_utc_text
from tdm1_scheduler.store.sqlite_store import SqliteStore

ZONE_NAME = "America/New_York"
ZONE = tz.gettz(ZONE_NAME)
DAY = date(2027, 1, 12)
NOW = "2027-01-12T08:00"


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZONE)


def build_clinic(path: Path, chairs: int = 4) -> Database:
    db = open_database(path, create=True)
    ctx = Context(SqliteStore(db), FixedClock(local("2026-12-01T08:00")), "test")
    clinic.init_clinic(ctx, timezone=ZONE_NAME, chairs=chairs, name="Test Clinic")
    return db


def build_day(path: Path) -> Database:
    db = build_clinic(path)
    ctx = Context(SqliteStore(db), FixedClock(local("2026-12-01T08:00")), "test")
    for mrn, name in [
        ("A1", "Ann Able"),
        ("B2", "Bea Baker"),
        ("C3", "Cy Cole"),
        ("D4", "Dee Dunn"),
        ("E5", "Eve Evans"),
    ]:
        patients.add_patient(ctx, mrn=mrn, name=name, weight_kg=70)
    bookings = [
        ("A1", "EBC", "2026-12-22T09:00", "Chair 1"),
        ("C3", "MBC", "2026-12-22T09:10", "Chair 2"),
        ("B2", "EBC", "2027-01-12T10:30", "Chair 1"),
        ("D4", "EBC", "2027-01-12T09:20", "Chair 3"),
        ("E5", "EBC", "2027-01-12T13:45", "Chair 3"),
    ]
    for mrn, setting, first, chair in bookings:
        courses.book_course(ctx, mrn=mrn, setting=setting, first_dose=local(first), chair=chair)
    courses.book_blocked_time(
        ctx, chair="Chair 2", start=local("2027-01-12T13:00"), minutes=60, label="maintenance"
    )
    clinic.update_settings(ctx, {"start_cap": 1})
    doses = {
        row.mrn: row.appointment.dose_id
        for row in queries.day_bookings(SqliteStore(db), load_settings(SqliteStore(db)), DAY)
        if row.appointment.kind == "dose"
    }
    with db.conn:
        repo.insert_preparation(
            db,
            {
                "dose_id": doses["D4"],
                "reconstituted_at": to_utc_text(local("2027-01-12T07:00")),
                "diluted_at": to_utc_text(local("2027-01-12T07:30")),
                "diluent": "250 mL 0.9% Sodium Chloride",
            },
        )
        repo.insert_preparation(
            db,
            {
                "dose_id": doses["B2"],
                "reconstituted_at": to_utc_text(local("2027-01-11T09:00")),
            },
        )
    return db


@pytest.fixture
def day_db(tmp_path: Path) -> Iterator[Database]:
    db = build_day(tmp_path / "c.db")
    yield db
    db.close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(local(NOW))


# A normal day: four bookings in every chair, first infusions among them, 08:00-15:00.
#   08:00-09:15 cycle 2 (MBC, started 2026-12-22)
#   09:15-12:30 cycle 1, first infusion (EBC, 195 min)
#   12:30-13:45 cycle 3 (MBC, started 2026-12-01)
#   13:45-15:00 cycle 2 (MBC, started 2026-12-22 at 13:45, after the 12:30 cycle 2 there)
NORMAL_DAY = [
    ("2026-12-22T08:00", "MBC"),
    ("2027-01-12T09:15", "EBC"),
    ("2026-12-01T12:30", "MBC"),
    ("2026-12-22T13:45", "MBC"),
]
FIRST_NAMES = ["Ann", "Bea", "Cy", "Dee", "Eve", "Fay", "Gus", "Hal", "Ida", "Jon", "Kay"]
LAST_NAMES = ["Able", "Baker", "Cole", "Dunn", "Evans", "Fontaine", "Gutierrez", "Ivanova"]


def build_normal_day(path: Path, chairs: int) -> Database:
    """``chairs`` chairs with NORMAL_DAY's four bookings each on DAY (MRNs N00001...)."""
    db = build_clinic(path, chairs=chairs)
    ctx = Context(SqliteStore(db), FixedClock(local("2026-12-01T08:00")), "test")
    number = 0
    for chair in range(1, chairs + 1):
        for first_dose, setting in NORMAL_DAY:
            number += 1
            mrn = f"N{number:05d}"
            name = f"{FIRST_NAMES[number % 11]} {LAST_NAMES[number // 11 % 8]}"
            patients.add_patient(ctx, mrn=mrn, name=name, weight_kg=70)
            courses.book_course(
                ctx, mrn=mrn, setting=setting, first_dose=local(first_dose), chair=f"Chair {chair}"
            )
    return db


def block_the_afternoons(db: Database, chairs: int, blocks: int) -> None:
    """``blocks`` 15-minute blocked times from 15:00 in every chair: an extreme day."""
    ctx = Context(SqliteStore(db), FixedClock(local("2026-12-01T08:00")), "test")
    for chair in range(1, chairs + 1):
        for block in range(blocks):
            minute = 15 * 60 + 15 * block
            start = local(f"2027-01-12T{minute // 60:02d}:{minute % 60:02d}")
            courses.book_blocked_time(
                ctx, chair=f"Chair {chair}", start=start, minutes=15, label="line care"
            )
