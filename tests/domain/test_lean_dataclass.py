"""``domain.lean.dataclass`` behaves as ``dataclasses.dataclass`` (issue 19: it only
compiles less at import). Each record class is rebuilt from its own definition by the
standard decorator and the two are compared on the same values."""

from __future__ import annotations

import dataclasses
import inspect
import pickle
from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from tdm1_scheduler.domain import records
from tdm1_scheduler.domain.lean import dataclass as lean_dataclass

RECORDS = [
    cls
    for cls in vars(records).values()
    if inspect.isclass(cls) and dataclasses.is_dataclass(cls) and cls.__module__ == records.__name__
]


def _standard(cls: type) -> type:
    """The same class made by ``dataclasses.dataclass`` (from its annotations and defaults)."""
    namespace: dict[str, Any] = {
        "__annotations__": dict(cls.__annotations__),
        "__module__": cls.__module__,
        "__qualname__": cls.__qualname__,
        "__doc__": cls.__doc__,
    }
    for field in dataclasses.fields(cls):
        if field.default is not dataclasses.MISSING:
            namespace[field.name] = field.default
    for name, value in cls.__dict__.items():  # properties and methods of the record
        method = callable(value) or isinstance(value, property | staticmethod | classmethod)
        if method and not name.startswith("__"):
            namespace[name] = value
    made = type(cls.__name__, (), namespace)
    return dataclasses.dataclass(frozen=True, slots=True)(made)


def _value(kind: str, salt: int) -> Any:
    """A value for a field annotated ``kind`` (equality only needs distinct values)."""
    if "datetime" in kind:
        return datetime(2026, 11, 18, 15, salt, tzinfo=UTC)
    if "date" in kind:
        return date(2026, 11, 1 + salt)
    if "time" in kind:
        return time(9, salt)
    if kind.startswith(("int", "float", "bool")):
        return salt
    if kind.startswith("tuple"):
        return (salt,)
    return f"v{salt}"


def _arguments(cls: type, salt: int) -> dict[str, Any]:
    return {
        field.name: _value(str(field.type), salt + number)
        for number, field in enumerate(dataclasses.fields(cls))
    }


def _raised(action: Any, *args: Any) -> str:
    """The exception's type and text (as the standard class raises it, whatever it is)."""
    try:
        action(*args)
    except Exception as error:  # compared, not handled
        return f"{type(error).__name__}: {error}"
    return "nothing"


def test_every_record_class_is_lean() -> None:
    assert len(RECORDS) >= 20
    for cls in RECORDS:
        assert cls.__repr__.__module__ == "tdm1_scheduler.domain.lean", cls


def test_methods_compiled_on_first_call_then_the_same_speed_path() -> None:
    @lean_dataclass(frozen=True, slots=True)
    class Fresh:
        a: int
        b: str = "x"

    stand_in = Fresh.__init__
    first = Fresh(1)
    assert Fresh.__init__ is not stand_in  # compiled once, in its place
    assert (
        Fresh.__init__.__qualname__
        == "test_methods_compiled_on_first_call_then_the_same_speed_path.<locals>.Fresh.__init__"
    )
    assert first == Fresh(1, "x") and hash(first) == hash((1, "x")) and first != Fresh(2)
    assert Fresh.__eq__.__code__.co_filename == "<string>"  # the generated comparison now


@pytest.mark.parametrize("cls", RECORDS, ids=lambda cls: cls.__name__)
def test_same_behaviour_as_dataclasses(cls: type) -> None:
    standard = _standard(cls)
    one, two = _arguments(cls, 1), _arguments(cls, 2)
    lean_one, lean_same, lean_two = cls(**one), cls(**one), cls(**two)
    std_one, std_same, std_two = standard(**one), standard(**one), standard(**two)

    assert repr(lean_one) == repr(std_one)
    lean_eq = (lean_one == lean_same, lean_one == lean_two, lean_one != lean_two)
    assert lean_eq == (std_one == std_same, std_one == std_two, std_one != std_two)
    assert hash(lean_one) == hash(std_one) == hash(lean_same)
    assert lean_one.__eq__(std_one) is NotImplemented  # another class: as dataclasses
    assert (lean_one == 1) is False and (lean_one != "x") is True
    assert {lean_one, lean_same, lean_two} == {lean_one, lean_two}
    names = [field.name for field in dataclasses.fields(cls)]
    assert names == [field.name for field in dataclasses.fields(standard)]
    assert cls.__match_args__ == standard.__match_args__  # type: ignore[attr-defined]
    assert cls.__slots__ == standard.__slots__  # type: ignore[attr-defined]
    assert dataclasses.asdict(lean_one) == dataclasses.asdict(std_one)
    first = dataclasses.fields(cls)[0].name
    changed = dataclasses.replace(lean_one, **{first: two[first]})
    assert type(changed) is cls and getattr(changed, first) == two[first]
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(lean_one, first, two[first])
    with pytest.raises(dataclasses.FrozenInstanceError):
        delattr(lean_one, first)
    unknown = _raised(setattr, lean_one, "not_a_field", 1)
    assert unknown == _raised(setattr, std_one, "not_a_field", 1)
    assert pickle.loads(pickle.dumps(lean_one)) == lean_one
    assert cls.__doc__ == standard.__doc__
    assert _raised(cls) == _raised(standard)  # the same "missing argument" message
    assert _raised(cls, *one.values(), 1) == _raised(standard, *one.values(), 1)
    params, std_params = cls.__dataclass_params__, standard.__dataclass_params__  # type: ignore[attr-defined]
    assert repr(params) == repr(std_params)


def test_fields_left_out_of_compare_hash_and_repr() -> None:
    @lean_dataclass(frozen=True)
    class Lean:
        a: int
        b: int = dataclasses.field(default=0, compare=False)
        c: int = dataclasses.field(default=0, repr=False)
        d: int = dataclasses.field(default=0, hash=False)

    @dataclasses.dataclass(frozen=True)
    class Lean2:  # the standard one, with the same name for the repr
        a: int
        b: int = dataclasses.field(default=0, compare=False)
        c: int = dataclasses.field(default=0, repr=False)
        d: int = dataclasses.field(default=0, hash=False)

    for left, right in (((1, 2, 3, 4), (1, 5, 3, 4)), ((1, 2, 3, 4), (1, 2, 3, 6))):
        assert (Lean(*left) == Lean(*right)) == (Lean2(*left) == Lean2(*right))
        assert hash(Lean(*left)) == hash(Lean2(*left))
    assert repr(Lean(1, 2, 3, 4)).replace("Lean(", "Lean2(") == repr(Lean2(1, 2, 3, 4))


def test_one_field_and_no_field() -> None:
    @lean_dataclass(frozen=True)
    class One:
        a: int

    @lean_dataclass(frozen=True)
    class Empty:
        pass

    assert One(1) == One(1) and One(1) != One(2) and hash(One(1)) == hash((1,))
    assert repr(One(1)).endswith("One(a=1)")
    assert Empty() == Empty() and hash(Empty()) == hash(()) and repr(Empty()).endswith("Empty()")


def test_other_options_are_the_standard_decorator() -> None:
    @lean_dataclass(frozen=True, order=True)
    class Ordered:
        a: int

    @lean_dataclass
    class Plain:
        a: int

    @lean_dataclass(frozen=True)
    class OwnEq:
        a: int

        def __eq__(self, other: object) -> bool:
            return True

        __hash__ = object.__hash__

    assert Ordered(1) < Ordered(2)
    assert Plain(1) == Plain(1) and Plain.__hash__ is None
    Plain(1).a = 2
    assert OwnEq(1) == OwnEq(2)
