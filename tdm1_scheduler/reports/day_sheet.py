"""The day sheet as data: each chair's appointments on one clinic day and the day's figures.

No Qt here. ``build_day_sheet`` reads the store once and returns a frozen ``DaySheet``;
the HTML module and the paint module only ever read that object, and ``sheet_to_json``
is the ``day-sheet --json`` contract.

Figures, as printed and as in the JSON:

- ``utilization``: booked chair-minutes / open chair-minutes. Open chair-minutes are the
  day's open minutes times the number of active chairs; booked minutes are every
  chair-holding booking on an active chair (doses, with their prep and observation, and
  blocked time), clipped to the opening hours. A fraction 0..1, 4 decimals.
- ``peak_concurrent``: the most patients (dose bookings, chair start to chair end) in
  chairs at once; ``peak_at`` the first instant that number is reached. A booking ending
  at the instant another starts does not overlap it.
- ``starts_by_slot``: infusion starts (chair start + prep) per 30-minute slot, keyed by
  the slot's clinic wall time ``HH:MM``; every slot of the opening hours is listed (0 when
  empty), plus any slot outside them that holds a start. Compared with the nurses' start
  capacity ``start_cap`` (None: no cap).
- ``chairs_in_use``: active chairs holding at least one booking (dose or blocked).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlite_utils import Database

from ..clock import Clock
from ..domain.booking import START_SLOT_MIN, slot_key
from ..domain.errors import DomainError
from ..domain.regimen import Setting, total_cycles
from ..domain.stability import Preparation, PrepStatus, status_at
from ..services.context import ClinicSettings, load_settings
from ..services.queries import day_appointments
from ..store import repository as repo
from ..store.database import from_utc_text

NOT_PREPARED = "not prepared"
BAG_STATUS_TEXT = {
    PrepStatus.NOT_PREPARED: NOT_PREPARED,
    PrepStatus.RECONSTITUTED: "vial reconstituted",
    PrepStatus.DILUTED: "bag ready",
    PrepStatus.VIAL_EXPIRED: "vial expired",
    PrepStatus.BAG_EXPIRED: "bag expired",
    PrepStatus.DISCARDED: "discarded",
    PrepStatus.USED: "used",
}
# A dose still needing a bag when the sheet is printed.
NEEDS_BAG = {PrepStatus.NOT_PREPARED, PrepStatus.VIAL_EXPIRED, PrepStatus.BAG_EXPIRED}
CHAIRS_PER_PAGE = 24  # the paint module's timeline holds this many chairs a page


@dataclass(frozen=True)
class SheetAppointment:
    """One chair booking on the sheet; instants are aware, in the clinic's zone."""

    kind: str  # "dose" | "blocked"
    chair: str
    start: datetime  # chair start (prep begins)
    infusion_start: datetime
    infusion_end: datetime
    observation_end: datetime
    end: datetime  # chair free again
    status: str  # "booked" | "given"
    label: str = ""  # blocked time: why the chair is held
    mrn: str | None = None
    name: str | None = None
    cycle: int | None = None
    cycles_total: int | None = None
    setting: str | None = None
    bag_status: str | None = None  # dose only; "not prepared" when no preparation
    bag_expires_at: datetime | None = None
    given_at: datetime | None = None

    @property
    def is_dose(self) -> bool:
        return self.kind == "dose"

    @property
    def first_infusion(self) -> bool:
        return self.is_dose and self.cycle == 1

    @property
    def cycle_text(self) -> str:
        """``7/14`` for a course with a fixed length, ``7`` for MBC, ``""`` for blocked."""
        if self.cycle is None:
            return ""
        return f"{self.cycle}/{self.cycles_total}" if self.cycles_total else str(self.cycle)


@dataclass(frozen=True)
class SheetChair:
    name: str
    appointments: tuple[SheetAppointment, ...]
    active: bool = True  # False: out of service but still holding bookings this day


@dataclass(frozen=True)
class BagNote:
    """A dose whose bag must be prepared, or whose vial/bag expires, on the sheet's day."""

    what: str  # "prepare" | "expires"
    appointment: SheetAppointment
    expires_at: datetime | None = None


@dataclass(frozen=True)
class DaySheet:
    clinic: str
    timezone: str
    day: date
    printed_at: datetime  # the clock's now, in the clinic's zone (bag status is as of then)
    opening: tuple[datetime, datetime] | None  # None: closed day
    chairs: tuple[SheetChair, ...]
    active_chairs: int
    open_minutes: int
    booked_minutes: int
    peak_concurrent: int
    peak_at: datetime | None
    starts_by_slot: dict[str, int]
    start_cap: int | None
    bags: tuple[BagNote, ...] = field(default=())

    @property
    def appointments(self) -> list[SheetAppointment]:
        return [a for chair in self.chairs for a in chair.appointments]

    @property
    def doses(self) -> list[SheetAppointment]:
        return [a for a in self.appointments if a.is_dose]

    @property
    def first_infusions(self) -> list[SheetAppointment]:
        return [a for a in self.doses if a.first_infusion]

    @property
    def open_chair_minutes(self) -> int:
        return self.open_minutes * self.active_chairs

    @property
    def utilization(self) -> float:
        """Booked over open chair-minutes, 0..1, rounded to 4 decimals (0 on a closed day)."""
        if self.open_chair_minutes <= 0:
            return 0.0
        return round(min(1.0, self.booked_minutes / self.open_chair_minutes), 4)

    @property
    def chairs_in_use(self) -> int:
        return sum(1 for chair in self.chairs if chair.active and chair.appointments)

    @property
    def slots_over_cap(self) -> list[str]:
        if self.start_cap is None:
            return []
        return [slot for slot, n in self.starts_by_slot.items() if n > self.start_cap]

    @property
    def infusion_starts(self) -> int:
        return sum(self.starts_by_slot.values())

    def chair_pages(self, per_page: int = CHAIRS_PER_PAGE) -> list[tuple[SheetChair, ...]]:
        """Chairs in groups of ``per_page`` (at least one group, even with no chairs)."""
        groups = [self.chairs[i : i + per_page] for i in range(0, len(self.chairs), per_page)]
        return groups or [()]


# --- building -----------------------------------------------------------------------------
def build_day_sheet(db: Database, day: date, clock: Clock) -> DaySheet:
    """Read the day from the store; bag status is taken at ``clock.now()``."""
    settings = load_settings(db)
    calendar = settings.calendar
    now = calendar.local(clock.now())
    rows = day_appointments(db, settings, day)
    chair_rows = repo.chairs(db)
    active_ids = [int(row["id"]) for row in chair_rows]
    names = {int(row["id"]): str(row["name"]) for row in chair_rows}
    by_chair: dict[int, list[SheetAppointment]] = {chair_id: [] for chair_id in active_ids}
    for row in rows:
        chair_id = int(row["chair_id"])
        names.setdefault(chair_id, str(row["chair_name"]))
        by_chair.setdefault(chair_id, []).append(_appointment(db, settings, row, now))
    chairs = tuple(
        SheetChair(names[chair_id], tuple(items), chair_id in active_ids)
        for chair_id, items in by_chair.items()
    )
    opening = calendar.opening_window(day)
    open_minutes = calendar.open_minutes(day)
    active_bookings = [a for c in chairs if c.active for a in c.appointments]
    doses = [a for c in chairs for a in c.appointments if a.is_dose]
    peak, peak_at = peak_concurrency((a.start, a.end) for a in doses)
    starts = [a.infusion_start for a in doses]
    return DaySheet(
        clinic=settings.name,
        timezone=settings.timezone,
        day=day,
        printed_at=now,
        opening=opening,
        chairs=chairs,
        active_chairs=len(active_ids),
        open_minutes=open_minutes,
        booked_minutes=booked_minutes(((a.start, a.end) for a in active_bookings), opening),
        peak_concurrent=peak,
        peak_at=peak_at,
        starts_by_slot=starts_by_slot(settings, opening, starts),
        start_cap=settings.start_cap,
        bags=tuple(_bag_notes(doses, day, settings)),
    )


def _appointment(
    db: Database, settings: ClinicSettings, row: dict[str, Any], now: datetime
) -> SheetAppointment:
    local = settings.calendar.local
    start_utc = from_utc_text(row["start_utc"])  # minutes are elapsed time: add in UTC
    prep = timedelta(minutes=row["prep_min"])
    infusion = timedelta(minutes=row["infusion_min"])
    observation = timedelta(minutes=row["observation_min"])
    common: dict[str, Any] = {
        "chair": str(row["chair_name"]),
        "start": local(start_utc),
        "infusion_start": local(start_utc + prep),
        "infusion_end": local(start_utc + prep + infusion),
        "observation_end": local(start_utc + prep + infusion + observation),
        "end": local(from_utc_text(row["end_utc"])),
        "status": str(row["status"]),
    }
    if row["kind"] != "dose" or row["dose_id"] is None:
        return SheetAppointment(kind="blocked", label=str(row["label"] or "blocked"), **common)
    setting = str(row["setting"]) if row["setting"] else None
    bag, expires = bag_status(db, int(row["dose_id"]), now)
    return SheetAppointment(
        kind="dose",
        mrn=row["mrn"],
        name=row["patient_name"],
        cycle=row["cycle"],
        cycles_total=total_cycles(Setting(setting)) if setting else None,
        setting=setting,
        bag_status=BAG_STATUS_TEXT[bag],
        bag_expires_at=None if expires is None else local(expires),
        given_at=None if row["given_at"] is None else local(from_utc_text(row["given_at"])),
        **common,
    )


def bag_status(db: Database, dose_id: int, at: datetime) -> tuple[PrepStatus, datetime | None]:
    """The dose's live preparation at ``at`` and the expiry that matters next (UTC)."""
    row = repo.preparation_for_dose(db, dose_id)
    if row is None:
        return PrepStatus.NOT_PREPARED, None

    def instant(name: str) -> datetime | None:
        text = row.get(name)
        return None if text is None else from_utc_text(text)

    try:
        prep = Preparation(
            instant("reconstituted_at"),
            instant("diluted_at"),
            instant("discarded_at"),
            instant("used_at"),
        )
    except DomainError:  # an impossible stored record: ask for a new bag, never trust it
        return PrepStatus.NOT_PREPARED, None
    status = status_at(prep, at)
    if status in (PrepStatus.RECONSTITUTED, PrepStatus.VIAL_EXPIRED):
        return status, prep.vial_expires_at
    if status in (PrepStatus.DILUTED, PrepStatus.BAG_EXPIRED):
        return status, prep.bag_expires_at
    return status, None


def _bag_notes(
    doses: Iterable[SheetAppointment], day: date, settings: ClinicSettings
) -> list[BagNote]:
    notes: list[BagNote] = []
    needs = {BAG_STATUS_TEXT[s] for s in NEEDS_BAG}
    for dose in sorted(doses, key=lambda a: (a.infusion_start, a.chair)):
        if dose.status != "booked":
            continue
        expires = dose.bag_expires_at
        # [label] no infusion may start from a bag past its 24 h: such a dose needs a new one
        expired_by_then = (
            dose.bag_status == BAG_STATUS_TEXT[PrepStatus.DILUTED]
            and expires is not None
            and expires < dose.infusion_start
        )
        if dose.bag_status in needs or expired_by_then:
            notes.append(BagNote("prepare", dose, expires))
        elif expires is not None and settings.calendar.local_date(expires) == day:
            notes.append(BagNote("expires", dose, expires))
    return notes


# --- figures (pure) -----------------------------------------------------------------------
def booked_minutes(
    intervals: Iterable[tuple[datetime, datetime]],
    opening: tuple[datetime, datetime] | None,
) -> int:
    """Sum of the intervals' minutes inside the opening window (0 when closed)."""
    if opening is None:
        return 0
    opens, closes = opening
    total = timedelta()
    for start, end in intervals:
        begin, finish = max(start, opens), min(end, closes)
        if finish > begin:
            total += finish - begin
    return int(total.total_seconds() // 60)


def peak_concurrency(
    intervals: Iterable[tuple[datetime, datetime]],
) -> tuple[int, datetime | None]:
    """Most intervals open at once and the first instant it happens ([start, end))."""
    events: list[tuple[datetime, int]] = []
    for start, end in intervals:
        if end > start:
            events.append((start, 1))
            events.append((end, -1))
    events.sort(key=lambda e: (e[0], e[1]))  # at one instant, ends (-1) before starts
    current, peak, peak_at = 0, 0, None
    for instant, step in events:
        current += step
        if current > peak:
            peak, peak_at = current, instant
    return peak, peak_at


def starts_by_slot(
    settings: ClinicSettings,
    opening: tuple[datetime, datetime] | None,
    starts: Sequence[datetime],
) -> dict[str, int]:
    """``HH:MM`` (clinic wall time of each 30-minute slot) -> infusion starts in it."""
    calendar = settings.calendar
    counts: dict[str, int] = {}
    if opening is not None:
        slot = slot_key(calendar, opening[0])
        while slot < opening[1]:
            counts[f"{slot:%H:%M}"] = 0
            slot = calendar.local(slot + timedelta(minutes=START_SLOT_MIN))
    for start in starts:
        key = f"{slot_key(calendar, start):%H:%M}"
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))


# --- JSON ---------------------------------------------------------------------------------
def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def appointment_json(item: SheetAppointment) -> dict[str, Any]:
    return {
        "kind": item.kind,
        "mrn": item.mrn,
        "name": item.name,
        "label": item.label or None,
        "cycle": item.cycle,
        "cycles_total": item.cycles_total,
        "cycle_text": item.cycle_text or None,
        "setting": item.setting,
        "first_infusion": item.first_infusion,
        "start": _iso(item.start),
        "infusion_start": _iso(item.infusion_start),
        "infusion_end": _iso(item.infusion_end),
        "observation_end": _iso(item.observation_end),
        "end": _iso(item.end),
        "status": item.status,
        "bag_status": item.bag_status,
        "bag_expires_at": _iso(item.bag_expires_at),
        "given_at": _iso(item.given_at),
    }


def sheet_to_json(sheet: DaySheet) -> dict[str, Any]:
    """The ``day-sheet --json`` object (README "Day sheet")."""
    return {
        "date": sheet.day.isoformat(),
        "clinic": sheet.clinic,
        "timezone": sheet.timezone,
        "printed_at": _iso(sheet.printed_at),
        "opening": None if sheet.opening is None else [_iso(t) for t in sheet.opening],
        "chairs": [
            {
                "chair": chair.name,
                "active": chair.active,
                "appointments": [appointment_json(a) for a in chair.appointments],
            }
            for chair in sheet.chairs
        ],
        "utilization": sheet.utilization,
        "booked_chair_minutes": sheet.booked_minutes,
        "open_chair_minutes": sheet.open_chair_minutes,
        "chairs_in_use": sheet.chairs_in_use,
        "active_chairs": sheet.active_chairs,
        "peak_concurrent": sheet.peak_concurrent,
        "peak_at": _iso(sheet.peak_at),
        "starts_by_slot": dict(sheet.starts_by_slot),
        "start_cap": sheet.start_cap,
        "slots_over_cap": sheet.slots_over_cap,
        "first_infusions": [a.mrn for a in sheet.first_infusions],
        "bags": [
            {
                "what": note.what,
                "mrn": note.appointment.mrn,
                "name": note.appointment.name,
                "chair": note.appointment.chair,
                "infusion_start": _iso(note.appointment.infusion_start),
                "bag_status": note.appointment.bag_status,
                "expires_at": _iso(note.expires_at),
            }
            for note in sheet.bags
        ],
    }
