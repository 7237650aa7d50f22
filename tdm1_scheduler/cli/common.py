"""What every CLI command shares: exit codes, the parser class, parsing a time or a date
the way the clinic means it, the clock, and printing a change or JSON at the edge."""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..clock import Clock, FixedClock, SystemClock
from ..domain.calendar import FIRST_YEAR, LAST_YEAR, wall_in_zone
from ..domain.errors import DomainError
from ..services.storage import Store, open_store

if TYPE_CHECKING:
    from ..services.context import ChangeSet, Context

EXIT_OK, EXIT_ERROR, EXIT_REFUSED = 0, 1, 2


def terminal_columns() -> int:
    """``shutil.get_terminal_size().columns``, the same steps without importing
    ``shutil`` (with ``bz2``, ``lzma`` and ``zlib``: 8.6 M instructions of a command's
    start, issue 19): ``COLUMNS`` when a positive integer, else the terminal of
    ``sys.__stdout__``, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        size = os.get_terminal_size(sys.__stdout__.fileno())  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80
    return size.columns or 80


class HelpFormatter(argparse.HelpFormatter):
    """argparse's own, its default width found by ``terminal_columns`` (argparse makes
    one at every ``add_argument`` and imports ``shutil`` for the width)."""

    def __init__(
        self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
        width: int | None = None,
    ) -> None:  # fmt: skip
        if width is None:  # as argparse: the terminal's columns less 2
            width = terminal_columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)


class ArgumentParser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> Any:  # one line, exit 2, like every other refusal
        self.exit(EXIT_REFUSED, f"{self.prog}: {message}\n")


class Unbuilt:
    """A command the command line does not name (``cli.main.build_parser(only=...)``):
    in its table by name, never parsed, so nothing of it is built (issue 19). Every
    method does nothing and gives it back; its sub-commands (``choices[name]``) are it."""

    def __getattr__(self, _name: str) -> Callable[..., Unbuilt]:
        return lambda *_args, **_kwargs: self

    @property
    def choices(self) -> dict[str, Unbuilt]:
        return _UnbuiltChoices(self)


class _UnbuiltChoices(dict[str, Unbuilt]):
    def __init__(self, owner: Unbuilt) -> None:
        super().__init__()
        self.owner = owner

    def __missing__(self, _name: str) -> Unbuilt:
        return self.owner


def add_global_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    default = None if top else argparse.SUPPRESS
    parser.add_argument("--db", default=default, help="database file (env TDM1_SCHEDULER_DB)")
    parser.add_argument(
        "--now", default=default, help="act as if the clock read this ISO time (clinic wall time)"
    )
    parser.add_argument("--user", default=default, help="name written to the audit log")


# --- helpers --------------------------------------------------------------------------------
MIN_YEAR, MAX_YEAR = FIRST_YEAR, LAST_YEAR  # the years the clinic can schedule
RANGE_TEXT = f"dates from {MIN_YEAR} to {MAX_YEAR} only"


def parse_instant(field: str, text: str, source: Store | tzinfo) -> datetime:
    """ISO 8601; without an offset it is clinic wall time (the clinic's zone, or the
    zone given before a clinic exists). Refused unless it lies in MIN_YEAR..MAX_YEAR,
    in UTC too (where it is stored)."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise DomainError(field, f"expected an ISO date-time, got {text!r}") from None
    if value.tzinfo is None:
        from ..services.context import load_settings  # the clinic's zone

        zone = source if isinstance(source, tzinfo) else load_settings(source).calendar.zone
        value = wall_in_zone(value, zone)
    try:
        in_utc = value.astimezone(UTC)
    except (OverflowError, ValueError):
        in_utc = None
    if in_utc is None or not all(MIN_YEAR <= v.year <= MAX_YEAR for v in (value, in_utc)):
        raise DomainError(field, f"{text!r} is out of range ({RANGE_TEXT})")
    return value


def parse_day(field: str, text: str) -> date:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise DomainError(field, f"expected a date YYYY-MM-DD, got {text!r}") from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise DomainError(field, f"{text!r} is out of range ({RANGE_TEXT})")
    return day


def make_clock(args: argparse.Namespace, store: Store) -> Clock:
    if args.now:
        return FixedClock(parse_instant("now", args.now, store))
    return SystemClock()


def say(changes: ChangeSet) -> None:
    from ..services import courses as course_services

    line = changes.action
    summary = course_services.later_shift_summary(changes)
    if summary:
        line += f"; {summary}"
    print(line)
    for note in changes.notes:
        print(note)


def print_json(value: Any) -> None:
    import json  # when a command prints it (issue 19: course show and the sheet do not)

    print(json.dumps(value, indent=2, ensure_ascii=False))


def context(args: argparse.Namespace, store: Store) -> Context:
    """The services' context of a command over its store."""
    from ..services.context import Context

    return Context(store, make_clock(args, store), args.user or "cli")


def open_clinic(path: Path, *, create: bool, read_only: bool) -> Store:
    """The one place the CLI opens the clinic: the store every command runs on."""
    return open_store(path, create=create, read_only=read_only)


def one_line(text: str) -> str:
    """Error lines never span several lines (quick_check rows, Qt warnings...)."""
    return re.sub(r"\s*[\r\n]+\s*", " ", text).strip()
