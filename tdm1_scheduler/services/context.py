"""What every service call needs: the store, a clock, who acts; and what it returns."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from ..clock import Clock
from ..domain.calendar import ClinicCalendar, OpeningHours, zone_from_name
from ..domain.course import PlanningRules
from ..domain.errors import DomainError
from ..domain.lean import dataclass, field
from ..domain.records import Appointment, Chair, Dose, Patient
from ..store.database import StoreError
from ..store.mapping import record_to_row
from ..store.protocol import Store

if TYPE_CHECKING:  # the booking rules load when a booking is planned (issue 19)
    from ..domain.booking import SlotPreferences


@dataclass
class Context:
    """``Context(store, clock, user)``: the store every service reads and writes
    through (``ctx.store``), the clock, and who acts (written to the audit log)."""

    store: Store
    clock: Clock
    user: str = "scheduler"

    @classmethod
    def over(cls, store: Store, clock: Clock, user: str = "scheduler") -> Context:
        """A context on ``store`` (the same as ``Context(store, clock, user)``)."""
        return cls(store, clock, user)


@dataclass(frozen=True)
class CycleMove:
    cycle: int
    old_start: datetime | None
    new_start: datetime
    old_chair: str | None
    new_chair: str

    @property
    def shift(self) -> timedelta | None:
        return None if self.old_start is None else self.new_start - self.old_start


Row = dict[str, Any]

# A booking or dose as a change wrote it: the whole record, version included.
Written = Appointment | Dose


@dataclass(frozen=True)
class RowChange:
    """One row a change wrote, whole (version included), so it can be put back exactly:
    ``before`` None when the change inserted it, ``after`` None when it deleted it."""

    table: str
    before: Written | None
    after: Written | None

    @property
    def row_id(self) -> int:
        row = self.after if self.after is not None else self.before
        assert row is not None
        return row.id


@dataclass
class ChangeSet:
    """What one service call changed: ids per table, moved cycles, notes for people, and
    each appointment or dose row it wrote as it was before and after (``rows``)."""

    action: str
    appointments: set[int] = field(default_factory=set)
    patients: set[int] = field(default_factory=set)
    courses: set[int] = field(default_factory=set)
    chairs: set[int] = field(default_factory=set)
    preparations: set[int] = field(default_factory=set)
    settings: bool = False
    moves: list[CycleMove] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rows: dict[tuple[str, int], RowChange] = field(default_factory=dict)

    @property
    def later_moves(self) -> list[CycleMove]:
        return self.moves[1:]

    def record(self, table: str, before: Written | None, after: Written | None) -> None:
        """Note one write: a row written twice keeps its first ``before``, last ``after``."""
        change = RowChange(table, before, after)
        key = (table, change.row_id)
        first = self.rows.get(key)
        if first is not None:
            change = RowChange(table, first.before, after)
        if change.before is None and change.after is None:
            self.rows.pop(key, None)  # inserted, then deleted: nothing to put back
        else:
            self.rows[key] = change


@dataclass(frozen=True)
class ClinicSettings:
    name: str
    timezone: str
    calendar: ClinicCalendar
    rules: PlanningRules
    snap_min: int
    start_cap: int | None
    preferred_window_min: int
    weight_min_kg: float
    weight_max_kg: float
    weight_recalc_percent: float

    def prefs(self, chairs: list[int], preferred: time | None) -> SlotPreferences:
        from ..domain.booking import SlotPreferences

        return SlotPreferences(
            chairs, preferred, self.snap_min, self.start_cap, self.preferred_window_min
        )


def load_settings(store: Store) -> ClinicSettings:
    return settings_from(store)


def settings_from(store: Store) -> ClinicSettings:
    """The clinic's settings, calendar and planning rules, read through ``store``."""
    clinic = store.clinic()
    if clinic is None:
        raise StoreError("the database has no clinic yet; run `tdm1-scheduler init` first")
    zone = zone_from_name(clinic.timezone)
    hours = {h.weekday: OpeningHours(h.opens, h.closes) for h in store.opening_hours()}
    closed = frozenset(closed.day for closed in store.closed_dates())
    return ClinicSettings(
        name=clinic.name,
        timezone=clinic.timezone,
        calendar=ClinicCalendar(zone, hours, closed),
        rules=PlanningRules(clinic.prep_min, clinic.early_window_days, clinic.mbc_horizon_cycles),
        snap_min=clinic.snap_min,
        start_cap=clinic.start_cap,
        preferred_window_min=clinic.preferred_window_min,
        weight_min_kg=clinic.weight_min_kg,
        weight_max_kg=clinic.weight_max_kg,
        weight_recalc_percent=clinic.weight_recalc_percent,
    )


def audit(
    ctx: Context, action: str, entity: str, entity_id: int | None, old: Any, new: Any
) -> None:
    ctx.store.insert_audit(
        at=ctx.clock.now(),
        user=ctx.user,
        action=action,
        entity=entity,
        entity_id=entity_id,
        old=old,
        new=new,
    )


def stored_values(record: Any, columns: Iterable[str]) -> dict[str, Any]:
    """Some columns of a record's row as stored (instants as UTC text): what an audit
    row's old and new values hold."""
    row = record_to_row(record)
    return {column: row[column] for column in columns}


def chair_ids_in_order(store: Store, first: int | None = None) -> list[int]:
    """The active chairs' ids in the clinic's order, ``first`` first."""
    ids = [chair.id for chair in store.chairs()]
    if first is not None and first in ids:
        ids.remove(first)
        ids.insert(0, first)
    return ids


def chair_record(store: Store, name: str) -> Chair:
    """The active chair named ``name`` (spaces around it ignored), or the DomainError
    saying why not."""
    chair = store.chair_by_name(name.strip())
    if chair is None:
        raise DomainError("chair", f"no chair named {name!r}")
    if not chair.active:
        raise DomainError("chair", f"chair {name!r} is out of service")
    return chair


def patient_record(store: Store, mrn: str) -> Patient:
    """The patient with ``mrn`` (spaces around it ignored), or the DomainError saying so."""
    patient = store.patient_by_mrn(mrn.strip())
    if patient is None:
        raise _no_patient(mrn)
    return patient


def _no_patient(mrn: str) -> DomainError:
    return DomainError("mrn", f"no patient with MRN {mrn!r}")
