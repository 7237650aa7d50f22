"""Setting up the clinic: hours, zone, chairs, closed dates, site settings.

Every action reads and writes records through ``ctx.store``, in one transaction with its
audit row."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import date, time
from typing import Any

from .. import settings as settings_declaration
from ..domain.calendar import ClinicCalendar, OpeningHours, zone_from_name
from ..domain.errors import DomainError
from ..domain.records import ClosedDate, CycleStatus, OpeningHoursRow
from .context import ChangeSet, Context, audit, settings_from, stored_values

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
    with ctx.store.transaction() as tx:
        if tx.clinic() is not None:
            raise DomainError("init", "this database already holds a clinic")
        values = {"name": name.strip() or DEFAULT_CLINIC_NAME, "timezone": timezone}
        tx.insert_clinic(**values)
        tx.replace_opening_hours(
            OpeningHoursRow(day, hours.opens, hours.closes) for day in weekdays
        )
        for number in range(1, chairs + 1):
            changes.chairs.add(tx.insert_chair(f"Chair {number}", number).id)
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
    with ctx.store.transaction() as tx:
        if tx.chair_by_name(name) is not None:
            raise DomainError("name", f"a chair named {name!r} already exists")
        chair = tx.insert_chair(name)
        changes.chairs.add(chair.id)
        audit(ctx, "add chair", "chair", chair.id, None, {"name": name})
    return changes


def add_closed_date(ctx: Context, day: date, reason: str = "") -> ChangeSet:
    changes = ChangeSet(f"close {day:%Y-%m-%d}", settings=True)
    with ctx.store.transaction() as tx:
        if any(closed.day == day for closed in tx.closed_dates()):
            raise DomainError("date", f"{day} is already a closed date")
        start, end = settings_from(tx).calendar.day_bounds(day)
        booked = tx.appointments_between(start, end, [CycleStatus.BOOKED])
        if booked:
            who = sorted(
                {v.patient_name or f"blocked time ({v.appointment.label})" for v in booked}
            )
            raise DomainError(
                "date",
                f"{len(booked)} appointment(s) are booked on {day}, for {', '.join(who)}; "
                "move them, or close it with re-booking",
            )
        tx.insert_closed_date(ClosedDate(day, reason.strip()))
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
    with ctx.store.transaction() as tx:
        old = tx.clinic()
        assert old is not None
        low = clean.get("weight_min_kg", old.weight_min_kg)
        if low >= clean.get("weight_max_kg", old.weight_max_kg):
            # name the limit being changed: the one the person typed
            if "weight_max_kg" in clean and "weight_min_kg" not in clean:
                raise DomainError("weight_max_kg", "must be above weight_min_kg")
            raise DomainError("weight_min_kg", "must be below weight_max_kg")
        if clean:
            tx.update_clinic(dataclasses.replace(old, **clean))
        audit(ctx, "change settings", "clinic", 1, stored_values(old, clean), clean)
    return changes


# --- opening hours, reopening a date, saving the Preferences dialog -------------------
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# What set_opening_hours takes: weekday (0 = Monday) -> (opens, closes), None = closed.
WeeklyHours = Mapping[int, tuple[time, time] | None]


def _checked_hours(hours: WeeklyHours) -> dict[int, OpeningHours]:
    """The open weekdays' hours, or a DomainError naming the weekday that is wrong."""
    checked: dict[int, OpeningHours] = {}
    for weekday, pair in hours.items():
        if weekday not in range(7):
            raise DomainError("opening_hours", f"weekday must be 0-6, got {weekday}")
        if pair is None:
            continue
        opens, closes = pair
        name = WEEKDAY_NAMES[weekday]
        for moment in (opens, closes):
            if moment.second or moment.microsecond:  # stored as HH:MM: never round silently
                raise DomainError("opening_hours", f"{name}: {moment} is not a whole minute")
        if closes <= opens:
            raise DomainError(
                "opening_hours",
                f"{name}: closing {closes:%H:%M} must be after opening {opens:%H:%M}",
            )
        checked[weekday] = OpeningHours(opens, closes)
    if not checked:
        raise DomainError("opening_hours", "the clinic must be open on at least one weekday")
    return checked


def _hours_for_audit(hours: Mapping[int, OpeningHours]) -> dict[str, str]:
    """Every weekday in words for the audit log: {"Mon": "08:00-17:00", "Sun": "closed"}."""
    return {
        WEEKDAY_NAMES[day][:3]: (
            f"{hours[day].opens:%H:%M}-{hours[day].closes:%H:%M}" if day in hours else "closed"
        )
        for day in range(7)
    }


def set_opening_hours(ctx: Context, hours: WeeklyHours) -> ChangeSet:
    """Replace the weekly opening hours. A weekday mapped to None, or left out, is closed.

    Refused while a booked appointment (a dose or blocked time, from the clock's now on)
    would fall outside the new hours or on a weekday they close: those are moved first.
    """
    new_hours = _checked_hours(hours)
    changes = ChangeSet("change opening hours", settings=True)
    with ctx.store.transaction() as tx:
        clinic_record = tx.clinic()
        if clinic_record is None:
            raise DomainError("init", "this database holds no clinic yet")
        old_hours = {h.weekday: OpeningHours(h.opens, h.closes) for h in tx.opening_hours()}
        if old_hours == new_hours:
            changes.settings = False
            changes.notes.append("the opening hours are unchanged")
            return changes
        # Only the weekly hours change here, so closed dates play no part in the check.
        calendar = ClinicCalendar(zone_from_name(clinic_record.timezone), new_hours)
        outside = [
            view
            for view in tx.booked_from(ctx.clock.now())
            if calendar.why_outside_hours(view.appointment.start, view.appointment.end)
        ]
        if outside:
            first = outside[0]
            start = calendar.local(first.appointment.start)
            end = calendar.local(first.appointment.end)
            raise DomainError(
                "opening_hours",
                f"{len(outside)} booked appointment(s) fall outside the new hours, first "
                f"{start:%a %Y-%m-%d %H:%M}-{end:%H:%M} ({first.chair_name}); move them first",
            )
        tx.replace_opening_hours(
            OpeningHoursRow(day, h.opens, h.closes) for day, h in sorted(new_hours.items())
        )
        audit(
            ctx,
            "change opening hours",
            "opening_hours",
            None,
            _hours_for_audit(old_hours),
            _hours_for_audit(new_hours),
        )
    return changes


def remove_closed_date(ctx: Context, day: date) -> ChangeSet:
    """Reopen a closed date: doses may be planned on it again."""
    changes = ChangeSet(f"reopen {day:%Y-%m-%d}", settings=True)
    with ctx.store.transaction() as tx:
        closed = next((c for c in tx.closed_dates() if c.day == day), None)
        if closed is None:
            raise DomainError("date", f"{day} is not a closed date")
        tx.delete_closed_date(day)
        audit(
            ctx,
            "remove closed date",
            "closed_date",
            None,
            {"day": closed.day.isoformat(), "reason": closed.reason},
            None,
        )
    return changes


def set_closed_dates(ctx: Context, days: Iterable[date]) -> ChangeSet:
    """Make the closed dates exactly ``days``, in one transaction: each new one is added
    as ``add_closed_date`` does (refused while it has bookings), each left out reopened."""
    wanted = set(days)
    changes = ChangeSet("change closed dates", settings=True)
    with ctx.store.transaction() as tx:  # the calls below nest in it as savepoints
        current = {closed.day for closed in tx.closed_dates()}
        for day in sorted(current - wanted):
            remove_closed_date(ctx, day)
        for day in sorted(wanted - current):
            add_closed_date(ctx, day)
    return changes


def save_preferences(
    ctx: Context, *, hours: WeeklyHours | None = None, values: dict[str, Any] | None = None
) -> ChangeSet:
    """The Preferences dialog's Save as one user action: new opening hours (when given)
    and changed site settings (when given) in one transaction, all or nothing.

    Each part writes its own audit row, as ``set_opening_hours`` and ``update_settings``
    do when called alone; a refusal of either leaves the database unchanged.
    """
    changes = ChangeSet("change preferences")
    with ctx.store.transaction():  # the two calls below nest in it as savepoints
        if hours is not None:
            part = set_opening_hours(ctx, hours)
            changes.settings |= part.settings
            changes.notes.extend(part.notes)
        if values:
            changes.settings |= update_settings(ctx, values).settings
    return changes
