"""CLI commands owned by feature modules register here: pharmacy and the day sheet."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def register(commands: Any, command: Callable[..., Any]) -> None:
    from . import cli_interop, cli_labs, cli_pharmacy, cli_reports

    cli_pharmacy.register(commands, command)
    cli_reports.register(commands, command)
    cli_interop.register(commands, command)
    cli_labs.register(commands, command)
