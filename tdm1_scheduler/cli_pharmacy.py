"""Feature CLI commands (filled in by the feature's work)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def register(commands: Any, command: Callable[..., Any]) -> None:
    """``command(name, help, parent=commands)`` makes a subparser with the global options;
    set ``run=`` to a function ``(args, db) -> exit code``."""
