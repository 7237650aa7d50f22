"""A day's booking as the planner's grid and the Day list show it (issue 19: a day switch).

``DayBlock`` holds only what a block and a Day list row show: where it sits (chair,
start, end), what it says (who, the MRN, the cycle, blocked time's label, the minutes)
and what decides its look and whether it moves (kind, status, first infusion). It is a
plain tuple with names (``typing.NamedTuple``): the store makes ~590 of them a switch
with no Python frame per row, and a field is read as fast as an index.

The whole record (``AppointmentView``: the dose, course and patient ids, the version, the
dose's own status...) is read when a block or a row is acted on: selected for a move,
dragged, its menu opened (``Store.appointment_view``). ``block_of`` makes the same
``DayBlock`` from such a record as the store's lean read gives for its row.
"""

from __future__ import annotations

from collections import namedtuple
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from .records import Appointment, AppointmentKind, AppointmentView, CycleStatus, Setting

__all__ = ["DayBlock", "as_shown", "block_of", "stand_in"]

_HOLDING = (CycleStatus.BOOKED, CycleStatus.GIVEN)


def _holds_chair(block: DayBlock) -> bool:
    """Booked or given: the chair is taken for [start, end)."""
    return block.status in _HOLDING


if TYPE_CHECKING:

    class DayBlock(NamedTuple):
        """One chair-holding appointment of a day, lean (the fields of
        ``AppointmentView`` and its ``Appointment`` that a block or a Day list row shows,
        under the same names)."""

        id: int
        chair_id: int
        chair_name: str
        kind: AppointmentKind
        label: str
        status: CycleStatus
        start: datetime
        end: datetime
        prep_min: int
        infusion_min: int
        observation_min: int
        cycle: int | None
        setting: Setting | None
        mrn: str | None
        patient_name: str | None

        @property
        def holds_chair(self) -> bool: ...

else:
    # The same class at run time, made by ``collections.namedtuple``: ``typing.NamedTuple``
    # with postponed annotations took ~3 ms to define (each annotation made a ForwardRef),
    # on the way to the first paint (issue 19); this takes ~0.35 ms.
    # tests/domain/test_day_blocks.py checks that its fields are the ones declared above.
    DayBlock = namedtuple(
        "DayBlock",
        "id chair_id chair_name kind label status start end prep_min infusion_min "
        "observation_min cycle setting mrn patient_name",
    )
    DayBlock.__doc__ = "One chair-holding appointment of a day, lean (see the module)."
    DayBlock.holds_chair = property(_holds_chair, doc=_holds_chair.__doc__)


def block_of(view: AppointmentView) -> DayBlock:
    """The ``DayBlock`` of a whole record: what the lean read gives for the same row."""
    booking = view.appointment
    return DayBlock(
        booking.id,
        booking.chair_id,
        view.chair_name,
        booking.kind,
        booking.label,
        booking.status,
        booking.start,
        booking.end,
        booking.prep_min,
        booking.infusion_min,
        booking.observation_min,
        view.cycle,
        view.setting,
        view.mrn,
        view.patient_name,
    )


def stand_in(block: DayBlock) -> AppointmentView:
    """A record of ``block`` as it was read, for when its appointment can no longer be
    read whole (another connection removed it since, and the change has not been shown
    yet): what the block shows, the ids and the dose's own fields unknown (None), version
    0 (no stored row has it). A move asked of it goes to the services by the same names
    (MRN and cycle, or the appointment's id), which refuse it; the views then read again."""
    booking = Appointment(
        block.id, block.chair_id, None, block.kind, block.label, block.status, block.start,
        block.end, block.prep_min, block.infusion_min, block.observation_min, 0,
    )  # fmt: skip
    return AppointmentView(
        booking, block.chair_name, block.cycle, None, None, None, None, None, block.setting,
        None, None, block.mrn, block.patient_name,
    )  # fmt: skip


def as_shown(block: DayBlock, found: AppointmentView | None) -> AppointmentView:
    """The record a block or a Day list row acts on: ``found`` (its appointment read
    whole, later than ``block``) when it is still what ``block`` shows, else
    ``stand_in(block)``: another connection changed or removed it since, and until that
    change is shown (the next poll reads the day again) a move, a menu or a message works
    on what the scheduler sees, as when the whole record was read with the day."""
    if found is not None and block_of(found) == block:
        return found
    return stand_in(block)
