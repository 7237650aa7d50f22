"""``prep show`` once the dose is given: its bag is used, so no advice about serving or
re-preparing it (the user-tester's report: "the bag cannot serve the booked infusion
start" for the bag the given dose used)."""

from __future__ import annotations

from datetime import timedelta

from tdm1_scheduler.services import courses, pharmacy

from .support import MONDAY_7AM, NY, Clinic, prep_show


def test_a_used_bag_gives_no_bag_warning(place: Clinic) -> None:
    first = MONDAY_7AM.replace(hour=9, tzinfo=NY)
    place.patient("P1", 70, first)
    pharmacy.record_reconstitution(place.ctx, mrn="P1", cycle=1, at=MONDAY_7AM)
    pharmacy.record_dilution(place.ctx, mrn="P1", cycle=1, at=MONDAY_7AM + timedelta(minutes=30))
    before = prep_show(place, "P1", 1, MONDAY_7AM + timedelta(hours=1))
    assert before["warnings"] == [] and before["bag_usable_at_infusion_start"] is True
    given_at = first + timedelta(minutes=15)
    place.clock.current = given_at + timedelta(hours=2)
    courses.record_dose_given(place.ctx, mrn="P1", cycle=1, given_at=given_at)
    view = prep_show(place, "P1", 1, given_at + timedelta(hours=2))
    assert view["dose_status"] == "given"
    assert view["status"] == "used"
    assert "the bag cannot serve the booked infusion start" not in view["warnings"]
    assert view["warnings"] == []
