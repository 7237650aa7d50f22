"""``domain.lean``: a class whose one base is a lean class behaves as with ``dataclasses``
(the base's fields first), and defining it imports neither ``dataclasses`` nor ``copy``
(issue 19: ``services.live.ReadAgain``, a ``ChangeSet``, made the GUI's start import
``dataclasses`` for this one class)."""

from __future__ import annotations

import copy
import dataclasses
import pickle
import subprocess
import sys
from typing import Any

import pytest

from tdm1_scheduler.domain.lean import dataclass as lean_dataclass, field as lean_field, field_names
from tdm1_scheduler.services import context, live


def _raised(action: Any, *args: Any, **kwargs: Any) -> str:
    try:
        action(*args, **kwargs)
    except Exception as error:  # compared, not handled
        return f"{type(error).__name__}: {error}".replace("Std", "")
    return "nothing"


def _family(frozen: bool, post_init: bool = False) -> tuple[type, type, type, type]:
    """A base and a subclass by each decorator: lean ``Base``/``Sub``, ``StdBase``/``StdSub``."""
    made: list[type] = []
    for decorate, make_field, prefix in (
        (lean_dataclass, lean_field, ""),
        (dataclasses.dataclass, dataclasses.field, "Std"),
    ):
        base_namespace: dict[str, Any] = {
            "__annotations__": {"a": "int", "tags": "list[str]", "secret": "str", "b": "int"},
            "__module__": __name__,
            "__qualname__": prefix + "Base",
            "tags": make_field(default_factory=list),
            "secret": make_field(default="s", repr=False),
            "b": 2,
        }
        if post_init:

            def __post_init__(self: Any) -> None:
                if self.a < 0:
                    raise ValueError(f"a below zero: {self.a}")

            base_namespace["__post_init__"] = __post_init__
        base: Any = decorate(frozen=frozen)(type(prefix + "Base", (), base_namespace))
        sub_namespace: dict[str, Any] = {
            "__annotations__": {"extra": "tuple[int, ...]", "more": "set[int]"},
            "__module__": __name__,
            "__qualname__": prefix + "Sub",
            "extra": (),
            "more": make_field(default_factory=set),
        }
        sub: Any = decorate(frozen=frozen)(type(prefix + "Sub", (base,), sub_namespace))
        made += [base, sub]
    return made[0], made[1], made[2], made[3]


def _described(cls: type) -> list[tuple[Any, ...]]:
    return [(f.name, f.type, f.default, f.default_factory, f.repr) for f in dataclasses.fields(cls)]


@pytest.mark.parametrize("frozen", [True, False])
def test_a_subclass_as_dataclasses(frozen: bool) -> None:
    base, sub, std_base, std_sub = _family(frozen)
    assert sub.__repr__.__module__ == "tdm1_scheduler.domain.lean"  # the lean path
    assert sub.__doc__ == str(std_sub.__doc__).replace("StdSub", "Sub")
    one, same, other = sub(1), sub(1), sub(1, ["x"], "t", 3, (4,), {5})
    std_one = std_sub(1)
    assert repr(one) == repr(std_one).replace("StdSub", "Sub")
    assert repr(one) == "Sub(a=1, tags=[], b=2, extra=(), more=set())"
    assert one == same and one != other and one.more is not same.more
    assert (one == base(1)) is False and one.__eq__(base(1)) is NotImplemented
    assert field_names(sub) == ("a", "tags", "secret", "b", "extra", "more")
    assert _described(sub) == _described(std_sub)
    assert field_names(sub) == ("a", "tags", "secret", "b", "extra", "more")
    assert repr(sub.__dataclass_params__) == repr(std_sub.__dataclass_params__)  # type: ignore[attr-defined]
    assert _described(base) == _described(std_base)  # the base's own, untouched
    assert sub.__match_args__ == std_sub.__match_args__  # type: ignore[attr-defined]
    for name in ("b", "extra", "more", "tags"):
        assert (name in sub.__dict__) == (name in std_sub.__dict__), name
    assert dataclasses.asdict(one) == dataclasses.asdict(std_one)
    assert dataclasses.replace(one, a=5, extra=(1,)) == sub(5, extra=(1,))
    assert isinstance(one, base) and dataclasses.is_dataclass(one)
    assert _raised(sub) == _raised(std_sub)
    too_many: Any = (1, [], "s", 2, (), set(), 9)
    assert _raised(sub, *too_many) == _raised(std_sub, *too_many)
    assert _raised(sub, 1, nope=2) == _raised(std_sub, 1, nope=2)
    if frozen:
        assert _raised(hash, one) == _raised(hash, std_one)  # a list in it, as dataclasses
        hashable: Any = (1, ("x",), "s", 2, (3,), frozenset())
        assert hash(sub(*hashable)) == hash(std_sub(*hashable)) == hash(hashable)
        for target, std_target in ((one, std_one),):
            assert _raised(setattr, target, "a", 2) == _raised(setattr, std_target, "a", 2)
            assert _raised(setattr, target, "extra", 2) == _raised(setattr, std_target, "extra", 2)
            assert _raised(delattr, target, "b") == _raised(delattr, std_target, "b")
            assert _raised(setattr, target, "nope", 1) == _raised(setattr, std_target, "nope", 1)
    else:
        assert sub.__hash__ is None and std_sub.__hash__ is None
        one.extra = (7,)
        std_one.extra = (7,)
        assert repr(one) == repr(std_one).replace("StdSub", "Sub")
    assert copy.deepcopy(one) == one


def test_a_subclass_calls_the_base_s_post_init() -> None:
    _, sub, _, std_sub = _family(frozen=True, post_init=True)
    assert sub.__repr__.__module__ == "tdm1_scheduler.domain.lean"
    assert _raised(sub, -1) == _raised(std_sub, -1) == "ValueError: a below zero: -1"
    assert sub(1).a == 1


def test_what_a_lean_subclass_leaves_to_dataclasses() -> None:
    """A frozen mismatch, a field named again, a base's attribute, slots, two bases or a
    standard base: dataclasses' own class or error."""
    base, _, std_base, _ = _family(frozen=False)
    frozen_base, _, std_frozen_base, _ = _family(frozen=True)
    for lean_base, std in ((base, std_base), (frozen_base, std_frozen_base)):
        flipped = not lean_base.__dataclass_params__.frozen  # type: ignore[attr-defined]

        def made(decorate: Any, parent: type, **options: Any) -> str:
            namespace = {"__annotations__": {"c": "int"}, "c": 0, "__module__": __name__}
            return _raised(decorate(**options), type("Mixed", (parent,), namespace))

        assert made(lean_dataclass, lean_base, frozen=flipped) == made(
            dataclasses.dataclass, std, frozen=flipped
        )
        assert made(lean_dataclass, lean_base, frozen=flipped).startswith("TypeError: cannot")
    again: Any = lean_dataclass(
        type("Again", (base,), {"__annotations__": {"b": "int"}, "b": 5, "__module__": __name__})
    )
    assert again.__repr__.__module__ != "tdm1_scheduler.domain.lean"
    assert repr(again(1)) == "Again(a=1, tags=[], b=5)"
    inherited_default: Any = lean_dataclass(
        type("Inherits", (base,), {"__annotations__": {"b": "int"}, "__module__": __name__})
    )
    assert repr(inherited_default(1)) == "Inherits(a=1, tags=[], b=2)"  # dataclasses' getattr
    slotted: Any = lean_dataclass(slots=True)(
        type("Slotted", (base,), {"__annotations__": {"c": "int"}, "c": 0, "__module__": __name__})
    )
    assert slotted.__repr__.__module__ != "tdm1_scheduler.domain.lean"
    looked_at, _, _, _ = _family(frozen=False)
    dataclasses.fields(looked_at)  # its metadata made: a subclass goes to dataclasses
    namespace = {"__annotations__": {"c": "int"}, "c": 0, "__module__": __name__}
    late: Any = lean_dataclass(type("Late", (looked_at,), namespace))
    assert late.__repr__.__module__ != "tdm1_scheduler.domain.lean"
    assert repr(late(1)) == "Late(a=1, tags=[], b=2, c=0)"
    standard_base: Any = dataclasses.dataclass(type("Plain", (), {"__annotations__": {"a": "int"}}))
    on_standard: Any = lean_dataclass(type("OnStd", (standard_base,), {"__annotations__": {}}))
    assert on_standard.__repr__.__module__ != "tdm1_scheduler.domain.lean"
    with pytest.raises(TypeError, match="non-default argument 'c' follows default argument"):
        lean_dataclass(type("Late", (base,), {"__annotations__": {"c": "int"}}))
    with pytest.raises(TypeError, match="non-default argument 'c' follows default argument"):
        dataclasses.dataclass(type("Late", (std_base,), {"__annotations__": {"c": "int"}}))


def test_read_again_is_a_change_set_as_before() -> None:
    """``services.live.ReadAgain`` against the same class made by ``dataclasses``."""
    assert live.ReadAgain.__repr__.__module__ == "tdm1_scheduler.domain.lean"
    namespace = {
        "__annotations__": {"entries": "tuple[AuditEntry, ...]"},
        "__module__": live.__name__,
        "__qualname__": "ReadAgain",
        "__doc__": live.ReadAgain.__doc__,
        "entries": (),
    }
    std: Any = dataclasses.dataclass(type("ReadAgain", (context.ChangeSet,), namespace))
    assert _described(live.ReadAgain) == _described(std)
    assert live.ReadAgain.__match_args__ == std.__match_args__
    params = live.ReadAgain.__dataclass_params__  # type: ignore[attr-defined]
    assert repr(params) == repr(std.__dataclass_params__)
    made, std_made = live.refresh(), std("refresh", settings=True)
    assert repr(made) == repr(std_made)
    assert repr(made).startswith("ReadAgain(action='refresh', appointments=set(), ")
    assert made == live.ReadAgain("refresh", settings=True) and made != context.ChangeSet("refresh")
    assert live.ReadAgain.__hash__ is None and made.entries == ()
    assert live.read_all(made) and live.read_all(object())
    assert not live.read_all(context.ChangeSet("x"))
    assert made.later_moves == []  # the base's property, as before
    assert pickle.loads(pickle.dumps(made)) == made
    assert _raised(live.ReadAgain) == _raised(std).replace("StdReadAgain", "ReadAgain")


def test_importing_services_live_imports_neither_dataclasses_nor_copy() -> None:
    code = (
        "import sys, tdm1_scheduler.services.live; "
        "print(sorted({'dataclasses', 'copy'} & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
