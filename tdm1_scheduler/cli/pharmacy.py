"""``tdm1-scheduler prep ...``: pharmacy commands over services/pharmacy.py.

Exit codes as every other command: 0 done, 2 refused (one stderr line naming the field
or rule; raised as DomainError and reported by cli.main), 1 anything else.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from ..domain.regimens import TDM1
from ..services.storage import Store

EXIT_OK = 0


def register(commands: Any, command: Callable[..., Any]) -> None:
    """``command(name, help, parent=commands)`` makes a subparser with the global options;
    set ``run=`` to a function ``(args, store) -> exit code``."""
    from .common import ArgumentParser

    diluent = TDM1.diluent  # dosing.DILUENT, without loading the dose arithmetic (issue 19)
    prep = commands.add_parser(
        "prep", help="pharmacy: ado-trastuzumab emtansine (KADCYLA) preparation"
    ).add_subparsers(dest="prep_command", required=True, parser_class=ArgumentParser)

    reconstitute = command(
        "reconstitute", f"record vials reconstituted (kept at {TDM1.storage})", prep
    )
    reconstitute.add_argument("--mrn", required=True)
    reconstitute.add_argument("--cycle", type=int, required=True)
    reconstitute.add_argument("--at", required=True, help="ISO time of reconstitution")
    reconstitute.add_argument(
        "--lot", action="append", default=[], help="vial lot number; repeat or comma separate"
    )
    reconstitute.set_defaults(run=run_prep_reconstitute)

    dilute = command("dilute", "record the dose diluted into its bag", prep)
    dilute.add_argument("--mrn", required=True)
    dilute.add_argument("--cycle", type=int, required=True)
    dilute.add_argument("--at", required=True, help="ISO time of dilution")
    dilute.add_argument("--diluent", default=diluent, help=f"default: {diluent}".replace("%", "%%"))
    dilute.set_defaults(run=run_prep_dilute)

    show = command("show", "dose, vials, volumes and the preparation's windows", prep)
    show.add_argument("--mrn", required=True)
    show.add_argument("--cycle", type=int, required=True)
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=run_prep_show)

    queue = command("queue", "doses of today and tomorrow, most urgent first", prep)
    queue.add_argument("--json", action="store_true")
    queue.set_defaults(run=run_prep_queue)

    discard = command("discard", "discard the dose's preparation, recording the waste", prep)
    discard.add_argument("--mrn", required=True)
    discard.add_argument("--cycle", type=int, required=True)
    discard.add_argument("--reason", required=True)
    discard.set_defaults(run=run_prep_discard)


def run_prep_reconstitute(args: argparse.Namespace, store: Store) -> int:
    from ..services import pharmacy
    from .common import context, parse_instant, say

    at = parse_instant("at", args.at, store)
    say(
        pharmacy.record_reconstitution(
            context(args, store), mrn=args.mrn, cycle=args.cycle, at=at, lots=args.lot
        )
    )
    return EXIT_OK


def run_prep_dilute(args: argparse.Namespace, store: Store) -> int:
    from ..services import pharmacy
    from .common import context, parse_instant, say

    at = parse_instant("at", args.at, store)
    say(
        pharmacy.record_dilution(
            context(args, store), mrn=args.mrn, cycle=args.cycle, at=at, diluent=args.diluent
        )
    )
    return EXIT_OK


def run_prep_discard(args: argparse.Namespace, store: Store) -> int:
    from ..services import pharmacy
    from .common import context, say

    say(
        pharmacy.discard_preparation(
            context(args, store), mrn=args.mrn, cycle=args.cycle, reason=args.reason
        )
    )
    return EXIT_OK


def _clock_text(value: str | None) -> str:
    """``2027-01-12T09:15:00-05:00`` -> ``2027-01-12 09:15``."""
    return "-" if value is None else value[:16].replace("T", " ")


def _left(minutes: int | None) -> str:
    if minutes is None:
        return "-"
    sign = "-" if minutes < 0 else ""
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours} h {mins:02d} min"


def _vials(vials: list[dict[str, int]]) -> str:
    return " + ".join(f"{v['count']} x {v['mg']} mg" for v in vials)


def run_prep_show(args: argparse.Namespace, store: Store) -> int:
    from ..services import pharmacy
    from ..services.context import settings_from
    from .common import make_clock, print_json
    from .pharmacy_json import show_json

    found = pharmacy.preparation_view(store, args.mrn, args.cycle, make_clock(args, store).now())
    view = show_json(found, settings_from(store).calendar)  # the text reads the JSON's values
    if args.json:
        print_json(view)
        return EXIT_OK
    water = ", ".join(f"{w['water_ml_per_vial']:g} mL per {w['mg']} mg vial" for w in view["water"])
    lines = [
        pharmacy.DRUG_LINE,
        f"{view['name']} ({view['mrn']}) cycle {view['cycle']} ({view['dose_status']}),"
        f" infusion {_clock_text(view['infusion_start'])}",
        f"dose: {view['dose_level_mg_per_kg']:g} mg/kg x {view['weight_kg']:g} kg"
        f" (weighed {_clock_text(view['weight_measured_at'])[:10]}) = {view['dose_mg']:g} mg",
        f"vials: {_vials(view['vials'])} ({view['vial_waste_mg']:g} mg over);"
        f" Sterile Water for Injection {water}",
        f"withdraw: {view['withdraw_ml']:g} mL ({view['concentration_mg_per_ml']:g} mg/mL)",
        f"diluent: {view['diluent']}; store at {view['storage']}",
        f"reconstituted: {_clock_text(view['reconstituted_at'])}"
        f" (lots: {', '.join(view['vial_lots']) or '-'}),"
        f" vial good until {_clock_text(view['vial_expires_at'])}",
        f"diluted: {_clock_text(view['diluted_at'])},"
        f" bag good until {_clock_text(view['bag_expires_at'])}",
        f"infuse by: {_clock_text(view['infuse_by'])}",
        f"status: {view['status']}, time left {_left(view['time_left_min'])}",
    ]
    lines.extend(f"warning: {text}" for text in view["warnings"])
    print("\n".join(lines))
    return EXIT_OK


def run_prep_queue(args: argparse.Namespace, store: Store) -> int:
    from ..services import pharmacy
    from ..services.context import settings_from
    from .common import make_clock, print_json
    from .pharmacy_json import queue_json

    queue = pharmacy.pharmacy_queue(store, make_clock(args, store).now())
    items = queue_json(queue, settings_from(store).calendar)  # the text reads the JSON's values
    if args.json:
        print_json(items)
        return EXIT_OK
    print(pharmacy.DRUG_LINE)
    if not items:
        print("nothing to prepare today or tomorrow")
    for item in items:
        flag = "  RECALCULATE" if item["recalculate"] else ""
        print(
            f"{item['action']:<12} {item['mrn']:<10} c{item['cycle']:<3}"
            f" {_clock_text(item['infusion_start']):<16} {item['chair'] or '-':<10}"
            f" {item['dose_mg']:>6g} mg {item['status']:<13}"
            f" left {_left(item['time_left_min']):<14} due {_clock_text(item['due'])}{flag}"
        )
    return EXIT_OK
