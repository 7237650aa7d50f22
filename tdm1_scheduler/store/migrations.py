"""Schema versions, applied in order at open through sqlite-utils ``Migrations`` (which
is imported only when one is pending: ``store/migration_set.py``).

Instants are stored as UTC text ``YYYY-MM-DDTHH:MM:SSZ`` so they sort and compare as
strings. The database itself refuses a double-booked chair and any change to the audit
log, so no code path (GUI, CLI, a second process) can get around either rule.
"""

from __future__ import annotations

from .connection import Database
from .m007_course_regimen import m007_course_regimen
from .m008_patients_by_name import m008_patients_by_name
from .m009_live_preparations import m009_live_preparations
from .migration_set import MigrationSet
from .schema_names import MIGRATION_NAMES, MIGRATION_SET, OCCUPYING

__all__ = ["MIGRATION_SET", "OCCUPYING", "known_migration_names", "migrations"]

migrations = MigrationSet(MIGRATION_SET)


@migrations()
def m001_initial(db: Database) -> None:
    db.executescript(
        f"""
        CREATE TABLE clinic (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            name TEXT NOT NULL,
            timezone TEXT NOT NULL,
            prep_min INTEGER NOT NULL DEFAULT 15 CHECK (prep_min >= 0),
            early_window_days INTEGER NOT NULL DEFAULT 0,
            mbc_horizon_cycles INTEGER NOT NULL DEFAULT 6,
            start_cap INTEGER,
            snap_min INTEGER NOT NULL DEFAULT 5,
            preferred_window_min INTEGER NOT NULL DEFAULT 120,
            weight_min_kg REAL NOT NULL DEFAULT 20,
            weight_max_kg REAL NOT NULL DEFAULT 300,
            weight_recalc_percent REAL NOT NULL DEFAULT 10,
            version INTEGER NOT NULL DEFAULT 1
        );
        CREATE TABLE opening_hours (
            weekday INTEGER PRIMARY KEY CHECK (weekday BETWEEN 0 AND 6),
            opens TEXT NOT NULL,
            closes TEXT NOT NULL CHECK (closes > opens)
        );
        CREATE TABLE closed_dates (
            day TEXT PRIMARY KEY,
            reason TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE chairs (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            position INTEGER NOT NULL DEFAULT 0,
            active INTEGER NOT NULL DEFAULT 1
        );
        CREATE TABLE patients (
            id INTEGER PRIMARY KEY,
            mrn TEXT NOT NULL UNIQUE COLLATE NOCASE,
            name TEXT NOT NULL,
            weight_kg REAL NOT NULL CHECK (weight_kg > 0),
            weight_measured_at TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 1
        );
        CREATE TABLE courses (
            id INTEGER PRIMARY KEY,
            patient_id INTEGER NOT NULL REFERENCES patients(id),
            setting TEXT NOT NULL CHECK (setting IN ('EBC', 'MBC')),
            status TEXT NOT NULL CHECK (status IN ('active', 'completed', 'stopped')),
            dose_level_mg_per_kg REAL NOT NULL CHECK (dose_level_mg_per_kg <= 3.6),
            preferred_time TEXT NOT NULL,
            preferred_chair_id INTEGER REFERENCES chairs(id),
            stop_reason TEXT,
            stopped_at TEXT,
            created_at TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 1
        );
        CREATE UNIQUE INDEX one_active_course_per_patient
            ON courses(patient_id) WHERE status = 'active';
        CREATE TABLE doses (
            id INTEGER PRIMARY KEY,
            course_id INTEGER NOT NULL REFERENCES courses(id),
            cycle INTEGER NOT NULL CHECK (cycle >= 1),
            status TEXT NOT NULL CHECK (status IN ('booked', 'given', 'cancelled')),
            dose_level_mg_per_kg REAL NOT NULL CHECK (dose_level_mg_per_kg <= 3.6),
            weight_kg REAL NOT NULL,
            weight_measured_at TEXT NOT NULL,
            given_at TEXT,
            infusion_actual_min INTEGER,
            tolerated INTEGER,
            reaction_grade INTEGER,
            version INTEGER NOT NULL DEFAULT 1,
            UNIQUE (course_id, cycle)
        );
        CREATE TABLE appointments (
            id INTEGER PRIMARY KEY,
            chair_id INTEGER NOT NULL REFERENCES chairs(id),
            dose_id INTEGER REFERENCES doses(id),
            kind TEXT NOT NULL DEFAULT 'dose' CHECK (kind IN ('dose', 'blocked')),
            label TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL
                CHECK (status IN ('booked', 'given', 'missed', 'cancelled')),
            start_utc TEXT NOT NULL,
            end_utc TEXT NOT NULL,
            prep_min INTEGER NOT NULL DEFAULT 0,
            infusion_min INTEGER NOT NULL DEFAULT 0,
            observation_min INTEGER NOT NULL DEFAULT 0,
            version INTEGER NOT NULL DEFAULT 1,
            CHECK (end_utc > start_utc),
            CHECK (julianday(end_utc) - julianday(start_utc) <= 1.0),
            CHECK ((kind = 'dose') = (dose_id IS NOT NULL))
        );
        CREATE INDEX appointments_by_chair_start ON appointments(chair_id, start_utc);
        CREATE INDEX appointments_by_start ON appointments(start_utc);
        CREATE INDEX appointments_by_dose ON appointments(dose_id);
        CREATE INDEX doses_by_course ON doses(course_id, cycle);

        -- No two chair-holding appointments overlap in one chair, whoever writes.
        -- Appointments last at most a day, so only a day back needs looking at.
        CREATE TRIGGER appointments_no_overlap_insert BEFORE INSERT ON appointments
        WHEN NEW.status IN {OCCUPYING} AND EXISTS (
            SELECT 1 FROM appointments other
            WHERE other.chair_id = NEW.chair_id AND other.status IN {OCCUPYING}
              AND other.start_utc >= strftime('%Y-%m-%dT%H:%M:%SZ', NEW.start_utc, '-1 day')
              AND other.start_utc < NEW.end_utc AND NEW.start_utc < other.end_utc)
        BEGIN SELECT RAISE(ABORT, 'chair_overlap'); END;

        CREATE TRIGGER appointments_no_overlap_update BEFORE UPDATE ON appointments
        WHEN NEW.status IN {OCCUPYING} AND EXISTS (
            SELECT 1 FROM appointments other
            WHERE other.id != NEW.id
              AND other.chair_id = NEW.chair_id AND other.status IN {OCCUPYING}
              AND other.start_utc >= strftime('%Y-%m-%dT%H:%M:%SZ', NEW.start_utc, '-1 day')
              AND other.start_utc < NEW.end_utc AND NEW.start_utc < other.end_utc)
        BEGIN SELECT RAISE(ABORT, 'chair_overlap'); END;

        CREATE TABLE preparations (
            id INTEGER PRIMARY KEY,
            dose_id INTEGER NOT NULL REFERENCES doses(id),
            reconstituted_at TEXT,
            vial_lots TEXT NOT NULL DEFAULT '',
            storage TEXT NOT NULL DEFAULT '2-8 °C',
            diluted_at TEXT,
            diluent TEXT,
            dose_mg REAL,
            discarded_at TEXT,
            discard_reason TEXT,
            wasted_mg REAL,
            used_at TEXT,
            version INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX preparations_by_dose ON preparations(dose_id);

        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at_utc TEXT NOT NULL,
            user TEXT NOT NULL,
            action TEXT NOT NULL,
            entity TEXT NOT NULL,
            entity_id INTEGER,
            old_values TEXT,
            new_values TEXT
        );
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
        """
    )


@migrations()
def m002_nurse_visits(db: Database) -> None:
    """One row per chair visit, recorded by the nurse board (instants UTC text)."""
    db.executescript(
        """
        CREATE TABLE visits (
            id INTEGER PRIMARY KEY,
            appointment_id INTEGER NOT NULL UNIQUE REFERENCES appointments(id),
            arrived_at TEXT,
            infusion_started_at TEXT,
            paused_at TEXT,
            paused_seconds INTEGER NOT NULL DEFAULT 0 CHECK (paused_seconds >= 0),
            pause_count INTEGER NOT NULL DEFAULT 0 CHECK (pause_count >= 0),
            infusion_ended_at TEXT,
            observation_ended_at TEXT,
            discharged_at TEXT,
            early_discharge_reason TEXT,
            reaction_grade INTEGER CHECK (reaction_grade BETWEEN 1 AND 4),
            alerts_acknowledged TEXT NOT NULL DEFAULT '',
            version INTEGER NOT NULL DEFAULT 1,
            CHECK (infusion_ended_at IS NULL OR infusion_started_at IS NOT NULL),
            CHECK (paused_at IS NULL OR (infusion_started_at IS NOT NULL
                                         AND infusion_ended_at IS NULL)),
            CHECK (discharged_at IS NULL OR discharged_at >= COALESCE(arrived_at, ''))
        );
        """
    )


@migrations()
def m003_dose_infusion_outcome(db: Database) -> None:
    """A given dose records whether its infusion was completed or stopped before complete
    (a partial dose), and the minutes it was planned for: a stop is not a rate. Doses
    given before this was kept count as completed over their given booking's minutes."""
    db.executescript(
        """
        ALTER TABLE doses ADD COLUMN infusion_completed INTEGER
            CHECK (infusion_completed IN (0, 1));
        ALTER TABLE doses ADD COLUMN infusion_planned_min INTEGER
            CHECK (infusion_planned_min >= 1);
        UPDATE doses SET infusion_completed = 1 WHERE status = 'given';
        UPDATE doses SET infusion_planned_min = (
            SELECT a.infusion_min FROM appointments a
            WHERE a.dose_id = doses.id AND a.status = 'given' AND a.infusion_min >= 1
            ORDER BY a.id DESC LIMIT 1)
        WHERE status = 'given';
        """
    )


@migrations()
def m004_visit_reactions(db: Database) -> None:
    """Each reaction the nurse board records, one row apiece: when it began, its CTCAE
    grade, the symptoms, the action taken on the infusion (slowed / interrupted /
    stopped, or none once the infusion had ended) and a note. The visit keeps its worst
    grade in ``visits.reaction_grade``, as before."""
    db.executescript(
        """
        CREATE TABLE visit_reactions (
            id INTEGER PRIMARY KEY,
            visit_id INTEGER NOT NULL REFERENCES visits(id),
            at_utc TEXT NOT NULL,
            grade INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 4),
            symptoms TEXT NOT NULL DEFAULT '',
            action TEXT CHECK (action IN ('slowed', 'interrupted', 'stopped')),
            note TEXT NOT NULL DEFAULT '',
            recorded_at TEXT NOT NULL,
            recorded_by TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX visit_reactions_by_visit ON visit_reactions(visit_id, at_utc);
        """
    )


@migrations()
def m005_readiness(db: Database) -> None:
    """Lab and LVEF results with their sample instants, clinicians' overrides of the
    readiness gate, and the gate's three site settings (issue 17)."""
    db.executescript(
        """
        CREATE TABLE lab_results (
            id INTEGER PRIMARY KEY,
            patient_id INTEGER NOT NULL REFERENCES patients(id),
            test TEXT NOT NULL CHECK (test IN ('ast', 'alt', 'bilirubin', 'platelets')),
            value REAL NOT NULL CHECK (value > 0),
            uln REAL CHECK (uln > 0),
            sampled_at TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            CHECK ((test = 'platelets') = (uln IS NULL))
        );
        CREATE INDEX lab_results_by_patient ON lab_results(patient_id, sampled_at);
        CREATE TABLE lvef_results (
            id INTEGER PRIMARY KEY,
            patient_id INTEGER NOT NULL REFERENCES patients(id),
            percent REAL NOT NULL CHECK (percent BETWEEN 5 AND 95),
            modality TEXT NOT NULL CHECK (modality IN ('echo', 'muga')),
            sampled_at TEXT NOT NULL,
            recorded_at TEXT NOT NULL
        );
        CREATE INDEX lvef_results_by_patient ON lvef_results(patient_id, sampled_at);
        CREATE TABLE readiness_overrides (
            id INTEGER PRIMARY KEY,
            dose_id INTEGER NOT NULL REFERENCES doses(id),
            action TEXT NOT NULL
                CHECK (action IN ('start infusion', 'reconstitute', 'dose given')),
            verdict TEXT NOT NULL,
            reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
            clinician TEXT NOT NULL CHECK (length(trim(clinician)) > 0),
            at_utc TEXT NOT NULL
        );
        CREATE INDEX readiness_overrides_by_dose ON readiness_overrides(dose_id, action);
        ALTER TABLE clinic ADD COLUMN readiness_gate TEXT NOT NULL DEFAULT 'warn'
            CHECK (readiness_gate IN ('off', 'warn', 'enforce'));
        ALTER TABLE clinic ADD COLUMN lab_freshness_days INTEGER NOT NULL DEFAULT 3
            CHECK (lab_freshness_days BETWEEN 1 AND 30);
        ALTER TABLE clinic ADD COLUMN lvef_interval_weeks INTEGER NOT NULL DEFAULT 12
            CHECK (lvef_interval_weeks BETWEEN 1 AND 52);
        """
    )


@migrations()
def m006_courses_by_patient(db: Database) -> None:
    """A patient's courses by index: booking looked them up with a full scan of
    ``courses`` (issue 19)."""
    db.executescript("CREATE INDEX IF NOT EXISTS courses_by_patient ON courses(patient_id);")


# From m007 on, each migration lives in its own module (store/m0NN_*.py) and is
# registered here, in the order of its name.
migrations()(m007_course_regimen)
migrations()(m008_patients_by_name)
migrations()(m009_live_preparations)


def known_migration_names() -> list[str]:
    """Every migration this version of the app knows, in order."""
    return migrations.names()


if tuple(known_migration_names()) != MIGRATION_NAMES:  # opening a file reads that list
    raise RuntimeError("store/schema_names.py's MIGRATION_NAMES must list these migrations")
