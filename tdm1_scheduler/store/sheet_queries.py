"""The day sheet's read: every row of one clinic day in ONE statement, whatever the count.

``day_sheet_rows`` returns the chair-holding appointments (booked, given) and the missed
ones overlapping [start, end), each with its chair, dose, course, patient, nurse-board
visit, live preparation and (for a missed visit) where its dose is booked now. The
preparation and the re-booking are correlated sub-selects inside the same statement, so
the sheet costs the same number of statements for 5 appointments or 600 (issue 19).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .database import to_utc_text

if TYPE_CHECKING:
    from sqlite_utils import Database

Row = dict[str, Any]
SHEET_STATUSES = "('booked', 'given', 'missed')"

DAY_SHEET_SQL = f"""
    SELECT a.id, a.chair_id, a.dose_id, a.kind, a.status, a.label, a.start_utc, a.end_utc,
           a.prep_min, a.infusion_min, a.observation_min,
           c.name AS chair_name, c.position AS chair_position,
           d.cycle, d.status AS dose_status, d.given_at, d.infusion_actual_min,
           d.infusion_completed, d.infusion_planned_min, d.reaction_grade AS dose_reaction,
           co.setting, co.regimen_code, p.mrn, p.name AS patient_name,
           v.arrived_at, v.infusion_started_at, v.paused_seconds, v.infusion_ended_at,
           v.observation_ended_at, v.discharged_at, v.reaction_grade AS visit_reaction,
           pr.reconstituted_at, pr.diluted_at, pr.discarded_at, pr.used_at,
           (SELECT n.start_utc FROM appointments n
             WHERE a.status = 'missed' AND n.dose_id = a.dose_id
               AND n.status IN ('booked', 'given')
             ORDER BY n.id DESC LIMIT 1) AS rebooked_utc
    FROM appointments a
    JOIN chairs c ON c.id = a.chair_id
    LEFT JOIN doses d ON d.id = a.dose_id
    LEFT JOIN courses co ON co.id = d.course_id
    LEFT JOIN patients p ON p.id = co.patient_id
    LEFT JOIN visits v ON v.appointment_id = a.id
    LEFT JOIN preparations pr ON pr.id = (
        SELECT q.id FROM preparations q
        WHERE q.dose_id = a.dose_id AND q.discarded_at IS NULL
        ORDER BY q.id DESC LIMIT 1)
    WHERE a.status IN {SHEET_STATUSES} AND a.start_utc < ? AND a.end_utc > ?
      AND a.start_utc >= ?
    ORDER BY c.position, c.id, a.start_utc, a.id
"""


def day_sheet_rows(db: Database, start: datetime, end: datetime) -> list[Row]:
    """The day's rows (see the module doc), in chair order then start."""
    # Appointments last at most a day: the lower bound keeps the index range on the day.
    cursor = db.execute(
        DAY_SHEET_SQL,
        [to_utc_text(end), to_utc_text(start), to_utc_text(start - timedelta(days=1))],
    )
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


# DAY_SHEET_SQL's columns in order: ``mapping.values_to_sheet_row`` reads them by position.
SHEET_COLUMNS = (
    "id", "chair_id", "dose_id", "kind", "status", "label", "start_utc", "end_utc",
    "prep_min", "infusion_min", "observation_min", "chair_name", "chair_position",
    "cycle", "dose_status", "given_at", "infusion_actual_min", "infusion_completed",
    "infusion_planned_min", "dose_reaction", "setting", "regimen_code", "mrn",
    "patient_name", "arrived_at", "infusion_started_at", "paused_seconds",
    "infusion_ended_at", "observation_ended_at", "discharged_at", "visit_reaction",
    "reconstituted_at", "diluted_at", "discarded_at", "used_at", "rebooked_utc",
)  # fmt: skip


def day_sheet_values(db: Database, start: datetime, end: datetime) -> list[tuple[Any, ...]]:
    """The day's rows as ``day_sheet_rows``, each a tuple in ``SHEET_COLUMNS`` order."""
    cursor = db.execute(
        DAY_SHEET_SQL,
        [to_utc_text(end), to_utc_text(start), to_utc_text(start - timedelta(days=1))],
    )
    names = tuple(column[0] for column in cursor.description)
    if names != SHEET_COLUMNS:  # the SQL and the mapping disagree: never map by guess
        raise AssertionError(f"day sheet columns {names} != {SHEET_COLUMNS}")
    return cursor.fetchall()


# The dose appointments among some ids whose patient has a lab or LVEF result on record:
# the only ones whose readiness the sheet can mark under the ``warn`` gate (issue 19). By
# the appointments' primary key and each results table's ``(patient_id, sampled_at)``.
WITH_RESULTS_SQL = """
    SELECT a.id FROM appointments a
    JOIN doses d ON d.id = a.dose_id
    JOIN courses co ON co.id = d.course_id
    WHERE a.id IN ({ids})
      AND (EXISTS (SELECT 1 FROM lab_results l WHERE l.patient_id = co.patient_id)
           OR EXISTS (SELECT 1 FROM lvef_results r WHERE r.patient_id = co.patient_id))
    ORDER BY a.id
"""


def appointments_with_results(db: Database, appointment_ids: Iterable[int]) -> list[int]:
    """See ``WITH_RESULTS_SQL``: the ids, in order (one statement; none for no ids)."""
    ids = sorted(set(appointment_ids))
    if not ids:
        return []
    sql = WITH_RESULTS_SQL.format(ids=", ".join("?" for _ in ids))
    return [int(row[0]) for row in db.execute(sql, ids).fetchall()]
