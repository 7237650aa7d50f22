"""CLI commands for issue 17, ready for the dose: ``lab add``, ``lvef add``,
``dose check``, ``patient update``, and ``--override REASON`` on ``dose given`` and
``prep reconstitute``. Registered from ``cli_extra``.

Under ``readiness_gate = enforce`` a dose that is not ``ready`` is refused (exit 2,
naming the verdict) unless ``--override REASON`` records a clinician's override (the
``--user`` is the clinician; audited). Under ``warn`` the verdict goes to stderr and the
command proceeds; under ``off`` nothing is checked.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..domain.errors import DomainError
from ..services.storage import Store

if TYPE_CHECKING:  # the readiness rules load when a command checks a dose (issue 19)
    from ..domain.readiness import Readiness

EXIT_OK = 0


def _subcommands(parser: argparse.ArgumentParser) -> Any:
    from .common import Unbuilt

    if isinstance(parser, Unbuilt):  # a group the command line does not name
        return parser
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def register(commands: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    from .common import ArgumentParser

    lab = commands.add_parser("lab", help="lab results").add_subparsers(
        dest="lab_command", required=True, parser_class=ArgumentParser
    )
    lab_add = command("add", "record a lab result with its sample time", lab)
    lab_add.add_argument("--mrn", required=True)
    lab_add.add_argument("--test", required=True, help="ast, alt, bilirubin or platelets")
    lab_add.add_argument("--value", required=True, help="platelets per mm³, e.g. 45000")
    lab_add.add_argument("--uln", help="upper limit of normal (ast, alt, bilirubin)")
    lab_add.add_argument("--at", required=True, help="ISO time the sample was taken")
    lab_add.set_defaults(run=run_lab_add)

    lvef = commands.add_parser("lvef", help="heart function (LVEF)").add_subparsers(
        dest="lvef_command", required=True, parser_class=ArgumentParser
    )
    lvef_add = command("add", "record an LVEF in %%", lvef)
    lvef_add.add_argument("--mrn", required=True)
    lvef_add.add_argument("--percent", required=True, help="5 to 95")
    lvef_add.add_argument("--at", required=True, help="ISO time of the scan")
    lvef_add.add_argument("--modality", default="echo", help="echo (default) or muga")
    lvef_add.set_defaults(run=run_lvef_add)

    dose = _subcommands(commands.choices["dose"])
    check = command("check", "is the dose ready: labs, LVEF and the label's table", dose)
    check.add_argument("--mrn", required=True)
    check.add_argument("--cycle", type=int, required=True)
    check.add_argument("--json", action="store_true")
    check.set_defaults(run=run_dose_check)
    given = dose.choices["given"]
    given.add_argument("--override", metavar="REASON", help="a clinician's override (enforce)")
    given.set_defaults(run=run_dose_given_gated)

    reconstitute = _subcommands(commands.choices["prep"]).choices["reconstitute"]
    reconstitute.add_argument(
        "--override", metavar="REASON", help="reconstitute a dose that is not ready (enforce)"
    )
    reconstitute.set_defaults(run=run_prep_reconstitute_gated)

    patient = _subcommands(commands.choices["patient"])
    update = command("update", "change a patient's weight (measured now) or name", patient)
    update.add_argument("--mrn", required=True)
    update.add_argument("--weight-kg")
    update.add_argument("--name")
    update.set_defaults(run=run_patient_update)


# --- results ---------------------------------------------------------------------------
def run_lab_add(args: argparse.Namespace, store: Store) -> int:
    from ..services import readiness as readiness_services
    from .common import context, parse_instant, say

    at = parse_instant("at", args.at, store)
    say(
        readiness_services.add_lab(
            context(args, store),
            mrn=args.mrn,
            test=args.test,
            value=args.value,
            uln=args.uln,
            at=at,
        )
    )
    return EXIT_OK


def run_lvef_add(args: argparse.Namespace, store: Store) -> int:
    from ..services import readiness as readiness_services
    from .common import context, parse_instant, say

    at = parse_instant("at", args.at, store)
    say(
        readiness_services.add_lvef(
            context(args, store), mrn=args.mrn, percent=args.percent, at=at, modality=args.modality
        )
    )
    return EXIT_OK


def run_dose_check(args: argparse.Namespace, store: Store) -> int:
    from ..services import readiness as readiness_services
    from .common import print_json

    readiness = readiness_services.dose_readiness(store, mrn=args.mrn, cycle=args.cycle)
    if args.json:
        print_json(readiness_json(readiness))
        return EXIT_OK
    proposed = readiness.proposed_mg_per_kg
    at = f" (proposed {proposed:.1f} mg/kg)" if proposed is not None else ""
    print(f"cycle {args.cycle} of {args.mrn.strip()}: {readiness.verdict.value}{at}")
    for reason in readiness.reasons:
        print(f"  {reason.rule}: {reason.text}")
    for result in readiness.results:
        value = f"{result.value:g}%" if result.test == "lvef" else f"{result.value:g}"
        uln = f" (ULN {result.uln:g})" if result.uln is not None else ""
        print(f"  used: {result.test} {value}{uln} sampled {result.at:%Y-%m-%d %H:%M}")
    if readiness.lvef_due is not None:
        print(f"  LVEF due by {readiness.lvef_due.isoformat()}")
    return EXIT_OK


def run_patient_update(args: argparse.Namespace, store: Store) -> int:
    from ..services import patients as patient_services
    from .common import context, say

    say(
        patient_services.update_patient(
            context(args, store), mrn=args.mrn, weight_kg=args.weight_kg, name=args.name
        )
    )
    return EXIT_OK


# --- the gate on dose given and prep reconstitute ------------------------------------------
def _gated(args: argparse.Namespace, store: Store, action: str, run: Callable[[], int]) -> int:
    """Record ``--override`` (if given), run the command (whose service calls the gate),
    all in one transaction; under ``warn``, print the verdict on stderr once it is done."""
    from ..domain.readiness import Verdict
    from ..services import readiness as readiness_services
    from .common import context

    if args.override is not None and not args.override.strip():
        raise DomainError("override", "a reason is required")
    ctx = context(args, store)
    mode = readiness_services.readiness_gate(store)
    try:
        readiness = None if mode == "off" else readiness_services.dose_readiness(
            store, mrn=args.mrn, cycle=args.cycle
        )  # fmt: skip
    except DomainError:
        readiness = None  # no such booking: the command itself says why
    try:
        with ctx.store.transaction():
            if args.override is not None and readiness is not None:
                readiness_services.record_override(
                    ctx,
                    mrn=args.mrn,
                    cycle=args.cycle,
                    reason=args.override,
                    clinician=ctx.user,
                    action=action,
                )
            code = run()
    except readiness_services.NotReady as refusal:
        raise DomainError(refusal.field, f"{refusal.rule} (--override REASON)") from None
    if mode == "warn" and readiness is not None and readiness.verdict is not Verdict.READY:
        shown = readiness_services.summary(readiness)
        print(f"readiness: cycle {args.cycle} is {shown}", file=sys.stderr)
    return code


def run_dose_given_gated(args: argparse.Namespace, store: Store) -> int:
    from .commands import run_dose_given

    return _gated(args, store, "dose given", lambda: run_dose_given(args, store))


def run_prep_reconstitute_gated(args: argparse.Namespace, store: Store) -> int:
    from .pharmacy import run_prep_reconstitute

    return _gated(args, store, "reconstitute", lambda: run_prep_reconstitute(args, store))


def readiness_json(readiness: Readiness) -> dict[str, Any]:
    """The ``dose check --json`` object (made at the CLI's edge)."""
    return {
        "verdict": readiness.verdict.value,
        "reasons": [{"rule": r.rule, "text": r.text} for r in readiness.reasons],
        "results": [
            {"test": r.test, "value": r.value, "uln": r.uln, "at": r.at.isoformat()}
            for r in readiness.results
        ],
        "lvef_due": readiness.lvef_due.isoformat() if readiness.lvef_due else None,
        "proposed_mg_per_kg": readiness.proposed_mg_per_kg,
    }
