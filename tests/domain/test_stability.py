"""Preparation windows (tdm1_scheduler.domain.stability).

Label facts checked: reconstituted vial up to 24 h at 2-8 °C; dilute in 250 mL 0.9%
Sodium Chloride, 5% Dextrose must not be used; diluted bag up to 24 h at 2-8 °C in
addition to the vial's 24 h. Derived: latest start = dilution + 24 h, dilution no later
than reconstitution + 24 h. All windows are elapsed time, also across DST changes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tdm1_scheduler.domain.dosing import DILUENT
from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.domain.stability import (
    BAG_HOLD,
    HALF_NORMAL_SALINE_DILUENT,
    VIAL_HOLD,
    Preparation,
    PrepStatus,
    bag_expires_at,
    bag_usable_at,
    check_can_start,
    check_diluent,
    check_dilution,
    status_at,
    time_left,
    vial_expires_at,
)

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
HOUR = timedelta(hours=1)
SECOND = timedelta(seconds=1)

# A plain (no DST change) day: reconstitute 2026-06-10 08:00 EDT = 12:00 UTC.
RECON = datetime(2026, 6, 10, 8, 0, tzinfo=NEW_YORK)
RECON_UTC = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


def test_label_hold_times_are_24_hours_each() -> None:
    """[label] vial 24 h at 2-8 °C; bag 24 h at 2-8 °C in addition (not the 2013 4 h)."""
    assert timedelta(hours=24) == VIAL_HOLD
    assert timedelta(hours=24) == BAG_HOLD


# --- Window arithmetic ----------------------------------------------------------------


def test_vial_expires_24_hours_after_reconstitution_as_utc() -> None:
    """[label] reconstituted vial: up to 24 h; the result is UTC-aware."""
    expiry = vial_expires_at(RECON)
    assert expiry == datetime(2026, 6, 11, 12, 0, tzinfo=UTC)
    assert expiry.tzinfo is UTC


def test_bag_expires_24_hours_after_dilution_as_utc() -> None:
    """[label] diluted bag: up to 24 h; the result is UTC-aware."""
    expiry = bag_expires_at(datetime(2026, 6, 10, 10, 30, tzinfo=BERLIN))  # 08:30 UTC
    assert expiry == datetime(2026, 6, 11, 8, 30, tzinfo=UTC)
    assert expiry.tzinfo is UTC


def test_vial_window_across_autumn_dst_change_is_24_elapsed_hours() -> None:
    """[label] 24 h is elapsed time: New York falls back on 2026-11-01.

    2026-10-31 12:00 EDT (UTC-4) = 16:00 UTC; + 24 h = 2026-11-01 16:00 UTC = 11:00 EST.
    Wall-clock arithmetic would say 12:00 local, which is 25 elapsed hours.
    """
    reconstituted = datetime(2026, 10, 31, 12, 0, tzinfo=NEW_YORK)
    expiry = vial_expires_at(reconstituted)
    assert expiry == datetime(2026, 11, 1, 16, 0, tzinfo=UTC)
    local = expiry.astimezone(NEW_YORK)
    assert (local.hour, local.minute, local.tzname()) == (11, 0, "EST")
    # The naive wall-clock answer differs, so this test would catch it.
    assert expiry != (reconstituted + VIAL_HOLD).astimezone(UTC)


def test_bag_window_across_spring_dst_change_is_24_elapsed_hours() -> None:
    """[label] 24 h is elapsed time: New York springs forward on 2026-03-08.

    2026-03-07 12:00 EST (UTC-5) = 17:00 UTC; + 24 h = 2026-03-08 17:00 UTC = 13:00 EDT.
    """
    diluted = datetime(2026, 3, 7, 12, 0, tzinfo=NEW_YORK)
    expiry = bag_expires_at(diluted)
    assert expiry == datetime(2026, 3, 8, 17, 0, tzinfo=UTC)
    local = expiry.astimezone(NEW_YORK)
    assert (local.hour, local.minute, local.tzname()) == (13, 0, "EDT")


def test_infuse_by_across_dst_is_48_elapsed_hours_after_reconstitution() -> None:
    """Derived from [label]: vial 24 h + bag 24 h = 48 elapsed hours, DST or not.

    2026-10-31 12:00 EDT = 16:00 UTC; + 48 h = 2026-11-02 16:00 UTC = 11:00 EST.
    """
    reconstituted = datetime(2026, 10, 31, 12, 0, tzinfo=NEW_YORK)
    prep = Preparation(reconstituted_at=reconstituted, diluted_at=None)
    assert prep.infuse_by == datetime(2026, 11, 2, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize("func", [vial_expires_at, bag_expires_at])
def test_naive_datetimes_refused(func: Callable[[datetime], datetime]) -> None:
    """Every instant carries its offset: a naive datetime is refused."""
    with pytest.raises(DomainError, match="aware"):
        func(datetime(2026, 6, 10, 8, 0))


def test_naive_datetimes_refused_everywhere() -> None:
    naive = datetime(2026, 6, 10, 9, 0)
    with pytest.raises(DomainError) as caught:
        check_dilution(RECON, naive)
    assert caught.value.field == "diluted_at"
    with pytest.raises(DomainError) as caught:
        Preparation(reconstituted_at=naive, diluted_at=None)
    assert caught.value.field == "reconstituted_at"
    prep = Preparation(RECON, RECON + HOUR)
    with pytest.raises(DomainError) as caught:
        status_at(prep, naive)
    assert caught.value.field == "at"
    with pytest.raises(DomainError) as caught:
        time_left(prep, naive)
    assert caught.value.field == "at"
    with pytest.raises(DomainError) as caught:
        bag_usable_at(prep, naive)  # a programming error, not a "not usable"
    assert caught.value.field == "infusion_start"


# --- Diluent --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "0.9% NaCl",
        "0.9% Sodium Chloride",
        "Sodium Chloride 0.9%",
        "sodium chloride 0.9% injection, USP",
        "normal saline",
        "Normal Saline",
        "NS",
        " ns ",
        "0.9 % NaCl",
        "0,9% NaCl",
        "250 mL 0.9% Sodium Chloride",
        "0.9% NaCl 250 ml",
    ],
)
def test_diluent_normal_saline_spellings_accepted(text: str) -> None:
    """[label] dilute in 250 mL 0.9% Sodium Chloride: common spellings map to it."""
    assert check_diluent(text) == DILUENT


@pytest.mark.parametrize(
    "text",
    [
        "5% Dextrose",
        "Dextrose 5%",
        "D5W",
        "d5w",
        "D5NS",
        "5% D/W",
        "5%D",
        "Glucose 5%",
        "0.9% NaCl + 5% dextrose",
        "250 mL D5W",
    ],
)
def test_diluent_dextrose_refused(text: str) -> None:
    """[label] 5% Dextrose must not be used, however it is written."""
    with pytest.raises(DomainError, match="Dextrose") as caught:
        check_diluent(text, allow_half_normal_saline=True)
    assert caught.value.field == "diluent"


@pytest.mark.parametrize("text", ["", "   "])
def test_diluent_empty_refused(text: str) -> None:
    """[label] a diluent must be recorded."""
    with pytest.raises(DomainError) as caught:
        check_diluent(text)
    assert caught.value.field == "diluent"


@pytest.mark.parametrize(
    "text",
    [
        "saline",  # strength not given
        "sodium chloride",  # strength not given
        "3% NaCl",
        "Lactated Ringer's",
        "sterile water",
        "100 mL 0.9% NaCl",  # [label] 250 mL
        "NaCl",
    ],
)
def test_diluent_anything_else_refused(text: str) -> None:
    """[label] only 250 mL 0.9% Sodium Chloride (US)."""
    with pytest.raises(DomainError) as caught:
        check_diluent(text)
    assert caught.value.field == "diluent"


@pytest.mark.parametrize("text", ["0.45% NaCl", "0.45% Sodium Chloride", "half normal saline"])
def test_diluent_half_normal_saline_only_when_site_allows_eu_text(text: str) -> None:
    """[label] EU text also allows 0.45% NaCl; US label does not, so off by default."""
    with pytest.raises(DomainError, match="EU") as caught:
        check_diluent(text)
    assert caught.value.field == "diluent"
    assert check_diluent(text, allow_half_normal_saline=True) == HALF_NORMAL_SALINE_DILUENT
    assert HALF_NORMAL_SALINE_DILUENT == "250 mL 0.45% Sodium Chloride"


# --- Dilution timing ------------------------------------------------------------------


def test_dilution_within_vial_window_accepted() -> None:
    """[label] vial usable up to 24 h: dilution at 0 h, 1 h and exactly 24 h is fine."""
    check_dilution(RECON, RECON)
    check_dilution(RECON, RECON + HOUR)
    check_dilution(RECON, RECON + VIAL_HOLD)  # exactly 24 h is allowed


def test_dilution_after_vial_window_refused() -> None:
    """[label] reconstituted vial discarded after 24 h: dilution 1 s later is refused."""
    with pytest.raises(DomainError) as caught:
        check_dilution(RECON, RECON + VIAL_HOLD + SECOND)
    assert caught.value.field == "diluted_at"
    assert "2026-06-11T12:00:00+00:00" in caught.value.rule  # the vial expiry, UTC
    assert "expired" in caught.value.rule


def test_dilution_before_reconstitution_refused() -> None:
    """Derived: a dose cannot be diluted before its vial is reconstituted."""
    with pytest.raises(DomainError, match="before reconstitution") as caught:
        check_dilution(RECON, RECON - SECOND)
    assert caught.value.field == "diluted_at"


def test_dilution_order_uses_real_instants_in_the_repeated_dst_hour() -> None:
    """[label] windows are elapsed time: on 2026-11-01 01:30 New York happens twice.

    fold=0 is 01:30 EDT (05:30 UTC), fold=1 is 01:30 EST (06:30 UTC). Python compares
    same-zone datetimes by wall clock and would call them equal.
    """
    first = datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK, fold=0)
    second = datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK, fold=1)
    check_dilution(first, second)  # one real hour later: fine
    with pytest.raises(DomainError, match="before reconstitution"):
        check_dilution(second, first)


def test_dilution_window_mixed_zones() -> None:
    """[label] 24 h measured between instants given in different zones."""
    # 08:00 EDT = 12:00 UTC; 2026-06-11 14:00 Berlin (CEST) = 12:00 UTC: exactly 24 h.
    check_dilution(RECON, datetime(2026, 6, 11, 14, 0, tzinfo=BERLIN))
    with pytest.raises(DomainError):
        check_dilution(RECON, datetime(2026, 6, 11, 14, 0, 1, tzinfo=BERLIN))


# --- Preparation ----------------------------------------------------------------------


def test_preparation_expiries_and_infuse_by() -> None:
    """[label] vial 24 h; bag 24 h after dilution; derived latest start."""
    nothing = Preparation(None, None)
    assert nothing.vial_expires_at is None
    assert nothing.bag_expires_at is None
    assert nothing.infuse_by is None

    reconstituted = Preparation(RECON, None)
    assert reconstituted.vial_expires_at == RECON_UTC + VIAL_HOLD
    assert reconstituted.bag_expires_at is None
    # Not yet diluted: latest start if diluted at the vial's last moment = 48 h.
    assert reconstituted.infuse_by == RECON_UTC + timedelta(hours=48)

    diluted = Preparation(RECON, RECON + 2 * HOUR)
    assert diluted.bag_expires_at == RECON_UTC + timedelta(hours=26)
    assert diluted.infuse_by == RECON_UTC + timedelta(hours=26)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"reconstituted_at": None, "diluted_at": RECON}, "diluted_at"),
        ({"reconstituted_at": RECON, "diluted_at": RECON + 25 * HOUR}, "diluted_at"),
        ({"reconstituted_at": RECON, "diluted_at": RECON - HOUR}, "diluted_at"),
        ({"reconstituted_at": RECON, "diluted_at": None, "used_at": RECON + HOUR}, "used_at"),
        (
            {"reconstituted_at": RECON, "diluted_at": RECON, "used_at": RECON + 25 * HOUR},
            "used_at",
        ),
        (
            {"reconstituted_at": RECON, "diluted_at": RECON + HOUR, "used_at": RECON},
            "used_at",
        ),
        (
            {
                "reconstituted_at": RECON,
                "diluted_at": RECON,
                "used_at": RECON + HOUR,
                "discarded_at": RECON + HOUR,
            },
            "discarded_at",
        ),
        ({"reconstituted_at": None, "diluted_at": None, "discarded_at": RECON}, "discarded_at"),
        (
            {"reconstituted_at": RECON, "diluted_at": RECON + HOUR, "discarded_at": RECON},
            "discarded_at",
        ),
    ],
)
def test_preparation_refuses_impossible_records(
    kwargs: dict[str, datetime | None], field: str
) -> None:
    """[label] dilution within the vial's 24 h; use within the bag's 24 h; one end only."""
    with pytest.raises(DomainError) as caught:
        Preparation(**kwargs)
    assert caught.value.field == field


def test_preparation_used_exactly_at_bag_expiry_accepted() -> None:
    """[label] up to 24 h after dilution: a start at exactly 24 h is within it."""
    prep = Preparation(RECON, RECON + HOUR, used_at=RECON + 25 * HOUR)
    assert prep.used_at == RECON + 25 * HOUR


def test_prep_status_values_are_the_stored_names() -> None:
    assert [status.value for status in PrepStatus] == [
        "not_prepared",
        "reconstituted",
        "diluted",
        "vial_expired",
        "bag_expired",
        "discarded",
        "used",
    ]


def test_status_through_a_preparations_life() -> None:
    """[label] vial 24 h, then bag 24 h; steps after ``at`` do not count yet."""
    diluted_at = RECON + 3 * HOUR
    prep = Preparation(RECON, diluted_at, used_at=diluted_at + 2 * HOUR)
    assert status_at(prep, RECON - SECOND) is PrepStatus.NOT_PREPARED
    assert status_at(prep, RECON) is PrepStatus.RECONSTITUTED
    assert status_at(prep, diluted_at - SECOND) is PrepStatus.RECONSTITUTED
    assert status_at(prep, diluted_at) is PrepStatus.DILUTED
    assert status_at(prep, diluted_at + 2 * HOUR) is PrepStatus.USED
    assert status_at(prep, diluted_at + 100 * HOUR) is PrepStatus.USED


def test_status_vial_expired_after_24_hours_undiluted() -> None:
    """[label] reconstituted vial: 24 h at 2-8 °C, then discard."""
    prep = Preparation(RECON, None)
    assert status_at(prep, RECON + VIAL_HOLD) is PrepStatus.RECONSTITUTED  # exactly 24 h
    assert status_at(prep, RECON + VIAL_HOLD + SECOND) is PrepStatus.VIAL_EXPIRED


def test_status_bag_expired_after_24_hours() -> None:
    """[label] diluted bag: 24 h at 2-8 °C."""
    prep = Preparation(RECON, RECON + HOUR)
    assert status_at(prep, RECON + 25 * HOUR) is PrepStatus.DILUTED  # exactly 24 h
    assert status_at(prep, RECON + 25 * HOUR + SECOND) is PrepStatus.BAG_EXPIRED


def test_status_discarded() -> None:
    prep = Preparation(RECON, RECON + HOUR, discarded_at=RECON + 2 * HOUR)
    assert status_at(prep, RECON + 90 * timedelta(minutes=1)) is PrepStatus.DILUTED
    assert status_at(prep, RECON + 2 * HOUR) is PrepStatus.DISCARDED


def test_status_across_dst_uses_elapsed_hours() -> None:
    """[label] 24 elapsed hours: 2026-10-31 12:00 EDT vial is still good at 11:00 EST."""
    prep = Preparation(datetime(2026, 10, 31, 12, 0, tzinfo=NEW_YORK), None)
    assert status_at(prep, datetime(2026, 11, 1, 11, 0, tzinfo=NEW_YORK)) is (
        PrepStatus.RECONSTITUTED
    )
    assert status_at(prep, datetime(2026, 11, 1, 11, 0, 1, tzinfo=NEW_YORK)) is (
        PrepStatus.VIAL_EXPIRED
    )


# --- Can the infusion start? ----------------------------------------------------------


def test_bag_usable_within_24_hours_of_dilution() -> None:
    """[label] bag up to 24 h after dilution: exactly 24 h yes, 1 s later no."""
    prep = Preparation(RECON, RECON + HOUR)
    assert bag_usable_at(prep, RECON + HOUR) is True
    assert bag_usable_at(prep, RECON + 25 * HOUR) is True
    assert bag_usable_at(prep, RECON + 25 * HOUR + SECOND) is False
    check_can_start(prep, RECON + 25 * HOUR)


def test_check_can_start_expired_bag_names_utc_expiry() -> None:
    """[label] never start from a bag whose 24 h window has passed."""
    prep = Preparation(RECON, RECON + HOUR)  # bag expires 2026-06-11 13:00 UTC
    with pytest.raises(DomainError) as caught:
        check_can_start(prep, RECON + 26 * HOUR)
    assert caught.value.field == "preparation"
    assert "bag expired at 2026-06-11T13:00:00+00:00" in caught.value.rule


@pytest.mark.parametrize(
    ("prep", "reason"),
    [
        (Preparation(None, None), "never prepared"),
        (Preparation(RECON, None), "not yet diluted"),
        (Preparation(RECON, RECON + 10 * HOUR), "not yet diluted"),  # start before dilution
        (Preparation(RECON, RECON + HOUR, discarded_at=RECON + 2 * HOUR), "discarded"),
        (Preparation(RECON, RECON + HOUR, used_at=RECON + 2 * HOUR), "already used"),
    ],
)
def test_check_can_start_reasons(prep: Preparation, reason: str) -> None:
    """[label] only a diluted bag, within 24 h, not discarded or used, can be infused."""
    start = RECON + 5 * HOUR
    with pytest.raises(DomainError, match=reason) as caught:
        check_can_start(prep, start)
    assert caught.value.field == "preparation"
    assert bag_usable_at(prep, start) is False


def test_discarded_bag_not_usable_even_before_the_discard_time() -> None:
    """A discarded preparation cannot serve a new infusion start, whatever the time."""
    prep = Preparation(RECON, RECON + HOUR, discarded_at=RECON + 10 * HOUR)
    assert bag_usable_at(prep, RECON + 2 * HOUR) is False


# --- Time left ------------------------------------------------------------------------


def test_time_left_until_vial_then_bag_expiry() -> None:
    """[label] vial 24 h until diluted; then the bag's 24 h; negative once passed."""
    assert time_left(Preparation(None, None), RECON) is None
    reconstituted = Preparation(RECON, None)
    assert time_left(reconstituted, RECON + 4 * HOUR) == timedelta(hours=20)
    assert time_left(reconstituted, RECON + 30 * HOUR) == timedelta(hours=-6)
    diluted = Preparation(RECON, RECON + 20 * HOUR)
    assert time_left(diluted, RECON + 21 * HOUR) == timedelta(hours=23)
    assert time_left(diluted, RECON + 45 * HOUR) == -HOUR


def test_time_left_across_dst_is_elapsed_time() -> None:
    """[label] 24 elapsed hours: 2026-10-31 12:00 EDT -> at 2026-11-01 10:00 EST, 1 h left.

    Wall-clock subtraction would say 2 h (12:00 - 10:00).
    """
    prep = Preparation(datetime(2026, 10, 31, 12, 0, tzinfo=NEW_YORK), None)
    assert time_left(prep, datetime(2026, 11, 1, 10, 0, tzinfo=NEW_YORK)) == HOUR
