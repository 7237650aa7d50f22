"""What every benchmark figure shares: the Figure record, medians and a timer."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# How many samples each in-process figure takes per --repeat (cold starts: one each).
SAMPLES = {"day_switch": 10, "move_commit": 8, "book_course": 3, "day_query": 10, "pdf": 1}


@dataclass
class Figure:
    """One line of the table."""

    name: str
    what: str
    unit: str
    value: float  # the median (or the 95th percentile for move_commit)
    samples: list[float]
    floor: float | None = None
    floor_what: str | None = None
    ratio: float | None = None
    goal: str = ""
    met: bool | None = None
    extra: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        return {key: value for key, value in self.__dict__.items() if key != "name"}


def median(values: list[float]) -> float:
    return float(statistics.median(values))


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest sample with ``fraction`` at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    began = time.perf_counter()
    result = action()
    return (time.perf_counter() - began) * 1000, result
