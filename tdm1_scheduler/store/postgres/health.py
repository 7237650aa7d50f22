"""``check`` on a server database (issue 16): the schema version and the health of what
enforces the clinic's invariants there.

Healthy means every migration this app knows is applied, the exclusion constraints
(``chair_overlap``, ``patient_overlap``) exist on ``appointments`` as exclusion
constraints and are validated, and every trigger the migrations made exists and is
enabled. Each problem is one short line; none means healthy. Read from the catalogs
(``pg_constraint``, ``pg_trigger``): nothing is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .migrations import CHAIR_OVERLAP, MIGRATIONS, PATIENT_OVERLAP

if TYPE_CHECKING:
    import psycopg

# (table, constraint): the exclusion constraints of p002.
EXCLUSIONS = (("appointments", CHAIR_OVERLAP), ("appointments", PATIENT_OVERLAP))
# (table, trigger): the triggers of p002 and p003.
TRIGGERS = (
    ("appointments", "appointments_patient_insert"),
    ("appointments", "appointments_patient_update"),
    ("doses", "doses_course_fixed"),
    ("courses", "courses_patient_fixed"),
    ("audit_log", "audit_log_writer"),
    ("audit_log", "audit_log_no_update"),
    ("audit_log", "audit_log_no_delete"),
    ("audit_log", "audit_log_no_truncate"),
)


def health_problems(conn: psycopg.Connection[Any]) -> list[str]:
    """Every problem found (module doc); [] when the database is healthy."""
    from .runner import applied_names

    applied = set(applied_names(conn))
    problems = [
        f"migration {migration.name} is not applied"
        for migration in MIGRATIONS
        if migration.name not in applied
    ]
    for table, name in EXCLUSIONS:
        row = conn.execute(
            "SELECT contype, convalidated FROM pg_constraint"
            " WHERE conname = %s AND conrelid = to_regclass(%s)",
            [name, table],
        ).fetchone()
        if row is None:
            problems.append(f"constraint {name} on {table} is missing")
        elif row[0] != "x":
            problems.append(f"constraint {name} on {table} is not an exclusion constraint")
        elif not row[1]:
            problems.append(f"constraint {name} on {table} is not validated")
    for table, name in TRIGGERS:
        row = conn.execute(
            "SELECT tgenabled FROM pg_trigger"
            " WHERE tgname = %s AND tgrelid = to_regclass(%s) AND NOT tgisinternal",
            [name, table],
        ).fetchone()
        if row is None:
            problems.append(f"trigger {name} on {table} is missing")
        elif row[0] == "D":
            problems.append(f"trigger {name} on {table} is disabled")
    return problems


def public_tables(conn: psycopg.Connection[Any]) -> list[str]:
    """The tables of the ``public`` schema (an empty database has none)."""
    rows = conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    )
    return [str(row[0]) for row in rows]
