"""A clinic file with the pharmacy's every state, for the ``prep`` output fixtures.

Now is Mon 2026-06-15 07:00 EDT (NOW). Reconstituted only, diluted, a vial and a bag
expired, discarded (and prepared again), a stopped course's bag, a weight change to
recalculate, a given dose with its used bag, a dose off the queue's days.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from tdm1_scheduler.services import courses, patients, pharmacy
from tdm1_scheduler.store.database import open_database

from .support import NY, make_clinic

NOW = "2026-06-15T07:00"
# (mrn, cycle) for ``prep show``
SHOWN = [
    ("LATE", 1),
    ("VIAL", 1),
    ("OLD", 1),
    ("BAG", 1),
    ("BAGX", 1),
    ("DISC", 1),
    ("AGAIN", 1),
    ("STOP", 1),
    ("WGT", 1),
    ("GIVEN", 1),
    ("GIVEN", 2),
    ("WED", 1),
]
DEMO_NOW = datetime(2026, 3, 3, 10, 20, tzinfo=NY)  # a Tuesday, clinic wall time
DEMO_NOW_TEXT = "2026-03-03T10:20"
DEMO_SHOWN = 8  # ``prep show`` of the first queue items


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 6, day, hour, minute, tzinfo=NY)


def build_prep_clinic(path: Path) -> None:
    db = open_database(path, create=True)
    try:
        place = make_clinic(db, _at(12, 7))
        ctx = place.ctx
        place.patient("GIVEN", 70.0, _at(12, 9))  # Fri 12th, given; cycle 2 three weeks on
        pharmacy.record_reconstitution(ctx, mrn="GIVEN", cycle=1, at=_at(12, 7), lots=["L1"])
        pharmacy.record_dilution(ctx, mrn="GIVEN", cycle=1, at=_at(12, 7, 30))
        place.clock.current = _at(12, 12)
        courses.record_dose_given(ctx, mrn="GIVEN", cycle=1, given_at=_at(12, 9, 15))
        place.clock.current = _at(15, 7)
        place.patient("LATE", 70.0, _at(15, 13))
        place.patient("VIAL", 64.5, _at(15, 10))
        place.patient("OLD", 70.0, _at(16, 9))
        place.patient("BAG", 81.3, _at(15, 9))
        place.patient("BAGX", 70.0, _at(16, 10))
        place.patient("DISC", 55.0, _at(15, 11))
        place.patient("AGAIN", 90.0, _at(15, 12))
        place.patient("STOP", 70.0, _at(17, 9))
        place.patient("WGT", 70.0, _at(16, 8))
        place.patient("WED", 70.0, _at(17, 10))
        pharmacy.record_reconstitution(ctx, mrn="VIAL", cycle=1, at=_at(14, 8), lots="A1,B2")
        pharmacy.record_reconstitution(ctx, mrn="OLD", cycle=1, at=_at(13, 6))
        pharmacy.record_reconstitution(ctx, mrn="BAG", cycle=1, at=_at(15, 6))
        pharmacy.record_dilution(ctx, mrn="BAG", cycle=1, at=_at(15, 6, 30))
        pharmacy.record_reconstitution(ctx, mrn="BAGX", cycle=1, at=_at(13, 5))
        pharmacy.record_dilution(ctx, mrn="BAGX", cycle=1, at=_at(13, 6))
        pharmacy.record_reconstitution(ctx, mrn="DISC", cycle=1, at=_at(15, 6))
        pharmacy.discard_preparation(ctx, mrn="DISC", cycle=1, reason="dropped vial")
        pharmacy.record_reconstitution(ctx, mrn="AGAIN", cycle=1, at=_at(15, 5))
        pharmacy.discard_preparation(ctx, mrn="AGAIN", cycle=1, reason="contaminated")
        pharmacy.record_reconstitution(ctx, mrn="AGAIN", cycle=1, at=_at(15, 6, 15))
        pharmacy.record_reconstitution(ctx, mrn="STOP", cycle=1, at=_at(15, 6))
        pharmacy.record_dilution(ctx, mrn="STOP", cycle=1, at=_at(15, 6, 40))
        courses.stop_course(ctx, mrn="STOP", reason="progression")
        patients.record_weight(ctx, mrn="WGT", weight_kg=62.0)
        pharmacy.record_reconstitution(ctx, mrn="WED", cycle=1, at=_at(15, 6, 50))
        pharmacy.record_dilution(ctx, mrn="WED", cycle=1, at=_at(15, 8, 10))  # ahead of now
    finally:
        db.close()
