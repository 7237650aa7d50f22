"""``domain.lean.dataclass`` with a ``__post_init__`` of the class's own: called at the
end of ``__init__`` as ``dataclasses`` does (issue 19, late), for a validating class and
for the domain's own (regimens, opening hours, planning rules, visits, outcomes)."""

from __future__ import annotations

import dataclasses
from datetime import time
from typing import Any

import pytest

from tdm1_scheduler.domain import calendar, course, regimens, timers, tolerance
from tdm1_scheduler.domain.lean import dataclass as lean_dataclass
from tdm1_scheduler.domain.records import DEFAULT_REGIMEN_CODE


def twin(cls: type) -> type:
    """``cls`` as ``dataclasses.dataclass(frozen=True)`` makes it (fields, defaults,
    methods and ``__post_init__`` copied)."""
    namespace: dict[str, Any] = {
        "__annotations__": dict(cls.__annotations__),
        "__module__": cls.__module__,
        "__qualname__": cls.__qualname__,
    }
    for field in dataclasses.fields(cls):
        if field.default is not dataclasses.MISSING:
            namespace[field.name] = field.default
    for name, value in cls.__dict__.items():
        if name == "__post_init__" or (not name.startswith("__") and name not in namespace):
            namespace[name] = value
    made: type = dataclasses.dataclass(frozen=True)(type(cls.__name__, (), namespace))
    return made


def _checked(self: Any) -> None:
    if self.low > self.high:
        raise ValueError(f"low {self.low} above high {self.high}")
    object.__setattr__(self, "span", self.high - self.low)  # not a field


def _make_range() -> type:
    class Range:
        low: int
        high: int = 10
        __post_init__ = _checked

    Range.__annotations__ = {"low": "int", "high": "int"}
    return Range


def test_a_validating_class_behaves_as_the_standard_one() -> None:
    lean: Any = lean_dataclass(frozen=True)(_make_range())
    standard: Any = dataclasses.dataclass(frozen=True)(_make_range())
    assert "__post_init__" in vars(lean) and "__init__" in vars(lean)
    for args in [(1,), (1, 5), (5, 5), (-3, 0)]:
        a, b = lean(*args), standard(*args)
        assert (a.low, a.high, a.span) == (b.low, b.high, b.span)
        assert repr(a) == repr(b) and hash(a) == hash(b) and a == lean(*args)
        assert dataclasses.replace(a, high=20).span == dataclasses.replace(b, high=20).span
    for args in [(11,), (5, 1)]:
        with pytest.raises(ValueError) as lean_error:
            lean(*args)
        with pytest.raises(ValueError) as standard_error:
            standard(*args)
        assert str(lean_error.value) == str(standard_error.value)
    with pytest.raises(ValueError):
        dataclasses.replace(lean(1), low=50)  # replace runs it too
    with pytest.raises(dataclasses.FrozenInstanceError):
        lean(1).low = 2


DOMAIN_CLASSES = [
    regimens.base.Regimen,
    timers.Visit,
    tolerance.InfusionOutcome,
    calendar.OpeningHours,
    course.PlanningRules,
]


@pytest.mark.parametrize("cls", DOMAIN_CLASSES, ids=lambda c: c.__name__)
def test_the_domains_validating_classes_are_lean_now(cls: type) -> None:
    """Made by ``lean`` (no method compiled at import) and still validating."""
    assert "__post_init__" in vars(cls)
    for name in ("__setattr__", "__delattr__"):  # lean's shared functions
        assert vars(cls)[name].__code__.co_filename.endswith("lean.py"), name
    assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen  # type: ignore[attr-defined]


def test_opening_hours_validate_as_before() -> None:
    standard = twin(calendar.OpeningHours)
    good = calendar.OpeningHours(time(8), time(17))
    assert repr(good) == repr(standard(time(8), time(17))).replace(
        standard.__qualname__, calendar.OpeningHours.__qualname__
    )
    assert good == calendar.OpeningHours(time(8), time(17)) and hash(good) == hash(
        calendar.OpeningHours(time(8), time(17))
    )
    errors = []
    for made in (calendar.OpeningHours, standard):
        with pytest.raises(Exception) as raised:
            made(time(17), time(8))
        errors.append((type(raised.value), str(raised.value)))
    assert errors[0] == errors[1]


def test_a_regimen_and_planning_rules_build_as_before() -> None:
    values_made: list[Any] = [regimens.regimen_for(DEFAULT_REGIMEN_CODE), course.PlanningRules()]
    for value in values_made:
        cls: Any = type(value)
        values = {f.name: getattr(value, f.name) for f in dataclasses.fields(cls)}
        again = cls(**values)
        assert again == value and hash(again) == hash(value)
        standard = twin(cls)(**values)
        assert {f.name: getattr(standard, f.name) for f in dataclasses.fields(cls)} == values
