"""The patient search walks patients_by_name (migration m008) and stops at its limit:
no scan-then-sort of every patient (issue 15, item 8)."""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database as FullDatabase

from tdm1_scheduler.store.database import open_database
from tdm1_scheduler.store.m008_patients_by_name import NAME as M008
from tdm1_scheduler.store.migrations import known_migration_names, migrations

from .test_query_plans import Database, db, plans, repo  # noqa: F401  (db: the fixture)

BY_NAME = "SCAN patients USING INDEX patients_by_name"


def test_the_search_reads_by_name_without_a_sort(db: Database) -> None:  # noqa: F811
    for text in ("", "an", "DEMO-0"):
        for line in plans(db, lambda t=text: repo.search_patients(db, t, 20), table="patients"):
            assert line == BY_NAME, line  # no "USE TEMP B-TREE FOR ORDER BY"


def test_the_search_answers_as_before(db: Database) -> None:  # noqa: F811
    """Same rows, same order as the sort the index replaces (ties by id)."""
    found = repo.search_patients(db, "a", 15)
    unindexed = db.execute(
        "SELECT id FROM patients NOT INDEXED WHERE mrn LIKE '%a%' OR name LIKE '%a%' "
        "ORDER BY name, id LIMIT 15"
    ).fetchall()
    assert [row["id"] for row in found] == [row[0] for row in unindexed]
    assert len(found) == 15


def test_m008_follows_m007_in_name_order() -> None:
    names = known_migration_names()
    assert names.index(M008) == names.index("m007_course_regimen") + 1
    assert names == sorted(names)


def test_an_older_file_gets_the_index_at_open(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = FullDatabase(path)
    migrations.apply(old, stop_before=M008)
    assert "patients_by_name" not in {index.name for index in old["patients"].indexes}
    old.close()
    db = open_database(path)  # noqa: F811  (a local file, not the fixture)
    try:
        names = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        assert "patients_by_name" in names
        assert M008 in {m.name for m in migrations.applied(db)}
    finally:
        db.close()
