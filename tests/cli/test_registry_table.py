"""``cli.registry.MODULES`` (and ``SCHEDULE``) say what each feature module's
``register`` adds: the parser named for one command leaves the modules out that neither
own it nor add to its group, by this table (issue 19)."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
from typing import Any

import pytest

from tdm1_scheduler.cli import registry
from tdm1_scheduler.cli.main import build_parser


def _shape(parser: argparse.ArgumentParser) -> Any:
    """What a parser holds: its arguments, its defaults and its sub-commands' shapes."""
    subs = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            subs = [(name, _shape(sub)) for name, sub in action.choices.items()]
    arguments = [(a.dest, tuple(a.option_strings), repr(a.default)) for a in parser._actions]
    defaults = sorted((k, getattr(v, "__qualname__", repr(v))) for k, v in parser._defaults.items())
    return arguments, defaults, subs


def _groups(commands: Any) -> dict[str, Any]:
    return {name: _shape(parser) for name, parser in commands.choices.items()}


def test_the_table_is_what_each_module_registers(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    order: list[str] = []
    for name, _adds, _extends in (*registry.MODULES, registry.SCHEDULE):
        module = importlib.import_module(f"tdm1_scheduler.cli.{name}")

        def spy(commands: Any, command: Any, real: Any = module.register, name: str = name) -> None:
            top, groups = list(commands.choices), _groups(commands)
            real(commands, command)
            adds = tuple(n for n in commands.choices if n not in top)
            after = _groups(commands)
            extends = tuple(g for g in groups if after[g] != groups[g])
            seen[name] = (adds, extends)
            order.append(name)

        monkeypatch.setattr(module, "register", spy)
    build_parser()
    expected = [name for name, _a, _e in (*registry.MODULES, registry.SCHEDULE)]
    assert order == expected
    for name, adds, extends in (*registry.MODULES, registry.SCHEDULE):
        assert (seen[name][0], set(seen[name][1])) == (adds, set(extends)), name


@pytest.mark.parametrize(
    ("only", "imported", "left_out"),
    [
        ("course", {"interop"}, {"pharmacy", "reports", "labs", "server", "schedule"}),
        ("day-sheet", {"reports"}, {"pharmacy", "interop", "labs", "server", "schedule"}),
        ("appointment", {"schedule"}, {"pharmacy", "reports", "interop", "labs", "server"}),
        ("dose", {"labs"}, {"pharmacy", "reports", "interop", "server", "schedule"}),
    ],
)
def test_a_named_command_imports_only_its_modules(
    only: str, imported: set[str], left_out: set[str]
) -> None:
    code = (
        "import sys\n"
        "from tdm1_scheduler.cli.main import build_parser\n"
        f"build_parser(only={only!r})\n"
        "print(' '.join(sorted(n.rsplit('.', 1)[1] for n in sys.modules\n"
        "                      if n.startswith('tdm1_scheduler.cli.'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(done.stdout.split())
    assert imported <= loaded
    assert not left_out & loaded
