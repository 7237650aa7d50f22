"""Is a booked dose ready to give: the label's lab and heart-function gates (issue 17).

Pure: no Qt, no SQL, no clock reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class Verdict(StrEnum):
    READY = "ready"
    HOLD = "hold"
    REDUCE = "reduce"
    STOP = "stop"
    MISSING = "missing"
    REVIEW = "review"


@dataclass(frozen=True)
class Reason:
    rule: str
    text: str


@dataclass(frozen=True)
class ResultUsed:
    test: str  # ast | alt | bilirubin | platelets | lvef
    value: float
    uln: float | None
    at: datetime


@dataclass(frozen=True)
class Readiness:
    verdict: Verdict
    reasons: tuple[Reason, ...]
    results: tuple[ResultUsed, ...]
    lvef_due: date | None
    proposed_mg_per_kg: float | None
    labs_pending: bool  # a liver/platelet result needed for this dose is missing or stale
    lvef_overdue: bool  # an LVEF is due on or before the dose
