"""``dataclass`` for the frozen records, cheaper to define (issue 19, the CLI start).

Python 3.11's ``dataclasses`` compiles every generated method from source when the class
is defined: for a frozen class ``__init__``, ``__repr__``, ``__eq__``, ``__hash__``,
``__setattr__`` and ``__delattr__``, six ``exec`` calls, about 4 million instructions a
class; ``course show`` defines 49 such classes at every start and builds only a few of
them. Here, for a plain frozen class, ``dataclasses`` only records the fields (``init``,
``eq``, ``repr`` off, so it compiles nothing) and the methods are:

- ``__init__``, ``__eq__`` and ``__hash__`` compiled from the same source as
  ``dataclasses``' the first time each is called (then they replace themselves on the
  class: the same speed as the standard ones from then on);
- ``__repr__`` (``Name(field=value!r, ...)`` over the fields with ``repr=True``), the
  frozen ``__setattr__``/``__delattr__`` (``FrozenInstanceError``, as the generated
  ones, Python 3.11's quirk included) and the slots' pickling state: shared functions.

The class is still a dataclass in every other way (``dataclasses.fields``, ``replace``,
``asdict``, ``__match_args__``, ``__dataclass_params__``, slots, the same ``__doc__``).
Modules import ``dataclass`` from here instead of ``dataclasses``; mypy
(``TYPE_CHECKING``) sees the standard one, re-exported. ``tests/domain/
test_lean_dataclass.py`` compares every record class with the standard decorator.

Anything but a plain frozen class goes to ``dataclasses`` as is: ``order``,
``unsafe_hash``, ``kw_only``, ``eq``/``init``/``repr`` off, a base class, a ``field()``,
``ClassVar``/``InitVar``/``KW_ONLY``, annotations that are not text (every module here
has ``from __future__ import annotations``) or a method of its own among those above.
A ``__post_init__`` of its own is called at the end of ``__init__``, as ``dataclasses``
does (issue 19, late: the domain's validating classes, five at every CLI start).
"""

from __future__ import annotations

import dataclasses
import inspect  # loaded by dataclasses anyway
import reprlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

__all__ = ["dataclass"]

# A class that defines one of these itself is left to ``dataclasses``.
_OWN = (
    "__init__", "__eq__", "__hash__", "__repr__", "__setattr__", "__delattr__",
    "__getstate__", "__setstate__",
)  # fmt: skip
_PLAIN_OPTIONS = {"frozen": True, "slots": False, "eq": True, "repr": True, "init": True}

if TYPE_CHECKING:
    from dataclasses import dataclass as dataclass
else:

    def dataclass(cls: type | None = None, /, **options: Any) -> Any:
        """``dataclasses.dataclass`` with the same arguments; see the module's docstring."""

        def wrap(target: type) -> type:
            return _make(target, options) if _plain(target, options) else _standard(target, options)

        return wrap if cls is None else wrap(cls)


def _standard(cls: type, options: dict[str, Any]) -> type:
    made: type = dataclasses.dataclass(cls, **options)
    return made


def _plain(cls: type, options: dict[str, Any]) -> bool:
    """A frozen class of plain fields (see the module's docstring)."""
    if not options.get("frozen") or set(options) - set(_PLAIN_OPTIONS):
        return False
    if any(options[key] != value for key, value in _PLAIN_OPTIONS.items() if key in options
           and key not in ("frozen", "slots")):  # fmt: skip
        return False
    if cls.__bases__ != (object,) or any(name in cls.__dict__ for name in _OWN):
        return False
    annotations = inspect.get_annotations(cls)
    texts = list(annotations.values())
    if not all(isinstance(text, str) for text in texts):
        return False
    if any(word in text for text in texts for word in ("ClassVar", "InitVar", "KW_ONLY")):
        return False
    defaulted = False
    for name in annotations:
        value = cls.__dict__.get(name, dataclasses.MISSING)
        if isinstance(value, dataclasses.Field):
            return False
        if value is dataclasses.MISSING and defaulted:
            return False  # dataclasses' own error ("non-default argument follows ...")
        defaulted = defaulted or value is not dataclasses.MISSING
    return True


def _make(cls: type, options: dict[str, Any]) -> type:
    annotations: dict[str, str] = inspect.get_annotations(cls)
    if not cls.__dict__.get("__doc__"):  # as dataclasses writes it (from its __init__)
        cls.__doc__ = cls.__name__ + _signature(cls, annotations)
    original = cls  # Python 3.11's frozen guards name the class before slots remade it
    made: type = dataclasses.dataclass(
        cls, **{**options, "frozen": False, "init": False, "eq": False, "repr": False}
    )
    params = made.__dataclass_params__  # type: ignore[attr-defined]
    params.init = params.eq = params.repr = params.frozen = True  # what was asked
    fields = dataclasses.fields(made)
    names = tuple(field.name for field in fields)
    shown = tuple(field.name for field in fields if field.repr)
    defaults = {
        f"__dflt_{f.name}__": f.default for f in fields if f.default is not dataclasses.MISSING
    }
    init_args = ", ".join(
        f"{f.name}=__dflt_{f.name}__" if f.default is not dataclasses.MISSING else f.name
        for f in fields
    )
    init_body = "".join(f"  __setattr__(self, {name!r}, {name})\n" for name in names) or "  pass\n"
    if "__post_init__" in cls.__dict__:  # as dataclasses' __init__ ends (no InitVar here)
        init_body += "  self.__post_init__()\n"
    own = "".join(f"self.{name}," for name in names)
    other = "".join(f"other.{name}," for name in names)
    sources = {
        "__init__": (f"def __init__(self, {init_args}):\n{init_body}", defaults),
        "__eq__": (
            "def __eq__(self, other):\n"
            "  if other.__class__ is self.__class__:\n"
            f"    return ({own})==({other})\n"
            "  return NotImplemented\n",
            {},
        ),
        "__hash__": (f"def __hash__(self):\n  return hash(({own}))\n", {}),
    }
    for name, (source, extra) in sources.items():
        setattr(made, name, _compiled_on_first_call(made, name, source, extra))

    @reprlib.recursive_repr()
    def __repr__(self: Any) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
        return f"{self.__class__.__qualname__}({inner})"

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is original or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        super(original, self).__setattr__(name, value)  # type: ignore[arg-type]

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is original or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        super(original, self).__delattr__(name)  # type: ignore[arg-type]

    methods: list[Callable[..., Any]] = [__repr__, __setattr__, __delattr__]
    if options.get("slots"):  # dataclasses' pickling of frozen slots

        def __getstate__(self: Any) -> list[Any]:
            return [getattr(self, name) for name in names]

        def __setstate__(self: Any, state: list[Any]) -> None:
            for name, value in zip(names, state, strict=False):
                object.__setattr__(self, name, value)

        methods += [__getstate__, __setstate__]
    for function in methods:
        function.__qualname__ = f"{made.__qualname__}.{function.__name__}"
        setattr(made, function.__name__, function)
    return made


def _compiled_on_first_call(
    cls: type, name: str, source: str, extra: dict[str, Any]
) -> Callable[..., Any]:
    """A stand-in for method ``name`` that compiles ``source`` when first called, puts the
    result on ``cls`` in its place and calls it."""

    def first_call(self: Any, *args: Any, **kwargs: Any) -> Any:
        namespace: dict[str, Any] = {"__setattr__": object.__setattr__, **extra}
        exec(source, namespace)  # our own text, as dataclasses does
        method = namespace[name]
        method.__qualname__ = f"{cls.__qualname__}.{name}"
        method.__module__ = cls.__module__
        setattr(cls, name, method)
        return method(self, *args, **kwargs)

    first_call.__name__ = name
    first_call.__qualname__ = f"{cls.__qualname__}.{name}"
    return first_call


def _signature(cls: type, annotations: dict[str, str]) -> str:
    """``(name: 'type', other: 'type' = default)``, as ``inspect.signature`` shows the
    ``__init__`` dataclasses would make."""
    params = []
    for name, text in annotations.items():
        value = cls.__dict__.get(name, dataclasses.MISSING)
        shown = f"{name}: {text!r}"
        params.append(shown if value is dataclasses.MISSING else f"{shown} = {value!r}")
    return f"({', '.join(params)})"
