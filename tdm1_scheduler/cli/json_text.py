"""``json.dumps(value, indent=2, ensure_ascii=False)``, byte for byte, in a fraction of
its time (issue 19: the day sheet's JSON is 800 kB, 21,000 lines).

With ``indent`` set, CPython 3.11's ``json`` leaves its C encoder for the pure Python
one, a generator per container and a yield per token. ``indented`` lays out the same
text with ``str.join`` and a ``%`` template per dict shape (the day sheet repeats one
shape 600 times), and encodes each leaf with the functions ``json`` itself uses:
``json.encoder.encode_basestring`` (the C one, ``_json``'s) for strings and keys, ``int.__repr__``,
``float.__repr__`` (``NaN``/``Infinity`` as ``allow_nan`` writes them), ``true``,
``false`` and ``null``.

Only exact ``dict`` (with ``str`` keys), ``list``, ``tuple``, ``str``, ``int``,
``float``, ``bool`` and ``None`` are laid out here. Any other value (an enum, a ``str``
or ``int`` subclass, a dict with other keys, a value ``json`` refuses) goes to
``json.dumps`` itself, and its text is indented to where it stands: ``json`` never
writes a raw newline inside a string (it writes ``\\n``), so every newline of a
sub-document is layout. Like ``json.dumps``, a container that holds itself is an error
(here a ``RecursionError``, not ``ValueError``); the CLI's values never do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

try:  # json.encoder's own encode_basestring (the C one), without importing json (issue 19)
    from _json import encode_basestring as encode_basestring
except ImportError:  # pragma: no cover - a Python without the C accelerator
    from json.encoder import encode_basestring as encode_basestring

STEP = "  "  # indent=2


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == float("inf"):
        return "Infinity"
    if value == -float("inf"):
        return "-Infinity"
    return float.__repr__(value)


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _null(_value: None) -> str:
    return "null"


# The leaves json writes without a container, by exact type.
LEAVES: dict[type, Callable[[Any], str]] = {
    str: encode_basestring,
    int: int.__repr__,
    float: _float,
    bool: _bool,
    type(None): _null,
}
# A dict's keys and their layout at one depth -> the dict's %-template.
_templates: dict[tuple[tuple[str, ...], str], str] = {}


def indented(value: Any) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)``."""
    return _text(value, "\n")


def indented_at(value: Any, newline: str) -> str:
    """``value`` laid out as ``indented`` lays it out where its own lines start with
    ``newline`` (a part of a larger document, ``sheet_text``)."""
    return _text(value, newline)


def template(keys: tuple[str, ...], newline: str) -> str:
    """The ``%`` template of a dict with these (text) keys laid out at ``newline``: one
    ``%s`` a value, each value's text as ``indented_at(value, newline + STEP)``."""
    return _template(keys, newline)


def _text(value: Any, newline: str) -> str:
    """``value`` as json writes it where its own lines start with ``newline``."""
    kind = type(value)
    leaf = LEAVES.get(kind)
    if leaf is not None:
        return leaf(value)
    inner = newline + STEP
    if kind is dict:
        if not value:
            return "{}"
        keys = tuple(value)
        template = _templates.get((keys, newline))
        if template is None:
            if not all(type(key) is str for key in keys):
                return _json(value, newline)
            template = _templates[(keys, newline)] = _template(keys, newline)
        return template % tuple(
            [
                leaf(item) if (leaf := LEAVES.get(type(item))) else _text(item, inner)
                for item in value.values()
            ]
        )
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        items = [
            leaf(item) if (leaf := LEAVES.get(type(item))) else _text(item, inner) for item in value
        ]
        return "[" + inner + ("," + inner).join(items) + newline + "]"
    return _json(value, newline)


def _template(keys: tuple[str, ...], newline: str) -> str:
    inner = newline + STEP
    lines = [inner + encode_basestring(key).replace("%", "%%") + ": %s" for key in keys]
    return "{" + ",".join(lines) + newline + "}"


def _json(value: Any, newline: str) -> str:
    """json's own text for a value laid out here only by indentation."""
    import json

    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", newline)
