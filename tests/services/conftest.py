"""Services called directly: an in-memory clinic, a fixed clock, one acting user.

The ``ctx`` fixture is built on the ``store`` fixture (tests/conftest.py), so every test
that uses it runs once per backend of the run (``pytest --backend ...``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from dateutil import tz

from tdm1_scheduler.cli.course_json import course_json
from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.services import clinic, patients, queries
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.store.protocol import Store
from tests.store import backends
from tests.store.backends import open_store

ZONE_NAME = "America/New_York"
ZONE = tz.gettz(ZONE_NAME)
USER = "nurse.kim"


def local(text: str, zone_name: str = ZONE_NAME) -> datetime:
    """Clinic wall time ``YYYY-MM-DDTHH:MM`` as an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=tz.gettz(zone_name))


def dump(ctx: Context) -> str:
    """Every table, row for row (the audit log included)."""
    return backends.dump(ctx.store)


def cycles(ctx: Context, mrn: str) -> list[dict[str, Any]]:
    return course_json(queries.course_view(ctx.store, mrn))["cycles"]


def start_of(cycle: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(cycle["start"])


def make_ctx(
    zone_name: str = ZONE_NAME,
    chairs: int = 3,
    now: str = "2026-03-01T08:00",
    store: Store | None = None,
) -> Context:
    """A new clinic on ``store`` (default: a new in-memory store of the run's backend)."""
    ctx = Context.over(store or open_store(), FixedClock(local(now, zone_name)), USER)
    clinic.init_clinic(ctx, timezone=zone_name, chairs=chairs)
    return ctx


@pytest.fixture
def ctx(store: Store) -> Context:
    """A Mon-Fri 08:00-17:00 clinic in New York with three chairs and patient P1 (the
    ``store`` fixture closes it)."""
    context = make_ctx(store=store)
    patients.add_patient(context, mrn="P1", name="Pat One", weight_kg=70)
    return context
