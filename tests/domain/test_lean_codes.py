"""``lean_codes_<group>``: the ``__init__`` methods ``lean.dataclass`` makes, compiled
ahead (issue 19). Each is the very code object ``exec`` makes of its text, the files
hold every text the command line's modules make, and a method made from one is the
function ``exec`` makes (the same defaults, globals, names)."""

from __future__ import annotations

import importlib
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from tdm1_scheduler.domain import lean, lean_codes_make
from tdm1_scheduler.domain.lean import dataclass, field

GROUPS = lean_codes_make.GROUPS
_ATTRIBUTES = (
    "co_name", "co_qualname", "co_filename", "co_firstlineno", "co_flags", "co_argcount",
    "co_posonlyargcount", "co_kwonlyargcount", "co_nlocals", "co_stacksize", "co_code",
    "co_consts", "co_names", "co_varnames", "co_freevars", "co_cellvars", "co_linetable",
    "co_exceptiontable",
)  # fmt: skip


def _compiled(source: str) -> types.CodeType:
    """What ``lean``'s ``exec`` makes of ``source``: ``compile`` passes this module's
    ``from __future__ import annotations`` on to the code, as ``exec`` passes lean's."""
    module = compile(source, "<string>", "exec")
    (code,) = [c for c in module.co_consts if isinstance(c, types.CodeType)]
    return code


@pytest.mark.parametrize("group", GROUPS)
def test_each_code_is_what_exec_compiles(group: str) -> None:
    codes = importlib.import_module(f"tdm1_scheduler.domain.lean_codes_{group}").CODES
    assert codes
    for source in codes:
        made = lean._precompiled(group, source)
        assert made is not None
        expected = _compiled(source)
        assert made == expected, source
        for attribute in _ATTRIBUTES:
            assert getattr(made, attribute) == getattr(expected, attribute), (attribute, source)


def test_the_files_are_up_to_date() -> None:
    texts = lean_codes_make.method_texts()
    for group in GROUPS:
        written = lean_codes_make.target(group).read_text(encoding="utf-8")
        assert written == lean_codes_make.module_text(group, texts[group]), (
            f"lean_codes_{group}.py is stale: run python -m tdm1_scheduler.domain.lean_codes_make"
        )
        assert len(written.splitlines()) < 600


def _twins() -> tuple[type, type]:
    def make() -> type:
        @dataclass(frozen=True)
        class Twin:
            a: int
            b: str = "x"
            c: list[int] = field(default_factory=list)

        return Twin

    return make(), make()


def test_a_precompiled_init_is_the_function_exec_makes(monkeypatch: pytest.MonkeyPatch) -> None:
    plain, ahead = _twins()
    group = lean.code_group(ahead.__module__)
    source = lean.SOURCES[group][-1]  # the twins' text (both made the same)
    assert source.startswith("def __init__(self, a, b=__dflt_b__, c=__factory__):")
    codes = dict(lean._codes.get(group) or {})
    monkeypatch.setitem(lean._codes, group, {**codes, source: _compiled(source)})
    made_ahead = ahead(1)
    monkeypatch.setitem(lean._codes, group, {})  # the text unknown: exec, as before
    made_plain = plain(1)
    assert (
        (made_ahead.a, made_ahead.b, made_ahead.c)
        == (made_plain.a, made_plain.b, [])
        == (1, "x", [])
    )
    one: Any = ahead.__init__
    other: Any = plain.__init__
    assert one.__code__ == other.__code__
    for name in ("__defaults__", "__kwdefaults__", "__name__", "__module__", "__doc__",
                 "__annotations__", "__closure__"):  # fmt: skip
        assert getattr(one, name) == getattr(other, name), name
    assert one.__qualname__.endswith("Twin.__init__")
    assert one.__qualname__ == other.__qualname__
    assert sorted(one.__globals__) == sorted(other.__globals__)
    assert one.__globals__["__builtins__"] is other.__globals__["__builtins__"]
    with pytest.raises(TypeError) as ahead_error:
        ahead()
    monkeypatch.setitem(lean._codes, group, {})
    with pytest.raises(TypeError) as plain_error:
        plain(b="y")
    assert str(ahead_error.value) == str(plain_error.value)


def test_a_command_compiles_no_init(tmp_path: Path) -> None:
    """A fresh process's ``init`` and ``chair list`` make their records' ``__init__``
    from the files, never by ``exec`` (which the fallback still is)."""
    db = str(tmp_path / "clinic.db")
    code = (
        "import sys\n"
        "from tdm1_scheduler.domain import lean\n"
        "compiled = []\n"
        "lean.exec = lambda source, namespace: (compiled.append(source[:40]),\n"
        "                                       exec(source, namespace))\n"
        "from tdm1_scheduler.cli.main import main\n"
        f"assert main(['--db', {db!r}, 'init', '--timezone', 'Europe/Berlin']) == 0\n"
        f"assert main(['--db', {db!r}, 'chair', 'list', '--json']) == 0\n"
        "print(compiled, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "[]"
