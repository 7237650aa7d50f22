"""CLI commands for rescheduling and site settings: ``appointment slots``,
``settings show`` and ``settings set``. Registered from ``cli.extend_parser``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import time
from enum import Enum
from typing import Any

from ..domain.calendar import WEEKDAY_NAMES, parse_hhmm
from ..domain.errors import DomainError
from ..services.storage import Store

EXIT_OK = 0


def register(commands: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    """``appointment slots`` joins the ``appointment`` group; ``settings`` is new."""
    from .common import ArgumentParser

    appointment = _subcommands(commands.choices["appointment"])
    slots = command("slots", "the next free placements a move of the cycle accepts", appointment)
    slots.add_argument("--mrn", required=True)
    slots.add_argument("--cycle", type=int, required=True)
    slots.add_argument("--from", dest="start_from", help="ISO time to search from (default now)")
    slots.add_argument("--count", type=int, default=5, help="how many (default 5)")
    slots.add_argument("--json", action="store_true")
    slots.set_defaults(run=run_appointment_slots)

    group = commands.add_parser("settings", help="clinic settings").add_subparsers(
        dest="settings_command", required=True, parser_class=ArgumentParser
    )
    show = command("show", "every clinic setting and its value", group)
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=run_settings_show)
    change = command("set", "change one site setting (as Tools > Preferences does)", group)
    change.add_argument("key")
    change.add_argument("value", help='a number, "none" for no value, or weekly hours')
    change.set_defaults(run=run_settings_set)


def _subcommands(parser: argparse.ArgumentParser) -> Any:
    from .common import Unbuilt

    if isinstance(parser, Unbuilt):  # a group the command line does not name
        return parser
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


# --- appointment slots ----------------------------------------------------------------
def run_appointment_slots(args: argparse.Namespace, store: Store) -> int:
    from ..services import slots as slot_services
    from ..services.context import load_settings
    from .common import context, parse_instant, print_json

    start_from = parse_instant("from", args.start_from, store) if args.start_from else None
    ctx = context(args, store)
    options = slot_services.find_slots(
        ctx, mrn=args.mrn, cycle=args.cycle, start_from=start_from, count=args.count
    )
    calendar = load_settings(store).calendar
    rows = [
        {
            "start": calendar.local(option.start).isoformat(),
            "end": calendar.local(option.end).isoformat(),
            "chair": option.chair,
            "starts_in_slot": option.starts_in_slot,
            "start_cap": option.start_cap,
            "bag": option.bag_note or None,
        }
        for option in options
    ]
    if args.json:
        print_json(rows)
        return EXIT_OK
    if not options:
        print("no free slot within the search")
    for option in options:
        start, end = calendar.local(option.start), calendar.local(option.end)
        cap = f"/{option.start_cap}" if option.start_cap is not None else ""
        bag = f"; {option.bag_note}" if option.bag_note else ""
        print(
            f"{start:%a %Y-%m-%d %H:%M}-{end:%H:%M}  {option.chair}  "
            f"starts in slot {option.starts_in_slot}{cap}{bag}"
        )
    return EXIT_OK


# --- settings show / set --------------------------------------------------------------
def hours_text(hours: dict[int, tuple[time, time] | None]) -> str:
    """``Mon-Fri 08:00-17:00, Sat 09:00-13:00``: runs of weekdays with the same hours."""
    parts: list[str] = []
    day = 0
    while day < 7:
        pair = hours.get(day)
        last = day
        while last + 1 < 7 and hours.get(last + 1) == pair:
            last += 1
        if pair is not None:
            days = WEEKDAY_NAMES[day] + (f"-{WEEKDAY_NAMES[last]}" if last > day else "")
            parts.append(f"{days} {pair[0]:%H:%M}-{pair[1]:%H:%M}")
        day = last + 1
    return ", ".join(parts)


def parse_hours(text: str) -> dict[int, tuple[time, time] | None]:
    """The inverse of ``hours_text``; a weekday left out is closed."""
    hours: dict[int, tuple[time, time] | None] = dict.fromkeys(range(7))
    names = [name.lower() for name in WEEKDAY_NAMES]
    for part in filter(None, (p.strip() for p in text.split(","))):
        try:
            days, span = part.split()
            first, _, last = days.lower().partition("-")
            opens, closes = span.split("-")
            start, end = names.index(first), names.index(last or first)
        except ValueError:
            raise DomainError(
                "opening_hours",
                f"expected e.g. 'Mon-Fri 08:00-17:00, Sat 09:00-13:00', got {part!r}",
            ) from None
        if end < start:
            raise DomainError("opening_hours", f"{days}: weekdays run Mon to Sun")
        for weekday in range(start, end + 1):
            hours[weekday] = (
                parse_hhmm("opening_hours", opens),
                parse_hhmm("opening_hours", closes),
            )
    return hours


def weekly_hours(store: Store) -> dict[int, tuple[time, time] | None]:
    from ..services import queries

    hours = {h.weekday: (h.opens, h.closes) for h in queries.opening_hours(store)}
    return {day: hours.get(day) for day in range(7)}


def clinic_values(store: Store) -> dict[str, Any]:
    """Every clinic-database setting declared in ``settings.py``, by key."""
    from .. import settings as declared
    from ..services import queries
    from ..services.context import load_settings

    load_settings(store)  # refuses a database without a clinic
    clinic = queries.clinic(store)
    assert clinic is not None
    values: dict[str, Any] = {}
    for setting in declared.clinic_settings():
        if setting.key == "opening_hours":
            values[setting.key] = hours_text(weekly_hours(store))
        elif setting.key == "closed_dates":
            values[setting.key] = [closed.day.isoformat() for closed in queries.closed_dates(store)]
        else:
            value = getattr(clinic, setting.key)
            values[setting.key] = value.value if isinstance(value, Enum) else value
    return values


def read_only_reason(key: str) -> str | None:
    """Why ``settings set KEY`` is refused for a declared setting, or None when settable."""
    from .. import settings as declared

    setting = declared.by_key(key)
    if setting.where == declared.WINDOW_STATE:
        return "this computer's window setting (QSettings): read-only here"
    if key == "timezone":
        return "read-only: the time zone is chosen when the clinic is created"
    if key == "name":
        return "read-only: the name is chosen when the clinic is created (init --name)"
    return None


def run_settings_show(args: argparse.Namespace, store: Store) -> int:
    from .. import settings as declared
    from .common import print_json

    values = clinic_values(store)
    if args.json:
        print_json(values)
        return EXIT_OK
    for key, value in values.items():
        shown = ", ".join(value) or "none" if isinstance(value, list) else value
        if value is None:
            shown = declared.by_key(key).none_text or "none"
        note = "" if read_only_reason(key) is None else "  (read-only)"
        print(f"{key:<22} {shown}{note}")
    return EXIT_OK


def run_settings_set(args: argparse.Namespace, store: Store) -> int:
    from .. import settings as declared
    from ..services import clinic as clinic_services, readiness as readiness_services
    from .common import context, parse_day

    key, text = args.key.strip(), args.value.strip()
    try:
        reason = read_only_reason(key)
    except KeyError:
        raise DomainError("key", f"no setting named {key!r}; `settings show` lists them") from None
    if reason:
        raise DomainError(key, reason)
    ctx = context(args, store)
    old = clinic_values(store)[key]
    if key == "opening_hours":
        clinic_services.save_preferences(ctx, hours=parse_hours(text))
    elif key == "closed_dates":
        parts = text.replace(",", " ").split()
        wanted = set() if parts == ["none"] else {parse_day(key, part) for part in parts}
        clinic_services.set_closed_dates(ctx, wanted)
    elif key in readiness_services.SETTING_KEYS:  # issue 17: off/warn/enforce and two numbers
        readiness_services.set_readiness_settings(ctx, {key: text})
    else:
        empty = text.lower() in {"", "none"} and declared.by_key(key).optional
        clinic_services.save_preferences(ctx, values={key: None if empty else text})
    print(f"{key}: {old} -> {clinic_values(store)[key]}")
    return EXIT_OK
