"""m003: a file made before doses recorded whether the infusion was completed migrates at
open; its given doses count as completed over their planned booking's minutes."""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database

from tdm1_scheduler.domain.tolerance import next_infusion_min
from tdm1_scheduler.services import courses
from tdm1_scheduler.store.database import open_database
from tdm1_scheduler.store.migrations import migrations
from tdm1_scheduler.store.sqlite_store import as_store

M003 = "m003_dose_infusion_outcome"


def old_file(path: Path) -> None:
    """A clinic file at m002 with one given dose (40 min, not tolerated) and one booked."""
    db = Database(path)
    migrations.apply(db, stop_before=M003)
    db.executescript(
        """
        INSERT INTO clinic (id, name, timezone) VALUES (1, 'Old', 'America/New_York');
        INSERT INTO chairs (id, name, position) VALUES (1, 'Chair 1', 1);
        INSERT INTO patients (id, mrn, name, weight_kg, weight_measured_at)
            VALUES (1, 'A1', 'Ann Lee', 70, '2026-03-01T13:00:00Z');
        INSERT INTO courses (id, patient_id, setting, status, dose_level_mg_per_kg,
                             preferred_time, preferred_chair_id, created_at)
            VALUES (1, 1, 'EBC', 'active', 3.6, '09:00', 1, '2026-03-01T13:00:00Z');
        INSERT INTO doses (id, course_id, cycle, status, dose_level_mg_per_kg, weight_kg,
                           weight_measured_at, given_at, infusion_actual_min, tolerated)
            VALUES (1, 1, 1, 'given', 3.6, 70, '2026-03-01T13:00:00Z',
                    '2026-03-02T14:15:00Z', 40, 0),
                   (2, 1, 2, 'booked', 3.6, 70, '2026-03-01T13:00:00Z', NULL, NULL, NULL);
        INSERT INTO appointments (id, chair_id, dose_id, status, start_utc, end_utc,
                                  prep_min, infusion_min, observation_min)
            VALUES (1, 1, 1, 'given', '2026-03-02T14:00:00Z', '2026-03-02T17:15:00Z',
                    15, 90, 90),
                   (2, 1, 2, 'booked', '2026-03-23T13:00:00Z', '2026-03-23T15:15:00Z',
                    15, 90, 30);
        """
    )
    db.close()


def test_an_old_file_migrates_and_its_given_dose_counts_as_completed(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old_file(path)
    db = open_database(path)
    try:
        assert M003 in {m.name for m in migrations.applied(db)}
        rows = db.execute(
            "SELECT cycle, infusion_completed, infusion_planned_min FROM doses ORDER BY cycle"
        ).fetchall()
        assert rows == [(1, 1, 90), (2, None, None)]
        given = courses.load_course(as_store(db), "A1").given
        assert [(g.outcome.infusion_min, g.outcome.completed, g.outcome.planned_min)
                for g in given] == [(40, True, 90)]  # fmt: skip
        # the old 40-min row is no longer a reason to book faster than 90
        assert next_infusion_min([g.outcome for g in given]) == 90
    finally:
        db.close()
