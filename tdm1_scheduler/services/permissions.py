"""Which group may run which service (issue 16, "who may do what").

On a server each person logs in with their own role, a member of one group role:
``scheduler`` (front desk), ``nurse`` (the chairs) or ``pharmacist`` (the clean room).
Every service that writes is listed in ``SERVICES`` with the action's name (as a refusal
names it: the CLI's command or the audit row's action) and the groups that may run it:

=============================================  =======================  ===============
service                                        action                   groups
=============================================  =======================  ===============
patients.add_patient / update_patient          patient add / update     scheduler
patients.record_weight                         patient weight           scheduler, nurse
exchange.import_patients                       import patients          scheduler
courses.book_course / stop_course              course book / stop       scheduler
courses.move_appointment                       appointment move         scheduler
courses.mark_dose_missed                       dose missed              scheduler, nurse
courses.reduce_dose_level                      dose reduce              scheduler, nurse
courses.record_dose_given                      dose given               nurse
visits.cancel_dose_visit / cancel_blocked_time visit cancel             scheduler
blocked_time.book / move / cancel              block chair time ...     scheduler
clinic.* (init, chairs, hours, closed dates,   init clinic, add chair,  scheduler
settings, preferences)                         change settings ...
exchange.close_holidays                        close holidays           scheduler
slots.close_date_and_rebook / plan_close_date  close date               scheduler
readiness.set_readiness_settings               readiness settings       scheduler
readiness.add_lab / add_lvef                   record lab result / lvef scheduler, nurse
readiness.record_override                      override readiness       nurse, pharmacist
nurse.* (arrive ... discharge, alerts)         patient arrived ...      nurse
pharmacy.record_reconstitution / dilution,     prep reconstitute /      pharmacist
discard_preparation / discard_expired          dilute / discard
restore.restore_placements                     undo                     scheduler, nurse
=============================================  =======================  ===============

The grey ones, decided: a nurse records the missed dose and the reduced dose level she
is told of at the chair, and labs and LVEF come from either desk; a readiness override
is the clinician's at the gate, which is the nurse's (dose given) or the pharmacist's
(reconstitute); undo puts back bookings and doses, which only the scheduler and the
nurse write. What a service does along the way is its own: a nurse's ``dose given``
re-times later bookings, so the server grants (``store/postgres/migrations.py`` p005)
are the union of the tables each group's services write.

How the store knows the action without each service saying it: ``policy`` (installed
into ``store.access`` on import) walks the Python stack of the transaction that is
about to begin and takes the OUTERMOST listed service on it, the action the person ran
(a service called by another one is part of it). A transaction opened by no listed
service is not refused here; the server's grants still apply to it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from ..store.access import PermissionRefused, Session, install

SCHEDULER = "scheduler"
NURSE = "nurse"
PHARMACIST = "pharmacist"

_S = frozenset({SCHEDULER})
_N = frozenset({NURSE})
_P = frozenset({PHARMACIST})
_SN = _S | _N
_NP = _N | _P

# "module.function" (below tdm1_scheduler.services) -> (action, the groups that may run it)
SERVICES: dict[str, tuple[str, frozenset[str]]] = {
    "patients.add_patient": ("patient add", _S),
    "patients.update_patient": ("patient update", _S),
    "patients.record_weight": ("patient weight", _SN),
    "exchange.import_patients": ("import patients", _S),
    "exchange.close_holidays": ("close holidays", _S),
    "courses.book_course": ("course book", _S),
    "courses.stop_course": ("course stop", _S),
    "courses.move_appointment": ("appointment move", _S),
    "courses.mark_dose_missed": ("dose missed", _SN),
    "courses.reduce_dose_level": ("dose reduce", _SN),
    "courses.record_dose_given": ("dose given", _N),
    "visits.cancel_dose_visit": ("visit cancel", _S),
    "visits.cancel_blocked_time": ("visit cancel", _S),
    "blocked_time.book_blocked_time": ("block chair time", _S),
    "blocked_time.move_blocked_time": ("move blocked time", _S),
    "blocked_time.cancel_blocked_time": ("remove blocked time", _S),
    "clinic.init_clinic": ("init clinic", _S),
    "clinic.add_chair": ("add chair", _S),
    "clinic.add_closed_date": ("change closed dates", _S),
    "clinic.remove_closed_date": ("change closed dates", _S),
    "clinic.set_closed_dates": ("change closed dates", _S),
    "clinic.set_opening_hours": ("change opening hours", _S),
    "clinic.update_settings": ("change settings", _S),
    "clinic.save_preferences": ("change preferences", _S),
    "slots.close_date_and_rebook": ("close date", _S),
    "slots.plan_close_date": ("close date", _S),
    "readiness.set_readiness_settings": ("readiness settings", _S),
    "readiness.add_lab": ("record lab result", _SN),
    "readiness.add_lvef": ("record lvef", _SN),
    "readiness.record_override": ("override readiness", _NP),
    "nurse.arrive": ("patient arrived", _N),
    "nurse.start_infusion": ("start infusion", _N),
    "nurse.pause_infusion": ("pause infusion", _N),
    "nurse.resume_infusion": ("resume infusion", _N),
    "nurse.end_infusion": ("end infusion", _N),
    "nurse.record_reaction": ("record reaction", _N),
    "nurse.end_observation": ("end observation", _N),
    "nurse.discharge": ("discharge", _N),
    "nurse.acknowledge_alert": ("acknowledge alert", _N),
    "pharmacy.record_reconstitution": ("prep reconstitute", _P),
    "pharmacy.record_dilution": ("prep dilute", _P),
    "pharmacy.discard_preparation": ("prep discard", _P),
    "pharmacy.discard_expired": ("prep discard", _P),
    "restore.restore_placements": ("undo", _SN),
}

_PREFIX = __name__.rpartition(".")[0] + "."  # "tdm1_scheduler.services."


def running_service() -> str | None:
    """The outermost listed service on the calling stack ("module.function"), if any."""
    found = None
    frame = sys._getframe(1)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module.startswith(_PREFIX):
            key = f"{module[len(_PREFIX) :]}.{frame.f_code.co_name}"
            if key in SERVICES:
                found = key
        frame = frame.f_back  # type: ignore[assignment]
    return found


def policy(session: Session) -> None:
    """Refuse the running service when none of ``session``'s groups may run it."""
    key = running_service()
    if key is None:
        return
    action, groups = SERVICES[key]
    if not groups & session.groups:
        raise PermissionRefused(session, action)


def refusal_of(store: object, action: Callable[..., object]) -> str | None:
    """Why ``store``'s session may not run the service ``action``, else None (a store
    with no session, SQLite's, may run all): a preview asks it first, so the planner's
    drag says a refusal while dragging, in the words the commit would refuse with."""
    session_of = getattr(store, "session", None)
    key = f"{action.__module__.removeprefix(_PREFIX)}.{action.__name__}"
    if session_of is None or key not in SERVICES:
        return None
    session: Session = session_of()
    action_name, groups = SERVICES[key]
    if session.owner or groups & session.groups:
        return None
    return str(PermissionRefused(session, action_name))


install(policy)
