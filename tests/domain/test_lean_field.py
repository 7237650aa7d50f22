"""``domain.lean``: a ``field()`` (``default_factory``, ``repr=False``) and classes that
are not frozen behave as with ``dataclasses``, and defining them imports neither
``dataclasses`` nor ``inspect`` (issue 19: the CLI's start)."""

from __future__ import annotations

import copy
import dataclasses
import subprocess
import sys
from typing import Any

import pytest

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.domain import calendar
from tdm1_scheduler.domain.lean import dataclass as lean_dataclass, field as lean_field, field_names
from tdm1_scheduler.services import clinic_store, context


def _raised(action: Any, *args: Any, **kwargs: Any) -> str:
    try:
        action(*args, **kwargs)
    except Exception as error:  # compared, not handled
        return f"{type(error).__name__}: {error}".replace("Std", "")
    return "nothing"


def _pair(frozen: bool, slots: bool) -> tuple[type, type]:
    """The same class by both decorators (the standard one named ``Std<name>``)."""
    made: list[type] = []
    for decorate, make_field, name in (
        (lean_dataclass, lean_field, "Item"),
        (dataclasses.dataclass, dataclasses.field, "StdItem"),
    ):
        namespace: dict[str, Any] = {
            "__annotations__": {"a": "int", "tags": "list[str]", "secret": "str", "b": "int"},
            "__module__": __name__,
            "__qualname__": name,
            "tags": make_field(default_factory=list),
            "secret": make_field(default="s", repr=False),
            "b": 2,
        }
        made.append(decorate(frozen=frozen, slots=slots)(type(name, (), namespace)))
    return made[0], made[1]


@pytest.mark.parametrize("frozen", [True, False])
@pytest.mark.parametrize("slots", [True, False])
def test_field_and_not_frozen_as_dataclasses(frozen: bool, slots: bool) -> None:
    lean, std = _pair(frozen, slots)
    assert lean.__repr__.__module__ == "tdm1_scheduler.domain.lean"  # the lean path
    assert lean.__doc__ == str(std.__doc__).replace("StdItem", "Item")
    one, same, other = lean(1), lean(1), lean(1, ["x"], "t", 3)
    std_one = std(1)
    assert repr(one) == repr(std_one).replace("StdItem", "Item") == "Item(a=1, tags=[], b=2)"
    assert one == same and one != other and one.tags is not same.tags  # a fresh list each
    assert (one == std_one) is False and one.__eq__(std_one) is NotImplemented
    assert field_names(lean) == ("a", "tags", "secret", "b")

    def described(cls: type) -> list[tuple[Any, ...]]:
        return [
            (f.name, f.type, f.default, f.default_factory, f.repr) for f in dataclasses.fields(cls)
        ]

    assert described(lean) == described(std)
    assert field_names(lean) == ("a", "tags", "secret", "b")  # after the fields were made
    assert repr(lean.__dataclass_params__) == repr(std.__dataclass_params__)  # type: ignore[attr-defined]
    assert lean.__match_args__ == std.__match_args__  # type: ignore[attr-defined]
    assert getattr(lean, "__slots__", None) == getattr(std, "__slots__", None)
    assert ("b" in lean.__dict__) == ("b" in std.__dict__)
    assert ("tags" in lean.__dict__) == ("tags" in std.__dict__)
    assert dataclasses.asdict(one) == dataclasses.asdict(std_one)
    assert dataclasses.replace(one, a=5) == lean(5)
    assert _raised(lean) == _raised(std)
    assert _raised(lean, 1, [], "s", 2, 9) == _raised(std, 1, [], "s", 2, 9)
    if frozen:
        assert _raised(hash, one) == _raised(hash, std_one)  # a list in it, as dataclasses
        hashable = (1, ("x",), "s", 2)
        assert hash(lean(*hashable)) == hash(std(*hashable)) == hash(hashable)
        with pytest.raises(dataclasses.FrozenInstanceError):
            one.a = 2
        assert copy.deepcopy(one) == one  # through the frozen slots' state, with slots
        if slots:
            assert one.__getstate__() == std_one.__getstate__()
    else:
        assert lean.__hash__ is None and std.__hash__ is None
        one.a = 7
        std_one.a = 7
        assert repr(one) == repr(std_one).replace("StdItem", "Item")
        assert _raised(setattr, one, "nope", 1) == _raised(setattr, std_one, "nope", 1)


def test_mutable_default_and_order_errors_at_definition() -> None:
    for decorate in (lean_dataclass, dataclasses.dataclass):
        with pytest.raises(ValueError, match="mutable default"):
            decorate(frozen=True)(type("Bad", (), {"__annotations__": {"a": "list[int]"}, "a": []}))
        with pytest.raises(TypeError, match="non-default argument"):
            decorate(type("Bad", (), {"__annotations__": {"a": "int", "b": "int"}, "a": 1}))


def test_other_field_options_are_dataclasses_field() -> None:
    assert isinstance(lean_field(default=0, compare=False), dataclasses.Field)
    with pytest.raises(ValueError, match="cannot specify both"):
        lean_field(default=0, default_factory=list)  # type: ignore[call-overload]


def test_the_apps_classes_as_before() -> None:
    """The app's classes that moved to the lean path: fields, repr, eq, hash, doc."""
    changes = context.ChangeSet("book")
    changes.notes.append("n")
    assert repr(changes).startswith("ChangeSet(action='book', appointments=set(), ")
    assert changes == context.ChangeSet("book", notes=["n"]) and context.ChangeSet.__hash__ is None
    assert context.ChangeSet("x").notes is not context.ChangeSet("x").notes
    login = clinic_store.Login("sam", "pw")
    assert repr(login) == "Login(user='sam')" and hash(login) == hash(("sam", "pw"))
    clock = FixedClock(None)  # type: ignore[arg-type,unused-ignore]
    assert repr(clock) == "FixedClock(current=None)" and FixedClock.__hash__ is None
    assert calendar.ClinicCalendar.__doc__ == (
        "ClinicCalendar(zone: 'tzinfo', hours: 'Mapping[int, OpeningHours]' = <factory>, "
        "closed_dates: 'frozenset[date]' = frozenset())"
    )
    assert [f.name for f in dataclasses.fields(context.Context)] == ["store", "clock", "user"]


def test_the_cli_start_imports_neither_dataclasses_nor_inspect() -> None:
    code = (
        "import sys, tdm1_scheduler.cli.main, tdm1_scheduler.services.queries, "
        "tdm1_scheduler.services.context, tdm1_scheduler.cli.course_json; "
        "print(sorted({'dataclasses', 'inspect'} & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
