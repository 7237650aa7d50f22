"""``dataclass`` for the frozen records, cheaper to define (issue 19, the CLI start).

Python 3.11's ``dataclasses`` compiles every generated method from source: for a frozen
class ``__init__``, ``__repr__``, ``__eq__``, ``__hash__``, ``__setattr__`` and
``__delattr__``, six ``exec`` calls a class, about 1.5 ms a record class of
``domain/records.py``, paid at every start of the CLI. Here only ``__init__`` and the two
frozen guards are still compiled by ``dataclasses`` (``eq=False, repr=False``); the
comparison, the hash and the repr are shared functions over an ``operator.attrgetter`` of
the fields, with the same results as the generated ones:

- ``a == b`` when both are of the same class and every compared field is equal, else
  ``NotImplemented`` (so ``!=`` and comparisons to other types behave as before);
- ``hash(a)`` is the hash of the tuple of compared fields;
- ``repr(a)`` is ``Name(field=value!r, ...)`` over the fields with ``repr=True``.

The class is still a dataclass in every other way (``dataclasses.fields``, ``replace``,
``asdict``, ``__match_args__``, slots, pickling). Modules import ``dataclass`` from here
instead of ``dataclasses``; mypy (``TYPE_CHECKING``) sees the standard one, re-exported.

Anything but a plain frozen class (``order``, ``unsafe_hash``, ``eq=False``, a class that
defines its own ``__eq__``, ``__hash__`` or ``__repr__``) goes to ``dataclasses`` as is.
"""

from __future__ import annotations

import dataclasses
import reprlib
from collections.abc import Callable
from operator import attrgetter
from typing import TYPE_CHECKING, Any

__all__ = ["dataclass"]

_OWN = ("__eq__", "__hash__", "__repr__")

if TYPE_CHECKING:
    from dataclasses import dataclass as dataclass
else:

    def dataclass(cls: type | None = None, /, **options: Any) -> Any:
        """``dataclasses.dataclass`` with the same arguments; see the module's docstring."""

        def wrap(target: type) -> type:
            return _make(target, options)

        return wrap if cls is None else wrap(cls)


def _make(cls: type, options: dict[str, Any]) -> type:
    lean = (
        options.get("frozen", False)
        and options.get("eq", True)
        and options.get("repr", True)
        and not options.get("order", False)
        and not options.get("unsafe_hash", False)
        and not any(name in cls.__dict__ for name in _OWN)
    )
    if not lean:
        return dataclasses.dataclass(cls, **options)
    made: type = dataclasses.dataclass(cls, **{**options, "eq": False, "repr": False})
    fields = dataclasses.fields(made)
    compared = _key([field.name for field in fields if field.compare])
    hashed = _key(
        [field.name for field in fields if (field.compare if field.hash is None else field.hash)]
    )
    shown = tuple(field.name for field in fields if field.repr)

    def __eq__(self: Any, other: object) -> Any:
        if other.__class__ is self.__class__:
            return compared(self) == compared(other)
        return NotImplemented

    def __hash__(self: Any) -> int:
        return hash(hashed(self))

    @reprlib.recursive_repr()
    def __repr__(self: Any) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
        return f"{self.__class__.__qualname__}({inner})"

    for function in (__eq__, __hash__, __repr__):
        function.__qualname__ = f"{made.__qualname__}.{function.__name__}"
        setattr(made, function.__name__, function)
    return made


def _key(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """The tuple of ``names``' values (``attrgetter`` gives a bare value for one name)."""
    if len(names) == 1:
        single = attrgetter(names[0])
        return lambda record: (single(record),)
    if not names:
        return lambda _record: ()
    return attrgetter(*names)
