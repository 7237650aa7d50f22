"""A patient's courses are found by the courses_by_patient index (migration m006)."""

from __future__ import annotations

from .test_query_plans import Database, db, plans, repo  # noqa: F401  (db: the fixture)


def test_a_patients_courses_are_found_by_index(db: Database) -> None:  # noqa: F811
    for action in (lambda: repo.courses_of_patient(db, 1), lambda: repo.latest_course(db, 1)):
        for line in plans(db, action, table="courses"):
            assert line.startswith("SEARCH courses USING INDEX courses_by_patient"), line
