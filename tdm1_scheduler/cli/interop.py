"""Exchange commands: a patient's calendar, the FHIR export and the patient import.

- ``course ical --mrn M [--out PATH] [--include-past]``: the patient's visits as
  iCalendar, to PATH or stdout.
- ``export fhir --from DATE --to DATE [--out PATH]``: a FHIR R4 Bundle of the visits
  whose start is on those clinic dates (both included), to PATH or stdout.
- ``import fhir PATH``: add the file's patients; prints how many were added and how
  many were unchanged.

``--out`` follows the same safe-write rules as ``day-sheet --pdf`` (see ``outfiles``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..services.storage import Store

EXIT_OK = 0


def _subcommands(commands: Any, group: str) -> Any:
    """The sub-command table of an existing group (``course``) made in ``cli/main.py``."""
    from .common import Unbuilt

    parser = commands.choices[group]
    if isinstance(parser, Unbuilt):  # a group the command line does not name
        return parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise LookupError(f"no sub-commands under {group!r}")


def _group(commands: Any, name: str, help_text: str) -> Any:
    from .common import ArgumentParser

    return commands.add_parser(name, help=help_text).add_subparsers(
        dest=f"{name}_command", required=True, parser_class=ArgumentParser
    )


def register(commands: Any, command: Callable[..., Any]) -> None:
    course = _subcommands(commands, "course")
    ical = command("ical", "the patient's visits as an iCalendar file", course)
    ical.add_argument("--mrn", required=True)
    ical.add_argument("--out", metavar="PATH", help="write the calendar here (default: stdout)")
    ical.add_argument(
        "--include-past", action="store_true", help="also given visits and visits already over"
    )
    ical.add_argument("--force", action="store_true", help="replace a file that is not a calendar")
    ical.set_defaults(run=run_course_ical)

    export = _group(commands, "export", "export bookings")
    fhir_out = command("fhir", "a FHIR R4 Bundle of the visits in a date range", export)
    fhir_out.add_argument("--from", dest="first", required=True, help="first clinic date")
    fhir_out.add_argument("--to", dest="last", required=True, help="last clinic date (included)")
    fhir_out.add_argument("--out", metavar="PATH", help="write the Bundle here (default: stdout)")
    fhir_out.add_argument("--force", action="store_true", help="replace a file not a Bundle")
    fhir_out.set_defaults(run=run_export_fhir)

    imports = _group(commands, "import", "import data")
    fhir_in = command("fhir", "add the patients of a FHIR R4 Bundle file", imports)
    fhir_in.add_argument("path", metavar="PATH")
    fhir_in.set_defaults(run=run_import_fhir)


def _db_path(args: argparse.Namespace) -> Path:
    from ..paths import default_db_path

    return Path(args.db) if args.db else default_db_path()


def _emit(args: argparse.Namespace, data: bytes, field: str, kind: str) -> bool:
    """Write to ``--out`` (True) or to stdout (False)."""
    if not args.out:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return False
    from ..interop.output import write_output

    out = Path(args.out)
    write_output(out, data, field=field, kind=kind, force=args.force, database=_db_path(args))
    return True


def run_course_ical(args: argparse.Namespace, store: Store) -> int:
    from ..interop.ical import build_calendar
    from ..services.exchange import patient_calendar
    from .common import make_clock

    data = patient_calendar(store, args.mrn)
    body = build_calendar(data, make_clock(args, store).now(), include_past=args.include_past)
    if _emit(args, body, "--out", "ics"):
        events = body.count(b"BEGIN:VEVENT")
        print(f"calendar of {data.patient.mrn} written to {args.out} ({events} visit(s))")
    return EXIT_OK


def run_export_fhir(args: argparse.Namespace, store: Store) -> int:
    from ..interop.fhir_export import bundle_json
    from ..services.exchange import clinic_extract
    from .common import parse_day

    extract = clinic_extract(store, parse_day("from", args.first), parse_day("to", args.last))
    body = bundle_json(extract).encode("utf-8")
    if _emit(args, body, "--out", "fhir"):
        print(
            f"FHIR Bundle {extract.first}..{extract.last} written to {args.out} "
            f"({len(extract.visits)} appointment(s), {len(extract.patients)} patient(s))"
        )
    return EXIT_OK


def run_import_fhir(args: argparse.Namespace, store: Store) -> int:
    from ..interop.fhir_import import read_patients
    from ..services.exchange import import_patients
    from .common import context

    incoming = read_patients(Path(args.path))
    result = import_patients(context(args, store), incoming)
    print(f"{len(result.added)} patient(s) added, {len(result.unchanged)} unchanged")
    return EXIT_OK


def run_closed_holidays(args: argparse.Namespace, store: Store) -> int:
    """``closed add --holidays COUNTRY[-SUBDIVISION] --year YYYY [--rebook]``."""
    from ..domain.errors import DomainError
    from ..interop.holidays import public_holidays
    from ..services.exchange import close_holidays
    from .common import context, say

    if not args.holidays:
        raise DomainError("date", "give a date YYYY-MM-DD, or --holidays COUNTRY --year YYYY")
    if args.date is not None:
        raise DomainError("--holidays", "give either a date or --holidays, not both")
    if args.year is None:
        raise DomainError("--year", "--holidays needs --year YYYY")
    if args.reason:
        raise DomainError("--reason", "with --holidays each date's reason is the holiday's name")
    days = public_holidays(args.holidays, args.year)
    rebook = bool(getattr(args, "rebook", False))
    say(close_holidays(context(args, store), days, rebook=rebook))
    return EXIT_OK
