"""The pharmacy's reads as frozen read models: the queue, ``prep show`` and the bag check.

``pharmacy_reads`` builds them; the CLI turns them into its JSON (``cli.pharmacy_json``),
the GUI into text (``text.py``'s formatters). Instants are aware UTC (or None), statuses
enums; nothing here is a dict.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from ..domain.lean import dataclass
from ..domain.records import CycleStatus
from ..domain.stability import Preparation, PrepStatus
from .pharmacy_plan import DosePlan, WeightCheck

__all__ = ["BagCheck", "PrepAction", "PrepQueueItem", "PreparationView"]


class PrepAction(StrEnum):
    """What the pharmacy does next for a queued dose (``action`` in ``prep queue``)."""

    RECONSTITUTE = "reconstitute"
    DILUTE = "dilute"
    READY = "ready"
    DISCARD = "discard"
    # the status itself for a preparation already ended (not seen on the live shelf)
    USED = "used"
    DISCARDED = "discarded"


@dataclass(frozen=True, slots=True)
class PrepQueueItem:
    """One dose to prepare, or one preparation on the shelf, at the queue's ``now``."""

    mrn: str
    name: str
    cycle: int
    dose_id: int
    dose_status: CycleStatus
    chair: str | None
    infusion_start: datetime | None  # the chair booking plus its prep minutes
    plan: DosePlan
    prep: Preparation  # its recorded instants (all None: nothing prepared)
    status: PrepStatus
    action: PrepAction
    time_left: timedelta | None  # on the vial, else the bag; negative once expired
    due: datetime  # the infusion start, or the vial/bag expiry when sooner
    due_in: timedelta
    recalculate: bool

    @property
    def expires_at(self) -> datetime | None:
        """The bag's expiry, else the vial's."""
        return self.prep.bag_expires_at or self.prep.vial_expires_at


@dataclass(frozen=True, slots=True)
class PreparationView:
    """``prep show``: the dose plan, the weight check and the preparation at ``now``."""

    mrn: str
    name: str
    cycle: int
    dose_status: CycleStatus
    infusion_start: datetime | None
    weight_measured_at: datetime
    plan: DosePlan
    check: WeightCheck
    prepared_dose_mg: float | None  # None: no live preparation
    vial_lots: tuple[str, ...]
    diluent_used: str | None
    prep: Preparation
    bag_usable_at_infusion_start: bool | None  # None: no booking or no bag
    status: PrepStatus
    time_left: timedelta | None
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BagCheck:
    """Can the dose's diluted bag serve an infusion starting at a given moment?"""

    usable: bool
    bag_expires_at: datetime  # aware UTC
    message: str  # in clinic wall time, e.g. "bag good until Tue 09:40"
