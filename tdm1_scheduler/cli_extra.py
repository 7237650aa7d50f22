"""CLI commands that belong to later features register here (pharmacy, day sheet)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def register(commands: Any, command: Callable[..., Any]) -> None:
    """Nothing yet."""
