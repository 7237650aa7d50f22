"""The pharmacy queue (today and tomorrow, most urgent first) and discards."""

from __future__ import annotations

from datetime import datetime

import pytest

from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.services import courses, pharmacy
from tdm1_scheduler.store import repository as repo

from .support import MONDAY_7AM, NY, Clinic, prep_queue, prep_show


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 6, day, hour, minute, tzinfo=NY)


def _book_queue(place: Clinic) -> None:
    """Now is Mon 2026-06-15 07:00. Infusions start 15 min after the chair booking."""
    place.patient("LATE", 70.0, _at(15, 13))  # Mon 13:15 infusion, nothing prepared
    place.patient("VIAL", 70.0, _at(15, 10))  # Mon 10:15; vial from Sun 08:00, good to 08:00
    place.patient("OLD", 70.0, _at(16, 9))  # Tue; vial from Sat 06:00 expired Sun 06:00
    place.patient("BAG", 70.0, _at(15, 9))  # Mon 09:15; diluted Mon 06:30
    place.patient("WED", 70.0, _at(17, 9))  # Wednesday: not in today/tomorrow
    place.patient("TUE", 70.0, _at(16, 8))  # Tue 08:15, nothing prepared
    pharmacy.record_reconstitution(place.ctx, mrn="VIAL", cycle=1, at=_at(14, 8))
    pharmacy.record_reconstitution(place.ctx, mrn="OLD", cycle=1, at=_at(13, 6))
    pharmacy.record_reconstitution(place.ctx, mrn="BAG", cycle=1, at=_at(15, 6))
    pharmacy.record_dilution(place.ctx, mrn="BAG", cycle=1, at=_at(15, 6, 30))


def test_queue_is_today_and_tomorrow_most_urgent_first(place: Clinic) -> None:
    _book_queue(place)
    queue = prep_queue(place, MONDAY_7AM)
    # OLD: expired, discard first. VIAL: must be diluted by 08:00 (its vial's end).
    # BAG: ready for 09:15. LATE: reconstitute for 13:15. TUE: tomorrow 08:15.
    assert [item["mrn"] for item in queue] == ["OLD", "VIAL", "BAG", "LATE", "TUE"]
    by_mrn = {item["mrn"]: item for item in queue}
    assert by_mrn["OLD"]["status"] == "vial_expired"
    assert by_mrn["OLD"]["action"] == "discard"
    assert by_mrn["OLD"]["time_left_min"] == -25 * 60  # expired Sun 06:00, now Mon 07:00
    assert by_mrn["VIAL"]["status"] == "reconstituted"
    assert by_mrn["VIAL"]["action"] == "dilute"
    assert by_mrn["VIAL"]["time_left_min"] == 60
    assert by_mrn["VIAL"]["due"] == "2026-06-15T08:00:00-04:00"
    assert by_mrn["BAG"]["status"] == "diluted"
    assert by_mrn["BAG"]["time_left_min"] == 23 * 60 + 30
    assert by_mrn["LATE"]["status"] == "not_prepared"
    assert by_mrn["LATE"]["time_left_min"] is None
    assert by_mrn["LATE"]["infusion_start"] == "2026-06-15T13:15:00-04:00"
    assert by_mrn["TUE"]["due"] == "2026-06-16T08:15:00-04:00"


def test_queue_days_are_clinic_local_days(place: Clinic) -> None:
    """Mon 23:30 EDT is Tue 03:30 UTC: today is still Monday in the clinic."""
    _book_queue(place)
    late_monday = _at(15, 23, 30)
    mrns = [item["mrn"] for item in prep_queue(place, late_monday)]
    assert "WED" not in mrns
    assert "TUE" in mrns


def test_expired_preparation_off_the_queue_days_still_shows_for_discard(place: Clinic) -> None:
    place.patient("WED", 70.0, _at(17, 9))
    pharmacy.record_reconstitution(place.ctx, mrn="WED", cycle=1, at=_at(13, 6))
    queue = prep_queue(place, MONDAY_7AM)
    assert [(item["mrn"], item["action"]) for item in queue] == [("WED", "discard")]


def test_discard_records_reason_and_wasted_mg(place: Clinic) -> None:
    _book_queue(place)
    row = repo.preparation_for_dose(place.db, place.dose_id("OLD"))
    assert row is not None
    before = place.audit_count()
    changes = pharmacy.discard_preparation(
        place.ctx, mrn="OLD", cycle=1, reason="vial expired (24 h)"
    )
    assert changes.preparations == {row["id"]}
    assert place.audit_count() == before + 1
    after = place.db.table("preparations").get(row["id"])
    # 3.6 x 70 = 252 mg from 1 x 160 + 1 x 100 mg vials: all 260 mg opened are lost.
    assert after["wasted_mg"] == 260.0
    assert after["discard_reason"] == "vial expired (24 h)"
    assert after["discarded_at"] == "2026-06-15T11:00:00Z"  # the clock: Mon 07:00 EDT
    # Gone from the shelf; the dose is back to be prepared, and may be prepared again.
    assert repo.preparation_for_dose(place.db, place.dose_id("OLD")) is None
    view = prep_show(place, "OLD", 1, MONDAY_7AM)
    assert view["status"] == "not_prepared"
    pharmacy.record_reconstitution(place.ctx, mrn="OLD", cycle=1, at=MONDAY_7AM)


def test_discard_needs_a_reason_and_a_preparation(place: Clinic) -> None:
    place.patient("P1", 70.0, _at(15, 9))
    with pytest.raises(DomainError) as no_reason:
        pharmacy.discard_preparation(place.ctx, mrn="P1", cycle=1, reason="  ")
    assert no_reason.value.field == "reason"
    with pytest.raises(DomainError, match="no preparation"):
        pharmacy.discard_preparation(place.ctx, mrn="P1", cycle=1, reason="x")


def test_cancelled_dose_preparation_is_queued_for_discard(place: Clinic) -> None:
    place.patient("P1", 70.0, _at(17, 9))
    pharmacy.record_reconstitution(place.ctx, mrn="P1", cycle=1, at=MONDAY_7AM)
    courses.stop_course(place.ctx, mrn="P1", reason="progression")
    queue = prep_queue(place, MONDAY_7AM)
    assert [(item["mrn"], item["dose_status"], item["action"]) for item in queue] == [
        ("P1", "cancelled", "discard")
    ]
    pharmacy.discard_preparation(place.ctx, mrn="P1", cycle=1, reason="course stopped")
    assert prep_queue(place, MONDAY_7AM) == []


def test_discard_expired_discards_only_expired(place: Clinic) -> None:
    _book_queue(place)
    changes = pharmacy.discard_expired(place.ctx, reason="expired")
    assert len(changes.preparations) == 1
    (prep_id,) = changes.preparations
    assert place.db.table("preparations").get(prep_id)["dose_id"] == place.dose_id("OLD")
    assert repo.preparation_for_dose(place.db, place.dose_id("VIAL")) is not None


def test_discard_of_steps_entered_ahead_of_the_clock_is_recorded_at_the_last_step(
    place: Clinic,
) -> None:
    """The clock reads Mon 07:00; the dilution was entered for Mon 08:10."""
    place.patient("P1", 70.0, _at(15, 9))
    pharmacy.record_reconstitution(place.ctx, mrn="P1", cycle=1, at=_at(15, 7, 30))
    pharmacy.record_dilution(place.ctx, mrn="P1", cycle=1, at=_at(15, 8, 10))
    (item,) = prep_queue(place, MONDAY_7AM)
    assert item["status"] == "not_prepared"  # nothing has happened yet at 07:00
    assert item["time_left_min"] is None
    changes = pharmacy.discard_preparation(place.ctx, mrn="P1", cycle=1, reason="no show")
    (prep_id,) = changes.preparations
    row = place.db.table("preparations").get(prep_id)
    assert row["discarded_at"] == "2026-06-15T12:10:00Z"  # 08:10 EDT, not before it
