"""The ``place`` fixture: a fresh in-memory clinic (see support.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tdm1_scheduler.store.database import open_database

from .support import Clinic, make_clinic


@pytest.fixture
def place() -> Iterator[Clinic]:
    db = open_database(":memory:")
    try:
        yield make_clinic(db)
    finally:
        db.close()
