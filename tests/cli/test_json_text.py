"""``json_text.indented`` writes exactly ``json.dumps(value, indent=2, ensure_ascii=False)``:
every kind of value json writes, the ones this module hands back to json, and a few
thousand random documents. The day sheets themselves: tests/reports/test_sheet_json_bytes.py."""

from __future__ import annotations

import enum
import json
import random
from typing import Any

import pytest

from tdm1_scheduler.cli.json_text import indented


def dumps(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


class Colour(enum.StrEnum):
    RED = "red"


class Level(enum.IntEnum):
    ONE = 1


class Text(str):
    pass


class Number(int):
    pass


class Table(dict[str, Any]):
    pass


STRINGS = [
    "",
    "plain",
    'quote " and back \\ slash',
    "line\nbreak\r\ttab",
    "\x00\x01\x1f\x7f",
    "é ü ß 漢字 🩸",
    "\u2028\u2029",
    "per cent %s %d %% %(key)s",
    "{braces} [brackets]: , ",
    "\ud800",  # a lone surrogate (json writes it as is with ensure_ascii=False)
]
FLOATS = [0.0, -0.0, 1.5, 0.1, 1e-7, 1e22, 12345678.9, float("nan"), float("inf"), -float("inf")]
INTS = [0, -1, 7, 2**64, -(2**70)]
SAMPLES: list[Any] = [
    *STRINGS,
    *FLOATS,
    *INTS,
    True,
    False,
    None,
    {},
    [],
    (),
    [[]],
    [{}],
    {"a": {}},
    {"a": []},
    (1, "two", (3.0, None)),
    {s: s for s in STRINGS},
    {"nested": {"deeper": {"deepest": [1, [2, [3, {"x": None}]]]}}},
    {"%s": 1, "%(a)s": {"%%": [True]}},
    {1: "int key", 2.5: "float key", None: "none key", False: "bool key", "s": "str key"},
    {Text("sub"): 1},
    {"enum": Colour.RED, "int enum": Level.ONE, "str sub": Text("t"), "int sub": Number(3)},
    Table(a=1, b=[Table(c=2)]),
    [Colour.RED, Level.ONE, Table()],
    {"marks": [{"code": "R", "text": "ready"}], "actual": {"arrived": None}},
]


@pytest.mark.parametrize("value", SAMPLES, ids=range(len(SAMPLES)))
def test_each_kind_of_value(value: Any) -> None:
    assert indented(value) == dumps(value)
    assert indented([value, {"k": value}]) == dumps([value, {"k": value}])


def test_what_json_refuses_it_refuses_too() -> None:
    for value in ({"a": {1, 2}}, [object()], {(1, 2): "tuple key"}):
        with pytest.raises(TypeError):
            dumps(value)
        with pytest.raises(TypeError):
            indented(value)


def test_the_same_shape_at_other_depths_and_with_other_keys() -> None:
    """Templates are per key order and depth: the same keys in another order, or deeper,
    lay out as json does."""
    one = {"a": 1, "b": "x"}
    value = [one, {"b": "x", "a": 1}, {"in": [one, {"in": one}]}, one]
    assert indented(value) == dumps(value)
    assert indented(one) == dumps(one)


def leaf(rng: random.Random) -> Any:
    return rng.choice(
        [
            rng.choice(STRINGS),
            rng.choice(FLOATS),
            rng.choice(INTS),
            rng.random() * 10 ** rng.randint(-5, 10),
            rng.randint(-(10**9), 10**9),
            rng.choice([True, False, None]),
            "".join(chr(rng.randint(0, 0x2FF)) for _ in range(rng.randint(0, 8))),
        ]
    )


def document(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth > 4 or roll < 0.4:
        return leaf(rng)
    if roll < 0.7:
        keys = rng.sample(["a", "b", "start", "end", "%s", "é", "", "actual", "marks"], 4)
        return {key: document(rng, depth + 1) for key in keys[: rng.randint(0, 4)]}
    items = [document(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return tuple(items) if roll < 0.75 else items


def test_random_documents() -> None:
    rng = random.Random(19)
    for _ in range(3000):
        value = document(rng, 0)
        assert indented(value) == dumps(value)
