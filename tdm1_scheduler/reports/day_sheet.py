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

Each row also carries what the nurses recorded (``arrived_at``, the actual infusion and
observation, ``discharged_at``; the ``shown_*`` times print those where recorded, the
booking's elsewhere), when its chair stands empty afterwards (``free_from`` to
``free_until``, the next booking in that chair) and its ``marks`` (``sheet_marks``).
Visits missed today are kept apart (``SheetChair.missed``): they hold no chair time.

The whole day is read in a constant number of statements (``Store.day_sheet_rows``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from ..clock import Clock
from ..domain.lean import dataclass, replace
from ..domain.records import DEFAULT_REGIMEN_CODE, AppointmentKind, CycleStatus, SheetRow
from ..domain.regimen import Setting, total_cycles
from ..domain.regimens import regimen_for
from ..domain.stability import PrepStatus
from ..services import readiness
from ..services.context import ClinicSettings, load_settings
from ..services.storage import Store
from ..text import cycle_label
from .sheet_bags import (
    bag_status as bag_status,  # re-exported: its home was here
    bag_status_of,
)
from .sheet_figures import booked_minutes, peak_concurrency, starts_by_slot
from .sheet_instants import iso_once, local_once
from .sheet_marks import Mark, marks_for, readiness_marks

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
NEEDS_BAG = {PrepStatus.NOT_PREPARED, PrepStatus.VIAL_EXPIRED, PrepStatus.BAG_EXPIRED}  # to print
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
    status: str  # "booked" | "given" | "missed" (missed: only in SheetChair.missed)
    label: str = ""  # blocked time: why the chair is held
    mrn: str | None = None
    name: str | None = None
    cycle: int | None = None
    cycles_total: int | None = None
    setting: str | None = None
    bag_status: str | None = None  # dose; "not prepared": none; a given dose: "used"/None
    bag_expires_at: datetime | None = None
    given_at: datetime | None = None
    appointment_id: int | None = None
    dose_id: int | None = None
    infusion_min: int | None = None  # booked minutes (dose)
    observation_min: int = 0
    infusion_actual_min: int | None = None  # as recorded (given)
    infusion_planned_min: int | None = None
    completed: bool | None = None  # given: False = stopped before complete
    reaction_grade: int | None = None  # a reaction recorded in this visit (or at the dose)
    # what the nurses recorded (None: not yet)
    arrived_at: datetime | None = None
    actual_infusion_start: datetime | None = None
    actual_infusion_end: datetime | None = None
    actual_observation_end: datetime | None = None
    discharged_at: datetime | None = None
    paused_min: int = 0
    rebooked_to: datetime | None = None  # a missed visit: where its dose is booked now
    free_until: datetime | None = None  # the chair's next booking starts (None: none today)
    marks: tuple[Mark, ...] = ()

    @property
    def shown_start(self) -> datetime:
        """The arrival where recorded, else the chair start."""
        return self.arrived_at or self.start

    @property
    def shown_infusion_start(self) -> datetime:
        return self.actual_infusion_start or self.infusion_start

    @property
    def shown_infusion_end(self) -> datetime:
        """The recorded end; a running infusion's due end (its pauses added); else booked."""
        if self.actual_infusion_end is not None:
            return self.actual_infusion_end
        if self.actual_infusion_start is not None and self.infusion_min is not None:
            minutes = self.infusion_min + self.paused_min
            return self.actual_infusion_start + timedelta(minutes=minutes)
        return self.infusion_end

    @property
    def shown_observation_end(self) -> datetime:
        if self.actual_observation_end is not None:
            return self.actual_observation_end
        if self.actual_infusion_start is None:
            return self.observation_end
        return self.shown_infusion_end + timedelta(minutes=self.observation_min)

    @property
    def free_from(self) -> datetime:
        """When the chair is empty again: the discharge where recorded, else the end of
        the booking (or of the observation, when that runs later)."""
        if self.discharged_at is not None:
            return self.discharged_at
        return max(self.end, self.shown_observation_end) if self.is_dose else self.end

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
        return cycle_label(self.cycle, self.cycles_total, word="")


@dataclass(frozen=True)
class SheetChair:
    name: str
    appointments: tuple[SheetAppointment, ...]
    active: bool = True  # False: out of service but still holding bookings this day
    missed: tuple[SheetAppointment, ...] = ()  # visits missed today (no chair time)

    @property
    def rows(self) -> list[SheetAppointment]:
        """The table's rows of this chair: bookings and missed visits, by start."""
        return sorted((*self.appointments, *self.missed), key=lambda a: (a.start, a.is_dose))


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
    bags: tuple[BagNote, ...] = ()

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
    def missed(self) -> list[SheetAppointment]:
        return [a for chair in self.chairs for a in chair.missed]

    @property
    def rows(self) -> list[tuple[SheetChair, SheetAppointment]]:
        """Every table row (chair, appointment), chair by chair."""
        return [(chair, item) for chair in self.chairs for item in chair.rows]

    @property
    def mark_codes(self) -> list[str]:
        """The codes of the marks the day carries, in the legend's order."""
        found = {m.code for _chair, item in self.rows for m in item.marks}
        from .sheet_marks import MARK_LEGEND

        return [code for code in MARK_LEGEND if code in found] + sorted(found - set(MARK_LEGEND))

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
def build_day_sheet(store: Store, day: date, clock: Clock) -> DaySheet:
    """Read the day from the store; bag status is taken at ``clock.now()``.

    A constant number of statements whatever the day holds: the settings, the chairs,
    the day's rows (``Store.day_sheet_rows``) and the readiness of its booked doses."""
    settings = load_settings(store)
    calendar = settings.calendar
    now = calendar.local(clock.now())
    day_start, day_end = calendar.day_bounds(day)
    rows = store.day_sheet_rows(day_start, day_end)
    local = local_once(settings)
    active = store.chairs()
    active_ids = [chair.id for chair in active]
    names = {chair.id: chair.name for chair in active}
    by_chair: dict[int, list[SheetAppointment]] = {chair_id: [] for chair_id in active_ids}
    missed: dict[int, list[SheetAppointment]] = {}
    for row in rows:
        chair_id = row.chair_id
        item = _appointment(local, row, now)
        if item.status == "missed":
            missed.setdefault(chair_id, []).append(item)
            continue
        names.setdefault(chair_id, row.chair_name)
        by_chair.setdefault(chair_id, []).append(item)
    for chair_id, items in missed.items():
        names.setdefault(chair_id, str(items[0].chair))
        by_chair.setdefault(chair_id, [])
    chairs = tuple(
        SheetChair(
            names[chair_id],
            _with_free_until(items, now),
            chair_id in active_ids,
            _with_marks(missed.get(chair_id, []), now),
        )
        for chair_id, items in by_chair.items()
    )
    opening = calendar.opening_window(day)
    open_minutes = calendar.open_minutes(day)
    active_bookings = [a for c in chairs if c.active for a in c.appointments]
    doses = [a for c in chairs for a in c.appointments if a.kind == "dose"]  # a.is_dose
    peak, peak_at = peak_concurrency((a.start, a.end) for a in doses)
    starts = [a.infusion_start for a in doses]
    sheet = DaySheet(
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
    booked = [a.appointment_id for a in doses if a.status == "booked" and a.appointment_id]
    gate = readiness.readiness_gate(store)  # off: no readiness mark; warn: none for a
    # patient with no result at all (``readiness_marks``), so those verdicts are not made
    verdicts = (
        readiness.readiness_for_appointments(store, booked, with_results_only=gate == "warn")
        if booked and gate != "off"
        else {}
    )
    return with_marks(sheet, readiness_marks(verdicts, gate))


def with_marks(sheet: DaySheet, extra: Mapping[int, Sequence[Mark]]) -> DaySheet:
    """The sheet with more marks on some rows (``extra``: appointment id -> marks), for
    marks computed outside this module (the readiness gate's, say)."""
    if not extra:  # no row gains a mark: the same sheet (its records are immutable)
        return sheet

    def marked(item: SheetAppointment) -> SheetAppointment:
        more = extra.get(item.appointment_id or -1)
        return _replace(item, marks=(*item.marks, *more)) if more else item

    def chair_of(chair: SheetChair) -> SheetChair:
        return replace(
            chair,
            appointments=tuple(marked(a) for a in chair.appointments),
            missed=tuple(marked(a) for a in chair.missed),
        )

    chairs = tuple(chair_of(c) for c in sheet.chairs)
    index = {id(a): b for c, n in zip(sheet.chairs, chairs, strict=True)
             for a, b in zip(c.appointments, n.appointments, strict=True)}  # fmt: skip
    bags = tuple(replace(b, appointment=index.get(id(b.appointment), b.appointment))
                 for b in sheet.bags)  # fmt: skip
    return replace(sheet, chairs=chairs, bags=bags)


def _with_free_until(items: list[SheetAppointment], now: datetime) -> tuple[SheetAppointment, ...]:
    """Each booking with its marks and the start of the next booking in its chair.

    ``items`` are this build's own records (``_appointment``), seen by no one yet: their
    two late fields are set in place, in the ``__dict__`` ``__init__`` filled, instead of
    a second 36-field copy of every row (issue 19). ``marks_for`` reads neither."""
    following: datetime | None = None
    for item in reversed(items):
        fields = item.__dict__
        fields["free_until"] = following
        fields["marks"] = marks_for(item, now)
        following = item.start
    return tuple(items)


def _with_marks(items: list[SheetAppointment], now: datetime) -> tuple[SheetAppointment, ...]:
    """Each of this build's own records with its marks, set in place (``_with_free_until``)."""
    for item in items:
        item.__dict__["marks"] = marks_for(item, now)
    return tuple(items)


_new = object.__new__


def _replace(item: SheetAppointment, **changes: Any) -> SheetAppointment:
    """``dataclasses.replace(item, **changes)`` from the row's ``__dict__`` (every field
    is an ``__init__`` field, kept there; no ``__post_init__``): ``replace`` walks the 36
    fields in Python, twice a row (issue 19). The copy's ``__dict__`` is set whole, as
    ``__init__`` would set it field by field (frozen: ``object.__setattr__``)."""
    made = _new(SheetAppointment)
    fields = made.__dict__
    fields.update(item.__dict__)
    fields.update(changes)
    return made


def _fresh(fields: dict[str, Any]) -> SheetAppointment:
    """``SheetAppointment(**fields)``, every field given in field order: the ``__dict__``
    set whole, not by 36 frozen ``object.__setattr__`` calls a row (issue 19)."""
    (made := _new(SheetAppointment)).__dict__.update(fields)
    return made


_MINUTE = timedelta(minutes=1)
_CYCLES: dict[tuple[Setting, str | None], int | None] = {}  # regimens are constants


def _cycles_total(setting: Setting, code: str | None) -> int | None:
    if (setting, code) not in _CYCLES:  # an unknown code raises, as before, uncached
        _CYCLES[setting, code] = total_cycles(setting, regimen_for(code or DEFAULT_REGIMEN_CODE))
    return _CYCLES[setting, code]


_STATUS_TEXT = {status: status.value for status in CycleStatus}  # no enum ``.value`` a row
_SETTING_TEXT = {setting: setting.value for setting in Setting}


def _appointment(
    local: Callable[[datetime], datetime], row: SheetRow, now: datetime
) -> SheetAppointment:
    start_utc = row.start  # minutes are elapsed time: add in UTC
    infusion_start_utc = start_utc + _MINUTE * row.prep_min
    infusion_end_utc = infusion_start_utc + _MINUTE * row.infusion_min
    observation = _MINUTE * row.observation_min
    start, end = local(start_utc), local(row.end)
    infusion_start, infusion_end = local(infusion_start_utc), local(infusion_end_utc)
    observation_end = local(infusion_end_utc + observation)
    status = _STATUS_TEXT[row.status]
    if row.kind is not AppointmentKind.DOSE or row.dose_id is None:
        return _fresh({  # every field, in field order (a test holds this to __init__)
            "kind": "blocked", "chair": row.chair_name, "start": start,
            "infusion_start": infusion_start, "infusion_end": infusion_end,
            "observation_end": observation_end, "end": end, "status": status,
            "label": str(row.label or "blocked"), "mrn": None, "name": None, "cycle": None,
            "cycles_total": None, "setting": None, "bag_status": None,
            "bag_expires_at": None, "given_at": None, "appointment_id": row.id,
            "dose_id": None, "infusion_min": None, "observation_min": 0,
            "infusion_actual_min": None, "infusion_planned_min": None, "completed": None,
            "reaction_grade": None, "arrived_at": None, "actual_infusion_start": None,
            "actual_infusion_end": None, "actual_observation_end": None,
            "discharged_at": None, "paused_min": 0, "rebooked_to": None,
            "free_until": None, "marks": (),
        })  # fmt: skip
    setting = row.setting
    missed = row.status is CycleStatus.MISSED
    bag: PrepStatus | None
    bag, expires = (PrepStatus.NOT_PREPARED, None) if missed else _bag_of(row, now)
    if row.status is CycleStatus.GIVEN:  # its bag is used (None: given with no bag on record)
        bag = PrepStatus.USED if row.used_at is not None else None
        expires = None

    given = infusion_started = infusion_ended = observed = discharged = arrived = None
    if not missed:  # what the nurses recorded (a missed visit shows none of it)
        given = None if (at := row.given_at) is None else local(at)
        infusion_started = None if (at := row.infusion_started_at) is None else local(at)
        infusion_ended = None if (at := row.infusion_ended_at) is None else local(at)
        observed = None if (at := row.observation_ended_at) is None else local(at)
        discharged = None if (at := row.discharged_at) is None else local(at)
        arrived = None if (at := row.arrived_at) is None else local(at)
    actual_min = row.infusion_actual_min
    if row.arrived_at is None and given is not None and row.status is CycleStatus.GIVEN:
        # given without the board (the CLI's ``dose given``): a whole visit on record
        arrived = infusion_started = given
        infusion_ended = local(given + timedelta(minutes=actual_min or row.infusion_min))
        observed = local(infusion_ended + observation)
        discharged = max(end, observed)
    completed = row.infusion_completed
    grade = row.visit_reaction if row.visit_reaction is not None else row.dose_reaction
    return _fresh({  # every field, in field order (a test holds this to __init__)
        "kind": "dose", "chair": row.chair_name, "start": start,
        "infusion_start": infusion_start, "infusion_end": infusion_end,
        "observation_end": observation_end, "end": end, "status": status, "label": "",
        "mrn": row.mrn, "name": row.patient_name, "cycle": row.cycle,
        "cycles_total": _cycles_total(setting, row.regimen_code) if setting else None,
        "setting": _SETTING_TEXT[setting] if setting else None,
        "bag_status": None if bag is None else BAG_STATUS_TEXT[bag],
        "bag_expires_at": None if expires is None else local(expires),
        "given_at": given, "appointment_id": row.id, "dose_id": row.dose_id,
        "infusion_min": row.infusion_min, "observation_min": row.observation_min,
        "infusion_actual_min": actual_min, "infusion_planned_min": row.infusion_planned_min,
        "completed": None if completed is None or missed else completed,
        "reaction_grade": None if missed else grade, "arrived_at": arrived,
        "actual_infusion_start": infusion_started, "actual_infusion_end": infusion_ended,
        "actual_observation_end": observed, "discharged_at": discharged,
        "paused_min": (row.paused_seconds or 0) // 60,
        "rebooked_to": None if row.rebooked_start is None else local(row.rebooked_start),
        "free_until": None, "marks": (),
    })  # fmt: skip


def _bag_of(row: SheetRow, at: datetime) -> tuple[PrepStatus, datetime | None]:
    """The row's live preparation at ``at`` and the expiry that matters next (UTC)."""
    return bag_status_of(row.reconstituted_at, row.diluted_at, row.discarded_at, row.used_at, at)


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


# --- JSON ---------------------------------------------------------------------------------
def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def appointment_json(
    item: SheetAppointment, iso: Callable[[datetime | None], str | None] = _iso
) -> dict[str, Any]:
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
        "start": iso(item.start),
        "infusion_start": iso(item.infusion_start),
        "infusion_end": iso(item.infusion_end),
        "observation_end": iso(item.observation_end),
        "end": iso(item.end),
        "status": item.status,
        "bag_status": item.bag_status,
        "bag_expires_at": iso(item.bag_expires_at),
        "given_at": iso(item.given_at),
        # added for issue 14: what was recorded, the chair's free time and the marks
        "appointment_id": item.appointment_id,
        "actual": {
            "arrived": iso(item.arrived_at),
            "infusion_start": iso(item.actual_infusion_start),
            "infusion_end": iso(item.actual_infusion_end),
            "observation_end": iso(item.actual_observation_end),
            "discharged": iso(item.discharged_at),
        },
        "infusion_min": item.infusion_min,
        "completed": item.completed,
        "rebooked_to": iso(item.rebooked_to),
        "free_from": iso(item.free_from),
        "free_until": iso(item.free_until),
        "marks": [{"code": m.code, "text": m.text} for m in item.marks],
    }


def sheet_to_json(sheet: DaySheet) -> dict[str, Any]:
    """The ``day-sheet --json`` object (README "Day sheet")."""
    iso = iso_once()
    chairs = [{"chair": chair.name, "active": chair.active,
               "appointments": [appointment_json(a, iso) for a in chair.appointments],
               "missed": [appointment_json(a, iso) for a in chair.missed]}
              for chair in sheet.chairs]  # fmt: skip
    bags = [{"what": note.what, "mrn": note.appointment.mrn, "name": note.appointment.name,
             "chair": note.appointment.chair,
             "infusion_start": iso(note.appointment.infusion_start),
             "bag_status": note.appointment.bag_status, "expires_at": iso(note.expires_at)}
            for note in sheet.bags]  # fmt: skip
    return sheet_json_fields(sheet, iso, chairs, bags)


def sheet_json_fields(
    sheet: DaySheet, iso: Callable[..., Any], chairs: Any, bags: Any
) -> dict[str, Any]:
    """``sheet_to_json`` with ``chairs`` and ``bags`` as given (``cli/sheet_text.py``)."""
    return {
        "date": sheet.day.isoformat(),
        "clinic": sheet.clinic,
        "timezone": sheet.timezone,
        "printed_at": iso(sheet.printed_at),
        "opening": None if sheet.opening is None else [iso(t) for t in sheet.opening],
        "chairs": chairs,
        "utilization": sheet.utilization,
        "booked_chair_minutes": sheet.booked_minutes,
        "open_chair_minutes": sheet.open_chair_minutes,
        "chairs_in_use": sheet.chairs_in_use,
        "active_chairs": sheet.active_chairs,
        "peak_concurrent": sheet.peak_concurrent,
        "peak_at": iso(sheet.peak_at),
        "starts_by_slot": dict(sheet.starts_by_slot),
        "start_cap": sheet.start_cap,
        "slots_over_cap": sheet.slots_over_cap,
        "first_infusions": [a.mrn for a in sheet.first_infusions],
        "missed_visits": [a.mrn for a in sheet.missed],
        "bags": bags,
    }
