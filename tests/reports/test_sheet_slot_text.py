"""``sheet_figures._hh_mm`` writes a slot's key as ``f"{instant:%H:%M}"`` does, without
``strftime``'s call to the zone (issue 19): every minute of both daylight-saving days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tdm1_scheduler.domain.calendar import zone_from_name
from tdm1_scheduler.reports.sheet_figures import _hh_mm


@pytest.mark.parametrize("zone_name", ["America/New_York", "Europe/Berlin", "UTC"])
@pytest.mark.parametrize("day", ["2026-03-08", "2026-03-29", "2026-10-25", "2026-11-01"])
def test_every_minute_of_the_days_around_a_change(zone_name: str, day: str) -> None:
    zone = zone_from_name(zone_name)
    start = datetime.fromisoformat(day).replace(tzinfo=UTC) - timedelta(hours=14)
    for minute in range(0, 52 * 60):
        instant = (start + timedelta(minutes=minute)).astimezone(zone)
        assert _hh_mm(instant) == f"{instant:%H:%M}", instant
        naive = instant.replace(tzinfo=None)
        assert _hh_mm(naive) == f"{naive:%H:%M}"
