"""What opening and reading a clinic file needs of its SQLite schema's history, without
the migrations themselves (issue 19).

Opening an up-to-date file checks which migrations it lists against ``MIGRATION_NAMES``;
the reads name ``OCCUPYING``. ``store/migrations.py`` (every migration's SQL, three more
modules and the migration set) is imported only to apply a pending migration or to
report the schema: about 3 M instructions of every GUI and CLI start otherwise. It
checks at import that its registry lists exactly ``MIGRATION_NAMES``, in order, so a
migration added there and not here fails at once (and in ``tests/store``).
"""

from __future__ import annotations

__all__ = ["MIGRATIONS_TABLE", "MIGRATION_NAMES", "MIGRATION_SET", "OCCUPYING"]

MIGRATION_SET = "tdm1_scheduler"
MIGRATIONS_TABLE = "_sqlite_migrations"  # as sqlite-utils' Migrations records them
MIGRATION_NAMES = (
    "m001_initial",
    "m002_nurse_visits",
    "m003_dose_infusion_outcome",
    "m004_visit_reactions",
    "m005_readiness",
    "m006_courses_by_patient",
    "m007_course_regimen",
    "m008_patients_by_name",
    "m009_live_preparations",
)
"""Every migration this version of the app knows, in order (``migrations.py``'s)."""

# Statuses whose appointment holds the chair.
OCCUPYING = "('booked', 'given')"
