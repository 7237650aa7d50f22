"""Readiness of booked doses, read from the store, and the one gate the write paths use."""

from __future__ import annotations

from collections.abc import Iterable

from sqlite_utils import Database

from ..domain.readiness import Readiness, Verdict
from .context import ChangeSet, Context

GATE_ACTIONS = ("start infusion", "reconstitute", "dose given")


def dose_readiness(db: Database, *, mrn: str, cycle: int) -> Readiness:
    return Readiness(Verdict.MISSING, (), (), None, None, True, False)  # stub


def readiness_for_appointments(
    db: Database, appointment_ids: Iterable[int]
) -> dict[int, Readiness]:
    return {}  # stub


def readiness_gate(db: Database) -> str:
    """The site's ``readiness_gate``: "off" | "warn" | "enforce"."""
    return "warn"  # stub


def record_override(
    ctx: Context, *, mrn: str, cycle: int, reason: str, clinician: str, action: str
) -> ChangeSet:
    return ChangeSet("override readiness")  # stub


def has_override(db: Database, *, mrn: str, cycle: int, action: str) -> bool:
    return False  # stub
