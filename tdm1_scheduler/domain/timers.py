"""The phases of one chair visit, its clock flags and countdowns, from stored instants.

A visit goes: expected -> arrived (prep) -> infusing (<-> paused) -> observing ->
observation ended -> done. The phase changes only by a recorded action (arrived,
infusion started, paused, resumed, ended, observation ended, discharged): ``phase_of``
takes no clock. The clock only adds flags (``flags_at``): late, infusion due to end,
ready to leave. Each phase that has an end gets a countdown; past the end it is an
overrun that counts up. Nothing here reads a clock: every function that needs the time
takes ``now``, so closing the app loses no timer, and a second process computes the
same numbers.

[label] at least 90 min of observation after the first infusion, at least 30 min after
later ones; the minimum comes from the booking (``observation_min``) and counts from
the real end of the infusion. A pause (for a reaction) pushes the infusion's end back by
the length of the pause.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from .errors import DomainError, require_aware
from .lean import dataclass

REACTION_GRADES = (1, 2, 3, 4)
LIFE_THREATENING_GRADE = 4  # [label] permanently discontinue for a life-threatening reaction


class Phase(StrEnum):
    EXPECTED = "expected"  # booked today, not arrived yet
    PREP = "arrived/prep"  # in the chair: vitals, line access
    INFUSING = "infusing"
    PAUSED = "paused"  # infusion interrupted (a reaction); its end moves on
    OBSERVING = "observing"  # infusion ended, observation running
    READY = "observation ended"  # observation ended (recorded), not yet discharged
    DONE = "done"  # discharged


class VisitFlag(StrEnum):
    """What the clock adds on top of a phase; a flag never changes the phase."""

    LATE = "late"  # not arrived, the booked start has passed
    INFUSION_DUE = "infusion due to end"  # infusing, the planned end has passed
    READY_TO_LEAVE = "ready to leave"  # the minimum observation has passed


class AlertKind(StrEnum):
    INFUSION_END = "infusion_end"  # the infusion should end now
    OBSERVATION_COMPLETE = "observation_complete"  # the minimum observation is over


@dataclass(frozen=True)
class Visit:
    """What is recorded about one chair visit. Every instant is aware; None = not yet.

    ``paused_seconds`` counts the pauses that ended; a pause still running is
    ``paused_at`` and is added up to ``now`` by the functions below.
    """

    planned_start: datetime  # the chair booking's start (prep begins)
    prep_min: int
    infusion_min: int  # planned infusion length
    observation_min: int  # minimum observation after the infusion
    arrived_at: datetime | None = None
    infusion_started_at: datetime | None = None
    paused_at: datetime | None = None
    paused_seconds: int = 0
    pause_count: int = 0
    infusion_ended_at: datetime | None = None
    observation_ended_at: datetime | None = None
    discharged_at: datetime | None = None
    reaction_grade: int | None = None

    def __post_init__(self) -> None:
        for name in (
            "planned_start",
            "arrived_at",
            "infusion_started_at",
            "paused_at",
            "infusion_ended_at",
            "observation_ended_at",
            "discharged_at",
        ):
            value = getattr(self, name)
            if value is not None:
                require_aware(name, value)
        for name in ("prep_min", "infusion_min", "observation_min", "paused_seconds"):
            if getattr(self, name) < 0:
                raise DomainError(name, "must not be negative")
        if self.reaction_grade is not None and self.reaction_grade not in REACTION_GRADES:
            raise DomainError("reaction_grade", f"must be 1-4, got {self.reaction_grade}")
        if self.paused_at is not None and (
            self.infusion_started_at is None or self.infusion_ended_at is not None
        ):
            raise DomainError("paused_at", "only a running infusion can be paused")
        if self.infusion_ended_at is not None and self.infusion_started_at is None:
            raise DomainError("infusion_ended_at", "an infusion ends only after it started")

    @property
    def was_interrupted(self) -> bool:
        return self.pause_count > 0 or self.paused_at is not None


@dataclass(frozen=True)
class Countdown:
    """Where a visit stands at one instant.

    ``ends_at`` is the end of the current phase, or None for a phase without one
    (paused, ready, done). Before the end ``remaining`` > 0; after it ``overrun`` > 0.
    For a paused infusion ``remaining`` is the infusion time left, frozen.
    """

    phase: Phase
    ends_at: datetime | None
    remaining: timedelta
    overrun: timedelta

    @property
    def is_overrun(self) -> bool:
        return self.overrun > timedelta(0)


@dataclass(frozen=True)
class Alert:
    kind: AlertKind
    due_at: datetime


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def paused_total(visit: Visit, now: datetime) -> timedelta:
    """All pause time up to ``now``: ended pauses plus the one running, if any."""
    total = timedelta(seconds=visit.paused_seconds)
    if visit.paused_at is not None and _utc(now) > _utc(visit.paused_at):
        total += _utc(now) - _utc(visit.paused_at)
    return total


def infusion_due_at(visit: Visit, now: datetime) -> datetime | None:
    """When the infusion should end: its start + planned minutes + every pause so far."""
    if visit.infusion_started_at is None:
        return None
    planned = timedelta(minutes=visit.infusion_min)
    return _utc(visit.infusion_started_at) + planned + paused_total(visit, now)


def infusion_planned_start(visit: Visit) -> datetime:
    """The booked infusion start: the chair booking plus its prep minutes."""
    return _utc(visit.planned_start) + timedelta(minutes=visit.prep_min)


def observation_due_at(visit: Visit) -> datetime | None:
    """When the minimum observation is over, counted from the real infusion end."""
    if visit.infusion_ended_at is None:
        return None
    return _utc(visit.infusion_ended_at) + timedelta(minutes=visit.observation_min)


def phase_of(visit: Visit) -> Phase:
    """The visit's phase from its recorded actions only; the clock never moves it."""
    if visit.discharged_at is not None:
        return Phase.DONE
    if visit.infusion_ended_at is not None:
        return Phase.READY if visit.observation_ended_at is not None else Phase.OBSERVING
    if visit.infusion_started_at is not None:
        return Phase.PAUSED if visit.paused_at is not None else Phase.INFUSING
    if visit.arrived_at is not None:
        return Phase.PREP
    return Phase.EXPECTED


def flags_at(visit: Visit, now: datetime) -> tuple[VisitFlag, ...]:
    """The clock's flags at ``now`` on top of the recorded phase (in a fixed order)."""
    require_aware("now", now)
    phase = phase_of(visit)
    flags: list[VisitFlag] = []
    if phase is Phase.EXPECTED and _utc(now) > _utc(visit.planned_start):
        flags.append(VisitFlag.LATE)
    if phase is Phase.INFUSING:
        due = infusion_due_at(visit, now)
        if due is not None and _utc(now) >= due:
            flags.append(VisitFlag.INFUSION_DUE)
    if phase in (Phase.OBSERVING, Phase.READY) and observation_complete(visit, now):
        flags.append(VisitFlag.READY_TO_LEAVE)
    return tuple(flags)


def _towards(phase: Phase, end: datetime, now: datetime) -> Countdown:
    left = end - _utc(now)
    zero = timedelta(0)
    return Countdown(phase, end, max(left, zero), max(-left, zero))


def countdown_at(visit: Visit, now: datetime) -> Countdown:
    """The current phase, its end and the time left (or overrun) at ``now``.

    Expected and prep count down to the booked infusion start (late counts up);
    infusing to the infusion's end (an overrun counts up); observing to the end of the
    minimum observation, after which it has no end (staying longer is no overrun).
    """
    require_aware("now", now)
    phase = phase_of(visit)
    zero = timedelta(0)
    if phase in (Phase.EXPECTED, Phase.PREP):
        return _towards(phase, infusion_planned_start(visit), now)
    if phase is Phase.INFUSING:
        due = infusion_due_at(visit, now)
        assert due is not None
        return _towards(phase, due, now)
    if phase is Phase.PAUSED:
        assert visit.paused_at is not None
        due = infusion_due_at(visit, visit.paused_at)
        assert due is not None
        return Countdown(phase, None, max(due - _utc(visit.paused_at), zero), zero)
    if phase is Phase.OBSERVING:
        due = observation_due_at(visit)
        assert due is not None
        if _utc(now) < due:
            return _towards(phase, due, now)
    return Countdown(phase, None, zero, zero)


def infusion_minutes(visit: Visit) -> int | None:
    """The real infusion length in whole minutes (pauses included, rounded up), once
    it has ended; None before."""
    if visit.infusion_started_at is None or visit.infusion_ended_at is None:
        return None
    seconds = (_utc(visit.infusion_ended_at) - _utc(visit.infusion_started_at)).total_seconds()
    return max(1, math.ceil(seconds / 60))


def tolerated(visit: Visit) -> bool:
    """[label] an infusion that was slowed or interrupted (or caused a reaction) was not
    tolerated: the next one keeps its duration. Slowed = it ran longer than planned."""
    if visit.reaction_grade is not None or visit.was_interrupted:
        return False
    minutes = infusion_minutes(visit)
    return minutes is None or minutes <= visit.infusion_min


def observation_complete(visit: Visit, now: datetime) -> bool:
    """The minimum observation is over at ``now`` (False before the infusion ended)."""
    due = observation_due_at(visit)
    return due is not None and _utc(now) >= due


def alerts_due(visit: Visit, now: datetime, acknowledged: frozenset[AlertKind]) -> list[Alert]:
    """Alerts that should show at ``now`` and were not acknowledged.

    An alert belongs to its phase: once the infusion ended, "infusion should end" is
    moot; once discharged, "observation complete" is.
    """
    require_aware("now", now)
    phase = phase_of(visit)
    found: list[Alert] = []
    if phase is Phase.INFUSING:
        due = infusion_due_at(visit, now)
        if due is not None and _utc(now) >= due:
            found.append(Alert(AlertKind.INFUSION_END, due))
    if phase is Phase.OBSERVING and observation_complete(visit, now):
        due = observation_due_at(visit)
        assert due is not None
        found.append(Alert(AlertKind.OBSERVATION_COMPLETE, due))
    return [alert for alert in found if alert.kind not in acknowledged]


def format_countdown(countdown: Countdown) -> str:
    """``MM:SS`` (``H:MM:SS`` from an hour) left, or ``+MM:SS`` counting up in overrun;
    an empty string for a phase without an end."""
    if countdown.is_overrun:
        return "+" + format_duration(countdown.overrun)
    if countdown.ends_at is None and countdown.phase is not Phase.PAUSED:
        return ""
    return format_duration(countdown.remaining)


def format_duration(delta: timedelta) -> str:
    seconds = max(0, math.floor(delta.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{minutes:02d}:{seconds:02d}"


def parse_acknowledged(text: str | None) -> frozenset[AlertKind]:
    """The stored comma-separated list of acknowledged alerts; unknown names ignored."""
    known = {kind.value: kind for kind in AlertKind}
    return frozenset(known[part] for part in (text or "").split(",") if part in known)


def format_acknowledged(kinds: frozenset[AlertKind]) -> str:
    return ",".join(sorted(kind.value for kind in kinds))
