"""The demo clinic: what it holds, and that it never touches another database.

What a clinic holds is read from the run's shared builds (tests/demo_files.py: a copy of
one holds what a build there would, tests/test_demo_files.py); the builder's own acts (a
second build beside a first, determinism, refusing an existing file) build afresh, and
compare against the shared build: two independent builds still.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tdm1_scheduler.demo import build_demo_clinic
from tdm1_scheduler.services.context import load_settings
from tdm1_scheduler.services.queries import chairs, day_bookings
from tdm1_scheduler.store.database import open_database
from tdm1_scheduler.store.sqlite_store import SqliteStore
from tests.demo_files import demo_copy

WEEKDAY_NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)  # Wed 10:00 New York
SATURDAY_NOW = datetime(2026, 11, 21, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    demo_copy(path, WEEKDAY_NOW, tmp_path_factory)
    db = open_database(path)
    yield db
    db.conn.close()


def scalar(db, sql: str) -> int:  # type: ignore[no-untyped-def]
    return int(db.execute(sql).fetchone()[0])


def test_size(demo) -> None:  # type: ignore[no-untyped-def]
    assert len(chairs(SqliteStore(demo))) == 12
    assert 35 <= scalar(demo, "SELECT count(*) FROM patients") <= 45
    assert {"EBC", "MBC"} <= {r[0] for r in demo.execute("SELECT setting FROM courses")}


def test_completed_course(demo) -> None:  # type: ignore[no-untyped-def]
    assert scalar(demo, "SELECT count(*) FROM courses WHERE status = 'completed'") >= 1
    given = demo.execute(
        "SELECT count(*) FROM doses d JOIN courses c ON c.id = d.course_id "
        "WHERE c.status = 'completed' AND d.status = 'given' GROUP BY c.id"
    ).fetchall()
    assert all(row[0] == 14 for row in given)


def test_missed_dose_rebooked(demo) -> None:  # type: ignore[no-untyped-def]
    missed = demo.execute("SELECT dose_id FROM appointments WHERE status = 'missed'").fetchall()
    assert missed
    for (dose_id,) in missed:
        again = scalar(
            demo,
            f"SELECT count(*) FROM appointments WHERE dose_id = {dose_id} "
            "AND status IN ('booked', 'given')",
        )
        assert again == 1


def test_reduced_dose_and_reaction(demo) -> None:  # type: ignore[no-untyped-def]
    assert scalar(demo, "SELECT count(*) FROM courses WHERE dose_level_mg_per_kg = 3.0") >= 1
    assert scalar(demo, "SELECT count(*) FROM doses WHERE tolerated = 0") >= 1
    assert scalar(demo, "SELECT count(*) FROM doses WHERE infusion_actual_min = 120") >= 1
    # the infusion after the reaction keeps the tolerated 120 min
    assert (
        scalar(
            demo,
            "SELECT count(*) FROM appointments WHERE status = 'booked' AND infusion_min = 120",
        )
        >= 1
    )


def test_busy_today_with_first_infusions(demo) -> None:  # type: ignore[no-untyped-def]
    rows = day_bookings(SqliteStore(demo), load_settings(SqliteStore(demo)), date(2026, 11, 18))
    assert len(rows) >= 20
    assert sum(1 for r in rows if r.cycle == 1) >= 2
    statuses = {r.appointment.status for r in rows}
    assert statuses == {"given", "booked"}  # 10:00: some done, some to come


def test_weekend_today_means_next_open_day(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path / "weekend.db"
    demo_copy(path, SATURDAY_NOW, tmp_path_factory)
    db = open_database(path)
    try:
        settings = load_settings(SqliteStore(db))
        assert day_bookings(SqliteStore(db), settings, date(2026, 11, 21)) == []
        monday = day_bookings(SqliteStore(db), settings, date(2026, 11, 23))
        assert len(monday) >= 20
        assert {r.appointment.status for r in monday} == {"booked"}
    finally:
        db.conn.close()


def test_two_builds_do_not_touch_each_other(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    first = tmp_path / "a" / "demo.db"
    second = tmp_path / "b" / "demo.db"
    first.parent.mkdir()
    demo_copy(first, WEEKDAY_NOW, tmp_path_factory)  # the run's build, then a second one
    before = first.read_bytes()
    build_demo_clinic(second, WEEKDAY_NOW)
    assert first.read_bytes() == before
    assert sorted(p.name for p in first.parent.iterdir()) == ["demo.db"]
    with pytest.raises(FileExistsError):
        build_demo_clinic(first, WEEKDAY_NOW)
    assert first.read_bytes() == before


def test_deterministic(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    build_demo_clinic(tmp_path / "x.db", WEEKDAY_NOW)  # a fresh build ...
    demo_copy(tmp_path / "y.db", WEEKDAY_NOW, tmp_path_factory)  # ... and the run's own
    dumps = []
    for name in ("x.db", "y.db"):
        db = open_database(tmp_path / name)
        dumps.append(
            db.execute(
                "SELECT p.mrn, p.name, a.start_utc, a.chair_id, a.status FROM appointments a "
                "LEFT JOIN doses d ON d.id = a.dose_id LEFT JOIN courses c ON c.id = d.course_id "
                "LEFT JOIN patients p ON p.id = c.patient_id ORDER BY a.id"
            ).fetchall()
        )
        db.conn.close()
    assert dumps[0] == dumps[1]


def test_the_demo_has_bags_ready_and_some_still_to_prepare(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Pharmacy made most of the busy day's remaining bags; a few are still to make, so
    the nurse board shows both a startable infusion and the refusal."""
    import sqlite3

    path = tmp_path / "demo.db"
    demo_copy(path, WEEKDAY_NOW, tmp_path_factory)
    with sqlite3.connect(path) as conn:
        bags = conn.execute(
            "SELECT COUNT(*) FROM preparations WHERE diluted_at IS NOT NULL "
            "AND reconstituted_at <= diluted_at"
        ).fetchone()[0]
        waiting = conn.execute(
            "SELECT COUNT(*) FROM doses d WHERE d.status = 'booked' AND NOT EXISTS "
            "(SELECT 1 FROM preparations p WHERE p.dose_id = d.id) AND EXISTS "
            "(SELECT 1 FROM appointments a WHERE a.dose_id = d.id AND a.status = 'booked' "
            "AND a.start_utc < ?)",
            [(WEEKDAY_NOW + timedelta(hours=14)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")],
        ).fetchone()[0]
    conn.close()
    assert bags >= 5
    assert waiting >= 1
    without = tmp_path / "bare.db"
    demo_copy(without, WEEKDAY_NOW, tmp_path_factory, prepare_bags=False)
    with sqlite3.connect(without) as conn:
        # Only the bags of infusions already started at now (the nurse's steps need one).
        waiting_bags = "SELECT COUNT(*) FROM preparations WHERE used_at IS NULL"
        assert conn.execute(waiting_bags).fetchone()[0] == 0
    conn.close()
