"""``tdm1-scheduler``: the services, headless. No command opens the GUI.

Exit status: 0 done; 2 input refused (bad value, rule broken, conflict) with one line
on stderr naming the field or rule, nothing written; 1 anything else.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

from .. import __version__
from ..domain.errors import DomainError
from ..domain.regimen import EBC_TOTAL_CYCLES
from ..paths import first_existing_ancestor, missing_folders
from ..safe_files import OutputFailed, database_files
from ..services.clinic_store import clinic_target
from ..services.errors import ConflictError, DatabaseError, StoreError, describe_sqlite_error
from ..services.storage import Store, is_read_only_file
from .commands import (
    READ_ONLY_COMMANDS,
    run_appointment_move,
    run_backup,
    run_chair_add,
    run_chair_list,
    run_check,
    run_closed_add,
    run_course_show,
    run_course_start,
    run_course_stop,
    run_dose_given,
    run_dose_level,
    run_dose_missed,
    run_init,
    run_patient_add,
    run_restore,
)
from .common import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_REFUSED,
    ArgumentParser,
    Unbuilt,
    add_global_options,
    make_clock,
    one_line,
    open_clinic,
)

GLOBAL_VALUE_OPTIONS = ("--db", "--now", "--user")


def named_group(argv: Sequence[str]) -> str | None:
    """The command an argument list names first, when that is plain to see: before it
    only ``--db``, ``--now`` or ``--user`` with their values (else None)."""
    index = 0
    while index < len(argv):
        token = argv[index]
        if token in GLOBAL_VALUE_OPTIONS:
            index += 2
        elif token.partition("=")[0] in GLOBAL_VALUE_OPTIONS and "=" in token:
            index += 1
        else:
            return None if token.startswith("-") else token
    return None


class _NamedOnly:
    """The table of commands when the command line names its command (``only``): the
    others go in by name, unbuilt (``Unbuilt``). Their names, in order, are all that the
    usage line and the "invalid choice" error show; the parse never reaches them, and
    the whole table's help (``-h`` first, or no command) is made without ``only``."""

    def __init__(self, table: Any, only: str) -> None:
        self.table, self.only = table, only

    @property
    def choices(self) -> dict[str, Any]:
        return cast(dict[str, Any], self.table.choices)

    def add_parser(self, name: str, **options: Any) -> Any:
        if name == self.only:
            return self.table.add_parser(name, **options)
        self.table.choices[name] = unbuilt = Unbuilt()
        return unbuilt


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """Every command; with ``only`` (the command named, ``named_group``), the other
    commands are left unbuilt (issue 19: most of the parse's cost), since the parse
    never reaches them. Names, help and errors are the same."""
    parser = ArgumentParser(
        prog="tdm1-scheduler",
        description="Infusion-chair scheduler for ado-trastuzumab emtansine (KADCYLA).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--demo", action="store_true", help="open a throw-away demo clinic")
    parser.add_argument("--self-check", action="store_true", help="load every form and exit")
    add_global_options(parser, top=True)
    table = parser.add_subparsers(dest="command", parser_class=ArgumentParser)
    commands: Any = table if only is None else _NamedOnly(table, only)

    def command(name: str, help_text: str, parent: Any = commands) -> argparse.ArgumentParser:
        sub = parent.add_parser(name, help=help_text)
        if not isinstance(sub, Unbuilt):  # of a command not named (Unbuilt: nothing)
            add_global_options(sub, top=False)
        return cast(argparse.ArgumentParser, sub)

    init = command("init", "create the clinic database")
    init.add_argument("--timezone", help="IANA zone, e.g. Europe/Berlin (default: this machine's)")
    init.add_argument("--open", default="08:00", help="opening time HH:MM (Mon-Fri)")
    init.add_argument("--close", default="17:00", help="closing time HH:MM")
    init.add_argument("--chairs", type=int, default=8, help="number of chairs (Chair 1..N)")
    init.add_argument("--name", help="clinic name")  # default: the declared one (run_init)
    init.set_defaults(run=run_init)

    chair = commands.add_parser("chair", help="chairs").add_subparsers(
        dest="chair_command", required=True, parser_class=ArgumentParser
    )
    chair_add = command("add", "add a chair", chair)
    chair_add.add_argument("name")
    chair_add.set_defaults(run=run_chair_add)
    chair_list = command("list", "list chairs", chair)
    chair_list.add_argument("--json", action="store_true")
    chair_list.set_defaults(run=run_chair_list)

    closed = commands.add_parser("closed", help="closed dates").add_subparsers(
        dest="closed_command", required=True, parser_class=ArgumentParser
    )
    closed_add = command("add", "close the clinic on a date", closed)
    closed_add.add_argument("date", nargs="?", help="YYYY-MM-DD (or --holidays)")
    closed_add.add_argument("--reason", default="")
    closed_add.add_argument("--holidays", metavar="COUNTRY[-SUBDIVISION]", help="public holidays")
    closed_add.add_argument("--year", type=int, help="the year of --holidays")
    closed_add.add_argument("--rebook", action="store_true", help="move its bookings off it")
    closed_add.set_defaults(run=run_closed_add)

    patient = commands.add_parser("patient", help="patients").add_subparsers(
        dest="patient_command", required=True, parser_class=ArgumentParser
    )
    patient_add = command("add", "add a patient", patient)
    patient_add.add_argument("--mrn", required=True)
    patient_add.add_argument("--name", required=True)
    patient_add.add_argument("--weight-kg", required=True)
    patient_add.set_defaults(run=run_patient_add)

    course = commands.add_parser("course", help="courses").add_subparsers(
        dest="course_command", required=True, parser_class=ArgumentParser
    )
    start = command("start", "book a whole course", course)
    start.add_argument("--mrn", required=True)
    start.add_argument(
        "--setting", required=True, help=f"EBC ({EBC_TOTAL_CYCLES} cycles) or MBC (rolling)"
    )
    start.add_argument("--first-dose", required=True, help="ISO time of the first chair booking")
    start.add_argument("--chair")
    start.set_defaults(run=run_course_start)
    show = command("show", "show a course", course)
    show.add_argument("--mrn", required=True)
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=run_course_show)
    stop = command("stop", "stop a course and cancel its future bookings", course)
    stop.add_argument("--mrn", required=True)
    stop.add_argument("--reason", required=True)
    stop.set_defaults(run=run_course_stop)

    dose = commands.add_parser("dose", help="doses").add_subparsers(
        dest="dose_command", required=True, parser_class=ArgumentParser
    )
    given = command("given", "record a dose given", dose)
    given.add_argument("--mrn", required=True)
    given.add_argument("--cycle", type=int, required=True)
    given.add_argument("--at", required=True, help="ISO time the infusion started")
    given.add_argument("--infusion-min", type=int, help="minutes it ran (default: as booked)")
    given.add_argument("--reaction", action="store_true", help="not tolerated (slowed/stopped)")
    given.add_argument(
        "--stopped", action="store_true", help="stopped before it was complete (a partial dose)"
    )
    given.add_argument("--reaction-grade", type=int, choices=range(1, 5), help="4 stops the course")
    given.set_defaults(run=run_dose_given)
    missed = command("missed", "mark a dose missed and re-book it", dose)
    missed.add_argument("--mrn", required=True)
    missed.add_argument("--cycle", type=int, required=True)
    missed.add_argument("--to", help="ISO time to re-book at (default: earliest free slot)")
    missed.add_argument("--chair", help="chair for --to (default: the missed one's)")
    missed.set_defaults(run=run_dose_missed)
    level = command("level", "reduce the dose level", dose)
    level.add_argument("--mrn", required=True)
    level.add_argument("--mg-per-kg", type=float, required=True)
    level.set_defaults(run=run_dose_level)

    appointment = commands.add_parser("appointment", help="appointments").add_subparsers(
        dest="appointment_command", required=True, parser_class=ArgumentParser
    )
    move = command("move", "move a booked cycle", appointment)
    move.add_argument("--mrn", required=True)
    move.add_argument("--cycle", type=int, required=True)
    move.add_argument("--to", required=True, help="ISO time of the new chair booking")
    move.add_argument("--chair")
    move.set_defaults(run=run_appointment_move)

    backup = command("backup", "copy the database with the online backup API")
    backup.add_argument("file", metavar="PATH", help="a new file (replaces nothing)")
    backup.add_argument(
        "--force", action="store_true", help="replace an existing PATH (never the database)"
    )
    backup.set_defaults(run=run_backup)
    restore = command("restore", "put a backup in place of the database (app closed)")
    restore.add_argument("backup", metavar="BACKUP", help="a file made by `backup`")
    restore.set_defaults(run=run_restore, without_db=True)
    check = command("check", "integrity and schema version")
    check.set_defaults(run=run_check)
    extend_parser(commands, command)
    return parser


def extend_parser(commands: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    """Commands owned by other modules (pharmacy, day sheet) register here."""
    from . import registry as cli_extra

    cli_extra.register(commands, command)
    cli_extra.register_module(cli_extra.SCHEDULE, commands, command)


def main(
    argv: Sequence[str] | None = None,
    open_gui: Callable[[argparse.Namespace], int] | None = None,
) -> int:
    """Run one command; with none, ``open_gui`` (given by the entry point, which stands
    above both the CLI and the GUI) opens the window."""
    parser = build_parser(only=named_group(sys.argv[1:] if argv is None else argv))
    args = parser.parse_args(argv)
    try:
        check_text_arguments(args)
    except DomainError as error:
        return refused(error)
    if args.command is None:
        if open_gui is None:
            parser.print_help()
            return EXIT_REFUSED
        return int(open_gui(args))
    try:
        code = run_command(args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
        return code
    except BrokenPipeError:  # `| head` has read enough: end quietly
        return quiet_after_broken_pipe()


def run_command(args: argparse.Namespace) -> int:
    run: Callable[..., int] = args.run
    target = clinic_target(args.db)  # a server URL (issue 16) or, as always, a file
    if not isinstance(target, Path):
        from .server_mode import run_on_server

        return run_on_server(args, target)
    path = target
    # A refused init leaves no file (and no folder it made) behind.
    creating = args.command == "init" and not os.path.lexists(path)
    made = missing_folders(path) if creating else []
    store: Store | None = None
    code = EXIT_ERROR
    try:
        check_db_path(path)
        if getattr(args, "without_db", False):  # restore: the file may be anything
            code = run(args, path)
            return code
        read_only = run.__name__ == "run_check" or (
            run.__name__ in READ_ONLY_COMMANDS and is_read_only_file(path)
        )
        store = open_clinic(path, create=args.command == "init", read_only=read_only)
        if getattr(args, "now", None) and args.command != "init":  # init: its own zone
            make_clock(args, store)  # a bad --now is refused by every command, clock or not
        code = run(args, store)
        return code
    except (DomainError, ConflictError) as error:
        code = refused(error)
    except BrokenPipeError:
        raise
    except (StoreError, OutputFailed) as error:
        code = failed(str(error))
    except DatabaseError as error:
        code = failed(describe_sqlite_error(path, error))
    except OSError as error:
        reason = "disk full (no space left on device)" if error.errno == errno.ENOSPC else ""
        code = failed(f"{reason}: {error}" if reason else f"{type(error).__name__}: {error}")
    except Exception as error:  # anything else: one line, exit 1, no traceback wall
        code = failed(f"{type(error).__name__}: {error}")
    finally:
        if store is not None:
            store.close()
        if creating and code != EXIT_OK:
            remove_new_database(path, made)
    return code


def refused(error: Exception) -> int:
    print(f"refused: {one_line(str(error))}", file=sys.stderr)
    return EXIT_REFUSED


def failed(message: str) -> int:
    print(f"error: {one_line(message)}", file=sys.stderr)
    return EXIT_ERROR


def check_text_arguments(args: argparse.Namespace) -> None:
    """Every argument is UTF-8 text: one that is not (undecodable bytes, kept as lone
    surrogates in ``argv``) is refused naming its field, before anything is opened."""
    for name, value in vars(args).items():
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise DomainError(name, "is not valid UTF-8 text") from None


def check_db_path(path: Path) -> None:
    """``--db`` under a file (``notes.txt/clinic.db``) is a bad value, not a store error."""
    ancestor = first_existing_ancestor(path)
    if not ancestor.is_dir():
        raise DomainError("db", f"{ancestor} is a file, not a folder, so {path} cannot be used")


def remove_new_database(path: Path, made: list[Path]) -> None:
    for side in database_files(path):
        with contextlib.suppress(OSError):  # nothing was made there (under a file)
            side.unlink(missing_ok=True)
    for folder in made:  # innermost first
        try:
            folder.rmdir()
        except OSError:
            break


def quiet_after_broken_pipe() -> int:
    # Point stdout at /dev/null so the interpreter's final flush cannot complain.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
    return EXIT_OK


__all__ = ["main"]
