"""The readiness verdicts (a dose ready to give, held, reduced, stopped, missing a result,
or for a clinician to review): their own small module, so the records that store a
verdict need not load the whole readiness rule set (``domain.readiness``)."""

from __future__ import annotations

from enum import StrEnum


class Verdict(StrEnum):
    READY = "ready"
    HOLD = "hold"
    REDUCE = "reduce"
    STOP = "stop"
    MISSING = "missing"
    REVIEW = "review"
