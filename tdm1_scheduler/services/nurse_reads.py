"""What the nurse board reads: a tile per visit and a view per chair, computed from what
is stored and the clock's now (no writes). The steps that change a visit are in
``services.nurse``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..domain.infusion_start import bag_refusal
from ..domain.regimen import Setting, total_cycles
from ..domain.timers import (
    AlertKind,
    Phase,
    Visit,
    parse_acknowledged,
    phase_of,
)
from ..domain.tolerance import usual_infusion_min
from ..store import repository as repo, visits as visit_store
from ..store.connection import Database
from ..store.database import from_utc_text
from ..text import cycle_label
from .context import ClinicSettings, load_settings
from .infusion_start import dose_of, preparation_for
from .pharmacy import instant_of

Row = dict[str, Any]
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
def _visit_of(row: Row) -> Visit:
    """The domain visit for a board row. A dose recorded as given without the board (the
    CLI's ``dose given``, data entered afterwards) is a whole visit on record: started at
    ``given_at``, ended ``infusion_actual_min`` later, discharged at the end of its
    booking (or of its minimum observation, if later). It is done, whatever the clock
    reads: a phase moves only by a recorded action."""
    started = instant_of(row["infusion_started_at"])
    ended = instant_of(row["infusion_ended_at"])
    arrived = instant_of(row["arrived_at"])
    discharged = instant_of(row["discharged_at"])
    if row["visit_id"] is None and row["dose_status"] == "given" and row["given_at"]:
        started = from_utc_text(row["given_at"])
        ended = started + timedelta(minutes=row["infusion_actual_min"] or row["infusion_min"])
        arrived = started
        observed = ended + timedelta(minutes=row["observation_min"])
        discharged = max(from_utc_text(row["end_utc"]), observed)
    grade = row["visit_reaction_grade"]
    return Visit(
        planned_start=from_utc_text(row["start_utc"]),
        prep_min=row["prep_min"],
        infusion_min=row["infusion_min"],
        observation_min=row["observation_min"],
        arrived_at=arrived,
        infusion_started_at=started,
        paused_at=instant_of(row["paused_at"]),
        paused_seconds=row["paused_seconds"] or 0,
        pause_count=row["pause_count"] or 0,
        infusion_ended_at=ended,
        observation_ended_at=instant_of(row["observation_ended_at"]),
        discharged_at=discharged,
        reaction_grade=grade,
    )


def _bag_text(
    db: Database, settings: ClinicSettings, row: Row, now: datetime
) -> tuple[str, bool, datetime | None]:
    """The bag's state for starting now, whether it may start, and when it expires: the
    domain's bag rule (``domain.infusion_start.bag_refusal``) over the records read once."""
    if row["dose_status"] != "booked":
        return "", True, None
    prep = preparation_for(db, row["dose_id"])
    refusal = bag_refusal(prep, dose_of(db, row["dose_id"]), now)
    if refusal is not None:
        return refusal.rule, False, None  # "Bag: never prepared (...)", shown as refused
    assert prep is not None
    expiry = prep.instants().bag_expires_at  # the stability rule, not a copy of it
    assert expiry is not None
    return f"bag good until {settings.calendar.local(expiry):%a %H:%M}", True, expiry


def _reaction_of(row: Row) -> ReactionRecord:
    return ReactionRecord(
        at=from_utc_text(row["at_utc"]),
        grade=row["grade"],
        symptoms=row["symptoms"],
        action=row["action"],
        note=row["note"],
    )


def _tile(
    db: Database,
    settings: ClinicSettings,
    row: Row,
    now: datetime,
    reactions: list[Row] | None = None,
) -> BoardTile:
    bag, bag_ok, expiry = _bag_text(db, settings, row, now)
    if reactions is None:
        reactions = visit_store.reactions_of_appointments(db, [row["id"]]).get(row["id"], [])
    return BoardTile(
        appointment_id=row["id"],
        chair_id=row["chair_id"],
        chair_name=row["chair_name"],
        mrn=row["mrn"],
        patient_name=row["patient_name"],
        cycle=row["cycle"],
        setting=Setting(row["setting"]),
        visit=_visit_of(row),
        acknowledged=parse_acknowledged(row["alerts_acknowledged"]),
        bag=bag,
        bag_ok=bag_ok,
        early_discharge_reason=row["early_discharge_reason"],
        reactions=tuple(_reaction_of(r) for r in reactions),
        bag_expires_at=expiry,
        dose_id=row["dose_id"],
    )


def chair_board(db: Database, now: datetime) -> list[ChairView]:
    """Every active chair in the clinic's chair order, each with the visit it shows
    today: the one in progress, else the next expected, else the last discharged; a
    chair with no visit today is free (``tile`` None). One read for the whole board."""
    settings = load_settings(db)
    start, end = settings.calendar.day_bounds(settings.calendar.local_date(now))
    chosen: dict[int, Row] = {}
    rank = {Phase.DONE: 0, Phase.EXPECTED: 1}  # anything in progress ranks 2
    for row in visit_store.board_rows(db, start, end):
        held = chosen.get(row["chair_id"])
        mine = rank.get(phase_of(_visit_of(row)), 2)
        # Rows come in start order: the earliest expected, the latest discharged.
        if held is None:
            chosen[row["chair_id"]] = row
            continue
        theirs = rank.get(phase_of(_visit_of(held)), 2)
        if mine > theirs or (mine == theirs == 0):
            chosen[row["chair_id"]] = row
    reactions = visit_store.reactions_of_appointments(db, [r["id"] for r in chosen.values()])
    return [
        ChairView(
            chair["id"],
            chair["name"],
            None
            if chair["id"] not in chosen
            else _tile(
                db, settings, chosen[chair["id"]], now, reactions.get(chosen[chair["id"]]["id"], [])
            ),
        )
        for chair in repo.chairs(db, active_only=False)
        if chair["active"] or chair["id"] in chosen
    ]


def board(db: Database, now: datetime) -> list[BoardTile]:
    """One tile per chair with a visit today: the visit in progress, else the next one
    expected; chairs whose visits are all done (or that have none) get no tile."""
    settings = load_settings(db)
    start, end = settings.calendar.day_bounds(settings.calendar.local_date(now))
    chosen: dict[int, Row] = {}
    for row in visit_store.board_rows(db, start, end):
        phase = phase_of(_visit_of(row))
        if phase is Phase.DONE:
            continue
        held = chosen.get(row["chair_id"])
        # In progress beats expected; among expected the earliest (rows come in order).
        if held is None or (
            phase is not Phase.EXPECTED and phase_of(_visit_of(held)) is Phase.EXPECTED
        ):
            chosen[row["chair_id"]] = row
    return [_tile(db, settings, row, now) for row in chosen.values()]
