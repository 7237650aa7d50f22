"""A New York clinic with a fixed clock, and helpers to book and inspect it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from tdm1_scheduler.cli.pharmacy_json import queue_json, show_json
from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.services import clinic, courses, patients, pharmacy
from tdm1_scheduler.services.context import Context, settings_from
from tdm1_scheduler.store import repository as repo
from tdm1_scheduler.store.sqlite_store import SqliteStore

NY = ZoneInfo("America/New_York")
# Monday 2026-06-15 07:00 EDT: the clinic opens at 08:00.
MONDAY_7AM = datetime(2026, 6, 15, 7, 0, tzinfo=NY)


@dataclass
class Clinic:
    db: Database
    clock: FixedClock

    @property
    def ctx(self) -> Context:
        return Context(SqliteStore(self.db), self.clock, "test")

    def patient(self, mrn: str, weight_kg: float, first_dose: datetime) -> None:
        patients.add_patient(self.ctx, mrn=mrn, name=f"Patient {mrn}", weight_kg=weight_kg)
        courses.book_course(self.ctx, mrn=mrn, setting="EBC", first_dose=first_dose)

    def dose_id(self, mrn: str, cycle: int = 1) -> int:
        return int(courses.load_course(self.ctx.store, mrn).dose(cycle).id)

    def dump(self) -> str:
        return "\n".join(self.db.conn.iterdump())

    def audit_count(self) -> int:
        return repo.count(self.db, "audit_log")


def make_clinic(db: Database, now: datetime = MONDAY_7AM) -> Clinic:
    place = Clinic(db, FixedClock(now))
    clinic.init_clinic(place.ctx, timezone="America/New_York", chairs=8)
    return place


def prep_show(place: Clinic, mrn: str, cycle: int, now: datetime) -> dict[str, Any]:
    """``prep show --json``'s object: the read model through the CLI's formatter."""
    store = place.ctx.store
    view = pharmacy.preparation_view(store, mrn, cycle, now)
    return show_json(view, settings_from(store).calendar)


def prep_queue(place: Clinic, now: datetime) -> list[dict[str, Any]]:
    """``prep queue --json``'s list: the read models through the CLI's formatter."""
    store = place.ctx.store
    return queue_json(pharmacy.pharmacy_queue(store, now), settings_from(store).calendar)
