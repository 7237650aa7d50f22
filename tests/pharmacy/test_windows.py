"""Recording reconstitution and dilution: windows in elapsed hours, refusals leave the
database as it was, bag_check for a rescheduled infusion.

[label] vial good 24 h after reconstitution; bag good 24 h after dilution; dilution
after the vial's 24 h refused; 5% Dextrose must not be used.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.services import courses, pharmacy
from tdm1_scheduler.store import repository as repo

from .support import MONDAY_7AM, NY, Clinic, prep_show

FIRST_DOSE = datetime(2026, 6, 15, 9, 0, tzinfo=NY)  # Mon, infusion starts 09:15


def _prep_row(place: Clinic, mrn: str = "P1", cycle: int = 1) -> dict[str, Any]:
    row = repo.preparation_for_dose(place.db, place.dose_id(mrn, cycle))
    assert row is not None
    return row


def test_reconstitution_records_time_lots_storage_and_dose(place: Clinic) -> None:
    place.patient("P1", 70.0, FIRST_DOSE)
    before = place.audit_count()
    changes = pharmacy.record_reconstitution(
        place.ctx,
        mrn="P1",
        cycle=1,
        at=datetime(2026, 6, 15, 7, 30, tzinfo=NY),
        lots=["KAD123, KAD124"],
    )
    row = _prep_row(place)
    assert changes.preparations == {row["id"]}
    assert place.audit_count() == before + 1
    assert row["reconstituted_at"] == "2026-06-15T11:30:00Z"
    assert row["vial_lots"] == "KAD123,KAD124"
    assert row["storage"] == "2-8 °C"
    assert row["dose_mg"] == 252.0
    view = prep_show(place, "P1", 1, MONDAY_7AM.replace(hour=8))
    assert view["vial_expires_at"] == "2026-06-16T07:30:00-04:00"  # + 24 h
    assert view["infuse_by"] == "2026-06-17T07:30:00-04:00"  # + 24 h more if diluted last
    assert view["status"] == "reconstituted"
    assert view["vial_lots"] == ["KAD123", "KAD124"]


def test_dilution_records_time_and_canonical_diluent(place: Clinic) -> None:
    place.patient("P1", 70.0, FIRST_DOSE)
    pharmacy.record_reconstitution(
        place.ctx, mrn="P1", cycle=1, at=datetime(2026, 6, 15, 7, 30, tzinfo=NY)
    )
    before = place.audit_count()
    changes = pharmacy.record_dilution(
        place.ctx, mrn="P1", cycle=1, at=datetime(2026, 6, 15, 8, 40, tzinfo=NY), diluent="NS"
    )
    row = _prep_row(place)
    assert changes.preparations == {row["id"]}
    assert place.audit_count() == before + 1
    assert row["diluent"] == "250 mL 0.9% Sodium Chloride"
    view = prep_show(place, "P1", 1, datetime(2026, 6, 15, 9, 0, tzinfo=NY))
    assert view["bag_expires_at"] == "2026-06-16T08:40:00-04:00"
    assert view["infuse_by"] == view["bag_expires_at"]
    assert view["status"] == "diluted"
    assert view["time_left_min"] == 23 * 60 + 40


def test_windows_across_the_autumn_dst_change_are_elapsed_hours(place: Clinic) -> None:
    """New York falls back on 2026-11-01 at 02:00 EDT -> 01:00 EST.

    Reconstituted Sat 2026-10-31 12:00 EDT (16:00 UTC): vial good until 2026-11-01
    16:00 UTC = 11:00 EST, not 12:00 (that would be 25 h). Diluted at that last minute,
    the bag is good until 2026-11-02 16:00 UTC = 11:00 EST.
    """
    place.patient("P1", 70.0, datetime(2026, 11, 2, 9, 0, tzinfo=NY))
    pharmacy.record_reconstitution(
        place.ctx, mrn="P1", cycle=1, at=datetime(2026, 10, 31, 12, 0, tzinfo=NY)
    )
    late = datetime(2026, 11, 1, 11, 1, tzinfo=NY)  # 24 h 1 min elapsed: refused
    with pytest.raises(DomainError) as refused:
        pharmacy.record_dilution(place.ctx, mrn="P1", cycle=1, at=late)
    assert refused.value.field == "diluted_at"
    pharmacy.record_dilution(
        place.ctx, mrn="P1", cycle=1, at=datetime(2026, 11, 1, 11, 0, tzinfo=NY)
    )
    view = prep_show(place, "P1", 1, datetime(2026, 11, 1, 12, 0, tzinfo=NY))
    assert view["reconstituted_at"] == "2026-10-31T12:00:00-04:00"
    assert view["vial_expires_at"] == "2026-11-01T11:00:00-05:00"
    assert view["diluted_at"] == "2026-11-01T11:00:00-05:00"
    assert view["bag_expires_at"] == "2026-11-02T11:00:00-05:00"
    assert view["time_left_min"] == 23 * 60  # 12:00 EST -> 11:00 EST next day


def test_dilution_after_the_vial_window_is_refused_and_nothing_written(place: Clinic) -> None:
    place.patient("P1", 70.0, FIRST_DOSE)
    pharmacy.record_reconstitution(
        place.ctx, mrn="P1", cycle=1, at=datetime(2026, 6, 14, 8, 0, tzinfo=NY)
    )
    before = place.dump()
    with pytest.raises(DomainError) as refused:
        pharmacy.record_dilution(
            place.ctx, mrn="P1", cycle=1, at=datetime(2026, 6, 15, 8, 0, 1, tzinfo=NY)
        )
    assert refused.value.field == "diluted_at"
    assert place.dump() == before


@pytest.mark.parametrize("diluent", ["5% Dextrose", "D5W", "250 mL glucose 5%", "D5NS"])
def test_dextrose_diluent_is_refused_and_nothing_written(place: Clinic, diluent: str) -> None:
    place.patient("P1", 70.0, FIRST_DOSE)
    pharmacy.record_reconstitution(
        place.ctx, mrn="P1", cycle=1, at=datetime(2026, 6, 15, 7, 0, tzinfo=NY)
    )
    before = place.dump()
    with pytest.raises(DomainError) as refused:
        pharmacy.record_dilution(
            place.ctx, mrn="P1", cycle=1, at=datetime(2026, 6, 15, 8, 0, tzinfo=NY), diluent=diluent
        )
    assert refused.value.field == "diluent"
    assert place.dump() == before


def test_dilution_without_reconstitution_is_refused(place: Clinic) -> None:
    place.patient("P1", 70.0, FIRST_DOSE)
    before = place.dump()
    with pytest.raises(DomainError, match="reconstitut"):
        pharmacy.record_dilution(
            place.ctx, mrn="P1", cycle=1, at=datetime(2026, 6, 15, 8, 0, tzinfo=NY)
        )
    assert place.dump() == before


def test_reconstituting_twice_is_refused(place: Clinic) -> None:
    place.patient("P1", 70.0, FIRST_DOSE)
    at = datetime(2026, 6, 15, 7, 0, tzinfo=NY)
    pharmacy.record_reconstitution(place.ctx, mrn="P1", cycle=1, at=at)
    before = place.dump()
    with pytest.raises(DomainError, match="already reconstituted"):
        pharmacy.record_reconstitution(place.ctx, mrn="P1", cycle=1, at=at)
    assert place.dump() == before


def test_diluting_twice_is_refused(place: Clinic) -> None:
    place.patient("P1", 70.0, FIRST_DOSE)
    pharmacy.record_reconstitution(
        place.ctx, mrn="P1", cycle=1, at=datetime(2026, 6, 15, 7, 0, tzinfo=NY)
    )
    first = datetime(2026, 6, 15, 7, 30, tzinfo=NY)
    pharmacy.record_dilution(place.ctx, mrn="P1", cycle=1, at=first)
    with pytest.raises(DomainError, match="already diluted"):
        pharmacy.record_dilution(
            place.ctx, mrn="P1", cycle=1, at=datetime(2026, 6, 15, 7, 45, tzinfo=NY)
        )


def test_reconstituting_a_given_or_cancelled_dose_is_refused(place: Clinic) -> None:
    place.patient("P1", 70.0, FIRST_DOSE)
    courses.record_dose_given(
        place.ctx, mrn="P1", cycle=1, given_at=datetime(2026, 6, 15, 9, 15, tzinfo=NY)
    )
    with pytest.raises(DomainError, match="given"):
        pharmacy.record_reconstitution(place.ctx, mrn="P1", cycle=1, at=MONDAY_7AM)
    courses.stop_course(place.ctx, mrn="P1", reason="toxicity")
    before = place.dump()
    with pytest.raises(DomainError, match="cancelled"):
        pharmacy.record_reconstitution(place.ctx, mrn="P1", cycle=2, at=MONDAY_7AM)
    assert place.dump() == before


def test_more_lots_than_vials_is_refused(place: Clinic) -> None:
    place.patient("P1", 70.0, FIRST_DOSE)  # 252 mg: 2 vials
    with pytest.raises(DomainError) as refused:
        pharmacy.record_reconstitution(
            place.ctx, mrn="P1", cycle=1, at=MONDAY_7AM, lots=["A", "B", "C"]
        )
    assert refused.value.field == "lot"


def test_naive_time_is_refused(place: Clinic) -> None:
    place.patient("P1", 70.0, FIRST_DOSE)
    with pytest.raises(DomainError, match="aware"):
        pharmacy.record_reconstitution(place.ctx, mrn="P1", cycle=1, at=datetime(2026, 6, 15, 7))


# --- bag_check ------------------------------------------------------------------------------
def _diluted_at(place: Clinic, at: datetime) -> int:
    place.patient("P1", 70.0, FIRST_DOSE)
    dose_id = place.dose_id("P1")
    assert pharmacy.bag_check(place.ctx.store, dose_id, at) is None  # nothing prepared
    pharmacy.record_reconstitution(place.ctx, mrn="P1", cycle=1, at=at)
    assert pharmacy.bag_check(place.ctx.store, dose_id, at) is None  # a vial, no bag yet
    pharmacy.record_dilution(place.ctx, mrn="P1", cycle=1, at=at)
    return dose_id


def test_bag_check_inside_the_window(place: Clinic) -> None:
    dose_id = _diluted_at(place, datetime(2026, 6, 15, 9, 40, tzinfo=NY))  # Mon 09:40
    result = pharmacy.bag_check(place.ctx.store, dose_id, datetime(2026, 6, 16, 9, 40, tzinfo=NY))
    assert result is not None
    assert result.usable is True
    assert result.bag_expires_at == datetime(2026, 6, 16, 13, 40, tzinfo=UTC)
    assert result.bag_expires_at.utcoffset() is not None
    assert result.message == "bag good until Tue 09:40"


def test_bag_check_outside_the_window(place: Clinic) -> None:
    dose_id = _diluted_at(place, datetime(2026, 6, 15, 9, 40, tzinfo=NY))
    result = pharmacy.bag_check(place.ctx.store, dose_id, datetime(2026, 6, 16, 9, 41, tzinfo=NY))
    assert result is not None
    assert result.usable is False
    assert "Tue 09:40" in result.message


def test_bag_check_across_dst_uses_elapsed_hours(place: Clinic) -> None:
    """Diluted Sat 2026-10-31 10:00 EDT: good until Sun 09:00 EST (24 h), not 10:00."""
    place.patient("P1", 70.0, datetime(2026, 11, 2, 9, 0, tzinfo=NY))
    at = datetime(2026, 10, 31, 10, 0, tzinfo=NY)
    pharmacy.record_reconstitution(place.ctx, mrn="P1", cycle=1, at=at)
    pharmacy.record_dilution(place.ctx, mrn="P1", cycle=1, at=at)
    dose_id = place.dose_id("P1")
    good = pharmacy.bag_check(place.ctx.store, dose_id, datetime(2026, 11, 1, 9, 0, tzinfo=NY))
    late = pharmacy.bag_check(place.ctx.store, dose_id, datetime(2026, 11, 1, 9, 30, tzinfo=NY))
    assert good is not None and late is not None
    assert good.usable is True and good.message == "bag good until Sun 09:00"
    assert late.usable is False


def test_bag_check_after_discard_is_none(place: Clinic) -> None:
    dose_id = _diluted_at(place, datetime(2026, 6, 15, 6, 40, tzinfo=NY))
    pharmacy.discard_preparation(place.ctx, mrn="P1", cycle=1, reason="dropped")
    at = datetime(2026, 6, 15, 9, 0, tzinfo=NY)
    assert pharmacy.bag_check(place.ctx.store, dose_id, at) is None
