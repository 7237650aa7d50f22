"""A dose's bag on the day sheet: its live preparation and the expiry that matters next.

Moved out of ``day_sheet`` (which re-exports ``bag_status``) to keep that module under
600 lines. No Qt."""

from __future__ import annotations

from datetime import datetime

from ..domain.errors import DomainError
from ..domain.stability import Preparation, PrepStatus, status_at
from ..services.storage import Store


def bag_status(store: Store, dose_id: int, at: datetime) -> tuple[PrepStatus, datetime | None]:
    """The dose's live preparation at ``at`` and the expiry that matters next (UTC)."""
    found = store.preparation_for_dose(dose_id)
    if found is None:
        return PrepStatus.NOT_PREPARED, None
    return bag_status_of(found.reconstituted_at, found.diluted_at, found.discarded_at,
                         found.used_at, at)  # fmt: skip


def bag_status_of(
    reconstituted_at: datetime | None,
    diluted_at: datetime | None,
    discarded_at: datetime | None,
    used_at: datetime | None,
    at: datetime,
) -> tuple[PrepStatus, datetime | None]:
    """``bag_status`` from a preparation's instants (None: not done; all None: none)."""
    if reconstituted_at is None and diluted_at is None:
        return PrepStatus.NOT_PREPARED, None
    try:
        prep = Preparation(reconstituted_at, diluted_at, discarded_at, used_at)
    except DomainError:  # an impossible stored record: ask for a new bag, never trust it
        return PrepStatus.NOT_PREPARED, None
    status = status_at(prep, at)
    if status in (PrepStatus.RECONSTITUTED, PrepStatus.VIAL_EXPIRED):
        return status, prep.vial_expires_at
    if status in (PrepStatus.DILUTED, PrepStatus.BAG_EXPIRED):
        return status, prep.bag_expires_at
    return status, None
