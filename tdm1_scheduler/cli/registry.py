"""CLI commands owned by feature modules register here: pharmacy and the day sheet."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def register(commands: Any, command: Callable[..., Any]) -> None:
    from . import (
        interop as cli_interop,
        labs as cli_labs,
        pharmacy as cli_pharmacy,
        reports as cli_reports,
    )

    cli_pharmacy.register(commands, command)
    cli_reports.register(commands, command)
    cli_interop.register(commands, command)
    cli_labs.register(commands, command)
    __import__(f"{__package__}.server", fromlist=["register"]).register(commands, command)
