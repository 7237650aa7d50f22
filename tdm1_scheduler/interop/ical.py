"""A patient's visits as an iCalendar file (RFC 5545), with the ``icalendar`` package.

One VEVENT per dose: its UID is derived from the dose, so it stays the same when the
visit moves, is missed and re-booked, or is cancelled; its SEQUENCE is the dose's
``revision`` (see ``services.exchange``), which rises with every such change. Times carry
the clinic's TZID and the file holds the matching VTIMEZONE, so 09:00 stays 09:00 on the
patient's phone across a daylight-saving change. DTSTAMP is the ``now`` passed in.

Left out unless ``include_past``: given visits and visits that ended before ``now``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

from ..domain.regimen import DRUG_NAME
from ..services.exchange import PatientCalendar, Visit
from ..text import cycle_label

PRODID = "-//tdm1-scheduler//KADCYLA infusion visits//EN"
UID_NAMESPACE = uuid.UUID("5c1f3f2e-3f0a-5b61-9d3e-7f1b2a6c0d18")
STATUS = {"booked": "CONFIRMED", "given": "CONFIRMED", "missed": "CANCELLED"}


def visit_uid(visit: Visit) -> str:
    """Stable for the dose across moves: from the MRN and the dose, never the time."""
    return f"{uuid.uuid5(UID_NAMESPACE, f'dose/{visit.mrn}/{visit.dose_id}')}@tdm1-scheduler"


def cycle_text(visit: Visit) -> str:
    return cycle_label(visit.cycle, visit.cycles_total, of=" of ")


def summary_text(visit: Visit) -> str:
    return f"{DRUG_NAME} infusion, {cycle_text(visit)}"


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def description_text(visit: Visit) -> str:
    # elapsed minutes, not wall-clock arithmetic (a visit may span a DST change)
    starts = (visit.start.astimezone(UTC) + timedelta(minutes=visit.prep_min)).astimezone(
        visit.start.tzinfo
    )
    plan = visit.infusion_min + visit.observation_min
    lines = [
        f"Arrive at {visit.start:%H:%M}, {visit.prep_min} min before the infusion starts "
        f"at {starts:%H:%M}.",
        f"Plan for {_duration(plan)} after that: a {visit.infusion_min}-min infusion and "
        f"{visit.observation_min} min of observation.",
        f"Chair: {visit.chair}.",
    ]
    if visit.status == "cancelled":
        lines.insert(0, "This visit is cancelled.")
    return "\n".join(lines)


def shown(visit: Visit, now: datetime, include_past: bool) -> bool:
    if include_past:
        return True
    return visit.status != "given" and visit.end > now


def build_calendar(data: PatientCalendar, now: datetime, *, include_past: bool = False) -> bytes:
    """The .ics bytes (CRLF lines, as RFC 5545 wants)."""
    zone = ZoneInfo(data.timezone)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{data.clinic_name}: KADCYLA visits")
    calendar.add("x-wr-timezone", data.timezone)
    visits = [v for v in data.visits if shown(v, now, include_past)]
    if visits:
        first = min(v.start for v in visits).date()
        last = max(v.end for v in visits).date()
        calendar.add_component(
            Timezone.from_tzinfo(
                zone,
                tzid=data.timezone,
                first_date=date(first.year, 1, 1),
                last_date=date(last.year + 1, 1, 1),
            )
        )
    stamp = now.astimezone(UTC).replace(microsecond=0)
    for visit in sorted(visits, key=lambda v: (v.start, v.dose_id)):
        event = Event()
        event.add("uid", visit_uid(visit))
        event.add("dtstamp", stamp)
        event.add("sequence", visit.revision)
        event.add("dtstart", visit.start.astimezone(zone))
        event.add("dtend", visit.end.astimezone(zone))
        event.add("summary", summary_text(visit))
        event.add("location", data.clinic_name)
        event.add("description", description_text(visit))
        event.add("status", STATUS.get(visit.status, "CANCELLED"))
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def suggested_file_name(data: PatientCalendar) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in data.patient.mrn)
    return f"kadcyla-visits-{safe}.ics"
