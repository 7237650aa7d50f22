"""Every time shown to a person, in clinic wall time: the one place that formats them
(and ``cycle_label``, the one place a cycle's number and its course length are written).

Instants are stored and computed in UTC; a person reads the clinic's wall clock. The
domain names instants in its messages as ISO 8601 (it knows no clinic zone), so a
message on its way to a person goes through ``wall_message``, which rewrites each ISO
instant it finds into wall time.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import cache

from .domain.calendar import ClinicCalendar

# An ISO 8601 instant with an offset (or Z), as the domain writes them.
ISO_INSTANT = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})"
# A value and its unit ("2 h 00 min", "40,000/mm³") never break across lines on a tile.
_VALUE_SPACE = r"(?<=\d) (?=(?:h|min|s|mL|mg|kg|%)\b)|(?<=\d h) (?=\d)"


@cache
def compiled(pattern: str) -> re.Pattern[str]:
    """``re.compile(pattern)``, once, when first used: not at every start of the GUI or
    the CLI, most of which never need it (issue 19: about 2 M instructions)."""
    return re.compile(pattern)


def clock_time(calendar: ClinicCalendar, instant: datetime) -> str:
    """``09:40``: the wall time of an instant of the day in view."""
    return f"{calendar.local(instant):%H:%M}"


def day_time(calendar: ClinicCalendar, instant: datetime) -> str:
    """``Tue 09:40``: an instant within a few days of now."""
    return f"{calendar.local(instant):%a %H:%M}"


def day_name(day: date) -> str:
    """``Tue 1 Dec``: a day near today."""
    return f"{day:%a} {day.day} {day:%b}"


def full_time(calendar: ClinicCalendar, instant: datetime) -> str:
    """``Tue 1 Dec 08:00``: an instant that may be on any day."""
    local = calendar.local(instant)
    return f"{day_name(local.date())} {local:%H:%M}"


def dated_time(calendar: ClinicCalendar, instant: datetime) -> str:
    """``Tue 2026-12-01 08:00``: an instant whose year matters (notes, audit)."""
    return f"{calendar.local(instant):%a %Y-%m-%d %H:%M}"


def cycle_label(cycle: int, total: int | None, *, word: str = "cycle ", of: str = "/") -> str:
    """The one way a cycle is named: ``cycle 3/14`` in a course of fixed length, ``cycle 3``
    in one without (MBC). ``word=""`` drops the word (``3/14``, a table cell); ``of=" of "``
    reads ``cycle 3 of 14`` (a calendar entry, a patient's card)."""
    return f"{word}{cycle}{of}{total}" if total else f"{word}{cycle}"


def hours_text(span: timedelta) -> str:
    """``24 h``: a stability window or another span of whole (or part) hours."""
    return f"{span / timedelta(hours=1):g} h"


def wall_message(text: str, calendar: ClinicCalendar) -> str:
    """``text`` with every ISO instant in it rewritten as clinic wall time."""

    def one(match: re.Match[str]) -> str:
        try:
            instant = datetime.fromisoformat(match.group(0).replace("Z", "+00:00"))
        except ValueError:
            return match.group(0)
        return full_time(calendar, instant)

    return compiled(ISO_INSTANT).sub(one, text)


def has_iso_instant(text: str) -> bool:
    """Whether ``text`` still names an instant in ISO form (tests scan with this)."""
    return compiled(ISO_INSTANT).search(text) is not None


def unbroken(text: str) -> str:
    """``text`` with no line break allowed inside a value: a no-break space between a
    number and its unit, and a word joiner after the slash of a per-unit value."""
    return compiled(_VALUE_SPACE).sub("\u00a0", text).replace("/mm", "/\u2060mm")


def plain(text: str) -> str:
    """``unbroken`` undone: the words as a person reads them (for comparisons)."""
    return text.replace("\u00a0", " ").replace("\u2060", "")
