"""``dataclass`` for the records, cheaper to define (issue 19, the CLI start).

Python 3.11's ``dataclasses`` compiles every generated method from source when the class
is defined (six ``exec`` calls for a frozen class, about 4 million instructions), and
importing it loads ``inspect`` (with ``ast``, ``dis``, ``tokenize``: about 35 million
instructions, for the one ``inspect.signature`` it makes for a class with no docstring).
``course show`` defines about 50 such classes at every start and builds only a few of
them. Here, for a plain class (frozen or not), nothing is compiled and ``dataclasses``
is not even imported when the class is defined:

- ``__init__``, ``__eq__`` and ``__hash__`` are compiled from the same source as
  ``dataclasses``' the first time each is called (then they replace themselves on the
  class: the same speed as the standard ones from then on); a class that is not frozen
  gets ``__hash__ = None``, as ``dataclasses`` gives it;
- ``__repr__`` (``Name(field=value!r, ...)`` over the fields with ``repr=True``), the
  frozen ``__setattr__``/``__delattr__`` (``FrozenInstanceError``, as the generated
  ones, Python 3.11's quirk included) and the frozen slots' pickling state: shared
  functions; ``slots=True`` remakes the class as ``dataclasses`` does;
- ``__dataclass_fields__`` and ``__dataclass_params__`` are made the first time they are
  looked at (``dataclasses.fields``, ``replace``, ``asdict``, ``is_dataclass``), by
  ``dataclasses`` itself from the class's annotations and defaults, so they are the
  standard ``Field`` objects; ``field_names(cls)`` gives the names without them, and
  ``replace`` (``dataclasses.replace``) makes a changed copy without them.

The class is a dataclass in every other way (``__match_args__``, slots, the same
``__doc__`` and error messages). Modules import ``dataclass`` and ``field`` from here
instead of ``dataclasses``; mypy (``TYPE_CHECKING``) sees the standard ones, re-exported.
This module's ``field()`` records ``default``, ``default_factory`` and ``repr``; with any
other option it is ``dataclasses.field``. ``tests/domain/test_lean_dataclass.py``
compares every record class with the standard decorator, ``test_lean_field.py`` the
classes with a ``field()`` or not frozen.

A plain class may have one base: a lean class (not slotted, as frozen as it), whose
fields come first, as ``dataclasses`` orders them; a field named again, or a name the
base has, goes to ``dataclasses``.

Anything else goes to ``dataclasses`` as is: ``order``, ``unsafe_hash``, ``kw_only``,
``eq``/``init``/``repr`` off, another base class, a ``dataclasses.field()``, a mutable default
(for ``dataclasses``' own error), ``ClassVar``/``InitVar``/``KW_ONLY``, annotations
that are not text (every module here has ``from __future__ import annotations``),
``__slots__`` of its own or a method of its own among those above. A ``__post_init__``
of its own is called at the end of ``__init__``, as ``dataclasses`` does.
"""

from __future__ import annotations

import reprlib
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

__all__ = ["dataclass", "field", "field_names", "replace"]

# A class that defines one of these itself is left to ``dataclasses``.
_OWN = (
    "__init__", "__eq__", "__hash__", "__repr__", "__setattr__", "__delattr__",
    "__getstate__", "__setstate__", "__slots__",
)  # fmt: skip
_PLAIN_OPTIONS = {"frozen": True, "slots": False, "eq": True, "repr": True, "init": True}
_NONE: Any = object()  # not given (``dataclasses.MISSING``, without importing dataclasses)


class _Factory:
    """A field's default in ``__init__`` when it has a ``default_factory``."""

    def __repr__(self) -> str:
        return "<factory>"  # as dataclasses' sentinel shows in the signature


_FACTORY = _Factory()


class _Field:
    """``field(default=..., default_factory=..., repr=...)``, kept until the class is made."""

    __slots__ = ("default", "default_factory", "repr")

    def __init__(self, default: Any, default_factory: Any, shown: bool) -> None:
        self.default, self.default_factory, self.repr = default, default_factory, shown

    def standard(self, **other: Any) -> Any:
        """The same ``dataclasses.field``."""
        dataclasses = _dataclasses()
        missing = dataclasses.MISSING
        return dataclasses.field(
            default=missing if self.default is _NONE else self.default,
            default_factory=missing if self.default_factory is _NONE else self.default_factory,
            repr=self.repr,
            **other,
        )


def _dataclasses() -> Any:
    import dataclasses  # only when a class needs it (see the module's docstring)

    return dataclasses


if TYPE_CHECKING:
    from dataclasses import dataclass as dataclass, field as field, replace as replace
else:

    def dataclass(cls: type | None = None, /, **options: Any) -> Any:
        """``dataclasses.dataclass`` with the same arguments; see the module's docstring."""

        def wrap(target: type) -> type:
            return _make(target, options) if _plain(target, options) else _standard(target, options)

        return wrap if cls is None else wrap(cls)

    def field(
        *, default: Any = _NONE, default_factory: Any = _NONE, repr: bool = True, **other: Any
    ) -> Any:
        """``dataclasses.field``; see the module's docstring."""
        spec = _Field(default, default_factory, repr)
        if other or (default is not _NONE and default_factory is not _NONE):
            return spec.standard(**other)  # dataclasses' own field (or error)
        return spec


def field_names(cls: type) -> tuple[str, ...]:
    """The names of a dataclass's fields in order, as ``dataclasses.fields`` gives them."""
    lazy = cls.__dict__.get("__dataclass_fields__")
    if isinstance(lazy, _Lazy):
        return lazy.names
    return tuple(f.name for f in _dataclasses().fields(cls))


def _lean_replace(obj: Any, /, **changes: Any) -> Any:
    """``dataclasses.replace``: for a lean class (every field an ``__init__`` field, no
    ``InitVar``) the same new object, made without importing ``dataclasses``."""
    lazy = type(obj).__dict__.get("__dataclass_fields__")
    if not isinstance(lazy, _Lazy):
        return _dataclasses().replace(obj, **changes)
    return obj.__class__(**{**{name: getattr(obj, name) for name in lazy.names}, **changes})


if not TYPE_CHECKING:
    replace = _lean_replace


def _standard(cls: type, options: dict[str, Any]) -> type:
    for name, value in list(cls.__dict__.items()):
        if isinstance(value, _Field):
            setattr(cls, name, value.standard())
    made: type = _dataclasses().dataclass(cls, **options)
    return made


def _plain(cls: type, options: dict[str, Any]) -> bool:
    """A class of plain fields (see the module's docstring)."""
    if set(options) - set(_PLAIN_OPTIONS):
        return False
    if any(options[key] != value for key, value in _PLAIN_OPTIONS.items() if key in options
           and key not in ("frozen", "slots")):  # fmt: skip
        return False
    if any(name in cls.__dict__ for name in _OWN):
        return False
    # inspect.get_annotations(cls) without importing inspect (the same dict for a class)
    annotations = cls.__dict__.get("__annotations__", {})  # noqa: RUF063
    base = _lean_base(cls)
    if cls.__bases__ != (object,):
        if base is None or options.get("slots") or base.frozen != bool(options.get("frozen")):
            return False  # (dataclasses' own error for a frozen mismatch)
        if any(hasattr(cls.__bases__[0], name) or name in base.names for name in annotations):
            return False  # a default or field found on the base: dataclasses' lookup
    texts = list(annotations.values())
    if not all(isinstance(text, str) for text in texts):
        return False
    if any(word in text for text in texts for word in ("ClassVar", "InitVar", "KW_ONLY")):
        return False
    dataclasses = sys.modules.get("dataclasses")  # a Field can only come from there
    # the base's fields come first: one of them with a default asks one of each here
    defaulted = base is not None and any(_given(value) for value in base.specs.values())
    for name in annotations:
        value = cls.__dict__.get(name, _NONE)
        if dataclasses is not None and isinstance(value, dataclasses.Field):
            return False
        given = value is not _NONE
        if isinstance(value, _Field):
            given = value.default is not _NONE or value.default_factory is not _NONE
            value = value.default if value.default_factory is _NONE else _FACTORY
        if given and value.__class__.__hash__ is None:
            return False  # dataclasses' own error ("mutable default ...")
        if not given and defaulted:
            return False  # dataclasses' own error ("non-default argument follows ...")
        defaulted = defaulted or given
    return True


class _Fields:
    """A lean class's fields as declared (all of them, the base's first): what a lean
    subclass starts from."""

    __slots__ = ("annotations", "frozen", "names", "specs")

    def __init__(self, annotations: dict[str, str], specs: dict[str, Any], frozen: bool) -> None:
        self.annotations, self.specs, self.frozen = annotations, specs, frozen
        self.names = tuple(annotations)


def _given(value: Any) -> bool:
    """Whether a field's class value gives it a default (or a default factory)."""
    if isinstance(value, _Field):
        return value.default is not _NONE or value.default_factory is not _NONE
    return value is not _NONE


def _lean_base(cls: type) -> _Fields | None:
    """The fields of ``cls``'s one base when it is a lean class not slotted whose
    metadata are not made yet; else None."""
    if len(cls.__bases__) != 1 or cls.__bases__[0] is object:
        return None
    base = cls.__bases__[0]
    lazy = base.__dict__.get("__dataclass_fields__")
    if not isinstance(lazy, _Lazy) or "__slots__" in base.__dict__:
        return None
    return lazy.fields


class _Lazy:
    """``__dataclass_fields__`` or ``__dataclass_params__`` of a lean class: made by
    ``dataclasses`` the first time either is looked at, then put on the class."""

    def __init__(
        self, attribute: str, names: tuple[str, ...], build: Callable[[], Any], fields: _Fields
    ) -> None:
        self.attribute, self.names, self.build, self.fields = attribute, names, build, fields

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        return getattr(self.build(), self.attribute)


def _make(cls: type, options: dict[str, Any]) -> type:
    frozen = bool(options.get("frozen"))
    declared: dict[str, str] = dict(cls.__dict__.get("__annotations__", {}))  # noqa: RUF063
    base = _lean_base(cls)
    inherited = base.names if base is not None else ()
    annotations = {**base.annotations, **declared} if base is not None else declared
    names = tuple(annotations)
    specs = {name: cls.__dict__.get(name, _NONE) for name in declared}
    if base is not None:
        specs = {**base.specs, **specs}
    defaults: dict[str, Any] = {}  # name -> its plain default
    factories: dict[str, Any] = {}  # name -> its default factory
    shown = []  # the fields repr shows
    for name, value in specs.items():
        if not isinstance(value, _Field):
            shown.append(name)
            if value is not _NONE:
                defaults[name] = value
            continue
        if value.repr:
            shown.append(name)
        declared_here = name not in inherited  # the base's class attributes stay
        if value.default_factory is not _NONE:
            factories[name] = value.default_factory
            if declared_here:
                delattr(cls, name)  # dataclasses leaves no class attribute for it
        elif value.default is not _NONE:
            defaults[name] = value.default
            if declared_here:
                setattr(cls, name, value.default)  # as dataclasses leaves it
        elif declared_here:
            delattr(cls, name)
    if not cls.__dict__.get("__doc__"):  # as dataclasses writes it (from its __init__)
        cls.__doc__ = cls.__name__ + _signature(annotations, defaults, factories)
    if "__match_args__" not in cls.__dict__:
        type.__setattr__(cls, "__match_args__", names)
    original = cls  # Python 3.11's frozen guards name the class before slots remade it
    made = _with_slots(cls, names) if options.get("slots") else cls
    _lazy_metadata(made, annotations, specs, frozen)
    post_init = hasattr(cls, "__post_init__")  # its own or the base's, as dataclasses
    init = _init_source(names, defaults, factories, frozen, post_init)
    own = "".join(f"self.{name}," for name in names)
    other = "".join(f"other.{name}," for name in names)
    sources = {
        "__init__": init,
        "__eq__": (
            "def __eq__(self, other):\n"
            "  if other.__class__ is self.__class__:\n"
            f"    return ({own})==({other})\n"
            "  return NotImplemented\n",
            {},
        ),
    }
    if frozen:
        sources["__hash__"] = (f"def __hash__(self):\n  return hash(({own}))\n", {})
    else:
        made.__hash__ = None  # type: ignore[assignment]  # eq without frozen, as dataclasses
    for name, (source, extra) in sources.items():
        setattr(made, name, _compiled_on_first_call(made, name, source, extra))
    for function in _shared_methods(original, names, tuple(shown), frozen, options):
        function.__qualname__ = f"{made.__qualname__}.{function.__name__}"
        setattr(made, function.__name__, function)
    return made


def _init_source(
    names: tuple[str, ...],
    defaults: dict[str, Any],
    factories: dict[str, Any],
    frozen: bool,
    post_init: bool,
) -> tuple[str, dict[str, Any]]:
    """``__init__``'s text and the names it needs, as dataclasses writes it."""
    extra: dict[str, Any] = {"__factory__": _FACTORY}
    args = []
    body = ""
    for name in names:
        value = name
        if name in factories:
            extra[f"__dflt_{name}__"] = factories[name]
            args.append(f"{name}=__factory__")
            value = f"__dflt_{name}__() if {name} is __factory__ else {name}"
        elif name in defaults:
            extra[f"__dflt_{name}__"] = defaults[name]
            args.append(f"{name}=__dflt_{name}__")
        else:
            args.append(name)
        assign = f"__setattr__(self, {name!r}, {value})" if frozen else f"self.{name}={value}"
        body += f"  {assign}\n"
    if post_init:  # as dataclasses' __init__ ends (no InitVar here)
        body += "  self.__post_init__()\n"
    return f"def __init__(self, {', '.join(args)}):\n" + (body or "  pass\n"), extra


def _with_slots(cls: type, names: tuple[str, ...]) -> type:
    """The class remade with ``__slots__`` of its fields, as ``dataclasses._add_slots``."""
    namespace = dict(cls.__dict__)
    namespace["__slots__"] = names
    for name in names:
        namespace.pop(name, None)
    namespace.pop("__dict__", None)
    namespace.pop("__weakref__", None)
    qualname = getattr(cls, "__qualname__", None)
    made: type = type(cls)(cls.__name__, cls.__bases__, namespace)
    if qualname is not None:
        made.__qualname__ = qualname
    return made


def _lazy_metadata(
    cls: type, annotations: dict[str, str], specs: dict[str, Any], frozen: bool
) -> None:
    def build() -> type:
        """A twin class made by ``dataclasses`` (fields only); its metadata go on ``cls``."""
        namespace: dict[str, Any] = {
            "__annotations__": annotations,
            "__module__": cls.__module__,
            "__qualname__": cls.__qualname__,
            "__doc__": cls.__doc__,
        }
        for name, value in specs.items():
            if value is not _NONE:
                namespace[name] = value.standard() if isinstance(value, _Field) else value
        twin = type(cls.__name__, (), namespace)
        _dataclasses().dataclass(twin, init=False, repr=False, eq=False)
        params = twin.__dataclass_params__  # type: ignore[attr-defined]
        params.init = params.eq = params.repr = True  # what was asked
        params.frozen = frozen
        type.__setattr__(cls, "__dataclass_fields__", twin.__dataclass_fields__)  # type: ignore[attr-defined]
        type.__setattr__(cls, "__dataclass_params__", params)
        return twin

    names = tuple(annotations)
    fields = _Fields(annotations, specs, frozen)
    for attribute in ("__dataclass_fields__", "__dataclass_params__"):
        type.__setattr__(cls, attribute, _Lazy(attribute, names, build, fields))


def _shared_methods(
    original: type,
    names: tuple[str, ...],
    shown: tuple[str, ...],
    frozen: bool,
    options: dict[str, Any],
) -> list[Callable[..., Any]]:
    """``__repr__``; when frozen the guards, and with slots the pickling state."""

    @reprlib.recursive_repr()
    def __repr__(self: Any) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
        return f"{self.__class__.__qualname__}({inner})"

    if not frozen:
        return [__repr__]

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is original or name in names:
            raise _dataclasses().FrozenInstanceError(f"cannot assign to field {name!r}")
        super(original, self).__setattr__(name, value)  # type: ignore[arg-type]

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is original or name in names:
            raise _dataclasses().FrozenInstanceError(f"cannot delete field {name!r}")
        super(original, self).__delattr__(name)  # type: ignore[arg-type]

    methods: list[Callable[..., Any]] = [__repr__, __setattr__, __delattr__]
    if options.get("slots"):  # dataclasses' pickling of frozen slots

        def __getstate__(self: Any) -> list[Any]:
            return [getattr(self, name) for name in names]

        def __setstate__(self: Any, state: list[Any]) -> None:
            for name, value in zip(names, state, strict=False):
                object.__setattr__(self, name, value)

        methods += [__getstate__, __setstate__]
    return methods


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


def _signature(
    annotations: dict[str, str], defaults: dict[str, Any], factories: dict[str, Any]
) -> str:
    """``(name: 'type', other: 'type' = default)``, as ``inspect.signature`` shows the
    ``__init__`` dataclasses would make (``= <factory>`` for a default factory)."""
    params = []
    for name, text in annotations.items():
        shown = f"{name}: {text!r}"
        if name in factories:
            shown += " = <factory>"
        elif name in defaults:
            shown += f" = {defaults[name]!r}"
        params.append(shown)
    return f"({', '.join(params)})"
