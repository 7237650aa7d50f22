"""The clinic's calendar: opening hours per weekday, closed dates, its IANA time zone.

Wall times live in the clinic's zone; instants are compared as aware datetimes. A day
step (21 days) is a calendar step: 09:00 stays 09:00 across a daylight-saving change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from .errors import DomainError, require_aware
from .lean import dataclass, field

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# How far the calendar looks for an open day before it calls the calendar broken.
MAX_SEARCH_DAYS = 366
# Years the clinic can schedule: far enough from datetime's ends that a course, a day's
# bounds or the conversion to UTC for storage never overflows. No plan goes past them.
FIRST_YEAR, LAST_YEAR = 1900, 2999


# An IANA name: "Area/Location" words, never a file path ("../../etc/passwd", "/usr/...").
_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)+")


def zone_from_name(name: str) -> tzinfo:
    """The tzinfo for an IANA name such as ``Europe/Berlin``; refuses unknown names and
    anything that looks like a file path."""
    try:
        is_name = name == "UTC" or bool(_ZONE_NAME.fullmatch(name))
        zone = _load_zone(name) if is_name else None
    except (OSError, ValueError, TypeError):  # not a readable zone file
        zone = None
    if zone is None:
        raise DomainError("timezone", f"unknown IANA time zone {name!r}")
    return zone


def _load_zone(name: str) -> tzinfo | None:
    """The standard library's zone (C; the system's tz database, else the ``tzdata``
    package). A name it cannot load goes to dateutil's ``gettz`` as before (issue 19):
    its bundled database when the machine has neither, and the POSIX TZ strings it reads
    as names ("EST5EDT/x"), so the same names are accepted and refused."""
    try:
        return ZoneInfo(name)
    except (KeyError, OSError, ValueError):  # ZoneInfoNotFoundError is a KeyError
        from dateutil import tz  # only for names zoneinfo lacks: off the start

        return tz.gettz(name)


_DAY = timedelta(hours=24)


def resolve_gap(moment: datetime) -> datetime:
    """``moment`` itself when its wall time exists in its zone; a wall time the clocks
    skip (spring forward) moved on by the gap: the offset a day later less the offset a
    day earlier. dateutil's ``tz.resolve_imaginary`` rule, which the calendar used."""
    back = moment.astimezone(UTC).astimezone(moment.tzinfo)  # no round trip: skipped
    if back.replace(tzinfo=None) == moment.replace(tzinfo=None):
        return moment
    later, earlier = (moment + _DAY).utcoffset(), (moment - _DAY).utcoffset()
    assert later is not None and earlier is not None  # an aware zone always answers
    return moment + (later - earlier)


def wall_in_zone(wall: datetime, zone: tzinfo) -> datetime:
    """Naive ``wall`` as a time in ``zone`` with dateutil's offset, which the clinic's
    zone had before zoneinfo: a repeated wall time (fall back) is the first one in both.
    A skipped one (spring forward) differs: zoneinfo gives it the offset before the
    change (fold=0); dateutil mostly the one after, so it is asked (rare: no import)."""
    moment = wall.replace(tzinfo=zone)
    after = moment.replace(fold=1)
    first, second = moment.utcoffset(), after.utcoffset()
    assert first is not None and second is not None
    if second <= first or not isinstance(zone, ZoneInfo):  # exists, or repeated
        return moment
    from dateutil import tz  # a skipped wall time only

    return after if wall.replace(tzinfo=tz.gettz(zone.key)).utcoffset() == second else moment


def parse_hhmm(field_name: str, text: str) -> time:
    try:
        hours, minutes = text.strip().split(":")
        return time(int(hours), int(minutes))
    except (ValueError, AttributeError):
        raise DomainError(field_name, f"expected HH:MM, got {text!r}") from None


@dataclass(frozen=True)
class OpeningHours:
    opens: time
    closes: time

    def __post_init__(self) -> None:
        if self.closes <= self.opens:
            raise DomainError(
                "opening_hours",
                f"closing {self.closes:%H:%M} must be after opening {self.opens:%H:%M}",
            )

    @property
    def minutes(self) -> int:
        return (self.closes.hour * 60 + self.closes.minute) - (
            self.opens.hour * 60 + self.opens.minute
        )


def weekday_hours(
    opens: time = time(8, 0), closes: time = time(17, 0), open_weekdays: Iterable[int] = range(5)
) -> dict[int, OpeningHours]:
    """The same hours on each open weekday (0 = Monday); default Mon-Fri 08:00-17:00."""
    hours = OpeningHours(opens, closes)
    return {day: hours for day in open_weekdays}


@dataclass(frozen=True)
class ClinicCalendar:
    zone: tzinfo
    hours: Mapping[int, OpeningHours] = field(default_factory=weekday_hours)
    closed_dates: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        if not self.hours:
            raise DomainError("opening_hours", "the clinic must be open on at least one weekday")
        for weekday in self.hours:
            if weekday not in range(7):
                raise DomainError("opening_hours", f"weekday must be 0-6, got {weekday}")

    # --- days -----------------------------------------------------------------
    def is_open_day(self, day: date) -> bool:
        return day.weekday() in self.hours and day not in self.closed_dates

    def why_closed(self, day: date) -> str | None:
        """None when open, else the reason in words (for refusals)."""
        if day in self.closed_dates:
            return f"clinic closed on {day:%a %Y-%m-%d} (closed date)"
        if day.weekday() not in self.hours:
            return f"clinic closed on {day:%A}s ({day:%Y-%m-%d})"
        return None

    def open_days(self, start: date) -> Iterator[date]:
        """Open days on or after ``start``, through dateutil's rrule (bounded search)."""
        from dateutil import rrule  # off the CLI's start (issue 19)

        rule = rrule.rrule(
            rrule.DAILY,
            dtstart=datetime.combine(start, time()),
            byweekday=sorted(self.hours),
            count=MAX_SEARCH_DAYS,
        )
        for moment in rule:
            if moment.year > LAST_YEAR:
                return
            if moment.date() not in self.closed_dates:
                yield moment.date()

    def next_open_day(self, day: date) -> date:
        """``day`` itself when open, else the next open day [policy]."""
        if self.is_open_day(day):
            return day
        for candidate in self.open_days(day):
            return candidate
        raise DomainError("calendar", f"no open day within {MAX_SEARCH_DAYS} days of {day}")

    # --- wall time <-> instants -------------------------------------------------
    def at(self, day: date, wall: time) -> datetime:
        """The instant of wall time ``wall`` on ``day`` in the clinic's zone."""
        return resolve_gap(datetime.combine(day, wall, tzinfo=self.zone))

    def local(self, instant: datetime) -> datetime:
        require_aware("instant", instant)
        return instant.astimezone(self.zone)

    def local_date(self, instant: datetime) -> date:
        return self.local(instant).date()

    def day_bounds(self, day: date, days: int = 1) -> tuple[datetime, datetime]:
        """From midnight of ``day`` to midnight ``days`` later, clinic time."""
        return self.at(day, time(0)), self.at(day + timedelta(days=days), time(0))

    def opening_window(self, day: date) -> tuple[datetime, datetime] | None:
        hours = self.hours.get(day.weekday())
        if hours is None or day in self.closed_dates:
            return None
        return self.at(day, hours.opens), self.at(day, hours.closes)

    def open_minutes(self, day: date) -> int:
        window = self.opening_window(day)
        if window is None:
            return 0
        opens, closes = (moment.astimezone(UTC) for moment in window)  # elapsed, not wall
        return int((closes - opens).total_seconds() // 60)

    def why_outside_hours(self, start: datetime, end: datetime) -> str | None:
        """None when [start, end) lies inside one open day's hours, else the reason."""
        require_aware("start", start)
        require_aware("end", end)
        day = self.local_date(start)
        closed = self.why_closed(day)
        if closed:
            return closed
        window = self.opening_window(day)
        assert window is not None
        opens, closes = window
        if start < opens or end > closes:
            hours = self.hours[day.weekday()]
            return (
                f"outside opening hours {hours.opens:%H:%M}-{hours.closes:%H:%M} "
                f"({self.local(start):%H:%M}-{self.local(end):%H:%M} on {day:%a %Y-%m-%d})"
            )
        return None

    def check_inside_hours(self, field_name: str, start: datetime, end: datetime) -> None:
        reason = self.why_outside_hours(start, end)
        if reason:
            raise DomainError(field_name, reason)


def add_calendar_days(day: date, days: int) -> date:
    return day + timedelta(days=days)
