"""Setting up the clinic: hours, zone, chairs, closed dates, site settings."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from .. import settings as settings_declaration
from ..domain.calendar import OpeningHours, zone_from_name
from ..domain.errors import DomainError
from ..store import repository as repo
from .context import ChangeSet, Context, audit, transaction

DEFAULT_CLINIC_NAME = str(settings_declaration.by_key("name").default)

# Site settings a person may change later, with their bounds: declared once in settings.py.
EDITABLE_SETTINGS = settings_declaration.editable_bounds()


def init_clinic(
    ctx: Context,
    *,
    timezone: str,
    opens: time = time(8, 0),
    closes: time = time(17, 0),
    chairs: int = 8,
    name: str = DEFAULT_CLINIC_NAME,
    open_weekdays: Iterable[int] = range(5),
) -> ChangeSet:
    zone_from_name(timezone)
    hours = OpeningHours(opens, closes)
    if not 0 <= chairs <= 500:
        raise DomainError("chairs", f"must be 0-500, got {chairs}")
    weekdays = sorted(set(open_weekdays))
    if not weekdays or any(day not in range(7) for day in weekdays):
        raise DomainError("open_weekdays", "at least one weekday 0-6 must be open")
    changes = ChangeSet("init clinic", settings=True)
    with transaction(ctx) as db:
        if repo.clinic(db) is not None:
            raise DomainError("init", "this database already holds a clinic")
        values = {"name": name.strip() or DEFAULT_CLINIC_NAME, "timezone": timezone}
        repo.insert_clinic(db, values)
        repo.replace_opening_hours(
            db,
            [
                {"weekday": day, "opens": f"{hours.opens:%H:%M}", "closes": f"{hours.closes:%H:%M}"}
                for day in weekdays
            ],
        )
        for number in range(1, chairs + 1):
            changes.chairs.add(repo.insert_chair(db, f"Chair {number}", number))
        audit(
            ctx,
            "init clinic",
            "clinic",
            1,
            None,
            {
                **values,
                "chairs": chairs,
                "opens": f"{opens:%H:%M}",
                "closes": f"{closes:%H:%M}",
                "weekdays": weekdays,
            },
        )
    return changes


def add_chair(ctx: Context, name: str) -> ChangeSet:
    name = name.strip()
    if not name:
        raise DomainError("name", "a chair needs a name")
    changes = ChangeSet(f"add chair {name}")
    with transaction(ctx) as db:
        if repo.chair_by_name(db, name) is not None:
            raise DomainError("name", f"a chair named {name!r} already exists")
        chair_id = repo.insert_chair(db, name, repo.next_chair_position(db))
        changes.chairs.add(chair_id)
        audit(ctx, "add chair", "chair", chair_id, None, {"name": name})
    return changes


def add_closed_date(ctx: Context, day: date, reason: str = "") -> ChangeSet:
    changes = ChangeSet(f"close {day:%Y-%m-%d}", settings=True)
    with transaction(ctx) as db:
        if any(row["day"] == day.isoformat() for row in repo.closed_dates(db)):
            raise DomainError("date", f"{day} is already a closed date")
        zone = zone_from_name(repo.clinic(db)["timezone"])  # type: ignore[index]
        start = datetime.combine(day, time(0), tzinfo=zone)
        booked = repo.appointments_between(db, start, start + timedelta(days=1), "('booked')")
        if booked:
            raise DomainError(
                "date",
                f"{len(booked)} appointment(s) are booked on {day}; move them before closing it",
            )
        repo.insert_closed_date(db, day.isoformat(), reason.strip())
        audit(
            ctx,
            "add closed date",
            "closed_date",
            None,
            None,
            {"day": day.isoformat(), "reason": reason},
        )
    return changes


def update_settings(ctx: Context, values: dict[str, Any]) -> ChangeSet:
    clean: dict[str, Any] = {}
    for key, value in values.items():
        if key not in EDITABLE_SETTINGS:
            raise DomainError(key, "not a site setting")
        kind, low, high = EDITABLE_SETTINGS[key]
        if value is None and settings_declaration.by_key(key).optional:
            clean[key] = None
            continue
        try:
            number = kind(value)
        except (TypeError, ValueError):
            raise DomainError(key, f"expected a number, got {value!r}") from None
        if not low <= number <= high:
            raise DomainError(key, f"must be {low}-{high}, got {value}")
        clean[key] = number
    changes = ChangeSet("change settings", settings=True)
    with transaction(ctx) as db:
        old = repo.clinic(db)
        assert old is not None
        merged = {**old, **clean}
        if merged["weight_min_kg"] >= merged["weight_max_kg"]:
            raise DomainError("weight_min_kg", "must be below weight_max_kg")
        repo.update_clinic(db, clean)
        audit(ctx, "change settings", "clinic", 1, {k: old[k] for k in clean}, clean)
    return changes
