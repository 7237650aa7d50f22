"""m009: the pharmacy's shelf is read by index, with the same rows as before."""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database as FullDatabase

from tdm1_scheduler.store.database import open_database
from tdm1_scheduler.store.m009_live_preparations import NAME as M009
from tdm1_scheduler.store.migrations import known_migration_names, migrations


def test_m009_follows_m008_in_name_order() -> None:
    names = known_migration_names()
    assert names.index(M009) == names.index("m008_patients_by_name") + 1
    assert names == sorted(names)


def test_an_older_file_gets_the_index_at_open_and_the_shelf_reads_the_same(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    old = FullDatabase(path)
    migrations.apply(old, stop_before=M009)
    assert "preparations_live" not in {index.name for index in old["preparations"].indexes}
    old.close()
    db = open_database(path)
    try:
        names = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        assert "preparations_live" in names
        assert M009 in {m.name for m in migrations.applied(db)}
        sql = (
            "SELECT id FROM preparations{} WHERE discarded_at IS NULL AND used_at IS NULL "
            "ORDER BY id"
        )
        plan = " ".join(row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql.format("")))
        assert "INDEX preparations_live (discarded_at=? AND used_at=?)" in plan, plan
        indexed = db.execute(sql.format("")).fetchall()
        unindexed = db.execute(sql.format(" NOT INDEXED")).fetchall()
        assert indexed == unindexed
    finally:
        db.close()
