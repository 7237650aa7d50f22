"""``tdm1-scheduler``: the services, headless. No command opens the GUI.

Exit status: 0 done; 2 input refused (bad value, rule broken, conflict) with one line
on stderr naming the field or rule, nothing written; 1 anything else.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import Any

from . import __version__
from .clock import Clock, FixedClock, SystemClock
from .domain.calendar import FIRST_YEAR, LAST_YEAR, parse_hhmm, zone_from_name
from .domain.errors import DomainError
from .paths import default_db_path, first_existing_ancestor, local_zone_name, missing_folders
from .safe_files import OutputFailed, check_output_path, database_files
from .services import (
    clinic as clinic_services,
    courses as course_services,
    patients as patient_services,
    queries,
)
from .services.context import ChangeSet, Context, load_settings
from .store.connection import Database
from .store.database import (
    ConflictError,
    DatabaseError,
    StoreError,
    backup_to,
    db_path,
    describe_sqlite_error,
    integrity_problems,
    is_read_only_file,
    open_database,
    schema_version,
)
from .text import dated_time

EXIT_OK, EXIT_ERROR, EXIT_REFUSED = 0, 1, 2


class ArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line, exit 2, like every other refusal
        self.exit(EXIT_REFUSED, f"{self.prog}: {message}\n")


def add_global_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    default = None if top else argparse.SUPPRESS
    parser.add_argument("--db", default=default, help="database file (env TDM1_SCHEDULER_DB)")
    parser.add_argument(
        "--now", default=default, help="act as if the clock read this ISO time (clinic wall time)"
    )
    parser.add_argument("--user", default=default, help="name written to the audit log")


def build_parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(
        prog="tdm1-scheduler",
        description="Infusion-chair scheduler for ado-trastuzumab emtansine (KADCYLA).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--demo", action="store_true", help="open a throw-away demo clinic")
    parser.add_argument("--self-check", action="store_true", help="load every form and exit")
    add_global_options(parser, top=True)
    commands = parser.add_subparsers(dest="command", parser_class=ArgumentParser)

    def command(name: str, help_text: str, parent: Any = commands) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = parent.add_parser(name, help=help_text)
        add_global_options(sub, top=False)
        return sub

    init = command("init", "create the clinic database")
    init.add_argument("--timezone", help="IANA zone, e.g. Europe/Berlin (default: this machine's)")
    init.add_argument("--open", default="08:00", help="opening time HH:MM (Mon-Fri)")
    init.add_argument("--close", default="17:00", help="closing time HH:MM")
    init.add_argument("--chairs", type=int, default=8, help="number of chairs (Chair 1..N)")
    init.add_argument("--name", default=clinic_services.DEFAULT_CLINIC_NAME, help="clinic name")
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
    start.add_argument("--setting", required=True, help="EBC (14 cycles) or MBC (rolling)")
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
    from . import cli_extra, cli_schedule

    cli_extra.register(commands, command)
    cli_schedule.register(commands, command)


# --- helpers --------------------------------------------------------------------------------
MIN_YEAR, MAX_YEAR = FIRST_YEAR, LAST_YEAR  # the years the clinic can schedule
RANGE_TEXT = f"dates from {MIN_YEAR} to {MAX_YEAR} only"


def parse_instant(field: str, text: str, db: Database | tzinfo) -> datetime:
    """ISO 8601; without an offset it is clinic wall time (the clinic's zone, or the
    zone given before a clinic exists). Refused unless it lies in MIN_YEAR..MAX_YEAR,
    in UTC too (where it is stored)."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise DomainError(field, f"expected an ISO date-time, got {text!r}") from None
    if value.tzinfo is None:
        zone = db if isinstance(db, tzinfo) else load_settings(db).calendar.zone
        value = value.replace(tzinfo=zone)
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


def make_clock(args: argparse.Namespace, db: Database) -> Clock:
    if args.now:
        return FixedClock(parse_instant("now", args.now, db))
    return SystemClock()


def say(changes: ChangeSet) -> None:
    line = changes.action
    summary = course_services.later_shift_summary(changes)
    if summary:
        line += f"; {summary}"
    print(line)
    for note in changes.notes:
        print(note)


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


def context(args: argparse.Namespace, db: Database) -> Context:
    return Context(db, make_clock(args, db), args.user or "cli")


# --- commands -------------------------------------------------------------------------------
def run_init(args: argparse.Namespace, db: Database) -> int:
    zone = args.timezone or local_zone_name()
    zone_from_name(zone)
    ctx = Context(
        db,
        SystemClock()
        if not args.now
        else FixedClock(parse_instant("now", args.now, zone_from_name(zone))),
        args.user or "cli",
    )
    changes = clinic_services.init_clinic(
        ctx,
        timezone=zone,
        opens=parse_hhmm("open", args.open),
        closes=parse_hhmm("close", args.close),
        chairs=args.chairs,
        name=args.name,
    )
    print(f"{changes.action}: {zone}, {args.open}-{args.close}, {args.chairs} chairs")
    return EXIT_OK


def run_chair_add(args: argparse.Namespace, db: Database) -> int:
    say(clinic_services.add_chair(context(args, db), args.name))
    return EXIT_OK


def run_chair_list(args: argparse.Namespace, db: Database) -> int:
    chairs = queries.chair_list(db)
    if args.json:
        print_json(chairs)
    else:
        for chair in chairs:
            print(chair["name"])
    return EXIT_OK


def run_closed_add(args: argparse.Namespace, db: Database) -> int:
    if args.holidays or args.date is None:  # every public holiday of a year at once
        from .cli_interop import run_closed_holidays

        return run_closed_holidays(args, db)
    day = parse_day("date", args.date)
    if not args.rebook:
        say(clinic_services.add_closed_date(context(args, db), day, args.reason))
        return EXIT_OK
    from .services.slots import close_date_and_rebook

    changes = close_date_and_rebook(context(args, db), day=day, reason=args.reason)
    print("\n".join([changes.action, *changes.notes]))  # one line per booking moved
    return EXIT_OK


def run_patient_add(args: argparse.Namespace, db: Database) -> int:
    say(
        patient_services.add_patient(
            context(args, db), mrn=args.mrn, name=args.name, weight_kg=args.weight_kg
        )
    )
    return EXIT_OK


def run_course_start(args: argparse.Namespace, db: Database) -> int:
    first = parse_instant("first_dose", args.first_dose, db)
    say(
        course_services.book_course(
            context(args, db),
            mrn=args.mrn,
            setting=args.setting,
            first_dose=first,
            chair=args.chair,
        )
    )
    return EXIT_OK


def run_course_show(args: argparse.Namespace, db: Database) -> int:
    view = queries.course_view(db, args.mrn)
    if args.json:
        print_json(view)
        return EXIT_OK
    total = view["cycles_total"]
    print(
        f"{view['name']} ({view['mrn']}) {view['setting']} {view['status']}, "
        f"{view['dose_level_mg_per_kg']} mg/kg, {view['cycles_given']} of {total or '-'} given"
    )
    for cycle in view["cycles"]:
        print(
            f"  {cycle['cycle']:>3} {cycle['status']:<9} {cycle['start'] or '-':<26} "
            f"{cycle['chair'] or '-':<10} {cycle['prep_min']}+{cycle['infusion_min']}"
            f"+{cycle['observation_min']} min"
        )
    return EXIT_OK


def run_course_stop(args: argparse.Namespace, db: Database) -> int:
    say(course_services.stop_course(context(args, db), mrn=args.mrn, reason=args.reason))
    return EXIT_OK


def run_dose_given(args: argparse.Namespace, db: Database) -> int:
    at = parse_instant("at", args.at, db)
    try:
        changes = course_services.record_dose_given(
            context(args, db),
            mrn=args.mrn,
            cycle=args.cycle,
            given_at=at,
            infusion_min=args.infusion_min,
            tolerated=not (args.reaction or args.reaction_grade),
            reaction_grade=args.reaction_grade,
            completed=not args.stopped,
        )
    except DomainError as error:
        if error.field == "infusion_min" and not args.stopped:  # name the option to use
            raise DomainError(error.field, f"{error.rule} (--infusion-min; --stopped)") from None
        raise
    say(changes)  # a grade 4 reaction: the course stopped; the cancelled bookings listed
    return EXIT_OK


def run_dose_missed(args: argparse.Namespace, db: Database) -> int:
    if args.chair and not args.to:
        raise DomainError("chair", "--chair goes with --to")
    to = parse_instant("to", args.to, db) if args.to else None
    ctx = context(args, db)
    changes = course_services.mark_dose_missed(
        ctx, mrn=args.mrn, cycle=args.cycle, to=to, chair=args.chair
    )
    say(changes)
    if changes.moves:  # the first move is the missed dose's new booking
        rebooked, calendar = changes.moves[0], load_settings(db).calendar
        print(f"re-booked at {dated_time(calendar, rebooked.new_start)}, {rebooked.new_chair}")
    return EXIT_OK


def run_dose_level(args: argparse.Namespace, db: Database) -> int:
    say(
        course_services.reduce_dose_level(context(args, db), mrn=args.mrn, mg_per_kg=args.mg_per_kg)
    )
    return EXIT_OK


def run_appointment_move(args: argparse.Namespace, db: Database) -> int:
    to = parse_instant("to", args.to, db)
    say(
        course_services.move_appointment(
            context(args, db), mrn=args.mrn, cycle=args.cycle, to=to, chair=args.chair
        )
    )
    return EXIT_OK


def run_backup(args: argparse.Namespace, db: Database) -> int:
    # Replaces nothing unless --force; never the database or its side files.
    target = check_output_path(
        Path(args.file), field="PATH", protected=database_files(db_path(db)), force=args.force
    )
    backup_to(db, target)
    print(f"backup written to {args.file} (integrity ok)")
    return EXIT_OK


def run_restore(args: argparse.Namespace, path: Path) -> int:
    from .store.restore import restore_backup

    kept = restore_backup(path, Path(args.backup))
    print(f"restored {path} from {args.backup} (integrity ok)")
    if kept is not None:
        print(f"the replaced database is kept as {kept}")
    return EXIT_OK


def run_check(args: argparse.Namespace, db: Database) -> int:
    problems = integrity_problems(db)
    print(f"schema: {schema_version(db)}")
    if problems:
        shown = "; ".join(problems[:5]) + ("; ..." if len(problems) > 5 else "")
        print(f"error: integrity: FAILED ({len(problems)} problems): {one_line(shown)}",
              file=sys.stderr)  # fmt: skip
        return EXIT_ERROR
    print("integrity: ok")
    return EXIT_OK


# Commands that only read: on a file nobody may write (0444) they open it read-only.
READ_ONLY_COMMANDS = {
    "run_chair_list",
    "run_course_show",
    "run_check",
    "run_backup",
    "run_prep_show",
    "run_day_sheet",
    "run_course_ical",  # course ical
    "run_export_fhir",  # export fhir
    "run_appointment_slots",  # appointment slots
    "run_settings_show",  # settings show
    "run_dose_check",  # dose check
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        check_text_arguments(args)
    except DomainError as error:
        return refused(error)
    if args.command is None:
        from .app import run_gui

        return int(run_gui(args))
    try:
        code = run_command(args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
        return code
    except BrokenPipeError:  # `| head` has read enough: end quietly
        return quiet_after_broken_pipe()


def run_command(args: argparse.Namespace) -> int:
    run: Callable[..., int] = args.run
    path = Path(args.db) if args.db else default_db_path()
    # A refused init leaves no file (and no folder it made) behind.
    creating = args.command == "init" and not os.path.lexists(path)
    made = missing_folders(path) if creating else []
    db: Database | None = None
    code = EXIT_ERROR
    try:
        check_db_path(path)
        if getattr(args, "without_db", False):  # restore: the file may be anything
            code = run(args, path)
            return code
        read_only = run.__name__ == "run_check" or (
            run.__name__ in READ_ONLY_COMMANDS and is_read_only_file(path)
        )
        db = open_database(path, create=args.command == "init", read_only=read_only)
        if getattr(args, "now", None) and args.command != "init":  # init: its own zone
            make_clock(args, db)  # a bad --now is refused by every command, clock or not
        code = run(args, db)
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
        if db is not None:
            db.close()
        if creating and code != EXIT_OK:
            remove_new_database(path, made)
    return code


def one_line(text: str) -> str:
    """Error lines never span several lines (quick_check rows, Qt warnings...)."""
    return re.sub(r"\s*[\r\n]+\s*", " ", text).strip()


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
