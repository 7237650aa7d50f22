"""CLI commands owned by feature modules register here: pharmacy and the day sheet.

With the command line's command named (``main.build_parser(only=...)``), a module that
neither owns that command nor adds to it is not even imported (issue 19): its commands
go in by name, unbuilt, as ``main`` leaves its own. ``MODULES`` says what each module's
``register`` adds (``tests/cli/test_registry_table.py`` holds it to them)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

# module -> (the commands it adds, the commands of others it adds to or changes), in
# the order they register
MODULES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("pharmacy", ("prep",), ()),
    ("reports", ("day-sheet",), ()),
    ("interop", ("export", "import"), ("course",)),
    ("labs", ("lab", "lvef"), ("dose", "prep", "patient")),  # prep: the gated reconstitute
    ("server", ("migrate",), ()),
)
SCHEDULE = ("schedule", ("settings",), ("appointment",))  # registered by ``main`` last


def register(commands: Any, command: Callable[..., Any]) -> None:
    for entry in MODULES:
        register_module(entry, commands, command)


def register_module(
    entry: tuple[str, tuple[str, ...], tuple[str, ...]],
    commands: Any,
    command: Callable[..., Any],
) -> None:
    """The module's commands; only their names (unbuilt) when the command named is
    none of them and none it adds to."""
    name, adds, extends = entry
    only = getattr(commands, "only", None)  # main._NamedOnly: the command named
    if only is not None and only not in adds and only not in extends:
        for added in adds:
            commands.add_parser(added)  # unbuilt: only its name, in its place
        return
    importlib.import_module(f"{__package__}.{name}").register(commands, command)
