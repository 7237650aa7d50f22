"""Read-only views for the CLI, the GUI and reports. Instants come out in the clinic's
zone, as ISO 8601 with the UTC offset."""

from __future__ import annotations

from datetime import date
from typing import Any

from ..domain.regimen import total_cycles
from ..store import repository as repo, visits as visit_store
from ..store.connection import Database
from ..store.database import from_utc_text
from .context import ClinicSettings, load_settings
from .courses import chair_name, load_course

Row = dict[str, Any]


def iso_local(settings: ClinicSettings, text: str | None) -> str | None:
    if text is None:
        return None
    return settings.calendar.local(from_utc_text(text)).isoformat()


def course_view(db: Database, mrn: str) -> dict[str, Any]:
    """The ``course show --json`` object."""
    settings = load_settings(db)
    record = load_course(db, mrn)
    cycles = []
    for dose in record.doses:
        appointments = repo.appointments_of_dose(db, dose["id"])
        current = record.current.get(dose["id"])
        shown = current or (appointments[-1] if appointments else None)
        missed = [a for a in appointments if a["status"] == "missed"]
        reactions = visit_store.reactions_of_appointments(db, [a["id"] for a in appointments])
        cycles.append(
            {
                "cycle": dose["cycle"],
                "status": dose["status"],
                "start": iso_local(settings, shown["start_utc"]) if shown else None,
                "end": iso_local(settings, shown["end_utc"]) if shown else None,
                "chair": chair_name(db, shown["chair_id"]) if shown else None,
                "prep_min": shown["prep_min"] if shown else None,
                "infusion_min": shown["infusion_min"] if shown else None,
                "observation_min": shown["observation_min"] if shown else None,
                "given_at": iso_local(settings, dose["given_at"]),
                "infusion_actual_min": dose["infusion_actual_min"],
                "tolerated": None if dose["tolerated"] is None else bool(dose["tolerated"]),
                "infusion_completed": (
                    None if dose["infusion_completed"] is None else bool(dose["infusion_completed"])
                ),
                "reaction_grade": dose["reaction_grade"],
                "reactions": [
                    {
                        "at": iso_local(settings, r["at_utc"]),
                        "grade": r["grade"],
                        "symptoms": r["symptoms"],
                        "action": r["action"],
                        "note": r["note"],
                    }
                    for a in appointments
                    for r in reactions.get(a["id"], [])
                ],
                "dose_level_mg_per_kg": dose["dose_level_mg_per_kg"],
                "missed": [
                    {
                        "start": iso_local(settings, a["start_utc"]),
                        "chair": chair_name(db, a["chair_id"]),
                    }
                    for a in missed
                ],
            }
        )
    course = record.course
    return {
        "mrn": record.patient["mrn"],
        "name": record.patient["name"],
        "setting": course["setting"],
        "status": course["status"],
        "stop_reason": course["stop_reason"],
        "dose_level_mg_per_kg": course["dose_level_mg_per_kg"],
        "cycles_given": sum(1 for d in record.doses if d["status"] == "given"),
        "cycles_total": total_cycles(record.setting),
        "cycles": cycles,
    }


def chair_list(db: Database) -> list[dict[str, Any]]:
    return [
        {"id": row["id"], "name": row["name"], "position": row["position"]}
        for row in repo.chairs(db)
    ]


def day_appointments(db: Database, settings: ClinicSettings, day: date) -> list[Row]:
    """Every chair-holding appointment on ``day`` with patient, cycle and chair joined."""
    start, end = settings.calendar.day_bounds(day)
    return repo.appointments_between(db, start, end)


def appointment_row(db: Database, appointment_id: int) -> Row | None:
    """One appointment with the same joined fields as ``day_appointments`` rows."""
    return repo.appointment_view(db, appointment_id)
