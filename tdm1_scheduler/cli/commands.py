"""The core commands: init, chairs, closed days, patients, courses, doses, moves, backup,
restore and check. Each ``run_*`` takes the parsed arguments and the open store.

Each command imports the services it calls when it runs (issue 19: ``course show`` never
loads the booking services), so parsing the command line stays cheap.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..domain.errors import DomainError
from ..safe_files import check_output_path
from ..services.storage import Store, restore_backup, store_files
from .common import (
    EXIT_ERROR,
    EXIT_OK,
    context,
    one_line,
    parse_day,
    parse_instant,
    print_json,
    say,
)


# --- commands -------------------------------------------------------------------------------
def run_init(args: argparse.Namespace, store: Store) -> int:
    from ..clock import FixedClock, SystemClock
    from ..domain.calendar import parse_hhmm, zone_from_name
    from ..paths import local_zone_name
    from ..services import clinic as clinic_services
    from ..services.context import Context

    zone = args.timezone or local_zone_name()
    zone_from_name(zone)
    ctx = Context.over(
        store,
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
        name=clinic_services.DEFAULT_CLINIC_NAME if args.name is None else args.name,
    )
    print(f"{changes.action}: {zone}, {args.open}-{args.close}, {args.chairs} chairs")
    return EXIT_OK


def run_chair_add(args: argparse.Namespace, store: Store) -> int:
    from ..services import clinic as clinic_services

    say(clinic_services.add_chair(context(args, store), args.name))
    return EXIT_OK


def run_chair_list(args: argparse.Namespace, store: Store) -> int:
    from ..services import queries

    chairs = queries.chairs(store)
    if args.json:  # the JSON is made here, at the CLI's edge
        print_json([{"id": c.id, "name": c.name, "position": c.position} for c in chairs])
    else:
        for chair in chairs:
            print(chair.name)
    return EXIT_OK


def run_closed_add(args: argparse.Namespace, store: Store) -> int:
    if args.holidays or args.date is None:  # every public holiday of a year at once
        from .interop import run_closed_holidays

        return run_closed_holidays(args, store)
    day = parse_day("date", args.date)
    if not args.rebook:
        from ..services import clinic as clinic_services

        say(clinic_services.add_closed_date(context(args, store), day, args.reason))
        return EXIT_OK
    from ..services.slots import close_date_and_rebook

    changes = close_date_and_rebook(context(args, store), day=day, reason=args.reason)
    print("\n".join([changes.action, *changes.notes]))  # one line per booking moved
    return EXIT_OK


def run_patient_add(args: argparse.Namespace, store: Store) -> int:
    from ..services import patients as patient_services

    say(
        patient_services.add_patient(
            context(args, store), mrn=args.mrn, name=args.name, weight_kg=args.weight_kg
        )
    )
    return EXIT_OK


def run_course_start(args: argparse.Namespace, store: Store) -> int:
    from ..services import courses as course_services

    first = parse_instant("first_dose", args.first_dose, store)
    say(
        course_services.book_course(
            context(args, store),
            mrn=args.mrn,
            setting=args.setting,
            first_dose=first,
            chair=args.chair,
        )
    )
    return EXIT_OK


def run_course_show(args: argparse.Namespace, store: Store) -> int:
    from ..services import queries
    from .course_json import course_json

    view = course_json(queries.course_view(store, args.mrn))  # the text shows the same values
    if args.json:
        from .json_text import indented

        print(indented(view))  # print_json's bytes, without json's Python encoder (issue 19)
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


def run_course_stop(args: argparse.Namespace, store: Store) -> int:
    from ..services import courses as course_services

    say(course_services.stop_course(context(args, store), mrn=args.mrn, reason=args.reason))
    return EXIT_OK


def run_dose_given(args: argparse.Namespace, store: Store) -> int:
    from ..services import courses as course_services

    at = parse_instant("at", args.at, store)
    try:
        changes = course_services.record_dose_given(
            context(args, store),
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


def run_dose_missed(args: argparse.Namespace, store: Store) -> int:
    if args.chair and not args.to:
        raise DomainError("chair", "--chair goes with --to")
    from ..services import courses as course_services
    from ..services.context import load_settings
    from ..text import dated_time

    to = parse_instant("to", args.to, store) if args.to else None
    ctx = context(args, store)
    changes = course_services.mark_dose_missed(
        ctx, mrn=args.mrn, cycle=args.cycle, to=to, chair=args.chair
    )
    say(changes)
    if changes.moves:  # the first move is the missed dose's new booking
        rebooked, calendar = changes.moves[0], load_settings(store).calendar
        print(f"re-booked at {dated_time(calendar, rebooked.new_start)}, {rebooked.new_chair}")
    return EXIT_OK


def run_dose_level(args: argparse.Namespace, store: Store) -> int:
    from ..services import courses as course_services

    say(
        course_services.reduce_dose_level(
            context(args, store), mrn=args.mrn, mg_per_kg=args.mg_per_kg
        )
    )
    return EXIT_OK


def run_appointment_move(args: argparse.Namespace, store: Store) -> int:
    from ..services import courses as course_services

    to = parse_instant("to", args.to, store)
    say(
        course_services.move_appointment(
            context(args, store), mrn=args.mrn, cycle=args.cycle, to=to, chair=args.chair
        )
    )
    return EXIT_OK


def run_backup(args: argparse.Namespace, store: Store) -> int:
    # Replaces nothing unless --force; never the database or its side files.
    target = check_output_path(
        Path(args.file), field="PATH", protected=store_files(store), force=args.force
    )
    store.backup_to(target)
    print(f"backup written to {args.file} (integrity ok)")
    return EXIT_OK


def run_restore(args: argparse.Namespace, path: Path) -> int:
    kept = restore_backup(path, Path(args.backup))
    print(f"restored {path} from {args.backup} (integrity ok)")
    if kept is not None:
        print(f"the replaced database is kept as {kept}")
    return EXIT_OK


def run_check(args: argparse.Namespace, store: Store) -> int:
    problems = store.integrity_problems()
    print(f"schema: {store.schema_version()}")
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
