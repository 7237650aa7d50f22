"""The patient's appointment card as data: their coming visits, one A5 or Letter page.

No Qt here (``card_paint`` draws it, through the same helpers as the day sheet). The
visits are those the patient's calendar holds (``interop.ical.shown``): booked visits
not yet over, cancelled ones left out.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ..domain.lean import dataclass
from ..domain.regimen import DRUG_NAME
from ..services.exchange import PatientCalendar
from ..text import cycle_label

MAX_ROWS = 16  # what one A5 page holds; a longer list says how many more follow


@dataclass(frozen=True)
class CardRow:
    day: str  # "Mon 23 Mar 2026"
    arrive: str  # "09:00"
    infusion: str  # "09:15"
    plan_for: str  # "1 h 15 min" (the whole chair time)
    chair: str
    cycle: str  # "3 of 14", "3" for MBC


@dataclass(frozen=True)
class AppointmentCard:
    clinic: str
    patient: str
    mrn: str
    drug: str
    printed: str
    rows: tuple[CardRow, ...]
    more: int  # visits beyond MAX_ROWS


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def build_card(data: PatientCalendar, now: datetime) -> AppointmentCard:
    coming = sorted(
        (v for v in data.visits if v.status == "booked" and v.end > now),
        key=lambda v: v.start,
    )
    rows = []
    for visit in coming[:MAX_ROWS]:
        infusion = (visit.start.astimezone(UTC) + timedelta(minutes=visit.prep_min)).astimezone(
            visit.start.tzinfo
        )
        rows.append(
            CardRow(
                day=f"{visit.start:%a %d %b %Y}",
                arrive=f"{visit.start:%H:%M}",
                infusion=f"{infusion:%H:%M}",
                plan_for=_duration(visit.minutes),
                chair=visit.chair,
                cycle=cycle_label(visit.cycle, visit.cycles_total, word="", of=" of "),
            )
        )
    local_now = now.astimezone(coming[0].start.tzinfo) if coming else now
    return AppointmentCard(
        clinic=data.clinic_name,
        patient=data.patient.name,
        mrn=data.patient.mrn,
        drug=DRUG_NAME,
        printed=f"{local_now:%Y-%m-%d %H:%M}",
        rows=tuple(rows),
        more=max(len(coming) - MAX_ROWS, 0),
    )
