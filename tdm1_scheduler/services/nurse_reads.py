"""What the nurse board reads: a tile per visit and a view per chair, computed from what
is stored and the clock's now (no writes), through the store (``Store.board_visits``:
the day in one statement, records, no rows). The steps that change a visit are in
``services.nurse``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from ..domain.infusion_start import bag_refusal
from ..domain.lean import dataclass
from ..domain.records import BoardVisit, CycleStatus, Dose, Preparation, VisitReaction
from ..domain.regimen import Setting, total_cycles
from ..domain.timers import (
    AlertKind,
    Phase,
    Visit,
    parse_acknowledged,
    phase_of,
)
from ..domain.tolerance import usual_infusion_min
from ..store.protocol import Store
from ..text import cycle_label
from .context import ClinicSettings, settings_from

MAX_REASON_LENGTH = 500
# What a nurse did to the infusion because of a reaction (None: nothing, or it had ended).
REACTION_ACTIONS = ("slowed", "interrupted", "stopped")


@dataclass(frozen=True)
class ReactionRecord:
    """One recorded reaction of a visit (``at``: when it began)."""

    at: datetime
    grade: int
    symptoms: str
    action: str | None
    note: str


@dataclass(frozen=True)
class BoardTile:
    """One chair's current visit as the board shows it."""

    appointment_id: int
    chair_id: int
    chair_name: str
    mrn: str
    patient_name: str
    cycle: int
    setting: Setting
    visit: Visit
    acknowledged: frozenset[AlertKind]
    bag: str  # the bag's state for starting now, or a refusal reason
    bag_ok: bool
    early_discharge_reason: str | None
    reactions: tuple[ReactionRecord, ...] = ()
    bag_expires_at: datetime | None = None  # a prepared bag still to be used
    dose_id: int | None = None

    @property
    def cycle_text(self) -> str:
        return cycle_label(self.cycle, total_cycles(self.setting))

    @property
    def first_infusion(self) -> bool:
        return self.cycle == 1

    @property
    def prolonged_min(self) -> int | None:
        """The booked minutes when they are longer than the usual ones for this cycle
        (kept after an earlier reaction), else None."""
        usual = usual_infusion_min(self.cycle)
        return self.visit.infusion_min if self.visit.infusion_min > usual else None

    @property
    def slowed(self) -> bool:
        """A reaction in this visit slowed the infusion."""
        return any(reaction.action == "slowed" for reaction in self.reactions)


@dataclass(frozen=True)
class ChairView:
    """One chair of the board, in the clinic's chair order: the visit it shows (in
    progress, else the next expected, else the last discharged), or None when free."""

    chair_id: int
    chair_name: str
    tile: BoardTile | None


# --- reading ---------------------------------------------------------------------------
def _visit_of(booking: BoardVisit) -> Visit:
    """The domain visit of a board booking. A dose recorded as given without the board
    (the CLI's ``dose given``, data entered afterwards) is a whole visit on record:
    started at ``given_at``, ended ``infusion_actual_min`` later, discharged at the end
    of its booking (or of its minimum observation, if later). It is done, whatever the
    clock reads: a phase moves only by a recorded action."""
    appointment, recorded = booking.appointment, booking.visit
    if recorded is None:
        started = booking.given_at
        if booking.dose_status is not CycleStatus.GIVEN or started is None:
            return Visit(
                appointment.start,
                appointment.prep_min,
                appointment.infusion_min,
                appointment.observation_min,
            )
        ended = started + timedelta(minutes=booking.infusion_actual_min or appointment.infusion_min)
        observed = ended + timedelta(minutes=appointment.observation_min)
        return Visit(
            planned_start=appointment.start,
            prep_min=appointment.prep_min,
            infusion_min=appointment.infusion_min,
            observation_min=appointment.observation_min,
            arrived_at=started,
            infusion_started_at=started,
            infusion_ended_at=ended,
            discharged_at=max(appointment.end, observed),
        )
    return Visit(
        planned_start=appointment.start,
        prep_min=appointment.prep_min,
        infusion_min=appointment.infusion_min,
        observation_min=appointment.observation_min,
        arrived_at=recorded.arrived_at,
        infusion_started_at=recorded.infusion_started_at,
        paused_at=recorded.paused_at,
        paused_seconds=recorded.paused_seconds,
        pause_count=recorded.pause_count,
        infusion_ended_at=recorded.infusion_ended_at,
        observation_ended_at=recorded.observation_ended_at,
        discharged_at=recorded.discharged_at,
        reaction_grade=recorded.reaction_grade,
    )


def _bag_text(
    settings: ClinicSettings,
    booking: BoardVisit,
    dose: Dose | None,
    prep: Preparation | None,
    now: datetime,
) -> tuple[str, bool, datetime | None]:
    """The bag's state for starting now, whether it may start, and when it expires: the
    domain's bag rule (``domain.infusion_start.bag_refusal``) over the booked dose and
    its live preparation (``dose``, ``prep``: read with the others of the board)."""
    if booking.dose_status is not CycleStatus.BOOKED:
        return "", True, None
    assert dose is not None  # read for every booked dose of the board
    refusal = bag_refusal(prep, dose, now)
    if refusal is not None:
        return refusal.rule, False, None  # "Bag: never prepared (...)", shown as refused
    assert prep is not None
    expiry = prep.instants().bag_expires_at  # the stability rule, not a copy of it
    assert expiry is not None
    return f"bag good until {settings.calendar.local(expiry):%a %H:%M}", True, expiry


def _reaction_of(reaction: VisitReaction) -> ReactionRecord:
    action = reaction.action
    return ReactionRecord(
        at=reaction.at,
        grade=reaction.grade,
        symptoms=reaction.symptoms,
        action=None if action is None else action.value,
        note=reaction.note,
    )


def _tile(
    settings: ClinicSettings,
    booking: BoardVisit,
    visit: Visit,
    now: datetime,
    bag: tuple[Dose | None, Preparation | None],
    reactions: Iterable[VisitReaction],
) -> BoardTile:
    """``booking``'s tile (``visit``: its domain visit; ``bag``: its booked dose and that
    dose's live preparation)."""
    appointment, recorded = booking.appointment, booking.visit
    bag_text, bag_ok, expiry = _bag_text(settings, booking, *bag, now)
    return BoardTile(
        appointment_id=appointment.id,
        chair_id=appointment.chair_id,
        chair_name=booking.chair_name,
        mrn=booking.mrn,
        patient_name=booking.patient_name,
        cycle=booking.cycle,
        setting=booking.setting,
        visit=visit,
        acknowledged=parse_acknowledged(None if recorded is None else recorded.alerts_acknowledged),
        bag=bag_text,
        bag_ok=bag_ok,
        early_discharge_reason=None if recorded is None else recorded.early_discharge_reason,
        reactions=tuple(_reaction_of(r) for r in reactions),
        bag_expires_at=expiry,
        dose_id=booking.dose_id,
    )


def _tiles(
    store: Store,
    settings: ClinicSettings,
    chosen: Iterable[tuple[BoardVisit, Visit]],
    now: datetime,
) -> dict[int, BoardTile]:
    """Appointment id -> the tile of each chosen booking: their booked doses, bags and
    reactions read in one statement each, whatever their number."""
    picked = list(chosen)
    waiting = [b.dose_id for b, _ in picked if b.dose_status is CycleStatus.BOOKED]
    doses = store.doses_by_ids(waiting) if waiting else {}
    preps = store.preparations_for_doses(waiting) if waiting else {}
    ids = [booking.appointment.id for booking, _ in picked]
    reactions = store.reactions_of_appointments(ids) if ids else {}
    return {
        booking.appointment.id: _tile(
            settings,
            booking,
            visit,
            now,
            (doses.get(booking.dose_id), preps.get(booking.dose_id)),
            reactions.get(booking.appointment.id, ()),
        )
        for booking, visit in picked
    }


def tile_of(store: Store, booking: BoardVisit, now: datetime) -> BoardTile:
    """One booking's tile (``nurse.tile``)."""
    with store.read():
        settings = settings_from(store)
        tiles = _tiles(store, settings, [(booking, _visit_of(booking))], now)
    return tiles[booking.appointment.id]


def _today(store: Store, now: datetime) -> tuple[ClinicSettings, list[BoardVisit]]:
    settings = settings_from(store)
    start, end = settings.calendar.day_bounds(settings.calendar.local_date(now))
    return settings, store.board_visits(start, end)


def chair_board(store: Store, now: datetime) -> list[ChairView]:
    """Every active chair in the clinic's chair order, each with the visit it shows
    today: the one in progress, else the next expected, else the last discharged; a
    chair with no visit today is free (``tile`` None). One snapshot, a fixed number of
    statements (the day's bookings in one) whatever the number of chairs."""
    with store.read():
        settings, bookings = _today(store, now)
        chosen: dict[int, tuple[BoardVisit, Visit, int]] = {}
        rank = {Phase.DONE: 0, Phase.EXPECTED: 1}  # anything in progress ranks 2
        for booking in bookings:
            visit = _visit_of(booking)
            mine = rank.get(phase_of(visit), 2)
            chair_id = booking.appointment.chair_id
            held = chosen.get(chair_id)
            # Bookings come in start order: the earliest expected, the latest discharged.
            if held is None or mine > held[2] or (mine == held[2] == 0):
                chosen[chair_id] = (booking, visit, mine)
        tiles = _tiles(store, settings, ((b, v) for b, v, _ in chosen.values()), now)
        chairs = store.chairs(active_only=False)
    views = []
    for chair in chairs:
        if not chair.active and chair.id not in chosen:
            continue
        held = chosen.get(chair.id)
        views.append(
            ChairView(chair.id, chair.name, None if held is None else tiles[held[0].appointment.id])
        )
    return views


def board(store: Store, now: datetime) -> list[BoardTile]:
    """One tile per chair with a visit today: the visit in progress, else the next one
    expected; chairs whose visits are all done (or that have none) get no tile."""
    with store.read():
        settings, bookings = _today(store, now)
        chosen: dict[int, tuple[BoardVisit, Visit, Phase]] = {}
        for booking in bookings:
            visit = _visit_of(booking)
            phase = phase_of(visit)
            if phase is Phase.DONE:
                continue
            chair_id = booking.appointment.chair_id
            held = chosen.get(chair_id)
            # In progress beats expected; among expected the earliest (they come in order).
            if held is None or (phase is not Phase.EXPECTED and held[2] is Phase.EXPECTED):
                chosen[chair_id] = (booking, visit, phase)
        tiles = _tiles(store, settings, ((b, v) for b, v, _ in chosen.values()), now)
    return list(tiles.values())
