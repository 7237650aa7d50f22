"""Rescheduling meets the stability clock: moves and misses report the bag, and a dose
is never recorded as started from an expired bag [label]."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.services import courses, pharmacy
from tdm1_scheduler.store import repository as repo

from .support import MONDAY_7AM, NY, Clinic

FIRST_DOSE = datetime(2026, 6, 15, 9, 0, tzinfo=NY)


def prepared(place: Clinic) -> None:
    place.patient("P1", 70, FIRST_DOSE)
    pharmacy.record_reconstitution(place.ctx, mrn="P1", cycle=1, at=MONDAY_7AM)
    pharmacy.record_dilution(place.ctx, mrn="P1", cycle=1, at=MONDAY_7AM + timedelta(minutes=30))


def test_move_inside_bag_window_says_bag_good(place: Clinic) -> None:
    prepared(place)
    changes = courses.move_appointment(
        place.ctx, mrn="P1", cycle=1, to=datetime(2026, 6, 15, 13, 0, tzinfo=NY)
    )
    assert any(note.startswith("bag good until Tue") for note in changes.notes)
    assert not any("discard" in note for note in changes.notes)


def test_move_past_bag_window_says_discard(place: Clinic) -> None:
    prepared(place)
    changes = courses.move_appointment(
        place.ctx, mrn="P1", cycle=1, to=datetime(2026, 6, 17, 9, 0, tzinfo=NY)
    )
    assert any("discard" in note for note in changes.notes)


def test_missed_dose_reports_the_bag(place: Clinic) -> None:
    prepared(place)
    place.clock.current = datetime(2026, 6, 15, 10, 0, tzinfo=NY)
    changes = courses.mark_dose_missed(place.ctx, mrn="P1", cycle=1)
    assert any("bag" in note for note in changes.notes)


def test_dose_given_from_expired_bag_refused_and_nothing_written(place: Clinic) -> None:
    prepared(place)
    before = place.dump()
    late = MONDAY_7AM + timedelta(hours=25)  # diluted 07:30, bag good until next day 07:30
    with pytest.raises(DomainError) as refused:
        courses.record_dose_given(place.ctx, mrn="P1", cycle=1, given_at=late)
    assert refused.value.field == "preparation"
    assert place.dump() == before


def test_dose_given_marks_the_bag_used(place: Clinic) -> None:
    prepared(place)
    changes = courses.record_dose_given(
        place.ctx, mrn="P1", cycle=1, given_at=datetime(2026, 6, 15, 9, 15, tzinfo=NY)
    )
    prep = repo.preparation_for_dose(place.db, place.dose_id("P1"))
    assert prep is not None and prep["used_at"] == "2026-06-15T13:15:00Z"
    assert prep["id"] in changes.preparations
